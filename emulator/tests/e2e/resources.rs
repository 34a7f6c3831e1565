//! The core resources around a VPC, through the typed client: a NAT gateway
//! with its SNAT and DNAT tables and entries, custom route tables and their
//! routes, a shared bandwidth package holding an EIP, and HaVips, network
//! ACLs and prefix lists, each created, read back, waited for and deleted,
//! with the relationships and errors a caller relies on.

use std::sync::Arc;

use aliyun_runtime::SdkError;
use aliyun_vpc::create_forward_entry::IpProtocol;
use aliyun_vpc::create_nat_gateway::NetworkType;
use aliyun_vpc::create_route_entry::NextHopType;
use aliyun_vpc::create_vpc_prefix_list::{IpVersion, PrefixListEntries};
use aliyun_vpc::describe_ha_vips::DescribeHaVipsFilter;
use aliyun_vpc::modify_vpc_prefix_list::{AddPrefixListEntry, RemovePrefixListEntry};
use aliyun_vpc::types::{
    CommonBandwidthPackageStatus, ForwardEntryStatus, HaVipStatus, NatGatewayStatus, NetworkAclStatus,
    RouteEntryStatus, RouteTableStatus, SnatEntryStatus, VSwitchStatus, VpcPrefixListStatus, VpcStatus,
};
use aliyun_vpc::{
    AddCommonBandwidthPackageIpError, AddCommonBandwidthPackageIpRequest, AllocateEipAddressRequest,
    AssociateRouteTableError, AssociateRouteTableRequest, Client, CreateCommonBandwidthPackageRequest,
    CreateForwardEntryError, CreateForwardEntryRequest, CreateHaVipRequest, CreateNatGatewayRequest,
    CreateNetworkAclRequest, CreateRouteEntryError, CreateRouteEntryRequest, CreateRouteTableRequest,
    CreateSnatEntryError, CreateSnatEntryRequest, CreateVSwitchRequest, CreateVpcPrefixListRequest, CreateVpcRequest,
    DeleteCommonBandwidthPackageRequest, DeleteForwardEntryRequest, DeleteHaVipError, DeleteHaVipRequest,
    DeleteNatGatewayError, DeleteNatGatewayRequest, DeleteNetworkAclError, DeleteNetworkAclRequest,
    DeleteRouteEntryError, DeleteRouteEntryRequest, DeleteRouteTableRequest, DeleteSnatEntryRequest,
    DeleteVSwitchError, DeleteVSwitchRequest, DeleteVpcError, DeleteVpcPrefixListError, DeleteVpcPrefixListRequest,
    DeleteVpcRequest, DescribeCommonBandwidthPackagesRequest, DescribeEipAddressesRequest,
    DescribeForwardTableEntriesRequest, DescribeHaVipsRequest, DescribeNatGatewaysRequest, DescribeNetworkAclsRequest,
    DescribeRouteEntryListRequest, DescribeRouteTableListRequest, DescribeSnatTableEntriesRequest,
    DescribeVSwitchAttributesRequest, DescribeVpcsRequest, GetVpcPrefixListEntriesRequest, ListPrefixListsRequest,
    ModifyVpcPrefixListRequest, RemoveCommonBandwidthPackageIpRequest, UnassociateRouteTableRequest,
};

use crate::vpc::{poll, ticking};
use crate::{REGION, client, start};

/// A VPC of 172.16.0.0/12 with one vSwitch of 172.16.1.0/24, both ready.
async fn network(client: &Client) -> (String, String) {
    let vpc = CreateVpcRequest::builder().region_id(REGION).cidr_block("172.16.0.0/12").send(client).await;
    let vpc = vpc.expect("a VPC");
    let vpc_id = vpc.vpc_id.expect("its ID");
    client.wait_until_vpc_status(&vpc_id, VpcStatus::Available, poll()).await.expect("the VPC is ready");
    // The answer names the system route table made with it.
    let listed = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(client).await.unwrap();
    assert_eq!(vpc.route_table_id.as_deref(), listed.vpcs[0].router_table_ids.first().map(String::as_str));
    let vswitch = CreateVSwitchRequest::builder()
        .region_id(REGION)
        .vpc_id(&vpc_id)
        .zone_id(format!("{REGION}-b"))
        .cidr_block("172.16.1.0/24")
        .send(client)
        .await;
    let vswitch_id = vswitch.expect("a vSwitch").vswitch_id.expect("its ID");
    client.wait_until_vswitch_status(&vswitch_id, VSwitchStatus::Available, poll()).await.expect("ready");
    (vpc_id, vswitch_id)
}

