//! Resources, lifecycles, waiters and pagination: the rules that tie
//! actions to each other and to a resource's states.

use super::text::{closest, is_pascal_identifier, is_wire_name};
use super::{Checker, FileCx};
use crate::locate::Seg;
use crate::locate::child as p;
use crate::model::{
    Action, ActionLifecycle, ErrorDef, Field, NamedType, PageStyle, Pagination, Resource, Style, Transition, Ty,
    TypeBody, TypeRef, Waiter, struct_fields,
};
use crate::naming;
use crate::spec::{ActionTransitionSpec, LifecycleSpec, PaginationSpec, ResourceSpec};

/// Checks the resources of product.yaml; action transitions and waiters are
/// added once the actions are known.
pub(super) fn check_resources(
    ck: &mut Checker,
    fx: &FileCx,
    specs: &[ResourceSpec],
    types: &[NamedType],
) -> Vec<Resource> {
    let mut out: Vec<Resource> = Vec::new();
    for (i, r) in specs.iter().enumerate() {
        let path = vec![Seg::from("resources"), Seg::from(i)];
        let before = ck.count;
        if !is_pascal_identifier(&r.name) {
            ck.error(
                fx,
                &p(&path, "name"),
                format!("resource name `{}` is not a PascalCase name", r.name),
                "use a name such as `PhysicalConnection`",
            );
        } else if out.iter().any(|o| o.name == r.name) {
            ck.error(fx, &p(&path, "name"), format!("resource `{}` is declared twice", r.name), "remove one of them");
        } else if let Some(other) = specs[..i].iter().find(|o| resource_const(&o.name) == resource_const(&r.name)) {
            ck.error(
                fx,
                &p(&path, "name"),
                format!(
                    "resources `{}` and `{}` both become the Rust constant `{}` (and the same waiter)",
                    r.name,
                    other.name,
                    resource_const(&r.name)
                ),
                "the names differ only in case or in how an acronym is spelt; rename one",
            );
        }
        if !is_wire_name(&r.id) {
            ck.error(
                fx,
                &p(&path, "id"),
                format!("`{}` is not a wire name", r.id),
                "write the ID parameter's wire name, such as `PhysicalConnectionId`",
            );
        }
        let states: Vec<String> = match types.iter().find(|t| t.name == r.states) {
            Some(NamedType { body: TypeBody::Enum(variants), .. }) => {
                variants.iter().map(|v| v.value.clone()).collect()
            }
            Some(_) => {
                ck.error(
                    fx,
                    &p(&path, "states"),
                    format!("`{}` is a struct, not an enum", r.states),
                    "name the shared enum whose values are the states",
                );
                Vec::new()
            }
            None => {
                let enums = types.iter().filter(|t| matches!(t.body, TypeBody::Enum(_))).map(|t| t.name.as_str());
                let help = match closest(&r.states, enums) {
                    Some(best) => format!("did you mean `{best}`? The states must be a shared enum under `types:`"),
                    None => "declare an enum of the states under `types:` in product.yaml".to_owned(),
                };
                ck.error(fx, &p(&path, "states"), format!("unknown enum `{}`", r.states), help);
                Vec::new()
            }
        };
        let known = |ck: &mut Checker, state: &str, at: &[Seg]| {
            if !states.is_empty() && !states.iter().any(|s| s == state) {
                ck.error(
                    fx,
                    at,
                    format!("`{state}` is not a state of `{}`", r.states),
                    format!("use one of: {}", states.join(", ")),
                );
            }
        };
        known(ck, &r.initial, &p(&path, "initial"));
        let mut transitions = Vec::new();
        for (j, t) in r.transitions.iter().enumerate() {
            let tpath = p(&p(&path, "transitions"), j);
            if t.from.is_empty() {
                ck.error(
                    fx,
                    &p(&tpath, "from"),
                    "a service transition needs at least one `from` state",
                    "list the states it starts from",
                );
            }
            for (k, state) in t.from.iter().enumerate() {
                known(ck, state, &p(&p(&tpath, "from"), k));
            }
            known(ck, &t.to, &p(&tpath, "to"));
            transitions.push(Transition {
                action: None,
                from: t.from.clone(),
                to: Some(t.to.clone()),
                via: None,
                deletes: false,
                otherwise: None,
            });
        }
        if ck.count == before {
            out.push(Resource {
                name: r.name.clone(),
                const_name: resource_const(&r.name),
                description: r.description.clone(),
                states_type: r.states.clone(),
                states,
                initial: r.initial.clone(),
                id: r.id.clone(),
                id_prefix: r.id_prefix.clone().unwrap_or_else(|| {
                    let initials: String = naming::words(&r.name).iter().filter_map(|w| w.chars().next()).collect();
                    format!("{initials}-")
                }),
                not_found: r.not_found.clone(),
                transitions,
                waiter: None,
            });
        }
    }
    out
}

