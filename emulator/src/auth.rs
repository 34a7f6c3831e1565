//! Who sent a request, checked as Alibaba's gateway does: the AccessKey must
//! exist, an STS token must be the key's own, the timestamp must be within
//! the skew window, the signature must be the one the server computes with
//! the runtime's `signing` module, and the nonce must be new.
//!
//! Two signatures are accepted: the RPC one (`Signature` parameter,
//! HMAC-SHA1) and `ACS3-HMAC-SHA256` (`Authorization` header).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aliyun_runtime::Credentials;
use aliyun_runtime::signing::{self, V3Input};

use crate::clock;
use crate::error::ApiError;
use crate::nonce::NonceCache;
use crate::request::ApiRequest;

/// Which signature a request carried, and so where its action is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// `Action` and `Version` are parameters.
    V1,
    /// `Action` and `Version` are the `x-acs-action` and `x-acs-version` headers.
    V3,
}

pub(crate) struct Authenticator {
    keys: HashMap<String, Credentials>,
    nonces: NonceCache,
    skew: Duration,
}

/// What a signature check needs from one request, whichever the style.
struct Claim<'a> {
    key_id: &'a str,
    token: Option<&'a str>,
    timestamp: &'a str,
    nonce: &'a str,
}

impl Authenticator {
    pub fn new(keys: &[Credentials], skew: Duration) -> Self {
        let keys = keys.iter().map(|k| (k.access_key_id().to_owned(), k.clone())).collect();
        Authenticator { keys, nonces: NonceCache::new(skew, Instant::now()), skew }
    }

    /// Checks the request's credentials and signature; on success, says
    /// which style it was signed in.
    pub fn verify(&self, req: &ApiRequest) -> Result<Style, ApiError> {
        if let Some(authorization) = req.header("authorization") {
            self.verify_v3(req, authorization)?;
            Ok(Style::V3)
        } else if req.params.contains_key("Signature") {
            self.verify_v1(req)?;
            Ok(Style::V1)
        } else {
            Err(ApiError::incomplete_signature(
                "Neither a Signature parameter nor an ACS3-HMAC-SHA256 Authorization header was sent.",
            ))
        }
    }

    /// The RPC signature: HMAC-SHA1 over every parameter but `Signature`.
    fn verify_v1(&self, req: &ApiRequest) -> Result<(), ApiError> {
        let need =
            |name: &str| req.param(name).filter(|v| !v.is_empty()).ok_or_else(|| ApiError::missing_parameter(name));
        let claim = Claim {
            key_id: need("AccessKeyId")?,
            token: req.param("SecurityToken"),
            timestamp: need("Timestamp")?,
            nonce: need("SignatureNonce")?,
        };
        let key = self.key(&claim)?;
        if !need("SignatureMethod")?.eq_ignore_ascii_case("HMAC-SHA1") {
            return Err(ApiError::incomplete_signature("SignatureMethod must be HMAC-SHA1."));
        }
        if need("SignatureVersion")? != "1.0" {
            return Err(ApiError::incomplete_signature("SignatureVersion must be 1.0."));
        }
        self.check_time(claim.timestamp)?;
        // The gateway merges the query and the form body into one set of
        // parameters before it signs: a name sent in both (the legacy SDKs
        // do this with `RegionId`) is signed once.
        let pairs: Vec<(String, String)> =
            req.params.iter().filter(|(k, _)| *k != "Signature").map(|(k, v)| (k.clone(), v.clone())).collect();
        let expected = signing::sign_rpc(&req.method, &pairs, key.access_key_secret().expose());
        let sent = req.param("Signature").unwrap_or_default();
        if !same(sent.as_bytes(), expected.signature.as_bytes()) {
            // The token is the caller's own, but it must not travel on into
            // whatever logs the caller keeps of error messages.
            let shown = match claim.token.filter(|t| !t.is_empty()) {
                Some(token) => {
                    expected.string_to_sign.replace(&signing::percent_encode(&signing::percent_encode(token)), "***")
                }
                None => expected.string_to_sign,
            };
            return Err(ApiError::signature_mismatch(&shown));
        }
        self.check_nonce(claim.nonce)
    }

    /// `ACS3-HMAC-SHA256`: the canonical request over the method, path,
    /// query, the headers the client listed as signed, and the body's hash.
    fn verify_v3(&self, req: &ApiRequest, authorization: &str) -> Result<(), ApiError> {
        let parts = parse_authorization(authorization)?;
        let header =
            |name: &str| req.header(name).filter(|v| !v.is_empty()).ok_or_else(|| ApiError::missing_parameter(name));
        let claim = Claim {
            key_id: parts.credential,
            token: req.header("x-acs-security-token"),
            timestamp: header("x-acs-date")?,
            nonce: header("x-acs-signature-nonce")?,
        };
        let key = self.key(&claim)?;
        let signed: Vec<&str> = parts.signed_headers.split(';').collect();
        for name in req.headers.keys().map(|n| n.as_str()) {
            if (name == "host" || name.starts_with("x-acs-")) && !signed.contains(&name) {
                return Err(ApiError::incomplete_signature(&format!("The header {name} must be signed.")));
            }
        }
        self.check_time(claim.timestamp)?;
        let mut headers = Vec::with_capacity(signed.len());
        for name in &signed {
            let value = req
                .header(name)
                .ok_or_else(|| ApiError::incomplete_signature(&format!("The signed header {name} was not sent.")))?;
            headers.push(((*name).to_owned(), value.to_owned()));
        }
        let input =
            V3Input { method: &req.method, path: &req.path, query: &req.query, headers: &headers, body: &req.body };
        let expected = signing::sign_v3(&input, claim.key_id, key.access_key_secret().expose());
        if !same(parts.signature.as_bytes(), expected.signature.as_bytes()) {
            return Err(ApiError::signature_mismatch(&expected.string_to_sign));
        }
        self.check_nonce(claim.nonce)
    }

