//! The hand-written runtime behind generated Alibaba Cloud SDK crates.
//!
//! Generated code is thin: per action it declares types and lists wire names.
//! Everything that behaves lives here, written once: how parameters are
//! flattened onto the wire ([`Params`]), how JSON and XML bodies become a
//! neutral tree ([`Node`]) that generated types read ([`Decode`]), how service
//! errors are parsed ([`ServiceError`]), and what an action is ([`Operation`]).

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod build;
mod client;
pub mod credentials;
mod decode;
mod enums;
mod error;
mod lifecycle;
#[cfg(feature = "test-util")]
pub mod mock;
mod node;
mod operation;
mod paginate;
mod params;
mod params_in;
mod random;
mod sdk_error;
mod shape;
mod signature_mismatch;
pub mod signing;
mod wait;

pub use build::{
    BuildError, CheckRequired, Constrained, Limits, Scalar, Unset, check, check_items, check_required, missing_in,
    required, required_items,
};
pub use client::{
    CallOptions, Client, ClientBuilder, ConfigError, DryRunning, Network, RetryBudget, RetryClassifier, RetryFailure,
    RetryPolicy, Sending, SignatureVersion, default_retry_classifier, http_client, http_client_builder,
};
pub use credentials::{
    Credentials, CredentialsCache, CredentialsError, Masked, ProvideCredentials, ProviderChain, Secret,
    SharedCredentialsProvider,
};
pub use decode::{Decode, DecodeError, Object, decode_response};
pub use enums::UnknownValue;
pub use error::{ErrorDoc, OperationError, ServiceError};
pub use futures_util::{Stream, StreamExt};
pub use lifecycle::{Lifecycle, Listing, Transition};
pub use node::Node;
pub use operation::{DRY_RUN_PASSED, DryRunnable, Operation, WireRequest};
pub use paginate::{PageInfo, PageStyle, Paginated};
pub use params::{JsonObject, Params, ToJson, ToParam};
pub use params_in::{FromParams, OperationInfo, ParamError, ParamSource, check_params};
/// The HTTP client crate the runtime uses, for `ClientBuilder::http_client`:
/// build your `reqwest::Client` with this very version.
pub use reqwest;
pub use sdk_error::{Report, ResponseError, SdkError, TimeoutError, TimeoutKind, TransportError};
/// The JSON value type `style: json` parameters are built from.
pub use serde_json::Value as JsonValue;
pub use shape::{FieldShape, Shape, find_field};
pub use signature_mismatch::{SignatureMismatch, SignedDifference, SignedPart};
pub use wait::{WaitError, WaitPolicy, wait_for_state};

/// The crate README's examples, compiled and run as doc-tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
