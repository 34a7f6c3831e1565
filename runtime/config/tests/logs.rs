//! Nothing a provider or the cache logs holds a secret: every event and
//! span field, at every level, is captured while providers succeed, fail
//! and retry.

mod common;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aliyun_config::{
    EcsRoleProvider, ProvideCredentials, RamRoleArnProvider, RefreshSettings, SharedCredentialsProvider, StsEndpoint,
};
use aliyun_runtime::Credentials;
use aliyun_runtime::credentials::{Clock, CredentialsCache};
use common::{Imds, KEY_ID, ManualClock, Mode, SECRET, Sts};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

/// Every event and span field, as text. Spans are not tracked as current:
/// the test reads fields, not structure.
#[derive(Default)]
struct Capture {
    next: AtomicU64,
    text: Mutex<String>,
}

struct Text<'a>(&'a mut String);

impl Visit for Text<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
}

impl Subscriber for &'static Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Text(&mut self.text.lock().unwrap()));
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Text(&mut self.text.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.text.lock().unwrap();
        text.push_str(&format!("\n{} {}", event.metadata().level(), event.metadata().target()));
        event.record(&mut Text(&mut text));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn logs_never_hold_a_secret() {
    let capture: &'static Capture = Box::leak(Box::default());
    tracing::subscriber::set_global_default(capture).unwrap();

    let clock = ManualClock::new();
    let sts = Sts::start(clock.clone(), Duration::from_secs(900)).await;
    let provider = RamRoleArnProvider::builder(Credentials::new(KEY_ID, SECRET), "acs:ram::1:role/r")
        .sts(StsEndpoint::default().endpoint(&sts.url))
        .build()
        .unwrap();
    let cache = CredentialsCache::with(
        SharedCredentialsProvider::new(provider),
        RefreshSettings::default(),
        clock.clone() as Arc<dyn Clock>,
    );
    cache.get().await.unwrap();
    for mode in [Mode::Refuse("NoPermission"), Mode::Throttled, Mode::Malformed, Mode::Down] {
        sts.set_mode(mode);
        clock.advance(Duration::from_secs(900));
        assert!(cache.get().await.is_err());
    }
    let imds = Imds::start(Duration::from_secs(3600)).await;
    imds.v2.store(false, Ordering::SeqCst);
    EcsRoleProvider::new(None).unwrap().endpoint(&imds.url).provide_credentials().await.unwrap();

    let text = capture.text.lock().unwrap().clone();
    assert!(text.contains("fetching credentials failed"), "{text}");
    assert!(text.contains("IMDSv2"), "{text}");
    for secret in [SECRET, "issued-secret-1", "issued-token-1", "ecs-secret-1", "ecs-token-1"] {
        assert!(!text.contains(secret), "`{secret}` was logged:\n{text}");
    }
}
