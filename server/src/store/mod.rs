//! Storage: one SQLite file in the data dir, WAL mode, migrations at start-up.
//!
//! All SQL lives in this module's files, one per area, as plain functions over a `Connection`.
//! Handlers reach it through [`Store::call`], which runs the closure on the blocking pool.

pub mod api_keys;
pub mod credentials;
pub mod distributors;
pub mod events;
pub mod idempotency;
pub mod integrations;
pub mod issues;
mod migrations;
pub mod sessions;
pub mod tenants;
pub mod usage;
pub mod webhooks;

use crate::error::AppError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (creating if needed) `sluice.db` in `data_dir` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store, String> {
        std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create data dir {}: {e}", data_dir.display()))?;
        let path = data_dir.join("sluice.db");
        let mut conn = Connection::open(&path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| e.to_string())?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(|e| e.to_string())?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(|e| e.to_string())?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(|e| e.to_string())?;
        migrations::run(&mut conn).map_err(|e| format!("migrating {}: {e}", path.display()))?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub async fn call<R, F>(&self, f: F) -> Result<R, AppError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, AppError> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(AppError::internal)?
    }

    /// The same, for code that already runs off the async runtime (CLI, benches).
    pub fn call_blocking<R>(&self, f: impl FnOnce(&mut Connection) -> Result<R, AppError>) -> Result<R, AppError> {
        let mut guard = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    }
}
