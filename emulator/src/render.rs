//! Response bodies in Alibaba's two shapes. A body is a small ordered tree;
//! JSON writes lists as arrays, XML as the element repeated, which is how
//! the service writes them (`{"Set":{"Item":[a,b]}}` and
//! `<Set><Item>a</Item><Item>b</Item></Set>`).

use std::borrow::Cow;
use std::fmt::Write as _;

use serde::ser::{Serialize, Serializer};

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
    match format {
        Format::Json => serde_json::to_vec(&Fields(fields)).expect("a body of strings and integers is JSON"),
        Format::Xml => {
            let mut out = String::with_capacity(256);
            out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
            xml_element(&mut out, root, &Value::Map(fields.to_vec()));
            out.into_bytes()
        }
    }
}

/// Fields in their order (a JSON object keeps the order they are given in).
struct Fields<'a>(&'a [(String, Value)]);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Str(s) => serializer.serialize_str(s),
            Value::Int(n) => serializer.serialize_i64(*n),
            Value::Bool(b) => serializer.serialize_bool(*b),
            // Checked to be a number when it was stored; as a float it
            // keeps its value (`1.50` is written `1.5`).
            Value::Num(n) => match n.parse::<i64>() {
                Ok(i) => serializer.serialize_i64(i),
                Err(_) => serializer.serialize_f64(n.parse::<f64>().unwrap_or(0.0)),
            },
            Value::List(items) => serializer.collect_seq(items),
            Value::Map(fields) => Fields(fields).serialize(serializer),
        }
    }
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

/// Replaces characters XML 1.0 cannot hold at all (control characters sent
/// in a parameter) so the document stays valid, then escapes markup.
fn xml_text(out: &mut String, s: &str) {
    let unfit =
        |c: char| (u32::from(c) < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}';
    let text: Cow<'_, str> = if s.contains(unfit) {
        s.chars().map(|c| if unfit(c) { '\u{FFFD}' } else { c }).collect::<String>().into()
    } else {
        s.into()
    };
    out.push_str(&quick_xml::escape::escape(text));
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
    fn strings_are_escaped_in_both_formats() {
        let fields = [("Message".to_owned(), Value::Str("a \"b\" \\ <c> & \u{1}\r\n中".into()))];
        let json = String::from_utf8(render(Format::Json, "R", &fields)).unwrap();
        assert_eq!(json, r#"{"Message":"a \"b\" \\ <c> & \u0001\r\n中"}"#);
        let xml = String::from_utf8(render(Format::Xml, "R", &fields)).unwrap();
        assert!(
            xml.ends_with("<R><Message>a &quot;b&quot; \\ &lt;c&gt; &amp; \u{FFFD}&#13;\n中</Message></R>"),
            "{xml}"
        );
        let Node::Map(read) = Node::parse(xml.as_bytes()).unwrap() else { panic!() };
        assert_eq!(read[0].1, Node::Str("a \"b\" \\ <c> & \u{FFFD}\r\n中".into()));
    }

    #[test]
    fn format_parameter_picks_xml_only_when_asked() {
        assert_eq!(Format::from_param(Some("XML")), Format::Xml);
        assert_eq!(Format::from_param(Some("xml")), Format::Xml);
        assert_eq!(Format::from_param(Some("JSON")), Format::Json);
        assert_eq!(Format::from_param(None), Format::Json);
    }
}
