//! What happened lately: the integration's recent sync runs, and how many issues it has open
//! (with the way to Tools > Issues filtered to it).

use super::syncs::RunSummary;
use crate::api;
use crate::pages::load::{show, Loader, Words};
use leptos::prelude::*;
use sluice_contract::integrations::{IntegrationDetail, Provider, SyncRun};
use sluice_contract::Page as ListPage;

pub type Runs = Loader<Provider, ListPage<SyncRun>>;

/// Recent runs of every sync of `provider`, newest first.
pub fn runs_loader(provider: Provider) -> Runs {
    Loader::new(move || provider, |p, cancel| api::integrations::runs(p, 10, cancel))
}

#[component]
pub fn RecentRuns(runs: Runs, detail: Signal<IntegrationDetail>, now: Signal<f64>) -> impl IntoView {
    let name_of = move |sync: &str| {
        detail
            .with(|d| d.syncs.iter().find(|s| s.sync == sync).map(|s| s.name.clone()))
            .unwrap_or_else(|| sync.to_string())
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
                        <For each=move || page.get().items key=|r| format!("{}|{}|{}|{}", r.id, r.outcome.as_str(), r.records_read, r.duration_ms) let:r>
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

/// How many issues this integration has open in Tools > Issues, and the way there (filtered to
/// it). The count comes with the integration, so the page does not load the issues themselves.
#[component]
pub fn OpenIssues(d: Signal<IntegrationDetail>) -> impl IntoView {
    let provider = d.with_untracked(|d| d.summary.provider);
    let link = super::issues_link(provider.name());
    let count = move || d.with(|d| d.summary.open_issues);
    view! {
        <section class="section" aria-labelledby="issues-heading" data-testid="integration-issues">
            <h2 id="issues-heading">"Open issues"</h2>
            <p data-testid="open-issue-count">
                {move || match count() {
                    0 => format!("Nothing is wrong with {} right now.", provider.name()),
                    1 => format!("{} has 1 open issue.", provider.name()),
                    n => format!("{} has {n} open issues.", provider.name()),
                }}
                " "
                <a href=link data-testid="issues-link">"See them in Tools › Issues"</a>
            </p>
        </section>
    }
}
