//! Struct examples, checked all the way down once every struct of the action
//! is known: each key must be a field of its struct, each value must fit its
//! field, and in a request each required field must be there. The first
//! pass only sees that a struct example is a mapping, since the struct's
//! fields may be declared further down the file.

use serde_json::Value as J;
use serde_yaml::Value as V;

use super::json_index::JsonAt;
use super::member_examples::{check_example_value, listed_values};
use super::members::describe;
use super::response_examples::json_value_mismatch;
use super::text::closest;
use super::{Checker, FileCx, Scope};
use crate::locate::child as p;
use crate::locate::{Path, Seg};
use crate::model::{Field, NamedType, Ty, TypeRef, Variant, enum_variants, struct_fields};

/// Where the structs an example may fill are declared.
pub(super) struct Structs<'a> {
    pub local: &'a [NamedType],
    pub shared: &'a [NamedType],
}

impl Structs<'_> {
    pub(super) fn fields_of(&self, r: &TypeRef) -> Option<&[Field]> {
        self.fields(r)
    }

    fn fields(&self, r: &TypeRef) -> Option<&[Field]> {
        struct_fields(r, self.local, self.shared)
    }

    /// The variants of the enum `r` names, if it is one.
    fn variants(&self, r: &TypeRef) -> Option<&[Variant]> {
        enum_variants(r, self.local, self.shared)
    }
}

