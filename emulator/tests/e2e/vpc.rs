//! The core VPC resources through the typed client: a VPC and a vSwitch
//! waited for with the generated waiters, an EIP allocated and associated,
//! tags and resource groups, pages, dry runs, the region catalogue, and
//! not-found and dependency errors, with typed fields read back.

use std::sync::Arc;
use std::time::Duration;

use aliyun_runtime::{SdkError, StreamExt as _, WaitError, WaitPolicy};
use aliyun_vpc::types::{EipStatus, Tag, VSwitchStatus, VpcStatus};
use aliyun_vpc::{
    AllocateEipAddressRequest, AssociateEipAddressRequest, Client, CreateVSwitchError, CreateVSwitchRequest,
    CreateVpcRequest, DeleteVSwitchRequest, DeleteVpcError, DeleteVpcRequest, DescribeAccessPointsRequest,
    DescribeEipAddressesRequest, DescribeRegionsRequest, DescribeVSwitchesRequest, DescribeVpcAttributeError,
    DescribeVpcAttributeRequest, DescribeVpcsRequest, DescribeZonesRequest, ListTagResourcesRequest,
    MoveResourceGroupRequest, TagResourcesRequest, UnTagResourcesRequest,
};
use vpc_emulator::EmulatorHandle;

use crate::{REGION, client, start};

pub(crate) fn poll() -> WaitPolicy {
    WaitPolicy {
        timeout: Duration::from_secs(60),
        initial_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
    }
}

/// The service's own progress in the background, until the test ends.
pub(crate) fn ticking(emulator: &Arc<EmulatorHandle>) -> tokio::task::JoinHandle<()> {
    let emulator = emulator.clone();
    tokio::spawn(async move {
        loop {
            emulator.tick(1);
            tokio::time::sleep(Duration::from_millis(3)).await;
        }
    })
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::default().key(key).value(value)
}

async fn create_vpc(client: &Client, name: &str, tags: Vec<Tag>) -> String {
    let request = CreateVpcRequest::builder().region_id(REGION).cidr_block("192.168.0.0/16").vpc_name(name).tag(tags);
    request.send(client).await.expect("create a VPC").vpc_id.expect("its ID")
}

