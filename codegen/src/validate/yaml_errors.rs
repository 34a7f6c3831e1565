//! Rewords the YAML parser's errors as spec diagnostics: where to look and
//! what to change, in the spec's own words (keys, lists, text).
//!
//! `serde_yaml` messages come in two families. Syntax errors from the YAML
//! scanner read `<problem> at line L column C[, <context> at line L column C]`;
//! the context often marks where the real mistake starts (an opening quote).
//! Data errors from deserializing read `[<path>: ]<what>`, such as
//! `request[1].required: invalid type: string "x", expected a boolean`.

use super::text::closest;

/// A reworded error and the position it is about.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Explained {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: String,
}

/// A scanner error split into its parts.
struct Syntax<'a> {
    problem: &'a str,
    context: Option<&'a str>,
    context_at: Option<(usize, usize)>,
}

fn split_syntax(raw: &str) -> Syntax<'_> {
    let (problem, rest) = raw.split_once(" at line ").unwrap_or((raw, ""));
    let Some((_, context)) = rest.split_once(", ") else {
        return Syntax { problem, context: None, context_at: None };
    };
    match context.split_once(" at line ") {
        Some((text, at)) => Syntax { problem, context: Some(text), context_at: parse_line_column(at) },
        None => Syntax { problem, context: Some(context), context_at: None },
    }
}

/// Reads `12 column 5` (the part after "at line ").
fn parse_line_column(text: &str) -> Option<(usize, usize)> {
    let (line, column) = text.split_once(" column ")?;
    Some((line.trim().parse().ok()?, column.trim().parse().ok()?))
}

fn char_at(source: &str, (line, column): (usize, usize)) -> Option<char> {
    source.lines().nth(line.checked_sub(1)?)?.chars().nth(column.checked_sub(1)?)
}

/// The `---` line that starts a second document: the first one after
/// content (a `---` before any content only opens the first document).
fn second_document_start(source: &str) -> Option<(usize, usize)> {
    let mut seen_content = false;
    for (i, line) in source.lines().enumerate() {
        if line.starts_with("---") && seen_content {
            return Some((i + 1, 1));
        }
        let trimmed = line.trim();
        seen_content |= !(trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---"));
    }
    None
}

/// Whether the line of `at` already holds a `key: ` before `at`: then the
/// `:` at `at` is inside that key's value.
fn key_earlier_on_line(source: &str, (line, column): (usize, usize)) -> bool {
    let Some(text) = source.lines().nth(line.saturating_sub(1)) else { return false };
    let before: String = text.chars().take(column.saturating_sub(1)).collect();
    before.contains(": ")
}

/// Explains a YAML syntax error reported at `at`.
pub(super) fn syntax(raw: &str, at: (usize, usize), source: &str) -> Explained {
    let s = split_syntax(raw);
    let explained = |(line, column): (usize, usize), message: String, help: &str| Explained {
        line,
        column,
        message,
        help: help.to_owned(),
    };
    let opened_at = s.context_at.map(|(l, c)| format!(" (it starts at line {l}, column {c})")).unwrap_or_default();
    // A number past 64 bits: the YAML is fine, the reader cannot hold it.
    if let Some(number) = s
        .problem
        .split_once(" as u128")
        .or_else(|| s.problem.split_once(" as i128"))
        .and_then(|(before, _)| before.rsplit('`').nth(1))
    {
        let key = s
            .problem
            .split_once(": ")
            .map(|(path, _)| path)
            .filter(|p| !p.contains(' '))
            .and_then(|p| p.rsplit('.').next());
        let subject =
            key.map(|k| format!("`{}`", k.split('[').next().unwrap_or(k))).unwrap_or_else(|| "a value".to_owned());
        return explained(
            at,
            format!("the number {number} of {subject} is too large"),
            "numbers in a spec fit in 64 bits: write a smaller one (or put it in quotes if it is text)",
        );
    }
    if s.problem.starts_with("recursion limit exceeded") {
        return explained(
            at,
            "the YAML is nested too deep here".into(),
            "flatten the value: no part of a spec needs this depth",
        );
    }
    if s.problem.contains("more than one document") {
        return explained(
            second_document_start(source).unwrap_or(at),
            "the file holds more than one YAML document".into(),
            "a spec file is one document: remove this `---` and what follows, or move it to a file of its own",
        );
    }
    if s.problem.contains("tab character") || char_at(source, at) == Some('\t') {
        return explained(
            at,
            "a tab is used to indent".into(),
            "YAML indents with spaces only; replace the tab with spaces",
        );
    }
    match (s.problem, s.context.unwrap_or_default()) {
        ("found unexpected end of stream", context) if context.contains("quoted scalar") => explained(
            s.context_at.unwrap_or(at),
            "this quoted text is never closed".into(),
            "add the closing quote where the text ends",
        ),
        (problem, context) if problem.starts_with("did not find expected ',' or") && context.contains("flow") => {
            unclosed_flow(problem, at, s.context_at)
        }
        ("mapping values are not allowed in this context", _) if key_earlier_on_line(source, at) => explained(
            at,
            "this `: ` inside a value reads as the start of another key".into(),
            "put the whole value in quotes",
        ),
        ("mapping values are not allowed in this context", _) => explained(
            at,
            "a `key: value` pair is not allowed here".into(),
            "this line is indented deeper than the keys it belongs with, so it reads as part of the value above; indent it like them",
        ),
        // The mapping the scanner names is often an outer one, not the one
        // the line was meant for; it is left out.
        ("did not find expected key", _) => explained(
            at,
            "this line does not line up with the keys around it".into(),
            "indent it exactly like its sibling keys",
        ),
        ("did not find expected '-' indicator", _) => explained(
            at,
            format!("this line does not line up with the list it is in{opened_at}"),
            "indent it like the keys of the entry above, or start a new entry with `- `",
        ),
        ("found character that cannot start any token", _) => explained(
            at,
            match char_at(source, at) {
                Some('`') => "a value cannot start with a backtick".to_owned(),
                Some(c) => format!("a value cannot start with `{c}`"),
                None => "a value cannot start with this character".to_owned(),
            },
            "YAML reserves the character; put the whole value in quotes",
        ),
        (problem, "") => explained(at, problem.to_owned(), "fix the YAML syntax here"),
        (problem, context) => explained(at, format!("{problem}, {context}{opened_at}"), "fix the YAML syntax here"),
    }
}

/// An inline `[...]` or `{...}` that lacks a `,` or its closing bracket.
/// When the scanner gave up on a later line the bracket was never closed,
/// and its opening is the place to look.
fn unclosed_flow(problem: &str, at: (usize, usize), opened: Option<(usize, usize)>) -> Explained {
    let (what, close) = if problem.ends_with("']'") { ("list", ']') } else { ("mapping", '}') };
    match opened {
        Some(opened) if opened.0 < at.0 => Explained {
            line: opened.0,
            column: opened.1,
            message: format!("this inline {what} is never closed"),
            help: format!("close it with `{close}` on the same line"),
        },
        _ => Explained {
            line: at.0,
            column: at.1,
            message: format!("a `,` or the closing `{close}` is missing in this inline {what}"),
            help: "separate the entries with `, `".to_owned(),
        },
    }
}

/// Explains a deserializing error: an unknown or missing key, or a value of
/// the wrong type. Returns the message and the help. The path is left out:
/// the position says where, and its 0-based indexes read as off by one.
pub(super) fn data(raw: &str) -> (String, String) {
    let raw = raw.split(" at line ").next().unwrap_or(raw);
    // A path never holds a space; the messages that follow it always do.
    let (path, what) = match raw.split_once(": ") {
        Some((path, what)) if !path.contains(' ') => (Some(path), what),
        _ => (None, raw),
    };
    if let Some(rest) = what.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        return (format!("unknown key `{key}`"), unknown_key_help(key, expected));
    }
    if let Some(rest) = what.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return (format!("missing key `{key}`"), missing_key_help(key));
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = what.strip_prefix(prefix).and_then(|r| r.rsplit_once(", expected ")) {
            return wrong_value(path, found, expected);
        }
    }
    (what.to_owned(), "fix the value here".into())
}

