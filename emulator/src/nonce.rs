//! Signature nonces seen recently, to refuse a replayed request.
//!
//! A request is accepted while its timestamp is within the skew window on
//! either side of the server's clock, so a nonce must be remembered for
//! twice that window. Nonces are kept in three generations, each one window
//! long: the oldest is dropped as a new one starts, so every nonce lives at
//! least two windows and memory stays bounded by the request rate. Only a
//! keyed 64-bit hash of each nonce is kept, in shards, so that concurrent
//! requests rarely wait on one another.

use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const SHARDS: usize = 16;
const GENERATIONS: usize = 3;

pub(crate) struct NonceCache {
    shards: Vec<Mutex<Shard>>,
    keys: RandomState,
    window: Duration,
}

struct Shard {
    generations: [HashSet<u64, BuildHasherDefault<Identity>>; GENERATIONS],
    current: usize,
    started: Instant,
}

impl NonceCache {
    pub fn new(window: Duration, now: Instant) -> Self {
        let shards = (0..SHARDS)
            .map(|_| Mutex::new(Shard { generations: Default::default(), current: 0, started: now }))
            .collect();
        NonceCache { shards, keys: RandomState::new(), window }
    }

    /// Records `nonce`; `false` when it was seen within the last two windows.
    pub fn first_use(&self, nonce: &str, now: Instant) -> bool {
        let hash = self.keys.hash_one(nonce);
        let mut shard = self.shards[(hash as usize) % SHARDS].lock().unwrap_or_else(|e| e.into_inner());
        shard.rotate(now, self.window);
        if shard.generations.iter().any(|g| g.contains(&hash)) {
            return false;
        }
        let current = shard.current;
        shard.generations[current].insert(hash);
        true
    }
}

impl Shard {
    fn rotate(&mut self, now: Instant, window: Duration) {
        let mut elapsed = now.saturating_duration_since(self.started);
        let mut turns = 0;
        while elapsed >= window && turns < GENERATIONS {
            self.current = (self.current + 1) % GENERATIONS;
            self.generations[self.current].clear();
            elapsed -= window;
            turns += 1;
        }
        if turns > 0 {
            self.started = now - elapsed.min(window);
        }
    }
}

/// The keys are already keyed hashes: hashing them again buys nothing.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_is_refused_for_at_least_two_windows_then_forgotten() {
        let window = Duration::from_secs(900);
        let t0 = Instant::now();
        let cache = NonceCache::new(window, t0);
        assert!(cache.first_use("n-1", t0));
        assert!(!cache.first_use("n-1", t0));
        assert!(cache.first_use("n-2", t0));
        for later in [window / 2, window, window * 3 / 2, window * 2 - Duration::from_secs(1)] {
            assert!(!cache.first_use("n-1", t0 + later), "still remembered after {later:?}");
        }
        assert!(cache.first_use("n-1", t0 + window * 4), "forgotten long after");
    }
}
