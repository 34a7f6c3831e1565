//! Named types and inline structs: declaring them so that references may point forward, checking enum and struct bodies, resolving a member's `type`, and the names they may not take.

use super::cycles::check_struct_cycles;
use super::members::check_members;
use super::text::{check_text, closest, is_pascal_identifier, not_pascal};
use super::{Checker, Declared, FileCx, Scope, Side, first_seen};
use crate::locate::{Path, Seg, child as p};
use crate::model::{NamedType, Ty, TypeBody, TypeRef, Variant};
use crate::naming;
use crate::spec::{EnumValue, Member, TypeDef};
use std::collections::{BTreeMap, HashMap};

/// Names a spec type cannot take. Generated code names every standard
/// type and trait by its full path (`::core::option::Option`), so a spec type
/// called `Option` or `Result` shadows nothing; these few are refused because
/// they read as the spec's own keywords (`list`, `struct`) or are Rust's.
pub(super) const RESERVED_TYPE_NAMES: &[&str] = &["List", "Struct", "Self"];

pub(super) const SCALARS: &[&str] = &["string", "integer", "long", "boolean", "float"];

pub(super) const TYPE_HELP: &str = "use string, integer, long, boolean, float, list (with `items:`), struct (with `fields:`), or the name of a type declared under `types:`";

/// Registers named types (name and, for enums, values) before bodies are checked.
pub(super) fn declare_types(
    ck: &mut Checker,
    fx: &FileCx,
    defs: &[TypeDef],
    outer: &BTreeMap<String, Declared>,
) -> BTreeMap<String, Declared> {
    let mut out = BTreeMap::new();
    for (i, def) in defs.iter().enumerate() {
        let path = ["types".into(), i.into(), "name".into()];
        if !is_pascal_identifier(&def.name) {
            ck.error(
                fx,
                &path,
                not_pascal("type name", &def.name),
                "use letters and digits, starting with an upper-case letter, such as `PhysicalConnectionStatus`",
            );
            continue;
        }
        if SCALARS.contains(&def.name.to_ascii_lowercase().as_str()) || RESERVED_TYPE_NAMES.contains(&def.name.as_str())
        {
            ck.error(fx, &path, format!("type name `{}` is reserved", def.name), "pick a more specific name");
            continue;
        }
        if outer.contains_key(&def.name) {
            ck.error(
                fx,
                &path,
                format!("type `{}` is already declared in product.yaml", def.name),
                "use the shared type, or give this one another name",
            );
            continue;
        }
        let is_enum = def.kind == "enum";
        let values = def
            .values
            .iter()
            .flatten()
            .flat_map(|v| std::iter::once(v.value.clone()).chain(v.aliases.iter().cloned()))
            .collect();
        if out.insert(def.name.clone(), Declared { is_enum, values }).is_some() {
            ck.error(fx, &path, format!("type `{}` is declared twice", def.name), "remove or rename one of them");
        }
    }
    out
}

