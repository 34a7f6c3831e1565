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
    /// Fields set on each new resource that the request did not set
    /// (`{IdParam}` stands for the ID of the new resource, of a companion
    /// made before, or of an inherited field, by ID parameter; `{Field}`
    /// for one of its own fields, a request parameter or `CreationTime`).
    /// The first entry for a field that resolves wins, so a constant after
    /// a template is its default.
    pub fields: &'static [(&'static str, &'static str)],
    /// Fields a new resource copies from the parent it is created in, by
    /// that parent's ID parameter: `("SnatTableId", "NatGatewayId")` makes
    /// an SNAT entry show, and belong to, its table's NAT gateway.
    pub inherits: &'static [(&'static str, &'static str)],
    /// Values the service makes up for each new resource, under every name
    /// given; a listing parameter of one of these names narrows by it.
    pub generated: &'static [(&'static [&'static str], Generated)],
    /// Fields an action removes from the resource it moves (the instance an
    /// EIP was bound to, once it is unbound); a field the kind inherits
    /// takes its parent's value again.
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
    /// Parameters that name a resource of this kind in the actions listed
    /// although they are not its ID parameter (`InstanceId` names a circuit
    /// in the LOA actions): `(parameter, actions)`.
    pub named_by: &'static [(&'static str, &'static [&'static str])],
    /// Actions that keep their request on the resource they name without
    /// moving it (see [`Record`]).
    pub records: &'static [Record],
    /// Entries the resource holds as a set (see [`EntrySet`]).
    pub entries: Option<EntrySet>,
    /// Fields the service counts rather than keeps (see [`Counted`]).
    pub counted: &'static [(&'static str, Counted)],
}

/// A number the service works out each time it is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// The addresses of the resource's block (its field `block`) that a
    /// resource may be given, less those its children of the kinds listed
    /// hold (a vSwitch's `AvailableIpAddressCount`).
    FreeAddresses {
        /// The resource's field holding its block (`CidrBlock`).
        block: &'static str,
        /// The kinds whose resources inside it each hold an address.
        held_by: &'static [&'static str],
    },
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
        named_by: &[],
        records: &[],
        entries: None,
        counted: &[],
    };
}

/// Entries a resource holds as a set keyed by one field (a prefix list's
/// CIDR blocks): added by the items of some request lists, removed by
/// those of others, and answered as a list of their keys or of structs.
#[derive(Debug, Clone, Copy)]
pub struct EntrySet {
    /// Request lists whose items add an entry (or replace the one of the
    /// same key), on create or on any action moving the resource.
    pub added_by: &'static [&'static str],
    /// Request lists whose items remove the entry of their key.
    pub removed_by: &'static [&'static str],
    /// The item field keying an entry (`Cidr`).
    pub key: &'static str,
    /// Response lists answering the entries: a list of strings holds their
    /// keys; a list of structs one item each, with the entry's fields and,
    /// for the others, the resource's (`PrefixListId`).
    pub listed_as: &'static [&'static str],
}

/// How an entry is kept among the resource's fields: `entry#<key>` holds
/// the key, `entry#<key>#<Field>` each other field given.
const ENTRY: &str = "entry#";

impl EntrySet {
    /// Applies the request's additions, then its removals, to `fields`.
    pub(crate) fn apply(
        &self,
        fields: &mut std::collections::BTreeMap<String, String>,
        params: &std::collections::BTreeMap<String, String>,
    ) {
        for list in self.added_by {
            for item in items(list, params) {
                let Some(key) = item.iter().find(|(k, _)| k.eq_ignore_ascii_case(self.key)).map(|(_, v)| v.clone())
                else {
                    continue;
                };
                let own = format!("{ENTRY}{key}");
                fields.retain(|k, _| !(k == &own || k.starts_with(&format!("{own}#"))));
                for (name, value) in item.iter().filter(|(k, _)| !k.eq_ignore_ascii_case(self.key)) {
                    fields.insert(format!("{own}#{name}"), value.clone());
                }
                fields.insert(own, key);
            }
        }
        for list in self.removed_by {
            for item in items(list, params) {
                if let Some((_, key)) = item.iter().find(|(k, _)| k.eq_ignore_ascii_case(self.key)) {
                    let own = format!("{ENTRY}{key}");
                    fields.retain(|k, _| !(k == &own || k.starts_with(&format!("{own}#"))));
                }
            }
        }
    }

