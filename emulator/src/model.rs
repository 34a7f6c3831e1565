//! What the emulator serves, read from the generated crate's data: the
//! product's version, every action with its parameter checks, and the
//! resource lifecycles. Nothing here names a VPC action; another generated
//! product could be served by building a [`ServiceModel`] from its constants.

use std::collections::HashMap;

use aliyun_runtime::{ErrorDoc, Lifecycle, Listing, OperationInfo};

use crate::rules::{self, Batch, Made, ResourceRules, ServiceSwitch};

/// One product as the generated crate describes it.
#[derive(Debug, Clone, Copy)]
pub struct ServiceModel {
    /// Product code (`Vpc`), used in error `Recommend` links.
    pub product: &'static str,
    /// The only API version accepted.
    pub version: &'static str,
    /// Every action served, with its parameter checks; any other action is
    /// answered `InvalidApi.NotFound`.
    pub operations: &'static [OperationInfo],
    /// The resources the emulator keeps, and what each action does to them:
    /// the spec's lifecycles, those of resources the service makes on its
    /// own (a VPC's vRouter, a NAT gateway's SNAT and DNAT tables), and
    /// those inferred from the actions for the kinds left (see `inferred.rs`).
    pub lifecycles: &'static [&'static Lifecycle],
    /// What the service does beyond the lifecycles (quotas, companion
    /// resources, generated values), by resource kind; see [`ResourceRules`].
    pub rules: &'static [ResourceRules],
    /// Services an account opens once (flow logs, traffic mirroring...):
    /// the action that opens each, and the one that says whether it is.
    pub switches: &'static [ServiceSwitch],
    /// Actions that do another action once per entry of a list.
    pub batches: &'static [Batch],
    /// Values answered that no state holds (see [`Made`]).
    pub made: &'static [Made],
    /// Fields every successful answer fills where its shape has them, with
    /// their values (`Success`: `true`).
    pub success: &'static [(&'static str, &'static str)],
    /// The gateway's codes with their documented statuses and messages.
    pub common_errors: &'static [ErrorDoc],
    /// The regional endpoints the service publishes, `(region, host)`: the
    /// default region catalogue.
    pub endpoints: &'static [(&'static str, &'static str)],
    /// The endpoint template, `{region}` standing for the region ID.
    pub endpoint_template: &'static str,
}

impl ServiceModel {
    /// Alibaba Cloud VPC, as generated from `spec/vpc`.
    pub fn vpc() -> Self {
        ServiceModel {
            product: aliyun_vpc::PRODUCT,
            version: aliyun_vpc::VERSION,
            operations: aliyun_vpc::OPERATIONS,
            lifecycles: &rules::VPC_LIFECYCLES,
            rules: rules::VPC,
            switches: rules::VPC_SWITCHES,
            batches: rules::VPC_BATCHES,
            made: rules::VPC_MADE,
            success: rules::VPC_SUCCESS,
            common_errors: aliyun_vpc::CommonError::DOCUMENTED,
            endpoints: aliyun_vpc::ENDPOINTS,
            endpoint_template: aliyun_vpc::ENDPOINT,
        }
    }

    /// The host of `region`: its listed endpoint, else the template's.
    pub fn endpoint(&self, region: &str) -> String {
        match self.endpoints.iter().find(|(r, _)| *r == region) {
            Some((_, host)) => (*host).to_owned(),
            None => self.endpoint_template.replace("{region}", region),
        }
    }
}

impl Default for ServiceModel {
    fn default() -> Self {
        ServiceModel::vpc()
    }
}

/// What an action does to resources, decided once from the lifecycles.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Role {
    /// Creates a resource of this lifecycle.
    Create(&'static Lifecycle),
    /// Moves (or deletes, or only checks) one resource named by its ID.
    Transition(&'static Lifecycle),
    /// Lists the resources of this lifecycle.
    List(&'static Lifecycle, Listing),
    /// One of Alibaba's cross-product catalogue or tag actions, named
    /// alike in every product (see [`Special`]).
    Special(Special),
    /// Touches no lifecycle as such: checked, and answered from the
    /// resource it names by ID, if any.
    Plain,
}

/// The actions the lifecycles do not describe but every Alibaba product
/// has under the same names: the region and zone catalogue, and tags and
/// resource groups. The only actions the emulator knows by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    DescribeRegions,
    DescribeZones,
    DescribeAccessPoints,
    TagResources,
    UntagResources,
    ListTagResources,
    MoveResourceGroup,
}

impl Special {
    fn of(action: &str) -> Option<Special> {
        Some(match action {
            "DescribeRegions" => Special::DescribeRegions,
            "DescribeZones" => Special::DescribeZones,
            "DescribeAccessPoints" => Special::DescribeAccessPoints,
            "TagResources" => Special::TagResources,
            "UntagResources" | "UnTagResources" => Special::UntagResources,
            "ListTagResources" => Special::ListTagResources,
            "MoveResourceGroup" => Special::MoveResourceGroup,
            _ => return None,
        })
    }
}

/// One action: how to check it and what it does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Action {
    pub info: &'static OperationInfo,
    pub role: Role,
}

/// Every action by name, with its role.
#[derive(Debug)]
pub(crate) struct Catalog {
    pub model: ServiceModel,
    actions: HashMap<&'static str, Action>,
}

impl Catalog {
    pub fn new(model: ServiceModel) -> Self {
        let actions =
            model.operations.iter().map(|info| (info.action, Action { info, role: role(&model, info) })).collect();
        Catalog { model, actions }
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.get(name)
    }

    /// The rules of a resource kind (none for a kind without any).
    pub fn rules(&self, resource: &str) -> &'static ResourceRules {
        rules::of(self.model.rules, resource)
    }

    /// The batch `action` is, if it is one.
    pub fn batch(&self, action: &str) -> Option<&'static Batch> {
        self.model.batches.iter().find(|b| b.action == action)
    }

    /// The lifecycle of a resource kind, by its name.
    pub fn lifecycle(&self, resource: &str) -> Option<&'static Lifecycle> {
        self.model.lifecycles.iter().copied().find(|l| l.resource == resource)
    }
}

fn role(model: &ServiceModel, info: &OperationInfo) -> Role {
    if let Some(special) = Special::of(info.action) {
        return Role::Special(special);
    }
    for &lifecycle in model.lifecycles {
        if lifecycle.creation(info.action).is_some() {
            return Role::Create(lifecycle);
        }
        if let Some(listing) = lifecycle.listing.filter(|l| l.action == info.action) {
            return Role::List(lifecycle, listing);
        }
        if lifecycle.governs(info.action) {
            return Role::Transition(lifecycle);
        }
    }
    Role::Plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vpc_roles_come_from_the_lifecycle_data() {
        let catalog = Catalog::new(ServiceModel::vpc());
        let role = |a: &str| catalog.action(a).map(|a| a.role);
        assert!(
            matches!(role("CreatePhysicalConnection"), Some(Role::Create(l)) if l.resource == "PhysicalConnection")
        );
        assert!(matches!(role("CancelPhysicalConnection"), Some(Role::Transition(_))));
        assert!(
            matches!(role("DescribePhysicalConnections"), Some(Role::List(_, l)) if l.items == "PhysicalConnectionSet")
        );
        assert!(matches!(role("DescribeRegions"), Some(Role::Special(Special::DescribeRegions))));
        assert!(matches!(role("DescribeVpcAttribute"), Some(Role::Plain)));
        assert!(role("NoSuchAction").is_none());
    }
}
