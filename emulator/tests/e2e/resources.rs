//! The core resources around a VPC, through the typed client: network ACLs
//! and prefix lists, each created, read back, waited for and deleted, with
//! the errors a caller relies on.

use std::sync::Arc;

use aliyun_runtime::SdkError;
use aliyun_vpc::create_vpc_prefix_list::{IpVersion, PrefixListEntries};
use aliyun_vpc::types::{NetworkAclStatus, VSwitchStatus, VpcPrefixListStatus, VpcStatus};
use aliyun_vpc::{
    Client, CreateNetworkAclRequest, CreateVSwitchRequest, CreateVpcPrefixListRequest, CreateVpcRequest,
    DeleteNetworkAclError, DeleteNetworkAclRequest, DeleteVpcPrefixListError, DeleteVpcPrefixListRequest,
    DescribeNetworkAclsRequest, ListPrefixListsRequest,
};

use crate::vpc::{poll, ticking};
use crate::{REGION, client, start};

/// A VPC of 172.16.0.0/12 with one vSwitch of 172.16.1.0/24, both ready.
async fn network(client: &Client) -> (String, String) {
    let vpc = CreateVpcRequest::builder().region_id(REGION).cidr_block("172.16.0.0/12").send(client).await;
    let vpc_id = vpc.expect("a VPC").vpc_id.expect("its ID");
    client.wait_until_vpc_status(&vpc_id, VpcStatus::Available, poll()).await.expect("the VPC is ready");
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

fn has_prefix(id: &str, prefix: &str) -> bool {
    id.starts_with(prefix) && id.len() > prefix.len()
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
    let id = created.network_acl_id.expect("its ID");
    assert!(has_prefix(&id, "nacl-"), "{id}");
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
    let emulator = start();
    let client = client(&emulator);
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
    assert_eq!(listed(&id).await.unwrap().prefix_lists.len(), 1);
    assert!(listed("pl-other").await.unwrap().prefix_lists.is_empty());

    let delete = || DeleteVpcPrefixListRequest::builder().region_id(REGION).prefix_list_id(&id).send(&client);
    delete().await.expect("delete the prefix list");
    assert!(listed(&id).await.unwrap().prefix_lists.is_empty());
    let again = delete().await.unwrap_err();
    assert!(matches!(&again, SdkError::Service(DeleteVpcPrefixListError::ResourceNotFoundPrefixList(_))), "{again:?}");
}
