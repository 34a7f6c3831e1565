//! Broken specs must fail with exact, well-placed diagnostics and write nothing.
//!
//! Each directory under `tests/fixtures/malformed/` is one complete spec tree
//! (`product.yaml`, `actions/*.yaml`) broken on purpose, plus `expected.txt`:
//! the diagnostics exactly as the command line prints them, with the spec
//! root shown as `spec` (`spec/actions/Foo.yaml:12:13: error: ...`). Adding a
//! fixture needs no code change: every directory is picked up.
//!
//! Each fixture is copied to `<tmp>/spec`, next to a copy of the checked-in
//! generated code in `<tmp>/generated-sdk`, and generated. The run must fail
//! with spec diagnostics, print exactly `expected.txt`, point every diagnostic
//! at a real line and column, and leave the generated code byte-identical.
//!
//! To record new expectations run the test with `UPDATE_EXPECT=1` set, e.g.
//! `UPDATE_EXPECT=1 cargo test -p workspace-tests --test malformed_specs`;
//! it rewrites every `expected.txt` instead of comparing. Review each change:
//! the file is the specification of what the user sees.
//!
//! Two files of a fixture are not part of its spec tree: `expected.txt`, and
//! `make-huge`. The latter names (on its first line) one spec file of the
//! fixture which is padded with YAML comments past `codegen::MAX_FILE_BYTES`
//! before the run, so that the size limit is tested without committing a
//! megabyte of text.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use workspace_tests::{copy_tree, snapshot_tree};
use xtask::{Failure, Target};

const EXPECTED: &str = "expected.txt";
const MAKE_HUGE: &str = "make-huge";
/// Fewer fixtures than this means some were lost, not that all pass.
const MIN_FIXTURES: usize = 30;

fn fixtures_dir() -> PathBuf {
    xtask::workspace_root().join("tests/fixtures/malformed")
}

/// Every fixture directory, sorted so that reports are stable.
fn fixtures() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/malformed exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn updating() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some_and(|v| v == "1")
}

#[test]
fn malformed_specs_fail_with_the_expected_diagnostics() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= MIN_FIXTURES, "only {} malformed fixtures found", fixtures.len());
    let failures: Vec<String> = fixtures.iter().filter_map(|dir| run_fixture(dir).err()).collect();
    if !failures.is_empty() {
        panic!(
            "{} of {} malformed fixtures failed:\n\n{}\nIf the new output is right, record it with UPDATE_EXPECT=1 and review the changes.",
            failures.len(),
            fixtures.len(),
            failures.join("\n")
        );
    }
}

/// Runs one fixture; `Err` holds a readable account of every way it failed.
fn run_fixture(fixture: &Path) -> Result<(), String> {
    let name = fixture.file_name().unwrap().to_string_lossy().into_owned();
    let scratch = tempfile::tempdir().unwrap();
    let target = Target { spec: scratch.path().join("spec"), out: scratch.path().join("generated-sdk") };
    copy_spec(fixture, &target.spec);
    let root = xtask::workspace_root();
    copy_tree(&root.join("generated-sdk/src/generated"), &target.out.join(xtask::GENERATED_DIR));
    let before = snapshot_tree(&target.out);

    let outcome = xtask::write(&target);

    let mut problems = Vec::new();
    if snapshot_tree(&target.out) != before {
        problems.push("the generated code was changed by a failing run".to_owned());
    }
    let diags = match outcome {
        Err(Failure::Spec(diags)) => diags,
        Err(other) => {
            problems.push(format!("expected spec diagnostics, got:\n{}", xtask::report(&other)));
            return Err(summary(&name, &problems));
        }
        Ok(_) => {
            problems.push("the spec was accepted".to_owned());
            return Err(summary(&name, &problems));
        }
    };
    if diags.is_empty() {
        problems.push("the run failed without a single diagnostic".to_owned());
    }
    for d in diags.iter().filter(|d| d.line == 0 || d.column == 0) {
        problems.push(format!("diagnostic without a real position: {d}"));
    }
    let actual = normalise(&codegen::render(&diags), scratch.path());
    compare_with_expected(fixture, &actual, &mut problems);
    if problems.is_empty() { Ok(()) } else { Err(summary(&name, &problems)) }
}

/// Copies the fixture's spec tree, leaving out the files that describe the
/// fixture, and expands a `make-huge` request.
fn copy_spec(fixture: &Path, spec: &Path) {
    copy_tree(fixture, spec);
    let _ = fs::remove_file(spec.join(EXPECTED));
    let Ok(request) = fs::read_to_string(spec.join(MAKE_HUGE)) else { return };
    fs::remove_file(spec.join(MAKE_HUGE)).unwrap();
    let relative = request.lines().next().unwrap_or_default().trim();
    pad_past_size_limit(&spec.join(relative));
}

/// Appends comment lines until the file is over the spec size limit: it
/// stays valid YAML, so only the size can be what is wrong.
fn pad_past_size_limit(file: &Path) {
    let mut text = fs::read_to_string(file).unwrap_or_else(|e| panic!("{} named by make-huge: {e}", file.display()));
    let line = format!("# padding{}\n", "-".repeat(70));
    while text.len() <= codegen::MAX_FILE_BYTES {
        text.push_str(&line);
    }
    fs::write(file, text).unwrap();
}

/// Shows the scratch spec root as `spec`, wherever the scratch directory is.
fn normalise(rendered: &str, scratch: &Path) -> String {
    let prefix = format!("{}/", scratch.display()).replace('\\', "/");
    rendered.replace(&prefix, "")
}

fn compare_with_expected(fixture: &Path, actual: &str, problems: &mut Vec<String>) {
    let path = fixture.join(EXPECTED);
    if updating() {
        fs::write(&path, actual).unwrap();
        return;
    }
    match fs::read_to_string(&path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => {
            problems.push(format!("diagnostics differ (- expected, + actual):\n{}", line_diff(&expected, actual)))
        }
        Err(_) => problems.push(format!("no {EXPECTED}; the run printed:\n{actual}")),
    }
}

fn summary(name: &str, problems: &[String]) -> String {
    let mut out = format!("--- {name}\n");
    for p in problems {
        let _ = writeln!(out, "{}", p.trim_end());
    }
    out
}

/// A line diff by longest common subsequence: small inputs, no dependency.
fn line_diff(expected: &str, actual: &str) -> String {
    let old: Vec<&str> = expected.lines().collect();
    let new: Vec<&str> = actual.lines().collect();
    // common[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    let mut common = vec![vec![0usize; new.len() + 1]; old.len() + 1];
    for i in (0..old.len()).rev() {
        for j in (0..new.len()).rev() {
            common[i][j] =
                if old[i] == new[j] { common[i + 1][j + 1] + 1 } else { common[i + 1][j].max(common[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < old.len() || j < new.len() {
        if i < old.len() && j < new.len() && old[i] == new[j] {
            let _ = writeln!(out, "  {}", old[i]);
            (i, j) = (i + 1, j + 1);
        } else if i < old.len() && (j == new.len() || common[i + 1][j] >= common[i][j + 1]) {
            let _ = writeln!(out, "- {}", old[i]);
            i += 1;
        } else {
            let _ = writeln!(out, "+ {}", new[j]);
            j += 1;
        }
    }
    out
}
