//! Stand-ins on 127.0.0.1 for the services credential providers talk to:
//! STS (which checks signatures and answers as STS does, or as told to
//! misbehave), the ECS metadata service (with the IMDSv2 token dance), and
//! a bare JSON server for credentials URIs. Each listens on a port the OS
//! picks and counts what it served.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aliyun_runtime::credentials::Clock;
use loopback_server::{decode_pairs, v3_signature};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The long-term key the STS stand-in trusts.
pub const KEY_ID: &str = "source-key-id";
pub const SECRET: &str = "source-secret-never-printed";

/// One request as a stand-in saw it.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    pub query: String,
    /// Query and form parameters, decoded.
    pub params: HashMap<String, String>,
}

impl Request {
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// An answer, or `None` to close the connection without one.
pub type Answer = Option<(u16, String)>;

type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

/// Serves `handler` until the test's runtime ends; returns `http://127.0.0.1:<port>`.
pub async fn serve(handler: Arc<Handler>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let handler = handler.clone();
            tokio::spawn(connection(stream, handler));
        }
    });
    url
}

async fn connection(mut stream: TcpStream, handler: Arc<Handler>) {
    let mut buf = Vec::new();
    loop {
        let Some(request) = read_request(&mut stream, &mut buf).await else { return };
        let Some((status, body)) = handler(&request) else { return };
        let head =
            format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
        if stream.write_all(head.as_bytes()).await.is_err() || stream.write_all(body.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
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
    while buf.len() < head_end + 4 + length {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end + 4..head_end + 4 + length].to_vec();
    buf.drain(..head_end + 4 + length);
    let query = target.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default();
    let mut pairs = decode_pairs(&query);
    pairs.extend(decode_pairs(&String::from_utf8_lossy(&body)));
    Some(Request { method, target, headers, body, query, params: pairs.into_iter().collect() })
}

/// A clock the test moves by hand, shared by a cache and the stand-in.
#[derive(Debug)]
pub struct ManualClock(Mutex<SystemTime>);

impl ManualClock {
    pub fn new() -> Arc<Self> {
        Arc::new(ManualClock(Mutex::new(SystemTime::now())))
    }
    pub fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        *self.0.lock().unwrap()
    }
}

/// How the STS stand-in answers role requests.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Ok,
    /// Credentials whose Expiration has passed.
    Expired,
    /// `Throttling.User`, HTTP 400.
    Throttled,
    /// 200 with credentials that lack their secret.
    Malformed,
    /// 200 with a body that is not JSON.
    Garbage,
    /// An error code, HTTP 403.
    Refuse(&'static str),
    /// An error whose message quotes the request's parameters back.
    Echo,
    /// Reads each request (and counts it), then closes the connection without answering.
    Down,
}

struct Issued {
    secret: String,
    token: Option<String>,
    expiry: Option<SystemTime>,
}

/// The STS stand-in's state, shared by its twins.
pub struct StsState {
    pub clock: Arc<dyn Clock>,
    pub lifetime: Duration,
    keys: Mutex<HashMap<String, Issued>>,
    issued: AtomicUsize,
    hits: Mutex<HashMap<String, usize>>,
    /// Every request, in order.
    pub seen: Mutex<Vec<Request>>,
}

/// One listener of the STS stand-in, with its own mode.
#[derive(Clone)]
pub struct Sts {
    pub url: String,
    pub state: Arc<StsState>,
    mode: Arc<Mutex<Mode>>,
}

impl Sts {
    /// A stand-in trusting [`KEY_ID`], issuing credentials that last
    /// `lifetime` by `clock`.
    pub async fn start(clock: Arc<dyn Clock>, lifetime: Duration) -> Sts {
        let mut keys = HashMap::new();
        keys.insert(KEY_ID.to_owned(), Issued { secret: SECRET.to_owned(), token: None, expiry: None });
        let state = Arc::new(StsState {
            clock,
            lifetime,
            keys: Mutex::new(keys),
            issued: AtomicUsize::new(0),
            hits: Mutex::new(HashMap::new()),
            seen: Mutex::new(Vec::new()),
        });
        Sts::listen(state).await
    }

    /// Another listener sharing this one's keys and counts (a service
    /// that accepts the credentials this STS issues).
    pub async fn twin(&self) -> Sts {
        Sts::listen(self.state.clone()).await
    }

    async fn listen(state: Arc<StsState>) -> Sts {
        let mode = Arc::new(Mutex::new(Mode::Ok));
        let (s, m) = (state.clone(), mode.clone());
        let url = serve(Arc::new(move |r: &Request| answer(&s, &m.lock().unwrap().clone(), r))).await;
        Sts { url, state, mode }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// How many times an action was answered (or refused) here and in twins.
    pub fn hits(&self, action: &str) -> usize {
        self.state.hits.lock().unwrap().get(action).copied().unwrap_or(0)
    }

    pub fn seen(&self) -> Vec<Request> {
        self.state.seen.lock().unwrap().clone()
    }
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    Some((status, format!(r#"{{"RequestId":"R-{code}","Code":"{code}","Message":"{message}"}}"#)))
}

fn utc(t: SystemTime) -> String {
    aliyun_runtime::signing::format_utc(t)
}

/// Checks the V3 signature against the keys this STS knows, and that an
/// issued key comes with its own token and has not expired.
fn verify(state: &StsState, r: &Request) -> Result<(), Answer> {
    let auth = r.header("authorization").ok_or_else(|| error(400, "MissingParameter", "no Authorization"))?;
    let field = |name: &str| {
        auth.split_once(' ')
            .map(|(_, rest)| rest)
            .unwrap_or("")
            .split(',')
            .filter_map(|f| f.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    };
    let id = field("Credential").unwrap_or_default();
    let keys = state.keys.lock().unwrap();
    let key =
        keys.get(&id).ok_or_else(|| error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."))?;
    let signed = field("SignedHeaders").unwrap_or_default();
    let expected = v3_signature(&r.method, &r.query, &r.headers, &signed, &r.body, &key.secret);
    if Some(expected) != field("Signature") {
        return Err(error(400, "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."));
    }
    if key.token.as_deref() != r.header("x-acs-security-token") {
        return Err(error(
            400,
            "InvalidSecurityToken.MismatchWithAccessKey",
            "Specified SecurityToken mismatch with the AccessKey.",
        ));
    }
    if key.expiry.is_some_and(|e| state.clock.now() >= e) {
        return Err(error(400, "InvalidSecurityToken.Expired", "Specified SecurityToken is expired."));
    }
    Ok(())
}

fn answer(state: &StsState, mode: &Mode, r: &Request) -> Answer {
    let action = r.header("x-acs-action").or(r.param("Action")).unwrap_or("").to_owned();
    *state.hits.lock().unwrap().entry(action.clone()).or_default() += 1;
    if *mode == Mode::Down {
        return None;
    }
    state.seen.lock().unwrap().push(r.clone());
    match action.as_str() {
        "AssumeRole" => {
            if let Err(answer) = verify(state, r) {
                return answer;
            }
        }
        "AssumeRoleWithOIDC" => {
            // Anonymous: no key, no signature; the token is the proof.
            if r.header("authorization").is_some() || r.param("Signature").is_some() || r.param("AccessKeyId").is_some()
            {
                return error(400, "InvalidParameter", "AssumeRoleWithOIDC takes no AccessKey");
            }
            if !r.param("OIDCToken").is_some_and(|t| t.starts_with("oidc-")) {
                return error(400, "AuthenticationFail.OIDCToken.Invalid", "the OIDC token is not valid");
            }
        }
        "GetCallerIdentity" => {
            return match verify(state, r) {
                Ok(()) => Some((
                    200,
                    r#"{"RequestId":"R-me","AccountId":"1234","Arn":"acs:ram::1234:assumed-role/test"}"#.to_owned(),
                )),
                Err(answer) => answer,
            };
        }
        _ => return error(404, "InvalidApi.NotFound", "Specified api is not found"),
    }
    match mode {
        Mode::Throttled => return error(400, "Throttling.User", "Request was denied due to user flow control."),
        Mode::Refuse(code) => return error(403, code, "You are not authorized to do this action."),
        Mode::Garbage => return Some((200, "<html>not json</html>".to_owned())),
        Mode::Echo => {
            let mut quoted: Vec<String> = r.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
            quoted.sort();
            return error(400, "InvalidParameter", &quoted.join(" "));
        }
        Mode::Malformed => {
            return Some((200, r#"{"RequestId":"R","Credentials":{"AccessKeyId":"STS.x","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}}"#.to_owned()));
        }
        _ => {}
    }
    let n = state.issued.fetch_add(1, Ordering::SeqCst) + 1;
    let now = state.clock.now();
    let expiry = if *mode == Mode::Expired { now - Duration::from_secs(60) } else { now + state.lifetime };
    let (id, secret, token) = (format!("STS.issued-{n}"), format!("issued-secret-{n}"), format!("issued-token-{n}"));
    state
        .keys
        .lock()
        .unwrap()
        .insert(id.clone(), Issued { secret: secret.clone(), token: Some(token.clone()), expiry: Some(expiry) });
    Some((
        200,
        format!(
            r#"{{"RequestId":"R-{n}","AssumedRoleUser":{{"Arn":"acs:ram::1234:role/test/s","AssumedRoleId":"1:s"}},"Credentials":{{"AccessKeyId":"{id}","AccessKeySecret":"{secret}","SecurityToken":"{token}","Expiration":"{}"}}}}"#,
            utc(expiry)
        ),
    ))
}

/// The metadata service stand-in.
pub struct Imds {
    pub url: String,
    /// Whether `PUT /latest/api/token` answers (else 404, as an old service).
    pub v2: Arc<AtomicBool>,
    /// Whether requests without the session token are refused (IMDSv2 enforced).
    pub v2_required: Arc<AtomicBool>,
    pub seen: Arc<Mutex<Vec<Request>>>,
}

pub const IMDS_TOKEN: &str = "imds-session-token";
pub const ROLE: &str = "EcsTestRole";

impl Imds {
    pub async fn start(lifetime: Duration) -> Imds {
        let v2 = Arc::new(AtomicBool::new(true));
        let v2_required = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (v2c, reqc, seenc) = (v2.clone(), v2_required.clone(), seen.clone());
        let issued = Arc::new(AtomicUsize::new(0));
        let url = serve(Arc::new(move |r: &Request| {
            seenc.lock().unwrap().push(r.clone());
            if r.method == "PUT" && r.path() == "/latest/api/token" {
                if !v2c.load(Ordering::SeqCst) {
                    return Some((404, "not found".into()));
                }
                if r.header("x-aliyun-ecs-metadata-token-ttl-seconds").is_none() {
                    return Some((400, "no ttl".into()));
                }
                return Some((200, IMDS_TOKEN.into()));
            }
            let has_token = r.header("x-aliyun-ecs-metadata-token") == Some(IMDS_TOKEN);
            if reqc.load(Ordering::SeqCst) && !has_token {
                return Some((401, "token required".into()));
            }
            match r.path() {
                "/latest/meta-data/ram/security-credentials/" => Some((200, ROLE.into())),
                p if p == format!("/latest/meta-data/ram/security-credentials/{ROLE}") => {
                    let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
                    Some((
                        200,
                        format!(
                            r#"{{"AccessKeyId":"STS.ecs-{n}","AccessKeySecret":"ecs-secret-{n}","SecurityToken":"ecs-token-{n}","Expiration":"{}","LastUpdated":"{}","Code":"Success"}}"#,
                            utc(SystemTime::now() + lifetime),
                            utc(SystemTime::now())
                        ),
                    ))
                }
                _ => Some((404, "not found".into())),
            }
        }))
        .await;
        Imds { url, v2, v2_required, seen }
    }

    pub fn seen(&self) -> Vec<Request> {
        self.seen.lock().unwrap().clone()
    }
}

/// A server that answers every request with this status and body.
pub async fn fixed(status: u16, body: &str) -> String {
    let body = body.to_owned();
    serve(Arc::new(move |_: &Request| Some((status, body.clone())))).await
}

/// A port nothing listens on.
pub async fn closed_port() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}
