//! Who signs the requests: an AccessKey pair, optionally with an STS token
//! and an expiry time, and where such credentials come from.
//!
//! [`ProvideCredentials`] is what a source of credentials implements; the
//! client never calls one directly but through a [`CredentialsCache`], which
//! keeps the last credentials, refreshes them before they expire (once, for
//! every caller at the same time), and never hands out expired ones. The
//! providers that need the network (STS, the ECS metadata service, a
//! credentials URI) and Alibaba's default chain live in `aliyun-config`; the
//! static ones, the chain type and the cache are here.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

mod cache;
mod provide;

pub use cache::{Clock, CredentialsCache, RefreshSettings, SigningIdentity, SystemClock};
pub use provide::{ProvideCredentials, ProvideFuture, ProviderChain, SharedCredentialsProvider};

/// A secret string: usable, but never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// What `Debug` of a generated type shows in place of a field the spec
/// marks `sensitive`: `***`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Masked;

impl fmt::Debug for Masked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An AccessKey pair, and for temporary credentials an STS security token
/// and the time they expire.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
    expiry: Option<SystemTime>,
}

impl Credentials {
    /// A long-term AccessKey pair.
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
            expiry: None,
        }
    }

    /// Credentials that stop working at `expiry`: a cache refreshes them
    /// before then and never signs with them after.
    pub fn with_expiry(mut self, expiry: SystemTime) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// When these credentials stop working; `None` for a long-term key.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiry
    }

    /// Temporary credentials from STS: the token is sent (and signed) with every request.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    /// The AccessKey ID (not secret: it names the key).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The AccessKey secret.
    pub fn access_key_secret(&self) -> &Secret {
        &self.access_key_secret
    }

    /// The STS security token, for temporary credentials.
    pub fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("security_token", &self.security_token)
            .field("expiry", &self.expiry.map(crate::signing::format_utc))
            .finish()
    }
}

/// The AccessKey ID variable.
pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
/// The AccessKey secret variable.
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
/// The STS security token variable.
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
/// The region variable.
pub const ENV_REGION_ID: &str = "ALIBABA_CLOUD_REGION_ID";

/// What kind of failure a [`CredentialsError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The provider's source is not set up here (its variables are unset,
    /// its file does not exist): a chain moves on to its next provider.
    NotConfigured,
    /// The source is set up, but wrongly: a field is missing or malformed.
    /// A chain stops here, so that a broken setup is not silently passed over.
    Invalid,
    /// The source could not be reached, or answered with a failure
    /// (network trouble, throttling, a server error, an unreadable answer).
    /// Trying again later may work.
    Unavailable,
    /// The source refused (the role may not be assumed, the token is not
    /// valid, the key is disabled). Trying again will not help.
    Rejected,
    /// The last credentials expired and no fresh ones could be had.
    Expired,
}

/// Why credentials could not be found or read. The message names what was
/// missing or wrong, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    kind: ErrorKind,
    message: String,
}

impl CredentialsError {
    /// An error of `kind`; `message` must not hold a secret.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        CredentialsError { kind, message: message.into() }
    }

    /// The source is not set up: a chain tries its next provider.
    pub fn not_configured(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotConfigured, message)
    }

    /// The source is set up wrongly.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// The source could not be reached or failed; it may work later.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// The source refused.
    pub fn rejected(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Rejected, message)
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// What went wrong, without any secret.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `context: ` in front of its message.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CredentialsError {}

/// Credentials and region as found in the environment or a CLI profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The credentials.
    pub credentials: Credentials,
    /// The region set beside them, if any.
    pub region: Option<String>,
}

/// Reads Alibaba's standard variables. `Ok(None)` when no key id is set.
pub fn from_env_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Found>, CredentialsError> {
    let non_empty = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let Some(id) = non_empty(ENV_ACCESS_KEY_ID) else { return Ok(None) };
    let secret = non_empty(ENV_ACCESS_KEY_SECRET).ok_or_else(|| {
        CredentialsError::invalid(format!("{ENV_ACCESS_KEY_ID} is set but {ENV_ACCESS_KEY_SECRET} is not; set both"))
    })?;
    let mut credentials = Credentials::new(id, secret);
    if let Some(token) = non_empty(ENV_SECURITY_TOKEN) {
        credentials = credentials.with_security_token(token);
    }
    Ok(Some(Found { credentials, region: non_empty(ENV_REGION_ID) }))
}