#[tokio::test]
async fn a_vpc_a_vswitch_and_an_eip_through_their_waiters() {
    let emulator = Arc::new(start());
    let client = client(&emulator);

    // A dry run passes and creates nothing.
    let create =
        CreateVpcRequest::builder().region_id(REGION).cidr_block("192.168.0.0/16").vpc_name("demo").build().unwrap();
    client.dry_run(create).await.expect("a valid dry run passes");
    let listed = DescribeVpcsRequest::builder().region_id(REGION).send(&client).await.unwrap();
    assert_eq!((listed.total_count, listed.vpcs.len()), (Some(0), 0), "a dry run changes nothing");

    let ticker = ticking(&emulator);
    let vpc_id = create_vpc(&client, "demo", vec![tag("env", "prod")]).await;
    assert!(vpc_id.starts_with("vpc-"), "{vpc_id}");
    let vpc = client.wait_until_vpc_status(&vpc_id, VpcStatus::Available, poll()).await.expect("the VPC is ready");
    assert_eq!(vpc.cidr_block.as_deref(), Some("192.168.0.0/16"));
    assert_eq!(vpc.vpc_name.as_deref(), Some("demo"));
    assert_eq!(vpc.region_id.as_deref(), Some(REGION));
    assert_eq!(vpc.tags.len(), 1);
    assert_eq!((vpc.tags[0].key.as_deref(), vpc.tags[0].value.as_deref()), (Some("env"), Some("prod")));

    let vswitch_id = CreateVSwitchRequest::builder()
        .region_id(REGION)
        .vpc_id(&vpc_id)
        .zone_id(format!("{REGION}-b"))
        .cidr_block("192.168.1.0/24")
        .vswitch_name("web")
        .send(&client)
        .await
        .expect("create a vSwitch")
        .vswitch_id
        .expect("its ID");
    let vswitch = client
        .wait_until_vswitch_status(&vswitch_id, VSwitchStatus::Available, poll())
        .await
        .expect("the vSwitch is ready");
    assert_eq!(vswitch.vpc_id.as_deref(), Some(vpc_id.as_str()));
    assert_eq!(vswitch.zone_id.as_deref(), Some("cn-hangzhou-b"));
    assert_eq!(vswitch.cidr_block.as_deref(), Some("192.168.1.0/24"));

    // Listed by their parent.
    let of_vpc = DescribeVSwitchesRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(of_vpc.total_count, Some(1));
    assert_eq!(of_vpc.v_switches[0].vswitch_name.as_deref(), Some("web"));
    // And the parent lists its children.
    let parent = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(parent.vpcs[0].vswitch_ids, [vswitch_id.as_str()]);
    assert!(parent.vpcs[0].nat_gateway_ids.is_empty());
    let attribute =
        DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(attribute.vswitch_ids, [vswitch_id.as_str()]);
    let of_other =
        DescribeVSwitchesRequest::builder().region_id(REGION).vpc_id("vpc-other").send(&client).await.unwrap();
    assert!(of_other.v_switches.is_empty());

    // A vSwitch in a VPC that does not exist: the VPC's not-found error, with its documented status.
    let orphan = CreateVSwitchRequest::builder()
        .region_id(REGION)
        .vpc_id("vpc-nothere")
        .zone_id("cn-hangzhou-b")
        .cidr_block("10.0.0.0/24")
        .send(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(&orphan, SdkError::Service(CreateVSwitchError::InvalidVpcIdNotFound(e)) if e.status() == 404),
        "{orphan:?}"
    );

    // A VPC with a vSwitch cannot be deleted.
    let delete_vpc = || DeleteVpcRequest::builder().region_id(REGION).vpc_id(&vpc_id).build().unwrap();
    let refused = client.delete_vpc(delete_vpc()).await.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(DeleteVpcError::DependencyViolationVSwitch(_))), "{refused:?}");

    // An EIP, bound to an instance.
    let eip = AllocateEipAddressRequest::builder()
        .region_id(REGION)
        .bandwidth("5")
        .name("front")
        .send(&client)
        .await
        .unwrap();
    let allocation_id = eip.allocation_id.expect("its ID");
    AssociateEipAddressRequest::builder()
        .region_id(REGION)
        .allocation_id(&allocation_id)
        .instance_id("i-bp1example0001")
        .send(&client)
        .await
        .expect("associate");
    let bound = client.wait_until_eip_status(&allocation_id, EipStatus::InUse, poll()).await.expect("bound");
    assert_eq!(bound.instance_id.as_deref(), Some("i-bp1example0001"));
    assert_eq!(bound.bandwidth.as_deref(), Some("5"));
    assert_eq!(bound.name.as_deref(), Some("front"));
    let by_id =
        DescribeEipAddressesRequest::builder().region_id(REGION).allocation_id(&allocation_id).send(&client).await;
    assert_eq!(by_id.unwrap().eip_addresses.len(), 1);
    ticker.abort();
    let _ = ticker.await;

    // Children first, then the parent.
    DeleteVSwitchRequest::builder()
        .region_id(REGION)
        .vswitch_id(&vswitch_id)
        .send(&client)
        .await
        .expect("delete vSwitch");
    client.delete_vpc(delete_vpc()).await.expect("delete the VPC once empty");
    let gone =
        DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap_err();
    assert!(matches!(&gone, SdkError::Service(DescribeVpcAttributeError::InvalidVpcIdNotFound(_))), "{gone:?}");
}

#[tokio::test]
async fn an_action_addressing_a_resource_answers_from_it() {
    let emulator = start();
    let client = client(&emulator);
    let vpc_id = create_vpc(&client, "attrs", Vec::new()).await;
    let vpc = DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(vpc.vpc_id.as_deref(), Some(vpc_id.as_str()));
    assert_eq!(vpc.status, Some(VpcStatus::Pending));
    assert_eq!(vpc.cidr_block.as_deref(), Some("192.168.0.0/16"));
    assert!(vpc.creation_time.is_some());
    let missing = DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id("vpc-nope").send(&client).await;
    let Err(SdkError::Service(DescribeVpcAttributeError::InvalidVpcIdNotFound(e))) = missing else {
        panic!("{missing:?}")
    };
    assert_eq!(e.status(), 404);
}

