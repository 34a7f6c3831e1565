//! The generator's output for `tests/fixtures/all-features`, a spec that uses
//! every feature of the format. Checked in as a snapshot: `cargo xtask codegen
//! --check` fails when it drifts, and this crate's tests exercise it.

#[rustfmt::skip]
pub mod generated;

pub use generated::*;
