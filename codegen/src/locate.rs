//! Where each node of a YAML file starts, so that semantic errors found after
//! `serde_yaml` has built the typed spec can still name a line and column.
//!
//! `serde_yaml` reports positions only for its own errors, so the file is
//! scanned once more by an event parser that does report them.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// One step into a YAML document: a mapping key or a sequence index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(key: &str) -> Self {
        Seg::Key(key.to_owned())
    }
}

impl From<usize> for Seg {
    fn from(index: usize) -> Self {
        Seg::Index(index)
    }
}

/// A path from the document root to a node.
pub type Path = Vec<Seg>;

/// Line and column (both 1-based) of every node of one document.
#[derive(Debug, Default)]
pub struct Locations {
    values: HashMap<Path, (usize, usize)>,
    /// Where each mapping key is written, by the path of its value.
    keys: HashMap<Path, (usize, usize)>,
    duplicates: Vec<DuplicateKey>,
    /// Plain (unquoted) scalars that YAML may read as numbers, as written:
    /// `1.10` reads as 1.1, and only the text keeps the trailing zero.
    numbers: HashMap<Path, String>,
}

/// A key written twice in one mapping. YAML forbids it, and the YAML
/// parser's own error for it names no useful position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    pub key: String,
    /// Where the key is first written.
    pub first: (usize, usize),
    /// Where it is written again.
    pub again: (usize, usize),
}

enum Frame {
    Map {
        path: Path,
        /// The key whose value comes next, and where the key is written.
        key: Option<(String, (usize, usize))>,
        /// Keys read so far, where each is first written.
        seen: HashMap<String, (usize, usize)>,
    },
    Seq {
        path: Path,
        next: usize,
    },
}

/// The state of one scan: what is indexed so far, and the collections that
/// hold the current node.
struct Indexer {
    values: HashMap<Path, (usize, usize)>,
    keys: HashMap<Path, (usize, usize)>,
    duplicates: Vec<DuplicateKey>,
    numbers: HashMap<Path, String>,
    stack: Vec<Frame>,
}

impl Locations {
    /// Indexes `source`. A syntax error stops the scan; what was seen stays
    /// indexed (the syntax error itself is reported by `serde_yaml`).
    pub fn index(source: &str) -> Self {
        let mut indexer = Indexer {
            values: HashMap::new(),
            keys: HashMap::new(),
            duplicates: Vec::new(),
            numbers: HashMap::new(),
            stack: Vec::new(),
        };
        let mut parser = Parser::new_from_str(source);
        let mut documents = 0;
        while let Ok((event, mark)) = parser.next_token() {
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        break;
                    }
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    indexer.stack.pop();
                }
                Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(..) => {
                    indexer.node(&event, mark);
                }
                _ => {}
            }
        }
        Locations {
            values: indexer.values,
            keys: indexer.keys,
            duplicates: indexer.duplicates,
            numbers: indexer.numbers,
        }
    }

    /// How the plain scalar at `path` is written, when it may read as a number.
    pub fn written_number(&self, path: &[Seg]) -> Option<&str> {
        self.numbers.get(path).map(String::as_str)
    }

    /// Keys written twice in the same mapping, in the order they appear.
    pub fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    /// The first node that starts after `pos`: where the text of the node at
    /// `pos` ends at the latest.
    pub fn next_start_after(&self, pos: (usize, usize)) -> Option<(usize, usize)> {
        self.values.values().copied().filter(|start| *start > pos).min()
    }

    /// Position of the node at `path`, or of its nearest indexed ancestor
    /// (a missing key is reported where its mapping starts).
    pub fn find(&self, path: &[Seg]) -> (usize, usize) {
        (0..=path.len()).rev().find_map(|n| self.values.get(&path[..n]).copied()).unwrap_or((1, 1))
    }

    /// Position of the key whose value is at `path` (for a key that should
    /// not be there), else as [`Locations::find`].
    pub fn find_key(&self, path: &[Seg]) -> (usize, usize) {
        self.keys.get(path).copied().unwrap_or_else(|| self.find(path))
    }
}