/// A fresh EIP: its allocation ID and address.
async fn eip(client: &Client) -> (String, String) {
    let eip = AllocateEipAddressRequest::builder().region_id(REGION).send(client).await.expect("an EIP");
    (eip.allocation_id.expect("its ID"), eip.eip_address.expect("its address"))
}

fn has_prefix(id: &str, prefix: &str) -> bool {
    id.starts_with(prefix) && id.len() > prefix.len()
}

#[tokio::test]
async fn a_nat_gateway_has_one_snat_and_one_dnat_table_whose_entries_keep_it_until_forced() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let ticker = ticking(&emulator);
    let (vpc_id, vswitch_id) = network(&client).await;

    let created = CreateNatGatewayRequest::builder()
        .region_id(REGION)
        .vpc_id(&vpc_id)
        .vswitch_id(&vswitch_id)
        .name("egress")
        .nat_type("Enhanced")
        .network_type(NetworkType::Internet)
        .send(&client)
        .await
        .expect("create a NAT gateway");
    let gateway_id = created.nat_gateway_id.expect("its ID");
    assert!(has_prefix(&gateway_id, "ngw-"), "{gateway_id}");
    let ([snat_table], [forward_table]) = (&created.snat_table_ids[..], &created.forward_table_ids[..]) else {
        panic!("one SNAT and one DNAT table: {:?} {:?}", created.snat_table_ids, created.forward_table_ids)
    };
    assert!(has_prefix(snat_table, "stb-"), "{snat_table}");
    assert!(has_prefix(forward_table, "ftb-"), "{forward_table}");

    let gateway = client.wait_until_nat_gateway_status(&gateway_id, NatGatewayStatus::Available, poll()).await;
    let gateway = gateway.expect("the gateway is ready");
    assert_eq!(gateway.vpc_id.as_deref(), Some(vpc_id.as_str()));
    assert_eq!(gateway.name.as_deref(), Some("egress"));
    assert_eq!(gateway.network_type.as_deref(), Some("internet"));
    assert_eq!(
        (gateway.snat_table_ids, gateway.forward_table_ids),
        (vec![snat_table.clone()], vec![forward_table.clone()])
    );
    let vpcs = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(vpcs.vpcs[0].nat_gateway_ids, [gateway_id.as_str()], "the VPC lists its gateway");

    // SNAT: one entry by vSwitch, one by CIDR block, both through the gateway's EIP.
    let (_, address) = eip(&client).await;
    let snat = |source: CreateSnatEntryRequest| async {
        let created = client.create_snat_entry(source).await.expect("create an SNAT entry");
        created.snat_entry_id.expect("its ID")
    };
    let base = || CreateSnatEntryRequest::builder().region_id(REGION).snat_table_id(snat_table).snat_ip(&address);
    let by_vswitch = snat(base().source_vswitch_id(&vswitch_id).snat_entry_name("web").build().unwrap()).await;
    let by_cidr = snat(base().source_cidr("172.16.2.0/24").build().unwrap()).await;
    assert!(has_prefix(&by_vswitch, "snat-") && has_prefix(&by_cidr, "snat-"), "{by_vswitch} {by_cidr}");
    let entry = client.wait_until_snat_entry_status(snat_table, &by_vswitch, SnatEntryStatus::Available, poll()).await;
    let entry = entry.expect("the SNAT entry applies");
    assert_eq!(entry.snat_table_id.as_deref(), Some(snat_table.as_str()));
    assert_eq!(entry.nat_gateway_id.as_deref(), Some(gateway_id.as_str()));
    assert_eq!(entry.snat_ip.as_deref(), Some(address.as_str()));
    assert_eq!(entry.source_vswitch_id.as_deref(), Some(vswitch_id.as_str()));
    assert_eq!(entry.snat_entry_name.as_deref(), Some("web"));
    client.wait_until_snat_entry_status(snat_table, &by_cidr, SnatEntryStatus::Available, poll()).await.unwrap();
    let listed = DescribeSnatTableEntriesRequest::builder().region_id(REGION).snat_table_id(snat_table);
    let listed = listed.send(&client).await.unwrap();
    assert_eq!(listed.total_count, Some(2));
    let cidrs: Vec<_> = listed.snat_table_entries.iter().map(|e| e.source_cidr.as_deref()).collect();
    assert_eq!(cidrs, [None, Some("172.16.2.0/24")]);

    // DNAT: port 8080 of the EIP to port 80 of a host in the vSwitch.
    let forward = CreateForwardEntryRequest::builder()
        .region_id(REGION)
        .forward_table_id(forward_table)
        .external_ip(&address)
        .external_port("8080")
        .internal_ip("172.16.1.10")
        .internal_port("80")
        .ip_protocol(IpProtocol::Tcp)
        .forward_entry_name("web-in")
        .send(&client)
        .await
        .expect("create a DNAT entry");
    let forward_id = forward.forward_entry_id.expect("its ID");
    assert!(has_prefix(&forward_id, "fwd-"), "{forward_id}");
    let dnat =
        client.wait_until_forward_entry_status(forward_table, &forward_id, ForwardEntryStatus::Available, poll());
    let dnat = dnat.await.expect("the DNAT entry applies");
    assert_eq!(dnat.forward_table_id.as_deref(), Some(forward_table.as_str()));
    assert_eq!(dnat.nat_gateway_id.as_deref(), Some(gateway_id.as_str()));
    assert_eq!((dnat.external_ip.as_deref(), dnat.external_port.as_deref()), (Some(address.as_str()), Some("8080")));
    assert_eq!((dnat.internal_ip.as_deref(), dnat.internal_port.as_deref()), (Some("172.16.1.10"), Some("80")));
    assert_eq!(dnat.ip_protocol.as_deref(), Some("TCP"));
    let other = DescribeForwardTableEntriesRequest::builder().region_id(REGION).forward_table_id("ftb-other");
    assert!(other.send(&client).await.unwrap().forward_table_entries.is_empty(), "entries are listed per table");

    // Tables that do not exist: each its own not-found code.
    let orphan = CreateSnatEntryRequest::builder().region_id(REGION).snat_table_id("stb-nothere").snat_ip(&address);
    let orphan = orphan.send(&client).await.unwrap_err();
    assert!(matches!(&orphan, SdkError::Service(CreateSnatEntryError::InvalidSnatTableIdNotFound(_))), "{orphan:?}");
    let orphan = CreateForwardEntryRequest::builder()
        .region_id(REGION)
        .forward_table_id("ftb-nothere")
        .external_ip(&address)
        .external_port("22")
        .internal_ip("172.16.1.11")
        .internal_port("22")
        .ip_protocol(IpProtocol::Tcp)
        .send(&client)
        .await
        .unwrap_err();
    assert!(
        matches!(&orphan, SdkError::Service(CreateForwardEntryError::InvalidForwardTableIdNotFound(_))),
        "{orphan:?}"
    );

    // Entries keep the gateway: each kind answers its own code.
    let delete = || DeleteNatGatewayRequest::builder().region_id(REGION).nat_gateway_id(&gateway_id);
    let refused = delete().send(&client).await.unwrap_err();
    assert!(
        matches!(&refused, SdkError::Service(DeleteNatGatewayError::DependencyViolationSnatEntry(_))),
        "{refused:?}"
    );
    let snat_entry =
        |id: &str| DeleteSnatEntryRequest::builder().region_id(REGION).snat_table_id(snat_table).snat_entry_id(id);
    snat_entry(&by_vswitch).send(&client).await.expect("delete an SNAT entry");
    snat_entry(&by_cidr).send(&client).await.expect("delete an SNAT entry");
    let refused = delete().send(&client).await.unwrap_err();
    assert!(
        matches!(&refused, SdkError::Service(DeleteNatGatewayError::DependencyViolationForwardEntry(_))),
        "{refused:?}"
    );
    let left = DescribeSnatTableEntriesRequest::builder().region_id(REGION).snat_table_id(snat_table);
    assert_eq!(left.send(&client).await.unwrap().total_count, Some(0), "deleted entries are gone");

    // Force takes the remaining DNAT entry along, and the tables with the gateway.
    delete().force(true).send(&client).await.expect("a forced delete");
    let gone = DescribeNatGatewaysRequest::builder().region_id(REGION).nat_gateway_id(&gateway_id).send(&client);
    assert!(gone.await.unwrap().nat_gateways.is_empty());
    let entries = DescribeForwardTableEntriesRequest::builder().region_id(REGION).forward_table_id(forward_table);
    assert!(entries.send(&client).await.unwrap().forward_table_entries.is_empty(), "its entries went with it");
    let stale = CreateSnatEntryRequest::builder().region_id(REGION).snat_table_id(snat_table).snat_ip(&address);
    let stale = stale.send(&client).await.unwrap_err();
    assert!(matches!(&stale, SdkError::Service(CreateSnatEntryError::InvalidSnatTableIdNotFound(_))), "{stale:?}");
    let deleted = DeleteForwardEntryRequest::builder()
        .region_id(REGION)
        .forward_table_id(forward_table)
        .forward_entry_id(&forward_id)
        .send(&client)
        .await;
    assert!(deleted.is_err(), "neither table nor entry is left: {deleted:?}");
    ticker.abort();
}

