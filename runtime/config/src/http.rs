//! The providers that fetch credentials over plain HTTP: the ECS instance
//! metadata service and a credentials URI.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use aliyun_runtime::Credentials;
use aliyun_runtime::credentials::{CredentialsError, ProvideCredentials, ProvideFuture};
use serde_json::Value;

use crate::Env;
use crate::vars::{CREDENTIALS_URI, ECS_METADATA, ECS_METADATA_DISABLED, IMDS_ENDPOINT, IMDSV1_DISABLED};

/// The metadata service's address on every ECS instance.
pub const DEFAULT_IMDS_ENDPOINT: &str = "http://100.100.100.200";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/";
/// The header that asks for an IMDSv2 session token, and its lifetime in seconds.
const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
const TOKEN_TTL_SECONDS: &str = "21600";
/// The header that carries the session token on later requests.
const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";

fn http(timeout: Duration) -> Result<reqwest::Client, CredentialsError> {
    aliyun_runtime::http_client(timeout).map_err(|e| CredentialsError::invalid(e.to_string()))
}

/// An answer's body, as text, or why there was none. The URL is the
/// provider's own setting, so naming it is safe.
async fn get_text(
    request: reqwest::RequestBuilder,
    what: &str,
    limit: usize,
) -> Result<(u16, String), CredentialsError> {
    let response = request.send().await.map_err(|e| {
        let e = e.without_url();
        let cause = std::error::Error::source(&e).map(|c| format!(": {c}")).unwrap_or_default();
        CredentialsError::unavailable(format!("{what}: no answer ({e}{cause})"))
    })?;
    let status = response.status().as_u16();
    let body = response
        .bytes()
        .await
        .map_err(|e| CredentialsError::unavailable(format!("{what}: the answer broke off ({})", e.without_url())))?;
    if body.len() > limit {
        return Err(CredentialsError::unavailable(format!("{what}: the answer is larger than {limit} bytes")));
    }
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// Reads the JSON both the metadata service and credentials URIs answer:
/// `AccessKeyId`, `AccessKeySecret`, `SecurityToken`, `Expiration`, and a
/// `Code` that must be `Success` when present. Errors name the field, never
/// a value.
fn read_session(what: &str, body: &str) -> Result<Credentials, CredentialsError> {
    let bad = |why: String| CredentialsError::unavailable(format!("{what}: {why}"));
    let json: Value = serde_json::from_str(body).map_err(|e| bad(format!("the answer is not JSON ({e})")))?;
    if let Some(code) = json.get("Code").and_then(Value::as_str) {
        if code != "Success" {
            return Err(bad(format!("the answer's Code is `{code}`, not `Success`")));
        }
    }
    let field = |name: &str| {
        json.get(name)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| bad(format!("the answer has no {name}")))
    };
    let (id, secret, token, expiration) =
        (field("AccessKeyId")?, field("AccessKeySecret")?, field("SecurityToken")?, field("Expiration")?);
    let expiry = aliyun_runtime::signing::parse_utc(expiration)
        .ok_or_else(|| bad(format!("the answer's Expiration `{expiration}` is not a UTC time")))?;
    Ok(Credentials::new(id, secret).with_security_token(token).with_expiry(expiry))
}

/// The RAM role of an ECS instance, from the instance metadata service.
///
/// Each fetch first asks for an IMDSv2 session token (`PUT
/// /latest/api/token`) and sends it with the later requests. When the
/// token cannot be had, the provider goes on without one (IMDSv1) unless
/// `ALIBABA_CLOUD_IMDSV1_DISABLED=true` (or [`EcsRoleProvider::imdsv1_disabled`]),
/// in which case that is an error. The role name is
/// `ALIBABA_CLOUD_ECS_METADATA`, or else asked of the service once and kept.
#[derive(Debug)]
pub struct EcsRoleProvider {
    endpoint: String,
    role_name: Option<String>,
    discovered: Mutex<Option<String>>,
    imdsv1_disabled: bool,
    http: reqwest::Client,
    timeout: Duration,
}

impl EcsRoleProvider {
    /// A provider for this role name (or discovery, with `None`) at the
    /// default endpoint.
    pub fn new(role_name: Option<String>) -> Result<Self, CredentialsError> {
        let timeout = Duration::from_secs(1);
        Ok(EcsRoleProvider {
            endpoint: DEFAULT_IMDS_ENDPOINT.to_owned(),
            role_name,
            discovered: Mutex::new(None),
            imdsv1_disabled: false,
            http: http(timeout)?,
            timeout,
        })
    }

    /// From `ALIBABA_CLOUD_ECS_METADATA` (the role name),
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED` and `ALIBABA_CLOUD_IMDS_ENDPOINT` (the
    /// service's address, default `http://100.100.100.200`). Not configured
    /// when `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`.
    pub fn from_env(env: &Env) -> Result<Self, CredentialsError> {
        if env.flag(ECS_METADATA_DISABLED) {
            return Err(CredentialsError::not_configured(format!("{ECS_METADATA_DISABLED} is true")));
        }
        let mut provider = Self::new(env.get(ECS_METADATA))?.imdsv1_disabled(env.flag(IMDSV1_DISABLED));
        if let Some(endpoint) = env.get(IMDS_ENDPOINT) {
            provider = provider.endpoint(endpoint);
        }
        Ok(provider)
    }

