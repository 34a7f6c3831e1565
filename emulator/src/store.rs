//! The service's state: resources by kind and ID, and the answers given to
//! idempotent requests by their token. It changes only through [`Change`]s,
//! which are also what the write-ahead log records, so replaying the log
//! rebuilds exactly the state that was acknowledged.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

/// One resource as the service holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Resource {
    /// The lifecycle it follows (`PhysicalConnection`).
    pub kind: String,
    pub id: String,
    /// Creation order, which is also listing order.
    pub seq: u64,
    pub state: String,
    /// The state a transient (`via`) state completes to on a later tick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
    /// `RegionId` it was created in; it is only seen from that region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// What its requests said about it, by response field name.
    pub fields: BTreeMap<String, String>,
    /// Its tags, key and value, in the order they were first set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<(String, String)>,
}

impl Resource {
    /// Whether a request for `region` sees it: it is only seen from the
    /// region it was created in, or from anywhere if either is missing.
    pub fn visible_from(&self, region: Option<&str>) -> bool {
        match (self.region.as_deref(), region) {
            (Some(have), Some(want)) => have == want,
            _ => true,
        }
    }
}

/// The answer to an idempotent request, kept by its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Remembered {
    /// The request's own parameters, canonically encoded: a retry must match.
    pub fingerprint: String,
    /// The answer's fields other than `RequestId`.
    pub response: Vec<(String, String)>,
}

/// Every way the state changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Change {
    /// A resource is created or replaced whole.
    Put {
        resource: Resource,
    },
    Delete {
        kind: String,
        id: String,
    },
    /// An idempotent request succeeded with this answer.
    Token {
        action: String,
        token: String,
        remembered: Remembered,
    },
}

/// The resources of one kind.
#[derive(Debug, Default)]
pub(crate) struct Kind {
    by_id: HashMap<String, Resource>,
    /// IDs in creation order.
    order: BTreeMap<u64, String>,
    /// Sequence numbers by tag key (`None`) and by tag key and value:
    /// listings narrowed by tags start here instead of scanning every resource.
    by_tag: HashMap<(String, Option<String>), BTreeSet<u64>>,
}

