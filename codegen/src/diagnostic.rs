//! A problem found in the spec, pointing at the exact place to change.

use std::fmt;

/// One spec problem: where it is, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Spec file, relative to the spec directory (`actions/Foo.yaml`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to change; empty when the message says it all.
    pub help: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: {}", self.file, self.line, self.column, self.message)?;
        if !self.help.is_empty() {
            write!(f, "\n  help: {}", self.help)?;
        }
        Ok(())
    }
}

/// How the diagnostic that stands for a file's problems beyond the shown
/// ones begins: `and 12 more problem(s) in this file, not shown`.
pub(crate) const MORE_PREFIX: &str = "and ";
pub(crate) const MORE_SUFFIX: &str = " more problem(s) in this file, not shown";

/// How many problems `diagnostics` stand for: each one, and for a file with
/// more than are shown, the ones it only counts.
pub fn problem_count(diagnostics: &[Diagnostic]) -> usize {
    diagnostics
        .iter()
        .map(|d| {
            let hidden = d.message.strip_prefix(MORE_PREFIX).and_then(|m| m.strip_suffix(MORE_SUFFIX));
            hidden.and_then(|n| n.parse().ok()).unwrap_or(1)
        })
        .sum()
}

/// Renders a list of diagnostics the way the command line prints them.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    out
}
