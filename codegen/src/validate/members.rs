//! Members (request parameters, response fields, struct fields): names, keys that apply only to some types or sides, limits, and the first check of their examples.

use super::member_examples::check_example;
use super::text::{check_text, is_wire_name};
use super::types::resolve;
use super::{Checker, FileCx, Scope, Side, first_seen};
use crate::locate::{Path, Seg, child as p};
use crate::model::{Constraints, Field, NamedType, Style, Ty};
use crate::naming;
use crate::spec::Member;
use std::collections::HashMap;

/// Method names a member cannot take: the request builder's own (`build`,
/// `send`), and `default`, which would hide `Default::default` on a struct
/// that has setters.
pub(super) const RESERVED_MEMBER_NAMES: &[(&str, &str)] = &[
    ("build", "the request builder's `build` method"),
    ("send", "the request builder's `send` method"),
    ("default", "`Default::default`, which builds structs"),
];

/// Checks a list of members and the names they share; `None` when any is wrong.
/// Parameters the client sends on every request itself (the RPC protocol's
/// and the signature's): a member of the same name would be sent twice, or
/// overwrite them.
const PROTOCOL_PARAMETERS: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
];

pub(super) fn check_members(
    ck: &mut Checker,
    fx: &FileCx,
    list: &[Member],
    base: &[Seg],
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Vec<Field>> {
    let before = ck.count;
    let mut out = Vec::new();
    let mut wire_seen: HashMap<&str, usize> = HashMap::new();
    let mut rust_seen: HashMap<String, (&str, usize)> = HashMap::new();
    for (i, m) in list.iter().enumerate() {
        let path = p(base, i);
        let name_path = p(&path, "name");
        if m.name.trim().is_empty() {
            ck.error(fx, &name_path, "name is empty", "write the exact wire name, such as `RegionId`");
            continue;
        }
        if !is_wire_name(&m.name) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` is not a wire name", m.name),
                "wire names are letters, digits, `.`, `_` and `-`, starting with a letter",
            );
            continue;
        }
        let line = fx.loc.find(&name_path).0;
        if let Some(first) = first_seen(&mut wire_seen, &m.name, line) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` is listed twice (first at line {first})", m.name),
                "remove one of the entries",
            );
            continue;
        }
        let Some(field) = check_member(ck, fx, m, &path, side, scope, hoisted) else {
            continue;
        };
        if let Some((name, what)) = RESERVED_MEMBER_NAMES.iter().find(|(n, _)| *n == field.rust) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` would become the Rust name `{name}`, which is taken by {what}", m.name),
                "set `rust_name:` to another name",
            );
            continue;
        }
        if let Some((other, first)) = first_seen(&mut rust_seen, field.rust.clone(), (&m.name, line)) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` and `{other}` (line {first}) both become the Rust name `{}`", m.name, field.rust),
                "keep the spelling the API uses and remove the other, or set `rust_name:` on one of them",
            );
            continue;
        }
        out.push(field);
    }
    if side == Side::Request && base.len() == 1 {
        check_protocol_names(ck, fx, list, base);
    }
    if side != Side::Response {
        check_flattened_names(ck, fx, list, &out, base);
    }
    (ck.count == before).then_some(out)
}

fn check_protocol_names(ck: &mut Checker, fx: &FileCx, list: &[Member], base: &[Seg]) {
    for (i, m) in list.iter().enumerate() {
        if let Some(name) = PROTOCOL_PARAMETERS.iter().find(|n| n.eq_ignore_ascii_case(&m.name)) {
            ck.error(
                fx,
                &p(&p(base, i), "name"),
                if m.name == *name {
                    format!("`{name}` is a parameter the client sends itself, on every request")
                } else {
                    format!("`{}` is the parameter `{name}`, which the client sends itself on every request", m.name)
                },
                "remove it: the client sets the protocol's and the signature's parameters",
            );
        }
    }
}

