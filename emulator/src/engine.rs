//! What lifecycle actions and the service's own progress do to a resource,
//! read from the generated `Lifecycle` data. Pure: each function looks at a
//! resource and the request, and says what the resource becomes (or why
//! not); the caller applies and logs it.

use std::collections::BTreeMap;

use aliyun_runtime::{Lifecycle, OperationInfo, Transition};

use crate::error::{ApiError, documented_status};
use crate::store::{Change, Resource};

/// Parameters about how the request was sent and signed, not what it
/// asks for: left out of idempotency fingerprints and resource fields.
pub(crate) const SIGNING: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "SignatureType",
    "Timestamp",
    "SecurityToken",
];

/// A new resource made by a creating action, in the lifecycle's initial state.
pub(crate) fn create(
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
    id: String,
    seq: u64,
    created_at: String,
) -> Resource {
    let mut fields = BTreeMap::new();
    record(lifecycle, info, params, &mut fields, None);
    fields.insert("CreationTime".to_owned(), created_at);
    Resource {
        kind: lifecycle.resource.to_owned(),
        id,
        seq,
        state: lifecycle.initial.to_owned(),
        pending: None,
        region: params.get("RegionId").cloned(),
        fields,
        tags: tags_in(params, "Tag"),
    }
}

/// `Name.N.Key` / `Name.N.Value` pairs, N from 1 up to the first gap; a tag
/// without a value has an empty one.
pub(crate) fn tags_in(params: &BTreeMap<String, String>, name: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for n in 1.. {
        let Some(key) = params.get(&format!("{name}.{n}.Key")) else { break };
        let value = params.get(&format!("{name}.{n}.Value")).cloned().unwrap_or_default();
        match out.iter_mut().find(|(k, _)| k == key) {
            Some(existing) => existing.1 = value,
            None => out.push((key.clone(), value)),
        }
    }
    out
}

/// What `action` does to `resource`: moves it (to `via` first when there
/// is one, to complete later), keeps its state, or deletes it. Every
/// action that keeps the resource also records its own parameters on it,
/// which is what makes a Modify action modify.
pub(crate) fn act(
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    resource: &Resource,
    params: &BTreeMap<String, String>,
) -> Result<Change, ApiError> {
    let Some(step) = lifecycle.transition(info.action, &resource.state) else {
        return Err(not_allowed(lifecycle, info, resource));
    };
    if step.deletes {
        return Ok(Change::Delete { kind: resource.kind.clone(), id: resource.id.clone() });
    }
    let mut next = resource.clone();
    record(lifecycle, info, params, &mut next.fields, None);
    enter(&mut next, step);
    Ok(Change::Put { resource: next })
}

/// One step the service takes on its own: completing a transient state, or
/// else the first of the lifecycle's own transitions listed from the
/// current state (the spec lists the usual path first). `None` when the
/// resource rests where it is.
pub(crate) fn progress(lifecycle: &Lifecycle, resource: &Resource) -> Option<Resource> {
    let mut next = resource.clone();
    if let Some(to) = next.pending.take() {
        next.state = to;
        return Some(next);
    }
    let step =
        lifecycle.transitions.iter().find(|t| t.action.is_none() && t.from.contains(&resource.state.as_str()))?;
    enter(&mut next, step).then_some(next)
}

/// Moves `resource` as `step` says: to `via` with `to` pending, or straight
/// to `to`. Returns whether it moved (a step without `to` keeps the state).
fn enter(resource: &mut Resource, step: &Transition) -> bool {
    match (step.via, step.to) {
        (Some(via), Some(to)) => {
            resource.state = via.to_owned();
            resource.pending = Some(to.to_owned());
        }
        (None, Some(to)) => {
            resource.state = to.to_owned();
            resource.pending = None;
        }
        (_, None) => return false,
    }
    true
}

