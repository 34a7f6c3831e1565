//! The HTTP client: signs each attempt, sends it, reads the answer as the
//! action's output or typed error, and retries only where a retry cannot
//! repeat an effect.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::Instant;
use tracing::Instrument as _;

use crate::credentials::{
    self, Credentials, CredentialsCache, CredentialsError, ProvideCredentials, Secret, SharedCredentialsProvider,
    SigningIdentity,
};
use crate::sdk_error::{self, ResponseError, SdkError, TimeoutError, TimeoutKind, TransportError};
use crate::signing;
use crate::{BuildError, Decode, DryRunnable, Node, Operation, OperationError, Params, ServiceError, random};

/// How requests are signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// `ACS3-HMAC-SHA256` in the `Authorization` header: SHA-256, and the
    /// host, action, version, date and nonce are all signed. The default,
    /// and what Alibaba recommends for new code.
    #[default]
    V3,
    /// The RPC signature: HMAC-SHA1 over the sorted parameters, sent as the
    /// `Signature` parameter (`SignatureVersion=1.0`). For gateways or
    /// accounts that still need it.
    V1,
}

/// When and how often to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubled each time, with jitter.
    pub base_delay: Duration,
    /// Longest wait between attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(5) }
    }
}

impl RetryPolicy {
    /// Wait before attempt `next` (2 for the first retry): exponential, capped,
    /// with "equal jitter" (half fixed, half random) so that clients that
    /// failed together do not retry together.
    pub fn delay(&self, next: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << next.saturating_sub(2).min(20));
        let cap = exp.min(self.max_delay);
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// A client setting that is missing or wrong; `build()` (and the builders'
/// loaders) say which, so a program can tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// No region was given, nor found in the environment or CLI profile.
    MissingRegion,
    /// No credentials (or provider) were given, nor found.
    MissingCredentials,
    /// The credentials are unusable as configured: a key ID or token with a
    /// character a header cannot carry, a broken CLI profile...
    Credentials(CredentialsError),
    /// The endpoint is not a URL with a host.
    InvalidEndpoint {
        /// The endpoint as given (never holds credentials).
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The region is not one the product publishes an endpoint for, and no
    /// endpoint was given: the host built from the template would most
    /// likely not resolve.
    UnknownRegion {
        /// The region as given.
        region: String,
        /// The regions the product lists.
        known: Vec<&'static str>,
    },
    /// TLS or the HTTP client could not be set up.
    Http(String),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingRegion => {
                write!(f, "no region: call `.region(..)` or set {}", credentials::ENV_REGION_ID)
            }
            ConfigError::MissingCredentials => write!(
                f,
                "no credentials: call `.credentials(..)` or `.credentials_provider(..)`, set {} and {}, or configure the aliyun CLI",
                credentials::ENV_ACCESS_KEY_ID,
                credentials::ENV_ACCESS_KEY_SECRET
            ),
            ConfigError::Credentials(_) => f.write_str("the credentials cannot be used as configured"),
            ConfigError::InvalidEndpoint { endpoint, reason } => write!(f, "endpoint `{endpoint}` {reason}"),
            ConfigError::UnknownRegion { region, known } => write!(
                f,
                "region `{region}` has no published endpoint for this product (known: {}); check the spelling, or give the endpoint with `.endpoint(..)`",
                known.join(", ")
            ),
            ConfigError::Http(reason) => write!(f, "cannot set up the HTTP client: {reason}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Credentials(e) => Some(e),
            _ => None,
        }
    }
}

impl From<CredentialsError> for ConfigError {
    fn from(e: CredentialsError) -> Self {
        ConfigError::Credentials(e)
    }
}

/// What a builder was given to sign with.
#[derive(Debug)]
enum CredentialsSource {
    Fixed(Credentials),
    Provider(SharedCredentialsProvider),
    Cache(CredentialsCache),
    Anonymous,
}

/// Builds a client. `C` is the product's client type (a generated wrapper).
#[must_use]
pub struct ClientBuilder<C = Client> {
    endpoint_template: String,
    regional_endpoints: &'static [(&'static str, &'static str)],
    region: Option<String>,
    credentials: Option<CredentialsSource>,
    endpoint: Option<String>,
    connect_timeout: Duration,
    attempt_timeout: Duration,
    total_timeout: Duration,
    retry: RetryPolicy,
    signature: SignatureVersion,
    max_body_bytes: usize,
    product_code: Option<&'static str>,
    network: Network,
    allow_unlisted_region: bool,
    http: Option<reqwest::Client>,
    user_agent_suffix: Option<String>,
    max_connections: usize,
    retry_if: Option<RetryClassifier>,
    retry_budget: RetryBudget,
    product: PhantomData<fn() -> C>,
}

/// Which network the client reaches the service over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Network {
    /// The public endpoint (`vpc.cn-hangzhou.aliyuncs.com`).
    #[default]
    Public,
    /// The endpoint reachable from inside an Alibaba Cloud VPC without
    /// Internet access: the public host with `-vpc` after its first label
    /// (`vpc-vpc.cn-hangzhou.aliyuncs.com`).
    Vpc,
}

/// What an attempt failed with, as a retry classifier sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RetryFailure<'a> {
    /// The service answered with an error code.
    Service {
        /// The HTTP status.
        status: u16,
        /// Alibaba's error code.
        code: &'a str,
    },
    /// The connection could not be opened or broke; `sent` is false when
    /// the request provably never left (the connection was refused).
    Transport {
        /// Whether any of the request may have reached the server.
        sent: bool,
    },
    /// The attempt took longer than its timeout.
    Timeout,
    /// An answer that is neither the response nor an error body.
    Response {
        /// The HTTP status.
        status: u16,
    },
}

/// Decides whether a failed attempt is worth another one.
pub type RetryClassifier = Arc<dyn Fn(&RetryFailure<'_>) -> bool + Send + Sync>;

/// The default classifier: throttling, server-side failures (5xx,
/// `ServiceUnavailable`, `InternalError`), broken connections and timeouts.
pub fn default_retry_classifier(failure: &RetryFailure<'_>) -> bool {
    match *failure {
        RetryFailure::Service { status, code } => {
            status >= 500 || code.starts_with("Throttling") || matches!(code, "ServiceUnavailable" | "InternalError")
        }
        RetryFailure::Transport { .. } | RetryFailure::Timeout => true,
        RetryFailure::Response { status } => status >= 500,
    }
}

/// A retry budget shared by every call of a client (and its clones): each
/// retry spends tokens, each success gives one back, and when the bucket is
/// empty failures are returned at once instead of retried, so that a
/// failing service is not hammered by every caller together. As in the AWS
/// SDKs: a retry costs 5 tokens, a retry after a timeout 10, and the bucket
/// holds 500.
#[derive(Debug, Clone)]
pub struct RetryBudget {
    tokens: Option<Arc<std::sync::atomic::AtomicI64>>,
    capacity: i64,
}

impl RetryBudget {
    /// A bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        let capacity = i64::from(capacity);
        RetryBudget { tokens: Some(Arc::new(std::sync::atomic::AtomicI64::new(capacity))), capacity }
    }

    /// No budget: retries are limited by the retry policy alone.
    pub fn unlimited() -> Self {
        RetryBudget { tokens: None, capacity: 0 }
    }

    /// Tokens left, or `None` when unlimited.
    pub fn available(&self) -> Option<u32> {
        use std::sync::atomic::Ordering;
        self.tokens.as_ref().map(|t| t.load(Ordering::Relaxed).max(0) as u32)
    }

    fn try_spend(&self, cost: i64) -> bool {
        use std::sync::atomic::Ordering;
        let Some(tokens) = &self.tokens else { return true };
        tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| (t >= cost).then_some(t - cost)).is_ok()
    }

    fn refund(&self) {
        use std::sync::atomic::Ordering;
        if let Some(tokens) = &self.tokens {
            let _ = tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| (t < self.capacity).then_some(t + 1));
        }
    }
}

