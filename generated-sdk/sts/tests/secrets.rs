//! The temporary credentials STS answers, and the OIDC token sent to it,
//! never show in `Debug`: the spec marks them `sensitive`.

use aliyun_sts::runtime::decode_response;
use aliyun_sts::{AssumeRoleResponse, AssumeRoleWithOidcRequest};

#[test]
fn secrets_in_sts_types_never_show_in_debug() {
    let body = br#"{"RequestId":"R","Credentials":{"AccessKeyId":"STS.id","AccessKeySecret":"answered-secret","SecurityToken":"answered-token","Expiration":"2030-01-01T00:00:00Z"}}"#;
    let response: AssumeRoleResponse = decode_response(body).unwrap();
    assert_eq!(response.credentials.access_key_secret.as_deref(), Some("answered-secret"));
    let request = AssumeRoleWithOidcRequest::builder()
        .role_arn("acs:ram::1:role/r")
        .oidc_provider_arn("acs:ram::1:oidc-provider/p")
        .oidc_token("oidc-token-value");
    let shown = format!("{response:?} {response:#?} {request:?} {:?}", request.clone().build().unwrap());
    for secret in ["answered-secret", "answered-token", "oidc-token-value"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
    assert!(shown.contains("STS.id") && shown.contains("2030-01-01T00:00:00Z"), "{shown}");
}