/// A list or struct sent flat travels as `Name.1`, `Name.1.Key`, `Name.Key`:
/// a member whose own name starts with `Name.` would be sent under a name
/// the list or struct also uses.
fn check_flattened_names(ck: &mut Checker, fx: &FileCx, list: &[Member], fields: &[Field], base: &[Seg]) {
    let flat: Vec<&Field> = fields
        .iter()
        .filter(|f| {
            f.style == Style::Flat && (matches!(f.ty, Ty::List(_)) || f.ty.type_ref().is_some_and(|r| !r.is_enum))
        })
        .collect();
    for (i, m) in list.iter().enumerate() {
        let Some(owner) =
            flat.iter().find(|f| m.name.strip_prefix(f.wire.as_str()).is_some_and(|rest| rest.starts_with('.')))
        else {
            continue;
        };
        let wire = &owner.wire;
        let (what, travels) = match &owner.ty {
            Ty::List(_) => ("list", format!("`{wire}.1`, `{wire}.2`...")),
            _ => ("struct", format!("`{wire}.<field>`")),
        };
        let line = list.iter().position(|o| o.name == owner.wire).map_or(0, |j| fx.loc.find(&p(&p(base, j), "name")).0);
        ck.error(
            fx,
            &p(&p(base, i), "name"),
            format!(
                "`{}` is sent under a name that the {what} `{wire}` (line {line}) also uses: it travels as {travels}",
                m.name
            ),
            format!(
                "describe the values through `{}` and remove `{}`, or send `{}` with `style: json`",
                owner.wire, m.name, owner.wire
            ),
        );
    }
}