#[tokio::test]
async fn a_custom_route_table_serves_a_vswitch_holds_routes_and_keeps_its_vpc() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let ticker = ticking(&emulator);
    let (vpc_id, vswitch_id) = network(&client).await;
    let vpcs = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    let router = vpcs.vpcs[0].v_router_id.clone().expect("the VPC's vRouter");

    let created = CreateRouteTableRequest::builder()
        .region_id(REGION)
        .vpc_id(&vpc_id)
        .route_table_name("private")
        .send(&client)
        .await
        .expect("create a route table");
    let table_id = created.route_table_id.expect("its ID");
    assert!(has_prefix(&table_id, "vtb-"), "{table_id}");
    let table = client.wait_until_route_table_status(&table_id, RouteTableStatus::Available, poll()).await;
    let table = table.expect("the table is ready");
    assert_eq!(table.route_table_type.as_deref(), Some("Custom"));
    assert_eq!(table.route_table_name.as_deref(), Some("private"));
    assert_eq!(table.vpc_id.as_deref(), Some(vpc_id.as_str()));
    assert_eq!((table.router_id.as_deref(), table.router_type.as_deref()), (Some(router.as_str()), Some("VRouter")));
    let of_vpc = DescribeRouteTableListRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await;
    let tables = of_vpc.unwrap().router_table_list;
    let kinds: Vec<_> = tables.iter().map(|t| t.route_table_type.clone()).collect();
    assert_eq!(kinds, [Some("System".to_owned()), Some("Custom".to_owned())]);
    let system = tables[0].route_table_id.clone().expect("the system table's ID");
    // A vSwitch is on its VPC's system table until associated with another.
    let table_of = || async {
        let attributes = DescribeVSwitchAttributesRequest::builder().region_id(REGION).vswitch_id(&vswitch_id);
        let table = attributes.send(&client).await.expect("the vSwitch").route_table.expect("its route table");
        (table.route_table_id.expect("an ID"), table.route_table_type.expect("a type"))
    };
    assert_eq!(table_of().await, (system.clone(), "System".to_owned()));

    // Associated, the table lists the vSwitch.
    let associate = |table: &str| {
        AssociateRouteTableRequest::builder().region_id(REGION).route_table_id(table).vswitch_id(&vswitch_id)
    };
    associate(&table_id).send(&client).await.expect("associate");
    client.wait_until_vswitch_status(&vswitch_id, VSwitchStatus::Available, poll()).await.unwrap();
    let listed = || DescribeRouteTableListRequest::builder().region_id(REGION).route_table_id(&table_id).send(&client);
    assert_eq!(listed().await.unwrap().router_table_list[0].vswitch_ids, [vswitch_id.as_str()]);
    assert_eq!(table_of().await, (table_id.clone(), "Custom".to_owned()));
    let missing = associate("vtb-nothere").send(&client).await.unwrap_err();
    assert!(
        matches!(&missing, SdkError::Service(AssociateRouteTableError::InvalidRouteTableIdNotFound(_))),
        "{missing:?}"
    );

    // A route to an instance.
    let route = CreateRouteEntryRequest::builder()
        .region_id(REGION)
        .route_table_id(&table_id)
        .destination_cidr_block("0.0.0.0/0")
        .next_hop_type(NextHopType::Instance)
        .next_hop_id("i-bp1routes0001")
        .route_entry_name("default")
        .send(&client)
        .await
        .expect("create a route");
    let route_id = route.route_entry_id.expect("its ID");
    assert!(has_prefix(&route_id, "rte-"), "{route_id}");
    let entry = client.wait_until_route_entry_status(&table_id, &route_id, RouteEntryStatus::Available, poll()).await;
    let entry = entry.expect("the route applies");
    assert_eq!(entry.route_table_id.as_deref(), Some(table_id.as_str()));
    assert_eq!(entry.destination_cidr_block.as_deref(), Some("0.0.0.0/0"));
    assert_eq!(entry.route_entry_name.as_deref(), Some("default"));
    assert_eq!(entry.type_.as_deref(), Some("Custom"));
    let [hop] = &entry.next_hops[..] else { panic!("one next hop: {:?}", entry.next_hops) };
    assert_eq!((hop.next_hop_type.as_deref(), hop.next_hop_id.as_deref()), (Some("Instance"), Some("i-bp1routes0001")));
    let routes =
        |table: &str| DescribeRouteEntryListRequest::builder().region_id(REGION).route_table_id(table).send(&client);
    assert_eq!(routes(&table_id).await.unwrap().route_entrys.len(), 1);
    let system = vpcs.vpcs[0].router_table_ids[0].clone();
    assert!(routes(&system).await.unwrap().route_entrys.is_empty(), "routes are listed per table");
    let orphan = CreateRouteEntryRequest::builder()
        .region_id(REGION)
        .route_table_id("vtb-nothere")
        .destination_cidr_block("10.0.0.0/8")
        .send(&client)
        .await
        .unwrap_err();
    assert!(matches!(&orphan, SdkError::Service(CreateRouteEntryError::InvalidRouteTableIdNotFound(_))), "{orphan:?}");

    // Let the vSwitch go back to the system table, and remove it.
    UnassociateRouteTableRequest::builder()
        .region_id(REGION)
        .route_table_id(&table_id)
        .vswitch_id(&vswitch_id)
        .send(&client)
        .await
        .expect("unassociate");
    client.wait_until_vswitch_status(&vswitch_id, VSwitchStatus::Available, poll()).await.unwrap();
    assert!(listed().await.unwrap().router_table_list[0].vswitch_ids.is_empty());
    assert_eq!(table_of().await, (system.clone(), "System".to_owned()), "back on the system table");
    DeleteVSwitchRequest::builder().region_id(REGION).vswitch_id(&vswitch_id).send(&client).await.unwrap();

    // A custom route keeps the VPC, and so does the custom table once empty.
    let delete_vpc = || DeleteVpcRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client);
    let refused = delete_vpc().await.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(DeleteVpcError::DependencyViolationRouteEntry(_))), "{refused:?}");
    // A route is found only in its own table: through the VPC's system
    // table it is not there.
    let system = vpcs.vpcs[0].router_table_ids[0].clone();
    let elsewhere =
        DeleteRouteEntryRequest::builder().region_id(REGION).route_table_id(&system).route_entry_id(&route_id);
    let refused = elsewhere.send(&client).await.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(DeleteRouteEntryError::InvalidRouteEntryNotFound(_))), "{refused:?}");
    let delete_route =
        DeleteRouteEntryRequest::builder().region_id(REGION).route_table_id(&table_id).route_entry_id(&route_id);
    delete_route.send(&client).await.expect("delete the route");
    assert!(routes(&table_id).await.unwrap().route_entrys.is_empty());
    let refused = delete_vpc().await.unwrap_err();
    // DeleteVpc documents no code of its own for a route table: its generic
    // "Specified object has dependent resources" one.
    assert!(matches!(&refused, SdkError::Service(DeleteVpcError::DependencyViolationInstance(_))), "{refused:?}");
    DeleteRouteTableRequest::builder().region_id(REGION).route_table_id(&table_id).send(&client).await.unwrap();
    delete_vpc().await.expect("an empty VPC is deleted");
    ticker.abort();
}

