//! What the service does to resources beyond their lifecycles, as data:
//! quotas, the resources a create makes alongside its own (a VPC's vRouter
//! and system route table, a NAT gateway's SNAT and DNAT tables), values the
//! service makes up (an EIP's address), values every new resource starts
//! with or takes from its parent, fields an action clears, actions that
//! attach a resource to another (an EIP to a shared bandwidth package), the
//! parameter that makes a delete take dependents along (`Force`), and list
//! fields whose names do not follow their kind's ID parameter.
//!
//! The spec declares lifecycles; these rules are the emulator's own, kept
//! beside them in [`ServiceModel`](crate::ServiceModel), so that another
//! product is served by another table, not by other code. How each rule is
//! applied is in `service.rs` (quotas, companions, inherited fields, clears,
//! attachments, forced deletes) and `answer.rs` (list aliases, nested items).

use std::sync::LazyLock;

use aliyun_runtime::{Lifecycle, Listing};

/// The rules of one resource kind (a lifecycle's `resource`).
#[derive(Debug, Clone, Copy)]
pub struct ResourceRules {
    /// The lifecycle they apply to (`Vpc`).
    pub resource: &'static str,
    /// The most resources of this kind a caller may hold; the create that
    /// would pass it is refused with the creating action's documented
    /// `QuotaExceeded.<Kind>` code (else `QuotaExceeded`).
    pub quota: Option<Quota>,
    /// Resources made with each new one and deleted with it. A companion
    /// does not keep its owner from being deleted.
    pub companions: &'static [Companion],
    /// Fields set on each new resource (`{IdParam}` stands for the ID of
    /// the new resource, of a companion made before, or of an inherited
    /// field, by ID parameter).
    pub fields: &'static [(&'static str, &'static str)],
    /// Fields a new resource copies from the parent it is created in, by
    /// that parent's ID parameter: `("SnatTableId", "NatGatewayId")` makes
    /// an SNAT entry show, and belong to, its table's NAT gateway.
    pub inherits: &'static [(&'static str, &'static str)],
    /// Values the service makes up for each new resource, under every name
    /// given; a listing parameter of one of these names narrows by it.
    pub generated: &'static [(&'static [&'static str], Generated)],
    /// Fields an action removes from the resource it moves (the instance an
    /// EIP was bound to, once it is unbound).
    pub clears: &'static [(&'static str, &'static [&'static str])],
    /// List fields whose name is not the plural of their kind's ID
    /// parameter: `(field, kind)` lists this resource's children of `kind`,
    /// as IDs (a VPC's `RouterTableIds`) or, for a list of structs, as
    /// items read from each child (a bandwidth package's `PublicIpAddresses`).
    pub lists: &'static [(&'static str, &'static str)],
    /// Lists of structs that hold one item made of the resource's own
    /// fields (a route entry's `NextHops`, from its `NextHopType` and `NextHopId`).
    pub nested: &'static [&'static str],
    /// Actions that attach an existing resource of this kind to a parent,
    /// or detach it, without creating or moving it.
    pub attached_by: &'static [Attach],
    /// A parameter of the deleting action that, when `true`, takes the
    /// resource's dependents along instead of refusing: those attached to
    /// it are detached, the others deleted (a NAT gateway's `Force`).
    pub forced_by: Option<&'static str>,
}

impl ResourceRules {
    /// No rules at all.
    pub const NONE: ResourceRules = ResourceRules {
        resource: "",
        quota: None,
        companions: &[],
        fields: &[],
        generated: &[],
        inherits: &[],
        clears: &[],
        lists: &[],
        nested: &[],
        attached_by: &[],
        forced_by: None,
    };
}

/// An action that attaches a resource to a parent it was not created in
/// (`AddCommonBandwidthPackageIp`: an EIP joins a bandwidth package), or
/// detaches it: the resource then holds, or no longer holds, the parent's ID.
#[derive(Debug, Clone, Copy)]
pub struct Attach {
    /// The action.
    pub action: &'static str,
    /// Its parameter naming the resource attached (`IpInstanceId`).
    pub by: &'static str,
    /// The parent's ID parameter (`BandwidthPackageId`), which the action
    /// names too and the resource records.
    pub parent: &'static str,
    /// Whether the action detaches rather than attaches.
    pub detaches: bool,
}

/// How many resources of a kind a caller may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// The most there may be.
    pub limit: u32,
    /// What they are counted in.
    pub per: QuotaScope,
}

