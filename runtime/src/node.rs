//! A neutral tree for response bodies, so that one decoder per type serves
//! both JSON and XML.
//!
//! XML elements become `Map`s whose entries keep document order and may
//! repeat (Alibaba writes a list as repeated elements); leaf elements become
//! `Str`. JSON maps onto the same shape, so `{"Tag": [a, b]}` and
//! `<Tag>a</Tag><Tag>b</Tag>` read the same way.

use std::fmt;

use quick_xml::events::Event;
use serde_core::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::DecodeError;

/// An element whose end tag is not read yet: name, children, text.
type OpenElement = (String, Vec<(String, Node)>, String);

/// Nesting deeper than this is refused rather than risking the stack.
const MAX_DEPTH: usize = 128;

/// One value of a response body, JSON or XML.
///
/// XML gives only `Str` (leaf elements, empty ones as `""`) and `Map`;
/// the other kinds come from JSON. Decoders accept both spellings of a
/// value, so the same [`Decode`](crate::Decode) impl reads either format.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// JSON `null`.
    Null,
    /// JSON `true` or `false`.
    Bool(bool),
    /// A JSON integer that fits in `i64`; larger ones are kept as `Str`
    /// with their digits, so a decoder expecting `i64` reports them.
    Int(i64),
    /// A JSON number with a fraction or exponent.
    Float(f64),
    /// A JSON string, or the text of an XML leaf element (entities and
    /// character references resolved, CDATA included).
    Str(String),
    /// A JSON array. XML lists are repeated elements inside a `Map`.
    List(Vec<Node>),
    /// A JSON object or an XML element with children: entries in document
    /// order, names possibly repeated.
    Map(Vec<(String, Node)>),
}

impl Node {
    /// Parses a body, telling JSON from XML by its first significant byte.
    /// For XML, returns the content of the root element.
    pub fn parse(body: &[u8]) -> Result<Node, DecodeError> {
        let text = std::str::from_utf8(body).map_err(|e| DecodeError::new(format!("body is not UTF-8: {e}")))?;
        let text = text.trim_start_matches('\u{feff}');
        match text.trim_start().as_bytes().first() {
            None => Err(DecodeError::new("body is empty")),
            Some(b'<') => Node::parse_xml(text).map(|(_, node)| node),
            Some(_) => Node::parse_json(text),
        }
    }

    /// Parses a JSON document. Fails on invalid JSON, trailing content, or
    /// nesting deeper than 128 levels.
    pub fn parse_json(text: &str) -> Result<Node, DecodeError> {
        let mut de = serde_json::Deserializer::from_str(text);
        // serde_json's own recursion limit (128) bounds the depth.
        let node = Node::deserialize(&mut de).map_err(|e| DecodeError::new(format!("body is not valid JSON: {e}")))?;
        de.end().map_err(|e| DecodeError::new(format!("body is not valid JSON: {e}")))?;
        Ok(node)
    }

    /// Parses an XML document into its root element's name and content.
    pub fn parse_xml(text: &str) -> Result<(String, Node), DecodeError> {
        let bad = |e: &dyn fmt::Display| DecodeError::new(format!("body is not valid XML: {e}"));
        let mut reader = quick_xml::Reader::from_str(text);
        let mut stack: Vec<OpenElement> = Vec::new();
        let mut root = None;
        loop {
            let event = reader.read_event().map_err(|e| bad(&e))?;
            match event {
                Event::Start(start) => {
                    if root.is_some() {
                        return Err(bad(&"content after the root element"));
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(bad(&"nesting is too deep"));
                    }
                    let name = start.name().as_ref().to_owned();
                    stack.push((name, Vec::new(), String::new()));
                }
                Event::Empty(start) => {
                    let name = start.name().as_ref().to_owned();
                    match stack.last_mut() {
                        Some(parent) => parent.1.push((name, Node::Str(String::new()))),
                        None if root.is_none() => root = Some((name, Node::Str(String::new()))),
                        None => return Err(bad(&"content after the root element")),
                    }
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.2.push_str(&t.xml10_content());
                    } else if !t.trim().is_empty() {
                        return Err(bad(&"text outside the root element"));
                    }
                }
                Event::CData(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.2.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                            .ok_or_else(|| bad(&format!("unknown entity `&{};`", r.xml10_content())))?
                            .to_owned(),
                    };
                    if let Some(top) = stack.last_mut() {
                        top.2.push_str(&resolved);
                    }
                }
                Event::End(_) => {
                    let (name, children, text) = stack.pop().ok_or_else(|| bad(&"unbalanced end tag"))?;
                    let node = if children.is_empty() { Node::Str(text) } else { Node::Map(children) };
                    match stack.last_mut() {
                        Some(parent) => parent.1.push((name, node)),
                        None => root = Some((name, node)),
                    }
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(bad(&"document ends inside an element"));
        }
        root.ok_or_else(|| bad(&"no root element"))
    }

    /// A short description of the node's kind, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::List(_) => "a list",
            Node::Map(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        // Past i64, keep the digits: a decoder expecting i64 then says so.
        Ok(i64::try_from(v).map(Node::Int).unwrap_or_else(|_| Node::Str(v.to_string())))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Node>()? {
            entries.push((k, v));
        }
        Ok(Node::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_xml_lists_have_the_same_shape() {
        let json = Node::parse(br#"{"Set":{"Item":[{"Id":"a"},{"Id":"b"}]}}"#).unwrap();
        let xml = Node::parse(b"<R><Set><Item><Id>a</Id></Item><Item><Id>b</Id></Item></Set></R>").unwrap();
        let Node::Map(j) = &json else { panic!("{json:?}") };
        let Node::Map(x) = &xml else { panic!("{xml:?}") };
        assert_eq!(j[0].0, "Set");
        assert_eq!(x[0].0, "Set");
        let Node::Map(items) = &x[0].1 else { panic!() };
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn xml_entities_and_cdata_are_resolved() {
        let (root, node) =
            Node::parse_xml("<?xml version='1.0'?><E><M>a &amp; b &#x4E2D;<![CDATA[<c>]]></M></E>").unwrap();
        assert_eq!(root, "E");
        assert_eq!(node, Node::Map(vec![("M".into(), Node::Str("a & b 中<c>".into()))]));
    }

    #[test]
    fn malformed_bodies_are_errors() {
        for body in [
            &b""[..],
            b"   ",
            b"<a><b></a>",
            b"<a>",
            b"{\"a\":",
            b"<html><body>502</body>",
            b"\xff\xfe",
            b"<a></a><b></b>",
            b"{} trailing",
        ] {
            assert!(Node::parse(body).is_err(), "{:?}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let xml = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        assert!(Node::parse(xml.as_bytes()).is_err());
        let json = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(Node::parse(json.as_bytes()).is_err());
    }
}