impl Default for RetryBudget {
    fn default() -> Self {
        RetryBudget::new(500)
    }
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("region", &self.region)
            .field("credentials", &self.credentials)
            .field("endpoint", &self.endpoint)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

impl<C: From<Client>> ClientBuilder<C> {
    /// `endpoint_template` is the product's host with `{region}` for the region id.
    pub fn new(endpoint_template: &str) -> Self {
        ClientBuilder {
            endpoint_template: endpoint_template.to_owned(),
            regional_endpoints: &[],
            region: None,
            credentials: None,
            endpoint: None,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(20),
            total_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            signature: SignatureVersion::default(),
            max_body_bytes: 16 << 20,
            product_code: None,
            network: Network::Public,
            allow_unlisted_region: false,
            http: None,
            user_agent_suffix: None,
            max_connections: 64,
            retry_if: None,
            retry_budget: RetryBudget::default(),
            product: PhantomData,
        }
    }

    /// The product code (`Vpc`), used for the user agent and the endpoint
    /// variable `ALIBABA_CLOUD_<PRODUCT>_ENDPOINT`. Generated clients set it.
    pub fn product_code(mut self, code: &'static str) -> Self {
        self.product_code = Some(code);
        self
    }

    /// Which network to reach the service over; [`Network::Vpc`] for the
    /// VPC-internal endpoint. Ignored when an endpoint is given.
    pub fn network(mut self, network: Network) -> Self {
        self.network = network;
        self
    }

    /// Accepts a region the product does not list, building its host from
    /// the endpoint template (for a region newer than the spec).
    pub fn allow_unlisted_region(mut self) -> Self {
        self.allow_unlisted_region = true;
        self
    }

    /// Sends requests with this HTTP client (proxies, custom roots, mTLS,
    /// pool settings) instead of the default one (rustls on `ring` with the
    /// platform's roots). Configure it not to follow redirects, as the
    /// default does: a redirect would carry the signed request elsewhere.
    /// The connect timeout set here then does not apply.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Appended to the `User-Agent` header, which otherwise names this SDK,
    /// its version, the product, the OS and the Rust version: name your
    /// application (`my-service/1.4`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The most requests in flight at once (64 by default, at least 1):
    /// more calls wait for a free slot, so that a burst reuses a bounded
    /// set of kept-alive connections instead of opening one per call.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Replaces the default retry classifier ([`default_retry_classifier`]).
    /// Whatever it says, a call that may have had an effect is retried only
    /// when that is safe: read-only, idempotent through its token, or never
    /// sent.
    pub fn retry_if(mut self, classifier: impl Fn(&RetryFailure<'_>) -> bool + Send + Sync + 'static) -> Self {
        self.retry_if = Some(Arc::new(classifier));
        self
    }

    /// The retry budget ([`RetryBudget::default`]: 500 tokens); share one
    /// between clients by passing clones, or turn it off with
    /// [`RetryBudget::unlimited`].
    pub fn retry_budget(mut self, budget: RetryBudget) -> Self {
        self.retry_budget = budget;
        self
    }

    /// The region the client calls, which also picks the endpoint.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Signs with these fixed credentials, checked when the client is built.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(CredentialsSource::Fixed(credentials));
        self
    }

    /// Signs with what `provider` answers, cached and refreshed before it
    /// expires (see [`CredentialsCache`]). The provider is first asked at
    /// the first call, not here.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(CredentialsSource::Provider(SharedCredentialsProvider::new(provider)));
        self
    }

    /// Signs with credentials from this cache, which may be shared with
    /// other clients (of other products, say), so that they refresh once.
    pub fn credentials_cache(mut self, cache: CredentialsCache) -> Self {
        self.credentials = Some(CredentialsSource::Cache(cache));
        self
    }

    /// Sends requests unsigned, with no AccessKey: for the few actions that
    /// prove identity otherwise, such as STS `AssumeRoleWithOIDC`, whose
    /// OIDC token is the proof. Parameters travel in a form body with
    /// `Format` and `Timestamp`, and no `Signature`.
    pub fn anonymous(mut self) -> Self {
        self.credentials = Some(CredentialsSource::Anonymous);
        self
    }

    /// The product's published endpoints, `(region, host)`: a region listed
    /// here uses its host, any other the endpoint template. Generated
    /// clients set this from the spec.
    pub fn regional_endpoints(mut self, endpoints: &'static [(&'static str, &'static str)]) -> Self {
        self.regional_endpoints = endpoints;
        self
    }

    /// Overrides the endpoint. A bare host means HTTPS; plain HTTP only when
    /// given as `http://...` (local emulators and tests).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Limit for opening a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit for one attempt: sending the request and reading the whole answer.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// Limit for a whole call, retries and backoff included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = timeout;
        self
    }

    /// When and how often to retry.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How requests are signed.
    pub fn signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature = version;
        self
    }

    /// Larger response bodies are refused (default 16 MiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Fills what was not set explicitly from `ALIBABA_CLOUD_ACCESS_KEY_ID`,
    /// `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, `ALIBABA_CLOUD_SECURITY_TOKEN` and
    /// `ALIBABA_CLOUD_REGION_ID`, then from the aliyun CLI's current profile
    /// (`~/.aliyun/config.json`).
    pub fn load_env(self) -> Result<Self, ConfigError> {
        self.load_from(|name| std::env::var(name).ok(), credentials::cli_config_path().as_deref())
    }

    /// `load_env` with the variables and the profile file given explicitly.
    ///
    /// Precedence, highest first: what was set on the builder, then the
    /// variables, then the CLI profile. Credentials set on the builder are
    /// used as they are: the variables' and the profile's credentials are
    /// then not read at all (so a half-set variable or a profile in a mode
    /// the SDK cannot use does not get in the way), and the region comes
    /// from the builder or `ALIBABA_CLOUD_REGION_ID` only.
    pub fn load_from(
        mut self,
        var: impl Fn(&str) -> Option<String>,
        cli_config: Option<&std::path::Path>,
    ) -> Result<Self, ConfigError> {
        if self.region.is_none() {
            self.region = var(credentials::ENV_REGION_ID).filter(|r| !r.trim().is_empty());
        }
        // `ALIBABA_CLOUD_VPC_ENDPOINT` for the VPC client, say: per product,
        // so that one process can point one product elsewhere.
        if let (None, Some(code)) = (&self.endpoint, self.product_code) {
            let name = format!("ALIBABA_CLOUD_{}_ENDPOINT", code.to_ascii_uppercase());
            self.endpoint = var(&name).filter(|e| !e.trim().is_empty());
        }
        if self.credentials.is_some() {
            return Ok(self);
        }
        let mut found = credentials::from_env_vars(&var)?;
        if found.is_none() {
            if let Some(path) = cli_config {
                found = credentials::from_cli_config(path)?;
            }
        }
        if let Some(found) = found {
            self.credentials = Some(CredentialsSource::Fixed(found.credentials));
            self.region = self.region.or(found.region);
        }
        Ok(self)
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<C, ConfigError> {
        let region = self.region.filter(|r| !r.trim().is_empty()).ok_or(ConfigError::MissingRegion)?;
        let credentials = self.credentials.ok_or(ConfigError::MissingCredentials)?;
        let auth = match credentials {
            CredentialsSource::Fixed(credentials) => {
                let cache = CredentialsCache::new(credentials.clone());
                cache.seed(credentials)?;
                Auth::Signed(cache)
            }
            CredentialsSource::Provider(provider) => Auth::Signed(CredentialsCache::with(
                provider,
                credentials::RefreshSettings::default(),
                Arc::new(credentials::SystemClock),
            )),
            CredentialsSource::Cache(cache) => Auth::Signed(cache),
            CredentialsSource::Anonymous => Auth::Anonymous,
        };
        let endpoint = match self.endpoint {
            Some(e) if e.starts_with("http://") || e.starts_with("https://") => e,
            Some(host) => format!("https://{host}"),
            None => {
                let host = match self.regional_endpoints.iter().find(|(r, _)| *r == region) {
                    Some((_, host)) => (*host).to_owned(),
                    None if self.regional_endpoints.is_empty() || self.allow_unlisted_region => {
                        self.endpoint_template.replace("{region}", &region)
                    }
                    None => {
                        let known = self.regional_endpoints.iter().map(|(r, _)| *r).collect();
                        return Err(ConfigError::UnknownRegion { region, known });
                    }
                };
                match self.network {
                    Network::Public => format!("https://{host}"),
                    Network::Vpc => match host.split_once('.') {
                        Some((first, rest)) => format!("https://{first}-vpc.{rest}"),
                        None => format!("https://{host}-vpc"),
                    },
                }
            }
        };
        let url = reqwest::Url::parse(&endpoint).map_err(|e| ConfigError::InvalidEndpoint {
            endpoint: endpoint.clone(),
            reason: format!("is not a URL: {e}"),
        })?;
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => return Err(ConfigError::InvalidEndpoint { endpoint, reason: "has no host".into() }),
        };
        let http = match self.http {
            Some(http) => http,
            None => http_client(self.connect_timeout)?,
        };
        let user_agent = user_agent(self.product_code, self.user_agent_suffix.as_deref());
        let inner = Inner {
            http,
            user_agent,
            slots: tokio::sync::Semaphore::new(self.max_connections),
            retry_if: self.retry_if.unwrap_or_else(|| Arc::new(default_retry_classifier)),
            retry_budget: self.retry_budget,
            url,
            host,
            region,
            auth,
            attempt_timeout: self.attempt_timeout,
            total_timeout: self.total_timeout,
            retry: self.retry,
            signature: self.signature,
            max_body_bytes: self.max_body_bytes,
        };
        Ok(C::from(Client { inner: Arc::new(inner) }))
    }
}

