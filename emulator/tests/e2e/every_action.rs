//! The whole API at once: every action of the spec, sent as its own
//! examples make it, is answered either in its documented shape (a body
//! the generated client reads, with no key the response does not declare)
//! or with a code the action, the product or a resource's lifecycle
//! documents, under the status documented for it. Never a server error,
//! and never a bare request ID where the response declares more.

use std::collections::BTreeMap;

use aliyun_runtime::ServiceError;

use crate::formats::{post, signed_query, timestamp};
use crate::{REGION, start};

#[test]
fn every_action_answers_in_its_shape_or_with_a_code_it_documents() {
    let emulator = start();
    let addr = emulator.addr();
    // A resource's not-found code is documented by its lifecycle (the
    // spec's, or the emulator's own for kinds the spec does not declare);
    // where Alibaba documents none, the emulator answers `Invalid<Id>.NotFound`.
    let lifecycle_codes: Vec<String> = vpc_emulator::ServiceModel::vpc()
        .lifecycles
        .iter()
        .map(|l| l.not_found.map_or_else(|| format!("Invalid{}.NotFound", l.id), str::to_owned))
        .collect();
    let mut problems = Vec::new();
    let mut outcomes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut bare = String::new();
    for (n, op) in aliyun_vpc::OPERATIONS.iter().enumerate() {
        let mut params = (op.example)();
        // Never empty when the examples build a request: it names its action.
        assert!(!params.is_empty(), "{}: the spec's examples build no request", op.action);
        for (name, value) in &mut params {
            if name == "RegionId" {
                *value = REGION.to_owned();
            }
        }
        // The signing adds the version itself; the action is already there.
        params.retain(|(name, _)| name != "Version");
        let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, body) = post(addr, &signed_query("POST", &pairs, &format!("sweep-{n}"), &timestamp(0)));
        if status == 200 {
            *outcomes.entry("answered").or_default() += 1;
            if let Err(e) = (op.decodes)(body.as_bytes()) {
                problems.push(format!("{}: 200 that does not decode ({e}): {body}", op.action));
            }
            if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&body) {
                if map.len() == 1 && op.response.len() > 1 {
                    bare.push_str(op.action);
                    bare.push('\n');
                }
                for key in map.keys().filter(|k| !op.response.iter().any(|f| f.name == k.as_str())) {
                    problems.push(format!("{}: answers `{key}`, which its response does not declare", op.action));
                }
            }
            continue;
        }
        let Ok(error) = ServiceError::parse(status, body.as_bytes()) else {
            problems.push(format!("{}: {status} without an error body: {body}", op.action));
            continue;
        };
        let code = error.code();
        // The action's own documentation decides a code's status, else the product's.
        let of = |docs: &[aliyun_runtime::ErrorDoc]| -> Vec<u16> {
            docs.iter().filter(|e| e.code == code).map(|e| e.status).collect()
        };
        let own = of(op.errors);
        let statuses = if own.is_empty() { of(aliyun_vpc::CommonError::DOCUMENTED) } else { own };
        if statuses.is_empty() && !lifecycle_codes.iter().any(|c| c == code) {
            problems.push(format!("{}: {status} {code}, documented nowhere", op.action));
        } else if !statuses.is_empty() && !statuses.contains(&status) {
            problems.push(format!("{}: {code} with status {status}, documented as {statuses:?}", op.action));
        } else {
            *outcomes.entry("refused").or_default() += 1;
        }
        if status >= 500 {
            problems.push(format!("{}: a server error, {status} {code}", op.action));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} actions answered out of their documentation ({outcomes:?}):\n{}",
        problems.len(),
        aliyun_vpc::OPERATIONS.len(),
        problems.join("\n")
    );
    // An answer of its request ID alone, where the response declares more,
    // tells a caller nothing it asked for.
    assert!(bare.is_empty(), "answered with a bare request ID:\n{bare}");
}
