//! Turns spec files into the checked `model`, collecting every problem.
//!
//! Each file is parsed by `serde_yaml` into `spec` (syntax errors, unknown keys
//! and wrong value types stop that file, with `serde_yaml`'s position); then
//! every semantic rule is checked and each violation becomes a `Diagnostic`
//! whose position comes from `locate`. Nothing stops at the first problem.

mod examples;
mod groups;
mod lifecycle;
mod yaml_errors;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::Hash;

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::locate::{Locations, Path, Seg, child as p};
use crate::model::{
    ACTION_TYPE_SUFFIXES, Action, Constraints, ErrorDef, Field, NamedType, Product, Style, Ty, TypeBody, TypeRef,
    Variant, struct_fields,
};
use crate::naming;
use crate::spec::{ActionFile, EnumValue, ErrorSpec, Member, ProductFile, TypeDef};

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

/// Names an action's module (and its `Client` method) cannot take: the
/// generated modules beside the actions, and the `Client`'s own methods.
const RESERVED_ACTION_MODULES: &[(&str, &str)] = &[
    ("types", "the module of the shared types"),
    ("lifecycle", "the module of the resource lifecycles"),
    ("builder", "the `Client::builder` method"),
    ("from_env", "the `Client::from_env` method"),
    ("runtime", "the `Client::runtime` method"),
    ("dry_run", "the `Client::dry_run` method"),
];

/// Names generated code uses unqualified; a spec type with one of them would
/// shadow it in its module.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "List",
    "Struct",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "Vec",
    "String",
    "Box",
    "Default",
    "From",
    "Into",
    "IntoIterator",
    "Iterator",
    "Send",
    "Sync",
    "Clone",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Self",
];

/// Method names a member cannot take: the request builder's own (`build`,
/// `send`), and `default`, which would hide `Default::default` on a struct
/// that has setters.
const RESERVED_MEMBER_NAMES: &[(&str, &str)] = &[
    ("build", "the request builder's `build` method"),
    ("send", "the request builder's `send` method"),
    ("default", "`Default::default`, which builds structs"),
];

const SCALARS: &[&str] = &["string", "integer", "long", "boolean", "float"];
const TYPE_HELP: &str = "use string, integer, long, boolean, float, list (with `items:`), struct (with `fields:`), or the name of a type declared under `types:`";

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

struct Checker {
    diags: Vec<Diagnostic>,
}

impl Checker {
    fn error(&mut self, fx: &FileCx, path: &[Seg], message: impl Into<String>, help: impl Into<String>) {
        self.error_at(fx, fx.loc.find(path), message, help);
    }

