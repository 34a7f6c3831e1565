//! Batch actions (see [`rules::Batch`]): the request split into one
//! request per list entry, and the answer written from which entries
//! succeeded and which failed. What each entry does is its own action's
//! business; `service.rs` runs them.

use std::collections::BTreeMap;

use aliyun_runtime::FieldShape;

use crate::answer;
use crate::error::ApiError;
use crate::render::Value;
use crate::rules::{self, BatchDone};

/// One entry of a batch, as a request of the entry's action.
pub(crate) struct Entry {
    /// The entry's action's parameters: the batch's own, but for its list,
    /// and the entry's fields under that action's names.
    pub params: BTreeMap<String, String>,
    /// The entry's fields under the batch's names (`DstCidrBlock`).
    pub fields: BTreeMap<String, String>,
}

/// What became of one entry: the ID it made or named, and its region; or
/// why it failed.
pub(crate) type Outcome = Result<(String, Option<String>), (ApiError, Entry)>;

/// The entries of `params`' batch list, `List.1` up to the first gap.
pub(crate) fn entries(batch: &rules::Batch, params: &BTreeMap<String, String>) -> Vec<Entry> {
    let list_prefix = format!("{}.", batch.list);
    let shared: BTreeMap<String, String> =
        params.iter().filter(|(k, _)| !k.starts_with(&list_prefix)).map(|(k, v)| (k.clone(), v.clone())).collect();
    rules::items(batch.list, params)
        .into_iter()
        .map(|fields| {
            let fields: BTreeMap<String, String> = fields.into_iter().collect();
            let mut own = shared.clone();
            for (name, value) in &fields {
                let renamed = batch.renames.iter().find(|(from, _)| from == name).map_or(name.as_str(), |(_, to)| to);
                own.insert(renamed.to_owned(), value.clone());
            }
            Entry { params: own, fields }
        })
        .collect()
}

/// The outcomes as a retry with the same token is answered them again:
/// `Done.N` (and `Done.N.Region`), `Failed.N.Code`, `Failed.N.Message` and
/// the failed entry's repeated fields as `Failed.N.<field>`.
pub(crate) fn remembered(batch: &rules::Batch, outcomes: &[Outcome]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let (mut done, mut failed) = (0, 0);
    for outcome in outcomes {
        match outcome {
            Ok((id, region)) => {
                done += 1;
                out.push((format!("Done.{done}"), id.clone()));
                if let Some(region) = region {
                    out.push((format!("Done.{done}.Region"), region.clone()));
                }
            }
            Err((error, entry)) => {
                failed += 1;
                out.push((format!("Failed.{failed}.Code"), error.code.to_string()));
                out.push((format!("Failed.{failed}.Message"), error.message.clone()));
                for name in batch.failed.echo {
                    if let Some(value) = entry.fields.get(*name) {
                        out.push((format!("Failed.{failed}.{name}"), value.clone()));
                    }
                }
            }
        }
    }
    out
}

/// The answer's values from what [`remembered`] kept: the list of what
/// succeeded, the list of what failed, and the two counts where the
/// response has them.
pub(crate) fn replayed(batch: &rules::Batch, shape: &[FieldShape], kept: &[(String, String)]) -> Vec<(String, Value)> {
    let get = |key: String| kept.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    let done: Vec<(String, Option<String>)> =
        (1..).map_while(|n| Some((get(format!("Done.{n}"))?, get(format!("Done.{n}.Region"))))).collect();
    let failed: Vec<Vec<(String, String)>> = (1..)
        .map_while(|n| {
            let prefix = format!("Failed.{n}.");
            let fields: Vec<(String, String)> =
                kept.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v.clone()))).collect();
            (!fields.is_empty()).then_some(fields)
        })
        .collect();
    let count = |n: usize| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
    let mut given =
        vec![("SuccessCount".to_owned(), count(done.len())), ("FailedCount".to_owned(), count(failed.len()))];
    match batch.done {
        BatchDone::Counted => {}
        BatchDone::Ids(list) => {
            let ids = done.iter().map(|(id, _)| Value::Str(id.clone())).collect();
            given.push((list.to_owned(), answer::list(answer::wrapper_of(shape, list), ids)));
        }
        BatchDone::Items { list, id, region } => {
            let items = done
                .iter()
                .map(|(made, in_region)| {
                    let mut item = vec![(id.to_owned(), Value::Str(made.clone()))];
                    if let (Some(name), Some(r)) = (region, in_region) {
                        item.push((name.to_owned(), Value::Str(r.clone())));
                    }
                    Value::Map(item)
                })
                .collect();
            given.push((list.to_owned(), answer::list(answer::wrapper_of(shape, list), items)));
        }
    }
    let f = &batch.failed;
    let items = failed
        .into_iter()
        .map(|fields| {
            Value::Map(
                fields
                    .into_iter()
                    .map(|(k, v)| {
                        let name = match k.as_str() {
                            "Code" => f.code.to_owned(),
                            "Message" => f.message.to_owned(),
                            _ => k,
                        };
                        (name, Value::Str(v))
                    })
                    .collect(),
            )
        })
        .collect();
    given.push((f.list.to_owned(), answer::list(answer::wrapper_of(shape, f.list), items)));
    given
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn entries_take_the_shared_parameters_and_their_own_under_the_actions_names() {
        let batch = &rules::VPC_BATCHES[0];
        let p = params(&[
            ("RegionId", "cn-hangzhou"),
            ("RouteEntries.1.RouteTableId", "vtb-1"),
            ("RouteEntries.1.DstCidrBlock", "10.0.0.0/24"),
            ("RouteEntries.1.NextHop", "i-1"),
            ("RouteEntries.2.RouteTableId", "vtb-1"),
            ("RouteEntries.4.RouteTableId", "vtb-9"),
        ]);
        let entries = entries(batch, &p);
        // Up to the first gap.
        assert_eq!(entries.len(), 2);
        let first = &entries[0].params;
        assert_eq!(first["RegionId"], "cn-hangzhou");
        assert_eq!(first["DestinationCidrBlock"], "10.0.0.0/24");
        assert_eq!(first["NextHopId"], "i-1");
        assert!(!first.keys().any(|k| k.starts_with("RouteEntries")));
        assert_eq!(entries[0].fields["DstCidrBlock"], "10.0.0.0/24");
    }
}