/// The Rust constant of a resource's lifecycle (`PHYSICAL_CONNECTION`).
fn resource_const(name: &str) -> String {
    naming::snake(name).to_ascii_uppercase()
}

/// Checks an action's `lifecycle:` block against its resource's states and
/// the action's own error codes.
pub(super) fn check_action_lifecycle(
    ck: &mut Checker,
    fx: &FileCx,
    spec: &LifecycleSpec,
    action: &str,
    errors: &[ErrorDef],
    resources: &[Resource],
) -> Option<ActionLifecycle> {
    let path = vec![Seg::from("lifecycle")];
    let Some(resource) = resources.iter().find(|r| r.name == spec.resource) else {
        let help = match closest(&spec.resource, resources.iter().map(|r| r.name.as_str())) {
            Some(best) => format!("did you mean `{best}`?"),
            None => "declare the resource under `resources:` in product.yaml".to_owned(),
        };
        ck.error(fx, &p(&path, "resource"), format!("unknown resource `{}`", spec.resource), help);
        return None;
    };
    let before = ck.count;
    let known = |ck: &mut Checker, state: &str, at: &[Seg]| {
        if !resource.states.iter().any(|s| s == state) {
            ck.error(
                fx,
                at,
                format!("`{state}` is not a state of {}", resource.name),
                format!("use one of: {}", resource.states.join(", ")),
            );
        }
    };
    // Every state a move names, in `from`, `to` and `via`, is the resource's.
    let states_known = |ck: &mut Checker, t: &ActionTransitionSpec, at: &[Seg]| {
        for (k, state) in t.from.iter().enumerate() {
            known(ck, state, &p(&p(at, "from"), k));
        }
        for (key, state) in [("to", &t.to), ("via", &t.via)] {
            if let Some(state) = state {
                known(ck, state, &p(at, key));
            }
        }
    };
    if let Some(code) = &spec.otherwise {
        if !errors.iter().any(|e| &e.code == code) {
            ck.error(
                fx,
                &p(&path, "otherwise"),
                format!("`{code}` is not an error code of this action"),
                "list it under `errors:` (or in the product's common errors) first",
            );
        }
    }
    let simple = ActionTransitionSpec {
        from: spec.from.clone(),
        to: spec.to.clone(),
        via: spec.via.clone(),
        deletes: spec.deletes,
    };
    states_known(ck, &simple, &path);
    let transitions = if spec.creates {
        if !spec.from.is_empty()
            || spec.to.is_some()
            || spec.via.is_some()
            || spec.deletes
            || !spec.transitions.is_empty()
        {
            ck.error(
                fx,
                &p(&path, "creates"),
                "a creating action has no `from`, `to`, `via`, `deletes` or `transitions`",
                format!("a new {} starts in `{}`; remove the other keys", resource.name, resource.initial),
            );
        }
        vec![Transition {
            action: Some(action.to_owned()),
            from: Vec::new(),
            to: Some(resource.initial.clone()),
            via: None,
            deletes: false,
            otherwise: None,
        }]
    } else if spec.transitions.is_empty() {
        vec![check_move(ck, fx, &path, &simple, action, spec.otherwise.as_ref())]
    } else {
        if !simple.from.is_empty() || simple.to.is_some() || simple.via.is_some() || simple.deletes {
            ck.error(
                fx,
                &p(&path, "transitions"),
                "`transitions` replaces `from`, `to`, `via` and `deletes`",
                "move them into the entries of `transitions`",
            );
        }
        let mut out = Vec::new();
        for (k, t) in spec.transitions.iter().enumerate() {
            let tpath = p(&p(&path, "transitions"), k);
            states_known(ck, t, &tpath);
            if let Some(other) = out.iter().find_map(|o: &Transition| t.from.iter().find(|s| o.from.contains(s))) {
                ck.error(
                    fx,
                    &p(&tpath, "from"),
                    format!("state `{other}` starts two transitions of this action"),
                    "each state may start at most one of the action's transitions",
                );
            }
            out.push(check_move(ck, fx, &tpath, t, action, spec.otherwise.as_ref()));
        }
        out
    };
    (ck.count == before).then(|| ActionLifecycle { resource: resource.name.clone(), transitions })
}

