//! Who is on the other end of a request: the client's address and whether it came over HTTPS.
//! Forwarding headers are believed only from a `--trusted-proxy`; anyone else could write them.

use crate::config::ServeArgs;
use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// The connection's peer, as axum's `ConnectInfo` records it.
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<SocketAddr> {
    extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0)
}

fn trusted(config: &ServeArgs, ip: IpAddr) -> bool {
    let ip = canonical(ip);
    config.trusted_proxy.iter().any(|net| net.contains(&ip))
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address: the peer, or behind trusted proxies the nearest hop that is not one
/// of them (read right to left, since each proxy appends what it saw).
pub fn client_ip(config: &ServeArgs, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !trusted(config, peer) {
        return canonical(peer);
    }
    let mut hops: Vec<IpAddr> = forwarded_for(headers);
    hops.reverse();
    hops.into_iter().find(|ip| !trusted(config, *ip)).map(canonical).unwrap_or(canonical(peer))
}

/// Whether the user reached us over HTTPS: the public URL says so, or a trusted proxy does.
pub fn is_https(config: &ServeArgs, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
    if config.public_url.as_deref().is_some_and(|u| u.to_ascii_lowercase().starts_with("https://")) {
        return true;
    }
    if !peer.is_some_and(|p| trusted(config, p)) {
        return false;
    }
    let forwarded_proto = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(k, _)| k.eq_ignore_ascii_case("proto"))
        .map(|(_, v)| v.trim_matches('"').to_string())
        .next_back();
    let proto = forwarded_proto.or_else(|| {
        let v = headers.get("x-forwarded-proto")?.to_str().ok()?;
        v.rsplit(',').next().map(|p| p.trim().to_string())
    });
    proto.is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// Every address named by `Forwarded: for=` or, without it, `X-Forwarded-For`, in order.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let standard: Vec<IpAddr> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(k, _)| k.eq_ignore_ascii_case("for"))
        .filter_map(|(_, v)| parse_node(v))
        .collect();
    if !standard.is_empty() {
        return standard;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_node)
        .collect()
}

/// `203.0.113.7`, `"[2001:db8::1]:443"`, `198.51.100.2:8080`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(ip) = node.parse() {
        return Some(ip);
    }
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    node.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn config(proxies: &[&str]) -> ServeArgs {
        let mut c = ServeArgs::for_data_dir("unused".into());
        c.trusted_proxy = proxies.iter().map(|p| p.parse().unwrap()).collect();
        c
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(client_ip(&config(&[]), ip("10.0.0.2"), &spoofed), ip("10.0.0.2"));
        assert_eq!(client_ip(&config(&["10.0.0.0/8"]), ip("192.0.2.1"), &spoofed), ip("192.0.2.1"));
        assert_eq!(client_ip(&config(&["10.0.0.0/8"]), ip("10.0.0.2"), &spoofed), ip("203.0.113.7"));
        // A client's own X-Forwarded-For is on the left; the proxies' appended hops are believed.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.9")]);
        assert_eq!(client_ip(&config(&["10.0.0.0/8"]), ip("10.0.0.2"), &chain), ip("203.0.113.7"));
        let standard = headers(&[("forwarded", "for=\"[2001:db8::5]:4711\";proto=https")]);
        assert_eq!(client_ip(&config(&["10.0.0.0/8"]), ip("10.0.0.2"), &standard), ip("2001:db8::5"));
        assert!(is_https(&config(&["10.0.0.0/8"]), Some(ip("10.0.0.2")), &standard));
        assert!(!is_https(&config(&[]), Some(ip("10.0.0.2")), &standard), "an untrusted peer says so");
        let mut public = config(&[]);
        public.public_url = Some("https://console.example.com".into());
        assert!(is_https(&public, None, &HeaderMap::new()));
    }
}
