//! Checks a request builder runs before handing out a request.

use std::borrow::Cow;
use std::fmt;

/// A request that cannot be built: a required parameter is missing, or a
/// value breaks a limit the spec documents.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildError {
    /// A required parameter, or a required field of a request struct, was
    /// not set.
    Missing {
        /// A wire name (`RegionId`), or a path into a list of structs
        /// (`ApList.2.AccessPointId`) for a required field of a struct.
        parameter: Cow<'static, str>,
    },
    /// A value breaks a documented limit: a length, a range or an item
    /// count.
    Invalid {
        /// The parameter's wire name, as the spec spells it.
        parameter: &'static str,
        /// What is wrong, with the value's size and the limit, e.g. "65
        /// characters given, at most 64 allowed".
        reason: String,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Missing { parameter } => {
                write!(f, "required parameter `{parameter}` is not set; set it on the builder")
            }
            BuildError::Invalid { parameter, reason } => {
                write!(f, "parameter `{parameter}` is invalid: {reason}")
            }
        }
    }
}

impl std::error::Error for BuildError {}

/// Unwraps a required builder field.
pub fn required<T>(value: Option<T>, parameter: &'static str) -> Result<T, BuildError> {
    value.ok_or(BuildError::Missing { parameter: parameter.into() })
}

/// A required list must have at least one item.
pub fn required_items<T>(parameter: &'static str, items: &[T]) -> Result<(), BuildError> {
    if items.is_empty() { Err(BuildError::Missing { parameter: parameter.into() }) } else { Ok(()) }
}

/// The required parameters a request builder has not been given yet.
///
/// A builder holds the request it is building, with a placeholder in each
/// required field until its setter runs; this remembers which placeholders
/// are still there, one bit per name of the list it starts from (at most
/// 64: the generator refuses an action with more). Its `Debug` lists the
/// names still unset, so a builder's `Debug` reads as the request so far
/// plus what is missing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Unset {
    names: &'static [&'static str],
    bits: u64,
}

impl Unset {
    /// Every one of `names` (wire names, in the request's order) unset.
    pub const fn all(names: &'static [&'static str]) -> Self {
        let bits = match names.len() {
            0 => 0,
            n if n >= 64 => u64::MAX,
            n => (1u64 << n) - 1,
        };
        Unset { names, bits }
    }

    /// Records that the parameter at `index` of the list has been set.
    pub fn set(&mut self, index: u32) {
        self.bits &= !(1u64.checked_shl(index).unwrap_or(0));
    }

    /// The first parameter still unset, as the error `build()` returns.
    pub fn check(&self) -> Result<(), BuildError> {
        match self.names().next() {
            None => Ok(()),
            Some(name) => Err(BuildError::Missing { parameter: Cow::Borrowed(name) }),
        }
    }

    /// The wire names still unset, in the request's order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.names.iter().enumerate().filter(|(i, _)| *i < 64 && self.bits & (1 << i) != 0).map(|(_, n)| *n)
    }
}

impl fmt::Debug for Unset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// A request struct with fields the spec marks required, at any depth.
/// Generated for such structs; the builder of a request that holds one
/// checks it, so an item without its required field is never sent.
pub trait CheckRequired {
    /// The wire path, relative to this value, of the first required field
    /// left unset: `Key`, or `2.Key` inside a list.
    fn first_missing(&self) -> Option<String>;
}

impl<T: CheckRequired> CheckRequired for Option<T> {
    fn first_missing(&self) -> Option<String> {
        self.as_ref()?.first_missing()
    }
}

impl<T: CheckRequired> CheckRequired for Vec<T> {
    fn first_missing(&self) -> Option<String> {
        self.iter().enumerate().find_map(|(i, item)| Some(format!("{}.{}", i + 1, item.first_missing()?)))
    }
}

/// The first missing required field inside `value`, as a path under `field`.
pub fn missing_in(field: &str, value: &impl CheckRequired) -> Option<String> {
    Some(format!("{field}.{}", value.first_missing()?))
}

