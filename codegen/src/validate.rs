//! Turns spec files into the checked `model`, collecting every problem.
//!
//! Each file is parsed by `serde_yaml` into `spec` (syntax errors, unknown keys
//! and wrong value types stop that file, with `serde_yaml`'s position); then
//! every semantic rule is checked and each violation becomes a `Diagnostic`
//! whose position comes from `locate`. Nothing stops at the first problem.

mod action;
mod cycles;
mod errors;
mod examples;
mod groups;
mod json_index;
mod lifecycle;
mod member_examples;
mod members;
mod parse;
mod response_examples;
mod text;
mod types;
mod usage;
mod xml_example;
mod yaml_errors;

pub use self::parse::{MAX_FILE_BYTES, ReadProblem, SourceFile, SpecSource};

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use crate::diagnostic::{Diagnostic, MORE_PREFIX, MORE_SUFFIX};
use crate::locate::{Locations, Seg};
use crate::model::{Action, Product};
use crate::spec::{ActionFile, ProductFile};

use self::action::{check_action, check_action_names_unique, check_helper_names};
use self::errors::check_errors;
use self::text::{check_text, is_pascal_identifier, not_pascal};
use self::types::{check_type_bodies, declare_types, finish_types};
use self::usage::{mark_required_inside, mark_usage};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
    /// Fields of named struct types, which may serve either side.
    Any,
}

/// A named type known before its body is checked.
#[derive(Clone)]
struct Declared {
    is_enum: bool,
    /// Wire values and aliases of an enum, to check examples.
    values: Vec<String>,
}

struct Scope<'a> {
    local: &'a BTreeMap<String, Declared>,
    shared: &'a BTreeMap<String, Declared>,
    /// Checking product.yaml: inline structs become shared types.
    in_product: bool,
    /// product.yaml could not be read: a type not declared here may be one
    /// of its shared types, so it is not reported as unknown.
    shared_unknown: bool,
}

impl Scope<'_> {
    fn get(&self, name: &str) -> Option<(&Declared, bool)> {
        self.local.get(name).map(|d| (d, false)).or_else(|| self.shared.get(name).map(|d| (d, true)))
    }
}

/// The file being checked and where its nodes are.
struct FileCx {
    display: String,
    loc: Locations,
    text: String,
}

impl FileCx {
    fn new(display: &str, text: &str) -> Self {
        FileCx { display: display.to_owned(), loc: Locations::index(text), text: text.to_owned() }
    }

    /// Where `needle` is first written inside the node at `path`, for
    /// problems inside a long value (a marker in a description, a key in an
    /// example). `None` when the node's text does not hold it verbatim.
    fn find_text(&self, path: &[Seg], needle: &str) -> Option<(usize, usize)> {
        self.find_text_before(path, needle, |_| true)
    }

    /// As `find_text`, the first occurrence of `needle` that `followed_by`
    /// accepts the text after.
    fn find_text_before(
        &self,
        path: &[Seg],
        needle: &str,
        followed_by: impl Fn(&str) -> bool,
    ) -> Option<(usize, usize)> {
        let start = self.loc.find(path);
        let from = offset_of(&self.text, start)?;
        let to = self.loc.next_start_after(start).and_then(|end| offset_of(&self.text, end)).unwrap_or(self.text.len());
        let region = self.text.get(from..to)?;
        let (found, _) = region.match_indices(needle).find(|(i, _)| followed_by(&region[i + needle.len()..]))?;
        Some(position_of(&self.text, from + found))
    }

    /// The text of 1-based line `line`.
    fn line(&self, line: usize) -> Option<&str> {
        self.text.lines().nth(line.checked_sub(1)?)
    }
}