/// What a quota counts resources in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaScope {
    /// Each region.
    Region,
    /// Each parent, named by its ID parameter (`VpcId`: per VPC).
    Parent(&'static str),
}

/// A resource made together with another one.
#[derive(Debug, Clone, Copy)]
pub struct Companion {
    /// Its kind (a lifecycle of the model).
    pub resource: &'static str,
    /// Its fields, `{IdParam}` standing for an ID as in [`ResourceRules::fields`];
    /// a resource of this kind is the owner's companion when it holds the
    /// owner's ID and every field given here without a placeholder.
    pub fields: &'static [(&'static str, &'static str)],
}

/// A kind of value the service makes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generated {
    /// A public IPv4 address, different from every one already handed out
    /// under the same field.
    PublicIpv4,
    /// When the request gives none, the lowest free address of the
    /// `CidrBlock` of the parent named by this ID parameter (a HaVip's, in
    /// its vSwitch); free means no resource of the kind in that parent holds it.
    PrivateIpv4In(&'static str),
}

/// The vRouter, which the VPC API lists (`DescribeVRouters`) but whose
/// lifecycle the spec does not declare: it exists exactly as long as its VPC.
pub static VROUTER: Lifecycle = Lifecycle {
    resource: "VRouter",
    id: "VRouterId",
    id_prefix: "vrt-",
    not_found: None,
    listing: Some(Listing {
        action: "DescribeVRouters",
        items: "VRouters",
        wrapper: Some("VRouter"),
        id_field: "VRouterId",
        state_field: "",
        scope: &[],
    }),
    states: &["Available"],
    initial: "Available",
    transitions: &[],
};

/// The SNAT table the service makes with each NAT gateway, which no action
/// lists on its own: entries are created in it and listed by its ID.
pub static SNAT_TABLE: Lifecycle = table("SnatTable", "SnatTableId", "stb-", "InvalidSnatTableId.NotFound");

/// The DNAT (forward) table the service makes with each NAT gateway.
pub static FORWARD_TABLE: Lifecycle = table("ForwardTable", "ForwardTableId", "ftb-", "InvalidForwardTableId.NotFound");

/// A table that exists exactly as long as its owner and is never listed.
const fn table(
    resource: &'static str,
    id: &'static str,
    id_prefix: &'static str,
    not_found: &'static str,
) -> Lifecycle {
    Lifecycle {
        resource,
        id,
        id_prefix,
        not_found: Some(not_found),
        listing: None,
        states: &["Available"],
        initial: "Available",
        transitions: &[],
    }
}

