//! What `cargo xtask codegen` does, as a library so tests can drive it.
//!
//! The generator (`codegen`) is pure; this crate owns the file system: it
//! reads a spec tree, and writes or checks the generated module of a crate.
//! Writes are all-or-nothing per run: when the spec has an error nothing is
//! written, and each file is replaced by an atomic rename.

#![warn(missing_docs)]

pub mod bench;
pub mod bench_sdk;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Diagnostic, GeneratedFile, REGENERATE_COMMAND, SourceFile, SpecSource};

/// The directory, inside a generated crate, that the generator owns.
pub const GENERATED_DIR: &str = "src/generated";

/// The repository root (where the workspace `Cargo.toml` is).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// A spec tree and the crate generated from it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The spec directory, holding `product.yaml` and `actions/`.
    pub spec: PathBuf,
    /// The crate directory; the generator owns its [`GENERATED_DIR`].
    pub out: PathBuf,
}

/// Every spec directory and the crate generated from it, in one place:
/// `cargo xtask codegen` (and `--check`, and the drift test) handle these
/// pairs when given no `--spec`/`--out`.
pub const TARGETS: &[(&str, &str)] = &[
    ("spec/vpc", "generated-sdk"),
    ("spec/sts", "generated-sdk/sts"),
    ("tests/fixtures/all-features", "tests/fixture-sdk"),
];

/// [`TARGETS`] as paths: the product crates, and the fixture crate that
/// snapshots every spec feature.
/// Relative paths when run from the workspace root, so messages stay short.
pub fn default_targets() -> Vec<Target> {
    let root = workspace_root();
    let here = std::env::current_dir().ok().and_then(|d| fs::canonicalize(d).ok());
    let root = if here.is_some() && here == fs::canonicalize(&root).ok() { PathBuf::new() } else { root };
    TARGETS.iter().map(|(spec, out)| Target { spec: root.join(spec), out: root.join(out) }).collect()
}

/// Why a run did not succeed.
#[derive(Debug)]
pub enum Failure {
    /// The spec is broken; nothing was written.
    Spec(Vec<Diagnostic>),
    /// `--check` found generated files that differ from the spec.
    Drift(Vec<Drift>),
    /// Reading or writing files failed.
    Io(String),
}

/// One generated file that is not what the spec makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file exists with other content.
    Stale {
        /// The checked-in file.
        path: PathBuf,
        /// A unified diff from the checked-in file (`a/`) to what the spec
        /// makes (`b/`), three lines of context.
        diff: String,
    },
    /// The spec makes a file that is not checked in.
    Missing {
        /// Where the file should be.
        path: PathBuf,
    },
    /// A file in the generated directory that the spec no longer makes.
    Extra {
        /// The file to delete (`cargo xtask codegen` deletes it when it
        /// starts with the `@generated` header).
        path: PathBuf,
    },
}

/// What a successful write run changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// Files created or replaced, because their content changed.
    pub written: Vec<PathBuf>,
    /// Generated files removed, because their action left the spec.
    pub deleted: Vec<PathBuf>,
}

/// `path` relative to `base`, with `/` separators and `..` where needed.
fn relative(path: &Path, base: &Path) -> String {
    let path = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let base = fs::canonicalize(base).unwrap_or_else(|_| base.to_path_buf());
    let common = path.components().zip(base.components()).take_while(|(a, b)| a == b).count();
    let ups = base.components().count().saturating_sub(common);
    let parts: Vec<String> = std::iter::repeat_n("..".to_owned(), ups)
        .chain(path.components().skip(common).map(|c| c.as_os_str().to_string_lossy().into_owned()))
        .collect();
    parts.join("/")
}

/// How generated headers name the spec: relative to the directory holding
/// the output crate (`spec/vpc` for `generated-sdk`), never an absolute path.
fn header_root(target: &Target) -> String {
    let out = fs::canonicalize(&target.out).unwrap_or_else(|_| target.out.clone());
    relative(&target.spec, out.parent().unwrap_or(&out))
}

/// Reads `product.yaml` and every file under `actions/` of the target's spec.
pub fn read_spec(target: &Target) -> Result<SpecSource, Failure> {
    let spec = target.spec.as_path();
    let io_err = |what: &Path, e: io::Error| Failure::Io(format!("cannot read {}: {e}", what.display()));
    if !spec.is_dir() {
        return Err(Failure::Io(format!("spec directory {} does not exist", spec.display())));
    }
    let mut files = Vec::new();
    let product = spec.join("product.yaml");
    if product.exists() {
        files.push(SourceFile {
            path: "product.yaml".into(),
            text: read_text(&product).map_err(|e| io_err(&product, e))?,
        });
    }
    let actions = spec.join("actions");
    if actions.is_dir() {
        let mut entries: Vec<PathBuf> =
            fs::read_dir(&actions).map_err(|e| io_err(&actions, e))?.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries.into_iter().filter(|p| p.is_file()) {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            files.push(SourceFile {
                path: format!("actions/{name}"),
                text: read_text(&path).map_err(|e| io_err(&path, e))?,
            });
        }
    }
    Ok(SpecSource { root: spec.to_string_lossy().replace('\\', "/"), header_root: header_root(target), files })
}

