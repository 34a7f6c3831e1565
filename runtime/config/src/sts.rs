//! Which STS endpoint the role providers call, and how STS answers become
//! credentials.

use aliyun_runtime::credentials::CredentialsError;
use aliyun_runtime::{ClientBuilder, Credentials, OperationError, SdkError};

use crate::Env;
use crate::vars::{STS_ENDPOINT, STS_REGION, VPC_ENDPOINT_ENABLED};

/// Where STS is: an explicit endpoint, else the regional endpoint of a
/// region, else the global `sts.aliyuncs.com`.
///
/// From the environment: `ALIBABA_CLOUD_STS_ENDPOINT` (a host, or a URL
/// such as `http://127.0.0.1:8080` for a local stand-in),
/// `ALIBABA_CLOUD_STS_REGION` (`sts.{region}.aliyuncs.com`), and
/// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true` (`sts-vpc.{region}.aliyuncs.com`,
/// reachable from inside a VPC only). Builder settings win over variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StsEndpoint {
    endpoint: Option<String>,
    region: Option<String>,
    vpc: bool,
}

impl StsEndpoint {
    /// The settings the variables give.
    pub fn from_env(env: &Env) -> Self {
        StsEndpoint {
            endpoint: env.get(STS_ENDPOINT),
            region: env.get(STS_REGION),
            vpc: env.flag(VPC_ENDPOINT_ENABLED),
        }
    }

    /// Calls STS at this host or URL.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Calls the regional STS endpoint of `region`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Calls the VPC endpoint of the region (`sts-vpc.{region}.aliyuncs.com`).
    pub fn vpc(mut self, vpc: bool) -> Self {
        self.vpc = vpc;
        self
    }

    /// The host or URL requests go to.
    pub fn resolve(&self) -> String {
        match (&self.endpoint, &self.region) {
            (Some(endpoint), _) => endpoint.clone(),
            (None, Some(region)) if self.vpc => format!("sts-vpc.{region}.aliyuncs.com"),
            (None, Some(region)) => aliyun_sts::ENDPOINT.replace("{region}", region),
            (None, None) => aliyun_sts::GLOBAL_ENDPOINT.to_owned(),
        }
    }

    /// A client builder for this endpoint.
    pub(crate) fn client_builder(&self) -> ClientBuilder<aliyun_sts::Client> {
        aliyun_sts::Client::builder()
            .region(self.region.clone().unwrap_or_else(|| "global".to_owned()))
            .endpoint(self.resolve())
    }
}

/// An STS failure as a credentials error, saying which action and role.
/// Throttling and server trouble may pass; other refusals will not.
pub(crate) fn sts_error<E: OperationError>(action: &str, role: &str, e: SdkError<E>) -> CredentialsError {
    let context = format!("STS {action} for role `{role}`");
    match e {
        SdkError::Service(e) => {
            let inner = e.service_error();
            let transient = inner.status() >= 500
                || inner.code().starts_with("Throttling")
                || matches!(inner.code(), "ServiceUnavailable" | "InternalError");
            let text = format!(
                "{context} answered {} (HTTP {}): {}{}",
                inner.code(),
                inner.status(),
                inner.message(),
                inner.request_id().map(|id| format!(" [request id {id}]")).unwrap_or_default()
            );
            if transient { CredentialsError::unavailable(text) } else { CredentialsError::rejected(text) }
        }
        SdkError::Credentials(e) => e.context(format!("{context}: the source credentials")),
        SdkError::Build(e) => CredentialsError::invalid(format!("{context}: {e}")),
        other => CredentialsError::unavailable(format!("{context}: {other}")),
    }
}

/// The credentials in an STS answer, with their expiry.
pub(crate) fn from_sts(action: &str, c: aliyun_sts::types::Credentials) -> Result<Credentials, CredentialsError> {
    let missing = |field: &str| CredentialsError::unavailable(format!("STS {action} answered no Credentials.{field}"));
    let id = c.access_key_id.filter(|v| !v.is_empty()).ok_or_else(|| missing("AccessKeyId"))?;
    let secret = c.access_key_secret.filter(|v| !v.is_empty()).ok_or_else(|| missing("AccessKeySecret"))?;
    let token = c.security_token.filter(|v| !v.is_empty()).ok_or_else(|| missing("SecurityToken"))?;
    let expiration = c.expiration.ok_or_else(|| missing("Expiration"))?;
    let expiry = aliyun_runtime::signing::parse_utc(&expiration).ok_or_else(|| {
        CredentialsError::unavailable(format!(
            "STS {action} answered Expiration `{expiration}`, which is not a UTC time (YYYY-MM-DDThh:mm:ssZ)"
        ))
    })?;
    Ok(Credentials::new(id, secret).with_security_token(token).with_expiry(expiry))
}

/// A session name when none is given: unique per process and call.
pub(crate) fn default_session_name() -> String {
    format!("aliyun-rust-sdk-{}", uuid::Uuid::new_v4().simple())
}

/// Checks a duration the way STS does, so that a wrong one fails early.
pub(crate) fn check_duration(what: &str, seconds: i64) -> Result<i64, CredentialsError> {
    if seconds < 900 {
        return Err(CredentialsError::invalid(format!(
            "{what}: the session duration is {seconds} s; STS needs at least 900"
        )));
    }
    Ok(seconds)
}
