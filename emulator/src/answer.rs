//! Every answer is written from the action's response shape
//! (`OperationInfo::response`, generated from the spec): each field the
//! shape declares is filled from what the action decided (a new ID, a page
//! of items, counters) or else from the resource it addressed, matched by
//! wire name without regard to case, and written with its declared kind:
//! numbers as numbers, booleans as booleans, wrapped lists wrapped. A field
//! the emulator knows nothing about is left out, as the decoder allows.

use std::collections::BTreeMap;

use aliyun_runtime::{FieldShape, Lifecycle, Shape, find_field};

use crate::render::Value;
use crate::rules::{self, ResourceRules};
use crate::store::{Resource, Store};

/// Where a resource's children are found: a list of IDs named after a
/// kind's ID parameter (`VSwitchIds` on a VPC) lists the resources of that
/// kind recorded with this resource's ID (`VpcId`), and so does a list the
/// rules name for a kind (a VPC's `RouterTableIds`).
#[derive(Clone, Copy)]
pub(crate) struct Related<'a> {
    pub store: &'a Store,
    pub lifecycles: &'a [&'static Lifecycle],
    pub rules: &'a [ResourceRules],
}

/// What an answer is made from.
#[derive(Default)]
pub(crate) struct Facts<'a> {
    /// Values the action decided, by wire name; they win over the resource's.
    pub given: Vec<(String, Value)>,
    /// The resource the action created, moved or read.
    pub resource: Option<(&'a Lifecycle, &'a Resource)>,
    pub related: Option<Related<'a>>,
}

impl<'a> Facts<'a> {
    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.given.push((name.to_owned(), value));
        self
    }
}

/// The answer's fields in the shape's order, `RequestId` among them when
/// `given` holds it.
pub(crate) fn answer(shape: &[FieldShape], facts: &Facts<'_>) -> Vec<(String, Value)> {
    let mut out = Vec::with_capacity(shape.len());
    for field in shape {
        let given = facts.given.iter().find(|(k, _)| k.eq_ignore_ascii_case(field.name)).map(|(_, v)| v);
        let value = match given {
            Some(Value::Str(text)) => typed(&field.shape, text),
            Some(v) => Some(v.clone()),
            None => facts.resource.and_then(|(l, r)| from_resource(field, l, r, facts.related)),
        };
        if let Some(value) = value {
            out.push((field.name.to_owned(), value));
        }
    }
    // The request ID is part of every answer, even of a shape that forgot it.
    if find_field(shape, "RequestId").is_none()
        && let Some((_, id)) = facts.given.iter().find(|(k, _)| k == "RequestId")
    {
        out.insert(0, ("RequestId".to_owned(), id.clone()));
    }
    out
}

/// The answer of an action about nothing the emulator models (BGP groups,
/// customer gateways...), as the service answers an account that holds
/// none: its scalar fields named like request parameters repeat them, and
/// a listing (a read-only action answering a list, or a list beside
/// `TotalCount`) is an empty first page.
pub(crate) fn unmodelled(
    shape: &[FieldShape],
    read_only: bool,
    params: &BTreeMap<String, String>,
) -> Vec<(String, Value)> {
    let param = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    let has_list = shape.iter().any(|f| matches!(f.shape, Shape::List { .. }));
    let listing = has_list && (read_only || find_field(shape, "TotalCount").is_some());
    let (number, size) = crate::listing::numbered_page(params);
    let int = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let mut given = Vec::new();
    for field in shape.iter().filter(|f| f.name != "RequestId") {
        let value = match (&field.shape, field.name) {
            (Shape::List { wrapper, .. }, _) if listing => Some(list(*wrapper, Vec::new())),
            (_, "TotalCount" | "Count") if listing => Some(Value::Int(0)),
            (_, "PageNumber") if listing => Some(int(number)),
            (_, "PageSize") if listing => Some(int(size)),
            (shape, name) if shape.is_scalar() => param(name).map(Value::Str),
            // A struct of what was asked: its scalars repeat the request,
            // its lists are empty.
            (Shape::Struct(fields), _) => Some(Value::Map(
                fields
                    .iter()
                    .filter_map(|f| match &f.shape {
                        Shape::List { wrapper, .. } => Some((f.name.to_owned(), list(*wrapper, Vec::new()))),
                        shape => Some((f.name.to_owned(), typed(shape, &param(f.name)?)?)),
                    })
                    .collect(),
            )),
            _ => None,
        };
        if let Some(value) = value {
            given.push((field.name.to_owned(), value));
        }
    }
    given
}

