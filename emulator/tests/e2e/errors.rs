//! Every error the emulator produces reaches the client as its typed variant,
//! with the gateway's fields around it.

use aliyun_runtime::{Credentials, Operation, OperationError, Params, SdkError, SignatureVersion, WireRequest};
use aliyun_vpc::{
    CancelPhysicalConnectionError, CancelPhysicalConnectionRequest, CommonError,
    CreateHighReliablePhysicalConnectionError, CreateHighReliablePhysicalConnectionRequest,
    DescribePhysicalConnectionsError, DescribePhysicalConnectionsRequest, DescribeRegionsError,
    DescribeRegionsResponse, EnablePhysicalConnectionRequest,
};

use crate::{KEY_ID, REGION, SECRET, client, client_for, create, start};

fn cancel(id: &str) -> CancelPhysicalConnectionRequest {
    CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(id).build().unwrap()
}

/// The service error under any SDK error, or a panic naming what came instead.
fn service<E: OperationError + std::fmt::Debug>(err: &SdkError<E>) -> &aliyun_runtime::ServiceError {
    match err {
        SdkError::Service(e) => e.service_error(),
        other => panic!("expected a service error, got {other:?}"),
    }
}

#[tokio::test]
async fn lifecycle_refusals_are_typed() {
    let emulator = start();
    let client = client(&emulator);

    let missing = client.cancel_physical_connection(cancel("pc-doesnotexist")).await.unwrap_err();
    assert!(
        matches!(&missing, SdkError::Service(CancelPhysicalConnectionError::InvalidPhysicalConnectionIdNotFound(_))),
        "{missing:?}"
    );
    let e = service(&missing);
    assert_eq!(e.status(), 404);
    assert!(e.message().contains("pc-doesnotexist"), "{}", e.message());
    assert!(e.request_id().is_some_and(|r| r.len() == 36));
    assert_eq!(e.host_id(), Some(emulator.addr().to_string().as_str()));
    assert!(e.recommend().is_some_and(|r| r.contains("InvalidPhysicalConnectionId.NotFound")));

    let id = create(&client, "line").await;
    emulator.tick(2);
    client
        .confirm_physical_connection(
            aliyun_vpc::ConfirmPhysicalConnectionRequest::builder()
                .region_id(REGION)
                .physical_connection_id(&id)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    client
        .enable_physical_connection(
            EnablePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap(),
        )
        .await
        .unwrap();
    let refused = client.cancel_physical_connection(cancel(&id)).await.unwrap_err();
    assert!(
        matches!(&refused, SdkError::Service(CancelPhysicalConnectionError::ForbiddenNotAllowedInState(_))),
        "{refused:?}"
    );
    assert_eq!(service(&refused).status(), 400);
    assert!(service(&refused).message().contains("Enabled"), "{}", service(&refused).message());
    // Two different requests, two request IDs.
    assert_ne!(service(&refused).request_id(), service(&missing).request_id());
}

#[tokio::test]
async fn parameter_checks_use_the_generated_request_types() {
    let emulator = start();
    let client = client(&emulator);
    // Sent as raw wire parameters: the builder would refuse to build these.
    let no_id = WireRequest::<CancelPhysicalConnectionRequest>::new([("RegionId", REGION)]);
    let err = client.runtime().send(&no_id).await.unwrap_err();
    assert!(
        matches!(&err, SdkError::Service(CancelPhysicalConnectionError::Common(CommonError::MissingParameter(_)))),
        "{err:?}"
    );
    assert!(service(&err).message().contains("PhysicalConnectionId"), "{}", service(&err).message());

    let too_big = WireRequest::<DescribePhysicalConnectionsRequest>::new([("RegionId", REGION), ("PageSize", "500")]);
    let err = client.runtime().send(&too_big).await.unwrap_err();
    assert!(
        matches!(&err, SdkError::Service(DescribePhysicalConnectionsError::Common(CommonError::InvalidParameter(_)))),
        "{err:?}"
    );
    assert!(service(&err).message().contains("PageSize"), "{}", service(&err).message());

    // A required field inside a list of structs, named by its full path.
    let no_access_point = WireRequest::<CreateHighReliablePhysicalConnectionRequest>::new([
        ("RegionId", REGION),
        ("HighReliableType", "MultiApMultiDevice"),
        ("PortType", "1000Base-T"),
        ("ApList.1.AccessPointId", "ap-cn-shanghai-a"),
        ("ApList.1.LineOperator", "CT"),
        ("ApList.1.RegionId", REGION),
        ("ApList.2.LineOperator", "CU"),
        ("ApList.2.RegionId", REGION),
    ]);
    let err = client.runtime().send(&no_access_point).await.unwrap_err();
    assert!(
        matches!(
            &err,
            SdkError::Service(CreateHighReliablePhysicalConnectionError::Common(CommonError::MissingParameter(_)))
        ),
        "{err:?}"
    );
    assert!(service(&err).message().contains("ApList.2.AccessPointId"), "{}", service(&err).message());

    let not_a_number =
        WireRequest::<DescribePhysicalConnectionsRequest>::new([("RegionId", REGION), ("PageNumber", "two")]);
    let err = client.runtime().send(&not_a_number).await.unwrap_err();
    assert!(
        matches!(&err, SdkError::Service(DescribePhysicalConnectionsError::Common(CommonError::InvalidParameter(_)))),
        "{err:?}"
    );
}

#[tokio::test]
async fn credentials_and_signatures_are_checked() {
    let emulator = start();
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let wrong_secret = client_for(&emulator.url(), Credentials::new(KEY_ID, "not-the-secret"), version);
        let err = wrong_secret.cancel_physical_connection(cancel("pc-x")).await.unwrap_err();
        assert!(
            matches!(
                &err,
                SdkError::Service(CancelPhysicalConnectionError::Common(CommonError::SignatureDoesNotMatch(_)))
            ),
            "{err:?}"
        );
        let message = service(&err).message();
        assert!(message.contains("server string to sign is:"), "{message}");
        assert!(!message.contains(SECRET) && !message.contains("not-the-secret"), "{message}");

        let unknown = client_for(&emulator.url(), Credentials::new("nobody", SECRET), version);
        let err = unknown.cancel_physical_connection(cancel("pc-x")).await.unwrap_err();
        assert!(
            matches!(
                &err,
                SdkError::Service(CancelPhysicalConnectionError::Common(CommonError::InvalidAccessKeyIdNotFound(_)))
            ),
            "{err:?}"
        );
        assert_eq!(service(&err).status(), 404);
    }
}

