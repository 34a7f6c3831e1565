//! What users of a generated crate rely on, checked on the fixture spec that
//! uses every feature: wire encoding, builder checks, decoding, open enums.

use aliyun_runtime::{BuildError, Operation, decode_response};
use fixture_sdk::create_widget::{RuleTarget, WidgetConfig, WidgetRule};
use fixture_sdk::describe_widgets::WidgetFilter;
use fixture_sdk::types::{Tag, WidgetKind, WidgetStatus};
use fixture_sdk::*;

fn wire(params: aliyun_runtime::Params) -> Vec<(String, String)> {
    params.into_vec()
}

#[test]
fn create_request_flattens_every_feature_onto_the_wire() {
    let request = CreateWidgetRequest::builder()
        .region_id("cn-hangzhou")
        .name("my widget")
        .size(10)
        .capacity(5_000_000_000_i64)
        .enabled(true)
        .ratio(0.5)
        .kind(WidgetKind::HighIo)
        .type_("special")
        .vswitch_id("vsw-1")
        .ipv6_address("2408::1")
        .bandwidth(100_i64)
        .tag([Tag::default().key("env").value("prod"), Tag::default().key("team")])
        .zone_ids(["cn-hangzhou-a", "cn-hangzhou-b"])
        .config(WidgetConfig::default().mode("100G").ports([80, 443]))
        .labels(["a"])
        .first_filter_key("k")
        .build()
        .unwrap();
    let want: Vec<(String, String)> = [
        ("Action", "CreateWidget"),
        ("Version", "2020-01-01"),
        ("RegionId", "cn-hangzhou"),
        ("Name", "my widget"),
        ("Size", "10"),
        ("Capacity", "5000000000"),
        ("Enabled", "true"),
        ("Ratio", "0.5"),
        ("Kind", "HighIO"),
        ("Type", "special"),
        ("VSwitchId", "vsw-1"),
        ("IPv6Address", "2408::1"),
        ("bandwidth", "100"),
        ("Tag.1.Key", "env"),
        ("Tag.1.Value", "prod"),
        ("Tag.2.Key", "team"),
        ("ZoneIds", "cn-hangzhou-a,cn-hangzhou-b"),
        ("Config", r#"{"Mode":"100G","Ports":[80,443]}"#),
        ("Labels.1", "a"),
        ("Filter.1.Key", "k"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(wire(request.to_params()), want);
}

#[test]
fn nested_lists_flatten_as_filter_n_value_m() {
    let request = DescribeWidgetsRequest::builder()
        .region_id("cn-hangzhou")
        .filter([
            WidgetFilter::default().key("Status").value(["Running", "Pending"]),
            WidgetFilter::default().key("Kind").value(["HighIO"]),
        ])
        .build()
        .unwrap();
    let params = request.to_params();
    let got: Vec<(&str, &str)> = params.iter().skip(3).collect();
    assert_eq!(
        got,
        [
            ("Filter.1.Key", "Status"),
            ("Filter.1.Value.1", "Running"),
            ("Filter.1.Value.2", "Pending"),
            ("Filter.2.Key", "Kind"),
            ("Filter.2.Value.1", "HighIO"),
        ]
    );
}

#[test]
fn build_names_the_missing_required_parameter() {
    // RegionId is the one exception: the client sends its own region for it.
    let defaulted = CreateWidgetRequest::builder().labels(["a"]).build().unwrap();
    assert_eq!(defaulted.region_id, None);
    let err = CreateWidgetRequest::builder().region_id("r").build().unwrap_err();
    assert_eq!(err, BuildError::Missing { parameter: "Labels".into() });
    assert!(err.to_string().contains("`Labels`"));
}

/// Fields a struct marks required are checked wherever the struct sits in a
/// request: in a list, in a struct inside it, in a shared type. The error
/// gives the full wire path, as the service would name the parameter.
#[test]
fn build_names_a_missing_required_field_inside_a_struct_by_its_wire_path() {
    let base = || CreateWidgetRequest::builder().region_id("r").labels(["a"]);
    let target = || RuleTarget::default().id("t-1").ports([80]);
    let rule = |name: &str| WidgetRule::default().name(name).target(target());
    let missing = |builder: CreateWidgetRequestBuilder| match builder.build() {
        Err(BuildError::Missing { parameter }) => parameter.into_owned(),
        other => panic!("expected a missing parameter, got {other:?}"),
    };

    assert_eq!(missing(base().rule([rule("a"), WidgetRule::default().target(target())])), "Rule.2.Name");
    assert_eq!(
        missing(base().rule([rule("a"), rule("b"), rule("c").target(RuleTarget::default().ports([1]))])),
        "Rule.3.Target.Id"
    );
    assert_eq!(missing(base().rule([rule("a").target(RuleTarget::default().id("t"))])), "Rule.1.Target.Ports");
    assert_eq!(missing(base().tag([Tag::default().key("env"), Tag::default().value("no key")])), "Tag.2.Key");
    // An optional struct left out is not checked; a complete request builds.
    assert!(base().rule([WidgetRule::default().name("no target")]).build().is_ok());
    let complete = base().rule([rule("a"), rule("b")]).tag([Tag::default().key("env")]).build().unwrap();
    assert!(wire(complete.to_params()).contains(&("Rule.2.Target.Ports.1".to_owned(), "80".to_owned())));
}

#[test]
fn build_enforces_documented_limits() {
    let base = || CreateWidgetRequest::builder().region_id("r").labels(["a"]);
    let too_long = base().client_token("x".repeat(65)).build().unwrap_err();
    assert!(matches!(too_long, BuildError::Invalid { parameter: "ClientToken", .. }), "{too_long}");
    assert!(base().client_token("x".repeat(64)).build().is_ok());
    assert!(matches!(base().name("a").build(), Err(BuildError::Invalid { parameter: "Name", .. })));
    assert!(matches!(base().size(0).build(), Err(BuildError::Invalid { parameter: "Size", .. })));
    assert!(matches!(base().size(1001).build(), Err(BuildError::Invalid { parameter: "Size", .. })));
    let tags: Vec<Tag> = (0..21).map(|i| Tag::default().key(format!("k{i}"))).collect();
    assert!(matches!(base().tag(tags).build(), Err(BuildError::Invalid { parameter: "Tag", .. })));
}

#[test]
#[allow(deprecated)] // GetWidgetQuota is deprecated in the spec
fn operation_metadata_comes_from_the_spec() {
    assert_eq!(CreateWidgetRequest::IDEMPOTENCY_TOKEN, Some("ClientToken"));
    let read_only = [
        CreateWidgetRequest::READ_ONLY,
        DescribeWidgetsRequest::READ_ONLY,
        GetWidgetQuotaRequest::READ_ONLY,
        DeleteWidgetRequest::READ_ONLY,
    ];
    // Describe* defaults to read-only; GetWidgetQuota says so explicitly.
    assert_eq!(read_only, [false, true, true, false]);
    assert_eq!(DeleteWidgetRequest::IDEMPOTENCY_TOKEN, None);
    assert_eq!(
        fixture_sdk::ACTIONS,
        ["CreateWidget", "DeleteWidget", "DescribeWidgets", "GetWidgetQuota", "ListWidgetEvents", "StopWidget"]
    );
    assert_eq!(fixture_sdk::ENDPOINT, "demo.{region}.example.com");
}

#[test]
fn nested_response_decodes_with_aliases_and_unknown_values() {
    let body = br#"{"RequestId":"R","Widgets":{"Widget":[
        {"WidgetId":"w-1","Status":"Allocation Failed","Kind":"HighIO","Spec":{"Cpu":"2","Memory":4.5},
         "Tags":{"Tag":[{"Key":"env","Value":"prod"}]},"Ipv6Addresses":{"Ipv6Address":["2408::1","2408::2"]}},
        {"WidgetId":"w-2","Status":"Hibernating","Kind":"Brand New Kind","Unexpected":{"a":1}}]}}"#;
    let response: DescribeWidgetsResponse = decode_response(body).unwrap();
    assert_eq!(response.request_id, "R");
    assert_eq!(response.total_count, None);
    let [first, second] = &response.widgets[..] else { panic!("{response:?}") };
    assert_eq!(first.status, Some(WidgetStatus::AllocationFailed));
    assert_eq!(first.status.as_ref().unwrap().as_str(), "AllocationFailed");
    assert_eq!(first.kind, Some(WidgetKind::HighIo));
    assert_eq!(first.spec.as_ref().and_then(|s| s.cpu), Some(2));
    assert_eq!(first.tags[0].key.as_deref(), Some("env"));
    assert_eq!(first.ipv6_addresses, ["2408::1", "2408::2"]);
    let status = second.status.as_ref().unwrap();
    assert!(matches!(status, WidgetStatus::Unknown(v) if v.as_str() == "Hibernating"));
    assert_eq!(second.kind.as_ref().map(|k| k.to_string()).as_deref(), Some("Brand New Kind"));
    assert!(second.tags.is_empty());
}

