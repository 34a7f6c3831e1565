//! What `cargo xtask codegen` does, as a library so tests can drive it.
//!
//! The generator (`codegen`) is pure; this crate owns the file system: it
//! reads a spec tree, and writes or checks the generated module of a crate.
//! Writes are all-or-nothing per run: when the spec has an error nothing is
//! written, and otherwise every changed file is written to a temporary
//! before any is renamed into place; a failure undoes the whole run.

#![warn(missing_docs)]

pub mod bench;
pub mod bench_sdk;

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use codegen::{Diagnostic, GeneratedFile, REGENERATE_COMMAND, ReadProblem, SourceFile, SpecSource};

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
    ("tests/fixtures/edge-cases", "tests/edge-sdk"),
];

/// [`TARGETS`] as paths: the product crates, the fixture crate that
/// snapshots every spec feature, and the one that snapshots unusual but
/// valid names and text.
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
///
/// A file that cannot be read as text (not UTF-8, unreadable, a directory,
/// a link that leads nowhere, a FIFO) becomes a spec problem of that file,
/// with a position and a help line, and every other file is still read and
/// checked. Only a spec directory that does not exist stops the run here.
pub fn read_spec(target: &Target) -> Result<SpecSource, Failure> {
    let spec = target.spec.as_path();
    if !spec.is_dir() {
        return Err(Failure::Io(format!("spec directory {} does not exist", spec.display())));
    }
    let mut files = Vec::new();
    let product = spec.join("product.yaml");
    // A dangling link is still an entry: only a missing file is left out.
    if fs::symlink_metadata(&product).is_ok() {
        files.push(read_source("product.yaml", &product));
    }
    let actions = spec.join("actions");
    if actions.is_dir() {
        let mut entries: Vec<PathBuf> = fs::read_dir(&actions)
            .map_err(|e| Failure::Io(format!("cannot read {}: {e}", actions.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with('.') {
                continue;
            }
            files.push(read_source(&format!("actions/{name}"), &path));
        }
    }
    Ok(SpecSource { root: spec.to_string_lossy().replace('\\', "/"), header_root: header_root(target), files })
}

/// Reads one spec file, turning whatever keeps it from being read as text
/// into its problem. Only regular files are opened: opening a FIFO would
/// wait for a writer forever.
fn read_source(rel: &str, path: &Path) -> SourceFile {
    let problem = |message: String, help: &str| {
        SourceFile::unreadable(rel, ReadProblem { line: 1, column: 1, message, help: help.to_owned() })
    };
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) => {
            return problem(
                format!("this is a link that leads to no file ({e})"),
                "the link points at a missing file or at itself; make it point at the spec file, or remove it",
            );
        }
        Err(e) => {
            return problem(format!("the file cannot be read: {e}"), "check that it exists and that you may read it");
        }
    };
    if meta.is_dir() {
        return problem(
            "this is a directory, where a spec file belongs".to_owned(),
            "spec files are YAML files; move the directory out of the spec tree",
        );
    }
    if !meta.is_file() {
        return problem(
            "this is not a regular file (a FIFO, socket or device)".to_owned(),
            "spec files are regular YAML files; remove it, or replace it with the file it stands for",
        );
    }
    if meta.len() > 4 * codegen::MAX_FILE_BYTES as u64 {
        // Far over the limit: refused without loading it whole.
        return SourceFile::too_large(rel, meta.len());
    }
    match fs::read(path) {
        Ok(bytes) => SourceFile::from_bytes(rel, bytes),
        Err(e) => problem(format!("the file cannot be read: {e}"), "check that you may read it"),
    }
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
///
/// The whole tree changes or none of it does: every new file is written to
/// a temporary beside its target first, and only when all are written are
/// they renamed into place and stale files deleted. When any step fails,
/// what was done is undone (the temporaries removed, replaced files given
/// their old bytes back, deleted ones restored), so a failed run never
/// leaves the crate half old, half new.
pub fn write(target: &Target) -> Result<Changes, Failure> {
    let files = generated(target)?;
    let dir = target.out.join(GENERATED_DIR);
    fs::create_dir_all(&dir).map_err(|e| Failure::Io(format!("cannot create {}: {e}", dir.display())))?;
    let mut replace = Vec::new();
    for file in &files {
        let path = dir.join(&file.path);
        let old = fs::read(&path).ok();
        if old.as_deref() == Some(file.contents.as_bytes()) {
            continue;
        }
        replace.push(Replacement { tmp: temporary_for(&path), path, contents: file.contents.as_bytes(), old });
    }
    let mut delete = Vec::new();
    for name in existing_files(&dir)? {
        if files.iter().any(|f| f.path == name) {
            continue;
        }
        let path = dir.join(&name);
        // Only files the generator made are its to delete.
        if let Ok(old) = fs::read(&path) {
            if old.starts_with(b"// @generated") {
                delete.push((path, old));
            }
        }
    }
    commit(&replace, &delete)?;
    Ok(Changes {
        written: replace.into_iter().map(|r| r.path).collect(),
        deleted: delete.into_iter().map(|(path, _)| path).collect(),
    })
}

/// One file to replace (or create): where, its new bytes, and its old ones
/// (`None` when it does not exist yet) to put back if the run fails.
struct Replacement<'a> {
    path: PathBuf,
    tmp: PathBuf,
    contents: &'a [u8],
    old: Option<Vec<u8>>,
}

