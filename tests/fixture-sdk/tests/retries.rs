//! When the client retries, and when it must not, checked against a loopback
//! server on the fixture's three kinds of action:
//!
//! - `CreateWidget` has a `ClientToken`: retried, with the same token every time;
//! - `DescribeWidgets` is read-only: retried;
//! - `DeleteWidget` is neither: never retried, since a second attempt could
//!   repeat an effect the first one had.
//!
//! No assertion depends on how fast the machine is: durations are only
//! limits, and the tests assert on kinds and counts.

use std::collections::HashSet;
use std::time::Duration;

use aliyun_runtime::{
    ClientBuilder, Credentials, OperationError, RetryPolicy, SdkError, SignatureVersion, TimeoutKind,
};
use fixture_sdk::{Client, CreateWidgetRequest, DeleteWidgetRequest, DescribeWidgetsRequest};
use loopback_server::{KEY_ID, Options, Reply, SECRET, Seen, Server};

const OK: &str = r#"{"RequestId":"R-ok","WidgetId":"w-1","TotalCount":0}"#;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Action {
    Create,
    Describe,
    Delete,
}

/// What a call came to, without the details.
#[derive(Debug, PartialEq)]
enum Outcome {
    Ok,
    Service(String),
    Response(u16),
    Transport { attempts: u32 },
    Timeout { kind: TimeoutKind, attempts: u32 },
    Other(String),
}

fn outcome<T, E: OperationError>(result: Result<T, SdkError<E>>) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(SdkError::Service(e)) => Outcome::Service(e.service_error().code().to_owned()),
        Err(SdkError::Response(r)) => Outcome::Response(r.status),
        Err(SdkError::Transport(t)) => Outcome::Transport { attempts: t.attempts },
        Err(SdkError::Timeout(t)) => Outcome::Timeout { kind: t.kind, attempts: t.attempts },
        Err(other) => Outcome::Other(format!("{other:?}")),
    }
}

impl Action {
    const RETRY_SAFE: [Action; 2] = [Action::Create, Action::Describe];

    async fn call(self, client: &Client) -> Outcome {
        match self {
            Action::Create => outcome(client.create_widget(create(None)).await),
            Action::Describe => outcome(
                client
                    .describe_widgets(DescribeWidgetsRequest::builder().region_id("cn-hangzhou").build().unwrap())
                    .await,
            ),
            Action::Delete => {
                outcome(client.delete_widget(DeleteWidgetRequest::builder().widget_id("w-1").build().unwrap()).await)
            }
        }
    }
}

fn create(token: Option<&str>) -> CreateWidgetRequest {
    let builder = CreateWidgetRequest::builder().region_id("cn-hangzhou").labels(["a"]).name("my widget");
    match token {
        Some(t) => builder.client_token(t),
        None => builder,
    }
    .build()
    .unwrap()
}

fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy { max_attempts, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) }
}

fn builder(server: &Server, version: SignatureVersion) -> ClientBuilder<Client> {
    Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .signature_version(version)
        .attempt_timeout(Duration::from_secs(2))
        .total_timeout(Duration::from_secs(30))
        .retry(policy(3))
}

async fn strict(replies: Vec<Reply>) -> Server {
    Server::start_with(Options { strict: true }, replies).await
}

/// Every attempt verified, with a fresh nonce each time, and for the
/// create the same client token every time.
fn assert_retried_properly(action: Action, seen: &[Seen], context: &str) {
    for s in seen {
        assert_eq!(s.signature, Ok(()), "{context}");
        assert_eq!(s.freshness, Ok(()), "{context}: nonce and timestamp");
    }
    let nonces: HashSet<_> = seen.iter().map(|s| s.nonce().unwrap().to_owned()).collect();
    assert_eq!(nonces.len(), seen.len(), "{context}: a fresh nonce per attempt");
    let tokens: Vec<_> = seen.iter().map(|s| s.param("ClientToken")).collect();
    match action {
        Action::Create => {
            let first = tokens[0].expect("the client fills the token");
            assert_eq!(first.len(), 36, "{context}: a UUID");
            assert!(tokens.iter().all(|t| *t == Some(first)), "{context}: {tokens:?}");
        }
        _ => assert!(tokens.iter().all(Option::is_none), "{context}"),
    }
}