pub(super) fn check_type_body(
    ck: &mut Checker,
    fx: &FileCx,
    def: &TypeDef,
    path: &[Seg],
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<NamedType> {
    if let Some(d) = &def.description {
        check_text(ck, fx, &p(path, "description"), d, false);
    }
    let body = match def.kind.as_str() {
        "enum" => {
            if def.fields.is_some() {
                ck.error(
                    fx,
                    &p(path, "fields"),
                    format!("enum `{}` has `fields`", def.name),
                    "enums have `values`; use `kind: struct` for a struct",
                );
            }
            let Some(values) = def.values.as_ref().filter(|v| !v.is_empty()) else {
                ck.error(
                    fx,
                    &p(path, if def.values.is_some() { "values" } else { "kind" }),
                    format!("enum `{}` has no `values`", def.name),
                    "list its known values under `values:`, each as `- value: ...`",
                );
                return None;
            };
            let mut variants = Vec::new();
            let mut wire_seen: HashMap<&str, usize> = HashMap::new();
            let mut rust_seen: HashMap<String, (&str, usize)> = HashMap::new();
            for (i, v) in values.iter().enumerate() {
                let vpath = p(&p(path, "values"), i);
                if v.value.trim().is_empty() {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        "enum value is empty",
                        "write the value exactly as the service sends it",
                    );
                    continue;
                }
                if !check_spellings_unique(ck, fx, v, &vpath, &mut wire_seen) {
                    continue;
                }
                let rust = match &v.rust_name {
                    Some(r) if is_pascal_identifier(r) => r.clone(),
                    Some(r) => {
                        ck.error(
                            fx,
                            &p(&vpath, "rust_name"),
                            format!("`{r}` is not a PascalCase Rust name"),
                            "use letters and digits, starting with an upper-case letter",
                        );
                        continue;
                    }
                    None => naming::pascal(&v.value),
                };
                if rust.is_empty() || rust == "Unknown" {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        format!("enum value `{}` cannot be named in Rust (it becomes `{rust}`)", v.value),
                        "set `rust_name:` for this value",
                    );
                    continue;
                }
                if let Some((other, line)) = first_seen(&mut rust_seen, rust.clone(), (&v.value, fx.loc.find(&vpath).0))
                {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        format!(
                            "enum values `{}` and `{other}` (line {line}) both become the Rust variant `{rust}`",
                            v.value
                        ),
                        "make one an `aliases:` entry of the other, or set `rust_name:`",
                    );
                    continue;
                }
                if let Some(d) = &v.description {
                    check_text(ck, fx, &p(&vpath, "description"), d, false);
                }
                variants.push(Variant {
                    value: v.value.clone(),
                    aliases: v.aliases.clone(),
                    rust,
                    description: v.description.clone(),
                });
            }
            TypeBody::Enum(variants)
        }
        "struct" => {
            if def.values.is_some() {
                ck.error(
                    fx,
                    &p(path, "values"),
                    format!("struct `{}` has `values`", def.name),
                    "structs have `fields`; use `kind: enum` for an enum",
                );
            }
            let Some(fields) = def.fields.as_ref().filter(|f| !f.is_empty()) else {
                ck.error(
                    fx,
                    &p(path, if def.fields.is_some() { "fields" } else { "kind" }),
                    format!("struct `{}` has no `fields`", def.name),
                    "list its fields under `fields:`",
                );
                return None;
            };
            TypeBody::Struct(check_members(ck, fx, fields, &p(path, "fields"), Side::Any, scope, hoisted)?)
        }
        other => {
            ck.error(fx, &p(path, "kind"), format!("type kind `{other}` is not known"), "use `enum` or `struct`");
            return None;
        }
    };
    Some(NamedType {
        name: def.name.clone(),
        description: def.description.clone(),
        body,
        in_request: false,
        in_json: false,
    })
}

/// Checks that no value or alias of an enum entry was written before, by
/// this entry or an earlier one. False when one was.
pub(super) fn check_spellings_unique<'a>(
    ck: &mut Checker,
    fx: &FileCx,
    v: &'a EnumValue,
    vpath: &[Seg],
    seen: &mut HashMap<&'a str, usize>,
) -> bool {
    let mut unique = true;
    let spellings = std::iter::once((&v.value, p(vpath, "value")))
        .chain(v.aliases.iter().enumerate().map(|(j, a)| (a, p(&p(vpath, "aliases"), j))));
    for (spelling, at) in spellings {
        let line = fx.loc.find(&at).0;
        if let Some(first) = first_seen(seen, spelling.as_str(), line) {
            let what = if at.last() == Some(&Seg::from("value")) { "enum value" } else { "alias" };
            ck.error(
                fx,
                &at,
                format!("{what} `{spelling}` is listed twice in this enum (first at line {first})"),
                "remove the repeated value or alias",
            );
            unique = false;
        }
    }
    unique
}