/// The lifecycle's not-found code, or Alibaba's usual `Invalid<Id>.NotFound`
/// when the spec names none; answered with the status the action documents
/// for it, else 404. The message quotes `id` as the request's parameter
/// `param` sent it.
pub(crate) fn not_found(lifecycle: &Lifecycle, info: &OperationInfo, param: &str, id: &str) -> ApiError {
    let code = match lifecycle.not_found {
        Some(code) => code.to_owned(),
        None => format!("Invalid{}.NotFound", lifecycle.id),
    };
    let status = documented_status(info.errors, &code).unwrap_or(404);
    ApiError::new(status, code, format!("The {param} provided ({id}) does not exist in our records."))
}

/// The action's wrong-state code (`IncorrectStatus` when the spec names
/// none), with the status the action documents for it, else 400.
fn not_allowed(lifecycle: &Lifecycle, info: &OperationInfo, resource: &Resource) -> ApiError {
    let action = info.action;
    let otherwise = lifecycle.transitions.iter().filter(|t| t.action == Some(action)).find_map(|t| t.otherwise);
    let mut allowed: Vec<&str> = Vec::new();
    for t in lifecycle.transitions.iter().filter(|t| t.action == Some(action)) {
        for state in t.from {
            if !allowed.contains(state) {
                allowed.push(state);
            }
        }
    }
    let code = otherwise.unwrap_or("IncorrectStatus");
    ApiError::new(
        documented_status(info.errors, code).unwrap_or(400),
        code,
        format!(
            "The request does not allow in this state: {} {} is {}, and {action} needs {}.",
            lifecycle.resource,
            resource.id,
            resource.state,
            allowed.join(" or ")
        ),
    )
}