impl Indexer {
    /// Records a node: a value or collection (indexed by its path), or a
    /// mapping key (which names the node that follows).
    fn node(&mut self, event: &Event, mark: Marker) {
        // yaml-rust2 counts lines from 1 and columns from 0.
        let pos = (mark.line(), mark.col() + 1);
        let Some((path, pos)) = self.place(event, pos) else { return };
        self.values.entry(path.clone()).or_insert(pos);
        if let Event::Scalar(text, TScalarStyle::Plain, ..) = event {
            if text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
                self.numbers.insert(path.clone(), text.clone());
            }
        }
        match event {
            Event::MappingStart(..) => self.stack.push(Frame::Map { path, key: None, seen: HashMap::new() }),
            Event::SequenceStart(..) => self.stack.push(Frame::Seq { path, next: 0 }),
            _ => {}
        }
    }

    /// The path of a node and the position to record for it; `None` for a
    /// scalar mapping key, which is only remembered for the value to come.
    fn place(&mut self, event: &Event, pos: (usize, usize)) -> Option<(Path, (usize, usize))> {
        let (path, key, seen) = match self.stack.last_mut() {
            None => return Some((Vec::new(), pos)),
            Some(Frame::Seq { path, next }) => {
                *next += 1;
                return Some((child(path, Seg::Index(*next - 1)), pos));
            }
            Some(Frame::Map { path, key, seen }) => (path, key, seen),
        };
        if let Some((name, key_pos)) = key.take() {
            // An empty value is reported where the next token is, often lines
            // below; its key is where a reader sees it.
            let at = if is_missing_value(event) { key_pos } else { pos };
            return Some((child(path, Seg::Key(name)), at));
        }
        let Event::Scalar(name, ..) = event else {
            // A complex key (a collection) is indexed under a name no spec key
            // can have, and its own nodes below that.
            let name = "\u{0}complex-key".to_owned();
            *key = Some((name.clone(), pos));
            return Some((child(path, Seg::Key(name)), pos));
        };
        *key = Some((name.clone(), pos));
        match seen.get(name) {
            Some(&first) => self.duplicates.push(DuplicateKey { key: name.clone(), first, again: pos }),
            None => {
                seen.insert(name.clone(), pos);
                self.keys.insert(child(path, Seg::Key(name.clone())), pos);
            }
        }
        // A block mapping's start is reported late; its first key is where a
        // reader sees it begin.
        if let Some(start) = self.values.get_mut(path.as_slice()) {
            *start = std::cmp::min(*start, pos);
        }
        None
    }
}

/// A missing value (`key:` and nothing after it) is an empty plain scalar,
/// which no text can spell.
fn is_missing_value(event: &Event) -> bool {
    matches!(event, Event::Scalar(value, TScalarStyle::Plain, ..) if value.is_empty())
}

/// `path` with one more step.
pub(crate) fn child(path: &[Seg], seg: impl Into<Seg>) -> Path {
    let mut p = path.to_vec();
    p.push(seg.into());
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_nodes() {
        let src =
            "action: Foo\nrequest:\n  - name: A\n    type: string\n  - name: B\n    type: list\n    items: string\n";
        let loc = Locations::index(src);
        assert_eq!(loc.find(&["action".into()]), (1, 9));
        assert_eq!(loc.find(&["request".into(), 1.into(), "name".into()]), (5, 11));
        assert_eq!(loc.find(&["request".into(), 1.into(), "items".into()]), (7, 12));
        // A key that is absent falls back to its mapping.
        assert_eq!(loc.find(&["request".into(), 0.into(), "items".into()]), (3, 5));
    }

    #[test]
    fn reports_keys_written_twice_in_one_mapping() {
        let loc = Locations::index("request:\n  - name: A\n    type: string\n    type: long\n  - name: B\n");
        assert_eq!(loc.duplicates(), [DuplicateKey { key: "type".into(), first: (3, 5), again: (4, 5) }]);
        // The same key in two different mappings is fine.
        assert!(Locations::index("a:\n  name: x\nb:\n  name: y\n").duplicates().is_empty());
    }

    #[test]
    fn a_missing_value_is_placed_at_its_key() {
        let loc = Locations::index("action: Foo\nsummary:\nrequest: []\n");
        assert_eq!(loc.find(&["summary".into()]), (2, 1));
        let loc = Locations::index("summary: ~\n");
        assert_eq!(loc.find(&["summary".into()]), (1, 10));
    }

    #[test]
    fn a_complex_key_keeps_the_rest_of_its_mapping_in_place() {
        let loc = Locations::index("a:\n  ? [x, y]\n  : 1\n  b: 2\nc: 3\n");
        assert_eq!(loc.find(&["a".into(), "b".into()]), (4, 6));
        assert_eq!(loc.find(&["c".into()]), (5, 4));
    }

    #[test]
    fn the_next_node_bounds_a_node() {
        let loc = Locations::index("a: one\nb: two\n");
        assert_eq!(loc.next_start_after((1, 4)), Some((2, 4)));
        assert_eq!(loc.next_start_after((2, 4)), None);
    }

    #[test]
    fn flow_style_is_indexed_too() {
        let loc = Locations::index("request: [{name: A, type: string}, {name: B, type: long}]\n");
        assert_eq!(loc.find(&["request".into(), 1.into(), "type".into()]), (1, 52));
    }
}
