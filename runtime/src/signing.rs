//! Alibaba Cloud request signatures: the RPC signature (HMAC-SHA1,
//! `SignatureVersion=1.0`) and the header signature (`ACS3-HMAC-SHA256`).
//!
//! [`sign_rpc`] and [`sign_v3`] return their intermediate strings, so tests
//! (and anyone debugging a `SignatureDoesNotMatch`) can compare them with the
//! server's. The client signs through [`SigningKey`] instead, which computes
//! the same signatures without building those strings (the RPC query and
//! its second encoding are written in one pass, the V3 canonical request is
//! hashed as it is produced); tests hold the two paths equal.

use std::fmt;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// RFC 3986's unreserved bytes, `A-Za-z0-9-_.~`, stay as they are; every
/// other byte of the UTF-8 text is escaped (so space is `%20`, `*` is `%2A`,
/// `~` stays).
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' || c == b'~';
        b += 1;
    }
    table
};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes UTF-8 text the way both signatures require.
pub fn percent_encode(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len() * 3 / 2);
    push_encoded(&mut out, text);
    ascii(out)
}

/// Text made only of ASCII bytes, as every encoding here is.
pub(crate) fn ascii(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("percent-encoded text is ASCII")
}

/// Appends `text`, percent-encoded, to `out`. Sizes the output first, then
/// writes in place, as [`push_encoded_twice`] does.
pub(crate) fn push_encoded(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let escaped = bytes.iter().filter(|&&b| !UNRESERVED[usize::from(b)]).count();
    let start = out.len();
    out.resize(start + bytes.len() + 2 * escaped, 0);
    let out = &mut out[start..];
    let mut i = 0;
    for &byte in bytes {
        if UNRESERVED[usize::from(byte)] {
            out[i] = byte;
            i += 1;
        } else {
            out[i..i + 3].copy_from_slice(&[
                b'%',
                HEX_UPPER[usize::from(byte >> 4)],
                HEX_UPPER[usize::from(byte & 0xf)],
            ]);
            i += 3;
        }
    }
}

/// Appends `text` percent-encoded once to `once`, and twice to `twice`: the
/// RPC signature signs the encoding of the encoded query, and this makes
/// both in one pass. Sizes both first, then writes in place: most runs
/// between escapes are a few bytes, too short to copy as slices.
fn push_encoded_twice(once: &mut Vec<u8>, twice: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let escaped = bytes.iter().filter(|&&b| !UNRESERVED[usize::from(b)]).count();
    let (once_start, twice_start) = (once.len(), twice.len());
    once.resize(once_start + bytes.len() + 2 * escaped, 0);
    twice.resize(twice_start + bytes.len() + 4 * escaped, 0);
    let (once, twice) = (&mut once[once_start..], &mut twice[twice_start..]);
    let (mut i, mut j) = (0, 0);
    for &byte in bytes {
        if UNRESERVED[usize::from(byte)] {
            once[i] = byte;
            twice[j] = byte;
            i += 1;
            j += 1;
        } else {
            let (hi, lo) = (HEX_UPPER[usize::from(byte >> 4)], HEX_UPPER[usize::from(byte & 0xf)]);
            once[i..i + 3].copy_from_slice(&[b'%', hi, lo]);
            twice[j..j + 5].copy_from_slice(&[b'%', b'2', b'5', hi, lo]);
            i += 3;
            j += 5;
        }
    }
}

/// `name=value` pairs, sorted by raw name (byte order, so `Tag.10` sorts
/// before `Tag.2`), each part percent-encoded, joined with `&`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut out = Vec::with_capacity(params.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() * 5 / 4);
    write_canonical_query(&mut pairs, &mut out);
    ascii(out)
}

/// Sorts `pairs` (by name, then value, in byte order) and appends them to
/// `out` as the canonical query string. What [`canonical_query`] returns,
/// without copying the pairs.
pub(crate) fn write_canonical_query(pairs: &mut [(&str, &str)], out: &mut Vec<u8>) {
    // Pairs equal in name and value are interchangeable, so an unstable
    // sort gives the same string.
    pairs.sort_unstable();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        push_encoded(out, name);
        out.push(b'=');
        push_encoded(out, value);
    }
}

