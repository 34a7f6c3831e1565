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
        matches!(self, SdkError::Service(e) if e.service_error().code() == crate::DRY_RUN_PASSED)
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

impl<E: OperationError> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Service(e) => {
                let inner = e.service_error();
                write!(f, "the service returned {} (HTTP {}): {}", inner.code(), inner.status(), inner.message())?;
                if let Some(id) = inner.request_id() {
                    write!(f, " [request id {id}]")?;
                }
                Ok(())
            }
            SdkError::Build(e) => write!(f, "the request was not sent: {e}"),
            SdkError::Timeout(e) => e.fmt(f),
            SdkError::Transport(e) => e.fmt(f),
            SdkError::Response(e) => e.fmt(f),
            SdkError::Credentials(e) => write!(f, "the request was not sent: no credentials to sign with: {e}"),
        }
    }
}

impl<E: OperationError + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Service(e) => Some(e),
            SdkError::Build(e) => Some(e),
            SdkError::Timeout(_) => None,
            SdkError::Transport(e) => Some(e),
            SdkError::Response(e) => e.source.as_ref().map(|e| e as _),
            SdkError::Credentials(e) => Some(e),
        }
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    pub kind: TimeoutKind,
    pub attempts: u32,
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

#[derive(Debug)]
pub struct TransportError {
    pub attempts: u32,
    /// The underlying HTTP error, stripped of its URL.
    pub source: reqwest::Error,
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not complete the HTTP exchange after {} attempt(s): {}", self.attempts, self.source)?;
        // The HTTP error's own text is general ("error sending request");
        // its causes say what happened ("connection closed before message
        // completed"). None of them holds the URL or the request.
        let mut cause = std::error::Error::source(&self.source);
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        f.write_str("; check the endpoint, proxy and network")
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
    pub status: u16,
    /// What was wrong with it.
    pub reason: String,
    /// The start of the body, with control characters replaced; safe to log.
    pub excerpt: String,
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
