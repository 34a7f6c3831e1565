//! Identifiers the service makes up: resource IDs and request IDs. They
//! come from a generator seeded by the system, or by `Config::id_seed` for
//! reproducible runs (a restarted emulator with the same seed and state
//! file skips IDs it already holds).

use std::fmt::Write as _;

/// Length of the random part of a resource ID (`pc-` + 20, as Alibaba's).
const ID_LEN: usize = 20;

/// `prefix` followed by random lower-case letters and digits.
pub(crate) fn resource_id(rng: &mut fastrand::Rng, prefix: &str) -> String {
    let mut id = String::with_capacity(prefix.len() + ID_LEN);
    id.push_str(prefix);
    id.extend((0..ID_LEN).map(|_| rng.digit(36)));
    id
}

/// A request ID shaped like Alibaba's: upper-case hex, 8-4-4-4-12.
pub(crate) fn request_id(rng: &mut fastrand::Rng) -> String {
    let hex = format!("{:032X}", rng.u128(..));
    let mut out = String::with_capacity(36);
    for (i, part) in [&hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32]].iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        let _ = out.write_str(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut rng = fastrand::Rng::with_seed(7);
        let id = resource_id(&mut rng, "pc-");
        assert!(id.starts_with("pc-") && id.len() == 23, "{id}");
        assert!(id[3..].bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{id}");
        let r = request_id(&mut rng);
        assert_eq!(r.len(), 36);
        assert_eq!(r.matches('-').count(), 4);
        assert_ne!(request_id(&mut rng), r);
        let mut again = fastrand::Rng::with_seed(7);
        assert_eq!(resource_id(&mut again, "pc-"), id, "the same seed, the same IDs");
    }
}
