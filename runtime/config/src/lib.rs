//! Where Alibaba Cloud credentials come from in production: Alibaba's
//! default provider chain and each provider in it.
//!
//! The runtime (`aliyun-runtime`) defines what a provider is
//! ([`ProvideCredentials`]) and caches and refreshes what providers answer;
//! this crate holds the providers that need more than the runtime has:
//! STS (through the generated `aliyun-sts` crate), the ECS metadata
//! service, a credentials URI, and the files of the aliyun CLI and of the
//! credentials libraries.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // Alibaba's default chain, for any product's client:
//! let client = aliyun_sts::Client::builder()
//!     .region("cn-hangzhou")
//!     .credentials_provider(aliyun_config::default_chain())
//!     .build()?;
//! let me = client.get_caller_identity(aliyun_sts::GetCallerIdentityRequest::builder().build()?).await?;
//! println!("signed as {:?}", me.arn);
//! # Ok(())
//! # }
//! ```
//!
//! The default chain, in the order of Alibaba's own libraries: the
//! environment ([`EnvironmentProvider`]), an OIDC role from the environment
//! ([`OidcRoleProvider`], ACK RRSA), the aliyun CLI's profile
//! ([`CliProfileProvider`]), the credentials file
//! ([`CredentialsFileProvider`]), the ECS instance's RAM role
//! ([`EcsRoleProvider`]), and a credentials URI ([`UriProvider`]). The
//! first whose source is set up answers, and is asked again on every
//! refresh; one that is set up but broken stops the chain with its error.

#![warn(missing_docs)]

use aliyun_runtime::Credentials;
pub use aliyun_runtime::credentials::{
    CredentialsCache, CredentialsError, ErrorKind, ProvideCredentials, ProvideFuture, ProviderChain, RefreshSettings,
    SharedCredentialsProvider,
};

mod env;
mod http;
mod profile;
mod role;
mod sts;
pub mod vars;

pub use env::Env;
pub use http::{DEFAULT_IMDS_ENDPOINT, EcsRoleProvider, UriProvider};
pub use profile::{CliProfileProvider, CredentialsFileProvider};
pub use role::{OidcRoleBuilder, OidcRoleProvider, RamRoleArnBuilder, RamRoleArnProvider};
pub use sts::StsEndpoint;

/// `ALIBABA_CLOUD_ACCESS_KEY_ID` and `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
/// with `ALIBABA_CLOUD_SECURITY_TOKEN` for temporary credentials; read on
/// every fetch.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// Reads `env`.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let Some(id) = self.env.get(vars::ACCESS_KEY_ID) else {
            return Err(CredentialsError::not_configured(format!("{} is not set", vars::ACCESS_KEY_ID)));
        };
        let secret = self.env.get(vars::ACCESS_KEY_SECRET).ok_or_else(|| {
            CredentialsError::invalid(format!(
                "{} is set but {} is not; set both",
                vars::ACCESS_KEY_ID,
                vars::ACCESS_KEY_SECRET
            ))
        })?;
        let credentials = Credentials::new(id, secret);
        Ok(match self.env.get(vars::SECURITY_TOKEN) {
            Some(token) => credentials.with_security_token(token),
            None => credentials,
        })
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let result = self.fetch();
        Box::pin(async move { result })
    }

    fn name(&self) -> &'static str {
        "environment"
    }
}

/// A provider that could not be set up: it answers why, so that a chain
/// reports it in its place.
#[derive(Debug)]
struct SetupFailed {
    name: &'static str,
    error: CredentialsError,
}

impl ProvideCredentials for SetupFailed {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let error = self.error.clone();
        Box::pin(async move { Err(error) })
    }

    fn name(&self) -> &'static str {
        self.name
    }
}

fn or_failed<P: ProvideCredentials + 'static>(
    name: &'static str,
    made: Result<P, CredentialsError>,
) -> SharedCredentialsProvider {
    match made {
        Ok(provider) => SharedCredentialsProvider::new(provider),
        Err(error) => SharedCredentialsProvider::new(SetupFailed { name, error }),
    }
}

/// Alibaba's default chain, reading the process's environment.
pub fn default_chain() -> ProviderChain {
    default_chain_with(&Env::real())
}

/// Alibaba's default chain over `env`: environment, OIDC role, CLI profile,
/// credentials file, ECS RAM role, credentials URI. The ECS provider is
/// left out when `ALIBABA_CLOUD_ECS_METADATA_DISABLED=true`, the URI
/// provider when `ALIBABA_CLOUD_CREDENTIALS_URI` is unset.
pub fn default_chain_with(env: &Env) -> ProviderChain {
    let mut chain = ProviderChain::new()
        .or_else(EnvironmentProvider::new(env.clone()))
        .or_else(or_failed("oidc_role_arn", OidcRoleProvider::from_env(env)))
        .or_else(CliProfileProvider::from_env(env))
        .or_else(CredentialsFileProvider::from_env(env));
    if !env.flag(vars::ECS_METADATA_DISABLED) {
        chain = chain.or_else(or_failed("ecs_ram_role", EcsRoleProvider::from_env(env)));
    }
    if env.get(vars::CREDENTIALS_URI).is_some() {
        chain = chain.or_else(or_failed("credentials_uri", UriProvider::from_env(env)));
    }
    chain
}

/// The crate README's examples, compiled and run as doc-tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
