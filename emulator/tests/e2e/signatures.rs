//! Both signature versions, and STS tokens, verified by the emulator.

use aliyun_runtime::{Credentials, OperationError, SdkError, SignatureVersion};
use aliyun_vpc::types::PhysicalConnectionStatus as Status;
use aliyun_vpc::{CancelPhysicalConnectionError, CancelPhysicalConnectionRequest, CommonError};
use vpc_emulator::Emulator;

use crate::{KEY_ID, REGION, SECRET, client_for, config, create, list_all, status};

fn cancel(id: &str) -> CancelPhysicalConnectionRequest {
    CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(id).build().unwrap()
}

#[tokio::test]
async fn both_signature_versions_drive_the_same_service() {
    let emulator = Emulator::start(config()).unwrap();
    let v1 = client_for(&emulator.url(), Credentials::new(KEY_ID, SECRET), SignatureVersion::V1);
    let v3 = client_for(&emulator.url(), Credentials::new(KEY_ID, SECRET), SignatureVersion::V3);
    // Made with one, seen and changed with the other.
    let a = create(&v1, "made-with-v1").await;
    let b = create(&v3, "made-with-v3 and spaces*~").await;
    assert_eq!(status(&v3, &a).await, Some(Status::Initial));
    assert_eq!(status(&v1, &b).await, Some(Status::Initial));
    v3.cancel_physical_connection(cancel(&a)).await.unwrap();
    v1.cancel_physical_connection(cancel(&b)).await.unwrap();
    let all = list_all(&v1).await;
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|c| c.status == Some(Status::Canceled)));
    let names: Vec<_> = all.iter().filter_map(|c| c.name.clone()).collect();
    assert_eq!(names, ["made-with-v1", "made-with-v3 and spaces*~"]);
}

#[tokio::test]
async fn sts_credentials_need_their_token() {
    let mut config = config();
    config.keys = vec![Credentials::new("STS.temporary", "sts-secret").with_security_token("sts/token+with=odd chars")];
    let emulator = Emulator::start(config).unwrap();
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        let sts = Credentials::new("STS.temporary", "sts-secret").with_security_token("sts/token+with=odd chars");
        let client = client_for(&emulator.url(), sts, version);
        let id = create(&client, "sts-line").await;
        client.cancel_physical_connection(cancel(&id)).await.expect("signed with the token");

        let without = client_for(&emulator.url(), Credentials::new("STS.temporary", "sts-secret"), version);
        let err = without.cancel_physical_connection(cancel(&id)).await.unwrap_err();
        let SdkError::Service(e) = &err else { panic!("{err:?}") };
        assert!(
            matches!(
                e,
                CancelPhysicalConnectionError::Common(CommonError::InvalidSecurityTokenMismatchWithAccessKey(_))
            ),
            "{e:?}"
        );
        assert_eq!(e.service_error().code(), "InvalidSecurityToken.MismatchWithAccessKey");

        let other = Credentials::new("STS.temporary", "sts-secret").with_security_token("another");
        let err =
            client_for(&emulator.url(), other, version).cancel_physical_connection(cancel(&id)).await.unwrap_err();
        assert!(matches!(err, SdkError::Service(_)), "{err:?}");
    }
}