/// One resource as an item of `fields` (a listing's item struct).
pub(crate) fn item(
    fields: &[FieldShape],
    lifecycle: &Lifecycle,
    resource: &Resource,
    related: Option<Related<'_>>,
) -> Value {
    Value::Map(
        fields
            .iter()
            .filter_map(|f| from_resource(f, lifecycle, resource, related).map(|v| (f.name.to_owned(), v)))
            .collect(),
    )
}

/// A list as its shape writes it: under its wrapper element, or bare.
pub(crate) fn list(wrapper: Option<&str>, items: Vec<Value>) -> Value {
    match wrapper {
        Some(w) => Value::Map(vec![(w.to_owned(), Value::List(items))]),
        None => Value::List(items),
    }
}

/// The wrapper element of the list field `name` in `shape`, if it has one.
pub(crate) fn wrapper_of(shape: &[FieldShape], name: &str) -> Option<&'static str> {
    match find_field(shape, name).map(|f| &f.shape) {
        Some(Shape::List { wrapper, .. }) => *wrapper,
        _ => None,
    }
}

/// The struct of a list field of structs: its fields and wrapper.
pub(crate) fn list_of_structs(shape: &Shape) -> Option<(&'static [FieldShape], Option<&'static str>)> {
    match shape {
        Shape::List { item: Shape::Struct(fields), wrapper } => Some((fields, *wrapper)),
        _ => None,
    }
}