/// A temporary in the same directory as `path`, so that the rename is
/// atomic (it never crosses file systems).
fn temporary_for(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Applies every replacement and deletion, or none.
fn commit(replace: &[Replacement], delete: &[(PathBuf, Vec<u8>)]) -> Result<(), Failure> {
    // 1. Every temporary. A failure here has touched no file of the tree.
    for (i, r) in replace.iter().enumerate() {
        if let Err(e) = write_new(&r.tmp, r.contents) {
            for done in &replace[..i] {
                let _ = fs::remove_file(&done.tmp);
            }
            return Err(unchanged(format!("cannot write {}: {e}", r.tmp.display()), &[]));
        }
    }
    // 2. The renames, then the deletions; a failure undoes the ones done.
    for (i, r) in replace.iter().enumerate() {
        if let Err(e) = fs::rename(&r.tmp, &r.path) {
            for rest in &replace[i..] {
                let _ = fs::remove_file(&rest.tmp);
            }
            let left = undo(&replace[..i], &[]);
            return Err(unchanged(format!("cannot replace {}: {e}", r.path.display()), &left));
        }
    }
    for (i, (path, _)) in delete.iter().enumerate() {
        if let Err(e) = fs::remove_file(path) {
            let left = undo(replace, &delete[..i]);
            return Err(unchanged(format!("cannot delete {}: {e}", path.display()), &left));
        }
    }
    Ok(())
}

/// Creates `path`, failing if anything is already there: a temporary must
/// never overwrite a file (or follow a link) it did not create.
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::io::Write as _;
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(contents).and_then(|()| file.sync_all()).inspect_err(|_| {
        let _ = fs::remove_file(path);
    })
}

/// Puts back the old bytes of replaced files (or removes files that were
/// new) and the deleted files. Returns the paths it could not restore.
fn undo(replaced: &[Replacement], deleted: &[(PathBuf, Vec<u8>)]) -> Vec<PathBuf> {
    let mut left = Vec::new();
    for r in replaced {
        let restored = match &r.old {
            Some(old) => write_new(&r.tmp, old).and_then(|()| fs::rename(&r.tmp, &r.path)),
            None => fs::remove_file(&r.path),
        };
        if restored.is_err() {
            let _ = fs::remove_file(&r.tmp);
            left.push(r.path.clone());
        }
    }
    for (path, old) in deleted {
        if fs::write(path, old).is_err() {
            left.push(path.clone());
        }
    }
    left
}

/// The failure of a run that was undone; `left` names files that could not
/// be put back (only when undoing failed too).
fn unchanged(cause: String, left: &[PathBuf]) -> Failure {
    if left.is_empty() {
        return Failure::Io(format!("{cause}; no file was changed"));
    }
    let names: Vec<String> = left.iter().map(|p| p.display().to_string()).collect();
    Failure::Io(format!(
        "{cause}; the run was undone, except for {} which could not be restored: run `{REGENERATE_COMMAND}` again once the cause is fixed",
        names.join(", ")
    ))
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
            let _ = writeln!(out, "{} problem(s) in the spec; no file was written.", codegen::problem_count(diags));
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
