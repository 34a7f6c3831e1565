//! Response values for users' tests, behind the generated crate's
//! `test-util` feature.
//!
//! Responses and the structs only responses hold are `#[non_exhaustive]`
//! and have no `Default`, so code outside the crate could only decode them
//! from JSON. With the feature, each gets `Default` and one chainable setter
//! per field, named after the field, as request structs have:
//!
//! ```text
//! let page = DescribeVpcsResponse::default().total_count(1).vpcs([Vpc::default().vpc_id("vpc-1")]);
//! ```
//!
//! Everything here is under `#[cfg(feature = "test-util")]`, so a build
//! without the feature only parses it; nothing is type-checked or compiled.

use proc_macro2::TokenStream;
use quote::quote;

use super::{docs, ident, value_type};
use crate::model::{Action, Field, NamedType, Ty, TypeBody};

/// The action's response, and the structs of its own that only responses hold.
pub fn action(action: &Action) -> TokenStream {
    let [_, _, resp, _] = super::action::names(action);
    let response = values(&resp, &action.response, true);
    let types = named_types(&action.types);
    quote! { #response #types }
}

/// Named structs that have no `Default` and setters yet: those no request
/// or JSON parameter reaches (the others have both already).
pub fn named_types(types: &[NamedType]) -> TokenStream {
    let items = types.iter().filter(|t| !(t.in_request || t.in_json)).filter_map(|t| match &t.body {
        TypeBody::Struct(fields) => Some(values(&ident(&t.name), fields, false)),
        TypeBody::Enum(_) => None,
    });
    quote! { #(#items)* }
}

/// `Default` and setters for one struct. A response's required fields are
/// bare values (the empty string, zero, a default struct); every other
/// field is an `Option` or a `Vec`.
fn values(name: &proc_macro2::Ident, fields: &[Field], top_level: bool) -> TokenStream {
    let required = |f: &Field| top_level && f.required && !matches!(f.ty, Ty::List(_));
    let defaults = fields.iter().map(|f| {
        let field = ident(&f.rust);
        let value = match &f.ty {
            // An open enum has no default value; an empty one is `Unknown`.
            Ty::Named(r) if r.is_enum && required(f) => quote!(::core::convert::From::from("")),
            _ => quote!(::core::default::Default::default()),
        };
        quote! { #field: #value, }
    });
    let setters = fields.iter().map(|f| setter(f, required(f)));
    let doc = docs::outer(&format!(
        "A [`{name}`] with every field empty (`None`, empty lists and strings, zero), for tests: set the fields that matter with the setters of the same names. Needs the `test-util` feature."
    ));
    quote! {
        #[cfg(feature = "test-util")]
        #doc
        impl ::core::default::Default for #name {
            #[inline]
            fn default() -> Self {
                Self { #(#defaults)* }
            }
        }
        #[cfg(feature = "test-util")]
        impl #name {
            #(#setters)*
        }
    }
}

/// A chainable setter: takes anything convertible into the field's type
/// (any iterable of items for a list).
fn setter(field: &Field, required: bool) -> TokenStream {
    let name = ident(&field.rust);
    let doc = docs::field(field);
    let (param, value) = match &field.ty {
        Ty::List(inner) => {
            let inner = value_type(inner);
            (
                quote!(impl ::core::iter::IntoIterator<Item = impl ::core::convert::Into<#inner>>),
                quote!(value.into_iter().map(::core::convert::Into::into).collect()),
            )
        }
        ty => {
            let ty = value_type(ty);
            let value =
                if required { quote!(value.into()) } else { quote!(::core::option::Option::Some(value.into())) };
            (quote!(impl ::core::convert::Into<#ty>), value)
        }
    };
    quote! {
        #doc
        ///
        /// A setter for tests (feature `test-util`).
        #[inline]
        pub fn #name(mut self, value: #param) -> Self {
            self.#name = #value;
            self
        }
    }
}
