//! Answers that come from the emulator's rules beyond the lifecycles,
//! through the typed client: batch actions entry by entry, a circuit's
//! letter of authorization kept apart from the circuit, the fields every
//! successful answer fills, and values no state holds.

use std::sync::Arc;

use aliyun_vpc::allocate_eip_address::InstanceChargeType;
use aliyun_vpc::create_high_reliable_physical_connection::{AccessPointCircuit, HighReliableType};
use aliyun_vpc::create_route_entries::RouteEntries;
use aliyun_vpc::create_traffic_mirror_filter_rules::{EgressRules, IngressRules};
use aliyun_vpc::delete_route_entries::RouteEntries as RouteEntriesToDelete;
use aliyun_vpc::types::{LineType, LoaStatus, PortType, RouteEntryStatus, VpcStatus};
use aliyun_vpc::{
    AddPublicIpAddressPoolCidrBlockRequest, AllocateEipAddressRequest, AllocateVpcIpv6CidrRequest,
    ApplyPhysicalConnectionLoaRequest, CreateHighReliablePhysicalConnectionRequest, CreatePublicIpAddressPoolRequest,
    CreateRouteEntriesRequest, CreateTrafficMirrorFilterRequest, CreateTrafficMirrorFilterRulesRequest,
    CreateVpcRequest, DeleteRouteEntriesRequest, DescribeEipAddressesRequest, DescribePhysicalConnectionLoaError,
    DescribePhysicalConnectionLoaRequest, DescribeRouteEntryListRequest, DescribeVpcAttributeRequest,
    DescribeVpcsRequest, OpenFlowLogServiceRequest, UpdateVirtualBorderBandwidthError,
    UpdateVirtualBorderBandwidthRequest,
};

use crate::vpc::{poll, ticking};
use crate::{REGION, client, create, describe, list_all, start};

#[tokio::test]
async fn route_entries_are_added_and_removed_in_batches_entry_by_entry() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let ticker = ticking(&emulator);
    let vpc = CreateVpcRequest::builder().region_id(REGION).cidr_block("192.168.0.0/16").send(&client).await;
    let vpc_id = vpc.unwrap().vpc_id.unwrap();
    client.wait_until_vpc_status(&vpc_id, VpcStatus::Available, poll()).await.unwrap();
    let vpcs = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    let table = vpcs.vpcs[0].router_table_ids[0].clone();
    let entry = |cidr: &str, table: &str| {
        RouteEntries::default()
            .route_table_id(table)
            .dst_cidr_block(cidr)
            .next_hop("i-backend")
            .next_hop_type("Instance")
    };
    let batch = || {
        CreateRouteEntriesRequest::builder().region_id(REGION).route_entries([
            entry("10.1.0.0/16", &table),
            entry("10.2.0.0/16", "vtb-nothere"),
            entry("10.3.0.0/16", &table),
        ])
    };

    // A dry run decides every entry and adds none.
    let dry = batch().dry_run(true).send(&client).await.unwrap_err();
    assert!(dry.is_dry_run_passed(), "{dry}");
    let routes = || DescribeRouteEntryListRequest::builder().region_id(REGION).route_table_id(&table).send(&client);
    assert!(routes().await.unwrap().route_entrys.is_empty());

    // The entries in a table that exists are added; the other one fails
    // with its own code, and the answer says which.
    let added = batch().send(&client).await.unwrap();
    assert_eq!((added.success_count, added.failed_count), (Some(2), Some(1)));
    assert_eq!(added.route_entry_ids.len(), 2);
    let failed = &added.failed_route_entries[0];
    assert_eq!(failed.failed_code.as_deref(), Some("InvalidRouteTableId.NotFound"));
    assert_eq!(failed.dst_cidr_block.as_deref(), Some("10.2.0.0/16"));
    assert_eq!(failed.next_hop.as_deref(), Some("i-backend"));
    let listed = routes().await.unwrap().route_entrys;
    let mut cidrs: Vec<_> = listed.iter().filter_map(|r| r.destination_cidr_block.clone()).collect();
    cidrs.sort();
    assert_eq!(cidrs, ["10.1.0.0/16", "10.3.0.0/16"]);
    for id in &added.route_entry_ids {
        assert!(listed.iter().any(|r| r.route_entry_id.as_deref() == Some(id.as_str())), "{id}");
    }

    for id in &added.route_entry_ids {
        client.wait_until_route_entry_status(&table, id, RouteEntryStatus::Available, poll()).await.unwrap();
    }
    // Removing them: each by its ID, an unknown one failing alone.
    let delete = |id: &str| RouteEntriesToDelete::default().route_table_id(&table).route_entry_id(id);
    let removed = DeleteRouteEntriesRequest::builder()
        .region_id(REGION)
        .route_entries([delete(&added.route_entry_ids[0]), delete("rte-nothere")])
        .send(&client)
        .await
        .unwrap();
    assert_eq!((removed.success_count, removed.failed_count), (Some(1), Some(1)), "{:?}", removed.failed_route_entries);
    let failed = &removed.failed_route_entries[0];
    assert_eq!(failed.failed_code.as_deref(), Some("InvalidRouteEntry.NotFound"));
    assert_eq!(failed.route_entry_id.as_deref(), Some("rte-nothere"));
    let left = routes().await.unwrap().route_entrys;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].route_entry_id, Some(added.route_entry_ids[1].clone()));
    ticker.abort();
}

