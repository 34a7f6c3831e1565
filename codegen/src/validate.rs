//! Turns spec files into the checked `model`, collecting every problem.
//!
//! Each file is parsed by `serde_yaml` into `spec` (syntax errors, unknown keys
//! and wrong value types stop that file, with `serde_yaml`'s position); then
//! every semantic rule is checked and each violation becomes a `Diagnostic`
//! whose position comes from `locate`. Nothing stops at the first problem.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::locate::{Locations, Path, Seg};
use crate::model::{Action, Constraints, ErrorDef, Field, NamedType, Product, Style, Ty, TypeBody, TypeRef, Variant};
use crate::naming;
use crate::spec::{ActionFile, ErrorSpec, Member, ProductFile, TypeDef};

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
}

struct Checker {
    diags: Vec<Diagnostic>,
}

impl Checker {
    fn error(&mut self, fx: &FileCx, path: &[Seg], message: impl Into<String>, help: impl Into<String>) {
        let (line, column) = fx.loc.find(path);
        self.diags.push(Diagnostic {
            file: fx.display.clone(),
            line,
            column,
            message: message.into(),
            help: help.into(),
        });
    }

    fn parse<T: DeserializeOwned>(&mut self, display: &str, text: &str, first_key: &str) -> Option<(T, FileCx)> {
        let at = |line, column, message: String, help: String| Diagnostic {
            file: display.to_owned(),
            line,
            column,
            message,
            help,
        };
        if text.len() > MAX_FILE_BYTES {
            self.diags.push(at(
                1,
                1,
                format!("file is {} bytes, over the limit of {MAX_FILE_BYTES}", text.len()),
                "a spec file describes one action; split it or remove what is not part of the API".into(),
            ));
            return None;
        }
        if text.trim().is_empty() {
            self.diags.push(at(
                1,
                1,
                "file is empty".into(),
                format!("start it with `{first_key}: ...`; see spec/README.md"),
            ));
            return None;
        }
        match serde_yaml::from_str::<T>(text) {
            Ok(value) => Some((value, FileCx { display: display.to_owned(), loc: Locations::index(text) })),
            Err(err) => {
                let (line, column) = err.location().map(|l| (l.line(), l.column())).unwrap_or((1, 1));
                let (message, help) = explain_serde_error(&err.to_string());
                self.diags.push(at(line, column, message, help));
                None
            }
        }
    }
}

/// Rewords a `serde_yaml` message: drops its position (we print our own) and
/// adds what to do.
fn explain_serde_error(raw: &str) -> (String, String) {
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_owned(),
        None => raw.to_owned(),
    };
    let help = if let Some(rest) = message.split("unknown field `").nth(1) {
        let unknown = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest
            .split('`')
            .skip(1)
            .filter(|s| !s.contains(',') && !s.trim().is_empty() && !s.contains("expected"))
            .collect();
        match closest(unknown, expected.iter().copied()) {
            Some(best) => format!("did you mean `{best}`? Keys are case-sensitive"),
            None => "remove it; spec/README.md lists every key".to_owned(),
        }
    } else if let Some(rest) = message.split("missing field `").nth(1) {
        format!("add `{}:`; spec/README.md describes it", rest.split('`').next().unwrap_or_default())
    } else if message.contains("invalid type") {
        "check the value's YAML type: quote text that looks like a number or boolean".to_owned()
    } else {
        "fix the YAML at this position".to_owned()
    };
    (message, help)
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