/// `aliyun-rust-sdk/0.1.0 vpc (linux; x86_64) rust/1.95.0`, then the
/// caller's suffix: the SDK and its version, the product, the OS and
/// architecture, and the compiler that built it.
fn user_agent(product: Option<&str>, suffix: Option<&str>) -> String {
    let mut ua = format!("aliyun-rust-sdk/{}", env!("CARGO_PKG_VERSION"));
    if let Some(product) = product {
        ua.push(' ');
        ua.push_str(&product.to_ascii_lowercase());
    }
    ua.push_str(&format!(
        " ({}; {}) rust/{}",
        std::env::consts::OS,
        std::env::consts::ARCH,
        env!("ALIYUN_RUSTC_VERSION")
    ));
    if let Some(suffix) = suffix.map(str::trim).filter(|s| !s.is_empty()) {
        ua.push(' ');
        // A header value cannot hold control characters; a suffix with one
        // is cut there rather than failing every call.
        ua.extend(suffix.chars().take_while(|c| !c.is_control()));
    }
    ua
}

/// The HTTP client every client uses: reqwest with rustls on the `ring`
/// provider and the platform's roots, and no redirects. Public for the
/// credential providers that talk plain HTTP (the metadata service, a
/// credentials URI), so that they use the same TLS setup.
pub fn http_client(connect_timeout: Duration) -> Result<reqwest::Client, ConfigError> {
    http_client_builder()?.connect_timeout(connect_timeout).build().map_err(|e| ConfigError::Http(e.to_string()))
}

/// The default HTTP client's builder, to adjust before passing the result to
/// [`ClientBuilder::http_client`]: proxies, pool sizes, default headers,
/// local address. TLS is set (rustls on `ring`, the platform's roots), and
/// redirects are off; replace the TLS setup with
/// `tls_backend_preconfigured` for custom roots or mTLS.
pub fn http_client_builder() -> Result<reqwest::ClientBuilder, ConfigError> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| ConfigError::Http(format!("TLS: {e}")))?
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        // A redirect would carry the signed request, and an STS token with
        // it, to whatever host the answer names. The API never redirects.
        .redirect(reqwest::redirect::Policy::none()))
}

/// How a client signs.
#[derive(Debug)]
enum Auth {
    /// With credentials from a cache (fixed credentials are a cache that never refreshes).
    Signed(CredentialsCache),
    /// Not at all.
    Anonymous,
}

/// A client for one product in one region. Cheap to clone; clones share
/// the connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    user_agent: String,
    /// Requests in flight, bounded so that bursts reuse connections.
    slots: tokio::sync::Semaphore,
    retry_if: RetryClassifier,
    retry_budget: RetryBudget,
    url: reqwest::Url,
    host: String,
    region: String,
    auth: Auth,
    attempt_timeout: Duration,
    total_timeout: Duration,
    retry: RetryPolicy,
    signature: SignatureVersion,
    max_body_bytes: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.url.as_str())
            .field("region", &self.inner.region)
            .field("credentials", &self.inner.auth)
            .field("signature", &self.inner.signature)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Settings for one call that differ from the client's: its retry policy,
/// classifier and time limits. Whatever is not set here is the client's.
/// Give it to a call with [`Sending::options`]; keep one to give the same
/// settings to many calls (it is cheap to clone).
///
/// ```
/// use std::time::Duration;
/// use aliyun_runtime::{CallOptions, RetryFailure};
///
/// // No retries, a tight limit: for a health check.
/// let probe = CallOptions::new().max_attempts(1).total_timeout(Duration::from_secs(2));
/// // Also retry a code the service uses for a busy resource.
/// let patient = CallOptions::new().max_attempts(6).retry_if(|failure| {
///     aliyun_runtime::default_retry_classifier(failure)
///         || matches!(failure, RetryFailure::Service { code: "IncorrectStatus.Vpc", .. })
/// });
/// # let _ = (probe, patient);
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct CallOptions {
    retry: Option<RetryPolicy>,
    max_attempts: Option<u32>,
    retry_if: Option<RetryClassifier>,
    attempt_timeout: Option<Duration>,
    total_timeout: Option<Duration>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("retry", &self.retry)
            .field("max_attempts", &self.max_attempts)
            .field("retry_if", &self.retry_if.as_ref().map(|_| "custom"))
            .field("attempt_timeout", &self.attempt_timeout)
            .field("total_timeout", &self.total_timeout)
            .finish()
    }
}

