//! Random UUIDs (version 4) for client tokens and signature nonces.
//!
//! Each comes straight from the operating system's generator through
//! `uuid`: no batch is kept in the process, so nothing can be handed out
//! twice, by two threads or by a forked child and its parent. The system
//! call costs far less than the network round trip of the call it serves.

/// A random (version 4) UUID.
pub(crate) fn uuid_v4() -> uuid::Uuid {
    uuid::Uuid::new_v4()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4_and_distinct() {
        let ids: std::collections::HashSet<_> = (0..1000).map(|_| uuid_v4()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| id.get_version_num() == 4 && id.get_variant() == uuid::Variant::RFC4122));
    }
}
