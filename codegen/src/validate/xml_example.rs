//! The XML example, read the way the runtime reads XML responses (elements
//! become fields, a repeated element is a list, a leaf's text is its value)
//! and checked as deeply as the JSON one: well-formed, every element a
//! declared field of the response or of its struct, every leaf's text fit
//! for its field's type; each problem at its element.

use quick_xml::events::Event;

use super::examples::Structs;
use super::json_index::JsonAt;
use super::members::describe;
use super::text::closest;
use super::{Checker, FileCx};
use crate::locate::Path;
use crate::model::{Field, Ty};

/// One element: name, where its `<` is in the example, children, text.
struct Element {
    name: String,
    offset: usize,
    children: Vec<Element>,
    text: String,
}

/// Nesting deeper than this is refused, as the runtime refuses it.
const MAX_DEPTH: usize = 128;

/// Reads the example into its root element, or says where it is not
/// well-formed.
fn parse(xml: &str) -> Result<Element, (usize, String)> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| (reader.error_position() as usize, e.to_string()))?;
        let after_root = |root: &Option<Element>, stack: &[Element]| root.is_some() && stack.is_empty();
        match event {
            Event::Start(tag) | Event::Empty(tag) if after_root(&root, &stack) => {
                let _ = tag;
                return Err((start, "there is content after the root element".into()));
            }
            Event::Start(tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err((start, format!("elements are nested more than {MAX_DEPTH} deep")));
                }
                let name = tag.name().as_ref().to_owned();
                stack.push(Element { name, offset: start, children: Vec::new(), text: String::new() });
            }
            Event::Empty(tag) => {
                let name = tag.name().as_ref().to_owned();
                let element = Element { name, offset: start, children: Vec::new(), text: String::new() };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(t) => match stack.last_mut() {
                Some(top) => top.text.push_str(&t.xml10_content()),
                None if !t.xml10_content().trim().is_empty() => {
                    return Err((start, "there is text outside the root element".into()));
                }
                None => {}
            },
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let name = r.xml10_content().into_owned();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(text) => text.to_owned(),
                        None => return Err((start, format!("`&{name};` is not an XML entity"))),
                    },
                    Err(e) => return Err((start, e.to_string())),
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&resolved);
                }
            }
            Event::End(_) => {
                let Some(element) = stack.pop() else { return Err((start, "an end tag closes nothing".into())) };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err((open.offset, format!("`<{}>` is never closed", open.name)));
    }
    root.ok_or_else(|| (0, "there is no root element".into()))
}

/// Checks a well-rooted XML example; `members` says whether the response
/// and its structs are sound enough to check the content against.
pub(super) fn check(ck: &mut Checker, fx: &FileCx, xml: &str, response: &[Field], structs: &Structs, members: bool) {
    let node: Path = vec!["examples".into(), "xml".into()];
    let at = JsonAt::for_node(fx, xml, node);
    let root = match parse(xml) {
        Ok(root) => root,
        Err((offset, why)) => {
            ck.error_at(
                fx,
                at.offset(offset),
                format!("the XML example is not well-formed: {why}"),
                "fix the XML here; the XML decoding test would fail on it",
            );
            return;
        }
    };
    if members {
        fields(ck, &at, &root, response, "the response", structs);
    }
}

/// The children of `element` against the fields it may hold.
fn fields(ck: &mut Checker, at: &JsonAt, element: &Element, fields: &[Field], owner: &str, structs: &Structs) {
    let mut seen: Vec<&str> = Vec::new();
    for child in &element.children {
        let Some(field) = fields.iter().find(|f| f.wire == child.name) else {
            let help = match closest(&child.name, fields.iter().map(|f| f.wire.as_str())) {
                Some(best) => format!("did you mean `{best}`? The decoder ignores elements it does not know"),
                None => format!("declare the field in {owner}, or drop the element from the example"),
            };
            let message = format!("the XML example has `<{}>` in {owner}, which it does not declare", child.name);
            ck.error_placed(at.fx, || at.offset(child.offset), message, help);
            continue;
        };
        let repeated = seen.contains(&child.name.as_str());
        seen.push(&child.name);
        match &field.ty {
            Ty::List(inner) => match &field.wrapper {
                Some(wrapper) => {
                    for item in &child.children {
                        if &item.name == wrapper {
                            value(ck, at, item, inner, &field.wire, structs);
                        } else {
                            let message = format!(
                                "the XML example has `<{}>` in `<{}>`, whose items are each wrapped in `<{wrapper}>`",
                                item.name, child.name
                            );
                            ck.error_placed(
                                at.fx,
                                || at.offset(item.offset),
                                message,
                                format!("write each item as `<{wrapper}>...</{wrapper}>`"),
                            );
                        }
                    }
                }
                // A list without a wrapper is the element repeated.
                None => value(ck, at, child, inner, &field.wire, structs),
            },
            _ if repeated => {
                let message = format!("the XML example has `<{}>` twice in {owner}, which holds one", child.name);
                ck.error_placed(
                    at.fx,
                    || at.offset(child.offset),
                    message,
                    "remove one of them: the decoder reads only one",
                );
            }
            ty => value(ck, at, child, ty, &field.wire, structs),
        }
    }
}

/// One element against the type of its field.
fn value(ck: &mut Checker, at: &JsonAt, element: &Element, ty: &Ty, wire: &str, structs: &Structs) {
    if let Ty::Named(r) = ty {
        if !r.is_enum {
            if let Some(inner) = structs.fields_of(r) {
                fields(ck, at, element, inner, &format!("`{}`", r.name), structs);
            }
            return;
        }
    }
    if let Some(child) = element.children.first() {
        let message =
            format!("the XML example's `<{wire}>` holds elements (`<{}>`), not a `{}`", child.name, describe(ty));
        ck.error_placed(at.fx, || at.offset(element.offset), message, "fix the example, or the field's type");
        return;
    }
    let text = element.text.trim();
    let fits = text.is_empty()
        || match ty {
            Ty::Integer => text.parse::<i32>().is_ok(),
            Ty::Long => text.parse::<i64>().is_ok(),
            Ty::Float => text.parse::<f64>().is_ok(),
            Ty::Boolean => matches!(text, "true" | "false"),
            _ => true,
        };
    if !fits {
        let message = format!("the XML example's `<{wire}>` does not fit type `{}`: {text:?}", describe(ty));
        ck.error_placed(at.fx, || at.offset(element.offset), message, "fix the example, or the field's type");
    }
}
