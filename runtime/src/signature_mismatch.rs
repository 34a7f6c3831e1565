//! Explains a `SignatureDoesNotMatch`: the string the server signed, which
//! it quotes in its message, beside what the client signed for that very
//! attempt, and the first part where they differ.
//!
//! Neither text holds a secret: a string to sign has the AccessKey ID but
//! never the secret or the signature, and the client masks an STS token and
//! the spec's sensitive parameters in both, as in every error.

use std::fmt;

/// The code the service answers a signature it cannot verify with.
pub(crate) const CODE: &str = "SignatureDoesNotMatch";

/// What the client signed in one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signed {
    string_to_sign: String,
    /// V3: the canonical request, whose SHA-256 the string to sign carries.
    canonical_request: Option<String>,
}

impl Signed {
    /// The RPC (V1) string to sign.
    pub(crate) fn v1(string_to_sign: String) -> Self {
        Signed { string_to_sign, canonical_request: None }
    }

    /// The `ACS3-HMAC-SHA256` string to sign and the canonical request under it.
    pub(crate) fn v3(string_to_sign: String, canonical_request: String) -> Self {
        Signed { string_to_sign, canonical_request: Some(canonical_request) }
    }

    pub(crate) fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }
}

/// A `SignatureDoesNotMatch` explained: what the server signed and what the
/// client signed, from [`SdkError::signature_mismatch`](crate::SdkError::signature_mismatch).
///
/// Its `Display` says where the two first part (a byte offset, and the
/// parameter, header or line there); the same texts signed with different
/// keys mean a wrong AccessKey secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureMismatch {
    server: String,
    ours: String,
    canonical_request: Option<String>,
}

/// A part of a signed text: a parameter, a header, or a line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignedPart {
    /// A request parameter, by name (percent-decoded once, as the query
    /// string carries it).
    Parameter(String),
    /// A signed header (V3 canonical request), by lower-case name.
    Header(String),
    /// A line of a V3 text, from 1: the method, the path, the signed header
    /// names, the payload's hash, or the canonical request's hash.
    Line(usize),
}

impl fmt::Display for SignedPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignedPart::Parameter(name) => write!(f, "parameter `{name}`"),
            SignedPart::Header(name) => write!(f, "header `{name}`"),
            SignedPart::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// One part that differs: its value in each text, `None` where it is missing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedDifference {
    /// Which part.
    pub part: SignedPart,
    /// Its value in what the client signed.
    pub ours: Option<String>,
    /// Its value in what the server signed.
    pub server: Option<String>,
}

impl SignatureMismatch {
    pub(crate) fn new(server: &str, signed: &Signed) -> Self {
        // A server that quotes a whole canonical request is compared with
        // the client's; one that quotes the V3 string to sign (the hash of
        // its canonical request) or the V1 string, with the string to sign.
        let canonical = signed.canonical_request.clone();
        let ours = match &canonical {
            Some(c) if !server.starts_with(crate::signing::V3_ALGORITHM) && server.contains('\n') => c.clone(),
            _ => signed.string_to_sign.clone(),
        };
        SignatureMismatch { server: server.to_owned(), ours, canonical_request: canonical }
    }

    /// What the server signed, as its message quotes it.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// What the client signed, in the same form as [`server`](Self::server):
    /// the string to sign, or the V3 canonical request when the server
    /// quotes one.
    pub fn ours(&self) -> &str {
        &self.ours
    }

    /// V3: the canonical request the client signed (its SHA-256 is in the
    /// string to sign). The server's V3 string to sign has only the hash of
    /// its own, so this is what to check against the request meant.
    pub fn canonical_request(&self) -> Option<&str> {
        self.canonical_request.as_deref()
    }

    /// The byte offset where the two texts first differ; `None` when they
    /// are the same, which means the key differs: a wrong AccessKey secret.
    pub fn first_difference(&self) -> Option<usize> {
        let (a, b) = (self.ours.as_bytes(), self.server.as_bytes());
        match a.iter().zip(b).position(|(x, y)| x != y) {
            Some(at) => Some(at),
            None if a.len() == b.len() => None,
            None => Some(a.len().min(b.len())),
        }
    }

