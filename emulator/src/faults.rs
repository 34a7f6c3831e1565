//! Injected trouble. Every request that reaches an action draws its fate
//! from one generator seeded from the configuration, so a seed always gives
//! the same sequence of fates; which request meets which fate then depends
//! only on the order requests arrive in.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::config::Faults;

/// How many requests met each injected fault so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InjectedFaults {
    /// Answered `ServiceUnavailable` (HTTP 503) without being served.
    pub unavailable: u64,
    /// Answered `Throttling.User` (HTTP 400) without being served.
    pub throttled: u64,
    /// Served, then closed without an answer.
    pub dropped: u64,
}

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Serve,
    /// `ServiceUnavailable`, before anything is done.
    Unavailable,
    /// `Throttling.User`, before anything is done.
    Throttled,
    /// Served, then the connection is closed without an answer.
    Dropped,
}

pub(crate) struct Injector {
    faults: Faults,
    rng: Mutex<fastrand::Rng>,
    /// Unavailable, throttled, dropped.
    counts: [AtomicU64; 3],
}

impl Injector {
    pub fn new(faults: Faults) -> Self {
        Injector { faults, rng: Mutex::new(fastrand::Rng::with_seed(faults.seed)), counts: Default::default() }
    }

    pub fn fate(&self) -> Fate {
        if !self.faults.any() {
            return Fate::Serve;
        }
        let draw = self.rng.lock().unwrap_or_else(|e| e.into_inner()).f64();
        // One draw, split into bands, so each rate is exactly its share.
        let f = &self.faults;
        let (fate, slot) = if draw < f.error_rate {
            (Fate::Unavailable, 0)
        } else if draw < f.error_rate + f.throttle_rate {
            (Fate::Throttled, 1)
        } else if draw < f.error_rate + f.throttle_rate + f.drop_rate {
            (Fate::Dropped, 2)
        } else {
            return Fate::Serve;
        };
        self.counts[slot].fetch_add(1, Ordering::Relaxed);
        fate
    }

    pub fn injected(&self) -> InjectedFaults {
        let [unavailable, throttled, dropped] = self.counts.each_ref().map(|c| c.load(Ordering::Relaxed));
        InjectedFaults { unavailable, throttled, dropped }
    }

    pub fn latency(&self) -> std::time::Duration {
        self.faults.latency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fates(seed: u64) -> Vec<Fate> {
        let injector =
            Injector::new(Faults { error_rate: 0.2, throttle_rate: 0.2, drop_rate: 0.2, seed, ..Faults::default() });
        (0..2000).map(|_| injector.fate()).collect()
    }

    #[test]
    fn a_seed_fixes_the_sequence_and_rates_hold_roughly() {
        assert_eq!(fates(7), fates(7));
        assert_ne!(fates(7), fates(8));
        let all = fates(7);
        for fate in [Fate::Unavailable, Fate::Throttled, Fate::Dropped, Fate::Serve] {
            let n = all.iter().filter(|f| **f == fate).count();
            assert!(n > 200, "{fate:?}: {n} of 2000");
        }
        let injector = Injector::new(Faults { drop_rate: 1.0, ..Faults::default() });
        injector.fate();
        assert_eq!(injector.injected(), InjectedFaults { unavailable: 0, throttled: 0, dropped: 1 });
    }

    #[test]
    fn no_faults_means_every_request_is_served() {
        let injector = Injector::new(Faults::default());
        assert!((0..100).all(|_| injector.fate() == Fate::Serve));
    }
}
