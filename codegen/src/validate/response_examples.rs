//! The response examples of an action (`examples: json` and `xml`): well-formed, of the right shape, and every top-level key declared.

use super::members::describe;
use super::{Checker, FileCx, examples, json_index, xml_example};
use crate::locate::{Path, Seg};
use crate::model::{Field, Ty};

/// The JSON example must be an object whose keys the response declares, at
/// every depth.
pub(super) fn check_json_example(
    ck: &mut Checker,
    fx: &FileCx,
    json: &str,
    response: &[Field],
    structs: &examples::Structs,
) {
    let path: Path = vec!["examples".into(), "json".into()];
    match serde_json::from_str::<serde_json::Value>(json) {
        Err(e) => {
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or_default();
            match json_position_in_file(fx, &path, json, (e.line(), e.column())) {
                Some(at) => {
                    ck.error_at(fx, at, format!("the JSON example is not valid JSON: {what}"), "fix the JSON here")
                }
                None => ck.error(
                    fx,
                    &path,
                    format!(
                        "the JSON example is not valid JSON: {what} (line {}, column {} of the example)",
                        e.line(),
                        e.column()
                    ),
                    "fix the JSON there",
                ),
            }
        }
        Ok(serde_json::Value::Object(map)) => {
            let at = json_index::JsonAt::new(fx, json);
            for (path, first, again) in &at.index.duplicates {
                let Some(Seg::Key(key)) = path.last() else { continue };
                let first_line = if ck.shows(fx) { at.offset(*first).0 } else { 0 };
                ck.error_placed(
                    fx,
                    || at.offset(*again),
                    format!("the JSON example has the key `{key}` twice in one object (first at line {first_line})"),
                    "remove one of them: a decoder keeps only the last, so the first is never read",
                );
            }
            for (key, value) in &map {
                let mut path: Path = vec![Seg::Key(key.clone())];
                match response.iter().find(|f| &f.wire == key) {
                    None => ck.error_placed(
                        fx,
                        || at.key(&path),
                        format!("the JSON example has `{key}`, which the response does not declare"),
                        "declare the field under `response:`, or drop it from the example",
                    ),
                    Some(field) => match json_value_mismatch(&field.ty, value) {
                        Some(why) => ck.error_placed(
                            fx,
                            || at.value(&path),
                            format!("the JSON example's `{key}` does not fit type `{}`: {why}", describe(&field.ty)),
                            "fix the example, or the field's type",
                        ),
                        None => examples::check_json_value(ck, &at, value, field, structs, &mut path),
                    },
                }
            }
        }
        Ok(_) => ck.error(
            fx,
            &path,
            "the JSON example is not an object",
            "write the whole response body, such as {\"RequestId\": \"...\"}",
        ),
    }
}

/// Why a top-level JSON example value cannot be read as `ty`, if it cannot.
/// Numbers given as text are accepted, as the decoder accepts them.
pub(super) fn json_value_mismatch(ty: &Ty, value: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    let numeric_text = |s: &str| s.trim().parse::<i64>().ok();
    match (ty, value) {
        (_, J::Null) => None,
        (Ty::Integer, J::Number(n)) => match n.as_i64() {
            Some(v) if i32::try_from(v).is_ok() => None,
            _ => Some(format!("{n} is not a 32-bit integer")),
        },
        (Ty::Long, J::Number(n)) => n.as_i64().is_none().then(|| format!("{n} is not a 64-bit integer")),
        (Ty::Integer, J::String(s)) => numeric_text(s)
            .filter(|v| i32::try_from(*v).is_ok())
            .is_none()
            .then(|| format!("{s:?} is not a 32-bit integer")),
        (Ty::Long, J::String(s)) => numeric_text(s).is_none().then(|| format!("{s:?} is not a 64-bit integer")),
        (Ty::Float, J::Number(_)) | (Ty::Boolean, J::Bool(_)) => None,
        (Ty::String, J::String(_) | J::Number(_) | J::Bool(_)) => None,
        (Ty::Named(r), J::String(_)) if r.is_enum => None,
        (Ty::Named(r), J::Object(_)) if !r.is_enum => None,
        (Ty::List(_), J::Array(_) | J::Object(_)) => None,
        (_, other) => Some(format!(
            "found {}",
            match other {
                J::Bool(_) => "a boolean",
                J::Number(_) => "a number",
                J::String(_) => "a string",
                J::Array(_) => "a list",
                J::Object(_) => "an object",
                J::Null => "null",
            }
        )),
    }
}

/// Maps a line and column inside the JSON example to the spec file. The
/// example's line N is the file's line N counted from where the value starts
/// (true of block scalars and one-line values); the mapping is used only when
/// that file line holds the example's line verbatim.
pub(super) fn json_position_in_file(
    fx: &FileCx,
    path: &[Seg],
    json: &str,
    (line, column): (usize, usize),
) -> Option<(usize, usize)> {
    let json_line = json.lines().nth(line.checked_sub(1)?)?;
    let (start_line, start_column) = fx.loc.find(path);
    let file_line_number = start_line + line - 1;
    let file_line = fx.line(file_line_number)?;
    // On the value's first line, the value cannot start before its node does.
    let skip =
        if line == 1 { file_line.char_indices().nth(start_column - 1).map_or(file_line.len(), |(i, _)| i) } else { 0 };
    let offset = skip + file_line.get(skip..)?.find(json_line)?;
    let indent = file_line[..offset].chars().count();
    Some((file_line_number, indent + column.max(1)))
}

/// The XML example's root element must be `<ActionResponse>`, as the
/// service sends it; a prolog and comments may come first.
pub(super) fn check_xml_example(
    ck: &mut Checker,
    fx: &FileCx,
    xml: &str,
    action: &str,
    response: &[Field],
    structs: &examples::Structs,
    members: bool,
) {
    let path: Path = vec!["examples".into(), "xml".into()];
    let root = format!("{action}Response");
    let first = first_xml_element(xml);
    let name = first.strip_prefix('<').map(|tag| {
        let end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
        &tag[..end]
    });
    if name == Some(root.as_str()) {
        xml_example::check(ck, fx, xml, response, structs, members);
        return;
    }
    // The opening tag as written, to quote and to find in the file.
    let first_line = first.lines().next().unwrap_or_default();
    let shown: String =
        first_line[..first_line.find('>').map_or(first_line.len(), |i| i + 1)].chars().take(60).collect();
    let at = (!shown.is_empty()).then(|| fx.find_text(&path, &shown)).flatten().unwrap_or_else(|| fx.loc.find(&path));
    let message = if shown.is_empty() {
        format!("the XML example has no root element; it must be `<{root}>`")
    } else {
        format!("the XML example's root element must be `<{root}>`, not `{shown}`")
    };
    ck.error_at(fx, at, message, format!("wrap the response in `<{root}>` ... `</{root}>`, as the service does"));
}

/// The XML text from its first element on, past the prolog, comments and
/// white space.
pub(super) fn first_xml_element(xml: &str) -> &str {
    let mut rest = xml.trim_start();
    loop {
        let skipped = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else {
            None
        };
        match skipped {
            Some(n) => rest = rest[n..].trim_start(),
            None => return rest,
        }
    }
}