impl CallOptions {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Retries with this policy instead of the client's.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Attempts in all, the first included (1: no retries), keeping the
    /// rest of the policy (the client's, or the one given to
    /// [`CallOptions::retry`]).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Replaces the client's retry classifier for this call. As with the
    /// client's, a call that may have had an effect is retried only when
    /// that is safe: read-only, idempotent through its token, or never sent.
    pub fn retry_if(mut self, classifier: impl Fn(&RetryFailure<'_>) -> bool + Send + Sync + 'static) -> Self {
        self.retry_if = Some(Arc::new(classifier));
        self
    }

    /// The limit for one attempt of this call.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// The limit for this whole call, retries and backoff included.
    pub fn total_timeout(mut self, timeout: Duration) -> Self {
        self.total_timeout = Some(timeout);
        self
    }
}

/// The future of one call of action `O`, returned by [`Client::send`] and by
/// every generated action method; it resolves to
/// `Result<O::Output, SdkError<O::Error>>`: the action's response, or an
/// [`SdkError`] holding the action's typed error.
///
/// It is `Send`, `Unpin` and `'static` (it holds its own handle on the
/// client's connection pool), so it can be spawned, put in a `JoinSet`,
/// returned from a function, or awaited through `&mut` in `select!`.
///
/// Before it is awaited, one call's retries and limits can differ from the
/// client's, with no second client: [`Sending::max_attempts`],
/// [`Sending::retry`], [`Sending::retry_if`], the timeouts, or a whole
/// [`CallOptions`]. Settings given after the first poll have no effect.
///
/// A named type rather than an `async fn`: the per-action methods that
/// return it are plain functions, which the compiler checks far faster than
/// one state machine per action. The call itself (signing, HTTP, retries) is
/// one non-generic future, boxed once per call when first polled.
#[must_use = "a request is sent only when its future is awaited"]
pub struct Sending<O> {
    state: State,
    action: PhantomData<fn() -> O>,
}

/// Everything a call needs before it starts.
struct Call {
    client: Client,
    spec: CallSpec,
    params: Params,
    options: CallOptions,
}

/// The call in flight: one non-generic future, boxed once.
type CallFuture = Pin<Box<dyn Future<Output = Result<Answer, CallError>> + Send + 'static>>;

enum State {
    /// Not polled yet: options may still change.
    Ready(Box<Call>),
    Calling(CallFuture),
    /// The request did not build; the error is handed out on first poll.
    Failed(Option<BuildError>),
}

impl State {
    /// Starts the call on first poll. Not generic, so that the call's state
    /// machine is compiled once, here, and not once per action.
    fn calling(&mut self) -> Option<&mut CallFuture> {
        if let State::Ready(_) = self {
            let State::Ready(call) = std::mem::replace(self, State::Failed(None)) else { unreachable!() };
            let Call { client, spec, params, options } = *call;
            *self = State::Calling(Box::pin(async move { client.call(spec, &params, &options).await }));
        }
        match self {
            State::Calling(call) => Some(call),
            _ => None,
        }
    }
}

impl<O> Sending<O> {
    /// Uses `options` for this call instead of any set on it so far; what
    /// they leave unset is the client's.
    pub fn options(mut self, options: CallOptions) -> Self {
        if let State::Ready(call) = &mut self.state {
            call.options = options;
        }
        self
    }

    fn with(mut self, change: impl FnOnce(CallOptions) -> CallOptions) -> Self {
        if let State::Ready(call) = &mut self.state {
            call.options = change(std::mem::take(&mut call.options));
        }
        self
    }

    /// This call's retry policy, instead of the client's.
    pub fn retry(self, policy: RetryPolicy) -> Self {
        self.with(|o| o.retry(policy))
    }

    /// This call's attempts in all, the first included (1: no retries).
    pub fn max_attempts(self, attempts: u32) -> Self {
        self.with(|o| o.max_attempts(attempts))
    }

    /// This call's retry classifier, instead of the client's; see
    /// [`CallOptions::retry_if`].
    pub fn retry_if(self, classifier: impl Fn(&RetryFailure<'_>) -> bool + Send + Sync + 'static) -> Self {
        self.with(|o| o.retry_if(classifier))
    }

    /// This call's limit for one attempt.
    pub fn attempt_timeout(self, timeout: Duration) -> Self {
        self.with(|o| o.attempt_timeout(timeout))
    }

    /// This call's limit, retries and backoff included.
    pub fn total_timeout(self, timeout: Duration) -> Self {
        self.with(|o| o.total_timeout(timeout))
    }
}

impl<O> fmt::Debug for Sending<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Ready(_) => "ready",
            State::Calling(_) => "calling",
            State::Failed(_) => "failed to build",
        };
        f.debug_struct("Sending").field("action", &std::any::type_name::<O>()).field("state", &state).finish()
    }
}

impl<O: Operation> Future for Sending<O> {
    type Output = Result<O::Output, SdkError<O::Error>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let answer = match this.state.calling() {
            Some(call) => std::task::ready!(call.as_mut().poll(cx)),
            None => {
                let State::Failed(e) = &mut this.state else { unreachable!("a call that started is calling") };
                let e = e.take().expect("a failed `Sending` is polled after it completed");
                return Poll::Ready(Err(SdkError::Build(e)));
            }
        };
        Poll::Ready(match answer {
            Ok(answer) => {
                O::Output::decode(&answer.node).map_err(|e| SdkError::Response(Client::undecodable(&answer, e)))
            }
            Err(CallError::Service(e)) => Err(SdkError::Service(O::Error::from_service_error(e))),
            Err(CallError::Other(e)) => Err(e.retype()),
        })
    }
}

/// The future of [`Client::dry_run`]: `Ok(())` when the request would have
/// succeeded, else the call's error. `Send` and `Unpin`, and lazy like
/// [`Sending`].
#[must_use = "a dry run is sent only when awaited"]
#[derive(Debug)]
pub struct DryRunning<O>(Sending<O>);

impl<O> DryRunning<O> {
    /// Uses `options` for this dry run; see [`Sending::options`].
    pub fn options(self, options: CallOptions) -> Self {
        DryRunning(self.0.options(options))
    }
}

impl<O: Operation> Future for DryRunning<O> {
    type Output = Result<(), SdkError<O::Error>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Poll::Ready(match std::task::ready!(Pin::new(&mut self.0).poll(cx)) {
            // A service that ignores the flag and acts: the call succeeded.
            Ok(_) => Ok(()),
            Err(e) if e.is_dry_run_passed() => Ok(()),
            Err(e) => Err(e),
        })
    }
}

/// A successful answer, parsed but not yet read as the action's output.
struct Answer {
    status: u16,
    body: Vec<u8>,
    node: Node,
    /// What signed the request, for masking its secrets in errors.
    identity: Option<Arc<SigningIdentity>>,
    /// The call's own masks, when it has sensitive parameters.
    masks: Option<Redactor>,
}

/// What the action-independent part of a call needs to know about it.
/// Everything below `send` works on this, so that it is compiled once in
/// this crate instead of once per action in every generated crate.
#[derive(Debug, Clone, Copy)]
struct CallSpec {
    action: &'static str,
    version: &'static str,
    retry_safe: bool,
    response_has_code: bool,
    /// Top-level parameters that travel in the form body (V3; V1 sends
    /// everything there).
    body_params: &'static [&'static str],
    sensitive: &'static [&'static str],
}

impl CallSpec {
    fn of<O: Operation>() -> Self {
        CallSpec {
            action: O::ACTION,
            version: O::VERSION,
            retry_safe: O::READ_ONLY || O::IDEMPOTENCY_TOKEN.is_some(),
            response_has_code: O::RESPONSE_HAS_CODE,
            body_params: O::BODY_PARAMS,
            sensitive: O::SENSITIVE,
        }
    }
}

/// How a call failed, before the service error is typed for the action.
enum CallError {
    Service(ServiceError),
    Other(SdkError<std::convert::Infallible>),
}

/// What one attempt came to.
enum Attempt {
    Done(Answer),
    Service(ServiceError),
    Transport(reqwest::Error),
    TimedOut,
    Response(ResponseError),
    /// No credentials to sign with. The cache has its own backoff, so the
    /// call does not retry.
    Credentials(CredentialsError),
}

impl Attempt {
    /// The failure, as a retry classifier sees it; `None` for a success or
    /// a failure no retry can mend (no credentials).
    fn failure(&self) -> Option<RetryFailure<'_>> {
        match self {
            Attempt::Done(_) | Attempt::Credentials(_) => None,
            // A refused connection sent nothing; any later failure may have.
            Attempt::Transport(e) => Some(RetryFailure::Transport { sent: !e.is_connect() }),
            Attempt::TimedOut => Some(RetryFailure::Timeout),
            Attempt::Service(e) => Some(RetryFailure::Service { status: e.status(), code: e.code() }),
            Attempt::Response(r) => Some(RetryFailure::Response { status: r.status }),
        }
    }

    /// What went wrong, for the retry log line: kinds, statuses and codes
    /// only, nothing the service or a proxy wrote.
    fn describe(&self) -> String {
        match self {
            Attempt::Done(_) => "done".to_owned(),
            Attempt::Service(e) => format!("HTTP {} {}", e.status(), e.code()),
            Attempt::Transport(_) => "the connection failed".to_owned(),
            Attempt::TimedOut => "the attempt timed out".to_owned(),
            Attempt::Response(r) => format!("HTTP {} with an unexpected body", r.status),
            Attempt::Credentials(_) => "no credentials".to_owned(),
        }
    }
}

