//! Roles through STS: `AssumeRole` from another credential, and
//! `AssumeRoleWithOIDC` from an OIDC token file (ACK RRSA).

use std::path::PathBuf;

use aliyun_runtime::credentials::{CredentialsCache, CredentialsError, ProvideCredentials, ProvideFuture};
use aliyun_runtime::{Credentials, SharedCredentialsProvider};
use aliyun_sts::{AssumeRoleRequest, AssumeRoleWithOidcRequest};

use crate::Env;
use crate::sts::{StsEndpoint, check_duration, default_session_name, from_sts, sts_error};
use crate::vars::{OIDC_PROVIDER_ARN, OIDC_TOKEN_FILE, ROLE_ARN, ROLE_SESSION_NAME};

/// The session settings both role providers share.
#[derive(Debug, Clone)]
struct Session {
    role_arn: String,
    session_name: String,
    duration_seconds: i64,
    policy: Option<String>,
}

impl Session {
    fn new(role_arn: String) -> Self {
        Session { role_arn, session_name: default_session_name(), duration_seconds: 3600, policy: None }
    }
}

/// Takes on a RAM role with STS `AssumeRole`, signed by another provider's
/// credentials (an AccessKey, or temporary credentials: roles chain).
///
/// The source credentials are cached and refreshed on their own, so a
/// chain of roles refreshes each link when it is due.
#[derive(Debug)]
pub struct RamRoleArnProvider {
    session: Session,
    external_id: Option<String>,
    client: aliyun_sts::Client,
}

/// Builds a [`RamRoleArnProvider`].
#[derive(Debug)]
#[must_use]
pub struct RamRoleArnBuilder {
    source: SharedCredentialsProvider,
    session: Session,
    external_id: Option<String>,
    sts: StsEndpoint,
}

impl RamRoleArnProvider {
    /// Takes on `role_arn` with the credentials of `source`. The STS
    /// endpoint comes from the process's environment unless set on the
    /// builder.
    pub fn builder(source: impl ProvideCredentials + 'static, role_arn: impl Into<String>) -> RamRoleArnBuilder {
        RamRoleArnBuilder {
            source: SharedCredentialsProvider::new(source),
            session: Session::new(role_arn.into()),
            external_id: None,
            sts: StsEndpoint::from_env(&Env::real()),
        }
    }
}

impl RamRoleArnBuilder {
    /// The session name shown in audit logs (default: `aliyun-rust-sdk-` and a random suffix).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session.session_name = name.into();
        self
    }

    /// How long each credential lasts, in seconds (default 3600, at least 900).
    pub fn duration_seconds(mut self, seconds: i64) -> Self {
        self.session.duration_seconds = seconds;
        self
    }

    /// A policy that narrows what the credentials may do.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.session.policy = Some(policy.into());
        self
    }

    /// The external ID the role's trust policy expects.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// Where STS is.
    pub fn sts(mut self, sts: StsEndpoint) -> Self {
        self.sts = sts;
        self
    }

    /// Checks the settings and builds the provider.
    pub fn build(self) -> Result<RamRoleArnProvider, CredentialsError> {
        let what = format!("role `{}`", self.session.role_arn);
        if self.session.role_arn.trim().is_empty() {
            return Err(CredentialsError::invalid("AssumeRole needs a role ARN, and it is empty"));
        }
        check_duration(&what, self.session.duration_seconds)?;
        let client = self
            .sts
            .client_builder()
            .credentials_cache(CredentialsCache::with(
                self.source,
                Default::default(),
                std::sync::Arc::new(aliyun_runtime::credentials::SystemClock),
            ))
            .build()
            .map_err(|e| CredentialsError::invalid(format!("{what}: {e}")))?;
        Ok(RamRoleArnProvider { session: self.session, external_id: self.external_id, client })
    }
}

impl RamRoleArnProvider {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let s = &self.session;
        let mut request = AssumeRoleRequest::builder()
            .role_arn(&s.role_arn)
            .role_session_name(&s.session_name)
            .duration_seconds(s.duration_seconds);
        if let Some(policy) = &s.policy {
            request = request.policy(policy);
        }
        if let Some(id) = &self.external_id {
            request = request.external_id(id);
        }
        let answer = request.send(&self.client).await.map_err(|e| sts_error("AssumeRole", &s.role_arn, e))?;
        from_sts("AssumeRole", answer.credentials)
    }
}

impl ProvideCredentials for RamRoleArnProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        "ram_role_arn"
    }
}

/// Takes on a RAM role with an OIDC token (ACK RRSA), through STS
/// `AssumeRoleWithOIDC`, which needs no AccessKey: the request is sent
/// unsigned. The token file is read afresh on every refresh, because the
/// cluster rotates it.
#[derive(Debug)]
pub struct OidcRoleProvider {
    session: Session,
    provider_arn: String,
    token_file: PathBuf,
    client: aliyun_sts::Client,
}

