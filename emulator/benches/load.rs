//! Load benchmark: concurrent signed clients (the generated `aliyun_vpc`
//! client, each with its own keep-alive connection) against an emulator on
//! loopback, for a fixed time; prints requests per second and latency
//! percentiles.
//!
//! ```text
//! cargo bench -p vpc-emulator --bench load                       # 32 clients, 10 s, DescribePhysicalConnections
//! cargo bench -p vpc-emulator --bench load -- --mode create-cancel --signature v1
//! cargo bench -p vpc-emulator --bench load -- --mode create-cancel --state /tmp/bench.state
//! cargo bench -p vpc-emulator --bench load -- --url http://127.0.0.1:8080   # an emulator started separately
//! cargo bench -p vpc-emulator --bench load -- --mode vpc-filter --preload 100000 --clients 4
//! ```
//!
//! By default the emulator runs in this process on its own runtime, and
//! the clients on another; on a small machine both share the same cores,
//! so the figure is what client and server manage together.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aliyun_runtime::{Credentials, RetryPolicy, SignatureVersion};
use aliyun_vpc::types::Filter;
use aliyun_vpc::{
    CancelPhysicalConnectionRequest, Client, CreatePhysicalConnectionRequest, DescribePhysicalConnectionsRequest,
    DescribeVpcsRequest,
};
use clap::{Parser, ValueEnum};
use vpc_emulator::{Config, Emulator};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Mode {
    /// One circuit looked up by ID, as a waiter polls.
    Describe,
    /// A create then a cancel; each counts as a request.
    CreateCancel,
    /// `DescribeVpcs` narrowed by a tag and a name over every VPC of the
    /// store (see `--preload`): a scan, not a lookup by ID.
    VpcFilter,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Signature {
    V1,
    V3,
}

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value_t = 32)]
    clients: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, value_enum, default_value_t = Mode::Describe)]
    mode: Mode,
    #[arg(long, value_enum, default_value_t = Signature::V3)]
    signature: Signature,
    /// Worker threads of the in-process emulator.
    #[arg(long, default_value_t = 2)]
    server_threads: usize,
    /// Worker threads of the clients' runtime.
    #[arg(long, default_value_t = 2)]
    client_threads: usize,
    /// Give the in-process emulator this state file (every change then
    /// waits for its `fsync`).
    #[arg(long)]
    state: Option<std::path::PathBuf>,
    /// Start the in-process emulator with this many VPCs already stored
    /// (each tagged `team=t<i % 100>`), through a state file in the
    /// temporary directory unless `--state` is given.
    #[arg(long, default_value_t = 0)]
    preload: usize,
    /// Benchmark an emulator already running here instead (keys `demo`/`demo`).
    #[arg(long)]
    url: Option<String>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

const REGION: &str = "cn-hangzhou";

fn main() {
    let args = Args::parse();
    let (key, secret) = ("demo", "demo");
    let emulator = match &args.url {
        Some(_) => None,
        None => {
            let mut config = Config::new(Credentials::new(key, secret));
            config.threads = args.server_threads;
            config.state_file = args.state.clone();
            if args.preload > 0 {
                let path = args.state.clone().unwrap_or_else(|| {
                    std::env::temp_dir().join(format!("vpc-emulator-bench-{}.state", std::process::id()))
                });
                preload(&path, args.preload);
                config.state_file = Some(path);
            }
            Some(Emulator::start(config).expect("start the emulator"))
        }
    };
    let url = args.url.clone().unwrap_or_else(|| emulator.as_ref().unwrap().url());
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(args.client_threads).enable_all().build().unwrap();
    let version = match args.signature {
        Signature::V1 => SignatureVersion::V1,
        Signature::V3 => SignatureVersion::V3,
    };
    println!(
        "{} clients, {:?} signature, {:?} for {} s against {url} (server threads {}, client threads {})",
        args.clients,
        args.signature,
        args.mode,
        args.seconds,
        if args.url.is_some() { "?".to_owned() } else { args.server_threads.to_string() },
        args.client_threads
    );
    let (latencies, errors, elapsed) = runtime.block_on(run(&args, &url, version, (key, secret)));
    report(latencies, errors, elapsed);
    if args.preload > 0 && args.state.is_none() {
        drop(emulator);
        let _ =
            std::fs::remove_file(std::env::temp_dir().join(format!("vpc-emulator-bench-{}.state", std::process::id())));
        let _ = std::fs::remove_file(
            std::env::temp_dir().join(format!("vpc-emulator-bench-{}.state.lock", std::process::id())),
        );
    }
}

