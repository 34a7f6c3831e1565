//! Connections opened by a burst of calls, with requests in flight bounded
//! per client (`max_connections`, 64 by default) and effectively unbounded.
//!
//! `cargo bench -p aliyun-runtime --bench connections` sends 1,000
//! concurrent calls to a loopback server that counts the TCP connections it
//! accepts and answers each request after a short service time, and prints,
//! per limit, the connections opened (against the real endpoint, each one a
//! TLS handshake: round trips and key exchange on both sides) and the wall
//! time. It asserts nothing: timings depend on the machine.
//!
//! `-- --calls N --service-ms M` changes the burst and the service time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use aliyun_runtime::{
    Client, ClientBuilder, Credentials, Decode, DecodeError, Node, Operation, OperationError, Params, RetryPolicy,
    ServiceError,
};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// A read-only action with no parameters of its own.
struct Ping;

/// Its answer: anything that parses.
struct Pong;

impl Decode for Pong {
    fn decode(_: &Node) -> Result<Self, DecodeError> {
        Ok(Pong)
    }
}

#[derive(Debug)]
struct PingError(ServiceError);

impl std::fmt::Display for PingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PingError {}

impl OperationError for PingError {
    fn from_service_error(err: ServiceError) -> Self {
        PingError(err)
    }
    fn service_error(&self) -> &ServiceError {
        &self.0
    }
}

impl Operation for Ping {
    const ACTION: &'static str = "Ping";
    const VERSION: &'static str = "2016-04-28";
    const READ_ONLY: bool = true;
    const IDEMPOTENCY_TOKEN: Option<&'static str> = None;
    type Output = Pong;
    type Error = PingError;
    fn encode(&self, _: &mut Params) {}
}

/// A keep-alive HTTP/1.1 server on 127.0.0.1 that answers every request
/// with `{"RequestId":"R"}` after `service`, and counts accepted connections.
async fn server(service: Duration) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("a bound listener has an address"));
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(serve(stream, service));
        }
    });
    (url, accepted)
}

async fn serve(mut stream: TcpStream, service: Duration) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        // One request: the head, then `content-length` bytes of body.
        let end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            match stream.read(&mut chunk).await {
                Ok(n) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        };
        let head = String::from_utf8_lossy(&buffer[..end]).to_ascii_lowercase();
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        while buffer.len() < end + 4 + length {
            match stream.read(&mut chunk).await {
                Ok(n) if n > 0 => buffer.extend_from_slice(&chunk[..n]),
                _ => return,
            }
        }
        buffer.drain(..end + 4 + length);
        tokio::time::sleep(service).await;
        let body = r#"{"RequestId":"R"}"#;
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        if stream.write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

struct Run {
    connections: usize,
    wall: Duration,
}

/// `calls` concurrent calls from one fresh client (so a fresh pool) with
/// at most `limit` in flight.
async fn burst(calls: usize, limit: usize, service: Duration) -> Run {
    let (url, accepted) = server(service).await;
    let client = ClientBuilder::<Client>::new("bench.{region}.example.com")
        .region("cn-hangzhou")
        .credentials(Credentials::new("bench-id", "bench-secret"))
        .endpoint(url)
        .max_connections(limit)
        .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
        .build()
        .expect("a client for the loopback server");
    let start = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..calls {
        set.spawn(client.send(&Ping));
    }
    let mut failed = 0;
    while let Some(done) = set.join_next().await {
        if !matches!(done, Ok(Ok(_))) {
            failed += 1;
        }
    }
    let wall = start.elapsed();
    assert_eq!(failed, 0, "every call of the burst succeeds");
    Run { connections: accepted.load(Ordering::Relaxed), wall }
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let calls = arg("--calls", 1000) as usize;
    let service = Duration::from_millis(arg("--service-ms", 5));
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    println!(
        "{calls} concurrent calls, one fresh client each run, {} ms of service time per call",
        service.as_millis()
    );
    println!("{:<28} {:>12} {:>16} {:>12}", "max_connections", "connections", "calls/connection", "wall");
    // Warm up: the first client pays for loading the platform's TLS roots.
    runtime.block_on(burst(10, 64, service));
    let limits =
        [("8".to_owned(), 8), ("64 (default)".to_owned(), 64), (format!("{calls} (one per call)"), calls.max(1))];
    for (label, limit) in limits {
        let mut runs: Vec<Run> = (0..3).map(|_| runtime.block_on(burst(calls, limit, service))).collect();
        runs.sort_by_key(|r| r.wall);
        let median = &runs[1];
        println!(
            "{label:<28} {:>12} {:>16.1} {:>10.1?}",
            median.connections,
            calls as f64 / median.connections.max(1) as f64,
            median.wall
        );
    }
    println!("(median of 3 runs by wall time; against the real endpoint each connection is a TLS handshake)");
}
