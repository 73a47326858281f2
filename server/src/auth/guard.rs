//! Brute-force protection for sign-in, as leaky buckets that drain with time.
//!
//! Every attempt is counted *before* the password is checked (and refunded when it was right),
//! so a burst of parallel guesses cannot all slip past the check. Failures count against the
//! pair (account, client address), the address, and the account:
//! - a pair gets [`PAIR_FREE`] failures, then one more per [`PAIR_LEAK_MS`];
//! - an address gets [`ADDRESS_FREE`] failures over all accounts, then one per [`ADDRESS_LEAK_MS`];
//! - an account failing from many addresses is *under attack*: then any address that has
//!   failed on it recently waits, but an address with no recent failure on it still gets its
//!   try, so nobody can lock the real admin out by guessing wrong on purpose.
//!
//! The maps only hold records that have not drained, and never more than [`MAX_RECORDS`] each.

use crate::bucket::{bound, Bucket};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

pub const PAIR_FREE: f64 = 5.0;
pub const PAIR_LEAK_MS: u64 = 30_000;
pub const ADDRESS_FREE: f64 = 30.0;
pub const ADDRESS_LEAK_MS: u64 = 20_000;
/// Failures on one account (from anywhere) that put it under attack.
pub const ACCOUNT_UNDER_ATTACK: f64 = 10.0;
pub const ACCOUNT_LEAK_MS: u64 = 30_000;
pub const MAX_RECORDS: usize = 10_000;

/// An IPv6 client controls a whole /64, so that is what counts as one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Address(u128);

impl From<IpAddr> for Address {
    fn from(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Address(u32::from(v4) as u128),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Address(u32::from(v4) as u128),
                None => Address((u128::from(v6) >> 64 << 64) | (1 << 127)),
            },
        }
    }
}

#[derive(Default)]
struct Buckets {
    pairs: HashMap<(String, Address), Bucket>,
    addresses: HashMap<Address, Bucket>,
    accounts: HashMap<String, Bucket>,
}

#[derive(Default)]
pub struct LoginGuard {
    buckets: Mutex<Buckets>,
}

/// One counted sign-in attempt; give it back with [`LoginGuard::succeeded`].
pub struct Attempt {
    account: String,
    address: Address,
}

impl LoginGuard {
    /// Counts an attempt, or refuses it with the seconds to wait.
    pub fn begin(&self, email: &str, ip: IpAddr, now: u64) -> Result<Attempt, u64> {
        let attempt = Attempt { account: email.trim().to_lowercase(), address: ip.into() };
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(wait_ms) = b.wait_ms(&attempt, now) {
            return Err(wait_ms.div_ceil(1000).max(1));
        }
        b.change(&attempt, 1.0, now);
        b.bound(now);
        Ok(attempt)
    }

    /// The password was right: the attempt is not a failure, and the pair starts afresh.
    pub fn succeeded(&self, attempt: Attempt, now: u64) {
        let mut b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        b.change(&attempt, -1.0, now);
        b.pairs.remove(&(attempt.account, attempt.address));
    }

    /// Seconds until this pair may try again, if the next attempt would be refused (the
    /// failure that crosses a threshold is answered as a lock-out at once).
    pub fn locked_for(&self, attempt: &Attempt, now: u64) -> Option<u64> {
        let b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        b.wait_ms(attempt, now).map(|ms| ms.div_ceil(1000).max(1))
    }

    /// Records held, over all maps (for tests and metrics).
    pub fn records(&self) -> usize {
        let b = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        b.pairs.len() + b.addresses.len() + b.accounts.len()
    }
}

impl Buckets {
    fn wait_ms(&self, a: &Attempt, now: u64) -> Option<u64> {
        let pair = self.pairs.get(&(a.account.clone(), a.address));
        let address = self.addresses.get(&a.address);
        let under_attack =
            self.accounts.get(&a.account).is_some_and(|b| b.level(now, ACCOUNT_LEAK_MS) >= ACCOUNT_UNDER_ATTACK);
        // Under attack, an address that has failed on this account waits until that drains.
        let pair_free = if under_attack { 1.0 } else { PAIR_FREE };
        let waits = [
            pair.map(|b| b.ms_until(pair_free - 1.0, now, PAIR_LEAK_MS)),
            address.map(|b| b.ms_until(ADDRESS_FREE - 1.0, now, ADDRESS_LEAK_MS)),
        ];
        waits.into_iter().flatten().filter(|ms| *ms > 0).max()
    }

    fn change(&mut self, a: &Attempt, delta: f64, now: u64) {
        let new = || Bucket::empty(now);
        self.pairs.entry((a.account.clone(), a.address)).or_insert_with(new).add(delta, now, PAIR_LEAK_MS);
        self.addresses.entry(a.address).or_insert_with(new).add(delta, now, ADDRESS_LEAK_MS);
        self.accounts.entry(a.account.clone()).or_insert_with(new).add(delta, now, ACCOUNT_LEAK_MS);
    }

    fn bound(&mut self, now: u64) {
        bound(&mut self.pairs, MAX_RECORDS, now, PAIR_LEAK_MS);
        bound(&mut self.addresses, MAX_RECORDS, now, ADDRESS_LEAK_MS);
        bound(&mut self.accounts, MAX_RECORDS, now, ACCOUNT_LEAK_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: u64 = 1_000_000;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_spray_of_made_up_accounts_and_addresses_is_bounded() {
        let guard = LoginGuard::default();
        for i in 0..(3 * MAX_RECORDS as u32) {
            let from = IpAddr::V4(std::net::Ipv4Addr::from(0x0a00_0000 + i));
            let _ = guard.begin(&format!("user{i}@example.com"), from, T + i as u64);
        }
        assert!(guard.records() <= 3 * MAX_RECORDS, "{} records", guard.records());
    }

    #[test]
    fn failures_drain_with_time() {
        let guard = LoginGuard::default();
        for _ in 0..5 {
            assert!(guard.begin("a@b.co", ip("10.0.0.1"), T).is_ok());
        }
        assert_eq!(guard.begin("a@b.co", ip("10.0.0.1"), T).err(), Some(30));
        assert!(guard.begin("a@b.co", ip("10.0.0.1"), T + 30_000).is_ok(), "one more after one leak");
        // Long after, the bucket is empty and the records are dropped when space is needed.
        assert!(guard.begin("a@b.co", ip("10.0.0.1"), T + 3_600_000).is_ok());
    }

    #[test]
    fn an_ipv6_client_is_its_64_prefix() {
        assert_eq!(Address::from(ip("2001:db8::1")), Address::from(ip("2001:db8::ffff:1")));
        assert_ne!(Address::from(ip("2001:db8::1")), Address::from(ip("2001:db8:0:1::1")));
        assert_eq!(Address::from(ip("::ffff:10.0.0.1")), Address::from(ip("10.0.0.1")));
    }
}
