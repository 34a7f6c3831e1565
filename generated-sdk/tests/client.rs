//! The generated client against a loopback server that verifies every
//! signature with its own implementation: successes in both formats and both
//! signature versions, STS tokens, every documented error code, and
//! malformed answers.

use std::collections::HashSet;
use std::time::Duration;

use aliyun_vpc::create_high_reliable_physical_connection::AccessPointCircuit;
use aliyun_vpc::runtime::{Credentials, OperationError, RetryPolicy, SdkError, ServiceError, SignatureVersion};
use aliyun_vpc::{
    CancelPhysicalConnectionError, CancelPhysicalConnectionRequest, Client, CreateHighReliablePhysicalConnectionRequest,
};
use loopback_server::{KEY_ID, Options, Reply, SECRET, Server, Style};

const REQUEST_ID: &str = "BE36E95A-F83E-4127-A29E-F2F35D4C999A";
const TOKEN: &str = "sts-token/with+reserved=chars&more";

fn builder(server: &Server, signature: SignatureVersion) -> aliyun_vpc::runtime::ClientBuilder<Client> {
    Client::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .signature_version(signature)
        .attempt_timeout(Duration::from_secs(10))
        .total_timeout(Duration::from_secs(30))
        .retry(RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        })
}

/// A client that makes exactly one attempt, so each scripted reply is one call.
fn single_attempt(server: &Server, signature: SignatureVersion) -> Client {
    builder(server, signature)
        .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
        .max_body_bytes(64 * 1024)
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

const BOTH: [SignatureVersion; 2] = [SignatureVersion::V1, SignatureVersion::V3];

fn style(version: SignatureVersion) -> Style {
    match version {
        SignatureVersion::V1 => Style::V1,
        SignatureVersion::V3 => Style::V3,
    }
}

#[tokio::test]
async fn json_and_xml_answers_decode_with_both_signatures() {
    let json = format!(r#"{{"RequestId":"{REQUEST_ID}"}}"#);
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CancelPhysicalConnectionResponse>\n  <RequestId>{REQUEST_ID}</RequestId>\n</CancelPhysicalConnectionResponse>"
    );
    for version in BOTH {
        for body in [&json, &xml] {
            let server = Server::start_with(Options { strict: true }, vec![Reply::ok(body)]).await;
            let client = builder(&server, version).build().unwrap();
            let response = client.cancel_physical_connection(cancel()).await.unwrap();
            assert_eq!(response.request_id, REQUEST_ID, "{version:?} {body}");
            let seen = server.seen();
            assert_eq!(seen.len(), 1);
            let s = &seen[0];
            assert_eq!(s.style, style(version));
            assert_eq!(s.signature, Ok(()), "{version:?}");
            assert_eq!(s.freshness, Ok(()), "{version:?}");
            assert_eq!(s.method, "POST");
            assert_eq!(s.action(), Some("CancelPhysicalConnection"));
            assert_eq!(s.param("PhysicalConnectionId"), Some("pc-119mfjzm7"));
            assert_eq!(s.param("RegionId"), Some("cn-shanghai"));
            assert!(s.param("ClientToken").is_some_and(|t| t.len() == 36), "the client fills the token: {s:?}");
            assert!(s.param("SecurityToken").is_none() && s.header("x-acs-security-token").is_none());
            match version {
                SignatureVersion::V1 => {
                    assert_eq!(s.param("Version"), Some("2016-04-28"));
                    assert_eq!(s.target, "/", "V1 puts nothing in the URL");
                }
                SignatureVersion::V3 => {
                    assert_eq!(s.header("x-acs-version"), Some("2016-04-28"));
                    assert!(s.body.is_empty());
                    assert!(s.param("Action").is_none(), "V3 sends the action as a header only");
                }
            }
        }
    }
}

#[tokio::test]
async fn sts_tokens_are_sent_and_signed_with_both_signatures() {
    for version in BOTH {
        let server = Server::start_with(Options { strict: true }, vec![Reply::ok(r#"{"RequestId":"R1"}"#)]).await;
        let client = builder(&server, version)
            .credentials(Credentials::new(KEY_ID, SECRET).with_security_token(TOKEN))
            .build()
            .unwrap();
        client.cancel_physical_connection(cancel()).await.unwrap();
        let s = &server.seen()[0];
        assert_eq!(s.signature, Ok(()), "{version:?}");
        match version {
            SignatureVersion::V1 => {
                // The server's verifier signs every parameter it received,
                // so a verified signature covers `SecurityToken`.
                assert_eq!(s.param("SecurityToken"), Some(TOKEN));
                assert!(s.header("x-acs-security-token").is_none());
            }
            SignatureVersion::V3 => {
                assert_eq!(s.header("x-acs-security-token"), Some(TOKEN));
                assert!(s.signed_headers.iter().any(|h| h == "x-acs-security-token"), "{:?}", s.signed_headers);
                assert!(s.param("SecurityToken").is_none());
            }
        }
    }
}

/// (code, documented status, documented message), read from the spec that
/// the error enum is generated from: the action's own errors, then the
/// product's common errors.
fn documented_errors() -> Vec<(String, u16, String)> {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/vpc");
    let read = |path: &str| -> serde_yaml::Value {
        serde_yaml::from_str(&std::fs::read_to_string(format!("{spec}/{path}")).unwrap()).unwrap()
    };
    let (action, product) = (read("actions/CancelPhysicalConnection.yaml"), read("product.yaml"));
    let list = |value: &serde_yaml::Value| -> Vec<(String, u16, String)> {
        value
            .as_sequence()
            .expect("a list of errors")
            .iter()
            .map(|e| {
                (
                    e["code"].as_str().unwrap().to_owned(),
                    e["status"].as_u64().unwrap() as u16,
                    e["message"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let common = list(&product["common_errors"]);
    let published: Vec<(String, u16, String)> = aliyun_vpc::CommonError::DOCUMENTED
        .iter()
        .map(|d| (d.code.to_owned(), d.status, d.message.to_owned()))
        .collect();
    assert_eq!(published, common, "the generated crate is in step with the spec");
    let mut all = list(&action["errors"]);
    assert!(!all.is_empty());
    all.extend(common);
    all
}

/// The variant `e` is, with a common error's inner variant: `Common(Throttling)`.
fn variant_name(e: &CancelPhysicalConnectionError) -> String {
    let debug = format!("{e:?}");
    match debug.strip_prefix("Common(") {
        Some(inner) => format!("Common({})", inner.split('(').next().unwrap_or_default()),
        None => debug.split('(').next().unwrap_or_default().to_owned(),
    }
}

#[tokio::test]
async fn every_documented_and_common_error_arrives_as_its_own_variant() {
    let errors = documented_errors();
    // One scripted error reply per code, JSON and XML in turn.
    let replies: Vec<Reply> =
        errors
            .iter()
            .enumerate()
            .map(|(i, (code, status, message))| {
                if i % 2 == 0 { Reply::error(*status, code, message) } else { Reply::error_xml(*status, code, message) }
            })
            .collect();
    for version in BOTH {
        let server = Server::start(replies.clone()).await;
        let client = single_attempt(&server, version);
        let mut variants = HashSet::new();
        for (code, status, message) in &errors {
            let err = client.cancel_physical_connection(cancel()).await.unwrap_err();
            let SdkError::Service(e) = &err else { panic!("{code}: {err:?}") };
            assert!(!matches!(e, CancelPhysicalConnectionError::Unhandled(_)), "{code} is documented: {e:?}");
            // The variant is the one `from_service_error` picks for the code.
            let direct = CancelPhysicalConnectionError::from_service_error(ServiceError::new(*status, code, message));
            assert_eq!(variant_name(e), variant_name(&direct), "{code}");
            variants.insert(variant_name(e));
            let inner = e.service_error();
            assert_eq!(inner.code(), code);
            assert_eq!(inner.status(), *status);
            assert_eq!(inner.message(), message);
            assert_eq!(inner.request_id(), Some(format!("REQ-{code}").as_str()));
            assert_eq!(inner.host_id(), Some("vpc.example"));
            assert_eq!(inner.recommend(), Some(format!("https://example.invalid/{code}").as_str()));
            assert_eq!(e.code(), code);
            assert_eq!(e.message(), message);
            let text = aliyun_vpc::runtime::Report(&err).to_string();
            assert!(text.contains(code.as_str()) && text.contains(&format!("HTTP {status}")), "{text}");
            assert!(text.contains(&format!("REQ-{code}")), "the request id is shown: {text}");
        }
        assert_eq!(variants.len(), errors.len(), "each code has a variant of its own");
        assert_eq!(server.count(), errors.len(), "one attempt each");
    }
}

#[tokio::test]
async fn an_unknown_code_arrives_as_unhandled_with_every_field() {
    let server = Server::start(vec![
        Reply::error(409, "Brand.New.Code", "Something new."),
        Reply::error_xml(400, "Another.New", "Also new."),
    ])
    .await;
    let client = single_attempt(&server, SignatureVersion::V3);
    for (code, status, message) in [("Brand.New.Code", 409, "Something new."), ("Another.New", 400, "Also new.")] {
        let err = client.cancel_physical_connection(cancel()).await.unwrap_err();
        let Some(CancelPhysicalConnectionError::Unhandled(inner)) = err.as_service() else { panic!("{err:?}") };
        assert_eq!(
            (inner.code(), inner.status(), inner.message(), inner.request_id(), inner.host_id()),
            (code, status, message, Some(format!("REQ-{code}").as_str()), Some("vpc.example"))
        );
        assert_eq!(inner.recommend(), Some(format!("https://example.invalid/{code}").as_str()));
    }
}

/// Calls once against a single reply and returns the error.
async fn fail_with(reply: Reply) -> SdkError<CancelPhysicalConnectionError> {
    let server = Server::start(vec![reply]).await;
    let err = single_attempt(&server, SignatureVersion::V3).cancel_physical_connection(cancel()).await.unwrap_err();
    assert_eq!(server.count(), 1);
    err
}

const NGINX_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

#[tokio::test]
async fn an_html_502_page_is_a_response_error_with_a_safe_excerpt() {
    let err = fail_with(Reply::html(502, NGINX_502)).await;
    let SdkError::Response(r) = &err else { panic!("{err:?}") };
    assert_eq!(r.status, 502);
    assert!(!r.excerpt.contains(['\r', '\n']), "the excerpt is one line: {:?}", r.excerpt);
    let text = aliyun_vpc::runtime::Report(&err).to_string();
    assert!(text.contains("HTTP 502"), "{text}");
    assert!(text.contains("not an Alibaba Cloud error"), "{text}");
    assert!(text.contains("<title>502 Bad Gateway</title>"), "{text}");
}

#[tokio::test]
async fn an_empty_200_is_a_response_error_that_says_so() {
    let err = fail_with(Reply::empty(200)).await;
    let SdkError::Response(r) = &err else { panic!("{err:?}") };
    assert_eq!((r.status, r.excerpt.as_str()), (200, ""));
    let text = aliyun_vpc::runtime::Report(&err).to_string();
    assert!(text.contains("HTTP 200") && text.contains("empty"), "{text}");
}

#[tokio::test]
async fn garbage_is_a_response_error_with_an_excerpt() {
    let garbage = "this is not JSON {\u{1}\u{7f} and goes on";
    let err = fail_with(Reply::Full { status: 200, headers: Vec::new(), body: garbage.as_bytes().to_vec() }).await;
    let SdkError::Response(r) = &err else { panic!("{err:?}") };
    assert!(r.source.is_some());
    let text = aliyun_vpc::runtime::Report(&err).to_string();
    assert!(text.contains("cannot be parsed"), "{text}");
    assert!(text.contains("not valid JSON"), "the parser's reason is shown: {text}");
    assert!(text.contains("this is not JSON {") && !text.contains('\u{1}'), "{text}");

    let err = fail_with(Reply::Full { status: 200, headers: Vec::new(), body: b"\xff\xfe\x00 binary".to_vec() }).await;
    assert!(matches!(&err, SdkError::Response(r) if r.status == 200), "{err:?}");
    assert!(aliyun_vpc::runtime::Report(&err).to_string().contains("not UTF-8"), "{err}");
}

#[tokio::test]
async fn a_200_without_the_required_fields_names_the_missing_field() {
    let err = fail_with(Reply::ok(r#"{"Unexpected":true}"#)).await;
    let SdkError::Response(r) = &err else { panic!("{err:?}") };
    assert_eq!(r.source.as_ref().map(|s| s.path()), Some("RequestId"));
    let text = aliyun_vpc::runtime::Report(&err).to_string();
    assert!(text.contains("does not match the action's response") && text.contains("RequestId"), "{text}");
    assert!(text.contains(r#"{"Unexpected":true}"#), "{text}");
}

#[tokio::test]
async fn a_4xx_without_an_error_code_is_a_response_error() {
    let err = fail_with(Reply::body(400, r#"{"Message":"no code here"}"#)).await;
    assert!(matches!(&err, SdkError::Response(r) if r.status == 400), "{err:?}");
    assert!(aliyun_vpc::runtime::Report(&err).to_string().contains("no code here"), "{err}");
}

#[tokio::test]
async fn a_200_carrying_an_error_body_is_the_typed_service_error() {
    for reply in [
        Reply::error(200, "Forbidden.NotAllowedInState", "The request does not allow in this state."),
        Reply::error_xml(200, "Forbidden.NotAllowedInState", "The request does not allow in this state."),
    ] {
        let err = fail_with(reply).await;
        let Some(CancelPhysicalConnectionError::ForbiddenNotAllowedInState(inner)) = err.as_service() else {
            panic!("{err:?}")
        };
        assert_eq!((inner.status(), inner.request_id()), (200, Some("REQ-Forbidden.NotAllowedInState")));
    }
}

#[tokio::test]
async fn a_truncated_body_is_a_transport_error_that_says_the_body_was_cut() {
    let err = fail_with(Reply::truncated(200, r#"{"RequestId":"R-cut"#, 400)).await;
    let SdkError::Transport(t) = &err else { panic!("{err:?}") };
    assert_eq!(t.attempts, 1);
    let text = aliyun_vpc::runtime::Report(&err).to_string();
    assert!(text.contains("body"), "{text}");
    assert!(text.contains("before"), "the cause is shown, not only `body error`: {text}");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_the_limit_and_an_excerpt() {
    let err = fail_with(Reply::huge(4 << 20)).await;
    let SdkError::Response(r) = &err else { panic!("{err:?}") };
    assert_eq!(r.status, 200);
    let text = aliyun_vpc::runtime::Report(&err).to_string();
    assert!(text.contains("larger than 65536 bytes"), "{text}");
    assert!(!text.contains("empty"), "the body was not empty: {text}");
    assert!(text.contains(r#"{"RequestId":"xxx"#), "{text}");
    assert!(text.len() < 600, "the excerpt is short: {} bytes", text.len());
}

#[tokio::test]
async fn a_dropped_connection_is_a_transport_error() {
    let err = fail_with(Reply::Drop).await;
    let SdkError::Transport(t) = &err else { panic!("{err:?}") };
    assert_eq!(t.attempts, 1);
    assert!(
        aliyun_vpc::runtime::Report(&err).to_string().contains("no complete HTTP exchange after 1 attempt(s)"),
        "{err}"
    );
}

/// A redirect must not carry the signed request, and with it an STS token,
/// to another host: the client does not follow redirects at all.
#[tokio::test]
async fn redirects_are_not_followed() {
    for version in BOTH {
        for status in [301, 302, 307, 308] {
            let elsewhere = Server::start(vec![Reply::ok(r#"{"RequestId":"R-elsewhere"}"#)]).await;
            let server = Server::start(vec![Reply::redirect(status, &format!("{}/", elsewhere.url))]).await;
            let client = builder(&server, version)
                .credentials(Credentials::new(KEY_ID, SECRET).with_security_token(TOKEN))
                .build()
                .unwrap();
            let err = client.cancel_physical_connection(cancel()).await.unwrap_err();
            assert!(matches!(&err, SdkError::Response(r) if r.status == status), "{version:?} {status}: {err:?}");
            assert_eq!(elsewhere.count(), 0, "{version:?} {status}: the request went to the redirect target");
            assert_eq!(server.count(), 1);
        }
    }
}

#[tokio::test]
async fn a_build_error_sends_nothing() {
    let server = Server::start(vec![Reply::ok(r#"{"RequestId":"R"}"#)]).await;
    let client = single_attempt(&server, SignatureVersion::V3);
    let err = CancelPhysicalConnectionRequest::builder().region_id("cn-shanghai").send(&client).await.unwrap_err();
    assert!(matches!(&err, SdkError::Build(_)), "{err:?}");
    assert!(aliyun_vpc::runtime::Report(&err).to_string().contains("PhysicalConnectionId"), "{err}");

    // A required field inside a struct of the request: named by its wire path.
    let line = |operator: &str| AccessPointCircuit::default().line_operator(operator).region_id("cn-shanghai");
    let err = CreateHighReliablePhysicalConnectionRequest::builder()
        .region_id("cn-shanghai")
        .high_reliable_type("MultiApMultiDevice")
        .port_type("1000Base-T")
        .ap_list([line("CT").access_point_id("ap-cn-shanghai-a"), line("CU")])
        .send(&client)
        .await
        .unwrap_err();
    assert!(matches!(&err, SdkError::Build(_)), "{err:?}");
    assert!(aliyun_vpc::runtime::Report(&err).to_string().contains("`ApList.2.AccessPointId`"), "{err}");
    assert_eq!(server.count(), 0);
}

/// A call's future is lazy: made and dropped without being awaited, it sends
/// nothing, so a cancelled task never creates a resource. It is also `Send`,
/// `Unpin` and owns what it needs, so it can be spawned, or awaited through
/// `&mut` (as in `select!` loops) without pinning.
#[tokio::test]
async fn a_call_is_sent_only_when_awaited_and_its_future_can_be_spawned() {
    fn send_and_unpin<F: std::future::Future + Send + Unpin>(f: F) -> F {
        f
    }
    let server = Server::start(vec![Reply::ok(r#"{"RequestId":"R-1"}"#), Reply::ok(r#"{"RequestId":"R-2"}"#)]).await;
    let client = single_attempt(&server, SignatureVersion::V3);
    drop(client.cancel_physical_connection(cancel()));
    drop(
        CancelPhysicalConnectionRequest::builder()
            .region_id("cn-shanghai")
            .physical_connection_id("pc-1")
            .send(&client),
    );
    // Time for a request that had been started eagerly to arrive.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(server.count(), 0, "a future that was never awaited sent a request");

    let mut call = send_and_unpin(client.cancel_physical_connection(cancel()));
    assert_eq!((&mut call).await.unwrap().request_id, "R-1");
    let owned = client.clone();
    let spawned = tokio::spawn(async move { owned.cancel_physical_connection(cancel()).await });
    assert_eq!(spawned.await.unwrap().unwrap().request_id, "R-2");
    assert_eq!(server.count(), 2);
}
