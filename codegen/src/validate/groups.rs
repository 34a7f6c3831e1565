//! `groups:` and `endpoints:` of product.yaml, and the `group:` of each
//! action: how the crate's documentation is organised, and where each
//! region's requests go.

use std::collections::{BTreeMap, HashMap};

use super::text::{check_text, closest};
use super::{Checker, FileCx};
use crate::model::{Action, Group};
use crate::naming;
use crate::spec::GroupSpec;

/// Module names a group cannot take: the generated modules beside the
/// groups, and the crate's own.
const RESERVED_GROUP_MODULES: &[&str] = &["types", "lifecycle", "generated", "runtime", "prelude"];

pub fn check_groups(ck: &mut Checker, fx: &FileCx, groups: &[GroupSpec]) -> Vec<Group> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let at = |key: &str| vec!["groups".into(), i.into(), key.into()];
        let lower_snake = naming::is_identifier(&g.name)
            && g.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !lower_snake {
            ck.error(
                fx,
                &at("name"),
                format!("group `{}` is not a snake_case module name", g.name),
                "use lower-case letters, digits and `_`, such as `vswitch` or `flow_log`, and no Rust keyword",
            );
            continue;
        }
        if RESERVED_GROUP_MODULES.contains(&g.name.as_str()) {
            ck.error(
                fx,
                &at("name"),
                format!("group `{}` would take the name of a module the generator makes", g.name),
                "pick another name",
            );
            continue;
        }
        if let Some(first) = seen.insert(&g.name, i) {
            ck.error(
                fx,
                &at("name"),
                format!("group `{}` is declared twice (first as group {})", g.name, first + 1),
                "merge the two, or rename one",
            );
            continue;
        }
        check_text(ck, fx, &at("title"), &g.title, true);
        if let Some(d) = &g.description {
            check_text(ck, fx, &at("description"), d, false);
        }
        out.push(Group { module: g.name.clone(), title: g.title.clone(), description: g.description.clone() });
    }
    out
}

/// The module of the group an action names; every action of a product with
/// groups names one, and no action of a product without them does.
pub fn check_action_group(ck: &mut Checker, fx: &FileCx, group: Option<&str>, groups: &[Group]) -> Option<String> {
    let names = || groups.iter().map(|g| g.module.as_str());
    match group {
        None if groups.is_empty() => None,
        None => {
            ck.error(
                fx,
                &["action".into()],
                "the action names no `group`",
                format!(
                    "add `group:` with one of the groups of product.yaml: {}",
                    names().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
            );
            None
        }
        Some(g) if groups.is_empty() => {
            ck.error(
                fx,
                &["group".into()],
                format!("group `{g}` is named, but product.yaml declares no groups"),
                "declare it under `groups:` in product.yaml, or remove `group`",
            );
            None
        }
        Some(g) if names().any(|n| n == g) => Some(g.to_owned()),
        Some(g) => {
            let help = match closest(g, names()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("declare `{g}` under `groups:` in product.yaml, or name one declared there"),
            };
            ck.error(fx, &["group".into()], format!("unknown group `{g}`"), help);
            None
        }
    }
}

/// A group module and an action module with the same name would collide in
/// the generated crate.
pub fn check_group_modules(ck: &mut Checker, fx: &FileCx, specs: &[GroupSpec], actions: &[Action]) {
    for (i, g) in specs.iter().enumerate() {
        if let Some(a) = actions.iter().find(|a| a.module == g.name) {
            ck.error(
                fx,
                &["groups".into(), i.into(), "name".into()],
                format!("group `{}` has the module name of the action `{}`", g.name, a.name),
                "rename the group",
            );
        }
    }
}

/// Region IDs look like `cn-hangzhou`; hosts are bare host names.
pub fn check_endpoints(ck: &mut Checker, fx: &FileCx, endpoints: &BTreeMap<String, String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (region, host) in endpoints {
        let region_ok = !region.is_empty()
            && region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && region.starts_with(|c: char| c.is_ascii_lowercase());
        if !region_ok {
            ck.error(
                fx,
                &["endpoints".into(), region.as_str().into()],
                format!("`{region}` is not a region ID"),
                "write region IDs in lower case with dashes, such as `cn-hangzhou`",
            );
            continue;
        }
        let host_ok = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with(['.', '-'])
            && !host.ends_with(['.', '-']);
        if !host_ok {
            ck.error(
                fx,
                &["endpoints".into(), region.as_str().into()],
                format!("endpoint `{host}` of region `{region}` is not a host name"),
                "write a bare host name without scheme, port or path, such as `vpc.cn-hangzhou.aliyuncs.com`",
            );
            continue;
        }
        out.push((region.clone(), host.clone()));
    }
    out
}
