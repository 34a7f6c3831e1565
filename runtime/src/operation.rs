//! What an action is, as the client sees it.

use crate::{Decode, OperationError, Params};

/// One API action's request. Generated for every action; the client is
/// generic over it.
pub trait Operation {
    /// Wire name of the action (`Action` parameter).
    const ACTION: &'static str;
    /// API version (`Version` parameter).
    const VERSION: &'static str;
    /// The action only reads state, so it is always safe to retry.
    const READ_ONLY: bool;
    /// Wire name of the parameter that makes the call idempotent, if any.
    const IDEMPOTENCY_TOKEN: Option<&'static str>;
    /// The response declares a top-level `Code` field, so a `Code` in a
    /// successful body is data, not an error.
    const RESPONSE_HAS_CODE: bool = false;
    type Output: Decode;
    type Error: OperationError;

    /// Appends the action's own parameters.
    fn encode(&self, params: &mut Params);

    /// The full RPC parameter list: `Action`, `Version`, then the action's own.
    fn to_params(&self) -> Params {
        let mut params = Params::new();
        params.push("Action", Self::ACTION);
        params.push("Version", Self::VERSION);
        self.encode(&mut params);
        params
    }
}
