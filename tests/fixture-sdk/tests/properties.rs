//! Property tests on the fixture crate: decoding the richest response never
//! panics and reads JSON and XML alike; request parameters survive the wire
//! encoding; and the runtime's signatures agree with the loopback server's
//! independent implementation on arbitrary input. Case counts are modest so
//! that the suite stays quick on a small machine.

use aliyun_runtime::signing::{self, V3Input};
use aliyun_runtime::{Node, Operation, ServiceError, decode_response};
use fixture_sdk::types::Tag;
use fixture_sdk::{CreateWidgetRequest, DescribeWidgetsResponse};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use serde_json::{Value, json};

/// JSON trees built from the response's own field names, so that the
/// decoder's deeper paths (wrapped lists, nested structs, scalars of every
/// type) meet wrong shapes, not only a missing root.
fn shaped_json() -> impl Strategy<Value = Value> {
    let names = prop_oneof![
        Just("RequestId"),
        Just("TotalCount"),
        Just("PageNumber"),
        Just("Truncated"),
        Just("Widgets"),
        Just("Widget"),
        Just("WidgetId"),
        Just("Status"),
        Just("Kind"),
        Just("Capacity"),
        Just("Ratio"),
        Just("Enabled"),
        Just("Spec"),
        Just("Cpu"),
        Just("Memory"),
        Just("Tags"),
        Just("Tag"),
        Just("Key"),
        Just("Value"),
        Just("Ipv6Addresses"),
        Just("Ipv6Address"),
        Just("ZoneIds"),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        prop_oneof![Just("true"), Just("99999999999"), Just(" 7 "), Just(""), Just("x")].prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec((names.clone(), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

/// The same tree as XML, lists as repeated elements.
fn to_xml(name: &str, value: &Value, out: &mut String) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| to_xml(name, item, out)),
        Value::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            fields.iter().for_each(|(k, v)| to_xml(k, v, out));
            out.push_str(&format!("</{name}>"));
        }
        Value::Null => out.push_str(&format!("<{name}/>")),
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", xml_escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[derive(Debug, Clone)]
struct WidgetModel {
    id: Option<String>,
    status: Option<String>,
    capacity: Option<i64>,
    ratio: Option<f64>,
    enabled: Option<bool>,
    tags: Vec<(String, String)>,
    zones: Vec<String>,
}

fn text() -> impl Strategy<Value = String> {
    "\\PC{0,12}"
}

fn widget() -> impl Strategy<Value = WidgetModel> {
    (
        option::of(text()),
        option::of(prop_oneof![Just("Pending".to_owned()), Just("Running".to_owned()), text()]),
        option::of(any::<i64>()),
        option::of((-4000i32..4000).prop_map(|i| f64::from(i) / 8.0)),
        option::of(any::<bool>()),
        vec((text(), text()), 0..3),
        vec(text(), 0..3),
    )
        .prop_map(|(id, status, capacity, ratio, enabled, tags, zones)| WidgetModel {
            id,
            status,
            capacity,
            ratio,
            enabled,
            tags,
            zones,
        })
}

fn model_json(request_id: &str, total: Option<i32>, widgets: &[WidgetModel]) -> String {
    let widgets: Vec<Value> = widgets
        .iter()
        .map(|w| {
            let mut o = serde_json::Map::new();
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    o.insert(k.to_owned(), v);
                }
            };
            put("WidgetId", w.id.clone().map(Value::from));
            put("Status", w.status.clone().map(Value::from));
            put("Capacity", w.capacity.map(Value::from));
            put("Ratio", w.ratio.map(Value::from));
            put("Enabled", w.enabled.map(Value::from));
            let tags: Vec<Value> = w.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect();
            put("Tags", Some(json!({ "Tag": tags })));
            put("ZoneIds", Some(Value::from(w.zones.clone())));
            Value::Object(o)
        })
        .collect();
    let mut root = json!({ "RequestId": request_id, "Widgets": { "Widget": widgets } });
    if let Some(t) = total {
        root["TotalCount"] = Value::from(t);
    }
    root.to_string()
}

fn model_xml(request_id: &str, total: Option<i32>, widgets: &[WidgetModel]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DescribeWidgetsResponse><RequestId>{}</RequestId>",
        xml_escape(request_id)
    );
    if let Some(t) = total {
        out.push_str(&format!("<TotalCount>{t}</TotalCount>"));
    }
    out.push_str("<Widgets>");
    for w in widgets {
        out.push_str("<Widget>");
        let mut leaf = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                out.push_str(&format!("<{k}>{}</{k}>", xml_escape(&v)));
            }
        };
        leaf("WidgetId", w.id.clone());
        leaf("Status", w.status.clone());
        leaf("Capacity", w.capacity.map(|c| c.to_string()));
        leaf("Ratio", w.ratio.map(|r| r.to_string()));
        leaf("Enabled", w.enabled.map(|e| e.to_string()));
        out.push_str("<Tags>");
        for (k, v) in &w.tags {
            out.push_str(&format!("<Tag><Key>{}</Key><Value>{}</Value></Tag>", xml_escape(k), xml_escape(v)));
        }
        out.push_str("</Tags>");
        for z in &w.zones {
            out.push_str(&format!("<ZoneIds>{}</ZoneIds>", xml_escape(z)));
        }
        out.push_str("</Widget>");
    }
    out.push_str("</Widgets></DescribeWidgetsResponse>");
    out
}

fn pairs(params: aliyun_runtime::Params) -> Vec<(String, String)> {
    params.into_vec()
}