/// Byte offset of a 1-based line and column (columns count characters).
fn offset_of(text: &str, (line, column): (usize, usize)) -> Option<usize> {
    let line_start = match line {
        0 => return None,
        1 => 0,
        _ => text.match_indices('\n').nth(line - 2)?.0 + 1,
    };
    let rest = &text[line_start..];
    let in_line = rest.char_indices().nth(column.saturating_sub(1)).map_or(rest.len(), |(i, _)| i);
    Some(line_start + in_line)
}

/// 1-based line and column of a byte offset.
fn position_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// How many problems of one file are shown; the rest are counted. A file
/// with thousands of problems has one cause, and the report must stay
/// readable (and fast to make).
pub(crate) const MAX_DIAGNOSTICS_PER_FILE: usize = 50;

/// Collects diagnostics, at most `MAX_DIAGNOSTICS_PER_FILE` per file.
#[derive(Default)]
struct Checker {
    diags: Vec<Diagnostic>,
    /// Every problem found, shown or not: checks compare it before and
    /// after to learn whether they found one.
    count: usize,
    per_file: HashMap<String, usize>,
    /// Problems left unreported because they may follow from one already
    /// reported (a type that product.yaml, itself broken, may declare).
    /// Checks that need complete members skip when it grows.
    quiet: usize,
    /// product.yaml is broken: checks that need it are skipped rather than
    /// reporting what follows from that.
    product_broken: bool,
}

impl Checker {
    fn push(&mut self, d: Diagnostic) {
        self.count += 1;
        let n = self.per_file.entry(d.file.clone()).or_default();
        *n += 1;
        if *n <= MAX_DIAGNOSTICS_PER_FILE {
            self.diags.push(d);
        }
    }

    /// Whether a new problem of `fx` would be shown, not only counted.
    fn shows(&self, fx: &FileCx) -> bool {
        self.per_file.get(&fx.display).is_none_or(|n| *n < MAX_DIAGNOSTICS_PER_FILE)
    }

    /// As `error_at`, working out the position only when the problem will
    /// be shown: placing a problem can take time, and a file may have
    /// thousands that are only counted.
    fn error_placed(
        &mut self,
        fx: &FileCx,
        at: impl FnOnce() -> (usize, usize),
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        if !self.shows(fx) {
            self.count += 1;
            *self.per_file.entry(fx.display.clone()).or_default() += 1;
        } else {
            self.error_at(fx, at(), message, help);
        }
    }

    /// The diagnostics in order, each file's followed by how many of its
    /// problems are not shown.
    fn finish(self) -> Vec<Diagnostic> {
        let mut diags = self.diags;
        diags.sort();
        diags.dedup();
        let mut out: Vec<Diagnostic> = Vec::with_capacity(diags.len());
        for d in diags {
            if out.last().is_some_and(|last| last.file != d.file) {
                more(&mut out, &self.per_file);
            }
            out.push(d);
        }
        more(&mut out, &self.per_file);
        out
    }

    fn error(&mut self, fx: &FileCx, path: &[Seg], message: impl Into<String>, help: impl Into<String>) {
        self.error_at(fx, fx.loc.find(path), message, help);
    }

    fn error_at(&mut self, fx: &FileCx, at: (usize, usize), message: impl Into<String>, help: impl Into<String>) {
        self.push(Diagnostic {
            file: fx.display.clone(),
            line: at.0,
            column: at.1,
            message: message.into(),
            help: help.into(),
        });
    }
}

/// After the last shown diagnostic of a file, how many more it has.
fn more(out: &mut Vec<Diagnostic>, per_file: &HashMap<String, usize>) {
    let Some(last) = out.last() else { return };
    let total = per_file.get(&last.file).copied().unwrap_or(0);
    if total > MAX_DIAGNOSTICS_PER_FILE {
        let hidden = total - MAX_DIAGNOSTICS_PER_FILE;
        let d = Diagnostic {
            message: format!("{MORE_PREFIX}{hidden}{MORE_SUFFIX}"),
            help: format!(
                "only the first {MAX_DIAGNOSTICS_PER_FILE} problems of a file are shown; fix these and run again"
            ),
            ..last.clone()
        };
        out.push(d);
    }
}

