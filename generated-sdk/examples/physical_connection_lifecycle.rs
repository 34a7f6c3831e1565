//! Walks Express Connect circuits through their life against a local
//! emulator: one is created, confirmed, enabled, terminated and deleted;
//! another is canceled once allocated.
//!
//! Start the emulator in one terminal, then run this in another:
//!
//! ```sh
//! cargo run -p vpc-emulator -- --port 8080 --access-key-id demo --access-key-secret demo --tick-ms 200
//! cargo run --example physical_connection_lifecycle
//! ```
//!
//! `VPC_ENDPOINT` points it elsewhere (default `http://127.0.0.1:8080`).

use std::time::{Duration, Instant};

use aliyun_vpc::runtime::{Credentials, SdkError, WaitPolicy};
use aliyun_vpc::types::{Filter, PhysicalConnectionStatus as Status};
use aliyun_vpc::{
    CancelPhysicalConnectionError, CancelPhysicalConnectionRequest, Client, ConfirmPhysicalConnectionRequest,
    CreatePhysicalConnectionRequest, DeletePhysicalConnectionRequest, DescribePhysicalConnectionsRequest,
    EnablePhysicalConnectionRequest, TerminatePhysicalConnectionRequest,
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

    enable_and_retire(&client).await?;
    cancel_before_service(&client).await?;

    let request = DescribePhysicalConnectionsRequest::builder().region_id(REGION).build()?;
    let left = client.describe_physical_connections(request).await?;
    println!("\nDone: {} circuit(s) left in {REGION}.", left.total_count.unwrap_or_default());
    Ok(())
}

/// Create, wait for allocation, confirm, enable, then terminate and delete.
async fn enable_and_retire(client: &Client) -> Result {
    println!("\n== A circuit from application to deletion");
    let id = create(client, "office-primary").await?;
    wait(client, &id, Status::Allocated).await?;

    let confirm = ConfirmPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
    client.confirm_physical_connection(confirm.build()?).await?;
    println!("Confirmed the installation: {}", show(client, &id).await?);
    let enable = EnablePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
    client.enable_physical_connection(enable.build()?).await?;
    let enabled = wait(client, &id, Status::Enabled).await?;
    println!(
        "In service: {} at {}, {} Mbit/s, applied for at {}",
        enabled.name.as_deref().unwrap_or("?"),
        enabled.access_point_id.as_deref().unwrap_or("?"),
        enabled.bandwidth.unwrap_or_default(),
        enabled.creation_time.as_deref().unwrap_or("?"),
    );

    // The service says no, with a typed error, when the state does not allow it.
    let cancel = CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
    match client.cancel_physical_connection(cancel.build()?).await {
        Err(SdkError::Service(CancelPhysicalConnectionError::ForbiddenNotAllowedInState(e))) => {
            println!("Cancel refused, as expected for an enabled circuit: {}", e.code());
        }
        other => println!("Cancel of an enabled circuit answered unexpectedly: {other:?}"),
    }

    let terminate = TerminatePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
    client.terminate_physical_connection(terminate.build()?).await?;
    println!("Asked to terminate: {}", show(client, &id).await?);
    wait(client, &id, Status::Terminated).await?;
    delete(client, &id).await
}

/// Create, wait for allocation, then withdraw it before it is ever enabled.
async fn cancel_before_service(client: &Client) -> Result {
    println!("\n== A circuit canceled before it goes into service");
    let id = create(client, "office-backup").await?;
    wait(client, &id, Status::Allocated).await?;
    let cancel = CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
    client.cancel_physical_connection(cancel.build()?).await?;
    println!("Canceled: {}", show(client, &id).await?);
    delete(client, &id).await
}

async fn create(client: &Client, name: &str) -> Result<String> {
    let request = CreatePhysicalConnectionRequest::builder()
        .region_id(REGION)
        .access_point_id("ap-cn-hangzhou-xs-a")
        .line_operator("CT")
        .port_type("1000Base-LX")
        .name(name)
        .bandwidth(100i64)
        .build()?;
    let created = client.create_physical_connection(request).await?;
    let id = created.physical_connection_id.ok_or("the service returned no circuit ID")?;
    println!("Applied for {name}: {id} ({})", show(client, &id).await?);
    Ok(id)
}

/// Polls until `target`, saying how long the service took.
async fn wait(
    client: &Client,
    id: &str,
    target: Status,
) -> Result<aliyun_vpc::describe_physical_connections::PhysicalConnection> {
    let started = Instant::now();
    let policy = WaitPolicy {
        timeout: Duration::from_secs(60),
        initial_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(500),
    };
    let circuit = client.wait_until_physical_connection_status(id, target.clone(), policy).await?;
    println!("{id} is {target} after {:.1} s", started.elapsed().as_secs_f64());
    Ok(circuit)
}

async fn delete(client: &Client, id: &str) -> Result {
    let delete = DeletePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(id);
    client.delete_physical_connection(delete.build()?).await?;
    println!("Deleted {id}: {}", show(client, id).await?);
    Ok(())
}

/// The circuit's state as the service reports it now.
async fn show(client: &Client, id: &str) -> Result<String> {
    let request = DescribePhysicalConnectionsRequest::builder()
        .region_id(REGION)
        .filter([Filter::default().key("PhysicalConnectionId").value([id])])
        .build()?;
    let page = client.describe_physical_connections(request).await?;
    Ok(match page.physical_connections.first().and_then(|c| c.status.as_ref()) {
        Some(status) => format!("now {status}"),
        None => "no longer listed".to_owned(),
    })
}
