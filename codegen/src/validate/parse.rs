//! Reading one file: the size limit, YAML syntax, keys written twice, and `serde_yaml`'s typed parse, each turned into a positioned diagnostic.

use super::*;

/// Larger spec files are refused: no real action needs them, and a runaway
/// file should fail fast with a clear message.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// One spec file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the spec root, with `/` separators
    /// (`product.yaml`, `actions/CancelPhysicalConnection.yaml`).
    pub path: String,
    pub text: String,
}

/// A whole spec tree.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// How diagnostics name the spec root: a path the user can open, such
    /// as `spec/vpc`.
    pub root: String,
    /// How generated headers name the spec root. Must not depend on the
    /// machine (no absolute path), so that output is byte-identical anywhere.
    pub header_root: String,
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
        text: &str,
        empty_help: &str,
    ) -> Option<(T, FileCx)> {
        if text.len() > MAX_FILE_BYTES {
            // Checked before anything else reads the text: a runaway file must fail fast.
            self.diags.push(Diagnostic {
                file: display.to_owned(),
                line: 1,
                column: 1,
                message: format!("file is {} bytes, over the limit of {MAX_FILE_BYTES}", text.len()),
                help: "a spec file describes one action; split it or remove what is not part of the API".into(),
            });
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
            Ok(_) => true,
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
}
