//! `--demo`: a demo tenant with an admin whose random password is kept in the data dir, so
//! every start can say how to log in.

use super::{create, NewTenant};
use crate::error::AppResult;
use crate::ids::random_password;
use crate::store::{tenants, Store};
use std::path::Path;

pub const DEMO_TENANT: &str = "Demo Co";
pub const DEMO_EMAIL: &str = "admin@demo.sluice.dev";
const LOGIN_FILE: &str = "demo-login.txt";

pub struct DemoLogin {
    pub email: String,
    pub password: String,
    pub tenant_id: String,
}

/// Seeds the demo tenant on first start; afterwards reads back its login.
pub fn ensure(store: &Store, data_dir: &Path, now: u64) -> AppResult<DemoLogin> {
    let file = data_dir.join(LOGIN_FILE);
    if let Some(tenant_id) = store.call_blocking(|c| tenants::tenant_by_name(c, DEMO_TENANT))? {
        let password = std::fs::read_to_string(&file)
            .ok()
            .and_then(|s| s.lines().find_map(|l| l.strip_prefix("password=").map(str::to_string)));
        return Ok(DemoLogin {
            email: DEMO_EMAIL.into(),
            password: password.unwrap_or_else(|| format!("(see {})", file.display())),
            tenant_id,
        });
    }
    let password = random_password(16);
    let created = create(
        store,
        &NewTenant { name: DEMO_TENANT.into(), admin_email: DEMO_EMAIL.into(), admin_password: password.clone() },
        now,
    )?;
    write_private(&file, &format!("email={DEMO_EMAIL}\npassword={password}\n"));
    Ok(DemoLogin { email: DEMO_EMAIL.into(), password, tenant_id: created.tenant_id })
}

/// The file holds a password: readable by the owner only.
fn write_private(path: &Path, contents: &str) {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path).and_then(|mut f| f.write_all(contents.as_bytes())) {
        Ok(()) => {}
        Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not save the demo login"),
    }
}
