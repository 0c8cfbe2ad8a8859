//! Which network addresses a feed's requests may reach.
//!
//! A feed is untrusted: its redirects and links could point our requests at
//! the machine itself, the local network or a cloud metadata service
//! (SSRF). A feed's fetch, its article pages, and every redirect of either
//! therefore reach only public addresses, checked on the address actually
//! connected to (a resolver that drops the others, so DNS rebinding gains
//! nothing) and on every hop's literal address, unless the URL in
//! `feeds.toml` itself is on a private address (an intranet feed, or a test
//! server on loopback): [`AddressPolicy`].
//!
//! In: hosts and addresses. Out: whether they are public, and whether a
//! feed's policy lets a request reach them. Resolution failures are errors
//! of the fetch that asked.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::config::FeedSource;
use url::{Host, Url};

/// True for addresses reachable on the public Internet: not loopback,
/// private, link-local (cloud metadata lives there), shared, documentation,
/// multicast, broadcast or reserved. An IPv6 address that carries an IPv4
/// one (mapped, compatible, translated, NAT64, 6to4, Teredo) is judged by
/// the address it carries: `[::ffff:127.0.0.1]`, `[::7f00:1]` and
/// `[2002:7f00:1::]` all reach loopback.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let embedded = embedded_ipv4(ip);
    if !embedded.is_empty() {
        return embedded.into_iter().all(is_public_v4);
    }
    let s = ip.segments();
    // Only global unicast (2000::/3) is public: this leaves out `::`,
    // `::1`, unique local (fc00::/7), link-local (fe80::/10), site-local
    // (fec0::/10), multicast (ff00::/8) and the discard prefix (100::/64).
    (s[0] & 0xe000) == 0x2000
        && !((s[0] == 0x2001 && s[1] == 0x0db8) // documentation
            || (s[0] & 0xfff0) == 0x3ff0 // documentation (3fff::/20)
            || (s[0] == 0x2001 && s[1] == 0x0002 && s[2] == 0) // benchmarking
            || (s[0] == 0x2001 && (s[1] & 0xfff0) == 0x0010)) // ORCHID
}

/// The IPv4 addresses an IPv6 address carries, by the transition mechanism
/// its prefix names; empty for a plain IPv6 address. NAT64's local-use
/// prefix (64:ff9b:1::/48, RFC 8215) may carry the IPv4 address at several
/// places: it is read as 0.0.0.0, never public, being a local network's.
fn embedded_ipv4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let o = ip.octets();
    let last = Ipv4Addr::new(o[12], o[13], o[14], o[15]);
    match s {
        // IPv4-compatible (::a.b.c.d, RFC 4291 §2.5.5.1); `::` and `::1`
        // carry 0.0.0.0 and 0.0.0.1, not public either.
        [0, 0, 0, 0, 0, 0, _, _]
        // IPv4-mapped (::ffff:a.b.c.d) and IPv4-translated
        // (::ffff:0:a.b.c.d, RFC 2765).
        | [0, 0, 0, 0, 0, 0xffff, _, _]
        | [0, 0, 0, 0, 0xffff, 0, _, _]
        // NAT64, well-known prefix (64:ff9b::/96, RFC 6052).
        | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => vec![last],
        [0x64, 0xff9b, 1, ..] => vec![Ipv4Addr::UNSPECIFIED],
        // 6to4 (2002:a.b.c.d::/48, RFC 3056).
        [0x2002, ..] => vec![Ipv4Addr::new(o[2], o[3], o[4], o[5])],
        // Teredo (2001:0::/32, RFC 4380 §4): the server's address, then the
        // client's, sent with every bit inverted.
        [0x2001, 0, ..] => vec![
            Ipv4Addr::new(o[4], o[5], o[6], o[7]),
            Ipv4Addr::from(u32::from(last) ^ 0xffff_ffff),
        ],
        _ => Vec::new(),
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
    names_private(url, &resolve(url).await)
}

/// [`is_private_host`], given the addresses the URL's name resolves to.
fn names_private(url: &Url, resolved: &[IpAddr]) -> bool {
    if let Some(ip) = literal_ip(url) {
        return !is_public(ip);
    }
    let Some(host) = url.host_str() else {
        return false;
    };
    is_local_name(host) || (!resolved.is_empty() && resolved.iter().all(|ip| !is_public(*ip)))
}

fn is_local_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// The addresses a URL's name resolves to (none for a literal address or a
/// name that does not resolve).
async fn resolve(url: &Url) -> Vec<IpAddr> {
    let (Some(host), None) = (url.host_str(), literal_ip(url)) else {
        return Vec::new();
    };
    let port = url.port_or_known_default().unwrap_or(80);
    match tokio::net::lookup_host((host, port)).await {
        Ok(addresses) => addresses.map(|a: SocketAddr| a.ip()).collect(),
        Err(_) => Vec::new(),
    }
}