/// An action the product does not have, or one of its actions at another version.
struct Probe<const KNOWN: bool>;

impl<const KNOWN: bool> Operation for Probe<KNOWN> {
    const ACTION: &'static str = if KNOWN { "DescribeRegions" } else { "DescribeUnicorns" };
    const VERSION: &'static str = if KNOWN { "2014-05-26" } else { "2016-04-28" };
    const READ_ONLY: bool = true;
    const IDEMPOTENCY_TOKEN: Option<&'static str> = None;
    type Output = DescribeRegionsResponse;
    type Error = DescribeRegionsError;
    fn encode(&self, _: &mut Params) {}
}

#[tokio::test]
async fn unknown_actions_and_versions_are_not_found() {
    let emulator = start();
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let client = client_for(&emulator.url(), Credentials::new(KEY_ID, SECRET), version);
        for err in [
            client.runtime().send(&Probe::<false>).await.unwrap_err(),
            client.runtime().send(&Probe::<true>).await.unwrap_err(),
        ] {
            assert!(
                matches!(&err, SdkError::Service(DescribeRegionsError::Common(CommonError::InvalidApiNotFound(_)))),
                "{err:?}"
            );
            assert_eq!(service(&err).status(), 404);
        }
    }
}

#[tokio::test]
async fn other_actions_answer_in_their_shape_after_their_checks() {
    let emulator = start();
    let client = client(&emulator);
    let regions = client
        .describe_regions(aliyun_vpc::DescribeRegionsRequest::builder().build().unwrap())
        .await
        .expect("a success");
    assert_eq!(regions.request_id.len(), 36);
    assert!(!regions.regions.is_empty());
    // An action without a lifecycle role that names a circuit by its ID:
    // the circuit must exist.
    let request = aliyun_vpc::DescribeVirtualBorderRoutersForPhysicalConnectionRequest::builder()
        .region_id(crate::REGION)
        .physical_connection_id("pc-nope")
        .build()
        .unwrap();
    let err = client.describe_virtual_border_routers_for_physical_connection(request).await.unwrap_err();
    let code = err.as_service().map(|e| e.to_string());
    assert!(code.as_deref().is_some_and(|c| c.starts_with("InvalidPhysicalConnectionId.NotFound")), "{err:?}");
    let id = crate::create(&client, "vbr-parent").await;
    let request = aliyun_vpc::DescribeVirtualBorderRoutersForPhysicalConnectionRequest::builder()
        .region_id(crate::REGION)
        .physical_connection_id(&id)
        .build()
        .unwrap();
    let page = client.describe_virtual_border_routers_for_physical_connection(request).await.expect("an empty page");
    assert!(page.virtual_border_routers.is_empty());

    // A kind the emulator does not model (IPv6 addresses, which another
    // product's instances hold): the listing is an empty page, as for an
    // account that holds none.
    let page = aliyun_vpc::DescribeIpv6AddressesRequest::builder()
        .region_id(crate::REGION)
        .page_size(20)
        .send(&client)
        .await
        .expect("an empty page");
    assert_eq!((page.total_count, page.page_number, page.page_size), (Some(0), Some(1), Some(20)));
    assert!(page.ipv6_addresses.is_empty());
}

