//! `ClientToken` as Alibaba documents it: the same token with the same
//! parameters gets the first answer and changes nothing; with other
//! parameters it is refused.

use aliyun_runtime::{OperationError, SdkError};
use aliyun_vpc::types::PhysicalConnectionStatus as Status;
use aliyun_vpc::{CancelPhysicalConnectionError, CancelPhysicalConnectionRequest};

use crate::{REGION, client, create, create_request, list_all, start, status};

#[tokio::test]
async fn a_repeated_create_makes_one_circuit() {
    let emulator = start();
    let client = client(&emulator);
    let mut request = create_request("once");
    request.client_token = Some("token-create-1".into());
    let first = client.create_physical_connection(request.clone()).await.unwrap();
    let again = client.create_physical_connection(request.clone()).await.unwrap();
    assert_eq!(first.physical_connection_id, again.physical_connection_id);
    assert_ne!(first.request_id, again.request_id, "each request still gets its own request ID");
    assert_eq!(list_all(&client).await.len(), 1);

    let mut changed = request.clone();
    changed.name = Some("twice".into());
    let err = client.create_physical_connection(changed).await.unwrap_err();
    let SdkError::Service(e) = &err else { panic!("{err:?}") };
    assert_eq!(e.service_error().code(), "IdempotentParameterMismatch");
    assert_eq!(e.service_error().status(), 400);
    assert_eq!(list_all(&client).await.len(), 1);

    // A token is the caller's for one action: another token is another call.
    request.client_token = Some("token-create-2".into());
    client.create_physical_connection(request).await.unwrap();
    assert_eq!(list_all(&client).await.len(), 2);
}

#[tokio::test]
async fn a_repeated_transition_answers_as_the_first_time() {
    let emulator = start();
    let client = client(&emulator);
    let id = create(&client, "line").await;
    let cancel = |token: &str| {
        CancelPhysicalConnectionRequest::builder()
            .region_id(REGION)
            .physical_connection_id(&id)
            .client_token(token)
            .build()
            .unwrap()
    };
    client.cancel_physical_connection(cancel("cancel-1")).await.unwrap();
    assert_eq!(status(&client, &id).await, Some(Status::Canceled));
    // Canceling a canceled circuit is refused, but the retry of the first
    // cancel is not a new cancel: it gets the first answer.
    client.cancel_physical_connection(cancel("cancel-1")).await.expect("the first answer again");
    let fresh = client.cancel_physical_connection(cancel("cancel-2")).await.unwrap_err();
    assert!(
        matches!(fresh, SdkError::Service(CancelPhysicalConnectionError::ForbiddenNotAllowedInState(_))),
        "{fresh:?}"
    );
}

#[tokio::test]
async fn a_failed_call_does_not_use_up_its_token() {
    let emulator = start();
    let client = client(&emulator);
    let id = create(&client, "line").await;
    emulator.tick(1); // Allocating: cannot be canceled.
    let cancel = CancelPhysicalConnectionRequest::builder()
        .region_id(REGION)
        .physical_connection_id(&id)
        .client_token("cancel-when-ready")
        .build()
        .unwrap();
    assert!(client.cancel_physical_connection(cancel.clone()).await.is_err());
    emulator.tick(1); // Allocated.
    client.cancel_physical_connection(cancel).await.expect("the same token works once the call can succeed");
    assert_eq!(status(&client, &id).await, Some(Status::Canceled));
}
