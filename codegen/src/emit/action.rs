//! One action's module: request, builder, response, error, and the tests that
//! the spec's examples decode.

use proc_macro2::TokenStream;
use quote::quote;

use super::{decode_expr, docs, field_type, ident, setter, types};
use crate::model::{
    ACTION_TYPE_SUFFIXES, Action, ErrorDef, Field, PageStyle, Pagination, Product, Style, Ty, struct_fields,
};

pub fn action(product: &Product, action: &Action) -> TokenStream {
    let module_doc = docs::inner(&format!("`{}`: {}", action.name, docs::prose(&action.summary)));
    let request = request(product, action);
    let response = response(action);
    let error = error(product, action);
    let types = types::named_types(&action.types);
    let tests = tests(product, action);
    let shape = super::shape::response(action, &product.types);
    let test_values = super::test_util::action(action);
    let server = server_side(product, action);
    // The module itself uses its deprecated request type; only callers warn.
    let allow = action.deprecated.then(|| quote! { #![allow(deprecated)] });
    quote! {
        #module_doc
        #allow
        use aliyun_runtime as rt;
        #request
        #response
        #error
        /// The response's fields as data (wire names, kinds, wrappers, nesting), for a server writing answers.
        #[cfg(feature = "server")]
        pub const RESPONSE_SHAPE: &[rt::FieldShape] = #shape;
        #server
        #types
        #test_values
        #tests
    }
}

/// The action's request, builder, response and error type names.
pub(crate) fn names(action: &Action) -> [proc_macro2::Ident; 4] {
    ACTION_TYPE_SUFFIXES.map(|s| ident(&format!("{}{s}", action.type_prefix)))
}

fn request(product: &Product, action: &Action) -> TokenStream {
    let [req, builder, resp, err] = names(action);
    let mut facts = Vec::new();
    if action.read_only {
        facts.push("Read-only: always safe to retry.".to_owned());
    }
    if let Some(token) = &action.idempotency_token {
        facts.push(format!(
            "Idempotent through `{token}`: the client fills it once per call and reuses it on every retry."
        ));
    }
    if action.deprecated {
        facts.push(match &action.deprecated_note {
            Some(note) => format!("Deprecated by the service: {}", docs::prose(note)),
            None => "Deprecated by the service.".to_owned(),
        });
    }
    if action.request.iter().any(|f| f.wire == "DryRun" && f.ty == Ty::Boolean) {
        facts.push(
            "Takes `DryRun`: `client.dry_run(request)` checks the request without acting on it, and resolves to `Ok(())` when it would succeed.".to_owned(),
        );
    }
    if let Some(lifecycle) = &action.lifecycle {
        for t in &lifecycle.transitions {
            let line = super::lifecycle::describe_transition(t);
            facts.push(format!("Lifecycle of the {}: {line}", lifecycle.resource));
        }
    }
    let facts = facts.join(" ");
    let builder_hint = format!("Build one with [`{req}::builder`].");
    let doc = docs::outer(&docs::paragraphs([
        docs::prose(&action.summary).as_str(),
        &docs::opt(&action.description),
        &facts,
        &builder_hint,
    ]));
    // RegionId defaults to the client's region: optional in Rust, filled
    // in by the client when unset (servers still require it).
    let request_fields: Vec<Field> = action.request.iter().map(region_from_client).collect();
    let fields = request_fields.iter().map(|f| {
        let doc = docs::field(f);
        let name = ident(&f.rust);
        let ty = field_type(f, f.required);
        quote! { #doc pub #name: #ty, }
    });
    // The builder holds the request itself, with a placeholder in each
    // required field until its setter runs; `rt::Unset` keeps which are
    // still placeholders, one bit per field of `required`.
    let required: Vec<&Field> = action.request.iter().filter(|f| f.tracked_by_builder()).collect();
    let bit = |f: &Field| required.iter().position(|r| r.rust == f.rust).map(|i| i as u32);
    let required_names = required.iter().map(|f| f.wire.as_str());
    let placeholders = request_fields.iter().map(|f| {
        let name = ident(&f.rust);
        let value = match &f.ty {
            Ty::List(_) => quote!(::std::vec::Vec::new()),
            _ if !f.required => quote!(::core::option::Option::None),
            // An open enum reads any text; "" becomes `Unknown("")`.
            Ty::Named(r) if r.is_enum => quote!(::core::convert::From::from("")),
            _ => quote!(::core::default::Default::default()),
        };
        quote! { #name: #value, }
    });
    let setters = request_fields.iter().map(|f| {
        let mark = bit(f).map(|i| {
            let i = proc_macro2::Literal::u32_unsuffixed(i);
            quote! { self.unset.set(#i); }
        });
        setter(f, &quote!(self.request), f.required, mark)
    });
    let required_lists = request_fields.iter().filter(|f| f.required && matches!(f.ty, Ty::List(_))).map(|f| {
        let name = ident(&f.rust);
        let wire = &f.wire;
        quote! { rt::required_items(#wire, &request.#name)?; }
    });
    let checks = action.request.iter().filter(|f| !f.constraints.is_empty()).map(|f| {
        let name = ident(&f.rust);
        let wire = &f.wire;
        let c = &f.constraints;
        if let Ty::List(inner) = &f.ty {
            if !matches!(inner.as_ref(), Ty::String | Ty::Integer | Ty::Long) {
                // Only the count can be limited; the items have no `Constrained` impl.
                let max = unsuffixed(i128::from(c.max_items.unwrap_or(u64::MAX)));
                return quote! { rt::check_items(#wire, request.#name.len(), #max)?; };
            }
        }
        let limit = |name: &str, v: Option<TokenStream>| {
            let key = ident(name);
            v.map(|v| quote! { #key: Some(#v), })
        };
        let parts = [
            limit("min_length", c.min_length.map(|v| unsuffixed(v as i128))),
            limit("max_length", c.max_length.map(|v| unsuffixed(v as i128))),
            limit("minimum", c.minimum.map(|v| unsuffixed(v as i128))),
            limit("maximum", c.maximum.map(|v| unsuffixed(v as i128))),
            limit("max_items", c.max_items.map(|v| unsuffixed(v as i128))),
        ];
        let parts = parts.iter().flatten();
        quote! { rt::check(#wire, &request.#name, rt::Limits { #(#parts)* ..rt::Limits::NONE })?; }
    });
    let nested = action.request.iter().filter(|f| super::required_inside(f)).map(|f| {
        let name = ident(&f.rust);
        let wire = &f.wire;
        quote! { rt::check_required(#wire, &request.#name)?; }
    });
    let checks: Vec<TokenStream> = required_lists.chain(checks).chain(nested).collect();
    let encodes = action.request.iter().map(|f| {
        let name = ident(&f.rust);
        let wire = &f.wire;
        match f.style {
            Style::Flat => quote! { params.put(#wire, &self.#name); },
            Style::Simple => quote! { params.put_simple(#wire, &self.#name); },
            Style::Json => quote! { params.put_json(#wire, &self.#name); },
        }
    });
    let action_name = &action.name;
    let version = &product.version;
    let read_only = action.read_only;
    let token = super::opt_str(&action.idempotency_token);
    let builder_doc = format!(" Builds a [`{req}`]; `build()` names any required parameter left unset.");
    let build_body = if checks.is_empty() {
        quote! { Ok(self.request) }
    } else {
        quote! {
            let request = self.request;
            #(#checks)*
            Ok(request)
        }
    };
    let params_name = if action.request.is_empty() { quote!(_params) } else { quote!(params) };
    let src_name = if action.request.is_empty() { quote!(_src) } else { quote!(src) };
    let reads: Vec<TokenStream> = action
        .request
        .iter()
        .map(|f| {
            let name = ident(&f.rust);
            let expr = super::from_params_expr(f);
            if f.takes_client_region() && f.required {
                // The builder lets it default; a server must still insist.
                let wire = &f.wire;
                return quote! { builder.request.#name = ::core::option::Option::Some(rt::required(#expr, #wire)?); };
            }
            if let Some(i) = bit(f) {
                let i = proc_macro2::Literal::u32_unsuffixed(i);
                return quote! {
                    if let ::core::option::Option::Some(value) = #expr {
                        builder.request.#name = value;
                        builder.unset.set(#i);
                    }
                };
            }
            quote! { builder.request.#name = #expr; }
        })
        .collect();
    let from_params_body = if reads.is_empty() {
        quote! { Self::builder().build().map_err(rt::ParamError::from) }
    } else {
        quote! {
            let mut builder = Self::builder();
            #(#reads)*
            builder.build().map_err(rt::ParamError::from)
        }
    };
    let client_region = action.request.iter().find(|f| f.takes_client_region()).map(|f| {
        let wire = &f.wire;
        quote! { const CLIENT_REGION: ::core::option::Option<&'static str> = ::core::option::Option::Some(#wire); }
    });
    let method = ident(&action.module);
    let method_doc = docs::outer(&format!(
        "Calls `{}`: {}\n\nSee [`{req}`] for the parameters. The future (`Send` and `'static`: it can be spawned) resolves to a [`{resp}`], or to an [`SdkError`](rt::SdkError) whose `Service` variant holds a [`{err}`], one variant per documented code.",
        action.name,
        docs::prose(&action.summary)
    ));
    let send_doc = docs::outer(&format!(
        "Builds the request and sends it with `client`. The future resolves to a [`{resp}`], or to an [`SdkError`](rt::SdkError) whose `Service` variant holds a [`{err}`]; a request that does not build fails with `SdkError::Build` without being sent."
    ));
    let paginated = action.pagination.as_ref().map(|p| pagination(action, p));
    let has_code = action.response.iter().any(|f| f.wire == "Code");
    let response_has_code = has_code.then(|| quote! { const RESPONSE_HAS_CODE: bool = true; });
    let body: Vec<&str> = action.request.iter().filter(|f| f.in_body).map(|f| f.wire.as_str()).collect();
    let body_params =
        (!body.is_empty()).then(|| quote! { const BODY_PARAMS: &'static [&'static str] = &[#(#body),*]; });
    let deprecated = deprecated_attr(action);
    let dry_runnable = action.request.iter().any(|f| f.wire == "DryRun" && f.ty == Ty::Boolean);
    let dry_run_impl = dry_runnable.then(|| quote! { impl rt::DryRunnable for #req {} });
    let sensitive: Vec<&str> = action.request.iter().filter(|f| f.sensitive).map(|f| f.wire.as_str()).collect();
    let sensitive =
        (!sensitive.is_empty()).then(|| quote! { const SENSITIVE: &'static [&'static str] = &[#(#sensitive),*]; });
    let (req_debug, req_debug_impl) = super::debug_impl(&req, &action.request);
    quote! {
        #doc
        #deprecated
        #[derive(#req_debug Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #req {
            #(#fields)*
        }
        #req_debug_impl
        impl #req {
            /// Starts building a request.
            #[inline]
            pub fn builder() -> #builder {
                #builder {
                    request: #req { #(#placeholders)* },
                    unset: rt::Unset::all(&[#(#required_names),*]),
                }
            }
        }
        #[doc = #builder_doc]
        ///
        /// Its `Debug` shows the request so far and the required parameters still unset.
        #[derive(Debug, Clone)]
        pub struct #builder {
            request: #req,
            unset: rt::Unset,
        }
        impl ::core::default::Default for #builder {
            #[inline]
            fn default() -> Self {
                #req::builder()
            }
        }
        impl #builder {
            #(#setters)*
            /// Checks required parameters and documented limits.
            #[inline]
            pub fn build(self) -> ::core::result::Result<#req, rt::BuildError> {
                self.unset.check()?;
                #build_body
            }
            #send_doc
            #[inline]
            pub fn send(self, client: &super::Client) -> rt::Sending<#req> {
                client.runtime().send_built(self.build())
            }
        }
        impl super::Client {
            #method_doc
            #deprecated
            #[inline]
            pub fn #method(&self, request: #req) -> rt::Sending<#req> {
                self.runtime().send(&request)
            }
        }
        #dry_run_impl
        #paginated
        #[cfg(feature = "server")]
        impl rt::FromParams for #req {
            /// Reads a request as a server receives it, with the builder's checks.
            fn from_params(#src_name: &rt::ParamSource<'_>) -> ::core::result::Result<Self, rt::ParamError> {
                #from_params_body
            }
        }
        impl rt::Operation for #req {
            const ACTION: &'static str = #action_name;
            const VERSION: &'static str = #version;
            const READ_ONLY: bool = #read_only;
            const IDEMPOTENCY_TOKEN: ::core::option::Option<&'static str> = #token;
            #response_has_code
            #body_params
            #sensitive
            #client_region
            type Output = #resp;
            type Error = #err;
            #[inline]
            fn encode(&self, #params_name: &mut rt::Params) {
                #(#encodes)*
            }
        }
    }
}

/// The field as the request type shows it: a `RegionId` is optional there,
/// and says that the client fills it in.
fn region_from_client(field: &Field) -> Field {
    let mut field = field.clone();
    if field.takes_client_region() {
        field.required = false;
        let note = "When unset, the client's region is sent.";
        field.description = Some(match field.description.take() {
            Some(d) => format!("{} {note}", d.trim_end()),
            None => note.to_owned(),
        });
    }
    field
}

/// `#[deprecated]` for a deprecated action's request type and client
/// method, so that a caller's build warns; the generated code that uses them
/// allows it (see `action`).
pub(crate) fn deprecated_attr(action: &Action) -> Option<TokenStream> {
    action.deprecated.then(|| {
        let note = match &action.deprecated_note {
            Some(note) => {
                format!("deprecated by the service: {}", docs::one_line(&docs::prose(note)))
            }
            None => "deprecated by the service".to_owned(),
        };
        quote! { #[deprecated(note = #note)] }
    })
}

fn response(action: &Action) -> TokenStream {
    let [_, _, resp, _] = names(action);
    let doc = docs::outer(&format!("What `{}` returns.", action.name));
    let fields = action.response.iter().map(|f| {
        let doc = docs::field(f);
        let name = ident(&f.rust);
        let ty = field_type(f, f.required);
        quote! { #doc pub #name: #ty, }
    });
    let decodes = action.response.iter().map(|f| {
        let name = ident(&f.rust);
        let expr = decode_expr(f, f.required);
        quote! { #name: #expr, }
    });
    let (debug, debug_impl) = super::debug_impl(&resp, &action.response);
    quote! {
        #doc
        #[derive(#debug Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #resp {
            #(#fields)*
        }
        #debug_impl
        impl rt::Decode for #resp {
            #[inline]
            fn decode(node: &rt::Node) -> ::core::result::Result<Self, rt::DecodeError> {
                let fields = rt::Object::new(node)?;
                fields.finish(Self { #(#decodes)* })
            }
        }
    }
}

fn error_doc(e: &ErrorDef) -> TokenStream {
    let origin = if e.common { " Common to every action of the product." } else { "" };
    docs::outer(&docs::paragraphs([
        format!("`{}` (HTTP {}): {}{origin}", e.code, e.status, docs::prose(&e.message)).as_str(),
        &docs::opt(&e.description),
    ]))
}

fn error(product: &Product, action: &Action) -> TokenStream {
    let [_, _, _, err] = names(action);
    let has_common = !product.common_errors.is_empty();
    let doc = docs::outer(&format!(
        "Errors `{}` returns: one variant per code documented for it, `Common` for the codes any action of the product may return, and `Unhandled` for any other code.",
        action.name
    ));
    let own: Vec<_> = action.errors.iter().filter(|e| !e.common).collect();
    let variants: Vec<_> = own.iter().map(|e| ident(&e.variant)).collect();
    let defs = own.iter().zip(&variants).map(|(e, v)| {
        let doc = error_doc(e);
        quote! { #doc #v(rt::ServiceError), }
    });
    let codes = own.iter().map(|e| &e.code);
    let common_def = has_common.then(|| {
        quote! {
            /// A code any action of the product may return, such as throttling or a signature problem.
            Common(super::CommonError),
        }
    });
    // What a code that is not the action's own becomes.
    let fallback = if has_common {
        quote! {
            match super::CommonError::from_service_error(err) {
                Ok(common) => Self::Common(common),
                Err(err) => Self::Unhandled(err),
            }
        }
    } else {
        quote! { Self::Unhandled(err) }
    };
    let from_body = if own.is_empty() {
        // No own codes: the fallback alone, not a match with one arm.
        fallback
    } else {
        quote! {
            match err.code() {
                #(#codes => Self::#variants(err),)*
                _ => #fallback,
            }
        }
    };
    let common_arm = has_common.then(|| quote! { Self::Common(common) => common.service_error(), });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum #err {
            #(#defs)*
            #common_def
            /// A code the spec does not document for this action. Match on
            /// `code()` rather than on this variant: a code documented later
            /// moves to a variant of its own.
            Unhandled(rt::ServiceError),
        }
        impl #err {
            /// Alibaba's error code, such as `Forbidden.NotAllowedInState`.
            #[inline]
            pub fn code(&self) -> &str {
                rt::OperationError::service_error(self).code()
            }
            /// The service's message.
            #[inline]
            pub fn message(&self) -> &str {
                rt::OperationError::service_error(self).message()
            }
            /// The request id to quote to Alibaba support.
            #[inline]
            pub fn request_id(&self) -> ::core::option::Option<&str> {
                rt::OperationError::service_error(self).request_id()
            }
        }
        impl rt::OperationError for #err {
            #[inline]
            fn from_service_error(err: rt::ServiceError) -> Self {
                #from_body
            }
            #[inline]
            fn service_error(&self) -> &rt::ServiceError {
                match self {
                    #(Self::#variants(err) |)* Self::Unhandled(err) => err,
                    #common_arm
                }
            }
        }
        impl ::std::fmt::Display for #err {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(rt::OperationError::service_error(self), f)
            }
        }
        impl ::std::error::Error for #err {}
    }
}

/// What a server's tests need of the action beyond its shape: the request
/// the spec's examples make, as wire parameters, and a check that a body
/// reads as the response (see `OperationInfo::example` and `::decode`).
fn server_side(product: &Product, action: &Action) -> TokenStream {
    let [req, _, resp, _] = names(action);
    let setters = example_setters(product, action);
    quote! {
        /// The request the spec's examples make (placeholders where it has none), as wire parameters.
        #[cfg(feature = "server")]
        pub(crate) fn example_params() -> ::std::vec::Vec<(::std::string::String, ::std::string::String)> {
            #req::builder() #(#setters)* .build().map(|request| rt::Operation::to_params(&request).into_vec()).unwrap_or_default()
        }
        /// Whether `body` reads as this action's response.
        #[cfg(feature = "server")]
        pub(crate) fn decodes(body: &[u8]) -> ::core::result::Result<(), rt::DecodeError> {
            rt::decode_response::<#resp>(body).map(|_| ())
        }
    }
}

/// The builder calls that set each request parameter to its example.
fn example_setters<'a>(product: &'a Product, action: &'a Action) -> impl Iterator<Item = TokenStream> + 'a {
    action.request.iter().filter_map(|f| {
        let value = example_or_placeholder(product, action, f)?;
        let name = ident(&f.rust);
        Some(quote!(.#name(#value)))
    })
}

/// Tests from the spec's own examples: the response examples decode (to the
/// values they show, and JSON and XML alike), every error code reaches its
/// variant.
fn tests(product: &Product, action: &Action) -> TokenStream {
    let [req, _, resp, err] = names(action);
    let mut tests = Vec::new();
    // The request built from the spec's examples, as it goes on the wire,
    // compared with a reviewed snapshot (`UPDATE_EXPECT=1` rewrites it).
    let setters = example_setters(product, action);
    let snapshot = format!("../../tests/snapshots/wire/{}.txt", action.module);
    tests.push(quote! {
        #[test]
        fn example_request_encodes() {
            let request = #req::builder() #(#setters)* .build().expect("the spec's examples build a request");
            let wire: ::std::string::String = rt::Operation::to_params(&request).iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            expect_test::expect_file![#snapshot].assert_eq(&wire);
        }
    });
    if let Some(json) = &action.json_example {
        let asserts = example_asserts(action, json);
        tests.push(quote! {
            #[test]
            fn json_example_decodes() {
                let response: #resp = rt::decode_response(JSON_EXAMPLE.as_bytes()).expect("the JSON example decodes");
                #(#asserts)*
            }
        });
    }
    if action.xml_example.is_some() {
        tests.push(quote! {
            #[test]
            fn xml_example_decodes() {
                let response: ::core::result::Result<#resp, _> = rt::decode_response(XML_EXAMPLE.as_bytes());
                response.expect("the XML example decodes");
            }
        });
    }
    if action.json_example.is_some() && action.xml_example.is_some() {
        tests.push(quote! {
            #[test]
            fn json_and_xml_examples_agree() {
                let json: #resp = rt::decode_response(JSON_EXAMPLE.as_bytes()).unwrap();
                let xml: #resp = rt::decode_response(XML_EXAMPLE.as_bytes()).unwrap();
                assert_eq!(json, xml);
            }
        });
    }
    // (code, HTTP status, message, variant name): the variant is read back
    // from `Debug`, which keeps this test one row per code.
    let rows = action.errors.iter().map(|e| {
        let code = &e.code;
        let status = unsuffixed(i128::from(e.status));
        let message = &e.message;
        let variant = if e.common { format!("Common({}(", e.variant) } else { format!("{}(", e.variant) };
        quote! { (#code, #status, #message, #variant), }
    });
    tests.push(quote! {
        #[test]
        fn error_codes_map_to_their_variants() {
            use rt::OperationError;
            let cases: &[(&str, u16, &str, &str)] = &[#(#rows)* ("Undocumented.Code", 400, "m", "Unhandled(")];
            for &(code, status, message, variant) in cases {
                let e = #err::from_service_error(rt::ServiceError::new(status, code, message));
                assert!(format!("{e:?}").starts_with(variant), "{code} gave {e:?}");
                assert_eq!(e.code(), code);
                assert_eq!(e.to_string(), format!("{code}: {message}"));
            }
        }
    });
    let json_const = action.json_example.as_ref().map(|j| {
        let j = j.trim();
        quote! { const JSON_EXAMPLE: &str = #j; }
    });
    let xml_const = action.xml_example.as_ref().map(|x| {
        let x = x.trim();
        quote! { const XML_EXAMPLE: &str = #x; }
    });
    quote! {
        #[cfg(test)]
        mod tests {
            use super::*;
            #json_const
            #xml_const
            #(#tests)*
        }
    }
}

/// `assert_eq!`s for the example's top-level scalar values.
fn example_asserts(action: &Action, json: &str) -> Vec<TokenStream> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in &action.response {
        let Some(value) = map.get(&f.wire) else {
            continue;
        };
        let name = ident(&f.rust);
        let expected = match (&f.ty, value) {
            (Ty::String, serde_json::Value::String(s)) => quote!(#s),
            (Ty::Named(r), serde_json::Value::String(s)) if r.is_enum => quote!(#s),
            (Ty::Integer | Ty::Long, serde_json::Value::Number(n)) if n.is_i64() => {
                unsuffixed(i128::from(n.as_i64().unwrap_or_default()))
            }
            (Ty::Boolean, serde_json::Value::Bool(b)) => quote!(#b),
            _ => continue,
        };
        let actual = match (&f.ty, f.required) {
            (Ty::String, true) => quote!(response.#name.as_str()),
            (Ty::String, false) => quote!(response.#name.as_deref()),
            (Ty::Named(_), true) => quote!(response.#name.as_str()),
            (Ty::Named(_), false) => quote!(response.#name.as_ref().map(|v| v.as_str())),
            (_, _) => quote!(response.#name),
        };
        let expected = if f.required { expected } else { quote!(Some(#expected)) };
        out.push(quote! { assert_eq!(#actual, #expected); });
    }
    out
}

/// An integer literal without a type suffix (`64`, not `64u64`); negative
/// values become a negated literal.
fn unsuffixed(v: i128) -> TokenStream {
    let lit = proc_macro2::Literal::u128_unsuffixed(v.unsigned_abs());
    if v < 0 { quote!(-#lit) } else { quote!(#lit) }
}

/// `rt::Paginated` for the request, and streams of pages and items on the client.
fn pagination(action: &Action, p: &Pagination) -> TokenStream {
    let [req, _, resp, err] = names(action);
    let item = super::value_type(&p.item_type);
    let items = ident(&p.items_field);
    let (style, moves) = match p.style {
        PageStyle::PageNumber => {
            let (page, ty) = p.page_number.clone().unwrap_or_else(|| ("page_number".to_owned(), Ty::Integer));
            let page = ident(&page);
            let (read, write) = match ty {
                Ty::Long => {
                    (quote!(self.#page.and_then(|p| i32::try_from(p).ok())), quote!(self.#page = Some(i64::from(page))))
                }
                _ => (quote!(self.#page), quote!(self.#page = Some(page))),
            };
            (
                quote!(rt::PageStyle::PageNumber),
                quote! {
                    fn page_number(&self) -> ::core::option::Option<i32> {
                        #read
                    }
                    fn set_page_number(&mut self, page: i32) {
                        #write;
                    }
                },
            )
        }
        PageStyle::NextToken => {
            let token = ident(p.next_token_request.as_deref().unwrap_or("next_token"));
            (
                quote!(rt::PageStyle::NextToken),
                quote! {
                    fn set_next_token(&mut self, token: ::std::string::String) {
                        self.#token = Some(token);
                    }
                },
            )
        }
    };
    let total = match &p.total_count {
        Some((field, ty)) => {
            let field = ident(field);
            match ty {
                Ty::Long => quote!(page.#field),
                Ty::String => quote!(page.#field.as_deref().and_then(|t| t.trim().parse().ok())),
                _ => quote!(page.#field.map(i64::from)),
            }
        }
        None => quote!(None),
    };
    let next = match &p.next_token_response {
        Some(field) => {
            let field = ident(field);
            quote!(page.#field.clone())
        }
        None => quote!(None),
    };
    let pages = ident(&format!("{}_pages", action.module));
    let items_method = ident(&format!("{}_items", action.module));
    let pages_doc = format!(
        " Every page of `{}`, in order; see [`{req}`]. The stream ends after the last page, an empty page or a missing next token, and after yielding an error.",
        action.name
    );
    let items_doc = format!(" Every item of every page of `{}`.", action.name);
    quote! {
        impl rt::Paginated for #req {
            type Item = #item;
            const STYLE: rt::PageStyle = #style;
            #moves
            #[inline]
            fn page_info(page: &#resp) -> rt::PageInfo {
                rt::PageInfo { items: page.#items.len(), total_count: #total, next_token: #next }
            }
            #[inline]
            fn into_items(page: #resp) -> ::std::vec::Vec<#item> {
                page.#items
            }
        }
        impl super::Client {
            #[doc = #pages_doc]
            #[inline]
            pub fn #pages(&self, request: #req) -> impl rt::Stream<Item = ::core::result::Result<#resp, rt::SdkError<#err>>> + ::core::marker::Send + ::core::marker::Unpin + 'static {
                self.runtime().pages(request)
            }
            #[doc = #items_doc]
            #[inline]
            pub fn #items_method(&self, request: #req) -> impl rt::Stream<Item = ::core::result::Result<#item, rt::SdkError<#err>>> + ::core::marker::Send + ::core::marker::Unpin + 'static {
                self.runtime().items(request)
            }
        }
    }
}

/// A setter argument from a field's example; required fields without one
/// get a placeholder, optional ones are left out.
fn example_or_placeholder(product: &Product, action: &Action, field: &crate::model::Field) -> Option<TokenStream> {
    let json = example_json(product, action, field, 0)?;
    example_value(product, action, &field.ty, &json)
}

/// A field's example as JSON; a placeholder when it is required and has
/// none, so that the example request passes the builder's checks.
fn example_json(
    product: &Product,
    action: &Action,
    field: &crate::model::Field,
    depth: usize,
) -> Option<serde_json::Value> {
    match (&field.example, &field.ty) {
        (Some(text), Ty::String) => Some(serde_json::Value::String(text.clone())),
        (Some(text), Ty::Named(r)) if r.is_enum => Some(serde_json::Value::String(text.clone())),
        (Some(text), _) => serde_json::from_str(text).ok(),
        (None, _) if field.required => Some(placeholder(product, action, &field.ty, &field.wire, depth)),
        (None, _) => None,
    }
}

/// A stand-in value: a struct gets its fields' examples, and placeholders
/// for its required fields without one.
fn placeholder(product: &Product, action: &Action, ty: &Ty, wire: &str, depth: usize) -> serde_json::Value {
    match ty {
        Ty::Integer | Ty::Long => serde_json::Value::from(1),
        Ty::Float => serde_json::Value::from(1.5),
        Ty::Boolean => serde_json::Value::Bool(true),
        Ty::List(inner) => serde_json::Value::Array(vec![placeholder(product, action, inner, wire, depth)]),
        Ty::Named(r) if !r.is_enum => {
            let fields = match struct_fields(r, &action.types, &product.types) {
                // The depth bound only guards against a type that holds itself.
                Some(fields) if depth < 8 => fields,
                _ => &[],
            };
            let values =
                fields.iter().filter_map(|f| Some((f.wire.clone(), example_json(product, action, f, depth + 1)?)));
            serde_json::Value::Object(values.collect())
        }
        _ => serde_json::Value::String(format!("example-{wire}")),
    }
}

/// Rust for an example value of type `ty`: a literal, a list, or a struct
/// built with its setters.
fn example_value(product: &Product, action: &Action, ty: &Ty, json: &serde_json::Value) -> Option<TokenStream> {
    use serde_json::Value as J;
    Some(match (ty, json) {
        (Ty::String, J::String(s)) => quote!(#s),
        (Ty::String, J::Number(n)) => {
            let s = n.to_string();
            quote!(#s)
        }
        (Ty::Named(r), J::String(s)) if r.is_enum => quote!(#s),
        // Typed literals: a setter takes `impl Into<i64>`, which an
        // unsuffixed literal past i32 would not satisfy.
        (Ty::Integer, J::Number(n)) => {
            let v = proc_macro2::Literal::i32_suffixed(i32::try_from(n.as_i64()?).ok()?);
            quote!(#v)
        }
        (Ty::Long, J::Number(n)) => {
            let v = proc_macro2::Literal::i64_suffixed(n.as_i64()?);
            quote!(#v)
        }
        (Ty::Float, J::Number(n)) => {
            let v = proc_macro2::Literal::f64_unsuffixed(n.as_f64()?);
            quote!(#v)
        }
        (Ty::Boolean, J::Bool(b)) => quote!(#b),
        (Ty::List(inner), J::Array(items)) => {
            let items =
                items.iter().map(|item| example_value(product, action, inner, item)).collect::<Option<Vec<_>>>()?;
            // The setter takes `impl IntoIterator<Item = impl Into<T>>`, so
            // string literals and built structs go in as they are.
            quote!([#(#items),*])
        }
        (Ty::Named(r), J::Object(map)) => {
            let fields = struct_fields(r, &action.types, &product.types)?;
            // As named from the action's `tests` module, one level below.
            let name = ident(&r.name);
            let path = if r.shared { quote!(super::super::types::#name) } else { quote!(#name) };
            let setters = fields.iter().filter_map(|f| {
                let value = example_value(product, action, &f.ty, map.get(&f.wire)?)?;
                let name = ident(&f.rust);
                Some(quote!(.#name(#value)))
            });
            quote!(#path::default() #(#setters)*)
        }
        _ => return None,
    })
}