/// Records that `key` was seen at `at`; returns where it was seen first, if
/// it was. The first sighting is kept, so a third copy still names the first.
fn first_seen<K: Eq + Hash, V: Copy>(seen: &mut HashMap<K, V>, key: K, at: V) -> Option<V> {
    match seen.entry(key) {
        Entry::Occupied(first) => Some(*first.get()),
        Entry::Vacant(slot) => {
            slot.insert(at);
            None
        }
    }
}

/// Checks a whole spec tree.
pub fn validate(source: &SpecSource) -> Result<Product, Vec<Diagnostic>> {
    let mut ck = Checker::default();
    let display = |rel: &str| {
        if source.root.is_empty() { rel.to_owned() } else { format!("{}/{rel}", source.root) }
    };

    let mut product_file = None;
    let mut action_files = Vec::new();
    for file in &source.files {
        if let Some(problem) = &file.problem {
            // What keeps the file from being read is its one problem,
            // whatever its name.
            let ReadProblem { line, column, message, help } = problem.clone();
            ck.push(Diagnostic { file: display(&file.path), line, column, message, help });
            continue;
        }
        if file.path == "product.yaml" {
            let help = "write at least `product`, `version`, `style`, `endpoint` and `summary`; see spec/README.md";
            product_file = ck.parse::<ProductFile>(&display(&file.path), file, help);
        } else if let Some(name) = file.path.strip_prefix("actions/") {
            if let Some(stem) = name.strip_suffix(".yaml").filter(|s| !s.contains('/')) {
                let help = format!("write at least `action: {stem}` and `summary: ...`; see spec/README.md");
                if let Some(parsed) = ck.parse::<ActionFile>(&display(&file.path), file, &help) {
                    action_files.push((stem.to_owned(), file.path.clone(), parsed));
                }
            } else {
                ck.push(Diagnostic {
                    file: display(&file.path),
                    line: 1,
                    column: 1,
                    message: "not an action file: action files are `actions/<Action>.yaml`".into(),
                    help: "rename it to end in `.yaml`, or move it out of `actions/`".into(),
                });
            }
        }
    }
    let (product, pfx) = match product_file {
        Some(parsed) => parsed,
        // A broken product.yaml is reported already; its actions are still
        // checked, as far as they can be without it.
        None if source.files.iter().any(|f| f.path == "product.yaml") => {
            ck.product_broken = true;
            (placeholder_product(), FileCx::new(&display("product.yaml"), ""))
        }
        None => {
            ck.push(Diagnostic {
                file: display("product.yaml"),
                line: 1,
                column: 1,
                message: "the spec has no product.yaml".into(),
                help: "create it with `product`, `version`, `style`, `endpoint` and `summary`; see spec/README.md"
                    .into(),
            });
            return Err(ck.finish());
        }
    };

    if !ck.product_broken {
        check_product_header(&mut ck, &product, &pfx);
    }
    let common_errors = check_errors(&mut ck, &pfx, &product.common_errors, &["common_errors".into()], true);

    // Declare every named type first so that references may point forward.
    let shared_decl = declare_types(&mut ck, &pfx, &product.types, &BTreeMap::new());
    let empty = BTreeMap::new();
    let shared_scope = Scope { local: &empty, shared: &shared_decl, in_product: true, shared_unknown: false };
    let mut shared_hoisted = Vec::new();
    let shared_types = check_type_bodies(&mut ck, &pfx, &product.types, &shared_scope, &mut shared_hoisted);
    let shared_types =
        finish_types(&mut ck, &pfx, shared_types, shared_hoisted, &shared_decl, &BTreeMap::new(), &[], true);
    let mut resources = lifecycle::check_resources(&mut ck, &pfx, &product.resources, &shared_types);
    let groups = groups::check_groups(&mut ck, &pfx, &product.groups);
    let endpoints = groups::check_endpoints(&mut ck, &pfx, &product.endpoints);

    action_files.sort_by(|a, b| a.0.cmp(&b.0));
    check_action_names_unique(&mut ck, &action_files);
    check_helper_names(&mut ck, &action_files, &pfx, &product.resources);
    let mut actions: Vec<Action> = Vec::new();
    for (stem, rel, (file, fx)) in &action_files {
        let action =
            check_action(&mut ck, stem, rel, file, fx, &shared_decl, &shared_types, &common_errors, &resources);
        let group = if ck.product_broken {
            None
        } else {
            groups::check_action_group(&mut ck, fx, file.group.as_deref(), &groups)
        };
        if let Some(mut action) = action {
            action.group = group;
            actions.push(action);
        }
    }
    groups::check_group_modules(&mut ck, &pfx, &product.groups, &actions);
    // Each action's transition joins its resource's lifecycle, in action order.
    for action in &actions {
        if let Some(l) = &action.lifecycle {
            if let Some(r) = resources.iter_mut().find(|r| r.name == l.resource) {
                r.transitions.extend(l.transitions.iter().cloned());
            }
        }
    }
    for (i, spec) in product.resources.iter().enumerate() {
        let (Some(waiter), Some(r)) = (&spec.waiter, resources.iter().position(|r| r.name == spec.name)) else {
            continue;
        };
        // An action whose file is broken is reported there; the waiter
        // that names it is not told it is unknown as well.
        let file_broken = source.files.iter().any(|f| f.path == format!("actions/{}.yaml", waiter.action));
        resources[r].waiter = match actions.iter().any(|a| a.name == waiter.action) {
            false if file_broken => None,
            _ => lifecycle::check_waiter(&mut ck, &pfx, i, waiter, &resources[r], &actions, &shared_types),
        };
    }

    if ck.count > 0 {
        return Err(ck.finish());
    }
    let mut product = Product {
        name: product.product,
        version: product.version,
        endpoint: product.endpoint,
        summary: product.summary,
        description: product.description,
        spec_root: source.header_root.clone(),
        common_errors,
        types: shared_types,
        actions,
        resources,
        groups,
        endpoints,
    };
    mark_usage(&mut product);
    mark_required_inside(&mut product);
    Ok(product)
}

