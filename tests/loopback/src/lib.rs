//! A loopback HTTP server for client tests (dev-only, never published).
//!
//! It answers each request as scripted, records what it received, and checks
//! every request's signature with its own implementation of Alibaba's
//! documented algorithms, written here without looking at the client's code:
//! a client bug cannot hide behind a shared helper. It can also check that
//! nonces are never reused and timestamps are within the gateway's 15 minutes,
//! and, in strict mode, answer the way the real gateway does when they are not.
//!
//! It listens on 127.0.0.1 only, on a port the OS picks.

#![warn(missing_docs)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The AccessKey id the server accepts.
pub const KEY_ID: &str = "test-key-id";
/// The AccessKey secret the server verifies with. Tests assert it never
/// shows in logs or error messages.
pub const SECRET: &str = "test-secret-do-not-print";

/// How far a request's timestamp may be from the server's clock.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete answer.
    Full {
        /// The HTTP status.
        status: u16,
        /// Headers sent after `content-length`, as given.
        headers: Vec<(String, String)>,
        /// The body, sent as is.
        body: Vec<u8>,
    },
    /// Declares `declared` bytes in `content-length`, sends only `body`, then
    /// closes the connection.
    Truncated {
        /// The HTTP status.
        status: u16,
        /// The `content-length` announced, larger than `body`.
        declared: usize,
        /// What is actually sent before closing.
        body: Vec<u8>,
    },
    /// A JSON body of `len` bytes, streamed in pieces.
    Huge {
        /// The HTTP status.
        status: u16,
        /// The body's exact size in bytes (`{"RequestId":"xxx..."}`).
        len: usize,
    },
    /// Waits, then does `then`.
    Slow {
        /// How long to wait before answering, after reading the request.
        delay: Duration,
        /// The answer after the wait.
        then: Box<Reply>,
    },
    /// Closes the connection without answering.
    Drop,
    /// An HTML error page quoting the whole request back (request line,
    /// headers and body), as some proxies and firewalls do.
    Echo {
        /// The HTTP status of the page.
        status: u16,
    },
    /// `SignatureDoesNotMatch` (HTTP 400) whose message quotes what the
    /// server signed, as the gateway does: computed from the request as
    /// received, but with parameter `name` read as `value` (added when the
    /// request has none), like a server that decoded one parameter
    /// differently. V1 quotes the RPC string to sign; V3 the
    /// `ACS3-HMAC-SHA256` string to sign, or with `canonical` the
    /// canonical request.
    Mismatch {
        /// The parameter the server reads differently.
        name: String,
        /// The value it reads.
        value: String,
        /// V3: quote the canonical request instead of the string to sign.
        canonical: bool,
    },
    /// An Alibaba Cloud error body (JSON) whose `Message` quotes the whole
    /// request back.
    EchoError {
        /// The HTTP status.
        status: u16,
        /// The error `Code` in the body.
        code: String,
    },
}

impl Reply {
    /// 200 with this body: XML when it starts with `<`, JSON otherwise.
    pub fn ok(body: &str) -> Reply {
        Reply::body(200, body)
    }

    /// Any status with this body, typed as [`Reply::ok`] does.
    pub fn body(status: u16, body: &str) -> Reply {
        let content_type = if body.trim_start().starts_with('<') { "text/xml" } else { "application/json" };
        Reply::Full {
            status,
            headers: vec![("content-type".into(), format!("{content_type};charset=utf-8"))],
            body: body.as_bytes().to_vec(),
        }
    }