#[tokio::test]
async fn a_shared_bandwidth_package_lists_the_eips_it_holds() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let created = CreateCommonBandwidthPackageRequest::builder()
        .region_id(REGION)
        .bandwidth(10)
        .name("shared")
        .send(&client)
        .await
        .expect("create a bandwidth package");
    let package_id = created.bandwidth_package_id.expect("its ID");
    assert!(has_prefix(&package_id, "cbwp-"), "{package_id}");
    let package =
        client.wait_until_common_bandwidth_package_status(&package_id, CommonBandwidthPackageStatus::Available, poll());
    let package = package.await.expect("the package is ready");
    assert_eq!((package.bandwidth.as_deref(), package.name.as_deref()), (Some("10"), Some("shared")));
    assert!(package.public_ip_addresses.is_empty());

    let (allocation_id, address) = eip(&client).await;
    let add = |package: &str| {
        AddCommonBandwidthPackageIpRequest::builder()
            .region_id(REGION)
            .bandwidth_package_id(package)
            .ip_instance_id(&allocation_id)
    };
    add(&package_id).send(&client).await.expect("add the EIP");
    let describe = || {
        DescribeCommonBandwidthPackagesRequest::builder()
            .region_id(REGION)
            .bandwidth_package_id(&package_id)
            .send(&client)
    };
    let held = describe().await.unwrap().common_bandwidth_packages.remove(0).public_ip_addresses;
    let [ip] = &held[..] else { panic!("one EIP in the package: {held:?}") };
    assert_eq!(
        (ip.allocation_id.as_deref(), ip.ip_address.as_deref()),
        (Some(allocation_id.as_str()), Some(address.as_str()))
    );
    let eip_now =
        || DescribeEipAddressesRequest::builder().region_id(REGION).allocation_id(&allocation_id).send(&client);
    let in_package = eip_now().await.unwrap().eip_addresses.remove(0);
    assert_eq!(in_package.bandwidth_package_id.as_deref(), Some(package_id.as_str()));
    let missing = add("cbwp-nothere").send(&client).await.unwrap_err();
    assert!(
        matches!(&missing, SdkError::Service(AddCommonBandwidthPackageIpError::InvalidBandwidthPackageIdNotFound(_))),
        "{missing:?}"
    );

    let remove = RemoveCommonBandwidthPackageIpRequest::builder()
        .region_id(REGION)
        .bandwidth_package_id(&package_id)
        .ip_instance_id(&allocation_id);
    remove.send(&client).await.expect("remove the EIP");
    assert!(describe().await.unwrap().common_bandwidth_packages[0].public_ip_addresses.is_empty());
    assert_eq!(eip_now().await.unwrap().eip_addresses[0].bandwidth_package_id, None);

    // Holding an EIP, the package is deleted only by force, and the EIP stays, on its own.
    add(&package_id).send(&client).await.unwrap();
    let delete = || DeleteCommonBandwidthPackageRequest::builder().region_id(REGION).bandwidth_package_id(&package_id);
    let refused = delete().send(&client).await.unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused:?}");
    delete().force("true").send(&client).await.expect("a forced delete");
    assert!(describe().await.unwrap().common_bandwidth_packages.is_empty());
    let freed = eip_now().await.unwrap().eip_addresses.remove(0);
    assert_eq!((freed.bandwidth_package_id, freed.ip_address), (None, Some(address)));
}