impl Kind {
    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.by_id.get(id)
    }

    /// Every resource, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Resource> {
        self.order.values().filter_map(|id| self.by_id.get(id))
    }

    /// Every resource, in no order: a scan without a lookup per resource.
    pub fn unordered(&self) -> impl Iterator<Item = &Resource> {
        self.by_id.values()
    }

    /// The resources carrying every tag of `tags` (one with an empty value
    /// carries the key with any value), oldest first.
    pub fn tagged(&self, tags: &[(String, String)]) -> Vec<&Resource> {
        let sets: Option<Vec<&BTreeSet<u64>>> =
            tags.iter().map(|(k, v)| self.by_tag.get(&(k.clone(), (!v.is_empty()).then(|| v.clone())))).collect();
        let Some(mut sets) = sets else { return Vec::new() };
        sets.sort_by_key(|s| s.len());
        let Some((first, rest)) = sets.split_first() else { return self.iter().collect() };
        first
            .iter()
            .filter(|seq| rest.iter().all(|s| s.contains(seq)))
            .filter_map(|seq| self.order.get(seq).and_then(|id| self.by_id.get(id)))
            .collect()
    }

    fn index(&mut self, r: &Resource) {
        for (k, v) in &r.tags {
            for key in [(k.clone(), None), (k.clone(), Some(v.clone()))] {
                self.by_tag.entry(key).or_default().insert(r.seq);
            }
        }
    }

    fn unindex(&mut self, r: &Resource) {
        for (k, v) in &r.tags {
            for key in [(k.clone(), None), (k.clone(), Some(v.clone()))] {
                if let Some(set) = self.by_tag.get_mut(&key) {
                    set.remove(&r.seq);
                    if set.is_empty() {
                        self.by_tag.remove(&key);
                    }
                }
            }
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Store {
    kinds: HashMap<String, Kind>,
    tokens: HashMap<(String, String), Remembered>,
    next_seq: u64,
}

impl Store {
    pub fn kind(&self, kind: &str) -> Option<&Kind> {
        self.kinds.get(kind)
    }

    pub fn get(&self, kind: &str, id: &str) -> Option<&Resource> {
        self.kinds.get(kind).and_then(|k| k.get(id))
    }

    pub fn contains_id(&self, id: &str) -> bool {
        self.kinds.values().any(|k| k.by_id.contains_key(id))
    }

    pub fn remembered(&self, action: &str, token: &str) -> Option<&Remembered> {
        // A tuple key of owned strings cannot be looked up by borrowed
        // parts; tokens are short, so the copy is cheap.
        self.tokens.get(&(action.to_owned(), token.to_owned()))
    }

    /// The sequence number the next new resource gets.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Every resource of every kind, for the service's own progress.
    pub fn all(&self) -> impl Iterator<Item = &Resource> {
        self.kinds.values().flat_map(Kind::iter)
    }

    pub fn apply(&mut self, change: &Change) {
        match change {
            Change::Put { resource } => {
                self.next_seq = self.next_seq.max(resource.seq + 1);
                let kind = self.kinds.entry(resource.kind.clone()).or_default();
                if let Some(old) = kind.by_id.insert(resource.id.clone(), resource.clone()) {
                    kind.order.remove(&old.seq);
                    kind.unindex(&old);
                }
                kind.order.insert(resource.seq, resource.id.clone());
                kind.index(resource);
            }
            Change::Delete { kind, id } => {
                if let Some(k) = self.kinds.get_mut(kind)
                    && let Some(old) = k.by_id.remove(id)
                {
                    k.order.remove(&old.seq);
                    k.unindex(&old);
                }
            }
            Change::Token { action, token, remembered } => {
                self.tokens.insert((action.clone(), token.clone()), remembered.clone());
            }
        }
    }

    /// Changes that rebuild this state from nothing: what a compacted log holds.
    pub fn snapshot(&self) -> Vec<Change> {
        let mut resources: Vec<&Resource> = self.all().collect();
        resources.sort_by_key(|r| r.seq);
        let mut changes: Vec<Change> = resources.into_iter().map(|r| Change::Put { resource: r.clone() }).collect();
        let mut tokens: Vec<_> = self.tokens.iter().collect();
        tokens.sort_by(|a, b| a.0.cmp(b.0));
        changes.extend(tokens.into_iter().map(|((action, token), remembered)| Change::Token {
            action: action.clone(),
            token: token.clone(),
            remembered: remembered.clone(),
        }));
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(id: &str, seq: u64, state: &str) -> Resource {
        Resource {
            kind: "Thing".into(),
            id: id.into(),
            seq,
            state: state.into(),
            pending: None,
            region: None,
            fields: BTreeMap::new(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn puts_replace_deletes_remove_and_order_is_creation_order() {
        let mut store = Store::default();
        store.apply(&Change::Put { resource: resource("b", 0, "New") });
        store.apply(&Change::Put { resource: resource("a", 1, "New") });
        store.apply(&Change::Put { resource: resource("b", 0, "Done") });
        let ids: Vec<_> = store.kind("Thing").unwrap().iter().map(|r| (r.id.as_str(), r.state.as_str())).collect();
        assert_eq!(ids, [("b", "Done"), ("a", "New")]);
        assert_eq!(store.next_seq(), 2);
        store.apply(&Change::Delete { kind: "Thing".into(), id: "b".into() });
        store.apply(&Change::Delete { kind: "Nothing".into(), id: "x".into() });
        assert_eq!(store.kind("Thing").unwrap().iter().count(), 1);
        assert!(!store.contains_id("b"));
    }

    #[test]
    fn tags_are_indexed_through_puts_and_deletes() {
        let mut store = Store::default();
        let tagged = |id: &str, seq: u64, tags: &[(&str, &str)]| {
            let mut r = resource(id, seq, "New");
            r.tags = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            Change::Put { resource: r }
        };
        store.apply(&tagged("a", 0, &[("env", "prod"), ("team", "net")]));
        store.apply(&tagged("b", 1, &[("env", "dev")]));
        store.apply(&tagged("c", 2, &[("env", "prod")]));
        let ids = |store: &Store, tags: &[(&str, &str)]| -> Vec<String> {
            let tags: Vec<(String, String)> = tags.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            store.kind("Thing").unwrap().tagged(&tags).into_iter().map(|r| r.id.clone()).collect()
        };
        assert_eq!(ids(&store, &[("env", "prod")]), ["a", "c"]);
        assert_eq!(ids(&store, &[("env", "")]), ["a", "b", "c"]);
        assert_eq!(ids(&store, &[("env", "prod"), ("team", "net")]), ["a"]);
        assert!(ids(&store, &[("nope", "")]).is_empty());
        store.apply(&tagged("a", 0, &[("env", "dev")]));
        assert_eq!(ids(&store, &[("env", "prod")]), ["c"]);
        store.apply(&Change::Delete { kind: "Thing".into(), id: "c".into() });
        assert!(ids(&store, &[("env", "prod")]).is_empty());
        assert_eq!(ids(&store, &[("env", "dev")]), ["a", "b"]);
    }

    #[test]
    fn a_snapshot_rebuilds_the_same_state() {
        let mut store = Store::default();
        store.apply(&Change::Put { resource: resource("a", 0, "New") });
        store.apply(&Change::Put { resource: resource("b", 1, "New") });
        store.apply(&Change::Token {
            action: "Create".into(),
            token: "t".into(),
            remembered: Remembered { fingerprint: "f".into(), response: vec![("Id".into(), "a".into())] },
        });
        let mut rebuilt = Store::default();
        store.snapshot().iter().for_each(|c| rebuilt.apply(c));
        assert_eq!(rebuilt.snapshot(), store.snapshot());
        assert!(rebuilt.remembered("Create", "t").is_some());
    }
}
