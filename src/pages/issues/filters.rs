//! The list's filters: read from the URL, written back to it, so every view is a link.

use crate::pages::url_filters::{href, navigate_with, non_empty, UrlFilters};
use crate::routes::Page;
use leptos::prelude::*;
use sluice_contract::issues::{Area, IssueCounts, IssueQuery};

/// Status choices, as the server names them; `active` (open + acknowledged) is the default.
pub const STATUSES: [(&str, &str); 6] = [
    ("active", "Active (open and acknowledged)"),
    ("open", "Open"),
    ("acknowledged", "Acknowledged"),
    ("resolved", "Resolved"),
    ("dismissed", "Dismissed"),
    ("all", "All"),
];

/// Rows per request; a live refresh asks for as many as "Load more" has brought in.
pub const PAGE_SIZE: u32 = 50;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub status: Option<String>,
    pub area: Option<String>,
    pub severity: Option<String>,
    pub q: Option<String>,
}

impl UrlFilters for Filters {
    fn page() -> Page {
        Page::Issues
    }

    fn from_params(get: &dyn Fn(&str) -> Option<String>) -> Self {
        Filters { status: get("status"), area: get("area"), severity: get("severity"), q: get("q") }
    }

    fn params(&self) -> Vec<(&'static str, Option<String>)> {
        vec![
            ("status", self.status.clone().filter(|s| s != "active")),
            ("area", self.area.clone()),
            ("severity", self.severity.clone()),
            ("q", self.q.clone()),
        ]
    }
}

impl Filters {
    pub fn query(&self, cursor: Option<String>, limit: u32) -> IssueQuery {
        IssueQuery {
            status: self.status.clone(),
            area: self.area.clone(),
            severity: self.severity.clone(),
            entity: None,
            q: self.q.clone(),
            limit: Some(limit),
            cursor,
        }
    }
}

/// Area tabs with their active counts ("Webhooks 3"); `All` clears the area.
#[component]
pub fn AreaTabs(filters: Memo<Filters>, #[prop(into)] counts: Signal<Option<IssueCounts>>) -> impl IntoView {
    let tab = move |area: Option<Area>| {
        let key = area.map(|a| a.as_str()).unwrap_or("all");
        let label = area.map(|a| a.label()).unwrap_or("All");
        let count = move || {
            counts.with(|c| {
                c.as_ref().map(|c| match area {
                    Some(a) => c.by_area.get(a.as_str()).copied().unwrap_or(0),
                    None => c.active,
                })
            })
        };
        let selected = move || filters.with(|f| f.area.as_deref() == area.map(|a| a.as_str()));
        let link = move || {
            let mut f = filters.get();
            f.area = area.map(|a| a.as_str().to_string());
            href(&f)
        };
        view! {
            <a
                class="tab"
                href=link
                aria-current=move || selected().then_some("page")
                data-testid=format!("area-tab-{key}")
            >
                {label}
                {move || count().map(|n| view! { <span class="count" class:count-active={n > 0} title="active issues">{n}</span> })}
            </a>
        }
    };
    view! {
        <nav class="tabs" aria-label="Areas">
            {tab(None)}
            {Area::ALL.into_iter().map(|a| tab(Some(a))).collect_view()}
        </nav>
    }
}

/// Status, severity and text search. Each change is a navigation, so Back undoes it.
#[component]
pub fn FilterBar(filters: Memo<Filters>) -> impl IntoView {
    let text = RwSignal::new(filters.get_untracked().q.unwrap_or_default());
    // Follow the URL when it changes by Back/Forward or a link.
    Effect::new(move |_| {
        let q = filters.with(|f| f.q.clone().unwrap_or_default());
        text.set(q);
    });
    let on_status = move |ev| {
        let value = event_target_value(&ev);
        navigate_with(filters, |f| f.status = non_empty(value).filter(|s| s != "active"));
    };
    let on_severity = move |ev| {
        let value = event_target_value(&ev);
        navigate_with(filters, |f| f.severity = non_empty(value));
    };
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = text.get_untracked();
        navigate_with(filters, |f| f.q = non_empty(value));
    };
    let status = move || filters.with(|f| f.status.clone().unwrap_or_else(|| "active".into()));
    let severity = move || filters.with(|f| f.severity.clone().unwrap_or_default());
    view! {
        <form class="filter-bar" role="search" on:submit=on_search>
            <label class="filter">
                <span>"Status"</span>
                <select data-testid="filter-status" prop:value=status on:change=on_status>
                    {STATUSES
                        .iter()
                        .map(|(value, label)| view! { <option value=*value selected=move || status() == *value>{*label}</option> })
                        .collect_view()}
                </select>
            </label>
            <label class="filter">
                <span>"Severity"</span>
                <select data-testid="filter-severity" prop:value=severity on:change=on_severity>
                    <option value="" selected=move || severity().is_empty()>"Any"</option>
                    <option value="error" selected=move || severity() == "error">"Error"</option>
                    <option value="warning" selected=move || severity() == "warning">"Warning"</option>
                </select>
            </label>
            <label class="filter filter-search">
                <span>"Search"</span>
                <input
                    type="search"
                    data-testid="filter-q"
                    placeholder="Title, message or name — Enter to search"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" class="button">"Search"</button>
        </form>
    }
}
