//! A member's `example:` against its type, as far as the type is known on the first pass; `examples` walks struct examples to the bottom afterwards.

use super::members::describe;
use super::{FileCx, Scope};
use crate::locate::{Path, Seg, child as p};
use crate::model::Ty;

/// Why an example does not fit its type, and which part of it.
pub(super) struct Mismatch {
    /// Path from the `example` node to the offending value (a list index).
    pub(super) at: Path,
    pub(super) message: String,
    pub(super) help: String,
}

/// Checks an example against its type and renders it for documentation.
/// `at` is where the example is, to read how its numbers are written.
pub(super) fn check_example(
    value: &serde_yaml::Value,
    ty: &Ty,
    scope: &Scope,
    fx: &FileCx,
    at: &[Seg],
) -> Result<String, Mismatch> {
    use serde_yaml::Value as V;
    check_example_value(value, ty, scope, "example", fx, at)?;
    Ok(match value {
        V::String(s) => s.clone(),
        V::Number(n) => n.to_string(),
        V::Bool(b) => b.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    })
}

/// `what` names the value in messages: the example, or an item of it.
pub(super) fn check_example_value(
    value: &serde_yaml::Value,
    ty: &Ty,
    scope: &Scope,
    what: &str,
    fx: &FileCx,
    at: &[Seg],
) -> Result<(), Mismatch> {
    use serde_yaml::Value as V;
    let mismatch = |message: String, help: String| Err(Mismatch { at: Vec::new(), message, help });
    match (ty, value) {
        // A number stands for text only when it reads back as written:
        // YAML reads `1.10` as 1.1 and `1e3` as 1000.0.
        (Ty::String, V::Number(n)) => match fx.loc.written_number(at) {
            Some(text) if text != n.to_string() => mismatch(
                format!("{what} `{text}` is read by YAML as the number {n}, not as the text written"),
                format!("put it in quotes, `\"{text}\"`, to keep it as written"),
            ),
            _ => Ok(()),
        },
        (Ty::String, V::String(_)) => Ok(()),
        (Ty::Integer, V::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => Ok(()),
        (Ty::Long, V::Number(n)) if n.as_i64().is_some() => Ok(()),
        (Ty::Integer | Ty::Long, V::Number(n)) if n.is_f64() => {
            mismatch(format!("{what} `{n}` is not a whole number"), example_help(ty, scope))
        }
        (Ty::Integer, V::Number(n)) => mismatch(
            format!("{what} `{n}` does not fit `integer`, which is 32-bit"),
            "use `type: long` for 64-bit values, or fix the example".into(),
        ),
        (Ty::Long, V::Number(n)) => mismatch(
            format!("{what} `{n}` does not fit `long`, which is 64-bit"),
            "fix the example, or use `type: string` if the service sends larger numbers".into(),
        ),
        (Ty::Float, V::Number(_)) => Ok(()),
        (Ty::Boolean, V::Bool(_)) => Ok(()),
        (Ty::List(inner), V::Sequence(items)) => items.iter().enumerate().try_for_each(|(i, item)| {
            check_example_value(item, inner, scope, "example item", fx, &p(at, i)).map_err(|mut m| {
                m.at.insert(0, Seg::Index(i));
                m
            })
        }),
        (Ty::Named(r), V::String(s)) if r.is_enum => match scope.get(&r.name) {
            Some((decl, _)) if !decl.values.is_empty() && !decl.values.contains(s) => {
                mismatch(format!("{what} `{s}` is not a value of `{}`", r.name), example_help(ty, scope))
            }
            _ => Ok(()),
        },
        (Ty::Named(r), V::Mapping(_)) if !r.is_enum => Ok(()),
        (_, V::Null) => {
            mismatch(format!("{what} is empty"), "write an example value after the colon, or remove `example`".into())
        }
        (Ty::String, V::Sequence(_) | V::Mapping(_)) => mismatch(
            format!("{what} {}, not `string`", describe_value(value)),
            "write one text value; for several, make the type a list".into(),
        ),
        (_, other) => {
            mismatch(format!("{what} {}, not `{}`", describe_value(other), describe(ty)), example_help(ty, scope))
        }
    }
}

/// A YAML value as a message shows it: `` `abc` is text``, `is a list`.
pub(super) fn describe_value(value: &serde_yaml::Value) -> String {
    use serde_yaml::Value as V;
    match value {
        V::Null => "is empty".into(),
        V::Bool(b) => format!("`{b}` is a boolean"),
        V::Number(n) => format!("`{n}` is a number"),
        V::String(s) => format!("`{s}` is text"),
        V::Sequence(_) => "is a list".into(),
        V::Mapping(_) => "is a mapping".into(),
        V::Tagged(_) => "is a tagged value".into(),
    }
}

/// How to write an example of type `ty`.
pub(super) fn example_help(ty: &Ty, scope: &Scope) -> String {
    match ty {
        Ty::String => "put the example in quotes so that YAML reads it as text".into(),
        Ty::Integer | Ty::Long => "write a whole number without quotes, such as `10`".into(),
        Ty::Float => "write a number without quotes, such as `0.5`".into(),
        Ty::Boolean => "write `true` or `false`, without quotes".into(),
        Ty::List(_) => "write the example as a list, such as `[a, b]`".into(),
        Ty::Named(r) if !r.is_enum => "write the example as a mapping of field names to values".into(),
        Ty::Named(r) => match scope.get(&r.name).map(|(d, _)| &d.values) {
            Some(values) if !values.is_empty() => {
                format!("use one of its values: {}", listed_values(values.iter().map(String::as_str)))
            }
            _ => "use one of its values".into(),
        },
    }
}

/// An enum's values as a help text shows them: the first eight, quoted,
/// and `...` when there are more.
pub(super) fn listed_values<'a>(values: impl ExactSizeIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 8;
    let more = values.len() > SHOWN;
    let mut listed: Vec<String> = values.take(SHOWN).map(|v| format!("`{v}`")).collect();
    if more {
        listed.push("...".into());
    }
    listed.join(", ")
}
