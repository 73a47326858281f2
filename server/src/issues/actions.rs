//! What an admin does with issues: list, read, acknowledge, dismiss, retry, in bulk.

use super::lifecycle::reload;
use crate::error::{AppError, AppResult};
use crate::pagination::{check_limit, Cursor};
use crate::state::{AppState, Notice};
use crate::store::issues::{self as store, ListFilter, StatusFilter};
use rusqlite::TransactionBehavior;
use sluice_contract::error::FieldErrors;
use sluice_contract::issues::{Area, Issue, IssueDetail, IssueQuery, IssueStatus, Severity};
use sluice_contract::Page;

const MAX_Q_CHARS: usize = 200;

/// A checked list query.
pub struct ListRequest {
    pub filter: ListFilter,
    pub limit: u32,
    /// (last_seen_at, id) of the previous page's last row.
    pub before: Option<(i64, String)>,
}

/// Checks every filter at once, so the admin sees all that is wrong in one answer.
pub fn parse_query(q: &IssueQuery) -> AppResult<ListRequest> {
    let mut errors = FieldErrors::new();
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("active") => StatusFilter::Active,
        Some("all") => StatusFilter::All,
        Some(s) => IssueStatus::parse(s).map(StatusFilter::One).unwrap_or_else(|| {
            errors.add("status", "Use one of: active, open, acknowledged, resolved, dismissed, all.");
            StatusFilter::Active
        }),
    };
    let area = q.area.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
        let area = Area::parse(s);
        if area.is_none() {
            let names: Vec<_> = Area::ALL.iter().map(|a| a.as_str()).collect();
            errors.add("area", format!("Use one of: {}.", names.join(", ")));
        }
        area
    });
    let severity = q.severity.as_deref().map(str::trim).filter(|s| !s.is_empty()).and_then(|s| {
        let severity = Severity::parse(s);
        if severity.is_none() {
            errors.add("severity", "Use one of: error, warning.");
        }
        severity
    });
    let text = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_Q_CHARS) {
        errors.add("q", format!("Search for at most {MAX_Q_CHARS} characters."));
    } else if text.as_ref().is_some_and(|t| t.chars().any(char::is_control)) {
        errors.add("q", "Search for text without control characters (such as NUL or a line break).");
    }
    let limit = check_limit(q.limit).unwrap_or_else(|e| {
        if let AppError::Validation(f) = e {
            f.0.into_iter().for_each(|(k, v)| errors.add(&k, v));
        }
        0
    });
    errors.into_result()?;
    let before = q.cursor.as_deref().filter(|c| !c.is_empty()).map(Cursor::decode).transpose()?;
    Ok(ListRequest { filter: ListFilter { status, area, severity, q: text }, limit, before })
}

pub async fn list(state: &AppState, tenant_id: &str, query: &IssueQuery) -> AppResult<Page<Issue>> {
    let ListRequest { filter, limit, before } = parse_query(query)?;
    let tenant = tenant_id.to_string();
    let mut items = state.store.call(move |c| store::list(c, &tenant, &filter, limit + 1, before)).await?;
    let next_cursor = if items.len() > limit as usize {
        items.truncate(limit as usize);
        items.last().map(|last| {
            let ts = crate::clock::parse_rfc3339(&last.last_seen_at).unwrap_or(0) as i64;
            Cursor::encode(&(ts, last.id.clone()))
        })
    } else {
        None
    };
    let items = items.into_iter().map(|i| state.retry.mark(i)).collect();
    Ok(Page { items, next_cursor })
}

/// One issue with its last occurrences; another tenant's issue is not found.
pub async fn detail(state: &AppState, tenant_id: &str, id: &str) -> AppResult<IssueDetail> {
    let (tenant, id) = (tenant_id.to_string(), id.to_string());
    let (issue, history) = state
        .store
        .call(move |c| {
            let issue = store::get(c, &tenant, &id)?.ok_or(AppError::NotFound("issue"))?;
            let history = store::history(c, &issue.id)?;
            Ok((issue, history))
        })
        .await?;
    Ok(IssueDetail { issue: state.retry.mark(issue), history })
}

pub(super) fn not_active(issue: &Issue, verb: &str) -> AppError {
    AppError::conflict(
        "issue_not_active",
        format!("This issue is already {}; only open or acknowledged issues can be {verb}.", issue.status.as_str()),
    )
}

/// Acknowledge or dismiss: one transaction, refused (409) unless the issue is still active.
async fn set_status(state: &AppState, tenant_id: &str, id: &str, actor: &str, to: IssueStatus) -> AppResult<Issue> {
    let (tenant, id, actor, now) = (tenant_id.to_string(), id.to_string(), actor.to_string(), state.now_ms());
    let (issue, changed) = state
        .store
        .call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let issue = store::get(&tx, &tenant, &id)?.ok_or(AppError::NotFound("issue"))?;
            if !issue.status.is_active() {
                return Err(not_active(
                    &issue,
                    if to == IssueStatus::Dismissed { "dismissed" } else { "acknowledged" },
                ));
            }
            if issue.status == to {
                return Ok((issue, false)); // acknowledging twice keeps the first acknowledgement
            }
            match to {
                IssueStatus::Dismissed => store::dismiss(&tx, &id, &actor, now)?,
                _ => store::acknowledge(&tx, &id, &actor, now)?,
            }
            let issue = reload(&tx, &tenant, &id, false)?;
            tx.commit()?;
            Ok((issue, true))
        })
        .await?;
    if changed {
        state.notify(Notice::IssuesChanged { tenant_id: tenant_id.to_string() });
    }
    Ok(state.retry.mark(issue))
}

pub async fn acknowledge(state: &AppState, tenant_id: &str, id: &str, actor: &str) -> AppResult<Issue> {
    set_status(state, tenant_id, id, actor, IssueStatus::Acknowledged).await
}

/// Dismissed issues leave the active list until they happen again.
pub async fn dismiss(state: &AppState, tenant_id: &str, id: &str, actor: &str) -> AppResult<Issue> {
    set_status(state, tenant_id, id, actor, IssueStatus::Dismissed).await
}