/// One move of an action: where it starts, and where it leads, if anywhere.
fn check_move(
    ck: &mut Checker,
    fx: &FileCx,
    path: &[Seg],
    spec: &ActionTransitionSpec,
    action: &str,
    otherwise: Option<&String>,
) -> Transition {
    if spec.from.is_empty() {
        ck.error(
            fx,
            &p(path, "from"),
            "the transition has no `from` states",
            "list the states the action may start from, or set `creates: true`",
        );
    }
    if spec.to.is_some() && spec.deletes {
        ck.error(
            fx,
            &p(path, "deletes"),
            "an action cannot both move (`to`) and delete (`deletes`) a resource",
            "keep one of them",
        );
    }
    if spec.via.is_some() && spec.to.is_none() {
        ck.error(fx, &p(path, "via"), "`via` needs a `to` state to complete to", "add `to`, or remove `via`");
    }
    Transition {
        action: Some(action.to_owned()),
        from: spec.from.clone(),
        to: spec.to.clone(),
        via: spec.via.clone(),
        deletes: spec.deletes,
        otherwise: otherwise.cloned(),
    }
}

/// Whether request parameter `f` sends the wire parameter `key`: its own
/// name, or, for a list or struct sent flat, a name under it (`Filter.1.Key`).
fn sends(f: &Field, key: &str) -> bool {
    let under = key.strip_prefix(f.wire.as_str()).is_some_and(|rest| rest.starts_with('.'));
    let flat = f.style == Style::Flat && (matches!(f.ty, Ty::List(_)) || f.ty.type_ref().is_some_and(|r| !r.is_enum));
    key == f.wire || (under && flat)
}

fn find<'a>(fields: &'a [Field], wire: &str) -> Option<&'a Field> {
    fields.iter().find(|f| f.wire == wire)
}

