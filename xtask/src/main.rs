//! `cargo xtask`: the project's own commands.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use xtask::{Failure, Target};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Project automation", disable_version_flag = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the SDK crates from the spec (or check that they are current).
    Codegen(CodegenArgs),
    /// Time the generator on a synthetic spec, and optionally the generated crate's compile.
    Bench(xtask::bench::BenchArgs),
    /// Time the real product crate: codegen, its build, docs, and a program calling every action.
    BenchSdk(xtask::bench_sdk::BenchSdkArgs),
}

#[derive(Args)]
struct CodegenArgs {
    /// Change nothing; fail listing every stale, missing or extra file with a diff.
    #[arg(long)]
    check: bool,
    /// Spec directory (holding product.yaml and actions/). Needs --out.
    #[arg(long, requires = "out", value_name = "DIR")]
    spec: Option<PathBuf>,
    /// Crate directory to generate into (code goes to DIR/src/generated). Needs --spec.
    #[arg(long, requires = "spec", value_name = "DIR")]
    out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Codegen(args) => codegen(args),
        Command::Bench(args) => xtask::bench::run(&args),
        Command::BenchSdk(args) => xtask::bench_sdk::run(&args),
    }
}

fn codegen(args: CodegenArgs) -> ExitCode {
    let targets = match (args.spec, args.out) {
        (Some(spec), Some(out)) => vec![Target { spec, out }],
        _ => xtask::default_targets(),
    };
    let mut failed = false;
    for target in &targets {
        let result = if args.check {
            xtask::check(target)
        } else {
            xtask::write(target).map(|changes| print_changes(target, &changes))
        };
        if let Err(failure) = result {
            eprint!("{}", xtask::report(&failure));
            if let Failure::Io(_) = failure {
                if !target.spec.is_dir() {
                    return ExitCode::from(2);
                }
            }
            failed = true;
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn print_changes(target: &Target, changes: &xtask::Changes) {
    if changes.written.is_empty() && changes.deleted.is_empty() {
        println!("{}: up to date", target.out.display());
    }
    for path in &changes.written {
        println!("wrote {}", path.display());
    }
    for path in &changes.deleted {
        println!("deleted {}", path.display());
    }
}
