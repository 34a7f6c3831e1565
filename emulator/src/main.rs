//! `vpc-emulator`: serves the VPC API on 127.0.0.1 until killed.
//!
//! It needs no graceful shutdown: every acknowledged change is already in
//! the state file (when one is given), so Ctrl-C or `kill -9` lose nothing
//! a client was told about.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use aliyun_runtime::Credentials;
use clap::Parser;
use vpc_emulator::{Config, Emulator, Faults, Region};

/// A local emulator of Alibaba Cloud's VPC API: signatures, errors,
/// resource lifecycles, idempotency, faults and a crash-safe state file.
#[derive(Debug, Parser)]
#[command(name = "vpc-emulator")]
struct Args {
    /// Port on 127.0.0.1; 0 picks a free one (printed on start).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The AccessKey ID requests must be signed with.
    #[arg(long)]
    access_key_id: String,
    /// Its secret. Never printed.
    #[arg(long)]
    access_key_secret: String,
    /// An STS security token requests must then carry as well.
    #[arg(long)]
    security_token: Option<String>,
    /// Keep state in this write-ahead log across restarts (memory only otherwise).
    #[arg(long)]
    state: Option<PathBuf>,
    /// Advance the service's own progress (Initial to Allocating to
    /// Allocated, Terminating to Terminated) every N ms; 0 never.
    #[arg(long, default_value_t = 1000)]
    tick_ms: u64,
    /// Delay every answer by N ms.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests answered ServiceUnavailable (HTTP 503), 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    error_rate: f64,
    /// Share of requests answered Throttling.User, 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    throttle_rate: f64,
    /// Share of requests carried out, then left unanswered (connection closed), 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    drop_rate: f64,
    /// Seed of the fault sequence and of generated resource and request
    /// IDs: the same seed gives the same IDs (system-seeded IDs otherwise).
    #[arg(long)]
    seed: Option<u64>,
    /// The account ID resources answer as their `OwnerId`.
    #[arg(long, default_value = vpc_emulator::DEFAULT_ACCOUNT_ID)]
    account_id: String,
    /// The account's default resource group, which resources created
    /// without `ResourceGroupId` join.
    #[arg(long, default_value = vpc_emulator::DEFAULT_RESOURCE_GROUP)]
    default_resource_group: String,
    /// Print one line per request to standard error: method, action, HTTP
    /// status, error code, latency. Never a parameter value. The
    /// VPC_EMULATOR_LOG variable filters them (and turns them on by
    /// itself): `warn` shows refused requests only, `error` server errors
    /// and dropped answers; any tracing env filter works.
    #[arg(long)]
    log_requests: bool,
    /// The regions DescribeRegions lists, comma-separated (default: every
    /// region of the endpoint list).
    #[arg(long, value_delimiter = ',')]
    regions: Vec<String>,
    /// Set a quota, `Kind=N` (repeatable): `--quota Vpc=50 --quota Eip=5`.
    /// Defaults are Alibaba's: 10 VPCs and 20 EIPs per region, 150 vSwitches per VPC.
    #[arg(long = "quota", value_name = "KIND=N", value_parser = parse_quota)]
    quotas: Vec<(String, u32)>,
    /// How many zones (`<region>-a`, `-b`, ...) each region has, 1 to 26.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u8).range(1..=26))]
    zones: u8,
    /// Worker threads; 0 means one per CPU.
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Test aid: hold every state-file write N ms (see `Config::state_write_delay`).
    #[arg(long, default_value_t = 0, hide = true)]
    state_write_delay_ms: u64,
}

/// `Kind=N`, N a whole number.
fn parse_quota(text: &str) -> Result<(String, u32), String> {
    let (kind, limit) = text.split_once('=').ok_or_else(|| format!("`{text}` is not KIND=N, such as Vpc=50"))?;
    let limit = limit.trim().parse().map_err(|_| format!("`{limit}` is not a whole number from 0 to {}", u32::MAX))?;
    let kind = kind.trim();
    if kind.is_empty() {
        return Err(format!("`{text}` names no resource kind; write KIND=N, such as Vpc=50"));
    }
    Ok((kind.to_owned(), limit))
}

/// The variable whose tracing filter selects the request log's lines.
const LOG_FILTER: &str = "VPC_EMULATOR_LOG";

/// Prints the emulator's `tracing` events (the request log) to standard
/// error, filtered by `VPC_EMULATOR_LOG`; with `--log-requests` and no
/// filter, every request.
fn start_log(log_requests: bool) -> Result<(), String> {
    let directives = match std::env::var(LOG_FILTER) {
        Ok(directives) => directives,
        Err(std::env::VarError::NotPresent) if log_requests => "vpc_emulator::request=info".to_owned(),
        Err(std::env::VarError::NotPresent) => return Ok(()),
        Err(std::env::VarError::NotUnicode(_)) => return Err(format!("{LOG_FILTER} is not valid UTF-8")),
    };
    let filter = tracing_subscriber::EnvFilter::builder().parse(&directives).map_err(|e| {
        format!("{LOG_FILTER}={directives:?} is not a filter ({e}); try `info`, `warn` or `vpc_emulator::request=warn`")
    })?;
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    Ok(())
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(e) = start_log(args.log_requests) {
        eprintln!("vpc-emulator: {e}");
        return ExitCode::from(2);
    }
    let mut key = Credentials::new(&args.access_key_id, &args.access_key_secret);
    if let Some(token) = &args.security_token {
        key = key.with_security_token(token);
    }
    let mut config = Config::new(key);
    config.port = args.port;
    config.state_file = args.state.clone();
    config.tick_every = (args.tick_ms > 0).then(|| Duration::from_millis(args.tick_ms));
    config.threads = args.threads;
    config.state_write_delay = Duration::from_millis(args.state_write_delay_ms);
    config.faults = Faults {
        latency: Duration::from_millis(args.latency_ms),
        error_rate: args.error_rate,
        throttle_rate: args.throttle_rate,
        drop_rate: args.drop_rate,
        seed: args.seed.unwrap_or(0),
    };
    config.id_seed = args.seed;
    config.account_id = args.account_id.clone();
    config.default_resource_group = args.default_resource_group.clone();
    // The log goes through the tracing subscriber set up above.
    config.log_requests = false;
    config.quotas = args.quotas.clone();
    let endpoints = config.model.endpoints;
    config.regions = if args.regions.is_empty() {
        Region::catalogue(endpoints, usize::from(args.zones))
    } else {
        args.regions.iter().map(|id| Region::new(id, &config.model.endpoint(id), usize::from(args.zones))).collect()
    };
    let emulator = match Emulator::start(config) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("vpc-emulator: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = args.state.as_ref().map_or("in memory".to_owned(), |p| format!("in {}", p.display()));
    let ticks = match args.tick_ms {
        0 => "the service never progresses on its own".to_owned(),
        ms => format!("the service progresses every {ms} ms"),
    };
    // The first line is the endpoint, for scripts and tests to read. A
    // closed stdout must not stop the server, so write errors are ignored.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "vpc-emulator listening on {}", emulator.url());
    let _ = writeln!(out, "access key {}; state {state}; {ticks}", args.access_key_id);
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