/// Checks `pagination:` against the action's own parameters and fields.
pub(super) fn check_pagination(
    ck: &mut Checker,
    fx: &FileCx,
    spec: &PaginationSpec,
    request: &[Field],
    response: &[Field],
) -> Option<Pagination> {
    let path = vec![Seg::from("pagination")];
    let before = ck.count;
    let style = match spec.style.as_str() {
        "page_number" => PageStyle::PageNumber,
        "next_token" => PageStyle::NextToken,
        other => {
            ck.error(
                fx,
                &p(&path, "style"),
                format!("pagination style `{other}` is not known"),
                "use `page_number` (PageNumber, PageSize, TotalCount) or `next_token` (NextToken, MaxResults)",
            );
            return None;
        }
    };
    let items = match find(response, &spec.items) {
        Some(Field { ty: Ty::List(item), rust, .. }) => Some((rust.clone(), item.as_ref().clone())),
        Some(_) => {
            ck.error(
                fx,
                &p(&path, "items"),
                format!("response field `{}` is not a list", spec.items),
                "name the response list that holds each page's items",
            );
            None
        }
        None => {
            ck.error(
                fx,
                &p(&path, "items"),
                format!("the response has no field `{}`", spec.items),
                "name the response list that holds each page's items",
            );
            None
        }
    };
    // A field the paginator sets or reads: it must exist, be optional and have the right type.
    let optional_field =
        |ck: &mut Checker, fields: &[Field], wire: &str, side: &str, ok: fn(&Ty) -> bool, types: &str| match find(
            fields, wire,
        ) {
            Some(f) if !f.required && ok(&f.ty) => Some((f.rust.clone(), f.ty.clone())),
            Some(_) => {
                ck.error(
                    fx,
                    &p(&path, "style"),
                    format!("{side} `{wire}` must be an optional {types} to page with"),
                    format!("declare `{wire}` as {types} without `required: true`"),
                );
                None
            }
            None => {
                ck.error(
                    fx,
                    &p(&path, "style"),
                    format!("this pagination style needs the {side} `{wire}`"),
                    format!("declare `{wire}` under `{side}:`"),
                );
                None
            }
        };
    let is_number = |t: &Ty| matches!(t, Ty::Integer | Ty::Long);
    let is_count = |t: &Ty| matches!(t, Ty::Integer | Ty::Long | Ty::String);
    let is_string = |t: &Ty| matches!(t, Ty::String);
    let total_count = |ck: &mut Checker| {
        find(response, "TotalCount")
            .and_then(|_| optional_field(ck, response, "TotalCount", "response", is_count, "integer, long or string"))
    };
    // Every check runs, whatever fails first, so that all problems are told at once.
    let (page_number, next_token_request, next_token_response) = match style {
        PageStyle::PageNumber => {
            (optional_field(ck, request, "PageNumber", "request", is_number, "integer or long"), None, None)
        }
        PageStyle::NextToken => (
            None,
            optional_field(ck, request, "NextToken", "request", is_string, "string").map(|(n, _)| n),
            optional_field(ck, response, "NextToken", "response", is_string, "string").map(|(n, _)| n),
        ),
    };
    let total_count = total_count(ck);
    let (items_field, item_type) = items?;
    (ck.count == before).then_some(Pagination {
        style,
        items_field,
        item_type,
        page_number,
        total_count,
        next_token_request,
        next_token_response,
    })
}

