//! Injected trouble, and the client's retries with auto-filled ClientTokens:
//! one logical create is one circuit, whatever happened on the way.

use std::collections::HashSet;
use std::time::Duration;

use aliyun_runtime::{Credentials, RetryPolicy, SignatureVersion};
use aliyun_vpc::Client;
use vpc_emulator::{Emulator, Faults};

use crate::{KEY_ID, REGION, SECRET, config, create, list_all};

const TASKS: usize = 8;
const CREATES_EACH: usize = 6;

fn patient_client(url: &str, version: SignatureVersion) -> Client {
    Client::builder()
        .region(REGION)
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(url)
        .signature_version(version)
        // With 45% of requests failing, 30 attempts all fail about once in
        // 10^10 calls.
        .retry(RetryPolicy {
            max_attempts: 30,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
        })
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retried_creates_leave_exactly_one_circuit_each() {
    let mut config = config();
    config.faults = Faults { error_rate: 0.15, throttle_rate: 0.15, drop_rate: 0.15, seed: 42, ..Faults::default() };
    let emulator = Emulator::start(config).unwrap();
    let url = emulator.url();
    let tasks: Vec<_> = (0..TASKS)
        .map(|n| {
            let url = url.clone();
            tokio::spawn(async move {
                let version = if n % 2 == 0 { SignatureVersion::V3 } else { SignatureVersion::V1 };
                let client = patient_client(&url, version);
                let mut ids = Vec::new();
                for i in 0..CREATES_EACH {
                    ids.push(create(&client, &format!("f{n}-{i}")).await);
                }
                ids
            })
        })
        .collect();
    let mut made = Vec::new();
    for task in tasks {
        made.extend(task.await.expect("a client task"));
    }

    let injected = emulator.injected_faults();
    assert!(injected.unavailable > 0 && injected.throttled > 0, "{injected:?}");
    assert!(injected.dropped > 0, "some creates were carried out and their answers lost: {injected:?}");

    // Counted through the listing action (itself retried, being read-only).
    let listed = list_all(&patient_client(&url, SignatureVersion::V3)).await;
    assert_eq!(listed.len(), TASKS * CREATES_EACH, "one circuit per logical create");
    let listed_ids: HashSet<String> = listed.iter().filter_map(|c| c.physical_connection_id.clone()).collect();
    assert_eq!(listed_ids, made.iter().cloned().collect::<HashSet<_>>(), "and each is the one its caller was told of");
    let names: HashSet<String> = listed.iter().filter_map(|c| c.name.clone()).collect();
    assert_eq!(names.len(), TASKS * CREATES_EACH);
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let mut config = config();
    config.faults = Faults { latency: Duration::from_millis(40), ..Faults::default() };
    let emulator = Emulator::start(config).unwrap();
    let client = crate::client(&emulator);
    let started = std::time::Instant::now();
    create(&client, "slow").await;
    // A lower bound only: a sleep never ends early, however busy the machine.
    assert!(started.elapsed() >= Duration::from_millis(40), "{:?}", started.elapsed());
}
