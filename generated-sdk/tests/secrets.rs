//! The AccessKey secret and the STS token never show: not in any log event
//! or span field, not in `Debug` or `Display` of the client, its builder,
//! the credentials, or any kind of error, even when a proxy quotes the
//! request back. And the call's span carries what an operator needs.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_vpc::runtime::{Credentials, RetryPolicy, SdkError, SignatureVersion};
use aliyun_vpc::{CancelPhysicalConnectionError, CancelPhysicalConnectionRequest, Client};
use loopback_server::{KEY_ID, Reply, SECRET, Server};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// Reserved characters on purpose: V1 sends the token percent-encoded.
const TOKEN: &str = "CAIS/sts+token=value&with-a-tail-7f3a9c";

/// Records every span (name and fields, including those recorded later)
/// and every event, as text.
///
/// Hand-written instead of `tracing-subscriber`: the test needs "record
/// everything, filter nothing", which is a few dozen lines against
/// `tracing::Subscriber`, while `tracing-subscriber`'s registry and fmt
/// layers would add several crates to the dev-dependency tree for features
/// these tests do not use.
#[derive(Clone, Default)]
struct Capture(Arc<Captured>);

/// A span's static description and the fields recorded on it so far.
type SpanRecord = (&'static Metadata<'static>, Vec<(String, String)>);

#[derive(Default)]
struct Captured {
    next_id: AtomicU64,
    spans: Mutex<HashMap<u64, SpanRecord>>,
    /// Entered spans, innermost last, per thread: `Span::current()` (which
    /// the client uses to record fields) asks the subscriber for it.
    stacks: Mutex<HashMap<std::thread::ThreadId, Vec<u64>>>,
    events: Mutex<Vec<String>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Subscriber for Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let id = self.0.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut fields = Vec::new();
        span.record(&mut Fields(&mut fields));
        self.0.spans.lock().unwrap().insert(id, (span.metadata(), fields));
        Id::from_u64(id)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some((_, fields)) = self.0.spans.lock().unwrap().get_mut(&span.into_u64()) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        let meta = event.metadata();
        self.0.events.lock().unwrap().push(format!("{} {} {fields:?}", meta.level(), meta.target()));
    }
    fn enter(&self, span: &Id) {
        self.0.stacks.lock().unwrap().entry(std::thread::current().id()).or_default().push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        if let Some(stack) = self.0.stacks.lock().unwrap().get_mut(&std::thread::current().id()) {
            if let Some(i) = stack.iter().rposition(|id| *id == span.into_u64()) {
                stack.remove(i);
            }
        }
    }
    fn current_span(&self) -> tracing_core::span::Current {
        let stacks = self.0.stacks.lock().unwrap();
        let top = stacks.get(&std::thread::current().id()).and_then(|stack| stack.last().copied());
        match top.and_then(|id| self.0.spans.lock().unwrap().get(&id).map(|(meta, _)| (id, *meta))) {
            Some((id, meta)) => tracing_core::span::Current::new(Id::from_u64(id), meta),
            None => tracing_core::span::Current::none(),
        }
    }
}

impl Capture {
    fn text(&self) -> String {
        let spans = self.0.spans.lock().unwrap();
        let events = self.0.events.lock().unwrap();
        let spans: Vec<_> = spans.values().map(|(meta, fields)| (meta.name(), fields)).collect();
        format!("{spans:?}\n{}", events.join("\n"))
    }

    /// The fields of every span with this name, last value of each field.
    fn spans(&self, name: &str) -> Vec<HashMap<String, String>> {
        let spans = self.0.spans.lock().unwrap();
        let mut ids: Vec<_> = spans.iter().filter(|(_, (meta, _))| meta.name() == name).map(|(id, _)| *id).collect();
        ids.sort();
        ids.iter().map(|id| spans[id].1.iter().cloned().collect()).collect()
    }
}

/// Every form in which a secret could leak: raw, percent-encoded, and a
/// distinctive piece (so a cut-off copy is caught too).
fn assert_no_secret(what: &str, text: &str) {
    for needle in
        [SECRET, TOKEN, "CAIS%2Fsts%2Btoken%3Dvalue%26with-a-tail-7f3a9c", "with-a-tail-7f3a9c", "do-not-print"]
    {
        assert!(!text.contains(needle), "{what} shows `{needle}`:\n{text}");
    }
}

fn cancel() -> CancelPhysicalConnectionRequest {
    CancelPhysicalConnectionRequest::builder().region_id("cn-shanghai").physical_connection_id("pc-1").build().unwrap()
}

fn builder(server: &Server, version: SignatureVersion) -> aliyun_vpc::runtime::ClientBuilder<Client> {
    Client::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new(KEY_ID, SECRET).with_security_token(TOKEN))
        .endpoint(server.url.clone())
        .signature_version(version)
        .attempt_timeout(Duration::from_secs(10))
        .total_timeout(Duration::from_secs(30))
        .max_body_bytes(4096)
        .retry(RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
        })
}