#[tokio::test]
async fn a_havip_lives_in_its_vswitch() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let ticker = ticking(&emulator);
    let (vpc_id, vswitch_id) = network(&client).await;
    // A /24 gives 252 addresses; each HaVip in it takes one.
    let free = || async {
        let attributes =
            DescribeVSwitchAttributesRequest::builder().region_id(REGION).vswitch_id(&vswitch_id).send(&client);
        attributes.await.expect("the vSwitch").available_ip_address_count
    };
    assert_eq!(free().await, Some(252));
    let created = CreateHaVipRequest::builder()
        .region_id(REGION)
        .vswitch_id(&vswitch_id)
        .ip_address("172.16.1.100")
        .name("vip")
        .send(&client)
        .await
        .expect("create a HaVip");
    let id = created.ha_vip_id.expect("its ID");
    assert!(has_prefix(&id, "havip-"), "{id}");
    assert_eq!(created.ip_address.as_deref(), Some("172.16.1.100"));
    let vip = client.wait_until_ha_vip_status(&id, HaVipStatus::Available, poll()).await.expect("ready");
    assert_eq!((vip.vswitch_id.as_deref(), vip.vpc_id.as_deref()), (Some(vswitch_id.as_str()), Some(vpc_id.as_str())));
    assert_eq!((vip.ip_address.as_deref(), vip.name.as_deref()), (Some("172.16.1.100"), Some("vip")));
    let by_vpc = DescribeHaVipsRequest::builder()
        .region_id(REGION)
        .filter([DescribeHaVipsFilter::default().key("VpcId").value([vpc_id.as_str()])])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(by_vpc.total_count, Some(1));

    // Without an address, the service picks the lowest free one of the
    // vSwitch, past the first one it reserves (the network address).
    let unaddressed = || CreateHaVipRequest::builder().region_id(REGION).vswitch_id(&vswitch_id).send(&client);
    let (first, second) = (unaddressed().await.unwrap(), unaddressed().await.unwrap());
    assert_eq!(first.ip_address.as_deref(), Some("172.16.1.1"));
    assert_eq!(second.ip_address.as_deref(), Some("172.16.1.2"), "a taken address is not given again");
    assert_eq!(free().await, Some(249));
    for picked in [first, second] {
        let picked = picked.ha_vip_id.unwrap();
        client.wait_until_ha_vip_status(&picked, HaVipStatus::Available, poll()).await.unwrap();
        DeleteHaVipRequest::builder().region_id(REGION).ha_vip_id(&picked).send(&client).await.unwrap();
    }

    let refused = DeleteVSwitchRequest::builder().region_id(REGION).vswitch_id(&vswitch_id).send(&client).await;
    let refused = refused.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(DeleteVSwitchError::DependencyViolationHaVip(_))), "{refused:?}");
    let delete = || DeleteHaVipRequest::builder().region_id(REGION).ha_vip_id(&id).send(&client);
    delete().await.expect("delete the HaVip");
    let again = delete().await.unwrap_err();
    assert!(
        matches!(&again, SdkError::Service(DeleteHaVipError::InvalidHaVipIdNotFound(e)) if e.status() == 404),
        "{again:?}"
    );
    DeleteVSwitchRequest::builder().region_id(REGION).vswitch_id(&vswitch_id).send(&client).await.expect("now empty");
    ticker.abort();
}