impl Client {
    /// The region requests are sent for.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// Where requests go: the endpoint given to the builder, else the
    /// region's published endpoint, else the product's template.
    pub fn endpoint(&self) -> &str {
        self.inner.url.as_str()
    }

    /// Calls one action. Retries (with a fresh signature each time) only when
    /// the action is read-only or idempotent through a client token; an empty
    /// token is filled once here and reused by every retry, which is what
    /// keeps a retried create from making two resources.
    ///
    /// The parameters are encoded (and the token drawn) now; nothing is sent
    /// until the returned future is awaited.
    pub fn send<O: Operation>(&self, operation: &O) -> Sending<O> {
        self.start(self.call_params(operation), CallSpec::of::<O>())
    }

    /// `wire_params`, with the client's region where the request names
    /// none: one rule for every call (waiters and page streams included).
    fn call_params<O: Operation>(&self, operation: &O) -> Params {
        let mut params = Self::wire_params(operation);
        if let Some(name) = O::CLIENT_REGION {
            if params.get(name).is_none() {
                params.push(name, self.inner.region.as_str());
            }
        }
        params
    }

    /// `send` for a request that may have failed to build: generated
    /// builders call this, so their `send` is a plain function too.
    #[doc(hidden)]
    pub fn send_built<O: Operation>(&self, operation: Result<O, BuildError>) -> Sending<O> {
        match operation {
            Ok(operation) => self.send(&operation),
            Err(e) => Sending { state: State::Failed(Some(e)), action: PhantomData },
        }
    }

    /// Checks a request without acting on it: sends it with `DryRun=true`
    /// and resolves to `Ok(())` when the service says the call would have
    /// succeeded (code `DryRunOperation`), and to the error otherwise (a
    /// missing permission, a bad parameter, a wrong state), typed as for a
    /// real call. A dry run changes nothing, so it is retried like a read.
    pub fn dry_run<O: DryRunnable>(&self, operation: &O) -> DryRunning<O> {
        let mut params = self.call_params(operation);
        params.remove("DryRun");
        params.push("DryRun", "true");
        let spec = CallSpec { retry_safe: true, ..CallSpec::of::<O>() };
        DryRunning(self.start(params, spec))
    }

    fn start<O>(&self, params: Params, spec: CallSpec) -> Sending<O> {
        // A handle of its own, so that the future outlives the borrow.
        let call = Call { client: self.clone(), spec, params, options: CallOptions::default() };
        Sending { state: State::Ready(Box::new(call)), action: PhantomData }
    }

    /// A successful answer whose body is not the action's response.
    fn undecodable(answer: &Answer, error: crate::DecodeError) -> ResponseError {
        let reason = "the body does not match the action's response";
        let masks = answer.masks.as_ref().unwrap_or_else(|| Redactor::of(answer.identity.as_deref()));
        masks.response(answer.status, reason, &answer.body, Some(error))
    }

    /// The parameters a call sends: `Action`, `Version`, the action's own,
    /// and the idempotency token, filled with a fresh UUID when empty. Made
    /// once per call, so that every retry carries the same token.
    ///
    /// Public for benchmarks; `send` uses exactly this.
    #[doc(hidden)]
    pub fn wire_params<O: Operation>(operation: &O) -> Params {
        let mut params = operation.to_params();
        if let Some(token) = O::IDEMPOTENCY_TOKEN {
            if params.get(token).is_none_or(str::is_empty) {
                params.remove(token);
                params.push(token, random::uuid_v4().to_string());
            }
        }
        params
    }

    /// Signs one attempt of a call (with a fresh nonce and timestamp) and
    /// encodes it for the wire.
    ///
    /// Public for benchmarks; each attempt of `send` is exactly this, then
    /// the network.
    ///
    /// Signs with the credentials cached now (fixed credentials always
    /// are), without fetching; unsigned when there are none.
    #[doc(hidden)]
    pub fn sign<O: Operation>(&self, params: &Params) -> SignedRequest {
        let identity = match &self.inner.auth {
            Auth::Signed(cache) => cache.cached(),
            Auth::Anonymous => None,
        };
        self.sign_call(identity.as_deref(), CallSpec::of::<O>(), params)
    }

    /// The credentials cache the client signs with; `None` for an anonymous client.
    pub fn credentials_cache(&self) -> Option<&CredentialsCache> {
        match &self.inner.auth {
            Auth::Signed(cache) => Some(cache),
            Auth::Anonymous => None,
        }
    }

    fn sign_call(&self, identity: Option<&SigningIdentity>, spec: CallSpec, params: &Params) -> SignedRequest {
        self.sign_at(identity, spec, params, &Moment::now(), None)
    }

    /// Signs with this nonce and timestamp. With `keep`, also writes there
    /// what was signed (the V1 string to sign, the V3 canonical request),
    /// to explain a signature the service refused.
    fn sign_at(
        &self,
        identity: Option<&SigningIdentity>,
        spec: CallSpec,
        params: &Params,
        moment: &Moment,
        keep: Option<&mut Vec<u8>>,
    ) -> SignedRequest {
        let stamp = moment.stamp();
        let Some(identity) = identity else { return Self::unsigned(params, stamp) };
        match self.inner.signature {
            SignatureVersion::V1 => {
                let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
                let nonce = moment.nonce.hyphenated().encode_lower(&mut text);
                self.sign_v1(identity, params, nonce, stamp, keep)
            }
            SignatureVersion::V3 => {
                let mut text = [0u8; uuid::fmt::Simple::LENGTH];
                let nonce = moment.nonce.simple().encode_lower(&mut text);
                self.sign_v3(identity, spec, params, nonce, stamp, keep)
            }
        }
    }

    /// What the client signed in an attempt the service answered with
    /// `SignatureDoesNotMatch`: signed again with the attempt's nonce and
    /// timestamp, so exactly the same text, with `masks` applied (an STS
    /// token, sensitive parameters). Made only on that error.
    fn signed_text(
        &self,
        identity: &SigningIdentity,
        spec: CallSpec,
        params: &Params,
        moment: &Moment,
        masks: &Redactor,
    ) -> crate::signature_mismatch::Signed {
        let mut kept = Vec::new();
        self.sign_at(Some(identity), spec, params, moment, Some(&mut kept));
        let kept = String::from_utf8_lossy(&kept);
        match self.inner.signature {
            SignatureVersion::V1 => crate::signature_mismatch::Signed::v1(masks.scrub(&kept)),
            SignatureVersion::V3 => {
                let string_to_sign = format!("{}\n{}", signing::V3_ALGORITHM, signing::sha256_hex(kept.as_bytes()));
                crate::signature_mismatch::Signed::v3(string_to_sign, masks.scrub(&kept))
            }
        }
    }

    /// An anonymous request: the parameters, `Format` and `Timestamp` in a
    /// form body, and no key or signature.
    fn unsigned(params: &Params, stamp: &str) -> SignedRequest {
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
        pairs.extend(params.iter());
        pairs.extend([("Format", "JSON"), ("Timestamp", stamp)]);
        let mut body = Vec::new();
        signing::write_canonical_query(&mut pairs, &mut body);
        SignedRequest {
            query: String::new(),
            headers: vec![
                ("content-type", Cow::Borrowed("application/x-www-form-urlencoded")),
                ("accept", Cow::Borrowed("application/json")),
            ],
            body: signing::ascii(body),
        }
    }