    fn error_at(&mut self, fx: &FileCx, at: (usize, usize), message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic {
            file: fx.display.clone(),
            line: at.0,
            column: at.1,
            message: message.into(),
            help: help.into(),
        });
    }

    /// Parses one file into its spec struct. `empty_help` says what an empty
    /// file should start with.
    fn parse<T: DeserializeOwned>(&mut self, display: &str, text: &str, empty_help: &str) -> Option<(T, FileCx)> {
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
    fn check_yaml(&mut self, fx: &FileCx, empty_help: &str) -> bool {
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

fn error_position(err: &serde_yaml::Error) -> (usize, usize) {
    err.location().map_or((1, 1), |l| (l.line().max(1), l.column().max(1)))
}

/// The candidate closest to `word` by edit distance, if any is close enough.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
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
    let mut ck = Checker { diags: Vec::new() };
    let display = |rel: &str| {
        if source.root.is_empty() { rel.to_owned() } else { format!("{}/{rel}", source.root) }
    };

    let mut product_file = None;
    let mut action_files = Vec::new();
    for file in &source.files {
        if file.path == "product.yaml" {
            let help = "write at least `product`, `version`, `style`, `endpoint` and `summary`; see spec/README.md";
            product_file = ck.parse::<ProductFile>(&display(&file.path), &file.text, help);
        } else if let Some(name) = file.path.strip_prefix("actions/") {
            if let Some(stem) = name.strip_suffix(".yaml").filter(|s| !s.contains('/')) {
                let help = format!("write at least `action: {stem}` and `summary: ...`; see spec/README.md");
                if let Some(parsed) = ck.parse::<ActionFile>(&display(&file.path), &file.text, &help) {
                    action_files.push((stem.to_owned(), file.path.clone(), parsed));
                }
            } else {
                ck.diags.push(Diagnostic {
                    file: display(&file.path),
                    line: 1,
                    column: 1,
                    message: "not an action file: action files are `actions/<Action>.yaml`".into(),
                    help: "rename it to end in `.yaml`, or move it out of `actions/`".into(),
                });
            }
        }
    }
    let Some((product, pfx)) = product_file else {
        if !source.files.iter().any(|f| f.path == "product.yaml") {
            ck.diags.push(Diagnostic {
                file: display("product.yaml"),
                line: 1,
                column: 1,
                message: "the spec has no product.yaml".into(),
                help: "create it with `product`, `version`, `style`, `endpoint` and `summary`; see spec/README.md"
                    .into(),
            });
        }
        return Err(finish(ck.diags));
    };

    check_product_header(&mut ck, &product, &pfx);
    let common_errors = check_errors(&mut ck, &pfx, &product.common_errors, &["common_errors".into()], true);

    // Declare every named type first so that references may point forward.
    let shared_decl = declare_types(&mut ck, &pfx, &product.types, &BTreeMap::new());
    let empty = BTreeMap::new();
    let shared_scope = Scope { local: &empty, shared: &shared_decl, in_product: true };
    let mut shared_hoisted = Vec::new();
    let shared_types = check_type_bodies(&mut ck, &pfx, &product.types, &shared_scope, &mut shared_hoisted);
    let shared_types =
        finish_types(&mut ck, &pfx, shared_types, shared_hoisted, &shared_decl, &BTreeMap::new(), &[], true);
    let mut resources = lifecycle::check_resources(&mut ck, &pfx, &product.resources, &shared_types);
    let groups = groups::check_groups(&mut ck, &pfx, &product.groups);
    let endpoints = groups::check_endpoints(&mut ck, &pfx, &product.endpoints);

    action_files.sort_by(|a, b| a.0.cmp(&b.0));
    check_action_names_unique(&mut ck, &action_files);
    let mut actions: Vec<Action> = Vec::new();
    for (stem, rel, (file, fx)) in &action_files {
        let action =
            check_action(&mut ck, stem, rel, file, fx, &shared_decl, &shared_types, &common_errors, &resources);
        let group = groups::check_action_group(&mut ck, fx, file.group.as_deref(), &groups);
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
        resources[r].waiter = lifecycle::check_waiter(&mut ck, &pfx, i, waiter, &resources[r], &actions, &shared_types);
    }

    if !ck.diags.is_empty() {
        return Err(finish(ck.diags));
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

/// Two files must not define one action, nor two actions share a Rust
/// module. Checked on the names alone, so that a file with other problems
/// still takes part.
fn check_action_names_unique(ck: &mut Checker, action_files: &[(String, String, (ActionFile, FileCx))]) {
    let mut seen_actions: HashMap<&str, &FileCx> = HashMap::new();
    let mut seen_modules: HashMap<String, &str> = HashMap::new();
    for (_, _, (file, fx)) in action_files {
        if !is_pascal_identifier(&file.action) {
            // check_action reports the name itself.
            continue;
        }
        if let Some(first) = first_seen(&mut seen_actions, &file.action, fx) {
            let (line, _) = first.loc.find(&["action".into()]);
            ck.error(
                fx,
                &["action".into()],
                format!("action `{}` is also defined in {}:{line}", file.action, first.display),
                "keep one definition",
            );
            continue;
        }
        let module = naming::snake(&file.action);
        if let Some((_, what)) = RESERVED_ACTION_MODULES.iter().find(|(m, _)| *m == module) {
            ck.error(
                fx,
                &["action".into()],
                format!("action `{}` would become the Rust name `{module}`, which is taken by {what}", file.action),
                "the name is reserved; check the action's name against the API reference",
            );
            continue;
        }
        if let Some(first) = first_seen(&mut seen_modules, module.clone(), &file.action) {
            ck.error(
                fx,
                &["action".into()],
                format!("actions `{first}` and `{}` both become the Rust module `{module}`", file.action),
                "the names differ only in case; write the action exactly as the API names it",
            );
        }
    }
}

fn finish(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort();
    diags.dedup();
    diags
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

/// Prose rules: not empty where required, and no unrendered doc-link markers.
fn check_text(ck: &mut Checker, fx: &FileCx, path: &[Seg], text: &str, required: bool) {
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
fn not_pascal(what: &str, name: &str) -> String {
    if name.trim().is_empty() {
        format!("{what} is empty")
    } else {
        format!("{what} `{name}` is not a PascalCase name")
    }
}

/// The first `~~...~~` marker of `text` (or, when it is never closed, the
/// opening `~~` and the word after it).
fn doc_link_marker(text: &str) -> Option<&str> {
    let start = text.find("~~")?;
    let rest = &text[start + 2..];
    let end = match rest.find("~~") {
        Some(close) if !rest[..close].contains(char::is_whitespace) => close + 4,
        _ => rest.find(char::is_whitespace).unwrap_or(rest.len()) + 2,
    };
    Some(&text[start..start + end])
}

fn is_pascal_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn is_wire_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn check_errors(ck: &mut Checker, fx: &FileCx, list: &[ErrorSpec], base: &[Seg], common: bool) -> Vec<ErrorDef> {
    let mut out = Vec::new();
    let mut codes: HashMap<&str, usize> = HashMap::new();
    let mut variants: HashMap<String, (&str, usize)> = HashMap::new();
    let line_of = |i: usize| fx.loc.find(&p(&p(base, i), "code")).0;
    for (i, e) in list.iter().enumerate() {
        let path = p(base, i);
        if !is_wire_name(&e.code) {
            let message = if e.code.trim().is_empty() {
                "error code is empty".to_owned()
            } else {
                format!("error code `{}` is not a valid code", e.code)
            };
            ck.error(fx, &p(&path, "code"), message, "codes are letters, digits, `.`, `_` and `-`, starting with a letter, such as `Forbidden.NotAllowedInState`");
            continue;
        }
        if let Some(first) = first_seen(&mut codes, &e.code, i) {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error code `{}` is listed twice (first at line {})", e.code, line_of(first)),
                "remove one of the entries",
            );
            continue;
        }
        if !(400..=599).contains(&e.status) {
            ck.error(
                fx,
                &p(&path, "status"),
                format!("HTTP status {} of error `{}` is outside 400-599", e.status, e.code),
                "use the status the service answers with, such as 400 or 404",
            );
            continue;
        }
        let variant = naming::pascal(&e.code);
        if variant == "Unhandled" || variant == "Common" {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error code `{}` would take the reserved variant name `{variant}`", e.code),
                "`Common` wraps the product's common errors and `Unhandled` holds codes the spec does not list",
            );
            continue;
        }
        if let Some((other, first)) = first_seen(&mut variants, variant.clone(), (&e.code, i)) {
            ck.error(
                fx,
                &p(&path, "code"),
                format!(
                    "error codes `{}` and `{other}` (line {}) both become the Rust variant `{variant}`",
                    e.code,
                    line_of(first)
                ),
                "they differ only in punctuation or case: keep the code the service returns and remove the other",
            );
            continue;
        }
        check_text(ck, fx, &p(&path, "message"), &e.message, true);
        if let Some(d) = &e.description {
            check_text(ck, fx, &p(&path, "description"), d, false);
        }
        out.push(ErrorDef {
            code: e.code.clone(),
            variant,
            status: e.status as u16,
            message: e.message.clone(),
            description: e.description.clone(),
            common,
        });
    }
    out
}

/// Registers named types (name and, for enums, values) before bodies are checked.
fn declare_types(
    ck: &mut Checker,
    fx: &FileCx,
    defs: &[TypeDef],
    outer: &BTreeMap<String, Declared>,
) -> BTreeMap<String, Declared> {
    let mut out = BTreeMap::new();
    for (i, def) in defs.iter().enumerate() {
        let path = ["types".into(), i.into(), "name".into()];
        if !is_pascal_identifier(&def.name) {
            ck.error(
                fx,
                &path,
                not_pascal("type name", &def.name),
                "use letters and digits, starting with an upper-case letter, such as `PhysicalConnectionStatus`",
            );
            continue;
        }
        if SCALARS.contains(&def.name.to_ascii_lowercase().as_str()) || RESERVED_TYPE_NAMES.contains(&def.name.as_str())
        {
            ck.error(fx, &path, format!("type name `{}` is reserved", def.name), "pick a more specific name");
            continue;
        }
        if outer.contains_key(&def.name) {
            ck.error(
                fx,
                &path,
                format!("type `{}` is already declared in product.yaml", def.name),
                "use the shared type, or give this one another name",
            );
            continue;
        }
        let is_enum = def.kind == "enum";
        let values = def
            .values
            .iter()
            .flatten()
            .flat_map(|v| std::iter::once(v.value.clone()).chain(v.aliases.iter().cloned()))
            .collect();
        if out.insert(def.name.clone(), Declared { is_enum, values }).is_some() {
            ck.error(fx, &path, format!("type `{}` is declared twice", def.name), "remove or rename one of them");
        }
    }
    out
}

fn check_type_body(
    ck: &mut Checker,
    fx: &FileCx,
    def: &TypeDef,
    path: &[Seg],
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<NamedType> {
    if let Some(d) = &def.description {
        check_text(ck, fx, &p(path, "description"), d, false);
    }
    let body = match def.kind.as_str() {
        "enum" => {
            if def.fields.is_some() {
                ck.error(
                    fx,
                    &p(path, "fields"),
                    format!("enum `{}` has `fields`", def.name),
                    "enums have `values`; use `kind: struct` for a struct",
                );
            }
            let Some(values) = def.values.as_ref().filter(|v| !v.is_empty()) else {
                ck.error(
                    fx,
                    &p(path, if def.values.is_some() { "values" } else { "kind" }),
                    format!("enum `{}` has no `values`", def.name),
                    "list its known values under `values:`, each as `- value: ...`",
                );
                return None;
            };
            let mut variants = Vec::new();
            let mut wire_seen: HashMap<&str, usize> = HashMap::new();
            let mut rust_seen: HashMap<String, (&str, usize)> = HashMap::new();
            for (i, v) in values.iter().enumerate() {
                let vpath = p(&p(path, "values"), i);
                if v.value.trim().is_empty() {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        "enum value is empty",
                        "write the value exactly as the service sends it",
                    );
                    continue;
                }
                if !check_spellings_unique(ck, fx, v, &vpath, &mut wire_seen) {
                    continue;
                }
                let rust = match &v.rust_name {
                    Some(r) if is_pascal_identifier(r) => r.clone(),
                    Some(r) => {
                        ck.error(
                            fx,
                            &p(&vpath, "rust_name"),
                            format!("`{r}` is not a PascalCase Rust name"),
                            "use letters and digits, starting with an upper-case letter",
                        );
                        continue;
                    }
                    None => naming::pascal(&v.value),
                };
                if rust.is_empty() || rust == "Unknown" {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        format!("enum value `{}` cannot be named in Rust (it becomes `{rust}`)", v.value),
                        "set `rust_name:` for this value",
                    );
                    continue;
                }
                if let Some((other, line)) = first_seen(&mut rust_seen, rust.clone(), (&v.value, fx.loc.find(&vpath).0))
                {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        format!(
                            "enum values `{}` and `{other}` (line {line}) both become the Rust variant `{rust}`",
                            v.value
                        ),
                        "make one an `aliases:` entry of the other, or set `rust_name:`",
                    );
                    continue;
                }
                if let Some(d) = &v.description {
                    check_text(ck, fx, &p(&vpath, "description"), d, false);
                }
                variants.push(Variant {
                    value: v.value.clone(),
                    aliases: v.aliases.clone(),
                    rust,
                    description: v.description.clone(),
                });
            }
            TypeBody::Enum(variants)
        }
        "struct" => {
            if def.values.is_some() {
                ck.error(
                    fx,
                    &p(path, "values"),
                    format!("struct `{}` has `values`", def.name),
                    "structs have `fields`; use `kind: enum` for an enum",
                );
            }
            let Some(fields) = def.fields.as_ref().filter(|f| !f.is_empty()) else {
                ck.error(
                    fx,
                    &p(path, if def.fields.is_some() { "fields" } else { "kind" }),
                    format!("struct `{}` has no `fields`", def.name),
                    "list its fields under `fields:`",
                );
                return None;
            };
            TypeBody::Struct(check_members(ck, fx, fields, &p(path, "fields"), Side::Any, scope, hoisted)?)
        }
        other => {
            ck.error(fx, &p(path, "kind"), format!("type kind `{other}` is not known"), "use `enum` or `struct`");
            return None;
        }
    };
    Some(NamedType {
        name: def.name.clone(),
        description: def.description.clone(),
        body,
        in_request: false,
        in_json: false,
    })
}

/// Checks that no value or alias of an enum entry was written before, by
/// this entry or an earlier one. False when one was.
fn check_spellings_unique<'a>(
    ck: &mut Checker,
    fx: &FileCx,
    v: &'a EnumValue,
    vpath: &[Seg],
    seen: &mut HashMap<&'a str, usize>,
) -> bool {
    let mut unique = true;
    let spellings = std::iter::once((&v.value, p(vpath, "value")))
        .chain(v.aliases.iter().enumerate().map(|(j, a)| (a, p(&p(vpath, "aliases"), j))));
    for (spelling, at) in spellings {
        let line = fx.loc.find(&at).0;
        if let Some(first) = first_seen(seen, spelling.as_str(), line) {
            let what = if at.last() == Some(&Seg::from("value")) { "enum value" } else { "alias" };
            ck.error(
                fx,
                &at,
                format!("{what} `{spelling}` is listed twice in this enum (first at line {first})"),
                "remove the repeated value or alias",
            );
            unique = false;
        }
    }
    unique
}