pub(super) fn resolve(
    ck: &mut Checker,
    fx: &FileCx,
    m: &Member,
    path: &[Seg],
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Ty> {
    match m.ty.as_str() {
        "list" => {
            let Some(items) = &m.items else {
                ck.error(
                    fx,
                    &p(path, "type"),
                    format!("list `{}` has no `items`", m.name),
                    "add `items:` with the element type, such as `items: string`",
                );
                return None;
            };
            let ipath = p(path, "items");
            let inner = match items.as_str() {
                "list" => {
                    ck.error(
                        fx,
                        &ipath,
                        "lists of lists are not supported",
                        "make the element a struct with a list field",
                    );
                    return None;
                }
                "struct" => {
                    inline_struct(ck, fx, m, path, m.wrapper.as_deref().unwrap_or(&m.name), side, scope, hoisted)?
                }
                other => scalar_or_named(ck, fx, other, &ipath, scope)?,
            };
            Some(Ty::List(Box::new(inner)))
        }
        "struct" => inline_struct(ck, fx, m, path, &m.name, side, scope, hoisted),
        other => scalar_or_named(ck, fx, other, &p(path, "type"), scope),
    }
}

pub(super) fn scalar_or_named(ck: &mut Checker, fx: &FileCx, name: &str, path: &[Seg], scope: &Scope) -> Option<Ty> {
    Some(match name {
        "string" => Ty::String,
        "integer" => Ty::Integer,
        "long" => Ty::Long,
        "boolean" => Ty::Boolean,
        "float" => Ty::Float,
        named => match scope.get(named) {
            Some((decl, shared)) => {
                Ty::Named(TypeRef { name: named.to_owned(), shared, is_enum: decl.is_enum, required_inside: false })
            }
            None => {
                let known = SCALARS
                    .iter()
                    .copied()
                    .chain(["list", "struct"])
                    .chain(scope.local.keys().map(String::as_str))
                    .chain(scope.shared.keys().map(String::as_str));
                let help = match closest(named, known) {
                    Some(best) => format!("did you mean `{best}`? Otherwise {TYPE_HELP}"),
                    None => TYPE_HELP.to_owned(),
                };
                if scope.shared_unknown {
                    ck.quiet += 1;
                } else {
                    ck.error(fx, path, format!("unknown type `{named}`"), help);
                }
                return None;
            }
        },
    })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn inline_struct(
    ck: &mut Checker,
    fx: &FileCx,
    m: &Member,
    path: &[Seg],
    default_name: &str,
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Ty> {
    let name = m.struct_name.clone().unwrap_or_else(|| naming::pascal(default_name));
    if !is_pascal_identifier(&name) {
        ck.error(
            fx,
            &p(path, "struct"),
            not_pascal("struct name", &name),
            "use letters and digits, starting with an upper-case letter",
        );
        return None;
    }
    let Some(fields) = m.fields.as_ref().filter(|f| !f.is_empty()) else {
        ck.error(
            fx,
            &p(path, if m.fields.is_some() { "fields" } else { "type" }),
            format!("inline struct `{}` has no `fields`", m.name),
            "list its fields under `fields:`",
        );
        return None;
    };
    let fields = check_members(ck, fx, fields, &p(path, "fields"), side, scope, hoisted)?;
    let path_for_name = if m.struct_name.is_some() { p(path, "struct") } else { p(path, "name") };
    hoisted.push((
        NamedType {
            name: name.clone(),
            description: m.description.clone(),
            body: TypeBody::Struct(fields),
            in_request: false,
            in_json: false,
        },
        path_for_name,
    ));
    Some(Ty::Named(TypeRef { name, shared: scope.in_product, is_enum: false, required_inside: false }))
}

/// Inline struct names must not clash with each other, with declared types, or
/// with the names generated for the action.
pub(super) fn check_hoisted_names(
    ck: &mut Checker,
    fx: &FileCx,
    hoisted: &[(NamedType, Path)],
    declared: &BTreeMap<String, Declared>,
    shared: &BTreeMap<String, Declared>,
    reserved: &[String],
) {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for (t, path) in hoisted {
        let earlier =
            first_seen(&mut seen, t.name.as_str(), path).map(|first| format!(" (line {})", fx.loc.find(first).0));
        let clash = if let Some(line) = earlier {
            Some(format!("another inline struct of this file{line}"))
        } else if declared.contains_key(&t.name) {
            Some("a type declared under `types:` in this file".to_owned())
        } else if shared.contains_key(&t.name) {
            Some("a shared type in product.yaml".to_owned())
        } else if reserved.contains(&t.name) {
            Some("a type generated for the action".to_owned())
        } else if RESERVED_TYPE_NAMES.contains(&t.name.as_str()) {
            Some("a name generated code relies on".to_owned())
        } else {
            None
        };
        if let Some(what) = clash {
            ck.error(
                fx,
                path,
                format!("inline struct `{}` has the same name as {what}", t.name),
                "set `struct:` to give it another name, or declare one shared type and use it in both places",
            );
        }
    }
}

/// Where an inline struct's fields are written, given where its name is (its
/// member's `struct` or `name`).
/// Checks the bodies of the types declared under `types:`; each comes back
/// with the path of its fields, for messages about them.
pub(super) fn check_type_bodies(
    ck: &mut Checker,
    fx: &FileCx,
    defs: &[TypeDef],
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Vec<(NamedType, Path)> {
    let mut types = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let path: Path = vec!["types".into(), i.into()];
        if let Some(t) = check_type_body(ck, fx, def, &path, scope, hoisted) {
            types.push((t, p(&path, "fields")));
        }
    }
    types
}

/// Joins a file's declared types and its inline structs, once every member
/// of the file is checked: their names must not clash and no struct may
/// hold itself.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish_types(
    ck: &mut Checker,
    fx: &FileCx,
    mut types: Vec<(NamedType, Path)>,
    hoisted: Vec<(NamedType, Path)>,
    declared: &BTreeMap<String, Declared>,
    shared: &BTreeMap<String, Declared>,
    reserved: &[String],
    in_product: bool,
) -> Vec<NamedType> {
    check_hoisted_names(ck, fx, &hoisted, declared, shared, reserved);
    types.extend(hoisted.into_iter().map(|(t, name_path)| (t, fields_path_of_inline(&name_path))));
    check_struct_cycles(ck, fx, &types, in_product);
    types.into_iter().map(|(t, _)| t).collect()
}

pub(super) fn fields_path_of_inline(name_path: &[Seg]) -> Path {
    let mut path = name_path.to_vec();
    path.pop();
    path.push("fields".into());
    path
}
