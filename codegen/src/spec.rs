//! The spec as written in YAML: a faithful, unvalidated mirror of the files.
//!
//! Every struct denies unknown keys so that a typo is an error, not a silently
//! ignored line. Semantic checks (duplicates, examples, names) live in
//! `validate`, which turns this into the checked `model`.

use std::collections::BTreeMap;

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
    /// Resources whose lifecycle the actions move along.
    #[serde(default)]
    pub resources: Vec<ResourceSpec>,
    /// Groups of actions (by resource) that the crate's documentation
    /// presents one module each; every action names one.
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    /// Regional endpoints the service publishes, region ID to host; a region
    /// not listed uses `endpoint`.
    #[serde(default)]
    pub endpoints: BTreeMap<String, String>,
}

/// A group of actions, shown as one module of the generated crate.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The module's name, snake case, e.g. `vswitch`.
    pub name: String,
    /// One line saying what the group's actions manage.
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A resource kind with states, such as a physical connection.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// PascalCase name, e.g. `PhysicalConnection`.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The shared enum type whose values are the resource's states.
    pub states: String,
    /// The state a new resource starts in.
    pub initial: String,
    /// Wire name of the parameter (and response field) holding its ID.
    pub id: String,
    /// How new IDs start, e.g. `pc-` (used by the emulator).
    #[serde(default)]
    pub id_prefix: Option<String>,
    /// Error code answered when no resource has the given ID.
    #[serde(default)]
    pub not_found: Option<String>,
    /// The service's own steps, which no action causes.
    #[serde(default)]
    pub transitions: Vec<SystemTransition>,
    /// How to read one resource's state, for waiters.
    #[serde(default)]
    pub waiter: Option<WaiterSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemTransition {
    pub from: Vec<String>,
    pub to: String,
}

/// Which action reads a resource and where its state is in the answer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaiterSpec {
    /// A read-only action of this spec.
    pub action: String,
    /// Wire parameters that select the resource; `{id}` and `{region}` are
    /// replaced by its ID and the client's region.
    pub params: std::collections::BTreeMap<String, String>,
    /// Wire name of the response list holding the resources.
    pub items: String,
    /// Wire name of the item field holding the ID.
    pub id_field: String,
    /// Wire name of the item field holding the state.
    pub state_field: String,
}

/// How an action moves a resource along its lifecycle.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LifecycleSpec {
    pub resource: String,
    /// The action creates a resource, which starts in the resource's initial state.
    #[serde(default)]
    pub creates: bool,
    /// States the action may start from.
    #[serde(default)]
    pub from: Vec<String>,
    /// The state it leads to; without `to` and `deletes` the state stays.
    #[serde(default)]
    pub to: Option<String>,
    /// A transient state shown first; the service then completes the move.
    #[serde(default)]
    pub via: Option<String>,
    /// The action deletes the resource.
    #[serde(default)]
    pub deletes: bool,
    /// Error code answered when called from any other state.
    #[serde(default)]
    pub otherwise: Option<String>,
    /// Several moves, when the target depends on the starting state; then
    /// `from`, `to`, `via` and `deletes` go in each entry instead.
    #[serde(default)]
    pub transitions: Vec<ActionTransitionSpec>,
}

/// One move of an action with several.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionTransitionSpec {
    pub from: Vec<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub via: Option<String>,
    #[serde(default)]
    pub deletes: bool,
}

/// How a paginated action pages.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaginationSpec {
    /// `page_number` (PageNumber, PageSize, TotalCount) or `next_token`
    /// (NextToken, MaxResults).
    pub style: String,
    /// Wire name of the response list holding the items.
    pub items: String,
}

/// `actions/<Action>.yaml`: one API action.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionFile {
    pub action: String,
    /// The product group the action belongs to (`groups:` in product.yaml).
    #[serde(default)]
    pub group: Option<String>,
    pub summary: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Whether the action only reads state; defaults to true for names that
    /// start with `Describe`, `List` or `Get`.
    #[serde(default)]
    pub read_only: Option<bool>,
    #[serde(default)]
    pub deprecated: bool,
    /// With `deprecated: true`: why, and what to use instead.
    #[serde(default)]
    pub deprecated_note: Option<String>,
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
    #[serde(default)]
    pub lifecycle: Option<LifecycleSpec>,
    #[serde(default)]
    pub pagination: Option<PaginationSpec>,
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
    /// Top-level request parameters only: where the value travels, `query`
    /// (the default) or `body` (the form body).
    #[serde(default)]
    pub position: Option<String>,
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
    /// A secret (an AccessKey secret, a security token): `Debug` shows
    /// `***` in its place.
    #[serde(default)]
    pub sensitive: bool,
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
