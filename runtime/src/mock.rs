//! A stand-in for the service, for testing code that uses a generated
//! client without the network: an HTTP server on 127.0.0.1 that answers each
//! action with the reply a test scripted, and records every call. The
//! client goes through all its real steps (signing, retries, decoding);
//! only the answers are made up. Behind the `test-util` feature.
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use aliyun_runtime::mock::{MockReply, MockServer};
//!
//! let mock = MockServer::start().await;
//! mock.on("DescribeThings", MockReply::json(r#"{"RequestId":"R-1","TotalCount":0}"#));
//! mock.on("DeleteThing", MockReply::error(404, "InvalidThingId.NotFound", "no such thing"));
//! // Point a client at it: `Client::builder().endpoint(mock.url()) ...`;
//! // then `mock.calls()` says what your code sent.
//! assert!(mock.url().starts_with("http://127.0.0.1:"));
//! # });
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What the stand-in answers an action with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MockReply {
    /// HTTP 200 with this JSON body (the action's response).
    Json(String),
    /// An error body as the service writes it.
    Error {
        /// The HTTP status, such as 400 or 404.
        status: u16,
        /// Alibaba's error code.
        code: String,
        /// The service's message.
        message: String,
    },
}

impl MockReply {
    /// HTTP 200 with `body`, which should be the action's response in JSON.
    pub fn json(body: impl Into<String>) -> Self {
        MockReply::Json(body.into())
    }

    /// An error answer: `{"Code": code, "Message": message, "RequestId": ...}`.
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        MockReply::Error { status, code: code.into(), message: message.into() }
    }

    fn render(&self) -> (u16, String) {
        match self {
            MockReply::Json(body) => (200, body.clone()),
            MockReply::Error { status, code, message } => {
                let body = serde_json::json!({
                    "Code": code,
                    "Message": message,
                    "RequestId": format!("MOCK-{code}"),
                    "HostId": "mock.127.0.0.1",
                });
                (*status, body.to_string())
            }
        }
    }
}

/// One call the stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockCall {
    /// The action, from `x-acs-action` (V3) or the `Action` parameter (V1).
    pub action: String,
    /// The query and form parameters, decoded (signature parameters included).
    pub params: BTreeMap<String, String>,
}

impl MockCall {
    /// A parameter's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    replies: BTreeMap<String, MockReply>,
    calls: Vec<MockCall>,
}

/// The stand-in; it stops with the tokio runtime that started it.
#[derive(Clone)]
pub struct MockServer {
    url: String,
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer").field("url", &self.url).finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a stand-in on a free port of 127.0.0.1. An action with no
    /// reply scripted is answered with 404 `InvalidApi.NotFound`, naming it.
    ///
    /// # Panics
    /// When no loopback port can be bound, which only a broken test machine
    /// does.
    pub async fn start() -> MockServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        MockServer { url, state }
    }

    /// The endpoint to give the client builder: `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers every call of `action` with `reply` from now on.
    pub fn on(&self, action: &str, reply: MockReply) {
        self.lock().replies.insert(action.to_owned(), reply);
    }

    /// Every call received so far, in order.
    pub fn calls(&self) -> Vec<MockCall> {
        self.lock().calls.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A test that panicked while holding the lock must not hide the
        // calls from the next assertion.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// One connection: requests one after another (the client keeps it alive).
async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buffer = Vec::new();
    loop {
        let Some((head, body)) = read_request(&mut stream, &mut buffer).await else { return };
        let (status, body) = answer(&head, &body, &state);
        let response = format!(
            "HTTP/1.1 {status} MOCK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// Reads one request: its head (up to the blank line) and its body.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<(String, Vec<u8>)> {
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    while buffer.len() < end + 4 + length {
        let n = stream.read(&mut chunk).await.ok().filter(|n| *n > 0)?;
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[end + 4..end + 4 + length].to_vec();
    buffer.drain(..end + 4 + length);
    Some((head, body))
}

fn answer(head: &str, body: &[u8], state: &Mutex<State>) -> (u16, String) {
    let target = head.lines().next().and_then(|l| l.split(' ').nth(1)).unwrap_or("/");
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    let mut params = BTreeMap::new();
    for raw in [query.as_bytes(), body] {
        // Any base will do: only the query string is read back.
        if let Ok(url) = reqwest::Url::parse(&format!("http://mock/?{}", String::from_utf8_lossy(raw))) {
            params.extend(url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())));
        }
    }
    let header_action = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find_map(|(k, v)| k.trim().eq_ignore_ascii_case("x-acs-action").then(|| v.trim().to_owned()));
    let action = header_action.or_else(|| params.get("Action").cloned()).unwrap_or_default();
    let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let reply = state.replies.get(&action).cloned();
    state.calls.push(MockCall { action: action.clone(), params });
    match reply {
        Some(reply) => reply.render(),
        None => MockReply::error(404, "InvalidApi.NotFound", format!("no reply is scripted for {action}")).render(),
    }
}
