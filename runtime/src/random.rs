//! Random UUIDs (version 4) for client tokens and signature nonces.
//!
//! They come from the operating system's generator, as `Uuid::new_v4` does,
//! but fetched a batch at a time: one system call per 32 UUIDs instead of
//! one each, which was the largest single cost of signing a request. A
//! forked child must not reuse its parent's batch (that would repeat client
//! tokens and nonces): a fork handler counts forks, and a batch is only
//! used in the fork generation it was fetched in.

use std::cell::RefCell;

const BATCH: usize = 512;

struct Pool {
    bytes: [u8; BATCH],
    used: usize,
    generation: u64,
}

thread_local! {
    static POOL: RefCell<Pool> = const { RefCell::new(Pool { bytes: [0; BATCH], used: BATCH, generation: 0 }) };
}

#[cfg(unix)]
mod fork {
    use std::sync::Once;
    use std::sync::atomic::{AtomicU64, Ordering};

    static GENERATION: AtomicU64 = AtomicU64::new(0);

    extern "C" fn in_child() {
        // Async-signal-safe, as a fork handler must be.
        GENERATION.fetch_add(1, Ordering::SeqCst);
    }

    /// How many forks separate this process from the one that first asked.
    pub(super) fn generation() -> u64 {
        static REGISTER: Once = Once::new();
        REGISTER.call_once(|| {
            // SAFETY: registers a handler that only touches an atomic; no
            // memory is shared with foreign code.
            let registered = unsafe { libc::pthread_atfork(None, None, Some(in_child)) };
            assert_eq!(registered, 0, "cannot register the fork handler that keeps client tokens unique");
        });
        GENERATION.load(Ordering::SeqCst)
    }
}

#[cfg(not(unix))]
mod fork {
    /// No `fork` here, so one generation.
    pub(super) fn generation() -> u64 {
        0
    }
}

/// A random (version 4) UUID.
pub(crate) fn uuid_v4() -> uuid::Uuid {
    let generation = fork::generation();
    POOL.with_borrow_mut(|pool| {
        if pool.used + 16 > BATCH || pool.generation != generation {
            if getrandom::fill(&mut pool.bytes).is_err() {
                // Let `uuid` report the failure in its own words.
                return uuid::Uuid::new_v4();
            }
            pool.used = 0;
            pool.generation = generation;
        }
        let taken = &mut pool.bytes[pool.used..pool.used + 16];
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(taken);
        // Handed out once only.
        taken.fill(0);
        pool.used += 16;
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A forked child draws from a fresh batch, not from a copy of its
    /// parent's: the two never hand out the same UUID.
    #[cfg(unix)]
    #[test]
    fn a_forked_child_does_not_repeat_its_parents_uuids() {
        let _ = uuid_v4(); // a batch is now cached in this thread
        let mut fds = [0; 2];
        // SAFETY: plain pipe and fork; the child only computes a UUID,
        // writes it and exits without unwinding or running destructors.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            match libc::fork() {
                -1 => panic!("fork failed"),
                0 => {
                    let bytes = *uuid_v4().as_bytes();
                    libc::write(fds[1], bytes.as_ptr().cast(), 16);
                    libc::_exit(0);
                }
                child => {
                    let parent = uuid_v4();
                    let mut bytes = [0u8; 16];
                    assert_eq!(libc::read(fds[0], bytes.as_mut_ptr().cast(), 16), 16);
                    let mut status = 0;
                    libc::waitpid(child, &mut status, 0);
                    assert_ne!(uuid::Uuid::from_bytes(bytes), parent, "the child reused the parent's batch");
                }
            }
        }
    }

    #[test]
    fn uuids_are_version_4_and_distinct_across_batches() {
        let ids: std::collections::HashSet<_> = (0..3 * BATCH / 16).map(|_| uuid_v4()).collect();
        assert_eq!(ids.len(), 3 * BATCH / 16);
        assert!(ids.iter().all(|id| id.get_version_num() == 4 && id.get_variant() == uuid::Variant::RFC4122));
    }
}
