//! The binary's request log: `--log-requests` prints every request, the
//! VPC_EMULATOR_LOG variable filters the lines (and turns the log on by
//! itself), and a filter that does not parse stops the start with a clear
//! error instead of a silent log.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Child, Command, Stdio};

use aliyun_runtime::SignatureVersion;
use aliyun_vpc::{DescribeVpcAttributeRequest, DescribeVpcsRequest};

use crate::{KEY_ID, REGION, SECRET, client_for};

fn emulator(extra: &[&str], filter: Option<&str>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_vpc-emulator"));
    command
        .args(["--port", "0", "--access-key-id", KEY_ID, "--access-key-secret", SECRET, "--tick-ms", "0"])
        .args(["--threads", "1"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("VPC_EMULATOR_LOG");
    if let Some(filter) = filter {
        command.env("VPC_EMULATOR_LOG", filter);
    }
    command
}

/// Starts the binary, makes one good and one refused call, stops it, and
/// returns what it wrote to standard error.
async fn log_of(extra: &[&str], filter: Option<&str>) -> String {
    let mut child: Child = emulator(extra, filter).spawn().expect("start the emulator binary");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url = first.trim().strip_prefix("vpc-emulator listening on ").expect("the endpoint line").to_owned();
    let client = client_for(&url, aliyun_runtime::Credentials::new(KEY_ID, SECRET), SignatureVersion::V3);
    DescribeVpcsRequest::builder().region_id(REGION).send(&client).await.expect("a listing");
    let refused = DescribeVpcAttributeRequest::builder().region_id(REGION).vpc_id("vpc-nosuch").send(&client).await;
    assert!(refused.is_err());
    child.kill().unwrap();
    child.wait().unwrap();
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    log
}

#[tokio::test]
async fn the_request_log_is_every_request_or_what_the_filter_keeps() {
    let all = log_of(&["--log-requests"], None).await;
    let lines: Vec<&str> = all.lines().filter(|l| l.contains("vpc_emulator::request")).collect();
    assert_eq!(lines.len(), 2, "{all}");
    assert!(lines[0].contains("INFO") && lines[0].contains("DescribeVpcs") && lines[0].contains("status=200"), "{all}");
    assert!(lines[1].contains("WARN") && lines[1].contains("InvalidVpcId.NotFound"), "{all}");
    assert!(lines[1].contains("status=404"), "{all}");
    assert!(!all.contains(SECRET) && !all.contains("vpc-nosuch"), "never a parameter value: {all}");

    // Refused requests only, and no flag needed.
    let refused = log_of(&[], Some("warn")).await;
    let lines: Vec<&str> = refused.lines().filter(|l| l.contains("vpc_emulator::request")).collect();
    assert_eq!(lines.len(), 1, "{refused}");
    assert!(lines[0].contains("DescribeVpcAttribute"), "{refused}");

    let silent = log_of(&[], None).await;
    assert!(!silent.contains("vpc_emulator::request"), "{silent}");
}

#[test]
fn a_filter_that_does_not_parse_stops_the_start() {
    let out = emulator(&[], Some("vpc_emulator=[")).output().expect("run the emulator binary");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("VPC_EMULATOR_LOG=\"vpc_emulator=[\" is not a filter"), "{stderr}");
    assert!(out.stdout.is_empty(), "it never listened");
}
