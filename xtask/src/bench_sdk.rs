//! `cargo xtask bench-sdk`: the real product crates, as users meet them.
//!
//! Times `codegen` and `codegen --check` on the real spec (warm: files read
//! once, then generated again and again), the generated crate's own build
//! (debug, `CARGO_INCREMENTAL=0`, after `touch`; median of `--runs`, with
//! the build's peak memory when `/usr/bin/time` is there), a release build,
//! `cargo doc` of the crate, and the build of a program that calls every
//! action. Figures are printed, never asserted.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use crate::{Target, default_targets, workspace_root};

/// The options of `cargo xtask bench-sdk`.
#[derive(clap::Args)]
pub struct BenchSdkArgs {
    /// Builds to time for each figure (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Only time the generator (no cargo builds).
    #[arg(long)]
    generator_only: bool,
    /// Also build, from nothing (a fresh target directory), a program that
    /// makes one call, in debug and release, and report the release
    /// binary's size: what a new user's first build costs.
    #[arg(long)]
    cold: bool,
}

/// Runs the measurements and prints their figures; fails (exit code 1) when
/// a step does not run, such as a build that breaks.
pub fn run(args: &BenchSdkArgs) -> ExitCode {
    match bench(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-sdk failed: {e}");
            ExitCode::FAILURE
        }
    }
}

fn bench(args: &BenchSdkArgs) -> Result<(), String> {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: this is a debug build of xtask; run `cargo run --release -p xtask -- bench-sdk` for real figures"
        );
    }
    let runs = args.runs.max(1);
    let target = default_targets().into_iter().next().ok_or("no product target")?;
    generator(&target, runs.max(5))?;
    if args.generator_only {
        return Ok(());
    }
    let root = workspace_root();
    let package = "aliyun-vpc";
    let lib = root.join("generated-sdk/src/lib.rs");
    cargo(&root, &["build", "-p", package], false)?;
    let builds = (0..runs)
        .map(|_| {
            touch(&lib)?;
            cargo(&root, &["build", "-p", package], true)
        })
        .collect::<Result<Vec<_>, String>>()?;
    report("crate-only debug build", &builds);
    cargo(&root, &["build", "--release", "-p", package], false)?;
    touch(&lib)?;
    report("crate-only release build", &[cargo(&root, &["build", "--release", "-p", package], true)?]);
    cargo(&root, &["doc", "--no-deps", "-p", package], false)?;
    touch(&lib)?;
    report("cargo doc (crate only)", &[cargo(&root, &["doc", "--no-deps", "-p", package], true)?]);
    every_action(&root, &target, runs)?;
    if args.cold {
        one_call(&root)?;
    }
    Ok(())
}

/// `codegen` and `codegen --check` without the cargo around them.
fn generator(target: &Target, runs: usize) -> Result<(), String> {
    let source = crate::read_spec(target).map_err(|f| crate::report(&f))?;
    let mut generate = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        codegen::generate(&source).map_err(|d| codegen::render(&d))?;
        generate.push((start.elapsed(), None));
    }
    let mut check = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        // Drift is a result like any other here; only a broken spec stops.
        match crate::check(target) {
            Ok(()) | Err(crate::Failure::Drift(_)) => {}
            Err(f) => return Err(crate::report(&f)),
        }
        check.push((start.elapsed(), None));
    }
    let actions = source.files.iter().filter(|f| f.path.starts_with("actions/")).count();
    println!("spec: {actions} actions");
    report("generate (in memory)", &generate);
    report("codegen --check (read, generate, compare)", &check);
    Ok(())
}

/// A program that calls every action once (its future is made and
/// dropped, so nothing is sent), built after the crate itself: what a user
/// of all 406 actions pays.
fn every_action(root: &Path, target: &Target, runs: usize) -> Result<(), String> {
    let generated = target.out.join(crate::GENERATED_DIR);
    let mut calls = String::new();
    let mut count = 0;
    let mut entries: Vec<_> = fs::read_dir(&generated).map_err(|e| e.to_string())?.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let text = fs::read_to_string(entry.path()).map_err(|e| e.to_string())?;
        // The request type's name, from the generated module itself.
        let Some(name) = text.lines().find_map(|l| {
            // An action without parameters has an empty builder (`{}`).
            let rest = l.strip_prefix("pub struct ")?;
            rest.strip_suffix("RequestBuilder {").or_else(|| rest.strip_suffix("RequestBuilder {}")).map(str::to_owned)
        }) else {
            continue;
        };
        calls.push_str(&format!("    drop(aliyun_vpc::{name}Request::builder().send(&client));\n"));
        count += 1;
    }
    let dir = root.join("target/bench/every-action");
    let main = format!("#![allow(deprecated)]\nfn main() {{\n{CLIENT}{calls}}}\n");
    write_program(root, &dir, "every-action", "", &main)?;
    let target_dir = root.join("target");
    let build = |timed: bool| build_program(&dir, &target_dir, false, timed);
    build(false)?;
    let times = (0..runs)
        .map(|_| {
            touch(&dir.join("src/main.rs"))?;
            build(true)
        })
        .collect::<Result<Vec<_>, String>>()?;
    report(&format!("a program calling all {count} actions (debug, the program only)"), &times);
    let median = median(&times).0;
    println!("  = {:.4} s per action", median.as_secs_f64() / count as f64);
    Ok(())
}

