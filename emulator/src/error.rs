//! The errors the emulator answers with: an HTTP status, an Alibaba error
//! code and a message. The response layer adds `RequestId`, `HostId` and
//! `Recommend`.
//!
//! The gateway's own errors carry no status here: it is the one the spec
//! documents for the code (`ServiceModel::common_errors`), looked up when the
//! answer is written. Only the messages, which quote the request's details
//! as Alibaba's do, are written here.

use std::borrow::Cow;

use aliyun_runtime::ErrorDoc;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    /// `None` for a gateway error: the status the spec documents for `code`.
    pub status: Option<u16>,
    pub code: Cow<'static, str>,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        ApiError { status: Some(status), code: code.into(), message: message.into() }
    }

    /// A gateway error, answered with the status the spec documents.
    pub fn gateway(code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status: None, code: Cow::Borrowed(code), message: message.into() }
    }

    /// The HTTP status to answer with: this error's own, else the one
    /// `documented` gives its code (400, the gateway's usual, if none does).
    pub fn status(&self, documented: &[ErrorDoc]) -> u16 {
        self.status.or_else(|| documented_status(documented, &self.code)).unwrap_or(400)
    }

    pub fn missing_parameter(name: &str) -> Self {
        ApiError::from(aliyun_runtime::ParamError::Missing { parameter: name.to_owned() })
    }

    pub fn invalid_api(action: &str, version: &str) -> Self {
        ApiError::gateway(
            "InvalidApi.NotFound",
            format!(
                "Specified api is not found, please check your url and method. (action {action}, version {version})"
            ),
        )
    }

    pub fn incomplete_signature(what: &str) -> Self {
        ApiError::gateway(
            "IncompleteSignature",
            format!("The request signature does not conform to Aliyun standards. {what}"),
        )
    }

    pub fn unknown_key() -> Self {
        ApiError::gateway("InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    }

    pub fn token_mismatch() -> Self {
        ApiError::gateway(
            "InvalidSecurityToken.MismatchWithAccessKey",
            "The security token does not belong to the access key.",
        )
    }

    pub fn expired(timestamp: &str) -> Self {
        ApiError::gateway(
            "InvalidTimeStamp.Expired",
            format!(
                "Specified time stamp or date value is expired. The request time {timestamp} is more than 15 minutes away from the server's."
            ),
        )
    }

    pub fn bad_timestamp(timestamp: &str) -> Self {
        ApiError::gateway(
            "InvalidTimeStamp.Format",
            format!(
                "Specified time stamp or date value \"{timestamp}\" is not well formatted; use YYYY-MM-DDThh:mm:ssZ in UTC."
            ),
        )
    }

    /// The message carries the server's string to sign, as Alibaba's does,
    /// so that a client can compare it with its own.
    pub fn signature_mismatch(string_to_sign: &str) -> Self {
        ApiError::gateway(
            "SignatureDoesNotMatch",
            format!(
                "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
            ),
        )
    }

    pub fn nonce_used() -> Self {
        ApiError::gateway("SignatureNonceUsed", "Specified signature nonce was used already.")
    }

    pub fn throttled() -> Self {
        ApiError::gateway("Throttling.User", "Request was denied due to user flow control.")
    }

    pub fn unavailable() -> Self {
        ApiError::gateway("ServiceUnavailable", "The request has failed due to a temporary failure of the server.")
    }

    pub fn internal(what: &str) -> Self {
        ApiError::gateway(
            "InternalError",
            format!("The request processing has failed due to some unknown error, exception or failure. {what}"),
        )
    }

    pub fn token_reused(token_name: &str) -> Self {
        ApiError::gateway(
            "IdempotentParameterMismatch",
            format!("The request uses the same {token_name} as a previous, but non-identical request."),
        )
    }
}

/// The status `docs` give for `code`, if they list it.
pub(crate) fn documented_status(docs: &[ErrorDoc], code: &str) -> Option<u16> {
    docs.iter().find(|d| d.code == code).map(|d| d.status)
}

impl From<aliyun_runtime::ParamError> for ApiError {
    fn from(e: aliyun_runtime::ParamError) -> Self {
        ApiError::gateway(e.code(), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every gateway error the emulator can answer is documented by the
    /// spec, so its status is the spec's and not a guess.
    #[test]
    fn every_gateway_error_has_the_status_the_spec_documents() {
        let documented = aliyun_vpc::CommonError::DOCUMENTED;
        let param = |missing: bool| {
            let e = if missing {
                aliyun_runtime::ParamError::Missing { parameter: "RegionId".into() }
            } else {
                aliyun_runtime::ParamError::Invalid { parameter: "PageSize".into(), reason: "too big".into() }
            };
            ApiError::from(e)
        };
        let gateway = [
            ApiError::missing_parameter("RegionId"),
            ApiError::invalid_api("NoSuchAction", "2016-04-28"),
            ApiError::incomplete_signature("no nonce"),
            ApiError::unknown_key(),
            ApiError::token_mismatch(),
            ApiError::expired("2020-01-01T00:00:00Z"),
            ApiError::bad_timestamp("yesterday"),
            ApiError::signature_mismatch("POST&%2F&"),
            ApiError::nonce_used(),
            ApiError::throttled(),
            ApiError::unavailable(),
            ApiError::internal("disk full"),
            ApiError::token_reused("ClientToken"),
            param(true),
            param(false),
        ];
        for e in gateway {
            let doc = documented.iter().find(|d| d.code == e.code);
            let doc = doc.unwrap_or_else(|| panic!("`{}` is not among the spec's common errors", e.code));
            assert_eq!(e.status, None, "{}: a gateway error takes its status from the spec", e.code);
            assert_eq!(e.status(documented), doc.status, "{}", e.code);
        }
        assert_eq!(ApiError::unknown_key().status(documented), 404);
        assert_eq!(ApiError::unavailable().status(documented), 503);
        // An error with its own status keeps it.
        assert_eq!(ApiError::new(413, "RequestEntityTooLarge", "too big").status(documented), 413);
    }
}
