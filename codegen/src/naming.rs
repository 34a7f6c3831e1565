//! Every Rust name the generator emits is made here, from the wire name.
//!
//! Wire names are split into words at case changes, digits stay glued to the
//! word before them (`Tag10`, `IPv6`), and a table of the acronyms Alibaba
//! spells in several ways (`VSwitch`/`Vswitch`, `IPv6`/`Ipv6`) makes each
//! spelling one word. Two wire names that end up as the same Rust name are
//! a spec error reported by `validate`, never a silent overwrite.

/// Acronyms, matched case-insensitively at a word start, with the Rust
/// PascalCase form each becomes. Longest entries first within a prefix.
const ACRONYMS: &[(&str, &str)] = &[
    ("ipv6", "Ipv6"),
    ("ipv4", "Ipv4"),
    ("vswitch", "VSwitch"),
    ("ipsec", "Ipsec"),
    ("qos", "Qos"),
    ("loa", "Loa"),
    ("isp", "Isp"),
];

/// Words reserved by Rust that would otherwise become a field or module name.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else",
    "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod",
    "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true",
    "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Splits a wire name into lower-case words.
pub fn words(wire: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in wire.split(|c: char| !c.is_ascii_alphanumeric()) {
        split_part(part, &mut out);
    }
    out
}

fn split_part(part: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = part.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if let Some(len) = acronym_at(&chars, i) {
            let mut word: String = chars[i..i + len].iter().collect::<String>().to_ascii_lowercase();
            i += len;
            while i < chars.len() && chars[i].is_ascii_digit() {
                word.push(chars[i]);
                i += 1;
            }
            out.push(word);
            continue;
        }
        let start = i;
        if chars[i].is_ascii_uppercase() {
            // An upper-case run: `HTTPServer` is `HTTP` + `Server`.
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_uppercase() {
                j += 1;
            }
            if j - i > 1 && j < chars.len() && chars[j].is_ascii_lowercase() {
                j -= 1;
            }
            if j == i + 1 || j == i {
                j = i + 1;
                while j < chars.len() && chars[j].is_ascii_lowercase() {
                    j += 1;
                }
            }
            i = j;
        } else if chars[i].is_ascii_lowercase() {
            while i < chars.len() && chars[i].is_ascii_lowercase() {
                i += 1;
            }
        }
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            i += 1;
        }
        out.push(chars[start..i].iter().collect::<String>().to_ascii_lowercase());
    }
}

/// Length of the acronym starting at `i`, if one does at a word start and
/// ends at a word boundary (the end, an upper-case letter or a digit).
fn acronym_at(chars: &[char], i: usize) -> Option<usize> {
    let word_start = i == 0 || chars[i].is_ascii_uppercase() || !chars[i - 1].is_ascii_lowercase();
    if !word_start {
        return None;
    }
    ACRONYMS.iter().find_map(|(acronym, _)| {
        let len = acronym.len();
        let matches = i + len <= chars.len()
            && chars[i..i + len].iter().zip(acronym.chars()).all(|(c, a)| c.to_ascii_lowercase() == a)
            && chars.get(i + len).is_none_or(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        matches.then_some(len)
    })
}

/// `PhysicalConnectionId` -> `physical_connection_id`; keywords get a `_` suffix.
pub fn snake(wire: &str) -> String {
    let mut name = words(wire).join("_");
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// `CancelPhysicalConnection` -> `CancelPhysicalConnection`,
/// `ApplyPhysicalConnectionLOA` -> `ApplyPhysicalConnectionLoa`,
/// `Allocation Failed` -> `AllocationFailed`.
pub fn pascal(wire: &str) -> String {
    let mut name = String::new();
    for word in words(wire) {
        let acronym = ACRONYMS
            .iter()
            .find(|(a, _)| word.strip_prefix(a).is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit())));
        match acronym {
            Some((a, pascal)) => {
                name.push_str(pascal);
                name.push_str(&word[a.len()..]);
            }
            None => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    name.push(first.to_ascii_uppercase());
                    name.extend(chars);
                }
            }
        }
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "Value");
    }
    if name == "Self" {
        name.push('_');
    }
    name
}

/// Whether `name` can be used as written as a Rust identifier.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_keeps_acronyms_whole() {
        let cases = [
            ("PhysicalConnectionId", "physical_connection_id"),
            ("RegionId", "region_id"),
            ("VSwitchId", "vswitch_id"),
            ("VswitchId", "vswitch_id"),
            ("IPv6Address", "ipv6_address"),
            ("Ipv6Address", "ipv6_address"),
            ("EnableIpv6", "enable_ipv6"),
            ("ISP", "isp"),
            ("LineOperatorISP", "line_operator_isp"),
            ("ApplyPhysicalConnectionLOA", "apply_physical_connection_loa"),
            ("LoaStatus", "loa_status"),
            ("LoadBalancerId", "load_balancer_id"),
            ("Type", "type_"),
            ("bandwidth", "bandwidth"),
            ("tags", "tags"),
            ("Filter.1.Key", "filter_1_key"),
            ("Tag10", "tag10"),
            ("HTTPServer", "http_server"),
            ("CIDRBlock", "cidr_block"),
            ("VbrId", "vbr_id"),
            ("IsQosEnabled", "is_qos_enabled"),
            ("MacsecKeys", "macsec_keys"),
            ("self", "self_"),
        ];
        for (wire, want) in cases {
            assert_eq!(snake(wire), want, "snake({wire})");
        }
    }

    #[test]
    fn pascal_case_follows_rust_conventions() {
        let cases = [
            ("CancelPhysicalConnection", "CancelPhysicalConnection"),
            ("ApplyPhysicalConnectionLOA", "ApplyPhysicalConnectionLoa"),
            ("InvalidPhysicalConnectionId.NotFound", "InvalidPhysicalConnectionIdNotFound"),
            ("Forbidden.NotAllowedInState", "ForbiddenNotAllowedInState"),
            ("Allocation Failed", "AllocationFailed"),
            ("VSwitch", "VSwitch"),
            ("Vswitch", "VSwitch"),
            ("IPv6", "Ipv6"),
            ("CMCC", "Cmcc"),
            ("100M", "Value100M"),
            ("Self", "Self_"),
            ("IncorrectStatus.cbnStatus", "IncorrectStatusCbnStatus"),
        ];
        for (wire, want) in cases {
            assert_eq!(pascal(wire), want, "pascal({wire})");
        }
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("physical_connection_id"));
        assert!(!is_identifier("type"));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("a-b"));
    }
}