#[tokio::test]
async fn a_highly_reliable_order_makes_one_circuit_per_access_point_and_a_retry_makes_none() {
    let emulator = start();
    let client = client(&emulator);
    let circuit = |ap: &str| {
        AccessPointCircuit::default()
            .access_point_id(ap)
            .line_operator(aliyun_vpc::types::LineOperator::ChinaTelecom)
            .name(format!("line at {ap}"))
            .bandwidth(1000i64)
            .region_id(REGION)
    };
    let order = CreateHighReliablePhysicalConnectionRequest::builder()
        .region_id(REGION)
        .high_reliable_type(HighReliableType::MultiApMultiDevice)
        .port_type(PortType::Port1000BaseLx)
        .ap_list([circuit("ap-cn-hangzhou-xs-a"), circuit("ap-cn-hangzhou-xs-b")])
        .client_token("order-1")
        .build()
        .unwrap();
    let made = client.create_high_reliable_physical_connection(order.clone()).await.unwrap();
    assert!(made.errors.is_empty(), "{:?}", made.errors);
    let ids: Vec<String> = made.physical_connections.iter().filter_map(|c| c.instance_id.clone()).collect();
    assert_eq!(ids.len(), 2);
    assert!(made.physical_connections.iter().all(|c| c.region_no.as_deref() == Some(REGION)));
    for id in &ids {
        let listed = describe(&client, id).await.expect("the circuit is listed");
        assert_eq!(listed.port_type, Some(PortType::Port1000BaseLx));
    }

    // The same order again, as a retry after a lost answer: the same
    // circuits, and no new ones.
    let again = client.create_high_reliable_physical_connection(order).await.unwrap();
    let again_ids: Vec<String> = again.physical_connections.iter().filter_map(|c| c.instance_id.clone()).collect();
    assert_eq!(again_ids, ids);
    assert_eq!(list_all(&client).await.len(), 2);
}

