//! What a response holds, as data: the wire names and kinds of its fields,
//! how lists are wrapped, and how structs nest. Generated for every action
//! under a crate's `server` feature (`OperationInfo::response`), so that a
//! server (the emulator) can write any action's answer with the types the
//! spec declares, in JSON or XML, without code per action.

/// The kind of value one field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Text.
    String,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    Long,
    /// `true` or `false`.
    Boolean,
    /// A floating-point number.
    Float,
    /// An open enum: written as its wire text.
    Enum,
    /// A struct with these fields.
    Struct(&'static [FieldShape]),
    /// A list of `item`; `wrapper` is the element each item is wrapped in
    /// (`{"Vpcs":{"Vpc":[...]}}`), `None` for a plain array.
    List {
        /// The shape of each item.
        item: &'static Shape,
        /// The element each item is wrapped in, if any.
        wrapper: Option<&'static str>,
    },
}

/// One field of a response or of a struct in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldShape {
    /// The exact wire name.
    pub name: &'static str,
    /// What the field holds.
    pub shape: Shape,
}

impl Shape {
    /// Whether this is a scalar (text, number, boolean or enum).
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Shape::Struct(_) | Shape::List { .. })
    }
}

/// The field of `fields` named `name`, compared without regard to case
/// (the spec keeps odd spellings such as `VswitchId` as the API has them).
pub fn find_field<'a>(fields: &'a [FieldShape], name: &str) -> Option<&'a FieldShape> {
    fields.iter().find(|f| f.name == name).or_else(|| fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VPCS: &[FieldShape] = &[
        FieldShape { name: "TotalCount", shape: Shape::Integer },
        FieldShape {
            name: "Vpcs",
            shape: Shape::List {
                item: &Shape::Struct(&[FieldShape { name: "VswitchId", shape: Shape::String }]),
                wrapper: Some("Vpc"),
            },
        },
    ];

    #[test]
    fn fields_are_found_by_exact_name_then_any_case() {
        assert_eq!(find_field(VPCS, "TotalCount").map(|f| f.shape), Some(Shape::Integer));
        let Some(Shape::List { item: Shape::Struct(item), wrapper: Some("Vpc") }) =
            find_field(VPCS, "Vpcs").map(|f| f.shape)
        else {
            panic!()
        };
        assert_eq!(find_field(item, "VSwitchId").map(|f| f.name), Some("VswitchId"));
        assert!(find_field(VPCS, "Nothing").is_none());
        assert!(Shape::Enum.is_scalar() && !Shape::Struct(&[]).is_scalar());
    }
}
