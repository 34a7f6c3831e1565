//! `cargo xtask bench`: how fast the generator is, how much memory it takes,
//! and how fast the crate it makes compiles, on a synthetic spec of N actions.
//!
//! Figures are printed, never asserted: speed targets are tracked by reading
//! them, not by tests that fail on a slow machine.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use codegen::{SourceFile, SpecSource};

/// The options of `cargo xtask bench`.
#[derive(clap::Args)]
pub struct BenchArgs {
    /// Number of synthetic actions.
    #[arg(long, default_value_t = 1000)]
    actions: usize,
    /// Generator runs to time (the fastest and the median are reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Also compile the generated crate (debug, crate only) and time it.
    #[arg(long)]
    compile: bool,
    /// With --compile, also time a release build.
    #[arg(long)]
    release: bool,
}

/// Runs the benchmark and prints its figures; fails (exit code 1) only when
/// the synthetic spec does not generate or, with `--compile`, its crate
/// does not build.
pub fn run(args: &BenchArgs) -> ExitCode {
    if cfg!(debug_assertions) {
        eprintln!("note: this is a debug build; for real figures run `cargo run --release -p xtask -- bench`");
    }
    let source = synthetic_spec(args.actions);
    let spec_bytes: usize = source.files.iter().map(|f| f.text.len()).sum();
    println!(
        "synthetic spec: {} actions, {} files, {:.1} MiB of YAML",
        args.actions,
        source.files.len(),
        mib(spec_bytes)
    );

    let mut times = Vec::new();
    let mut files = Vec::new();
    for _ in 0..args.runs.max(1) {
        let start = Instant::now();
        match codegen::generate(&source) {
            Ok(out) => files = out,
            Err(diags) => {
                eprint!("the synthetic spec is invalid (a bug in the benchmark):\n{}", codegen::render(&diags));
                return ExitCode::FAILURE;
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    let per_action = |d: Duration| d.as_secs_f64() * 1000.0 / args.actions as f64;
    println!(
        "generate: fastest {:.3} s, median {:.3} s ({:.3} ms per action)",
        times[0].as_secs_f64(),
        times[times.len() / 2].as_secs_f64(),
        per_action(times[times.len() / 2])
    );
    println!(
        "output: {} files, {} lines ({:.0} lines per action)",
        files.len(),
        lines,
        lines as f64 / args.actions as f64
    );
    match peak_rss_kib() {
        Some(kib) => println!("peak memory (whole process, VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak memory: not available on this platform"),
    }

    if args.compile {
        if let Err(e) = compile(args, &files) {
            eprintln!("compile benchmark failed: {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

pub(crate) fn mib(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// Peak resident memory of this process, from `/proc/self/status`.
fn peak_rss_kib() -> Option<u64> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Writes the generated files into a scratch crate and times its build.
/// Dependencies are built first with a one-action crate, so the timed build
/// is the generated crate alone.
fn compile(args: &BenchArgs, files: &[codegen::GeneratedFile]) -> Result<(), String> {
    let root = crate::workspace_root();
    let dir = root.join("target/bench/sdk");
    let target_dir = root.join("target/bench/target");
    let tiny = codegen::generate(&synthetic_spec(1)).map_err(|d| codegen::render(&d))?;
    write_crate(&dir, &root, &tiny)?;
    let mut profiles = vec![false];
    if args.release {
        profiles.push(true);
    }
    for &release in &profiles {
        cargo_build(&dir, &target_dir, release)?;
    }
    write_crate(&dir, &root, files)?;
    for release in profiles {
        let elapsed = cargo_build(&dir, &target_dir, release)?;
        let profile = if release { "release" } else { "debug" };
        println!(
            "compile ({profile}, generated crate only): {:.1} s, {:.4} s per action",
            elapsed.as_secs_f64(),
            elapsed.as_secs_f64() / args.actions as f64
        );
    }
    Ok(())
}

fn write_crate(dir: &Path, root: &Path, files: &[codegen::GeneratedFile]) -> Result<(), String> {
    let generated = dir.join(crate::GENERATED_DIR);
    let _ = fs::remove_dir_all(&generated);
    fs::create_dir_all(&generated).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"bench-sdk\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\naliyun-runtime = {{ path = {:?} }}\n\n[features]\nserver = []\ntest-util = []\n\n[workspace]\n",
        root.join("runtime").display().to_string()
    );
    let write = |path: PathBuf, text: &str| fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()));
    write(dir.join("Cargo.toml"), &manifest)?;
    write(dir.join("src/lib.rs"), "#[rustfmt::skip]\npub mod generated;\npub use generated::*;\n")?;
    for file in files {
        write(generated.join(&file.path), &file.contents)?;
    }
    Ok(())
}

fn cargo_build(dir: &Path, target_dir: &Path, release: bool) -> Result<Duration, String> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("build").arg("--quiet").current_dir(dir).env("CARGO_TARGET_DIR", target_dir);
    if release {
        cmd.arg("--release");
    }
    let start = Instant::now();
    let status = cmd.status().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build failed in {}", dir.display()));
    }
    Ok(start.elapsed())
}

/// A spec of `n` actions shaped like the real API: creates with tokens, tags
/// and filters; paginated describes with wrapped, nested responses; modifies
/// with many scalars; deletes. Every action documents errors and examples.
pub fn synthetic_spec(n: usize) -> SpecSource {
    let mut files = vec![SourceFile::new("product.yaml", PRODUCT)];
    for i in 0..n {
        let (name, text) = match i % 4 {
            0 => create_action(i),
            1 => describe_action(i),
            2 => modify_action(i),
            _ => delete_action(i),
        };
        files.push(SourceFile::new(format!("actions/{name}.yaml"), text));
    }
    SpecSource { root: "bench".into(), header_root: "bench".into(), files }
}

const PRODUCT: &str = r#"product: Bench
version: "2020-01-01"
style: rpc
endpoint: "bench.{region}.example.com"
summary: A synthetic product for benchmarks.
common_errors:
  - {code: Throttling, status: 400, message: Request was denied due to request throttling.}
  - {code: ServiceUnavailable, status: 503, message: The service is unavailable.}
  - {code: InternalError, status: 500, message: An internal error occurred.}
types:
  - name: Tag
    kind: struct
    fields:
      - {name: Key, type: string, description: The key.}
      - {name: Value, type: string, description: The value.}
  - name: ResourceStatus
    kind: enum
    values:
      - {value: Pending}
      - {value: Available}
      - {value: Deleting}
"#;

fn errors(out: &mut String, resource: &str) {
    let _ = write!(
        out,
        "errors:\n  - code: Invalid{resource}Id.NotFound\n    status: 404\n    message: The {resource} does not exist.\n  - code: Forbidden.{resource}State\n    status: 400\n    message: The {resource} is in the wrong state.\n"
    );
}

fn create_action(i: usize) -> (String, String) {
    let name = format!("CreateResource{i:05}");
    let mut t = format!(
        "action: {name}\nsummary: Creates resource kind {i}.\nrequest:\n  - {{name: RegionId, type: string, required: true, example: cn-hangzhou, description: The region.}}\n  - {{name: ClientToken, type: string, idempotency_token: true, max_length: 64, description: Idempotency token.}}\n  - {{name: Name, type: string, min_length: 2, max_length: 128, description: The name.}}\n  - {{name: Bandwidth, type: long, minimum: 1, maximum: 10000, description: Bandwidth in Mbit/s.}}\n  - {{name: Tag, type: list, items: Tag, max_items: 20, description: Tags.}}\n  - name: Filter\n    type: list\n    items: struct\n    struct: Filter\n    fields:\n      - {{name: Key, type: string}}\n      - {{name: Value, type: list, items: string}}\nresponse:\n  - {{name: RequestId, type: string, required: true}}\n  - {{name: ResourceId, type: string, example: r-1}}\n"
    );
    errors(&mut t, "Resource");
    t.push_str("examples:\n  json: '{\"RequestId\": \"R\", \"ResourceId\": \"r-1\"}'\n");
    (name, t)
}

fn describe_action(i: usize) -> (String, String) {
    let name = format!("DescribeResources{i:05}");
    let mut t = format!(
        "action: {name}\nsummary: Lists resources of kind {i}.\nrequest:\n  - {{name: RegionId, type: string, required: true}}\n  - {{name: ResourceId, type: list, items: string}}\n  - {{name: PageNumber, type: integer, minimum: 1}}\n  - {{name: PageSize, type: integer, minimum: 1, maximum: 100}}\nresponse:\n  - {{name: RequestId, type: string, required: true}}\n  - {{name: TotalCount, type: integer}}\n  - {{name: PageNumber, type: integer}}\n  - {{name: PageSize, type: integer}}\n  - name: Resources\n    type: list\n    wrapper: Resource\n    items: struct\n    fields:\n      - {{name: ResourceId, type: string}}\n      - {{name: Name, type: string}}\n      - {{name: Status, type: ResourceStatus}}\n      - {{name: Bandwidth, type: long}}\n      - {{name: CreationTime, type: string}}\n      - {{name: Enabled, type: boolean}}\n      - {{name: Tags, type: list, wrapper: Tag, items: Tag}}\n      - name: Spec\n        type: struct\n        struct: ResourceSpec\n        fields:\n          - {{name: Cpu, type: integer}}\n          - {{name: Memory, type: float}}\n"
    );
    errors(&mut t, "Resource");
    t.push_str("examples:\n  json: '{\"RequestId\": \"R\", \"TotalCount\": 1, \"Resources\": {\"Resource\": [{\"ResourceId\": \"r-1\", \"Status\": \"Available\", \"Tags\": {\"Tag\": [{\"Key\": \"k\", \"Value\": \"v\"}]}}]}}'\n");
    (name, t)
}

fn modify_action(i: usize) -> (String, String) {
    let name = format!("ModifyResourceAttribute{i:05}");
    let mut t = format!(
        "action: {name}\nsummary: Changes resource kind {i}.\nrequest:\n  - {{name: RegionId, type: string, required: true}}\n  - {{name: ResourceId, type: string, required: true}}\n"
    );
    for (k, ty) in ["string", "integer", "long", "boolean", "string", "float"].iter().enumerate() {
        let _ = writeln!(t, "  - {{name: Attribute{k}, type: {ty}, description: Attribute number {k}.}}");
    }
    t.push_str("response:\n  - {name: RequestId, type: string, required: true}\n");
    errors(&mut t, "Resource");
    (name, t)
}

fn delete_action(i: usize) -> (String, String) {
    let name = format!("DeleteResource{i:05}");
    let mut t = format!(
        "action: {name}\nsummary: Deletes resource kind {i}.\nrequest:\n  - {{name: RegionId, type: string, required: true}}\n  - {{name: ResourceId, type: string, required: true}}\n  - {{name: ClientToken, type: string, idempotency_token: true}}\nresponse:\n  - {{name: RequestId, type: string, required: true}}\n"
    );
    errors(&mut t, "Resource");
    t.push_str("examples:\n  xml: <DeleteResource");
    let _ = writeln!(t, "{i:05}Response><RequestId>R</RequestId></DeleteResource{i:05}Response>");
    (name, t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_synthetic_spec_is_valid() {
        let files = codegen::generate(&synthetic_spec(8)).unwrap_or_else(|d| panic!("{}", codegen::render(&d)));
        assert_eq!(files.len(), 8 + 2, "one file per action, plus mod.rs and types.rs");
    }
}
