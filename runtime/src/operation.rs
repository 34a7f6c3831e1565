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
    /// Top-level parameters that travel in the form body rather than the
    /// query string (`position: body` in the spec). Their flattened forms
    /// (`Name.Field`, `Name.1`) go with them.
    const BODY_PARAMS: &'static [&'static str] = &[];
    /// The wire names of top-level parameters the spec marks `sensitive`:
    /// their values are masked in whatever the service sends back, as the
    /// credentials are.
    const SENSITIVE: &'static [&'static str] = &[];
    /// The parameter naming the request's region (`RegionId`), which the
    /// client fills with its own region when the request leaves it unset.
    const CLIENT_REGION: Option<&'static str> = None;
    /// The response a successful call decodes to.
    type Output: Decode;
    /// The action's typed error, one variant per documented code.
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

/// The code the service answers a dry run that would have succeeded with
/// (HTTP 400, as if it were an error).
pub const DRY_RUN_PASSED: &str = "DryRunOperation";

/// An action that takes a `DryRun` parameter: the service can check a
/// request (credentials, permissions, parameters) without acting on it.
/// Generated for every such action; `Client::dry_run` takes any of them.
pub trait DryRunnable: Operation {}

/// A request of action `O` given directly as wire parameters (without
/// `Action` and `Version`, which come from `O`). Waiters use it to read a
/// resource with parameters the spec lists.
#[derive(Debug, Clone)]
pub struct WireRequest<O> {
    params: Params,
    action: std::marker::PhantomData<fn() -> O>,
}

impl<O> WireRequest<O> {
    /// A request of `O` made of these wire name and value pairs, sent in
    /// this order and not checked against the spec: the caller answers for
    /// names, formats and required parameters.
    pub fn new<K: Into<String>, V: Into<String>>(params: impl IntoIterator<Item = (K, V)>) -> Self {
        let mut wire = Params::new();
        for (k, v) in params {
            wire.push(k, v);
        }
        WireRequest { params: wire, action: std::marker::PhantomData }
    }
}

impl<O: Operation> Operation for WireRequest<O> {
    const ACTION: &'static str = O::ACTION;
    const VERSION: &'static str = O::VERSION;
    const READ_ONLY: bool = O::READ_ONLY;
    const IDEMPOTENCY_TOKEN: Option<&'static str> = O::IDEMPOTENCY_TOKEN;
    const RESPONSE_HAS_CODE: bool = O::RESPONSE_HAS_CODE;
    const BODY_PARAMS: &'static [&'static str] = O::BODY_PARAMS;
    const CLIENT_REGION: Option<&'static str> = O::CLIENT_REGION;
    const SENSITIVE: &'static [&'static str] = O::SENSITIVE;
    type Output = O::Output;
    type Error = O::Error;

    fn encode(&self, params: &mut Params) {
        for (k, v) in self.params.iter() {
            params.push(k, v);
        }
    }
}
