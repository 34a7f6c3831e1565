//! A local emulator of Alibaba Cloud's VPC RPC API, for tests and demos.
//!
//! It is driven by the generated crate's data rather than by code per
//! action: `OPERATIONS` says which actions exist and checks their
//! parameters with the same request types clients build, and `LIFECYCLES`
//! says what each action does to a resource and how the service moves
//! resources on its own. Every answer is written from the action's
//! generated response shape (`OperationInfo::response`), typed as the spec
//! declares. On top of that it verifies both signatures,
//! answers errors in Alibaba's shape (JSON, or XML for `Format=XML`),
//! honours `ClientToken` idempotency, injects faults on request, and keeps
//! its state in a crash-safe write-ahead log when given a file.
//!
//! ```no_run
//! use aliyun_runtime::Credentials;
//! use vpc_emulator::{Config, Emulator};
//!
//! let emulator = Emulator::start(Config::new(Credentials::new("id", "secret")))?;
//! println!("endpoint: {}", emulator.url());
//! emulator.tick(2); // Initial -> Allocating -> Allocated
//! # Ok::<(), std::io::Error>(())
//! ```

#![warn(missing_docs)]

mod answer;
mod auth;
mod batch;
mod cidr;
mod clock;
mod config;
mod engine;
mod error;
mod faults;
mod ids;
mod inferred;
mod listing;
mod model;
mod nonce;
mod render;
mod request;
mod rules;
mod server;
mod service;
mod store;
mod wal;

pub use config::{Config, DEFAULT_ACCOUNT_ID, DEFAULT_RESOURCE_GROUP, Faults, Region};
pub use faults::InjectedFaults;
pub use model::ServiceModel;
pub use rules::{
    Attach, Batch, BatchDone, BatchFailed, Companion, Counted, EntrySet, Generated, Made, MadeValue, Quota, QuotaScope,
    Record, ResourceRules, ServiceSwitch,
};
pub use server::{Emulator, EmulatorHandle};
