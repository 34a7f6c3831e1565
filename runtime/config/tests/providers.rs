//! Each provider against its stand-in on 127.0.0.1.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aliyun_config::{
    CliProfileProvider, CredentialsError, CredentialsFileProvider, EcsRoleProvider, Env, ErrorKind, OidcRoleProvider,
    ProvideCredentials, RamRoleArnProvider, StsEndpoint, UriProvider, default_chain_with, vars,
};
use aliyun_runtime::Credentials;
use aliyun_runtime::credentials::SystemClock;
use common::{IMDS_TOKEN, Imds, KEY_ID, Mode, ROLE, SECRET, Sts};

fn source() -> Credentials {
    Credentials::new(KEY_ID, SECRET)
}

async fn sts() -> Sts {
    Sts::start(Arc::new(SystemClock), Duration::from_secs(3600)).await
}

fn assume(sts: &Sts) -> RamRoleArnProvider {
    RamRoleArnProvider::builder(source(), "acs:ram::1234:role/test")
        .session_name("unit")
        .duration_seconds(1800)
        .policy(r#"{"Version":"1"}"#)
        .external_id("ext-1")
        .sts(StsEndpoint::default().endpoint(&sts.url))
        .build()
        .unwrap()
}

/// No message or debug text shows a secret the test handed out or the
/// stand-in issued.
fn assert_no_secret(text: &str) {
    for secret in
        [SECRET, "issued-secret", "issued-token", "ecs-secret", "ecs-token", "cli-secret", "ini-secret", "oidc-token"]
    {
        assert!(!text.contains(secret), "`{secret}` shows in: {text}");
    }
}

#[tokio::test]
async fn assume_role_signs_with_the_source_key_and_sends_every_setting() {
    let sts = sts().await;
    let credentials = assume(&sts).provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "STS.issued-1");
    assert_eq!(credentials.security_token().unwrap().expose(), "issued-token-1");
    let expiry = credentials.expiry().unwrap();
    assert!(expiry > SystemTime::now() + Duration::from_secs(3000));
    let seen = sts.seen();
    let request = &seen[0];
    assert_eq!(request.param("RoleArn"), Some("acs:ram::1234:role/test"));
    assert_eq!(request.param("RoleSessionName"), Some("unit"));
    assert_eq!(request.param("DurationSeconds"), Some("1800"));
    assert_eq!(request.param("ExternalId"), Some("ext-1"));
    assert_eq!(request.param("Policy"), Some(r#"{"Version":"1"}"#));
    assert_no_secret(&format!("{credentials:?}"));
    // Nor does any provider's Debug, down to the source key of a role.
    let cli = CliProfileProvider::from_env(&Env::from_pairs([("HOME", "/nonexistent")]));
    let ecs = EcsRoleProvider::new(Some(ROLE.into())).unwrap();
    assert_no_secret(&format!("{:?} {:#?} {cli:?} {ecs:?}", assume(&sts), assume(&sts)));
}

#[tokio::test]
async fn roles_chain_each_link_signed_by_the_one_before() {
    let sts = sts().await;
    let second = RamRoleArnProvider::builder(assume(&sts), "acs:ram::1234:role/second")
        .sts(StsEndpoint::default().endpoint(&sts.url))
        .build()
        .unwrap();
    let credentials = second.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "STS.issued-2");
    let seen = sts.seen();
    assert_eq!(seen.len(), 2);
    // The second AssumeRole was signed with the first's temporary key and token.
    assert!(seen[1].header("authorization").unwrap().contains("Credential=STS.issued-1,"));
    assert_eq!(seen[1].header("x-acs-security-token"), Some("issued-token-1"));
    assert!(seen[1].param("RoleSessionName").unwrap().starts_with("aliyun-rust-sdk-"));
}

#[tokio::test]
async fn sts_failures_say_what_happened_and_never_show_a_secret() {
    let sts = sts().await;
    let provider = assume(&sts);
    let cases: [(Mode, ErrorKind, &str); 4] = [
        (Mode::Refuse("NoPermission"), ErrorKind::Rejected, "NoPermission (HTTP 403)"),
        (Mode::Throttled, ErrorKind::Unavailable, "Throttling.User"),
        (Mode::Malformed, ErrorKind::Unavailable, "no Credentials.AccessKeySecret"),
        (Mode::Garbage, ErrorKind::Unavailable, "AssumeRole for role `acs:ram::1234:role/test`"),
    ];
    for (mode, kind, says) in cases {
        sts.set_mode(mode.clone());
        let err = provider.provide_credentials().await.unwrap_err();
        assert_eq!(err.kind(), kind, "{mode:?}: {err}");
        assert!(err.message().contains(says), "{mode:?}: {err}");
        assert_no_secret(&format!("{err} {err:?}"));
    }
    // Expired credentials are answered, and the cache refuses them.
    sts.set_mode(Mode::Expired);
    let cache = aliyun_runtime::CredentialsCache::new(assume(&sts));
    let err = cache.get().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Expired, "{err}");
    assert_no_secret(&format!("{err} {cache:?}"));
    // A stand-in that is gone.
    sts.set_mode(Mode::Down);
    let err = provider.provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
}