    /// The key named by the request, and its STS token when it has one.
    fn key(&self, claim: &Claim<'_>) -> Result<&Credentials, ApiError> {
        let key = self.keys.get(claim.key_id).ok_or_else(ApiError::unknown_key)?;
        let expected = key.security_token().map(|t| t.expose());
        let sent = claim.token.filter(|t| !t.is_empty());
        match (expected, sent) {
            (None, None) => Ok(key),
            (Some(e), Some(s)) if same(e.trim().as_bytes(), s.trim().as_bytes()) => Ok(key),
            _ => Err(ApiError::token_mismatch()),
        }
    }

    fn check_time(&self, timestamp: &str) -> Result<(), ApiError> {
        let sent = clock::parse(timestamp).ok_or_else(|| ApiError::bad_timestamp(timestamp))?;
        if sent.abs_diff(clock::now()) > self.skew.as_secs() {
            return Err(ApiError::expired(timestamp));
        }
        Ok(())
    }

    /// Last, so that only a correctly signed request uses up its nonce.
    fn check_nonce(&self, nonce: &str) -> Result<(), ApiError> {
        if self.nonces.first_use(nonce, Instant::now()) { Ok(()) } else { Err(ApiError::nonce_used()) }
    }
}

/// The pieces of `ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
struct Authorization<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, ApiError> {
    let rest = value
        .strip_prefix(signing::V3_ALGORITHM)
        .filter(|r| r.starts_with(' '))
        .ok_or_else(|| ApiError::incomplete_signature("The Authorization header must use ACS3-HMAC-SHA256."))?;
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let Some((name, value)) = part.trim().split_once('=') else { continue };
        match name.trim() {
            "Credential" => credential = Some(value.trim()),
            "SignedHeaders" => signed_headers = Some(value.trim()),
            "Signature" => signature = Some(value.trim()),
            _ => {}
        }
    }
    let missing = |what: &str| ApiError::incomplete_signature(&format!("The Authorization header has no {what}."));
    Ok(Authorization {
        credential: credential.filter(|c| !c.is_empty()).ok_or_else(|| missing("Credential"))?,
        signed_headers: signed_headers.filter(|s| !s.is_empty()).ok_or_else(|| missing("SignedHeaders"))?,
        signature: signature.filter(|s| !s.is_empty()).ok_or_else(|| missing("Signature"))?,
    })
}

