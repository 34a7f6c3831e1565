//! Many clients at once: nothing lost, nothing doubled.

use std::collections::HashSet;

use aliyun_runtime::{Credentials, SignatureVersion};
use aliyun_vpc::CancelPhysicalConnectionRequest;
use aliyun_vpc::types::PhysicalConnectionStatus as Status;

use crate::{KEY_ID, REGION, SECRET, client_for, create, describe, list_all, start};

const CLIENTS: usize = 64;
const CREATES_EACH: usize = 3;
const CANCELS_EACH: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_create_describe_and_cancel() {
    let emulator = start();
    let url = emulator.url();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|n| {
            let url = url.clone();
            tokio::spawn(async move {
                // Each its own client: its own connections, its own signing.
                let version = if n % 2 == 0 { SignatureVersion::V3 } else { SignatureVersion::V1 };
                let client = client_for(&url, Credentials::new(KEY_ID, SECRET), version);
                let mut ids = Vec::new();
                for i in 0..CREATES_EACH {
                    let id = create(&client, &format!("c{n}-{i}")).await;
                    let seen = describe(&client, &id).await.expect("a new circuit is listed at once");
                    assert_eq!(seen.name, Some(format!("c{n}-{i}")));
                    ids.push(id);
                }
                for id in &ids[..CANCELS_EACH] {
                    let cancel = CancelPhysicalConnectionRequest::builder()
                        .region_id(REGION)
                        .physical_connection_id(id)
                        .build()
                        .unwrap();
                    client.cancel_physical_connection(cancel).await.expect("cancel");
                }
                ids
            })
        })
        .collect();
    let mut made = Vec::new();
    for task in tasks {
        made.extend(task.await.expect("a client task"));
    }
    let unique: HashSet<&String> = made.iter().collect();
    assert_eq!(unique.len(), CLIENTS * CREATES_EACH, "every create made its own circuit");

    let listed = list_all(&crate::client(&emulator)).await;
    assert_eq!(listed.len(), CLIENTS * CREATES_EACH, "every circuit is listed once");
    let listed_ids: HashSet<String> = listed.iter().filter_map(|c| c.physical_connection_id.clone()).collect();
    assert_eq!(listed_ids, made.into_iter().collect::<HashSet<_>>());
    let count = |s: Status| listed.iter().filter(|c| c.status.as_ref() == Some(&s)).count();
    assert_eq!(count(Status::Canceled), CLIENTS * CANCELS_EACH);
    assert_eq!(count(Status::Initial), CLIENTS * (CREATES_EACH - CANCELS_EACH));
}

/// A call's future owns its handle on the client: spawned as it is, with the
/// client dropped before the tasks run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_futures_are_spawned_as_they_are() {
    let emulator = start();
    let client = crate::client(&emulator);
    let mut set = tokio::task::JoinSet::new();
    for i in 0..8 {
        set.spawn(client.create_physical_connection(crate::create_request(&format!("spawned-{i}"))));
    }
    let regions = tokio::spawn(aliyun_vpc::DescribeRegionsRequest::builder().send(&client));
    drop(client);
    let mut ids = HashSet::new();
    while let Some(done) = set.join_next().await {
        ids.insert(done.unwrap().unwrap().physical_connection_id.unwrap());
    }
    assert_eq!(ids.len(), 8);
    regions.await.unwrap().unwrap();
}
