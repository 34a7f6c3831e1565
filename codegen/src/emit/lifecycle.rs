//! `lifecycle.rs`: each resource's lifecycle as data, and its waiter.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, ident, opt_str};
use crate::model::{Product, Resource, Transition};

pub fn lifecycles(product: &Product) -> TokenStream {
    let doc = docs::inner(
        "Resource lifecycles declared in the spec: every state, what each action may start from and leads to, and the service's own steps. Waiters use them to stop early; an emulator can run them.",
    );
    let items = product.resources.iter().map(resource);
    quote! {
        #doc
        use aliyun_runtime as rt;
        #(#items)*
    }
}

fn transition(t: &Transition) -> TokenStream {
    let action = opt_str(&t.action);
    let from = &t.from;
    let to = opt_str(&t.to);
    let via = opt_str(&t.via);
    let otherwise = opt_str(&t.otherwise);
    let deletes = t.deletes;
    quote! {
        rt::Transition { action: #action, from: &[#(#from),*], to: #to, via: #via, deletes: #deletes, otherwise: #otherwise },
    }
}

/// A line of documentation per transition.
pub fn describe_transition(t: &Transition) -> String {
    let by = t.action.as_deref().map_or("the service, on its own,".to_owned(), |a| format!("`{a}`"));
    if t.from.is_empty() {
        return format!(
            "{by} creates it in {}.",
            t.to.as_deref().map_or_else(|| "its initial state".to_owned(), docs::code)
        );
    }
    // States are enum values, which may hold any text: each is one code span.
    let from = t.from.iter().map(|s| docs::code(s)).collect::<Vec<_>>().join(", ");
    let otherwise =
        t.otherwise.as_deref().map(|e| format!("; from any other state it fails with `{e}`")).unwrap_or_default();
    let effect = match (&t.via, &t.to, t.deletes) {
        (Some(via), Some(to), _) => format!("moves it from {from} to {}, then {}", docs::code(via), docs::code(to)),
        (None, Some(to), _) => format!("moves it from {from} to {}", docs::code(to)),
        (_, None, true) => format!("deletes it from {from}"),
        (_, None, false) => format!("is allowed in {from} and keeps the state"),
    };
    format!("{by} {effect}{otherwise}.")
}

fn resource(r: &Resource) -> TokenStream {
    let name = ident(&r.const_name);
    let lines: Vec<String> = r.transitions.iter().map(|t| format!("- {}", describe_transition(t))).collect();
    let doc = docs::outer(&docs::paragraphs([
        format!("Lifecycle of a {}.", r.name).as_str(),
        &docs::opt(&r.description),
        &format!(
            "States: {}. A new one starts as {}.",
            r.states.iter().map(|s| docs::code(s)).collect::<Vec<_>>().join(", "),
            docs::code(&r.initial)
        ),
        &lines.join("\n"),
    ]));
    let resource_name = &r.name;
    let states = &r.states;
    let initial = &r.initial;
    let id = &r.id;
    let id_prefix = &r.id_prefix;
    let not_found = opt_str(&r.not_found);
    let listing = match &r.waiter {
        Some(w) => {
            let (action, items, id_field, state_field) = (&w.action, &w.items_wire, &w.id_wire, &w.state_wire);
            let wrapper = opt_str(&w.wrapper_wire);
            let scope = &w.scope;
            quote!(Some(rt::Listing { action: #action, items: #items, wrapper: #wrapper, id_field: #id_field, state_field: #state_field, scope: &[#(#scope),*] }))
        }
        None => quote!(None),
    };
    let transitions = r.transitions.iter().map(transition);
    let waiter = r.waiter.as_ref().map(|w| {
        let method = ident(&format!("wait_until_{}_status", crate::naming::snake(&r.name)));
        let states_type = ident(&r.states_type);
        let module = ident(&w.action_module);
        let request = ident(&format!("{}Request", w.action_prefix));
        let error = ident(&format!("{}Error", w.action_prefix));
        let item = ident(&w.item_type.name);
        let item_path = if w.item_type.shared { quote!(super::types::#item) } else { quote!(super::#module::#item) };
        let scope: Vec<_> = w.scope.iter().map(|name| ident(&crate::naming::snake(name))).collect();
        let params = w.params.iter().map(|(k, v)| {
            let value = match v.as_str() {
                "{id}" => quote!(id.to_owned()),
                "{region}" => quote!(self.runtime().region().to_owned()),
                v if let Some(arg) = w.scope.iter().position(|n| v == format!("{{{n}}}")) => {
                    let arg = &scope[arg];
                    quote!(#arg.to_owned())
                }
                v if v.contains('{') => {
                    let names = w.scope.iter().map(|name| format!("{{{name}}}"));
                    let scope = &scope;
                    quote!(#v.replace("{id}", id).replace("{region}", self.runtime().region()) #(.replace(#names, #scope))*)
                }
                v => quote!(#v.to_owned()),
            };
            quote! { (#k, #value), }
        });
        let items = ident(&w.items_field);
        let id_field = ident(&w.id_field);
        let state_field = ident(&w.state_field);
        let state_text = if w.state_is_enum {
            quote!(item.#state_field.as_ref().map(|s| s.as_str().to_owned()).unwrap_or_default())
        } else {
            quote!(item.#state_field.clone().unwrap_or_default())
        };
        let within = match w.scope.as_slice() {
            [] => String::new(),
            names => format!(
                " within {}",
                names.iter().map(|n| format!("`{}`", crate::naming::snake(n))).collect::<Vec<_>>().join(" and ")
            ),
        };
        let doc = docs::outer(&format!(
            "Polls `{}` until the {} `id`{within} is in `target`, and returns it as last read.\n\nFails early, with `WaitError::Unreachable`, once the lifecycle says `target` can no longer be reached from its state; with `WaitError::NotFound` when it is not listed; and with `WaitError::TimedOut` after `policy.timeout`.",
            w.action_prefix, r.name
        ));
        quote! {
            impl super::Client {
                #doc
                pub async fn #method(
                    &self,
                    #(#scope: &str,)*
                    id: &str,
                    target: super::types::#states_type,
                    policy: rt::WaitPolicy,
                ) -> ::core::result::Result<#item_path, rt::WaitError<super::#error>> {
                    rt::wait_for_state(&#name, id, target.as_str(), policy, || {
                        let request = rt::WireRequest::<super::#request>::new([#(#params)*]);
                        async move {
                            let response = self.runtime().send(&request).await?;
                            Ok(response.#items.into_iter().find(|item| item.#id_field.as_deref() == Some(id)).map(|item| (#state_text, item)))
                        }
                    })
                    .await
                }
            }
        }
    });
    quote! {
        #doc
        pub const #name: rt::Lifecycle = rt::Lifecycle {
            resource: #resource_name,
            id: #id,
            id_prefix: #id_prefix,
            not_found: #not_found,
            listing: #listing,
            states: &[#(#states),*],
            initial: #initial,
            transitions: &[#(#transitions)*],
        };
        #waiter
    }
}