/// Fails with the full wire path (`ApList.2.AccessPointId`) when a struct in
/// `value` lacks a required field.
pub fn check_required(parameter: &'static str, value: &impl CheckRequired) -> Result<(), BuildError> {
    match missing_in(parameter, value) {
        Some(path) => Err(BuildError::Missing { parameter: path.into() }),
        None => Ok(()),
    }
}

/// Limits the spec documents for a parameter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// The fewest characters (Unicode scalar values, not bytes) a string
    /// may have.
    pub min_length: Option<u64>,
    /// The most characters (Unicode scalar values, not bytes) a string may
    /// have.
    pub max_length: Option<u64>,
    /// The smallest integer allowed, inclusive.
    pub minimum: Option<i64>,
    /// The largest integer allowed, inclusive.
    pub maximum: Option<i64>,
    /// The most items a list may have.
    pub max_items: Option<u64>,
}

impl Limits {
    /// No limit at all; the base for struct-update syntax
    /// (`Limits { max_length: Some(64), ..Limits::NONE }`) in `const` contexts.
    pub const NONE: Limits =
        Limits { min_length: None, max_length: None, minimum: None, maximum: None, max_items: None };
}

/// A parameter value whose strings, integers and item count can be checked
/// against [`Limits`].
pub trait Constrained {
    /// Calls `f` with every string and integer inside the value: none for
    /// an unset option, one per item for a list.
    fn visit(&self, f: &mut dyn FnMut(Scalar<'_>));
    /// How many items the value counts as against `max_items`: 1 for a
    /// scalar, 0 for an unset option, the length for a list.
    fn items(&self) -> usize {
        1
    }
}

/// One checkable value inside a parameter.
pub enum Scalar<'a> {
    /// A string, checked against the length limits.
    Text(&'a str),
    /// An integer (of any width, widened), checked against the range.
    Integer(i64),
}

impl Constrained for String {
    fn visit(&self, f: &mut dyn FnMut(Scalar<'_>)) {
        f(Scalar::Text(self))
    }
}
impl Constrained for i32 {
    fn visit(&self, f: &mut dyn FnMut(Scalar<'_>)) {
        f(Scalar::Integer(i64::from(*self)))
    }
}
impl Constrained for i64 {
    fn visit(&self, f: &mut dyn FnMut(Scalar<'_>)) {
        f(Scalar::Integer(*self))
    }
}
impl<T: Constrained> Constrained for Option<T> {
    fn visit(&self, f: &mut dyn FnMut(Scalar<'_>)) {
        if let Some(v) = self {
            v.visit(f)
        }
    }
    fn items(&self) -> usize {
        self.as_ref().map_or(0, Constrained::items)
    }
}
impl<T: Constrained> Constrained for Vec<T> {
    fn visit(&self, f: &mut dyn FnMut(Scalar<'_>)) {
        self.iter().for_each(|v| v.visit(f))
    }
    fn items(&self) -> usize {
        self.len()
    }
}

/// Checks the item count of a list whose items have no limits of their own.
pub fn check_items(parameter: &'static str, count: usize, max_items: u64) -> Result<(), BuildError> {
    if count as u64 > max_items {
        return Err(BuildError::Invalid {
            parameter,
            reason: format!("{count} items given, at most {max_items} allowed"),
        });
    }
    Ok(())
}

/// Checks `value` against `limits`; lengths count characters, not bytes.
pub fn check(parameter: &'static str, value: &dyn Constrained, limits: Limits) -> Result<(), BuildError> {
    if let Some(max) = limits.max_items {
        check_items(parameter, value.items(), max)?;
    }
    let mut problem = None;
    value.visit(&mut |scalar| {
        if problem.is_some() {
            return;
        }
        problem = match scalar {
            Scalar::Text(s) => {
                let len = s.chars().count() as u64;
                match (limits.min_length, limits.max_length) {
                    (Some(min), _) if len < min => Some(format!("{len} characters given, at least {min} required")),
                    (_, Some(max)) if len > max => Some(format!("{len} characters given, at most {max} allowed")),
                    _ => None,
                }
            }
            Scalar::Integer(n) => match (limits.minimum, limits.maximum) {
                (Some(min), _) if n < min => Some(format!("{n} is below the minimum {min}")),
                (_, Some(max)) if n > max => Some(format!("{n} is above the maximum {max}")),
                _ => None,
            },
        };
    });
    match problem {
        Some(reason) => Err(BuildError::Invalid { parameter, reason }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_names_the_first_required_parameter_left_unset() {
        let mut unset = Unset::all(&["VpcId", "CidrBlock", "ZoneId"]);
        assert_eq!(format!("{unset:?}"), r#"["VpcId", "CidrBlock", "ZoneId"]"#);
        unset.set(0);
        assert_eq!(unset.check(), Err(BuildError::Missing { parameter: "CidrBlock".into() }));
        unset.set(2);
        assert_eq!(format!("{unset:?}"), r#"["CidrBlock"]"#);
        unset.set(1);
        assert_eq!(unset.check(), Ok(()));
        assert_eq!(format!("{unset:?}"), "[]");
        assert_eq!(Unset::all(&[]).check(), Ok(()));
    }

    #[test]
    fn unset_tracks_all_64_parameters_a_builder_may_have() {
        let names: &'static [&'static str] = Box::leak((0..64).map(|i| &*format!("P{i}").leak()).collect());
        let mut unset = Unset::all(names);
        for i in 0..63 {
            unset.set(i);
        }
        assert_eq!(unset.check(), Err(BuildError::Missing { parameter: "P63".into() }));
        unset.set(63);
        assert_eq!(unset.check(), Ok(()));
    }

    #[test]
    fn a_required_list_needs_an_item() {
        assert_eq!(required_items::<u8>("Tags", &[]), Err(BuildError::Missing { parameter: "Tags".into() }));
        assert_eq!(required_items("Tags", &[1]), Ok(()));
    }

    #[test]
    fn limits_are_enforced_with_the_parameter_named() {
        let token = Some("x".repeat(65));
        let err = check("ClientToken", &token, Limits { max_length: Some(64), ..Limits::NONE }).unwrap_err();
        assert_eq!(err.to_string(), "parameter `ClientToken` is invalid: 65 characters given, at most 64 allowed");
        assert!(check("ClientToken", &Some("中".repeat(64)), Limits { max_length: Some(64), ..Limits::NONE }).is_ok());
        assert!(check("ClientToken", &None::<String>, Limits { min_length: Some(1), ..Limits::NONE }).is_ok());
        assert!(check("Bandwidth", &5_i64, Limits { minimum: Some(10), ..Limits::NONE }).is_err());
        assert!(check("Ids", &vec![1_i32, 2, 3], Limits { max_items: Some(2), ..Limits::NONE }).is_err());
        assert!(check_items("Tag", 21, 20).is_err());
        assert!(check_items("Tag", 20, 20).is_ok());
        assert_eq!(
            required::<String>(None, "RegionId").unwrap_err().to_string(),
            "required parameter `RegionId` is not set; set it on the builder"
        );
    }

    /// A struct with one required field, and one holding a list of them.
    #[derive(Default)]
    struct Point {
        id: Option<String>,
    }
    impl CheckRequired for Point {
        fn first_missing(&self) -> Option<String> {
            self.id.is_none().then(|| "Id".to_owned())
        }
    }
    struct Group {
        points: Vec<Point>,
    }
    impl CheckRequired for Group {
        fn first_missing(&self) -> Option<String> {
            missing_in("Points", &self.points)
        }
    }

    #[test]
    fn a_missing_nested_field_is_named_by_its_full_wire_path() {
        let set = || Point { id: Some("p".into()) };
        let groups = vec![Group { points: vec![set()] }, Group { points: vec![set(), set(), Point::default()] }];
        let err = check_required("Group", &groups).unwrap_err();
        assert_eq!(err, BuildError::Missing { parameter: "Group.2.Points.3.Id".into() });
        assert_eq!(err.to_string(), "required parameter `Group.2.Points.3.Id` is not set; set it on the builder");
        assert!(check_required("Group", &vec![Group { points: vec![set()] }]).is_ok());
        assert!(check_required("Point", &None::<Point>).is_ok());
        assert!(check_required("Point", &Some(Point::default())).is_err());
    }
}
