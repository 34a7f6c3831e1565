//! Where each key and value of a JSON example is written, by its path, and
//! the keys written twice in one object: `serde_json` keeps neither (a
//! repeated key silently replaces the first).

use std::collections::HashMap;

use super::FileCx;
use super::response_examples::json_position_in_file;
use crate::locate::{Path, Seg};

/// Byte offsets, in the example, of every key and value.
#[derive(Default)]
pub(super) struct JsonIndex {
    keys: HashMap<Path, usize>,
    values: HashMap<Path, usize>,
    /// A key written again in one object: its path, and where it is
    /// written first and again.
    pub duplicates: Vec<(Path, usize, usize)>,
}

enum Frame {
    Object { path: Path, key: Option<String>, seen: HashMap<String, usize> },
    Array { path: Path, next: usize },
}

impl JsonIndex {
    /// Indexes `json`, which `serde_json` has already read without error.
    /// One pass over the text.
    pub fn of(json: &str) -> Self {
        let bytes = json.as_bytes();
        let mut index = JsonIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => i += 1,
                b'}' | b']' => {
                    stack.pop();
                    i += 1;
                }
                b'"' => {
                    let end = string_end(bytes, i);
                    let text = serde_json::from_str::<String>(&json[i..end]).unwrap_or_default();
                    match stack.last_mut() {
                        Some(Frame::Object { path, key: key @ None, seen }) => {
                            let mut at = path.clone();
                            at.push(Seg::Key(text.clone()));
                            match seen.get(&text) {
                                Some(&first) => index.duplicates.push((at, first, i)),
                                None => {
                                    seen.insert(text.clone(), i);
                                    index.keys.insert(at, i);
                                }
                            }
                            *key = Some(text);
                        }
                        _ => {
                            let at = place(&mut stack);
                            index.values.entry(at).or_insert(i);
                        }
                    }
                    i = end;
                }
                b'{' | b'[' => {
                    let at = place(&mut stack);
                    index.values.entry(at.clone()).or_insert(i);
                    stack.push(if b == b'{' {
                        Frame::Object { path: at, key: None, seen: HashMap::new() }
                    } else {
                        Frame::Array { path: at, next: 0 }
                    });
                    i += 1;
                }
                _ => {
                    // A number, `true`, `false` or `null`.
                    let at = place(&mut stack);
                    index.values.entry(at).or_insert(i);
                    while i < bytes.len() && !matches!(bytes[i], b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                        i += 1;
                    }
                }
            }
        }
        index
    }
}

/// The path of the value that starts now.
fn place(stack: &mut [Frame]) -> Path {
    match stack.last_mut() {
        None => Vec::new(),
        Some(Frame::Array { path, next }) => {
            let mut at = path.clone();
            at.push(Seg::Index(*next));
            *next += 1;
            at
        }
        Some(Frame::Object { path, key, .. }) => {
            let mut at = path.clone();
            at.push(Seg::Key(key.take().unwrap_or_default()));
            at
        }
    }
}

/// The offset just past the string that starts at `start` (a `"`).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Places positions of the JSON example in the spec file.
pub(super) struct JsonAt<'a> {
    pub fx: &'a FileCx,
    json: &'a str,
    /// The example's node in the file.
    node: Path,
    pub index: JsonIndex,
    /// Byte offset of each line of the example.
    line_starts: Vec<usize>,
}

impl<'a> JsonAt<'a> {
    pub fn new(fx: &'a FileCx, json: &'a str) -> Self {
        let mut at = JsonAt::for_node(fx, json, vec!["examples".into(), "json".into()]);
        at.index = JsonIndex::of(json);
        at
    }

    /// Places offsets of another example text (the XML one) held at `node`.
    pub fn for_node(fx: &'a FileCx, text: &'a str, node: Path) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        JsonAt { fx, json: text, node, index: JsonIndex::default(), line_starts }
    }

    /// Where the key at `path` is written (for a key that is wrong).
    pub fn key(&self, path: &[Seg]) -> (usize, usize) {
        self.place(self.index.keys.get(path).copied())
    }

    /// Where the value at `path` is written (for a value that is wrong).
    pub fn value(&self, path: &[Seg]) -> (usize, usize) {
        self.place(self.index.values.get(path).copied().or_else(|| self.index.keys.get(path).copied()))
    }

    /// The file position of a byte offset of the example; the example's own
    /// node when the file does not hold its text verbatim.
    pub fn offset(&self, offset: usize) -> (usize, usize) {
        self.place(Some(offset))
    }

    fn place(&self, offset: Option<usize>) -> (usize, usize) {
        let node = &self.node;
        let Some(offset) = offset else { return self.fx.loc.find(node) };
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.json.get(start..offset).map_or(1, |t| t.chars().count() + 1);
        json_position_in_file(self.fx, node, self.json, (line, column)).unwrap_or_else(|| self.fx.loc.find(node))
    }
}