#[tokio::test]
async fn tags_and_resource_groups_are_kept_listed_and_filtered() {
    let emulator = start();
    let client = client(&emulator);
    let prod = create_vpc(&client, "prod", vec![tag("env", "prod"), tag("team", "net")]).await;
    let dev = create_vpc(&client, "dev", vec![tag("env", "dev")]).await;
    let by_tags = |tags: Vec<Tag>| {
        let client = client.clone();
        async move {
            let page = DescribeVpcsRequest::builder().region_id(REGION).tag(tags).send(&client).await.unwrap();
            page.vpcs.into_iter().filter_map(|v| v.vpc_id).collect::<Vec<_>>()
        }
    };
    assert_eq!(by_tags(vec![tag("env", "prod")]).await, [prod.as_str()]);
    assert_eq!(
        by_tags(vec![Tag::default().key("env")]).await,
        [prod.clone(), dev.clone()],
        "a key alone matches any value"
    );
    assert!(by_tags(vec![tag("env", "prod"), tag("team", "web")]).await.is_empty(), "every tag must match");

    TagResourcesRequest::builder()
        .region_id(REGION)
        .resource_type(aliyun_vpc::tag_resources::ResourceType::Vpc)
        .resource_id([dev.clone()])
        .tag([tag("team", "web")])
        .send(&client)
        .await
        .expect("tag");
    assert_eq!(by_tags(vec![tag("team", "web")]).await, [dev.as_str()]);
    let listed = ListTagResourcesRequest::builder()
        .region_id(REGION)
        .resource_type(aliyun_vpc::list_tag_resources::ResourceType::Vpc)
        .resource_id([dev.clone()])
        .send(&client)
        .await
        .unwrap();
    let pairs: Vec<_> =
        listed.tag_resources.iter().map(|t| (t.tag_key.clone().unwrap(), t.tag_value.clone().unwrap())).collect();
    assert_eq!(pairs, [("env".to_owned(), "dev".to_owned()), ("team".to_owned(), "web".to_owned())]);
    assert!(listed.tag_resources.iter().all(|t| t.resource_id.as_deref() == Some(dev.as_str())));

    UnTagResourcesRequest::builder()
        .region_id(REGION)
        .resource_type(aliyun_vpc::un_tag_resources::ResourceType::Vpc)
        .resource_id([dev.clone()])
        .tag_key(["env"])
        .send(&client)
        .await
        .expect("untag");
    assert_eq!(by_tags(vec![Tag::default().key("env")]).await, [prod.as_str()]);

    let missing = TagResourcesRequest::builder()
        .region_id(REGION)
        .resource_type(aliyun_vpc::tag_resources::ResourceType::Vpc)
        .resource_id(["vpc-nope"])
        .tag([tag("a", "b")])
        .send(&client)
        .await
        .unwrap_err();
    assert_eq!(
        missing.as_service().map(|e| e.to_string().starts_with("InvalidVpcId.NotFound")),
        Some(true),
        "{missing:?}"
    );

    MoveResourceGroupRequest::builder()
        .region_id(REGION)
        .resource_type("vpc")
        .resource_id(&prod)
        .new_resource_group_id("rg-blue")
        .send(&client)
        .await
        .expect("move");
    let blue =
        DescribeVpcsRequest::builder().region_id(REGION).resource_group_id("rg-blue").send(&client).await.unwrap();
    assert_eq!(blue.vpcs.len(), 1);
    assert_eq!(blue.vpcs[0].resource_group_id.as_deref(), Some("rg-blue"));
}

