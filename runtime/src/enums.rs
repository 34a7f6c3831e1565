//! Support for open enums: values the spec lists, plus any the service adds.

use std::fmt;

/// A value the service sent that the spec does not list yet.
///
/// Kept opaque on purpose: matching on a specific unknown string would break
/// silently once the spec learns that value and it gets its own variant.
/// Read it with [`UnknownValue::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(Box<str>);

impl UnknownValue {
    /// Used by generated `From<&str>` impls.
    #[doc(hidden)]
    pub fn new(value: &str) -> Self {
        UnknownValue(value.into())
    }

    /// The value exactly as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
