//! Typed Rust SDK for Alibaba Cloud's VPC API (version 2016-04-28).
//!
//! The types in [`generated`] are made from the YAML spec in this repository
//! by `cargo xtask codegen`; the behaviour behind them lives in the
//! hand-written `aliyun_runtime` crate, re-exported here as [`runtime`].

#[rustfmt::skip]
pub mod generated;

pub use aliyun_runtime as runtime;
pub use generated::*;

/// The README's examples, compiled and run as doc-tests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