#[tokio::test]
async fn a_wrong_source_key_is_refused_by_the_stand_in() {
    let sts = sts().await;
    let provider = RamRoleArnProvider::builder(Credentials::new(KEY_ID, "wrong-secret"), "acs:ram::1234:role/test")
        .sts(StsEndpoint::default().endpoint(&sts.url))
        .build()
        .unwrap();
    let err = provider.provide_credentials().await.unwrap_err();
    assert!(err.message().contains("SignatureDoesNotMatch"), "{err}");
    assert!(!err.message().contains("wrong-secret"), "{err}");
}

#[tokio::test]
async fn oidc_is_anonymous_and_rereads_its_rotating_token_file() {
    let sts = sts().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "oidc-token-1\n").unwrap();
    let env = Env::from_pairs([
        (vars::ROLE_ARN, "acs:ram::1234:role/pod"),
        (vars::OIDC_PROVIDER_ARN, "acs:ram::1234:oidc-provider/ack"),
        (vars::OIDC_TOKEN_FILE, file.to_str().unwrap()),
        (vars::ROLE_SESSION_NAME, "pod-session"),
        (vars::STS_ENDPOINT, &sts.url),
    ]);
    let provider = OidcRoleProvider::from_env(&env).unwrap();
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "STS.issued-1");
    std::fs::write(&file, "oidc-token-2").unwrap();
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "STS.issued-2");
    let seen = sts.seen();
    let tokens: Vec<_> = seen.iter().map(|r| r.param("OIDCToken").unwrap_or("")).collect();
    assert_eq!(tokens, ["oidc-token-1", "oidc-token-2"]);
    for request in &seen {
        assert_eq!(request.header("authorization"), None);
        assert_eq!(request.param("Signature"), None);
        assert_eq!(request.param("RoleSessionName"), Some("pod-session"));
        assert_eq!(request.param("OIDCProviderArn"), Some("acs:ram::1234:oidc-provider/ack"));
    }
    // An answer that quotes the request back does not show the token.
    sts.set_mode(Mode::Echo);
    let err = provider.provide_credentials().await.unwrap_err();
    assert!(err.message().contains("OIDCToken=***") && err.message().contains("RoleSessionName=pod-session"), "{err}");
    std::fs::remove_file(&file).unwrap();
    let err = provider.provide_credentials().await.unwrap_err();
    assert!(err.message().contains("cannot read the OIDC token file"), "{err}");
}

