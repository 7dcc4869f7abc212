//! Who is on the other end of a console request, for counting failed sign-ins.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::ctx::ClientAddress;

/// Whether a reverse proxy in front of CIM names the client in `X-Forwarded-For`. Only then is
/// that header believed: anyone can send it.
#[derive(Clone, Copy)]
pub struct TrustProxy(pub bool);

pub async fn client_address(State(TrustProxy(trusted)): State<TrustProxy>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
    // The proxy appends the address it saw: the last entry is the one it vouches for.
    let forwarded = trusted
        .then(|| request.headers().get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next()?.trim().parse::<IpAddr>().ok())
        .flatten();
    let address = forwarded.or(peer).map(counted_as).unwrap_or_else(|| "unknown".into());
    request.extensions_mut().insert(ClientAddress(address));
    next.run(request).await
}

/// IPv4 addresses as they are; IPv6 addresses by their /64, which one host commonly holds whole.
fn counted_as(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_count_by_their_64_and_ipv4_as_they_are() {
        assert_eq!(counted_as("2001:db8:1:2:aaaa::1".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(counted_as("2001:db8:1:2:bbbb::9".parse().unwrap()), "2001:db8:1:2::/64");
        assert_eq!(counted_as("203.0.113.9".parse().unwrap()), "203.0.113.9");
        assert_eq!(counted_as("::ffff:203.0.113.9".parse().unwrap()), "203.0.113.9");
    }
}
