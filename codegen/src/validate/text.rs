//! Prose and names: what a description, summary or message may hold, and the shapes of names (PascalCase, wire names), with the edit-distance suggestions used in help lines.

use super::{Checker, FileCx};
use crate::locate::Seg;

/// The candidate closest to `word` by edit distance, if any is close enough.
pub(super) fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Prose rules: not empty where required, and no unrendered doc-link markers.
pub(super) fn check_text(ck: &mut Checker, fx: &FileCx, path: &[Seg], text: &str, required: bool) {
    if required && text.trim().is_empty() {
        let key = match path.last() {
            Some(Seg::Key(key)) => key.as_str(),
            _ => "text",
        };
        let help = match key {
            "message" => "write the message the service returns with this code",
            _ => "write one sentence that says what it does",
        };
        ck.error(fx, path, format!("`{key}` is empty"), help);
    }
    if let Some(marker) = doc_link_marker(text) {
        let at = fx.find_text(path, marker).unwrap_or_else(|| fx.loc.find(path));
        ck.error_at(
            fx,
            at,
            format!("text contains a doc-link marker `{marker}`"),
            "`~~ID~~` links to a page of Alibaba's documentation and would show verbatim; name the target in words, such as \"call DescribeRegions\"",
        );
    }
}

/// Why `name` was refused as a PascalCase name: an empty one says so.
pub(super) fn not_pascal(what: &str, name: &str) -> String {
    if name.trim().is_empty() {
        format!("{what} is empty")
    } else {
        format!("{what} `{name}` is not a PascalCase name")
    }
}

/// The first `~~...~~` marker of `text` (or, when it is never closed, the
/// opening `~~` and the word after it).
pub(super) fn doc_link_marker(text: &str) -> Option<&str> {
    // A run of three or more is a code fence, not a marker.
    let start = text.match_indices("~~").map(|(i, _)| i).find(|&i| {
        let run = |s: &str| s.chars().take_while(|&c| c == '~').count();
        run(&text[i..]) == 2 && !text[..i].ends_with('~')
    })?;
    let rest = &text[start + 2..];
    let end = match rest.find("~~") {
        Some(close) if !rest[..close].contains(char::is_whitespace) => close + 4,
        _ => rest.find(char::is_whitespace).unwrap_or(rest.len()) + 2,
    };
    Some(&text[start..start + end])
}

pub(super) fn is_pascal_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(super) fn is_wire_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}
