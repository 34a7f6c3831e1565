//! Credentials set up in files: the aliyun CLI's profiles
//! (`~/.aliyun/config.json`) and the credentials file
//! (`~/.alibabacloud/credentials.ini`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use aliyun_runtime::credentials::{CredentialsError, ProvideCredentials, ProvideFuture};
use aliyun_runtime::{Credentials, SharedCredentialsProvider};
use serde_json::Value;

use crate::Env;
use crate::http::EcsRoleProvider;
use crate::role::{OidcRoleProvider, RamRoleArnProvider};
use crate::sts::StsEndpoint;
use crate::vars::{CLI_PROFILE_DISABLED, CONFIG_FILE, CREDENTIALS_FILE, PROFILE};

/// Reads a file, or says it is not there (not configured) or unreadable.
fn read(path: &Path, what: &str) -> Result<String, CredentialsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(CredentialsError::not_configured(format!("no {what} at {}", path.display())))
        }
        Err(e) => Err(CredentialsError::invalid(format!("cannot read the {what} {}: {e}", path.display()))),
    }
}

/// A provider made from a file on first use and kept: refreshes reuse it
/// (and its STS client), and a file that is fixed is read again.
#[derive(Debug, Default)]
struct Made(Mutex<Option<SharedCredentialsProvider>>);

impl Made {
    async fn provide(
        &self,
        make: impl FnOnce() -> Result<SharedCredentialsProvider, CredentialsError>,
    ) -> Result<Credentials, CredentialsError> {
        let existing = self.0.lock().ok().and_then(|kept| kept.clone());
        let provider = match existing {
            Some(provider) => provider,
            None => {
                let provider = make()?;
                if let Ok(mut kept) = self.0.lock() {
                    *kept = Some(provider.clone());
                }
                provider
            }
        };
        provider.provide_credentials().await
    }
}

/// The aliyun CLI's profile: `ALIBABA_CLOUD_PROFILE`, else the file's
/// `current` one, from `ALIBABA_CLOUD_CONFIG_FILE` or `~/.aliyun/config.json`.
/// Modes `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`, `OIDC` and
/// `ChainableRamRoleArn` (whose `source_profile` may be any of these).
/// Not configured when `ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true` or the file
/// does not exist.
#[derive(Debug)]
pub struct CliProfileProvider {
    path: Option<PathBuf>,
    profile: Option<String>,
    disabled: bool,
    env: Env,
    made: Made,
}

impl CliProfileProvider {
    /// The profile file and profile name the environment points at.
    pub fn from_env(env: &Env) -> Self {
        let path =
            env.get(CONFIG_FILE).map(PathBuf::from).or_else(|| env.home().map(|h| h.join(".aliyun/config.json")));
        CliProfileProvider {
            path,
            profile: env.get(PROFILE),
            disabled: env.flag(CLI_PROFILE_DISABLED),
            env: env.clone(),
            made: Made::default(),
        }
    }

    fn make(&self) -> Result<SharedCredentialsProvider, CredentialsError> {
        if self.disabled {
            return Err(CredentialsError::not_configured(format!("{CLI_PROFILE_DISABLED} is true")));
        }
        let path = self
            .path
            .as_deref()
            .ok_or_else(|| CredentialsError::not_configured("no home directory to find ~/.aliyun/config.json in"))?;
        let text = read(path, "aliyun CLI config")?;
        let config: Value = serde_json::from_str(&text)
            .map_err(|e| CredentialsError::invalid(format!("{}: not valid JSON ({e})", path.display())))?;
        let name = match &self.profile {
            Some(name) => name.clone(),
            None => {
                config.get("current").and_then(Value::as_str).filter(|c| !c.is_empty()).unwrap_or("default").to_owned()
            }
        };
        let profiles = config.get("profiles").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        cli_provider(&CliFile { path, profiles, env: &self.env }, &name, 0)
            .map_err(|e| e.context(format_args!("{}, profile `{name}`", path.display())))
    }
}

struct CliFile<'a> {
    path: &'a Path,
    profiles: &'a [Value],
    env: &'a Env,
}

