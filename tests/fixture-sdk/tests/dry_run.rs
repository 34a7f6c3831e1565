//! Dry runs: `Client::dry_run` sends the request with `DryRun=true` and tells
//! "would succeed" (`DryRunOperation`) from a real failure without string
//! matching; it is retried like a read, since it changes nothing.

use std::time::Duration;

use aliyun_runtime::{Credentials, RetryPolicy, SdkError};
use fixture_sdk::{Client, CommonError, CreateWidgetError, CreateWidgetRequest};
use loopback_server::{KEY_ID, Options, Reply, SECRET, Server};

const PASSED: &str = "Request validation has been passed with DryRun flag set.";

async fn client(replies: Vec<Reply>) -> (Server, Client) {
    let server = Server::start_with(Options { strict: true }, replies).await;
    let client = Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    (server, client)
}

fn request() -> CreateWidgetRequest {
    CreateWidgetRequest::builder().region_id("cn-hangzhou").labels(["a"]).build().unwrap()
}

#[tokio::test]
async fn a_dry_run_that_would_succeed_is_ok() {
    let (server, client) = client(vec![Reply::error(400, "DryRunOperation", PASSED)]).await;
    client.dry_run(request()).await.expect("the service said the call would succeed");
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].signature, Ok(()));
    assert_eq!(seen[0].param("DryRun"), Some("true"));
}

#[tokio::test]
async fn a_dry_run_overrides_a_dry_run_false_in_the_request() {
    let (server, client) = client(vec![Reply::error(400, "DryRunOperation", PASSED)]).await;
    let request = CreateWidgetRequest::builder().region_id("cn-hangzhou").labels(["a"]).dry_run(false).build().unwrap();
    client.dry_run(request).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].pairs.iter().filter(|(k, _)| k == "DryRun").count(), 1, "{:?}", seen[0].pairs);
    assert_eq!(seen[0].param("DryRun"), Some("true"));
}

#[tokio::test]
async fn a_dry_run_that_would_fail_returns_the_typed_error() {
    let (_server, client) = client(vec![Reply::error(400, "QuotaExceeded.Widget", "no more widgets")]).await;
    let err = client.dry_run(request()).await.unwrap_err();
    assert!(!err.is_dry_run_passed());
    assert!(matches!(err, SdkError::Service(CreateWidgetError::QuotaExceededWidget(_))), "{err:?}");
}

#[tokio::test]
async fn a_dry_run_is_retried_after_throttling_like_a_read() {
    let (server, client) =
        client(vec![Reply::error(400, "Throttling", "slow down"), Reply::error(400, "DryRunOperation", PASSED)]).await;
    client.dry_run(request()).await.unwrap();
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn a_request_sent_with_dry_run_by_hand_can_be_told_from_a_failure() {
    let (_server, client) = client(vec![Reply::error(400, "DryRunOperation", PASSED)]).await;
    let request = CreateWidgetRequest::builder().region_id("cn-hangzhou").labels(["a"]).dry_run(true).build().unwrap();
    let err = client.create_widget(request).await.unwrap_err();
    assert!(err.is_dry_run_passed());
    assert!(matches!(err, SdkError::Service(CreateWidgetError::Common(CommonError::DryRunOperation(_)))));
}
