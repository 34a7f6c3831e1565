//! Who signs the requests: an AccessKey pair, optionally with an STS token.

use std::fmt;
use std::path::{Path, PathBuf};

/// A secret string: usable, but never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself. Do not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An AccessKey pair, and an STS security token for temporary credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
}

impl Credentials {
    pub fn new(access_key_id: impl Into<String>, access_key_secret: impl Into<String>) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret: Secret::new(access_key_secret),
            security_token: None,
        }
    }

    /// Temporary credentials from STS: the token is sent (and signed) with every request.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Self {
        self.security_token = Some(Secret::new(token));
        self
    }

    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub fn access_key_secret(&self) -> &Secret {
        &self.access_key_secret
    }

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
            .finish()
    }
}

pub const ENV_ACCESS_KEY_ID: &str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
pub const ENV_ACCESS_KEY_SECRET: &str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
pub const ENV_SECURITY_TOKEN: &str = "ALIBABA_CLOUD_SECURITY_TOKEN";
pub const ENV_REGION_ID: &str = "ALIBABA_CLOUD_REGION_ID";

/// Why credentials could not be found or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError(String);

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CredentialsError {}

/// Credentials and region as found in the environment or a CLI profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub credentials: Credentials,
    pub region: Option<String>,
}

/// Reads Alibaba's standard variables. `Ok(None)` when no key id is set.
pub fn from_env_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Found>, CredentialsError> {
    let non_empty = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let Some(id) = non_empty(ENV_ACCESS_KEY_ID) else { return Ok(None) };
    let secret = non_empty(ENV_ACCESS_KEY_SECRET).ok_or_else(|| {
        CredentialsError(format!("{ENV_ACCESS_KEY_ID} is set but {ENV_ACCESS_KEY_SECRET} is not; set both"))
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
        Err(e) => return Err(CredentialsError(format!("cannot read {}: {e}", path.display()))),
    };
    let bad = |what: String| CredentialsError(format!("{}: {what}", path.display()));
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
