//! Errors the service answers with.

use std::fmt;

use crate::{DecodeError, Node, Object};

/// An error code as the spec documents it: the HTTP status the service
/// answers it with, and its usual message. Generated crates publish the
/// common ones (`CommonError::DOCUMENTED`), so that servers answer them as
/// documented and clients can read what a code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorDoc {
    /// The error code, such as `Throttling.User`.
    pub code: &'static str,
    /// The HTTP status the service answers this code with (400-599).
    pub status: u16,
    /// The message the service usually sends with it; servers send it as
    /// is, and clients should show the message actually received instead.
    pub message: &'static str,
}

/// An error body from the service: the same fields for every action.
///
/// Boxed inside, so that every action's error enum, and every `Result`
/// carrying one, stays one pointer wide.
#[derive(Clone, PartialEq, Eq)]
pub struct ServiceError(Box<Fields>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Fields {
    status: u16,
    code: String,
    message: String,
    request_id: Option<String>,
    host_id: Option<String>,
    recommend: Option<String>,
    /// On `SignatureDoesNotMatch` only: what the client signed, to compare
    /// with the string the server quotes.
    client_signed: Option<Box<crate::signature_mismatch::Signed>>,
}

impl ServiceError {
    /// An error with this HTTP status, code and message, and no request id,
    /// host id or recommendation: for servers answering as the service
    /// does, and for tests that need a service error without a body.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        ServiceError(Box::new(Fields {
            status,
            code: code.into(),
            message: message.into(),
            request_id: None,
            host_id: None,
            recommend: None,
            client_signed: None,
        }))
    }

    /// Reads an error body, JSON (`{"Code": ..}`) or XML (`<Error><Code>..`).
    /// Fails when the body is not an error body, i.e. has no `Code`.
    pub fn parse(status: u16, body: &[u8]) -> Result<Self, DecodeError> {
        Self::from_node(status, &Node::parse(body)?)
    }

    /// [`ServiceError::parse`] for a body already parsed.
    pub(crate) fn from_node(status: u16, node: &Node) -> Result<Self, DecodeError> {
        let fields = Object::new(node)?;
        let code: String = fields.required("Code")?;
        if code.trim().is_empty() {
            return Err(DecodeError::new("error code is empty").at("Code"));
        }
        fields.finish(ServiceError(Box::new(Fields {
            status,
            code,
            message: fields.optional("Message").unwrap_or_default(),
            request_id: fields.optional("RequestId"),
            host_id: fields.optional("HostId"),
            recommend: fields.optional("Recommend"),
            client_signed: None,
        })))
    }

    /// The same error, with the request id the answer carried.
    pub fn with_request_id(mut self, request_id: impl Into<String>) -> Self {
        self.0.request_id = Some(request_id.into());
        self
    }

    /// The same error, with another message: for servers that quote the
    /// request in it, as the service does.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.0.message = message.into();
        self
    }

    /// The same error, with what the client signed for the request it
    /// answers (masked as the message is).
    pub(crate) fn with_client_signed(mut self, signed: crate::signature_mismatch::Signed) -> Self {
        self.0.client_signed = Some(Box::new(signed));
        self
    }

    /// What the client signed, kept on `SignatureDoesNotMatch` only.
    pub(crate) fn client_signed(&self) -> Option<&crate::signature_mismatch::Signed> {
        self.0.client_signed.as_deref()
    }

    /// HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.0.status
    }
    /// Alibaba's error code, such as `Forbidden.NotAllowedInState`.
    pub fn code(&self) -> &str {
        &self.0.code
    }
    /// The service's message, as sent; empty when the body had none.
    pub fn message(&self) -> &str {
        &self.0.message
    }
    /// Quote this to Alibaba support.
    pub fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
    /// The host that answered (the endpoint's name, such as
    /// `vpc.aliyuncs.com`), when the body names it.
    pub fn host_id(&self) -> Option<&str> {
        self.0.host_id.as_deref()
    }
    /// A link to Alibaba's diagnosis page for this request, when given.
    pub fn recommend(&self) -> Option<&str> {
        self.0.recommend.as_deref()
    }
}

impl fmt::Debug for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceError")
            .field("status", &self.0.status)
            .field("code", &self.0.code)
            .field("message", &self.0.message)
            .field("request_id", &self.0.request_id)
            .field("host_id", &self.0.host_id)
            .field("recommend", &self.0.recommend)
            .field("client_string_to_sign", &self.0.client_signed.as_ref().map(|s| s.string_to_sign()))
            .finish()
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.code, self.0.message)
    }
}

impl std::error::Error for ServiceError {}

/// An action's typed error: one variant per documented code, the product's
/// common codes, and a fallback. Generated for every action.
pub trait OperationError: std::error::Error + Sized {
    /// Picks the variant by code; the HTTP status does not take part, since
    /// Alibaba documents some codes with different statuses on different pages.
    fn from_service_error(err: ServiceError) -> Self;
    /// The service error underneath, whichever variant this is: its code,
    /// message and request id.
    fn service_error(&self) -> &ServiceError;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_json_and_xml_error_bodies() {
        let json = br#"{"RequestId":"R1","HostId":"vpc.aliyuncs.com","Code":"Forbidden.NotAllowedInState","Message":"The request does not allow in this state.","Recommend":"https://example.invalid/r"}"#;
        let xml = b"<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R1</RequestId><HostId>vpc.aliyuncs.com</HostId><Code>Forbidden.NotAllowedInState</Code><Message>The request does not allow in this state.</Message><Recommend>https://example.invalid/r</Recommend></Error>";
        let a = ServiceError::parse(400, json).unwrap();
        let b = ServiceError::parse(400, xml).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.code(), "Forbidden.NotAllowedInState");
        assert_eq!(a.request_id(), Some("R1"));
        assert_eq!(a.host_id(), Some("vpc.aliyuncs.com"));
        assert_eq!(a.recommend(), Some("https://example.invalid/r"));
        assert_eq!(a.to_string(), "Forbidden.NotAllowedInState: The request does not allow in this state.");
    }

    #[test]
    fn a_body_without_code_is_not_an_error_body() {
        assert!(ServiceError::parse(200, br#"{"RequestId":"R1"}"#).is_err());
        assert!(ServiceError::parse(502, b"<html><body>Bad gateway</body></html>").is_err());
        assert!(ServiceError::parse(500, b"").is_err());
        assert!(ServiceError::parse(500, br#"{"Code":""}"#).is_err());
    }
}
