//! Circuits through their whole life, driven only by the spec's lifecycle.

use std::sync::Arc;
use std::time::Duration;

use aliyun_runtime::{SdkError, WaitError, WaitPolicy};
use aliyun_vpc::types::PhysicalConnectionStatus as Status;
use aliyun_vpc::{
    CancelPhysicalConnectionRequest, ConfirmPhysicalConnectionError, ConfirmPhysicalConnectionRequest,
    DeletePhysicalConnectionRequest, EnablePhysicalConnectionRequest, ModifyPhysicalConnectionAttributeError,
    ModifyPhysicalConnectionAttributeRequest, TerminatePhysicalConnectionRequest,
};

use crate::{REGION, client, create, describe, list_all, start, status};

/// Polls fast; the timeout only bounds a broken run, nothing is timed.
fn poll() -> WaitPolicy {
    WaitPolicy {
        timeout: Duration::from_secs(60),
        initial_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(10),
    }
}

#[tokio::test]
async fn a_circuit_goes_from_application_through_service_to_deletion() {
    let emulator = Arc::new(start());
    let client = client(&emulator);
    let id = create(&client, "line-a").await;
    assert!(id.starts_with("pc-"), "{id}");

    // What the create said is what the listing reports.
    let circuit = describe(&client, &id).await.expect("listed");
    assert_eq!(circuit.status, Some(Status::Initial));
    assert_eq!(circuit.name.as_deref(), Some("line-a"));
    assert_eq!(circuit.bandwidth, Some(100), "`bandwidth` is recorded as `Bandwidth`");
    assert_eq!(circuit.access_point_id.as_deref(), Some("ap-cn-hangzhou-xs-a"));
    assert_eq!(circuit.line_operator.as_ref().map(|o| o.as_str()), Some("CT"));
    assert!(circuit.creation_time.as_deref().is_some_and(|t| t.len() == 20 && t.ends_with('Z')));

    // Too early to confirm: the service has not allocated it yet.
    let confirm =
        || ConfirmPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    let early = client.confirm_physical_connection(confirm()).await.unwrap_err();
    assert!(
        matches!(&early, SdkError::Service(ConfirmPhysicalConnectionError::ForbiddenNotAllowedInState(e)) if e.status() == 400),
        "{early:?}"
    );

    // The service's own progress, in the background, while the waiter polls.
    let ticker = {
        let emulator = emulator.clone();
        tokio::spawn(async move {
            loop {
                emulator.tick(1);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    let allocated = client.wait_until_physical_connection_status(&id, Status::Allocated, poll()).await.unwrap();
    assert_eq!(allocated.status, Some(Status::Allocated));

    client.confirm_physical_connection(confirm()).await.expect("confirm once allocated");
    assert_eq!(status(&client, &id).await, Some(Status::Confirmed));
    let enable =
        EnablePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    client.enable_physical_connection(enable).await.expect("enable");
    let enabled = client.wait_until_physical_connection_status(&id, Status::Enabled, poll()).await.unwrap();
    assert_eq!(enabled.name.as_deref(), Some("line-a"));
    ticker.abort();
    let _ = ticker.await;

    // An enabled circuit cannot be canceled, only terminated.
    let cancel =
        CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    assert!(client.cancel_physical_connection(cancel).await.is_err());
    let terminate =
        TerminatePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    client.terminate_physical_connection(terminate).await.expect("terminate");
    assert_eq!(status(&client, &id).await, Some(Status::Terminating), "first the transient state");
    assert_eq!(emulator.tick(1), 1);
    assert_eq!(status(&client, &id).await, Some(Status::Terminated), "then the service completes it");
    assert_eq!(emulator.tick(5), 0, "a terminated circuit rests");

    let delete =
        DeletePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    client.delete_physical_connection(delete).await.expect("delete");
    assert!(describe(&client, &id).await.is_none());
    assert!(list_all(&client).await.is_empty());
    let gone = client.wait_until_physical_connection_status(&id, Status::Enabled, poll()).await.unwrap_err();
    assert!(matches!(gone, WaitError::NotFound { .. }), "{gone:?}");
}

#[tokio::test]
async fn a_circuit_is_canceled_once_allocated_and_then_never_enabled() {
    let emulator = start();
    let client = client(&emulator);
    let id = create(&client, "line-b").await;
    assert_eq!(emulator.tick(1), 1);
    assert_eq!(status(&client, &id).await, Some(Status::Allocating));
    let cancel =
        || CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    assert!(client.cancel_physical_connection(cancel()).await.is_err(), "not while allocating");
    emulator.tick(1);
    assert_eq!(status(&client, &id).await, Some(Status::Allocated));
    client.cancel_physical_connection(cancel()).await.expect("cancel once allocated");
    assert_eq!(status(&client, &id).await, Some(Status::Canceled));
    assert_eq!(emulator.tick(3), 0);

    // The lifecycle says Enabled can no longer be reached: the waiter gives up at once.
    let never = client.wait_until_physical_connection_status(&id, Status::Enabled, poll()).await.unwrap_err();
    assert!(matches!(&never, WaitError::Unreachable { state, .. } if state == "Canceled"), "{never:?}");

    let delete =
        DeletePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    client.delete_physical_connection(delete).await.expect("delete a canceled circuit");
    assert!(describe(&client, &id).await.is_none());
}

#[tokio::test]
async fn modify_changes_fields_where_the_lifecycle_allows_it() {
    let emulator = start();
    let client = client(&emulator);
    let id = create(&client, "old-name").await;
    let modify = |name: &str| {
        ModifyPhysicalConnectionAttributeRequest::builder()
            .region_id(REGION)
            .physical_connection_id(&id)
            .name(name)
            .bandwidth(500i64)
            .description("Line to the office")
            .build()
            .unwrap()
    };
    client.modify_physical_connection_attribute(modify("new-name")).await.expect("modify while Initial");
    let circuit = describe(&client, &id).await.unwrap();
    assert_eq!(circuit.status, Some(Status::Initial), "the state stays");
    assert_eq!(circuit.name.as_deref(), Some("new-name"));
    assert_eq!(circuit.bandwidth, Some(500));
    assert_eq!(circuit.description.as_deref(), Some("Line to the office"));

    let cancel =
        CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id).build().unwrap();
    client.cancel_physical_connection(cancel).await.unwrap();
    let refused = client.modify_physical_connection_attribute(modify("later")).await.unwrap_err();
    assert!(
        matches!(&refused, SdkError::Service(ModifyPhysicalConnectionAttributeError::InvalidStatus(_))),
        "{refused:?}"
    );
    assert_eq!(describe(&client, &id).await.unwrap().name.as_deref(), Some("new-name"));
}

#[tokio::test]
async fn circuits_are_seen_only_from_their_region() {
    let emulator = start();
    let client = client(&emulator);
    let id = create(&client, "hz").await;
    let elsewhere = aliyun_vpc::Client::builder()
        .region("cn-beijing")
        .credentials(aliyun_runtime::Credentials::new(crate::KEY_ID, crate::SECRET))
        .endpoint(emulator.url())
        .build()
        .unwrap();
    let cancel =
        CancelPhysicalConnectionRequest::builder().region_id("cn-beijing").physical_connection_id(&id).build().unwrap();
    let err = elsewhere.cancel_physical_connection(cancel).await.unwrap_err();
    assert!(
        matches!(
            err,
            SdkError::Service(aliyun_vpc::CancelPhysicalConnectionError::InvalidPhysicalConnectionIdNotFound(_))
        ),
        "{err:?}"
    );
    let waited = elsewhere.wait_until_physical_connection_status(&id, Status::Initial, poll()).await.unwrap_err();
    assert!(matches!(waited, WaitError::NotFound { .. }), "{waited:?}");
    assert_eq!(list_all(&client).await.len(), 1);
}