#[tokio::test]
async fn a_circuits_letter_of_authorization_is_kept_beside_it_under_its_own_fields() {
    let emulator = start();
    let client = client(&emulator);
    let id = create(&client, "loa").await;
    let read =
        |id: &str| DescribePhysicalConnectionLoaRequest::builder().region_id(REGION).instance_id(id).send(&client);

    ApplyPhysicalConnectionLoaRequest::builder()
        .region_id(REGION)
        .instance_id(&id)
        .company_name("Example Networks")
        .construction_time("2026-12-20T02:00:00Z")
        .line_type(LineType::Fibre)
        .si("Example Installers")
        .peer_location("Room 3, Building 7")
        .send(&client)
        .await
        .unwrap();
    let loa = read(&id).await.unwrap().loa.expect("the LOA");
    assert_eq!(loa.instance_id.as_deref(), Some(id.as_str()));
    assert_eq!(loa.company_name.as_deref(), Some("Example Networks"));
    assert_eq!(loa.line_type, Some(LineType::Fibre));
    assert_eq!(loa.status, Some(LoaStatus::Available));
    // Kept apart: the circuit's own peer location and name are unchanged.
    let circuit = describe(&client, &id).await.unwrap();
    assert_eq!(circuit.name.as_deref(), Some("loa"));
    assert_ne!(circuit.peer_location.as_deref(), Some("Room 3, Building 7"));
    assert_eq!(circuit.loa_status, Some(LoaStatus::Available));

    let missing = read("pc-nothere").await.unwrap_err();
    assert_eq!(missing.code(), Some("InvalidPhysicalConnectionId.NotFound"), "{missing}");
    let _: Option<&DescribePhysicalConnectionLoaError> = missing.as_service();
}

#[tokio::test]
async fn answers_carry_their_success_fields_and_values_no_state_holds() {
    let emulator = start();
    let client = client(&emulator);
    let opened = OpenFlowLogServiceRequest::builder().region_id(REGION).send(&client).await.unwrap();
    assert_eq!((opened.code.as_deref(), opened.message.as_deref()), (Some("200"), Some("successful")));

    // A pool the caller made, as every pool must be.
    let add = || AddPublicIpAddressPoolCidrBlockRequest::builder().region_id(REGION);
    let unknown = add().public_ip_address_pool_id("pippool-nothere").cidr_mask(28).send(&client).await.unwrap_err();
    assert_eq!(unknown.code(), Some("InvalidPublicIpAddressPoolId.NotFound"), "{unknown}");
    let made = CreatePublicIpAddressPoolRequest::builder().region_id(REGION).name("pool").send(&client).await;
    let pool_id = made.unwrap().public_ip_address_pool_id.expect("a pool ID");
    let pool = add().public_ip_address_pool_id(&pool_id).cidr_mask(28).send(&client).await.unwrap();
    let block = pool.cidr_block.expect("a block");
    assert!(block.ends_with("/28"), "{block}");
    let given = add().public_ip_address_pool_id(&pool_id).cidr_block("47.100.1.0/24").send(&client).await.unwrap();
    assert_eq!(given.cidr_block.as_deref(), Some("47.100.1.0/24"));
    let v6 = AllocateVpcIpv6CidrRequest::builder().region_id(REGION).send(&client).await.unwrap();
    let v6 = v6.ipv6_cidr_block.expect("a block");
    assert!(v6.starts_with("2408:4") && v6.ends_with("::/56"), "{v6}");

    // One new rule ID per rule asked for, in a filter that exists.
    let filter = CreateTrafficMirrorFilterRequest::builder().region_id(REGION).send(&client).await.unwrap();
    let filter_id = filter.traffic_mirror_filter_id.expect("a filter ID");
    let rule = |priority: i32| {
        IngressRules::default()
            .priority(priority)
            .action("accept")
            .protocol("TCP")
            .ip_version("IPv4")
            .source_cidr_block("10.0.0.0/8")
            .destination_cidr_block("0.0.0.0/0")
    };
    let rules = CreateTrafficMirrorFilterRulesRequest::builder()
        .region_id(REGION)
        .traffic_mirror_filter_id(&filter_id)
        .ingress_rules([rule(1), rule(2)])
        .egress_rules([EgressRules::default()
            .priority(1)
            .action("drop")
            .protocol("ALL")
            .ip_version("IPv4")
            .source_cidr_block("0.0.0.0/0")
            .destination_cidr_block("0.0.0.0/0")])
        .send(&client)
        .await
        .unwrap();
    let ingress = rules.ingress_rules.iter().filter_map(|r| r.instance_id.clone());
    let ids: Vec<String> = ingress.chain(rules.egress_rules.iter().filter_map(|r| r.instance_id.clone())).collect();
    assert_eq!(ids.len(), 3, "{rules:?}");
    assert!(ids.iter().all(|id| id.starts_with("tmr-")), "{ids:?}");
    assert!(ids[0] != ids[1] && ids[1] != ids[2]);

    // A VBR named under another parameter is still looked up.
    let vbr = UpdateVirtualBorderBandwidthRequest::builder()
        .region_id(REGION)
        .virtual_border_router_id("vbr-nothere")
        .bandwidth(100)
        .send(&client)
        .await
        .unwrap_err();
    let refused: Option<&UpdateVirtualBorderBandwidthError> = vbr.as_service();
    assert!(refused.is_some(), "{vbr}");
    assert_eq!(vbr.code(), Some("InvalidVbrId.NotFound"));
    // The message names the parameter the caller sent.
    assert!(vbr.message().is_some_and(|m| m.contains("The VirtualBorderRouterId provided (vbr-nothere)")), "{vbr}");
}

