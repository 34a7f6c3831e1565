//! A loopback HTTP server for client tests. It checks every request's
//! signature with its own implementation of the documented algorithms (not
//! the client's), records what it received, and answers as scripted.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const KEY_ID: &str = "test-key-id";
pub const SECRET: &str = "test-secret-do-not-print";

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with this status and body (JSON unless it starts with `<`).
    Body { status: u16, body: String },
    /// Wait, then answer.
    Slow { delay: Duration, status: u16, body: String },
    /// Close the connection without answering.
    Drop,
}

impl Reply {
    pub fn ok(body: &str) -> Reply {
        Reply::Body { status: 200, body: body.to_owned() }
    }
    pub fn error(status: u16, code: &str, message: &str) -> Reply {
        Reply::Body {
            status,
            body: format!(
                r#"{{"RequestId":"REQ-{code}","HostId":"vpc.example","Code":"{code}","Message":"{message}","Recommend":"https://example.invalid/{code}"}}"#
            ),
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub headers: HashMap<String, String>,
    /// Query and form parameters, decoded.
    pub params: HashMap<String, String>,
    /// `Ok` when the signature verified; otherwise what did not match.
    pub signature: Result<(), String>,
}

#[derive(Clone)]
pub struct Server {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Starts a server answering request `i` with `replies[i]` (the last
    /// reply repeats).
    pub async fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let replies = Arc::new(replies);
        let counter = Arc::new(Mutex::new(0usize));
        let state = seen.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { return };
                let (replies, counter, state) = (replies.clone(), counter.clone(), state.clone());
                tokio::spawn(async move { serve(stream, replies, counter, state).await });
            }
        });
        Server { url, seen }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    replies: Arc<Vec<Reply>>,
    counter: Arc<Mutex<usize>>,
    seen: Arc<Mutex<Vec<Seen>>>,
) {
    loop {
        let Some(request) = read_request(&mut stream).await else { return };
        let index = {
            let mut c = counter.lock().unwrap();
            *c += 1;
            *c - 1
        };
        seen.lock().unwrap().push(request);
        let reply = replies.get(index).or(replies.last()).cloned().unwrap_or(Reply::Drop);
        let (status, body) = match reply {
            Reply::Drop => return,
            Reply::Body { status, body } => (status, body),
            Reply::Slow { delay, status, body } => {
                tokio::time::sleep(delay).await;
                (status, body)
            }
        };
        let content_type = if body.trim_start().starts_with('<') { "text/xml" } else { "application/json" };
        let head =
            format!("HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n", body.len());
        if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(body.as_bytes()).await.is_err() {
            return;
        }
    }
}

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
    let body = String::from_utf8_lossy(&body).into_owned();
    let mut params: HashMap<String, String> = decode_pairs(&query).into_iter().collect();
    params.extend(decode_pairs(&body));
    let signature = if headers.contains_key("authorization") {
        verify_v3(&method, &query, &headers)
    } else {
        verify_v1(&method, &decode_pairs(&body))
    };
    Some(Seen { method, target, headers, params, signature })
}

/// Form/query decoding, written here independently of the client.
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
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// RFC 3986 escaping, written here independently of the client.
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

fn sorted_query(pairs: &[(String, String)]) -> String {
    let mut pairs: Vec<&(String, String)> = pairs.iter().collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{}={}", escape(k), escape(v))).collect::<Vec<_>>().join("&")
}

fn verify_v1(method: &str, pairs: &[(String, String)]) -> Result<(), String> {
    let sent = pairs.iter().find(|(k, _)| k == "Signature").map(|(_, v)| v.clone()).ok_or("no Signature parameter")?;
    let rest: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != "Signature").cloned().collect();
    let string_to_sign = format!("{method}&%2F&{}", escape(&sorted_query(&rest)));
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{SECRET}&").as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if expected == sent { Ok(()) } else { Err(format!("V1 mismatch; server signed: {string_to_sign}")) }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn verify_v3(method: &str, query: &str, headers: &HashMap<String, String>) -> Result<(), String> {
    let auth = headers.get("authorization").ok_or("no Authorization header")?;
    let rest = auth.strip_prefix("ACS3-HMAC-SHA256 ").ok_or("wrong algorithm")?;
    let fields: HashMap<&str, &str> = rest.split(',').filter_map(|f| f.split_once('=')).collect();
    if fields.get("Credential") != Some(&KEY_ID) {
        return Err("wrong credential".into());
    }
    let signed = fields.get("SignedHeaders").ok_or("no SignedHeaders")?;
    for required in
        ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
    {
        if !signed.split(';').any(|h| h == required) {
            return Err(format!("{required} is not signed"));
        }
    }
    let canonical_headers: String =
        signed.split(';').map(|h| format!("{h}:{}\n", headers.get(h).map(String::as_str).unwrap_or(""))).collect();
    let payload = hex(&Sha256::digest(b""));
    let canonical =
        format!("{method}\n/\n{}\n{canonical_headers}\n{signed}\n{payload}", sorted_query(&decode_pairs(query)));
    let string_to_sign = format!("ACS3-HMAC-SHA256\n{}", hex(&Sha256::digest(canonical.as_bytes())));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    let expected = hex(&mac.finalize().into_bytes());
    if Some(&expected.as_str()) == fields.get("Signature") {
        Ok(())
    } else {
        Err(format!("V3 mismatch; canonical request: {canonical}"))
    }
}