/// Stands for a product.yaml that could not be read, so that its actions
/// are still checked; its absence of content is never reported.
fn placeholder_product() -> ProductFile {
    ProductFile {
        product: String::new(),
        version: String::new(),
        style: String::new(),
        endpoint: String::new(),
        summary: String::new(),
        description: None,
        common_errors: Vec::new(),
        types: Vec::new(),
        resources: Vec::new(),
        groups: Vec::new(),
        endpoints: BTreeMap::new(),
    }
}

fn check_product_header(ck: &mut Checker, product: &ProductFile, fx: &FileCx) {
    if !is_pascal_identifier(&product.product) {
        ck.error(
            fx,
            &["product".into()],
            not_pascal("product code", &product.product),
            "use the product code Alibaba uses, such as `Vpc` or `Ecs`",
        );
    }
    let v = product.version.as_bytes();
    let date_like = v.len() == 10
        && v.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    if !date_like {
        ck.error(
            fx,
            &["version".into()],
            format!("version `{}` is not of the form YYYY-MM-DD", product.version),
            "write the API version date with dashes, quoted, such as `version: \"2016-04-28\"`",
        );
    }
    if product.style != "rpc" {
        ck.error(
            fx,
            &["style".into()],
            format!("style `{}` is not supported", product.style),
            "only `rpc` (Alibaba's RPC style) is supported",
        );
    }
    if product.endpoint.trim().is_empty() || product.endpoint.contains("://") || product.endpoint.contains('/') {
        ck.error(fx, &["endpoint".into()], format!("endpoint `{}` is not a host template", product.endpoint), "write a host name without scheme or path, with `{region}` for the region id, such as `vpc.{region}.aliyuncs.com`");
    }
    check_text(ck, fx, &["summary".into()], &product.summary, true);
    if let Some(d) = &product.description {
        check_text(ck, fx, &["description".into()], d, false);
    }
}

