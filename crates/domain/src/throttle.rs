//! Slowing down password guessing without locking the real user out for good.

use chrono::{DateTime, Duration, Utc};

/// Failures allowed for one account from one client before any delay.
pub const FREE_FAILURES: i64 = 5;
/// Failures allowed from one client over all accounts (an office behind one
/// address has many users).
pub const FREE_FAILURES_PER_CLIENT: i64 = 30;
/// The longest wait imposed after a failure.
pub const MAX_DELAY_SECONDS: i64 = 15 * 60;
/// Failures older than this are forgotten.
pub const WINDOW_MINUTES: i64 = 60;

/// How long to refuse further attempts after the `failures`-th failure in a row:
/// none for the first `free`, then 2, 4, 8 … seconds, at most 15 minutes.
pub fn delay_after(failures: i64, free: i64) -> Duration {
    if failures <= free {
        return Duration::zero();
    }
    let exponent = (failures - free).min(20) as u32;
    Duration::seconds((1_i64 << exponent).min(MAX_DELAY_SECONDS))
}

/// The client key for an address: IPv4 as is, IPv6 grouped by its /64 (one
/// household or phone network gets one key, not 2^64).
pub fn client_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Whether an attempt at `now` must wait, given the lock recorded.
pub fn wait_seconds(locked_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    locked_until.filter(|until| *until > now).map(|until| (until - now).num_seconds().max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_then_caps() {
        assert_eq!(delay_after(5, FREE_FAILURES), Duration::zero());
        assert_eq!(delay_after(6, FREE_FAILURES), Duration::seconds(2));
        assert_eq!(delay_after(7, FREE_FAILURES), Duration::seconds(4));
        assert_eq!(delay_after(100, FREE_FAILURES), Duration::seconds(MAX_DELAY_SECONDS));
        assert_eq!(delay_after(30, FREE_FAILURES_PER_CLIENT), Duration::zero());
    }

    #[test]
    fn ipv6_is_grouped_by_64() {
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: std::net::IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        assert_eq!(client_key("10.0.0.7".parse().unwrap()), "10.0.0.7");
        assert_eq!(client_key("::ffff:10.0.0.7".parse().unwrap()), "10.0.0.7");
    }
}
