//! How an emulator is set up. `Debug` never shows a secret: keys are
//! runtime `Credentials`, whose secret and token print as `***`.

use std::path::PathBuf;
use std::time::Duration;

use aliyun_runtime::Credentials;

use crate::ServiceModel;

/// Everything an emulator needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1; 0 lets the system pick a free one.
    pub port: u16,
    /// The AccessKeys requests may be signed with. A key with a security
    /// token stands for STS credentials: requests must then carry that token.
    pub keys: Vec<Credentials>,
    /// Where to keep state across restarts (a write-ahead log); in memory only when `None`.
    /// One emulator at a time: the file is locked (through `<file>.lock`) while in use.
    pub state_file: Option<PathBuf>,
    /// Advance the service's own progress every this often; only on
    /// [`EmulatorHandle::tick`](crate::EmulatorHandle::tick) when `None`.
    pub tick_every: Option<Duration>,
    /// Trouble to inject (latency, errors, throttling, dropped answers);
    /// none by default.
    pub faults: Faults,
    /// How far a request's timestamp may be from this clock (Alibaba: 15 minutes).
    pub max_clock_skew: Duration,
    /// Worker threads serving requests; 0 means one per CPU.
    pub threads: usize,
    /// The product served.
    pub model: ServiceModel,
    /// The regions and zones `DescribeRegions` and `DescribeZones` list;
    /// by default every region of the product's endpoint list, each with
    /// zones `<region>-a` to `<region>-h`.
    pub regions: Vec<Region>,
    /// Seeds the generator of resource and request IDs, so that a run
    /// gives the same IDs every time; system-seeded when `None`.
    pub id_seed: Option<u64>,
    /// Quotas that replace the model's (see [`ResourceRules::quota`]):
    /// `(resource kind, limit)`, such as `("Vpc", 50)`. A kind without a
    /// quota in the model gets one counted per region.
    ///
    /// [`ResourceRules::quota`]: crate::ResourceRules::quota
    pub quotas: Vec<(String, u32)>,
    /// The account every resource belongs to: its ID, answered as a
    /// resource's `OwnerId`.
    pub account_id: String,
    /// The account's default resource group, which a resource created
    /// without `ResourceGroupId` joins (and listings filter by).
    pub default_resource_group: String,
    /// Write one line per request to standard error: action, status, code,
    /// latency (never a parameter value, so never a secret).
    pub log_requests: bool,
    /// Test aid: hold every write to the state file this long, which
    /// widens the window a crash can hit, so that a test can show that no
    /// answer goes out before its change is on disk.
    #[doc(hidden)]
    pub state_write_delay: Duration,
}

/// The account the emulator serves unless told otherwise: a 16-digit ID,
/// as Alibaba Cloud account IDs are.
pub const DEFAULT_ACCOUNT_ID: &str = "1000000000000001";

/// That account's default resource group.
pub const DEFAULT_RESOURCE_GROUP: &str = "rg-acfmdefault00001";

impl Config {
    /// An in-memory emulator on a free port accepting one key, with no
    /// automatic progress and no faults.
    pub fn new(key: Credentials) -> Self {
        Config {
            port: 0,
            keys: vec![key],
            state_file: None,
            tick_every: None,
            faults: Faults::default(),
            max_clock_skew: Duration::from_secs(15 * 60),
            threads: 0,
            model: ServiceModel::vpc(),
            regions: Region::catalogue(ServiceModel::vpc().endpoints, 8),
            id_seed: None,
            quotas: Vec::new(),
            account_id: DEFAULT_ACCOUNT_ID.to_owned(),
            default_resource_group: DEFAULT_RESOURCE_GROUP.to_owned(),
            log_requests: false,
            state_write_delay: Duration::ZERO,
        }
    }
}

/// One region of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// The region ID, such as `cn-hangzhou`.
    pub id: String,
    /// The host `DescribeRegions` gives as its endpoint.
    pub endpoint: String,
    /// The zone IDs `DescribeZones` lists for it, such as `cn-hangzhou-a`.
    pub zones: Vec<String>,
    /// The Express Connect access points `DescribeAccessPoints` lists for
    /// it, such as `ap-cn-hangzhou-a`: one per zone, up to the first two.
    pub access_points: Vec<String>,
}

impl Region {
    /// A region with `zones` zones named `<id>-a`, `<id>-b`, ... (at most 26).
    pub fn new(id: &str, endpoint: &str, zones: usize) -> Self {
        let zones: Vec<String> = (b'a'..=b'z').take(zones).map(|c| format!("{id}-{}", c as char)).collect();
        let access_points = zones.iter().take(2).map(|zone| format!("ap-{zone}")).collect();
        Region { id: id.to_owned(), endpoint: endpoint.to_owned(), zones, access_points }
    }

    /// Every region of an endpoint list, `(region, host)`, with `zones` zones each.
    pub fn catalogue(endpoints: &[(&str, &str)], zones: usize) -> Vec<Region> {
        endpoints.iter().map(|(id, host)| Region::new(id, host, zones)).collect()
    }
}

/// Trouble to inject, each request drawing its fate from one generator
/// seeded with `seed`: the same seed gives the same sequence of faults.
/// Rates are probabilities between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Faults {
    /// Added before every answer.
    pub latency: Duration,
    /// Answer `ServiceUnavailable` (HTTP 503) before doing anything.
    pub error_rate: f64,
    /// Answer `Throttling.User` (HTTP 400) before doing anything.
    pub throttle_rate: f64,
    /// Do the work, then close the connection without answering: the
    /// client cannot know whether its call took effect.
    pub drop_rate: f64,
    /// Seed of the generator the fates are drawn from.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults { latency: Duration::ZERO, error_rate: 0.0, throttle_rate: 0.0, drop_rate: 0.0, seed: 0 }
    }
}

impl Faults {
    /// Whether any request can be hit at all.
    pub(crate) fn any(&self) -> bool {
        self.error_rate > 0.0 || self.throttle_rate > 0.0 || self.drop_rate > 0.0
    }

    /// Why a rate is unusable, if one is.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (name, rate) in
            [("error rate", self.error_rate), ("throttle rate", self.throttle_rate), ("drop rate", self.drop_rate)]
        {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("the {name} must be between 0 and 1, not {rate}"));
            }
        }
        let sum = self.error_rate + self.throttle_rate + self.drop_rate;
        if sum > 1.0 {
            return Err(format!("the error, throttle and drop rates add up to {sum}, more than 1"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_checked_alone_and_together() {
        assert!(Faults::default().check().is_ok());
        assert!(Faults { error_rate: 0.5, drop_rate: 0.5, ..Faults::default() }.check().is_ok());
        assert!(Faults { error_rate: -0.1, ..Faults::default() }.check().is_err());
        assert!(Faults { throttle_rate: f64::NAN, ..Faults::default() }.check().is_err());
        assert!(Faults { error_rate: 0.6, throttle_rate: 0.6, ..Faults::default() }.check().is_err());
    }
}