#[cfg(test)]
mod tests {
    use super::response_examples::first_xml_element;
    use super::text::doc_link_marker;
    use super::*;

    fn source(files: &[(&str, &str)]) -> SpecSource {
        SpecSource {
            root: "spec".into(),
            header_root: "spec".into(),
            files: files.iter().map(|(path, text)| SourceFile::new(*path, *text)).collect(),
        }
    }

    const PRODUCT: &str =
        "product: Demo\nversion: \"2020-01-01\"\nstyle: rpc\nendpoint: \"demo.{region}.example.com\"\nsummary: Demo.\n";

    fn diagnostics(action: &str) -> String {
        let err = validate(&source(&[("product.yaml", PRODUCT), ("actions/Foo.yaml", action)])).unwrap_err();
        crate::render(&err)
    }

    #[test]
    fn doc_link_markers_are_quoted_whole() {
        assert_eq!(doc_link_marker("Call ~~36063~~ first."), Some("~~36063~~"));
        assert_eq!(doc_link_marker("Never ~~closed here"), Some("~~closed"));
        assert_eq!(doc_link_marker("No marker."), None);
    }

    #[test]
    fn the_xml_root_is_found_past_prolog_and_comments() {
        assert_eq!(first_xml_element("<?xml version=\"1.0\"?>\n<!-- c -->\n<FooResponse/>"), "<FooResponse/>");
    }

    #[test]
    fn a_one_line_json_example_error_points_into_the_line() {
        let action = "action: Foo\nsummary: Foo.\nexamples:\n  json: '{\"RequestId\" \"x\"}'\n";
        assert_eq!(
            diagnostics(action),
            "spec/actions/Foo.yaml:4:23: error: the JSON example is not valid JSON: expected `:`\n  help: fix the JSON here\n"
        );
    }

    #[test]
    fn a_json_error_that_cannot_be_mapped_names_the_example_position() {
        // Escapes make the file text differ from the JSON text.
        let action = "action: Foo\nsummary: Foo.\nexamples:\n  json: \"{\\\"RequestId\\\" 1}\"\n";
        let rendered = diagnostics(action);
        assert!(
            rendered.starts_with("spec/actions/Foo.yaml:4:9: error: the JSON example is not valid JSON"),
            "{rendered}"
        );
        assert!(rendered.contains("(line 1, column 14 of the example)"), "{rendered}");
    }

    #[test]
    fn thousands_of_problems_are_counted_and_not_placed() {
        // Placing each of 20,000 keys in a one-line example would take time
        // that grows with the square of the file; counting them does not.
        let keys: Vec<String> = (0..20_000).map(|i| format!("\"K{i}\": {i}")).collect();
        let action = format!(
            "action: Foo\nsummary: Foo.\nresponse:\n  - name: RequestId\n    type: string\nexamples:\n  json: '{{{}}}'\n",
            keys.join(", ")
        );
        let err = validate(&source(&[("product.yaml", PRODUCT), ("actions/Foo.yaml", &action)])).unwrap_err();
        assert_eq!(err.len(), MAX_DIAGNOSTICS_PER_FILE + 1);
        assert_eq!(err[MAX_DIAGNOSTICS_PER_FILE].message, "and 19950 more problem(s) in this file, not shown");
        assert_eq!(crate::problem_count(&err), 20_000);
    }

    #[test]
    fn a_third_copy_names_the_first() {
        let action = "action: Foo\nsummary: Foo.\nrequest:\n  - {name: A, type: string}\n  - {name: A, type: string}\n  - {name: A, type: string}\n";
        let rendered = diagnostics(action);
        assert_eq!(rendered.matches("(first at line 4)").count(), 2, "{rendered}");
    }
}
