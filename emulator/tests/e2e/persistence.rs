//! The state file: the real binary killed with SIGKILL under load loses no
//! change it acknowledged, and a restart picks up where it stopped.

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

use aliyun_runtime::{Credentials, SignatureVersion};
use aliyun_vpc::types::PhysicalConnectionStatus as Status;
use aliyun_vpc::{
    CancelPhysicalConnectionRequest, EnablePhysicalConnectionRequest, TerminatePhysicalConnectionRequest,
};
use vpc_emulator::Emulator;

use crate::{KEY_ID, REGION, SECRET, client, client_for, config, create, create_request, list_all, status};

/// The binary, started on a free port; killed (SIGKILL) when dropped.
struct Binary {
    child: Child,
    /// Kept open: the binary must be able to finish printing its banner.
    _stdout: BufReader<ChildStdout>,
    url: String,
}

impl Binary {
    /// `write_delay_ms` holds each state-file write that long: were an
    /// answer ever sent before its change is on disk, a kill right after
    /// the answer would then reliably lose the change.
    fn start(state: &Path, write_delay_ms: u32) -> Binary {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vpc-emulator"))
            .args(["--port", "0", "--access-key-id", KEY_ID, "--access-key-secret", SECRET, "--tick-ms", "0"])
            .args(["--threads", "1", "--state-write-delay-ms", &write_delay_ms.to_string(), "--state"])
            .arg(state)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the binary");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        stdout.read_line(&mut banner).unwrap();
        let url = banner.trim().rsplit(' ').next().unwrap().to_owned();
        assert!(url.starts_with("http://127.0.0.1:"), "{banner}");
        Binary { child, _stdout: stdout, url }
    }

    fn kill(mut self) {
        self.child.kill().unwrap(); // SIGKILL: no chance to flush anything.
        self.child.wait().unwrap();
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_under_load_loses_no_acknowledged_change() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("vpc.state");
    let binary = Binary::start(&state, 15);

    let created = Arc::new(Mutex::new(Vec::<String>::new()));
    let canceled = Arc::new(Mutex::new(Vec::<String>::new()));
    let enough = Arc::new(tokio::sync::Notify::new());
    let tasks: Vec<_> = (0..6)
        .map(|n| {
            let (url, created, canceled, enough) =
                (binary.url.clone(), created.clone(), canceled.clone(), enough.clone());
            tokio::spawn(async move {
                let version = if n % 2 == 0 { SignatureVersion::V3 } else { SignatureVersion::V1 };
                let client = client_for(&url, Credentials::new(KEY_ID, SECRET), version);
                // Until the server dies under us.
                for i in 0.. {
                    let Ok(made) = client.create_physical_connection(create_request(&format!("k{n}-{i}"))).await else {
                        return;
                    };
                    let id = made.physical_connection_id.unwrap();
                    let count = {
                        let mut all = created.lock().unwrap();
                        all.push(id.clone());
                        all.len()
                    };
                    if count == 40 {
                        // Kill right after an answer, while others are in flight.
                        enough.notify_one();
                    }
                    if i % 2 == 0 {
                        let cancel = CancelPhysicalConnectionRequest::builder()
                            .region_id(REGION)
                            .physical_connection_id(&id)
                            .build()
                            .unwrap();
                        if client.cancel_physical_connection(cancel).await.is_err() {
                            return;
                        }
                        canceled.lock().unwrap().push(id);
                    }
                }
            })
        })
        .collect();
    enough.notified().await;
    binary.kill();
    for task in tasks {
        task.await.unwrap();
    }
    let (created, canceled) = (created.lock().unwrap().clone(), canceled.lock().unwrap().clone());

    let binary = Binary::start(&state, 0);
    let client = client_for(&binary.url, Credentials::new(KEY_ID, SECRET), SignatureVersion::V3);
    let listed = list_all(&client).await;
    let by_id: std::collections::HashMap<String, Option<Status>> =
        listed.iter().map(|c| (c.physical_connection_id.clone().unwrap(), c.status.clone())).collect();
    for id in &created {
        assert!(by_id.contains_key(id), "acknowledged create of {id} was lost");
    }
    for id in &canceled {
        assert_eq!(by_id[id], Some(Status::Canceled), "acknowledged cancel of {id} was lost");
    }
    // A create the kill interrupted may have landed or not, but only once.
    assert!(listed.len() <= created.len() + 6, "{} listed, {} acknowledged", listed.len(), created.len());

    // And the restarted service goes on.
    let fresh = create(&client, "after-restart").await;
    assert!(!by_id.contains_key(&fresh));
    assert_eq!(list_all(&client).await.len(), listed.len() + 1);
    binary.kill();
}

#[tokio::test]
async fn transient_states_and_tokens_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config();
    config.state_file = Some(dir.path().join("vpc.state"));

    let emulator = Emulator::start(config.clone()).unwrap();
    let client = client(&emulator);
    let mut request = create_request("kept");
    request.client_token = Some("create-before-restart".into());
    let id = client.create_physical_connection(request.clone()).await.unwrap().physical_connection_id.unwrap();
    emulator.tick(2);
    for confirm_or_enable in 0..2 {
        if confirm_or_enable == 0 {
            let r =
                aliyun_vpc::ConfirmPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
            client.confirm_physical_connection(r.build().unwrap()).await.unwrap();
        } else {
            let r = EnablePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
            client.enable_physical_connection(r.build().unwrap()).await.unwrap();
        }
    }
    let terminate = TerminatePhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(&id);
    client.terminate_physical_connection(terminate.build().unwrap()).await.unwrap();
    emulator.shutdown();

    let emulator = Emulator::start(config).unwrap();
    let client = client_for(&emulator.url(), Credentials::new(KEY_ID, SECRET), SignatureVersion::V1);
    assert_eq!(status(&client, &id).await, Some(Status::Terminating));
    assert_eq!(emulator.tick(1), 1, "the pending completion was kept");
    assert_eq!(status(&client, &id).await, Some(Status::Terminated));
    let again = client.create_physical_connection(request).await.unwrap();
    assert_eq!(again.physical_connection_id.as_deref(), Some(id.as_str()), "the token's first answer was kept");
    let all: HashSet<_> = list_all(&client).await.into_iter().filter_map(|c| c.physical_connection_id).collect();
    assert_eq!(all, HashSet::from([id]));
}

/// Two emulators on one state file would interleave two histories in it,
/// and each would replay the other's changes wrongly on the next start. The
/// second is refused, saying which file, until the first stops.
#[tokio::test]
async fn a_state_file_serves_one_emulator_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = config();
    config.state_file = Some(dir.path().join("vpc.state"));

    let first = Emulator::start(config.clone()).unwrap();
    let refused = Emulator::start(config.clone()).expect_err("a second emulator started on the same state file");
    let text = refused.to_string();
    assert!(text.contains("vpc.state") && text.contains("another emulator"), "{text}");
    let id = create(&client(&first), "before").await;
    first.shutdown();

    let second = Emulator::start(config).unwrap();
    assert_eq!(status(&client(&second), &id).await, Some(Status::Initial));
}