/// Which addresses the requests made for one feed may reach, at every hop:
/// its own fetch, its redirects, its article pages and theirs. Private,
/// loopback, link-local and metadata addresses only when the URL in
/// `feeds.toml` itself names one (an intranet feed, a test server on
/// loopback); a public feed's redirects and links never lead inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressPolicy {
    /// The feed is on a private address: so may its requests be.
    Any,
    /// Public addresses only, at every hop.
    PublicOnly,
}

impl AddressPolicy {
    /// The policy of a feed whose configured URL is `configured`.
    pub(crate) async fn of_feed(configured: &Url) -> AddressPolicy {
        AddressPolicy::for_configured(configured, &resolve(configured).await)
    }

    /// The policy of a feed read from `source` as configured: a saved
    /// feed file's links lead to public addresses only.
    pub(crate) async fn of_source(source: &FeedSource) -> AddressPolicy {
        match source {
            FeedSource::Http(url) => AddressPolicy::of_feed(url).await,
            FeedSource::File(_) => AddressPolicy::PublicOnly,
        }
    }

    /// [`AddressPolicy::of_feed`], given the addresses the configured URL's
    /// name resolves to.
    pub(crate) fn for_configured(configured: &Url, resolved: &[IpAddr]) -> AddressPolicy {
        if names_private(configured, resolved) {
            AddressPolicy::Any
        } else {
            AddressPolicy::PublicOnly
        }
    }

    /// May a request go to `url`, judged before connecting: a literal
    /// address, or a local name. The addresses a name resolves to are
    /// judged by [`AddressPolicy::allows_address`] as the connection is
    /// made (so DNS rebinding gains nothing).
    pub(crate) fn allows_url(self, url: &Url) -> bool {
        match self {
            AddressPolicy::Any => true,
            AddressPolicy::PublicOnly => match literal_ip(url) {
                Some(ip) => is_public(ip),
                None => !url.host_str().is_some_and(is_local_name),
            },
        }
    }

    /// The policy for the requests after one that connected to
    /// `connected` (`None` when the connection's address is unknown): a
    /// private policy stays private only after a connection to a private
    /// address.
    pub(crate) fn after_connecting_to(self, connected: Option<IpAddr>) -> AddressPolicy {
        match (self, connected) {
            (AddressPolicy::Any, Some(ip)) if !is_public(ip) => AddressPolicy::Any,
            _ => AddressPolicy::PublicOnly,
        }
    }

    /// May a connection be made to `ip`?
    pub(crate) fn allows_address(self, ip: IpAddr) -> bool {
        self == AddressPolicy::Any || is_public(ip)
    }
}

/// A resolver that gives only public addresses: what every request of a
/// public feed (its fetch, its redirects, its article pages) connects to.
pub(crate) struct PublicOnlyResolver;

