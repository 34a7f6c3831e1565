//! Waiting for a resource to reach a state, by polling with backoff, and
//! giving up as soon as the lifecycle says the state cannot be reached.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::{Lifecycle, OperationError, SdkError};

/// How long and how often to poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitPolicy {
    /// How long to keep polling, from the first poll; a wait whose next
    /// delay would pass this gives up with [`WaitError::TimedOut`].
    pub timeout: Duration,
    /// Delay before the second poll; grows by half each time.
    pub initial_delay: Duration,
    /// The longest delay between two polls, however long the wait.
    pub max_delay: Duration,
}

impl WaitPolicy {
    /// Polls from 2 s up to every 30 s until `timeout`.
    pub fn with_timeout(timeout: Duration) -> Self {
        WaitPolicy { timeout, initial_delay: Duration::from_secs(2), max_delay: Duration::from_secs(30) }
    }
}

/// Why a wait ended without reaching the target state.
#[derive(Debug)]
#[non_exhaustive]
pub enum WaitError<E> {
    /// Polling failed.
    Sdk(SdkError<E>),
    /// The resource is not (or no longer) listed.
    NotFound {
        /// The resource kind, as [`Lifecycle::resource`] names it.
        resource: &'static str,
        /// The ID waited for.
        id: String,
    },
    /// The resource reached a state from which the target cannot be reached.
    Unreachable {
        /// The resource kind, as [`Lifecycle::resource`] names it.
        resource: &'static str,
        /// The ID waited for.
        id: String,
        /// The state it was found in.
        state: String,
        /// The state waited for.
        target: String,
    },
    /// The target was not reached in time.
    TimedOut {
        /// The resource kind, as [`Lifecycle::resource`] names it.
        resource: &'static str,
        /// The ID waited for.
        id: String,
        /// The state of the last poll.
        last_state: String,
        /// The state waited for.
        target: String,
        /// Time from the first poll to giving up.
        elapsed: Duration,
    },
}

impl<E: OperationError> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WaitError::Sdk(_) => f.write_str("polling failed"),
            WaitError::NotFound { resource, id } => write!(f, "{resource} {id} does not exist"),
            WaitError::Unreachable { resource, id, state, target } => {
                write!(f, "{resource} {id} is {state}, from which it can never become {target}")
            }
            WaitError::TimedOut { resource, id, last_state, target, elapsed } => write!(
                f,
                "{resource} {id} did not become {target} within {elapsed:.0?}; it was last seen as {last_state}"
            ),
        }
    }
}

impl<E: OperationError + 'static> std::error::Error for WaitError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Sdk(e) => Some(e),
            _ => None,
        }
    }
}

/// Polls until `target`: `poll` returns the resource's current state and
/// whatever the caller wants back, or `None` when it is not found.
pub async fn wait_for_state<T, E, F, Fut>(
    lifecycle: &Lifecycle,
    id: &str,
    target: &str,
    policy: WaitPolicy,
    mut poll: F,
) -> Result<T, WaitError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Option<(String, T)>, SdkError<E>>>,
{
    let start = Instant::now();
    let deadline = start + policy.timeout;
    let mut delay = policy.initial_delay;
    loop {
        let state = match poll().await.map_err(WaitError::Sdk)? {
            None => return Err(WaitError::NotFound { resource: lifecycle.resource, id: id.to_owned() }),
            Some((state, value)) if state == target => return Ok(value),
            Some((state, _)) if !lifecycle.can_reach(&state, target) => {
                return Err(WaitError::Unreachable {
                    resource: lifecycle.resource,
                    id: id.to_owned(),
                    state,
                    target: target.to_owned(),
                });
            }
            Some((state, _)) => state,
        };
        tracing::debug!(resource = lifecycle.resource, id, state = state.as_str(), target, "waiting");
        if Instant::now() + delay > deadline {
            return Err(WaitError::TimedOut {
                resource: lifecycle.resource,
                id: id.to_owned(),
                last_state: state,
                target: target.to_owned(),
                elapsed: start.elapsed(),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay + delay / 2).min(policy.max_delay);
    }
}
