//! What a user of the client relies on beyond one call: spawnable futures,
//! errors to act on (and to print once each), the user agent, their own HTTP
//! client, bounded connections, and retries they can tune, against a
//! loopback server.

use std::error::Error as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aliyun_runtime::{
    ConfigError, Credentials, Report, RetryBudget, RetryFailure, RetryPolicy, SdkError, SignatureVersion,
};
use fixture_sdk::{Client, CreateWidgetError, DeleteWidgetRequest, DescribeWidgetsRequest};
use loopback_server::{KEY_ID, Options, Reply, SECRET, Server};

const OK: &str = r#"{"RequestId":"R-ok","WidgetId":"w-1","TotalCount":0}"#;

fn builder(url: &str) -> aliyun_runtime::ClientBuilder<Client> {
    Client::builder().region("eu-test-1").credentials(Credentials::new(KEY_ID, SECRET)).endpoint(url.to_owned()).retry(
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5) },
    )
}

fn describe() -> DescribeWidgetsRequest {
    DescribeWidgetsRequest::builder().region_id("eu-test-1").build().unwrap()
}

fn delete() -> DeleteWidgetRequest {
    DeleteWidgetRequest::builder().widget_id("w-1").build().unwrap()
}

#[tokio::test]
async fn calls_can_be_spawned_collected_and_returned() {
    let server = Server::start(vec![Reply::ok(OK)]).await;
    let client = builder(&server.url).build().unwrap();
    // A future that outlives the borrow of the client: spawned, in a JoinSet.
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..4 {
        set.spawn(client.describe_widgets(describe()));
    }
    let handle = tokio::spawn(fixture_sdk::DescribeWidgetsRequest::builder().region_id("eu-test-1").send(&client));
    drop(client);
    while let Some(done) = set.join_next().await {
        assert_eq!(done.unwrap().unwrap().request_id, "R-ok");
    }
    assert_eq!(handle.await.unwrap().unwrap().request_id, "R-ok");
}

#[tokio::test]
async fn a_service_error_says_each_layer_once_and_answers_what_users_match_on() {
    let server = Server::start(vec![Reply::error(400, "QuotaExceeded.Widget", "no more widgets")]).await;
    let client = builder(&server.url).build().unwrap();
    let request = fixture_sdk::CreateWidgetRequest::builder().region_id("eu-test-1").labels(["a"]).build().unwrap();
    let err = client.create_widget(request).await.unwrap_err();
    assert_eq!(err.code(), Some("QuotaExceeded.Widget"));
    assert_eq!(err.message(), Some("no more widgets"));
    assert_eq!(err.request_id(), Some("REQ-QuotaExceeded.Widget"));
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable() && !err.is_throttling());
    // Display is this layer; the source is the next; the chain repeats nothing.
    let shown = Report(&err).to_string();
    assert_eq!(
        shown,
        "the service refused the call (HTTP 400, request id REQ-QuotaExceeded.Widget): QuotaExceeded.Widget: no more widgets"
    );
    assert_eq!(shown.matches("no more widgets").count(), 1);
    assert_eq!(err.source().unwrap().to_string(), "QuotaExceeded.Widget: no more widgets");
    assert!(matches!(err.into_service(), Ok(CreateWidgetError::QuotaExceededWidget(_))));
}

#[tokio::test]
async fn throttling_is_retryable_and_a_signature_mismatch_shows_the_server_string_to_sign() {
    let server = Server::start(vec![Reply::error(400, "Throttling.User", "slow down")]).await;
    let err = builder(&server.url)
        .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
        .build()
        .unwrap()
        .delete_widget(delete())
        .await
        .unwrap_err();
    assert!(err.is_throttling() && err.is_retryable());
    assert!(err.server_string_to_sign().is_none());

    let message =
        "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3Did";
    let server = Server::start(vec![Reply::error(400, "SignatureDoesNotMatch", message)]).await;
    let err = builder(&server.url).build().unwrap().delete_widget(delete()).await.unwrap_err();
    assert_eq!(err.server_string_to_sign(), Some("POST&%2F&AccessKeyId%3Did"));
    assert!(err.into_service().is_ok());
}

#[test]
fn configuration_errors_can_be_matched_on() {
    let err = Client::builder().credentials(Credentials::new("id", "s")).build().unwrap_err();
    assert_eq!(err, ConfigError::MissingRegion);
    let err = Client::builder().region("eu-test-1").build().unwrap_err();
    assert_eq!(err, ConfigError::MissingCredentials);
    let err = builder("not a url").build().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidEndpoint { .. }), "{err:?}");
}