fn p(segs: &[Seg], more: impl Into<Seg>) -> Path {
    let mut path = segs.to_vec();
    path.push(more.into());
    path
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
            product_file = ck.parse::<ProductFile>(&display(&file.path), &file.text, "product");
        } else if let Some(name) = file.path.strip_prefix("actions/") {
            if let Some(stem) = name.strip_suffix(".yaml").filter(|s| !s.contains('/')) {
                if let Some(parsed) = ck.parse::<ActionFile>(&display(&file.path), &file.text, "action") {
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
    let mut shared_types = Vec::new();
    let mut shared_hoisted = Vec::new();
    for (i, def) in product.types.iter().enumerate() {
        if let Some(t) =
            check_type_body(&mut ck, &pfx, def, &["types".into(), i.into()], &shared_scope, &mut shared_hoisted)
        {
            shared_types.push(t);
        }
    }
    check_hoisted_names(&mut ck, &pfx, &shared_hoisted, &shared_decl, &BTreeMap::new(), &[]);
    shared_types.extend(shared_hoisted.into_iter().map(|(t, _)| t));

    let mut actions: Vec<Action> = Vec::new();
    let mut seen_actions: HashMap<String, String> = HashMap::new();
    let mut seen_modules: HashMap<String, String> = HashMap::new();
    action_files.sort_by(|a, b| a.0.cmp(&b.0));
    for (stem, rel, (file, fx)) in &action_files {
        if let Some(action) = check_action(&mut ck, stem, rel, file, fx, &shared_decl, &common_errors) {
            if let Some(first) = seen_actions.insert(action.name.clone(), fx.display.clone()) {
                ck.error(
                    fx,
                    &["action".into()],
                    format!("action `{}` is also defined in {first}", action.name),
                    "keep one definition",
                );
                continue;
            }
            if let Some(first) = seen_modules.insert(action.module.clone(), action.name.clone()) {
                ck.error(
                    fx,
                    &["action".into()],
                    format!(
                        "action `{}` and action `{first}` both become the Rust module `{}`",
                        action.name, action.module
                    ),
                    "rename one of the actions",
                );
                continue;
            }
            actions.push(action);
        }
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
    };
    mark_usage(&mut product);
    Ok(product)
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
            format!("product code `{}` is not a PascalCase name", product.product),
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
            "quote the API version, for example `version: \"2016-04-28\"`",
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
        ck.error(fx, path, "text is empty", "write a sentence that says what this is");
    }
    if let Some(start) = text.find("~~") {
        let marker: String = text[start..].chars().take(20).collect();
        ck.error(
            fx,
            path,
            format!("text contains a doc-link marker `{marker}`"),
            "write the link as plain words, such as \"call DescribeRegions\"",
        );
    }
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
    let mut variants: HashMap<String, &str> = HashMap::new();
    for (i, e) in list.iter().enumerate() {
        let path = p(base, i);
        if e.code.is_empty() || !is_wire_name(&e.code) {
            ck.error(fx, &p(&path, "code"), format!("error code `{}` is not a valid code", e.code), "codes are letters, digits, `.`, `_` and `-`, starting with a letter, such as `Forbidden.NotAllowedInState`");
            continue;
        }
        if let Some(first) = codes.insert(&e.code, i) {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error code `{}` is listed twice (first at entry {})", e.code, first + 1),
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
        if variant == "Unhandled" {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error code `{}` would take the reserved variant name `Unhandled`", e.code),
                "this name is kept for codes the spec does not list",
            );
            continue;
        }
        if let Some(other) = variants.insert(variant.clone(), &e.code) {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error codes `{other}` and `{}` both become the Rust variant `{variant}`", e.code),
                "remove one of them; they differ only in punctuation or case",
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
                format!("type name `{}` is not a PascalCase Rust name", def.name),
                "use letters and digits, starting with an upper-case letter, such as `PhysicalConnectionStatus`",
            );
            continue;
        }
        if SCALARS.contains(&def.name.to_ascii_lowercase().as_str()) || ["List", "Struct"].contains(&def.name.as_str())
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
                    &p(path, "kind"),
                    format!("enum `{}` has no `values`", def.name),
                    "list its known values under `values:`, each as `- value: ...`",
                );
                return None;
            };
            let mut variants = Vec::new();
            let mut wire_seen: HashMap<&str, usize> = HashMap::new();
            let mut rust_seen: HashMap<String, &str> = HashMap::new();
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
                for spelling in std::iter::once(&v.value).chain(&v.aliases) {
                    if let Some(first) = wire_seen.insert(spelling, i) {
                        ck.error(
                            fx,
                            &p(&vpath, "value"),
                            format!("enum value `{spelling}` is listed twice (first at entry {})", first + 1),
                            "remove the repeated value or alias",
                        );
                    }
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
                if let Some(other) = rust_seen.insert(rust.clone(), &v.value) {
                    ck.error(
                        fx,
                        &p(&vpath, "value"),
                        format!("enum values `{other}` and `{}` both become the Rust variant `{rust}`", v.value),
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
                    &p(path, "kind"),
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
        in_response: false,
        in_json: false,
    })
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
    let mut rust_seen: HashMap<String, &str> = HashMap::new();
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
        if let Some(first) = wire_seen.insert(&m.name, i) {
            ck.error(
                fx,
                &name_path,
                format!("`{}` is listed twice (first at entry {})", m.name, first + 1),
                "remove one of the entries",
            );
            continue;
        }
        let Some(field) = check_member(ck, fx, m, &path, side, scope, hoisted) else {
            continue;
        };
        if side == Side::Request && field.rust == "build" {
            ck.error(
                fx,
                &name_path,
                "`build` is the builder's own method and cannot name a parameter",
                "set `rust_name:` to another name",
            );
            continue;
        }
        if let Some(other) = rust_seen.insert(field.rust.clone(), &m.name) {
            ck.error(
                fx,
                &name_path,
                format!("`{other}` and `{}` both become the Rust name `{}`", m.name, field.rust),
                "remove the duplicate, or set `rust_name:` on one of them",
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
    let elem = match &ty {
        Ty::List(inner) => inner.as_ref(),
        t => t,
    };
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
    if m.idempotency_token {
        if side != Side::Request {
            ck.error(
                fx,
                &p(path, "idempotency_token"),
                "only a request parameter can be the idempotency token",
                "remove `idempotency_token`",
            );
        } else if ty != Ty::String || m.required {
            ck.error(
                fx,
                &p(path, "idempotency_token"),
                "the idempotency token must be an optional string",
                "set `type: string` and `required: false`; the client fills it when left empty",
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
        ck.error(
            fx,
            &p(path, if c.max_length.is_some() { "max_length" } else { "min_length" }),
            "length limits apply to strings only",
            "remove the limit, or fix the type",
        );
    }
    if let (Some(lo), Some(hi)) = (c.min_length, c.max_length) {
        if lo > hi {
            ck.error(
                fx,
                &p(path, "min_length"),
                format!("min_length {lo} is above max_length {hi}"),
                "swap or fix the limits",
            );
        }
    }
    if (c.minimum.is_some() || c.maximum.is_some()) && !matches!(elem, Ty::Integer | Ty::Long) {
        ck.error(
            fx,
            &p(path, if c.maximum.is_some() { "maximum" } else { "minimum" }),
            "minimum and maximum apply to integers only",
            "remove the bound, or fix the type",
        );
    }
    if let (Some(lo), Some(hi)) = (c.minimum, c.maximum) {
        if lo > hi {
            ck.error(fx, &p(path, "minimum"), format!("minimum {lo} is above maximum {hi}"), "swap or fix the bounds");
        }
    }
    if c.max_items.is_some() && !is_list {
        ck.error(fx, &p(path, "max_items"), "`max_items` applies to lists only", "remove it, or set `type: list`");
    }
    let example = match &m.example {
        None => None,
        Some(value) => match check_example(value, &ty, scope) {
            Ok(rendered) => Some(rendered),
            Err(why) => {
                ck.error(
                    fx,
                    &p(path, "example"),
                    format!("example does not match type `{}`: {why}", describe(&ty)),
                    "fix the example, or the type",
                );
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
        idempotency_token: m.idempotency_token,
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
            Some((decl, shared)) => Ty::Named(TypeRef { name: named.to_owned(), shared, is_enum: decl.is_enum }),
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
            format!("struct name `{name}` is not a PascalCase Rust name"),
            "use letters and digits, starting with an upper-case letter",
        );
        return None;
    }
    let Some(fields) = m.fields.as_ref().filter(|f| !f.is_empty()) else {
        ck.error(
            fx,
            &p(path, "type"),
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
            in_response: false,
            in_json: false,
        },
        path_for_name,
    ));
    Some(Ty::Named(TypeRef { name, shared: scope.in_product, is_enum: false }))
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
    let mut seen: HashSet<&str> = HashSet::new();
    for (t, path) in hoisted {
        let clash = if declared.contains_key(&t.name) || !seen.insert(&t.name) {
            Some("another type of this file")
        } else if shared.contains_key(&t.name) {
            Some("a shared type in product.yaml")
        } else if reserved.contains(&t.name) {
            Some("a type generated for the action")
        } else {
            None
        };
        if let Some(what) = clash {
            ck.error(
                fx,
                path,
                format!("inline struct `{}` has the same name as {what}", t.name),
                "set `struct:` to give it another name",
            );
        }
    }
}

/// Checks an example against its type and renders it for documentation.
fn check_example(value: &serde_yaml::Value, ty: &Ty, scope: &Scope) -> Result<String, String> {
    use serde_yaml::Value as V;
    check_example_value(value, ty, scope)?;
    Ok(match value {
        V::String(s) => s.clone(),
        V::Number(n) => n.to_string(),
        V::Bool(b) => b.to_string(),
        other => serde_json::to_string(other).unwrap_or_default(),
    })
}

fn check_example_value(value: &serde_yaml::Value, ty: &Ty, scope: &Scope) -> Result<(), String> {
    use serde_yaml::Value as V;
    match (ty, value) {
        (Ty::String, V::String(_) | V::Number(_)) => Ok(()),
        (Ty::Integer, V::Number(n)) if n.as_i64().is_some_and(|v| i32::try_from(v).is_ok()) => Ok(()),
        (Ty::Integer, V::Number(n)) => Err(format!("{n} is not a 32-bit integer")),
        (Ty::Long, V::Number(n)) if n.as_i64().is_some() => Ok(()),
        (Ty::Long, V::Number(n)) => Err(format!("{n} is not a 64-bit integer")),
        (Ty::Float, V::Number(_)) => Ok(()),
        (Ty::Boolean, V::Bool(_)) => Ok(()),
        (Ty::List(inner), V::Sequence(items)) => {
            items.iter().try_for_each(|item| check_example_value(item, inner, scope))
        }
        (Ty::Named(r), V::String(s)) if r.is_enum => match scope.get(&r.name) {
            Some((decl, _)) if !decl.values.is_empty() && !decl.values.contains(s) => {
                Err(format!("`{s}` is not one of the values of `{}`", r.name))
            }
            _ => Ok(()),
        },
        (Ty::Named(r), V::Mapping(_)) if !r.is_enum => Ok(()),
        (_, V::Null) => Err("it is empty".into()),
        (_, other) => Err(format!("found {}", yaml_kind(other))),
    }
}

fn yaml_kind(value: &serde_yaml::Value) -> &'static str {
    use serde_yaml::Value as V;
    match value {
        V::Null => "nothing",
        V::Bool(_) => "a boolean",
        V::Number(_) => "a number",
        V::String(_) => "a string",
        V::Sequence(_) => "a list",
        V::Mapping(_) => "a mapping",
        V::Tagged(_) => "a tagged value",
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
    common_errors: &[ErrorDef],
) -> Option<Action> {
    let before = ck.diags.len();
    let name_path: Path = vec!["action".into()];
    if !is_pascal_identifier(&file.action) {
        ck.error(
            fx,
            &name_path,
            format!("action name `{}` is not a PascalCase name", file.action),
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
    let reserved: Vec<String> =
        ["Request", "RequestBuilder", "Response", "Error"].iter().map(|s| format!("{type_prefix}{s}")).collect();

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
    let mut types = Vec::new();
    for (i, def) in file.types.iter().enumerate() {
        if let Some(t) = check_type_body(ck, fx, def, &["types".into(), i.into()], &scope, &mut hoisted) {
            types.push(t);
        }
    }
    let request = check_members(ck, fx, &file.request, &["request".into()], Side::Request, &scope, &mut hoisted)
        .unwrap_or_default();
    let response = check_members(ck, fx, &file.response, &["response".into()], Side::Response, &scope, &mut hoisted)
        .unwrap_or_default();
    check_hoisted_names(ck, fx, &hoisted, &local_decl, shared_decl, &reserved);
    types.extend(hoisted.into_iter().map(|(t, _)| t));

    let tokens: Vec<(usize, &Field)> = request.iter().enumerate().filter(|(_, f)| f.idempotency_token).collect();
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

    let response_wires: HashSet<&str> = response.iter().map(|f| f.wire.as_str()).collect();
    if let Some(json) = &file.examples.json {
        match serde_json::from_str::<serde_json::Value>(json) {
            Err(e) => ck.error(
                fx,
                &["examples".into(), "json".into()],
                format!("the JSON example is not valid JSON (its line {}, column {}: {e})", e.line(), e.column()),
                "fix the JSON",
            ),
            Ok(serde_json::Value::Object(map)) => {
                for key in map.keys().filter(|k| !response_wires.contains(k.as_str())) {
                    ck.error(
                        fx,
                        &["examples".into(), "json".into()],
                        format!("the JSON example has `{key}`, which the response does not declare"),
                        "declare the field under `response:`, or drop it from the example",
                    );
                }
            }
            Ok(_) => ck.error(
                fx,
                &["examples".into(), "json".into()],
                "the JSON example is not an object",
                "write the whole response body, such as {\"RequestId\": \"...\"}",
            ),
        }
    }
    if let Some(xml) = &file.examples.xml {
        let root = format!("<{}Response", file.action);
        if !xml.contains(&root) {
            ck.error(
                fx,
                &["examples".into(), "xml".into()],
                format!("the XML example does not start with the root element `{root}>`"),
                "Alibaba wraps XML responses in `<ActionResponse>`",
            );
        }
    }

    if ck.diags.len() != before {
        return None;
    }
    let read_only =
        file.read_only.unwrap_or_else(|| ["Describe", "List", "Get"].iter().any(|p| file.action.starts_with(p)));
    let idempotency_token = request.iter().find(|f| f.idempotency_token).map(|f| f.wire.clone());
    Some(Action {
        name: file.action.clone(),
        module: naming::snake(&file.action),
        type_prefix,
        file: rel.to_owned(),
        summary: file.summary.clone(),
        description: file.description.clone(),
        read_only,
        deprecated: file.deprecated,
        request,
        response,
        errors,
        types,
        json_example: file.examples.json.clone(),
        xml_example: file.examples.xml.clone(),
        idempotency_token,
    })
}

/// Records which named types are reachable from requests, responses and
/// JSON-encoded parameters, so that only the code each needs is emitted.
fn mark_usage(product: &mut Product) {
    #[derive(Clone, Copy)]
    enum Use {
        Request,
        Response,
        Json,
    }
    type Key = (Option<usize>, String);
    fn walk(product: &Product, action: Option<usize>, ty: &Ty, used: Use, seen: &mut HashSet<(Key, u8)>) {
        let Ty::Named(r) = (match ty {
            Ty::List(inner) => inner.as_ref(),
            t => t,
        }) else {
            return;
        };
        let key: Key = (if r.shared { None } else { action }, r.name.clone());
        if !seen.insert((key.clone(), used as u8)) {
            return;
        }
        let types = match key.0 {
            None => &product.types,
            Some(i) => &product.actions[i].types,
        };
        if let Some(TypeBody::Struct(fields)) = types.iter().find(|t| t.name == r.name).map(|t| &t.body) {
            for f in fields {
                let next = if matches!(used, Use::Request) && f.style == Style::Json { Use::Json } else { used };
                walk(product, key.0.or(action), &f.ty, next, seen);
            }
        }
    }
    let mut seen = HashSet::new();
    for (i, action) in product.actions.iter().enumerate() {
        for f in &action.request {
            walk(product, Some(i), &f.ty, if f.style == Style::Json { Use::Json } else { Use::Request }, &mut seen);
        }
        for f in &action.response {
            walk(product, Some(i), &f.ty, Use::Response, &mut seen);
        }
    }
    for ((scope, name), used) in seen {
        let types = match scope {
            None => &mut product.types,
            Some(i) => &mut product.actions[i].types,
        };
        if let Some(t) = types.iter_mut().find(|t| t.name == name) {
            match used {
                0 => t.in_request = true,
                1 => t.in_response = true,
                _ => t.in_json = true,
            }
        }
    }
}
