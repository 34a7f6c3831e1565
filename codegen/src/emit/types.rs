//! Named types: open enums and structs.

use proc_macro2::TokenStream;
use quote::quote;

use super::{decode_expr, docs, field_type, ident, setter};
use crate::model::{Field, NamedType, Style, Ty, TypeBody, Variant};

pub fn named_types(types: &[NamedType]) -> TokenStream {
    let items = types.iter().map(|t| match &t.body {
        TypeBody::Enum(variants) => open_enum(t, variants),
        TypeBody::Struct(fields) => structure(t, fields),
    });
    quote! { #(#items)* }
}

fn open_enum(t: &NamedType, variants: &[Variant]) -> TokenStream {
    let name = ident(&t.name);
    let doc = docs::outer(&docs::paragraphs([
        &docs::opt(&t.description),
        "An open enum: a value the service adds later arrives as `Unknown`, never as an error.",
    ]));
    let defs = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let mut text = docs::opt(&v.description);
        let spellings: Vec<String> = std::iter::once(&v.value).chain(&v.aliases).map(|s| docs::code(s)).collect();
        text = docs::paragraphs([text.as_str(), &format!("Wire value: {}.", spellings.join(" or "))]);
        let doc = docs::outer(&text);
        quote! { #doc #variant, }
    });
    let as_str = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let value = &v.value;
        quote! { Self::#variant => #value, }
    });
    let from = variants.iter().map(|v| {
        let variant = ident(&v.rust);
        let spellings = std::iter::once(&v.value).chain(&v.aliases);
        quote! { #(#spellings)|* => Self::#variant, }
    });
    let to_param = t.in_request.then(|| {
        quote! {
            impl rt::ToParam for #name {
                #[inline]
                fn to_param(&self, name: &str, out: &mut rt::Params) {
                    out.push(name, self.as_str());
                }
            }
        }
    });
    let to_json = t.in_json.then(|| {
        quote! {
            impl rt::ToJson for #name {
                #[inline]
                fn to_json(&self) -> rt::JsonValue {
                    rt::JsonValue::String(self.as_str().to_owned())
                }
            }
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#defs)*
            /// A value this version of the SDK does not know.
            Unknown(rt::UnknownValue),
        }
        impl #name {
            /// The value as sent on the wire.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }
        impl ::core::convert::From<&str> for #name {
            #[inline]
            fn from(value: &str) -> Self {
                match value {
                    #(#from)*
                    other => Self::Unknown(rt::UnknownValue::new(other)),
                }
            }
        }
        impl ::std::fmt::Display for #name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl rt::Decode for #name {
            #[inline]
            fn decode(node: &rt::Node) -> ::core::result::Result<Self, rt::DecodeError> {
                <::std::string::String as rt::Decode>::decode(node).map(|value| Self::from(value.as_str()))
            }
        }
        #to_param
        #to_json
    }
}

/// A struct inside a request or response. Every field is optional (lists
/// are `Vec`), so that one type serves requests and responses alike; in
/// requests, fields marked required are checked by the request's builder
/// through `rt::CheckRequired`.
fn structure(t: &NamedType, fields: &[Field]) -> TokenStream {
    let name = ident(&t.name);
    let description = t.description.as_deref().map_or_else(|| "A structured value of the API.".to_owned(), docs::prose);
    let doc = docs::outer(&description);
    let defs = fields.iter().map(|f| {
        let doc = docs::field(f);
        let field = ident(&f.rust);
        let ty = field_type(f, false);
        quote! { #doc pub #field: #ty, }
    });
    let decodes = fields.iter().map(|f| {
        let field = ident(&f.rust);
        let expr = decode_expr(f, false);
        quote! { #field: #expr, }
    });
    let constructible = t.in_request || t.in_json;
    let setters = constructible.then(|| {
        let setters = fields.iter().map(|f| setter(f, &quote!(self), false, None));
        quote! {
            impl #name {
                #(#setters)*
            }
        }
    });
    let from_params = t.in_request.then(|| {
        let reads = fields.iter().map(|f| {
            let field = ident(&f.rust);
            let expr = super::from_params_expr(f);
            quote! { #field: #expr, }
        });
        quote! {
            #[cfg(feature = "server")]
            impl rt::FromParams for #name {
                fn from_params(src: &rt::ParamSource<'_>) -> ::core::result::Result<Self, rt::ParamError> {
                    Ok(Self { #(#reads)* })
                }
            }
        }
    });
    let to_param = t.in_request.then(|| {
        let puts = fields.iter().map(|f| {
            let field = ident(&f.rust);
            let wire = &f.wire;
            match f.style {
                Style::Flat => quote! { out.put_field(name, #wire, &self.#field); },
                Style::Simple => {
                    quote! { out.put_simple(&format!("{name}.{}", #wire), &self.#field); }
                }
                Style::Json => quote! { out.put_json(&format!("{name}.{}", #wire), &self.#field); },
            }
        });
        quote! {
            impl rt::ToParam for #name {
                #[inline]
                fn to_param(&self, name: &str, out: &mut rt::Params) {
                    #(#puts)*
                }
            }
        }
    });
    let to_json = t.in_json.then(|| {
        let puts = fields.iter().map(|f| {
            let field = ident(&f.rust);
            let wire = &f.wire;
            quote! { .field(#wire, &self.#field) }
        });
        quote! {
            impl rt::ToJson for #name {
                #[inline]
                fn to_json(&self) -> rt::JsonValue {
                    rt::JsonObject::new() #(#puts)* .finish()
                }
            }
        }
    });
    let needs_check = fields.iter().any(|f| f.required || super::required_inside(f));
    let check_required = (constructible && needs_check).then(|| {
        let checks = fields.iter().map(|f| {
            let field = ident(&f.rust);
            let wire = &f.wire;
            let present = match (f.required, &f.ty) {
                (false, _) => None,
                (true, Ty::List(_)) => Some(quote! {
                    if self.#field.is_empty() {
                        return Some(#wire.to_owned());
                    }
                }),
                (true, _) => Some(quote! {
                    if self.#field.is_none() {
                        return Some(#wire.to_owned());
                    }
                }),
            };
            let inside = super::required_inside(f).then(|| {
                quote! {
                    if let Some(path) = rt::missing_in(#wire, &self.#field) {
                        return Some(path);
                    }
                }
            });
            quote! { #present #inside }
        });
        quote! {
            impl rt::CheckRequired for #name {
                #[inline]
                fn first_missing(&self) -> ::core::option::Option<::std::string::String> {
                    #(#checks)*
                    None
                }
            }
        }
    });
    let default = if constructible { quote!(Default,) } else { quote!() };
    let (debug, debug_impl) = super::debug_impl(&name, fields);
    quote! {
        #doc
        #[derive(#debug Clone, PartialEq, #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#defs)*
        }
        #debug_impl
        #setters
        impl rt::Decode for #name {
            #[inline]
            fn decode(node: &rt::Node) -> ::core::result::Result<Self, rt::DecodeError> {
                let fields = rt::Object::new(node)?;
                fields.finish(Self { #(#decodes)* })
            }
        }
        #to_param
        #check_required
        #from_params
        #to_json
    }
}
