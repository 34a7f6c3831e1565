//! Which named types each request reaches (to emit only the code it needs), and which structs hold a required field at some depth.

use crate::model::{Field, NamedType, Product, Style, Ty, TypeBody, TypeRef, struct_fields};
use std::collections::HashSet;

/// Where a named type lives: `None` for product.yaml, else the action's index.
pub(super) type Home = Option<usize>;

/// The scope `r` is declared in, as seen from `action`'s scope.
pub(super) fn scope_of(r: &TypeRef, action: Home) -> Home {
    if r.shared { None } else { action }
}

pub(super) fn types_in(product: &Product, scope: Home) -> &[NamedType] {
    match scope {
        None => &product.types,
        Some(i) => &product.actions[i].types,
    }
}

/// Records which named types are reachable from requests and from
/// JSON-encoded parameters, so that only the code each needs is emitted.
pub(super) fn mark_usage(product: &mut Product) {
    #[derive(Clone, Copy, PartialEq, Eq, Hash)]
    enum Use {
        Request,
        Json,
    }
    fn walk(product: &Product, action: Home, ty: &Ty, used: Use, seen: &mut HashSet<(Home, String, Use)>) {
        let Some(r) = ty.type_ref() else { return };
        let scope = scope_of(r, action);
        if !seen.insert((scope, r.name.clone(), used)) {
            return;
        }
        let local = action.map_or(&[][..], |i| product.actions[i].types.as_slice());
        for f in struct_fields(r, local, &product.types).unwrap_or_default() {
            let next = if used == Use::Request && f.style == Style::Json { Use::Json } else { used };
            walk(product, scope.or(action), &f.ty, next, seen);
        }
    }
    let mut seen = HashSet::new();
    for (i, action) in product.actions.iter().enumerate() {
        for f in &action.request {
            walk(product, Some(i), &f.ty, if f.style == Style::Json { Use::Json } else { Use::Request }, &mut seen);
        }
    }
    for (scope, name, used) in seen {
        let types = match scope {
            None => &mut product.types,
            Some(i) => &mut product.actions[i].types,
        };
        if let Some(t) = types.iter_mut().find(|t| t.name == name) {
            match used {
                Use::Request => t.in_request = true,
                Use::Json => t.in_json = true,
            }
        }
    }
}

/// Sets `required_inside` on every reference to a struct that has a field
/// marked required, directly or in a struct it holds (a fixpoint, since
/// structs nest to any depth).
pub(super) fn mark_required_inside(product: &mut Product) {
    let scopes: Vec<Home> = std::iter::once(None).chain((0..product.actions.len()).map(Some)).collect();
    let mut marked: HashSet<(Home, String)> = HashSet::new();
    loop {
        let before = marked.len();
        for &scope in &scopes {
            for t in types_in(product, scope) {
                let TypeBody::Struct(fields) = &t.body else { continue };
                let needs = fields.iter().any(|f| {
                    f.required
                        || f.ty.type_ref().is_some_and(|r| marked.contains(&(scope_of(r, scope), r.name.clone())))
                });
                if needs {
                    marked.insert((scope, t.name.clone()));
                }
            }
        }
        if marked.len() == before {
            break;
        }
    }
    let set = |scope: Home, fields: &mut [Field]| {
        for r in fields.iter_mut().filter_map(|f| f.ty.type_ref_mut()) {
            r.required_inside = marked.contains(&(scope_of(r, scope), r.name.clone()));
        }
    };
    for t in &mut product.types {
        if let TypeBody::Struct(fields) = &mut t.body {
            set(None, fields);
        }
    }
    for (i, action) in product.actions.iter_mut().enumerate() {
        set(Some(i), &mut action.request);
        set(Some(i), &mut action.response);
        for t in &mut action.types {
            if let TypeBody::Struct(fields) = &mut t.body {
                set(Some(i), fields);
            }
        }
    }
}
