//! The credentials cache: what the client asks for credentials on every
//! attempt.
//!
//! Reading cached credentials takes a read lock and an `Arc` clone. A
//! refresh starts in the background once credentials are within a margin
//! (with jitter) of their expiry, while callers go on with the old ones;
//! once they are past use, callers wait for the fetch instead. Either way
//! there is one fetch at a time: callers that arrive during a fetch wait
//! for it and share its result, success or failure. A failed background
//! refresh is retried with exponential backoff, and the old credentials are
//! served meanwhile, but never once they are past use: an expired
//! credential never signs.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime};

use super::provide::{ProvideCredentials, SharedCredentialsProvider};
use super::{Credentials, CredentialsError, ErrorKind};
use crate::client::Redactor;
use crate::signing::{SigningKey, format_utc};

/// Where the cache reads the time: the system clock, or a clock of the
/// test's own.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock, which expiry times are written in.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// When the cache refreshes, and how it retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshSettings {
    /// Refresh this long before credentials are past use (at most half of
    /// their remaining life when they were fetched). Default 5 minutes.
    pub margin: Duration,
    /// Plus a random part of this much, so that many processes started
    /// together do not refresh together (at most a quarter of the
    /// remaining life). Default 1 minute.
    pub jitter: Duration,
    /// Credentials are past use this long before their expiry, so that a
    /// request signed just before it does not arrive after it. Default 10 s.
    pub expiry_buffer: Duration,
    /// Wait after a failed background refresh before the next; doubled after
    /// each failure in a row, with jitter. Default 1 s.
    pub retry_base: Duration,
    /// The longest wait between background refreshes. Default 1 minute.
    pub retry_max: Duration,
}

impl Default for RefreshSettings {
    fn default() -> Self {
        RefreshSettings {
            margin: Duration::from_secs(300),
            jitter: Duration::from_secs(60),
            expiry_buffer: Duration::from_secs(10),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(60),
        }
    }
}

/// Credentials ready to sign with: the secret prepared as a signing key,
/// and the masks that keep the secret and the token out of error messages.
/// Made once per fetch, so a changed secret always gets its own key.
pub struct SigningIdentity {
    credentials: Credentials,
    pub(crate) key: SigningKey,
    pub(crate) redactor: Redactor,
    /// When a background refresh starts; `None` for credentials without expiry.
    refresh_at: Option<SystemTime>,
    /// When the credentials are past use.
    usable_until: Option<SystemTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Freshness {
    Fresh,
    /// Still usable, but a refresh should start.
    Stale,
    Expired,
}

impl SigningIdentity {
    /// Prepares `credentials` fetched at `now`.
    fn new(credentials: Credentials, now: SystemTime, settings: &RefreshSettings) -> Result<Self, CredentialsError> {
        check_header_safe("access key id", credentials.access_key_id())?;
        if let Some(token) = credentials.security_token() {
            check_header_safe("security token", token.expose())?;
        }
        let (refresh_at, usable_until) = match credentials.expiry() {
            None => (None, None),
            Some(expiry) => {
                let usable_until = expiry.checked_sub(settings.expiry_buffer).unwrap_or(expiry);
                let Ok(life) = usable_until.duration_since(now) else {
                    return Err(CredentialsError::new(
                        ErrorKind::Expired,
                        format!(
                            "the credentials answered expire at {}, less than {:?} from now ({}); check the source's clock",
                            format_utc(expiry),
                            settings.expiry_buffer,
                            format_utc(now)
                        ),
                    ));
                };
                let margin = settings.margin.min(life / 2);
                let jitter = settings.jitter.min(life / 4).mul_f64(fastrand::f64());
                (Some(usable_until - margin - jitter), Some(usable_until))
            }
        };
        Ok(SigningIdentity {
            key: SigningKey::new(credentials.access_key_secret().expose()),
            redactor: Redactor::new(&credentials),
            credentials,
            refresh_at,
            usable_until,
        })
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    fn freshness(&self, now: SystemTime) -> Freshness {
        if self.usable_until.is_some_and(|until| now >= until) {
            Freshness::Expired
        } else if self.refresh_at.is_some_and(|at| now >= at) {
            Freshness::Stale
        } else {
            Freshness::Fresh
        }
    }
}

impl fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("credentials", &self.credentials)
            .field("refresh_at", &self.refresh_at.map(format_utc))
            .finish_non_exhaustive()
    }
}

/// The key ID and the STS token travel in HTTP headers, where control
/// characters are not allowed: refused by name and without the value.
pub(crate) fn check_header_safe(what: &str, value: &str) -> Result<(), CredentialsError> {
    match value.chars().find(|&c| c.is_ascii_control() && c != '\t') {
        None => Ok(()),
        Some(c) => Err(CredentialsError::invalid(format!(
            "the {what} contains a control character ({}); check it for a stray line break or carriage return",
            c.escape_default()
        ))),
    }
}

