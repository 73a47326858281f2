//! A run's staging: rows stream in (those that changed are staged, the SKUs of the others noted
//! as seen), and [`apply_run`] swaps them into `distributor_prices` in the caller's transaction
//! when the run succeeds.

use crate::error::AppError;
use rusqlite::{params, Connection};

/// One staged row of a run.
pub struct PriceRow {
    pub sku: String,
    pub mpn: Option<String>,
    pub description: Option<String>,
    /// Ten-thousandths of the currency unit.
    pub price: i64,
    pub currency: Option<String>,
    pub stock: Option<i64>,
}

/// One transaction per batch keeps the write lock short while memory stays flat. A row equal
/// to the distributor's stored one is only noted as seen (its SKU, appended to
/// `distributor_seen`) — unless this run already staged its SKU (the feed lists it twice): then
/// it replaces the staged row, so the feed's last row wins as if every row were staged. Any
/// other row is staged. Answers how many rows were staged.
pub fn stage(conn: &mut Connection, distributor_id: &str, run_id: &str, rows: &[PriceRow]) -> Result<usize, AppError> {
    let tx = conn.transaction()?;
    let mut staged = 0;
    {
        let mut seen = tx.prepare_cached(
            "INSERT INTO distributor_seen (run_id, sku) SELECT ?1, ?2
             WHERE EXISTS (SELECT 1 FROM distributor_prices p
                     WHERE p.distributor_id = ?8 AND p.sku = ?2 AND p.price = ?5 AND p.stock IS ?7
                       AND p.currency IS ?6 AND p.description IS ?4 AND p.mpn IS ?3)
               AND NOT EXISTS (SELECT 1 FROM distributor_staging s WHERE s.run_id = ?1 AND s.sku = ?2)",
        )?;
        let mut stage = tx.prepare_cached(
            "INSERT OR REPLACE INTO distributor_staging (run_id, sku, mpn, description, price, currency, stock)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for r in rows {
            let values = params![run_id, r.sku, r.mpn, r.description, r.price, r.currency, r.stock, distributor_id];
            if seen.execute(values)? == 0 {
                staged += stage.execute(&values[..7])?;
            }
        }
    }
    tx.commit()?;
    Ok(staged)
}

/// Forgets what a run staged and saw.
pub fn discard_staging(conn: &Connection, run_id: &str) -> Result<(), AppError> {
    conn.execute("DELETE FROM distributor_staging WHERE run_id = ?1", params![run_id])?;
    // Usually the table holds this run's rows alone: then emptying it whole is one cheap
    // truncation instead of a million row deletes.
    let others: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM distributor_seen WHERE run_id <> ?1)", params![run_id], |r| {
            r.get(0)
        })?;
    if others {
        conn.execute("DELETE FROM distributor_seen WHERE run_id = ?1", params![run_id])?;
    } else {
        conn.execute("DELETE FROM distributor_seen", [])?;
    }
    Ok(())
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Applied {
    pub added: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
}

/// A price that moved: (sku, old, new, currency).
pub type PriceChange = (String, i64, i64, Option<String>);

const DIFFERS: &str = "(p.price IS NOT s.price OR p.stock IS NOT s.stock OR p.currency IS NOT s.currency
    OR p.description IS NOT s.description OR p.mpn IS NOT s.mpn)";

/// Swaps a run's staged rows in: counts, the price changes, removals, then the upsert.
/// Runs inside the caller's transaction.
pub fn apply_run(
    conn: &Connection,
    tenant: &str,
    distributor_id: &str,
    run_id: &str,
    now: u64,
    mut on_change: impl FnMut(PriceChange) -> Result<(), AppError>,
) -> Result<Applied, AppError> {
    let added: i64 = conn.query_row(
        "SELECT count(*) FROM distributor_staging s WHERE s.run_id = ?1 AND NOT EXISTS
            (SELECT 1 FROM distributor_prices p WHERE p.distributor_id = ?2 AND p.sku = s.sku)",
        params![run_id, distributor_id],
        |r| r.get(0),
    )?;
    let mut changed = 0u64;
    {
        let mut stmt = conn.prepare(&format!(
            "SELECT s.sku, p.price, s.price, s.currency FROM distributor_staging s
             JOIN distributor_prices p ON p.distributor_id = ?2 AND p.sku = s.sku
             WHERE s.run_id = ?1 AND {DIFFERS}"
        ))?;
        let mut rows = stmt.query(params![run_id, distributor_id])?;
        while let Some(r) = rows.next()? {
            changed += 1;
            let (old, new): (i64, i64) = (r.get(1)?, r.get(2)?);
            if old != new {
                on_change((r.get(0)?, old, new, r.get(3)?))?;
            }
        }
    }
    // A stored SKU the run neither staged nor saw unchanged was dropped from the feed: one
    // set-based delete. Staging is probed through its key; the seen SKUs are read once into
    // SQLite's temporary lookup index, which spills to a temp file rather than growing memory.
    let stored: i64 =
        conn.query_row("SELECT count(*) FROM distributor_prices WHERE distributor_id = ?1", [distributor_id], |r| {
            r.get(0)
        })?;
    let removed = if stored == 0 {
        0
    } else {
        conn.execute(
            "DELETE FROM distributor_prices WHERE distributor_id = ?2
               AND NOT EXISTS (SELECT 1 FROM distributor_staging s
                     WHERE s.run_id = ?1 AND s.sku = distributor_prices.sku)
               AND sku NOT IN (SELECT sku FROM distributor_seen WHERE run_id = ?1)",
            params![run_id, distributor_id],
        )? as u64
    };
    conn.execute(
        &format!(
            "INSERT INTO distributor_prices AS p (distributor_id, tenant_id, sku, mpn, description, price, currency, stock, changed_at)
             SELECT ?2, ?3, sku, mpn, description, price, currency, stock, ?4 FROM distributor_staging s WHERE s.run_id = ?1 AND true
             ON CONFLICT (distributor_id, sku) DO UPDATE SET mpn = excluded.mpn, description = excluded.description,
                price = excluded.price, currency = excluded.currency, stock = excluded.stock, changed_at = excluded.changed_at
             WHERE {}",
            DIFFERS.replace("s.", "excluded.")
        ),
        params![run_id, distributor_id, tenant, now as i64],
    )?;
    discard_staging(conn, run_id)?;
    // Each stored SKU the feed still lists is either changed or unchanged.
    let unchanged = (stored as u64).saturating_sub(removed + changed);
    Ok(Applied { added: added as u64, changed, unchanged, removed })
}