#[tokio::test]
async fn a_half_set_oidc_environment_names_what_is_missing() {
    let err = OidcRoleProvider::from_env(&Env::from_pairs([(vars::ROLE_ARN, "acs:ram::1:role/r")])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(
        err.message(),
        "OIDC role: ALIBABA_CLOUD_ROLE_ARN is set but ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE not; set all three"
    );
    let none = OidcRoleProvider::from_env(&Env::from_pairs([("UNRELATED", "1")])).unwrap_err();
    assert_eq!(none.kind(), ErrorKind::NotConfigured);
}

fn ecs(imds: &Imds, role: Option<&str>) -> EcsRoleProvider {
    EcsRoleProvider::new(role.map(str::to_owned)).unwrap().endpoint(&imds.url)
}

#[tokio::test]
async fn ecs_role_with_the_imdsv2_token_and_a_discovered_role_name() {
    let imds = Imds::start(Duration::from_secs(21600)).await;
    imds.v2_required.store(true, std::sync::atomic::Ordering::SeqCst);
    let provider = ecs(&imds, None);
    let first = provider.provide_credentials().await.unwrap();
    assert_eq!(first.access_key_id(), "STS.ecs-1");
    assert!(first.expiry().is_some());
    let second = provider.provide_credentials().await.unwrap();
    assert_eq!(second.access_key_id(), "STS.ecs-2");
    let seen = imds.seen();
    let paths: Vec<String> = seen.iter().map(|r| format!("{} {}", r.method, r.path())).collect();
    let creds = format!("GET /latest/meta-data/ram/security-credentials/{ROLE}");
    // The role name is discovered once; every fetch gets a session token first.
    assert_eq!(
        paths,
        [
            "PUT /latest/api/token",
            "GET /latest/meta-data/ram/security-credentials/",
            creds.as_str(),
            "PUT /latest/api/token",
            creds.as_str()
        ]
    );
    assert!(
        seen.iter().filter(|r| r.method == "GET").all(|r| r.header("x-aliyun-ecs-metadata-token") == Some(IMDS_TOKEN))
    );
    assert_eq!(seen[0].header("x-aliyun-ecs-metadata-token-ttl-seconds"), Some("21600"));
}

#[tokio::test]
async fn ecs_role_falls_back_to_imdsv1_unless_that_is_disabled() {
    let imds = Imds::start(Duration::from_secs(3600)).await;
    imds.v2.store(false, std::sync::atomic::Ordering::SeqCst);
    let provider = ecs(&imds, Some(ROLE));
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "STS.ecs-1");
    let gets: Vec<_> = imds.seen().into_iter().filter(|r| r.method == "GET").collect();
    assert_eq!(gets.len(), 1, "a given role name is not discovered");
    assert_eq!(gets[0].header("x-aliyun-ecs-metadata-token"), None);

    let strict = ecs(&imds, Some(ROLE)).imdsv1_disabled(true);
    let err = strict.provide_credentials().await.unwrap_err();
    assert!(err.message().contains(vars::IMDSV1_DISABLED) && err.message().contains("HTTP 404"), "{err}");
    // Through the environment, with a wrong role name.
    let env = Env::from_pairs([(vars::ECS_METADATA, "NoSuchRole"), (vars::IMDS_ENDPOINT, imds.url.as_str())]);
    let err = EcsRoleProvider::from_env(&env).unwrap().provide_credentials().await.unwrap_err();
    assert!(err.message().contains("`NoSuchRole`") && err.message().contains("HTTP 404"), "{err}");
    let disabled = Env::from_pairs([(vars::ECS_METADATA_DISABLED, "TRUE")]);
    assert_eq!(EcsRoleProvider::from_env(&disabled).unwrap_err().kind(), ErrorKind::NotConfigured);
}

#[tokio::test]
async fn no_metadata_service_and_no_role_name_means_not_on_ecs() {
    let url = common::closed_port().await;
    let err = EcsRoleProvider::new(None).unwrap().endpoint(&url).provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConfigured, "{err}");
    assert!(err.message().contains("no metadata service"), "{err}");
}