async fn run(
    args: &Args,
    url: &str,
    version: SignatureVersion,
    (key, secret): (&str, &str),
) -> (Vec<u32>, u64, Duration) {
    let client = |url: &str| {
        Client::builder()
            .region(REGION)
            .credentials(Credentials::new(key, secret))
            .endpoint(url)
            .signature_version(version)
            .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
            .build()
            .unwrap()
    };
    // Something to look up.
    let setup = client(url);
    let id = setup.create_physical_connection(create_request()).await.unwrap().physical_connection_id.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let tasks: Vec<_> = (0..args.clients)
        .map(|_| {
            let (client, stop, id, mode) = (client(url), stop.clone(), id.clone(), args.mode);
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(1 << 16);
                let mut errors = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    match mode {
                        Mode::Describe => {
                            let t = Instant::now();
                            let ok = client.describe_physical_connections(describe(&id)).await.is_ok();
                            record(&mut latencies, &mut errors, t, ok);
                        }
                        Mode::VpcFilter => {
                            let t = Instant::now();
                            let ok = client.describe_vpcs(vpc_filter()).await.is_ok_and(|r| r.vpcs.len() == 1);
                            record(&mut latencies, &mut errors, t, ok);
                        }
                        Mode::CreateCancel => {
                            let t = Instant::now();
                            let made = client.create_physical_connection(create_request()).await;
                            let made = made.ok().and_then(|m| m.physical_connection_id);
                            record(&mut latencies, &mut errors, t, made.is_some());
                            if let Some(new) = made {
                                let t = Instant::now();
                                let ok = client.cancel_physical_connection(cancel(&new)).await.is_ok();
                                record(&mut latencies, &mut errors, t, ok);
                            }
                        }
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, e) = task.await.unwrap();
        all.extend(latencies);
        errors += e;
    }
    (all, errors, start.elapsed())
}

fn record(latencies: &mut Vec<u32>, errors: &mut u64, started: Instant, ok: bool) {
    latencies.push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
    if !ok {
        *errors += 1;
    }
}

fn report(mut latencies: Vec<u32>, errors: u64, elapsed: Duration) {
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        f64::from(latencies[i]) / 1000.0
    };
    let n = latencies.len();
    println!("requests: {n} in {:.2} s, {errors} failed", elapsed.as_secs_f64());
    println!("throughput: {:.0} requests/s", n as f64 / elapsed.as_secs_f64());
    println!("latency: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms", pct(0.50), pct(0.99), pct(1.0));
}

fn create_request() -> CreatePhysicalConnectionRequest {
    CreatePhysicalConnectionRequest::builder()
        .region_id(REGION)
        .access_point_id("ap-cn-hangzhou-xs-a")
        .line_operator("CT")
        .name("bench")
        .build()
        .unwrap()
}

fn describe(id: &str) -> DescribePhysicalConnectionsRequest {
    DescribePhysicalConnectionsRequest::builder()
        .region_id(REGION)
        .filter([Filter::default().key("PhysicalConnectionId").value([id])])
        .build()
        .unwrap()
}

fn cancel(id: &str) -> CancelPhysicalConnectionRequest {
    CancelPhysicalConnectionRequest::builder().region_id(REGION).physical_connection_id(id).build().unwrap()
}

/// `n` VPCs written as a state file, as the emulator keeps them.
fn preload(path: &std::path::Path, n: usize) {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create the state file"));
    for i in 0..n {
        let line = format!(
            r#"[{{"op":"put","resource":{{"kind":"Vpc","id":"vpc-bench{i:08}","seq":{i},"state":"Available","region":"{REGION}","fields":{{"VpcName":"vpc-{i}","CidrBlock":"10.0.0.0/8"}},"tags":[["team","t{}"]]}}}}]"#,
            i % 100
        );
        writeln!(out, "{line}").expect("write the state file");
    }
    out.flush().expect("write the state file");
}

fn vpc_filter() -> DescribeVpcsRequest {
    DescribeVpcsRequest::builder()
        .region_id(REGION)
        .tag([aliyun_vpc::types::Tag::default().key("team").value("t7")])
        .vpc_name("vpc-4207")
        .build()
        .unwrap()
}
