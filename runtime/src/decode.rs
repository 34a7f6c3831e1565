//! Reading typed values out of a [`Node`] tree.

use std::cell::Cell;
use std::fmt;

use crate::Node;

/// A body that could not be read as the expected type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where, from the root: `PhysicalConnectionSet.PhysicalConnectionType[2].Bandwidth`.
    path: String,
    message: String,
}

impl DecodeError {
    /// An error about the value at hand, with an empty path; callers higher
    /// up add the fields they were reading with [`DecodeError::at`].
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError { path: String::new(), message: message.into() }
    }

    /// Prefixes the path with a field name.
    pub fn at(mut self, field: &str) -> Self {
        self.path = match (self.path.is_empty(), self.path.starts_with('[')) {
            (true, _) => field.to_owned(),
            (false, true) => format!("{field}{}", self.path),
            (false, false) => format!("{field}.{}", self.path),
        };
        self
    }

    fn at_index(mut self, index: usize) -> Self {
        self.path = if self.path.is_empty() || self.path.starts_with('[') {
            format!("[{index}]{}", self.path)
        } else {
            format!("[{index}].{}", self.path)
        };
        self
    }

    /// Where in the body the problem is; empty for the body as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong, without the path: `expected an integer, found "abc"`.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

/// A type that can be read from a response tree. Generated for every
/// response struct and enum; implemented here for scalars.
pub trait Decode: Sized {
    /// Reads `node` as `Self`. Lenient the way Alibaba's bodies need: a
    /// number may come as a string (XML has no other kind), and an empty
    /// XML element reads as an empty object or list. Fails with the path of
    /// the first value of the wrong kind.
    fn decode(node: &Node) -> Result<Self, DecodeError>;
}

fn mismatch(expected: &str, node: &Node) -> DecodeError {
    let found = match node {
        Node::Str(s) if s.len() <= 40 => format!("{s:?}"),
        Node::Str(s) => format!("{:?}...", s.chars().take(40).collect::<String>()),
        other => other.kind().to_owned(),
    };
    DecodeError::new(format!("expected {expected}, found {found}"))
}

impl Decode for String {
    fn decode(node: &Node) -> Result<Self, DecodeError> {
        match node {
            Node::Str(s) => Ok(s.clone()),
            Node::Int(i) => Ok(i.to_string()),
            Node::Float(f) => Ok(f.to_string()),
            Node::Bool(b) => Ok(b.to_string()),
            other => Err(mismatch("a string", other)),
        }
    }
}

impl Decode for i64 {
    fn decode(node: &Node) -> Result<Self, DecodeError> {
        match node {
            Node::Int(i) => Ok(*i),
            // XML carries every number as text, and some JSON bodies quote them.
            Node::Str(s) => s.trim().parse().map_err(|_| mismatch("a 64-bit integer", node)),
            other => Err(mismatch("a 64-bit integer", other)),
        }
    }
}

impl Decode for i32 {
    fn decode(node: &Node) -> Result<Self, DecodeError> {
        let wide = i64::decode(node).map_err(|_| mismatch("a 32-bit integer", node))?;
        i32::try_from(wide).map_err(|_| DecodeError::new(format!("{wide} does not fit a 32-bit integer")))
    }
}

impl Decode for f64 {
    fn decode(node: &Node) -> Result<Self, DecodeError> {
        match node {
            Node::Float(f) => Ok(*f),
            Node::Int(i) => Ok(*i as f64),
            Node::Str(s) => s.trim().parse().map_err(|_| mismatch("a number", node)),
            other => Err(mismatch("a number", other)),
        }
    }
}

impl Decode for bool {
    fn decode(node: &Node) -> Result<Self, DecodeError> {
        match node {
            Node::Bool(b) => Ok(*b),
            Node::Str(s) if s.eq_ignore_ascii_case("true") => Ok(true),
            Node::Str(s) if s.eq_ignore_ascii_case("false") => Ok(false),
            other => Err(mismatch("a boolean", other)),
        }
    }
}

/// The fields of one object, looked up by wire name.
///
/// A `Decode` impl reads every field and then hands the value to
/// [`Object::finish`]: `optional`, `list` and `wrapped_list` return plain
/// values and keep the first failure here, so a generated decoder is one
/// struct literal without a `?` per field (a `?` per field was a fifth of the
/// SDK crate's type-checking time). `required` returns its error at once, as
/// there is no value to go on with.
pub struct Object<'a> {
    entries: &'a [(String, Node)],
    first_error: Cell<Option<DecodeError>>,
}

impl<'a> Object<'a> {
    /// The fields of `node`. A `null`, an empty XML element or a blank
    /// string is an object with no fields; any other non-object node is an
    /// error.
    pub fn new(node: &'a Node) -> Result<Self, DecodeError> {
        let entries = match node {
            Node::Map(entries) => entries,
            // `<Foo/>`, `<Foo></Foo>` and `null`: an object with no fields.
            Node::Null => &[][..],
            Node::Str(s) if s.trim().is_empty() => &[][..],
            other => return Err(mismatch("an object", other)),
        };
        Ok(Object { entries, first_error: Cell::new(None) })
    }