    /// The whole call, retries included, inside its tracing span.
    async fn call(&self, spec: CallSpec, params: &Params, options: &CallOptions) -> Result<Answer, CallError> {
        let span = tracing::info_span!(
            "aliyun.call",
            "rpc.system" = "aliyun",
            "rpc.method" = spec.action,
            "aliyun.attempts" = tracing::field::Empty,
            "http.response.status_code" = tracing::field::Empty,
            "aliyun.request_id" = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.attempts(spec, params, options).instrument(span).await
    }

    async fn attempts(&self, spec: CallSpec, params: &Params, options: &CallOptions) -> Result<Answer, CallError> {
        let inner = &self.inner;
        // This call's settings: its own where it has them, else the client's.
        let mut retry = options.retry.unwrap_or(inner.retry);
        if let Some(max) = options.max_attempts {
            retry.max_attempts = max;
        }
        let retry_if = options.retry_if.as_ref().unwrap_or(&inner.retry_if);
        let attempt_timeout = options.attempt_timeout.unwrap_or(inner.attempt_timeout);
        let start = Instant::now();
        let deadline = start + options.total_timeout.unwrap_or(inner.total_timeout);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            let limit = attempt_timeout.min(remaining);
            let outcome = tokio::time::timeout(limit, self.attempt(spec, params)).await.unwrap_or(Attempt::TimedOut);
            let span = tracing::Span::current();
            span.record("aliyun.attempts", attempts);
            span.record("latency_ms", start.elapsed().as_millis() as u64);
            let failure = outcome.failure();
            // Safe to repeat: nothing can be duplicated, or nothing was sent.
            let safe = spec.retry_safe || matches!(failure, Some(RetryFailure::Transport { sent: false }));
            let allowed = safe && failure.as_ref().is_some_and(|f| retry_if(f)) && attempts < retry.max_attempts.max(1);
            let delay = retry.delay(attempts + 1);
            let fits = Instant::now() + delay < deadline;
            let cost = if matches!(failure, Some(RetryFailure::Timeout)) { 10 } else { 5 };
            if matches!(outcome, Attempt::Done(_)) {
                inner.retry_budget.refund();
            }
            if allowed && fits && !inner.retry_budget.try_spend(cost) {
                tracing::warn!(
                    reason = outcome.describe(),
                    "attempt failed; the retry budget is spent, so not retrying"
                );
            } else if allowed && fits {
                tracing::warn!(
                    attempt = attempts,
                    delay_ms = delay.as_millis() as u64,
                    reason = outcome.describe(),
                    "attempt failed; retrying"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            // The total limit is what ended the call when it cut this attempt
            // short, or when a retry was allowed but would not fit before it.
            let ran_out = limit < attempt_timeout || (allowed && !fits);
            return match outcome {
                Attempt::Done(output) => Ok(output),
                Attempt::Service(e) => {
                    if let Some(id) = e.request_id() {
                        span.record("aliyun.request_id", id);
                    }
                    tracing::debug!(code = e.code(), "service error");
                    Err(CallError::Service(e))
                }
                Attempt::Transport(e) => {
                    Err(CallError::Other(SdkError::Transport(TransportError { attempts, source: e })))
                }
                Attempt::TimedOut => Err(CallError::Other(SdkError::Timeout(TimeoutError {
                    kind: if ran_out { TimeoutKind::Total } else { TimeoutKind::Attempt },
                    attempts,
                    elapsed: start.elapsed(),
                }))),
                Attempt::Response(e) => Err(CallError::Other(SdkError::Response(e))),
                Attempt::Credentials(e) => Err(CallError::Other(SdkError::Credentials(e))),
            };
        }
    }

    /// One signed HTTP exchange.
    async fn attempt(&self, spec: CallSpec, params: &Params) -> Attempt {
        let identity = match &self.inner.auth {
            Auth::Signed(cache) => match cache.get().await {
                Ok(identity) => Some(identity),
                Err(e) => return Attempt::Credentials(e),
            },
            Auth::Anonymous => None,
        };
        let moment = Moment::now();
        let signed = self.sign_at(identity.as_deref(), spec, params, &moment, None);
        let mut url = self.inner.url.clone();
        if !signed.query.is_empty() {
            url.set_query(Some(&signed.query));
        }
        let mut request = self.inner.http.post(url).header("user-agent", &self.inner.user_agent);
        for (name, value) in signed.headers {
            request = request.header(name, value.as_ref());
        }
        if !signed.body.is_empty() {
            request = request.body(signed.body);
        }
        // Held until the body is read: the connection is busy until then.
        let Ok(_slot) = self.inner.slots.acquire().await else { unreachable!("the semaphore is never closed") };
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return Attempt::Transport(e.without_url()),
        };
        let status = response.status().as_u16();
        tracing::Span::current().record("http.response.status_code", status);
        let masks = Redactor::for_call(identity.as_deref(), spec, params);
        let redactor = masks.as_ref();
        let body = match read_body(response, self.inner.max_body_bytes).await {
            Ok(body) => body,
            Err(BodyError::Transport(e)) => return Attempt::Transport(e),
            Err(BodyError::TooLarge { start }) => {
                let reason = format!("the body is larger than {} bytes", self.inner.max_body_bytes);
                return Attempt::Response(redactor.response(status, reason, &start, None));
            }
        };
        match interpret(status, body, spec.response_has_code, redactor) {
            Attempt::Service(e) => {
                let e = redactor.service(e);
                match identity.as_deref() {
                    // What the client signed, beside what the server did.
                    Some(identity) if e.code() == crate::signature_mismatch::CODE => {
                        let signed = self.signed_text(identity, spec, params, &moment, redactor);
                        Attempt::Service(e.with_client_signed(signed))
                    }
                    _ => Attempt::Service(e),
                }
            }
            Attempt::Done(answer) => {
                let masks = match masks {
                    Cow::Owned(masks) => Some(masks),
                    Cow::Borrowed(_) => None,
                };
                Attempt::Done(Answer { identity, masks, ..answer })
            }
            other => other,
        }
    }

    /// RPC signature: everything in a form-encoded POST body, so that no
    /// credential ever appears in a URL (and so in an error message or log).
    fn sign_v1(
        &self,
        identity: &SigningIdentity,
        params: &Params,
        nonce: &str,
        stamp: &str,
        keep: Option<&mut Vec<u8>>,
    ) -> SignedRequest {
        let credentials = identity.credentials();
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 7);
        pairs.extend(params.iter());
        pairs.extend([
            ("Format", "JSON"),
            ("AccessKeyId", credentials.access_key_id()),
            ("SignatureMethod", "HMAC-SHA1"),
            ("SignatureVersion", "1.0"),
            ("SignatureNonce", nonce),
            ("Timestamp", stamp),
        ]);
        if let Some(token) = credentials.security_token() {
            pairs.push(("SecurityToken", token.expose()));
        }
        let size = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() * 5 / 4 + 48;
        let (mut body, mut string_to_sign) = (Vec::with_capacity(size), Vec::with_capacity(size * 5 / 4));
        signing::write_rpc_query("POST", &mut pairs, &mut body, &mut string_to_sign);
        if let Some(keep) = keep {
            keep.extend_from_slice(&string_to_sign);
        }
        let mut signature = [0u8; 28];
        let signature = identity.key.rpc_signature(&string_to_sign, &mut signature);
        body.extend_from_slice(b"&Signature=");
        signing::push_encoded(&mut body, signature);
        let body = signing::ascii(body);
        SignedRequest {
            query: String::new(),
            headers: vec![
                ("content-type", Cow::Borrowed("application/x-www-form-urlencoded")),
                ("accept", Cow::Borrowed("application/json")),
            ],
            body,
        }
    }

