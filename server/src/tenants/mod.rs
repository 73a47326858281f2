//! Provisioning: a tenant with its admin and a first API key (CLI, tests), and the demo tenant.

pub mod demo;

use crate::api_keys;
use crate::auth::password;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use crate::store::{tenants, Store};
use sluice_contract::api_keys::CreateApiKey;
use sluice_contract::error::FieldErrors;
use sluice_contract::session::looks_like_email;

#[derive(Debug, Clone)]
pub struct NewTenant {
    pub name: String,
    pub admin_email: String,
    pub admin_password: String,
}

#[derive(Debug, Clone)]
pub struct CreatedTenant {
    pub tenant_id: String,
    pub user_id: String,
    pub api_key: String,
}

impl NewTenant {
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.name.trim().is_empty() {
            errors.add("name", "Give the tenant a name.");
        }
        if !looks_like_email(self.admin_email.trim()) {
            errors.add("adminEmail", "Enter an email address like admin@example.com.");
        }
        if self.admin_password.chars().count() < password::MIN_PASSWORD_LEN {
            errors.add("password", format!("Use at least {} characters.", password::MIN_PASSWORD_LEN));
        }
        errors.into_result()
    }
}

/// Creates the tenant, its admin user and an API key named "provisioning". Blocking (argon2).
pub fn create(store: &Store, new: &NewTenant, now: u64) -> AppResult<CreatedTenant> {
    new.validate()?;
    let hash = password::hash(&new.admin_password).map_err(AppError::internal)?;
    let (tenant_id, user_id) = (new_id("ten"), new_id("usr"));
    store.call_blocking(|c| {
        let tx = c.transaction()?;
        tenants::insert_tenant(&tx, &tenant_id, new.name.trim(), now)?;
        tenants::insert_user(&tx, &user_id, &tenant_id, new.admin_email.trim(), &hash, now)?;
        tx.commit()?;
        Ok(())
    })?;
    let key = api_keys::create_blocking(store, &tenant_id, &CreateApiKey { name: "provisioning".into() }, now)?;
    Ok(CreatedTenant { tenant_id, user_id, api_key: key.secret })
}
