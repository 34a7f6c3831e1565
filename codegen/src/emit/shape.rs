//! An action's response shape as data (`rt::FieldShape`), for servers: the
//! wire name and kind of every field, wrappers, and nesting, with named
//! structs written out where they are used.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Action, Field, NamedType, Ty, TypeRef, struct_fields};

/// `&[rt::FieldShape { .. }, ..]` for the action's response fields.
pub fn response(action: &Action, shared: &[NamedType]) -> TokenStream {
    let mut stack = Vec::new();
    fields(&action.response, &action.types, shared, &mut stack)
}

fn fields(fields: &[Field], local: &[NamedType], shared: &[NamedType], stack: &mut Vec<String>) -> TokenStream {
    let items = fields.iter().map(|f| {
        let name = &f.wire;
        let shape = shape(&f.ty, f.wrapper.as_deref(), local, shared, stack);
        quote! { rt::FieldShape { name: #name, shape: #shape } }
    });
    let items: Vec<_> = items.collect();
    quote! { &[#(#items),*] }
}

fn shape(
    ty: &Ty,
    wrapper: Option<&str>,
    local: &[NamedType],
    shared: &[NamedType],
    stack: &mut Vec<String>,
) -> TokenStream {
    match ty {
        Ty::String => quote!(rt::Shape::String),
        Ty::Integer => quote!(rt::Shape::Integer),
        Ty::Long => quote!(rt::Shape::Long),
        Ty::Boolean => quote!(rt::Shape::Boolean),
        Ty::Float => quote!(rt::Shape::Float),
        Ty::Named(r) => named(r, local, shared, stack),
        Ty::List(inner) => {
            let item = shape(inner, None, local, shared, stack);
            let wrapper = match wrapper {
                Some(w) => quote!(Some(#w)),
                None => quote!(None),
            };
            quote!(rt::Shape::List { item: &#item, wrapper: #wrapper })
        }
    }
}

fn named(r: &TypeRef, local: &[NamedType], shared: &[NamedType], stack: &mut Vec<String>) -> TokenStream {
    if r.is_enum {
        return quote!(rt::Shape::Enum);
    }
    let key = format!("{}{}", if r.shared { "shared::" } else { "" }, r.name);
    // A struct that holds itself through a list is written out once; the
    // inner occurrence is an empty struct, which a server leaves empty.
    if stack.contains(&key) {
        return quote!(rt::Shape::Struct(&[]));
    }
    let Some(members) = struct_fields(r, local, shared) else { return quote!(rt::Shape::Struct(&[])) };
    // Shared structs' fields name shared types only.
    let local = if r.shared { &[][..] } else { local };
    stack.push(key);
    let inner = fields(members, local, shared, stack);
    stack.pop();
    quote!(rt::Shape::Struct(#inner))
}
