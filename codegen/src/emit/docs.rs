//! Documentation attributes, written from the spec's own text.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Field, Ty};

fn lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    text.trim()
        .lines()
        .map(|l| if l.trim().is_empty() { String::new() } else { format!(" {}", l.trim_end()) })
        .collect()
}

/// Spec prose as Markdown that rustdoc shows as written and never runs:
/// fenced code blocks become `text` blocks (a Rust block would be compiled
/// as a doc-test) and are closed if the text leaves one open; indentation is
/// capped below the four spaces that start an indented code block; and,
/// outside code spans, `<` and `[`/`]` are escaped (rustdoc would read HTML
/// tags and intra-doc links) and bare URLs become `<...>` links. The
/// generator's own Markdown (links to types, lists) is added around it.
pub fn prose(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out: Vec<String> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    // The fence that opened the current code block: its character and length.
    let mut fence: Option<(char, usize)> = None;
    let flush = |paragraph: &mut Vec<&str>, out: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.extend(inline(&paragraph.join("\n")).split('\n').map(str::to_owned));
            paragraph.clear();
        }
    };
    for line in text.split('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let run = |c: char| rest.chars().take_while(|&x| x == c).count();
        let marker = ['`', '~'].into_iter().map(|c| (c, run(c))).find(|&(_, n)| n >= 3);
        match (fence, marker) {
            (None, Some((c, n))) if indent <= 3 => {
                flush(&mut paragraph, &mut out);
                out.push(format!("{}{}text", " ".repeat(indent), c.to_string().repeat(n)));
                fence = Some((c, n));
            }
            (Some((c, n)), Some((m, k))) if m == c && k >= n && rest[k..].trim().is_empty() => {
                out.push(line.to_owned());
                fence = None;
            }
            (Some(_), _) => out.push(line.to_owned()),
            (None, _) => {
                // Three spaces at most: four would start an indented code block.
                if indent > 3 {
                    let capped = &line[indent - 3..];
                    paragraph.push(capped);
                } else {
                    paragraph.push(line);
                }
            }
        }
    }
    flush(&mut paragraph, &mut out);
    if let Some((c, n)) = fence {
        out.push(c.to_string().repeat(n));
    }
    out.join("\n")
}

