//! The errors the emulator answers with: an HTTP status, an Alibaba error
//! code and a message. The response layer adds `RequestId`, `HostId` and
//! `Recommend`.
//!
//! Statuses and codes of the gateway's own errors follow the product's
//! `common_errors`; the generated crate publishes their codes but not their
//! statuses or messages, so those are written here, once, generically.

use std::borrow::Cow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub status: u16,
    pub code: Cow<'static, str>,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        ApiError { status, code: code.into(), message: message.into() }
    }

    pub fn missing_parameter(name: &str) -> Self {
        ApiError::new(
            400,
            "MissingParameter",
            format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }

    pub fn invalid_api(action: &str, version: &str) -> Self {
        ApiError::new(
            404,
            "InvalidApi.NotFound",
            format!(
                "Specified api is not found, please check your url and method. (action {action}, version {version})"
            ),
        )
    }

    pub fn incomplete_signature(what: &str) -> Self {
        ApiError::new(
            400,
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards. {what}"),
        )
    }

    pub fn unknown_key() -> Self {
        ApiError::new(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    }

    pub fn token_mismatch() -> Self {
        ApiError::new(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "The security token does not belong to the access key.",
        )
    }

    pub fn expired(timestamp: &str) -> Self {
        ApiError::new(
            400,
            "InvalidTimeStamp.Expired",
            format!(
                "Specified time stamp or date value is expired. The request time {timestamp} is more than 15 minutes away from the server's."
            ),
        )
    }

    pub fn bad_timestamp(timestamp: &str) -> Self {
        ApiError::new(
            400,
            "InvalidTimeStamp.Format",
            format!(
                "Specified time stamp or date value \"{timestamp}\" is not well formatted; use YYYY-MM-DDThh:mm:ssZ in UTC."
            ),
        )
    }

    /// The message carries the server's string to sign, as Alibaba's does,
    /// so that a client can compare it with its own.
    pub fn signature_mismatch(string_to_sign: &str) -> Self {
        ApiError::new(
            400,
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
        )
    }

    pub fn nonce_used() -> Self {
        ApiError::new(400, "SignatureNonceUsed", "Specified signature nonce was used already.")
    }

    pub fn throttled() -> Self {
        ApiError::new(400, "Throttling.User", "Request was denied due to user flow control.")
    }

    pub fn unavailable() -> Self {
        ApiError::new(503, "ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
    }

    pub fn internal(what: &str) -> Self {
        ApiError::new(
            500,
            "InternalError",
            format!("The request processing has failed due to some unknown error, exception or failure. {what}"),
        )
    }

    pub fn token_reused(token_name: &str) -> Self {
        ApiError::new(
            400,
            "IdempotentParameterMismatch",
            format!("The request uses the same {token_name} as a previous, but non-identical request."),
        )
    }
}

impl From<aliyun_runtime::ParamError> for ApiError {
    fn from(e: aliyun_runtime::ParamError) -> Self {
        ApiError::new(400, e.code(), e.to_string())
    }
}