/// What the resource knows of `name`, as text: its ID, its state, its
/// region, or a recorded field.
pub(crate) fn text<'r>(name: &str, lifecycle: &Lifecycle, resource: &'r Resource) -> Option<&'r str> {
    let (id_field, state_field) = match lifecycle.listing {
        Some(l) => (l.id_field, l.state_field),
        None => (lifecycle.id, "Status"),
    };
    if name.eq_ignore_ascii_case(lifecycle.id) || name.eq_ignore_ascii_case(id_field) {
        Some(&resource.id)
    } else if name.eq_ignore_ascii_case(state_field) {
        Some(&resource.state)
    } else if name == "RegionId" {
        resource.region.as_deref()
    } else {
        resource.fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn from_resource(
    field: &FieldShape,
    lifecycle: &Lifecycle,
    resource: &Resource,
    related: Option<Related<'_>>,
) -> Option<Value> {
    if field.shape.is_scalar() {
        let counted = related.and_then(|r| {
            let rules = rules::of(r.rules, lifecycle.resource);
            let (_, how) = rules.counted.iter().find(|(name, _)| name.eq_ignore_ascii_case(field.name))?;
            counted(*how, lifecycle, resource, r)
        });
        if let Some(n) = counted {
            return Some(Value::Int(n));
        }
        return typed(&field.shape, text(field.name, lifecycle, resource)?);
    }
    if let Shape::Struct(fields) = &field.shape {
        // A struct describing the resource itself (it holds its ID):
        // the resource as an item. Else one kept apart for it.
        let own_id = |f: &FieldShape| f.name.eq_ignore_ascii_case(lifecycle.id);
        if fields.iter().any(own_id) {
            return Some(item(fields, lifecycle, resource, related));
        }
        // A struct naming another resource the resource holds the ID of
        // (a vSwitch's `RouteTable`): that resource as an item.
        if let Some(r) = related
            && let Some((kind, other)) = fields.iter().find_map(|f| {
                let kind = r.lifecycles.iter().find(|l| l.id.eq_ignore_ascii_case(f.name))?;
                Some((*kind, r.store.get(kind.resource, text(f.name, lifecycle, resource)?)?))
            })
        {
            return Some(item(fields, kind, other, None));
        }
        return kept_struct(field.name, fields, resource);
    }
    let entries = related
        .and_then(|r| rules::of(r.rules, lifecycle.resource).entries)
        .filter(|e| e.listed_as.iter().any(|l| l.eq_ignore_ascii_case(field.name)));
    if let Some(entries) = entries {
        return Some(kept_entries(field, &entries, lifecycle, resource));
    }
    if let Shape::List { item: Shape::String, wrapper } = field.shape {
        let (_, of_kind) = children(field.name, lifecycle, resource, related?)?;
        return Some(list(wrapper, of_kind.iter().map(|c| Value::Str(c.id.clone())).collect()));
    }
    let (fields, wrapper) = list_of_structs(&field.shape)?;
    let items = if is_tags(field.name, fields) {
        tags(fields, resource)
    } else {
        listed_items(field.name, fields, lifecycle, resource, related?)?
    };
    Some(list(wrapper, items))
}

/// What `how` counts for `resource`; `None` when it cannot be told (a
/// block that does not parse).
fn counted(how: rules::Counted, lifecycle: &Lifecycle, resource: &Resource, related: Related<'_>) -> Option<i64> {
    match how {
        rules::Counted::FreeAddresses { block, held_by } => {
            let block = crate::cidr::Cidr::parse(text(block, lifecycle, resource)?)?;
            let held: usize = held_by
                .iter()
                .filter_map(|kind| related.lifecycles.iter().find(|l| l.resource == *kind))
                .map(|kind| of_parent(kind, lifecycle, resource, related.store).len())
                .sum();
            i64::try_from(block.assignable_count().saturating_sub(held as u64)).ok()
        }
    }
}

/// The entries the resource holds as a set, as `field` lists them: their
/// keys, or one struct each, its fields the entry's, else the resource's.
fn kept_entries(field: &FieldShape, entries: &rules::EntrySet, lifecycle: &Lifecycle, resource: &Resource) -> Value {
    let kept = entries.kept(&resource.fields);
    match &field.shape {
        Shape::List { item: Shape::Struct(fields), wrapper } => {
            let items = kept
                .into_iter()
                .map(|(key, own)| {
                    let value = |f: &FieldShape| {
                        let text = if f.name.eq_ignore_ascii_case(entries.key) {
                            Some(key)
                        } else {
                            own.iter().find(|(k, _)| k.eq_ignore_ascii_case(f.name)).map(|(_, v)| *v)
                        };
                        typed(&f.shape, text.or_else(|| self::text(f.name, lifecycle, resource))?)
                    };
                    Value::Map(fields.iter().filter_map(|f| Some((f.name.to_owned(), value(f)?))).collect())
                })
                .collect();
            list(*wrapper, items)
        }
        Shape::List { wrapper, .. } => {
            list(*wrapper, kept.into_iter().map(|(key, _)| Value::Str(key.to_owned())).collect())
        }
        _ => Value::List(Vec::new()),
    }
}

/// A struct kept apart on the resource, as fields named `{name}.{Field}`
/// (see [`crate::rules::Record`]); `None` when none is kept.
fn kept_struct(name: &str, fields: &[FieldShape], resource: &Resource) -> Option<Value> {
    let prefix = format!("{name}.");
    let kept = |field: &str| {
        resource
            .fields
            .iter()
            .find(|(k, _)| k.strip_prefix(&prefix).is_some_and(|f| f.eq_ignore_ascii_case(field)))
            .map(|(_, v)| v.as_str())
    };
    let values: Vec<(String, Value)> = fields
        .iter()
        .filter(|f| f.shape.is_scalar())
        .filter_map(|f| Some((f.name.to_owned(), typed(&f.shape, kept(f.name)?)?)))
        .collect();
    (!values.is_empty()).then_some(Value::Map(values))
}

/// The resource's tags as items of `fields` (`Key`/`Value` or `TagKey`/`TagValue`).
fn tags(fields: &[FieldShape], resource: &Resource) -> Vec<Value> {
    resource
        .tags
        .iter()
        .map(|(key, value)| {
            Value::Map(
                fields
                    .iter()
                    .filter_map(|f| match f.name {
                        "Key" | "TagKey" => Some((f.name.to_owned(), Value::Str(key.clone()))),
                        "Value" | "TagValue" => Some((f.name.to_owned(), Value::Str(value.clone()))),
                        _ => None,
                    })
                    .collect(),
            )
        })
        .collect()
}

/// The items of a list of structs that is not tags: one item per child the
/// rules list under `name` (a bandwidth package's EIPs), or the one item a
/// rule nests in the resource itself (a route entry's next hop); `None`
/// when no rule names the field.
fn listed_items(
    name: &str,
    fields: &[FieldShape],
    lifecycle: &Lifecycle,
    resource: &Resource,
    related: Related<'_>,
) -> Option<Vec<Value>> {
    let rules = rules::of(related.rules, lifecycle.resource);
    if rules.nested.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        let Value::Map(own) = item(fields, lifecycle, resource, None) else { return None };
        // Nothing of it known: no item rather than an empty one.
        return Some(if own.is_empty() { Vec::new() } else { vec![Value::Map(own)] });
    }
    rules.lists.iter().find(|(list, _)| list.eq_ignore_ascii_case(name))?;
    let (kind, of_kind) = children(name, lifecycle, resource, related)?;
    Some(of_kind.into_iter().map(|c| item(fields, kind, c, None)).collect())
}

