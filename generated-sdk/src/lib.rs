//! Typed Rust SDK for Alibaba Cloud's VPC API (version 2016-04-28): all 406
//! actions, generated from the YAML spec in this repository.
//!
//! # Where to start
//!
//! - [`Client`]: one method per action (`client.create_vpc(request)`), each
//!   returning a future that sends the call when awaited. Build it with
//!   [`Client::builder`], or [`Client::from_env`] for credentials and region
//!   from the environment.
//! - The modules below group the actions by the resource they manage:
//!   [`vpc`], [`vswitch`], [`eip`], [`nat`], [`routing`], [`vpn`],
//!   [`express_connect`] and so on. Each group's page lists its actions; each
//!   action has a request with a builder (`CreateVpcRequest::builder()`), a
//!   response, and an error enum with one variant per documented code. The
//!   four types are also at the crate root (`aliyun_vpc::CreateVpcRequest`).
//! - Errors: a call fails with [`runtime::SdkError`]; its `Service` variant
//!   holds the action's own error enum, whose `Common` variant holds a
//!   [`CommonError`] (throttling, signatures, credentials) and whose
//!   `Unhandled` variant any code the spec does not document.
//! - [`types`] holds the types several actions share, [`lifecycle`] the
//!   lifecycles of resources with a status and their waiters, and
//!   [`runtime`] the hand-written client underneath (signing, retries,
//!   paging, waiting).
//!
//! ```no_run
//! use aliyun_vpc::{Client, CreateVpcRequest};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = Client::from_env()?;
//! let vpc = CreateVpcRequest::builder()
//!     .region_id("cn-hangzhou")
//!     .cidr_block("192.168.0.0/16")
//!     .vpc_name("prod")
//!     .send(&client)
//!     .await?;
//! println!("created {:?}", vpc.vpc_id);
//! # Ok(())
//! # }
//! ```
//!
//! Everything under the group modules is made by `cargo xtask codegen` from
//! the spec; the behaviour behind it lives in the hand-written
//! `aliyun_runtime` crate, re-exported here as [`runtime`].

#![warn(missing_docs)]

#[rustfmt::skip]
mod generated;

pub use aliyun_runtime as runtime;
pub use generated::*;

/// The crate README's examples, compiled and run as doc-tests. The README is
/// the package's own, so this holds in the published crate too (the
/// repository README's examples are tested by the workspace tests).
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