/// A kind the spec declares no lifecycle for, whose actions follow the
/// naming the emulator infers one from: what is created is listed, kept
/// through a modify, and gone after its delete.
#[tokio::test]
async fn a_customer_gateway_exists_from_its_create_to_its_delete() {
    let emulator = crate::start();
    let client = client(&emulator);
    let listed =
        || aliyun_vpc::DescribeCustomerGatewaysRequest::builder().region_id(crate::REGION).page_size(20).send(&client);
    assert_eq!(listed().await.expect("an empty page").total_count, Some(0));
    let created = aliyun_vpc::CreateCustomerGatewayRequest::builder()
        .region_id(crate::REGION)
        .ip_address("203.0.113.7")
        .name("office")
        .send(&client)
        .await
        .expect("a create");
    let id = created.customer_gateway_id.expect("a new ID");
    assert!(id.starts_with("cgw-") && id.len() > 4, "the prefix the service uses: {id}");

    aliyun_vpc::ModifyCustomerGatewayAttributeRequest::builder()
        .region_id(crate::REGION)
        .customer_gateway_id(&id)
        .description("head office line")
        .send(&client)
        .await
        .expect("a modify");
    let page = listed().await.expect("a page");
    assert_eq!(page.total_count, Some(1));
    let gateway = &page.customer_gateways[0];
    assert_eq!(gateway.customer_gateway_id.as_deref(), Some(id.as_str()));
    assert_eq!((gateway.ip_address.as_deref(), gateway.name.as_deref()), (Some("203.0.113.7"), Some("office")));
    assert_eq!(gateway.description.as_deref(), Some("head office line"));

    let delete = || {
        aliyun_vpc::DeleteCustomerGatewayRequest::builder()
            .region_id(crate::REGION)
            .customer_gateway_id(&id)
            .send(&client)
    };
    delete().await.expect("a delete");
    assert_eq!(listed().await.unwrap().total_count, Some(0));
    let again = delete().await.unwrap_err();
    assert_eq!(again.code(), Some("InvalidCustomerGatewayId.NotFound"), "{again}");
    assert_eq!(again.status(), Some(404));
}

#[tokio::test]
async fn a_service_is_off_until_the_account_opens_it_and_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::config();
    config.state_file = Some(dir.path().join("state.log"));
    let emulator = vpc_emulator::Emulator::start(config.clone()).unwrap();
    let client = client(&emulator);
    let status = |client: aliyun_vpc::Client| async move {
        let request = aliyun_vpc::GetFlowLogServiceStatusRequest::builder().region_id(crate::REGION);
        request.send(&client).await.expect("a status").enabled
    };
    assert_eq!(status(client.clone()).await, Some(false));
    aliyun_vpc::OpenFlowLogServiceRequest::builder().region_id(crate::REGION).send(&client).await.expect("opened");
    assert_eq!(status(client.clone()).await, Some(true));
    let other = aliyun_vpc::GetTrafficMirrorServiceStatusRequest::builder().region_id(crate::REGION);
    assert_eq!(other.send(&client).await.unwrap().enabled, Some(false), "each service on its own");
    drop(emulator);
    let restarted = vpc_emulator::Emulator::start(config).unwrap();
    assert_eq!(status(crate::client(&restarted)).await, Some(true), "kept in the state file");
}