/// Builds an [`OidcRoleProvider`].
#[derive(Debug)]
#[must_use]
pub struct OidcRoleBuilder {
    session: Session,
    provider_arn: String,
    token_file: PathBuf,
    sts: StsEndpoint,
}

impl OidcRoleProvider {
    /// Takes on `role_arn` with the token in `token_file`, checked by the
    /// OIDC provider `provider_arn`.
    pub fn builder(
        role_arn: impl Into<String>,
        provider_arn: impl Into<String>,
        token_file: impl Into<PathBuf>,
    ) -> OidcRoleBuilder {
        OidcRoleBuilder {
            session: Session::new(role_arn.into()),
            provider_arn: provider_arn.into(),
            token_file: token_file.into(),
            sts: StsEndpoint::from_env(&Env::real()),
        }
    }

    /// From `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE` (and the optional
    /// `ALIBABA_CLOUD_ROLE_SESSION_NAME`). Not configured when none of the
    /// three is set; invalid, naming the missing ones, when only some are.
    pub fn from_env(env: &Env) -> Result<Self, CredentialsError> {
        let names = [ROLE_ARN, OIDC_PROVIDER_ARN, OIDC_TOKEN_FILE];
        let values = names.map(|n| env.get(n));
        if values.iter().all(Option::is_none) {
            return Err(CredentialsError::not_configured(format!(
                "{ROLE_ARN}, {OIDC_PROVIDER_ARN} and {OIDC_TOKEN_FILE} are not set"
            )));
        }
        let [Some(role), Some(provider), Some(file)] = values.clone() else {
            let pick = |set: bool| -> Vec<&str> {
                names.iter().zip(&values).filter(|(_, v)| v.is_some() == set).map(|(n, _)| *n).collect()
            };
            let (set, missing) = (pick(true), pick(false));
            return Err(CredentialsError::invalid(format!(
                "OIDC role: {} {} set but {} not; set all three",
                set.join(" and "),
                if set.len() == 1 { "is" } else { "are" },
                missing.join(" and ")
            )));
        };
        let mut builder = Self::builder(role, provider, file).sts(StsEndpoint::from_env(env));
        if let Some(name) = env.get(ROLE_SESSION_NAME) {
            builder = builder.session_name(name);
        }
        builder.build()
    }
}

impl OidcRoleBuilder {
    /// The session name shown in audit logs.
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session.session_name = name.into();
        self
    }

    /// How long each credential lasts, in seconds (default 3600, at least 900).
    pub fn duration_seconds(mut self, seconds: i64) -> Self {
        self.session.duration_seconds = seconds;
        self
    }

    /// A policy that narrows what the credentials may do.
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.session.policy = Some(policy.into());
        self
    }

    /// Where STS is.
    pub fn sts(mut self, sts: StsEndpoint) -> Self {
        self.sts = sts;
        self
    }

    /// Checks the settings and builds the provider.
    pub fn build(self) -> Result<OidcRoleProvider, CredentialsError> {
        let what = format!("OIDC role `{}`", self.session.role_arn);
        check_duration(&what, self.session.duration_seconds)?;
        let client = self
            .sts
            .client_builder()
            .anonymous()
            .build()
            .map_err(|e| CredentialsError::invalid(format!("{what}: {e}")))?;
        Ok(OidcRoleProvider {
            session: self.session,
            provider_arn: self.provider_arn,
            token_file: self.token_file,
            client,
        })
    }
}

impl OidcRoleProvider {
    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let s = &self.session;
        let file = self.token_file.display();
        let token = std::fs::read_to_string(&self.token_file).map_err(|e| {
            CredentialsError::unavailable(format!("cannot read the OIDC token file {file} ({OIDC_TOKEN_FILE}): {e}"))
        })?;
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialsError::unavailable(format!("the OIDC token file {file} is empty")));
        }
        let mut request = AssumeRoleWithOidcRequest::builder()
            .role_arn(&s.role_arn)
            .oidc_provider_arn(&self.provider_arn)
            .oidc_token(token)
            .role_session_name(&s.session_name)
            .duration_seconds(s.duration_seconds);
        if let Some(policy) = &s.policy {
            request = request.policy(policy);
        }
        let answer = request.send(&self.client).await.map_err(|e| sts_error("AssumeRoleWithOIDC", &s.role_arn, e))?;
        from_sts("AssumeRoleWithOIDC", answer.credentials)
    }
}

impl ProvideCredentials for OidcRoleProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    fn name(&self) -> &'static str {
        "oidc_role_arn"
    }
}
