//! Loading credentials and region the way `Client::from_env` does, through
//! `ClientBuilder::load_from` with the variables and the aliyun CLI profile
//! given explicitly. Each loaded client then makes a real call, so the test
//! sees which key actually signed it.

use std::collections::HashMap;
use std::path::PathBuf;

use aliyun_vpc::runtime::credentials::{ENV_ACCESS_KEY_ID, ENV_ACCESS_KEY_SECRET, ENV_REGION_ID, ENV_SECURITY_TOKEN};
use aliyun_vpc::runtime::{ClientBuilder, ConfigError, Credentials};
use aliyun_vpc::{CancelPhysicalConnectionRequest, Client};
use loopback_server::{KEY_ID, Options, Reply, SECRET, Seen, Server};

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    move |name| map.get(name).cloned()
}

/// An aliyun CLI config file with these profiles, `current` selected.
fn cli_config(dir: &tempfile::TempDir, current: &str, profiles: &str) -> PathBuf {
    let path = dir.path().join("config.json");
    std::fs::write(&path, format!(r#"{{"current":"{current}","profiles":[{profiles}]}}"#)).unwrap();
    path
}

fn ak_profile(name: &str, id: &str, secret: &str, region: &str) -> String {
    format!(
        r#"{{"name":"{name}","mode":"AK","access_key_id":"{id}","access_key_secret":"{secret}","region_id":"{region}"}}"#
    )
}

async fn call(builder: ClientBuilder<Client>) -> (Client, Seen) {
    let server = Server::start_with(Options { strict: true }, vec![Reply::ok(r#"{"RequestId":"R"}"#)]).await;
    let client = builder.endpoint(server.url.clone()).build().unwrap();
    let request = CancelPhysicalConnectionRequest::builder()
        .region_id("cn-shanghai")
        .physical_connection_id("pc-1")
        .build()
        .unwrap();
    client.cancel_physical_connection(request).await.expect("the loaded key signs correctly");
    let seen = server.seen().remove(0);
    assert_eq!(seen.signature, Ok(()));
    (client, seen)
}

#[tokio::test]
async fn environment_variables_win_over_the_cli_profile() {
    let dir = tempfile::tempdir().unwrap();
    let cli = cli_config(&dir, "default", &ak_profile("default", "cli-id", "cli-secret", "cn-beijing"));
    let vars = env(&[(ENV_ACCESS_KEY_ID, KEY_ID), (ENV_ACCESS_KEY_SECRET, SECRET), (ENV_REGION_ID, "cn-shanghai")]);
    let (client, seen) = call(Client::builder().load_from(vars, Some(&cli)).unwrap()).await;
    assert_eq!(client.runtime().region(), "cn-shanghai");
    // The strict server only accepts KEY_ID signed with SECRET: the call
    // succeeding shows the variables' key was used, not the profile's.
    assert!(seen.header("authorization").is_some_and(|a| a.contains(&format!("Credential={KEY_ID},"))));
}

#[tokio::test]
async fn the_region_variable_wins_over_the_cli_profile_region() {
    let dir = tempfile::tempdir().unwrap();
    let cli = cli_config(&dir, "default", &ak_profile("default", KEY_ID, SECRET, "cn-beijing"));
    let builder = Client::builder().load_from(env(&[(ENV_REGION_ID, "cn-shanghai")]), Some(&cli)).unwrap();
    let (client, _) = call(builder).await;
    assert_eq!(client.runtime().region(), "cn-shanghai", "the variable is more specific than the profile");
}

#[tokio::test]
async fn cli_profile_in_ak_mode() {
    let dir = tempfile::tempdir().unwrap();
    let profiles = [ak_profile("other", "x", "y", "eu-central-1"), ak_profile("work", KEY_ID, SECRET, "cn-hangzhou")];
    let cli = cli_config(&dir, "work", &profiles.join(","));
    let (client, seen) = call(Client::builder().load_from(env(&[]), Some(&cli)).unwrap()).await;
    assert_eq!(client.runtime().region(), "cn-hangzhou");
    assert_eq!(seen.header("x-acs-security-token"), None);
}

#[tokio::test]
async fn cli_profile_in_sts_token_mode_sends_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let profile = format!(
        r#"{{"name":"sts","mode":"StsToken","access_key_id":"{KEY_ID}","access_key_secret":"{SECRET}","sts_token":"tok-123","region_id":"cn-beijing"}}"#
    );
    let cli = cli_config(&dir, "sts", &profile);
    let (client, seen) = call(Client::builder().load_from(env(&[]), Some(&cli)).unwrap()).await;
    assert_eq!(client.runtime().region(), "cn-beijing");
    assert_eq!(seen.header("x-acs-security-token"), Some("tok-123"));
    assert!(seen.signed_headers.iter().any(|h| h == "x-acs-security-token"));
}

#[tokio::test]
async fn environment_sts_token_is_sent() {
    let vars = env(&[
        (ENV_ACCESS_KEY_ID, KEY_ID),
        (ENV_ACCESS_KEY_SECRET, SECRET),
        (ENV_SECURITY_TOKEN, "env-token"),
        (ENV_REGION_ID, "cn-shanghai"),
    ]);
    let (_, seen) = call(Client::builder().load_from(vars, None).unwrap()).await;
    assert_eq!(seen.header("x-acs-security-token"), Some("env-token"));
}

#[tokio::test]
async fn explicit_settings_win_and_skip_a_profile_they_do_not_need() {
    let dir = tempfile::tempdir().unwrap();
    // A profile mode the SDK cannot use: irrelevant when credentials are given.
    let cli =
        cli_config(&dir, "ram", r#"{"name":"ram","mode":"RamRoleArn","access_key_id":"a","access_key_secret":"b"}"#);
    let builder = Client::builder()
        .credentials(Credentials::new(KEY_ID, SECRET))
        .load_from(env(&[(ENV_REGION_ID, "cn-shanghai"), (ENV_ACCESS_KEY_ID, "env-id")]), Some(&cli))
        .expect("explicit credentials need nothing from the profile or the variables");
    let (client, _) = call(builder.region("cn-qingdao")).await;
    assert_eq!(client.runtime().region(), "cn-qingdao");
}

fn build_error(builder: Result<ClientBuilder<Client>, ConfigError>) -> String {
    match builder.and_then(ClientBuilder::build) {
        Ok(client) => panic!("expected a ConfigError, built {client:?}"),
        Err(e) => aliyun_vpc::runtime::Report(&e).to_string(),
    }
}

#[test]
fn missing_region_is_a_clear_config_error() {
    let vars = env(&[(ENV_ACCESS_KEY_ID, KEY_ID), (ENV_ACCESS_KEY_SECRET, SECRET)]);
    let text = build_error(Client::builder().load_from(vars, None));
    assert!(text.contains("no region") && text.contains(ENV_REGION_ID) && text.contains(".region("), "{text}");
    assert!(!text.contains(SECRET));
}

#[test]
fn missing_credentials_are_a_clear_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("no-such-config.json");
    let text = build_error(Client::builder().load_from(env(&[(ENV_REGION_ID, "cn-shanghai")]), Some(&absent)));
    assert!(text.contains("no credentials"), "{text}");
    assert!(text.contains(ENV_ACCESS_KEY_ID) && text.contains(ENV_ACCESS_KEY_SECRET), "{text}");
    assert!(text.contains("aliyun CLI"), "{text}");
}

#[test]
fn half_a_key_in_the_environment_is_a_clear_config_error() {
    let text = build_error(Client::builder().load_from(env(&[(ENV_ACCESS_KEY_ID, KEY_ID)]), None));
    assert!(text.contains(ENV_ACCESS_KEY_SECRET) && text.contains("set both"), "{text}");
    let text = build_error(
        Client::builder().load_from(env(&[(ENV_ACCESS_KEY_SECRET, SECRET), (ENV_REGION_ID, "cn-shanghai")]), None),
    );
    assert!(text.contains("no credentials") && !text.contains(SECRET), "{text}");
}

#[test]
fn unusable_cli_profiles_are_clear_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (r#"{"current":"a","profiles":[]}"#.to_owned(), "no profile named `a`"),
        (
            r#"{"current":"r","profiles":[{"name":"r","mode":"RamRoleArn","access_key_id":"a","access_key_secret":"cli-secret-9"}]}"#.to_owned(),
            "RamRoleArn",
        ),
        (
            r#"{"current":"s","profiles":[{"name":"s","mode":"StsToken","access_key_id":"a","access_key_secret":"cli-secret-9"}]}"#.to_owned(),
            "no sts_token",
        ),
        ("not json".to_owned(), "not valid JSON"),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("config.json");
        std::fs::write(&path, &text).unwrap();
        let err = Client::builder().load_from(env(&[(ENV_REGION_ID, "cn-shanghai")]), Some(&path)).unwrap_err();
        let shown = aliyun_vpc::runtime::Report(&err).to_string();
        assert!(shown.contains(expected), "{shown}");
        assert!(!shown.contains("cli-secret-9"), "{shown}");
    }
}

/// A key id or STS token with a control character (a stray `\r` from a file
/// edited on Windows, a newline from a pasted value) cannot go into an HTTP
/// header. It used to surface only at the first call, as a transport error
/// that was retried and blamed the network; now the client refuses to build,
/// names the credential, and does not show its value.
#[test]
fn a_credential_that_cannot_be_sent_in_a_header_is_a_config_error() {
    let with = |credentials: Credentials| {
        Client::builder()
            .region("cn-shanghai")
            .credentials(credentials)
            .build()
            .map(|_| ())
            .map_err(|e| aliyun_vpc::runtime::Report(&e).to_string())
    };
    let cases = [
        (Credentials::new("LTAI-id\r", SECRET), "access key id"),
        (Credentials::new(KEY_ID, SECRET).with_security_token("sts-token-7\n"), "security token"),
        (Credentials::new(KEY_ID, SECRET).with_security_token("sts\u{7f}token-7"), "security token"),
    ];
    for (credentials, named) in cases {
        let text = with(credentials).expect_err("a credential with a control character built a client");
        assert!(text.contains(named) && text.contains("control character"), "{text}");
        assert!(!text.contains("sts-token-7") && !text.contains("LTAI-id") && !text.contains(SECRET), "{text}");
    }
    // Tabs and non-ASCII bytes are valid in a header value; a secret never goes in one.
    assert_eq!(with(Credentials::new(KEY_ID, "secret\nwith newline").with_security_token("a\tb")), Ok(()));
}
