//! A resource's lifecycle, declared in the spec and emitted as data: which
//! action may start from which states, where it leads, and what the system
//! does on its own. Waiters use it to give up early; the emulator runs it.

/// One way a resource changes state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The action that causes it; `None` for the service's own progress.
    pub action: Option<&'static str>,
    /// States it may start from; empty for an action that creates the
    /// resource (then `to` is the initial state).
    pub from: &'static [&'static str],
    /// The state it leads to; `None` when the state stays or the resource
    /// is deleted.
    pub to: Option<&'static str>,
    /// A transient state the resource shows first (Terminating on the way
    /// to Terminated); the service then completes the move on its own.
    pub via: Option<&'static str>,
    /// The resource is deleted.
    pub deletes: bool,
    /// Error code answered when the action is called from another state.
    pub otherwise: Option<&'static str>,
}

/// Where a listing action puts the resources, by wire name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listing {
    /// The read-only action that lists the resources
    /// (`DescribePhysicalConnections`); waiters poll it with the resource's ID.
    pub action: &'static str,
    /// The response field holding the list (`PhysicalConnectionSet`).
    pub items: &'static str,
    /// The element each item is wrapped in (`PhysicalConnectionType`).
    pub wrapper: Option<&'static str>,
    /// The field of an item holding the resource's ID (`PhysicalConnectionId`).
    pub id_field: &'static str,
    /// The field of an item holding its state (`Status`).
    pub state_field: &'static str,
    /// The parameters naming what the resource is listed inside
    /// (`SnatTableId` for an SNAT entry), which the waiter takes besides the
    /// ID: such a resource is only found inside the container named.
    pub scope: &'static [&'static str],
}

/// The states of one resource kind and every transition between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// The resource kind (`PhysicalConnection`), as waiter errors name it:
    /// "PhysicalConnection pc-119mfjzm7 does not exist".
    pub resource: &'static str,
    /// Wire name of the parameter and response field holding the resource's ID.
    pub id: &'static str,
    /// How new IDs start (`pc-`).
    pub id_prefix: &'static str,
    /// Error code for an ID that matches no resource.
    pub not_found: Option<&'static str>,
    /// The read-only action that lists these resources, if the spec names one.
    pub listing: Option<Listing>,
    /// Every known state, in the order the spec lists them.
    pub states: &'static [&'static str],
    /// The state a new resource starts in.
    pub initial: &'static str,
    /// Every transition, by actions and by the service itself, in spec order.
    pub transitions: &'static [Transition],
}

impl Lifecycle {
    /// The transition `action` makes from `state`, if it is allowed there.
    pub fn transition(&self, action: &str, state: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.action == Some(action) && t.from.contains(&state))
    }

    /// The transition of an action that creates the resource.
    pub fn creation(&self, action: &str) -> Option<&Transition> {
        self.transitions.iter().find(|t| t.action == Some(action) && t.from.is_empty())
    }

    /// Whether `action` has a declared transition at all.
    pub fn governs(&self, action: &str) -> bool {
        self.transitions.iter().any(|t| t.action == Some(action))
    }

    /// The states one step away from `state`: where each transition out of
    /// it shows first (its `via` state, else its target), and, for a `via`
    /// state, the target the service completes it to.
    fn successors<'a>(&'a self, state: &'a str) -> impl Iterator<Item = &'static str> + 'a {
        let started = self.transitions.iter().filter(move |t| t.from.contains(&state)).filter_map(|t| t.via.or(t.to));
        let completed = self.transitions.iter().filter(move |t| t.via == Some(state)).filter_map(|t| t.to);
        started.chain(completed)
    }

    /// Whether some sequence of actions and service steps leads from `from`
    /// to `to`. A state the spec does not know may lead anywhere.
    pub fn can_reach(&self, from: &str, to: &str) -> bool {
        if from == to || !self.states.contains(&from) {
            return true;
        }
        let mut seen: Vec<&str> = vec![from];
        let mut frontier: Vec<&str> = vec![from];
        while let Some(state) = frontier.pop() {
            for next in self.successors(state) {
                if next == to {
                    return true;
                }
                if !seen.contains(&next) {
                    seen.push(next);
                    frontier.push(next);
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CIRCUIT: Lifecycle = Lifecycle {
        resource: "Circuit",
        id: "CircuitId",
        id_prefix: "c-",
        not_found: Some("InvalidCircuitId.NotFound"),
        listing: None,
        states: &[
            "Initial",
            "Allocating",
            "Allocated",
            "Confirmed",
            "Enabled",
            "Terminating",
            "Terminated",
            "Canceled",
        ],
        initial: "Initial",
        transitions: &[
            Transition {
                action: Some("Create"),
                from: &[],
                to: Some("Initial"),
                via: None,
                deletes: false,
                otherwise: None,
            },
            Transition {
                action: None,
                from: &["Initial"],
                to: Some("Allocating"),
                via: None,
                deletes: false,
                otherwise: None,
            },
            Transition {
                action: None,
                from: &["Allocating"],
                to: Some("Allocated"),
                via: None,
                deletes: false,
                otherwise: None,
            },
            Transition {
                action: Some("Confirm"),
                from: &["Allocated"],
                to: Some("Confirmed"),
                via: None,
                deletes: false,
                otherwise: Some("Bad"),
            },
            Transition {
                action: Some("Enable"),
                from: &["Confirmed"],
                to: Some("Enabled"),
                via: None,
                deletes: false,
                otherwise: Some("Bad"),
            },
            Transition {
                action: Some("Terminate"),
                from: &["Enabled"],
                to: Some("Terminated"),
                via: Some("Terminating"),
                deletes: false,
                otherwise: Some("Bad"),
            },
            Transition {
                action: Some("Cancel"),
                from: &["Initial", "Allocated", "Confirmed"],
                to: Some("Canceled"),
                via: None,
                deletes: false,
                otherwise: Some("Bad"),
            },
            Transition {
                action: Some("Delete"),
                from: &["Canceled", "Terminated"],
                to: None,
                via: None,
                deletes: true,
                otherwise: Some("Bad"),
            },
        ],
    };

    #[test]
    fn reachability_follows_actions_and_service_steps() {
        assert!(CIRCUIT.can_reach("Initial", "Enabled"));
        assert!(CIRCUIT.can_reach("Enabled", "Terminated"));
        assert!(CIRCUIT.can_reach("Terminating", "Terminated"), "a transient state completes on its own");
        assert!(!CIRCUIT.can_reach("Canceled", "Enabled"));
        assert!(!CIRCUIT.can_reach("Terminated", "Enabled"));
        assert!(!CIRCUIT.can_reach("Enabled", "Confirmed"));
        assert!(CIRCUIT.can_reach("SomethingNew", "Enabled"), "unknown states are not given up on");
    }

    #[test]
    fn transitions_are_found_by_action_and_state() {
        assert_eq!(CIRCUIT.transition("Cancel", "Allocated").and_then(|t| t.to), Some("Canceled"));
        assert!(CIRCUIT.transition("Cancel", "Enabled").is_none());
        assert_eq!(CIRCUIT.transition("Terminate", "Enabled").and_then(|t| t.via), Some("Terminating"));
        assert!(CIRCUIT.governs("Delete"));
        assert_eq!(CIRCUIT.creation("Create").and_then(|t| t.to), Some("Initial"));
        assert!(CIRCUIT.creation("Cancel").is_none());
        assert!(!CIRCUIT.governs("Describe"));
    }
}