/// Checks a list of members and the names they share; `None` when any is wrong.
fn check_members(
    ck: &mut Checker,
    fx: &FileCx,
    list: &[Member],
    base: &[Seg],
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Vec<Field>> {
    let before = ck.diags.len();
    let mut out = Vec::new();
    let mut wire_seen: HashMap<&str, usize> = HashMap::new();
    let mut rust_seen: HashMap<String, (&str, usize)> = HashMap::new();
    for (i, m) in list.iter().enumerate() {
        let path = p(base, i);
        let name_path = p(&path, "name");
        if m.name.trim().is_empty() {
            ck.error(fx, &name_path, "name is empty", "write the exact wire name, such as `RegionId`");
            continue;
        }
        if !is_wire_name(&m.name) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` is not a wire name", m.name),
                "wire names are letters, digits, `.`, `_` and `-`, starting with a letter",
            );
            continue;
        }
        let line = fx.loc.find(&name_path).0;
        if let Some(first) = first_seen(&mut wire_seen, &m.name, line) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` is listed twice (first at line {first})", m.name),
                "remove one of the entries",
            );
            continue;
        }
        let Some(field) = check_member(ck, fx, m, &path, side, scope, hoisted) else {
            continue;
        };
        if let Some((name, what)) = RESERVED_MEMBER_NAMES.iter().find(|(n, _)| *n == field.rust) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` would become the Rust name `{name}`, which is taken by {what}", m.name),
                "set `rust_name:` to another name",
            );
            continue;
        }
        if let Some((other, first)) = first_seen(&mut rust_seen, field.rust.clone(), (&m.name, line)) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` and `{other}` (line {first}) both become the Rust name `{}`", m.name, field.rust),
                "keep the spelling the API uses and remove the other, or set `rust_name:` on one of them",
            );
            continue;
        }
        out.push(field);
    }
    (ck.diags.len() == before).then_some(out)
}