    /// `ACS3-HMAC-SHA256`: action and version in signed headers, parameters
    /// in the query string, except those the action sends in the form body,
    /// whose SHA-256 is signed.
    fn sign_v3(
        &self,
        identity: &SigningIdentity,
        spec: CallSpec,
        params: &Params,
        nonce: &str,
        stamp: &str,
        keep: Option<&mut Vec<u8>>,
    ) -> SignedRequest {
        let (action, version) = (spec.action, spec.version);
        let in_body = |name: &str| {
            spec.body_params
                .iter()
                .any(|b| name.strip_prefix(b).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')))
        };
        type Pairs<'a> = Vec<(&'a str, &'a str)>;
        let (mut body_pairs, mut pairs): (Pairs<'_>, Pairs<'_>) =
            params.iter().filter(|(k, _)| *k != "Action" && *k != "Version").partition(|(k, _)| in_body(k));
        let mut query = Vec::with_capacity(pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() * 5 / 4);
        signing::write_canonical_query(&mut pairs, &mut query);
        let query = signing::ascii(query);
        let (body, content_sha256) = if body_pairs.is_empty() {
            (String::new(), Cow::Borrowed(signing::EMPTY_SHA256))
        } else {
            let mut body = Vec::new();
            signing::write_canonical_query(&mut body_pairs, &mut body);
            let body = signing::ascii(body);
            let sha = signing::sha256_hex(body.as_bytes());
            (body, Cow::Owned(sha))
        };
        let credentials = identity.credentials();
        let token = credentials.security_token().map(|t| t.expose().trim());
        // Sorted by name, as the canonical request wants them.
        let mut signed: [(&str, &str); 7] = [
            ("host", &self.inner.host),
            ("x-acs-action", action),
            ("x-acs-content-sha256", &content_sha256),
            ("x-acs-date", stamp),
            ("x-acs-security-token", token.unwrap_or_default()),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", version),
        ];
        let signed: &[(&str, &str)] = if token.is_some() {
            &signed
        } else {
            signed.copy_within(5.., 4);
            &signed[..6]
        };
        if let Some(keep) = keep {
            signing::write_v3_canonical_request(&query, signed, &content_sha256, |b| keep.extend_from_slice(b));
        }
        let authorization = identity.key.v3_authorization(credentials.access_key_id(), &query, signed, &content_sha256);
        let mut headers = Vec::with_capacity(8);
        headers.push(("authorization", Cow::Owned(authorization)));
        headers.push(("accept", Cow::Borrowed("application/json")));
        headers.push(("x-acs-action", Cow::Borrowed(action)));
        headers.push(("x-acs-version", Cow::Borrowed(version)));
        headers.push(("x-acs-date", Cow::Owned(stamp.to_owned())));
        headers.push(("x-acs-signature-nonce", Cow::Owned(nonce.to_owned())));
        if !body.is_empty() {
            headers.push(("content-type", Cow::Borrowed("application/x-www-form-urlencoded")));
        }
        headers.push(("x-acs-content-sha256", content_sha256.clone()));
        if let Some(token) = token {
            headers.push(("x-acs-security-token", Cow::Owned(token.to_owned())));
        }
        // `host` is signed but not listed: the HTTP client sends it from the URL.
        SignedRequest { query, headers, body }
    }
}

/// The nonce and timestamp of one attempt: fresh for each, and kept until
/// its answer, to explain a signature the service refused.
struct Moment {
    nonce: uuid::Uuid,
    stamp: [u8; signing::TIMESTAMP_LEN],
}

impl Moment {
    fn now() -> Self {
        let mut stamp = [0u8; signing::TIMESTAMP_LEN];
        signing::timestamp(&mut stamp, time::OffsetDateTime::now_utc());
        Moment { nonce: random::uuid_v4(), stamp }
    }

    fn stamp(&self) -> &str {
        std::str::from_utf8(&self.stamp).expect("a timestamp is ASCII")
    }
}

/// One attempt's request, signed and encoded: everything that goes on the
/// wire but the host, which the HTTP client takes from the endpoint. It
/// holds the STS token when there is one, so it has no `Debug`.
#[doc(hidden)]
pub struct SignedRequest {
    /// The query string, without `?`; empty when there is none (V1).
    pub query: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    /// The form-encoded body (V1); empty for V3.
    pub body: String,
}

/// Removes the STS token (and, for safety, the secret) from what the service
/// sent back before it reaches an error: a proxy page or an error message
/// may quote the request, and the V1 body carries the token, percent-encoded.
#[derive(Clone)]
pub(crate) struct Redactor {
    needles: Vec<String>,
}

/// What an anonymous request has to mask: nothing.
static NO_SECRETS: Redactor = Redactor { needles: Vec::new() };

impl Redactor {
    const MASK: &'static str = "***";

    /// The masks of whatever signed a request.
    fn of(identity: Option<&SigningIdentity>) -> &Redactor {
        identity.map_or(&NO_SECRETS, |i| &i.redactor)
    }

    pub(crate) fn new(credentials: &Credentials) -> Self {
        let token = credentials.security_token().map(Secret::expose);
        Self::of_secrets(std::iter::once(credentials.access_key_secret().expose()).chain(token))
    }

    /// The masks of a call: its credentials', and the values of the
    /// parameters the spec marks sensitive. Made per attempt only for
    /// actions that have such parameters.
    fn for_call<'a>(identity: Option<&'a SigningIdentity>, spec: CallSpec, params: &Params) -> Cow<'a, Redactor> {
        let base = Redactor::of(identity);
        if spec.sensitive.is_empty() {
            return Cow::Borrowed(base);
        }
        let values = params.iter().filter(|(k, _)| spec.sensitive.contains(k)).map(|(_, v)| v);
        let mut redactor = Self::of_secrets(values);
        redactor.needles.extend(base.needles.iter().cloned());
        redactor.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Cow::Owned(redactor)
    }

    fn of_secrets<'s>(secrets: impl IntoIterator<Item = &'s str>) -> Self {
        let mut needles = Vec::new();
        // Raw, encoded once (a V1 body), and encoded twice (a V1 string to
        // sign, which Alibaba quotes in `SignatureDoesNotMatch` messages).
        let mut add = |secret: &str| {
            if !secret.is_empty() {
                let once = signing::percent_encode(secret);
                let twice = signing::percent_encode(&once);
                for form in [twice, once, secret.to_owned()] {
                    if !needles.contains(&form) {
                        needles.push(form);
                    }
                }
            }
        };
        secrets.into_iter().for_each(&mut add);
        // Longest first, so that a secret inside another is not half-masked.
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Redactor { needles }
    }

    fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for needle in &self.needles {
            if text.contains(needle.as_str()) {
                text = text.replace(needle.as_str(), Self::MASK);
            }
        }
        text
    }

    /// A response error whose excerpt of `body` is redacted. Redacts before
    /// the excerpt is cut, so that a secret straddling the cut is not left
    /// half shown.
    fn response(
        &self,
        status: u16,
        reason: impl Into<String>,
        body: &[u8],
        source: Option<crate::DecodeError>,
    ) -> ResponseError {
        let longest = self.needles.first().map_or(0, String::len);
        let head = String::from_utf8_lossy(body);
        let head: String = head.chars().take(sdk_error::EXCERPT_CHARS + longest).collect();
        let excerpt = sdk_error::excerpt(self.scrub(&head).as_bytes());
        ResponseError { status, reason: reason.into(), excerpt, source }
    }

    fn service(&self, error: ServiceError) -> ServiceError {
        let message = self.scrub(error.message());
        if message == error.message() { error } else { error.with_message(message) }
    }
}

enum BodyError {
    Transport(reqwest::Error),
    /// Over the limit; `start` is what arrived first, for the excerpt.
    TooLarge {
        start: Vec<u8>,
    },
}

