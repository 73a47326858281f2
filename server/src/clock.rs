//! Time is passed in, so tests are exact without sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

pub trait Clock: Send + Sync + 'static {
    /// Unix milliseconds.
    fn now_ms(&self) -> u64;
}

pub type SharedClock = Arc<dyn Clock>;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
    }
}

/// The system clock shifted by a fixed number of milliseconds, for end-to-end journeys that
/// need the past ("the last sync ran two hours ago": run the server shifted back, then restart
/// it unshifted on the same data dir). Read from `SLUICE_CLOCK_OFFSET_MS` at start; never set
/// in production.
pub struct OffsetClock(pub i64);

impl Clock for OffsetClock {
    fn now_ms(&self) -> u64 {
        (SystemClock.now_ms() as i64).saturating_add(self.0).max(0) as u64
    }
}

/// The server's clock: the system's, or shifted by `SLUICE_CLOCK_OFFSET_MS` when that is set.
pub fn from_env() -> SharedClock {
    match std::env::var("SLUICE_CLOCK_OFFSET_MS").ok().and_then(|v| v.trim().parse::<i64>().ok()) {
        Some(offset) if offset != 0 => {
            tracing::warn!(offset_ms = offset, "the clock is shifted by SLUICE_CLOCK_OFFSET_MS (tests only)");
            Arc::new(OffsetClock(offset))
        }
        _ => Arc::new(SystemClock),
    }
}

/// A clock tests move by hand.
#[derive(Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    pub fn new(start_ms: u64) -> Arc<Self> {
        Arc::new(ManualClock(AtomicU64::new(start_ms)))
    }

    pub fn advance_ms(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }

    pub fn set_ms(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// RFC 3339 in UTC with milliseconds, the form every timestamp takes on the wire.
pub fn rfc3339(unix_ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"))
        .unwrap_or_default()
}

/// Parses the wire form back (tests and cursors).
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let t = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_round_trips() {
        let ms = 1_764_000_000_123;
        assert_eq!(super::rfc3339(ms), "2025-11-24T16:00:00.123Z");
        assert_eq!(super::parse_rfc3339(&super::rfc3339(ms)), Some(ms));
    }
}