    /// Every part that differs: those of the client's text in its order,
    /// then those only the server's has.
    pub fn differences(&self) -> Vec<SignedDifference> {
        let ours = segments(&self.ours);
        let server = segments(&self.server);
        let find = |list: &[(SignedPart, String)], part: &SignedPart| {
            list.iter().find(|(p, _)| p == part).map(|(_, v)| v.clone())
        };
        let mut out = Vec::new();
        for (part, value) in &ours {
            let theirs = find(&server, part);
            if theirs.as_ref() != Some(value) {
                out.push(SignedDifference { part: part.clone(), ours: Some(value.clone()), server: theirs });
            }
        }
        for (part, value) in &server {
            if find(&ours, part).is_none() {
                out.push(SignedDifference { part: part.clone(), ours: None, server: Some(value.clone()) });
            }
        }
        out
    }
}

impl fmt::Display for SignatureMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(at) = self.first_difference() else {
            return f.write_str(
                "the client signed exactly what the server did, so the keys differ: check the AccessKey secret (and that it belongs to the AccessKey ID)",
            );
        };
        write!(f, "what the client signed and what the server signed differ from byte {at}")?;
        let differences = self.differences();
        let Some(first) = differences.first() else { return Ok(()) };
        let hash_only = self.ours.starts_with(crate::signing::V3_ALGORITHM) && first.part == SignedPart::Line(2);
        if hash_only {
            return f.write_str(
                ", in the canonical request's hash: the server built another canonical request; the client's is in `canonical_request()`",
            );
        }
        write!(f, ", in {}: ", first.part)?;
        match (&first.ours, &first.server) {
            (Some(ours), Some(server)) => write!(f, "`{ours}` in the client's, `{server}` in the server's")?,
            (Some(ours), None) => write!(f, "`{ours}` in the client's only")?,
            (None, Some(server)) => write!(f, "`{server}` in the server's only")?,
            (None, None) => {}
        }
        match differences.len() - 1 {
            0 => Ok(()),
            1 => f.write_str(" (and 1 more part)"),
            n => write!(f, " (and {n} more parts)"),
        }
    }
}

/// A signed text cut into its parts.
fn segments(text: &str) -> Vec<(SignedPart, String)> {
    if !text.contains('\n') {
        return rpc_segments(text);
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    // A canonical request: method, path, query, headers, a blank line,
    // signed header names, payload hash.
    let canonical = lines.len() >= 6 && lines.iter().skip(3).any(|l| l.is_empty());
    if !canonical {
        out.extend(lines.iter().enumerate().map(|(i, l)| (SignedPart::Line(i + 1), (*l).to_owned())));
        return out;
    }
    out.push((SignedPart::Line(1), lines[0].to_owned()));
    out.push((SignedPart::Line(2), lines[1].to_owned()));
    for pair in lines[2].split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        out.push((SignedPart::Parameter(name.to_owned()), value.to_owned()));
    }
    let mut n = 3;
    while n < lines.len() && !lines[n].is_empty() {
        let (name, value) = lines[n].split_once(':').unwrap_or((lines[n], ""));
        out.push((SignedPart::Header(name.to_owned()), value.to_owned()));
        n += 1;
    }
    for (i, line) in lines.iter().enumerate().skip(n + 1) {
        out.push((SignedPart::Line(i + 1), (*line).to_owned()));
    }
    out
}

/// `METHOD&%2F&` and the query encoded twice: the method, the path, then
/// each parameter, shown as the query string carries it (encoded once).
fn rpc_segments(text: &str) -> Vec<(SignedPart, String)> {
    let mut parts = text.splitn(3, '&');
    let mut out = Vec::new();
    for (i, piece) in parts.by_ref().take(2).enumerate() {
        out.push((SignedPart::Line(i + 1), decode_once(piece)));
    }
    if let Some(query) = parts.next() {
        for pair in query.split("%26").filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once("%3D").unwrap_or((pair, ""));
            out.push((SignedPart::Parameter(decode_once(&decode_once(name))), decode_once(value)));
        }
    }
    out
}