async fn read_body(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| BodyError::Transport(e.without_url()))? {
        if body.len() + chunk.len() > limit {
            body.extend_from_slice(&chunk[..chunk.len().min(1024)]);
            return Err(BodyError::TooLarge { start: body });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Reads a body as an answer to decode, or as an error.
/// `redactor` masks credentials in an error's excerpt of the body.
fn interpret(status: u16, body: Vec<u8>, response_has_code: bool, redactor: &Redactor) -> Attempt {
    let unreadable = |reason: &str, e| Attempt::Response(redactor.response(status, reason, &body, Some(e)));
    if !(200..300).contains(&status) {
        return match ServiceError::parse(status, &body) {
            Ok(e) => Attempt::Service(e),
            Err(e) => unreadable("the body is not an Alibaba Cloud error", e),
        };
    }
    let node = match Node::parse(&body) {
        Ok(node) => node,
        Err(e) => return unreadable("the body cannot be parsed", e),
    };
    if let Node::Map(fields) = &node {
        if let Some((_, Node::Str(id))) = fields.iter().find(|(k, _)| k == "RequestId") {
            tracing::Span::current().record("aliyun.request_id", id.as_str());
        }
        // Some gateways answer 200 with an error body; an action whose
        // response declares `Code` is read normally.
        let has_code = fields.iter().any(|(k, v)| k == "Code" && matches!(v, Node::Str(s) if !s.is_empty()));
        if has_code && !response_has_code {
            if let Ok(e) = ServiceError::from_node(status, &node) {
                return Attempt::Service(e);
            }
        }
    }
    Attempt::Done(Answer { status, body, node, identity: None, masks: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::{V3Input, sign_rpc, sign_v3};

    /// An action whose parameters the test chooses.
    struct Probe(Vec<(&'static str, &'static str)>);

    #[derive(Debug)]
    struct ProbeError(ServiceError);

    impl fmt::Display for ProbeError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt(f)
        }
    }

    impl std::error::Error for ProbeError {}

    impl OperationError for ProbeError {
        fn from_service_error(err: ServiceError) -> Self {
            ProbeError(err)
        }
        fn service_error(&self) -> &ServiceError {
            &self.0
        }
    }

    impl Operation for Probe {
        const ACTION: &'static str = "ProbeThings";
        const VERSION: &'static str = "2020-01-01";
        const READ_ONLY: bool = true;
        const IDEMPOTENCY_TOKEN: Option<&'static str> = None;
        type Output = String;
        type Error = ProbeError;
        fn encode(&self, params: &mut Params) {
            self.0.iter().for_each(|(k, v)| params.push(*k, *v));
        }
    }

    const SECRET: &str = "probe-secret";

    fn client(version: SignatureVersion, token: Option<&str>) -> Client {
        let mut credentials = Credentials::new("probe-id", SECRET);
        if let Some(token) = token {
            credentials = credentials.with_security_token(token);
        }
        ClientBuilder::<Client>::new("probe.{region}.example.com")
            .region("cn-shanghai")
            .credentials(credentials)
            .signature_version(version)
            .build()
            .unwrap()
    }

    fn probe() -> Params {
        Client::wire_params(&Probe(vec![
            ("Tag.2.Key", "b"),
            ("Tag.10.Key", "a"),
            ("Name", "a b*c~d+e/f=g&h"),
            ("Empty", ""),
            ("Text", "中文 😀"),
        ]))
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    /// The client's allocation-light V1 path gives exactly what the
    /// reference implementation in `signing` gives for the same input.
    #[test]
    fn the_v1_fast_path_matches_the_reference_signer() {
        for token in [None, Some("sts/token+=&")] {
            let client = client(SignatureVersion::V1, token);
            let params = probe();
            let identity = client.credentials_cache().unwrap().cached().unwrap();
            let mut kept = Vec::new();
            let signed = client.sign_v1(&identity, &params, "nonce-1", "2024-01-02T03:04:05Z", Some(&mut kept));
            let mut all: Vec<(String, String)> = params.iter().map(|(k, v)| (k.into(), v.into())).collect();
            all.extend(owned(&[
                ("Format", "JSON"),
                ("AccessKeyId", "probe-id"),
                ("SignatureMethod", "HMAC-SHA1"),
                ("SignatureVersion", "1.0"),
                ("SignatureNonce", "nonce-1"),
                ("Timestamp", "2024-01-02T03:04:05Z"),
            ]));
            if let Some(token) = token {
                all.push(("SecurityToken".into(), token.into()));
            }
            let reference = sign_rpc("POST", &all, SECRET);
            let expected =
                format!("{}&Signature={}", reference.canonical_query, signing::percent_encode(&reference.signature));
            assert_eq!(signed.body, expected);
            assert!(signed.query.is_empty());
            // What a `SignatureDoesNotMatch` is explained with is what was signed.
            assert_eq!(String::from_utf8(kept).unwrap(), reference.string_to_sign);
        }
    }

    #[test]
    fn the_v3_fast_path_matches_the_reference_signer() {
        for token in [None, Some("  sts-token-with-spaces  ")] {
            let client = client(SignatureVersion::V3, token);
            let params = probe();
            let identity = client.credentials_cache().unwrap().cached().unwrap();
            let mut kept = Vec::new();
            let signed = client.sign_v3(
                &identity,
                CallSpec::of::<Probe>(),
                &params,
                "0123456789abcdef0123456789abcdef",
                "2024-01-02T03:04:05Z",
                Some(&mut kept),
            );
            let query: Vec<(String, String)> = params
                .iter()
                .filter(|(k, _)| *k != "Action" && *k != "Version")
                .map(|(k, v)| (k.into(), v.into()))
                .collect();
            let mut headers = owned(&[
                ("host", "probe.cn-shanghai.example.com"),
                ("x-acs-action", "ProbeThings"),
                ("x-acs-version", "2020-01-01"),
                ("x-acs-date", "2024-01-02T03:04:05Z"),
                ("x-acs-signature-nonce", "0123456789abcdef0123456789abcdef"),
                ("x-acs-content-sha256", &signing::sha256_hex(b"")),
            ]);
            if let Some(token) = token {
                headers.push(("x-acs-security-token".into(), token.into()));
            }
            let input = V3Input { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
            let reference = sign_v3(&input, "probe-id", SECRET);
            let sent: std::collections::HashMap<&str, &str> =
                signed.headers.iter().map(|(k, v)| (*k, v.as_ref())).collect();
            assert_eq!(sent["authorization"], reference.authorization);
            assert_eq!(String::from_utf8(kept).unwrap(), reference.canonical_request);
            assert_eq!(signed.query, signing::canonical_query(&query));
            assert_eq!(sent.get("x-acs-security-token").copied(), token.map(str::trim));
            assert_eq!(sent["x-acs-signature-nonce"], "0123456789abcdef0123456789abcdef");
            assert!(signed.body.is_empty());
        }
    }

    #[test]
    fn each_attempt_gets_a_fresh_nonce_and_a_well_formed_timestamp() {
        let client = client(SignatureVersion::V1, None);
        let params = probe();
        let bodies: Vec<String> = (0..3).map(|_| client.sign::<Probe>(&params).body).collect();
        let nonces: std::collections::HashSet<&str> =
            bodies.iter().map(|b| b.split('&').find_map(|p| p.strip_prefix("SignatureNonce=")).unwrap()).collect();
        assert_eq!(nonces.len(), 3);
        assert!(nonces.iter().all(|n| uuid::Uuid::parse_str(n).is_ok_and(|u| u.get_version_num() == 4)));
        let mut buf = [0u8; signing::TIMESTAMP_LEN];
        let then = time::OffsetDateTime::from_unix_timestamp(1_456_231_584).unwrap();
        assert_eq!(signing::timestamp(&mut buf, then), "2016-02-23T12:46:24Z");
    }
}