/// `resource`'s children of the kind the rules list under `name`, else of
/// the kind whose ID parameter `name` is the plural of, oldest first, with
/// that kind; `None` when `name` names no kind.
fn children<'a>(
    name: &str,
    parent: &Lifecycle,
    resource: &Resource,
    related: Related<'a>,
) -> Option<(&'static Lifecycle, Vec<&'a Resource>)> {
    let alias =
        rules::of(related.rules, parent.resource).lists.iter().find(|(list, _)| list.eq_ignore_ascii_case(name));
    let kind: &'static Lifecycle = match alias {
        Some((_, kind)) => related.lifecycles.iter().find(|l| l.resource == *kind)?,
        None => {
            let singular = name.strip_suffix('s')?;
            related.lifecycles.iter().find(|l| l.id.eq_ignore_ascii_case(singular) && l.resource != parent.resource)?
        }
    };
    Some((kind, of_parent(kind, parent, resource, related.store)))
}

/// The resources of `kind` that record `resource` (of `parent`) as theirs, oldest first.
fn of_parent<'a>(kind: &Lifecycle, parent: &Lifecycle, resource: &Resource, store: &'a Store) -> Vec<&'a Resource> {
    let Some(of_kind) = store.kind(kind.resource) else { return Vec::new() };
    of_kind.iter().filter(|c| text(parent.id, kind, c) == Some(resource.id.as_str())).collect()
}

/// A list of key-value structs named `Tags` or `Tag`: a resource's tags.
fn is_tags(name: &str, item: &[FieldShape]) -> bool {
    (name.eq_ignore_ascii_case("Tags") || name.eq_ignore_ascii_case("Tag"))
        && item.iter().any(|f| f.name == "Key" || f.name == "TagKey")
}

