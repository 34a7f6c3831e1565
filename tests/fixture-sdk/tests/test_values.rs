//! Response values built in a test, without JSON (the `test-util`
//! feature): each response, and each struct only responses hold, has
//! `Default` and a setter per field, and a value built so equals the one
//! the client decodes from the same answer.

use aliyun_runtime::{Paginated, decode_response};
use fixture_sdk::describe_widgets::{Widget, WidgetSpec};
use fixture_sdk::types::{Tag, WidgetKind, WidgetStatus};
use fixture_sdk::{DescribeWidgetsRequest, DescribeWidgetsResponse, GetWidgetQuotaResponse};

#[test]
fn a_built_response_equals_the_decoded_answer() {
    let json = r#"{"RequestId":"R-2","TotalCount":2,"PageNumber":1,"Truncated":false,"Widgets":{"Widget":[
        {"WidgetId":"w-1","Status":"Allocation Failed","Kind":"HighIO","Capacity":5000000000,"Ratio":0.25,"Enabled":true,
         "Spec":{"Cpu":2,"Memory":4.5},"Tags":{"Tag":[{"Key":"env","Value":"prod"}]},
         "Ipv6Addresses":{"Ipv6Address":["2408::1"]},"ZoneIds":["cn-hangzhou-a"]},
        {"WidgetId":"w-2"}]}}"#;
    let decoded: DescribeWidgetsResponse = decode_response(json.as_bytes()).unwrap();
    let built =
        DescribeWidgetsResponse::default().request_id("R-2").total_count(2).page_number(1).truncated(false).widgets([
            Widget::default()
                .widget_id("w-1")
                .status(WidgetStatus::AllocationFailed)
                .kind(WidgetKind::from("HighIO"))
                .capacity(5_000_000_000i64)
                .ratio(0.25)
                .enabled(true)
                .spec(WidgetSpec::default().cpu(2).memory(4.5))
                .tags([Tag::default().key("env").value("prod")])
                .ipv6_addresses(["2408::1"])
                .zone_ids(["cn-hangzhou-a"]),
            Widget::default().widget_id("w-2"),
        ]);
    assert_eq!(built, decoded);
}

#[test]
fn an_empty_value_is_what_an_answer_with_only_the_required_fields_decodes_to() {
    let empty: DescribeWidgetsResponse = decode_response(br#"{"RequestId":""}"#).unwrap();
    assert_eq!(DescribeWidgetsResponse::default(), empty);
    assert!(DescribeWidgetsResponse::default().widgets.is_empty());
    // A required number is a bare value, set as such.
    let quota: GetWidgetQuotaResponse = decode_response(br#"{"RequestId":"R","Quota":7}"#).unwrap();
    assert_eq!(GetWidgetQuotaResponse::default().request_id("R").quota(7), quota);
    assert_eq!(GetWidgetQuotaResponse::default().quota, 0);
}

/// Code under test that reads pages: the built value goes through the same
/// traits the client's page streams use.
fn ids_and_next_page(page: DescribeWidgetsResponse) -> (Vec<String>, bool) {
    let more = <DescribeWidgetsRequest as Paginated>::page_info(&page);
    let items = <DescribeWidgetsRequest as Paginated>::into_items(page);
    (items.into_iter().filter_map(|w| w.widget_id).collect(), more.total_count.is_some_and(|total| total > 1))
}

#[test]
fn built_pages_feed_code_that_reads_pages() {
    let page =
        DescribeWidgetsResponse::default().total_count(3).page_number(1).widgets([Widget::default().widget_id("w-9")]);
    let (ids, more) = ids_and_next_page(page);
    assert_eq!(ids, ["w-9"]);
    assert!(more);
}
