//! The spec as written in YAML: a faithful, unvalidated mirror of the files.
//!
//! Every struct denies unknown keys so that a typo is an error, not a silently
//! ignored line. Semantic checks (duplicates, examples, names) live in
//! `validate`, which turns this into the checked `model`.

use serde::Deserialize;

/// `product.yaml`: facts shared by every action of one product.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductFile {
    /// Product code sent nowhere but used in docs, e.g. `Vpc`.
    pub product: String,
    /// API version sent as the `Version` parameter, e.g. `2016-04-28`.
    pub version: String,
    /// Only `rpc` is supported today.
    pub style: String,
    /// Endpoint host template, with `{region}` standing for the region id.
    pub endpoint: String,
    /// One-paragraph summary of the product, for crate documentation.
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Errors any action of the product may return (gateway errors).
    #[serde(default)]
    pub common_errors: Vec<ErrorSpec>,
    /// Named types shared between actions.
    #[serde(default)]
    pub types: Vec<TypeDef>,
}

/// `actions/<Action>.yaml`: one API action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionFile {
    pub action: String,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the action only reads state; defaults to true for names that
    /// start with `Describe`, `List` or `Get`.
    #[serde(default)]
    pub read_only: Option<bool>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub request: Vec<Member>,
    #[serde(default)]
    pub response: Vec<Member>,
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// Named types used only by this action.
    #[serde(default)]
    pub types: Vec<TypeDef>,
    #[serde(default)]
    pub examples: Examples,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// A successful response body in JSON.
    #[serde(default)]
    pub json: Option<String>,
    /// The same response in XML.
    #[serde(default)]
    pub xml: Option<String>,
}

/// A request parameter, a response field, or a field of a struct type.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Exact wire name, e.g. `PhysicalConnectionId`.
    pub name: String,
    /// `string`, `integer`, `long`, `boolean`, `float`, `list`, `struct`, or a
    /// named type.
    #[serde(rename = "type")]
    pub ty: String,
    /// Element type of a `list`: a scalar, `struct`, or a named type.
    #[serde(default)]
    pub items: Option<String>,
    /// Rust name of an inline struct (`type: struct` or `items: struct`).
    #[serde(default, rename = "struct")]
    pub struct_name: Option<String>,
    /// Fields of an inline struct.
    #[serde(default)]
    pub fields: Option<Vec<Member>>,
    /// Response lists only: the element name Alibaba wraps each item in,
    /// as in `{"Set": {"Item": [...]}}`.
    #[serde(default)]
    pub wrapper: Option<String>,
    /// Request lists and structs only: `flat` (`Name.1.Key`, the default),
    /// `json` (one JSON-encoded parameter) or `simple` (comma-joined).
    #[serde(default)]
    pub style: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub example: Option<serde_yaml::Value>,
    /// Overrides the Rust field name derived from `name`.
    #[serde(default)]
    pub rust_name: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    /// Marks the parameter that makes the request idempotent (`ClientToken`).
    #[serde(default)]
    pub idempotency_token: bool,
    #[serde(default)]
    pub min_length: Option<u64>,
    #[serde(default)]
    pub max_length: Option<u64>,
    #[serde(default)]
    pub minimum: Option<i64>,
    #[serde(default)]
    pub maximum: Option<i64>,
    #[serde(default)]
    pub max_items: Option<u64>,
}

/// A documented error of an action, or a product-wide one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorSpec {
    pub code: String,
    /// HTTP status the service documents for the code (400-599).
    pub status: i64,
    pub message: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A named type: an open enum or a struct.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    pub name: String,
    /// `enum` or `struct`.
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Known values of an `enum`.
    #[serde(default)]
    pub values: Option<Vec<EnumValue>>,
    /// Fields of a `struct`.
    #[serde(default)]
    pub fields: Option<Vec<Member>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Other spellings the service uses for the same value.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Overrides the Rust variant name derived from `value`.
    #[serde(default)]
    pub rust_name: Option<String>,
}
