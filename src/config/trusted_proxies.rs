use ipnet::IpNet;
use std::net::IpAddr;
use std::str::FromStr;

/// The address ranges of the proxies whose `X-Forwarded-For` is believed: a comma-separated
/// list of IPv4 and IPv6 CIDR ranges (a bare address is a range of one). Empty trusts nobody.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Whether `address` is in one of the ranges. An IPv4 address seen through an IPv6 socket
    /// (`::ffff:10.0.0.1`) is the IPv4 address.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|range| range.contains(&address))
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        if list.trim().is_empty() {
            return Ok(TrustedProxies::default());
        }
        list.split(',')
            .map(|entry| {
                let entry = entry.trim();
                IpNet::from_str(entry)
                    .map(|range| range.trunc())
                    .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                    .map_err(|_| {
                        format!("`{entry}` is not a CIDR range such as 10.0.0.0/8 or fd00::/8")
                    })
            })
            .collect::<Result<_, _>>()
            .map(TrustedProxies)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trusts(list: &str, address: &str) -> bool {
        list.parse::<TrustedProxies>()
            .unwrap()
            .trusts(address.parse().unwrap())
    }

    #[test]
    fn ipv4_and_ipv6_ranges_and_bare_addresses_are_read() {
        let list = "10.0.0.0/8, 192.168.1.7, fd00::/8,2001:db8::1";
        assert!(trusts(list, "10.255.0.1"));
        assert!(!trusts(list, "11.0.0.1"));
        assert!(trusts(list, "192.168.1.7"));
        assert!(!trusts(list, "192.168.1.8"));
        assert!(trusts(list, "fd12::1"));
        assert!(!trusts(list, "fe80::1"));
        assert!(trusts(list, "2001:db8::1"));
        assert!(!trusts(list, "2001:db8::2"));
    }

    #[test]
    fn host_bits_are_ignored_and_ipv4_through_ipv6_is_ipv4() {
        assert!(trusts("10.1.2.3/16", "10.1.200.1"));
        assert!(trusts("127.0.0.1/32", "::ffff:127.0.0.1"));
        assert!(!trusts("::ffff:0:0/96", "127.0.0.1"));
    }

    #[test]
    fn empty_trusts_nobody() {
        assert!(!trusts("", "127.0.0.1"));
        assert!(!trusts(" ", "::1"));
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
    }

    #[test]
    fn a_bad_entry_is_refused_by_name() {
        for (list, named) in [
            ("10.0.0.0/33", "10.0.0.0/33"),
            ("10.0.0.0/8,", ""),
            ("10.0.0.0/8,proxy.example", "proxy.example"),
            ("fd00::/129", "fd00::/129"),
            ("10.0.0.0/8;fd00::/8", "10.0.0.0/8;fd00::/8"),
        ] {
            let refused = list.parse::<TrustedProxies>().unwrap_err();
            assert_eq!(
                refused,
                format!("`{named}` is not a CIDR range such as 10.0.0.0/8 or fd00::/8")
            );
        }
    }
}