/// Caches a provider's credentials and refreshes them; see the module
/// documentation. Cheap to clone: clones share the cache.
#[derive(Clone)]
pub struct CredentialsCache {
    inner: Arc<Inner>,
}

struct Inner {
    provider: SharedCredentialsProvider,
    clock: Arc<dyn Clock>,
    settings: RefreshSettings,
    current: RwLock<Option<Arc<SigningIdentity>>>,
    /// Held by the one fetch in progress.
    fetching: tokio::sync::Mutex<()>,
    /// Counts finished fetches: a caller that waited for `fetching` and sees
    /// it moved uses that fetch's result rather than fetching again.
    fetches: AtomicU64,
    /// The error of the last fetch, when it failed.
    last_error: Mutex<Option<CredentialsError>>,
    /// Failed fetches in a row, for the backoff.
    failures: AtomicU32,
    /// No background refresh starts before this.
    retry_after: Mutex<Option<SystemTime>>,
    /// A background refresh is under way.
    refreshing: AtomicBool,
}

impl fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsCache")
            .field("provider", &self.inner.provider)
            .field("current", &*self.inner.current.read().unwrap_or_else(PoisonError::into_inner))
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl CredentialsCache {
    /// A cache in front of `provider`, with the default settings and the system clock.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        Self::with(SharedCredentialsProvider::new(provider), RefreshSettings::default(), Arc::new(SystemClock))
    }

    /// A cache with its own settings and clock.
    pub fn with(provider: SharedCredentialsProvider, settings: RefreshSettings, clock: Arc<dyn Clock>) -> Self {
        CredentialsCache {
            inner: Arc::new(Inner {
                provider,
                clock,
                settings,
                current: RwLock::new(None),
                fetching: tokio::sync::Mutex::new(()),
                fetches: AtomicU64::new(0),
                last_error: Mutex::new(None),
                failures: AtomicU32::new(0),
                retry_after: Mutex::new(None),
                refreshing: AtomicBool::new(false),
            }),
        }
    }

    /// Fills the cache with `credentials` at once, without asking the
    /// provider: fixed credentials are checked when the client is built.
    pub fn seed(&self, credentials: Credentials) -> Result<Arc<SigningIdentity>, CredentialsError> {
        let identity = Arc::new(SigningIdentity::new(credentials, self.inner.clock.now(), &self.inner.settings)?);
        *self.inner.current.write().unwrap_or_else(PoisonError::into_inner) = Some(identity.clone());
        Ok(identity)
    }

    /// What is cached now, possibly stale or expired, without fetching.
    pub fn cached(&self) -> Option<Arc<SigningIdentity>> {
        self.inner.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The provider behind the cache.
    pub fn provider(&self) -> &SharedCredentialsProvider {
        &self.inner.provider
    }

    /// Credentials to sign with now: the cached ones while they are fresh;
    /// the cached ones and a background refresh when they near their expiry;
    /// otherwise the result of a fetch, shared with every caller waiting
    /// for it.
    pub async fn get(&self) -> Result<Arc<SigningIdentity>, CredentialsError> {
        if let Some(identity) = self.cached() {
            if identity.usable_until.is_none() {
                // Never expires: no need to read the clock.
                return Ok(identity);
            }
            match identity.freshness(self.inner.clock.now()) {
                Freshness::Fresh => return Ok(identity),
                Freshness::Stale => {
                    self.refresh_in_background();
                    return Ok(identity);
                }
                Freshness::Expired => {}
            }
        }
        self.fetch_shared().await
    }

    /// Waits for the fetch in progress, or makes one.
    async fn fetch_shared(&self) -> Result<Arc<SigningIdentity>, CredentialsError> {
        let before = self.inner.fetches.load(Ordering::Acquire);
        let _turn = self.inner.fetching.lock().await;
        // A fetch may have finished while this caller waited: take its result.
        if let Some(identity) = self.cached() {
            if identity.freshness(self.inner.clock.now()) != Freshness::Expired {
                return Ok(identity);
            }
        }
        if self.inner.fetches.load(Ordering::Acquire) != before {
            if let Some(error) = self.inner.last_error.lock().unwrap_or_else(PoisonError::into_inner).clone() {
                return Err(error);
            }
        }
        self.fetch().await
    }

    /// One call of the provider; the caller holds `fetching`.
    async fn fetch(&self) -> Result<Arc<SigningIdentity>, CredentialsError> {
        let inner = &self.inner;
        let result = inner.provider.provide_credentials().await.and_then(|credentials| {
            SigningIdentity::new(credentials, inner.clock.now(), &inner.settings).map(Arc::new)
        });
        let result = result.map_err(|e| e.context(format_args!("credentials from `{}`", inner.provider.name())));
        match &result {
            Ok(identity) => {
                *inner.current.write().unwrap_or_else(PoisonError::into_inner) = Some(identity.clone());
                *inner.last_error.lock().unwrap_or_else(PoisonError::into_inner) = None;
                *inner.retry_after.lock().unwrap_or_else(PoisonError::into_inner) = None;
                inner.failures.store(0, Ordering::Relaxed);
                tracing::debug!(provider = inner.provider.name(), "credentials fetched");
            }
            Err(error) => {
                let failures = inner.failures.fetch_add(1, Ordering::Relaxed) + 1;
                let exp = inner.settings.retry_base.saturating_mul(1 << (failures - 1).min(20));
                let wait = exp.min(inner.settings.retry_max);
                let wait = wait / 2 + (wait / 2).mul_f64(fastrand::f64());
                *inner.retry_after.lock().unwrap_or_else(PoisonError::into_inner) = Some(inner.clock.now() + wait);
                *inner.last_error.lock().unwrap_or_else(PoisonError::into_inner) = Some(error.clone());
                tracing::warn!(provider = inner.provider.name(), failures, retry_in_ms = wait.as_millis() as u64, error = %error, "fetching credentials failed");
            }
        }
        inner.fetches.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// Starts one background refresh, unless one is running, the last
    /// failed too recently, or there is no async runtime to run it on (the
    /// credentials are then fetched when they are past use).
    fn refresh_in_background(&self) {
        let inner = &self.inner;
        let now = inner.clock.now();
        if inner.retry_after.lock().unwrap_or_else(PoisonError::into_inner).is_some_and(|after| now < after) {
            return;
        }
        if inner.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            inner.refreshing.store(false, Ordering::Release);
            return;
        };
        let cache = self.clone();
        runtime.spawn(async move {
            let _done = Refreshing(&cache.inner.refreshing);
            let _turn = cache.inner.fetching.lock().await;
            let fresh = cache.cached().is_some_and(|c| c.freshness(cache.inner.clock.now()) == Freshness::Fresh);
            if !fresh {
                // The error is kept for callers and logged; the old
                // credentials serve until they are past use.
                let _ = cache.fetch().await;
            }
        });
    }
}