/// Copies the request's own scalar parameters onto the resource's fields,
/// or, with `under`, onto fields named `{under}.{Name}`, kept apart from
/// the resource's own for the response struct of that name.
///
/// Field names are matched to the fields it already has without regard to
/// case (`bandwidth` updates `Bandwidth`); a new one gets an upper-case
/// first letter, as Alibaba's response fields have; answers match them to
/// their response shape without regard to case. Flattened lists and
/// structs (`Tag.1.Key`) are not recorded here; tags are kept apart.
pub(crate) fn record(
    lifecycle: &Lifecycle,
    info: &OperationInfo,
    params: &BTreeMap<String, String>,
    fields: &mut BTreeMap<String, String>,
    under: Option<&str>,
) {
    let (id_field, state_field) = match lifecycle.listing {
        Some(l) => (l.id_field, l.state_field),
        None => (lifecycle.id, ""),
    };
    for (name, value) in params {
        // The region is kept apart from the fields: it scopes the resource.
        let reserved = SIGNING.contains(&name.as_str())
            || name == "RegionId"
            || name == "DryRun"
            || name.contains('.')
            || Some(name.as_str()) == info.idempotency_token
            || name.eq_ignore_ascii_case(lifecycle.id)
            || name.eq_ignore_ascii_case(id_field)
            || name.eq_ignore_ascii_case(state_field);
        if reserved {
            continue;
        }
        let name = match under {
            Some(under) => format!("{under}.{}", capitalized(name)),
            None => name.clone(),
        };
        let field = match fields.keys().find(|k| k.eq_ignore_ascii_case(&name)) {
            Some(existing) => existing.clone(),
            None => capitalized(&name),
        };
        fields.insert(field, value.clone());
    }
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aliyun_vpc::lifecycle::PHYSICAL_CONNECTION as PC;

    fn info(action: &str) -> &'static OperationInfo {
        aliyun_vpc::OPERATIONS.iter().find(|o| o.action == action).unwrap()
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn created() -> Resource {
        let p = params(&[
            ("RegionId", "cn-hangzhou"),
            ("AccessPointId", "ap-1"),
            ("bandwidth", "100"),
            ("ClientToken", "t"),
            ("Tag.1.Key", "env"),
            ("Signature", "x"),
        ]);
        create(&PC, info("CreatePhysicalConnection"), &p, "pc-1".into(), 0, "2024-01-01T00:00:00Z".into())
    }

    #[test]
    fn creation_records_the_requests_own_scalar_parameters() {
        let r = created();
        assert_eq!(r.state, "Initial");
        assert_eq!(r.region.as_deref(), Some("cn-hangzhou"));
        let names: Vec<&str> = r.fields.keys().map(String::as_str).collect();
        assert_eq!(names, ["AccessPointId", "Bandwidth", "CreationTime"]);
    }

    #[test]
    fn the_service_follows_the_first_listed_path_and_rests() {
        let mut r = created();
        let mut seen = Vec::new();
        while let Some(next) = progress(&PC, &r) {
            r = next;
            seen.push(r.state.clone());
        }
        assert_eq!(seen, ["Allocating", "Allocated"]);
    }

    #[test]
    fn actions_move_keep_or_delete_and_refuse_other_states() {
        let mut r = created();
        r.state = "Enabled".into();
        let Ok(Change::Put { resource: t }) = act(&PC, info("TerminatePhysicalConnection"), &r, &params(&[])) else {
            panic!()
        };
        assert_eq!((t.state.as_str(), t.pending.as_deref()), ("Terminating", Some("Terminated")));
        assert_eq!(progress(&PC, &t).unwrap().state, "Terminated");

        let e = act(&PC, info("CancelPhysicalConnection"), &r, &params(&[])).unwrap_err();
        assert_eq!((e.status, e.code.as_ref()), (Some(400), "Forbidden.NotAllowedInState"));
        assert!(e.message.contains("is Enabled"), "{}", e.message);

        let modify = params(&[("Bandwidth", "500"), ("Name", "new"), ("PhysicalConnectionId", "pc-1")]);
        let Ok(Change::Put { resource: m }) = act(&PC, info("ModifyPhysicalConnectionAttribute"), &r, &modify) else {
            panic!()
        };
        assert_eq!(m.state, "Enabled");
        assert_eq!(m.fields["Bandwidth"], "500");
        assert_eq!(m.fields["Name"], "new");
        assert!(!m.fields.contains_key("PhysicalConnectionId"));

        r.state = "Canceled".into();
        assert!(matches!(act(&PC, info("DeletePhysicalConnection"), &r, &params(&[])), Ok(Change::Delete { .. })));
        let missing = not_found(&PC, info("CancelPhysicalConnection"), PC.id, "pc-x");
        assert_eq!((missing.status, missing.code.as_ref()), (Some(404), "InvalidPhysicalConnectionId.NotFound"));
    }

    /// The same code may be documented with different statuses by different
    /// actions: an action's own documentation decides.
    #[test]
    fn action_errors_take_the_status_the_action_documents() {
        use aliyun_runtime::ErrorDoc;
        let other = OperationInfo {
            errors: &[
                ErrorDoc { code: "InvalidPhysicalConnectionId.NotFound", status: 400, message: "m" },
                ErrorDoc { code: "Forbidden.NotAllowedInState", status: 409, message: "m" },
            ],
            ..*info("CancelPhysicalConnection")
        };
        assert_eq!(not_found(&PC, &other, PC.id, "pc-x").status, Some(400));
        let mut enabled = created();
        enabled.state = "Enabled".into();
        let refused = act(&PC, &other, &enabled, &params(&[])).unwrap_err();
        assert_eq!((refused.status, refused.code.as_ref()), (Some(409), "Forbidden.NotAllowedInState"));
        // Documented nowhere: the usual statuses.
        let bare = OperationInfo { errors: &[], ..*info("CancelPhysicalConnection") };
        assert_eq!(not_found(&PC, &bare, PC.id, "pc-x").status, Some(404));
        assert_eq!(act(&PC, &bare, &enabled, &params(&[])).unwrap_err().status, Some(400));
    }
}