/// A name that resolves only to addresses a public feed's requests may not
/// reach: refused, never tried again.
#[derive(Debug, thiserror::Error)]
#[error("{host} has no public address")]
pub(crate) struct NoPublicAddress {
    host: String,
}

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addresses = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = addresses
                .filter(|a| AddressPolicy::PublicOnly.allows_address(a.ip()))
                .collect();
            if public.is_empty() {
                return Err(Box::new(NoPublicAddress { host }) as Box<_>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public_address(text: &str) -> bool {
        is_public(text.parse().unwrap())
    }

    #[test]
    fn addresses_are_classified_by_the_address_they_reach() {
        let private = [
            // IPv4 edge ranges.
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.255",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.1",
            "203.0.113.1",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            // IPv6 ranges.
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "fc00::1",
            "fd00::1",
            "ff02::1",
            "ff0e::1",
            "100::1",
            "2001:db8::1",
            "3fff::1",
            "2001:2::1",
            // IPv4 inside IPv6, each form.
            "::7f00:1",
            "::a9fe:a9fe",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0:7f00:1",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::808:808",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2002:c0a8:101::1",
            // Teredo: the client 127.0.0.1, inverted; the client 10.0.0.1,
            // inverted; a server at 0.0.0.0.
            "2001:0:4136:e378:8000:63bf:80ff:fffe",
            "2001:0:4136:e378:8000:63bf:f5ff:fffe",
            "2001::7f00:1",
        ];
        let public = [
            "93.184.216.34",
            "1.1.1.1",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.0",
            "169.253.255.255",
            "169.255.0.1",
            "172.32.0.1",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.254",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "::808:808",
            "::ffff:0:808:808",
            "64:ff9b::808:808",
            "2002:808:808::1",
            // Teredo, server 65.54.227.120, client 8.8.8.8 (inverted).
            "2001:0:4136:e378:8000:63bf:f7f7:f7f7",
            // Not inverted, 7f00:1 is the client 128.255.255.254.
            "2001:0:4136:e378::7f00:1",
        ];
        for address in private {
            assert!(!public_address(address), "{address} taken for public");
        }
        for address in public {
            assert!(public_address(address), "{address} taken for private");
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

    /// May a request for the feed at `configured` (its name resolving to
    /// `configured_ips`) reach `hop` (its name resolving to `hop_ips`)? As
    /// a fetch decides it: the URL before connecting, then the addresses
    /// the resolver keeps.
    fn reaches(configured: &str, configured_ips: &[&str], hop: &str, hop_ips: &[&str]) -> bool {
        let ips =
            |list: &[&str]| -> Vec<IpAddr> { list.iter().map(|a| a.parse().unwrap()).collect() };
        let policy =
            AddressPolicy::for_configured(&Url::parse(configured).unwrap(), &ips(configured_ips));
        let hop = Url::parse(hop).unwrap();
        let addresses = match literal_ip(&hop) {
            Some(ip) => vec![ip],
            None => ips(hop_ips),
        };
        policy.allows_url(&hop) && addresses.into_iter().any(|ip| policy.allows_address(ip))
    }

    #[test]
    fn a_public_feed_never_reaches_a_private_address_at_any_hop() {
        let public_feed = ("https://news.example.org/feed", &["93.184.216.34"][..]);
        let unresolved_feed = ("https://news.example.org/feed", &[][..]);
        let loopback_feed = ("http://127.0.0.1:8080/feed", &[][..]);
        let intranet_feed = ("http://intranet.corp/feed", &["10.0.0.5"][..]);
        let local_name_feed = ("http://localhost:8080/feed", &["127.0.0.1"][..]);
        let hops: [(&str, &[&str], bool); 12] = [
            // (hop, what its name resolves to, public)
            ("https://cdn.example.net/a", &["93.184.216.35"], true),
            ("http://93.184.216.34/a", &[], true),
            ("http://127.0.0.1:9/internal.xml", &[], false),
            ("http://169.254.169.254/latest/meta-data/", &[], false),
            ("http://10.0.0.1/", &[], false),
            ("http://[::1]/", &[], false),
            ("http://[::ffff:127.0.0.1]/", &[], false),
            ("http://[2002:7f00:1::]/", &[], false),
            ("http://localhost/", &["127.0.0.1"], false),
            ("http://LOCALHOST./", &["127.0.0.1"], false),
            ("http://rebound.example/", &["127.0.0.1"], false),
            // Public and private at once: only the public one is connected.
            ("http://both.example/", &["10.0.0.1", "93.184.216.36"], true),
        ];
        for (hop, hop_ips, public) in hops {
            for (feed, feed_ips) in [public_feed, unresolved_feed] {
                assert_eq!(
                    reaches(feed, feed_ips, hop, hop_ips),
                    public,
                    "{feed} → {hop}"
                );
            }
            for (feed, feed_ips) in [loopback_feed, intranet_feed, local_name_feed] {
                assert!(reaches(feed, feed_ips, hop, hop_ips), "{feed} → {hop}");
            }
        }
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

    /// DNS rebinding: a name that resolved to a private address when the
    /// feed's rule was judged, and to a public one when the request
    /// connected, leaves the rule public from that connection on.
    #[test]
    fn a_private_rule_holds_only_while_connections_reach_private_addresses() {
        let connected = |ip: &str| Some(ip.parse::<IpAddr>().unwrap());
        let any = AddressPolicy::Any;
        for private in ["127.0.0.1", "10.1.2.3", "::1", "fd00::1", "169.254.169.254"] {
            assert_eq!(
                any.after_connecting_to(connected(private)),
                any,
                "{private}"
            );
        }
        for public in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "::ffff:93.184.216.34",
        ] {
            assert_eq!(
                any.after_connecting_to(connected(public)),
                AddressPolicy::PublicOnly,
                "{public}"
            );
        }
        // An unknown address is judged public: the stricter rule.
        assert_eq!(any.after_connecting_to(None), AddressPolicy::PublicOnly);
        // A public rule never becomes private, wherever it connected.
        let public = AddressPolicy::PublicOnly;
        assert_eq!(public.after_connecting_to(connected("127.0.0.1")), public);
    }
}