    fn get(&self, name: &str) -> Option<&'a Node> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, v)| v).filter(|v| !matches!(v, Node::Null))
    }

    /// Keeps `err` unless an earlier field already failed.
    fn record(&self, err: DecodeError) {
        let first = self.first_error.take().unwrap_or(err);
        self.first_error.set(Some(first));
    }

    /// A field that may be absent; a value of the wrong kind is recorded for
    /// [`Object::finish`] and reads as absent.
    pub fn optional<T: Decode>(&self, name: &str) -> Option<T> {
        let node = self.get(name)?;
        T::decode(node).map_err(|e| self.record(e.at(name))).ok()
    }

    /// A field that must be present. Fails at once, with the first failure
    /// recorded so far if there is one, so that the error is always the first
    /// problem in field order.
    pub fn required<T: Decode>(&self, name: &str) -> Result<T, DecodeError> {
        let read = match self.get(name) {
            Some(n) => T::decode(n).map_err(|e| e.at(name)),
            None => Err(DecodeError::new("required field is missing").at(name)),
        };
        read.map_err(|e| self.first_error.take().unwrap_or(e))
    }

    /// A list given as a JSON array or as repeated elements; absent is empty.
    /// A bad item is recorded for [`Object::finish`].
    pub fn list<T: Decode>(&self, name: &str) -> Vec<T> {
        self.try_list(name).unwrap_or_else(|e| {
            self.record(e);
            Vec::new()
        })
    }

    fn try_list<T: Decode>(&self, name: &str) -> Result<Vec<T>, DecodeError> {
        let mut out = Vec::new();
        for (_, node) in self.entries.iter().filter(|(k, _)| k == name) {
            match node {
                Node::List(items) => {
                    for item in items {
                        out.push(T::decode(item).map_err(|e| e.at_index(out.len()).at(name))?);
                    }
                }
                Node::Null => {}
                single => out.push(T::decode(single).map_err(|e| e.at_index(out.len()).at(name))?),
            }
        }
        Ok(out)
    }

    /// Alibaba's wrapped list: `{"Set": {"Item": [...]}}`, or in XML
    /// `<Set><Item/><Item/></Set>`. A bad item is recorded for
    /// [`Object::finish`].
    pub fn wrapped_list<T: Decode>(&self, name: &str, item: &str) -> Vec<T> {
        let read = match self.get(name) {
            None => Ok(Vec::new()),
            Some(wrapper) => Object::new(wrapper).and_then(|o| o.try_list(item)).map_err(|e| e.at(name)),
        };
        read.unwrap_or_else(|e| {
            self.record(e);
            Vec::new()
        })
    }

    /// `value`, or the first failure recorded while reading its fields.
    pub fn finish<T>(&self, value: T) -> Result<T, DecodeError> {
        match self.first_error.take() {
            None => Ok(value),
            Some(err) => Err(err),
        }
    }
}

/// Parses a JSON or XML response body and decodes it as `T`.
pub fn decode_response<T: Decode>(body: &[u8]) -> Result<T, DecodeError> {
    T::decode(&Node::parse(body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Item {
        id: String,
        size: Option<i64>,
    }

    impl Decode for Item {
        fn decode(node: &Node) -> Result<Self, DecodeError> {
            let o = Object::new(node)?;
            o.finish(Item { id: o.required("Id")?, size: o.optional("Size") })
        }
    }

    #[test]
    fn errors_name_the_path() {
        let node = Node::parse(br#"{"Set":{"Item":[{"Id":"a"},{"Id":"b","Size":"big"}]}}"#).unwrap();
        let set = Object::new(&node).unwrap();
        let items = set.wrapped_list::<Item>("Set", "Item");
        let err = set.finish(items).unwrap_err();
        assert_eq!(err.to_string(), "at `Set.Item[1].Size`: expected a 64-bit integer, found \"big\"");
    }

    #[test]
    fn one_xml_item_is_a_list_of_one() {
        let node = Node::parse(b"<R><Set><Item><Id>a</Id><Size>7</Size></Item></Set></R>").unwrap();
        let set = Object::new(&node).unwrap();
        let items: Vec<Item> = set.wrapped_list("Set", "Item");
        let items = set.finish(items).unwrap();
        assert_eq!(items, vec![Item { id: "a".into(), size: Some(7) }]);
    }

    #[test]
    fn empty_wrappers_are_empty_lists() {
        for body in [&br#"{"Set":{}}"#[..], br#"{"Set":{"Item":[]}}"#, b"<R><Set/></R>", b"<R><Set></Set></R>", b"{}"] {
            let node = Node::parse(body).unwrap();
            let set = Object::new(&node).unwrap();
            let items: Vec<Item> = set.wrapped_list("Set", "Item");
            let items = set.finish(items).unwrap();
            assert!(items.is_empty(), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn the_first_problem_in_field_order_is_reported() {
        // `Size` (optional, read second) is bad and `Id` is fine: the bad
        // optional field is what finish reports.
        let err = decode_response::<Item>(br#"{"Id": "a", "Size": "big"}"#).unwrap_err();
        assert_eq!(err.path(), "Size");
        // A bad optional field read before a missing required one wins.
        let node = Node::parse(br#"{"Size": "big"}"#).unwrap();
        let o = Object::new(&node).unwrap();
        let size: Option<i64> = o.optional("Size");
        assert_eq!(size, None);
        assert_eq!(o.required::<String>("Id").unwrap_err().path(), "Size");
        // And once reported, the object is clean again.
        assert!(o.finish(()).is_ok());
    }

    #[test]
    fn missing_required_field_is_named() {
        let err = decode_response::<Item>(br#"{"Size": 1}"#).unwrap_err();
        assert_eq!(err.to_string(), "at `Id`: required field is missing");
    }

    #[test]
    fn scalars_accept_text_forms() {
        assert_eq!(i32::decode(&Node::Str("42".into())), Ok(42));
        assert!(i32::decode(&Node::Int(1 << 40)).is_err());
        assert_eq!(bool::decode(&Node::Str("true".into())), Ok(true));
        assert!(bool::decode(&Node::Str("yes".into())).is_err());
        assert_eq!(f64::decode(&Node::Str("1.5".into())), Ok(1.5));
        assert_eq!(String::decode(&Node::Int(7)), Ok("7".into()));
    }
}