pub(super) fn check_member(
    ck: &mut Checker,
    fx: &FileCx,
    m: &Member,
    path: &[Seg],
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Field> {
    let before = ck.count;
    let rust = match &m.rust_name {
        Some(r) if naming::is_identifier(r) && !r.chars().any(|c| c.is_ascii_uppercase()) => r.clone(),
        Some(r) => {
            ck.error(
                fx,
                &p(path, "rust_name"),
                format!("`{r}` is not a snake_case Rust name"),
                "use lower-case letters, digits and `_`, and no keyword",
            );
            return None;
        }
        None => naming::snake(&m.name),
    };
    if let Some(d) = &m.description {
        check_text(ck, fx, &p(path, "description"), d, false);
    }

    let ty = resolve(ck, fx, m, path, side, scope, hoisted)?;
    let is_list = matches!(ty, Ty::List(_));
    let is_struct_like = |t: &Ty| matches!(t, Ty::Named(r) if !r.is_enum);
    let elem = ty.element();
    if m.items.is_some() && !is_list {
        ck.error(fx, &p(path, "items"), "`items` is only for `type: list`", "remove `items`, or set `type: list`");
    }
    let inline_struct = m.ty == "struct" || m.items.as_deref() == Some("struct");
    if m.fields.is_some() && !inline_struct {
        ck.error(
            fx,
            &p(path, "fields"),
            "`fields` is only for `type: struct` or `items: struct`",
            "remove `fields`, or declare the type as an inline struct",
        );
    }
    if m.struct_name.is_some() && !inline_struct {
        ck.error(
            fx,
            &p(path, "struct"),
            "`struct` names an inline struct, but this member has none",
            "remove `struct`",
        );
    }
    if let Some(wrapper) = &m.wrapper {
        if side == Side::Request {
            ck.error(
                fx,
                &p(path, "wrapper"),
                "`wrapper` is only for response lists",
                "request lists are flattened as `Name.N`; remove `wrapper`",
            );
        } else if !is_list {
            ck.error(fx, &p(path, "wrapper"), "`wrapper` is only for lists", "set `type: list`, or remove `wrapper`");
        } else if !is_wire_name(wrapper) {
            ck.error(
                fx,
                &p(path, "wrapper"),
                format!("`{wrapper}` is not an element name"),
                "write the name each item is wrapped in, such as `PhysicalConnectionType`",
            );
        }
    }
    let style = match m.style.as_deref() {
        None | Some("flat") => Style::Flat,
        Some("json") => Style::Json,
        Some("simple") => Style::Simple,
        Some(other) => {
            ck.error(
                fx,
                &p(path, "style"),
                format!("style `{other}` is not known"),
                "use `flat` (Name.1.Key, the default), `json` or `simple`",
            );
            Style::Flat
        }
    };
    if m.style.is_some() {
        if side == Side::Response {
            ck.error(fx, &p(path, "style"), "`style` is only for request parameters", "remove `style`");
        } else if !is_list && !is_struct_like(&ty) {
            ck.error(fx, &p(path, "style"), "`style` is only for lists and structs", "remove `style`");
        } else if style == Style::Simple && (!is_list || is_struct_like(elem)) {
            ck.error(
                fx,
                &p(path, "style"),
                "`style: simple` joins scalars with commas and needs a list of scalars",
                "use `style: json` for structs",
            );
        }
    }
    let in_body = match m.position.as_deref() {
        None | Some("query") => false,
        Some("body") => true,
        Some(other) => {
            ck.error(
                fx,
                &p(path, "position"),
                format!("position `{other}` is not known"),
                "use `query` (the default) or `body` (the form body)",
            );
            false
        }
    };
    if m.position.is_some() && (side != Side::Request || path.len() != 2) {
        ck.error(
            fx,
            &p(path, "position"),
            "`position` is only for top-level request parameters",
            "remove `position`; a struct's fields travel where the struct does",
        );
    }
    if m.idempotency_token {
        if side != Side::Request {
            ck.error(
                fx,
                &p(path, "idempotency_token"),
                "only a request parameter can be the idempotency token",
                "remove `idempotency_token`",
            );
        } else if ty != Ty::String {
            ck.error(
                fx,
                &p(path, "type"),
                format!("the idempotency token `{}` is `{}`, but must be a string", m.name, describe(&ty)),
                "set `type: string`; the client fills the token with a fresh UUID when left empty",
            );
        } else if m.required {
            ck.error(
                fx,
                &p(path, "required"),
                format!("the idempotency token `{}` is required, but must be optional", m.name),
                "remove `required: true`; the client fills the token with a fresh UUID when left empty",
            );
        }
    }
    let c = Constraints {
        min_length: m.min_length,
        max_length: m.max_length,
        minimum: m.minimum,
        maximum: m.maximum,
        max_items: m.max_items,
    };
    let stringish = matches!(elem, Ty::String);
    if (c.min_length.is_some() || c.max_length.is_some()) && !stringish {
        let key = if c.min_length.is_some() { "min_length" } else { "max_length" };
        ck.error(
            fx,
            &p(path, key),
            format!("`{key}` applies to strings, but `{}` is `{}`", m.name, describe(&ty)),
            "remove it; for numbers, bound the value with `minimum` and `maximum`",
        );
    }
    if let (Some(lo), Some(hi)) = (c.min_length, c.max_length) {
        if lo > hi {
            ck.error(
                fx,
                &p(path, "min_length"),
                format!("`min_length` {lo} is above `max_length` {hi}"),
                "swap or fix the limits",
            );
        }
    }
    if (c.minimum.is_some() || c.maximum.is_some()) && !matches!(elem, Ty::Integer | Ty::Long) {
        let key = if c.minimum.is_some() { "minimum" } else { "maximum" };
        ck.error(
            fx,
            &p(path, key),
            format!("`{key}` applies to integers, but `{}` is `{}`", m.name, describe(&ty)),
            "remove it; for text, limit the length with `min_length` and `max_length`",
        );
    }
    if let (Some(lo), Some(hi)) = (c.minimum, c.maximum) {
        if lo > hi {
            ck.error(
                fx,
                &p(path, "minimum"),
                format!("`minimum` {lo} is above `maximum` {hi}"),
                "swap or fix the bounds",
            );
        }
    }
    if c.max_items.is_some() && !is_list {
        ck.error(
            fx,
            &p(path, "max_items"),
            format!("`max_items` applies to lists, but `{}` is `{}`", m.name, describe(&ty)),
            "remove it, or set `type: list`",
        );
    }
    let example = match &m.example {
        None => None,
        Some(value) => match check_example(value, &ty, scope, fx, &p(path, "example")) {
            Ok(rendered) => Some(rendered),
            Err(mismatch) => {
                let at = [p(path, "example"), mismatch.at].concat();
                ck.error(fx, &at, mismatch.message, mismatch.help);
                None
            }
        },
    };
    if ck.count != before {
        return None;
    }
    Some(Field {
        wire: m.name.clone(),
        rust,
        ty,
        required: m.required,
        description: m.description.clone(),
        example,
        deprecated: m.deprecated,
        wrapper: m.wrapper.clone(),
        style,
        in_body,
        idempotency_token: m.idempotency_token,
        sensitive: m.sensitive,
        constraints: c,
    })
}

pub(super) fn describe(ty: &Ty) -> String {
    match ty {
        Ty::String => "string".into(),
        Ty::Integer => "integer".into(),
        Ty::Long => "long".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Float => "float".into(),
        Ty::Named(r) => r.name.clone(),
        Ty::List(inner) => format!("list of {}", describe(inner)),
    }
}
