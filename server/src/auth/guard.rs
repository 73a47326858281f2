//! Brute-force protection for sign-in: per account and per client address, failures lock
//! sign-in for a growing time. Successful sign-in clears the account's count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Failures allowed before the first lock.
pub const FREE_FAILURES: u32 = 5;
/// Failures from one address within the window before it is locked.
pub const IP_FAILURES: u32 = 30;
const IP_WINDOW_MS: u64 = 10 * 60_000;
const BASE_LOCK_MS: u64 = 30_000;
const MAX_LOCK_MS: u64 = 15 * 60_000;

#[derive(Default)]
struct Record {
    failures: u32,
    locked_until: u64,
    window_start: u64,
}

#[derive(Default)]
pub struct LoginGuard {
    accounts: Mutex<HashMap<String, Record>>,
    addresses: Mutex<HashMap<IpAddr, Record>>,
}

impl LoginGuard {
    /// Seconds until this account or address may try again, if it is locked now.
    pub fn locked_for(&self, email: &str, ip: Option<IpAddr>, now: u64) -> Option<u64> {
        let account = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let until = account
            .get(&email.to_lowercase())
            .map(|r| r.locked_until)
            .into_iter()
            .chain(ip.and_then(|ip| addresses.get(&ip)).map(|r| r.locked_until))
            .max()
            .unwrap_or(0);
        (until > now).then(|| (until - now).div_ceil(1000))
    }

    pub fn failed(&self, email: &str, ip: Option<IpAddr>, now: u64) {
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let record = accounts.entry(email.to_lowercase()).or_default();
        record.failures += 1;
        if record.failures >= FREE_FAILURES {
            let exp = (record.failures - FREE_FAILURES).min(10);
            record.locked_until = now + (BASE_LOCK_MS << exp).min(MAX_LOCK_MS);
        }
        drop(accounts);
        if let Some(ip) = ip {
            let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
            let record = addresses.entry(ip).or_default();
            if now.saturating_sub(record.window_start) > IP_WINDOW_MS {
                *record = Record { window_start: now, ..Record::default() };
            }
            record.failures += 1;
            if record.failures >= IP_FAILURES {
                record.locked_until = now + IP_WINDOW_MS;
            }
        }
    }

    pub fn succeeded(&self, email: &str) {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner()).remove(&email.to_lowercase());
    }
}