fn cli_provider(file: &CliFile<'_>, name: &str, depth: usize) -> Result<SharedCredentialsProvider, CredentialsError> {
    if depth > 8 {
        return Err(CredentialsError::invalid("source_profile links loop or run deeper than 8 profiles"));
    }
    let profile = file
        .profiles
        .iter()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .ok_or_else(|| CredentialsError::invalid(format!("{}: no profile named `{name}`", file.path.display())))?;
    let text = |key: &str| {
        profile.get(key).and_then(Value::as_str).map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned)
    };
    let mode = text("mode").unwrap_or_else(|| "AK".to_owned());
    let need = |key: &str| {
        text(key)
            .ok_or_else(|| CredentialsError::invalid(format!("mode `{mode}` needs `{key}`, which is missing or empty")))
    };
    let number = |key: &str| profile.get(key).and_then(Value::as_i64).filter(|n| *n > 0);
    let mut sts = StsEndpoint::from_env(file.env);
    if let Some(region) = text("sts_region") {
        sts = sts.region(region);
    }
    if profile.get("enable_vpc").and_then(Value::as_bool) == Some(true) {
        sts = sts.vpc(true);
    }
    let assume = |source: SharedCredentialsProvider| -> Result<SharedCredentialsProvider, CredentialsError> {
        let mut builder = RamRoleArnProvider::builder(source, need("ram_role_arn")?).sts(sts.clone());
        if let Some(name) = text("ram_session_name") {
            builder = builder.session_name(name);
        }
        if let Some(seconds) = number("expired_seconds") {
            builder = builder.duration_seconds(seconds);
        }
        if let Some(policy) = text("policy") {
            builder = builder.policy(policy);
        }
        if let Some(id) = text("external_id") {
            builder = builder.external_id(id);
        }
        Ok(SharedCredentialsProvider::new(builder.build()?))
    };
    let key = || -> Result<Credentials, CredentialsError> {
        Ok(Credentials::new(need("access_key_id")?, need("access_key_secret")?))
    };
    Ok(match mode.as_str() {
        "AK" => SharedCredentialsProvider::new(key()?),
        "StsToken" => {
            let mut credentials = key()?.with_security_token(need("sts_token")?);
            if let Some(at) = number("sts_expiration") {
                credentials =
                    credentials.with_expiry(std::time::UNIX_EPOCH + std::time::Duration::from_secs(at as u64));
            }
            SharedCredentialsProvider::new(credentials)
        }
        "RamRoleArn" => assume(SharedCredentialsProvider::new(key()?))?,
        "ChainableRamRoleArn" => {
            let source = need("source_profile")?;
            let inner = cli_provider(file, &source, depth + 1)
                .map_err(|e| e.context(format_args!("source profile `{source}`")))?;
            assume(inner)?
        }
        "EcsRamRole" => {
            let mut provider = EcsRoleProvider::from_env(file.env)?;
            if let Some(role) = text("ram_role_name") {
                provider =
                    EcsRoleProvider::new(Some(role))?.imdsv1_disabled(file.env.flag(crate::vars::IMDSV1_DISABLED));
                if let Some(endpoint) = file.env.get(crate::vars::IMDS_ENDPOINT) {
                    provider = provider.endpoint(endpoint);
                }
            }
            SharedCredentialsProvider::new(provider)
        }
        "OIDC" => {
            let mut builder =
                OidcRoleProvider::builder(need("ram_role_arn")?, need("oidc_provider_arn")?, need("oidc_token_file")?)
                    .sts(sts.clone());
            if let Some(name) = text("ram_session_name") {
                builder = builder.session_name(name);
            }
            if let Some(seconds) = number("expired_seconds") {
                builder = builder.duration_seconds(seconds);
            }
            if let Some(policy) = text("policy") {
                builder = builder.policy(policy);
            }
            SharedCredentialsProvider::new(builder.build()?)
        }
        other => {
            return Err(CredentialsError::invalid(format!(
                "mode `{other}` is not supported; use AK, StsToken, RamRoleArn, EcsRamRole, OIDC or ChainableRamRoleArn"
            )));
        }
    })
}

impl ProvideCredentials for CliProfileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.made.provide(|| self.make()))
    }

    fn name(&self) -> &'static str {
        "cli_profile"
    }
}

/// The credentials file: `ALIBABA_CLOUD_CREDENTIALS_FILE`, else
/// `~/.alibabacloud/credentials.ini`; the section named by
/// `ALIBABA_CLOUD_PROFILE`, else `[default]`. Types `access_key`, `sts`,
/// `ecs_ram_role`, `ram_role_arn` and `oidc_role_arn`; a section with
/// `enable = false` is passed over.
#[derive(Debug)]
pub struct CredentialsFileProvider {
    path: Option<PathBuf>,
    profile: String,
    env: Env,
    made: Made,
}

impl CredentialsFileProvider {
    /// The file and section the environment points at.
    pub fn from_env(env: &Env) -> Self {
        let path = env
            .get(CREDENTIALS_FILE)
            .map(PathBuf::from)
            .or_else(|| env.home().map(|h| h.join(".alibabacloud/credentials.ini")));
        CredentialsFileProvider {
            path,
            profile: env.get(PROFILE).unwrap_or_else(|| "default".to_owned()),
            env: env.clone(),
            made: Made::default(),
        }
    }

    fn make(&self) -> Result<SharedCredentialsProvider, CredentialsError> {
        let path = self.path.as_deref().ok_or_else(|| {
            CredentialsError::not_configured("no home directory to find ~/.alibabacloud/credentials.ini in")
        })?;
        let text = read(path, "credentials file")?;
        let sections = parse_ini(&text).map_err(|e| e.context(path.display()))?;
        let at = |e: CredentialsError| e.context(format_args!("{}, section [{}]", path.display(), self.profile));
        let section = sections.get(&self.profile).ok_or_else(|| {
            CredentialsError::not_configured(format!("{} has no section [{}]", path.display(), self.profile))
        })?;
        if section.get("enable").is_some_and(|v| v.eq_ignore_ascii_case("false")) {
            return Err(at(CredentialsError::not_configured("the section has enable = false")));
        }
        ini_provider(section, &self.env).map_err(at)
    }
}

