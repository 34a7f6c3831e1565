//! One action file: its name, the names generated from it, its members, errors, examples, lifecycle and pagination; and the names that must be unique across actions.

use super::errors::check_errors;
use super::members::check_members;
use super::response_examples::{check_json_example, check_xml_example};
use super::text::{check_text, is_pascal_identifier, not_pascal};
use super::types::{check_type_bodies, declare_types, finish_types};
use super::{Checker, Declared, FileCx, Scope, Side, examples, first_seen, lifecycle};
use crate::locate::Path;
use crate::model::{ACTION_TYPE_SUFFIXES, Action, ErrorDef, Field, NamedType};
use crate::naming;
use crate::spec::ActionFile;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Names an action's module (and its `Client` method) cannot take: the
/// generated modules beside the actions, and the `Client`'s own methods.
pub(super) const RESERVED_ACTION_MODULES: &[(&str, &str)] = &[
    ("types", "the module of the shared types"),
    ("lifecycle", "the module of the resource lifecycles"),
    ("builder", "the `Client::builder` method"),
    ("from_env", "the `Client::from_env` method"),
    ("runtime", "the `Client::runtime` method"),
    ("dry_run", "the `Client::dry_run` method"),
];

/// Two files must not define one action, nor two actions share a Rust
/// module. Checked on the names alone, so that a file with other problems
/// still takes part.
pub(super) fn check_action_names_unique(ck: &mut Checker, action_files: &[(String, String, (ActionFile, FileCx))]) {
    let mut seen_actions: HashMap<&str, &FileCx> = HashMap::new();
    let mut seen_modules: HashMap<String, &str> = HashMap::new();
    for (_, _, (file, fx)) in action_files {
        if !is_pascal_identifier(&file.action) {
            // check_action reports the name itself.
            continue;
        }
        if let Some(first) = first_seen(&mut seen_actions, &file.action, fx) {
            let (line, _) = first.loc.find(&["action".into()]);
            ck.error(
                fx,
                &["action".into()],
                format!("action `{}` is also defined in {}:{line}", file.action, first.display),
                "keep one definition",
            );
            continue;
        }
        let module = naming::snake(&file.action);
        if naming::pascal(&file.action) == "Common" {
            ck.error(
                fx,
                &["action".into()],
                format!(
                    "action `{}` would make the type `CommonError`, which holds the product's common errors",
                    file.action
                ),
                "the name is reserved; check the action's name against the API reference",
            );
            continue;
        }
        if let Some((_, what)) = RESERVED_ACTION_MODULES.iter().find(|(m, _)| *m == module) {
            ck.error(
                fx,
                &["action".into()],
                format!("action `{}` would become the Rust name `{module}`, which is taken by {what}", file.action),
                "the name is reserved; check the action's name against the API reference",
            );
            continue;
        }
        if let Some(first) = first_seen(&mut seen_modules, module.clone(), &file.action) {
            ck.error(
                fx,
                &["action".into()],
                format!("actions `{first}` and `{}` both become the Rust module `{module}`", file.action),
                "the names differ only in case; write the action exactly as the API names it",
            );
        }
    }
}

/// How many required non-list parameters an action may have: a request
/// builder keeps which are still unset in one `u64` (`rt::Unset`).
const MAX_REQUIRED_VALUES: usize = 64;