#[tokio::test]
async fn the_user_agent_names_the_sdk_product_os_and_rust_and_takes_a_suffix() {
    let server = Server::start(vec![Reply::ok(OK)]).await;
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let client =
            builder(&server.url).signature_version(version).user_agent_suffix("my-service/1.4").build().unwrap();
        client.describe_widgets(describe()).await.unwrap();
    }
    for seen in server.seen() {
        let ua = seen.header("user-agent").unwrap();
        assert!(ua.starts_with(&format!("aliyun-rust-sdk/{} demo (", env!("CARGO_PKG_VERSION"))), "{ua}");
        assert!(ua.contains(std::env::consts::OS) && ua.contains(" rust/"), "{ua}");
        assert!(ua.ends_with(" my-service/1.4"), "{ua}");
    }
}

#[tokio::test]
async fn a_users_own_http_client_sends_the_calls() {
    let server = Server::start(vec![Reply::ok(OK)]).await;
    let http = aliyun_runtime::http_client_builder()
        .unwrap()
        .default_headers(
            [(aliyun_runtime::reqwest::header::HeaderName::from_static("x-trace"), "t-1".parse().unwrap())]
                .into_iter()
                .collect(),
        )
        .build()
        .unwrap();
    let client = builder(&server.url).http_client(http).build().unwrap();
    client.describe_widgets(describe()).await.unwrap();
    assert_eq!(server.seen()[0].header("x-trace"), Some("t-1"));
    assert_eq!(server.seen()[0].signature, Ok(()));
}

