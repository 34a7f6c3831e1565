//! The wire itself, written by hand: XML on request, GET and POST, replayed
//! nonces, stale timestamps, and input no client would send.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};

use aliyun_runtime::signing;
use aliyun_runtime::{ServiceError, decode_response};
use aliyun_vpc::{CreatePhysicalConnectionResponse, DescribePhysicalConnectionsResponse};

use crate::{KEY_ID, SECRET, start};

/// Sends one request on its own connection; returns the status and body
/// (status 0 when the server closed the connection without an answer).
pub(crate) fn raw(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    // Only a guard against a hung server; nothing is timed.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    // The server may refuse a body before it has all arrived.
    let _ = stream.write_all(request);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

pub(crate) fn timestamp(offset_secs: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A V1-signed query for `params`, with the given nonce and timestamp.
pub(crate) fn signed_query(method: &str, params: &[(&str, &str)], nonce: &str, timestamp: &str) -> String {
    let mut pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (k, v) in [
        ("Version", "2016-04-28"),
        ("AccessKeyId", KEY_ID),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("SignatureNonce", nonce),
        ("Timestamp", timestamp),
    ] {
        pairs.push((k.into(), v.into()));
    }
    let signed = signing::sign_rpc(method, &pairs, SECRET);
    format!("{}&Signature={}", signed.canonical_query, signing::percent_encode(&signed.signature))
}

pub(crate) fn post(addr: SocketAddr, body: &str) -> (u16, String) {
    raw(
        addr,
        format!(
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

fn get(addr: SocketAddr, query: &str) -> (u16, String) {
    raw(addr, format!("GET /?{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
}

const CREATE: &[(&str, &str)] = &[
    ("Action", "CreatePhysicalConnection"),
    ("RegionId", "cn-hangzhou"),
    ("AccessPointId", "ap-1"),
    ("LineOperator", "CT"),
    ("Name", "x<y>&\"z\""),
    ("Format", "XML"),
];

#[test]
fn xml_is_answered_when_asked_for_and_reads_back() {
    let emulator = start();
    let addr = emulator.addr();
    let (status, body) = post(addr, &signed_query("POST", CREATE, "xml-1", &timestamp(0)));
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("<?xml") && body.contains("<CreatePhysicalConnectionResponse>"), "{body}");
    let created: CreatePhysicalConnectionResponse = decode_response(body.as_bytes()).unwrap();
    let id = created.physical_connection_id.unwrap();

    let list = [("Action", "DescribePhysicalConnections"), ("RegionId", "cn-hangzhou"), ("Format", "XML")];
    let (status, body) = get(addr, &signed_query("GET", &list, "xml-2", &timestamp(0)));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<PhysicalConnectionSet><PhysicalConnectionType>"), "{body}");
    let listed: DescribePhysicalConnectionsResponse = decode_response(body.as_bytes()).unwrap();
    assert_eq!(listed.total_count, Some(1));
    assert_eq!(listed.physical_connections[0].physical_connection_id.as_deref(), Some(id.as_str()));
    assert_eq!(listed.physical_connections[0].name.as_deref(), Some("x<y>&\"z\""));

    let cancel = [
        ("Action", "CancelPhysicalConnection"),
        ("RegionId", "cn-hangzhou"),
        ("PhysicalConnectionId", "pc-nope"),
        ("Format", "XML"),
    ];
    let (status, body) = post(addr, &signed_query("POST", &cancel, "xml-3", &timestamp(0)));
    assert_eq!(status, 404);
    assert!(body.contains("<Error><RequestId>"), "{body}");
    let error = ServiceError::parse(status, body.as_bytes()).unwrap();
    assert_eq!(error.code(), "InvalidPhysicalConnectionId.NotFound");
    assert!(error.host_id().is_some() && error.recommend().is_some());
}

#[test]
fn replays_and_stale_requests_are_refused() {
    let emulator = start();
    let addr = emulator.addr();
    let request = signed_query("POST", &CREATE[..5], "once-only", &timestamp(0));
    assert_eq!(post(addr, &request).0, 200);
    let (status, body) = post(addr, &request);
    assert_eq!(status, 400);
    assert_eq!(ServiceError::parse(status, body.as_bytes()).unwrap().code(), "SignatureNonceUsed");

    for skew in [-16 * 60, 16 * 60] {
        let (status, body) = post(addr, &signed_query("POST", &CREATE[..5], &format!("skew{skew}"), &timestamp(skew)));
        assert_eq!(ServiceError::parse(status, body.as_bytes()).unwrap().code(), "InvalidTimeStamp.Expired");
    }
    // Within the window is fine.
    assert_eq!(post(addr, &signed_query("POST", &CREATE[..5], "skew-ok", &timestamp(-10 * 60))).0, 200);
}

#[test]
fn bad_input_gets_an_answer_and_never_stops_the_server() {
    let emulator = start();
    let addr = emulator.addr();
    let junk: Vec<Vec<u8>> = vec![
        b"\x00\xff\xfe garbage\r\n\r\n".to_vec(),
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"DELETE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\nConnection: close\r\n\r\nshort".to_vec(),
        b"POST / HTTP/1.1\r\nHost: x\r\nAuthorization: ACS3-HMAC-SHA256 ,,,==,\r\nConnection: close\r\n\r\n".to_vec(),
        b"POST /?Signature=%FF%FE&AccessKeyId=%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
        format!("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", 2 << 20, "a".repeat(2 << 20)).into_bytes(),
    ];
    for request in &junk {
        let (status, _) = raw(addr, request);
        assert!(
            status == 0 || status >= 400,
            "{status} for {:?}",
            String::from_utf8_lossy(&request[..request.len().min(60)])
        );
    }
    // Well signed, but odd: filters without values, pages out of range, control characters.
    let odd = [
        ("Action", "DescribePhysicalConnections"),
        ("RegionId", "cn-hangzhou"),
        ("Filter.1.Key", "Status"),
        ("Filter.3.Key", "Name"),
        ("PageNumber", "2147483647"),
        ("PageSize", "50"),
        ("Format", "XML"),
        ("Name", "\u{1}\u{7f}\u{fffe}"),
    ];
    let (status, body) = post(addr, &signed_query("POST", &odd, "odd-1", &timestamp(0)));
    assert_eq!(status, 200, "{body}");
    let listed: DescribePhysicalConnectionsResponse = decode_response(body.as_bytes()).unwrap();
    assert!(listed.physical_connections.is_empty());
    let weird_name = [CREATE[0], CREATE[1], CREATE[2], CREATE[3], ("Name", "\u{1}\u{7f}\u{fffe}"), ("Format", "XML")];
    let (status, body) = post(addr, &signed_query("POST", &weird_name, "odd-2", &timestamp(0)));
    assert!(status == 200 || status == 400, "{status} {body}");
    assert!(
        decode_response::<CreatePhysicalConnectionResponse>(body.as_bytes()).is_ok()
            || ServiceError::parse(status, body.as_bytes()).is_ok(),
        "{body}"
    );

    // Still serving.
    assert_eq!(post(addr, &signed_query("POST", &CREATE[..5], "after-junk", &timestamp(0))).0, 200);
}

#[test]
fn one_connection_carries_request_after_request() {
    use std::io::BufRead as _;
    let emulator = start();
    let addr = emulator.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).unwrap();
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    for i in 0..5 {
        let body = signed_query("POST", &CREATE[..5], &format!("keep-alive-{i}"), &timestamp(0));
        write!(
            stream,
            "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        assert!(status_line.starts_with("HTTP/1.1 200"), "request {i}: {status_line}");
        let mut length = 0;
        loop {
            let mut header = String::new();
            reader.read_line(&mut header).unwrap();
            let header = header.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            assert_ne!(header, "connection: close");
            if let Some(n) = header.strip_prefix("content-length:") {
                length = n.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let created: CreatePhysicalConnectionResponse = decode_response(&body).unwrap();
        assert!(created.physical_connection_id.is_some());
    }
}

#[test]
fn a_parameter_sent_in_both_query_and_body_is_signed_once() {
    // The legacy SDKs repeat `RegionId` in the query of a form POST; the
    // gateway merges the two before checking the signature.
    let emulator = start();
    let addr = emulator.addr();
    let list = [("Action", "DescribePhysicalConnections"), ("RegionId", "cn-hangzhou")];
    let body = signed_query("POST", &list, "merge-1", &timestamp(0));
    let (status, answer) = raw(
        addr,
        format!(
            "POST /?RegionId=cn-hangzhou HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn numbers_and_booleans_keep_their_kinds_in_json_for_get_and_post_in_any_case() {
    let emulator = start();
    let addr = emulator.addr();
    assert_eq!(post(addr, &signed_query("POST", &CREATE[..5], "kinds-0", &timestamp(0))).0, 200);
    let create_vpc = [
        ("Action", "CreateVpc"),
        ("RegionId", "cn-hangzhou"),
        ("CidrBlock", "10.0.0.0/8"),
        ("EnableIpv6", "false"),
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "prod"),
    ];
    assert_eq!(post(addr, &signed_query("POST", &create_vpc, "kinds-1", &timestamp(0))).0, 200);
    for (i, format) in ["json", "JSON"].into_iter().enumerate() {
        let list = [("Action", "DescribePhysicalConnections"), ("RegionId", "cn-hangzhou"), ("Format", format)];
        let (status, body) = get(addr, &signed_query("GET", &list, &format!("kinds-get-{i}"), &timestamp(0)));
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"TotalCount\":1") && body.contains("\"PageSize\":10"), "{body}");
        let vpcs = [("Action", "DescribeVpcs"), ("RegionId", "cn-hangzhou"), ("Format", format)];
        let (status, body) = post(addr, &signed_query("POST", &vpcs, &format!("kinds-post-{i}"), &timestamp(0)));
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"Vpcs\":{\"Vpc\":[{"), "a wrapped list: {body}");
        assert!(body.contains("\"Tags\":{\"Tag\":[{\"Key\":\"env\",\"Value\":\"prod\"}]}"), "{body}");
        assert!(body.contains("\"TotalCount\":1"), "{body}");
    }
    let attribute =
        [("Action", "DescribeVpcAttribute"), ("RegionId", "cn-hangzhou"), ("VpcId", "vpc-none"), ("Format", "xml")];
    let (status, body) = get(addr, &signed_query("GET", &attribute, "kinds-xml", &timestamp(0)));
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("<Code>InvalidVpcId.NotFound</Code>"), "{body}");
}

#[test]
fn a_dry_run_by_hand_answers_dry_run_operation_and_creates_nothing() {
    let emulator = start();
    let addr = emulator.addr();
    let dry = [CREATE[0], CREATE[1], CREATE[2], CREATE[3], ("DryRun", "true")];
    let (status, body) = post(addr, &signed_query("POST", &dry, "dry-1", &timestamp(0)));
    assert_eq!(status, 400, "{body}");
    let error = ServiceError::parse(status, body.as_bytes()).unwrap();
    assert_eq!(error.code(), "DryRunOperation");
    assert_eq!(error.message(), "Request validation has been passed with DryRun flag set.");
    let list = [("Action", "DescribePhysicalConnections"), ("RegionId", "cn-hangzhou")];
    let (_, body) = get(addr, &signed_query("GET", &list, "dry-2", &timestamp(0)));
    assert!(body.contains("\"TotalCount\":0"), "{body}");
}
