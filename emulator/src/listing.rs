//! The listing action of a lifecycle: resources of the caller's region,
//! narrowed by
//!
//! - `Filter.N.Key` / `Filter.N.Value.M` (a resource must match every
//!   filter, and any one value of each);
//! - the ID parameter itself (`VpcId=vpc-1`, comma-separated IDs, or a list
//!   `PrefixListIds.N`), which is how waiters find one resource;
//! - any other scalar parameter named like a field of the listed items
//!   (`VpcId` on `DescribeVSwitches`, `ResourceGroupId`, `VpcName`): the
//!   resource must hold that value (a boolean it lacks counts as `false`);
//! - `Tag.N.Key` / `Tag.N.Value` (every tag must be on the resource; a tag
//!   without a value matches any value);
//!
//! in creation order, one page at a time: `PageNumber` from 1 and
//! `PageSize` (10 unless given), or `NextToken` and `MaxResults` when the
//! answer's shape has a `NextToken`.

use std::collections::BTreeMap;

use aliyun_runtime::{FieldShape, Lifecycle, Listing, find_field};

use crate::answer::{self, Facts, Related, text};
use crate::engine::{SIGNING, tags_in};
use crate::render::Value;
use crate::store::{Resource, Store};

const DEFAULT_PAGE_SIZE: usize = 10;

/// Parameters about paging or the call itself, never filters.
const NOT_FILTERS: &[&str] =
    &["RegionId", "PageNumber", "PageSize", "NextToken", "MaxResults", "DryRun", "ClientToken", "AcceptLanguage"];

/// One page of matching resources.
#[derive(Debug)]
pub(crate) struct Page {
    pub total: usize,
    pub number: usize,
    pub size: usize,
    /// Paged by `NextToken`: the token of the next page, if there is one.
    pub tokens: Option<Option<String>>,
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

/// The IDs the request asks for by the ID parameter: `Id=a,b`, or `Ids.N`.
fn requested_ids<'p>(listing: &Listing, params: &'p BTreeMap<String, String>) -> Option<Vec<&'p str>> {
    let id = listing.id_field;
    let mut ids: Vec<&str> = Vec::new();
    let mut asked = false;
    for (name, value) in params {
        let base = name.split_once('.').map_or(name.as_str(), |(b, _)| b);
        let by_id = if name.contains('.') {
            base.strip_suffix('s').is_some_and(|b| b.eq_ignore_ascii_case(id))
                && name[base.len() + 1..].bytes().all(|b| b.is_ascii_digit())
        } else {
            name.eq_ignore_ascii_case(id)
        };
        if by_id && !value.trim().is_empty() {
            asked = true;
            ids.extend(value.split(',').map(str::trim).filter(|v| !v.is_empty()));
        }
    }
    asked.then_some(ids)
}

/// Whether a parameter narrows by a field of the listed items, or by one
/// of `also` (values the service makes up, under each of their names).
fn attribute<'p>(
    item: &[FieldShape],
    listing: &Listing,
    also: &[&str],
    name: &'p str,
    value: &'p str,
) -> Option<(&'p str, &'p str, bool)> {
    if name.contains('.')
        || value.is_empty()
        || SIGNING.contains(&name)
        || NOT_FILTERS.contains(&name)
        || name.eq_ignore_ascii_case(listing.id_field)
    {
        return None;
    }
    let field = find_field(item, name).map(|f| f.shape);
    let boolean = matches!(field, Some(aliyun_runtime::Shape::Boolean));
    let known = field.is_some_and(|s| s.is_scalar()) || name == "ResourceGroupId" || also.contains(&name);
    known.then_some((name, value, boolean))
}