/// [`write_canonical_query`] into `query`, and at the same time the RPC
/// string to sign, `METHOD&%2F&` and the query encoded again, into
/// `string_to_sign`.
pub(crate) fn write_rpc_query(
    method: &str,
    pairs: &mut [(&str, &str)],
    query: &mut Vec<u8>,
    string_to_sign: &mut Vec<u8>,
) {
    pairs.sort_unstable();
    string_to_sign.extend_from_slice(method.as_bytes());
    string_to_sign.extend_from_slice(b"&%2F&");
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            query.push(b'&');
            string_to_sign.extend_from_slice(b"%26");
        }
        push_encoded_twice(query, string_to_sign, name);
        query.push(b'=');
        string_to_sign.extend_from_slice(b"%3D");
        push_encoded_twice(query, string_to_sign, value);
    }
}

/// An AccessKey secret made ready to sign with: the HMAC key schedules of
/// both signatures are computed once, not for every request. Never shown
/// by `Debug`.
#[derive(Clone)]
pub struct SigningKey {
    /// Keyed with `secret&`, as the RPC signature wants.
    rpc: Hmac<Sha1>,
    v3: Hmac<Sha256>,
}

impl SigningKey {
    /// The key schedules for `access_key_secret`. Make one per secret and
    /// keep it: building one costs two HMAC key setups, signing with it none.
    pub fn new(access_key_secret: &str) -> Self {
        let rpc_key = [access_key_secret.as_bytes(), b"&"].concat();
        SigningKey {
            rpc: Hmac::new_from_slice(&rpc_key).expect("HMAC takes keys of any length"),
            v3: Hmac::new_from_slice(access_key_secret.as_bytes()).expect("HMAC takes keys of any length"),
        }
    }

    /// The RPC signature: base64 of the HMAC-SHA1 of the string to sign, into `out`.
    pub(crate) fn rpc_signature<'a>(&self, string_to_sign: &[u8], out: &'a mut [u8; 28]) -> &'a str {
        let mut mac = self.rpc.clone();
        mac.update(string_to_sign);
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(mac.finalize().into_bytes(), out)
            .expect("20 bytes are 28 in base64");
        std::str::from_utf8(&out[..written]).expect("base64 is ASCII")
    }

    /// The `ACS3-HMAC-SHA256` `Authorization` value of a POST to `/` with
    /// an empty body. `headers` must be sorted, with lower-case names and
    /// trimmed values. The canonical request is hashed as it is produced,
    /// never built.
    pub(crate) fn v3_authorization(
        &self,
        access_key_id: &str,
        query: &str,
        headers: &[(&str, &str)],
        content_sha256: &str,
    ) -> String {
        let mut hasher = Sha256::new();
        write_v3_canonical_request(query, headers, content_sha256, |bytes| hasher.update(bytes));
        let mut authorization = String::with_capacity(256);
        authorization.push_str(V3_ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(access_key_id);
        authorization.push_str(",SignedHeaders=");
        for (i, (name, _)) in headers.iter().enumerate() {
            if i > 0 {
                authorization.push(';');
            }
            authorization.push_str(name);
        }
        let mut digest = [0u8; 64];
        let mut mac = self.v3.clone();
        mac.update(V3_ALGORITHM.as_bytes());
        mac.update(b"\n");
        mac.update(hex_into(&hasher.finalize(), &mut digest).as_bytes());
        let mut signature = [0u8; 64];
        authorization.push_str(",Signature=");
        authorization.push_str(hex_into(&mac.finalize().into_bytes(), &mut signature));
        authorization
    }
}

/// Feeds the `ACS3-HMAC-SHA256` canonical request of a POST to `/` to
/// `sink`, piece by piece: the client hashes it as it is produced, and
/// writes it out only to explain a `SignatureDoesNotMatch`. `headers` must
/// be sorted, with lower-case names and trimmed values.
pub(crate) fn write_v3_canonical_request(
    query: &str,
    headers: &[(&str, &str)],
    content_sha256: &str,
    mut sink: impl FnMut(&[u8]),
) {
    sink(b"POST\n/\n");
    sink(query.as_bytes());
    sink(b"\n");
    for (name, value) in headers {
        sink(name.as_bytes());
        sink(b":");
        sink(value.as_bytes());
        sink(b"\n");
    }
    sink(b"\n");
    for (i, (name, _)) in headers.iter().enumerate() {
        if i > 0 {
            sink(b";");
        }
        sink(name.as_bytes());
    }
    sink(b"\n");
    sink(content_sha256.as_bytes());
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

/// Hex of the SHA-256 of an empty body.
pub(crate) const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex of `bytes` into `out`, which must be twice as long.
fn hex_into<'a>(bytes: &[u8], out: &'a mut [u8]) -> &'a str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (byte, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = DIGITS[usize::from(byte >> 4)];
        pair[1] = DIGITS[usize::from(byte & 0xf)];
    }
    std::str::from_utf8(&out[..bytes.len() * 2]).expect("hex is ASCII")
}