#[tokio::test]
async fn listings_page_and_count() {
    let emulator = start();
    let client = client(&emulator);
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(create_vpc(&client, &format!("vpc-{i}"), Vec::new()).await);
    }
    let page =
        DescribeVpcsRequest::builder().region_id(REGION).page_size(2).page_number(3).send(&client).await.unwrap();
    assert_eq!((page.total_count, page.page_number, page.page_size), (Some(5), Some(3), Some(2)));
    assert_eq!(page.vpcs.iter().filter_map(|v| v.vpc_id.clone()).collect::<Vec<_>>(), [ids[4].clone()]);
    let request = DescribeVpcsRequest::builder().region_id(REGION).page_size(2).build().unwrap();
    let all: Vec<String> = client.describe_vpcs_items(request).map(|v| v.unwrap().vpc_id.unwrap()).collect().await;
    assert_eq!(all, ids);
    // Several IDs at once, by the ID parameter.
    let two = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(format!("{},{}", ids[3], ids[1])).send(&client);
    let two: Vec<_> = two.await.unwrap().vpcs.into_iter().filter_map(|v| v.vpc_id).collect();
    assert_eq!(two, [ids[1].clone(), ids[3].clone()]);
}

#[tokio::test]
async fn regions_zones_and_access_points_come_from_the_catalogue() {
    let emulator = start();
    let client = client(&emulator);
    let regions = DescribeRegionsRequest::builder().send(&client).await.unwrap().regions;
    assert_eq!(regions.len(), aliyun_vpc::ENDPOINTS.len());
    let hangzhou = regions.iter().find(|r| r.region_id.as_deref() == Some(REGION)).expect("listed");
    assert_eq!(hangzhou.region_endpoint.as_deref(), Some("vpc.cn-hangzhou.aliyuncs.com"));
    let zones = DescribeZonesRequest::builder().region_id(REGION).send(&client).await.unwrap().zones;
    let ids: Vec<_> = zones.iter().filter_map(|z| z.zone_id.as_deref()).collect();
    assert_eq!(ids.first(), Some(&"cn-hangzhou-a"));
    assert_eq!(ids.len(), 8);
    let points = DescribeAccessPointsRequest::builder().region_id(REGION).send(&client).await.unwrap();
    let ids: Vec<_> = points.access_points.iter().filter_map(|p| p.access_point_id.as_deref()).collect();
    assert_eq!(ids, ["ap-cn-hangzhou-a", "ap-cn-hangzhou-b"]);
    assert_eq!(points.total_count, Some(2));
    assert!(points.access_points.iter().all(|p| p.attached_region_no.as_deref() == Some(REGION)));
    let second = DescribeAccessPointsRequest::builder().region_id(REGION).page_size(1).page_number(2);
    let second = second.send(&client).await.unwrap();
    let ids: Vec<_> = second.access_points.iter().filter_map(|p| p.access_point_id.as_deref()).collect();
    assert_eq!((ids, second.total_count, second.page_number), (vec!["ap-cn-hangzhou-b"], Some(2), Some(2)));

    let mut config = crate::config();
    config.regions = vec![vpc_emulator::Region::new("xx-test-1", "vpc.xx-test-1.example", 2)];
    let custom = vpc_emulator::Emulator::start(config).unwrap();
    let client = crate::client(&custom);
    let regions = DescribeRegionsRequest::builder().send(&client).await.unwrap().regions;
    assert_eq!(regions.iter().filter_map(|r| r.region_id.as_deref()).collect::<Vec<_>>(), ["xx-test-1"]);
    let zones = DescribeZonesRequest::builder().region_id("xx-test-1").send(&client).await.unwrap().zones;
    assert_eq!(zones.iter().filter_map(|z| z.zone_id.as_deref()).collect::<Vec<_>>(), ["xx-test-1-a", "xx-test-1-b"]);
}

