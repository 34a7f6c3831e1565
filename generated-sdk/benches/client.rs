//! What a call costs on this side of the network.
//!
//! - `sign/v1`, `sign/v3`: build one `CancelPhysicalConnection` request, fill
//!   its client token, add the common parameters, sign it and encode the
//!   body or query string: everything `send` does before the network, through
//!   the same functions `send` calls.
//! - `hmac/sha1`, `hmac/sha256`: a bare HMAC over a string the size of what
//!   the matching signature hashes (the V1 string to sign; the V3 canonical
//!   request), as the floor to compare with.
//! - `decode/json`, `decode/xml`: reading one response.
//!
//! Run with `cargo bench -p aliyun-vpc --bench client`.

use std::hint::black_box;
use std::time::Duration;

use aliyun_vpc::runtime::signing::{self, V3Input};
use aliyun_vpc::runtime::{Credentials, SignatureVersion, decode_response};
use aliyun_vpc::{CancelPhysicalConnectionRequest, CancelPhysicalConnectionResponse, Client};
use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

const SECRET: &str = "bench-access-key-secret-0123456789";

fn client(version: SignatureVersion) -> Client {
    Client::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new("LTAI5tBenchKeyId0123456", SECRET))
        // Never contacted: the benchmark stops where the network starts.
        .endpoint("http://127.0.0.1:9")
        .signature_version(version)
        .build()
        .expect("client")
}

fn request() -> CancelPhysicalConnectionRequest {
    CancelPhysicalConnectionRequest::builder()
        .region_id("cn-shanghai")
        .physical_connection_id("pc-119mfjzm7")
        .build()
        .expect("request")
}

/// The length of the V1 string to sign and of the V3 canonical request for
/// the benchmarked request, reconstructed from what the client produced.
fn hashed_lengths() -> (usize, usize) {
    let params = aliyun_vpc::runtime::Client::wire_params(&request());
    let v1 = client(SignatureVersion::V1).runtime().sign::<CancelPhysicalConnectionRequest>(&params);
    let canonical = v1.body.split("&Signature=").next().expect("a signed body");
    let string_to_sign = format!("POST&%2F&{}", signing::percent_encode(canonical));

    let v3 = client(SignatureVersion::V3).runtime().sign::<CancelPhysicalConnectionRequest>(&params);
    let mut headers: Vec<(String, String)> = vec![("host".into(), "127.0.0.1:9".into())];
    headers.extend(
        v3.headers.iter().filter(|(n, _)| n.starts_with("x-acs-")).map(|(n, v)| (n.to_string(), v.to_string())),
    );
    let query: Vec<(String, String)> =
        params.iter().filter(|(k, _)| *k != "Action" && *k != "Version").map(|(k, v)| (k.into(), v.into())).collect();
    let input = V3Input { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
    let reference = signing::sign_v3(&input, "LTAI5tBenchKeyId0123456", SECRET);
    let authorization = &v3.headers.iter().find(|(n, _)| *n == "authorization").expect("signed").1;
    assert!(authorization.ends_with(&reference.signature), "the benchmark reconstructs what the client signed");
    (string_to_sign.len(), reference.canonical_request.len())
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    for (name, version) in [("v1", SignatureVersion::V1), ("v3", SignatureVersion::V3)] {
        let client = client(version);
        group.bench_function(name, |b| {
            b.iter(|| {
                let params = aliyun_vpc::runtime::Client::wire_params(&black_box(request()));
                client.runtime().sign::<CancelPhysicalConnectionRequest>(&params)
            })
        });
    }
    group.finish();

    let (v1_len, v3_len) = hashed_lengths();
    let mut group = c.benchmark_group("hmac");
    let v1_text = "a".repeat(v1_len);
    let v3_text = "a".repeat(v3_len);
    let v1_key = format!("{SECRET}&");
    group.bench_function(format!("sha1/{v1_len}B"), |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha1>::new_from_slice(black_box(v1_key.as_bytes())).expect("any key");
            mac.update(black_box(v1_text.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.bench_function(format!("sha256/{v3_len}B"), |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(black_box(SECRET.as_bytes())).expect("any key");
            mac.update(black_box(v3_text.as_bytes()));
            mac.finalize().into_bytes()
        })
    });
    group.finish();

    let mut group = c.benchmark_group("decode");
    let json = br#"{"RequestId":"BE36E95A-F83E-4127-A29E-F2F35D4C999A"}"#;
    let xml = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CancelPhysicalConnectionResponse>\n  <RequestId>BE36E95A-F83E-4127-A29E-F2F35D4C999A</RequestId>\n</CancelPhysicalConnectionResponse>";
    group.bench_function("json", |b| {
        b.iter(|| decode_response::<CancelPhysicalConnectionResponse>(black_box(json)).expect("decodes"))
    });
    group.bench_function("xml", |b| {
        b.iter(|| decode_response::<CancelPhysicalConnectionResponse>(black_box(xml)).expect("decodes"))
    });
    group.finish();
}

criterion_group! {
    name = client_benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = benches
}
criterion_main!(client_benches);
