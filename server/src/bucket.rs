//! Leaky buckets keyed by who is counted (sign-in failures, unauthenticated requests).

use std::collections::HashMap;
use std::hash::Hash;

/// A leaky bucket: `level` failures, drained by one per `leak_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    level: f64,
    at: u64,
}

impl Bucket {
    pub fn empty(now: u64) -> Bucket {
        Bucket { level: 0.0, at: now }
    }

    pub fn level(&self, now: u64, leak_ms: u64) -> f64 {
        (self.level - now.saturating_sub(self.at) as f64 / leak_ms as f64).max(0.0)
    }

    pub fn add(&mut self, delta: f64, now: u64, leak_ms: u64) {
        self.level = (self.level(now, leak_ms) + delta).max(0.0);
        self.at = now;
    }

    /// Milliseconds until the level has drained to `target`.
    pub fn ms_until(&self, target: f64, now: u64, leak_ms: u64) -> u64 {
        ((self.level(now, leak_ms) - target).max(0.0) * leak_ms as f64).ceil() as u64
    }
}

/// Drops drained records once the map is full, then the emptiest half if it is still over half
/// full: a spray of made-up emails or addresses costs bounded memory, and the fullest buckets
/// (the attackers) are the ones kept.
pub fn bound<K: Eq + Hash>(map: &mut HashMap<K, Bucket>, max: usize, now: u64, leak_ms: u64) {
    if map.len() <= max {
        return;
    }
    map.retain(|_, b| b.level(now, leak_ms) > 0.0);
    // Down to half at least, so the next sweep is `max / 2` inserts away (amortised O(1)).
    if map.len() > max / 2 {
        let mut levels: Vec<f64> = map.values().map(|b| b.level(now, leak_ms)).collect();
        levels.sort_by(f64::total_cmp);
        let cut = levels[levels.len() / 2];
        map.retain(|_, b| b.level(now, leak_ms) > cut);
    }
}
