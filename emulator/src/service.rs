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

use aliyun_runtime::{Lifecycle, OperationInfo, ParamSource, signing};

use crate::auth::{Authenticator, Style};
use crate::config::Config;
pub(crate) use crate::error::ApiError;
use crate::faults::{Fate, Injector};
use crate::model::{Action, Catalog, Role};
use crate::render::{self, Format, Value};
use crate::request::ApiRequest;
use crate::store::{Change, Remembered, Store};
use crate::wal::{self, Wal};
use crate::{clock, engine, ids, listing};

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
            catalog: Catalog::new(config.model),
            auth: Authenticator::new(&config.keys, config.max_clock_skew),
            faults: Injector::new(config.faults),
            store: Mutex::new(store),
            wal,
            state_lock: Mutex::new(state_lock),
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

    pub async fn handle(&self, req: &ApiRequest) -> Handled {
        let latency = self.faults.latency();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        match self.run(req).await {
            Ok((_, _, Fate::Dropped)) => Handled::Drop,
            Ok((action, done, _)) => {
                let request_id = ids::request_id();
                let mut fields = Vec::with_capacity(done.fields.len() + 1);
                fields.push(("RequestId".to_owned(), Value::Str(request_id.clone())));
                fields.extend(done.fields);
                let format = Format::from_param(req.param("Format"));
                let body = render::render(format, &format!("{action}Response"), &fields);
                Handled::Reply(Reply { status: 200, content_type: format.content_type(), request_id, body })
            }
            Err(e) => Handled::Reply(self.refuse(req, e)),
        }
    }

    /// An error in Alibaba's shape, in the format the request asked for:
    /// `RequestId`, `HostId` (the host the request was sent to), `Code`,
    /// `Message`, and `Recommend` (where to read about the code).
    pub fn refuse(&self, req: &ApiRequest, e: ApiError) -> Reply {
        let request_id = ids::request_id();
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
    fn execute(&self, action: &Action, params: &BTreeMap<String, String>) -> Result<Done, ApiError> {
        let info = action.info;
        let mut store = self.lock();
        let token = idempotency_token(info, params);
        if let Some((name, token)) = token
            && let Some(seen) = store.remembered(info.action, token)
        {
            if seen.fingerprint != fingerprint(params, name) {
                return Err(ApiError::token_reused(name));
            }
            // The first answer again, and nothing changes.
            let fields = seen.response.iter().map(|(k, v)| (k.clone(), Value::Str(v.clone()))).collect();
            return Ok(Done { fields, durable_at: self.appended() });
        }
        let (mut changes, response) = match action.role {
            Role::List(lifecycle, listing) => {
                let page = listing::page(&store, lifecycle, &listing, params);
                let durable_at = self.appended();
                drop(store);
                return Ok(Done { fields: listing::body(&listing, page), durable_at });
            }
            Role::Create(lifecycle) => create(&store, lifecycle, info, params),
            Role::Transition(lifecycle) => (vec![act(&store, lifecycle, info, params)?], Vec::new()),
            Role::Plain => (Vec::new(), Vec::new()),
        };
        if let Some((name, token)) = token {
            let remembered = Remembered { fingerprint: fingerprint(params, name), response: response.clone() };
            changes.push(Change::Token { action: info.action.to_owned(), token: token.to_owned(), remembered });
        }
        let durable_at = self.commit(&mut store, &changes)?;
        let fields = response.into_iter().map(|(k, v)| (k, Value::Str(v))).collect();
        Ok(Done { fields, durable_at })
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

fn create(
    store: &Store,
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
) -> (Vec<Change>, Vec<(String, String)>) {
    let id = loop {
        let id = ids::resource_id(lifecycle.id_prefix);
        if !store.contains_id(&id) {
            break id;
        }
    };
    let resource = engine::create(lifecycle, info, params, id.clone(), store.next_seq(), clock::format(clock::now()));
    (vec![Change::Put { resource }], vec![(lifecycle.id.to_owned(), id)])
}

fn act(
    store: &Store,
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
) -> Result<Change, ApiError> {
    let id = params
        .get(lifecycle.id)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| ApiError::missing_parameter(lifecycle.id))?;
    let region = params.get("RegionId").map(String::as_str);
    let resource = store
        .get(lifecycle.resource, id)
        .filter(|r| r.visible_from(region))
        .ok_or_else(|| engine::not_found(lifecycle, info, id))?;
    engine::act(lifecycle, info, resource, params)
}