#[tokio::test]
async fn new_resources_start_with_the_documented_defaults_unless_the_request_says_otherwise() {
    let emulator = start();
    let client = client(&emulator);
    let read = |id: String| {
        let client = client.clone();
        async move {
            let page = DescribeEipAddressesRequest::builder().region_id(REGION).allocation_id(&id).send(&client);
            page.await.unwrap().eip_addresses.pop().expect("the EIP")
        }
    };
    let plain = AllocateEipAddressRequest::builder().region_id(REGION).send(&client).await.unwrap();
    let eip = read(plain.allocation_id.unwrap()).await;
    assert_eq!(eip.bandwidth.as_deref(), Some("5"));
    assert_eq!(eip.internet_charge_type.as_deref(), Some("PayByBandwidth"));
    assert_eq!((eip.isp.as_deref(), eip.netmode.as_deref()), (Some("BGP"), Some("public")));
    assert_eq!(eip.charge_type.as_deref(), Some("PostPaid"));
    assert_eq!((eip.business_status.as_deref(), eip.deletion_protection), (Some("Normal"), Some(false)));
    assert!(eip.allocation_time.as_deref().is_some_and(|t| t.ends_with('Z')), "{:?}", eip.allocation_time);
    // Of the account's default resource group, unless the request names one.
    assert_eq!(eip.resource_group_id.as_deref(), Some(vpc_emulator::DEFAULT_RESOURCE_GROUP));

    let chosen = AllocateEipAddressRequest::builder()
        .region_id(REGION)
        .bandwidth("200")
        .instance_charge_type(InstanceChargeType::PrePaid)
        .internet_charge_type("PayByTraffic")
        .send(&client)
        .await
        .unwrap();
    let eip = read(chosen.allocation_id.unwrap()).await;
    assert_eq!(eip.bandwidth.as_deref(), Some("200"));
    assert_eq!(eip.charge_type.as_deref(), Some("PrePaid"));
    assert_eq!(eip.internet_charge_type.as_deref(), Some("PayByTraffic"));

    let ipv6 = |on: Option<bool>| {
        let client = client.clone();
        async move {
            let mut create = CreateVpcRequest::builder().region_id(REGION).cidr_block("10.0.0.0/8");
            if let Some(on) = on {
                create = create.enable_ipv6(on);
            }
            let id = create.send(&client).await.unwrap().vpc_id.unwrap();
            let attribute = DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id(&id).send(&client);
            let attribute = attribute.await.unwrap();
            let owner = attribute.owner_id.map(|o| o.to_string());
            assert_eq!(owner.as_deref(), Some(vpc_emulator::DEFAULT_ACCOUNT_ID));
            attribute.enabled_ipv6
        }
    };
    assert_eq!(ipv6(None).await, Some(false));
    assert_eq!(ipv6(Some(true)).await, Some(true));
}
