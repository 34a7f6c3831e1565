//! Refresh as callers see it: a client over a role provider, against the
//! STS stand-in and a twin that serves the API with the keys STS issued.
//! Time is a clock the test moves; nothing waits on the wall clock.

mod common;

use std::sync::Arc;
use std::time::Duration;

use aliyun_config::{RamRoleArnProvider, RefreshSettings, SharedCredentialsProvider, StsEndpoint};
use aliyun_runtime::Credentials;
use aliyun_runtime::credentials::{Clock, CredentialsCache};
use aliyun_sts::GetCallerIdentityRequest;
use common::{KEY_ID, ManualClock, Mode, SECRET, Sts};

/// STS issuing 15-minute credentials, the API twin, and a client of the
/// API signing with credentials from `AssumeRole`.
async fn setup() -> (Sts, Sts, Arc<ManualClock>, aliyun_sts::Client) {
    let clock = ManualClock::new();
    let sts = Sts::start(clock.clone(), Duration::from_secs(900)).await;
    let api = sts.twin().await;
    let provider = RamRoleArnProvider::builder(Credentials::new(KEY_ID, SECRET), "acs:ram::1234:role/test")
        .sts(StsEndpoint::default().endpoint(&sts.url))
        .build()
        .unwrap();
    let cache = CredentialsCache::with(
        SharedCredentialsProvider::new(provider),
        RefreshSettings::default(),
        clock.clone() as Arc<dyn Clock>,
    );
    let client = aliyun_sts::Client::builder()
        .region("cn-hangzhou")
        .endpoint(&api.url)
        .credentials_cache(cache)
        .build()
        .unwrap();
    (sts, api, clock, client)
}

async fn call(client: &aliyun_sts::Client) -> Result<String, String> {
    let request = GetCallerIdentityRequest::builder().build().unwrap();
    client.get_caller_identity(request).await.map(|r| r.request_id).map_err(|e| aliyun_runtime::Report(&e).to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_calls_share_one_assume_role() {
    let (sts, _api, _clock, client) = setup().await;
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { call(&client).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().as_deref(), Ok("R-me"));
    }
    assert_eq!(sts.hits("AssumeRole"), 1);
    assert_eq!(sts.hits("GetCallerIdentity"), 100);
}

#[tokio::test]
async fn credentials_that_expire_mid_run_are_replaced_without_a_failed_call() {
    let (sts, _api, clock, client) = setup().await;
    // 150 calls over 75 minutes of the test's clock: five lifetimes.
    for i in 0..150 {
        assert_eq!(call(&client).await.as_deref(), Ok("R-me"), "call {i}");
        clock.advance(Duration::from_secs(30));
        // Let a background refresh started by this call finish.
        tokio::task::yield_now().await;
    }
    // One fetch per lifetime at least; at most one per 540 s (the earliest
    // refresh point, 360 s before expiry, rounded up to the 30 s steps).
    let refreshes = sts.hits("AssumeRole");
    assert!((6..=9).contains(&refreshes), "{refreshes} AssumeRole calls");
    // The stand-in checks expiry by the same clock: every call was signed
    // with credentials it still accepted.
    assert_eq!(sts.hits("GetCallerIdentity"), 150);
}

#[tokio::test]
async fn when_sts_goes_away_the_old_credentials_serve_until_they_expire() {
    let (sts, _api, clock, client) = setup().await;
    assert_eq!(call(&client).await.as_deref(), Ok("R-me"));
    sts.set_mode(Mode::Down);
    // Into the refresh window (at most 6 min 10 s before expiry) and on to
    // just before the credentials are past use (10 s before expiry).
    clock.advance(Duration::from_secs(900 - 300));
    for _ in 0..28 {
        assert_eq!(call(&client).await.as_deref(), Ok("R-me"));
        clock.advance(Duration::from_secs(10));
        tokio::task::yield_now().await;
    }
    // The background refresh reaches the stand-in (however long the
    // machine takes to get there).
    while sts.hits("AssumeRole") < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Past use: the call fails before anything is sent, naming the cause.
    clock.advance(Duration::from_secs(20));
    let sent = sts.hits("GetCallerIdentity");
    let err = call(&client).await.unwrap_err();
    assert!(err.contains("no credentials to sign with") && err.contains("AssumeRole"), "{err}");
    assert!(!err.contains(SECRET) && !err.contains("issued-secret") && !err.contains("issued-token"), "{err}");
    assert_eq!(sts.hits("GetCallerIdentity"), sent);
    // STS is back: the next call fetches and succeeds.
    sts.set_mode(Mode::Ok);
    assert_eq!(call(&client).await.as_deref(), Ok("R-me"));
}