#[tokio::test]
async fn a_burst_of_calls_reuses_a_bounded_set_of_connections() {
    let server = Server::start(vec![Reply::slow(Duration::from_millis(5), Reply::ok(OK))]).await;
    let client = builder(&server.url).max_connections(4).build().unwrap();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..200 {
        set.spawn(client.describe_widgets(describe()));
    }
    while let Some(done) = set.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(server.seen().len(), 200);
    assert!(server.connections() <= 4, "{} connections for 200 calls", server.connections());
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_call_that_is_not_idempotent() {
    // A port nothing listens on: the request provably never left.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = builder(&format!("http://127.0.0.1:{port}")).build().unwrap().delete_widget(delete()).await.unwrap_err();
    let SdkError::Transport(t) = &err else { panic!("{err:?}") };
    assert_eq!(t.attempts, 3, "DeleteWidget has no token, but nothing was sent");
}

#[tokio::test]
async fn a_custom_classifier_decides_what_is_retried() {
    let server = Server::start(vec![Reply::error(400, "Widget.Busy", "try later"), Reply::ok(OK)]).await;
    let asked = Arc::new(AtomicUsize::new(0));
    let seen = asked.clone();
    let client = builder(&server.url)
        .retry_if(move |failure| {
            seen.fetch_add(1, Ordering::Relaxed);
            matches!(failure, RetryFailure::Service { code: "Widget.Busy", .. })
        })
        .build()
        .unwrap();
    client.describe_widgets(describe()).await.unwrap();
    assert_eq!(server.seen().len(), 2);
    assert_eq!(asked.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn an_empty_retry_budget_stops_retries_for_every_clone_until_calls_succeed_again() {
    let server = Server::start_with(Options::default(), vec![Reply::error(503, "ServiceUnavailable", "down")]).await;
    let budget = RetryBudget::new(5);
    let client = builder(&server.url).retry_budget(budget.clone()).build().unwrap();
    let other = client.clone();
    client.describe_widgets(describe()).await.unwrap_err();
    assert_eq!(server.seen().len(), 2, "one retry, which spent the budget");
    assert_eq!(budget.available(), Some(0));
    other.describe_widgets(describe()).await.unwrap_err();
    assert_eq!(server.seen().len(), 3, "no retry left for the clone either");
}

#[tokio::test]
async fn a_request_without_a_region_is_sent_for_the_clients_region() {
    let server = Server::start(vec![Reply::ok(OK)]).await;
    let client = builder(&server.url).build().unwrap();
    client.describe_widgets(DescribeWidgetsRequest::builder().build().unwrap()).await.unwrap();
    client.describe_widgets(DescribeWidgetsRequest::builder().region_id("eu-other-2").build().unwrap()).await.unwrap();
    client.dry_run(fixture_sdk::CreateWidgetRequest::builder().labels(["a"]).build().unwrap()).await.unwrap();
    let seen = server.seen();
    assert_eq!(seen[0].param("RegionId"), Some("eu-test-1"), "the client's region by default");
    assert_eq!(seen[1].param("RegionId"), Some("eu-other-2"), "the request's own when it names one");
    assert_eq!(seen[2].param("RegionId"), Some("eu-test-1"), "dry runs too");
    assert!(seen.iter().all(|s| s.signature.is_ok()));
}

#[tokio::test]
async fn one_call_can_retry_differently_from_the_client_without_changing_it() {
    // Always unavailable: each call's attempts are the server's count.
    let server = Server::start(vec![Reply::error(503, "ServiceUnavailable", "down")]).await;
    let client = builder(&server.url).build().unwrap();
    let attempts = |before: usize| server.count() - before;

    let before = server.count();
    client.describe_widgets(describe()).max_attempts(5).await.unwrap_err();
    assert_eq!(attempts(before), 5, "the call's own limit");

    let before = server.count();
    client.describe_widgets(describe()).await.unwrap_err();
    assert_eq!(attempts(before), 3, "the client's limit, unchanged by the call before");

    let before = server.count();
    let once = aliyun_runtime::CallOptions::new().max_attempts(1);
    client.describe_widgets(describe()).options(once.clone()).await.unwrap_err();
    client
        .dry_run(fixture_sdk::CreateWidgetRequest::builder().labels(["a"]).build().unwrap())
        .options(once)
        .await
        .unwrap_err();
    assert_eq!(attempts(before), 2, "one attempt each, dry run included");

    let before = server.count();
    let policy =
        RetryPolicy { max_attempts: 4, base_delay: Duration::from_millis(1), max_delay: Duration::from_millis(2) };
    client.describe_widgets(describe()).retry(policy).await.unwrap_err();
    assert_eq!(attempts(before), 4, "a whole policy of its own");

    let before = server.count();
    client.describe_widgets(describe()).retry_if(|_| false).await.unwrap_err();
    assert_eq!(attempts(before), 1, "a classifier of its own: nothing is worth a retry");

    // Still spawnable with its options: 'static, Send.
    let before = server.count();
    tokio::spawn(client.describe_widgets(describe()).max_attempts(2)).await.unwrap().unwrap_err();
    assert_eq!(attempts(before), 2);
}

#[tokio::test]
async fn a_call_with_more_attempts_gets_through_where_the_clients_default_gives_up() {
    let flaky = || {
        let mut script = vec![Reply::error(503, "ServiceUnavailable", "down"); 4];
        script.push(Reply::ok(OK));
        script
    };
    let server = Server::start(flaky()).await;
    let client = builder(&server.url).build().unwrap();
    let err = client.describe_widgets(describe()).await.unwrap_err();
    assert_eq!(err.code(), Some("ServiceUnavailable"));
    assert_eq!(server.count(), 3);

    let server = Server::start(flaky()).await;
    let client = builder(&server.url).build().unwrap();
    let ok = client.describe_widgets(describe()).max_attempts(5).await.unwrap();
    assert_eq!(ok.request_id, "R-ok");
    assert_eq!(server.count(), 5);
    // The same attempts never repeat a token-less delete, whatever the call says.
    let server = Server::start(flaky()).await;
    let client = builder(&server.url).build().unwrap();
    client.delete_widget(delete()).max_attempts(5).await.unwrap_err();
    assert_eq!(server.count(), 1, "DeleteWidget may have acted: never retried");
}

#[tokio::test]
async fn a_call_can_have_its_own_time_limits() {
    let server = Server::start(vec![Reply::slow(Duration::from_secs(5), Reply::ok(OK))]).await;
    let client = builder(&server.url).build().unwrap();
    let err = client.describe_widgets(describe()).attempt_timeout(Duration::from_millis(50)).max_attempts(1).await;
    let Err(SdkError::Timeout(t)) = err else { panic!("{err:?}") };
    assert_eq!((t.kind, t.attempts), (aliyun_runtime::TimeoutKind::Attempt, 1));
    let err = client.describe_widgets(describe()).total_timeout(Duration::from_millis(50)).await;
    let Err(SdkError::Timeout(t)) = err else { panic!("{err:?}") };
    assert_eq!(t.kind, aliyun_runtime::TimeoutKind::Total);
}

/// Every rendering of an error: `Debug`, `Display`, and the whole chain.
fn shown(err: &SdkError<fixture_sdk::DescribeWidgetsError>) -> String {
    format!("{err:?}\n{err}\n{}\n{:?}\n{}", Report(err), err.signature_mismatch(), err.signature_mismatch().unwrap())
}

#[tokio::test]
async fn a_signature_mismatch_names_the_parameter_the_server_signed_otherwise() {
    const TOKEN: &str = "sts-token-never-shown";
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let server = Server::start(vec![Reply::mismatch("RegionId", "eu-test-2")]).await;
        let client = builder(&server.url)
            .credentials(Credentials::new(KEY_ID, SECRET).with_security_token(TOKEN))
            .signature_version(version)
            .build()
            .unwrap();
        let err = client.describe_widgets(describe()).await.unwrap_err();
        assert_eq!(server.count(), 1, "{version:?}: a signature mismatch is not retried");
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
        let mismatch = err.signature_mismatch().expect("the server quoted what it signed");
        assert_eq!(Some(mismatch.server()), err.server_string_to_sign());
        assert_eq!(Some(mismatch.ours()), err.client_string_to_sign());
        // The loopback server signs with its own code: with the region read
        // back as sent, its text is exactly the client's.
        assert!(mismatch.first_difference().is_some());
        match version {
            SignatureVersion::V1 => {
                assert_eq!(mismatch.server().replace("eu-test-2", "eu-test-1"), mismatch.ours());
                let d = mismatch.differences();
                assert_eq!(d.len(), 1, "{d:?}");
                assert_eq!(d[0].part, aliyun_runtime::SignedPart::Parameter("RegionId".into()));
                assert_eq!((d[0].ours.as_deref(), d[0].server.as_deref()), (Some("eu-test-1"), Some("eu-test-2")));
                let at = mismatch.first_difference().unwrap();
                assert_eq!(
                    mismatch.to_string(),
                    format!(
                        "what the client signed and what the server signed differ from byte {at}, in parameter `RegionId`: `eu-test-1` in the client's, `eu-test-2` in the server's"
                    )
                );
                assert!(mismatch.canonical_request().is_none());
            }
            _ => {
                // The V3 string to sign carries a hash: the canonical request
                // the client hashed is given beside it.
                assert!(mismatch.ours().starts_with("ACS3-HMAC-SHA256\n"));
                assert!(mismatch.to_string().contains("in the canonical request's hash"), "{mismatch}");
                let canonical = mismatch.canonical_request().unwrap();
                assert!(canonical.contains("RegionId=eu-test-1") && canonical.contains("x-acs-security-token:***"));
            }
        }
        // Neither the secret, the token nor the signature sent shows anywhere.
        let seen = &server.seen()[0];
        let signature = match version {
            SignatureVersion::V1 => seen.param("Signature").unwrap().to_owned(),
            _ => seen.header("authorization").unwrap().rsplit("Signature=").next().unwrap().to_owned(),
        };
        let text = shown(&err);
        for secret in [SECRET, TOKEN, signature.as_str()] {
            assert!(!text.contains(secret), "{version:?} shows {secret}: {text}");
        }
    }
}

#[tokio::test]
async fn a_signature_mismatch_over_the_same_text_blames_the_key() {
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        // The server reads the region as sent: the texts agree, the keys do not.
        let server = Server::start(vec![Reply::mismatch("RegionId", "eu-test-1")]).await;
        let client = builder(&server.url).signature_version(version).build().unwrap();
        let err = client.describe_widgets(describe()).await.unwrap_err();
        let mismatch = err.signature_mismatch().unwrap();
        assert_eq!(mismatch.first_difference(), None, "{version:?}: {mismatch:?}");
        assert!(mismatch.to_string().contains("check the AccessKey secret"), "{mismatch}");
    }
}

#[tokio::test]
async fn a_quoted_v3_canonical_request_is_compared_parameter_by_parameter() {
    let server =
        Server::start(vec![Reply::Mismatch { name: "Zone".into(), value: "eu-test-1a".into(), canonical: true }]).await;
    let client = builder(&server.url).signature_version(SignatureVersion::V3).build().unwrap();
    let err = client.describe_widgets(describe()).await.unwrap_err();
    let mismatch = err.signature_mismatch().unwrap();
    assert_eq!(Some(mismatch.ours()), mismatch.canonical_request());
    assert_eq!(mismatch.server().replace("&Zone=eu-test-1a", ""), mismatch.ours());
    assert!(mismatch.to_string().ends_with("in parameter `Zone`: `eu-test-1a` in the server's only"), "{mismatch}");
}

#[tokio::test]
async fn other_errors_keep_no_string_to_sign() {
    let server = Server::start(vec![Reply::error(400, "InvalidParameter", "no")]).await;
    let err = builder(&server.url).build().unwrap().describe_widgets(describe()).await.unwrap_err();
    assert!(err.client_string_to_sign().is_none() && err.signature_mismatch().is_none());
    assert!(!format!("{err:?}").contains("client_string_to_sign: Some"));
}
