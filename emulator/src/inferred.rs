//! Lifecycles the emulator works out for kinds the spec declares none for
//! (customer gateways, BGP groups, DHCP options sets...), from the actions'
//! names and shapes alone, so that what a caller creates exists until it
//! is deleted, is listed, and is not found before or after:
//!
//! - `Create<Kind>` creates one, when its example answers a new
//!   `<Kind>Id` with a prefix (`OperationInfo::new_ids`);
//! - `Delete<Kind>` deletes it;
//! - the `Modify<Kind>...` and `Update<Kind>...` actions naming that ID
//!   keep it, recording what they were told;
//! - `Describe<Kind>s` or `List<Kind>s` lists it, from the response list
//!   whose items carry the ID.
//!
//! A kind missing any of the three (create, delete, listing) is left to the
//! answers for kinds the emulator does not model. The emulator knows no
//! states for these kinds: their answers carry no status of its making, and
//! their not-found code is the emulator's own `Invalid<Id>.NotFound`.

use aliyun_runtime::{Lifecycle, Listing, OperationInfo, Shape, Transition};

/// The one state of an inferred kind, never answered.
const EXISTS: &str = "Available";

/// The lifecycles `operations` imply for kinds `declared` does not hold
/// (neither by name nor by ID parameter), in the order of their creates.
pub(crate) fn lifecycles(operations: &'static [OperationInfo], declared: &[&Lifecycle]) -> Vec<&'static Lifecycle> {
    let mut out: Vec<&'static Lifecycle> = Vec::new();
    for create in operations {
        let Some(kind) = create.action.strip_prefix("Create") else { continue };
        let own_id = format!("{kind}Id");
        let Some(&(id, prefix)) = create.new_ids.iter().find(|(f, _)| f.eq_ignore_ascii_case(&own_id)) else {
            continue;
        };
        let known = |l: &&Lifecycle| l.id.eq_ignore_ascii_case(id) || l.resource.eq_ignore_ascii_case(kind);
        if declared.iter().any(known) || out.iter().any(known) {
            continue;
        }
        let names_id = |op: &OperationInfo| (op.example)().iter().any(|(k, _)| k == id);
        let delete = format!("Delete{kind}");
        let Some(deleting) = operations.iter().find(|op| op.action == delete && names_id(op)) else { continue };
        let Some(listing) = operations.iter().find_map(|op| listing(op, kind, id)) else { continue };
        let mut transitions =
            vec![step(create.action, &[], Some(EXISTS), false), step(deleting.action, &[EXISTS], None, true)];
        let keeps = |op: &&OperationInfo| {
            !op.read_only
                && (op.action.starts_with(&format!("Modify{kind}")) || op.action.starts_with(&format!("Update{kind}")))
                && names_id(op)
        };
        transitions.extend(operations.iter().filter(keeps).map(|op| step(op.action, &[EXISTS], None, false)));
        out.push(Box::leak(Box::new(Lifecycle {
            resource: Box::leak(kind.to_owned().into_boxed_str()),
            id,
            id_prefix: prefix,
            not_found: None,
            listing: Some(listing),
            states: &[EXISTS],
            initial: EXISTS,
            transitions: Box::leak(transitions.into_boxed_slice()),
        })));
    }
    out
}

fn step(action: &'static str, from: &'static [&'static str], to: Option<&'static str>, deletes: bool) -> Transition {
    Transition { action: Some(action), from, to, via: None, deletes, otherwise: None }
}

/// How `op` lists resources of `kind`, if it is the kind's listing: a
/// read-only `Describe`/`List` action named for the kind's plural, with a
/// response list whose items carry the ID.
fn listing(op: &'static OperationInfo, kind: &str, id: &str) -> Option<Listing> {
    if !op.read_only {
        return None;
    }
    let noun = op.action.strip_prefix("Describe").or_else(|| op.action.strip_prefix("List"))?;
    let plurals =
        [format!("{kind}s"), format!("{kind}es"), kind.strip_suffix('y').map_or(String::new(), |k| format!("{k}ies"))];
    if !plurals.iter().any(|p| p == noun) {
        return None;
    }
    op.response.iter().find_map(|field| {
        let Shape::List { item: Shape::Struct(fields), wrapper } = &field.shape else { return None };
        let id_field = fields.iter().find(|f| f.name.eq_ignore_ascii_case(id))?;
        Some(Listing {
            action: op.action,
            items: field.name,
            wrapper: *wrapper,
            id_field: id_field.name,
            state_field: "",
            scope: &[],
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inferred() -> Vec<&'static Lifecycle> {
        let declared: Vec<&Lifecycle> = aliyun_vpc::LIFECYCLES.to_vec();
        lifecycles(aliyun_vpc::OPERATIONS, &declared)
    }

    #[test]
    fn a_customer_gateway_is_created_modified_listed_and_deleted() {
        let all = inferred();
        let cgw = all.iter().find(|l| l.resource == "CustomerGateway").expect("inferred");
        assert_eq!((cgw.id, cgw.id_prefix), ("CustomerGatewayId", "cgw-"));
        assert!(cgw.creation("CreateCustomerGateway").is_some());
        assert!(cgw.transition("DeleteCustomerGateway", EXISTS).is_some_and(|t| t.deletes));
        assert!(cgw.transition("ModifyCustomerGatewayAttribute", EXISTS).is_some_and(|t| !t.deletes && t.to.is_none()));
        let listing = cgw.listing.unwrap();
        assert_eq!(
            (listing.action, listing.items, listing.state_field),
            ("DescribeCustomerGateways", "CustomerGateways", "")
        );
    }

    #[test]
    fn declared_kinds_and_kinds_missing_a_step_are_not_inferred() {
        let all = inferred();
        for l in &all {
            assert!(!aliyun_vpc::LIFECYCLES.iter().any(|d| d.id == l.id), "{} is declared", l.resource);
            // Every inferred kind can be made, listed and removed.
            assert!(l.transitions.iter().any(|t| t.from.is_empty()) && l.transitions.iter().any(|t| t.deletes));
        }
        // An update that names another ID (a rule's) is not the kind's.
        let filter = all.iter().find(|l| l.resource == "TrafficMirrorFilter").expect("inferred");
        assert!(filter.governs("UpdateTrafficMirrorFilterAttribute"));
        assert!(!filter.governs("UpdateTrafficMirrorFilterRuleAttribute"));
        // No listing for VBR HA groups: left to the unmodelled answers.
        assert!(!all.iter().any(|l| l.resource == "VbrHa"));
    }
}
