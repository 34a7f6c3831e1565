//! The generator's output for `tests/fixtures/edge-cases`: type names that
//! are also the names of standard types and traits (`Option`, `Result`,
//! `String`, `Vec`, `Default`, `Send`...) and prose that rustdoc would read
//! as HTML, links or doc-tests. Checked in as a snapshot; that it builds,
//! passes clippy, documents with warnings as errors and passes its doc-tests
//! is the test.

#[rustfmt::skip]
mod generated;

pub use generated::*;
