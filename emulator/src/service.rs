//! One request through the service, in the gateway's order: who sent it,
//! which action of which version, injected faults, the action's own
//! parameter checks, then what the action does. Also the service's own
//! progress ([`Service::tick`]).
//!
//! What an action does comes from its role in the lifecycles (create, move,
//! list, or nothing), never from its name. The state is one lock: every
//! decision and the change it makes happen together, which is what keeps
//! concurrent creates, retries with the same token, and ticks from losing
//! or doubling anything.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Mutex, MutexGuard};

use aliyun_runtime::{Lifecycle, OperationInfo, ParamSource, find_field, signing};

use crate::answer::{self, Facts, Related};
use crate::auth::{Authenticator, Style};
use crate::cidr::Cidr;
use crate::config::{Config, Region};
pub(crate) use crate::error::ApiError;
use crate::error::documented_status;
use crate::faults::{Fate, Injector};
use crate::model::{Action, Catalog, Role, Special};
use crate::render::{self, Format, Value};
use crate::request::ApiRequest;
use crate::rules::{self, Generated, Quota, QuotaScope};
use crate::store::{Change, Remembered, Resource, Store};
use crate::wal::{self, Wal};
use crate::{batch, clock, engine, ids, listing};

/// A resource's ID parameter, and the parameter a request named it by.
type Renamed = (&'static str, &'static str);

/// What to send back.
pub(crate) enum Handled {
    Reply(Reply),
    /// Close the connection without an answer (an injected fault).
    Drop,
}

pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub request_id: String,
    pub body: Vec<u8>,
}