/// The valid keys are listed in `expected` as "`a`, `b`, `c`" (after the
/// words "expected one of").
fn unknown_key_help(key: &str, expected: &str) -> String {
    let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(key, valid.iter().copied()) {
        Some(best) => format!("did you mean `{best}`? Keys are case-sensitive"),
        None if valid.is_empty() => "remove it".to_owned(),
        None => format!(
            "the keys allowed here are {}",
            valid.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn missing_key_help(key: &str) -> String {
    let what = match key {
        "action" => "the action's name, the same as the file name",
        "summary" => "one sentence that says what it does",
        "name" => "the exact wire name, such as `RegionId`",
        "type" => "string, integer, long, boolean, float, list, struct, or the name of a declared type",
        "code" => "the error code exactly as the service returns it",
        "status" => "the HTTP status the service answers with, such as 400",
        "message" => "the error message the service returns",
        "kind" => "`enum` or `struct`",
        "value" => "the value exactly as the service sends it",
        "product" => "the product code, such as `Vpc`",
        "version" => "the API version, such as \"2016-04-28\"",
        "style" => "`rpc`",
        "endpoint" => "the host template, such as `vpc.{region}.aliyuncs.com`",
        _ => return format!("add `{key}:`"),
    };
    format!("add `{key}:` with {what}")
}

/// `found` and `expected` as serde words them: `string "abc"`, `map`,
/// `unit value`; `a boolean`, `i64`, `a sequence`, `struct Member`.
fn wrong_value(path: Option<&str>, found: &str, expected: &str) -> (String, String) {
    let subject = Subject::of(path);
    let (expected_text, help) = expected_words(expected, &subject);
    if found == "unit value" {
        return (format!("{} has no value", subject.describe()), format!("write {expected_text} after the colon"));
    }
    (format!("{} must be {expected_text}, not {}", subject.describe(), found_words(found)), help)
}

/// What a data path names.
enum Subject<'a> {
    /// No path: the whole file.
    File,
    /// `request[1].required`: the key `required`.
    Key(&'a str),
    /// `types[0].values[2]`: an entry of the list `values`.
    EntryOf(&'a str),
}

impl<'a> Subject<'a> {
    fn of(path: Option<&'a str>) -> Self {
        let Some(path) = path else { return Subject::File };
        let last = path.rsplit('.').next().unwrap_or(path);
        match last.split_once('[') {
            Some((list, _)) => Subject::EntryOf(list),
            None => Subject::Key(last),
        }
    }

    fn describe(&self) -> String {
        match self {
            Subject::File => "the file".to_owned(),
            Subject::Key(key) => format!("`{key}`"),
            Subject::EntryOf(list) => format!("each entry of `{list}`"),
        }
    }
}

/// The expected kind of value in words, and how to write one.
fn expected_words(expected: &str, subject: &Subject) -> (&'static str, String) {
    let (words, help) = match expected {
        "a boolean" => ("true or false", "write `true` or `false`, without quotes"),
        "u8" | "u16" | "u32" | "u64" => ("a whole number of 0 or more", "write a whole number without quotes"),
        "i8" | "i16" | "i32" | "i64" => ("a whole number", "write a whole number without quotes"),
        "a string" => ("text", "put the value in quotes so that YAML reads it as text"),
        "a sequence" => ("a list", "write a list: one entry per line, each starting with `- `"),
        "a map" => ("a mapping", "write `key: value` lines, indented under it"),
        _ => match expected.strip_prefix("struct ") {
            Some(name) => return ("a mapping", mapping_help(subject, first_key_of(name))),
            None => ("something else", "fix the value here"),
        },
    };
    (words, help.to_owned())
}

/// The key each spec struct starts with, to show how to write one.
fn first_key_of(spec_struct: &str) -> &'static str {
    match spec_struct {
        "ActionFile" => "action",
        "ProductFile" => "product",
        "ErrorSpec" => "code",
        "EnumValue" => "value",
        "Examples" => "json",
        _ => "name",
    }
}

fn mapping_help(subject: &Subject, first_key: &str) -> String {
    match subject {
        Subject::File => format!("write `key: value` lines at the top level, starting with `{first_key}: ...`"),
        Subject::Key(_) => format!("write `key: value` lines indented under it, such as `{first_key}: ...`"),
        Subject::EntryOf(_) => format!("write each entry as `key: value` lines, such as `- {first_key}: ...`"),
    }
}

fn found_words(found: &str) -> String {
    let unquoted = |prefix: &str| found.strip_prefix(prefix).map(|v| v.trim_matches('`').to_owned());
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text {text}");
    }
    if let Some(number) = unquoted("integer ").or_else(|| unquoted("floating point ")) {
        return format!("the number {number}");
    }
    if let Some(boolean) = unquoted("boolean ") {
        return format!("the boolean {boolean}");
    }
    match found {
        "map" => "a mapping".to_owned(),
        "sequence" => "a list".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unclosed_quote_points_at_the_opening_quote() {
        let raw =
            "found unexpected end of stream at line 3 column 1, while scanning a quoted scalar at line 1 column 4";
        let e = syntax(raw, (3, 1), "a: \"abc\nb: 2\n");
        assert_eq!((e.line, e.column), (1, 4));
        assert_eq!(e.message, "this quoted text is never closed");
    }

    #[test]
    fn a_second_document_is_found_after_content() {
        assert_eq!(second_document_start("---\n# c\na: 1\n---\nb: 2\n"), Some((4, 1)));
    }

    #[test]
    fn a_tab_is_named_whatever_the_scanner_says() {
        let raw = "found character that cannot start any token at line 3 column 1, while scanning for the next token";
        let e = syntax(raw, (3, 1), "a: 1\nb:\n\t- x: 1\n");
        assert_eq!(e.message, "a tab is used to indent");
    }

    #[test]
    fn data_errors_name_the_key_and_the_fix() {
        let (message, help) =
            data("request[1].required: invalid type: string \"yes\", expected a boolean at line 4 column 15");
        assert_eq!(message, "`required` must be true or false, not the text \"yes\"");
        assert_eq!(help, "write `true` or `false`, without quotes");
        let (message, _) = data("request: invalid type: map, expected a sequence");
        assert_eq!(message, "`request` must be a list, not a mapping");
        let (message, help) = data("errors[0]: unknown field `Status`, expected one of `code`, `status`, `message`");
        assert_eq!(message, "unknown key `Status`");
        assert_eq!(help, "did you mean `status`? Keys are case-sensitive");
        let (message, _) = data("summary: invalid type: unit value, expected a string");
        assert_eq!(message, "`summary` has no value");
        let (message, help) = data("types[0].values[0]: invalid type: string \"Running\", expected struct EnumValue");
        assert_eq!(message, "each entry of `values` must be a mapping, not the text \"Running\"");
        assert_eq!(help, "write each entry as `key: value` lines, such as `- value: ...`");
    }
}