    /// An Alibaba Cloud error body in JSON, with every field the gateway
    /// sends: `RequestId` is `REQ-<code>`, `HostId` is `vpc.example`,
    /// `Recommend` is `https://example.invalid/<code>`.
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::body(
            status,
            &format!(
                r#"{{"RequestId":{},"HostId":"vpc.example","Code":{},"Message":{},"Recommend":{}}}"#,
                json_string(&format!("REQ-{code}")),
                json_string(code),
                json_string(message),
                json_string(&format!("https://example.invalid/{code}")),
            ),
        )
    }

    /// The same error body as [`Reply::error`], in XML.
    pub fn error_xml(status: u16, code: &str, message: &str) -> Reply {
        Reply::body(
            status,
            &format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>REQ-{}</RequestId><HostId>vpc.example</HostId>\
                 <Code>{}</Code><Message>{}</Message><Recommend>https://example.invalid/{}</Recommend></Error>",
                xml_text(code),
                xml_text(code),
                xml_text(message),
                xml_text(code)
            ),
        )
    }

    /// An HTML page, as a load balancer or proxy sends.
    pub fn html(status: u16, html: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: html.as_bytes().to_vec(),
        }
    }

    /// This status and no body at all.
    pub fn empty(status: u16) -> Reply {
        Reply::Full { status, headers: Vec::new(), body: Vec::new() }
    }

    /// A redirect to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full { status, headers: vec![("location".into(), location.into())], body: Vec::new() }
    }

    /// `content-length: declared`, then only `body`, then the connection closes.
    pub fn truncated(status: u16, body: &str, declared: usize) -> Reply {
        assert!(declared > body.len(), "a truncated reply declares more than it sends");
        Reply::Truncated { status, declared, body: body.as_bytes().to_vec() }
    }

    /// A 200 JSON body of `len` bytes.
    pub fn huge(len: usize) -> Reply {
        Reply::Huge { status: 200, len }
    }

    /// [`Reply::Mismatch`] quoting the string to sign.
    pub fn mismatch(name: &str, value: &str) -> Reply {
        Reply::Mismatch { name: name.into(), value: value.into(), canonical: false }
    }

    /// Waits `delay`, then answers with `then`.
    pub fn slow(delay: Duration, then: Reply) -> Reply {
        Reply::Slow { delay, then: Box::new(then) }
    }

    /// Adds a header to a [`Reply::Full`].
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

/// Which signature a request carried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `Signature` parameter, HMAC-SHA1.
    V1,
    /// `Authorization: ACS3-HMAC-SHA256 ...`.
    V3,
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The HTTP method, as sent (`POST`).
    pub method: String,
    /// The request target: path and query, as sent.
    pub target: String,
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The body's bytes, as received.
    pub body: Vec<u8>,
    /// Query then form parameters, decoded, in the order sent.
    pub pairs: Vec<(String, String)>,
    /// The same as a map (a repeated name keeps its last value).
    pub params: HashMap<String, String>,
    /// Which signature the request carried.
    pub style: Style,
    /// For V3, the `SignedHeaders` list of the `Authorization` header.
    pub signed_headers: Vec<String>,
    /// `Ok` when the signature verified; otherwise what did not match.
    pub signature: Result<(), String>,
    /// `Ok` when the nonce was new to this server and the timestamp within
    /// [`MAX_CLOCK_SKEW`] of its clock; otherwise what was wrong.
    pub freshness: Result<(), String>,
}

impl Seen {
    /// A decoded query or form parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// A header, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// `SignatureNonce` (V1) or `x-acs-signature-nonce` (V3).
    pub fn nonce(&self) -> Option<&str> {
        match self.style {
            Style::V1 => self.param("SignatureNonce"),
            Style::V3 => self.header("x-acs-signature-nonce"),
        }
    }

    /// The action, from the `Action` parameter (V1) or `x-acs-action` (V3).
    pub fn action(&self) -> Option<&str> {
        match self.style {
            Style::V1 => self.param("Action"),
            Style::V3 => self.header("x-acs-action"),
        }
    }
}

/// Server settings.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Answer as the gateway does, instead of as scripted, when a signature
    /// does not verify (`SignatureDoesNotMatch`), a nonce is reused
    /// (`SignatureNonceUsed`) or a timestamp is too far off
    /// (`InvalidTimeStamp.Expired`). The request still takes its place in
    /// the script.
    pub strict: bool,
}

struct State {
    replies: Vec<Reply>,
    options: Options,
    next: Mutex<usize>,
    seen: Mutex<Vec<Seen>>,
    nonces: Mutex<HashSet<String>>,
    connections: Mutex<usize>,
}

/// A running server. It stops when the test's runtime shuts down.
#[derive(Clone)]
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    state: Arc<State>,
}

impl Server {
    /// Starts a server answering request `i` with `replies[i]`; the last
    /// reply repeats. An empty script drops every connection.
    pub async fn start(replies: Vec<Reply>) -> Server {
        Server::start_with(Options::default(), replies).await
    }