/// Clears the background flag when the refresh ends, even if its task is
/// dropped half way.
struct Refreshing<'a>(&'a AtomicBool);

impl Drop for Refreshing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use super::*;
    use crate::credentials::{ProvideFuture, ProviderChain};

    /// A clock the test moves by hand.
    #[derive(Debug)]
    struct ManualClock(Mutex<SystemTime>);

    impl ManualClock {
        fn new() -> Arc<Self> {
            Arc::new(ManualClock(Mutex::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000))))
        }
        fn advance(&self, by: Duration) {
            *self.0.lock().unwrap() += by;
        }
    }

    impl Clock for ManualClock {
        fn now(&self) -> SystemTime {
            *self.0.lock().unwrap()
        }
    }

    /// Answers credentials that last `life`, numbered by call, after a
    /// (paused-time) delay; fails while `failing` is set.
    #[derive(Debug)]
    struct Counting {
        clock: Arc<ManualClock>,
        life: Duration,
        calls: AtomicUsize,
        failing: AtomicBool,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> ProvideFuture<'_> {
            Box::pin(async move {
                let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                if self.failing.load(Ordering::SeqCst) {
                    return Err(CredentialsError::unavailable("the stand-in is down"));
                }
                Ok(Credentials::new(format!("id-{n}"), format!("secret-{n}"))
                    .with_security_token(format!("token-{n}"))
                    .with_expiry(self.clock.now() + self.life))
            })
        }
    }

    fn setup(life: Duration) -> (CredentialsCache, Arc<Counting>, Arc<ManualClock>) {
        let clock = ManualClock::new();
        let provider = Arc::new(Counting {
            clock: clock.clone(),
            life,
            calls: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
        });
        let cache = CredentialsCache::with(
            SharedCredentialsProvider::new(provider.clone()),
            RefreshSettings::default(),
            clock.clone(),
        );
        (cache, provider, clock)
    }

    async fn ids(cache: &CredentialsCache, n: usize) -> Vec<Result<String, CredentialsError>> {
        let calls = (0..n).map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move { cache.get().await.map(|i| i.credentials().access_key_id().to_owned()) })
        });
        let mut out = Vec::new();
        for call in calls.collect::<Vec<_>>() {
            out.push(call.await.unwrap());
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn a_hundred_concurrent_first_calls_fetch_once() {
        let (cache, provider, _clock) = setup(Duration::from_secs(3600));
        let got = ids(&cache, 100).await;
        assert!(got.iter().all(|id| id.as_deref() == Ok("id-1")), "{got:?}");
        assert_eq!(provider.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn near_expiry_one_background_refresh_while_callers_keep_the_old_credentials() {
        let (cache, provider, clock) = setup(Duration::from_secs(3600));
        assert_eq!(ids(&cache, 1).await[0].as_deref(), Ok("id-1"));
        // Past the latest refresh point (buffer 10 s + margin 5 min before expiry, jitter only moves it earlier), not past use.
        clock.advance(Duration::from_secs(3600 - 300));
        let got = ids(&cache, 100).await;
        assert!(got.iter().all(|id| id.is_ok()), "{got:?}");
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
        assert_eq!(ids(&cache, 1).await[0].as_deref(), Ok("id-2"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_refresh_keeps_the_old_credentials_until_they_are_past_use_and_backs_off() {
        let (cache, provider, clock) = setup(Duration::from_secs(3600));
        ids(&cache, 1).await;
        provider.failing.store(true, Ordering::SeqCst);
        clock.advance(Duration::from_secs(3600 - 300));
        for _ in 0..10 {
            assert_eq!(ids(&cache, 10).await[0].as_deref(), Ok("id-1"));
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        // One failed refresh, then backoff: no stampede on a source that is down.
        assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
        clock.advance(Duration::from_secs(2));
        assert_eq!(ids(&cache, 1).await[0].as_deref(), Ok("id-1"));
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(provider.calls.load(Ordering::SeqCst), 3);
        // Past use: never served, the fetch's error instead, shared by concurrent callers.
        clock.advance(Duration::from_secs(300));
        let before = provider.calls.load(Ordering::SeqCst);
        let got = ids(&cache, 20).await;
        assert!(got.iter().all(|r| r.as_ref().is_err_and(|e| e.message().contains("stand-in is down"))), "{got:?}");
        assert_eq!(provider.calls.load(Ordering::SeqCst), before + 1);
        // The source is back: the next call fetches.
        provider.failing.store(false, Ordering::SeqCst);
        assert_eq!(ids(&cache, 1).await[0].as_deref(), Ok(format!("id-{}", before + 2).as_str()));
    }

    #[tokio::test(start_paused = true)]
    async fn credentials_answered_already_expired_are_refused() {
        let (cache, _provider, _clock) = setup(Duration::from_secs(5));
        let err = cache.get().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Expired);
        assert!(!err.to_string().contains("secret-1"), "{err}");
    }

    #[tokio::test]
    async fn fixed_credentials_never_refresh_and_their_secrets_never_show() {
        let cache = CredentialsCache::new(Credentials::new("id", "fixed-secret").with_security_token("fixed-token"));
        let first = cache.get().await.unwrap();
        let second = cache.get().await.unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        let shown = format!("{cache:?} {first:?} {first:#?}");
        assert!(!shown.contains("fixed-secret") && !shown.contains("fixed-token"), "{shown}");
        let bad = CredentialsCache::new(Credentials::new("id\r", "s"));
        assert!(bad.get().await.unwrap_err().message().contains("access key id contains a control character"));
    }

    #[derive(Debug)]
    struct Fixed(&'static str, Result<(), ErrorKind>);

    impl ProvideCredentials for Fixed {
        fn provide_credentials(&self) -> ProvideFuture<'_> {
            Box::pin(async move {
                match self.1 {
                    Ok(()) => Ok(Credentials::new(self.0, "s")),
                    Err(kind) => Err(CredentialsError::new(kind, format!("{} says no", self.0))),
                }
            })
        }
        fn name(&self) -> &'static str {
            self.0
        }
    }

    #[tokio::test]
    async fn a_chain_passes_over_what_is_not_set_up_and_stops_at_what_is_broken() {
        let chain = ProviderChain::new()
            .or_else(Fixed("first", Err(ErrorKind::NotConfigured)))
            .or_else(Fixed("second", Ok(())))
            .or_else(Fixed("third", Ok(())));
        assert_eq!(chain.names(), ["first", "second", "third"]);
        assert_eq!(chain.provide_credentials().await.unwrap().access_key_id(), "second");
        let broken = ProviderChain::new()
            .or_else(Fixed("first", Err(ErrorKind::NotConfigured)))
            .or_else(Fixed("second", Err(ErrorKind::Invalid)))
            .or_else(Fixed("third", Ok(())));
        let err = broken.provide_credentials().await.unwrap_err();
        assert_eq!((err.kind(), err.message()), (ErrorKind::Invalid, "second: second says no"));
        let none = ProviderChain::new().or_else(Fixed("first", Err(ErrorKind::NotConfigured)));
        let err = none.provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConfigured);
        assert!(err.message().contains("first: first says no"), "{err}");
    }
}