pub(crate) struct Service {
    catalog: Catalog,
    auth: Authenticator,
    faults: Injector,
    store: Mutex<Store>,
    wal: Option<Wal>,
    /// Released by `close`, once the log is closed.
    state_lock: Mutex<Option<wal::StateLock>>,
    regions: Vec<Region>,
    /// Makes resource and request IDs; seeded by `Config::id_seed` when given.
    ids: Mutex<fastrand::Rng>,
    /// Each kind's quota: the model's, as `Config::quotas` changes them.
    quotas: Vec<(&'static str, Quota)>,
    /// What every new resource records of its account: `OwnerId`, and the
    /// default `ResourceGroupId` unless the request names another.
    account: [(&'static str, String); 2],
    log_requests: bool,
}

/// What an action answered, `RequestId` aside, and how far the state file
/// must be on disk before it may be said.
struct Done {
    fields: Vec<(String, Value)>,
    durable_at: u64,
}

impl Service {
    /// Builds the service, replaying and compacting the state file when there is one.
    pub fn new(config: &Config) -> io::Result<Service> {
        let catalog = Catalog::new(config.model);
        let quotas = quotas(&catalog, &config.quotas).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let mut store = Store::default();
        let state_lock = config.state_file.as_deref().map(wal::lock).transpose()?;
        let wal = match &config.state_file {
            Some(path) => {
                for record in wal::replay(path)? {
                    record.iter().for_each(|c| store.apply(c));
                }
                Some(Wal::create(path, &store.snapshot(), config.state_write_delay)?)
            }
            None => None,
        };
        Ok(Service {
            catalog,
            auth: Authenticator::new(&config.keys, config.max_clock_skew),
            faults: Injector::new(config.faults),
            store: Mutex::new(store),
            wal,
            state_lock: Mutex::new(state_lock),
            regions: config.regions.clone(),
            ids: Mutex::new(config.id_seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed)),
            quotas,
            account: [
                ("OwnerId", config.account_id.clone()),
                ("ResourceGroupId", config.default_resource_group.clone()),
            ],
            log_requests: config.log_requests,
        })
    }

    /// Closes the state file and gives it up, so that another emulator may
    /// take it at once; requests still running can no longer change state.
    pub fn close(&self) {
        if let Some(wal) = &self.wal {
            wal.close();
        }
        self.state_lock.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave a change half made
        // (changes are applied whole), so the state is still good.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The generator of resource and request IDs; a panic elsewhere cannot
    /// leave it in a bad state.
    fn rng(&self) -> MutexGuard<'_, fastrand::Rng> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How the answer finds a resource's children and rules in `store`.
    fn related<'s>(&'s self, store: &'s Store) -> Related<'s> {
        Related { store, lifecycles: self.catalog.model.lifecycles, rules: self.catalog.model.rules }
    }

    fn request_id(&self) -> String {
        ids::request_id(&mut self.rng())
    }

    pub async fn handle(&self, req: &ApiRequest) -> Handled {
        let started = std::time::Instant::now();
        let latency = self.faults.latency();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let (handled, code) = match self.run(req).await {
            Ok((_, _, Fate::Dropped)) => (Handled::Drop, Some("(dropped)".to_owned())),
            Ok((action, done, _)) => {
                let request_id = self.request_id();
                let mut fields = done.fields;
                match fields.iter_mut().find(|(k, _)| k == "RequestId") {
                    Some((_, v)) => *v = Value::Str(request_id.clone()),
                    None => fields.insert(0, ("RequestId".to_owned(), Value::Str(request_id.clone()))),
                }
                let format = Format::from_param(req.param("Format"));
                let body = render::render(format, &format!("{action}Response"), &fields);
                (Handled::Reply(Reply { status: 200, content_type: format.content_type(), request_id, body }), None)
            }
            Err(e) => {
                let code = e.code.to_string();
                (Handled::Reply(self.refuse(req, e)), Some(code))
            }
        };
        let status = match &handled {
            Handled::Reply(r) => r.status,
            Handled::Drop => 0,
        };
        trace_request(req, status, code.as_deref(), started.elapsed());
        if self.log_requests {
            eprintln!("{}", log_line(req, status, code.as_deref(), started.elapsed()));
        }
        handled
    }

    /// An error in Alibaba's shape, in the format the request asked for:
    /// `RequestId`, `HostId` (the host the request was sent to), `Code`,
    /// `Message`, and `Recommend` (where to read about the code).
    pub fn refuse(&self, req: &ApiRequest, e: ApiError) -> Reply {
        let request_id = self.request_id();
        let status = e.status(self.catalog.model.common_errors);
        let format = Format::from_param(req.param("Format"));
        let host = req.header("host").unwrap_or("localhost");
        let recommend = format!(
            "https://api.aliyun.com/troubleshoot?q={}&product={}&requestId={request_id}",
            e.code, self.catalog.model.product
        );
        let fields = vec![
            ("RequestId".to_owned(), Value::Str(request_id.clone())),
            ("HostId".to_owned(), Value::Str(host.to_owned())),
            ("Code".to_owned(), Value::Str(e.code.into_owned())),
            ("Message".to_owned(), Value::Str(e.message)),
            ("Recommend".to_owned(), Value::Str(recommend)),
        ];
        let body = render::render(format, "Error", &fields);
        Reply { status, content_type: format.content_type(), request_id, body }
    }

    /// Serves the request; on success, the action's name with what it answered.
    async fn run(&self, req: &ApiRequest) -> Result<(&'static str, Done, Fate), ApiError> {
        if req.method != "GET" && req.method != "POST" {
            return Err(ApiError::new(
                400,
                "UnsupportedHTTPMethod",
                format!("The HTTP method {} is not supported; use GET or POST.", req.method),
            ));
        }
        let style = self.auth.verify(req)?;
        let (name, version) = match style {
            Style::V1 => (req.param("Action"), req.param("Version")),
            Style::V3 => (req.header("x-acs-action"), req.header("x-acs-version")),
        };
        let name = name.filter(|n| !n.is_empty()).ok_or_else(|| ApiError::missing_parameter("Action"))?;
        let version = version.filter(|v| !v.is_empty()).ok_or_else(|| ApiError::missing_parameter("Version"))?;
        let action = self
            .catalog
            .action(name)
            .filter(|_| version == self.catalog.model.version)
            .ok_or_else(|| ApiError::invalid_api(name, version))?;
        if req.path != "/" {
            return Err(ApiError::invalid_api(name, version));
        }
        let fate = self.faults.fate();
        match fate {
            Fate::Unavailable => return Err(ApiError::unavailable()),
            Fate::Throttled => return Err(ApiError::throttled()),
            Fate::Serve | Fate::Dropped => {}
        }
        (action.info.check)(&ParamSource::new(&req.params))?;
        let done = self.execute(action, &req.params)?;
        if let Some(wal) = &self.wal {
            wal.durable(done.durable_at).await?;
        }
        Ok((action.info.action, done, fate))
    }

    /// Decides and applies what the action does, all under the state lock.
    /// A dry run decides the same, then answers `DryRunOperation` and
    /// applies nothing.
    fn execute(&self, action: &Action, params: &BTreeMap<String, String>) -> Result<Done, ApiError> {
        let info = action.info;
        let (params, named) = self.named(info, params);
        let params = &*params;
        let dry_run = is_true(params.get("DryRun"));
        let mut store = self.lock();
        let token = idempotency_token(info, params).filter(|_| !dry_run);
        if let Some((name, token)) = token
            && let Some(seen) = store.remembered(info.action, token)
        {
            if seen.fingerprint != fingerprint(params, name) {
                return Err(ApiError::token_reused(name));
            }
            // The first answer again, and nothing changes.
            let given: Vec<(String, Value)> = match self.catalog.batch(info.action) {
                Some(b) => batch::replayed(b, info.response, &seen.response),
                None => seen.response.iter().map(|(k, v)| (k.clone(), Value::Str(v.clone()))).collect(),
            };
            let resource = match action.role {
                Role::Create(l) => seen
                    .response
                    .iter()
                    .find(|(k, _)| k == l.id)
                    .and_then(|(_, id)| store.get(l.resource, id).map(|r| (l, r))),
                _ => None,
            };
            let fields = self.answer(info, &Facts { given, resource, related: Some(self.related(&store)) });
            return Ok(Done { fields, durable_at: self.appended() });
        }
        if let Some(b) = self.catalog.batch(info.action) {
            return self.batch(&mut store, b, info, params, dry_run, token);
        }
        let outcome = self.decide(&store, action, params, &named)?;
        if dry_run {
            return Err(self.dry_run_passed());
        }
        let Outcome { mut changes, given, subject, remembered } = outcome;
        if let Some((name, token)) = token {
            let remembered = Remembered { fingerprint: fingerprint(params, name), response: remembered };
            changes.push(Change::Token { action: info.action.to_owned(), token: token.to_owned(), remembered });
        }
        let durable_at = self.commit(&mut store, &changes)?;
        let resource = subject.and_then(|(l, id)| store.get(l.resource, &id).map(|r| (l, r)));
        let fields = self.answer(info, &Facts { given, resource, related: Some(self.related(&store)) });
        Ok(Done { fields, durable_at })
    }

    /// A successful answer: what `facts` fill of the action's response,
    /// then the success fields its shape has and nothing filled.
    fn answer(&self, info: &OperationInfo, facts: &Facts<'_>) -> Vec<(String, Value)> {
        let mut fields = answer::answer(info.response, facts);
        for (name, value) in self.catalog.model.success {
            if let Some(field) = find_field(info.response, name)
                && !fields.iter().any(|(k, _)| k == name)
                && let Some(value) = answer::typed(&field.shape, value)
            {
                fields.push(((*name).to_owned(), value));
            }
        }
        fields
    }

    /// `params` with the ID parameter of each resource they name under
    /// another name in this action (see [`rules::ResourceRules::named_by`]),
    /// and which: `(ID parameter, parameter sent)`.
    fn named<'p>(
        &self,
        info: &OperationInfo,
        params: &'p BTreeMap<String, String>,
    ) -> (std::borrow::Cow<'p, BTreeMap<String, String>>, Vec<Renamed>) {
        let mut out = std::borrow::Cow::Borrowed(params);
        let mut named = Vec::new();
        for rules in self.catalog.model.rules {
            for (param, _) in rules.named_by.iter().filter(|(_, actions)| actions.contains(&info.action)) {
                let Some(lifecycle) = self.catalog.lifecycle(rules.resource) else { continue };
                if !params.contains_key(lifecycle.id)
                    && let Some(id) = params.get(*param)
                {
                    out.to_mut().insert(lifecycle.id.to_owned(), id.clone());
                    named.push((lifecycle.id, *param));
                }
            }
        }
        (out, named)
    }

    /// Serves a batch: each entry as its own action, in order, each change
    /// made before the next entry is decided; a dry run decides them all
    /// and changes nothing.
    fn batch(
        &self,
        store: &mut Store,
        batch: &'static rules::Batch,
        info: &OperationInfo,
        params: &BTreeMap<String, String>,
        dry_run: bool,
        token: Option<(&'static str, &str)>,
    ) -> Result<Done, ApiError> {
        let each = self.catalog.action(batch.each).ok_or_else(|| ApiError::invalid_api(batch.each, ""))?;
        let mut results = Vec::new();
        let mut durable_at = self.appended();
        for entry in batch::entries(batch, params) {
            let outcome = (each.info.check)(&ParamSource::new(&entry.params))
                .map_err(ApiError::from)
                .and_then(|()| self.decide(store, each, &entry.params, &[]));
            let result = match outcome {
                Ok(outcome) => {
                    // A create remembers the ID it made; a delete was given it.
                    let made = outcome.remembered.iter().find(|(k, _)| k == batch.id).map(|(_, v)| v);
                    let id = made.or_else(|| entry.params.get(batch.id)).cloned().unwrap_or_default();
                    if !dry_run {
                        durable_at = self.commit(store, &outcome.changes)?;
                    }
                    Ok((id, entry.params.get("RegionId").cloned()))
                }
                Err(e) => Err((e, entry)),
            };
            results.push(result);
        }
        if dry_run {
            return Err(self.dry_run_passed());
        }
        let remembered = batch::remembered(batch, &results);
        if let Some((name, token)) = token {
            let remembered = Remembered { fingerprint: fingerprint(params, name), response: remembered.clone() };
            let change = Change::Token { action: info.action.to_owned(), token: token.to_owned(), remembered };
            durable_at = self.commit(store, &[change])?;
        }
        let given = batch::replayed(batch, info.response, &remembered);
        let fields = self.answer(info, &Facts { given, resource: None, related: None });
        Ok(Done { fields, durable_at })
    }

    /// What the action does, without doing it; `named` says which
    /// resources the request named under another parameter (see [`Service::named`]).
    fn decide(
        &self,
        store: &Store,
        action: &Action,
        params: &BTreeMap<String, String>,
        named: &[Renamed],
    ) -> Result<Outcome, ApiError> {
        let info = action.info;
        let lifecycles = self.catalog.model.lifecycles;
        Ok(match action.role {
            Role::List(lifecycle, listing) => {
                let items = find_field(info.response, listing.items).and_then(|f| answer::list_of_structs(&f.shape));
                let (item, wrapper) = items.unwrap_or((&[], listing.wrapper));
                let token_paged = find_field(info.response, "NextToken").is_some();
                let generated = self.catalog.rules(lifecycle.resource).generated;
                let also: Vec<&str> = generated.iter().flat_map(|(names, _)| names.iter().copied()).collect();
                let page = listing::page(store, lifecycle, &listing, item, token_paged, &also, params);
                Outcome::answer(listing::facts(lifecycle, &listing, item, wrapper, &page, self.related(store)).given)
            }
            Role::Create(lifecycle) => {
                let parents = addressed(store, lifecycles, info, params, named, Some(lifecycle))?;
                check_cidr(store, lifecycle, info, params, &parents)?;
                self.check_quota(store, lifecycle, info, params)?;
                let id = self.new_id(store, lifecycle);
                let now = clock::format(clock::now());
                let mut resource = engine::create(lifecycle, info, params, id.clone(), store.next_seq(), now.clone());
                if let Some(entries) = self.catalog.rules(lifecycle.resource).entries {
                    entries.apply(&mut resource.fields, params);
                }
                let companions = self.made_with(store, lifecycle, &mut resource, &now, &parents);
                let mut changes = vec![Change::Put { resource }];
                changes.extend(companions);
                Outcome {
                    changes,
                    given: vec![(lifecycle.id.to_owned(), Value::Str(id.clone()))],
                    subject: Some((lifecycle, id.clone())),
                    remembered: vec![(lifecycle.id.to_owned(), id)],
                }
            }
            Role::Transition(lifecycle) => {
                addressed(store, lifecycles, info, params, named, Some(lifecycle))?;
                let mut change = act(store, lifecycle, info, params, named)?;
                let mut changes = Vec::new();
                match &mut change {
                    Change::Delete { id, .. } => {
                        let rules = self.catalog.rules(lifecycle.resource);
                        let forced = rules.forced_by.is_some_and(|p| is_true(params.get(p)));
                        if forced {
                            changes.extend(self.released(store, lifecycle, id));
                        } else {
                            refuse_with_children(store, lifecycles, rules, lifecycle, info, id)?;
                        }
                        // Its companions go with it.
                        changes.extend(
                            companions_of(store, lifecycles, rules, lifecycle, id)
                                .map(|r| Change::Delete { kind: r.kind.clone(), id: r.id.clone() }),
                        );
                    }
                    Change::Put { resource } => {
                        let rules = self.catalog.rules(lifecycle.resource);
                        if let Some(entries) = rules.entries {
                            entries.apply(&mut resource.fields, params);
                        }
                        for (_, fields) in rules.clears.iter().filter(|(a, _)| *a == info.action) {
                            resource.fields.retain(|k, _| !fields.iter().any(|f| f.eq_ignore_ascii_case(k)));
                            // An inherited field falls back to its parent's.
                            let parents: Vec<_> = rules
                                .inherits
                                .iter()
                                .filter_map(|(parent, _)| {
                                    let kind = lifecycles.iter().find(|l| l.id == *parent)?;
                                    Some((*kind, store.get(kind.resource, resource.fields.get(*parent)?)?))
                                })
                                .collect();
                            for (field, value) in inherited(rules, &parents) {
                                if fields.contains(&field) {
                                    resource.fields.insert(field.to_owned(), value);
                                }
                            }
                        }
                    }
                    Change::Token { .. } => {}
                }
                let subject = match &change {
                    Change::Put { resource } => Some((lifecycle, resource.id.clone())),
                    _ => None,
                };
                changes.insert(0, change);
                Outcome { changes, given: Vec::new(), subject, remembered: Vec::new() }
            }
            Role::Special(special) => self.special(store, special, info, params)?,
            Role::Plain => {
                let found = addressed(store, lifecycles, info, params, named, None)?;
                let mut changes = self.attachments(store, info, params)?;
                let switches = self.catalog.model.switches;
                if let Some(switch) = switches.iter().find(|s| s.opens == info.action) {
                    changes.push(opened(store, switch));
                }
                if let Some(switch) = switches.iter().find(|s| s.status == info.action) {
                    let open = store.get(rules::OPENED_SERVICE, switch.opens).is_some();
                    return Ok(Outcome::answer(vec![("Enabled".to_owned(), Value::Bool(open))]));
                }
                // The resource the action is about: the one named in the
                // action's name (the longest, so `VSwitch` over `Vpc`), else the first.
                let subject = found
                    .iter()
                    .filter(|(l, _)| info.action.contains(l.resource))
                    .max_by_key(|(l, _)| l.resource.len())
                    .or(found.first());
                if let Some(&(lifecycle, resource)) = subject {
                    let records = self.catalog.rules(lifecycle.resource).records;
                    if let Some(rule) = records.iter().find(|r| r.action == info.action) {
                        let mut kept = resource.clone();
                        engine::record(lifecycle, info, params, &mut kept.fields, Some(rule.under));
                        kept.fields.extend(rule.sets.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
                        changes.push(Change::Put { resource: kept });
                    }
                    let given = self.made_values(info, params, Vec::new());
                    let subject = Some((lifecycle, resource.id.clone()));
                    return Ok(Outcome { changes, subject, ..Outcome::answer(given) });
                }
                // Nothing of its own to answer from: what it was asked, an
                // empty page, and for a change the IDs of what it made, which
                // a retry with the same token is answered again.
                let given = answer::unmodelled(info.response, info.read_only, params);
                let mut given = self.made_values(info, params, given);
                let mut remembered = Vec::new();
                if !info.read_only {
                    for (field, prefix) in info.new_ids.iter().filter(|(f, _)| !params.contains_key(*f)) {
                        let id = ids::resource_id(&mut self.rng(), prefix);
                        given.retain(|(k, _)| k != field);
                        given.push(((*field).to_owned(), Value::Str(id.clone())));
                        remembered.push(((*field).to_owned(), id));
                    }
                }
                Outcome { changes, given, subject: None, remembered }
            }
        })
    }

    /// `given` with the values the action answers that no state holds
    /// (see [`rules::Made`]), where it has none of its own for them.
    fn made_values(
        &self,
        info: &OperationInfo,
        params: &BTreeMap<String, String>,
        mut given: Vec<(String, Value)>,
    ) -> Vec<(String, Value)> {
        for made in self.catalog.model.made.iter().filter(|m| m.action == info.action) {
            if given.iter().any(|(k, _)| k == made.field) {
                continue;
            }
            // What the request gave is answered back rather than made up.
            let asked = params.iter().find(|(k, _)| k.eq_ignore_ascii_case(made.field));
            let value = match asked {
                Some((_, v)) => Value::Str(v.clone()),
                None => self.made(made, info, params),
            };
            given.push((made.field.to_owned(), value));
        }
        given
    }

    /// A value no state holds, made as `how` says (see [`rules::Made`]).
    fn made(&self, made: &rules::Made, info: &OperationInfo, params: &BTreeMap<String, String>) -> Value {
        use rules::MadeValue;
        let mut rng = self.rng();
        match made.value {
            MadeValue::Constant(text) => Value::Str(text.to_owned()),
            MadeValue::PublicIpv4Block { mask, default } => {
                let prefix =
                    params.get(mask).and_then(|m| m.trim().parse::<u8>().ok()).filter(|m| (8..=32).contains(m));
                Value::Str(rules::public_ipv4_block(&mut rng, prefix.unwrap_or(default)))
            }
            MadeValue::Ipv6Block(prefix) => Value::Str(rules::ipv6_block(&mut rng, prefix)),
            MadeValue::IdPerEntry { prefix, field } => {
                let items = rules::items(made.field, params)
                    .iter()
                    .map(|_| Value::Map(vec![(field.to_owned(), Value::Str(ids::resource_id(&mut rng, prefix)))]))
                    .collect();
                answer::list(answer::wrapper_of(info.response, made.field), items)
            }
        }
    }

    /// A fresh ID for a resource of `lifecycle`.
    fn new_id(&self, store: &Store, lifecycle: &Lifecycle) -> String {
        let mut rng = self.rng();
        loop {
            let id = ids::resource_id(&mut rng, lifecycle.id_prefix);
            if !store.contains_id(&id) {
                return id;
            }
        }
    }

    /// Refuses a create that would take more resources of its kind than
    /// the quota allows, with the action's `QuotaExceeded.<Kind>` code when
    /// it documents one (else its plain `QuotaExceeded`, else that code with status 400).
    fn check_quota(
        &self,
        store: &Store,
        lifecycle: &Lifecycle,
        info: &OperationInfo,
        params: &BTreeMap<String, String>,
    ) -> Result<(), ApiError> {
        let Some((_, quota)) = self.quotas.iter().find(|(k, _)| *k == lifecycle.resource) else { return Ok(()) };
        let Some(kind) = store.kind(lifecycle.resource) else { return Ok(()) };
        let region = params.get("RegionId").map(String::as_str);
        let (held, scope) = match quota.per {
            QuotaScope::Region => {
                let held = kind.unordered().filter(|r| r.visible_from(region)).count();
                (held, format!("region {}", region.unwrap_or("(any)")))
            }
            QuotaScope::Parent(id_param) => {
                let Some(parent) = params.get(id_param).map(|p| p.trim()).filter(|p| !p.is_empty()) else {
                    return Ok(());
                };
                let held = kind.unordered().filter(|r| answer::text(id_param, lifecycle, r) == Some(parent)).count();
                (held, parent.to_owned())
            }
        };
        if held < quota.limit as usize {
            return Ok(());
        }
        let own = format!("QuotaExceeded.{}", lifecycle.resource);
        let code = info
            .errors
            .iter()
            .map(|e| e.code)
            .find(|c| c.eq_ignore_ascii_case(&own))
            .or_else(|| info.errors.iter().map(|e| e.code).find(|c| *c == "QuotaExceeded"))
            .unwrap_or("QuotaExceeded");
        Err(ApiError::new(
            documented_status(info.errors, code).unwrap_or(400),
            code.to_owned(),
            format!(
                "The quota of {} {}s in {scope} is reached: {held} of {}.",
                quota.limit, lifecycle.resource, quota.limit
            ),
        ))
    }

    /// What the rules add to a new resource: the fields it takes from the
    /// parents it is created in, its companions (returned, to be put
    /// beside it), the fields every new one has, and generated values.
    fn made_with(
        &self,
        store: &Store,
        lifecycle: &Lifecycle,
        resource: &mut Resource,
        now: &str,
        parents: &[(&'static Lifecycle, &Resource)],
    ) -> Vec<Change> {
        let rules = self.catalog.rules(lifecycle.resource);
        for (field, value) in &self.account {
            resource.fields.entry((*field).to_owned()).or_insert_with(|| value.clone());
        }
        let mut ids: Vec<(&str, String)> = vec![(lifecycle.id, resource.id.clone())];
        for (field, value) in inherited(rules, parents) {
            resource.fields.entry(field.to_owned()).or_insert_with(|| value.clone());
            ids.push((field, value));
        }
        let mut changes = Vec::new();
        for (n, companion) in (1..).zip(rules.companions) {
            let Some(kind) = self.catalog.lifecycle(companion.resource) else { continue };
            let id = self.new_id(store, kind);
            let mut fields: BTreeMap<String, String> = companion
                .fields
                .iter()
                .filter_map(|(name, template)| Some(((*name).to_owned(), rules::fill(template, &ids)?)))
                .collect();
            fields.insert("CreationTime".to_owned(), now.to_owned());
            fields.extend(self.account.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
            changes.push(Change::Put {
                resource: Resource {
                    kind: kind.resource.to_owned(),
                    id: id.clone(),
                    seq: resource.seq + n,
                    state: kind.initial.to_owned(),
                    pending: None,
                    region: resource.region.clone(),
                    fields,
                    tags: Vec::new(),
                },
            });
            ids.push((kind.id, id));
        }
        let own: Vec<(String, String)> = resource.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        ids.extend(own.iter().map(|(k, v)| (k.as_str(), v.clone())));
        for (name, template) in rules.fields {
            if let Some(value) = rules::fill(template, &ids) {
                resource.fields.entry((*name).to_owned()).or_insert(value);
            }
        }
        for (names, generated) in rules.generated {
            let value = match generated {
                Generated::PublicIpv4 => {
                    let held = store.kind(lifecycle.resource);
                    let taken = |ip: &str| {
                        held.is_some_and(|k| {
                            k.unordered().any(|r| names.iter().any(|n| r.fields.get(*n).is_some_and(|v| v == ip)))
                        })
                    };
                    rules::public_ipv4(&mut self.rng(), taken)
                }
                Generated::PrivateIpv4In(parent) => {
                    if names.iter().any(|n| resource.fields.contains_key(*n)) {
                        continue;
                    }
                    let Some(value) = private_ipv4(store, lifecycle, resource, names, parent, parents) else {
                        continue;
                    };
                    value
                }
            };
            for name in *names {
                resource.fields.insert((*name).to_owned(), value.clone());
            }
        }
        changes
    }

    /// What a forced delete of the resource `id` does to its dependents:
    /// those an action attached to it are detached, the others deleted.
    fn released(&self, store: &Store, owner: &Lifecycle, id: &str) -> Vec<Change> {
        let lifecycles = self.catalog.model.lifecycles;
        let rules = self.catalog.rules(owner.resource);
        dependents(store, lifecycles, rules, owner, id)
            .into_iter()
            .map(|r| {
                let attached = self.catalog.rules(&r.kind).attached_by.iter().any(|a| a.parent == owner.id);
                if attached {
                    let mut detached = r.clone();
                    detached.fields.remove(owner.id);
                    Change::Put { resource: detached }
                } else {
                    Change::Delete { kind: r.kind.clone(), id: r.id.clone() }
                }
            })
            .collect()
    }

    /// What the action attaches or detaches (see [`rules::Attach`]): the
    /// resource each rule's parameter names, holding or no longer holding
    /// the parent's ID. An unknown resource is its kind's not-found error.
    fn attachments(
        &self,
        store: &Store,
        info: &OperationInfo,
        params: &BTreeMap<String, String>,
    ) -> Result<Vec<Change>, ApiError> {
        let region = params.get("RegionId").map(String::as_str);
        let mut changes = Vec::new();
        for rules in self.catalog.model.rules {
            let Some(kind) = self.catalog.lifecycle(rules.resource) else { continue };
            for attach in rules.attached_by.iter().filter(|a| a.action == info.action) {
                let id = params
                    .get(attach.by)
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| ApiError::missing_parameter(attach.by))?;
                let parent = params.get(attach.parent).map(|v| v.trim()).unwrap_or_default();
                let mut resource = visible(store, kind, info, kind.id, id, region)?.clone();
                if !attach.detaches {
                    resource.fields.insert(attach.parent.to_owned(), parent.to_owned());
                } else if resource.fields.get(attach.parent).is_some_and(|held| held == parent) {
                    resource.fields.remove(attach.parent);
                }
                changes.push(Change::Put { resource });
            }
        }
        Ok(changes)
    }

    fn dry_run_passed(&self) -> ApiError {
        let message = self
            .catalog
            .model
            .common_errors
            .iter()
            .find(|d| d.code == "DryRunOperation")
            .map_or("Request validation has been passed with DryRun flag set.", |d| d.message);
        ApiError::gateway("DryRunOperation", message)
    }

    /// The region, zone and access point catalogue, tags and resource groups.
    fn special(
        &self,
        store: &Store,
        special: Special,
        info: &OperationInfo,
        params: &BTreeMap<String, String>,
    ) -> Result<Outcome, ApiError> {
        let list_field = |name: &str| find_field(info.response, name).and_then(|f| answer::list_of_structs(&f.shape));
        let catalogue_items = |name: &str, rows: Vec<Vec<(&str, String)>>| -> Vec<(String, Value)> {
            let Some((item, wrapper)) = list_field(name) else { return Vec::new() };
            let items = rows
                .into_iter()
                .map(|row| {
                    let given = row.into_iter().map(|(k, v)| (k.to_owned(), Value::Str(v))).collect();
                    Value::Map(answer::answer(item, &Facts { given, resource: None, related: None }))
                })
                .collect();
            vec![(name.to_owned(), answer::list(wrapper, items))]
        };
        Ok(match special {
            Special::DescribeRegions => {
                let rows = self
                    .regions
                    .iter()
                    .map(|r| {
                        vec![
                            ("RegionId", r.id.clone()),
                            ("LocalName", r.id.clone()),
                            ("RegionEndpoint", r.endpoint.clone()),
                        ]
                    })
                    .collect();
                Outcome::answer(catalogue_items("Regions", rows))
            }
            Special::DescribeZones => {
                let region = params.get("RegionId").map(String::as_str);
                let rows = self
                    .regions
                    .iter()
                    .filter(|r| region.is_none_or(|want| r.id == want))
                    .flat_map(|r| r.zones.iter())
                    .map(|z| {
                        vec![
                            ("ZoneId", z.clone()),
                            ("LocalName", z.clone()),
                            ("ZoneType", "AvailabilityZone".to_owned()),
                        ]
                    })
                    .collect();
                Outcome::answer(catalogue_items("Zones", rows))
            }
            Special::DescribeAccessPoints => {
                let region = params.get("RegionId").map(String::as_str);
                let rows: Vec<Vec<(&str, String)>> = self
                    .regions
                    .iter()
                    .filter(|r| region.is_none_or(|want| r.id == want))
                    .flat_map(|r| r.access_points.iter().map(move |ap| (r, ap)))
                    .map(|(r, ap)| {
                        vec![
                            ("AccessPointId", ap.clone()),
                            ("AttachedRegionNo", r.id.clone()),
                            ("Name", ap.trim_start_matches("ap-").to_owned()),
                            ("Status", "recommended".to_owned()),
                            ("Type", "VPC".to_owned()),
                        ]
                    })
                    .collect();
                let (page, size) = listing::numbered_page(params);
                let total = rows.len();
                let shown = rows.into_iter().skip((page - 1).saturating_mul(size)).take(size).collect();
                let mut given = catalogue_items("AccessPointSet", shown);
                for (name, value) in [("TotalCount", total), ("PageNumber", page), ("PageSize", size)] {
                    given.push((name.to_owned(), Value::Int(value as i64)));
                }
                Outcome::answer(given)
            }
            Special::TagResources | Special::UntagResources | Special::MoveResourceGroup => {
                let ids = resource_ids(params);
                let mut changes = Vec::with_capacity(ids.len());
                for id in ids {
                    let mut resource = self.tagged(store, info, params, &id)?.clone();
                    match special {
                        Special::TagResources => {
                            for (key, value) in engine::tags_in(params, "Tag") {
                                match resource.tags.iter_mut().find(|(k, _)| *k == key) {
                                    Some(tag) => tag.1 = value,
                                    None => resource.tags.push((key, value)),
                                }
                            }
                        }
                        Special::UntagResources => {
                            let all = params.get("All").is_some_and(|v| v.eq_ignore_ascii_case("true"));
                            let keys = numbered(params, "TagKey");
                            resource.tags.retain(|(k, _)| !all && !keys.contains(&k.as_str()));
                        }
                        _ => {
                            let group = params.get("NewResourceGroupId").cloned().unwrap_or_default();
                            resource.fields.insert("ResourceGroupId".to_owned(), group);
                        }
                    }
                    changes.push(Change::Put { resource });
                }
                Outcome { changes, ..Outcome::answer(Vec::new()) }
            }
            Special::ListTagResources => {
                let kind = params.get("ResourceType").map(String::as_str).unwrap_or_default();
                let wanted = engine::tags_in(params, "Tag");
                let ids = resource_ids(params);
                let mut resources: Vec<&Resource> = if ids.is_empty() {
                    let lifecycle = self.kind_of(kind, "");
                    let region = params.get("RegionId").map(String::as_str);
                    match lifecycle.and_then(|l| store.kind(l.resource)) {
                        Some(k) => k.iter().filter(|r| r.visible_from(region)).collect(),
                        None => Vec::new(),
                    }
                } else {
                    ids.iter().map(|id| self.tagged(store, info, params, id)).collect::<Result<_, _>>()?
                };
                resources.retain(|r| {
                    wanted.iter().all(|(k, v)| r.tags.iter().any(|(tk, tv)| tk == k && (v.is_empty() || tv == v)))
                });
                let pairs: Vec<Vec<(&str, String)>> = resources
                    .iter()
                    .flat_map(|r| {
                        r.tags.iter().map(|(k, v)| {
                            vec![
                                ("ResourceId", r.id.clone()),
                                ("ResourceType", kind.to_owned()),
                                ("TagKey", k.clone()),
                                ("TagValue", v.clone()),
                            ]
                        })
                    })
                    .collect();
                let start = params.get("NextToken").and_then(|t| t.trim().parse::<usize>().ok()).unwrap_or(0);
                let size = params.get("MaxResults").and_then(|t| t.trim().parse::<usize>().ok()).unwrap_or(50).max(1);
                let next = start.saturating_add(size);
                let mut given = catalogue_items("TagResources", pairs.iter().skip(start).take(size).cloned().collect());
                if next < pairs.len() {
                    given.push(("NextToken".to_owned(), Value::Str(next.to_string())));
                }
                Outcome::answer(given)
            }
        })
    }

    /// The lifecycle a tag action's `ResourceType` names (`VPC`, `VSWITCH`,
    /// `EIP`: the resource's name in any case), else the one whose ID prefix `id` has.
    fn kind_of(&self, resource_type: &str, id: &str) -> Option<&'static Lifecycle> {
        let lifecycles = self.catalog.model.lifecycles;
        lifecycles.iter().copied().find(|l| l.resource.eq_ignore_ascii_case(resource_type)).or_else(|| {
            lifecycles
                .iter()
                .copied()
                .filter(|l| !id.is_empty() && id.starts_with(l.id_prefix))
                .max_by_key(|l| l.id_prefix.len())
        })
    }

    /// The resource a tag action names, or its kind's not-found error.
    fn tagged<'s>(
        &self,
        store: &'s Store,
        info: &OperationInfo,
        params: &BTreeMap<String, String>,
        id: &str,
    ) -> Result<&'s Resource, ApiError> {
        let kind = params.get("ResourceType").map(String::as_str).unwrap_or_default();
        let Some(lifecycle) = self.kind_of(kind, id) else {
            return Err(ApiError::from(aliyun_runtime::ParamError::Invalid {
                parameter: "ResourceType".into(),
                reason: format!("no resource kind `{kind}` is served here"),
            }));
        };
        visible(store, lifecycle, info, lifecycle.id, id, params.get("RegionId").map(String::as_str))
    }

    /// Logs, then applies, `changes`; returns what to wait for before answering.
    fn commit(&self, store: &mut Store, changes: &[Change]) -> Result<u64, ApiError> {
        if changes.is_empty() {
            return Ok(self.appended());
        }
        let at = match &self.wal {
            Some(wal) => wal.append(changes)?,
            None => 0,
        };
        changes.iter().for_each(|c| store.apply(c));
        Ok(at)
    }

    /// The last record queued to the state file (0 without one).
    fn appended(&self) -> u64 {
        self.wal.as_ref().map_or(0, Wal::appended)
    }

    pub fn injected(&self) -> crate::faults::InjectedFaults {
        self.faults.injected()
    }

    /// Advances the service's own progress `steps` times: each resource
    /// completes its transient state or takes its first listed step.
    /// Returns how many moves were made.
    pub fn tick(&self, steps: u32) -> usize {
        let mut moved = 0;
        for _ in 0..steps {
            let mut store = self.lock();
            let mut resources: Vec<_> = store
                .all()
                .filter_map(|r| self.catalog.lifecycle(&r.kind).and_then(|l| engine::progress(l, r)))
                .collect();
            if resources.is_empty() {
                break;
            }
            // Same order every time, so replaying the log is reproducible.
            resources.sort_by_key(|r| r.seq);
            let changes: Vec<Change> = resources.into_iter().map(|resource| Change::Put { resource }).collect();
            if self.commit(&mut store, &changes).is_err() {
                break;
            }
            moved += changes.len();
        }
        moved
    }
}

/// The token of a write that carries one.
fn idempotency_token<'p>(
    info: &OperationInfo,
    params: &'p BTreeMap<String, String>,
) -> Option<(&'static str, &'p str)> {
    let name = info.idempotency_token.filter(|_| !info.read_only)?;
    let token = params.get(name).filter(|t| !t.is_empty())?;
    Some((name, token))
}

/// The request's own parameters, canonically: a retry must send the same.
fn fingerprint(params: &BTreeMap<String, String>, token: &str) -> String {
    let own: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k.as_str() != token && !engine::SIGNING.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    signing::canonical_query(&own)
}

fn act(
    store: &Store,
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
    named: &[Renamed],
) -> Result<Change, ApiError> {
    let sent = sent_as(lifecycle, named);
    let id = params.get(lifecycle.id).filter(|id| !id.is_empty()).ok_or_else(|| ApiError::missing_parameter(sent))?;
    let resource = visible(store, lifecycle, info, sent, id, params.get("RegionId").map(String::as_str))?;
    if !inside_named_scope(lifecycle, resource, params) {
        return Err(engine::not_found(lifecycle, info, sent, id));
    }
    engine::act(lifecycle, info, resource, params)
}

/// The resource `id` of `lifecycle` as a request for `region` sees it, else
/// its kind's not-found error, quoting the request's parameter `param`.
fn visible<'s>(
    store: &'s Store,
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    param: &str,
    id: &str,
    region: Option<&str>,
) -> Result<&'s Resource, ApiError> {
    store
        .get(lifecycle.resource, id)
        .filter(|r| r.visible_from(region))
        .ok_or_else(|| engine::not_found(lifecycle, info, param, id))
}