/// The VPC API's rules. Quotas are Alibaba's documented defaults: 10 VPCs
/// per region, 150 vSwitches per VPC, 20 EIPs per region.
pub static VPC: &[ResourceRules] = &[
    ResourceRules {
        resource: "Vpc",
        quota: Some(Quota { limit: 10, per: QuotaScope::Region }),
        companions: &[
            Companion { resource: "VRouter", fields: &[("VpcId", "{VpcId}")] },
            Companion {
                resource: "RouteTable",
                fields: &[
                    ("VpcId", "{VpcId}"),
                    ("VRouterId", "{VRouterId}"),
                    ("RouterId", "{VRouterId}"),
                    ("RouterType", "VRouter"),
                    ("RouteTableType", "System"),
                ],
            },
        ],
        fields: &[("VRouterId", "{VRouterId}"), ("IsDefault", "false")],
        lists: &[("RouterTableIds", "RouteTable")],
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "VSwitch",
        quota: Some(Quota { limit: 150, per: QuotaScope::Parent("VpcId") }),
        fields: &[("IsDefault", "false")],
        // Back on the system route table once the custom one is let go.
        clears: &[("UnassociateRouteTable", &["RouteTableId"])],
        ..ResourceRules::NONE
    },
    // A custom route table hangs off its VPC's vRouter, as the system one does.
    ResourceRules {
        resource: "RouteTable",
        inherits: &[("VpcId", "VRouterId")],
        fields: &[("RouteTableType", "Custom"), ("RouterType", "VRouter"), ("RouterId", "{VRouterId}")],
        ..ResourceRules::NONE
    },
    // A route belongs to its table's VPC: a VPC with custom routes left is
    // not deleted (DeleteVpc's `DependencyViolation.RouteEntry`).
    ResourceRules {
        resource: "RouteEntry",
        inherits: &[("RouteTableId", "VpcId")],
        fields: &[("Type", "Custom")],
        nested: &["NextHops"],
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "NatGateway",
        companions: &[
            Companion { resource: "SnatTable", fields: &[("NatGatewayId", "{NatGatewayId}")] },
            Companion { resource: "ForwardTable", fields: &[("NatGatewayId", "{NatGatewayId}")] },
        ],
        forced_by: Some("Force"),
        ..ResourceRules::NONE
    },
    // Entries belong to their table's gateway, which lists them and which
    // they keep from being deleted.
    ResourceRules { resource: "SnatEntry", inherits: &[("SnatTableId", "NatGatewayId")], ..ResourceRules::NONE },
    ResourceRules { resource: "ForwardEntry", inherits: &[("ForwardTableId", "NatGatewayId")], ..ResourceRules::NONE },
    ResourceRules {
        resource: "CommonBandwidthPackage",
        lists: &[("PublicIpAddresses", "Eip")],
        forced_by: Some("Force"),
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "HaVip",
        inherits: &[("VSwitchId", "VpcId")],
        generated: &[(&["IpAddress"], Generated::PrivateIpv4In("VSwitchId"))],
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "Eip",
        quota: Some(Quota { limit: 20, per: QuotaScope::Region }),
        generated: &[(&["EipAddress", "IpAddress"], Generated::PublicIpv4)],
        clears: &[(
            "UnassociateEipAddress",
            &["InstanceId", "InstanceType", "InstanceRegionId", "PrivateIpAddress", "AssociatedInstanceType"],
        )],
        attached_by: &[
            Attach {
                action: "AddCommonBandwidthPackageIp",
                by: "IpInstanceId",
                parent: "BandwidthPackageId",
                detaches: false,
            },
            Attach {
                action: "RemoveCommonBandwidthPackageIp",
                by: "IpInstanceId",
                parent: "BandwidthPackageId",
                detaches: true,
            },
        ],
        ..ResourceRules::NONE
    },
];

/// A service of the product an account opens once, and then has: until
/// `opens` is called, `status` answers `Enabled: false`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceSwitch {
    /// The action that opens it (`OpenFlowLogService`).
    pub opens: &'static str,
    /// The action answering whether it is open (`GetFlowLogServiceStatus`).
    pub status: &'static str,
}

/// The resource kind under which the store keeps the services opened
/// (one resource per service, its ID the opening action's name).
pub(crate) const OPENED_SERVICE: &str = "OpenedService";

/// The VPC API's services an account opens.
pub static VPC_SWITCHES: &[ServiceSwitch] = &[
    ServiceSwitch { opens: "OpenFlowLogService", status: "GetFlowLogServiceStatus" },
    ServiceSwitch { opens: "OpenTrafficMirrorService", status: "GetTrafficMirrorServiceStatus" },
    ServiceSwitch { opens: "OpenPublicIpAddressPoolService", status: "GetPublicIpAddressPoolServiceStatus" },
    ServiceSwitch { opens: "OpenPhysicalConnectionService", status: "GetPhysicalConnectionServiceStatus" },
];

/// The VPC API's lifecycles: the spec's, the vRouter's and the NAT tables'.
pub static VPC_LIFECYCLES: LazyLock<Vec<&'static Lifecycle>> = LazyLock::new(|| {
    let mut all: Vec<&'static Lifecycle> = aliyun_vpc::LIFECYCLES.to_vec();
    all.extend([&VROUTER, &SNAT_TABLE, &FORWARD_TABLE]);
    all
});

/// The rules of `resource`, or none.
pub(crate) fn of<'r>(rules: &'r [ResourceRules], resource: &str) -> &'r ResourceRules {
    rules.iter().find(|r| r.resource == resource).unwrap_or(&ResourceRules::NONE)
}

