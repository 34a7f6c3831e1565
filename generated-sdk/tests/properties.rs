//! Property tests: whatever bytes come back, reading them never panics, and
//! what the service can send survives the trip through JSON or XML intact.
//! Case counts are modest so that the suite stays quick on a small machine.

use aliyun_vpc::CancelPhysicalConnectionResponse;
use aliyun_vpc::runtime::{Node, ServiceError, decode_response};
use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::Value;

/// Every way of reading a body the client uses; none may panic.
fn read_all_ways(body: &[u8]) {
    let _ = Node::parse(body);
    let _ = ServiceError::parse(400, body);
    let _ = ServiceError::parse(200, body);
    let _ = decode_response::<CancelPhysicalConnectionResponse>(body);
}

/// Token soup that looks like JSON: brackets, strings, numbers at the edges
/// of what fits, escapes, the response's own field names.
fn json_ish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\""),
        Just("\"RequestId\""),
        Just("\"Code\""),
        Just("\"Message\""),
        Just("\"abc\""),
        Just("null"),
        Just("true"),
        Just("1e999"),
        Just("-0"),
        Just("18446744073709551616"),
        Just("\\u00"),
        Just("\\uD800"),
        Just(" "),
        Just("\u{feff}"),
    ];
    vec(token, 0..40).prop_map(|parts| parts.concat())
}

/// Token soup that looks like XML: tags, declarations, entities (valid and
/// not), CDATA, comments, the error body's own element names.
fn xml_ish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("<"),
        Just(">"),
        Just("</"),
        Just("/>"),
        Just("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        Just("<Error>"),
        Just("</Error>"),
        Just("<Code>"),
        Just("</Code>"),
        Just("<RequestId>"),
        Just("</RequestId>"),
        Just("<a b='c'>"),
        Just("&amp;"),
        Just("&#x0;"),
        Just("&#xD800;"),
        Just("&#99999999;"),
        Just("&bogus;"),
        Just("<![CDATA["),
        Just("]]>"),
        Just("<!--"),
        Just("-->"),
        Just("<!DOCTYPE x>"),
        Just("text"),
        Just(" "),
    ];
    vec(token, 0..40).prop_map(|parts| parts.concat())
}

/// Any JSON value, numbers kept to what round-trips exactly through text.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1_000_000i64..1_000_000).prop_map(|i| Value::from(i as f64 / 4.0 + 0.25)),
        "\\PC{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec(("[A-Za-z]{1,6}", inner), 0..6).prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// The tree a JSON value should parse into, built independently of the parser.
fn expected_node(value: &Value) -> Node {
    match value {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Node::Int(i),
            None => Node::Float(n.as_f64().unwrap()),
        },
        Value::String(s) => Node::Str(s.clone()),
        Value::Array(items) => Node::List(items.iter().map(expected_node).collect()),
        Value::Object(fields) => Node::Map(fields.iter().map(|(k, v)| (k.clone(), expected_node(v))).collect()),
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in vec(any::<u8>(), 0..512)) {
        read_all_ways(&body);
    }

    #[test]
    fn json_like_text_never_panics(text in json_ish()) {
        read_all_ways(text.as_bytes());
    }

    #[test]
    fn xml_like_text_never_panics(text in xml_ish()) {
        read_all_ways(text.as_bytes());
    }

    #[test]
    fn arbitrary_json_values_never_panic_and_parse_exactly(value in json_value()) {
        let text = value.to_string();
        read_all_ways(text.as_bytes());
        prop_assert_eq!(Node::parse(text.as_bytes()).unwrap(), expected_node(&value));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// An error body reads the same from JSON and from XML, field for field.
    #[test]
    fn error_bodies_round_trip_through_json_and_xml(
        status in 400u16..600,
        code in "[A-Za-z][A-Za-z0-9.]{0,24}",
        message in "\\PC{0,40}",
        request_id in "\\PC{0,40}",
        host_id in "\\PC{0,20}",
        recommend in proptest::option::of("\\PC{0,40}"),
    ) {
        let mut json = serde_json::json!({
            "RequestId": request_id, "HostId": host_id, "Code": code, "Message": message,
        });
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><RequestId>{}</RequestId><HostId>{}</HostId><Code>{}</Code><Message>{}</Message>",
            xml_escape(&request_id), xml_escape(&host_id), xml_escape(&code), xml_escape(&message)
        );
        if let Some(r) = &recommend {
            json["Recommend"] = Value::from(r.as_str());
            xml.push_str(&format!("<Recommend>{}</Recommend>", xml_escape(r)));
        }
        xml.push_str("</Error>");
        let from_json = ServiceError::parse(status, json.to_string().as_bytes()).unwrap();
        let from_xml = ServiceError::parse(status, xml.as_bytes()).unwrap();
        prop_assert_eq!(&from_json, &from_xml);
        prop_assert_eq!(from_json.status(), status);
        prop_assert_eq!(from_json.code(), code.as_str());
        prop_assert_eq!(from_json.message(), message.as_str());
        prop_assert_eq!(from_json.request_id(), Some(request_id.as_str()));
        prop_assert_eq!(from_json.host_id(), Some(host_id.as_str()));
        prop_assert_eq!(from_json.recommend(), recommend.as_deref());
    }

    /// The response reads the same from JSON and XML, whatever the id, and
    /// fields it does not know are ignored.
    #[test]
    fn responses_round_trip_through_json_and_xml(request_id in "\\PC{0,60}", extra in json_value()) {
        let json = serde_json::json!({ "Extra": extra, "RequestId": request_id }).to_string();
        let xml = format!(
            "<CancelPhysicalConnectionResponse><Extra>x</Extra><RequestId>{}</RequestId></CancelPhysicalConnectionResponse>",
            xml_escape(&request_id)
        );
        let a: CancelPhysicalConnectionResponse = decode_response(json.as_bytes()).unwrap();
        let b: CancelPhysicalConnectionResponse = decode_response(xml.as_bytes()).unwrap();
        prop_assert_eq!(&a.request_id, &request_id);
        prop_assert_eq!(a, b);
    }
}
