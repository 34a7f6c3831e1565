//! IPv4 CIDR arithmetic, the one rule of the VPC model that is not data: a
//! child's block (a vSwitch's) must be well formed, lie inside its parent's
//! (the VPC's), and not overlap its siblings'; an address the service picks
//! in a vSwitch (a HaVip's) is one it does not reserve.

use std::net::Ipv4Addr;

/// A block `network/prefix`, its host bits cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    network: u32,
    prefix: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = text.trim().split_once('/')?;
        let addr: Ipv4Addr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
        Some(Cidr { network: u32::from(addr) & mask(prefix), prefix })
    }

    /// Whether every address of `self` is in `outer`.
    pub fn within(self, outer: Cidr) -> bool {
        self.prefix >= outer.prefix && self.network & mask(outer.prefix) == outer.network
    }

    /// Whether the two blocks share an address.
    pub fn overlaps(self, other: Cidr) -> bool {
        self.within(other) || other.within(self)
    }

    /// How many addresses [`Cidr::assignable`] gives, without walking them.
    pub fn assignable_count(self) -> u64 {
        (1u64 << (32 - u32::from(self.prefix))).saturating_sub(RESERVED_AT_START + RESERVED_AT_END)
    }

    /// The addresses a resource in the block may be given, lowest first:
    /// all but the first and the last three, which the service keeps for itself.
    pub fn assignable(self) -> impl DoubleEndedIterator<Item = Ipv4Addr> {
        let size = 1u64 << (32 - u32::from(self.prefix));
        let first = u64::from(self.network) + RESERVED_AT_START;
        let end = (u64::from(self.network) + size).saturating_sub(RESERVED_AT_END).max(first);
        // Both ends lie within u32: the block is.
        (first..end).map(|n| Ipv4Addr::from(n as u32))
    }
}

/// Addresses the service reserves at the start and at the end of a
/// vSwitch: "the first and last three IP addresses" of the block, which
/// Alibaba's own example shows to be one at the start and three at the end.
const RESERVED_AT_START: u64 = 1;
const RESERVED_AT_END: u64 = 3;

fn mask(prefix: u8) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_nest_and_overlap() {
        let vpc = Cidr::parse("192.168.0.0/16").unwrap();
        let a = Cidr::parse("192.168.1.0/24").unwrap();
        let b = Cidr::parse("192.168.1.128/25").unwrap();
        let c = Cidr::parse("192.168.2.0/24").unwrap();
        assert!(a.within(vpc) && !vpc.within(a));
        assert!(a.overlaps(b) && b.overlaps(a) && !a.overlaps(c));
        assert!(!Cidr::parse("10.0.0.0/24").unwrap().within(vpc));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().overlaps(a));
        assert_eq!(Cidr::parse("192.168.1.7/24"), Some(a), "host bits are cleared");
        for bad in ["", "192.168.1.0", "192.168.1.0/33", "192.168.1/24", "x/8", "300.1.1.1/8"] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    /// Alibaba's example: of 192.168.1.0/24 the service keeps 192.168.1.0,
    /// .253, .254 and .255.
    #[test]
    fn the_first_and_the_last_three_addresses_are_not_assignable() {
        let block = Cidr::parse("192.168.1.0/24").unwrap();
        assert_eq!(block.assignable().count(), 252);
        assert_eq!(block.assignable().next(), Some(Ipv4Addr::new(192, 168, 1, 1)));
        assert_eq!(block.assignable().next_back(), Some(Ipv4Addr::new(192, 168, 1, 252)));
        assert_eq!(Cidr::parse("10.0.0.0/30").unwrap().assignable().count(), 0, "too small to give any");
        assert_eq!(Cidr::parse("10.0.0.0/29").unwrap().assignable().count(), 4);
        for text in ["192.168.1.0/24", "10.0.0.0/30", "10.0.0.0/29", "10.0.0.0/32", "10.0.0.0/16"] {
            let block = Cidr::parse(text).unwrap();
            assert_eq!(block.assignable_count(), block.assignable().count() as u64, "{text}");
        }
        let whole = Cidr::parse("0.0.0.0/0").unwrap();
        assert_eq!(whole.assignable().next_back(), Some(Ipv4Addr::new(255, 255, 255, 252)));
    }
}
