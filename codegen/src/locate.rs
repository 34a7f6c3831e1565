//! Where each node of a YAML file starts, so that semantic errors found after
//! `serde_yaml` has built the typed spec can still name a line and column.
//!
//! `serde_yaml` reports positions only for its own errors, so the file is
//! scanned once more by an event parser that does report them.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};

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
}

enum Frame {
    Map { path: Path, key: Option<String> },
    Seq { path: Path, next: usize },
}

impl Locations {
    /// Indexes `source`. A syntax error stops the scan; what was seen stays
    /// indexed (the syntax error itself is reported by `serde_yaml`).
    pub fn index(source: &str) -> Self {
        let mut values = HashMap::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut parser = Parser::new_from_str(source);
        let mut documents = 0;
        while let Ok((event, mark)) = parser.next_token() {
            // yaml-rust2 counts lines from 1 and columns from 0.
            let pos = (mark.line(), mark.col() + 1);
            let path = match &event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        break;
                    }
                    continue;
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    continue;
                }
                Event::Scalar(..) | Event::MappingStart(..) | Event::SequenceStart(..) | Event::Alias(..) => {
                    match stack.last_mut() {
                        None => Vec::new(),
                        Some(Frame::Seq { path, next }) => {
                            let mut p = path.clone();
                            p.push(Seg::Index(*next));
                            *next += 1;
                            p
                        }
                        Some(Frame::Map { path, key }) => match key.take() {
                            Some(k) => {
                                let mut p = path.clone();
                                p.push(Seg::Key(k));
                                p
                            }
                            None => {
                                // This node is a key. Complex keys are indexed under a
                                // name no spec key can have.
                                let name = match &event {
                                    Event::Scalar(s, ..) => s.clone(),
                                    _ => "\u{0}complex-key".to_owned(),
                                };
                                *key = Some(name.clone());
                                if let Event::Scalar(..) = event {
                                    // A block mapping's start is reported late; its first
                                    // key is where a reader sees it begin.
                                    if let Some(start) = values.get_mut(path.as_slice()) {
                                        *start = std::cmp::min(*start, pos);
                                    }
                                    continue;
                                }
                                let mut p = path.clone();
                                p.push(Seg::Key(name));
                                p
                            }
                        },
                    }
                }
                _ => continue,
            };
            values.entry(path.clone()).or_insert(pos);
            match event {
                Event::MappingStart(..) => stack.push(Frame::Map { path, key: None }),
                Event::SequenceStart(..) => stack.push(Frame::Seq { path, next: 0 }),
                _ => {}
            }
        }
        Locations { values }
    }

    /// Position of the node at `path`, or of its nearest indexed ancestor
    /// (a missing key is reported where its mapping starts).
    pub fn find(&self, path: &[Seg]) -> (usize, usize) {
        (0..=path.len()).rev().find_map(|n| self.values.get(&path[..n]).copied()).unwrap_or((1, 1))
    }
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
    fn flow_style_is_indexed_too() {
        let loc = Locations::index("request: [{name: A, type: string}, {name: B, type: long}]\n");
        assert_eq!(loc.find(&["request".into(), 1.into(), "type".into()]), (1, 52));
    }
}
