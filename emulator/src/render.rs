//! Response bodies in Alibaba's two shapes. A body is a small ordered tree;
//! JSON writes lists as arrays, XML as the element repeated, which is how
//! the service writes them (`{"Set":{"Item":[a,b]}}` and
//! `<Set><Item>a</Item><Item>b</Item></Set>`).

use std::fmt::Write as _;

/// A body, or a part of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A number already checked to be one, written as is (floats).
    Num(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

/// The body format a request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
}

impl Format {
    /// `Format=XML` (in any case) asks for XML; `JSON`, anything else, or
    /// nothing, gets JSON.
    pub fn from_param(value: Option<&str>) -> Self {
        match value {
            Some(v) if v.eq_ignore_ascii_case("xml") => Format::Xml,
            _ => Format::Json,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json;charset=utf-8",
            Format::Xml => "text/xml;charset=utf-8",
        }
    }
}

/// Writes `fields` as a body: a JSON object, or an XML document whose root
/// element is `root` (`CreateThingResponse`, or `Error`).
pub(crate) fn render(format: Format, root: &str, fields: &[(String, Value)]) -> Vec<u8> {
    let mut out = String::with_capacity(256);
    match format {
        Format::Json => json_map(&mut out, fields),
        Format::Xml => {
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            xml_element(&mut out, root, &Value::Map(fields.to_vec()));
        }
    }
    out.into_bytes()
}

fn json_value(out: &mut String, value: &Value) {
    match value {
        Value::Str(s) => json_string(out, s),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => out.push_str(n),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_value(out, item);
            }
            out.push(']');
        }
        Value::Map(fields) => json_map(out, fields),
    }
}

fn json_map(out: &mut String, fields: &[(String, Value)]) {
    out.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json_string(out, name);
        out.push(':');
        json_value(out, value);
    }
    out.push('}');
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `<name>value</name>`; a list is the element repeated, once per item.
fn xml_element(out: &mut String, name: &str, value: &Value) {
    if let Value::List(items) = value {
        for item in items {
            xml_element(out, name, item);
        }
        return;
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Str(s) => xml_text(out, s),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Num(n) => out.push_str(n),
        Value::Map(fields) => {
            for (child, v) in fields {
                xml_element(out, child, v);
            }
        }
        Value::List(_) => unreachable!("lists are written above"),
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes markup, and replaces characters XML 1.0 cannot hold at all
/// (control characters sent in a parameter) so the document stays valid.
fn xml_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aliyun_runtime::Node;

    fn body() -> Vec<(String, Value)> {
        vec![
            ("RequestId".into(), Value::Str("R-1".into())),
            ("TotalCount".into(), Value::Int(2)),
            (
                "Set".into(),
                Value::Map(vec![(
                    "Item".into(),
                    Value::List(vec![
                        Value::Map(vec![("Name".into(), Value::Str("a \"b\" <c> & \u{1}\n".into()))]),
                        Value::Map(vec![("Name".into(), Value::Str("中文".into()))]),
                    ]),
                )]),
            ),
        ]
    }

    #[test]
    fn json_and_xml_read_back_as_the_same_tree() {
        let json = Node::parse(&render(Format::Json, "ThingsResponse", &body())).unwrap();
        let xml_bytes = render(Format::Xml, "ThingsResponse", &body());
        let (root, _) = Node::parse_xml(std::str::from_utf8(&xml_bytes).unwrap()).unwrap();
        assert_eq!(root, "ThingsResponse");
        let xml = Node::parse(&xml_bytes).unwrap();
        let names = |node: &Node| -> Vec<String> {
            let Node::Map(fields) = node else { panic!("{node:?}") };
            let Some((_, Node::Map(set))) = fields.iter().find(|(k, _)| k == "Set") else { panic!() };
            set.iter()
                .map(|(_, item)| {
                    let Node::Map(f) = item else { panic!() };
                    match &f[0].1 {
                        Node::Str(s) => s.clone(),
                        other => panic!("{other:?}"),
                    }
                })
                .collect()
        };
        let json_items = match &json {
            Node::Map(fields) => match &fields[2].1 {
                Node::Map(set) => match &set[0].1 {
                    Node::List(items) => items.len(),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        };
        assert_eq!(json_items, 2);
        assert_eq!(names(&xml), ["a \"b\" <c> & \u{FFFD}\n", "中文"]);
    }

    #[test]
    fn format_parameter_picks_xml_only_when_asked() {
        assert_eq!(Format::from_param(Some("XML")), Format::Xml);
        assert_eq!(Format::from_param(Some("xml")), Format::Xml);
        assert_eq!(Format::from_param(Some("JSON")), Format::Json);
        assert_eq!(Format::from_param(None), Format::Json);
    }
}
