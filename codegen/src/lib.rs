//! The generator: a pure function from a spec tree to Rust source files.
//!
//! `generate` parses and checks every spec file (`validate`, which collects all
//! problems with their positions), then builds token trees (`emit`) and
//! formats them with `prettyplease`. It reads and writes nothing: the caller
//! (`cargo xtask codegen`) owns the file system.

#![warn(missing_docs)]

mod diagnostic;
mod emit;
mod locate;
mod model;
mod naming;
mod spec;
mod validate;

pub use diagnostic::{Diagnostic, problem_count, render};
pub use validate::{MAX_FILE_BYTES, ReadProblem, SourceFile, SpecSource};

/// The command that regenerates code, named in every generated header.
pub const REGENERATE_COMMAND: &str = "cargo xtask codegen";

/// One generated file, relative to the generated module directory
/// (`mod.rs`, `types.rs`, `cancel_physical_connection.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Where it goes, relative to the generated module directory.
    pub path: String,
    /// The formatted source, header included.
    pub contents: String,
}

/// Generates the module tree for one product. Output is sorted by path and
/// depends on nothing but `source`.
pub fn generate(source: &SpecSource) -> Result<Vec<GeneratedFile>, Vec<Diagnostic>> {
    let product = validate::validate(source)?;
    Ok(emit::product(&product))
}
