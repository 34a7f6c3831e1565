//! Reading flattened RPC parameters back into typed requests: the server
//! side of `Params`, used by the emulator to parse requests with the same
//! generated types that clients send.

use std::collections::BTreeMap;
use std::fmt;

use crate::{BuildError, Decode, Node};

/// A request that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    /// A required parameter is absent (Alibaba answers `MissingParameter`).
    Missing {
        /// The wire name, with its prefix for a struct field (`Tag.2.Key`).
        parameter: String,
    },
    /// A value has the wrong form or breaks a limit (`InvalidParameter`).
    Invalid {
        /// The wire name, with its prefix for a struct field (`Tag.2.Key`).
        parameter: String,
        /// What is wrong with the value, for the error message.
        reason: String,
    },
}

impl ParamError {
    /// The error code Alibaba's gateway answers with.
    pub fn code(&self) -> &'static str {
        match self {
            ParamError::Missing { .. } => "MissingParameter",
            ParamError::Invalid { .. } => "InvalidParameter",
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamError::Missing { parameter } => {
                write!(
                    f,
                    "The input parameter \"{parameter}\" that is mandatory for processing this request is not supplied."
                )
            }
            ParamError::Invalid { parameter, reason } => {
                write!(f, "The specified parameter \"{parameter}\" is not valid: {reason}")
            }
        }
    }
}

impl std::error::Error for ParamError {}

impl From<BuildError> for ParamError {
    fn from(e: BuildError) -> Self {
        match e {
            BuildError::Missing { parameter } => ParamError::Missing { parameter: parameter.into_owned() },
            BuildError::Invalid { parameter, reason } => {
                ParamError::Invalid { parameter: parameter.to_owned(), reason }
            }
        }
    }
}

/// The parameters of one request, by wire name, seen from a prefix
/// (`Tag.2` when reading the second tag).
#[derive(Debug, Clone, Copy)]
pub struct ParamSource<'a> {
    params: &'a BTreeMap<String, String>,
    prefix: Option<&'a str>,
}

/// A type that can be read from flattened parameters: generated for every
/// request and every struct a request holds.
pub trait FromParams: Sized {
    /// Reads `Self` from `src`, with the checks the builder runs: required
    /// parameters and documented limits. Parameters it does not know are
    /// ignored.
    fn from_params(src: &ParamSource<'_>) -> Result<Self, ParamError>;
}

impl<'a> ParamSource<'a> {
    /// All of `params` (wire name to value, as decoded from the query string
    /// and form body), seen from the top, with no prefix.
    pub fn new(params: &'a BTreeMap<String, String>) -> Self {
        ParamSource { params, prefix: None }
    }

    fn key(&self, name: &str) -> String {
        match self.prefix {
            Some(p) => format!("{p}.{name}"),
            None => name.to_owned(),
        }
    }

    fn scalar<T: Decode>(&self, key: &str) -> Result<Option<T>, ParamError> {
        match self.params.get(key) {
            None => Ok(None),
            Some(text) => T::decode(&Node::Str(text.clone()))
                .map(Some)
                .map_err(|e| ParamError::Invalid { parameter: key.to_owned(), reason: e.message().to_owned() }),
        }
    }

    /// A scalar parameter that may be absent.
    pub fn optional<T: Decode>(&self, name: &str) -> Result<Option<T>, ParamError> {
        self.scalar(&self.key(name))
    }

    /// `Name.1`, `Name.2`, ... up to the first gap.
    pub fn list<T: Decode>(&self, name: &str) -> Result<Vec<T>, ParamError> {
        let base = self.key(name);
        let mut out = Vec::new();
        while let Some(value) = self.scalar(&format!("{base}.{}", out.len() + 1))? {
            out.push(value);
        }
        Ok(out)
    }

    /// Whether any parameter lies under `base`: a key starting with `base.`.
    fn has_under(&self, base: &str) -> bool {
        let marker = format!("{base}.");
        self.params.range(marker.clone()..).next().is_some_and(|(k, _)| k.starts_with(&marker))
    }

    /// `Name.1.Field`, `Name.2.Field`, ... up to the first index with no field.
    pub fn structs<T: FromParams>(&self, name: &str) -> Result<Vec<T>, ParamError> {
        let base = self.key(name);
        let mut out = Vec::new();
        loop {
            let item = format!("{base}.{}", out.len() + 1);
            if !self.has_under(&item) {
                return Ok(out);
            }
            out.push(T::from_params(&ParamSource { params: self.params, prefix: Some(&item) })?);
        }
    }

    /// `Name.Field` of a struct that may be absent.
    pub fn structure<T: FromParams>(&self, name: &str) -> Result<Option<T>, ParamError> {
        let base = self.key(name);
        if !self.has_under(&base) {
            return Ok(None);
        }
        T::from_params(&ParamSource { params: self.params, prefix: Some(&base) }).map(Some)
    }