/// Reads a file as UTF-8, refusing files far over the spec size limit
/// before loading them whole.
fn read_text(path: &Path) -> io::Result<String> {
    let len = fs::metadata(path)?.len();
    if len > 4 * codegen::MAX_FILE_BYTES as u64 {
        // Keep the limit message from the generator: hand it a string just over the limit.
        return Ok(" ".repeat(codegen::MAX_FILE_BYTES + 1));
    }
    let bytes = fs::read(path)?;
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 ({e})")))
}

fn generated(target: &Target) -> Result<Vec<GeneratedFile>, Failure> {
    let source = read_spec(target)?;
    codegen::generate(&source).map_err(Failure::Spec)
}

/// The `.rs` files currently in the generated directory.
fn existing_files(dir: &Path) -> Result<Vec<String>, Failure> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = fs::read_dir(dir)
        .map_err(|e| Failure::Io(format!("cannot list {}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs"))
        .collect();
    names.sort();
    Ok(names)
}

/// Regenerates `target`, writing only files whose content changed and
/// deleting generated files whose action left the spec.
pub fn write(target: &Target) -> Result<Changes, Failure> {
    let files = generated(target)?;
    let dir = target.out.join(GENERATED_DIR);
    fs::create_dir_all(&dir).map_err(|e| Failure::Io(format!("cannot create {}: {e}", dir.display())))?;
    let mut changes = Changes::default();
    for file in &files {
        let path = dir.join(&file.path);
        if fs::read_to_string(&path).ok().as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        write_atomically(&path, &file.contents)
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", path.display())))?;
        changes.written.push(path);
    }
    for name in existing_files(&dir)? {
        if files.iter().any(|f| f.path == name) {
            continue;
        }
        let path = dir.join(&name);
        // Only files the generator made are its to delete.
        if fs::read_to_string(&path).is_ok_and(|t| t.starts_with("// @generated")) {
            fs::remove_file(&path).map_err(|e| Failure::Io(format!("cannot delete {}: {e}", path.display())))?;
            changes.deleted.push(path);
        }
    }
    Ok(changes)
}

/// Writes through a temporary file in the same directory and a rename, so a
/// reader never sees half a file and a crash leaves the old one intact.
fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    fs::write(&tmp, contents)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Compares `target`'s generated files with what the spec makes; changes nothing.
pub fn check(target: &Target) -> Result<(), Failure> {
    let files = generated(target)?;
    let dir = target.out.join(GENERATED_DIR);
    let mut drift = Vec::new();
    for file in &files {
        let path = dir.join(&file.path);
        match fs::read_to_string(&path) {
            Ok(current) if current == file.contents => {}
            Ok(current) => {
                let old = format!("a/{}", path.display());
                let new = format!("b/{}", path.display());
                let diff = similar::TextDiff::from_lines(&current, &file.contents)
                    .unified_diff()
                    .context_radius(3)
                    .header(&old, &new)
                    .to_string();
                drift.push(Drift::Stale { path, diff });
            }
            Err(_) => drift.push(Drift::Missing { path }),
        }
    }
    for name in existing_files(&dir)? {
        if !files.iter().any(|f| f.path == name) {
            drift.push(Drift::Extra { path: dir.join(name) });
        }
    }
    if drift.is_empty() { Ok(()) } else { Err(Failure::Drift(drift)) }
}

/// The text `cargo xtask codegen` prints for a failure.
pub fn report(failure: &Failure) -> String {
    let mut out = String::new();
    match failure {
        Failure::Spec(diags) => {
            out.push_str(&codegen::render(diags));
            let _ = writeln!(out, "{} problem(s) in the spec; no file was written.", diags.len());
        }
        Failure::Drift(drift) => {
            for d in drift {
                match d {
                    Drift::Stale { path, diff } => {
                        let _ = writeln!(out, "stale: {}", path.display());
                        out.push_str(diff);
                    }
                    Drift::Missing { path } => {
                        let _ = writeln!(out, "missing: {}", path.display());
                    }
                    Drift::Extra { path } => {
                        let _ = writeln!(out, "extra: {} (its action is no longer in the spec)", path.display());
                    }
                }
            }
            let _ = writeln!(
                out,
                "{} generated file(s) differ from the spec. Run `{REGENERATE_COMMAND}` and commit the result.",
                drift.len()
            );
        }
        Failure::Io(message) => {
            let _ = writeln!(out, "error: {message}");
        }
    }
    out
}
