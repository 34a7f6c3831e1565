//! Walks a VPC, a vSwitch and an EIP through their life against a local
//! emulator: the VPC with its vRouter, a vSwitch in it, an EIP bound to an
//! instance and unbound again, then everything deleted in order (and the
//! error when the order is wrong).
//!
//! Start the emulator in one terminal, then run this in another:
//!
//! ```sh
//! cargo run -p vpc-emulator -- --port 8080 --access-key-id demo --access-key-secret demo --tick-ms 200
//! cargo run --example vpc_vswitch_eip
//! ```
//!
//! `VPC_ENDPOINT` points it elsewhere (default `http://127.0.0.1:8080`).

use std::time::Duration;

use aliyun_vpc::runtime::{Credentials, SdkError, WaitPolicy};
use aliyun_vpc::types::{EipStatus, VSwitchStatus, VpcStatus};
use aliyun_vpc::{
    AllocateEipAddressRequest, AssociateEipAddressRequest, Client, CreateVSwitchRequest, CreateVpcRequest,
    DeleteVSwitchRequest, DeleteVpcError, DeleteVpcRequest, ReleaseEipAddressRequest, UnassociateEipAddressRequest,
};

const REGION: &str = "cn-hangzhou";

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nFailed: {e}");
            eprintln!(
                "Is the emulator running? Start it with:\n  \
                 cargo run -p vpc-emulator -- --port 8080 --access-key-id demo --access-key-secret demo --tick-ms 200"
            );
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result {
    let endpoint = std::env::var("VPC_ENDPOINT").unwrap_or_else(|_| "http://127.0.0.1:8080".to_owned());
    let client =
        Client::builder().region(REGION).credentials(Credentials::new("demo", "demo")).endpoint(&endpoint).build()?;
    println!("Talking to {endpoint} in {REGION}.");
    let wait = WaitPolicy::with_timeout(Duration::from_secs(30));

    let vpc_id = CreateVpcRequest::builder()
        .region_id(REGION)
        .cidr_block("192.168.0.0/16")
        .vpc_name("try-it")
        .send(&client)
        .await?
        .vpc_id
        .ok_or("no VpcId in the answer")?;
    let vpc = client.wait_until_vpc_status(&vpc_id, VpcStatus::Available, wait).await?;
    println!(
        "VPC {vpc_id} is Available, with vRouter {:?} and route tables {:?}",
        vpc.v_router_id, vpc.router_table_ids
    );

    let vswitch_id = CreateVSwitchRequest::builder()
        .region_id(REGION)
        .vpc_id(&vpc_id)
        .zone_id(format!("{REGION}-a"))
        .cidr_block("192.168.1.0/24")
        .send(&client)
        .await?
        .vswitch_id
        .ok_or("no VSwitchId in the answer")?;
    client.wait_until_vswitch_status(&vswitch_id, VSwitchStatus::Available, wait).await?;
    println!("vSwitch {vswitch_id} is Available in {REGION}-a");

    let eip = AllocateEipAddressRequest::builder().region_id(REGION).bandwidth("5").send(&client).await?;
    let allocation_id = eip.allocation_id.ok_or("no AllocationId in the answer")?;
    println!("EIP {allocation_id} has the address {}", eip.eip_address.unwrap_or_default());
    AssociateEipAddressRequest::builder()
        .region_id(REGION)
        .allocation_id(&allocation_id)
        .instance_id("i-bp1example0001")
        .send(&client)
        .await?;
    let bound = client.wait_until_eip_status(&allocation_id, EipStatus::InUse, wait).await?;
    println!("EIP {allocation_id} is InUse, bound to {:?}", bound.instance_id);
    UnassociateEipAddressRequest::builder()
        .region_id(REGION)
        .allocation_id(&allocation_id)
        .instance_id("i-bp1example0001")
        .send(&client)
        .await?;
    client.wait_until_eip_status(&allocation_id, EipStatus::Available, wait).await?;
    ReleaseEipAddressRequest::builder().region_id(REGION).allocation_id(&allocation_id).send(&client).await?;
    println!("EIP {allocation_id} unbound and released");

    // A VPC with a vSwitch in it cannot go yet: a typed error says why.
    let delete = DeleteVpcRequest::builder().region_id(REGION).vpc_id(&vpc_id);
    match delete.clone().send(&client).await {
        Err(SdkError::Service(DeleteVpcError::DependencyViolationVSwitch(e))) => {
            println!("DeleteVpc first refused: {}", e.message());
        }
        other => return Err(format!("DeleteVpc with a vSwitch in it answered {other:?}").into()),
    }
    DeleteVSwitchRequest::builder().region_id(REGION).vswitch_id(&vswitch_id).send(&client).await?;
    delete.send(&client).await?;
    println!("vSwitch {vswitch_id} and VPC {vpc_id} deleted; the vRouter went with the VPC");
    Ok(())
}