    /// Asks the metadata service at this base URL instead (`http://host:port`).
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into().trim_end_matches('/').to_owned();
        self
    }

    /// Refuses to go on without an IMDSv2 session token.
    pub fn imdsv1_disabled(mut self, disabled: bool) -> Self {
        self.imdsv1_disabled = disabled;
        self
    }

    /// Limit for each request to the service (default 1 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn session_token(&self) -> Result<Option<String>, CredentialsError> {
        let url = format!("{}{TOKEN_PATH}", self.endpoint);
        let request = self.http.put(&url).header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS).timeout(self.timeout);
        let failure = match get_text(request, "the metadata service's session token", 4096).await {
            Ok((200, token)) if !token.trim().is_empty() => return Ok(Some(token.trim().to_owned())),
            Ok((status, _)) => format!("PUT {url} answered HTTP {status}"),
            // Off ECS nothing answers: when no role name was given either,
            // this provider is not for this machine.
            Err(e) if self.role_name.is_none() => {
                return Err(CredentialsError::not_configured(format!("no metadata service at {}: {e}", self.endpoint)));
            }
            Err(e) => e.message().to_owned(),
        };
        if self.imdsv1_disabled {
            return Err(CredentialsError::unavailable(format!(
                "no IMDSv2 session token ({failure}), and {IMDSV1_DISABLED} forbids going on without one"
            )));
        }
        tracing::debug!(reason = failure, "no IMDSv2 session token; going on without one");
        Ok(None)
    }

    async fn get(&self, path: &str, token: Option<&str>, what: &str) -> Result<(u16, String), CredentialsError> {
        let mut request = self.http.get(format!("{}{path}", self.endpoint)).timeout(self.timeout);
        if let Some(token) = token {
            request = request.header(TOKEN_HEADER, token);
        }
        get_text(request, what, 64 << 10).await
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let token = self.session_token().await?;
        let role = match self.role_name.clone().or_else(|| self.discovered.lock().ok()?.clone()) {
            Some(role) => role,
            None => {
                let what = format!("the instance's RAM role name (set {ECS_METADATA} to skip this)");
                let role = match self.get(ROLE_PATH, token.as_deref(), &what).await {
                    Ok((200, body)) => body.lines().next().unwrap_or("").trim().to_owned(),
                    Ok((status, _)) => {
                        return Err(CredentialsError::unavailable(format!(
                            "{what}: HTTP {status}; does the instance have a RAM role?"
                        )));
                    }
                    Err(e) => {
                        return Err(CredentialsError::not_configured(format!(
                            "no metadata service at {}: {e}",
                            self.endpoint
                        )));
                    }
                };
                if role.is_empty() {
                    return Err(CredentialsError::invalid(format!(
                        "{what}: the answer is empty; attach a RAM role to the instance"
                    )));
                }
                if let Ok(mut kept) = self.discovered.lock() {
                    *kept = Some(role.clone());
                }
                role
            }
        };
        let what = format!("the metadata service's credentials of role `{role}`");
        match self.get(&format!("{ROLE_PATH}{role}"), token.as_deref(), &what).await? {
            (200, body) => read_session(&what, &body),
            (404, _) => Err(CredentialsError::rejected(format!(
                "{what}: HTTP 404; is `{role}` the role attached to this instance?"
            ))),
            (status, _) => Err(CredentialsError::unavailable(format!("{what}: HTTP {status}"))),
        }
    }
}

impl ProvideCredentials for EcsRoleProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        "ecs_ram_role"
    }
}

/// Credentials from a URL of your own (`ALIBABA_CLOUD_CREDENTIALS_URI`),
/// which answers a GET with JSON holding `AccessKeyId`, `AccessKeySecret`,
/// `SecurityToken` and `Expiration` (and `Code: Success`, when it sends a
/// code).
pub struct UriProvider {
    uri: String,
    http: reqwest::Client,
    timeout: Duration,
}

/// The host only: the URL's path or query may carry a secret of its own.
fn host_of(uri: &str) -> String {
    reqwest::Url::parse(uri).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default()
}

impl fmt::Debug for UriProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UriProvider").field("host", &host_of(&self.uri)).finish_non_exhaustive()
    }
}

impl UriProvider {
    /// Fetches from `uri`.
    pub fn new(uri: impl Into<String>) -> Result<Self, CredentialsError> {
        let uri = uri.into();
        reqwest::Url::parse(&uri)
            .map_err(|e| CredentialsError::invalid(format!("the credentials URI is not a URL ({e})")))?;
        let timeout = Duration::from_secs(5);
        Ok(UriProvider { uri, http: http(timeout)?, timeout })
    }

    /// From `ALIBABA_CLOUD_CREDENTIALS_URI`; not configured when it is unset.
    pub fn from_env(env: &Env) -> Result<Self, CredentialsError> {
        let uri = env
            .get(CREDENTIALS_URI)
            .ok_or_else(|| CredentialsError::not_configured(format!("{CREDENTIALS_URI} is not set")))?;
        Self::new(uri).map_err(|e| e.context(CREDENTIALS_URI))
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let what = format!("the credentials URI at {}", host_of(&self.uri));
        match get_text(self.http.get(&self.uri).timeout(self.timeout), &what, 64 << 10).await? {
            (200, body) => read_session(&what, &body),
            (status, _) => Err(CredentialsError::unavailable(format!("{what}: HTTP {status}"))),
        }
    }
}

impl ProvideCredentials for UriProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        "credentials_uri"
    }
}