    /// `style: simple`: comma-joined scalars in one parameter.
    pub fn simple<T: Decode>(&self, name: &str) -> Result<Vec<T>, ParamError> {
        let key = self.key(name);
        match self.params.get(&key) {
            None => Ok(Vec::new()),
            Some(text) => text
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    T::decode(&Node::Str(s.to_owned()))
                        .map_err(|e| ParamError::Invalid { parameter: key.clone(), reason: e.message().to_owned() })
                })
                .collect(),
        }
    }

    /// `style: json`: one parameter holding JSON.
    pub fn json<T: Decode>(&self, name: &str) -> Result<Option<T>, ParamError> {
        let key = self.key(name);
        match self.params.get(&key) {
            None => Ok(None),
            Some(text) => Node::parse_json(text)
                .and_then(|node| T::decode(&node))
                .map(Some)
                .map_err(|e| ParamError::Invalid { parameter: key, reason: e.to_string() }),
        }
    }
}

/// One action as a server sees it.
#[derive(Debug, Clone, Copy)]
pub struct OperationInfo {
    /// Wire name of the action (`CreateVpc`).
    pub action: &'static str,
    /// The action only reads state ([`Operation::READ_ONLY`](crate::Operation::READ_ONLY)).
    pub read_only: bool,
    /// Wire name of the parameter that makes the call idempotent
    /// (`ClientToken`), if any: a server answers a repeated token with the
    /// first answer.
    pub idempotency_token: Option<&'static str>,
    /// Reads the parameters with the action's request type and its checks.
    pub check: fn(&ParamSource<'_>) -> Result<(), ParamError>,
    /// The action's own documented errors, with the statuses it answers
    /// them with (a code may have other statuses for other actions). The
    /// common ones are the generated `CommonError::DOCUMENTED`.
    pub errors: &'static [crate::ErrorDoc],
    /// The fields of a successful answer, `RequestId` included, with their
    /// kinds, wrappers and nesting: what a server needs to write it.
    pub response: &'static [crate::FieldShape],
    /// The request the spec's examples make, as wire parameters, with
    /// placeholders (`example-VpcId`) where the spec has no example: one a
    /// server's tests can send for any action.
    pub example: fn() -> Vec<(String, String)>,
    /// Reads a body as the action's response: a server's tests check with
    /// it that what they are answered is what clients can read.
    pub decodes: fn(&[u8]) -> Result<(), crate::DecodeError>,
    /// The response's top-level ID fields and the prefix the spec's example
    /// shows for them (`("CustomerGatewayId", "cgw-")`): how a server that
    /// does not model the resource makes up its ID.
    pub new_ids: &'static [(&'static str, &'static str)],
}

/// `OperationInfo::check` for request type `R`.
pub fn check_params<R: FromParams>(src: &ParamSource<'_>) -> Result<(), ParamError> {
    R::from_params(src).map(|_| ())
}

/// `Vec<T>` read as a JSON list (`style: json` on a list).
impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node) -> Result<Self, crate::DecodeError> {
        match node {
            Node::List(items) => items.iter().map(T::decode).collect(),
            other => T::decode(other).map(|one| vec![one]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Filter {
        key: Option<String>,
        values: Vec<String>,
    }

    impl FromParams for Filter {
        fn from_params(src: &ParamSource<'_>) -> Result<Self, ParamError> {
            Ok(Filter { key: src.optional("Key")?, values: src.list("Value")? })
        }
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn nested_lists_read_back_in_order() {
        let p = params(&[
            ("Filter.1.Key", "Status"),
            ("Filter.1.Value.1", "Enabled"),
            ("Filter.1.Value.2", "Confirmed"),
            ("Filter.2.Key", "Name"),
            ("Filter.10.Key", "after a gap: ignored"),
            ("Size", "10"),
        ]);
        let src = ParamSource::new(&p);
        let filters: Vec<Filter> = src.structs("Filter").unwrap();
        assert_eq!(
            filters,
            [
                Filter { key: Some("Status".into()), values: vec!["Enabled".into(), "Confirmed".into()] },
                Filter { key: Some("Name".into()), values: vec![] },
            ]
        );
        assert_eq!(src.optional::<i32>("Size").unwrap(), Some(10));
        assert_eq!(src.optional::<i32>("Absent").unwrap(), None);
    }

    #[test]
    fn bad_values_name_the_parameter() {
        let p = params(&[("Size", "ten"), ("Ids", "a,b"), ("Conf", "{\"A\":1")]);
        let src = ParamSource::new(&p);
        let err = src.optional::<i32>("Size").unwrap_err();
        assert_eq!(err.code(), "InvalidParameter");
        assert!(err.to_string().contains("\"Size\""), "{err}");
        assert_eq!(src.simple::<String>("Ids").unwrap(), ["a", "b"]);
        assert!(src.json::<Vec<i64>>("Conf").is_err());
    }
}
