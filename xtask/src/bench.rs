//! `cargo xtask bench`: placeholder filled in by the benchmark work.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct BenchArgs {}

pub fn run(_args: &BenchArgs) -> ExitCode {
    ExitCode::SUCCESS
}