/// Checks the examples of one list of members (`request` or `response`),
/// which the first pass found well-formed: `fields[i]` is `examples[i]`'s
/// member.
pub(super) fn check_members(
    ck: &mut Checker,
    fx: &FileCx,
    list: &str,
    fields: &[Field],
    examples: &[Option<&V>],
    scope: &Scope,
    structs: &Structs,
) {
    let request = list == "request";
    for (i, (field, example)) in fields.iter().zip(examples).enumerate() {
        if let Some(value) = example {
            let at: Path = vec![list.into(), i.into(), "example".into()];
            walk(ck, fx, value, &field.ty, &at, scope, structs, request);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn walk(ck: &mut Checker, fx: &FileCx, value: &V, ty: &Ty, at: &Path, scope: &Scope, structs: &Structs, request: bool) {
    match (ty, value) {
        (Ty::List(inner), V::Sequence(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk(ck, fx, item, inner, &p(at, i), scope, structs, request);
            }
        }
        (Ty::Named(r), V::Mapping(map)) if !r.is_enum => {
            let Some(fields) = structs.fields(r) else { return };
            for (key, item) in map {
                let Some(key) = key.as_str() else {
                    ck.error(
                        fx,
                        at,
                        format!("a key of this `{}` example is not text", r.name),
                        "write each key as a field's wire name",
                    );
                    continue;
                };
                let key_at = p(at, key);
                let Some(field) = fields.iter().find(|f| f.wire == key) else {
                    let names = fields.iter().map(|f| f.wire.as_str());
                    let help = match closest(key, names.clone()) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => {
                            format!("its fields are {}", names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))
                        }
                    };
                    let message = format!("the example has `{key}`, which `{}` does not declare", r.name);
                    ck.error_at(fx, fx.loc.find_key(&key_at), message, help);
                    continue;
                };
                match check_example_value(item, &field.ty, scope, "example field", fx, &key_at) {
                    Ok(()) => walk(ck, fx, item, &field.ty, &key_at, scope, structs, request),
                    Err(mismatch) => {
                        let where_: Path = [key_at, mismatch.at].concat();
                        ck.error(fx, &where_, format!("`{key}`: {}", mismatch.message), mismatch.help);
                    }
                }
            }
            if request {
                let has = |wire: &str| map.keys().any(|k| k.as_str() == Some(wire));
                for field in fields.iter().filter(|f| f.required && !has(&f.wire)) {
                    ck.error(
                        fx,
                        at,
                        format!("this `{}` example lacks `{}`, which is required", r.name, field.wire),
                        format!(
                            "add `{}` to the example: the request builder refuses the request without it",
                            field.wire
                        ),
                    );
                }
            }
        }
        _ => {}
    }
}

/// Walks one top-level value of the JSON response example (whose key and
/// shape the first pass checked) into the structs it fills. The decoder
/// ignores keys it does not know, so without this a misspelt nested key would
/// pass every test while the field it meant stays empty.
/// `path` is where `value` is in the example.
pub(super) fn check_json_value(
    ck: &mut Checker,
    at: &JsonAt,
    value: &J,
    field: &Field,
    structs: &Structs,
    path: &mut Path,
) {
    walk_json(ck, at, value, &field.ty, field.wrapper.as_deref(), &field.wire, structs, path);
}

#[allow(clippy::too_many_arguments)]
fn walk_json(
    ck: &mut Checker,
    at: &JsonAt,
    value: &J,
    ty: &Ty,
    wrapper: Option<&str>,
    name: &str,
    structs: &Structs,
    path: &mut Path,
) {
    let fx = at.fx;
    match (ty, value) {
        (Ty::List(_), J::Object(map)) if wrapper.is_some() => {
            let wrapper = wrapper.unwrap_or_default();
            match map.get(wrapper) {
                Some(items) => {
                    path.push(Seg::Key(wrapper.to_owned()));
                    walk_json(ck, at, items, ty, None, name, structs, path);
                    path.pop();
                }
                None => ck.error_placed(
                    fx,
                    || at.value(path),
                    format!("the JSON example's `{name}` has no `{wrapper}`, the element its items are wrapped in"),
                    format!("write it as {{\"{name}\": {{\"{wrapper}\": [...]}}}}, as the service does"),
                ),
            }
            for key in map.keys().filter(|k| k.as_str() != wrapper) {
                unknown_json_key(ck, at, key, name, &[wrapper], path);
            }
        }
        (Ty::List(inner), J::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                walk_json(ck, at, item, inner, None, name, structs, path);
                path.pop();
            }
        }
        (Ty::List(inner), single) => walk_json(ck, at, single, inner, None, name, structs, path),
        // The decoder keeps a value it does not know, so only this check sees
        // an example that shows a state the enum does not document.
        (Ty::Named(r), J::String(s)) if r.is_enum => {
            let Some(variants) = structs.variants(r).filter(|v| !v.is_empty()) else { return };
            if !variants.iter().any(|v| &v.value == s || v.aliases.contains(s)) {
                let values = listed_values(variants.iter().map(|v| v.value.as_str()));
                ck.error_placed(
                    fx,
                    || at.value(path),
                    format!("the JSON example's `{name}` is `{s}`, which is not a value of `{}`", r.name),
                    format!("use one of its values: {values}, or declare `{s}` in `{}`", r.name),
                );
            }
        }
        (Ty::Named(r), J::Object(map)) if !r.is_enum => {
            let Some(fields) = structs.fields(r) else { return };
            for (key, item) in map {
                let Some(field) = fields.iter().find(|f| &f.wire == key) else {
                    let names: Vec<&str> = fields.iter().map(|f| f.wire.as_str()).collect();
                    unknown_json_key(ck, at, key, &r.name, &names, path);
                    continue;
                };
                path.push(Seg::Key(key.clone()));
                match json_value_mismatch(&field.ty, item) {
                    Some(why) => ck.error_placed(
                        fx,
                        || at.value(path),
                        format!(
                            "the JSON example's `{key}` (in `{}`) does not fit type `{}`: {why}",
                            r.name,
                            describe(&field.ty)
                        ),
                        "fix the example, or the field's type",
                    ),
                    None => walk_json(ck, at, item, &field.ty, field.wrapper.as_deref(), key, structs, path),
                }
                path.pop();
            }
        }
        _ => {}
    }
}

fn unknown_json_key(ck: &mut Checker, at: &JsonAt, key: &str, owner: &str, known: &[&str], path: &mut Path) {
    path.push(Seg::Key(key.to_owned()));
    let help = match closest(key, known.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? The decoder ignores keys it does not know"),
        None => format!("declare the field in `{owner}`, or drop it from the example"),
    };
    let message = format!("the JSON example has `{key}` in `{owner}`, which it does not declare");
    ck.error_placed(at.fx, || at.key(path), message, help);
    path.pop();
}