    /// [`Server::start`] with other settings, such as `strict`.
    pub async fn start_with(options: Options, replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let state = Arc::new(State {
            replies,
            options,
            next: Mutex::new(0),
            seen: Mutex::new(Vec::new()),
            nonces: Mutex::new(HashSet::new()),
            connections: Mutex::new(0),
        });
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                *shared.connections.lock().unwrap() += 1;
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Server { url, state }
    }

    /// How many TCP connections were accepted so far (each one a TLS
    /// handshake against a real endpoint).
    pub fn connections(&self) -> usize {
        *self.state.connections.lock().unwrap()
    }

    /// Every request received so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.state.seen.lock().unwrap().len()
    }
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    loop {
        let Some(request) = read_request(&mut stream).await else { return };
        let mut request = request;
        request.freshness = check_freshness(&request, &state.nonces);
        let index = {
            let mut next = state.next.lock().unwrap();
            *next += 1;
            *next - 1
        };
        let scripted = state.replies.get(index).or(state.replies.last()).cloned().unwrap_or(Reply::Drop);
        let reply = if state.options.strict { gateway_verdict(&request).unwrap_or(scripted) } else { scripted };
        let reply = match reply {
            Reply::Mismatch { name, value, canonical } => mismatch(&request, &name, &value, canonical),
            other => other,
        };
        let echo = echo_text(&request);
        let close = request.header("connection").is_some_and(|c| c.eq_ignore_ascii_case("close"));
        state.seen.lock().unwrap().push(request);
        if !send_reply(&mut stream, reply, &echo).await || close {
            let _ = stream.shutdown().await;
            return;
        }
    }
}

/// What the gateway answers instead of the action when the request is not
/// properly signed or not fresh.
fn gateway_verdict(request: &Seen) -> Option<Reply> {
    if let Err(e) = &request.signature {
        return Some(Reply::error(400, "SignatureDoesNotMatch", &format!("Specified signature is not matched: {e}")));
    }
    match &request.freshness {
        Err(e) if e.contains("reused") => Some(Reply::error(400, "SignatureNonceUsed", e)),
        Err(e) => Some(Reply::error(400, "InvalidTimeStamp.Expired", e)),
        Ok(()) => None,
    }
}

/// Writes one reply; `false` when the connection is to be closed.
async fn send_reply(stream: &mut TcpStream, reply: Reply, echo: &str) -> bool {
    let mut reply = reply;
    while let Reply::Slow { delay, then } = reply {
        tokio::time::sleep(delay).await;
        reply = *then;
    }
    match reply {
        Reply::Slow { .. } => unreachable!("unwrapped above"),
        Reply::Mismatch { .. } => unreachable!("answered as an error"),
        Reply::Drop => false,
        Reply::Full { status, headers, body } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\ncontent-length: {}\r\n", reason(status), body.len());
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(&body).await.is_ok()
        }
        Reply::Echo { status } => {
            let body = format!(
                "<html><head><title>{status} {}</title></head><body><h1>Request rejected</h1><pre>{echo}</pre></body></html>",
                reason(status)
            );
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n",
                reason(status),
                body.len()
            );
            stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(body.as_bytes()).await.is_ok()
        }
        Reply::EchoError { status, code } => {
            let body = format!(
                r#"{{"RequestId":"REQ-echo","Code":{},"Message":{}}}"#,
                json_string(&code),
                json_string(&format!("cannot process: {echo}"))
            );
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                reason(status),
                body.len()
            );
            stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(body.as_bytes()).await.is_ok()
        }
        Reply::Truncated { status, declared, body } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n",
                reason(status)
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(&body).await;
            let _ = stream.flush().await;
            let _ = stream.shutdown().await;
            false
        }
        Reply::Huge { status, len } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n",
                reason(status)
            );
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            // `{"RequestId":"xxxx...x"}`, exactly `len` bytes.
            let (open, close) = (&b"{\"RequestId\":\""[..], &b"\"}"[..]);
            let filler = len.saturating_sub(open.len() + close.len());
            let mut body = Vec::with_capacity(len);
            body.extend_from_slice(open);
            body.resize(open.len() + filler, b'x');
            body.extend_from_slice(close);
            body.truncate(len);
            for piece in body.chunks(16 * 1024) {
                if stream.write_all(piece).await.is_err() {
                    return false;
                }
            }
            true
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 | 302 | 307 | 308 => "Redirect",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// The raw request, for [`Reply::Echo`].
fn echo_text(request: &Seen) -> String {
    let mut text = format!("{} {} HTTP/1.1\n", request.method, request.target);
    let mut headers: Vec<_> = request.headers.iter().collect();
    headers.sort();
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push('\n');
    text.push_str(&String::from_utf8_lossy(&request.body));
    text
}