/// The aliyun CLI's profile file, `~/.aliyun/config.json`.
pub fn cli_config_path() -> Option<PathBuf> {
    std::env::var_os("HOME").filter(|h| !h.is_empty()).map(|home| PathBuf::from(home).join(".aliyun/config.json"))
}

/// Reads the current profile of an aliyun CLI config file (`AK` and
/// `StsToken` modes). `Ok(None)` when the file does not exist.
pub fn from_cli_config(path: &Path) -> Result<Option<Found>, CredentialsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CredentialsError::invalid(format!("cannot read {}: {e}", path.display()))),
    };
    let bad = |what: String| CredentialsError::invalid(format!("{}: {what}", path.display()));
    let config: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(format!("not valid JSON ({e})")))?;
    let current = config.get("current").and_then(|v| v.as_str()).unwrap_or("default");
    let profile = config
        .get("profiles")
        .and_then(|p| p.as_array())
        .and_then(|profiles| profiles.iter().find(|p| p.get("name").and_then(|n| n.as_str()) == Some(current)))
        .ok_or_else(|| bad(format!("no profile named `{current}`")))?;
    let field = |name: &str| profile.get(name).and_then(|v| v.as_str()).filter(|v| !v.is_empty()).map(str::to_owned);
    let mode = field("mode").unwrap_or_else(|| "AK".to_owned());
    let id = field("access_key_id").ok_or_else(|| bad(format!("profile `{current}` has no access_key_id")))?;
    let secret =
        field("access_key_secret").ok_or_else(|| bad(format!("profile `{current}` has no access_key_secret")))?;
    let credentials = match mode.as_str() {
        "AK" => Credentials::new(id, secret),
        "StsToken" => Credentials::new(id, secret).with_security_token(
            field("sts_token")
                .ok_or_else(|| bad(format!("profile `{current}` is StsToken mode but has no sts_token")))?,
        ),
        other => {
            return Err(bad(format!(
                "profile `{current}` uses mode `{other}`; only AK and StsToken are supported, so pass credentials explicitly"
            )));
        }
    };
    Ok(Some(Found { credentials, region: field("region_id") }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let c = Credentials::new("LTAIexample", "very-secret-value").with_security_token("sts-token-value");
        let shown = format!("{c:?} {:?} {:#?}", c.access_key_secret(), c);
        assert!(!shown.contains("very-secret-value"), "{shown}");
        assert!(!shown.contains("sts-token-value"), "{shown}");
        assert!(shown.contains("LTAIexample"));
    }

    #[test]
    fn env_vars_need_both_halves_of_the_key() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(from_env_vars(env(&[])).unwrap(), None);
        assert!(from_env_vars(env(&[(ENV_ACCESS_KEY_ID, "id")])).is_err());
        let found = from_env_vars(env(&[
            (ENV_ACCESS_KEY_ID, "id"),
            (ENV_ACCESS_KEY_SECRET, "s"),
            (ENV_SECURITY_TOKEN, "t"),
            (ENV_REGION_ID, "cn-shanghai"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(found.credentials.security_token().map(Secret::expose), Some("t"));
        assert_eq!(found.region.as_deref(), Some("cn-shanghai"));
    }

    #[test]
    fn cli_profiles_in_ak_and_sts_modes() {
        let dir = std::env::temp_dir().join(format!("aliyun-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.json");
        std::fs::write(
            &path,
            r#"{"current":"sts","profiles":[
                {"name":"default","mode":"AK","access_key_id":"id1","access_key_secret":"s1","region_id":"cn-hangzhou"},
                {"name":"sts","mode":"StsToken","access_key_id":"id2","access_key_secret":"s2","sts_token":"tok","region_id":"cn-beijing"},
                {"name":"ram","mode":"RamRoleArn","access_key_id":"id3","access_key_secret":"s3"}]}"#,
        )
        .unwrap();
        let found = from_cli_config(&path).unwrap().unwrap();
        assert_eq!(found.credentials.access_key_id(), "id2");
        assert_eq!(found.credentials.security_token().map(Secret::expose), Some("tok"));
        assert_eq!(found.region.as_deref(), Some("cn-beijing"));
        let text = std::fs::read_to_string(&path).unwrap().replace(r#""current":"sts""#, r#""current":"ram""#);
        std::fs::write(&path, text).unwrap();
        let err = from_cli_config(&path).unwrap_err().to_string();
        assert!(err.contains("RamRoleArn") && !err.contains("s3"), "{err}");
        assert_eq!(from_cli_config(&dir.join("missing.json")).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