    /// The entries kept in `fields`, by key order: each key with its other fields.
    pub(crate) fn kept<'f>(
        &self,
        fields: &'f std::collections::BTreeMap<String, String>,
    ) -> Vec<(&'f str, Vec<(&'f str, &'f str)>)> {
        fields
            .iter()
            .filter(|(k, _)| k.strip_prefix(ENTRY).is_some_and(|rest| !rest.contains('#')))
            .map(|(k, key)| {
                let prefix = format!("{k}#");
                let own = fields.iter().filter_map(|(f, v)| Some((f.strip_prefix(&prefix)?, v.as_str()))).collect();
                (key.as_str(), own)
            })
            .collect()
    }
}

/// The items of the flattened request list `list` (`List.N.Field`), N from
/// 1 up to the first gap, each as its fields.
pub(crate) fn items(list: &str, params: &std::collections::BTreeMap<String, String>) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for n in 1.. {
        let prefix = format!("{list}.{n}.");
        let item: Vec<(String, String)> =
            params.iter().filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v.clone()))).collect();
        if item.is_empty() {
            break;
        }
        out.push(item);
    }
    out
}

/// An action that keeps what it was told on the resource it names, outside
/// any lifecycle step (a circuit's letter of authorization).
#[derive(Debug, Clone, Copy)]
pub struct Record {
    /// The action.
    pub action: &'static str,
    /// The response struct its values are kept for, apart from the
    /// resource's own fields (a circuit's LOA has a `Description` of its
    /// own): an answer's struct field of this name is read from them.
    pub under: &'static str,
    /// Values set besides the request's (the LOA's `Status`).
    pub sets: &'static [(&'static str, &'static str)],
}

/// An action that does for each entry of a list what another action does
/// once (`CreateRouteEntries`: a `CreateRouteEntry` per `RouteEntries.N`),
/// and answers which entries succeeded and which failed and why.
#[derive(Debug, Clone, Copy)]
pub struct Batch {
    /// The action.
    pub action: &'static str,
    /// Its list parameter (`RouteEntries`).
    pub list: &'static str,
    /// The action each entry is served as.
    pub each: &'static str,
    /// Entry fields whose name differs in that action: `(entry, action)`.
    pub renames: &'static [(&'static str, &'static str)],
    /// The ID each entry's action answers, or names for a delete.
    pub id: &'static str,
    /// Where the answer lists what succeeded.
    pub done: BatchDone,
    /// The answer's list of failed entries, its code and message fields,
    /// and the entry fields it repeats.
    pub failed: BatchFailed,
}

/// Where a batch's answer lists the entries that succeeded.
#[derive(Debug, Clone, Copy)]
pub enum BatchDone {
    /// Nowhere: only the counts tell.
    Counted,
    /// A list of their IDs (`RouteEntryIds`).
    Ids(&'static str),
    /// A list of structs: the ID under `id`, the region under `region`.
    Items {
        /// The list field.
        list: &'static str,
        /// Each item's field for the ID (`InstanceId`).
        id: &'static str,
        /// Each item's field for the entry's region, if it has one (`RegionNo`).
        region: Option<&'static str>,
    },
}

/// Where a batch's answer lists the entries that failed.
#[derive(Debug, Clone, Copy)]
pub struct BatchFailed {
    /// The list field (`FailedRouteEntries`).
    pub list: &'static str,
    /// Each item's field for the error code (`FailedCode`).
    pub code: &'static str,
    /// Each item's field for the error message (`FailedMessage`).
    pub message: &'static str,
    /// Entry fields repeated in each failed item (by the entry's name).
    pub echo: &'static [&'static str],
}

