//! Which network addresses article pages may be fetched from.
//!
//! A feed is untrusted: its links could point article-page fetches at the
//! machine itself, the local network or a cloud metadata service (SSRF).
//! Pages are therefore fetched only from public addresses, checked on the
//! address actually connected to (a resolver that drops the others, so DNS
//! rebinding gains nothing) and on every redirect, unless the feed itself is
//! on a private address (an intranet feed, or a test server on loopback).
//!
//! In: hosts and addresses. Out: whether they are public. Resolution
//! failures are errors of the fetch that asked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// True for addresses reachable on the public Internet: not loopback,
/// private, link-local (cloud metadata lives there), shared, documentation,
/// multicast, broadcast or reserved.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64
                || v6 == Ipv6Addr::UNSPECIFIED)
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240)
}

/// The IP address a URL names literally, if it does.
pub(crate) fn literal_ip(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    }
}

/// Is `url` on a non-public address: a private literal, `localhost`, or a
/// name that resolves only to non-public addresses?
pub(crate) async fn is_private_host(url: &Url) -> bool {
    if let Some(ip) = literal_ip(url) {
        return !is_public(ip);
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") || host.ends_with(".localhost") {
        return true;
    }
    let port = url.port_or_known_default().unwrap_or(80);
    match tokio::net::lookup_host((host, port)).await {
        Ok(addresses) => {
            let addresses: Vec<SocketAddr> = addresses.collect();
            !addresses.is_empty() && addresses.iter().all(|a| !is_public(a.ip()))
        }
        Err(_) => false,
    }
}

/// A resolver that gives only public addresses: what an article-page fetch
/// connects to.
pub(crate) struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = addresses.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} has no public address; article pages are fetched only from public hosts"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "2001:db8::1",
        ] {
            assert!(!public(address), "{address}");
        }
        for address in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(address), "{address}");
        }
    }

    #[tokio::test]
    async fn private_hosts_are_recognised() {
        for url in [
            "http://127.0.0.1:8080/feed",
            "http://[::1]/",
            "http://localhost/",
            "http://a.localhost/",
            "http://169.254.169.254/latest/meta-data/",
        ] {
            assert!(is_private_host(&Url::parse(url).unwrap()).await, "{url}");
        }
        assert!(!is_private_host(&Url::parse("http://93.184.216.34/").unwrap()).await);
    }

    #[tokio::test]
    async fn the_resolver_drops_private_addresses() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;
        // `localhost` resolves to loopback only: nothing is left to connect to.
        let name = reqwest::dns::Name::from_str("localhost").unwrap();
        let error = PublicOnlyResolver
            .resolve(name)
            .await
            .err()
            .expect("refused");
        assert!(error.to_string().contains("no public address"), "{error}");
    }
}
