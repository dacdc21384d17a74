//! The client's address, one rule for every adapter, the per-address limit, the audit trail
//! and the log: the TCP peer, unless the peer is a trusted proxy (`--trusted-proxy`), in which
//! case the right-most address of `X-Forwarded-For` that is not itself a trusted proxy.

use crate::config::TrustedProxies;
use actix_web::HttpRequest;
use actix_web::http::header::{HeaderMap, X_FORWARDED_FOR};
use std::net::{IpAddr, SocketAddr};

/// Where the request comes from. Several `X-Forwarded-For` headers count as one list, in
/// order. The walk goes right to left from the peer while the address reached is trusted; when
/// every hop is trusted it ends at the left-most address. An entry that is no address (nor
/// `address:port`) ends the walk at the address reached so far: what lies left of it was
/// written by nobody we trust. Without trusted proxies, or from an untrusted peer, the header
/// is never read.
pub fn client_address(request: &HttpRequest) -> Option<IpAddr> {
    let peer = request.peer_addr()?.ip().to_canonical();
    let Some(trusted) = request.app_data::<TrustedProxies>() else {
        return Some(peer);
    };
    let mut client = peer;
    for hop in forwarded_hops(request.headers()).into_iter().rev() {
        if !trusted.trusts(client) {
            break;
        }
        match hop {
            Some(address) => client = address,
            None => break,
        }
    }
    Some(client)
}

/// Every `X-Forwarded-For` entry in order; `None` for one that is no address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all(X_FORWARDED_FOR)
        .flat_map(|value| match value.to_str() {
            Ok(list) => list.split(',').map(hop_address).collect(),
            Err(_) => vec![None],
        })
        .collect()
}

fn hop_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .map(|address| address.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    /// The client address of a request from `peer` carrying one `X-Forwarded-For` header per
    /// item of `headers`, with `trusted` proxies.
    fn client(trusted: &str, peer: &str, headers: &[&str]) -> String {
        let mut request = TestRequest::default()
            .peer_addr(SocketAddr::new(peer.parse().unwrap(), 40000))
            .app_data(trusted.parse::<TrustedProxies>().unwrap());
        for header in headers {
            request = request.append_header((X_FORWARDED_FOR, *header));
        }
        client_address(&request.to_http_request())
            .unwrap()
            .to_string()
    }

    const PROXIES: &str = "10.0.0.0/8, fd00::/8";

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        assert_eq!(
            client(PROXIES, "203.0.113.9", &["198.51.100.1"]),
            "203.0.113.9"
        );
        assert_eq!(client("", "10.0.0.1", &["198.51.100.1"]), "10.0.0.1");
    }

    #[test]
    fn the_right_most_untrusted_hop_is_the_client() {
        assert_eq!(
            client(PROXIES, "10.0.0.1", &["192.0.2.66, 198.51.100.1, 10.0.0.2"]),
            "198.51.100.1"
        );
        assert_eq!(
            client(PROXIES, "fd00::1", &["2001:db8::7", "fd00::2"]),
            "2001:db8::7"
        );
    }

    #[test]
    fn several_headers_are_one_list_in_order() {
        assert_eq!(
            client(
                PROXIES,
                "10.0.0.1",
                &["192.0.2.66", "198.51.100.1, 10.0.0.3", "10.0.0.2"]
            ),
            "198.51.100.1"
        );
    }

    #[test]
    fn when_every_hop_is_trusted_the_left_most_is_the_client() {
        assert_eq!(
            client(PROXIES, "10.0.0.1", &["10.0.0.9, 10.0.0.2"]),
            "10.0.0.9"
        );
        assert_eq!(client(PROXIES, "10.0.0.1", &[]), "10.0.0.1");
    }

    #[test]
    fn a_malformed_hop_ends_the_walk_at_the_address_reached() {
        assert_eq!(
            client(PROXIES, "10.0.0.1", &["198.51.100.1, garbage, 10.0.0.2"]),
            "10.0.0.2"
        );
        assert_eq!(client(PROXIES, "10.0.0.1", &["198.51.100.1,"]), "10.0.0.1");
        assert_eq!(
            client(PROXIES, "10.0.0.1", &["garbage, 198.51.100.1"]),
            "198.51.100.1",
            "a malformed entry left of the client is never reached"
        );
    }

    #[test]
    fn ports_and_ipv4_through_ipv6_are_read_as_addresses() {
        assert_eq!(
            client(PROXIES, "::ffff:10.0.0.1", &["198.51.100.1:5123"]),
            "198.51.100.1"
        );
        assert_eq!(
            client(PROXIES, "10.0.0.1", &["[2001:db8::7]:443"]),
            "2001:db8::7"
        );
        assert_eq!(
            client(PROXIES, "10.0.0.1", &["::ffff:10.0.0.5"]),
            "10.0.0.5"
        );
    }
}