/// The parameter the request named a resource of `lifecycle` by: its ID
/// parameter, unless `named` says another.
fn sent_as(lifecycle: &Lifecycle, named: &[Renamed]) -> &'static str {
    named.iter().find(|(own, _)| *own == lifecycle.id).map_or(lifecycle.id, |(_, sent)| sent)
}

/// Whether `resource` is inside the containers the request names: an entry
/// listed per table (its lifecycle's scope, `SnatTableId`) is not found
/// through another table, as the service answers.
fn inside_named_scope(lifecycle: &Lifecycle, resource: &Resource, params: &BTreeMap<String, String>) -> bool {
    let scope = lifecycle.listing.map_or(&[][..], |l| l.scope);
    scope.iter().all(|name| match (params.get(*name).map(|v| v.trim()), resource.fields.get(*name)) {
        (Some(named), Some(own)) if !named.is_empty() => named == own,
        _ => true,
    })
}

/// What an action decided: the changes, the values of its answer it chose,
/// the resource the rest of the answer is read from, and what a retry with
/// the same token is answered.
struct Outcome {
    changes: Vec<Change>,
    given: Vec<(String, Value)>,
    subject: Option<(&'static Lifecycle, String)>,
    remembered: Vec<(String, String)>,
}

impl Outcome {
    fn answer(given: Vec<(String, Value)>) -> Self {
        Outcome { changes: Vec::new(), given, subject: None, remembered: Vec::new() }
    }
}

/// The resources the request names by their ID parameters (`VpcId`,
/// `AllocationId`...), other than `own` (the created or moved kind, looked
/// up by its own role): each must exist in the caller's region, or the
/// answer is that kind's not-found error.
fn addressed<'s>(
    store: &'s Store,
    lifecycles: &[&'static Lifecycle],
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
    named: &[Renamed],
    own: Option<&Lifecycle>,
) -> Result<Vec<(&'static Lifecycle, &'s Resource)>, ApiError> {
    let region = params.get("RegionId").map(String::as_str);
    let mut found = Vec::new();
    for &lifecycle in lifecycles {
        if own.is_some_and(|o| o.resource == lifecycle.resource) {
            continue;
        }
        let Some(id) = params.get(lifecycle.id).map(|v| v.trim()).filter(|v| !v.is_empty()) else { continue };
        found.push((lifecycle, visible(store, lifecycle, info, sent_as(lifecycle, named), id, region)?));
    }
    Ok(found)
}

/// Records that the account opened `switch`'s service (again, if it had).
fn opened(store: &Store, switch: &rules::ServiceSwitch) -> Change {
    let seq = store.get(rules::OPENED_SERVICE, switch.opens).map_or_else(|| store.next_seq(), |r| r.seq);
    Change::Put {
        resource: Resource {
            kind: rules::OPENED_SERVICE.to_owned(),
            id: switch.opens.to_owned(),
            seq,
            state: "Opened".to_owned(),
            pending: None,
            region: None,
            fields: BTreeMap::new(),
            tags: Vec::new(),
        },
    }
}

/// The `true` of a boolean parameter, in any case.
fn is_true(value: Option<&String>) -> bool {
    value.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The fields a new resource takes from the parents it names (see
/// [`rules::ResourceRules::inherits`]), with their values.
fn inherited(rules: &rules::ResourceRules, parents: &[(&'static Lifecycle, &Resource)]) -> Vec<(&'static str, String)> {
    rules
        .inherits
        .iter()
        .filter_map(|(parent, field)| {
            let (kind, resource) = parents.iter().find(|(l, _)| l.id == *parent)?;
            Some((*field, answer::text(field, kind, resource)?.to_owned()))
        })
        .collect()
}

/// The lowest address of the block of `resource`'s parent named by
/// `parent` (its ID parameter) that no resource of the same kind in that
/// parent holds under `names`; `None` when the parent has no block or no
/// address is left.
fn private_ipv4(
    store: &Store,
    lifecycle: &Lifecycle,
    resource: &Resource,
    names: &[&str],
    parent: &str,
    parents: &[(&'static Lifecycle, &Resource)],
) -> Option<String> {
    let (_, owner) = parents.iter().find(|(l, _)| l.id == parent)?;
    let block = Cidr::parse(owner.fields.get("CidrBlock")?)?;
    let siblings: Vec<&Resource> = store
        .kind(lifecycle.resource)
        .map(|k| k.unordered().filter(|r| r.fields.get(parent) == resource.fields.get(parent)).collect())
        .unwrap_or_default();
    block
        .assignable()
        .map(|ip| ip.to_string())
        .find(|ip| !siblings.iter().any(|r| names.iter().any(|n| r.fields.get(*n) == Some(ip))))
}

/// The resources that name the resource `id` of `parent` as theirs (a
/// vSwitch recorded with its VPC's `VpcId`), its companions aside, oldest first.
fn dependents<'s>(
    store: &'s Store,
    lifecycles: &[&'static Lifecycle],
    rules: &rules::ResourceRules,
    parent: &Lifecycle,
    id: &str,
) -> Vec<&'s Resource> {
    let mut found: Vec<&Resource> = store
        .all()
        .filter(|r| r.kind != parent.resource && !is_companion(rules, parent, id, r))
        .filter(|r| {
            lifecycles.iter().find(|l| l.resource == r.kind).is_some_and(|l| answer::text(parent.id, l, r) == Some(id))
        })
        .collect();
    found.sort_by_key(|r| r.seq);
    found
}

/// The action's own code for a dependent of `kind`: `DependencyViolation.<Kind>`.
fn dependency_code(info: &OperationInfo, kind: &str) -> Option<&'static str> {
    info.errors
        .iter()
        .map(|e| e.code)
        .find(|c| c.strip_prefix("DependencyViolation.").is_some_and(|k| k.eq_ignore_ascii_case(kind)))
}

/// Deleting a resource that others still name as their parent (a vSwitch
/// recorded with the VPC's `VpcId`) fails with the action's
/// `DependencyViolation` code: `DependencyViolation.<ChildKind>` for the
/// oldest dependent whose kind the action documents one for, else its plain
/// or first `DependencyViolation*` for the oldest dependent.
fn refuse_with_children(
    store: &Store,
    lifecycles: &[&'static Lifecycle],
    rules: &rules::ResourceRules,
    parent: &Lifecycle,
    info: &OperationInfo,
    id: &str,
) -> Result<(), ApiError> {
    let children = dependents(store, lifecycles, rules, parent, id);
    let documented = children.iter().find_map(|c| dependency_code(info, &c.kind).map(|code| (*c, Some(code))));
    let Some((child, own)) = documented.or_else(|| children.first().map(|c| (*c, None))) else { return Ok(()) };
    let dependency = |code: &str| code.starts_with("DependencyViolation");
    let code = own
        .or_else(|| info.errors.iter().map(|e| e.code).find(|c| *c == "DependencyViolation"))
        .or_else(|| info.errors.iter().map(|e| e.code).find(|c| dependency(c)))
        .unwrap_or("DependencyViolation");
    Err(ApiError::new(
        documented_status(info.errors, code).unwrap_or(400),
        code.to_owned(),
        format!("The {} {id} still has a dependent {} ({}); delete that first.", parent.resource, child.kind, child.id),
    ))
}

/// Whether `r` was made with the resource `id` of `owner` (see
/// [`rules::Companion`]): of a companion's kind, holding the owner's ID and
/// every fixed field of the companion.
fn is_companion(rules: &rules::ResourceRules, owner: &Lifecycle, id: &str, r: &Resource) -> bool {
    rules.companions.iter().any(|c| {
        c.resource == r.kind
            && r.fields.get(owner.id).is_some_and(|v| v == id)
            && c.fields
                .iter()
                .filter(|(_, v)| !v.contains('{'))
                .all(|(k, v)| r.fields.get(*k).is_some_and(|have| have == v))
    })
}

/// The companions of the resource `id` of `owner`.
fn companions_of<'s>(
    store: &'s Store,
    lifecycles: &[&'static Lifecycle],
    rules: &'s rules::ResourceRules,
    owner: &'s Lifecycle,
    id: &'s str,
) -> impl Iterator<Item = &'s Resource> {
    let kinds: Vec<&'static Lifecycle> =
        lifecycles.iter().copied().filter(|l| rules.companions.iter().any(|c| c.resource == l.resource)).collect();
    kinds
        .into_iter()
        .filter_map(|l| store.kind(l.resource))
        .flat_map(|k| k.iter())
        .filter(move |r| is_companion(rules, owner, id, r))
}

/// Each kind's quota: the model's rules, with `overrides` (kind, limit)
/// replacing their limits; a kind without a quota gets one per region.
fn quotas(catalog: &Catalog, overrides: &[(String, u32)]) -> Result<Vec<(&'static str, Quota)>, String> {
    let mut out: Vec<(&'static str, Quota)> =
        catalog.model.rules.iter().filter_map(|r| r.quota.map(|q| (r.resource, q))).collect();
    for (kind, limit) in overrides {
        let Some(lifecycle) = catalog.model.lifecycles.iter().find(|l| l.resource.eq_ignore_ascii_case(kind)) else {
            let kinds: Vec<&str> = catalog.model.lifecycles.iter().map(|l| l.resource).collect();
            return Err(format!("no resource kind `{kind}` to set a quota for; the kinds are {}", kinds.join(", ")));
        };
        match out.iter_mut().find(|(k, _)| *k == lifecycle.resource) {
            Some((_, quota)) => quota.limit = *limit,
            None => out.push((lifecycle.resource, Quota { limit: *limit, per: QuotaScope::Region })),
        }
    }
    Ok(out)
}

/// The CIDR rules (see [`Cidr`]): a new resource's `CidrBlock` must be well
/// formed (when the action documents a `...Malformed` CIDR code), inside
/// the `CidrBlock` of each parent the request names, and clear of the
/// blocks of that parent's other children of its kind.
fn check_cidr(
    store: &Store,
    kind: &Lifecycle,
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
    parents: &[(&'static Lifecycle, &Resource)],
) -> Result<(), ApiError> {
    let Some(text) = params.get("CidrBlock").map(|t| t.trim()).filter(|t| !t.is_empty()) else { return Ok(()) };
    let documented = |pick: &dyn Fn(&str) -> bool| info.errors.iter().find(|e| pick(e.code));
    let error = |doc: Option<&aliyun_runtime::ErrorDoc>, fallback: &'static str, message: String| match doc {
        Some(doc) => ApiError::new(doc.status, doc.code, message),
        None => ApiError::new(400, fallback, message),
    };
    let Some(block) = Cidr::parse(text) else {
        let malformed = documented(&|c| c.contains("Cidr") && c.ends_with(".Malformed"));
        return match malformed {
            Some(doc) => Err(error(Some(doc), "", format!("The CIDR block {text} is not valid."))),
            None => Ok(()),
        };
    };
    for (parent_kind, parent) in parents {
        let Some(outer) = parent.fields.get("CidrBlock").and_then(|c| Cidr::parse(c)) else { continue };
        if !block.within(outer) {
            return Err(ApiError::new(
                documented_status(info.errors, "InvalidParameter").unwrap_or(400),
                "InvalidParameter",
                format!(
                    "Specified CIDR block is not valid in {}: {text} is not inside {} of {}.",
                    parent_kind.resource, parent.fields["CidrBlock"], parent.id
                ),
            ));
        }
        let Some(siblings) = store.kind(kind.resource) else { continue };
        let clash = siblings.iter().find(|r| {
            answer::text(parent_kind.id, kind, r) == Some(parent.id.as_str())
                && r.fields.get("CidrBlock").and_then(|c| Cidr::parse(c)).is_some_and(|c| c.overlaps(block))
        });
        if let Some(clash) = clash {
            let overlapped = documented(&|c| c.contains("Cidr") && c.ends_with(".Overlapped"));
            return Err(error(
                overlapped,
                "InvalidCidrBlock.Overlapped",
                format!("Specified CIDR block {text} overlaps {} of {}.", clash.fields["CidrBlock"], clash.id),
            ));
        }
    }
    Ok(())
}

/// `ResourceId.N`, or a single `ResourceId`.
fn resource_ids(params: &BTreeMap<String, String>) -> Vec<String> {
    let mut ids: Vec<String> = numbered(params, "ResourceId").into_iter().map(str::to_owned).collect();
    if ids.is_empty()
        && let Some(id) = params.get("ResourceId").filter(|v| !v.is_empty())
    {
        ids.push(id.clone());
    }
    ids
}

/// `Name.1`, `Name.2`, ... up to the first gap.
fn numbered<'p>(params: &'p BTreeMap<String, String>, name: &str) -> Vec<&'p str> {
    (1..).map_while(|n| params.get(&format!("{name}.{n}")).map(String::as_str)).collect()
}

/// The action a request names, made safe to log: the caller's text, cut
/// to 64 visible ASCII characters, so that a log line stays one line.
fn logged_action(req: &ApiRequest) -> String {
    let action = req.param("Action").or_else(|| req.header("x-acs-action")).unwrap_or("-");
    action.chars().take(64).map(|c| if c.is_ascii_graphic() { c } else { '?' }).collect()
}

/// The request as a `tracing` event of target `vpc_emulator::request`, with
/// the same fields as the log line: INFO when answered, WARN when refused
/// (4xx), ERROR for a server error or a dropped answer (status 0).
fn trace_request(req: &ApiRequest, status: u16, code: Option<&str>, took: std::time::Duration) {
    let action = logged_action(req);
    let code = code.unwrap_or("-");
    // Tenths of a millisecond, as the log line shows it.
    let latency_ms = (took.as_secs_f64() * 10_000.0).round() / 10.0;
    let method = req.method.as_str();
    match status {
        200..=399 => tracing::info!(target: "vpc_emulator::request", method, action, status, code, latency_ms),
        400..=499 => tracing::warn!(target: "vpc_emulator::request", method, action, status, code, latency_ms),
        _ => tracing::error!(target: "vpc_emulator::request", method, action, status, code, latency_ms),
    }
}

/// One line of the request log: never a parameter value, so never a secret.
fn log_line(req: &ApiRequest, status: u16, code: Option<&str>, took: std::time::Duration) -> String {
    let action = logged_action(req);
    format!(
        "vpc-emulator: {} {action} {status} {} {:.1}ms",
        req.method,
        code.unwrap_or("-"),
        took.as_secs_f64() * 1000.0
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_names_the_call_never_its_values() {
        let query = "Action=CreateVpc&AccessKeyId=id&Signature=secret-sig&SecurityToken=tok&VpcName=mine";
        let req = ApiRequest::new("GET", "/", Some(query), hyper::HeaderMap::new(), bytes::Bytes::new());
        let line = log_line(&req, 404, Some("InvalidVpcId.NotFound"), std::time::Duration::from_micros(1500));
        assert_eq!(line, "vpc-emulator: GET CreateVpc 404 InvalidVpcId.NotFound 1.5ms");
        let odd = ApiRequest::new("POST", "/", Some("Action=A%0AB"), hyper::HeaderMap::new(), bytes::Bytes::new());
        assert_eq!(log_line(&odd, 200, None, std::time::Duration::ZERO), "vpc-emulator: POST A?B 200 - 0.0ms");
    }
}
