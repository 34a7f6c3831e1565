//! Reading one file: the size limit, YAML syntax, keys written twice, and `serde_yaml`'s typed parse, each turned into a positioned diagnostic.

use super::{Checker, FileCx, yaml_errors};
use crate::diagnostic::Diagnostic;
use crate::locate::{Path, Seg};
use serde::de::DeserializeOwned;

/// Larger spec files are refused: no real action needs them, and a runaway
/// file should fail fast with a clear message.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// One spec file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the spec root, with `/` separators
    /// (`product.yaml`, `actions/CancelPhysicalConnection.yaml`).
    pub path: String,
    /// The file's contents.
    pub text: String,
    /// Why the file could not be read as text, if it could not; `text` is
    /// then empty. Reported as the file's diagnostic, and every other file
    /// is still checked.
    pub problem: Option<ReadProblem>,
}

/// A file that cannot be read as spec text: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    /// 1-based line of the first bad byte (1 when the file could not be read at all).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub help: String,
}

impl SourceFile {
    /// A file read as text.
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into(), problem: None }
    }

    /// A file read as bytes: text when they are UTF-8, else a problem at the
    /// line and column of the first byte that is not.
    pub fn from_bytes(path: impl Into<String>, bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => SourceFile::new(path, text),
            Err(e) => {
                let bytes = e.as_bytes();
                let good = e.utf8_error().valid_up_to();
                let prefix = std::str::from_utf8(&bytes[..good]).unwrap_or_default();
                let (line, column) =
                    (prefix.matches('\n').count() + 1, prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1);
                let utf16 = bytes.starts_with(&[0xFF, 0xFE])
                    || bytes.starts_with(&[0xFE, 0xFF])
                    || bytes.iter().take(64).filter(|b| **b == 0).count() > 8;
                let help = if utf16 {
                    "the file looks like UTF-16: save it as UTF-8"
                } else {
                    "save the file as UTF-8 (it may be Latin-1 or another legacy encoding), or fix this byte"
                };
                SourceFile::unreadable(
                    path,
                    ReadProblem {
                        line,
                        column,
                        message: format!(
                            "the file is not UTF-8: byte 0x{:02X} here is not part of a UTF-8 character",
                            bytes[good]
                        ),
                        help: help.to_owned(),
                    },
                )
            }
        }
    }

    /// A file over `MAX_FILE_BYTES`, not read; `len` is its size.
    pub fn too_large(path: impl Into<String>, len: u64) -> Self {
        SourceFile::unreadable(
            path,
            ReadProblem { line: 1, column: 1, message: too_large_message(len), help: TOO_LARGE_HELP.into() },
        )
    }

    /// A file that could not be read at all.
    pub fn unreadable(path: impl Into<String>, problem: ReadProblem) -> Self {
        SourceFile { path: path.into(), text: String::new(), problem: Some(problem) }
    }
}

fn too_large_message(len: u64) -> String {
    format!("file is {len} bytes, over the limit of {MAX_FILE_BYTES}")
}

const TOO_LARGE_HELP: &str = "a spec file describes one action; split it or remove what is not part of the API";

/// A whole spec tree.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// How diagnostics name the spec root: a path the user can open, such
    /// as `spec/vpc`.
    pub root: String,
    /// How generated headers name the spec root. Must not depend on the
    /// machine (no absolute path), so that output is byte-identical anywhere.
    pub header_root: String,
    /// Every file of the tree, `product.yaml` and `actions/*` alike.
    pub files: Vec<SourceFile>,
}

pub(super) fn error_position(err: &serde_yaml::Error) -> (usize, usize) {
    err.location().map_or((1, 1), |l| (l.line().max(1), l.column().max(1)))
}

impl Checker {
    /// Parses one file into its spec struct. `empty_help` says what an empty
    /// file should start with.
    pub(super) fn parse<T: DeserializeOwned>(
        &mut self,
        display: &str,
        file: &SourceFile,
        empty_help: &str,
    ) -> Option<(T, FileCx)> {
        let text = file.text.as_str();
        if let Some(problem) = &file.problem {
            let ReadProblem { line, column, message, help } = problem.clone();
            self.push(Diagnostic { file: display.to_owned(), line, column, message, help });
            return None;
        }
        if text.len() > MAX_FILE_BYTES {
            // Checked before anything else reads the text: a runaway file must fail fast.
            self.push(Diagnostic {
                file: display.to_owned(),
                line: 1,
                column: 1,
                message: too_large_message(text.len() as u64),
                help: TOO_LARGE_HELP.into(),
            });
            return None;
        }
        // Before any parser sees the text: characters no spec may hold, and
        // nesting deep enough to make parsing slow, each at its position.
        if !self.check_characters(display, text) || !self.check_nesting(display, text) {
            return None;
        }
        let fx = FileCx::new(display, text);
        if !self.check_yaml(&fx, empty_help) {
            return None;
        }
        match serde_yaml::from_str::<T>(text) {
            Ok(value) => Some((value, fx)),
            Err(err) => {
                let (message, help) = yaml_errors::data(&err.to_string());
                self.error_at(&fx, error_position(&err), message, help);
                None
            }
        }
    }

