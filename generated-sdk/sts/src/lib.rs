//! Typed Rust SDK for Alibaba Cloud's Security Token Service (STS, version
//! 2015-04-01): `AssumeRole`, `AssumeRoleWithOIDC` and `GetCallerIdentity`.
//!
//! The types in [`generated`] are made from the YAML spec in `spec/sts` by
//! `cargo xtask codegen`, through the same generator as the VPC crate; the
//! behaviour behind them lives in the hand-written `aliyun_runtime` crate,
//! re-exported here as [`runtime`]. The credential providers that call STS
//! live in `aliyun-config`, above this crate.
//!
//! [`GLOBAL_ENDPOINT`] is the endpoint that serves every region; a client
//! built with [`Client::builder`] and a region uses the regional endpoint
//! [`ENDPOINT`].

#![warn(missing_docs)]

#[rustfmt::skip]
pub mod generated;

pub use aliyun_runtime as runtime;
pub use generated::*;

/// The global STS endpoint, for callers with no region to prefer.
pub const GLOBAL_ENDPOINT: &str = "sts.aliyuncs.com";

/// The crate README's examples, compiled and run as doc-tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