#[tokio::test]
async fn a_dry_run_checks_state_and_changes_nothing() {
    let emulator = start();
    let client = client(&emulator);
    let vpc_id = create_vpc(&client, "dry", Vec::new()).await;
    // Pending: DeleteVpc needs Available, and the dry run says so.
    let delete = DeleteVpcRequest::builder().region_id(REGION).vpc_id(&vpc_id).build().unwrap();
    let early = client.dry_run(delete.clone()).await.unwrap_err();
    assert!(matches!(&early, SdkError::Service(DeleteVpcError::IncorrectVpcStatus(_))), "{early:?}");
    emulator.tick(1);
    client.dry_run(delete).await.expect("would succeed now");
    let still = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(still.vpcs.len(), 1, "still there");
    // A dry run sent by hand: DryRunOperation, HTTP 400.
    let by_hand = DescribeVpcsRequest::builder().region_id(REGION).dry_run(true).send(&client).await.unwrap_err();
    assert!(by_hand.is_dry_run_passed(), "{by_hand:?}");
}

#[tokio::test]
async fn a_seed_makes_ids_reproducible() {
    let mut first = Vec::new();
    for _ in 0..2 {
        let mut config = crate::config();
        config.id_seed = Some(42);
        let emulator = vpc_emulator::Emulator::start(config).unwrap();
        let client = client(&emulator);
        let ids = [create_vpc(&client, "a", Vec::new()).await, create_vpc(&client, "b", Vec::new()).await];
        if first.is_empty() {
            first = ids.to_vec();
        } else {
            assert_eq!(first, ids);
        }
    }
    let unseeded = start();
    assert_ne!(create_vpc(&client(&unseeded), "a", Vec::new()).await, first[0]);
}

/// Every generated waiter finds its resource in the emulator, whichever way
/// its listing is asked (`VpcId=`, `Filter.1.*`, `PrefixListIds.1`...). The
/// resources are put in a state file, so that no create needs writing here.
#[tokio::test]
async fn every_generated_waiter_finds_its_resource() {
    use aliyun_vpc::lifecycle as l;
    use aliyun_vpc::types as t;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.log");
    let mut lines = String::new();
    // Entries are listed per table: their waiters name the table, so they are stored inside one.
    let table_of = |resource: &str| match resource {
        "SnatEntry" => serde_json::json!({"SnatTableId": "stb-waiter"}),
        "ForwardEntry" => serde_json::json!({"ForwardTableId": "ftb-waiter"}),
        "RouteEntry" => serde_json::json!({"RouteTableId": "vtb-waiter"}),
        _ => serde_json::json!({}),
    };
    for (seq, lifecycle) in aliyun_vpc::LIFECYCLES.iter().enumerate() {
        let resource = serde_json::json!({
            "kind": lifecycle.resource, "id": format!("{}waiter", lifecycle.id_prefix), "seq": seq,
            "state": lifecycle.initial, "region": REGION, "fields": table_of(lifecycle.resource)
        });
        lines.push_str(&serde_json::json!([{"op": "put", "resource": resource}]).to_string());
        lines.push('\n');
    }
    std::fs::write(&state, lines).unwrap();
    let mut config = crate::config();
    config.state_file = Some(state);
    let emulator = vpc_emulator::Emulator::start(config).unwrap();
    let client = client(&emulator);
    macro_rules! waits {
        ($($method:ident: $lifecycle:expr, $states:ty;)*) => {$({
            let lifecycle = &$lifecycle;
            let id = format!("{}waiter", lifecycle.id_prefix);
            let found = client.$method(&id, <$states>::from(lifecycle.initial), poll()).await;
            assert!(found.is_ok(), "{}: {found:?}", lifecycle.resource);
        })*};
    }
    waits! {
        wait_until_physical_connection_status: l::PHYSICAL_CONNECTION, t::PhysicalConnectionStatus;
        wait_until_vpc_status: l::VPC, t::VpcStatus;
        wait_until_vswitch_status: l::VSWITCH, t::VSwitchStatus;
        wait_until_route_table_status: l::ROUTE_TABLE, t::RouteTableStatus;
        wait_until_eip_status: l::EIP, t::EipStatus;
        wait_until_nat_gateway_status: l::NAT_GATEWAY, t::NatGatewayStatus;
        wait_until_common_bandwidth_package_status: l::COMMON_BANDWIDTH_PACKAGE, t::CommonBandwidthPackageStatus;
        wait_until_ha_vip_status: l::HA_VIP, t::HaVipStatus;
        wait_until_network_acl_status: l::NETWORK_ACL, t::NetworkAclStatus;
        wait_until_vpc_prefix_list_status: l::VPC_PREFIX_LIST, t::VpcPrefixListStatus;
        wait_until_ipv6_gateway_status: l::IPV6_GATEWAY, t::Ipv6GatewayStatus;
        wait_until_vpn_gateway_status: l::VPN_GATEWAY, t::VpnGatewayStatus;
        wait_until_flow_log_status: l::FLOW_LOG, t::FlowLogStatus;
        wait_until_virtual_border_router_status: l::VIRTUAL_BORDER_ROUTER, t::VirtualBorderRouterStatus;
        wait_until_router_interface_status: l::ROUTER_INTERFACE, t::RouterInterfaceStatus;
        wait_until_vpn_connection_status: l::VPN_CONNECTION, t::VpnConnectionStatus;
    }
    macro_rules! waits_in_table {
        ($($method:ident($table:literal): $lifecycle:expr, $states:ty;)*) => {$({
            let lifecycle = &$lifecycle;
            let id = format!("{}waiter", lifecycle.id_prefix);
            let found = client.$method($table, &id, <$states>::from(lifecycle.initial), poll()).await;
            assert!(found.is_ok(), "{}: {found:?}", lifecycle.resource);
            let elsewhere = client.$method("tb-other", &id, <$states>::from(lifecycle.initial), poll()).await;
            assert!(matches!(elsewhere, Err(WaitError::NotFound { .. })), "{} in another table: {elsewhere:?}", lifecycle.resource);
        })*};
    }
    waits_in_table! {
        wait_until_snat_entry_status("stb-waiter"): l::SNAT_ENTRY, t::SnatEntryStatus;
        wait_until_forward_entry_status("ftb-waiter"): l::FORWARD_ENTRY, t::ForwardEntryStatus;
        wait_until_route_entry_status("vtb-waiter"): l::ROUTE_ENTRY, t::RouteEntryStatus;
    }
    let waiters = 16 + 3;
    assert_eq!(aliyun_vpc::LIFECYCLES.len(), waiters, "a new lifecycle needs its waiter called above");
}

