//! Error code lists (an action's `errors:` and the product's `common_errors:`): valid, unique codes and variants, statuses in 400-599.

use super::text::{check_text, is_wire_name};
use super::{Checker, FileCx, first_seen};
use crate::locate::{Seg, child as p};
use crate::model::ErrorDef;
use crate::naming;
use crate::spec::ErrorSpec;
use std::collections::HashMap;

pub(super) fn check_errors(
    ck: &mut Checker,
    fx: &FileCx,
    list: &[ErrorSpec],
    base: &[Seg],
    common: bool,
) -> Vec<ErrorDef> {
    let mut out = Vec::new();
    let mut codes: HashMap<&str, usize> = HashMap::new();
    let mut variants: HashMap<String, (&str, usize)> = HashMap::new();
    let line_of = |i: usize| fx.loc.find(&p(&p(base, i), "code")).0;
    for (i, e) in list.iter().enumerate() {
        let path = p(base, i);
        if !is_wire_name(&e.code) {
            let message = if e.code.trim().is_empty() {
                "error code is empty".to_owned()
            } else {
                format!("error code `{}` is not a valid code", e.code)
            };
            ck.error(fx, &p(&path, "code"), message, "codes are letters, digits, `.`, `_` and `-`, starting with a letter, such as `Forbidden.NotAllowedInState`");
            continue;
        }
        if let Some(first) = first_seen(&mut codes, &e.code, i) {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error code `{}` is listed twice (first at line {})", e.code, line_of(first)),
                "remove one of the entries",
            );
            continue;
        }
        if !(400..=599).contains(&e.status) {
            ck.error(
                fx,
                &p(&path, "status"),
                format!("HTTP status {} of error `{}` is outside 400-599", e.status, e.code),
                "use the status the service answers with, such as 400 or 404",
            );
            continue;
        }
        let variant = naming::pascal(&e.code);
        if variant == "Unhandled" || variant == "Common" {
            ck.error(
                fx,
                &p(&path, "code"),
                format!("error code `{}` would take the reserved variant name `{variant}`", e.code),
                "`Common` wraps the product's common errors and `Unhandled` holds codes the spec does not list",
            );
            continue;
        }
        if let Some((other, first)) = first_seen(&mut variants, variant.clone(), (&e.code, i)) {
            ck.error(
                fx,
                &p(&path, "code"),
                format!(
                    "error codes `{}` and `{other}` (line {}) both become the Rust variant `{variant}`",
                    e.code,
                    line_of(first)
                ),
                "they differ only in punctuation or case: keep the code the service returns and remove the other",
            );
            continue;
        }
        check_text(ck, fx, &p(&path, "message"), &e.message, true);
        if let Some(d) = &e.description {
            check_text(ck, fx, &p(&path, "description"), d, false);
        }
        out.push(ErrorDef {
            code: e.code.clone(),
            variant,
            status: e.status as u16,
            message: e.message.clone(),
            description: e.description.clone(),
            common,
        });
    }
    out
}
