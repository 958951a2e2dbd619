//! The client's address. By default the socket's peer. Behind a reverse proxy the
//! peer is the proxy, so X-Forwarded-For is read, but only when the peer is one of
//! the trusted proxies (`--trusted-proxy 127.0.0.1,::1`): anyone else could write the
//! header and escape login throttling. The client is then the right-most address of
//! the header that is not itself a trusted proxy (each proxy appends the address it
//! received the request from; what lies to the left of an untrusted hop is the
//! client's own claim and is ignored).

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::AppState;

#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The throttling key (IPv6 grouped by /64).
    pub fn key(&self) -> String {
        phongtrao_domain::throttle::client_key(self.0)
    }
}

/// An address or a network (`10.0.0.0/8`, `fd00::/8`) whose peers are trusted proxies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(self.prefix)) };
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }

    /// 127.0.0.1 and ::1: a proxy on the same machine.
    pub fn loopback() -> Vec<TrustedProxy> {
        vec![
            TrustedProxy::host(IpAddr::from([127, 0, 0, 1])),
            TrustedProxy::host(IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1])),
        ]
    }

    fn host(ip: IpAddr) -> TrustedProxy {
        let ip = canonical(ip);
        TrustedProxy { network: ip, prefix: if ip.is_ipv4() { 32 } else { 128 } }
    }

    /// A comma-separated list: `127.0.0.1,::1,10.0.0.0/8`.
    pub fn parse_list(list: &str) -> Result<Vec<TrustedProxy>, String> {
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(TrustedProxy::from_str).collect()
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("địa chỉ proxy không hợp lệ / not an address or network: {s:?}");
        let (address, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let ip = canonical(address.trim().parse::<IpAddr>().map_err(|_| bad())?);
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(TrustedProxy { network: ip, prefix })
    }
}

impl std::fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let max = if self.network.is_ipv4() { 32 } else { 128 };
        if self.prefix == max {
            write!(f, "{}", self.network)
        } else {
            write!(f, "{}/{}", self.network, self.prefix)
        }
    }
}

/// ::ffff:127.0.0.1 (a dual-stack socket's view of an IPv4 peer) → 127.0.0.1.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client of a request that came from `peer` with these X-Forwarded-For values
/// (every header line, in order).
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[TrustedProxy],
) -> IpAddr {
    let peer = canonical(peer);
    if !trusted.iter().any(|t| t.contains(peer)) {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for.flat_map(|line| line.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            // Garbage in the chain: nothing to its left can be believed; the last
            // trusted hop is the best we know.
            return client;
        };
        client = ip;
        if !trusted.iter().any(|t| t.contains(ip)) {
            return ip;
        }
    }
    client
}

/// "203.0.113.7", "[2001:db8::1]:443", "203.0.113.7:5000" → the address.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|s| canonical(s.ip()))
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer =
            parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::from([127, 0, 0, 1]));
        if state.trusted_proxies.is_empty() {
            return Ok(ClientIp(canonical(peer)));
        }
        let lines = parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
        Ok(ClientIp(client_address(peer, lines, &state.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy_and_the_right_most_untrusted_hop_wins() {
        let trusted = TrustedProxy::parse_list("127.0.0.1, ::1, 10.0.0.0/8").expect("list");
        // A forged header from a stranger: ignored.
        assert_eq!(client_address(ip("198.51.100.9"), ["1.2.3.4"].into_iter(), &trusted), ip("198.51.100.9"));
        // From the proxy: the client it saw.
        assert_eq!(client_address(ip("127.0.0.1"), ["203.0.113.7"].into_iter(), &trusted), ip("203.0.113.7"));
        // The client wrote its own X-Forwarded-For; the proxy appended the real one.
        assert_eq!(client_address(ip("127.0.0.1"), ["1.2.3.4, 203.0.113.7"].into_iter(), &trusted), ip("203.0.113.7"));
        // Two proxies (10.1.2.3 in front of the local one); several header lines.
        assert_eq!(
            client_address(ip("::1"), ["6.6.6.6", "203.0.113.7, 10.1.2.3"].into_iter(), &trusted),
            ip("203.0.113.7")
        );
        // A dual-stack socket's IPv4 peer.
        assert_eq!(client_address(ip("::ffff:127.0.0.1"), ["203.0.113.7"].into_iter(), &trusted), ip("203.0.113.7"));
        // Garbage: the last trusted hop.
        assert_eq!(client_address(ip("127.0.0.1"), ["nonsense"].into_iter(), &trusted), ip("127.0.0.1"));
        // No header: the proxy itself.
        assert_eq!(client_address(ip("127.0.0.1"), std::iter::empty(), &trusted), ip("127.0.0.1"));
        assert!(TrustedProxy::parse_list("127.0.0.1/33").is_err());
        assert!(TrustedProxy::parse_list("proxy.local").is_err());
        assert_eq!(TrustedProxy::parse_list("10.0.0.0/8,::1").expect("ok")[0].to_string(), "10.0.0.0/8");
    }
}
