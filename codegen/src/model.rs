//! The checked spec: what `validate` produces and `emit` consumes.
//!
//! Everything here is already consistent: names are valid, unique Rust
//! identifiers, types resolve, examples match their types. Emitting code from
//! it cannot fail.

/// One product (one generated crate).
#[derive(Debug, Clone)]
pub struct Product {
    pub name: String,
    pub version: String,
    pub endpoint: String,
    pub summary: String,
    pub description: Option<String>,
    /// Where the spec lives, as shown in generated headers (`spec/vpc`).
    pub spec_root: String,
    pub common_errors: Vec<ErrorDef>,
    /// Named types shared between actions, emitted in `types.rs`.
    pub types: Vec<NamedType>,
    /// Sorted by name.
    pub actions: Vec<Action>,
    pub resources: Vec<Resource>,
    /// In spec order; empty when the product declares none.
    pub groups: Vec<Group>,
    /// Regional endpoints, sorted by region ID.
    pub endpoints: Vec<(String, String)>,
}

/// A group of actions, emitted as a module that re-exports them.
#[derive(Debug, Clone)]
pub struct Group {
    /// Module name.
    pub module: String,
    pub title: String,
    pub description: Option<String>,
}

/// A resource kind and its lifecycle.
#[derive(Debug, Clone)]
pub struct Resource {
    pub name: String,
    /// Rust constant name of its lifecycle, e.g. `PHYSICAL_CONNECTION`.
    pub const_name: String,
    pub description: Option<String>,
    /// The shared enum of its states.
    pub states_type: String,
    /// Wire values of the states, in spec order.
    pub states: Vec<String>,
    pub initial: String,
    pub id: String,
    pub id_prefix: String,
    pub not_found: Option<String>,
    /// Service steps first, then each action's transition, by action name.
    pub transitions: Vec<Transition>,
    pub waiter: Option<Waiter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// `None` for the service's own steps.
    pub action: Option<String>,
    pub from: Vec<String>,
    /// `None` when the state stays, or the resource is deleted.
    pub to: Option<String>,
    pub via: Option<String>,
    pub deletes: bool,
    pub otherwise: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Waiter {
    /// The reading action's wire name, type prefix and module.
    pub action: String,
    pub action_prefix: String,
    pub action_module: String,
    pub params: Vec<(String, String)>,
    /// The placeholders of `params` other than `{id}` and `{region}`, such as
    /// `SnatTableId`: each becomes an argument of the waiter, before the ID,
    /// in the order of their parameters' wire names.
    pub scope: Vec<String>,
    /// Rust names: the response list, the item's ID and state fields.
    pub items_field: String,
    pub item_type: TypeRef,
    pub id_field: String,
    pub state_field: String,
    /// Wire names of the response list, its item wrapper, and the item's
    /// ID and state fields.
    pub items_wire: String,
    pub wrapper_wire: Option<String>,
    pub id_wire: String,
    pub state_wire: String,
    /// Whether the state field holds the enum (else a string).
    pub state_is_enum: bool,
}

/// What an action does to a resource. A create is a transition from no
/// state (`from` is empty) to the resource's initial state.
#[derive(Debug, Clone)]
pub struct ActionLifecycle {
    pub resource: String,
    /// One per group of starting states; a create has one, with no `from`.
    pub transitions: Vec<Transition>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageStyle {
    PageNumber,
    NextToken,
}

#[derive(Debug, Clone)]
pub struct Pagination {
    pub style: PageStyle,
    /// Rust name of the response list and its item type.
    pub items_field: String,
    pub item_type: Ty,
    /// Rust names (and types) of the fields that move between pages; all
    /// optional. Page numbers are integers or longs; a total count may also
    /// be a string holding digits.
    pub page_number: Option<(String, Ty)>,
    pub total_count: Option<(String, Ty)>,
    pub next_token_request: Option<String>,
    pub next_token_response: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Action {
    /// Wire name, e.g. `CancelPhysicalConnection`.
    pub name: String,
    /// Rust module name, e.g. `cancel_physical_connection`.
    pub module: String,
    /// Rust type prefix, e.g. `CancelPhysicalConnection`.
    pub type_prefix: String,
    /// Spec file relative to the spec root (`actions/X.yaml`).
    pub file: String,
    /// Module of the group the action belongs to, if the product has groups.
    pub group: Option<String>,
    pub summary: String,
    pub description: Option<String>,
    pub read_only: bool,
    pub deprecated: bool,
    /// Why the action is deprecated and what to use instead.
    pub deprecated_note: Option<String>,
    pub request: Vec<Field>,
    pub response: Vec<Field>,
    /// The action's documented errors followed by the product's common
    /// errors it does not document itself.
    pub errors: Vec<ErrorDef>,
    /// Named types declared by this action, inline structs included.
    pub types: Vec<NamedType>,
    pub json_example: Option<String>,
    pub xml_example: Option<String>,
    /// Wire name of the parameter that makes the request idempotent.
    pub idempotency_token: Option<String>,
    pub lifecycle: Option<ActionLifecycle>,
    pub pagination: Option<Pagination>,
}

/// A request parameter, response field or struct field.
#[derive(Debug, Clone)]
pub struct Field {
    pub wire: String,
    pub rust: String,
    pub ty: Ty,
    pub required: bool,
    pub description: Option<String>,
    /// The example rendered as the user would write it.
    pub example: Option<String>,
    pub deprecated: bool,
    /// Response lists: element name each item is wrapped in.
    pub wrapper: Option<String>,
    pub style: Style,
    /// Top-level request parameters: travels in the form body, not the query.
    pub in_body: bool,
    pub idempotency_token: bool,
    /// A secret: `Debug` of the structs holding it shows `***`.
    pub sensitive: bool,
    pub constraints: Constraints,
}

impl Field {
    /// A top-level `RegionId` string: the request's region, which the
    /// client fills in with its own when the caller leaves it unset.
    pub fn takes_client_region(&self) -> bool {
        self.wire == "RegionId" && self.ty == Ty::String
    }

