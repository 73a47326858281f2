//! The SSRF guard: URLs an admin gives Sluice to call (webhook endpoints, feeds) may not reach
//! loopback, private, link-local or cloud-metadata addresses unless the server runs with
//! `--allow-private-targets`. Checked when the URL is saved and again at connect time, through
//! the HTTP client's resolver, so a name that later resolves elsewhere (DNS rebinding) is refused.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, RwLock};

/// Why an address is refused, in words; `None` when it is a public address.
pub fn refused_reason(ip: IpAddr) -> Option<&'static str> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            if v4.is_loopback() {
                Some("a loopback address")
            } else if v4.is_private() || (a == 100 && (64..128).contains(&b)) {
                Some("a private address")
            } else if v4 == std::net::Ipv4Addr::new(169, 254, 169, 254) {
                Some("the cloud metadata address")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else if v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast() || a == 0 {
                Some("not a routable address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() || v6.is_multicast() {
                Some("not a routable address")
            } else if first & 0xfe00 == 0xfc00 {
                Some("a private address")
            } else if first & 0xffc0 == 0xfe80 {
                Some("a link-local address")
            } else {
                None
            }
        }
    }
}

/// Which targets outbound calls may reach. `exempt` holds exact addresses (IP and port) that
/// the server itself started on loopback for `--demo`; they are reachable only through URLs
/// that name them literally.
pub struct TargetPolicy {
    allow_private: bool,
    exempt: RwLock<HashSet<SocketAddr>>,
}

impl TargetPolicy {
    pub fn new(allow_private: bool) -> Arc<TargetPolicy> {
        Arc::new(TargetPolicy { allow_private, exempt: RwLock::new(HashSet::new()) })
    }

    /// Lets URLs naming exactly `addr` through (the demo's own local services).
    pub fn exempt(&self, addr: SocketAddr) {
        self.exempt.write().unwrap_or_else(|p| p.into_inner()).insert(addr);
    }

    fn refused(&self, addr: SocketAddr) -> Option<&'static str> {
        if self.allow_private || self.exempt.read().unwrap_or_else(|p| p.into_inner()).contains(&addr) {
            return None;
        }
        refused_reason(addr.ip())
    }

    /// Checks a URL before it is saved: http(s), a host, and every address it resolves to
    /// allowed. The error is a sentence for the `url` field.
    pub async fn check_url(&self, raw: &str) -> Result<reqwest::Url, String> {
        let url = reqwest::Url::parse(raw.trim()).map_err(|e| format!("This is not a valid URL ({e})."))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("Use an http:// or https:// URL, not {}://.", url.scheme()));
        }
        let host = url.host_str().filter(|h| !h.is_empty()).ok_or("The URL has no host.")?.to_string();
        if !url.username().is_empty() || url.password().is_some() {
            return Err("Put credentials in a custom header, not in the URL.".into());
        }
        if self.allow_private {
            return Ok(url);
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let bare = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let addrs =
            tokio::task::spawn_blocking(move || (bare.as_str(), port).to_socket_addrs().map(|a| a.collect::<Vec<_>>()))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|_| format!("The host {host} could not be resolved."))?;
        let literal = matches!(url.host(), Some(url::Host::Ipv4(_)) | Some(url::Host::Ipv6(_)));
        for addr in &addrs {
            let why = if literal { self.refused(*addr) } else { refused_reason(addr.ip()) };
            if let Some(why) = why {
                return Err(format!("Refused address: {host} resolves to {}, {why}.", addr.ip()));
            }
        }
        Ok(url)
    }

    /// At connect time: an IP literal in the URL does not pass through the resolver, so it is
    /// checked here; names are checked by [`GuardedResolver`].
    pub fn check_literal(&self, url: &reqwest::Url) -> Result<(), String> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        let port = url.port_or_known_default().unwrap_or(443);
        match self.refused(SocketAddr::new(ip, port)) {
            Some(why) => Err(format!("refused address {ip}, {why}")),
            None => Ok(()),
        }
    }

    /// A resolver for reqwest that applies this policy to every name it resolves.
    pub fn resolver(&self) -> Arc<GuardedResolver> {
        Arc::new(GuardedResolver { allow_private: self.allow_private })
    }
}

/// Drops refused addresses (and fails when none is left). Names never get the demo exemption.
pub struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let lookup = host.clone();
            let addrs: Vec<SocketAddr> = tokio::task::spawn_blocking(move || (lookup.as_str(), 0).to_socket_addrs())
                .await
                .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)??
                .collect();
            let allowed: Vec<SocketAddr> =
                addrs.iter().copied().filter(|a| allow || refused_reason(a.ip()).is_none()).collect();
            if allowed.is_empty() {
                let why = addrs.first().and_then(|a| refused_reason(a.ip())).unwrap_or("no address");
                let message = format!("refused address: {host} resolves to {why}");
                return Err(Box::new(std::io::Error::new(std::io::ErrorKind::PermissionDenied, message))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_addresses_ssrf_aims_at() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.1",
            "172.16.5.5",
            "169.254.169.254",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "0.0.0.0",
            "100.64.0.1",
        ] {
            assert!(refused_reason(ip.parse().unwrap()).is_some(), "{ip} should be refused");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(refused_reason(ip.parse().unwrap()).is_none(), "{ip} should be allowed");
        }
    }

    #[tokio::test]
    async fn check_url_names_what_is_wrong() {
        let strict = TargetPolicy::new(false);
        assert!(strict.check_url("ftp://example.com/x").await.unwrap_err().contains("http://"));
        assert!(strict.check_url("not a url").await.unwrap_err().contains("not a valid URL"));
        let err = strict.check_url("http://localhost:9/hook").await.unwrap_err();
        assert!(err.contains("loopback"), "{err}");
        assert!(TargetPolicy::new(true).check_url("http://127.0.0.1:9/hook").await.is_ok());
    }

    #[tokio::test]
    async fn the_demo_exemption_is_one_exact_address() {
        let policy = TargetPolicy::new(false);
        policy.exempt("127.0.0.1:4000".parse().unwrap());
        assert!(policy.check_url("http://127.0.0.1:4000/ok").await.is_ok());
        assert!(policy.check_url("http://127.0.0.1:4001/ok").await.is_err());
        assert!(policy.check_url("http://localhost:4000/ok").await.is_err());
        assert!(policy.check_literal(&"http://127.0.0.1:4000/x".parse().unwrap()).is_ok());
        assert!(policy.check_literal(&"http://127.0.0.1:22/x".parse().unwrap()).is_err());
    }
}
