//! Structs that hold themselves other than through a list, whose Rust type would have infinite size.

use super::{Checker, FileCx};
use crate::locate::Path;
use crate::model::{NamedType, Ty, TypeBody};
use std::collections::HashMap;

/// A struct must not contain itself other than through a list: its Rust
/// type would have infinite size. `types` pairs each type with where its
/// fields are written; `shared` says which references stay within `types`
/// (shared types never refer to an action's own).
pub(super) fn check_struct_cycles(ck: &mut Checker, fx: &FileCx, types: &[(NamedType, Path)], shared: bool) {
    let mut search = CycleSearch {
        types,
        shared,
        index: types.iter().enumerate().map(|(i, (t, _))| (t.name.as_str(), i)).collect(),
        state: vec![Visit::New; types.len()],
        trail: Vec::new(),
        found: Vec::new(),
    };
    for start in 0..types.len() {
        if search.state[start] == Visit::New {
            search.visit(start);
        }
    }
    for (at, chain, name) in search.found {
        ck.error(
            fx,
            &at,
            format!("struct `{name}` contains itself ({chain}), so its Rust type would have infinite size"),
            format!("make the field a list (`type: list` with `items: {name}`), or remove it"),
        );
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Visit {
    New,
    /// On the current search path: reaching it again closes a cycle.
    Active,
    Done,
}

/// A depth-first search over struct fields that are neither lists nor enums.
pub(super) struct CycleSearch<'a> {
    types: &'a [(NamedType, Path)],
    shared: bool,
    index: HashMap<&'a str, usize>,
    state: Vec<Visit>,
    /// The fields followed to reach the current type: its type's index, its
    /// own index, and its wire name.
    trail: Vec<(usize, usize, &'a str)>,
    /// Each cycle: the closing field's `type`, the chain, the struct's name.
    found: Vec<(Path, String, String)>,
}

impl<'a> CycleSearch<'a> {
    fn visit(&mut self, t: usize) {
        self.state[t] = Visit::Active;
        let types: &'a [(NamedType, Path)] = self.types;
        if let TypeBody::Struct(fields) = &types[t].0.body {
            for (f, field) in fields.iter().enumerate() {
                let Some(next) = self.direct_struct(&field.ty) else { continue };
                self.trail.push((t, f, &field.wire));
                match self.state[next] {
                    Visit::New => self.visit(next),
                    Visit::Active => self.record_cycle(next),
                    Visit::Done => {}
                }
                self.trail.pop();
            }
        }
        self.state[t] = Visit::Done;
    }

    /// The struct of `types` a field of type `ty` holds in place, if any.
    fn direct_struct(&self, ty: &Ty) -> Option<usize> {
        match ty {
            Ty::Named(r) if !r.is_enum && r.shared == self.shared => self.index.get(r.name.as_str()).copied(),
            _ => None,
        }
    }

    /// The trail from where it first leaves `target` is the cycle; its last
    /// field closes it.
    fn record_cycle(&mut self, target: usize) {
        let Some(&(t, f, _)) = self.trail.last() else { return };
        let start = self.trail.iter().position(|(from, ..)| *from == target).unwrap_or(0);
        let steps: Vec<String> =
            self.trail[start..].iter().map(|(from, _, wire)| format!("{}.{wire}", self.types[*from].0.name)).collect();
        let at = [self.types[t].1.clone(), vec![f.into(), "type".into()]].concat();
        self.found.push((at, steps.join(" -> "), self.types[target].0.name.clone()));
    }
}