#[tokio::test]
async fn credentials_uri_answers_and_its_failures() {
    let good = common::fixed(
        200,
        r#"{"Code":"Success","AccessKeyId":"STS.uri","AccessKeySecret":"uri-secret","SecurityToken":"uri-token","Expiration":"2099-01-01T00:00:00Z"}"#,
    )
    .await;
    let env = Env::from_pairs([(vars::CREDENTIALS_URI, format!("{good}/creds?sig=abc"))]);
    let provider = UriProvider::from_env(&env).unwrap();
    assert!(!format!("{provider:?}").contains("sig=abc"), "{provider:?}");
    let credentials = provider.provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id(), "STS.uri");
    let missing = common::fixed(
        200,
        r#"{"AccessKeyId":"STS.uri","AccessKeySecret":"uri-secret","Expiration":"2099-01-01T00:00:00Z"}"#,
    )
    .await;
    let err = UriProvider::new(format!("{missing}/c?sig=abc")).unwrap().provide_credentials().await.unwrap_err();
    assert!(
        err.message().contains("no SecurityToken")
            && !err.message().contains("uri-secret")
            && !err.message().contains("sig=abc"),
        "{err}"
    );
    let failing = common::fixed(500, "oops").await;
    let err = UriProvider::new(failing).unwrap().provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.message().contains("HTTP 500"), "{err}");
    assert_eq!(UriProvider::from_env(&Env::from_pairs([("X", "1")])).unwrap_err().kind(), ErrorKind::NotConfigured);
    assert_eq!(UriProvider::new("not a url").unwrap_err().kind(), ErrorKind::Invalid);
}

fn cli_config(dir: &std::path::Path, current: &str) -> std::path::PathBuf {
    let path = dir.join("config.json");
    let token = dir.join("cli-oidc-token");
    std::fs::write(&token, "oidc-token-cli").unwrap();
    let token = token.to_str().unwrap();
    std::fs::write(
        &path,
        format!(
            r#"{{"current":"{current}","profiles":[
            {{"name":"ak","mode":"AK","access_key_id":"{KEY_ID}","access_key_secret":"{SECRET}"}},
            {{"name":"sts","mode":"StsToken","access_key_id":"cli-id","access_key_secret":"cli-secret","sts_token":"cli-token"}},
            {{"name":"role","mode":"RamRoleArn","access_key_id":"{KEY_ID}","access_key_secret":"{SECRET}","ram_role_arn":"acs:ram::1:role/cli","ram_session_name":"cli-session","expired_seconds":900}},
            {{"name":"norole","mode":"RamRoleArn","access_key_id":"cli-id","access_key_secret":"cli-secret"}},
            {{"name":"chain","mode":"ChainableRamRoleArn","source_profile":"role","ram_role_arn":"acs:ram::1:role/next"}},
            {{"name":"loop","mode":"ChainableRamRoleArn","source_profile":"loop","ram_role_arn":"acs:ram::1:role/x"}},
            {{"name":"ecs","mode":"EcsRamRole","ram_role_name":"{ROLE}"}},
            {{"name":"oidc","mode":"OIDC","ram_role_arn":"acs:ram::1:role/pod","oidc_provider_arn":"acs:ram::1:oidc-provider/p","oidc_token_file":"{token}","sts_region":"cn-shanghai"}},
            {{"name":"odd","mode":"CloudSSO"}}]}}"#
        ),
    )
    .unwrap();
    path
}