/// A program that makes one call (`DescribeRegions`), built cold: every
/// dependency compiled in a fresh target directory, with the workspace's
/// lock file so the versions are the ones the tests ran with.
fn one_call(root: &Path) -> Result<(), String> {
    let dir = root.join("target/bench/one-call");
    let target_dir = dir.join("target");
    let _ = fs::remove_dir_all(&dir);
    let main = format!(
        "#[tokio::main(flavor = \"current_thread\")]\nasync fn main() {{\n{CLIENT}    let request = aliyun_vpc::DescribeRegionsRequest::builder().build().unwrap();\n    match client.describe_regions(request).await {{\n        Ok(answer) => println!(\"{{answer:?}}\"),\n        Err(e) => eprintln!(\"{{e}}\"),\n    }}\n}}\n"
    );
    write_program(root, &dir, "one-call", "tokio = { version = \"1\", features = [\"rt\", \"macros\"] }\n", &main)?;
    fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let build = |release: bool| build_program(&dir, &target_dir, release, true);
    report("a one-call program, cold debug build (every dependency)", &[build(false)?]);
    report("a one-call program, cold release build", &[build(true)?]);
    let binary = target_dir.join("release/one-call");
    let size = fs::metadata(&binary).map_err(|e| format!("{}: {e}", binary.display()))?.len();
    println!("  release binary: {:.1} MiB ({size} bytes)", crate::bench::mib(size as usize));
    Ok(())
}

/// The start of a bench program's `main`: a client for `cn-hangzhou` with made-up credentials.
const CLIENT: &str = "    let client = aliyun_vpc::Client::builder()\n        .region(\"cn-hangzhou\")\n        .credentials(aliyun_vpc::runtime::Credentials::new(\"id\", \"secret\"))\n        .build()\n        .unwrap();\n";

/// Writes a program in `dir` that depends on the generated crate (and on
/// `more`, manifest lines), with `main` as its `src/main.rs`.
fn write_program(root: &Path, dir: &Path, name: &str, more: &str, main: &str) -> Result<(), String> {
    fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\naliyun-vpc = {{ path = {:?} }}\n{more}\n[workspace]\n",
        root.join("generated-sdk").display().to_string()
    );
    fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    fs::write(dir.join("src/main.rs"), main).map_err(|e| e.to_string())
}

/// Builds the program in `dir` into `target_dir`; timed as [`run_timed`] says.
fn build_program(dir: &Path, target_dir: &Path, release: bool, timed: bool) -> Result<(Duration, Option<u64>), String> {
    let mut cmd = cargo_command();
    cmd.args(["build", "--quiet"]).current_dir(dir).env("CARGO_TARGET_DIR", target_dir);
    if release {
        cmd.arg("--release");
    }
    run_timed(cmd, timed)
}

fn cargo_command() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.env("CARGO_INCREMENTAL", "0");
    cmd
}

fn cargo(root: &Path, args: &[&str], timed: bool) -> Result<(Duration, Option<u64>), String> {
    let mut cmd = cargo_command();
    cmd.args(args).arg("--quiet").current_dir(root);
    run_timed(cmd, timed)
}

/// Runs `cmd`; when `timed` and GNU time is installed, also its peak
/// memory (the largest process, which is rustc).
fn run_timed(cmd: Command, timed: bool) -> Result<(Duration, Option<u64>), String> {
    let gnu_time = Path::new("/usr/bin/time");
    let stats = std::env::temp_dir().join(format!("bench-sdk-{}.txt", std::process::id()));
    let mut cmd = if timed && gnu_time.exists() {
        let mut wrapped = Command::new(gnu_time);
        wrapped.arg("-f").arg("%M").arg("-o").arg(&stats).arg(cmd.get_program()).args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                wrapped.env(k, v);
            }
        }
        if let Some(dir) = cmd.get_current_dir() {
            wrapped.current_dir(dir);
        }
        wrapped
    } else {
        cmd
    };
    let start = Instant::now();
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err("a cargo command failed".into());
    }
    let peak = fs::read_to_string(&stats).ok().and_then(|t| t.trim().parse().ok());
    let _ = fs::remove_file(&stats);
    Ok((elapsed, peak))
}

fn touch(path: &Path) -> Result<(), String> {
    let file = fs::OpenOptions::new().append(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.set_modified(std::time::SystemTime::now()).map_err(|e| format!("{}: {e}", path.display()))
}

fn median<T: Copy>(samples: &[(Duration, T)]) -> (Duration, T) {
    let mut sorted = samples.to_vec();
    sorted.sort_by_key(|s| s.0);
    sorted[sorted.len() / 2]
}

fn report(what: &str, samples: &[(Duration, Option<u64>)]) {
    let (time, peak) = median(samples);
    let all: Vec<String> = samples.iter().map(|(d, _)| format!("{:.2}", d.as_secs_f64())).collect();
    let peak = peak.map(|kib| format!(", peak memory {:.0} MiB", kib as f64 / 1024.0)).unwrap_or_default();
    println!("{what}: median {:.2} s (runs: {} s){peak}", time.as_secs_f64(), all.join(", "));
}