/// The names inside `{...}` in a waiter parameter's value, or what is wrong
/// with its braces. A name is `id`, `region`, or a wire name.
fn placeholders(value: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err("has a `}` that closes nothing".into());
        }
        let after = &rest[open + 1..];
        let Some(close) = after.find(['{', '}']).filter(|&c| after[c..].starts_with('}')) else {
            return Err("has a `{` that is not closed".into());
        };
        let name = &after[..close];
        if name != "id" && name != "region" && !is_wire_name(name) {
            return Err(format!(
                "has the placeholder `{{{name}}}`, which is neither `{{id}}`, `{{region}}` nor a wire name"
            ));
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

/// Checks a resource's waiter against the action it polls.
pub(super) fn check_waiter(
    ck: &mut Checker,
    fx: &FileCx,
    index: usize,
    spec: &crate::spec::WaiterSpec,
    resource: &Resource,
    actions: &[Action],
    shared: &[NamedType],
) -> Option<Waiter> {
    let path = vec![Seg::from("resources"), Seg::from(index), Seg::from("waiter")];
    let Some(action) = actions.iter().find(|a| a.name == spec.action) else {
        ck.error(
            fx,
            &p(&path, "action"),
            format!("unknown action `{}`", spec.action),
            "name a read-only action of this spec that lists the resource",
        );
        return None;
    };
    if !action.read_only {
        ck.error(
            fx,
            &p(&path, "action"),
            format!("`{}` is not read-only", spec.action),
            "a waiter polls, so it must use a read-only action",
        );
    }
    let mut scope: Vec<String> = Vec::new();
    let (mut selects_by_id, mut malformed) = (false, false);
    for (key, value) in &spec.params {
        match placeholders(value) {
            Ok(names) => {
                selects_by_id |= names.contains(&"id");
                for name in names {
                    if name == "id" || name == "region" || scope.iter().any(|s| s == name) {
                        continue;
                    }
                    let arg = crate::naming::snake(name);
                    if ["id", "target", "policy", "request", "response", "item"].contains(&arg.as_str()) {
                        ck.error_at(
                            fx,
                            fx.loc.find_key(&p(&p(&path, "params"), key.as_str())),
                            format!("the placeholder `{{{name}}}` would be the waiter's argument `{arg}`, a name the waiter already uses"),
                            "name the value by the wire name of its own parameter, such as `{SnatTableId}`",
                        );
                    }
                    scope.push(name.to_owned());
                }
            }
            Err(problem) => {
                malformed = true;
                ck.error_at(
                    fx,
                    fx.loc.find_key(&p(&p(&path, "params"), key.as_str())),
                    format!("the value of `{key}` {problem}"),
                    "write `{id}`, `{region}`, or `{Name}` with the wire name of a value the waiter takes as an argument, such as `{SnatTableId}`",
                );
            }
        }
    }
    // A value with broken braces may be the one meant to hold `{id}`.
    if !selects_by_id && !malformed {
        ck.error(
            fx,
            &p(&path, "params"),
            "no parameter selects the resource by `{id}`",
            "add one, such as `Filter.1.Value.1: \"{id}\"`",
        );
    }
    for key in spec.params.keys() {
        if !is_wire_name(key) {
            ck.error(
                fx,
                &p(&path, "params"),
                format!("`{key}` is not a wire name"),
                "use the parameter's exact wire name",
            );
        } else if !action.request.iter().any(|f| sends(f, key)) {
            let help = match closest(key, action.request.iter().map(|f| f.wire.as_str())) {
                Some(best) => format!("did you mean `{best}`? Use a request parameter of `{}`", spec.action),
                None => format!("use a request parameter of `{}` (an item of a list as `Name.1`)", spec.action),
            };
            ck.error_at(
                fx,
                fx.loc.find_key(&p(&p(&path, "params"), key.as_str())),
                format!("`{key}` is not a parameter of `{}`", spec.action),
                help,
            );
        }
    }
    let Some(Field { ty: Ty::List(item), rust: items_field, wrapper, .. }) = find(&action.response, &spec.items) else {
        ck.error(
            fx,
            &p(&path, "items"),
            format!("`{}` has no response list `{}`", spec.action, spec.items),
            "name the response list that holds the resources",
        );
        return None;
    };
    let Ty::Named(item_type @ TypeRef { is_enum: false, .. }) = item.as_ref() else {
        ck.error(
            fx,
            &p(&path, "items"),
            format!("the items of `{}` are not structs", spec.items),
            "name a list of structs",
        );
        return None;
    };
    let fields = struct_fields(item_type, &action.types, shared)?;
    let id_field = match find(fields, &spec.id_field) {
        Some(f) if f.ty == Ty::String => Some(f.rust.clone()),
        _ => {
            ck.error(
                fx,
                &p(&path, "id_field"),
                format!("`{}` has no string field `{}`", item_type.name, spec.id_field),
                "name the item field holding the ID",
            );
            None
        }
    };
    let state = match find(fields, &spec.state_field) {
        Some(f) if f.ty == Ty::String => Some((f.rust.clone(), false)),
        Some(Field { ty: Ty::Named(r), rust, .. }) if r.is_enum && r.name == resource.states_type => {
            Some((rust.clone(), true))
        }
        _ => {
            ck.error(
                fx,
                &p(&path, "state_field"),
                format!(
                    "`{}` has no field `{}` holding a string or `{}`",
                    item_type.name, spec.state_field, resource.states_type
                ),
                "name the item field holding the state",
            );
            None
        }
    };
    let (id_field, (state_field, state_is_enum)) = (id_field?, state?);
    Some(Waiter {
        action: action.name.clone(),
        items_wire: spec.items.clone(),
        wrapper_wire: wrapper.clone(),
        id_wire: spec.id_field.clone(),
        state_wire: spec.state_field.clone(),
        action_prefix: action.type_prefix.clone(),
        action_module: action.module.clone(),
        params: spec.params.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        scope,
        items_field: items_field.clone(),
        item_type: item_type.clone(),
        id_field,
        state_field,
        state_is_enum,
    })
}