#[allow(clippy::too_many_arguments)]
pub(super) fn check_action(
    ck: &mut Checker,
    stem: &str,
    rel: &str,
    file: &ActionFile,
    fx: &FileCx,
    shared_decl: &BTreeMap<String, Declared>,
    shared_types: &[NamedType],
    common_errors: &[ErrorDef],
    resources: &[crate::model::Resource],
) -> Option<Action> {
    let before = ck.count;
    let name_path: Path = vec!["action".into()];
    if !is_pascal_identifier(&file.action) {
        ck.error(
            fx,
            &name_path,
            not_pascal("action name", &file.action),
            "write the action exactly as the API names it, such as `CancelPhysicalConnection`",
        );
        return None;
    }
    if file.action != stem {
        ck.error(
            fx,
            &name_path,
            format!("action `{}` is in a file named `{stem}.yaml`", file.action),
            format!("rename the file to `actions/{}.yaml`, or fix the name", file.action),
        );
    }
    check_text(ck, fx, &["summary".into()], &file.summary, true);
    if let Some(d) = &file.description {
        check_text(ck, fx, &["description".into()], d, false);
    }
    let type_prefix = naming::pascal(&file.action);
    let reserved: Vec<String> = ACTION_TYPE_SUFFIXES.iter().map(|s| format!("{type_prefix}{s}")).collect();

    let local_decl = declare_types(ck, fx, &file.types, shared_decl);
    for (i, def) in file.types.iter().enumerate() {
        if reserved.contains(&def.name) {
            ck.error(
                fx,
                &["types".into(), i.into(), "name".into()],
                format!("type `{}` clashes with a type generated for the action", def.name),
                "pick another name",
            );
        }
    }
    let scope = Scope { local: &local_decl, shared: shared_decl, in_product: false, shared_unknown: ck.product_broken };
    // Checks that read the members as a whole (examples, pagination) run
    // only when every member and type is sound: one broken member would
    // otherwise make them report declared keys as undeclared.
    let members_from = (ck.count, ck.quiet);
    let mut hoisted = Vec::new();
    let types = check_type_bodies(ck, fx, &file.types, &scope, &mut hoisted);
    let request = check_members(ck, fx, &file.request, &["request".into()], Side::Request, &scope, &mut hoisted)
        .unwrap_or_default();
    let response = check_members(ck, fx, &file.response, &["response".into()], Side::Response, &scope, &mut hoisted)
        .unwrap_or_default();
    let types = finish_types(ck, fx, types, hoisted, &local_decl, shared_decl, &reserved, false);
    let members_sound = (ck.count, ck.quiet) == members_from;
    let structs = examples::Structs { local: &types, shared: shared_types };
    for (list, fields, members) in [("request", &request, &file.request), ("response", &response, &file.response)] {
        // Only when every member made a field, so that the two line up.
        if members_sound && fields.len() == members.len() {
            let values: Vec<_> = members.iter().map(|m| m.example.as_ref()).collect();
            examples::check_members(ck, fx, list, fields, &values, &scope, &structs);
        }
    }

    let read_only =
        file.read_only.unwrap_or_else(|| ["Describe", "List", "Get"].iter().any(|p| file.action.starts_with(p)));
    let tokens: Vec<(usize, &Field)> = request.iter().enumerate().filter(|(_, f)| f.idempotency_token).collect();
    if let (true, Some((i, _))) = (read_only, tokens.first()) {
        ck.error(
            fx,
            &["request".into(), (*i).into(), "idempotency_token".into()],
            "a read-only action needs no idempotency token",
            "remove `idempotency_token: true`: read-only calls are retried freely, and the client must not fill in a token the caller did not ask for (or set `read_only: false` if the action changes something)",
        );
    }
    match (&file.deprecated_note, file.deprecated) {
        (Some(note), true) => check_text(ck, fx, &["deprecated_note".into()], note, false),
        (Some(_), false) => ck.error(
            fx,
            &["deprecated_note".into()],
            "`deprecated_note` is set, but the action is not deprecated",
            "set `deprecated: true`, or remove `deprecated_note`",
        ),
        (None, _) => {}
    }
    // A builder tracks its unset required parameters in one `u64`.
    let required_values: Vec<usize> =
        request.iter().enumerate().filter(|(_, f)| f.tracked_by_builder()).map(|(i, _)| i).collect();
    if let Some(&i) = required_values.get(MAX_REQUIRED_VALUES) {
        ck.error(
            fx,
            &["request".into(), i.into(), "required".into()],
            format!(
                "the action has {} required parameters that are not lists; a request builder tracks at most {MAX_REQUIRED_VALUES}",
                required_values.len()
            ),
            "make the rarely needed ones optional, or group them into a struct parameter",
        );
    }
    if tokens.len() > 1 {
        ck.error(
            fx,
            &["request".into(), tokens[1].0.into(), "idempotency_token".into()],
            "more than one parameter is marked `idempotency_token`",
            "mark only the `ClientToken` parameter",
        );
    }
    let mut errors = check_errors(ck, fx, &file.errors, &["errors".into()], false);
    let own_variants: HashSet<String> = errors.iter().map(|e| e.variant.clone()).collect();
    let own_codes: HashSet<String> = errors.iter().map(|e| e.code.clone()).collect();
    for common in common_errors {
        if own_codes.contains(&common.code) {
            continue;
        }
        if own_variants.contains(&common.variant) {
            let i = file.errors.iter().position(|e| naming::pascal(&e.code) == common.variant).unwrap_or(0);
            ck.error(
                fx,
                &["errors".into(), i.into(), "code".into()],
                format!(
                    "error code `{}` and the common error `{}` both become the Rust variant `{}`",
                    file.errors[i].code, common.code, common.variant
                ),
                "use the common error's exact code",
            );
            continue;
        }
        errors.push(common.clone());
    }

    if let (true, Some(json)) = (members_sound, &file.examples.json) {
        check_json_example(ck, fx, json, &response, &structs);
    }
    if let Some(xml) = &file.examples.xml {
        check_xml_example(ck, fx, xml, &file.action, &response, &structs, members_sound);
    }

    // Without product.yaml the resource cannot be known.
    let lifecycle = file
        .lifecycle
        .as_ref()
        .filter(|_| !ck.product_broken)
        .and_then(|l| lifecycle::check_action_lifecycle(ck, fx, l, &file.action, &errors, resources));
    let pagination = file
        .pagination
        .as_ref()
        .filter(|_| members_sound)
        .and_then(|pg| lifecycle::check_pagination(ck, fx, pg, &request, &response));
    if ck.quiet != members_from.1 {
        return None;
    }

    if ck.count != before {
        return None;
    }
    let idempotency_token = request.iter().find(|f| f.idempotency_token).map(|f| f.wire.clone());
    Some(Action {
        name: file.action.clone(),
        module: naming::snake(&file.action),
        type_prefix,
        file: rel.to_owned(),
        group: None,
        summary: file.summary.clone(),
        description: file.description.clone(),
        read_only,
        deprecated: file.deprecated,
        deprecated_note: file.deprecated_note.clone(),
        request,
        response,
        errors,
        types,
        json_example: file.examples.json.clone(),
        xml_example: file.examples.xml.clone(),
        idempotency_token,
        lifecycle,
        pagination,
    })
}

