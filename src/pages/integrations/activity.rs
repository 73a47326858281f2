//! What happened lately: the integration's recent sync runs, and its open issues (with the
//! way to Tools > Issues filtered to it).

use super::syncs::RunSummary;
use crate::api;
use crate::pages::load::{show, Loader, Words};
use leptos::prelude::*;
use sluice_contract::integrations::{IntegrationDetail, Provider, SyncRun};
use sluice_contract::issues::{Issue, IssueQuery, Severity};
use sluice_contract::Page as ListPage;

pub type Runs = Loader<Provider, ListPage<SyncRun>>;
pub type Issues = Loader<Provider, ListPage<Issue>>;

/// Recent runs of every sync of `provider`, newest first.
pub fn runs_loader(provider: Provider) -> Runs {
    Loader::new(move || provider, |p, cancel| api::integrations::runs(p, 10, cancel))
}

/// The active issues of `provider` in Tools > Issues.
pub fn issues_loader(provider: Provider) -> Issues {
    Loader::new(
        move || provider,
        |p: Provider, _cancel| async move {
            let query = IssueQuery {
                area: Some("integrations".into()),
                q: Some(p.name().to_string()),
                limit: Some(20),
                ..Default::default()
            };
            api::issues::list(&query).await
        },
    )
}

#[component]
pub fn RecentRuns(runs: Runs, detail: Signal<IntegrationDetail>, now: Signal<f64>) -> impl IntoView {
    let name_of = move |sync: &str| {
        detail.with(|d| d.syncs.iter().find(|s| s.sync == sync).map(|s| s.name.clone())).unwrap_or_else(|| sync.to_string())
    };
    view! {
        <section class="section" aria-labelledby="runs-heading" data-testid="recent-runs">
            <h2 id="runs-heading">"Recent runs"</h2>
            {show(
                runs,
                Words { loading: "Loading recent runs…", failed: "The recent runs could not be loaded." },
                |p: &ListPage<SyncRun>| p.items.is_empty(),
                || view! { <p class="muted">"No sync has run yet."</p> }.into_any(),
                move |page| view! {
                    <ul class="runs">
                        <For each=move || page.get().items key=|r| format!("{r:?}") let:r>
                            <li data-testid="run-row">
                                <strong>{name_of(&r.sync)}</strong>": "
                                <RunSummary r now />
                            </li>
                        </For>
                    </ul>
                }.into_any(),
            )}
        </section>
    }
}

#[component]
pub fn OpenIssues(issues: Issues, provider: Provider) -> impl IntoView {
    let all = super::issues_link(provider.name());
    view! {
        <section class="section" aria-labelledby="issues-heading" data-testid="integration-issues">
            <h2 id="issues-heading">"Open issues"</h2>
            {show(
                issues,
                Words { loading: "Loading issues…", failed: "This integration's issues could not be loaded." },
                |p: &ListPage<Issue>| p.items.is_empty(),
                move || view! { <p class="muted" data-testid="no-issues">{format!("Nothing is wrong with {} right now.", provider.name())}</p> }.into_any(),
                move |page| view! {
                    <ul class="issue-list">
                        <For each=move || page.get().items key=|i| format!("{}|{}|{}", i.id, i.last_seen_at, i.message) let:i>
                            <li data-testid="integration-issue">
                                {match i.severity {
                                    Severity::Error => view! { <span class="badge badge-error">"Error"</span> },
                                    Severity::Warning => view! { <span class="badge badge-warn">"Warning"</span> },
                                }}" "
                                <strong>{i.title.clone()}</strong>
                                <div class="small">{i.message.clone()}</div>
                            </li>
                        </For>
                    </ul>
                }.into_any(),
            )}
            <p><a href=all data-testid="issues-link">"See them in Tools › Issues"</a></p>
        </section>
    }
}
