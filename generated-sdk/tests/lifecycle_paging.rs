//! Paginators, waiters and the lifecycle data of the physical-connection
//! family, against a loopback server answering scripted pages.

use std::time::Duration;

use aliyun_vpc::describe_physical_connections::PhysicalConnection;
use aliyun_vpc::lifecycle::PHYSICAL_CONNECTION;
use aliyun_vpc::runtime::{Credentials, RetryPolicy, SdkError, StreamExt, WaitError, WaitPolicy};
use aliyun_vpc::types::PhysicalConnectionStatus;
use aliyun_vpc::{Client, DescribePhysicalConnectionsRequest, ListVirtualPhysicalConnectionsRequest};
use loopback_server::{KEY_ID, Reply, SECRET, Server};

fn client(server: &Server) -> Client {
    Client::builder()
        .region("cn-shanghai")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .endpoint(server.url.clone())
        .retry(RetryPolicy { max_attempts: 1, ..RetryPolicy::default() })
        .build()
        .unwrap()
}

/// A DescribePhysicalConnections page holding `(id, status)` circuits.
fn page(total: Option<i64>, circuits: &[(&str, &str)]) -> Reply {
    let items: Vec<String> = circuits
        .iter()
        .map(|(id, status)| format!(r#"{{"PhysicalConnectionId":"{id}","Status":"{status}","Name":"line-{id}"}}"#))
        .collect();
    let total = total.map(|t| format!(r#""TotalCount":{t},"#)).unwrap_or_default();
    Reply::ok(&format!(
        r#"{{"RequestId":"R",{total}"PhysicalConnectionSet":{{"PhysicalConnectionType":[{}]}}}}"#,
        items.join(",")
    ))
}

fn describe() -> DescribePhysicalConnectionsRequest {
    DescribePhysicalConnectionsRequest::builder().region_id("cn-shanghai").page_size(2).build().unwrap()
}

#[tokio::test]
async fn page_number_paging_stops_at_the_total_count() {
    let server = Server::start(vec![
        page(Some(5), &[("pc-1", "Enabled"), ("pc-2", "Enabled")]),
        page(Some(5), &[("pc-3", "Enabled"), ("pc-4", "Enabled")]),
        page(Some(5), &[("pc-5", "Enabled")]),
        page(Some(5), &[("pc-6", "should never be asked for")]),
    ])
    .await;
    let ids: Vec<String> = client(&server)
        .describe_physical_connections_items(describe())
        .map(|item| item.unwrap().physical_connection_id.unwrap())
        .collect()
        .await;
    assert_eq!(ids, ["pc-1", "pc-2", "pc-3", "pc-4", "pc-5"]);
    let pages: Vec<Option<String>> = server.seen().iter().map(|s| s.param("PageNumber").map(str::to_owned)).collect();
    // The first request goes as built (the service starts at page 1).
    assert_eq!(pages, [None, Some("2".to_owned()), Some("3".to_owned())]);
    assert!(server.seen().iter().all(|s| s.param("PageSize") == Some("2") && s.signature.is_ok()));
}

#[tokio::test]
async fn page_number_paging_stops_at_an_empty_page_without_a_total() {
    let server = Server::start(vec![
        page(None, &[("pc-1", "Enabled"), ("pc-2", "Enabled")]),
        page(None, &[]),
        page(None, &[("pc-9", "never asked for")]),
    ])
    .await;
    let pages: Vec<_> = client(&server).describe_physical_connections_pages(describe()).collect().await;
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].as_ref().unwrap().physical_connections, Vec::<PhysicalConnection>::new());
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn paging_starts_from_the_requested_page_and_ends_after_an_error() {
    let server = Server::start(vec![
        page(Some(10), &[("pc-5", "Enabled"), ("pc-6", "Enabled")]),
        Reply::error(400, "Throttling.User", "Request was denied due to user flow control."),
        page(Some(10), &[("pc-9", "never asked for")]),
    ])
    .await;
    let mut request = describe();
    request.page_number = Some(3);
    let pages: Vec<_> = client(&server).describe_physical_connections_pages(request).collect().await;
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_ok());
    assert!(matches!(&pages[1], Err(SdkError::Service(e)) if e.code() == "Throttling.User"));
    let asked: Vec<_> = server.seen().iter().map(|s| s.param("PageNumber").unwrap().to_owned()).collect();
    assert_eq!(asked, ["3", "4"]);
}

fn virtual_page(token: Option<&str>, ids: &[&str]) -> Reply {
    let items: Vec<String> = ids.iter().map(|id| format!(r#"{{"PhysicalConnectionId":"{id}"}}"#)).collect();
    let token = token.map(|t| format!(r#""NextToken":"{t}","#)).unwrap_or_default();
    Reply::ok(&format!(r#"{{"RequestId":"R",{token}"VirtualPhysicalConnections":[{}]}}"#, items.join(",")))
}

#[tokio::test]
async fn token_paging_follows_next_token_until_it_is_missing() {
    let server = Server::start(vec![
        virtual_page(Some("t1"), &["pc-a", "pc-b"]),
        virtual_page(Some("t2"), &["pc-c"]),
        virtual_page(None, &["pc-d"]),
        virtual_page(None, &["never asked for"]),
    ])
    .await;
    let request = ListVirtualPhysicalConnectionsRequest::builder().region_id("cn-shanghai").build().unwrap();
    let items: Vec<_> = client(&server).list_virtual_physical_connections_items(request).collect().await;
    let ids: Vec<String> = items.into_iter().map(|i| i.unwrap().physical_connection_id.unwrap()).collect();
    assert_eq!(ids, ["pc-a", "pc-b", "pc-c", "pc-d"]);
    let tokens: Vec<Option<String>> = server.seen().iter().map(|s| s.param("NextToken").map(str::to_owned)).collect();
    assert_eq!(tokens, [None, Some("t1".to_owned()), Some("t2".to_owned())]);
}

#[tokio::test]
async fn token_paging_stops_on_an_empty_page_or_a_repeated_token() {
    let server = Server::start(vec![virtual_page(Some("t1"), &["pc-a"]), virtual_page(Some("t1"), &["pc-b"])]).await;
    let request = ListVirtualPhysicalConnectionsRequest::builder().region_id("cn-shanghai").build().unwrap();
    let pages: Vec<_> = client(&server).list_virtual_physical_connections_pages(request.clone()).collect().await;
    assert_eq!(pages.len(), 2, "a token seen before must not loop");

    let server = Server::start(vec![virtual_page(Some("t1"), &[]), virtual_page(None, &["never asked for"])]).await;
    let pages: Vec<_> = client(&server).list_virtual_physical_connections_pages(request).collect().await;
    assert_eq!(pages.len(), 1);
}

fn fast(timeout: Duration) -> WaitPolicy {
    WaitPolicy { timeout, initial_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) }
}

#[tokio::test]
async fn waiter_polls_until_the_target_state() {
    let server = Server::start(vec![
        page(Some(1), &[("pc-1", "Allocating")]),
        page(Some(1), &[("pc-1", "Allocated")]),
        page(Some(1), &[("pc-1", "Confirmed")]),
        page(Some(1), &[("pc-1", "Enabled")]),
    ])
    .await;
    let circuit = client(&server)
        .wait_until_physical_connection_status("pc-1", PhysicalConnectionStatus::Enabled, fast(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(circuit.status, Some(PhysicalConnectionStatus::Enabled));
    assert_eq!(circuit.name.as_deref(), Some("line-pc-1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[0].action(), Some("DescribePhysicalConnections"));
    assert_eq!(seen[0].param("RegionId"), Some("cn-shanghai"));
    assert_eq!(seen[0].param("Filter.1.Key"), Some("PhysicalConnectionId"));
    assert_eq!(seen[0].param("Filter.1.Value.1"), Some("pc-1"));
}

#[tokio::test]
async fn waiter_stops_early_when_the_target_cannot_be_reached() {
    let server =
        Server::start(vec![page(Some(1), &[("pc-1", "Allocating")]), page(Some(1), &[("pc-1", "Canceled")])]).await;
    let err = client(&server)
        .wait_until_physical_connection_status("pc-1", PhysicalConnectionStatus::Enabled, fast(Duration::from_secs(60)))
        .await
        .unwrap_err();
    let WaitError::Unreachable { state, target, .. } = &err else { panic!("{err:?}") };
    assert_eq!((state.as_str(), target.as_str()), ("Canceled", "Enabled"));
    assert_eq!(server.count(), 2, "no polling after an unreachable state");
    assert_eq!(err.to_string(), "PhysicalConnection pc-1 is Canceled, from which it can never become Enabled");
}

#[tokio::test]
async fn waiter_times_out_and_reports_the_last_state() {
    let server = Server::start(vec![page(Some(1), &[("pc-1", "Allocating")])]).await;
    let err = client(&server)
        .wait_until_physical_connection_status(
            "pc-1",
            PhysicalConnectionStatus::Enabled,
            fast(Duration::from_millis(100)),
        )
        .await
        .unwrap_err();
    let WaitError::TimedOut { last_state, .. } = &err else { panic!("{err:?}") };
    assert_eq!(last_state, "Allocating");
    assert!(server.count() >= 2, "it polled more than once before giving up");
}

#[tokio::test]
async fn waiter_reports_a_missing_resource_and_polling_errors() {
    let server = Server::start(vec![page(Some(0), &[])]).await;
    let err = client(&server)
        .wait_until_physical_connection_status(
            "pc-404",
            PhysicalConnectionStatus::Enabled,
            fast(Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::NotFound { ref id, .. } if id == "pc-404"), "{err:?}");

    let server = Server::start(vec![Reply::error(403, "Forbidden.RAM", "User not authorized.")]).await;
    let err = client(&server)
        .wait_until_physical_connection_status("pc-1", PhysicalConnectionStatus::Enabled, fast(Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::Sdk(SdkError::Service(ref e)) if e.code() == "Forbidden.RAM"), "{err:?}");
}

#[test]
fn the_lifecycle_is_the_one_the_spec_declares() {
    let lc = PHYSICAL_CONNECTION;
    assert_eq!(lc.initial, "Initial");
    assert_eq!(lc.id, "PhysicalConnectionId");
    let cancel = |state| lc.transition("CancelPhysicalConnection", state);
    for state in ["Initial", "Approved", "Allocated", "Confirmed"] {
        assert_eq!(cancel(state).and_then(|t| t.to), Some("Canceled"), "{state}");
    }
    for state in ["Allocating", "Enabled", "Terminated"] {
        assert!(cancel(state).is_none(), "{state}");
    }
    assert_eq!(
        lc.transitions.iter().find(|t| t.action == Some("CancelPhysicalConnection")).and_then(|t| t.otherwise),
        Some("Forbidden.NotAllowedInState")
    );
    let terminate = lc.transition("TerminatePhysicalConnection", "Enabled").unwrap();
    assert_eq!((terminate.via, terminate.to), (Some("Terminating"), Some("Terminated")));
    assert!(lc.transition("DeletePhysicalConnection", "Canceled").unwrap().deletes);
    assert_eq!(lc.transition("ModifyPhysicalConnectionAttribute", "Rejected").and_then(|t| t.to), Some("Initial"));
    assert_eq!(
        lc.transition("ModifyPhysicalConnectionAttribute", "Enabled").map(|t| (t.to, t.deletes)),
        Some((None, false))
    );
    assert_eq!(lc.creation("CreatePhysicalConnection").and_then(|t| t.to), Some("Initial"));
    assert!(lc.can_reach("Initial", "Enabled"));
    assert!(lc.can_reach("Terminating", "Terminated"));
    assert!(!lc.can_reach("Canceled", "Enabled"));
    assert!(!lc.can_reach("Terminated", "Enabled"));
}

/// A page of the listing a lifecycle names, holding `(id, state)` items,
/// shaped from the lifecycle's own data (list, wrapper, ID and state fields).
fn listing_page(lifecycle: &aliyun_vpc::runtime::Lifecycle, items: &[(&str, &str)]) -> Reply {
    let listing = lifecycle.listing.expect("the resource has a waiter");
    let items: Vec<String> = items
        .iter()
        .map(|(id, state)| format!(r#"{{"{}":"{id}","{}":"{state}"}}"#, listing.id_field, listing.state_field))
        .collect();
    let list = format!("[{}]", items.join(","));
    let list = match listing.wrapper {
        Some(wrapper) => format!(r#"{{"{wrapper}":{list}}}"#),
        None => list,
    };
    Reply::ok(&format!(r#"{{"RequestId":"R","TotalCount":{},"{}":{list}}}"#, items.len(), listing.items))
}

#[tokio::test]
async fn the_vpc_waiter_polls_describe_vpcs_by_id_until_available() {
    use aliyun_vpc::lifecycle::VPC;
    use aliyun_vpc::types::VpcStatus;
    let server =
        Server::start(vec![listing_page(&VPC, &[("vpc-1", "Pending")]), listing_page(&VPC, &[("vpc-1", "Available")])])
            .await;
    let vpc = client(&server)
        .wait_until_vpc_status("vpc-1", VpcStatus::Available, fast(Duration::from_secs(10)))
        .await
        .unwrap();
    assert_eq!(vpc.vpc_id.as_deref(), Some("vpc-1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].action(), Some("DescribeVpcs"));
    assert_eq!(seen[0].param("VpcId"), Some("vpc-1"));
    assert_eq!(seen[0].param("RegionId"), Some("cn-shanghai"));
}

#[tokio::test]
async fn the_eip_waiter_follows_an_association_and_gives_up_on_a_release() {
    use aliyun_vpc::lifecycle::EIP;
    use aliyun_vpc::types::EipStatus;
    let server =
        Server::start(vec![listing_page(&EIP, &[("eip-1", "Associating")]), listing_page(&EIP, &[("eip-1", "InUse")])])
            .await;
    let eip =
        client(&server).wait_until_eip_status("eip-1", EipStatus::InUse, fast(Duration::from_secs(10))).await.unwrap();
    assert_eq!(eip.allocation_id.as_deref(), Some("eip-1"));
    assert_eq!(server.seen()[0].action(), Some("DescribeEipAddresses"));
    assert_eq!(server.seen()[0].param("AllocationId"), Some("eip-1"));

    // Releasing leads nowhere but away: waiting for InUse stops at once.
    let server = Server::start(vec![listing_page(&EIP, &[("eip-1", "Releasing")])]).await;
    let err = client(&server).wait_until_eip_status("eip-1", EipStatus::InUse, fast(Duration::from_secs(60))).await;
    assert!(matches!(err, Err(WaitError::Unreachable { .. })), "{err:?}");
}

/// Entries the service lists only inside their table: the waiter takes the
/// table's ID first and sends it beside the entry's.
#[tokio::test]
async fn entry_waiters_ask_for_the_entry_inside_its_table() {
    use aliyun_vpc::lifecycle::{FORWARD_ENTRY, ROUTE_ENTRY, SNAT_ENTRY};
    use aliyun_vpc::types::{ForwardEntryStatus, RouteEntryStatus, SnatEntryStatus};
    let policy = || fast(Duration::from_secs(10));

    let server = Server::start(vec![
        listing_page(&SNAT_ENTRY, &[("snat-1", "Pending")]),
        listing_page(&SNAT_ENTRY, &[("snat-2", "Pending"), ("snat-1", "Available")]),
    ])
    .await;
    let entry = client(&server)
        .wait_until_snat_entry_status("stb-1", "snat-1", SnatEntryStatus::Available, policy())
        .await
        .unwrap();
    assert_eq!(entry.snat_entry_id.as_deref(), Some("snat-1"));
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].action(), Some("DescribeSnatTableEntries"));
    assert_eq!((seen[0].param("SnatTableId"), seen[0].param("SnatEntryId")), (Some("stb-1"), Some("snat-1")));

    let server = Server::start(vec![listing_page(&FORWARD_ENTRY, &[("fwd-1", "Available")])]).await;
    client(&server)
        .wait_until_forward_entry_status("ftb-1", "fwd-1", ForwardEntryStatus::Available, policy())
        .await
        .unwrap();
    assert_eq!(server.seen()[0].action(), Some("DescribeForwardTableEntries"));
    assert_eq!(server.seen()[0].param("ForwardTableId"), Some("ftb-1"));

    let server =
        Server::start(vec![listing_page(&ROUTE_ENTRY, &[("rte-1", "Modifying")]), listing_page(&ROUTE_ENTRY, &[])])
            .await;
    let err = client(&server)
        .wait_until_route_entry_status("vtb-1", "rte-1", RouteEntryStatus::Available, policy())
        .await
        .unwrap_err();
    assert!(matches!(err, WaitError::NotFound { .. }), "a route that disappears is reported: {err:?}");
    let seen = server.seen();
    assert_eq!(seen[0].action(), Some("DescribeRouteEntryList"));
    assert_eq!((seen[0].param("RouteTableId"), seen[0].param("RouteEntryId")), (Some("vtb-1"), Some("rte-1")));
}

#[test]
fn every_declared_lifecycle_is_consistent_and_names_a_listing_action_of_the_crate() {
    assert!(aliyun_vpc::LIFECYCLES.len() >= 18, "{}", aliyun_vpc::LIFECYCLES.len());
    for lifecycle in aliyun_vpc::LIFECYCLES {
        assert!(lifecycle.states.contains(&lifecycle.initial), "{}", lifecycle.resource);
        for t in lifecycle.transitions {
            for state in t.from.iter().chain(&t.to).chain(&t.via) {
                assert!(lifecycle.states.contains(state), "{}: {state}", lifecycle.resource);
            }
            if let Some(action) = t.action {
                assert!(aliyun_vpc::ACTIONS.contains(&action), "{action}");
            }
        }
        if let Some(listing) = lifecycle.listing {
            assert!(aliyun_vpc::ACTIONS.contains(&listing.action), "{}", listing.action);
        }
    }
}
