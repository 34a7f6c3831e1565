//! End to end: the generated `aliyun_vpc::Client` against an emulator on a
//! free loopback port. One test binary, one module per concern, so the
//! whole suite links once.

mod answers;
mod concurrency;
mod errors;
mod every_action;
mod faults;
mod formats;
mod idempotency;
mod lifecycle;
mod log;
mod persistence;
mod resources;
mod rules;
mod signatures;
mod vpc;

use aliyun_runtime::{Credentials, RetryPolicy, SignatureVersion, StreamExt as _};
use aliyun_vpc::describe_physical_connections::PhysicalConnection;
use aliyun_vpc::types::PhysicalConnectionStatus;
use aliyun_vpc::{Client, CreatePhysicalConnectionRequest, DescribePhysicalConnectionsRequest};
use vpc_emulator::{Config, Emulator, EmulatorHandle};

pub const KEY_ID: &str = "e2e-key";
pub const SECRET: &str = "e2e-secret-never-shown";
pub const REGION: &str = "cn-hangzhou";

/// An in-memory emulator with one key and no automatic progress.
pub fn config() -> Config {
    let mut config = Config::new(Credentials::new(KEY_ID, SECRET));
    // Tests run side by side on two cores: one worker each is plenty.
    config.threads = 1;
    config
}

pub fn start() -> EmulatorHandle {
    Emulator::start(config()).expect("start the emulator")
}

/// A client for `url` that does not retry, so every error shows as it came.
pub fn client_for(url: &str, credentials: Credentials, version: SignatureVersion) -> Client {
    Client::builder()
        .region(REGION)
        .credentials(credentials)
        .endpoint(url)
        .signature_version(version)
        .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
        .build()
        .expect("client")
}

pub fn client(emulator: &EmulatorHandle) -> Client {
    client_for(&emulator.url(), Credentials::new(KEY_ID, SECRET), SignatureVersion::V3)
}

pub fn create_request(name: &str) -> CreatePhysicalConnectionRequest {
    CreatePhysicalConnectionRequest::builder()
        .region_id(REGION)
        .access_point_id("ap-cn-hangzhou-xs-a")
        .line_operator("CT")
        .port_type("1000Base-LX")
        .name(name)
        .bandwidth(100i64)
        .build()
        .expect("a valid create request")
}

/// Creates a circuit and returns its ID.
pub async fn create(client: &Client, name: &str) -> String {
    let created = client.create_physical_connection(create_request(name)).await.expect("create");
    created.physical_connection_id.expect("the new circuit's ID")
}

/// One circuit as the listing action reports it.
pub async fn describe(client: &Client, id: &str) -> Option<PhysicalConnection> {
    let request = DescribePhysicalConnectionsRequest::builder()
        .region_id(REGION)
        .filter([aliyun_vpc::types::Filter::default().key("PhysicalConnectionId").value([id])])
        .build()
        .unwrap();
    let mut page = client.describe_physical_connections(request).await.expect("describe");
    assert!(page.physical_connections.len() <= 1);
    page.physical_connections.pop()
}

pub async fn status(client: &Client, id: &str) -> Option<PhysicalConnectionStatus> {
    describe(client, id).await.and_then(|c| c.status)
}

/// Every circuit of the region, through every page.
pub async fn list_all(client: &Client) -> Vec<PhysicalConnection> {
    let request = DescribePhysicalConnectionsRequest::builder().region_id(REGION).page_size(50).build().unwrap();
    client.describe_physical_connections_items(request).map(|item| item.expect("a page")).collect().await
}