    /// Checks what must hold before the file can be read as a spec: valid
    /// YAML, no key written twice, some content. True when all hold.
    pub(super) fn check_yaml(&mut self, fx: &FileCx, empty_help: &str) -> bool {
        match serde_yaml::from_str::<serde_yaml::Value>(&fx.text) {
            Ok(serde_yaml::Value::Null) => {
                let message = if fx.text.trim().is_empty() { "file is empty" } else { "file holds no YAML content" };
                self.error_at(fx, (1, 1), message, empty_help);
                false
            }
            Ok(value) => {
                let before = self.count;
                self.check_escaped_characters(fx, &value, &mut Vec::new());
                self.count == before
            }
            // The parser names no position for this; the index knows them all.
            Err(err) if err.to_string().contains("duplicate entry") && !fx.loc.duplicates().is_empty() => {
                for d in fx.loc.duplicates() {
                    self.error_at(
                        fx,
                        d.again,
                        format!("key `{}` is written twice in the same mapping (first at line {})", d.key, d.first.0),
                        "remove one of them; a key may appear only once in a mapping",
                    );
                }
                false
            }
            Err(err) => {
                let e = yaml_errors::syntax(&err.to_string(), error_position(&err), &fx.text);
                self.error_at(fx, (e.line, e.column), e.message, e.help);
                false
            }
        }
    }

    /// Reports every character of `text` that must not reach generated code,
    /// at its line and column. True when there is none.
    fn check_characters(&mut self, display: &str, text: &str) -> bool {
        let before = self.count;
        let (mut line, mut column) = (1, 1);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let bare_cr = c == '\r' && chars.peek() != Some(&'\n');
            if bare_cr || (c != '\r' && forbidden(c).is_some()) {
                let (message, help) = forbidden_message(c, false);
                self.push(Diagnostic { file: display.to_owned(), line, column, message, help });
            }
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        self.count == before
    }

    /// Refuses flow collections (`[`, `{`) nested deeper than
    /// `MAX_NESTING`: no spec needs it, and the YAML parsers take time that
    /// grows faster than the file. Brackets are counted wherever they are
    /// (in quoted text and JSON examples too), which only over-counts.
    fn check_nesting(&mut self, display: &str, text: &str) -> bool {
        let mut depth = 0usize;
        let (mut line, mut column) = (1, 1);
        for c in text.chars() {
            match c {
                '[' | '{' => depth += 1,
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            if depth > MAX_NESTING {
                self.push(Diagnostic {
                    file: display.to_owned(),
                    line,
                    column,
                    message: format!("brackets are nested more than {MAX_NESTING} deep here"),
                    help: "flatten the value: no part of a spec needs this depth".into(),
                });
                return false;
            }
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        true
    }

    /// The same characters written as escapes in quoted text (`"\u202E"`),
    /// which only the parsed value shows; reported where the value is.
    fn check_escaped_characters(&mut self, fx: &FileCx, value: &serde_yaml::Value, path: &mut Path) {
        use serde_yaml::Value as V;
        match value {
            V::String(s) => {
                if let Some(c) = s.chars().find(|&c| forbidden(c).is_some()) {
                    let (message, help) = forbidden_message(c, true);
                    self.error(fx, path, message, help);
                }
            }
            V::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    self.check_escaped_characters(fx, item, path);
                    path.pop();
                }
            }
            V::Mapping(map) => {
                for (key, item) in map {
                    let Some(key) = key.as_str() else { continue };
                    path.push(Seg::Key(key.to_owned()));
                    if let Some(c) = key.chars().find(|&c| forbidden(c).is_some()) {
                        let (message, help) = forbidden_message(c, true);
                        self.error_at(fx, fx.loc.find_key(path), message, help);
                    }
                    self.check_escaped_characters(fx, item, path);
                    path.pop();
                }
            }
            V::Tagged(tagged) => self.check_escaped_characters(fx, &tagged.value, path),
            V::Null | V::Bool(_) | V::Number(_) => {}
        }
    }
}

/// How deep `[` and `{` may nest in a spec file.
pub(super) const MAX_NESTING: usize = 64;

/// What kind of character `c` is, when no spec text may hold it: control
/// characters other than tab and line feed (generated doc comments and
/// string literals would carry them, and rustc refuses a bare carriage
/// return in a doc comment), and the Unicode bidirectional controls, which
/// make text display in another order than it is read (rustc denies them).
fn forbidden(c: char) -> Option<&'static str> {
    match c {
        '\t' | '\n' => None,
        '\r' => Some("a carriage return"),
        '\0' => Some("a NUL character"),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}' => {
            Some("a Unicode bidirectional control")
        }
        c if c.is_control() => Some("a control character"),
        _ => None,
    }
}

fn forbidden_message(c: char, escaped: bool) -> (String, String) {
    let what = forbidden(c).unwrap_or("a control character");
    let code = format!("U+{:04X}", u32::from(c));
    let message = if escaped {
        format!("this text holds {what} ({code}), written as an escape")
    } else if c == '\r' {
        "a carriage return that does not end a line (U+000D)".to_owned()
    } else {
        format!("{what} ({code}) is in the file")
    };
    let help = match c {
        '\r' => "end lines with a line feed (or CR LF); a lone carriage return breaks the generated documentation",
        _ if what.starts_with("a Unicode") => {
            "remove it: it makes text display in another order than it is read, and rustc refuses it in generated code"
        }
        _ => "remove it: spec files are plain text, and the character would reach the generated code",
    };
    (message, help.to_owned())
}