/// Reads one HTTP/1.1 request with a `content-length` body (or none).
async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = vec![0u8; length - body.len()];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let query = target.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
    let mut pairs = decode_pairs(&query);
    pairs.extend(decode_pairs(&String::from_utf8_lossy(&body)));
    let params: HashMap<String, String> = pairs.iter().cloned().collect();
    let (style, signed_headers, signature) = match headers.get("authorization") {
        Some(auth) => {
            let signed = auth_field(auth, "SignedHeaders").map(|s| s.split(';').map(str::to_owned).collect());
            (Style::V3, signed.unwrap_or_default(), verify_v3(&method, &query, &headers, &body))
        }
        None => (Style::V1, Vec::new(), verify_v1(&method, &pairs)),
    };
    Some(Seen { method, target, headers, body, pairs, params, style, signed_headers, signature, freshness: Ok(()) })
}

fn auth_field<'a>(auth: &'a str, name: &str) -> Option<&'a str> {
    let rest = auth.split_once(' ').map(|(_, r)| r)?;
    rest.split(',').filter_map(|f| f.trim().split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| v)
}

fn check_freshness(request: &Seen, nonces: &Mutex<HashSet<String>>) -> Result<(), String> {
    let (nonce, stamp) = match request.style {
        Style::V1 => (request.param("SignatureNonce"), request.param("Timestamp")),
        Style::V3 => (request.header("x-acs-signature-nonce"), request.header("x-acs-date")),
    };
    let nonce = nonce.filter(|n| !n.is_empty()).ok_or("no signature nonce")?;
    if !nonces.lock().unwrap().insert(nonce.to_owned()) {
        return Err(format!("signature nonce `{nonce}` reused"));
    }
    let stamp = stamp.ok_or("no timestamp")?;
    let sent = parse_utc(stamp).ok_or_else(|| format!("timestamp `{stamp}` is not YYYY-MM-DDThh:mm:ssZ"))?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    if (now - sent).unsigned_abs() > MAX_CLOCK_SKEW.as_secs() {
        return Err(format!("timestamp `{stamp}` is more than 15 minutes from the server's clock"));
    }
    Ok(())
}

/// `YYYY-MM-DDThh:mm:ssZ` as seconds since the Unix epoch.
pub fn parse_utc(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
    // (Howard Hinnant's `days_from_civil`).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Form and query decoding (`+` is a space), written here independently of
/// the client. Malformed escapes are kept as they are.
pub fn decode_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (unescape(k), unescape(v))
        })
        .collect()
}

fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// RFC 3986 escaping (unreserved `A-Za-z0-9-_.~` kept, everything else
/// `%XX` of its UTF-8 bytes), written here independently of the client.
pub fn escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Pairs sorted by name then value (byte order), escaped, joined with `&`.
pub fn sorted_query(pairs: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = pairs.iter().collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The RPC signature (base64 of HMAC-SHA1 keyed with `secret&`) of these
/// parameters, `Signature` excluded by the caller.
pub fn rpc_signature(method: &str, pairs: &[(String, String)], secret: &str) -> String {
    let string_to_sign = format!("{method}&%2F&{}", escape(&sorted_query(pairs)));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `ACS3-HMAC-SHA256` signature (hex) of a request: `query` is the raw
/// query string, `headers` are looked up by the names in `signed`
/// (lower case, `;`-separated).
pub fn v3_signature(
    method: &str,
    query: &str,
    headers: &HashMap<String, String>,
    signed: &str,
    body: &[u8],
    secret: &str,
) -> String {
    let canonical = v3_canonical(method, &decode_pairs(query), headers, signed, body);
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The `ACS3-HMAC-SHA256` canonical request of a request to `/`.
fn v3_canonical(
    method: &str,
    query: &[(String, String)],
    headers: &HashMap<String, String>,
    signed: &str,
    body: &[u8],
) -> String {
    let canonical_headers: String =
        signed.split(';').map(|h| format!("{h}:{}\n", headers.get(h).map(|v| v.trim()).unwrap_or(""))).collect();
    let payload = hex(&Sha256::digest(body));
    format!("{method}\n/\n{}\n{canonical_headers}\n{signed}\n{payload}", sorted_query(query))
}

fn verify_v1(method: &str, pairs: &[(String, String)]) -> Result<(), String> {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let sent = get("Signature").ok_or("no Signature parameter")?;
    if get("AccessKeyId") != Some(KEY_ID) {
        return Err(format!("AccessKeyId is {:?}, not {KEY_ID}", get("AccessKeyId")));
    }
    if get("SignatureMethod") != Some("HMAC-SHA1") || get("SignatureVersion") != Some("1.0") {
        return Err("SignatureMethod must be HMAC-SHA1 and SignatureVersion 1.0".into());
    }
    let rest: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "Signature").cloned().collect();
    let expected = rpc_signature(method, &rest, SECRET);
    if expected == sent {
        Ok(())
    } else {
        Err(format!("V1 mismatch; the server signed: {method}&%2F&{}", escape(&sorted_query(&rest))))
    }
}

fn verify_v3(method: &str, query: &str, headers: &HashMap<String, String>, body: &[u8]) -> Result<(), String> {
    let auth = headers.get("authorization").ok_or("no Authorization header")?;
    if !auth.starts_with("ACS3-HMAC-SHA256 ") {
        return Err("wrong algorithm".into());
    }
    if auth_field(auth, "Credential") != Some(KEY_ID) {
        return Err("wrong credential".into());
    }
    let signed = auth_field(auth, "SignedHeaders").ok_or("no SignedHeaders")?;
    let is_signed = |name: &str| signed.split(';').any(|h| h == name);
    for required in
        ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
    {
        if !is_signed(required) {
            return Err(format!("{required} is not signed"));
        }
    }
    for sent in headers.keys().filter(|h| h.starts_with("x-acs-")) {
        if !is_signed(sent) {
            return Err(format!("{sent} is sent but not signed"));
        }
    }
    let payload = hex(&Sha256::digest(body));
    if headers.get("x-acs-content-sha256") != Some(&payload) {
        return Err("x-acs-content-sha256 is not the SHA-256 of the body".into());
    }
    let expected = v3_signature(method, query, headers, signed, body, SECRET);
    if Some(expected.as_str()) == auth_field(auth, "Signature") {
        Ok(())
    } else {
        Err(format!("V3 mismatch for signed headers {signed}"))
    }
}

/// The answer of [`Reply::Mismatch`].
fn mismatch(request: &Seen, name: &str, value: &str, canonical: bool) -> Reply {
    let tamper = |mut pairs: Vec<(String, String)>| {
        match pairs.iter_mut().find(|(k, _)| k == name) {
            Some(pair) => pair.1 = value.to_owned(),
            None => pairs.push((name.to_owned(), value.to_owned())),
        }
        pairs
    };
    let quoted = match request.style {
        Style::V1 => {
            let rest = request.pairs.iter().filter(|(k, _)| k != "Signature").cloned().collect();
            format!("{}&%2F&{}", request.method, escape(&sorted_query(&tamper(rest))))
        }
        Style::V3 => {
            let query = request.target.split_once('?').map(|(_, q)| q).unwrap_or("");
            let signed = request.signed_headers.join(";");
            let text =
                v3_canonical(&request.method, &tamper(decode_pairs(query)), &request.headers, &signed, &request.body);
            if canonical { text } else { format!("ACS3-HMAC-SHA256\n{}", hex(&Sha256::digest(text.as_bytes()))) }
        }
    };
    Reply::error(
        400,
        "SignatureDoesNotMatch",
        &format!("Specified signature is not matched with our calculation. server string to sign is:{quoted}"),
    )
}

/// A JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// XML character data.
fn xml_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// The server's own verifier reproduces Alibaba's published RPC example.
    #[test]
    fn rpc_verifier_reproduces_the_documented_example() {
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
        assert_eq!(rpc_signature("GET", &params, "testsecret"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    }

    /// The server's own verifier reproduces Alibaba's published V3 example.
    #[test]
    fn v3_verifier_reproduces_the_documented_example() {
        let headers: HashMap<String, String> = pairs(&[
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-version", "2014-05-26"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ])
        .into_iter()
        .collect();
        let signature = v3_signature(
            "POST",
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
            &headers,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version",
            b"",
            "YourAccessKeySecret",
        );
        assert_eq!(signature, "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0");
    }

    #[test]
    fn utc_timestamps_parse_to_epoch_seconds() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2016-02-23T12:46:24Z"), Some(1_456_231_584));
        assert_eq!(parse_utc("2000-03-01T00:00:00Z"), Some(951_868_800));
        for bad in ["2016-02-23 12:46:24Z", "2016-13-01T00:00:00Z", "2016-02-23T12:46:24", "", "2016-02-23T1a:46:24Z"] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }

    #[test]
    fn decoding_is_lenient_and_exact() {
        assert_eq!(decode_pairs("a=1&b=x%20y+z&c=&d"), pairs(&[("a", "1"), ("b", "x y z"), ("c", ""), ("d", "")]));
        assert_eq!(decode_pairs("k=%E4%B8%AD%zz%4"), pairs(&[("k", "中%zz%4")]));
        assert_eq!(escape("a b*~/+=&中"), "a%20b%2A~%2F%2B%3D%26%E4%B8%AD");
    }

    async fn raw_v1(url: &str, nonce: &str, timestamp: &str) -> String {
        let mut params = pairs(&[
            ("Action", "Ping"),
            ("AccessKeyId", KEY_ID),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce),
            ("Timestamp", timestamp),
        ]);
        let signature = rpc_signature("POST", &params, SECRET);
        params.push(("Signature".into(), signature));
        let body = sorted_query(&params);
        let addr = url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let request = format!(
            "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    /// The current time as `YYYY-MM-DDThh:mm:ssZ` (Hinnant's `civil_from_days`).
    fn now_utc() -> String {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        let (days, rem) = (secs.div_euclid(86_400) + 719_468, secs.rem_euclid(86_400));
        let era = days.div_euclid(146_097);
        let doe = days - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
    }

    #[tokio::test]
    async fn strict_mode_answers_like_the_gateway_to_reused_nonces_and_stale_timestamps() {
        let server = Server::start_with(Options { strict: true }, vec![Reply::ok(r#"{"RequestId":"R"}"#)]).await;
        let now = now_utc();
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert!(parse_utc(&now).is_some_and(|t| (t - secs).abs() < 5), "{now}");
        let first = raw_v1(&server.url, "n-1", &now).await;
        assert!(first.starts_with("HTTP/1.1 200"), "{first}");
        let replay = raw_v1(&server.url, "n-1", &now).await;
        assert!(replay.contains("SignatureNonceUsed"), "{replay}");
        let stale = raw_v1(&server.url, "n-2", "2016-02-23T12:46:24Z").await;
        assert!(stale.contains("InvalidTimeStamp.Expired"), "{stale}");
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|s| s.signature.is_ok()), "{seen:?}");
        assert_eq!(seen[0].freshness, Ok(()));
        assert!(seen[1].freshness.as_ref().unwrap_err().contains("reused"));
        assert!(seen[2].freshness.as_ref().unwrap_err().contains("15 minutes"));
    }

    #[tokio::test]
    async fn a_bad_signature_is_recorded_and_rejected_in_strict_mode() {
        let server = Server::start_with(Options { strict: true }, vec![Reply::ok("{}")]).await;
        let addr = server.url.trim_start_matches("http://").to_owned();
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        let body = "Action=Ping&AccessKeyId=test-key-id&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&Signature=AAAA";
        let request = format!(
            "POST / HTTP/1.1\r\nhost: {addr}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.contains("SignatureDoesNotMatch"), "{answer}");
        assert!(server.seen()[0].signature.as_ref().unwrap_err().contains("V1 mismatch"));
    }
}
