//! The generated client against a loopback server that verifies signatures.

mod support;

use std::time::Duration;

use aliyun_vpc::runtime::{Credentials, RetryPolicy, SdkError, SignatureVersion};
use aliyun_vpc::{CancelPhysicalConnectionError, CancelPhysicalConnectionRequest, Client};
use support::{KEY_ID, Reply, SECRET, Server};

fn client(server: &Server, signature: SignatureVersion) -> Client {
    Client::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .signature_version(signature)
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
        })
        .build()
        .unwrap()
}

fn cancel() -> CancelPhysicalConnectionRequest {
    CancelPhysicalConnectionRequest::builder()
        .region_id("cn-shanghai")
        .physical_connection_id("pc-119mfjzm7")
        .build()
        .unwrap()
}

#[tokio::test]
async fn signed_call_succeeds_with_both_signatures() {
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let server = Server::start(vec![Reply::ok(r#"{"RequestId":"BE36E95A-F83E-4127-A29E-F2F35D4C999A"}"#)]).await;
        let response = client(&server, version).cancel_physical_connection(cancel()).await.unwrap();
        assert_eq!(response.request_id, "BE36E95A-F83E-4127-A29E-F2F35D4C999A");
        let seen = server.seen();
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].signature, Ok(()), "{version:?}");
        assert_eq!(seen[0].params.get("PhysicalConnectionId").map(String::as_str), Some("pc-119mfjzm7"));
        assert!(seen[0].params.get("ClientToken").is_some_and(|t| t.len() == 36), "token filled");
    }
}

#[tokio::test]
async fn retries_reuse_the_client_token_and_sign_each_attempt_afresh() {
    let server = Server::start(vec![
        Reply::error(503, "ServiceUnavailable", "try later"),
        Reply::Drop,
        Reply::ok(r#"{"RequestId":"R3"}"#),
    ])
    .await;
    let response = client(&server, SignatureVersion::V1).cancel_physical_connection(cancel()).await.unwrap();
    assert_eq!(response.request_id, "R3");
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    let tokens: Vec<_> = seen.iter().map(|s| s.params["ClientToken"].clone()).collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");
    let nonces: std::collections::HashSet<_> = seen.iter().map(|s| s.params["SignatureNonce"].clone()).collect();
    assert_eq!(nonces.len(), 3);
    assert!(seen.iter().all(|s| s.signature.is_ok()));
}

#[tokio::test]
async fn documented_errors_arrive_typed_and_are_not_retried() {
    let server = Server::start(vec![Reply::error(
        400,
        "Forbidden.NotAllowedInState",
        "The request does not allow in this state.",
    )])
    .await;
    let err = client(&server, SignatureVersion::V3).cancel_physical_connection(cancel()).await.unwrap_err();
    let SdkError::Service(CancelPhysicalConnectionError::ForbiddenNotAllowedInState(e)) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.request_id(), Some("REQ-Forbidden.NotAllowedInState"));
    assert_eq!(server.seen().len(), 1);
    let text = err.to_string();
    assert!(text.contains("Forbidden.NotAllowedInState") && !text.contains(SECRET), "{text}");
}