/// A value the service answers that the emulator keeps no state for,
/// unless the request gave it.
#[derive(Debug, Clone, Copy)]
pub struct Made {
    /// The action answering it.
    pub action: &'static str,
    /// The response field.
    pub field: &'static str,
    /// How it is made.
    pub value: MadeValue,
}

/// How a [`Made`] value is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeValue {
    /// Always the same.
    Constant(&'static str),
    /// A public IPv4 block, its prefix length given by the parameter
    /// named, else the default.
    PublicIpv4Block {
        /// The request parameter giving the prefix length (`CidrMask`).
        mask: &'static str,
        /// The prefix length when the request gives none.
        default: u8,
    },
    /// An IPv6 block of this prefix length in Alibaba Cloud's range.
    Ipv6Block(u8),
    /// One item per entry of the request's list of the same name, holding
    /// a new ID with this prefix under `field`.
    IdPerEntry {
        /// The ID prefix (`tmr-`).
        prefix: &'static str,
        /// The item's field holding the ID (`InstanceId`).
        field: &'static str,
    },
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

/// The response struct a circuit's letter of authorization is kept for.
const LOA: &str = "PhysicalConnectionLOAType";

/// The VPC API's rules. Quotas are Alibaba's documented defaults: 10 VPCs
/// per region, 150 vSwitches per VPC, 20 EIPs per region.
pub static VPC: &[ResourceRules] = &[
    // A circuit's LOA actions name it `InstanceId`. The emulator approves an
    // application at once (`Available`); completing it reports the line built.
    ResourceRules {
        resource: "PhysicalConnection",
        named_by: &[(
            "InstanceId",
            &[
                "ApplyPhysicalConnectionLOA",
                "SecondApplyPhysicalConnectionLOA",
                "CompletePhysicalConnectionLOA",
                "DescribePhysicalConnectionLOA",
                "RecoverPhysicalConnection",
                "UpdateVirtualPhysicalConnection",
            ],
        )],
        records: &[
            Record {
                action: "ApplyPhysicalConnectionLOA",
                under: LOA,
                sets: &[("LoaStatus", "Available"), ("PhysicalConnectionLOAType.Status", "Available")],
            },
            Record {
                action: "SecondApplyPhysicalConnectionLOA",
                under: LOA,
                sets: &[("LoaStatus", "Available"), ("PhysicalConnectionLOAType.Status", "Available")],
            },
            Record {
                action: "CompletePhysicalConnectionLOA",
                under: LOA,
                sets: &[("LoaStatus", "Complete"), ("PhysicalConnectionLOAType.Status", "Complete")],
            },
        ],
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "VpcPrefixList",
        entries: Some(EntrySet {
            added_by: &["PrefixListEntries", "AddPrefixListEntry"],
            removed_by: &["RemovePrefixListEntry"],
            key: "Cidr",
            listed_as: &["CidrBlocks", "PrefixListEntry"],
        }),
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "VirtualBorderRouter",
        named_by: &[("VirtualBorderRouterId", &["UpdateVirtualBorderBandwidth"])],
        ..ResourceRules::NONE
    },
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
        // Its system route table is named in CreateVpc's answer, and is the
        // table of each vSwitch not associated with a custom one.
        fields: &[
            ("VRouterId", "{VRouterId}"),
            ("RouteTableId", "{RouteTableId}"),
            ("IsDefault", "false"),
            // CreateVpc's documented default: IPv6 off.
            ("EnabledIpv6", "{EnableIpv6}"),
            ("EnabledIpv6", "false"),
        ],
        lists: &[("RouterTableIds", "RouteTable")],
        ..ResourceRules::NONE
    },
    ResourceRules {
        resource: "VSwitch",
        quota: Some(Quota { limit: 150, per: QuotaScope::Parent("VpcId") }),
        fields: &[("IsDefault", "false")],
        counted: &[("AvailableIpAddressCount", Counted::FreeAddresses { block: "CidrBlock", held_by: &["HaVip"] })],
        // On its VPC's system route table until associated with a custom
        // one, and back on it once that is let go.
        inherits: &[("VpcId", "RouteTableId")],
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
        // AllocateEipAddress's documented defaults, and a new EIP's standing.
        fields: &[
            ("AllocationTime", "{CreationTime}"),
            ("Bandwidth", "5"),
            ("InternetChargeType", "PayByBandwidth"),
            ("ISP", "BGP"),
            ("Netmode", "public"),
            ("ChargeType", "{InstanceChargeType}"),
            ("ChargeType", "PostPaid"),
            ("BusinessStatus", "Normal"),
            ("DeletionProtection", "false"),
        ],
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

/// What every successful answer says of itself where its shape has the
/// field (Alibaba's reference pages show `Code` 200 and `Message`
/// `successful` for the `Open...Service` actions).
pub static VPC_SUCCESS: &[(&str, &str)] =
    &[("Success", "true"), ("HttpStatusCode", "200"), ("Code", "200"), ("Message", "successful")];

/// The VPC API's batch actions.
pub static VPC_BATCHES: &[Batch] = &[
    Batch {
        action: "CreateRouteEntries",
        list: "RouteEntries",
        each: "CreateRouteEntry",
        renames: ROUTE_ENTRY_RENAMES,
        id: "RouteEntryId",
        done: BatchDone::Ids("RouteEntryIds"),
        failed: ROUTE_ENTRY_FAILURES,
    },
    Batch {
        action: "DeleteRouteEntries",
        list: "RouteEntries",
        each: "DeleteRouteEntry",
        renames: ROUTE_ENTRY_RENAMES,
        id: "RouteEntryId",
        done: BatchDone::Counted,
        failed: ROUTE_ENTRY_FAILURES,
    },
    Batch {
        action: "CreateHighReliablePhysicalConnection",
        list: "ApList",
        each: "CreatePhysicalConnection",
        renames: &[("Bandwidth", "bandwidth")],
        id: "PhysicalConnectionId",
        done: BatchDone::Items { list: "PhysicalConnectionList", id: "InstanceId", region: Some("RegionNo") },
        failed: BatchFailed { list: "ErrorInfoList", code: "ErrorCode", message: "ErrorMessage", echo: &[] },
    },
];

const ROUTE_ENTRY_RENAMES: &[(&str, &str)] = &[
    ("DstCidrBlock", "DestinationCidrBlock"),
    ("NextHop", "NextHopId"),
    ("Name", "RouteEntryName"),
    ("Describe", "Description"),
];

const ROUTE_ENTRY_FAILURES: BatchFailed = BatchFailed {
    list: "FailedRouteEntries",
    code: "FailedCode",
    message: "FailedMessage",
    // A create's entries have no `RouteEntryId`, a delete's may.
    echo: &["DstCidrBlock", "NextHop", "RouteEntryId"],
};

/// Values the VPC API answers that the emulator keeps no state for.
/// Alibaba documents no default for the NAT gateway's reverse-access
/// endpoint quota; the emulator answers 1.
pub static VPC_MADE: &[Made] = &[
    Made { action: "CheckVpnBgpEnabled", field: "BgpEnabled", value: MadeValue::Constant("true") },
    Made { action: "VpcDescribeVpcNatGatewayNetworkInterfaceQuota", field: "Quota", value: MadeValue::Constant("1") },
    Made {
        action: "AddPublicIpAddressPoolCidrBlock",
        field: "CidrBlock",
        value: MadeValue::PublicIpv4Block { mask: "CidrMask", default: 24 },
    },
    Made { action: "AllocateVpcIpv6Cidr", field: "Ipv6CidrBlock", value: MadeValue::Ipv6Block(56) },
    Made {
        action: "CreateTrafficMirrorFilterRules",
        field: "IngressRules",
        value: MadeValue::IdPerEntry { prefix: "tmr-", field: "InstanceId" },
    },
    Made {
        action: "CreateTrafficMirrorFilterRules",
        field: "EgressRules",
        value: MadeValue::IdPerEntry { prefix: "tmr-", field: "InstanceId" },
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

/// The VPC API's lifecycles: the spec's, the vRouter's and the NAT
/// tables', then those inferred for the kinds left (see `inferred.rs`).
pub static VPC_LIFECYCLES: LazyLock<Vec<&'static Lifecycle>> = LazyLock::new(|| {
    let mut all: Vec<&'static Lifecycle> = aliyun_vpc::LIFECYCLES.to_vec();
    all.extend([&VROUTER, &SNAT_TABLE, &FORWARD_TABLE]);
    let inferred = crate::inferred::lifecycles(aliyun_vpc::OPERATIONS, &all);
    all.extend(inferred);
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
        let (n, _) = random_public(rng);
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

/// A public IPv4 block of `prefix` bits, aligned, inside one of the
/// public blocks (never wider than the block it is drawn from).
pub(crate) fn public_ipv4_block(rng: &mut fastrand::Rng, prefix: u8) -> String {
    let (n, block) = random_public(rng);
    let prefix = prefix.clamp(block, 32);
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    let [a, b, c, d] = (n & mask).to_be_bytes();
    format!("{a}.{b}.{c}.{d}/{prefix}")
}

/// A random address of one of the public blocks, with that block's prefix length.
fn random_public(rng: &mut fastrand::Rng) -> (u32, u8) {
    let ([a, b], prefix) = PUBLIC_BLOCKS[rng.usize(..PUBLIC_BLOCKS.len())];
    let base = u32::from_be_bytes([a, b, 0, 0]);
    (base | rng.u32(..(1u32 << (32 - u32::from(prefix)))), prefix)
}

/// Alibaba Cloud's IPv6 range (`2408:4000::/22`), which VPC blocks come from.
const IPV6_RANGE: (u128, u8) = (0x2408_4000 << 96, 22);

/// An IPv6 block of `prefix` bits inside [`IPV6_RANGE`], aligned.
pub(crate) fn ipv6_block(rng: &mut fastrand::Rng, prefix: u8) -> String {
    let (base, range) = IPV6_RANGE;
    let prefix = prefix.clamp(range, 128);
    let inside = rng.u128(..) >> range;
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    let net = std::net::Ipv6Addr::from((base | inside) & mask);
    format!("{net}/{prefix}")
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
    fn entries_are_a_set_by_key_added_replaced_and_removed() {
        let set = of(VPC, "VpcPrefixList").entries.unwrap();
        let params = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("PrefixListName".to_owned(), "offices".to_owned());
        set.apply(
            &mut fields,
            &params(&[
                ("PrefixListEntries.1.Cidr", "10.1.0.0/16"),
                ("PrefixListEntries.1.Description", "old"),
                ("PrefixListEntries.2.Cidr", "10.2.0.0/16"),
            ]),
        );
        set.apply(
            &mut fields,
            &params(&[
                ("AddPrefixListEntry.1.Cidr", "10.1.0.0/16"),
                ("AddPrefixListEntry.1.Description", "new"),
                ("RemovePrefixListEntry.1.Cidr", "10.2.0.0/16"),
                ("RemovePrefixListEntry.1.Description", "ignored"),
            ]),
        );
        assert_eq!(set.kept(&fields), [("10.1.0.0/16", vec![("Description", "new")])]);
        // The resource's own fields are untouched.
        assert_eq!(fields["PrefixListName"], "offices");
    }

    #[test]
    fn blocks_are_aligned_and_of_the_asked_size() {
        let mut rng = fastrand::Rng::with_seed(7);
        for prefix in [16u8, 24, 28, 32] {
            let block = public_ipv4_block(&mut rng, prefix);
            let (net, len) = block.split_once('/').unwrap();
            let net: std::net::Ipv4Addr = net.parse().unwrap();
            assert_eq!(len, prefix.to_string());
            // Host bits clear: the text is the block's own network address.
            let host_bits = u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
            assert_eq!(u32::from(net) & host_bits, 0, "{block}");
            assert!(crate::cidr::Cidr::parse(&block).is_some());
            assert!(!net.is_private() && !net.is_loopback() && !net.is_unspecified(), "{net}");
        }
        // Wider than the public block it comes from: that block's size.
        let wide = public_ipv4_block(&mut rng, 8);
        assert!(["/12", "/13", "/14"].iter().any(|p| wide.ends_with(p)), "{wide}");
        let v6 = ipv6_block(&mut rng, 56);
        let (net, len) = v6.split_once('/').unwrap();
        let net: std::net::Ipv6Addr = net.parse().unwrap();
        assert_eq!(len, "56");
        assert_eq!(u128::from(net) & ((1u128 << 72) - 1), 0, "{v6}");
        assert_eq!(u128::from(net) >> 106, 0x2408_4000 >> 10, "{v6}");
    }

    fn operation(action: &str) -> &'static aliyun_runtime::OperationInfo {
        aliyun_vpc::OPERATIONS.iter().find(|o| o.action == action).unwrap_or_else(|| panic!("{action}"))
    }

    /// A rule that names an action, a parameter or a response field the
    /// spec does not have would never apply: each must be real.
    #[test]
    fn every_action_rule_names_what_the_spec_has() {
        for rules in VPC {
            for (param, actions) in rules.named_by {
                for action in *actions {
                    // The spec's example request of the action names the resource by it.
                    let example = (operation(action).example)();
                    assert!(example.iter().any(|(k, _)| k == param), "{action} {param}");
                }
            }
            for (field, _) in rules.counted {
                // The kind's listing answers it for each item.
                let own = VPC_LIFECYCLES.iter().find(|l| l.resource == rules.resource);
                let listing = own.and_then(|l| l.listing).expect("a counted kind is listed");
                let items = aliyun_runtime::find_field(operation(listing.action).response, listing.items);
                let Some(aliyun_runtime::Shape::List { item: aliyun_runtime::Shape::Struct(fields), .. }) =
                    items.map(|f| &f.shape)
                else {
                    panic!("{} lists no items", rules.resource)
                };
                assert!(aliyun_runtime::find_field(fields, field).is_some(), "{field}");
            }
            for record in rules.records {
                assert!(!operation(record.action).read_only, "{}", record.action);
                // Some action of the API answers the struct it is kept for.
                let answered = aliyun_vpc::OPERATIONS
                    .iter()
                    .any(|o| aliyun_runtime::find_field(o.response, record.under).is_some());
                assert!(answered, "{}", record.under);
            }
        }
        for batch in VPC_BATCHES {
            let info = operation(batch.action);
            operation(batch.each);
            let listed = |name: &str| aliyun_runtime::find_field(info.response, name).is_some();
            assert!(listed(batch.failed.list), "{}", batch.action);
            match batch.done {
                BatchDone::Counted => assert!(listed("SuccessCount")),
                BatchDone::Ids(list) | BatchDone::Items { list, .. } => assert!(listed(list), "{list}"),
            }
        }
        for made in VPC_MADE {
            assert!(
                aliyun_runtime::find_field(operation(made.action).response, made.field).is_some(),
                "{}",
                made.field
            );
        }
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
            // A template naming the resource's own fields may not resolve;
            // a later entry for the same field then must.
            ids.push(("CreationTime", "t".to_owned()));
            for (n, (field, value)) in rules.fields.iter().enumerate() {
                let resolves = |v: &str| fill(v, &ids).is_some();
                let fallback = rules.fields[n..].iter().any(|(f, v)| f == field && resolves(v));
                assert!(fallback, "{}: {field} = {value} may be left without a value", rules.resource);
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
