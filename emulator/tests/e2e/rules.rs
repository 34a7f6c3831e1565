//! The emulator's own resource rules (`ResourceRules`): a VPC's vRouter and
//! system route table, quotas, generated EIP addresses, and the instance an
//! EIP is bound to, shown while bound and gone once unbound.

use std::collections::HashSet;
use std::net::Ipv4Addr;

use aliyun_runtime::SdkError;
use aliyun_vpc::associate_eip_address::InstanceType;
use aliyun_vpc::types::{EipStatus, RouteTableStatus};
use aliyun_vpc::{
    AllocateEipAddressError, AllocateEipAddressRequest, AssociateEipAddressRequest, CreateVSwitchError,
    CreateVSwitchRequest, CreateVpcError, CreateVpcRequest, DeleteVpcRequest, DescribeEipAddressesRequest,
    DescribeRouteTableListRequest, DescribeVRoutersRequest, DescribeVpcAttributeRequest, DescribeVpcsRequest,
    ReleaseEipAddressRequest, UnassociateEipAddressRequest,
};
use vpc_emulator::{Config, Emulator, EmulatorHandle};

use crate::{REGION, client, config, start};

fn with_quotas(quotas: &[(&str, u32)]) -> EmulatorHandle {
    let config = Config { quotas: quotas.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect(), ..config() };
    Emulator::start(config).expect("start the emulator")
}

async fn new_vpc(client: &aliyun_vpc::Client, region: &str, cidr: &str) -> Result<String, SdkError<CreateVpcError>> {
    let created = CreateVpcRequest::builder().region_id(region).cidr_block(cidr).send(client).await?;
    Ok(created.vpc_id.expect("a VpcId"))
}

#[tokio::test]
async fn a_vpc_comes_with_its_vrouter_and_system_route_table_and_takes_them_along() {
    let emulator = start();
    let client = client(&emulator);
    let vpc_id = new_vpc(&client, REGION, "10.0.0.0/8").await.unwrap();
    emulator.tick(2);

    let vpcs = DescribeVpcsRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    let vpc = &vpcs.vpcs[0];
    let router = vpc.v_router_id.clone().expect("DescribeVpcs shows the vRouter");
    assert!(router.starts_with("vrt-"), "{router}");
    assert_eq!(vpc.is_default, Some(false));
    assert_eq!(vpc.router_table_ids.len(), 1, "{vpc:?}");
    let table_id = vpc.router_table_ids[0].clone();
    let attribute =
        DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    assert_eq!(attribute.v_router_id.as_deref(), Some(router.as_str()));

    let routers = DescribeVRoutersRequest::builder().region_id(REGION).send(&client).await.unwrap();
    assert_eq!(routers.total_count, Some(1));
    assert_eq!(routers.v_routers[0].v_router_id.as_deref(), Some(router.as_str()));
    assert_eq!(routers.v_routers[0].vpc_id.as_deref(), Some(vpc_id.as_str()));
    assert_eq!(routers.v_routers[0].route_table_ids, std::slice::from_ref(&table_id));

    let tables =
        DescribeRouteTableListRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.unwrap();
    let table = &tables.router_table_list[0];
    assert_eq!(table.route_table_id.as_deref(), Some(table_id.as_str()));
    assert_eq!(table.route_table_type.as_deref(), Some("System"));
    assert_eq!(table.router_id.as_deref(), Some(router.as_str()));
    assert_eq!(table.status, Some(RouteTableStatus::Available));

    // Its own companions do not keep a VPC from being deleted; they go with it.
    DeleteVpcRequest::builder().region_id(REGION).vpc_id(&vpc_id).send(&client).await.expect("deleted");
    let routers = DescribeVRoutersRequest::builder().region_id(REGION).send(&client).await.unwrap();
    assert_eq!((routers.total_count, routers.v_routers.len()), (Some(0), 0));
    let tables = DescribeRouteTableListRequest::builder().region_id(REGION).send(&client).await.unwrap();
    assert!(tables.router_table_list.is_empty(), "{tables:?}");
}

