//! An HTTP request read into what the API works with: the decoded query and
//! form parameters, and the headers and body the V3 signature covers.

use std::collections::BTreeMap;

use bytes::Bytes;
use hyper::HeaderMap;

/// One request, fully read.
#[derive(Debug)]
pub(crate) struct ApiRequest {
    pub method: String,
    pub path: String,
    pub headers: HeaderMap,
    /// Query string pairs, decoded, in the order sent.
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    /// Query then form parameters by name; a repeated name keeps its last value.
    pub params: BTreeMap<String, String>,
}

impl ApiRequest {
    pub fn new(method: &str, path: &str, raw_query: Option<&str>, headers: HeaderMap, body: Bytes) -> Self {
        let query = raw_query.map(|q| decode_pairs(q.as_bytes())).unwrap_or_default();
        let form = if is_form(&headers) { decode_pairs(&body) } else { Vec::new() };
        // Form pairs only count when the body is `application/x-www-form-urlencoded`.
        let params = query.iter().chain(&form).cloned().collect();
        ApiRequest { method: method.to_owned(), path: path.to_owned(), headers, query, body, params }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A header's value as text; `None` when absent or not visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
}

/// `a=1&b=x%20y` into pairs. Invalid UTF-8 in an escape becomes U+FFFD,
/// which then fails the signature rather than the server.
fn decode_pairs(raw: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(raw).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{CONTENT_TYPE, HeaderValue};

    #[test]
    fn query_and_form_are_both_read_and_decoded() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"));
        let body = Bytes::from_static(b"Name=a%20b%2Bc&Tag.1.Key=env&Action=FromBody");
        let r = ApiRequest::new("POST", "/", Some("Action=FromQuery&Text=%E4%B8%AD+x"), headers, body);
        assert_eq!(r.param("Name"), Some("a b+c"));
        assert_eq!(r.param("Text"), Some("中 x"));
        assert_eq!(r.param("Action"), Some("FromBody"), "the body comes last and wins");
        assert_eq!(r.query.len(), 2);
        assert_eq!(r.params.len(), 4, "query and form merged by name");
    }

    #[test]
    fn a_body_of_another_type_is_not_read_as_parameters() {
        let r = ApiRequest::new("POST", "/", None, HeaderMap::new(), Bytes::from_static(b"A=1"));
        assert!(r.params.is_empty());
        let r = ApiRequest::new("GET", "/", Some("%ZZ=%FF&&=&x"), HeaderMap::new(), Bytes::new());
        assert_eq!(r.param("x"), Some(""));
    }
}