fn check_member(
    ck: &mut Checker,
    fx: &FileCx,
    m: &Member,
    path: &[Seg],
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Field> {
    let before = ck.diags.len();
    let rust = match &m.rust_name {
        Some(r) if naming::is_identifier(r) && !r.chars().any(|c| c.is_ascii_uppercase()) => r.clone(),
        Some(r) => {
            ck.error(
                fx,
                &p(path, "rust_name"),
                format!("`{r}` is not a snake_case Rust name"),
                "use lower-case letters, digits and `_`, and no keyword",
            );
            return None;
        }
        None => naming::snake(&m.name),
    };
    if let Some(d) = &m.description {
        check_text(ck, fx, &p(path, "description"), d, false);
    }

    let ty = resolve(ck, fx, m, path, side, scope, hoisted)?;
    let is_list = matches!(ty, Ty::List(_));
    let is_struct_like = |t: &Ty| matches!(t, Ty::Named(r) if !r.is_enum);
    let elem = ty.element();
    if m.items.is_some() && !is_list {
        ck.error(fx, &p(path, "items"), "`items` is only for `type: list`", "remove `items`, or set `type: list`");
    }
    let inline_struct = m.ty == "struct" || m.items.as_deref() == Some("struct");
    if m.fields.is_some() && !inline_struct {
        ck.error(
            fx,
            &p(path, "fields"),
            "`fields` is only for `type: struct` or `items: struct`",
            "remove `fields`, or declare the type as an inline struct",
        );
    }
    if m.struct_name.is_some() && !inline_struct {
        ck.error(
            fx,
            &p(path, "struct"),
            "`struct` names an inline struct, but this member has none",
            "remove `struct`",
        );
    }
    if let Some(wrapper) = &m.wrapper {
        if side == Side::Request {
            ck.error(
                fx,
                &p(path, "wrapper"),
                "`wrapper` is only for response lists",
                "request lists are flattened as `Name.N`; remove `wrapper`",
            );
        } else if !is_list {
            ck.error(fx, &p(path, "wrapper"), "`wrapper` is only for lists", "set `type: list`, or remove `wrapper`");
        } else if !is_wire_name(wrapper) {
            ck.error(
                fx,
                &p(path, "wrapper"),
                format!("`{wrapper}` is not an element name"),
                "write the name each item is wrapped in, such as `PhysicalConnectionType`",
            );
        }
    }
    let style = match m.style.as_deref() {
        None | Some("flat") => Style::Flat,
        Some("json") => Style::Json,
        Some("simple") => Style::Simple,
        Some(other) => {
            ck.error(
                fx,
                &p(path, "style"),
                format!("style `{other}` is not known"),
                "use `flat` (Name.1.Key, the default), `json` or `simple`",
            );
            Style::Flat
        }
    };
    if m.style.is_some() {
        if side == Side::Response {
            ck.error(fx, &p(path, "style"), "`style` is only for request parameters", "remove `style`");
        } else if !is_list && !is_struct_like(&ty) {
            ck.error(fx, &p(path, "style"), "`style` is only for lists and structs", "remove `style`");
        } else if style == Style::Simple && (!is_list || is_struct_like(elem)) {
            ck.error(
                fx,
                &p(path, "style"),
                "`style: simple` joins scalars with commas and needs a list of scalars",
                "use `style: json` for structs",
            );
        }
    }
    let in_body = match m.position.as_deref() {
        None | Some("query") => false,
        Some("body") => true,
        Some(other) => {
            ck.error(
                fx,
                &p(path, "position"),
                format!("position `{other}` is not known"),
                "use `query` (the default) or `body` (the form body)",
            );
            false
        }
    };
    if m.position.is_some() && (side != Side::Request || path.len() != 2) {
        ck.error(
            fx,
            &p(path, "position"),
            "`position` is only for top-level request parameters",
            "remove `position`; a struct's fields travel where the struct does",
        );
    }
    if m.idempotency_token {
        if side != Side::Request {
            ck.error(
                fx,
                &p(path, "idempotency_token"),
                "only a request parameter can be the idempotency token",
                "remove `idempotency_token`",
            );
        } else if ty != Ty::String {
            ck.error(
                fx,
                &p(path, "type"),
                format!("the idempotency token `{}` is `{}`, but must be a string", m.name, describe(&ty)),
                "set `type: string`; the client fills the token with a fresh UUID when left empty",
            );
        } else if m.required {
            ck.error(
                fx,
                &p(path, "required"),
                format!("the idempotency token `{}` is required, but must be optional", m.name),
                "remove `required: true`; the client fills the token with a fresh UUID when left empty",
            );
        }
    }
    let c = Constraints {
        min_length: m.min_length,
        max_length: m.max_length,
        minimum: m.minimum,
        maximum: m.maximum,
        max_items: m.max_items,
    };
    let stringish = matches!(elem, Ty::String);
    if (c.min_length.is_some() || c.max_length.is_some()) && !stringish {
        let key = if c.min_length.is_some() { "min_length" } else { "max_length" };
        ck.error(
            fx,
            &p(path, key),
            format!("`{key}` applies to strings, but `{}` is `{}`", m.name, describe(&ty)),
            "remove it; for numbers, bound the value with `minimum` and `maximum`",
        );
    }
    if let (Some(lo), Some(hi)) = (c.min_length, c.max_length) {
        if lo > hi {
            ck.error(
                fx,
                &p(path, "min_length"),
                format!("`min_length` {lo} is above `max_length` {hi}"),
                "swap or fix the limits",
            );
        }
    }
    if (c.minimum.is_some() || c.maximum.is_some()) && !matches!(elem, Ty::Integer | Ty::Long) {
        let key = if c.minimum.is_some() { "minimum" } else { "maximum" };
        ck.error(
            fx,
            &p(path, key),
            format!("`{key}` applies to integers, but `{}` is `{}`", m.name, describe(&ty)),
            "remove it; for text, limit the length with `min_length` and `max_length`",
        );
    }
    if let (Some(lo), Some(hi)) = (c.minimum, c.maximum) {
        if lo > hi {
            ck.error(
                fx,
                &p(path, "minimum"),
                format!("`minimum` {lo} is above `maximum` {hi}"),
                "swap or fix the bounds",
            );
        }
    }
    if c.max_items.is_some() && !is_list {
        ck.error(
            fx,
            &p(path, "max_items"),
            format!("`max_items` applies to lists, but `{}` is `{}`", m.name, describe(&ty)),
            "remove it, or set `type: list`",
        );
    }
    let example = match &m.example {
        None => None,
        Some(value) => match check_example(value, &ty, scope) {
            Ok(rendered) => Some(rendered),
            Err(mismatch) => {
                let at = [p(path, "example"), mismatch.at].concat();
                ck.error(fx, &at, mismatch.message, mismatch.help);
                None
            }
        },
    };
    if ck.diags.len() != before {
        return None;
    }
    Some(Field {
        wire: m.name.clone(),
        rust,
        ty,
        required: m.required,
        description: m.description.clone(),
        example,
        deprecated: m.deprecated,
        wrapper: m.wrapper.clone(),
        style,
        in_body,
        idempotency_token: m.idempotency_token,
        sensitive: m.sensitive,
        constraints: c,
    })
}

fn describe(ty: &Ty) -> String {
    match ty {
        Ty::String => "string".into(),
        Ty::Integer => "integer".into(),
        Ty::Long => "long".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Float => "float".into(),
        Ty::Named(r) => r.name.clone(),
        Ty::List(inner) => format!("list of {}", describe(inner)),
    }
}

fn resolve(
    ck: &mut Checker,
    fx: &FileCx,
    m: &Member,
    path: &[Seg],
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Ty> {
    match m.ty.as_str() {
        "list" => {
            let Some(items) = &m.items else {
                ck.error(
                    fx,
                    &p(path, "type"),
                    format!("list `{}` has no `items`", m.name),
                    "add `items:` with the element type, such as `items: string`",
                );
                return None;
            };
            let ipath = p(path, "items");
            let inner = match items.as_str() {
                "list" => {
                    ck.error(
                        fx,
                        &ipath,
                        "lists of lists are not supported",
                        "make the element a struct with a list field",
                    );
                    return None;
                }
                "struct" => {
                    inline_struct(ck, fx, m, path, m.wrapper.as_deref().unwrap_or(&m.name), side, scope, hoisted)?
                }
                other => scalar_or_named(ck, fx, other, &ipath, scope)?,
            };
            Some(Ty::List(Box::new(inner)))
        }
        "struct" => inline_struct(ck, fx, m, path, &m.name, side, scope, hoisted),
        other => scalar_or_named(ck, fx, other, &p(path, "type"), scope),
    }
}

fn scalar_or_named(ck: &mut Checker, fx: &FileCx, name: &str, path: &[Seg], scope: &Scope) -> Option<Ty> {
    Some(match name {
        "string" => Ty::String,
        "integer" => Ty::Integer,
        "long" => Ty::Long,
        "boolean" => Ty::Boolean,
        "float" => Ty::Float,
        named => match scope.get(named) {
            Some((decl, shared)) => {
                Ty::Named(TypeRef { name: named.to_owned(), shared, is_enum: decl.is_enum, required_inside: false })
            }
            None => {
                let known = SCALARS
                    .iter()
                    .copied()
                    .chain(["list", "struct"])
                    .chain(scope.local.keys().map(String::as_str))
                    .chain(scope.shared.keys().map(String::as_str));
                let help = match closest(named, known) {
                    Some(best) => format!("did you mean `{best}`? Otherwise {TYPE_HELP}"),
                    None => TYPE_HELP.to_owned(),
                };
                ck.error(fx, path, format!("unknown type `{named}`"), help);
                return None;
            }
        },
    })
}

#[allow(clippy::too_many_arguments)]
fn inline_struct(
    ck: &mut Checker,
    fx: &FileCx,
    m: &Member,
    path: &[Seg],
    default_name: &str,
    side: Side,
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Option<Ty> {
    let name = m.struct_name.clone().unwrap_or_else(|| naming::pascal(default_name));
    if !is_pascal_identifier(&name) {
        ck.error(
            fx,
            &p(path, "struct"),
            not_pascal("struct name", &name),
            "use letters and digits, starting with an upper-case letter",
        );
        return None;
    }
    let Some(fields) = m.fields.as_ref().filter(|f| !f.is_empty()) else {
        ck.error(
            fx,
            &p(path, if m.fields.is_some() { "fields" } else { "type" }),
            format!("inline struct `{}` has no `fields`", m.name),
            "list its fields under `fields:`",
        );
        return None;
    };
    let fields = check_members(ck, fx, fields, &p(path, "fields"), side, scope, hoisted)?;
    let path_for_name = if m.struct_name.is_some() { p(path, "struct") } else { p(path, "name") };
    hoisted.push((
        NamedType {
            name: name.clone(),
            description: m.description.clone(),
            body: TypeBody::Struct(fields),
            in_request: false,
            in_json: false,
        },
        path_for_name,
    ));
    Some(Ty::Named(TypeRef { name, shared: scope.in_product, is_enum: false, required_inside: false }))
}

/// Inline struct names must not clash with each other, with declared types, or
/// with the names generated for the action.
fn check_hoisted_names(
    ck: &mut Checker,
    fx: &FileCx,
    hoisted: &[(NamedType, Path)],
    declared: &BTreeMap<String, Declared>,
    shared: &BTreeMap<String, Declared>,
    reserved: &[String],
) {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for (t, path) in hoisted {
        let earlier =
            first_seen(&mut seen, t.name.as_str(), path).map(|first| format!(" (line {})", fx.loc.find(first).0));
        let clash = if let Some(line) = earlier {
            Some(format!("another inline struct of this file{line}"))
        } else if declared.contains_key(&t.name) {
            Some("a type declared under `types:` in this file".to_owned())
        } else if shared.contains_key(&t.name) {
            Some("a shared type in product.yaml".to_owned())
        } else if reserved.contains(&t.name) {
            Some("a type generated for the action".to_owned())
        } else if RESERVED_TYPE_NAMES.contains(&t.name.as_str()) {
            Some("a name generated code relies on".to_owned())
        } else {
            None
        };
        if let Some(what) = clash {
            ck.error(
                fx,
                path,
                format!("inline struct `{}` has the same name as {what}", t.name),
                "set `struct:` to give it another name, or declare one shared type and use it in both places",
            );
        }
    }
}

/// Where an inline struct's fields are written, given where its name is (its
/// member's `struct` or `name`).
/// Checks the bodies of the types declared under `types:`; each comes back
/// with the path of its fields, for messages about them.
fn check_type_bodies(
    ck: &mut Checker,
    fx: &FileCx,
    defs: &[TypeDef],
    scope: &Scope,
    hoisted: &mut Vec<(NamedType, Path)>,
) -> Vec<(NamedType, Path)> {
    let mut types = Vec::new();
    for (i, def) in defs.iter().enumerate() {
        let path: Path = vec!["types".into(), i.into()];
        if let Some(t) = check_type_body(ck, fx, def, &path, scope, hoisted) {
            types.push((t, p(&path, "fields")));
        }
    }
    types
}

/// Joins a file's declared types and its inline structs, once every member
/// of the file is checked: their names must not clash and no struct may
/// hold itself.
#[allow(clippy::too_many_arguments)]
fn finish_types(
    ck: &mut Checker,
    fx: &FileCx,
    mut types: Vec<(NamedType, Path)>,
    hoisted: Vec<(NamedType, Path)>,
    declared: &BTreeMap<String, Declared>,
    shared: &BTreeMap<String, Declared>,
    reserved: &[String],
    in_product: bool,
) -> Vec<NamedType> {
    check_hoisted_names(ck, fx, &hoisted, declared, shared, reserved);
    types.extend(hoisted.into_iter().map(|(t, name_path)| (t, fields_path_of_inline(&name_path))));
    check_struct_cycles(ck, fx, &types, in_product);
    types.into_iter().map(|(t, _)| t).collect()
}

fn fields_path_of_inline(name_path: &[Seg]) -> Path {
    let mut path = name_path.to_vec();
    path.pop();
    path.push("fields".into());
    path
}

/// A struct must not contain itself other than through a list: its Rust
/// type would have infinite size. `types` pairs each type with where its
/// fields are written; `shared` says which references stay within `types`
/// (shared types never refer to an action's own).
fn check_struct_cycles(ck: &mut Checker, fx: &FileCx, types: &[(NamedType, Path)], shared: bool) {
    let mut search = CycleSearch {
        types,
        shared,
        index: types.iter().enumerate().map(|(i, (t, _))| (t.name.as_str(), i)).collect(),
        state: vec![Visit::New; types.len()],
        trail: Vec::new(),
        found: Vec::new(),
    };
    for start in 0..types.len() {
        if search.state[start] == Visit::New {
            search.visit(start);
        }
    }
    for (at, chain, name) in search.found {
        ck.error(
            fx,
            &at,
            format!("struct `{name}` contains itself ({chain}), so its Rust type would have infinite size"),
            format!("make the field a list (`type: list` with `items: {name}`), or remove it"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    /// On the current search path: reaching it again closes a cycle.
    Active,
    Done,
}

/// A depth-first search over struct fields that are neither lists nor enums.
struct CycleSearch<'a> {
    types: &'a [(NamedType, Path)],
    shared: bool,
    index: HashMap<&'a str, usize>,
    state: Vec<Visit>,
    /// The fields followed to reach the current type: its type's index, its
    /// own index, and its wire name.
    trail: Vec<(usize, usize, &'a str)>,
    /// Each cycle: the closing field's `type`, the chain, the struct's name.
    found: Vec<(Path, String, String)>,
}

impl<'a> CycleSearch<'a> {
    fn visit(&mut self, t: usize) {
        self.state[t] = Visit::Active;
        let types: &'a [(NamedType, Path)] = self.types;
        if let TypeBody::Struct(fields) = &types[t].0.body {
            for (f, field) in fields.iter().enumerate() {
                let Some(next) = self.direct_struct(&field.ty) else { continue };
                self.trail.push((t, f, &field.wire));
                match self.state[next] {
                    Visit::New => self.visit(next),
                    Visit::Active => self.record_cycle(next),
                    Visit::Done => {}
                }
                self.trail.pop();
            }
        }
        self.state[t] = Visit::Done;
    }

    /// The struct of `types` a field of type `ty` holds in place, if any.
    fn direct_struct(&self, ty: &Ty) -> Option<usize> {
        match ty {
            Ty::Named(r) if !r.is_enum && r.shared == self.shared => self.index.get(r.name.as_str()).copied(),
            _ => None,
        }
    }

    /// The trail from where it first leaves `target` is the cycle; its last
    /// field closes it.
    fn record_cycle(&mut self, target: usize) {
        let Some(&(t, f, _)) = self.trail.last() else { return };
        let start = self.trail.iter().position(|(from, ..)| *from == target).unwrap_or(0);
        let steps: Vec<String> =
            self.trail[start..].iter().map(|(from, _, wire)| format!("{}.{wire}", self.types[*from].0.name)).collect();
        let at = [self.types[t].1.clone(), vec![f.into(), "type".into()]].concat();
        self.found.push((at, steps.join(" -> "), self.types[target].0.name.clone()));
    }
}

/// Why an example does not fit its type, and which part of it.
struct Mismatch {
    /// Path from the `example` node to the offending value (a list index).
    at: Path,
    message: String,
    help: String,
}

/// Checks an example against its type and renders it for documentation.
fn check_example(value: &serde_yaml::Value, ty: &Ty, scope: &Scope) -> Result<String, Mismatch> {
    use serde_yaml::Value as V;
    check_example_value(value, ty, scope, "example")?;
    Ok(match value {
        V::String(s) => s.clone(),
        V::Number(n) => n.to_string(),
        V::Bool(b) => b.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    })
}

/// `what` names the value in messages: the example, or an item of it.
fn check_example_value(value: &serde_yaml::Value, ty: &Ty, scope: &Scope, what: &str) -> Result<(), Mismatch> {
    use serde_yaml::Value as V;
    let mismatch = |message: String, help: String| Err(Mismatch { at: Vec::new(), message, help });
    match (ty, value) {
        (Ty::String, V::String(_) | V::Number(_)) => Ok(()),
        (Ty::Integer, V::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => Ok(()),
        (Ty::Long, V::Number(n)) if n.as_i64().is_some() => Ok(()),
        (Ty::Integer | Ty::Long, V::Number(n)) if n.is_f64() => {
            mismatch(format!("{what} `{n}` is not a whole number"), example_help(ty, scope))
        }
        (Ty::Integer, V::Number(n)) => mismatch(
            format!("{what} `{n}` does not fit `integer`, which is 32-bit"),
            "use `type: long` for 64-bit values, or fix the example".into(),
        ),
        (Ty::Long, V::Number(n)) => mismatch(
            format!("{what} `{n}` does not fit `long`, which is 64-bit"),
            "fix the example, or use `type: string` if the service sends larger numbers".into(),
        ),
        (Ty::Float, V::Number(_)) => Ok(()),
        (Ty::Boolean, V::Bool(_)) => Ok(()),
        (Ty::List(inner), V::Sequence(items)) => items.iter().enumerate().try_for_each(|(i, item)| {
            check_example_value(item, inner, scope, "example item").map_err(|mut m| {
                m.at.insert(0, Seg::Index(i));
                m
            })
        }),
        (Ty::Named(r), V::String(s)) if r.is_enum => match scope.get(&r.name) {
            Some((decl, _)) if !decl.values.is_empty() && !decl.values.contains(s) => {
                mismatch(format!("{what} `{s}` is not a value of `{}`", r.name), example_help(ty, scope))
            }
            _ => Ok(()),
        },
        (Ty::Named(r), V::Mapping(_)) if !r.is_enum => Ok(()),
        (_, V::Null) => {
            mismatch(format!("{what} is empty"), "write an example value after the colon, or remove `example`".into())
        }
        (Ty::String, V::Sequence(_) | V::Mapping(_)) => mismatch(
            format!("{what} {}, not `string`", describe_value(value)),
            "write one text value; for several, make the type a list".into(),
        ),
        (_, other) => {
            mismatch(format!("{what} {}, not `{}`", describe_value(other), describe(ty)), example_help(ty, scope))
        }
    }
}

/// A YAML value as a message shows it: `` `abc` is text``, `is a list`.
fn describe_value(value: &serde_yaml::Value) -> String {
    use serde_yaml::Value as V;
    match value {
        V::Null => "is empty".into(),
        V::Bool(b) => format!("`{b}` is a boolean"),
        V::Number(n) => format!("`{n}` is a number"),
        V::String(s) => format!("`{s}` is text"),
        V::Sequence(_) => "is a list".into(),
        V::Mapping(_) => "is a mapping".into(),
        V::Tagged(_) => "is a tagged value".into(),
    }
}

/// How to write an example of type `ty`.
fn example_help(ty: &Ty, scope: &Scope) -> String {
    match ty {
        Ty::String => "put the example in quotes so that YAML reads it as text".into(),
        Ty::Integer | Ty::Long => "write a whole number without quotes, such as `10`".into(),
        Ty::Float => "write a number without quotes, such as `0.5`".into(),
        Ty::Boolean => "write `true` or `false`, without quotes".into(),
        Ty::List(_) => "write the example as a list, such as `[a, b]`".into(),
        Ty::Named(r) if !r.is_enum => "write the example as a mapping of field names to values".into(),
        Ty::Named(r) => match scope.get(&r.name).map(|(d, _)| &d.values) {
            Some(values) if !values.is_empty() => {
                const SHOWN: usize = 8;
                let mut listed: Vec<String> = values.iter().take(SHOWN).map(|v| format!("`{v}`")).collect();
                if values.len() > SHOWN {
                    listed.push("...".into());
                }
                format!("use one of its values: {}", listed.join(", "))
            }
            _ => "use one of its values".into(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn check_action(
    ck: &mut Checker,
    stem: &str,
    rel: &str,
    file: &ActionFile,
    fx: &FileCx,
    shared_decl: &BTreeMap<String, Declared>,
    shared_types: &[NamedType],
    common_errors: &[ErrorDef],
    resources: &[crate::model::Resource],
) -> Option<Action> {
    let before = ck.diags.len();
    let name_path: Path = vec!["action".into()];
    if !is_pascal_identifier(&file.action) {
        ck.error(
            fx,
            &name_path,
            not_pascal("action name", &file.action),
            "write the action exactly as the API names it, such as `CancelPhysicalConnection`",
        );
        return None;
    }
    if file.action != stem {
        ck.error(
            fx,
            &name_path,
            format!("action `{}` is in a file named `{stem}.yaml`", file.action),
            format!("rename the file to `actions/{}.yaml`, or fix the name", file.action),
        );
    }
    check_text(ck, fx, &["summary".into()], &file.summary, true);
    if let Some(d) = &file.description {
        check_text(ck, fx, &["description".into()], d, false);
    }
    let type_prefix = naming::pascal(&file.action);
    let reserved: Vec<String> = ACTION_TYPE_SUFFIXES.iter().map(|s| format!("{type_prefix}{s}")).collect();

    let local_decl = declare_types(ck, fx, &file.types, shared_decl);
    for (i, def) in file.types.iter().enumerate() {
        if reserved.contains(&def.name) {
            ck.error(
                fx,
                &["types".into(), i.into(), "name".into()],
                format!("type `{}` clashes with a type generated for the action", def.name),
                "pick another name",
            );
        }
    }
    let scope = Scope { local: &local_decl, shared: shared_decl, in_product: false };
    let mut hoisted = Vec::new();
    let types = check_type_bodies(ck, fx, &file.types, &scope, &mut hoisted);
    let request = check_members(ck, fx, &file.request, &["request".into()], Side::Request, &scope, &mut hoisted)
        .unwrap_or_default();
    let response = check_members(ck, fx, &file.response, &["response".into()], Side::Response, &scope, &mut hoisted)
        .unwrap_or_default();
    let types = finish_types(ck, fx, types, hoisted, &local_decl, shared_decl, &reserved, false);
    let structs = examples::Structs { local: &types, shared: shared_types };
    for (list, fields, members) in [("request", &request, &file.request), ("response", &response, &file.response)] {
        // Only when every member made a field, so that the two line up.
        if fields.len() == members.len() {
            let values: Vec<_> = members.iter().map(|m| m.example.as_ref()).collect();
            examples::check_members(ck, fx, list, fields, &values, &scope, &structs);
        }
    }

    let read_only =
        file.read_only.unwrap_or_else(|| ["Describe", "List", "Get"].iter().any(|p| file.action.starts_with(p)));
    let tokens: Vec<(usize, &Field)> = request.iter().enumerate().filter(|(_, f)| f.idempotency_token).collect();
    if let (true, Some((i, _))) = (read_only, tokens.first()) {
        ck.error(
            fx,
            &["request".into(), (*i).into(), "idempotency_token".into()],
            "a read-only action needs no idempotency token",
            "remove `idempotency_token: true`: read-only calls are retried freely, and the client must not fill in a token the caller did not ask for (or set `read_only: false` if the action changes something)",
        );
    }
    match (&file.deprecated_note, file.deprecated) {
        (Some(note), true) => check_text(ck, fx, &["deprecated_note".into()], note, false),
        (Some(_), false) => ck.error(
            fx,
            &["deprecated_note".into()],
            "`deprecated_note` is set, but the action is not deprecated",
            "set `deprecated: true`, or remove `deprecated_note`",
        ),
        (None, _) => {}
    }
    if tokens.len() > 1 {
        ck.error(
            fx,
            &["request".into(), tokens[1].0.into(), "idempotency_token".into()],
            "more than one parameter is marked `idempotency_token`",
            "mark only the `ClientToken` parameter",
        );
    }
    let mut errors = check_errors(ck, fx, &file.errors, &["errors".into()], false);
    let own_variants: HashSet<String> = errors.iter().map(|e| e.variant.clone()).collect();
    let own_codes: HashSet<String> = errors.iter().map(|e| e.code.clone()).collect();
    for common in common_errors {
        if own_codes.contains(&common.code) {
            continue;
        }
        if own_variants.contains(&common.variant) {
            let i = file.errors.iter().position(|e| naming::pascal(&e.code) == common.variant).unwrap_or(0);
            ck.error(
                fx,
                &["errors".into(), i.into(), "code".into()],
                format!(
                    "error code `{}` and the common error `{}` both become the Rust variant `{}`",
                    file.errors[i].code, common.code, common.variant
                ),
                "use the common error's exact code",
            );
            continue;
        }
        errors.push(common.clone());
    }

    if let Some(json) = &file.examples.json {
        check_json_example(ck, fx, json, &response, &structs);
    }
    if let Some(xml) = &file.examples.xml {
        check_xml_example(ck, fx, xml, &file.action);
    }

    let lifecycle = file
        .lifecycle
        .as_ref()
        .and_then(|l| lifecycle::check_action_lifecycle(ck, fx, l, &file.action, &errors, resources));
    let pagination =
        file.pagination.as_ref().and_then(|pg| lifecycle::check_pagination(ck, fx, pg, &request, &response));

    if ck.diags.len() != before {
        return None;
    }
    let idempotency_token = request.iter().find(|f| f.idempotency_token).map(|f| f.wire.clone());
    Some(Action {
        name: file.action.clone(),
        module: naming::snake(&file.action),
        type_prefix,
        file: rel.to_owned(),
        group: None,
        summary: file.summary.clone(),
        description: file.description.clone(),
        read_only,
        deprecated: file.deprecated,
        deprecated_note: file.deprecated_note.clone(),
        request,
        response,
        errors,
        types,
        json_example: file.examples.json.clone(),
        xml_example: file.examples.xml.clone(),
        idempotency_token,
        lifecycle,
        pagination,
    })
}

/// The JSON example must be an object whose keys the response declares, at
/// every depth.
fn check_json_example(ck: &mut Checker, fx: &FileCx, json: &str, response: &[Field], structs: &examples::Structs) {
    let path: Path = vec!["examples".into(), "json".into()];
    match serde_json::from_str::<serde_json::Value>(json) {
        Err(e) => {
            let what = e.to_string();
            let what = what.split(" at line ").next().unwrap_or_default();
            match json_position_in_file(fx, &path, json, (e.line(), e.column())) {
                Some(at) => {
                    ck.error_at(fx, at, format!("the JSON example is not valid JSON: {what}"), "fix the JSON here")
                }
                None => ck.error(
                    fx,
                    &path,
                    format!(
                        "the JSON example is not valid JSON: {what} (line {}, column {} of the example)",
                        e.line(),
                        e.column()
                    ),
                    "fix the JSON there",
                ),
            }
        }
        Ok(serde_json::Value::Object(map)) => {
            for (key, value) in &map {
                let at = examples::json_key_at(fx, key);
                match response.iter().find(|f| &f.wire == key) {
                    None => ck.error_at(
                        fx,
                        at,
                        format!("the JSON example has `{key}`, which the response does not declare"),
                        "declare the field under `response:`, or drop it from the example",
                    ),
                    Some(field) => match json_value_mismatch(&field.ty, value) {
                        Some(why) => ck.error_at(
                            fx,
                            at,
                            format!("the JSON example's `{key}` does not fit type `{}`: {why}", describe(&field.ty)),
                            "fix the example, or the field's type",
                        ),
                        None => examples::check_json_value(ck, fx, value, field, structs),
                    },
                }
            }
        }
        Ok(_) => ck.error(
            fx,
            &path,
            "the JSON example is not an object",
            "write the whole response body, such as {\"RequestId\": \"...\"}",
        ),
    }
}

/// Why a top-level JSON example value cannot be read as `ty`, if it cannot.
/// Numbers given as text are accepted, as the decoder accepts them.
fn json_value_mismatch(ty: &Ty, value: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    let numeric_text = |s: &str| s.trim().parse::<i64>().ok();
    match (ty, value) {
        (_, J::Null) => None,
        (Ty::Integer, J::Number(n)) => match n.as_i64() {
            Some(v) if i32::try_from(v).is_ok() => None,
            _ => Some(format!("{n} is not a 32-bit integer")),
        },
        (Ty::Long, J::Number(n)) => n.as_i64().is_none().then(|| format!("{n} is not a 64-bit integer")),
        (Ty::Integer, J::String(s)) => numeric_text(s)
            .filter(|v| i32::try_from(*v).is_ok())
            .is_none()
            .then(|| format!("{s:?} is not a 32-bit integer")),
        (Ty::Long, J::String(s)) => numeric_text(s).is_none().then(|| format!("{s:?} is not a 64-bit integer")),
        (Ty::Float, J::Number(_)) | (Ty::Boolean, J::Bool(_)) => None,
        (Ty::String, J::String(_) | J::Number(_) | J::Bool(_)) => None,
        (Ty::Named(r), J::String(_)) if r.is_enum => None,
        (Ty::Named(r), J::Object(_)) if !r.is_enum => None,
        (Ty::List(_), J::Array(_) | J::Object(_)) => None,
        (_, other) => Some(format!(
            "found {}",
            match other {
                J::Bool(_) => "a boolean",
                J::Number(_) => "a number",
                J::String(_) => "a string",
                J::Array(_) => "a list",
                J::Object(_) => "an object",
                J::Null => "null",
            }
        )),
    }
}

/// Maps a line and column inside the JSON example to the spec file. The
/// example's line N is the file's line N counted from where the value starts
/// (true of block scalars and one-line values); the mapping is used only when
/// that file line holds the example's line verbatim.
fn json_position_in_file(
    fx: &FileCx,
    path: &[Seg],
    json: &str,
    (line, column): (usize, usize),
) -> Option<(usize, usize)> {
    let json_line = json.lines().nth(line.checked_sub(1)?)?;
    let (start_line, start_column) = fx.loc.find(path);
    let file_line_number = start_line + line - 1;
    let file_line = fx.line(file_line_number)?;
    // On the value's first line, the value cannot start before its node does.
    let skip =
        if line == 1 { file_line.char_indices().nth(start_column - 1).map_or(file_line.len(), |(i, _)| i) } else { 0 };
    let offset = skip + file_line.get(skip..)?.find(json_line)?;
    let indent = file_line[..offset].chars().count();
    Some((file_line_number, indent + column.max(1)))
}

/// The XML example's root element must be `<ActionResponse>`, as the
/// service sends it; a prolog and comments may come first.
fn check_xml_example(ck: &mut Checker, fx: &FileCx, xml: &str, action: &str) {
    let path: Path = vec!["examples".into(), "xml".into()];
    let root = format!("{action}Response");
    let first = first_xml_element(xml);
    let name = first.strip_prefix('<').map(|tag| {
        let end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
        &tag[..end]
    });
    if name == Some(root.as_str()) {
        return;
    }
    // The opening tag as written, to quote and to find in the file.
    let first_line = first.lines().next().unwrap_or_default();
    let shown: String =
        first_line[..first_line.find('>').map_or(first_line.len(), |i| i + 1)].chars().take(60).collect();
    let at = (!shown.is_empty()).then(|| fx.find_text(&path, &shown)).flatten().unwrap_or_else(|| fx.loc.find(&path));
    let message = if shown.is_empty() {
        format!("the XML example has no root element; it must be `<{root}>`")
    } else {
        format!("the XML example's root element must be `<{root}>`, not `{shown}`")
    };
    ck.error_at(fx, at, message, format!("wrap the response in `<{root}>` ... `</{root}>`, as the service does"));
}

/// The XML text from its first element on, past the prolog, comments and
/// white space.
fn first_xml_element(xml: &str) -> &str {
    let mut rest = xml.trim_start();
    loop {
        let skipped = if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else {
            None
        };
        match skipped {
            Some(n) => rest = rest[n..].trim_start(),
            None => return rest,
        }
    }
}

/// Where a named type lives: `None` for product.yaml, else the action's index.
type Home = Option<usize>;

/// The scope `r` is declared in, as seen from `action`'s scope.
fn scope_of(r: &TypeRef, action: Home) -> Home {
    if r.shared { None } else { action }
}

fn types_in(product: &Product, scope: Home) -> &[NamedType] {
    match scope {
        None => &product.types,
        Some(i) => &product.actions[i].types,
    }
}

/// Records which named types are reachable from requests and from
/// JSON-encoded parameters, so that only the code each needs is emitted.
fn mark_usage(product: &mut Product) {
    #[derive(Clone, Copy, PartialEq, Eq, Hash)]
    enum Use {
        Request,
        Json,
    }
    fn walk(product: &Product, action: Home, ty: &Ty, used: Use, seen: &mut HashSet<(Home, String, Use)>) {
        let Some(r) = ty.type_ref() else { return };
        let scope = scope_of(r, action);
        if !seen.insert((scope, r.name.clone(), used)) {
            return;
        }
        let local = action.map_or(&[][..], |i| product.actions[i].types.as_slice());
        for f in struct_fields(r, local, &product.types).unwrap_or_default() {
            let next = if used == Use::Request && f.style == Style::Json { Use::Json } else { used };
            walk(product, scope.or(action), &f.ty, next, seen);
        }
    }
    let mut seen = HashSet::new();
    for (i, action) in product.actions.iter().enumerate() {
        for f in &action.request {
            walk(product, Some(i), &f.ty, if f.style == Style::Json { Use::Json } else { Use::Request }, &mut seen);
        }
    }
    for (scope, name, used) in seen {
        let types = match scope {
            None => &mut product.types,
            Some(i) => &mut product.actions[i].types,
        };
        if let Some(t) = types.iter_mut().find(|t| t.name == name) {
            match used {
                Use::Request => t.in_request = true,
                Use::Json => t.in_json = true,
            }
        }
    }
}

/// Sets `required_inside` on every reference to a struct that has a field
/// marked required, directly or in a struct it holds (a fixpoint, since
/// structs nest to any depth).
fn mark_required_inside(product: &mut Product) {
    let scopes: Vec<Home> = std::iter::once(None).chain((0..product.actions.len()).map(Some)).collect();
    let mut marked: HashSet<(Home, String)> = HashSet::new();
    loop {
        let before = marked.len();
        for &scope in &scopes {
            for t in types_in(product, scope) {
                let TypeBody::Struct(fields) = &t.body else { continue };
                let needs = fields.iter().any(|f| {
                    f.required
                        || f.ty.type_ref().is_some_and(|r| marked.contains(&(scope_of(r, scope), r.name.clone())))
                });
                if needs {
                    marked.insert((scope, t.name.clone()));
                }
            }
        }
        if marked.len() == before {
            break;
        }
    }
    let set = |scope: Home, fields: &mut [Field]| {
        for r in fields.iter_mut().filter_map(|f| f.ty.type_ref_mut()) {
            r.required_inside = marked.contains(&(scope_of(r, scope), r.name.clone()));
        }
    };
    for t in &mut product.types {
        if let TypeBody::Struct(fields) = &mut t.body {
            set(None, fields);
        }
    }
    for (i, action) in product.actions.iter_mut().enumerate() {
        set(Some(i), &mut action.request);
        set(Some(i), &mut action.response);
        for t in &mut action.types {
            if let TypeBody::Struct(fields) = &mut t.body {
                set(Some(i), fields);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(files: &[(&str, &str)]) -> SpecSource {
        SpecSource {
            root: "spec".into(),
            header_root: "spec".into(),
            files: files.iter().map(|(path, text)| SourceFile { path: (*path).into(), text: (*text).into() }).collect(),
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
    fn a_third_copy_names_the_first() {
        let action = "action: Foo\nsummary: Foo.\nrequest:\n  - {name: A, type: string}\n  - {name: A, type: string}\n  - {name: A, type: string}\n";
        let rendered = diagnostics(action);
        assert_eq!(rendered.matches("(first at line 4)").count(), 2, "{rendered}");
    }
}
