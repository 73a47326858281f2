//! What an admin reads: the filtered list and one issue with its history.

use super::Issues;
use crate::error::{AppError, AppResult};
use crate::pagination::{check_limit, fetch_limit, page, Cursor};
use crate::state::AppState;
use crate::store::issues::{self as store, ListFilter, ListKey, StatusFilter};
use sluice_contract::error::FieldErrors;
use sluice_contract::issues::{Area, Issue, IssueDetail, IssueQuery, IssueStatus, Severity};
use sluice_contract::Page;

const MAX_Q_CHARS: usize = 200;

/// A checked list query.
pub struct ListRequest {
    pub filter: ListFilter,
    pub limit: u32,
    /// The previous page's last row.
    pub before: Option<ListKey>,
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
    let entity = q.entity.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    if entity.as_ref().is_some_and(|e| e.chars().count() > MAX_Q_CHARS) {
        errors.add("entity", format!("Name an entity in at most {MAX_Q_CHARS} characters."));
    }
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
    Ok(ListRequest { filter: ListFilter { status, area, severity, entity, q: text }, limit, before })
}

pub async fn list(state: &AppState, tenant_id: &str, query: &IssueQuery) -> AppResult<Page<Issue>> {
    let ListRequest { filter, limit, before } = parse_query(query)?;
    let tenant = tenant_id.to_string();
    let rows = state.store.call(move |c| store::list(c, &tenant, &filter, fetch_limit(limit), before)).await?;
    let mut page = page(rows, limit);
    let retry = &Issues::of(state).retry;
    page.items = page.items.into_iter().map(|i| retry.mark(i)).collect();
    Ok(page)
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
    Ok(IssueDetail { issue: Issues::of(state).retry.mark(issue), history })
}