/// Each failure once, then success: retry-safe actions succeed on the
/// second attempt; the delete sees exactly one request and fails. The three
/// actions run side by side, each against its own server.
async fn check_retried_once(name: &str, failure: Reply, attempt_timeout: Duration) {
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let run = |action: Action| {
            let failure = failure.clone();
            async move {
                let server = strict(vec![failure, Reply::ok(OK)]).await;
                let client = builder(&server, version).attempt_timeout(attempt_timeout).build().unwrap();
                (action, action.call(&client).await, server.seen())
            }
        };
        let (create, describe, delete) = tokio::join!(run(Action::Create), run(Action::Describe), run(Action::Delete));
        for (action, result, seen) in [create, describe, delete] {
            let context = format!("{name}, {action:?}, {version:?}");
            if action == Action::Delete {
                assert_ne!(result, Outcome::Ok, "{context}");
                assert_eq!(seen.len(), 1, "{context}: never retried");
            } else {
                assert_eq!(result, Outcome::Ok, "{context}");
                assert_eq!(seen.len(), 2, "{context}");
                assert_retried_properly(action, &seen, &context);
            }
        }
    }
}

#[tokio::test]
async fn server_errors_and_throttling_are_retried_only_when_safe() {
    let failures = [
        ("503 page", Reply::html(503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")),
        ("empty 503", Reply::empty(503)),
        ("502 page", Reply::html(502, "<html><body>Bad Gateway</body></html>")),
        ("ServiceUnavailable", Reply::error(503, "ServiceUnavailable", "The request has failed.")),
        ("InternalError", Reply::error(500, "InternalError", "The request processing has failed.")),
        ("Throttling", Reply::error(400, "Throttling", "Request was denied due to request throttling.")),
        ("Throttling.User", Reply::error_xml(400, "Throttling.User", "Request was denied due to user flow control.")),
        ("Throttling in a 200", Reply::error(200, "Throttling", "Request was denied due to request throttling.")),
    ];
    for (name, failure) in failures {
        check_retried_once(name, failure, Duration::from_secs(5)).await;
    }
}

#[tokio::test]
async fn broken_connections_are_retried_only_when_safe() {
    check_retried_once("dropped connection", Reply::Drop, Duration::from_secs(5)).await;
    check_retried_once("truncated body", Reply::truncated(200, r#"{"RequestId":"R-c"#, 500), Duration::from_secs(5))
        .await;
}

#[tokio::test]
async fn a_reply_slower_than_the_attempt_timeout_is_retried_only_when_safe() {
    let slow = Reply::slow(Duration::from_secs(60), Reply::ok(OK));
    check_retried_once("slow reply", slow, Duration::from_secs(2)).await;
}

#[tokio::test]
async fn other_client_errors_are_never_retried() {
    let errors = [
        Reply::error(400, "InvalidParameter", "The specified parameter is not valid."),
        Reply::error(400, "QuotaExceeded.Widget", "The widget quota is exceeded."),
        Reply::error(403, "Forbidden.NotAllowedInState", "The request does not allow in this state."),
        Reply::error(400, "IncorrectWidgetStatus", "The widget is in a state that does not allow this."),
        Reply::error_xml(404, "InvalidWidgetId.NotFound", "The widget does not exist."),
        Reply::error(403, "Forbidden.RAM", "User not authorized."),
        Reply::error(409, "Some.Future.Code", "Not documented yet."),
        Reply::html(400, "<html><body>Bad Request</body></html>"),
        Reply::empty(404),
    ];
    for reply in errors {
        for action in [Action::Create, Action::Describe, Action::Delete] {
            let server = strict(vec![reply.clone(), Reply::ok(OK)]).await;
            let client = builder(&server, SignatureVersion::V3).build().unwrap();
            let result = action.call(&client).await;
            assert!(matches!(result, Outcome::Service(_) | Outcome::Response(400..=499)), "{action:?}: {result:?}");
            assert_eq!(server.count(), 1, "{action:?} {result:?}: a 4xx other than throttling is final");
        }
    }
}

#[tokio::test]
async fn a_caller_provided_client_token_is_kept_on_every_attempt() {
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let server = strict(vec![Reply::error(503, "ServiceUnavailable", "busy"), Reply::Drop, Reply::ok(OK)]).await;
        let client = builder(&server, version).build().unwrap();
        let response = client.create_widget(create(Some("caller-token-42"))).await.unwrap();
        assert_eq!(response.widget_id.as_deref(), Some("w-1"));
        let seen = server.seen();
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|s| s.param("ClientToken") == Some("caller-token-42")), "{seen:?}");
        assert!(seen.iter().all(|s| s.signature.is_ok() && s.freshness.is_ok()));
    }
}

#[tokio::test]
async fn an_empty_client_token_is_filled_once_per_call() {
    let server = strict(vec![Reply::error(503, "ServiceUnavailable", "busy"), Reply::ok(OK)]).await;
    let client = builder(&server, SignatureVersion::V1).build().unwrap();
    client.create_widget(create(Some(""))).await.unwrap();
    client.create_widget(create(None)).await.unwrap();
    let tokens: Vec<_> = server.seen().iter().map(|s| s.param("ClientToken").unwrap().to_owned()).collect();
    assert_eq!(tokens.len(), 3);
    assert_eq!(tokens[0], tokens[1], "the retry reuses the filled token");
    assert_eq!(tokens[0].len(), 36);
    assert_ne!(tokens[1], tokens[2], "a new call gets a new token");
}

#[tokio::test]
async fn attempts_never_exceed_max_attempts() {
    for max_attempts in 1..=4 {
        for action in [Action::Create, Action::Describe, Action::Delete] {
            let expected = if action == Action::Delete { 1 } else { max_attempts };
            // Always failing with a retryable service error...
            let server = strict(vec![Reply::error(503, "ServiceUnavailable", "busy")]).await;
            let client = builder(&server, SignatureVersion::V3).retry(policy(max_attempts)).build().unwrap();
            assert_eq!(action.call(&client).await, Outcome::Service("ServiceUnavailable".into()));
            assert_eq!(server.count(), expected as usize, "{action:?}, max {max_attempts}");
            // ...and always dropping the connection.
            let server = strict(vec![Reply::Drop]).await;
            let client = builder(&server, SignatureVersion::V1).retry(policy(max_attempts)).build().unwrap();
            assert_eq!(action.call(&client).await, Outcome::Transport { attempts: expected });
            assert_eq!(server.count(), expected as usize, "{action:?}, max {max_attempts}");
        }
    }
    // `max_attempts: 0` still makes the one attempt.
    let server = strict(vec![Reply::ok(OK)]).await;
    let client = builder(&server, SignatureVersion::V3).retry(policy(0)).build().unwrap();
    assert_eq!(Action::Describe.call(&client).await, Outcome::Ok);
}

#[tokio::test]
async fn the_total_timeout_stops_retrying() {
    // Backoff between 25 and 50 ms, unlimited attempts, 600 ms in all: the
    // deadline, not the attempt count, ends the call, so at most
    // 1 + 600 / 25 attempts are made.
    let retry = RetryPolicy {
        max_attempts: 10_000,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(50),
    };
    for action in Action::RETRY_SAFE {
        let server = strict(vec![Reply::error(503, "ServiceUnavailable", "busy")]).await;
        let client = builder(&server, SignatureVersion::V3)
            .retry(retry)
            .total_timeout(Duration::from_millis(600))
            .build()
            .unwrap();
        // The last answer, or the deadline cutting the last attempt short.
        let result = action.call(&client).await;
        assert!(
            matches!(&result, Outcome::Service(code) if code == "ServiceUnavailable")
                || matches!(result, Outcome::Timeout { kind: TimeoutKind::Total, .. }),
            "{action:?}: {result:?}"
        );
        let count = server.count();
        assert!((2..=25).contains(&count), "{action:?}: {count} attempts");
        assert_retried_properly(action, &server.seen(), "total timeout");
    }
}

fn slow_forever() -> Vec<Reply> {
    vec![Reply::slow(Duration::from_secs(60), Reply::ok(OK))]
}

#[tokio::test]
async fn an_attempt_timeout_without_a_retry_is_kind_attempt() {
    let server = strict(slow_forever()).await;
    let client = builder(&server, SignatureVersion::V3).attempt_timeout(Duration::from_millis(300)).build().unwrap();
    let err = client.delete_widget(DeleteWidgetRequest::builder().widget_id("w-1").build().unwrap()).await.unwrap_err();
    let SdkError::Timeout(t) = &err else { panic!("{err:?}") };
    assert_eq!((t.kind, t.attempts), (TimeoutKind::Attempt, 1));
    assert!(t.elapsed >= Duration::from_millis(300));
    assert!(aliyun_runtime::Report(&err).to_string().contains("an attempt timed out"), "{err}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn attempt_timeouts_on_every_allowed_attempt_are_kind_attempt() {
    for action in Action::RETRY_SAFE {
        let server = strict(slow_forever()).await;
        let client = builder(&server, SignatureVersion::V1)
            .attempt_timeout(Duration::from_millis(300))
            .retry(policy(3))
            .build()
            .unwrap();
        assert_eq!(action.call(&client).await, Outcome::Timeout { kind: TimeoutKind::Attempt, attempts: 3 });
        assert_eq!(server.count(), 3);
        assert_retried_properly(action, &server.seen(), "attempt timeouts");
    }
}

#[tokio::test]
async fn the_total_timeout_cuts_a_long_attempt_short() {
    let server = strict(slow_forever()).await;
    let client = builder(&server, SignatureVersion::V3)
        .attempt_timeout(Duration::from_secs(30))
        .total_timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let err = client
        .describe_widgets(DescribeWidgetsRequest::builder().region_id("cn-hangzhou").build().unwrap())
        .await
        .unwrap_err();
    let SdkError::Timeout(t) = &err else { panic!("{err:?}") };
    assert_eq!((t.kind, t.attempts), (TimeoutKind::Total, 1));
    assert!(aliyun_runtime::Report(&err).to_string().contains("the call ran out of time"), "{err}");
}

#[tokio::test]
async fn the_total_timeout_ends_a_series_of_timed_out_attempts() {
    for action in Action::RETRY_SAFE {
        let server = strict(slow_forever()).await;
        let client = builder(&server, SignatureVersion::V3)
            .attempt_timeout(Duration::from_millis(250))
            .total_timeout(Duration::from_millis(900))
            .retry(policy(100))
            .build()
            .unwrap();
        let result = action.call(&client).await;
        let Outcome::Timeout { kind, attempts } = result else { panic!("{result:?}") };
        assert_eq!(kind, TimeoutKind::Total, "{action:?}");
        assert!((2..=4).contains(&attempts), "{action:?}: {attempts} attempts of at least 250 ms in 900 ms");
        assert_eq!(server.count(), attempts as usize);
    }
}

/// Regression: when the policy allows another attempt but the backoff would
/// end past the deadline, it is the total timeout that stopped the call, and
/// the error must say so (it said "an attempt timed out", pointing at the
/// wrong setting, whenever the jitter happened to land past the deadline).
#[tokio::test]
async fn a_retry_the_deadline_leaves_no_room_for_is_kind_total() {
    let server = strict(slow_forever()).await;
    let client = builder(&server, SignatureVersion::V3)
        .attempt_timeout(Duration::from_millis(300))
        .total_timeout(Duration::from_millis(900))
        // Backoff of 1 to 2 s: never fits in what is left of 900 ms.
        .retry(RetryPolicy { max_attempts: 5, base_delay: Duration::from_secs(2), max_delay: Duration::from_secs(2) })
        .build()
        .unwrap();
    assert_eq!(Action::Describe.call(&client).await, Outcome::Timeout { kind: TimeoutKind::Total, attempts: 1 });
    assert_eq!(server.count(), 1);
}