/// `text` as a value of `shape`; `None` when it is not one (a stored
/// value that does not fit the declared kind is left out, not guessed).
pub(crate) fn typed(shape: &Shape, text: &str) -> Option<Value> {
    match shape {
        Shape::String | Shape::Enum => Some(Value::Str(text.to_owned())),
        Shape::Integer => text.trim().parse::<i32>().ok().map(|n| Value::Int(i64::from(n))),
        Shape::Long => text.trim().parse::<i64>().ok().map(Value::Int),
        Shape::Boolean => match text.trim() {
            t if t.eq_ignore_ascii_case("true") => Some(Value::Bool(true)),
            t if t.eq_ignore_ascii_case("false") => Some(Value::Bool(false)),
            _ => None,
        },
        Shape::Float => text.trim().parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| Value::Num(f.to_string())),
        Shape::Struct(_) | Shape::List { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aliyun_vpc::lifecycle::VPC;
    use std::collections::BTreeMap;

    fn vpc() -> Resource {
        Resource {
            kind: "Vpc".into(),
            id: "vpc-1".into(),
            seq: 0,
            state: "Available".into(),
            pending: None,
            region: Some("cn-hangzhou".into()),
            fields: BTreeMap::from([
                ("CidrBlock".to_owned(), "10.0.0.0/8".to_owned()),
                ("VpcName".to_owned(), "demo".to_owned()),
                ("IsDefault".to_owned(), "false".to_owned()),
                ("EnableIpv6".to_owned(), "not a boolean".to_owned()),
            ]),
            tags: vec![("env".into(), "prod".into())],
        }
    }

    fn shape(action: &str) -> &'static [FieldShape] {
        aliyun_vpc::OPERATIONS.iter().find(|o| o.action == action).unwrap().response
    }

    #[test]
    fn items_take_their_kinds_from_the_shape_and_leave_out_the_unknown() {
        let (fields, wrapper) = list_of_structs(&find_field(shape("DescribeVpcs"), "Vpcs").unwrap().shape).unwrap();
        assert_eq!(wrapper, Some("Vpc"));
        let Value::Map(item) = item(fields, &VPC, &vpc(), None) else { panic!() };
        let get = |name: &str| item.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        assert_eq!(get("VpcId"), Some(Value::Str("vpc-1".into())));
        assert_eq!(get("Status"), Some(Value::Str("Available".into())));
        assert_eq!(get("IsDefault"), Some(Value::Bool(false)));
        assert_eq!(get("EnableIpv6"), None, "a value that does not fit is left out");
        assert_eq!(get("VRouterId"), None, "never recorded");
        let tags = Value::Map(vec![(
            "Tag".into(),
            Value::List(vec![Value::Map(vec![
                ("Key".into(), Value::Str("env".into())),
                ("Value".into(), Value::Str("prod".into())),
            ])]),
        )]);
        assert_eq!(get("Tags"), Some(tags));
    }

    #[test]
    fn given_values_win_and_scalars_are_typed() {
        let r = vpc();
        let facts = Facts { resource: Some((&VPC, &r)), ..Facts::default() }
            .with("RequestId", Value::Str("R".into()))
            .with("VpcId", Value::Str("vpc-given".into()));
        let out = answer(shape("CreateVpc"), &facts);
        let names: Vec<&str> = out.iter().map(|(k, _)| k.as_str()).collect();
        assert!(names.contains(&"RequestId") && names.contains(&"VpcId"), "{names:?}");
        assert!(out.contains(&("VpcId".into(), Value::Str("vpc-given".into()))));
        assert_eq!(typed(&Shape::Integer, "12"), Some(Value::Int(12)));
        assert_eq!(typed(&Shape::Integer, "99999999999"), None);
        assert_eq!(typed(&Shape::Float, "1.5"), Some(Value::Num("1.5".into())));
        assert_eq!(typed(&Shape::Float, "NaN"), None);
        assert_eq!(typed(&Shape::Boolean, "TRUE"), Some(Value::Bool(true)));
    }
}
