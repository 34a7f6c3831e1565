//! Alibaba Cloud request signatures: the RPC signature (HMAC-SHA1,
//! `SignatureVersion=1.0`) and the header signature (`ACS3-HMAC-SHA256`).
//!
//! Both return their intermediate strings, so tests (and anyone debugging a
//! `SignatureDoesNotMatch`) can compare them with the server's.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// RFC 3986: everything but `A-Za-z0-9-_.~` is escaped (so space is `%20`,
/// `*` is `%2A`, `~` stays).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// Percent-encodes UTF-8 text the way both signatures require.
pub fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// `name=value` pairs, sorted by raw name (byte order, so `Tag.10` sorts
/// before `Tag.2`), each part percent-encoded, joined with `&`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then_with(|| a.1.cmp(&b.1)));
    let pairs: Vec<String> =
        sorted.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect();
    pairs.join("&")
}

/// The pieces of an RPC (version 1.0) signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcSignature {
    pub canonical_query: String,
    pub string_to_sign: String,
    /// Base64 of the HMAC-SHA1; sent as the `Signature` parameter.
    pub signature: String,
}

/// Signs RPC parameters, which must already hold every common parameter
/// (`AccessKeyId`, `SignatureNonce`, `Timestamp`, ...) but not `Signature`.
pub fn sign_rpc(method: &str, params: &[(String, String)], access_key_secret: &str) -> RpcSignature {
    let canonical_query = canonical_query(params);
    let string_to_sign = format!("{method}&{}&{}", percent_encode("/"), percent_encode(&canonical_query));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{access_key_secret}&").as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    RpcSignature { canonical_query, string_to_sign, signature }
}

/// What the header signature covers.
#[derive(Debug, Clone)]
pub struct V3Input<'a> {
    pub method: &'a str,
    /// Always `/` for RPC-style APIs.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    /// Headers to sign (`host`, `x-acs-*`, `content-type`); names in any case.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
}

/// The pieces of an `ACS3-HMAC-SHA256` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Signature {
    pub hashed_payload: String,
    pub canonical_request: String,
    pub signed_headers: String,
    pub string_to_sign: String,
    /// Hex of the HMAC-SHA256.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Hex of the SHA-256 of `bytes`; the value of `x-acs-content-sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Signs a request with `ACS3-HMAC-SHA256`.
pub fn sign_v3(input: &V3Input<'_>, access_key_id: &str, access_key_secret: &str) -> V3Signature {
    let hashed_payload = sha256_hex(input.body);
    let mut headers: Vec<(String, String)> =
        input.headers.iter().map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned())).collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect();
    let signed_headers = headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method,
        input.path,
        canonical_query(input.query),
        canonical_headers,
        signed_headers,
        hashed_payload
    );
    let string_to_sign = format!("{V3_ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(access_key_secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(string_to_sign.as_bytes());
    let signature = hex(&mac.finalize().into_bytes());
    let authorization =
        format!("{V3_ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}");
    V3Signature { hashed_payload, canonical_request, signed_headers, string_to_sign, signature, authorization }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// Alibaba's published RPC example (ECS DescribeRegions).
    #[test]
    fn rpc_signature_matches_the_documented_example() {
        let params = pairs(&[
            ("Timestamp", "2016-02-23T12:46:24Z"),
            ("Format", "XML"),
            ("AccessKeyId", "testid"),
            ("Action", "DescribeRegions"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
            ("SignatureVersion", "1.0"),
            ("Version", "2014-05-26"),
        ]);
        let signed = sign_rpc("GET", &params, "testsecret");
        assert_eq!(
            signed.canonical_query,
            "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26"
        );
        assert_eq!(
            signed.string_to_sign,
            "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
        );
        assert_eq!(signed.signature, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    /// Alibaba's published V3 example (ECS RunInstances).
    #[test]
    fn v3_signature_matches_the_documented_example() {
        let query =
            pairs(&[("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"), ("RegionId", "cn-shanghai")]);
        let headers = pairs(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ]);
        let input = V3Input { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
        let signed = sign_v3(&input, "YourAccessKeyId", "YourAccessKeySecret");
        assert_eq!(signed.hashed_payload, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(
            signed.canonical_request,
            "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\n\
             x-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\n\
             x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            signed.string_to_sign,
            format!("ACS3-HMAC-SHA256\n{}", sha256_hex(signed.canonical_request.as_bytes()))
        );
        assert_eq!(signed.signature, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
        assert_eq!(
            signed.authorization,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn encoding_edges() {
        assert_eq!(percent_encode("a b*c~d-e_f.g"), "a%20b%2Ac~d-e_f.g");
        assert_eq!(percent_encode("+/=&?#%"), "%2B%2F%3D%26%3F%23%25");
        assert_eq!(percent_encode("中文"), "%E4%B8%AD%E6%96%87");
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn canonical_query_sorts_by_raw_name_bytes() {
        let params = pairs(&[("Tag.2.Key", "b"), ("Tag.10.Key", "a"), ("Empty", ""), ("a", "lower"), ("Z", "upper")]);
        assert_eq!(canonical_query(&params), "Empty=&Tag.10.Key=a&Tag.2.Key=b&Z=upper&a=lower");
    }
}