/// Undoes one round of percent-encoding (`%2520` to `%20`).
fn decode_once(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(server: &str, ours: &str) -> SignatureMismatch {
        SignatureMismatch::new(server, &Signed::v1(ours.to_owned()))
    }

    const OURS: &str = "POST&%2F&AccessKeyId%3Did%26Action%3DDescribeThings%26Name%3Da%2520b%26Timestamp%3D2024-01-02T03%253A04%253A05Z";

    #[test]
    fn one_parameter_apart_names_it_with_both_values() {
        let server = OURS.replace("a%2520b", "a%252Bb");
        let m = v1(&server, OURS);
        assert_eq!(m.first_difference(), Some(OURS.find("a%2520b").unwrap() + 5));
        let d = m.differences();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].part, SignedPart::Parameter("Name".into()));
        assert_eq!((d[0].ours.as_deref(), d[0].server.as_deref()), (Some("a%20b"), Some("a%2Bb")));
        assert_eq!(
            m.to_string(),
            format!(
                "what the client signed and what the server signed differ from byte {}, in parameter `Name`: `a%20b` in the client's, `a%2Bb` in the server's",
                m.first_difference().unwrap()
            )
        );
    }

    #[test]
    fn a_parameter_only_one_side_signed_is_named_with_the_side() {
        let server = OURS.replace("%26Name%3Da%2520b", "");
        let m = v1(&server, OURS);
        assert_eq!(
            m.differences(),
            vec![SignedDifference {
                part: SignedPart::Parameter("Name".into()),
                ours: Some("a%20b".into()),
                server: None
            }]
        );
        assert!(m.to_string().ends_with("in parameter `Name`: `a%20b` in the client's only"), "{m}");
        let m = v1(&format!("{OURS}%26Zone%3Dz"), OURS);
        assert!(m.to_string().ends_with("in parameter `Zone`: `z` in the server's only"), "{m}");
        let m = v1(&OURS.replace("%3Did", "%3Dother").replace("a%2520b", "c"), OURS);
        assert!(m.to_string().ends_with("`id` in the client's, `other` in the server's (and 1 more part)"), "{m}");
    }

    #[test]
    fn the_same_text_means_another_key() {
        let m = v1(OURS, OURS);
        assert_eq!(m.first_difference(), None);
        assert!(m.differences().is_empty());
        assert!(m.to_string().contains("check the AccessKey secret"), "{m}");
    }

    const CANONICAL: &str = "POST\n/\nName=a%20b&RegionId=r\nhost:h\nx-acs-action:A\nx-acs-date:2024-01-02T03:04:05Z\n\nhost;x-acs-action;x-acs-date\nabc";

    #[test]
    fn a_v3_string_to_sign_points_at_the_canonical_request() {
        let ours = format!("ACS3-HMAC-SHA256\n{}", crate::signing::sha256_hex(CANONICAL.as_bytes()));
        let m = SignatureMismatch::new("ACS3-HMAC-SHA256\n0000", &Signed::v3(ours.clone(), CANONICAL.into()));
        assert_eq!(m.ours(), ours);
        assert_eq!(m.canonical_request(), Some(CANONICAL));
        assert_eq!(m.first_difference(), Some("ACS3-HMAC-SHA256\n".len()));
        assert!(m.to_string().ends_with("in the canonical request's hash: the server built another canonical request; the client's is in `canonical_request()`"), "{m}");
    }

    #[test]
    fn a_quoted_v3_canonical_request_is_compared_part_by_part() {
        let signed = Signed::v3("ACS3-HMAC-SHA256\nffff".into(), CANONICAL.into());
        let m = SignatureMismatch::new(&CANONICAL.replace("x-acs-date:2024", "x-acs-date:2025"), &signed);
        assert_eq!(m.ours(), CANONICAL);
        let d = m.differences();
        assert_eq!(d[0].part, SignedPart::Header("x-acs-date".into()));
        let m = SignatureMismatch::new(&CANONICAL.replace("a%20b", "a+b"), &signed);
        assert!(m.to_string().ends_with("in parameter `Name`: `a%20b` in the client's, `a+b` in the server's"), "{m}");
        let m = SignatureMismatch::new(&CANONICAL.replace("\nabc", "\nabd"), &signed);
        assert_eq!(m.differences()[0].part, SignedPart::Line(9));
    }

    #[test]
    fn decoding_once_keeps_what_is_not_an_escape() {
        assert_eq!(decode_once("a%2520b%2"), "a%20b%2");
        assert_eq!(decode_once("%zz%41"), "%zzA");
    }
}