#[tokio::test]
async fn cli_profiles_in_every_mode() {
    let sts = sts().await;
    let imds = Imds::start(Duration::from_secs(3600)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = cli_config(dir.path(), "sts");
    let env = |profile: Option<&str>| {
        let mut pairs = vec![
            (vars::CONFIG_FILE.to_owned(), path.to_str().unwrap().to_owned()),
            (vars::STS_ENDPOINT.to_owned(), sts.url.clone()),
            (vars::IMDS_ENDPOINT.to_owned(), imds.url.clone()),
        ];
        if let Some(p) = profile {
            pairs.push((vars::PROFILE.to_owned(), p.to_owned()));
        }
        Env::from_pairs(pairs)
    };
    let get = |profile: Option<&str>| {
        let provider = CliProfileProvider::from_env(&env(profile));
        async move { provider.provide_credentials().await }
    };
    // The file's current profile, then ALIBABA_CLOUD_PROFILE.
    assert_eq!(get(None).await.unwrap().access_key_id(), "cli-id");
    assert_eq!(get(Some("ak")).await.unwrap().access_key_id(), KEY_ID);
    assert_eq!(get(Some("role")).await.unwrap().access_key_id(), "STS.issued-1");
    assert_eq!(sts.seen()[0].param("RoleSessionName"), Some("cli-session"));
    assert_eq!(sts.seen()[0].param("DurationSeconds"), Some("900"));
    assert_eq!(get(Some("chain")).await.unwrap().access_key_id(), "STS.issued-3");
    assert_eq!(sts.seen()[2].param("RoleArn"), Some("acs:ram::1:role/next"));
    assert_eq!(get(Some("ecs")).await.unwrap().access_key_id(), "STS.ecs-1");
    assert_eq!(get(Some("oidc")).await.unwrap().access_key_id(), "STS.issued-4");
    assert_eq!(sts.seen()[3].param("OIDCToken"), Some("oidc-token-cli"));
    for (profile, says) in [
        ("norole", "profile `norole`: mode `RamRoleArn` needs `ram_role_arn`, which is missing or empty"),
        ("loop", "loop or run deeper"),
        ("odd", "mode `CloudSSO` is not supported"),
        ("nobody", "no profile named `nobody`"),
    ] {
        let err = get(Some(profile)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
        assert!(err.message().contains(says), "{profile}: {err}");
        assert_no_secret(&err.to_string());
    }
    let disabled = Env::from_pairs([(vars::CONFIG_FILE, path.to_str().unwrap()), (vars::CLI_PROFILE_DISABLED, "true")]);
    let err = CliProfileProvider::from_env(&disabled).provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConfigured);
}

#[tokio::test]
async fn the_credentials_file_and_its_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("credentials.ini");
    std::fs::write(
        &path,
        "[default]\nenable = true\ntype = access_key\naccess_key_id = ini-id\naccess_key_secret = ini-secret\n\n\
         [sts]\ntype = sts\naccess_key_id = ini-sts\naccess_key_secret = ini-secret\nsecurity_token = ini-token\n\n\
         [half]\ntype = access_key\naccess_key_id = ini-id\n\n[off]\nenable = false\ntype = access_key\n\n\
         [role]\ntype = ram_role_arn\naccess_key_id = source-key-id\naccess_key_secret = source-secret-never-printed\n\
         role_arn = acs:ram::1:role/ini\nrole_session_name = ini-session\n\n\
         [ecs]\ntype = ecs_ram_role\nrole_name = EcsTestRole\n",
    )
    .unwrap();
    let sts = sts().await;
    let imds = Imds::start(Duration::from_secs(3600)).await;
    let get = |profile: &str| {
        let env = Env::from_pairs([
            (vars::CREDENTIALS_FILE, path.to_str().unwrap()),
            (vars::PROFILE, profile),
            (vars::STS_ENDPOINT, &sts.url),
            (vars::IMDS_ENDPOINT, &imds.url),
        ]);
        let provider = CredentialsFileProvider::from_env(&env);
        async move { provider.provide_credentials().await }
    };
    assert_eq!(get("default").await.unwrap().access_key_id(), "ini-id");
    assert_eq!(get("sts").await.unwrap().security_token().unwrap().expose(), "ini-token");
    assert_eq!(get("role").await.unwrap().access_key_id(), "STS.issued-1");
    assert_eq!(sts.seen()[0].param("RoleSessionName"), Some("ini-session"));
    assert_eq!(get("ecs").await.unwrap().access_key_id(), "STS.ecs-1");
    let err = get("half").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(
        err.message()
            .ends_with("section [half]: type `access_key` needs `access_key_secret`, which is missing or empty"),
        "{err}"
    );
    assert_no_secret(&err.to_string());
    assert_eq!(get("off").await.unwrap_err().kind(), ErrorKind::NotConfigured);
    assert_eq!(get("absent").await.unwrap_err().kind(), ErrorKind::NotConfigured);
    // The default path is under the home directory.
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".alibabacloud")).unwrap();
    std::fs::copy(&path, home.path().join(".alibabacloud/credentials.ini")).unwrap();
    let env = Env::from_pairs([("HOME", home.path().to_str().unwrap())]);
    assert_eq!(CredentialsFileProvider::from_env(&env).provide_credentials().await.unwrap().access_key_id(), "ini-id");
}