pub(crate) fn page(
    store: &Store,
    lifecycle: &Lifecycle,
    listing: &Listing,
    item: &[FieldShape],
    token_paged: bool,
    also: &[&str],
    params: &BTreeMap<String, String>,
) -> Page {
    let (number, size) = if token_paged {
        let size = number(params, "MaxResults").unwrap_or(DEFAULT_PAGE_SIZE).max(1);
        let start = params.get("NextToken").and_then(|t| t.trim().parse::<usize>().ok()).unwrap_or(0);
        (start / size + 1, size)
    } else {
        numbered_page(params)
    };
    let skip = if token_paged {
        params.get("NextToken").and_then(|t| t.trim().parse::<usize>().ok()).unwrap_or(0)
    } else {
        (number - 1).saturating_mul(size)
    };
    let filters = filters(params);
    let tags = tags_in(params, "Tag");
    let attributes: Vec<_> = params.iter().filter_map(|(k, v)| attribute(item, listing, also, k, v)).collect();
    let region = params.get("RegionId").map(String::as_str);
    let matches = |r: &Resource| {
        r.visible_from(region)
            && filters.iter().all(|(key, values)| {
                // A filter without values does not narrow anything.
                values.is_empty() || text(key, lifecycle, r).is_some_and(|v| values.contains(&v))
            })
            && attributes.iter().all(|(name, want, boolean)| match text(name, lifecycle, r) {
                Some(have) if *boolean => have.eq_ignore_ascii_case(want),
                Some(have) => have == *want,
                None => *boolean && want.eq_ignore_ascii_case("false"),
            })
            && tags.iter().all(|(key, value)| r.tags.iter().any(|(k, v)| k == key && (value.is_empty() || v == value)))
    };
    let empty = |tokens| Page { total: 0, number, size, tokens, items: Vec::new() };
    let Some(kind) = store.kind(lifecycle.resource) else {
        return empty(token_paged.then_some(None));
    };
    // Asking by ID is what waiters do on every poll: look the IDs up rather
    // than scan every resource.
    let by_filter =
        filters.iter().find(|(key, values)| *key == listing.id_field && !values.is_empty()).map(|(_, ids)| ids.clone());
    let by_id = match (requested_ids(listing, params), by_filter) {
        (Some(mut a), Some(b)) => {
            a.retain(|id| b.contains(id));
            Some(a)
        }
        (a, b) => a.or(b),
    };
    let matching: Vec<&Resource> = match by_id {
        Some(ids) => {
            let mut found: Vec<&Resource> = ids.iter().filter_map(|id| kind.get(id)).filter(|r| matches(r)).collect();
            found.sort_by_key(|r| r.seq);
            found.dedup_by_key(|r| r.seq);
            found
        }
        // Tags are indexed: start from the resources that carry them.
        None if !tags.is_empty() => kind.tagged(&tags).into_iter().filter(|r| matches(r)).collect(),
        None => {
            let mut found: Vec<&Resource> = kind.unordered().filter(|r| matches(r)).collect();
            found.sort_unstable_by_key(|r| r.seq);
            found
        }
    };
    let items: Vec<Resource> = matching.iter().skip(skip).take(size).map(|r| (*r).clone()).collect();
    let next = skip.saturating_add(size);
    let tokens = token_paged.then(|| (next < matching.len()).then(|| next.to_string()));
    Page { total: matching.len(), number, size, tokens, items }
}

/// The page a numbered listing asks for, `(PageNumber, PageSize)`: the
/// first, of the default size, unless the request says otherwise.
pub(crate) fn numbered_page(params: &BTreeMap<String, String>) -> (usize, usize) {
    (number(params, "PageNumber").unwrap_or(1).max(1), number(params, "PageSize").unwrap_or(DEFAULT_PAGE_SIZE).max(1))
}

fn number(params: &BTreeMap<String, String>, name: &str) -> Option<usize> {
    params.get(name).and_then(|v| v.trim().parse().ok())
}

/// What a page says, for [`answer::answer`] to write in the action's shape.
pub(crate) fn facts(
    lifecycle: &Lifecycle,
    listing: &Listing,
    item: &[FieldShape],
    wrapper: Option<&str>,
    page: &Page,
    related: Related<'_>,
) -> Facts<'static> {
    let items: Vec<Value> = page.items.iter().map(|r| answer::item(item, lifecycle, r, Some(related))).collect();
    let int = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let mut facts =
        Facts::default().with("TotalCount", int(page.total)).with(listing.items, answer::list(wrapper, items));
    match &page.tokens {
        Some(next) => {
            facts = facts.with("MaxResults", int(page.size)).with("Count", int(page.items.len()));
            if let Some(next) = next {
                facts = facts.with("NextToken", Value::Str(next.clone()));
            }
        }
        None => facts = facts.with("PageNumber", int(page.number)).with("PageSize", int(page.size)),
    }
    facts
}

#[cfg(test)]
fn tests_item() -> &'static [FieldShape] {
    let info = aliyun_vpc::OPERATIONS.iter().find(|o| o.action == "DescribePhysicalConnections").unwrap();
    answer::list_of_structs(&find_field(info.response, "PhysicalConnectionSet").unwrap().shape).unwrap().0
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
                tags: Vec::new(),
            };
            store.apply(&Change::Put { resource });
        }
        store
    }

    fn ids(params: &[(&str, &str)]) -> (usize, Vec<String>) {
        let params: BTreeMap<String, String> = params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let item = super::tests_item();
        let page = page(&store(), &PC, &PC.listing.unwrap(), item, false, &[], &params);
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
