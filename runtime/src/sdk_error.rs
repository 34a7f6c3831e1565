//! Everything a call can fail with, each saying what happened and what to do.

use std::fmt;
use std::time::Duration;

use crate::credentials::CredentialsError;
use crate::{BuildError, DecodeError, OperationError};

/// The error of a call to action `E`'s operation.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The service answered with an error code; `E` has a variant per
    /// documented code.
    Service(E),
    /// The request could not be built (a required parameter is missing or a
    /// value breaks a documented limit). Nothing was sent.
    Build(BuildError),
    /// No answer in time.
    Timeout(TimeoutError),
    /// The endpoint could not be reached, or the connection broke.
    Transport(TransportError),
    /// The service answered with something that is neither the expected
    /// response nor an error body (a proxy's HTML page, a truncated body...).
    Response(ResponseError),
    /// No credentials to sign with: the provider is not set up, failed, or
    /// answered credentials that had expired. Nothing was sent.
    Credentials(CredentialsError),
}

impl<E> SdkError<E> {
    /// The typed service error, if that is what this is.
    pub fn as_service(&self) -> Option<&E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }
}

impl<E: OperationError> SdkError<E> {
    /// Whether this is the service's answer to a dry run that would have
    /// succeeded (code `DryRunOperation`): for a request sent with
    /// `DryRun=true` by hand. `Client::dry_run` turns it into `Ok(())`.
    pub fn is_dry_run_passed(&self) -> bool {
        self.code() == Some(crate::DRY_RUN_PASSED)
    }

    /// The service's answer, when the failure is one.
    fn service_error(&self) -> Option<&crate::ServiceError> {
        self.as_service().map(OperationError::service_error)
    }

    /// Alibaba's error code (`Forbidden.NotAllowedInState`), when the service answered with one.
    pub fn code(&self) -> Option<&str> {
        self.service_error().map(|e| e.code())
    }

    /// The service's message, when it answered with an error.
    pub fn message(&self) -> Option<&str> {
        self.service_error().map(|e| e.message())
    }

    /// The request ID to quote to Alibaba support, when the service gave one.
    pub fn request_id(&self) -> Option<&str> {
        self.service_error().and_then(|e| e.request_id())
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            SdkError::Service(e) => Some(e.service_error().status()),
            SdkError::Response(e) => Some(e.status),
            _ => None,
        }
    }

    /// Whether the service asked to slow down (a `Throttling*` code).
    pub fn is_throttling(&self) -> bool {
        self.code().is_some_and(|c| c.starts_with("Throttling"))
    }

    /// Whether trying the same call again later may succeed: throttling,
    /// server-side failures, timeouts and broken connections. Not whether
    /// it is safe to: a call that creates something is safe to repeat only
    /// with the same `ClientToken` (the client's own retries reuse it).
    pub fn is_retryable(&self) -> bool {
        // The client's own retry rule, so the two never disagree.
        let failure = match self {
            SdkError::Service(e) => {
                let e = e.service_error();
                crate::RetryFailure::Service { status: e.status(), code: e.code() }
            }
            SdkError::Timeout(_) => crate::RetryFailure::Timeout,
            SdkError::Transport(_) => crate::RetryFailure::Transport { sent: true },
            SdkError::Response(e) => crate::RetryFailure::Response { status: e.status },
            SdkError::Build(_) | SdkError::Credentials(_) => return false,
        };
        crate::default_retry_classifier(&failure)
    }

    /// The typed service error, or this error back when it is another kind.
    pub fn into_service(self) -> Result<E, Self> {
        match self {
            SdkError::Service(e) => Ok(e),
            other => Err(other),
        }
    }

    /// For `SignatureDoesNotMatch`: the string the server signed, which it
    /// quotes in its message. Compare it with the one your signer built (an
    /// encoding difference in one parameter is the usual cause); the
    /// client's own signatures are checked against Alibaba's published
    /// examples, so a mismatch with this SDK most often means a wrong secret.
    pub fn server_string_to_sign(&self) -> Option<&str> {
        if self.code() != Some("SignatureDoesNotMatch") {
            return None;
        }
        let message = self.message()?;
        let at = message.find("string to sign is:")?;
        Some(message[at + "string to sign is:".len()..].trim())
    }

    /// For `SignatureDoesNotMatch`: what the client signed for the attempt
    /// the service refused (the V1 string to sign, or the V3 one, whose
    /// canonical request [`SdkError::signature_mismatch`] also gives), with
    /// an STS token and sensitive parameters masked. Kept for this error only.
    pub fn client_string_to_sign(&self) -> Option<&str> {
        self.service_error()?.client_signed().map(|s| s.string_to_sign())
    }

    /// For `SignatureDoesNotMatch`, when the service quotes what it signed:
    /// that beside what the client signed for the same attempt, and where
    /// they first differ. Its `Display` names the byte, and the parameter,
    /// header or line there:
    ///
    /// ```text
    /// what the client signed and what the server signed differ from byte 164, in parameter `Name`: `a%20b` in the client's, `a%2Bb` in the server's
    /// ```
    ///
    /// When both are the same, the keys differ: a wrong AccessKey secret.
    pub fn signature_mismatch(&self) -> Option<crate::SignatureMismatch> {
        let server = self.server_string_to_sign()?;
        let signed = self.service_error()?.client_signed()?;
        Some(crate::SignatureMismatch::new(server, signed))
    }
}