#[tokio::test]
async fn a_vswitch_block_lies_inside_its_vpc_and_clear_of_its_siblings() {
    let emulator = start();
    let client = client(&emulator);
    let vpc = create_vpc(&client, "cidr", Vec::new()).await;
    let other = create_vpc(&client, "other", Vec::new()).await;
    let vswitch = |vpc: &str, block: &str| {
        CreateVSwitchRequest::builder()
            .region_id(REGION)
            .vpc_id(vpc)
            .zone_id("cn-hangzhou-a")
            .cidr_block(block)
            .build()
            .unwrap()
    };
    client.create_vswitch(vswitch(&vpc, "192.168.1.0/24")).await.expect("inside the VPC");
    client.create_vswitch(vswitch(&vpc, "192.168.2.0/24")).await.expect("next to the first");
    client.create_vswitch(vswitch(&other, "192.168.1.0/24")).await.expect("the same block in another VPC");
    let overlap = client.create_vswitch(vswitch(&vpc, "192.168.1.128/25")).await.unwrap_err();
    assert!(matches!(&overlap, SdkError::Service(CreateVSwitchError::InvalidCidrBlockOverlapped(_))), "{overlap:?}");
    let outside = client.create_vswitch(vswitch(&vpc, "10.0.0.0/24")).await.unwrap_err();
    assert!(matches!(&outside, SdkError::Service(CreateVSwitchError::InvalidParameter(_))), "{outside:?}");
    let malformed = client.create_vswitch(vswitch(&vpc, "192.168.3.0/33")).await.unwrap_err();
    assert!(matches!(&malformed, SdkError::Service(CreateVSwitchError::InvalidCidrBlockMalformed(_))), "{malformed:?}");
    let listed = DescribeVSwitchesRequest::builder().region_id(REGION).vpc_id(&vpc).send(&client).await.unwrap();
    assert_eq!(listed.total_count, Some(2), "refused blocks made nothing");
}
