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
        facts.push(format!("Example: `{}`.", example.replace('`', "'")));
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
    outer(&paragraphs([field.description.as_deref().unwrap_or("Not described by the service."), &facts]))
}