#[tokio::test]
async fn environment_errors_name_the_missing_variable() {
    let chain =
        default_chain_with(&Env::from_pairs([(vars::ACCESS_KEY_ID, "env-id"), (vars::ECS_METADATA_DISABLED, "true")]));
    let err: CredentialsError = chain.provide_credentials().await.unwrap_err();
    assert_eq!(
        err.message(),
        "environment: ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not; set both"
    );
}

/// The chain's order is the official one, and each provider answers only
/// when those before it are not set up.
#[tokio::test]
async fn the_default_chain_in_order() {
    let sts = sts().await;
    let dir = tempfile::tempdir().unwrap();
    let cli = cli_config(dir.path(), "ak");
    let ini = dir.path().join("credentials.ini");
    std::fs::write(&ini, "[default]\ntype = access_key\naccess_key_id = ini-id\naccess_key_secret = ini-secret\n")
        .unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, "oidc-token-1").unwrap();
    let uri = common::fixed(
        200,
        r#"{"AccessKeyId":"STS.uri","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2099-01-01T00:00:00Z"}"#,
    )
    .await;
    let home = dir.path().join("empty-home");
    let all: Vec<(&str, String)> = vec![
        (vars::ACCESS_KEY_ID, "env-id".into()),
        (vars::ACCESS_KEY_SECRET, "env-secret".into()),
        (vars::ROLE_ARN, "acs:ram::1:role/pod".into()),
        (vars::OIDC_PROVIDER_ARN, "acs:ram::1:oidc-provider/p".into()),
        (vars::OIDC_TOKEN_FILE, token.to_str().unwrap().into()),
        (vars::CONFIG_FILE, cli.to_str().unwrap().into()),
        (vars::CREDENTIALS_FILE, ini.to_str().unwrap().into()),
        (vars::CREDENTIALS_URI, uri.clone()),
        (vars::STS_ENDPOINT, sts.url.clone()),
        (vars::ECS_METADATA_DISABLED, "true".into()),
        ("HOME", home.to_str().unwrap().into()),
    ];
    let without =
        |drop: &[&str]| Env::from_pairs(all.iter().filter(|(k, _)| !drop.contains(k)).map(|(k, v)| (*k, v.clone())));
    let chain = default_chain_with(&without(&[vars::ECS_METADATA_DISABLED]));
    assert_eq!(
        chain.names(),
        ["environment", "oidc_role_arn", "cli_profile", "credentials_file", "ecs_ram_role", "credentials_uri"]
    );
    let first = |env: Env| async move {
        default_chain_with(&env).provide_credentials().await.map(|c| c.access_key_id().to_owned())
    };
    assert_eq!(first(without(&[])).await.unwrap(), "env-id");
    let env_vars = [vars::ACCESS_KEY_ID, vars::ACCESS_KEY_SECRET];
    assert_eq!(first(without(&env_vars)).await.unwrap(), "STS.issued-1");
    let oidc = [vars::ROLE_ARN, vars::OIDC_PROVIDER_ARN, vars::OIDC_TOKEN_FILE];
    let mut gone: Vec<&str> = env_vars.iter().chain(&oidc).copied().collect();
    assert_eq!(first(without(&gone)).await.unwrap(), KEY_ID);
    gone.push(vars::CONFIG_FILE);
    assert_eq!(first(without(&gone)).await.unwrap(), "ini-id");
    gone.push(vars::CREDENTIALS_FILE);
    assert_eq!(first(without(&gone)).await.unwrap(), "STS.uri");
    gone.push(vars::CREDENTIALS_URI);
    let err = first(without(&gone)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotConfigured);
    for name in ["environment", "oidc_role_arn", "cli_profile", "credentials_file"] {
        assert!(err.message().contains(&format!("{name}: ")), "{err}");
    }
    // The chain keeps to the provider that answered.
    let chain = default_chain_with(&without(&env_vars));
    chain.provide_credentials().await.unwrap();
    chain.provide_credentials().await.unwrap();
    assert_eq!(sts.hits("AssumeRoleWithOIDC"), 3);
}