fn ini_provider(section: &HashMap<String, String>, env: &Env) -> Result<SharedCredentialsProvider, CredentialsError> {
    let text = |key: &str| section.get(key).filter(|v| !v.is_empty()).cloned();
    let kind = text("type").ok_or_else(|| CredentialsError::invalid("`type` is missing"))?;
    let need = |key: &str| {
        text(key)
            .ok_or_else(|| CredentialsError::invalid(format!("type `{kind}` needs `{key}`, which is missing or empty")))
    };
    let key = || -> Result<Credentials, CredentialsError> {
        Ok(Credentials::new(need("access_key_id")?, need("access_key_secret")?))
    };
    Ok(match kind.as_str() {
        "access_key" => SharedCredentialsProvider::new(key()?),
        "sts" => SharedCredentialsProvider::new(key()?.with_security_token(need("security_token")?)),
        "ecs_ram_role" => {
            let mut provider = EcsRoleProvider::from_env(env)?;
            if let Some(role) = text("role_name") {
                provider = EcsRoleProvider::new(Some(role))?.imdsv1_disabled(env.flag(crate::vars::IMDSV1_DISABLED));
                if let Some(endpoint) = env.get(crate::vars::IMDS_ENDPOINT) {
                    provider = provider.endpoint(endpoint);
                }
            }
            SharedCredentialsProvider::new(provider)
        }
        "ram_role_arn" => {
            let mut builder = RamRoleArnProvider::builder(key()?, need("role_arn")?).sts(StsEndpoint::from_env(env));
            if let Some(name) = text("role_session_name") {
                builder = builder.session_name(name);
            }
            if let Some(policy) = text("policy") {
                builder = builder.policy(policy);
            }
            if let Some(id) = text("external_id") {
                builder = builder.external_id(id);
            }
            SharedCredentialsProvider::new(builder.build()?)
        }
        "oidc_role_arn" => {
            let mut builder =
                OidcRoleProvider::builder(need("role_arn")?, need("oidc_provider_arn")?, need("oidc_token_file_path")?)
                    .sts(StsEndpoint::from_env(env));
            if let Some(name) = text("role_session_name") {
                builder = builder.session_name(name);
            }
            if let Some(policy) = text("policy") {
                builder = builder.policy(policy);
            }
            SharedCredentialsProvider::new(builder.build()?)
        }
        other => {
            return Err(CredentialsError::invalid(format!(
                "type `{other}` is not supported; use access_key, sts, ecs_ram_role, ram_role_arn or oidc_role_arn"
            )));
        }
    })
}

impl ProvideCredentials for CredentialsFileProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.made.provide(|| self.make()))
    }

    fn name(&self) -> &'static str {
        "credentials_file"
    }
}

/// The ini subset the credentials file uses: `[section]` lines, `key =
/// value` lines (the value may be quoted), and comment lines starting with
/// `#` or `;`. Anything else is an error naming its line (and not showing
/// it, as it may hold a secret).
pub(crate) fn parse_ini(text: &str) -> Result<HashMap<String, HashMap<String, String>>, CredentialsError> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let mut current: Option<String> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let bad = |why: &str| CredentialsError::invalid(format!("line {}: {why}", i + 1));
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.strip_suffix(']').ok_or_else(|| bad("a section header must end with `]`"))?.trim();
            if name.is_empty() {
                return Err(bad("a section needs a name"));
            }
            sections.entry(name.to_owned()).or_default();
            current = Some(name.to_owned());
            continue;
        }
        let (key, value) =
            line.split_once('=').ok_or_else(|| bad("expected `key = value`, `[section]` or a comment"))?;
        let section = current.as_ref().ok_or_else(|| bad("a key before the first [section]"))?;
        let value = value.trim();
        let value = ['"', '\''].iter().find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q)).unwrap_or(value);
        sections.entry(section.clone()).or_default().insert(key.trim().to_owned(), value.to_owned());
    }
    Ok(sections)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ini_subset() {
        let parsed = parse_ini("# top\n[default]\ntype = access_key\naccess_key_id=id\n; note\naccess_key_secret = \"a=b\"\n\n[other]\nenable=false\n").unwrap();
        assert_eq!(parsed["default"]["type"], "access_key");
        assert_eq!(parsed["default"]["access_key_id"], "id");
        assert_eq!(parsed["default"]["access_key_secret"], "a=b");
        assert_eq!(parsed["other"]["enable"], "false");
        for (bad, line) in [("[default\n", 1), ("key = v\n", 1), ("[x]\njust-a-secret-value\n", 2), ("[]\n", 1)] {
            let err = parse_ini(bad).unwrap_err().to_string();
            assert!(err.starts_with(&format!("line {line}:")), "{bad:?}: {err}");
            assert!(!err.contains("just-a-secret-value"), "{err}");
        }
    }
}