#[tokio::test]
async fn a_network_acl_belongs_to_its_vpc() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let ticker = ticking(&emulator);
    let (vpc_id, _) = network(&client).await;
    let created = CreateNetworkAclRequest::builder()
        .region_id(REGION)
        .vpc_id(&vpc_id)
        .network_acl_name("web-acl")
        .description("front tier")
        .send(&client)
        .await
        .expect("create a network ACL");
    let id = created.network_acl_id.clone().expect("its ID");
    assert!(has_prefix(&id, "nacl-"), "{id}");
    // The answer describes the new ACL as a struct too.
    let attribute = created.network_acl_attribute.expect("the new ACL's attributes");
    assert_eq!(attribute.network_acl_id.as_deref(), Some(id.as_str()));
    assert_eq!(
        (attribute.vpc_id.as_deref(), attribute.network_acl_name.as_deref()),
        (Some(vpc_id.as_str()), Some("web-acl"))
    );
    let acl = client.wait_until_network_acl_status(&id, NetworkAclStatus::Available, poll()).await.expect("ready");
    assert_eq!((acl.network_acl_name.as_deref(), acl.description.as_deref()), (Some("web-acl"), Some("front tier")));
    assert_eq!((acl.vpc_id.as_deref(), acl.region_id.as_deref()), (Some(vpc_id.as_str()), Some(REGION)));
    let of_vpc = |vpc: &str| DescribeNetworkAclsRequest::builder().region_id(REGION).vpc_id(vpc).send(&client);
    assert_eq!(of_vpc(&vpc_id).await.unwrap().network_acls.len(), 1);
    assert!(of_vpc("vpc-other").await.unwrap().network_acls.is_empty());

    let delete = || DeleteNetworkAclRequest::builder().region_id(REGION).network_acl_id(&id).send(&client);
    delete().await.expect("delete the ACL");
    assert!(of_vpc(&vpc_id).await.unwrap().network_acls.is_empty());
    let again = delete().await.unwrap_err();
    assert!(
        matches!(&again, SdkError::Service(DeleteNetworkAclError::InvalidNetworkAclNotFound(e)) if e.status() == 400),
        "{again:?}"
    );
    ticker.abort();
}

