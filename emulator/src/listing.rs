//! The listing action of a lifecycle: resources of the caller's region,
//! narrowed by `Filter.N.Key` / `Filter.N.Value.M` (a resource must match
//! every filter, and any one value of each), in creation order, one page at
//! a time (`PageNumber` from 1, `PageSize` 10 unless given), with
//! `TotalCount`.
//!
//! The generated `Listing` names the items' list, wrapper, ID and state
//! fields; it does not say how the action pages, so the page-number style
//! (Alibaba's usual one) is assumed.

use std::collections::BTreeMap;

use aliyun_runtime::{Lifecycle, Listing};

use crate::render::Value;
use crate::store::{Resource, Store};

const DEFAULT_PAGE_SIZE: usize = 10;

/// One page of matching resources.
#[derive(Debug)]
pub(crate) struct Page {
    pub total: usize,
    pub number: usize,
    pub size: usize,
    pub items: Vec<Resource>,
}

/// `Filter.N.Key` with its values, N counted from 1 up to the first gap.
fn filters(params: &BTreeMap<String, String>) -> Vec<(&str, Vec<&str>)> {
    let mut out = Vec::new();
    for n in 1.. {
        let Some(key) = params.get(&format!("Filter.{n}.Key")) else { break };
        let mut values = Vec::new();
        for m in 1.. {
            match params.get(&format!("Filter.{n}.Value.{m}")) {
                Some(v) => values.push(v.as_str()),
                None => break,
            }
        }
        out.push((key.as_str(), values));
    }
    out
}

/// A resource's value for a filter key: its ID, its state, or a recorded field.
fn field<'a>(listing: &Listing, resource: &'a Resource, key: &str) -> Option<&'a str> {
    if key == listing.id_field {
        Some(&resource.id)
    } else if key == listing.state_field {
        Some(&resource.state)
    } else {
        resource.fields.get(key).map(String::as_str)
    }
}

pub(crate) fn page(store: &Store, lifecycle: &Lifecycle, listing: &Listing, params: &BTreeMap<String, String>) -> Page {
    let number = number(params, "PageNumber").unwrap_or(1).max(1);
    let size = number_or(params, "PageSize", DEFAULT_PAGE_SIZE).max(1);
    let filters = filters(params);
    let region = params.get("RegionId").map(String::as_str);
    let matches = |r: &Resource| {
        r.visible_from(region)
            && filters.iter().all(|(key, values)| {
                // A filter without values does not narrow anything.
                values.is_empty() || field(listing, r, key).is_some_and(|v| values.contains(&v))
            })
    };
    let Some(kind) = store.kind(lifecycle.resource) else {
        return Page { total: 0, number, size, items: Vec::new() };
    };
    // Filtering by ID is what waiters do on every poll: look the IDs up
    // rather than scan every resource.
    let by_id = filters.iter().find(|(key, values)| *key == listing.id_field && !values.is_empty());
    let matching: Vec<&Resource> = match by_id {
        Some((_, ids)) => {
            let mut found: Vec<&Resource> = ids.iter().filter_map(|id| kind.get(id)).filter(|r| matches(r)).collect();
            found.sort_by_key(|r| r.seq);
            found.dedup_by_key(|r| r.seq);
            found
        }
        None => kind.iter().filter(|r| matches(r)).collect(),
    };
    let skip = (number - 1).saturating_mul(size);
    let items = matching.iter().skip(skip).take(size).map(|r| (*r).clone()).collect();
    Page { total: matching.len(), number, size, items }
}

fn number(params: &BTreeMap<String, String>, name: &str) -> Option<usize> {
    params.get(name).and_then(|v| v.trim().parse().ok())
}

fn number_or(params: &BTreeMap<String, String>, name: &str, default: usize) -> usize {
    number(params, name).unwrap_or(default)
}

/// The response fields of a page, `RequestId` aside.
pub(crate) fn body(listing: &Listing, page: Page) -> Vec<(String, Value)> {
    let items: Vec<Value> = page
        .items
        .into_iter()
        .map(|r| {
            let mut fields = Vec::with_capacity(r.fields.len() + 2);
            fields.push((listing.id_field.to_owned(), Value::Str(r.id)));
            fields.push((listing.state_field.to_owned(), Value::Str(r.state)));
            fields.extend(r.fields.into_iter().map(|(k, v)| (k, Value::Str(v))));
            Value::Map(fields)
        })
        .collect();
    let list = match listing.wrapper {
        Some(wrapper) => Value::Map(vec![(wrapper.to_owned(), Value::List(items))]),
        None => Value::List(items),
    };
    let int = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    vec![
        ("PageNumber".to_owned(), int(page.number)),
        ("PageSize".to_owned(), int(page.size)),
        ("TotalCount".to_owned(), int(page.total)),
        (listing.items.to_owned(), list),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Change;
    use aliyun_vpc::lifecycle::PHYSICAL_CONNECTION as PC;

    fn store() -> Store {
        let mut store = Store::default();
        for (i, (state, name, region)) in [
            ("Enabled", "a", "cn-hangzhou"),
            ("Canceled", "b", "cn-hangzhou"),
            ("Enabled", "c", "cn-hangzhou"),
            ("Enabled", "d", "cn-beijing"),
        ]
        .into_iter()
        .enumerate()
        {
            let resource = Resource {
                kind: "PhysicalConnection".into(),
                id: format!("pc-{i}"),
                seq: i as u64,
                state: state.into(),
                pending: None,
                region: Some(region.into()),
                fields: [("Name".to_string(), name.to_string())].into(),
            };
            store.apply(&Change::Put { resource });
        }
        store
    }

    fn ids(params: &[(&str, &str)]) -> (usize, Vec<String>) {
        let params: BTreeMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let page = page(&store(), &PC, &PC.listing.unwrap(), &params);
        (page.total, page.items.into_iter().map(|r| r.id).collect())
    }

    #[test]
    fn region_filters_and_pages() {
        assert_eq!(ids(&[("RegionId", "cn-hangzhou")]).1, ["pc-0", "pc-1", "pc-2"]);
        assert_eq!(
            ids(&[("RegionId", "cn-hangzhou"), ("Filter.1.Key", "Status"), ("Filter.1.Value.1", "Enabled")]).1,
            ["pc-0", "pc-2"]
        );
        assert_eq!(
            ids(&[
                ("Filter.1.Key", "Status"),
                ("Filter.1.Value.1", "Enabled"),
                ("Filter.2.Key", "Name"),
                ("Filter.2.Value.1", "d"),
                ("Filter.2.Value.2", "c"),
            ])
            .1,
            ["pc-2", "pc-3"]
        );
        assert_eq!(
            ids(&[
                ("Filter.1.Key", "PhysicalConnectionId"),
                ("Filter.1.Value.1", "pc-3"),
                ("Filter.1.Value.2", "pc-1")
            ])
            .1,
            ["pc-1", "pc-3"]
        );
        assert_eq!(
            ids(&[("RegionId", "cn-beijing"), ("Filter.1.Key", "PhysicalConnectionId"), ("Filter.1.Value.1", "pc-1")])
                .1,
            Vec::<String>::new()
        );
        assert_eq!(ids(&[("PageSize", "3"), ("PageNumber", "2")]), (4, vec!["pc-3".to_string()]));
        assert_eq!(ids(&[("PageSize", "3"), ("PageNumber", "9")]), (4, vec![]));
    }
}