/// `template` with every `{IdParam}` replaced by the ID `ids` holds for it;
/// `None` when one is unknown.
pub(crate) fn fill(template: &str, ids: &[(&str, String)]) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let name = &rest[start + 1..end];
        out.push_str(&ids.iter().find(|(k, _)| *k == name)?.1);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Public IPv4 blocks addresses are drawn from (in Alibaba Cloud's public
/// ranges, none of them private, shared or reserved).
const PUBLIC_BLOCKS: &[([u8; 2], u8)] = &[([47, 96], 12), ([39, 96], 13), ([120, 24], 14)];

/// A public IPv4 address for which `taken` says no.
pub(crate) fn public_ipv4(rng: &mut fastrand::Rng, taken: impl Fn(&str) -> bool) -> String {
    loop {
        let ([a, b], prefix) = PUBLIC_BLOCKS[rng.usize(..PUBLIC_BLOCKS.len())];
        let base = u32::from_be_bytes([a, b, 0, 0]);
        let host_bits = 32 - u32::from(prefix);
        let n = base | rng.u32(..(1u32 << host_bits));
        let [a, b, c, d] = n.to_be_bytes();
        // Neither a network nor a broadcast address of any /24.
        if d == 0 || d == 255 {
            continue;
        }
        let ip = format!("{a}.{b}.{c}.{d}");
        if !taken(&ip) {
            return ip;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_or_refused() {
        let ids = [("VpcId", "vpc-1".to_owned()), ("VRouterId", "vrt-2".to_owned())];
        assert_eq!(fill("{VpcId}", &ids).as_deref(), Some("vpc-1"));
        assert_eq!(fill("r:{VRouterId}/{VpcId}", &ids).as_deref(), Some("r:vrt-2/vpc-1"));
        assert_eq!(fill("System", &ids).as_deref(), Some("System"));
        assert_eq!(fill("{Nope}", &ids), None);
        assert_eq!(fill("{VpcId", &ids), None);
    }

    #[test]
    fn addresses_are_public_and_not_taken() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..500 {
            let ip = public_ipv4(&mut rng, |ip| seen.contains(ip));
            let addr: std::net::Ipv4Addr = ip.parse().unwrap();
            assert!(!addr.is_private() && !addr.is_loopback() && !addr.is_link_local() && !addr.is_unspecified());
            assert!(seen.insert(ip));
        }
        // Every address but one is taken: that one comes out.
        let only = "47.96.1.1";
        assert_eq!(public_ipv4(&mut rng, |ip| ip != only), only);
    }

    #[test]
    fn every_service_switch_names_two_actions_of_the_api() {
        for switch in VPC_SWITCHES {
            for action in [switch.opens, switch.status] {
                assert!(aliyun_vpc::ACTIONS.contains(&action), "{action}");
            }
        }
    }

    #[test]
    fn every_rule_names_a_lifecycle_and_its_placeholders_resolve() {
        let kinds: Vec<&str> = VPC_LIFECYCLES.iter().map(|l| l.resource).collect();
        for rules in VPC {
            assert!(kinds.contains(&rules.resource), "{}", rules.resource);
            let own = VPC_LIFECYCLES.iter().find(|l| l.resource == rules.resource).unwrap();
            let mut ids = vec![(own.id, "x".to_owned())];
            for (parent, field) in rules.inherits {
                assert!(VPC_LIFECYCLES.iter().any(|l| l.id == *parent), "{parent}");
                ids.push((field, "z".to_owned()));
            }
            for companion in rules.companions {
                let l = VPC_LIFECYCLES.iter().find(|l| l.resource == companion.resource).unwrap();
                for (_, value) in companion.fields {
                    assert!(fill(value, &ids).is_some(), "{value}");
                }
                ids.push((l.id, "y".to_owned()));
            }
            for (_, value) in rules.fields {
                assert!(fill(value, &ids).is_some(), "{value}");
            }
            for (_, kind) in rules.lists {
                assert!(kinds.contains(kind), "{kind}");
            }
            for attach in rules.attached_by {
                let info = aliyun_vpc::OPERATIONS.iter().find(|o| o.action == attach.action).unwrap();
                assert!(VPC_LIFECYCLES.iter().any(|l| l.id == attach.parent), "{}", attach.parent);
                // The action names both the resource and its parent, and the builder requires them.
                let names = [attach.by, attach.parent, "RegionId"];
                let params: std::collections::BTreeMap<String, String> =
                    names.iter().map(|n| (n.to_string(), "x".to_owned())).collect();
                assert!((info.check)(&aliyun_runtime::ParamSource::new(&params)).is_ok(), "{}", attach.action);
            }
            if let Some(Quota { per: QuotaScope::Parent(id), .. }) = rules.quota {
                assert!(VPC_LIFECYCLES.iter().any(|l| l.id == id), "{id}");
            }
        }
    }
}
