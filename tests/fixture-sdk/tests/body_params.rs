//! `position: body` parameters travel in the form body under both
//! signatures, and the signature covers them: a V3 request hashes the body
//! into `x-acs-content-sha256`; a V1 request sends everything there.

use std::time::Duration;

use aliyun_runtime::{Credentials, SignatureVersion};
use fixture_sdk::create_widget::WidgetConfig;
use fixture_sdk::types::WidgetKind;
use fixture_sdk::{Client, CreateWidgetRequest};
use loopback_server::{KEY_ID, Options, Reply, SECRET, Server};

async fn send_config(version: SignatureVersion) -> loopback_server::Seen {
    let server =
        Server::start_with(Options { strict: true }, vec![Reply::ok(r#"{"RequestId":"R","WidgetId":"w-1"}"#)]).await;
    let client = Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .signature_version(version)
        .total_timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let request = CreateWidgetRequest::builder()
        .region_id("cn-hangzhou")
        .labels(["a"])
        .config(WidgetConfig::default().mode(WidgetKind::from("Large")).ports([80, 443]).note("a b&c=d"))
        .build()
        .unwrap();
    client.create_widget(request).await.expect("the loopback server accepts the call");
    server.seen().remove(0)
}

#[tokio::test]
async fn v3_sends_body_parameters_in_a_signed_form_body() {
    let seen = send_config(SignatureVersion::V3).await;
    assert_eq!(seen.signature, Ok(()));
    assert!(!seen.target.contains("Config"), "not in the query: {}", seen.target);
    assert!(seen.target.contains("RegionId=cn-hangzhou"), "the others stay in the query: {}", seen.target);
    let body = String::from_utf8(seen.body.clone()).unwrap();
    assert!(body.starts_with("Config="), "{body}");
    assert_eq!(seen.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(seen.param("Config"), Some(r#"{"Mode":"Large","Note":"a b&c=d","Ports":[80,443]}"#));
}

#[tokio::test]
async fn v1_sends_body_parameters_in_its_form_body_too() {
    let seen = send_config(SignatureVersion::V1).await;
    assert_eq!(seen.signature, Ok(()));
    assert!(!seen.target.contains("Config"), "{}", seen.target);
    assert_eq!(seen.param("Config"), Some(r#"{"Mode":"Large","Note":"a b&c=d","Ports":[80,443]}"#));
}

#[tokio::test]
async fn without_body_parameters_a_v3_body_stays_empty() {
    let server =
        Server::start_with(Options { strict: true }, vec![Reply::ok(r#"{"RequestId":"R","WidgetId":"w-1"}"#)]).await;
    let client = Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .build()
        .unwrap();
    let request = CreateWidgetRequest::builder().region_id("cn-hangzhou").labels(["a"]).build().unwrap();
    client.create_widget(request).await.unwrap();
    let seen = server.seen().remove(0);
    assert_eq!(seen.signature, Ok(()));
    assert!(seen.body.is_empty());
    assert_eq!(seen.header("content-type"), None);
}