/// Compares in time independent of where the first difference is.
fn same(a: &[u8], b: &[u8]) -> bool {
    subtle::ConstantTimeEq::ct_eq(a, b).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use hyper::HeaderMap;

    fn authenticator() -> Authenticator {
        Authenticator::new(
            &[Credentials::new("id", "secret"), Credentials::new("sts-id", "sts-secret").with_security_token("tok/+=")],
            Duration::from_secs(900),
        )
    }

    /// A V1 request signed with `secret`, as a form body.
    fn v1(key: &str, secret: &str, nonce: &str, timestamp: &str, token: Option<&str>) -> ApiRequest {
        let mut pairs: Vec<(String, String)> = [
            ("Action", "DescribeRegions"),
            ("Version", "2016-04-28"),
            ("AccessKeyId", key),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce),
            ("Timestamp", timestamp),
            ("Name", "a b+c*d~"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        if let Some(t) = token {
            pairs.push(("SecurityToken".into(), t.into()));
        }
        let signed = signing::sign_rpc("POST", &pairs, secret);
        let body = format!("{}&Signature={}", signed.canonical_query, signing::percent_encode(&signed.signature));
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
        ApiRequest::new("POST", "/", None, headers, Bytes::from(body))
    }

    fn now() -> String {
        clock::format(clock::now())
    }

    #[test]
    fn v1_accepts_a_good_signature_once() {
        let auth = authenticator();
        assert_eq!(auth.verify(&v1("id", "secret", "n1", &now(), None)), Ok(Style::V1));
        assert_eq!(auth.verify(&v1("id", "secret", "n1", &now(), None)).unwrap_err().code, "SignatureNonceUsed");
    }

    #[test]
    fn v1_refusals_carry_the_gateways_codes() {
        let auth = authenticator();
        let code = |r: ApiRequest| auth.verify(&r).unwrap_err();
        assert_eq!(code(v1("nobody", "secret", "a", &now(), None)).status(aliyun_vpc::CommonError::DOCUMENTED), 404);
        assert_eq!(code(v1("nobody", "secret", "a", &now(), None)).code, "InvalidAccessKeyId.NotFound");
        let wrong = code(v1("id", "wrong", "b", &now(), None));
        assert_eq!(wrong.code, "SignatureDoesNotMatch");
        assert!(wrong.message.contains("server string to sign is:POST&%2F&AccessKeyId%3Did"), "{}", wrong.message);
        assert_eq!(
            code(v1("id", "secret", "c", &clock::format(clock::now() - 16 * 60), None)).code,
            "InvalidTimeStamp.Expired"
        );
        assert_eq!(
            code(v1("id", "secret", "d", &clock::format(clock::now() + 16 * 60), None)).code,
            "InvalidTimeStamp.Expired"
        );
        assert_eq!(code(v1("id", "secret", "e", "yesterday", None)).code, "InvalidTimeStamp.Format");
        // A refused request does not use up its nonce.
        assert!(auth.verify(&v1("id", "secret", "b", &now(), None)).is_ok());
    }

    #[test]
    fn sts_keys_need_their_own_token_and_it_is_not_echoed() {
        let auth = authenticator();
        assert!(auth.verify(&v1("sts-id", "sts-secret", "s1", &now(), Some("tok/+="))).is_ok());
        assert_eq!(
            auth.verify(&v1("sts-id", "sts-secret", "s2", &now(), None)).unwrap_err().code,
            "InvalidSecurityToken.MismatchWithAccessKey"
        );
        assert_eq!(
            auth.verify(&v1("sts-id", "sts-secret", "s3", &now(), Some("other"))).unwrap_err().code,
            "InvalidSecurityToken.MismatchWithAccessKey"
        );
        assert_eq!(
            auth.verify(&v1("id", "secret", "s4", &now(), Some("tok/+="))).unwrap_err().code,
            "InvalidSecurityToken.MismatchWithAccessKey"
        );
        let wrong = auth.verify(&v1("sts-id", "wrong", "s5", &now(), Some("tok/+="))).unwrap_err();
        assert_eq!(wrong.code, "SignatureDoesNotMatch");
        assert!(!wrong.message.contains("tok"), "{}", wrong.message);
    }

    /// A V3 request signed with `secret`; `tamper` changes it after signing.
    fn v3(secret: &str, nonce: &str, tamper: impl FnOnce(&mut HeaderMap, &mut String)) -> ApiRequest {
        let query = vec![("RegionId".to_string(), "cn-hangzhou".to_string()), ("Name".into(), "a b".into())];
        let headers: Vec<(String, String)> = [
            ("host", "127.0.0.1:8080"),
            ("x-acs-action", "DescribeRegions"),
            ("x-acs-version", "2016-04-28"),
            ("x-acs-date", &now()),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-content-sha256", &signing::sha256_hex(b"")),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let input = V3Input { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
        let signed = signing::sign_v3(&input, "id", secret);
        let mut map = HeaderMap::new();
        for (k, v) in &headers {
            map.insert(hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(), v.parse().unwrap());
        }
        map.insert("authorization", signed.authorization.parse().unwrap());
        let mut raw_query = signing::canonical_query(&query);
        tamper(&mut map, &mut raw_query);
        ApiRequest::new("POST", "/", Some(&raw_query), map, Bytes::new())
    }

    #[test]
    fn v3_accepts_a_good_signature_and_refuses_tampering() {
        let auth = authenticator();
        assert_eq!(auth.verify(&v3("secret", "v1", |_, _| {})), Ok(Style::V3));
        assert_eq!(auth.verify(&v3("secret", "v1", |_, _| {})).unwrap_err().code, "SignatureNonceUsed");
        let wrong = auth.verify(&v3("wrong", "v2", |_, _| {})).unwrap_err();
        assert_eq!(wrong.code, "SignatureDoesNotMatch");
        assert!(wrong.message.contains("server string to sign is:ACS3-HMAC-SHA256\n"), "{}", wrong.message);
        let changed_query = v3("secret", "v3", |_, q| q.push_str("&Extra=1"));
        assert_eq!(auth.verify(&changed_query).unwrap_err().code, "SignatureDoesNotMatch");
        let unsigned_header = v3("secret", "v4", |h, _| {
            h.insert("x-acs-extra", "1".parse().unwrap());
        });
        assert_eq!(auth.verify(&unsigned_header).unwrap_err().code, "IncompleteSignature");
        let garbage = v3("secret", "v5", |h, _| {
            h.insert("authorization", "ACS3-HMAC-SHA256 nonsense".parse().unwrap());
        });
        assert_eq!(auth.verify(&garbage).unwrap_err().code, "IncompleteSignature");
        let other = v3("secret", "v6", |h, _| {
            h.insert("authorization", "Bearer x".parse().unwrap());
        });
        assert_eq!(auth.verify(&other).unwrap_err().code, "IncompleteSignature");
    }
}