impl SdkError<std::convert::Infallible> {
    /// The same error, as the error of an action whose service error is `E`:
    /// for failures that happen before any service error could.
    pub(crate) fn retype<E>(self) -> SdkError<E> {
        match self {
            SdkError::Service(never) => match never {},
            SdkError::Build(e) => SdkError::Build(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Transport(e) => SdkError::Transport(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Credentials(e) => SdkError::Credentials(e),
        }
    }
}

impl<E> From<BuildError> for SdkError<E> {
    fn from(e: BuildError) -> Self {
        SdkError::Build(e)
    }
}

/// Says what kind of failure this is; the details are in `source()`, so that
/// error reporters (anyhow, eyre, tracing) print each layer once.
impl<E: OperationError> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Service(e) => {
                let inner = e.service_error();
                write!(f, "the service refused the call (HTTP {}", inner.status())?;
                if let Some(id) = inner.request_id() {
                    write!(f, ", request id {id}")?;
                }
                f.write_str(")")
            }
            SdkError::Build(_) => f.write_str("the request was not sent: it does not build"),
            SdkError::Timeout(_) => f.write_str("the call timed out"),
            SdkError::Transport(_) => f.write_str("the HTTP exchange failed"),
            SdkError::Response(_) => f.write_str("the answer could not be read"),
            SdkError::Credentials(_) => f.write_str("the request was not sent: no credentials to sign with"),
        }
    }
}

impl<E: OperationError + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Service(e) => Some(e),
            SdkError::Build(e) => Some(e),
            SdkError::Timeout(e) => Some(e),
            SdkError::Transport(e) => Some(e),
            SdkError::Response(e) => Some(e),
            SdkError::Credentials(e) => Some(e),
        }
    }
}

/// An error and all its causes on one line, `outer: cause: cause`: what
/// `anyhow`'s `{:#}` prints, for logs written without an error-reporting
/// crate. Each layer's `Display` says only its own part, so nothing repeats.
pub struct Report<'a>(pub &'a (dyn std::error::Error + 'a));

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

/// Which time limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    /// One attempt took longer than the per-attempt timeout, and no retry was allowed.
    Attempt,
    /// The whole call, retries included, took longer than the total timeout.
    Total,
}

/// A call that ran out of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    /// Which limit ran out.
    pub kind: TimeoutKind,
    /// Attempts made, the one cut short included.
    pub attempts: u32,
    /// How long the call ran, retries and backoff included.
    pub elapsed: Duration,
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TimeoutKind::Attempt => "an attempt timed out",
            TimeoutKind::Total => "the call ran out of time",
        };
        write!(
            f,
            "{what} after {:.1?} and {} attempt(s); check the endpoint and network, or raise the timeouts in the client config",
            self.elapsed, self.attempts
        )
    }
}

impl std::error::Error for TimeoutError {}

/// A call whose HTTP exchange could not be completed: the connection was
/// refused, broke, or the answer was cut short.
#[derive(Debug)]
pub struct TransportError {
    /// Attempts made.
    pub attempts: u32,
    /// The underlying HTTP error, stripped of its URL.
    pub source: reqwest::Error,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // What happened is in `source()` (the HTTP error and its causes,
        // none of which holds the URL or the request).
        write!(f, "no complete HTTP exchange after {} attempt(s); check the endpoint, proxy and network", self.attempts)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A response that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// What was wrong with it.
    pub reason: String,
    /// The start of the body, with control characters replaced; safe to log.
    pub excerpt: String,
    /// Where decoding failed, when the body was the action's response in
    /// another shape than the spec's.
    pub source: Option<DecodeError>,
}

/// How many characters of a body an error shows.
pub(crate) const EXCERPT_CHARS: usize = 200;

/// The first [`EXCERPT_CHARS`] characters of a body, on one line.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(EXCERPT_CHARS).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().nth(EXCERPT_CHARS).is_some() {
        out.push('…');
    }
    out
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unexpected response (HTTP {}): {}", self.status, self.reason)?;
        if let Some(source) = &self.source {
            write!(f, " ({source})")?;
        }
        if self.excerpt.is_empty() {
            f.write_str("; the body was empty")
        } else {
            write!(f, "; the body starts with: {}", self.excerpt)
        }
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}