/// What made a client method that an action's own method may collide with.
enum Helper<'a> {
    /// The page or item stream of a paginated action.
    Stream { action: &'a str, what: &'static str },
    /// A resource's waiter, declared at `resources[index]` of product.yaml.
    Waiter { resource: &'a str, index: usize },
}

/// Each action's `Client` method must not be one the generator makes for
/// another purpose: the `_pages` and `_items` streams of a paginated action,
/// and each resource's `wait_until_<resource>_status`. Checked on the names
/// alone, so that a file with other problems still takes part.
pub(super) fn check_helper_names(
    ck: &mut Checker,
    action_files: &[(String, String, (ActionFile, FileCx))],
    pfx: &FileCx,
    resources: &[crate::spec::ResourceSpec],
) {
    let mut helpers: HashMap<String, Helper> = HashMap::new();
    for (_, _, (file, _)) in action_files {
        if is_pascal_identifier(&file.action) && file.pagination.is_some() {
            let module = naming::snake(&file.action);
            for (suffix, what) in [("pages", "stream of pages"), ("items", "stream of items")] {
                helpers.insert(format!("{module}_{suffix}"), Helper::Stream { action: &file.action, what });
            }
        }
    }
    for (index, r) in resources.iter().enumerate() {
        if is_pascal_identifier(&r.name) && r.waiter.is_some() {
            let method = format!("wait_until_{}_status", naming::snake(&r.name));
            helpers.insert(method, Helper::Waiter { resource: &r.name, index });
        }
    }
    for (_, _, (file, fx)) in action_files {
        if !is_pascal_identifier(&file.action) {
            continue;
        }
        let module = naming::snake(&file.action);
        match helpers.get(&module) {
            None => {}
            Some(Helper::Stream { action, what }) => ck.error(
                fx,
                &["action".into()],
                format!(
                    "action `{}` becomes the client method `{module}`, which is also the {what} of the paginated action `{action}`",
                    file.action
                ),
                format!("the client cannot have both: remove `pagination:` from `{action}`, or leave one of the two actions out of the spec"),
            ),
            Some(Helper::Waiter { resource, index }) => ck.error(
                pfx,
                &["resources".into(), (*index).into(), "name".into()],
                format!(
                    "the waiter of resource `{resource}` would be the client method `{module}`, which is the method of the action `{}`",
                    file.action
                ),
                "rename the resource, or remove its `waiter:`",
            ),
        }
    }
}