/// The pieces of an RPC (version 1.0) signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcSignature {
    /// The parameters sorted by name and percent-encoded (RFC 3986), joined
    /// with `&`: the query string as sent, without `Signature`.
    pub canonical_query: String,
    /// `METHOD&%2F&` and the canonical query encoded once more: what the
    /// HMAC covers, and what the service quotes back in a
    /// `SignatureDoesNotMatch` message.
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
    /// The HTTP method, upper case (`POST`, `GET`).
    pub method: &'a str,
    /// Always `/` for RPC-style APIs.
    pub path: &'a str,
    /// The query parameters, unencoded; sorted and encoded when signing.
    pub query: &'a [(String, String)],
    /// Headers to sign (`host`, `x-acs-*`, `content-type`); names in any case.
    pub headers: &'a [(String, String)],
    /// The request body exactly as sent; empty for none.
    pub body: &'a [u8],
}

/// The pieces of an `ACS3-HMAC-SHA256` signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V3Signature {
    /// Hex of the body's SHA-256: the `x-acs-content-sha256` header, which
    /// must be among the signed headers.
    pub hashed_payload: String,
    /// Method, path, canonical query, canonical headers, signed header
    /// names and the hashed payload, one per line.
    pub canonical_request: String,
    /// The signed header names, lower case, sorted, joined with `;`.
    pub signed_headers: String,
    /// `ACS3-HMAC-SHA256` and the hex SHA-256 of the canonical request, on
    /// two lines: what the HMAC covers.
    pub string_to_sign: String,
    /// Hex of the HMAC-SHA256.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// The algorithm name that starts the V3 string to sign and the
/// `Authorization` header.
pub const V3_ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Hex of the SHA-256 of `bytes`; the value of `x-acs-content-sha256`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0u8; bytes.len() * 2];
    hex_into(bytes, &mut out).to_owned()
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

/// `YYYY-MM-DDThh:mm:ssZ`.
pub const TIMESTAMP_LEN: usize = 20;

/// `time` as `YYYY-MM-DDThh:mm:ssZ` (UTC), the form STS and the metadata
/// service write expiry times in.
pub fn format_utc(time: std::time::SystemTime) -> String {
    let mut buf = [0u8; TIMESTAMP_LEN];
    timestamp(&mut buf, time::OffsetDateTime::from(time)).to_owned()
}

/// Reads `YYYY-MM-DDThh:mm:ssZ` (UTC, as STS and the metadata service write
/// expiry times; fractional seconds are accepted and dropped). `None` for
/// anything else.
pub fn parse_utc(text: &str) -> Option<std::time::SystemTime> {
    let b = text.as_bytes();
    let tail = b.get(19..)?;
    let tail_ok = tail == b"Z"
        || (tail.len() > 2
            && tail[0] == b'.'
            && tail.last() == Some(&b'Z')
            && tail[1..tail.len() - 1].iter().all(u8::is_ascii_digit));
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || !tail_ok {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let month = time::Month::try_from(u8::try_from(num(5..7)?).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(num(0..4)?).ok()?, month, u8::try_from(num(8..10)?).ok()?).ok()?;
    let clock = time::Time::from_hms(
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(14..16)?).ok()?,
        u8::try_from(num(17..19)?).ok()?,
    )
    .ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc().into())
}

