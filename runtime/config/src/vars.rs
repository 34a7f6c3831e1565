//! The environment variables the providers read, each in one place.
//!
//! All but three are the names Alibaba's own credentials libraries read.
//! `ALIBABA_CLOUD_STS_ENDPOINT` and `ALIBABA_CLOUD_IMDS_ENDPOINT` are this
//! SDK's own, for private networks and local stand-ins; `ALIBABA_CLOUD_CONFIG_FILE`
//! is the Go library's name for the CLI config file's path.

pub use aliyun_runtime::credentials::{
    ENV_ACCESS_KEY_ID as ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET as ACCESS_KEY_SECRET,
    ENV_SECURITY_TOKEN as SECURITY_TOKEN,
};

/// The RAM role to take on with an OIDC token.
pub const ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// The OIDC identity provider registered in RAM.
pub const OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
/// The file holding the OIDC token; read again on every refresh.
pub const OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
/// The role session name.
pub const ROLE_SESSION_NAME: &str = "ALIBABA_CLOUD_ROLE_SESSION_NAME";
/// The region whose STS endpoint the role providers call.
pub const STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
/// `true`: call STS at its VPC endpoint.
pub const VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";
/// The STS endpoint itself, a host or a URL (this SDK's own).
pub const STS_ENDPOINT: &str = "ALIBABA_CLOUD_STS_ENDPOINT";
/// The ECS instance's RAM role name.
pub const ECS_METADATA: &str = "ALIBABA_CLOUD_ECS_METADATA";
/// `true`: never ask the ECS metadata service.
pub const ECS_METADATA_DISABLED: &str = "ALIBABA_CLOUD_ECS_METADATA_DISABLED";
/// `true`: never ask the metadata service without an IMDSv2 session token.
pub const IMDSV1_DISABLED: &str = "ALIBABA_CLOUD_IMDSV1_DISABLED";
/// The metadata service's base URL (this SDK's own; default `http://100.100.100.200`).
pub const IMDS_ENDPOINT: &str = "ALIBABA_CLOUD_IMDS_ENDPOINT";
/// A URL that answers credentials.
pub const CREDENTIALS_URI: &str = "ALIBABA_CLOUD_CREDENTIALS_URI";
/// The profile to use, in the CLI config and in the credentials file.
pub const PROFILE: &str = "ALIBABA_CLOUD_PROFILE";
/// `true`: never read the aliyun CLI's config.
pub const CLI_PROFILE_DISABLED: &str = "ALIBABA_CLOUD_CLI_PROFILE_DISABLED";
/// The aliyun CLI config file's path (default `~/.aliyun/config.json`).
pub const CONFIG_FILE: &str = "ALIBABA_CLOUD_CONFIG_FILE";
/// The credentials file's path (default `~/.alibabacloud/credentials.ini`).
pub const CREDENTIALS_FILE: &str = "ALIBABA_CLOUD_CREDENTIALS_FILE";
