//! The per-address limit in front of authentication: requests without valid credentials (no
//! credentials at all, or a wrong Bearer key or session) cost the caller's address, and an
//! address that has spent its allowance is refused before any database lookup. Callers with
//! valid credentials are limited by their own window instead and cost nothing here.

use crate::auth::{self, Principal};
use crate::bucket::{bound, Bucket};
use crate::error::AppError;
use crate::peer;
use crate::state::AppState;
use axum::extract::Request;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::Mutex;

/// Unauthenticated requests an address may send at once...
pub const BURST: f64 = 300.0;
/// ...and then one per this many milliseconds (5 per second).
pub const LEAK_MS: u64 = 200;
const MAX_ADDRESSES: usize = 10_000;

#[derive(Default)]
pub struct PreAuthLimiter {
    addresses: Mutex<HashMap<IpAddr, Bucket>>,
}

impl PreAuthLimiter {
    fn wait_secs(&self, ip: IpAddr, now: u64) -> Option<u64> {
        let map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let ms = map.get(&ip)?.ms_until(BURST - 1.0, now, LEAK_MS);
        (ms > 0).then(|| ms.div_ceil(1000).max(1))
    }

    fn charge(&self, ip: IpAddr, now: u64) {
        let mut map = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(ip).or_insert_with(|| Bucket::empty(now)).add(1.0, now, LEAK_MS);
        bound(&mut map, MAX_ADDRESSES, now, LEAK_MS);
    }
}

/// [`auth::resolve`] behind the per-address limit. (Only the headers and the peer are kept
/// across the lookup: a borrowed request would make the request layer's future not `Send`.)
pub fn resolve<'a>(
    state: &'a AppState,
    req: &'a Request,
    now: u64,
) -> impl Future<Output = Result<Option<Principal>, AppError>> + Send + 'a {
    let (headers, peer) = (req.headers(), peer::peer_of(req.extensions()));
    async move {
        let Some(peer) = peer else { return auth::resolve(state, headers, now).await };
        let ip = peer::client_ip(&state.config, peer.ip(), headers);
        if let Some(retry_after_secs) = state.part::<PreAuthLimiter>().wait_secs(ip, now) {
            return Err(AppError::RateLimited {
                retry_after_secs,
                message: format!(
                    "Too many requests without valid credentials from this address. Try again in {retry_after_secs} s."
                ),
            });
        }
        let resolved = auth::resolve(state, headers, now).await;
        if !matches!(resolved, Ok(Some(_))) {
            state.part::<PreAuthLimiter>().charge(ip, now);
        }
        resolved
    }
}