/// Formats `now` (UTC) as the signatures' timestamp (`Timestamp`,
/// `x-acs-date`), into `buf`: no allocation on the signing path.
pub fn timestamp(buf: &mut [u8; TIMESTAMP_LEN], now: time::OffsetDateTime) -> &str {
    fn digits(out: &mut [u8], mut value: u32) {
        for slot in out.iter_mut().rev() {
            *slot = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    *buf = *b"0000-00-00T00:00:00Z";
    digits(&mut buf[0..4], now.year().clamp(0, 9999) as u32);
    digits(&mut buf[5..7], u8::from(now.month()).into());
    digits(&mut buf[8..10], now.day().into());
    digits(&mut buf[11..13], now.hour().into());
    digits(&mut buf[14..16], now.minute().into());
    digits(&mut buf[17..19], now.second().into());
    std::str::from_utf8(buf).expect("ASCII digits")
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
    fn utc_expiry_times_read_and_write() {
        let t = parse_utc("2015-04-09T11:52:19Z").unwrap();
        assert_eq!(t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(), 1_428_580_339);
        assert_eq!(format_utc(t), "2015-04-09T11:52:19Z");
        assert_eq!(parse_utc("2015-04-09T11:52:19.123Z"), Some(t));
        for bad in [
            "",
            "2015-04-09 11:52:19Z",
            "2015-13-09T11:52:19Z",
            "2015-04-09T11:52:19",
            "2015-04-09T11:52:19.Z",
            "2015-02-30T00:00:00Z",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
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
    // The expected strings below were derived outside this code, by hand
    // and with an independent HMAC/SHA/URL-quoting implementation, from the
    // documented algorithms; they are not copied from this module's output.

    /// Every awkward value at once: empty, reserved characters, CJK, emoji,
    /// `Tag.10` before `Tag.2`, and an STS token.
    fn awkward_rpc_params() -> Vec<(String, String)> {
        pairs(&[
            ("Action", "DescribeThings"),
            ("Version", "2016-04-28"),
            ("AccessKeyId", "testid"),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", "n-1"),
            ("Timestamp", "2024-01-02T03:04:05Z"),
            ("Format", "JSON"),
            ("Empty", ""),
            ("Reserved", "a*b~c d+e/f=g&h"),
            ("Tag.10.Key", "ten"),
            ("Tag.2.Key", "two"),
            ("Name", "中文"),
            ("Emoji", "😀"),
            ("SecurityToken", "sts/token+abc="),
        ])
    }

    #[test]
    fn rpc_intermediate_strings_for_awkward_values() {
        let signed = sign_rpc("POST", &awkward_rpc_params(), "testsecret");
        assert_eq!(
            signed.canonical_query,
            "AccessKeyId=testid&Action=DescribeThings&Emoji=%F0%9F%98%80&Empty=&Format=JSON\
             &Name=%E4%B8%AD%E6%96%87&Reserved=a%2Ab~c%20d%2Be%2Ff%3Dg%26h&SecurityToken=sts%2Ftoken%2Babc%3D\
             &SignatureMethod=HMAC-SHA1&SignatureNonce=n-1&SignatureVersion=1.0&Tag.10.Key=ten&Tag.2.Key=two\
             &Timestamp=2024-01-02T03%3A04%3A05Z&Version=2016-04-28"
        );
        assert_eq!(
            signed.string_to_sign,
            "POST&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeThings%26Emoji%3D%25F0%259F%2598%2580%26Empty%3D\
             %26Format%3DJSON%26Name%3D%25E4%25B8%25AD%25E6%2596%2587%26Reserved%3Da%252Ab~c%2520d%252Be%252Ff\
             %253Dg%2526h%26SecurityToken%3Dsts%252Ftoken%252Babc%253D%26SignatureMethod%3DHMAC-SHA1\
             %26SignatureNonce%3Dn-1%26SignatureVersion%3D1.0%26Tag.10.Key%3Dten%26Tag.2.Key%3Dtwo\
             %26Timestamp%3D2024-01-02T03%253A04%253A05Z%26Version%3D2016-04-28"
        );
        assert_eq!(signed.signature, "tVYl1ahZhX0YIoA8xRv7jLWZJLQ=");
    }

    /// The client's one-pass writer gives the same query and string to sign
    /// as the reference functions above, and the prepared key the same
    /// signature.
    #[test]
    fn the_one_pass_rpc_writer_matches_the_reference() {
        let params = awkward_rpc_params();
        let reference = sign_rpc("POST", &params, "testsecret");
        let mut borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (mut query, mut string_to_sign) = (Vec::new(), Vec::new());
        write_rpc_query("POST", &mut borrowed, &mut query, &mut string_to_sign);
        assert_eq!(ascii(query), reference.canonical_query);
        assert_eq!(ascii(string_to_sign.clone()), reference.string_to_sign);
        let mut out = [0u8; 28];
        assert_eq!(SigningKey::new("testsecret").rpc_signature(&string_to_sign, &mut out), reference.signature);
    }

    #[test]
    fn v3_intermediate_strings_for_awkward_values_and_an_sts_token() {
        let query = pairs(&[
            ("Empty", ""),
            ("Reserved", "a*b~c d+e/f=g&h"),
            ("Tag.10.Key", "ten"),
            ("Tag.2.Key", "two"),
            ("Name", "中文"),
            ("Emoji", "😀"),
        ]);
        // Names in any case and order, values with spaces around: signed
        // lower-cased, sorted and trimmed.
        let headers = pairs(&[
            ("X-Acs-Version", "2016-04-28"),
            ("host", "vpc.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "DescribeThings"),
            ("x-acs-date", "2024-01-02T03:04:05Z"),
            ("x-acs-signature-nonce", "0123456789abcdef0123456789abcdef"),
            ("x-acs-content-sha256", EMPTY_SHA256),
            ("X-ACS-Security-Token", "  sts/token+abc=  "),
        ]);
        let input = V3Input { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
        let signed = sign_v3(&input, "YourAccessKeyId", "YourAccessKeySecret");
        assert_eq!(
            signed.canonical_request,
            "POST\n/\n\
             Emoji=%F0%9F%98%80&Empty=&Name=%E4%B8%AD%E6%96%87&Reserved=a%2Ab~c%20d%2Be%2Ff%3Dg%26h&Tag.10.Key=ten&Tag.2.Key=two\n\
             host:vpc.cn-shanghai.aliyuncs.com\n\
             x-acs-action:DescribeThings\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2024-01-02T03:04:05Z\n\
             x-acs-security-token:sts/token+abc=\n\
             x-acs-signature-nonce:0123456789abcdef0123456789abcdef\n\
             x-acs-version:2016-04-28\n\n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            signed.signed_headers,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version"
        );
        assert_eq!(
            signed.string_to_sign,
            "ACS3-HMAC-SHA256\nd8e2e173b42057081fe25da4938e6504afb211c74ee28690b05be00e0757870e"
        );
        assert_eq!(signed.signature, "a2d1505cf400403c9999b31614228bc0f552ada661296501746e472c796032bb");
        assert_eq!(
            signed.authorization,
            format!(
                "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders={},Signature={}",
                signed.signed_headers, signed.signature
            )
        );

        // The client's streaming signer agrees, given the headers as it
        // builds them (sorted, lower case, trimmed).
        let mut normalized: Vec<(String, String)> =
            headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned())).collect();
        normalized.sort();
        let borrowed: Vec<(&str, &str)> = normalized.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let fast = SigningKey::new("YourAccessKeySecret").v3_authorization(
            "YourAccessKeyId",
            &canonical_query(&query),
            &borrowed,
            EMPTY_SHA256,
        );
        assert_eq!(fast, signed.authorization);
    }

    #[test]
    fn v3_with_an_empty_query_and_a_body() {
        let headers = pairs(&[
            ("host", "ecs.example.com"),
            ("x-acs-action", "Run"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2024-01-02T03:04:05Z"),
            ("x-acs-signature-nonce", "n"),
            ("x-acs-content-sha256", "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"),
        ]);
        let input = V3Input { method: "POST", path: "/", query: &[], headers: &headers, body: br#"{"a":1}"# };
        let signed = sign_v3(&input, "id", "k");
        assert_eq!(signed.hashed_payload, "015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862");
        assert_eq!(
            signed.canonical_request,
            "POST\n/\n\n\
             host:ecs.example.com\n\
             x-acs-action:Run\n\
             x-acs-content-sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862\n\
             x-acs-date:2024-01-02T03:04:05Z\n\
             x-acs-signature-nonce:n\n\
             x-acs-version:2014-05-26\n\n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862"
        );
        assert_eq!(
            signed.string_to_sign,
            "ACS3-HMAC-SHA256\n91775f963c97ecfab43473d86957cd41cf4fa48242ed47eb7174714bea025f3c"
        );
        assert_eq!(signed.signature, "237e9e94d4b6a705c8d43b3c082dc86141ca2b0d28f3ca7cd4dc50b32fe36f92");

        // The client's signer, given the body's hash, agrees (body parameters).
        let mut sorted: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        sorted.sort();
        let fast = SigningKey::new("k").v3_authorization("id", "", &sorted, &signed.hashed_payload);
        assert_eq!(fast, signed.authorization);
    }

    #[test]
    fn signing_keys_do_not_show_the_secret() {
        let shown = format!("{:?}", SigningKey::new("very-secret"));
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