/// Escapes what rustdoc would read as HTML or links in prose outside code
/// spans, and makes bare URLs links.
fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let starts = |word: &str| chars[i..].iter().take(word.len()).copied().eq(word.chars());
        match c {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(c);
                out.push(chars[i + 1]);
                i += 2;
            }
            '`' => {
                let n = chars[i..].iter().take_while(|&&x| x == '`').count();
                let close = (i + n..chars.len()).find(|&j| {
                    chars[j..].iter().take_while(|&&x| x == '`').count() == n && (j == 0 || chars[j - 1] != '`')
                });
                let end = close.map_or(i + n, |j| j + n);
                out.extend(&chars[i..end]);
                i = end;
            }
            // An autolink the text already has stays as it is.
            '<' if autolink_len(&chars[i..]).is_some() => {
                let end = i + autolink_len(&chars[i..]).unwrap_or(1);
                out.extend(&chars[i..end]);
                i = end;
            }
            '<' | '[' | ']' => {
                out.push('\\');
                out.push(c);
                i += 1;
            }
            'h' if (starts("https://") || starts("http://")) && (i == 0 || !chars[i - 1].is_alphanumeric()) => {
                let mut end = i;
                while end < chars.len() && !chars[end].is_whitespace() && !matches!(chars[end], '<' | '>' | '`' | '"') {
                    end += 1;
                }
                while end > i && matches!(chars[end - 1], '.' | ',' | ';' | ':' | '!' | '?' | ')' | '\'' | ']') {
                    end -= 1;
                }
                out.push('<');
                out.extend(&chars[i..end]);
                out.push('>');
                i = end;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Optional spec prose, made safe as [`prose`]; empty when absent.
pub fn opt(text: &Option<String>) -> String {
    text.as_deref().map(prose).unwrap_or_default()
}

/// The length of `<scheme://...>` at the start of `chars`, if it is one.
fn autolink_len(chars: &[char]) -> Option<usize> {
    let rest: String = chars.iter().skip(1).take(8).collect();
    if !(rest.starts_with("https://") || rest.starts_with("http://")) {
        return None;
    }
    let close = chars.iter().skip(1).position(|&c| c == '>' || c == '<' || c.is_whitespace())? + 1;
    (chars[close] == '>').then_some(close + 1)
}

/// `text` as one inline code span, whatever backticks it holds.
pub fn code(text: &str) -> String {
    let text = one_line(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

/// `///` lines.
pub fn outer(text: &str) -> TokenStream {
    let lines = lines(text);
    quote! { #(#[doc = #lines])* }
}

/// `//!` lines.
pub fn inner(text: &str) -> TokenStream {
    let lines = lines(text);
    quote! { #(#![doc = #lines])* }
}

/// `text` on one line: its whitespace runs (line breaks included) as single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Paragraphs joined with blank lines, empty ones skipped.
pub fn paragraphs<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n")
}

/// A field's documentation: its description, then the facts a caller needs.
pub fn field(field: &Field) -> TokenStream {
    let mut facts = Vec::new();
    facts.push(format!("Wire name: `{}`.", field.wire));
    if field.required {
        facts.push("Required.".to_owned());
    }
    if let Some(example) = &field.example {
        facts.push(format!("Example: {}.", code(example)));
    }
    let c = &field.constraints;
    match (c.min_length, c.max_length) {
        (Some(lo), Some(hi)) => facts.push(format!("Length: {lo} to {hi} characters.")),
        (Some(lo), None) => facts.push(format!("At least {lo} characters.")),
        (None, Some(hi)) => facts.push(format!("At most {hi} characters.")),
        (None, None) => {}
    }
    match (c.minimum, c.maximum) {
        (Some(lo), Some(hi)) => facts.push(format!("Range: {lo} to {hi}.")),
        (Some(lo), None) => facts.push(format!("At least {lo}.")),
        (None, Some(hi)) => facts.push(format!("At most {hi}.")),
        (None, None) => {}
    }
    if let Some(n) = c.max_items {
        facts.push(format!("At most {n} items."));
    }
    if let (Ty::List(_), Some(item)) = (&field.ty, &field.wrapper) {
        facts.push(format!("On the wire each item is wrapped in `{item}`."));
    }
    if field.idempotency_token {
        facts.push("Makes the request idempotent: retries with the same token never repeat its effect. The client fills it with a fresh UUID when left empty.".to_owned());
    }
    if field.sensitive {
        facts.push("A secret: `Debug` shows `***` in its place; keep it out of logs.".to_owned());
    }
    if field.deprecated {
        facts.push("Deprecated by the service.".to_owned());
    }
    let facts = facts.join(" ");
    let description = field.description.as_deref().map_or_else(|| "Not described by the service.".to_owned(), prose);
    outer(&paragraphs([description.as_str(), &facts]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_keeps_code_and_escapes_what_rustdoc_would_misread() {
        assert_eq!(prose("Use `Vec<u8>` or Vec<u8>, see [x]."), "Use `Vec<u8>` or Vec\\<u8>, see \\[x\\].");
        assert_eq!(
            prose("See https://example.com/a. Or <https://example.com/b>."),
            "See <https://example.com/a>. Or <https://example.com/b>."
        );
        assert_eq!(prose("An escaped \\[x\\] stays."), "An escaped \\[x\\] stays.");
    }

    #[test]
    fn code_blocks_never_become_doc_tests() {
        assert_eq!(prose("a\n\n```rust\nfn x() {}\n```\nb"), "a\n\n```text\nfn x() {}\n```\nb");
        assert_eq!(prose("a\n\n```\nleft open"), "a\n\n```text\nleft open\n```");
        assert_eq!(prose("a\n\n        indented"), "a\n\n   indented");
    }

    #[test]
    fn a_code_span_holds_any_backticks() {
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a"), "`` `a ``");
        assert_eq!(code("plain"), "`plain`");
    }
}
