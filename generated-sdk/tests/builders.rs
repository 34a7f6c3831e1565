//! Request builders as a caller uses them: required parameters of every
//! kind (text, enum) are named when missing, whatever order the setters run
//! in; a builder's `Debug` shows the request so far and what is missing;
//! a cloned builder is a template that later setters do not reach.

use aliyun_vpc::change_resource_group::ResourceType;
use aliyun_vpc::runtime::BuildError;
use aliyun_vpc::{ChangeResourceGroupRequest, CreateVSwitchRequest};

fn missing(err: BuildError) -> String {
    match err {
        BuildError::Missing { parameter } => parameter.into_owned(),
        other => panic!("expected a missing parameter, got {other:?}"),
    }
}

#[test]
fn each_unset_required_parameter_is_named_in_the_request_order() {
    let none = ChangeResourceGroupRequest::builder();
    assert_eq!(missing(none.clone().build().unwrap_err()), "NewResourceGroupId");
    let err = none.clone().resource_type(ResourceType::Virtualborderrouter).new_resource_group_id("rg-1").build();
    assert_eq!(missing(err.unwrap_err()), "ResourceId");
    // An enum is required like any other value: no placeholder gets through.
    let err = none.clone().resource_id("vbr-1").new_resource_group_id("rg-1").build();
    assert_eq!(missing(err.unwrap_err()), "ResourceType");

    let request = none.resource_id("vbr-1").resource_type("VIRTUALBORDERROUTER").new_resource_group_id("rg-1").build();
    let request = request.unwrap();
    assert_eq!(request.resource_type, ResourceType::Virtualborderrouter);
    assert_eq!(request.resource_id, "vbr-1");
    assert_eq!(request.new_resource_group_id, "rg-1");
}

#[test]
fn a_builder_debug_shows_the_request_so_far_and_what_is_missing() {
    let builder = CreateVSwitchRequest::builder().vpc_id("vpc-1").zone_id("cn-hangzhou-k");
    let shown = format!("{builder:?}");
    assert!(shown.contains("vpc_id: \"vpc-1\"") && shown.contains("zone_id: \"cn-hangzhou-k\""), "{shown}");
    assert!(shown.contains("unset: [\"CidrBlock\"]"), "{shown}");
    let complete = format!("{:?}", builder.cidr_block("172.16.0.0/24"));
    assert!(complete.contains("unset: []"), "{complete}");
}

#[test]
fn a_cloned_builder_is_a_template_later_setters_do_not_reach() {
    let template = CreateVSwitchRequest::builder().vpc_id("vpc-1").zone_id("cn-hangzhou-k");
    let a = template.clone().cidr_block("172.16.0.0/24").vswitch_name("a").build().unwrap();
    let b = template.clone().cidr_block("172.16.1.0/24").build().unwrap();
    assert_eq!(a.vswitch_name.as_deref(), Some("a"));
    assert_eq!(b.vswitch_name, None);
    assert_eq!((a.cidr_block.as_str(), b.cidr_block.as_str()), ("172.16.0.0/24", "172.16.1.0/24"));
    assert_eq!(missing(template.build().unwrap_err()), "CidrBlock");
}

#[test]
fn a_default_builder_is_a_fresh_one() {
    let err = aliyun_vpc::CreateVSwitchRequestBuilder::default().build().unwrap_err();
    assert_eq!(missing(err), "CidrBlock");
}