fn sorted(mut list: Vec<(String, String)>) -> Vec<(String, String)> {
    list.sort();
    list
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn decoding_the_richest_response_never_panics(bytes in vec(any::<u8>(), 0..256), tree in shaped_json()) {
        let _ = decode_response::<DescribeWidgetsResponse>(&bytes);
        let json = tree.to_string();
        let _ = decode_response::<DescribeWidgetsResponse>(json.as_bytes());
        let _ = ServiceError::parse(400, json.as_bytes());
        let mut xml = String::new();
        to_xml("DescribeWidgetsResponse", &tree, &mut xml);
        let _ = decode_response::<DescribeWidgetsResponse>(xml.as_bytes());
        let _ = Node::parse(xml.as_bytes());
    }

    /// Whatever the service sends within the response's shape reads the same
    /// from JSON and XML, and gives back what was sent.
    #[test]
    fn describe_widgets_round_trips_through_json_and_xml(
        request_id in text(),
        total in option::of(any::<i32>()),
        widgets in vec(widget(), 0..4),
    ) {
        let from_json: DescribeWidgetsResponse = decode_response(model_json(&request_id, total, &widgets).as_bytes()).unwrap();
        let from_xml: DescribeWidgetsResponse = decode_response(model_xml(&request_id, total, &widgets).as_bytes()).unwrap();
        prop_assert_eq!(&from_json, &from_xml);
        prop_assert_eq!(&from_json.request_id, &request_id);
        prop_assert_eq!(from_json.total_count, total);
        prop_assert_eq!(from_json.widgets.len(), widgets.len());
        for (got, want) in from_json.widgets.iter().zip(&widgets) {
            prop_assert_eq!(&got.widget_id, &want.id);
            prop_assert_eq!(got.status.is_some(), want.status.is_some());
            prop_assert_eq!(got.capacity, want.capacity);
            prop_assert_eq!(got.ratio, want.ratio);
            prop_assert_eq!(got.enabled, want.enabled);
            let tags: Vec<(String, String)> = got
                .tags
                .iter()
                .map(|t| (t.key.clone().unwrap_or_default(), t.value.clone().unwrap_or_default()))
                .collect();
            prop_assert_eq!(&tags, &want.tags);
            prop_assert_eq!(&got.zone_ids, &want.zones);
        }
    }

    /// Request parameters, whatever their characters, come out of the
    /// server's independent form decoding exactly as the request encoded them.
    #[test]
    fn request_parameters_survive_the_wire_encoding(
        name in "\\PC{2,20}",
        tags in vec((".{0,10}", ".{0,10}"), 0..12),
        labels in vec(".{0,8}", 1..4),
    ) {
        let request = CreateWidgetRequest::builder()
            .region_id("cn-hangzhou")
            .name(name.clone())
            .tag(tags.iter().map(|(k, v)| Tag::default().key(k.clone()).value(v.clone())))
            .labels(labels.clone())
            .build()
            .unwrap();
        let sent = pairs(request.to_params());
        prop_assert_eq!(sent.iter().filter(|(k, _)| k.starts_with("Tag.")).count(), tags.len() * 2);
        let wire = signing::canonical_query(&sent);
        let received = loopback_server::decode_pairs(&wire);
        prop_assert_eq!(sorted(received), sorted(sent));
    }

    /// The runtime's V1 signature equals the server's, computed separately,
    /// for arbitrary parameters and secrets.
    #[test]
    fn rpc_signatures_agree_with_an_independent_implementation(
        params in vec(("[A-Za-z0-9.]{1,12}", ".{0,16}"), 0..12),
        secret in ".{0,24}",
    ) {
        let params: Vec<(String, String)> = params;
        let ours = signing::sign_rpc("POST", &params, &secret);
        prop_assert_eq!(&ours.signature, &loopback_server::rpc_signature("POST", &params, &secret));
        prop_assert_eq!(ours.canonical_query, loopback_server::sorted_query(&params));
    }

    /// The same for `ACS3-HMAC-SHA256`, query parameters and header values arbitrary.
    #[test]
    fn v3_signatures_agree_with_an_independent_implementation(
        query in vec(("[A-Za-z0-9.]{1,12}", ".{0,16}"), 0..10),
        action in "[A-Za-z]{1,20}",
        nonce in "[0-9a-f]{32}",
        token in option::of("[ -~]{1,40}"),
        secret in ".{1,24}",
    ) {
        let mut headers = vec![
            ("host".to_owned(), "demo.cn-hangzhou.example.com".to_owned()),
            ("x-acs-action".to_owned(), action),
            ("x-acs-version".to_owned(), "2020-01-01".to_owned()),
            ("x-acs-date".to_owned(), "2024-01-02T03:04:05Z".to_owned()),
            ("x-acs-signature-nonce".to_owned(), nonce),
            ("x-acs-content-sha256".to_owned(), signing::sha256_hex(b"")),
        ];
        if let Some(token) = token {
            headers.push(("x-acs-security-token".to_owned(), token));
        }
        let input = V3Input { method: "POST", path: "/", query: &query, headers: &headers, body: b"" };
        let ours = signing::sign_v3(&input, "id", &secret);
        let map = headers.iter().cloned().collect();
        let theirs = loopback_server::v3_signature(
            "POST",
            &signing::canonical_query(&query),
            &map,
            &ours.signed_headers,
            b"",
            &secret,
        );
        prop_assert_eq!(ours.signature, theirs);
    }
}