#[tokio::test]
async fn quotas_refuse_with_the_documented_code_per_region_and_per_parent() {
    let emulator = with_quotas(&[("Vpc", 2), ("vswitch", 1), ("Eip", 1)]);
    let client = client(&emulator);
    let kept = new_vpc(&client, REGION, "10.0.0.0/16").await.unwrap();
    new_vpc(&client, REGION, "10.1.0.0/16").await.unwrap();
    let refused = new_vpc(&client, REGION, "10.2.0.0/16").await.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(CreateVpcError::QuotaExceededVpc(_))), "{refused:?}");
    assert_eq!(refused.status(), Some(400));
    new_vpc(&client, "cn-beijing", "10.2.0.0/16").await.expect("a quota counts per region");

    let vswitch = |vpc: &str, cidr: &str| {
        CreateVSwitchRequest::builder().region_id(REGION).vpc_id(vpc).zone_id("cn-hangzhou-a").cidr_block(cidr)
    };
    vswitch(&kept, "10.0.1.0/24").send(&client).await.unwrap();
    let refused = vswitch(&kept, "10.0.2.0/24").send(&client).await.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(CreateVSwitchError::QuotaExceededVSwitch(_))), "{refused:?}");

    let eip = AllocateEipAddressRequest::builder().region_id(REGION).send(&client).await.unwrap();
    let refused = AllocateEipAddressRequest::builder().region_id(REGION).send(&client).await.unwrap_err();
    assert!(matches!(&refused, SdkError::Service(AllocateEipAddressError::QuotaExceededEip(_))), "{refused:?}");
    let id = eip.allocation_id.unwrap();
    ReleaseEipAddressRequest::builder().region_id(REGION).allocation_id(id).send(&client).await.unwrap();
    AllocateEipAddressRequest::builder().region_id(REGION).send(&client).await.expect("released, the quota is free");

    // A quota for a kind that does not exist is a clear start-up error.
    let err = Emulator::start(Config { quotas: vec![("Vpcs".into(), 1)], ..config() }).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("no resource kind `Vpcs`"), "{err}");
}

#[tokio::test]
async fn eips_get_unique_public_addresses_and_show_the_instance_they_are_bound_to() {
    let emulator = start();
    let client = client(&emulator);
    let mut seen = HashSet::new();
    let mut first = None;
    for _ in 0..20 {
        let eip = AllocateEipAddressRequest::builder().region_id(REGION).send(&client).await.unwrap();
        let address = eip.eip_address.expect("an EipAddress");
        let ip: Ipv4Addr = address.parse().expect("an IPv4 address");
        assert!(!ip.is_private() && !ip.is_loopback() && !ip.is_link_local() && !ip.is_unspecified(), "{ip}");
        assert!(seen.insert(address.clone()), "{address} handed out twice");
        first.get_or_insert((eip.allocation_id.unwrap(), address));
    }
    let (id, address) = first.unwrap();
    let describe = || DescribeEipAddressesRequest::builder().region_id(REGION).allocation_id(&id).send(&client);
    let listed = describe().await.unwrap();
    assert_eq!(listed.eip_addresses[0].ip_address.as_deref(), Some(address.as_str()));
    // Generated values narrow listings under each of their names.
    let by_address =
        DescribeEipAddressesRequest::builder().region_id(REGION).eip_address(&address).send(&client).await.unwrap();
    assert_eq!(by_address.eip_addresses.len(), 1);
    assert_eq!(by_address.eip_addresses[0].allocation_id.as_deref(), Some(id.as_str()));

    AssociateEipAddressRequest::builder()
        .region_id(REGION)
        .allocation_id(&id)
        .instance_id("i-bp1rules0001")
        .instance_type(InstanceType::EcsInstance)
        .send(&client)
        .await
        .unwrap();
    emulator.tick(1);
    let bound = describe().await.unwrap().eip_addresses.remove(0);
    assert_eq!(bound.status, Some(EipStatus::InUse));
    assert_eq!(bound.instance_id.as_deref(), Some("i-bp1rules0001"));
    assert_eq!(bound.instance_type.as_deref(), Some("EcsInstance"));

    UnassociateEipAddressRequest::builder()
        .region_id(REGION)
        .allocation_id(&id)
        .instance_id("i-bp1rules0001")
        .send(&client)
        .await
        .unwrap();
    emulator.tick(1);
    let free = describe().await.unwrap().eip_addresses.remove(0);
    assert_eq!(free.status, Some(EipStatus::Available));
    assert_eq!((free.instance_id, free.instance_type), (None, None), "an unbound EIP names no instance");
    assert_eq!(free.ip_address.as_deref(), Some(address.as_str()), "it keeps its address");
}