    /// A top-level request parameter whose request builder starts it as a
    /// placeholder and keeps a bit (`rt::Unset`) until its setter runs:
    /// required, not a list (an empty list is its own "unset"), and not
    /// the client's region.
    pub fn tracked_by_builder(&self) -> bool {
        self.required && !matches!(self.ty, Ty::List(_)) && !self.takes_client_region()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub minimum: Option<i64>,
    pub maximum: Option<i64>,
    pub max_items: Option<u64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// How a request list or struct travels as query parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `Name.1`, `Name.1.Key`: Alibaba's 1-based flattening.
    Flat,
    /// One parameter holding the value encoded as JSON.
    Json,
    /// One parameter holding the items joined by commas.
    Simple,
}

/// What the four types generated for an action are called after its
/// prefix: `CancelPhysicalConnection` + `Request`, and so on.
pub const ACTION_TYPE_SUFFIXES: [&str; 4] = ["Request", "RequestBuilder", "Response", "Error"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    String,
    /// 32-bit integer (`integer` in the spec).
    Integer,
    /// 64-bit integer (`long`).
    Long,
    Boolean,
    Float,
    Named(TypeRef),
    List(Box<Ty>),
}

impl Ty {
    /// A list's item type, or the type itself.
    pub fn element(&self) -> &Ty {
        match self {
            Ty::List(inner) => inner,
            t => t,
        }
    }

    /// The named type this is, or is a list of.
    pub fn type_ref(&self) -> Option<&TypeRef> {
        match self.element() {
            Ty::Named(r) => Some(r),
            _ => None,
        }
    }

    pub fn type_ref_mut(&mut self) -> Option<&mut TypeRef> {
        let element = match self {
            Ty::List(inner) => inner.as_mut(),
            t => t,
        };
        match element {
            Ty::Named(r) => Some(r),
            _ => None,
        }
    }
}

/// The fields of struct `r`, which is declared in `shared` (product.yaml)
/// or in `local` (the action's own types); `None` for an enum.
pub fn struct_fields<'a>(r: &TypeRef, local: &'a [NamedType], shared: &'a [NamedType]) -> Option<&'a [Field]> {
    match &named_type(r, local, shared)?.body {
        TypeBody::Struct(fields) => Some(fields),
        TypeBody::Enum(_) => None,
    }
}

/// The variants of enum `r`, declared as for [`struct_fields`]; `None` for a struct.
pub fn enum_variants<'a>(r: &TypeRef, local: &'a [NamedType], shared: &'a [NamedType]) -> Option<&'a [Variant]> {
    match &named_type(r, local, shared)?.body {
        TypeBody::Enum(variants) => Some(variants),
        TypeBody::Struct(_) => None,
    }
}

fn named_type<'a>(r: &TypeRef, local: &'a [NamedType], shared: &'a [NamedType]) -> Option<&'a NamedType> {
    let types = if r.shared { shared } else { local };
    types.iter().find(|t| t.name == r.name)
}

/// A reference to a named enum or struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRef {
    /// Rust type name.
    pub name: String,
    /// Declared in `product.yaml` (lives in `types.rs`).
    pub shared: bool,
    pub is_enum: bool,
    /// A struct with a field marked required, at any depth: request
    /// builders check it (`rt::CheckRequired`).
    pub required_inside: bool,
}

#[derive(Debug, Clone)]
pub struct NamedType {
    /// Rust type name.
    pub name: String,
    pub description: Option<String>,
    pub body: TypeBody,
    /// Reachable from some request: needs wire encoding.
    pub in_request: bool,
    /// Reachable from a `style: json` parameter: needs JSON encoding.
    pub in_json: bool,
}

#[derive(Debug, Clone)]
pub enum TypeBody {
    Enum(Vec<Variant>),
    Struct(Vec<Field>),
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub value: String,
    pub aliases: Vec<String>,
    pub rust: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ErrorDef {
    pub code: String,
    pub variant: String,
    pub status: u16,
    pub message: String,
    pub description: Option<String>,
    /// Comes from the product's common errors.
    pub common: bool,
}