#[test]
fn decode_errors_point_into_the_body() {
    let err = decode_response::<DescribeWidgetsResponse>(
        br#"{"RequestId":"R","Widgets":{"Widget":[{"WidgetId":"w-1"},{"Spec":{"Cpu":"many"}}]}}"#,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "at `Widgets.Widget[1].Spec.Cpu`: expected a 32-bit integer, found \"many\"");
    let err = decode_response::<GetWidgetQuotaResponse>(br#"{"RequestId":"R"}"#).unwrap_err();
    assert_eq!(err.to_string(), "at `Quota`: required field is missing");
}

#[test]
fn enums_round_trip_their_wire_values() {
    for kind in [WidgetKind::Standard, WidgetKind::HighIo, WidgetKind::Value100G] {
        assert_eq!(WidgetKind::from(kind.as_str()), kind);
    }
    assert_eq!(WidgetKind::Value100G.as_str(), "100G");
}

/// What a server (the emulator) reads is what the client sent.
#[test]
fn requests_read_back_from_their_wire_parameters() {
    use aliyun_runtime::{FromParams, ParamError, ParamSource};
    use std::collections::BTreeMap;

    let request = CreateWidgetRequest::builder()
        .region_id("cn-hangzhou")
        .size(10)
        .kind(WidgetKind::HighIo)
        .tag([Tag::default().key("env").value("prod"), Tag::default().key("team")])
        .zone_ids(["a", "b"])
        .config(WidgetConfig::default().mode("Standard").ports([80, 443]))
        .labels(["x", "y"])
        .first_filter_key("k")
        .build()
        .unwrap();
    let wire: BTreeMap<String, String> = request.to_params().into_vec().into_iter().collect();
    let read = CreateWidgetRequest::from_params(&ParamSource::new(&wire)).unwrap();
    assert_eq!(read, request);

    let filters = DescribeWidgetsRequest::builder()
        .region_id("r")
        .filter([WidgetFilter::default().key("Status").value(["Running", "Pending"])])
        .build()
        .unwrap();
    let wire: BTreeMap<String, String> = filters.to_params().into_vec().into_iter().collect();
    assert_eq!(DescribeWidgetsRequest::from_params(&ParamSource::new(&wire)).unwrap(), filters);

    let mut wire = BTreeMap::new();
    wire.insert("Labels.1".to_owned(), "x".to_owned());
    let missing = CreateWidgetRequest::from_params(&ParamSource::new(&wire)).unwrap_err();
    assert_eq!(missing, ParamError::Missing { parameter: "RegionId".into() });
    wire.insert("RegionId".to_owned(), "r".to_owned());
    wire.insert("Size".to_owned(), "5000".to_owned());
    let invalid = CreateWidgetRequest::from_params(&ParamSource::new(&wire)).unwrap_err();
    assert_eq!(invalid.code(), "InvalidParameter");
    wire.insert("Size".to_owned(), "ten".to_owned());
    assert!(matches!(CreateWidgetRequest::from_params(&ParamSource::new(&wire)), Err(ParamError::Invalid { .. })));

    // A server reading a struct without its required field answers
    // MissingParameter naming the full path, as the builder would.
    wire.insert("Size".to_owned(), "5".to_owned());
    wire.insert("Rule.1.Name".to_owned(), "a".to_owned());
    wire.insert("Rule.1.Target.Ports.1".to_owned(), "80".to_owned());
    let missing = CreateWidgetRequest::from_params(&ParamSource::new(&wire)).unwrap_err();
    assert_eq!(missing, ParamError::Missing { parameter: "Rule.1.Target.Id".into() });
    assert_eq!(missing.code(), "MissingParameter");
    wire.insert("Rule.1.Target.Id".to_owned(), "t".to_owned());
    assert!(CreateWidgetRequest::from_params(&ParamSource::new(&wire)).is_ok());
}

#[test]
fn a_region_with_a_published_endpoint_uses_it_and_others_use_the_template() {
    let client = |region: &str| {
        Client::builder().region(region).credentials(aliyun_runtime::Credentials::new("id", "secret")).build().unwrap()
    };
    assert_eq!(fixture_sdk::ENDPOINTS, [("eu-test-1", "widgets.eu-test-1.example.org")]);
    assert_eq!(client("eu-test-1").runtime().endpoint(), "https://widgets.eu-test-1.example.org/");
    // A region the product does not list is refused, naming it and the known ones...
    let unlisted = Client::builder()
        .region("cn-hangzhou")
        .credentials(aliyun_runtime::Credentials::new("id", "secret"))
        .build()
        .unwrap_err();
    assert!(
        matches!(&unlisted, aliyun_runtime::ConfigError::UnknownRegion { region, known } if region == "cn-hangzhou" && known == &["eu-test-1"]),
        "{unlisted:?}"
    );
    assert!(unlisted.to_string().contains("`cn-hangzhou`"), "{unlisted}");
    // ...unless the caller says a newer region is fine: then the template serves.
    let newer = Client::builder()
        .region("cn-hangzhou")
        .credentials(aliyun_runtime::Credentials::new("id", "secret"))
        .allow_unlisted_region()
        .build()
        .unwrap();
    assert_eq!(newer.runtime().endpoint(), "https://demo.cn-hangzhou.example.com/");
    // The VPC-internal network puts `-vpc` after the host's first label.
    let internal = Client::builder()
        .region("eu-test-1")
        .credentials(aliyun_runtime::Credentials::new("id", "secret"))
        .network(aliyun_runtime::Network::Vpc)
        .build()
        .unwrap();
    assert_eq!(internal.runtime().endpoint(), "https://widgets-vpc.eu-test-1.example.org/");
    let overridden = Client::builder()
        .region("eu-test-1")
        .credentials(aliyun_runtime::Credentials::new("id", "secret"))
        .endpoint("http://127.0.0.1:9")
        .build()
        .unwrap();
    assert_eq!(overridden.runtime().endpoint(), "http://127.0.0.1:9/");
}

#[test]
#[allow(deprecated)] // GetWidgetQuota is deprecated in the spec
fn actions_are_reachable_through_their_group_and_at_the_root() {
    let grouped: fixture_sdk::widgets::CreateWidgetRequestBuilder =
        fixture_sdk::widgets::CreateWidgetRequest::builder();
    let rooted: fixture_sdk::CreateWidgetRequestBuilder = grouped;
    let _ = rooted;
    let _ = fixture_sdk::account::get_widget_quota::GetWidgetQuotaRequest::builder();
    let _ = fixture_sdk::widgets::create_widget::WidgetConfig::default();
}

#[test]
fn sensitive_parameters_never_show_in_debug() {
    let builder =
        CreateWidgetRequest::builder().region_id("cn-hangzhou").labels(["a"]).admin_password("hunter2-secret");
    let request = builder.clone().build().unwrap();
    let shown = format!("{builder:?} {request:?} {request:#?}");
    assert!(!shown.contains("hunter2-secret"), "{shown}");
    assert!(shown.contains("admin_password: ***") && shown.contains("cn-hangzhou"), "{shown}");
    assert_eq!(request.to_params().get("AdminPassword"), Some("hunter2-secret"));
}