#[tokio::test]
async fn secrets_never_show_in_logs_debug_or_display() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mut shown = Vec::new();

    let credentials = Credentials::new(KEY_ID, SECRET).with_security_token(TOKEN);
    shown.push(("credentials", format!("{credentials:?} {credentials:#?}")));
    shown.push(("secret", format!("{:?}", credentials.access_key_secret())));

    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let server = Server::start(vec![
            // 1. Success after a retried 503.
            Reply::error(503, "ServiceUnavailable", "busy"),
            Reply::ok(r#"{"RequestId":"R-ok"}"#),
            // 2. A typed service error.
            Reply::error(400, "Forbidden.NotAllowedInState", "no"),
            // 3. A proxy's page quoting the request back, headers and body.
            Reply::Echo { status: 400 },
            // 4. An error body whose message quotes the request back.
            Reply::EchoError { status: 400, code: "InvalidParameter".into() },
            // 5. Too large a body.
            Reply::huge(1 << 20),
            // 6. Dropped twice: a transport error.
            Reply::Drop,
            Reply::Drop,
            // 7. Slow twice: a timeout.
            Reply::slow(Duration::from_secs(30), Reply::ok("{}")),
            Reply::slow(Duration::from_secs(30), Reply::ok("{}")),
        ])
        .await;
        let configured = builder(&server, version);
        shown.push(("builder", format!("{configured:?} {configured:#?}")));
        let client = configured.build().unwrap();
        shown.push(("client", format!("{client:?} {client:#?} {:?}", client.runtime())));

        let pending = client.cancel_physical_connection(cancel());
        shown.push(("pending call", format!("{pending:?} {pending:#?}")));
        let ok = pending.await.unwrap();
        shown.push(("response", format!("{ok:?}")));
        // The last call times out: only it gets a short attempt timeout, so
        // that a slow machine cannot turn an earlier call into a timeout.
        let impatient = builder(&server, version).attempt_timeout(Duration::from_millis(300)).build().unwrap();
        let mut kinds = Vec::new();
        for call in 0..6 {
            let client = if call == 5 { &impatient } else { &client };
            let err = client.cancel_physical_connection(cancel()).await.unwrap_err();
            kinds.push(match &err {
                SdkError::Service(_) => "service",
                SdkError::Response(_) => "response",
                SdkError::Transport(_) => "transport",
                SdkError::Timeout(_) => "timeout",
                _ => "other",
            });
            shown.push(("error", format!("{err} | {err:?} | {err:#?} | {:?}", std::error::Error::source(&err))));
        }
        assert_eq!(kinds, ["service", "response", "service", "response", "transport", "timeout"], "{version:?}");
        let build = CancelPhysicalConnectionRequest::builder().send(&client).await.unwrap_err();
        assert!(matches!(build, SdkError::Build(_)));
        shown.push(("build error", format!("{build} {build:?}")));

        // The echo replies really did quote the token: the client redacted it.
        let echoed =
            String::from_utf8_lossy(&server.seen()[3].body).into_owned() + &format!("{:?}", server.seen()[3].headers);
        assert!(echoed.contains("with-a-tail-7f3a9c"), "the test must put the token in front of the client");
    }
    shown.push(("logs", capture.text()));
    for (what, text) in &shown {
        assert_no_secret(what, text);
    }
}

#[tokio::test]
async fn the_call_span_carries_action_attempts_status_and_request_id() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = Server::start(vec![
        Reply::error(503, "ServiceUnavailable", "busy"),
        Reply::ok(r#"{"RequestId":"R-span-ok"}"#),
        Reply::error(404, "InvalidPhysicalConnectionId.NotFound", "gone"),
    ])
    .await;
    let client = builder(&server, SignatureVersion::V3).build().unwrap();
    client.cancel_physical_connection(cancel()).await.unwrap();
    let err = client.cancel_physical_connection(cancel()).await.unwrap_err();
    assert!(matches!(err.as_service(), Some(CancelPhysicalConnectionError::InvalidPhysicalConnectionIdNotFound(_))));

    let spans = capture.spans("aliyun.call");
    assert_eq!(spans.len(), 2, "one span per call: {spans:?}");
    // OpenTelemetry's RPC and HTTP names where they exist; each field once.
    assert_eq!(spans[0]["rpc.system"], "aliyun");
    assert_eq!(spans[0]["rpc.method"], "CancelPhysicalConnection");
    assert_eq!(spans[0]["aliyun.attempts"], "2");
    assert_eq!(spans[0]["http.response.status_code"], "200");
    assert_eq!(spans[0]["aliyun.request_id"], "R-span-ok");
    assert!(spans[0].contains_key("latency_ms"));
    assert!(!spans[0].contains_key("status") && !spans[0].contains_key("action"), "{:?}", spans[0]);
    assert_eq!(spans[1]["aliyun.attempts"], "1");
    assert_eq!(spans[1]["http.response.status_code"], "404");
    assert_eq!(spans[1]["aliyun.request_id"], "REQ-InvalidPhysicalConnectionId.NotFound");
    // The retry was logged as a warning.
    assert!(capture.0.events.lock().unwrap().iter().any(|e| e.starts_with("WARN") && e.contains("retrying")));
}

/// Regression: Alibaba's V1 `SignatureDoesNotMatch` message repeats the
/// server's string to sign, in which the STS token is percent-encoded twice.
#[tokio::test]
async fn a_quoted_string_to_sign_does_not_leak_the_token() {
    let once = TOKEN.replace('/', "%2F").replace('+', "%2B").replace('=', "%3D").replace('&', "%26");
    let twice = once.replace('%', "%25");
    let message = format!(
        "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3D{KEY_ID}%26SecurityToken%3D{twice}"
    );
    let server = Server::start(vec![Reply::error(400, "SignatureDoesNotMatch", &message)]).await;
    let client = builder(&server, SignatureVersion::V1).build().unwrap();
    let err = client.cancel_physical_connection(cancel()).await.unwrap_err();
    assert_eq!(err.as_service().map(|e| e.code()), Some("SignatureDoesNotMatch"));
    assert_no_secret("error", &format!("{err} | {err:?}"));
}