#[tokio::test]
async fn a_prefix_list_is_created_listed_and_deleted() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let ticker = ticking(&emulator);
    let created = CreateVpcPrefixListRequest::builder()
        .region_id(REGION)
        .prefix_list_name("offices")
        .prefix_list_description("branch networks")
        .ip_version(IpVersion::Ipv4)
        .max_entries(20)
        .prefix_list_entries([PrefixListEntries::default().cidr("10.10.0.0/16")])
        .send(&client)
        .await
        .expect("create a prefix list");
    let id = created.prefix_list_id.expect("its ID");
    assert!(has_prefix(&id, "pl-"), "{id}");
    let list =
        client.wait_until_vpc_prefix_list_status(&id, VpcPrefixListStatus::Created, poll()).await.expect("ready");
    assert_eq!(list.prefix_list_name.as_deref(), Some("offices"));
    assert_eq!(list.prefix_list_description.as_deref(), Some("branch networks"));
    assert_eq!((list.ip_version.as_deref(), list.max_entries), (Some("IPv4"), Some(20)));
    let listed = |id: &str| ListPrefixListsRequest::builder().region_id(REGION).prefix_list_ids([id]).send(&client);
    assert_eq!(listed(&id).await.unwrap().prefix_lists[0].cidr_blocks, ["10.10.0.0/16"]);
    assert!(listed("pl-other").await.unwrap().prefix_lists.is_empty());

    // Its entries: one added, the first removed, read back with their descriptions.
    ModifyVpcPrefixListRequest::builder()
        .region_id(REGION)
        .prefix_list_id(&id)
        .add_prefix_list_entry([AddPrefixListEntry::default().cidr("10.20.0.0/16").description("Shanghai office")])
        .remove_prefix_list_entry([RemovePrefixListEntry::default().cidr("10.10.0.0/16")])
        .send(&client)
        .await
        .expect("modify the entries");
    client.wait_until_vpc_prefix_list_status(&id, VpcPrefixListStatus::Created, poll()).await.expect("ready");
    let entries = GetVpcPrefixListEntriesRequest::builder().region_id(REGION).prefix_list_id(&id).send(&client);
    let entries = entries.await.expect("its entries").prefix_list_entry;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].cidr.as_deref(), Some("10.20.0.0/16"));
    assert_eq!(entries[0].description.as_deref(), Some("Shanghai office"));
    assert_eq!(entries[0].prefix_list_id.as_deref(), Some(id.as_str()));
    assert_eq!(listed(&id).await.unwrap().prefix_lists[0].cidr_blocks, ["10.20.0.0/16"]);

    let delete = || DeleteVpcPrefixListRequest::builder().region_id(REGION).prefix_list_id(&id).send(&client);
    delete().await.expect("delete the prefix list");
    assert!(listed(&id).await.unwrap().prefix_lists.is_empty());
    let again = delete().await.unwrap_err();
    assert!(matches!(&again, SdkError::Service(DeleteVpcPrefixListError::ResourceNotFoundPrefixList(_))), "{again:?}");
    ticker.abort();
}
