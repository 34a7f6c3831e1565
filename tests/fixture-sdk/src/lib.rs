//! The generator's output for `tests/fixtures/all-features`, a spec that uses
//! every feature of the format. Checked in as a snapshot: `cargo xtask codegen
//! --check` fails when it drifts, and this crate's tests exercise it.

#[rustfmt::skip]
mod generated;

pub use generated::*;

/// A deprecated action warns whoever uses it, with the spec's note; the
/// generated code itself builds without a warning.
///
/// ```compile_fail
/// #![deny(deprecated)]
/// let _ = fixture_sdk::GetWidgetQuotaRequest::builder();
/// ```
///
/// The same program with an action that is not deprecated builds:
///
/// ```
/// #![deny(deprecated)]
/// let _ = fixture_sdk::DescribeWidgetsRequest::builder();
/// ```
#[cfg(doctest)]
pub struct DeprecatedActionsWarn;
