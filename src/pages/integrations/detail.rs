//! `/integrations/{provider}`: one integration, as three pages under one header — the
//! overview (status, enable/disable, Test connection, usage against the provider's limit), the
//! credentials, and the syncs with their recent runs. Each is a lazy chunk of its own, so a
//! first load carries one of them; the header and the open issues are on all three.

use super::activity::{pause_top_caller, review_syncs, OpenIssues, RecentRuns, UsageFix};
use super::credentials::CredentialForm;
use super::steps::test_steps;
use super::syncs::SyncTable;
use super::usage::{hourly_pace, reset_text, HourlyCalls, UsageBar};
use super::{iso, ticking_now, watch, IntegrationLoader, StatusBadge};
use crate::api;
use crate::components::{ConfirmDialog, RelativeTime};
use crate::pages::load::{show, updating, Loader, Words};
use crate::pages::submit::{form_error, Submit};
use crate::routes::Page;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;
use sluice_contract::integrations::{IntegrationDetail, IntegrationSummary, Provider};

/// Which of the integration's pages is open.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Credentials,
    Syncs,
}

impl Tab {
    fn page(self, provider: Provider) -> Page {
        match self {
            Tab::Overview => Page::Integration(provider),
            Tab::Credentials => Page::IntegrationCredentials(provider),
            Tab::Syncs => Page::IntegrationSyncs(provider),
        }
    }
}

/// What every tab's body is given: the integration as loaded, and the page's clock.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub d: Signal<IntegrationDetail>,
    pub loader: IntegrationLoader,
    pub now: Signal<f64>,
}

#[component]
pub fn IntegrationPage(provider: Provider) -> impl IntoView {
    // Issues raised before the tabs link to `?focus=credentials` / `?focus=syncs`.
    let focus = use_query_map().with_untracked(|q| q.get("focus")).unwrap_or_default();
    let tab = match focus.as_str() {
        "credentials" => Some(Tab::Credentials),
        "syncs" => Some(Tab::Syncs),
        _ => None,
    };
    let body = |c: Ctx| {
        view! {
            <Overview d=c.d loader=c.loader now=c.now />
            <Usage d=c.d now=c.now chart=Some(hourly_chart) />
        }
        .into_any()
    };
    match tab {
        Some(tab) => view! { <Redirect path=tab.page(provider).path() /> }.into_any(),
        None => view! { <Integration provider tab=Tab::Overview body usage_fix=review_syncs /> }.into_any(),
    }
}

#[component]
pub fn CredentialsPage(provider: Provider) -> impl IntoView {
    let body = |c: Ctx| {
        let loader = c.loader;
        view! { <CredentialForm detail=c.d on_saved=Callback::new(move |_| loader.refresh()) /> }.into_any()
    };
    view! { <Integration provider tab=Tab::Credentials body usage_fix=review_syncs /> }
}

#[component]
pub fn SyncsPage(provider: Provider) -> impl IntoView {
    let body = |c: Ctx| {
        view! {
            <Usage d=c.d now=c.now chart=None />
            <SyncTable detail=c.d loader=c.loader now=c.now />
            <RecentRuns detail=c.d now=c.now />
        }
        .into_any()
    };
    // A usage issue's fix pauses its top caller right here, where the table shows it paused.
    view! { <Integration provider tab=Tab::Syncs body usage_fix=pause_top_caller /> }
}

/// The header (name, status, the tabs), the open issues, and `body` once the integration has
/// loaded.
#[component]
fn Integration(provider: Provider, tab: Tab, body: fn(Ctx) -> AnyView, usage_fix: UsageFix) -> impl IntoView {
    let detail: IntegrationLoader = Loader::new(move || provider, api::integrations::get);
    watch(move |changed| {
        if changed.provider.is_some_and(|p| p != provider) {
            return;
        }
        let Some(run) = changed.run else { return detail.refresh() };
        // A run's progress carries its counts: the run on screen moves on in place, with no
        // request. A run this page has not seen started meanwhile: the syncs page looks again.
        let mut seen = false;
        detail.update(|d| {
            if let Some(r) = d.recent_runs.iter_mut().find(|r| r.id == run) {
                (r.records_read, r.calls, r.duration_ms) = (changed.records_read, changed.calls, changed.duration_ms);
                seen = true;
            }
        });
        if !seen && tab == Tab::Syncs {
            detail.refresh();
        }
    });
    let now = ticking_now();
    let tabs = [
        (Tab::Overview, "Overview", "tab-overview"),
        (Tab::Credentials, "Credentials", "tab-credentials"),
        (Tab::Syncs, "Syncs", "tab-syncs"),
    ];
    view! {
        <div class="page-head" data-testid="integration-page" data-provider=provider.as_str()>
            <p class="breadcrumb"><a href=Page::Integrations.path()>"Admin › Integrations"</a></p>
            <h1>
                {provider.name()}" "
                <span data-testid="integration-status">
                    {move || detail.data.with(|d| d.as_ref().map(|d| (d.summary.status, d.summary.status_label.clone())))
                        .map(|(status, label)| view! { <StatusBadge status label /> })}
                </span>
                {updating(detail)}
            </h1>
            <nav class="tabs" aria-label=format!("{} pages", provider.name())>
                {tabs.into_iter().map(|(t, label, testid)| view! {
                    <a href=t.page(provider).path() class="tab" aria-current=(t == tab).then_some("page") data-testid=testid>{label}</a>
                }).collect_view()}
            </nav>
        </div>
        {show(
            detail,
            Words { loading: "Loading the integration…", failed: "The integration could not be loaded." },
            |_| false,
            || ().into_any(),
            move |d| {
                let ctx = Ctx { d, loader: detail, now };
                view! {
                    <OpenIssues d now usage_fix />
                    {body(ctx)}
                }.into_any()
            },
        )}
    }
}

/// Status, last call and error, Enabled, Test connection — and the help that matters here.
#[component]
fn Overview(d: Signal<IntegrationDetail>, loader: IntegrationLoader, now: Signal<f64>) -> impl IntoView {
    let provider = d.with_untracked(|d| d.summary.provider);
    let test = Submit::new(move |(), _key| async move { api::integrations::test(provider).await });
    Effect::new(move |_| {
        if test.done().with(Option::is_some) {
            loader.refresh();
        }
    });
    let help = d.with_untracked(|d| d.help.clone());
    let summary = move || d.with(|d| d.summary.clone());
    view! {
        <section class="section integration-overview" aria-labelledby="status-heading" data-testid="integration-overview">
            <h2 id="status-heading" class="visually-hidden">"Status"</h2>
            <div class="status-row">
                // The status badge is in the header, on every tab.
                <span class="muted">{move || summary().category.as_str()}</span>
                <EnabledSwitch d loader />
            </div>
            <dl class="facts">
                <dt>"Last successful call"</dt>
                <dd data-testid="last-success">
                    {move || match summary().last_success_at {
                        Some(at) => view! { <RelativeTime at=iso(at) now /> }.into_any(),
                        None => "never".into_any(),
                    }}
                </dd>
                <dt>"Last error"</dt>
                <dd data-testid="last-error">
                    {move || match (summary().last_error, summary().last_error_at) {
                        (Some(e), at) => view! { <span class="danger-text">{e}</span>" "{at.map(|at| view! { <RelativeTime at=iso(at) now /> })} }.into_any(),
                        (None, _) => "none".into_any(),
                    }}
                </dd>
            </dl>
            <div class="actions">
                <button type="button" class="button" data-testid="test-connection" disabled=move || test.pending().get() on:click=move |_| test.dispatch(())>
                    {move || if test.pending().get() { "Testing…" } else { "Test connection" }}
                </button>
            </div>
            {form_error(test.error())}
            {move || test.done().get().map(|t| test_steps(t, "Connection test"))}
            {(!help.is_empty()).then(|| view! {
                <aside class="guidance" aria-label="Good to know" data-testid="integration-help">
                    <ul>{help.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}</ul>
                </aside>
            })}
        </section>
    }
}

/// On and off; turning it off asks first, because every sync stops.
#[component]
fn EnabledSwitch(d: Signal<IntegrationDetail>, loader: IntegrationLoader) -> impl IntoView {
    let provider = d.with_untracked(|d| d.summary.provider);
    let save =
        Submit::new(
            move |enabled: bool, key| async move { api::integrations::set_enabled(provider, enabled, &key).await },
        );
    let asking = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(summary) = save.done().get() {
            asking.set(false);
            loader.update(|d| d.summary = summary);
            loader.refresh();
        }
    });
    let enabled = move || d.with(|d| d.summary.enabled);
    let toggle = move |_| {
        if enabled() {
            asking.set(true);
        } else {
            save.dispatch(true);
        }
    };
    view! {
        <button
            type="button"
            role="switch"
            class="switch"
            aria-checked=move || enabled().to_string()
            aria-busy=move || save.pending().get().to_string()
            disabled=move || save.pending().get()
            data-testid="integration-switch"
            on:click=toggle
        >
            <span class="switch-knob" aria-hidden="true"></span>
            <span class="switch-label">"Enabled"</span>
        </button>
        {move || (!asking.get()).then(|| form_error(save.error()))}
        {move || asking.get().then(|| disable_dialog(provider, save, Callback::new(move |_| asking.set(false))))}
    }
}

crate::pages::part::lazy_part! {
    /// Fetched when the admin turns the integration off: most visits never do.
    fn disable_dialog(provider: Provider, save: Submit<bool, IntegrationSummary>, on_close: Callback<()>) in integration_disable {
        view! {
            <ConfirmDialog
                title=format!("Disable {}?", provider.name())
                testid="disable-dialog"
                confirm_label="Disable"
                pending_label="Disabling…"
                confirm_testid="confirm-disable"
                pending=save.pending()
                error=save.error()
                on_confirm=Callback::new(move |_| save.dispatch(false))
                on_close
            >
                <p>{format!("Every {} sync stops and Sluice makes no calls to it until you enable it again. The credentials are kept.", provider.name())}</p>
            </ConfirmDialog>
        }
    }
}

/// A part of the usage section drawn by the tab that shows it.
type Chart = fn(Signal<IntegrationDetail>, Signal<f64>) -> AnyView;

/// The meter against the provider's limit, when its count starts over, the top caller, and
/// calls per hour over the last week.
#[component]
fn Usage(
    d: Signal<IntegrationDetail>,
    now: Signal<f64>,
    /// Calls per hour over the last week (the overview: [`hourly_chart`]); the syncs tab shows
    /// the meter only. A function passed in, so that only the overview's chunk carries the chart.
    chart: Option<Chart>,
) -> impl IntoView {
    let provider = d.with_untracked(|d| d.summary.provider);
    view! {
        <section class="section" aria-labelledby="usage-heading" data-testid="integration-usage">
            <h2 id="usage-heading">"Usage of the provider's limit"</h2>
            {move || match d.with(|d| d.summary.usage.clone()) {
                Some(usage) => {
                    let reset = reset_text(provider, &usage, now.get());
                    view! {
                        <UsageBar usage />
                        <p class="small" data-testid="usage-reset">{reset}</p>
                    }.into_any()
                }
                None => view! { <p class="muted" data-testid="usage-unknown">{format!("{}'s limit and usage appear once the integration is connected.", provider.name())}</p> }.into_any(),
            }}
            {move || d.with(|d| d.top_caller.clone()).map(|name| view! {
                <p data-testid="top-caller">"Top caller in this window: "<strong>{name}</strong></p>
            })}
            {chart.map(|chart| chart(d, now))}
        </section>
    }
}

/// Sluice's calls per hour over the last week, against the pace of the provider's limit.
fn hourly_chart(d: Signal<IntegrationDetail>, now: Signal<f64>) -> AnyView {
    (move || {
        let (hours, pace) = d.with(|d| (d.hourly_calls.clone(), d.summary.usage.as_ref().map(hourly_pace)));
        view! { <HourlyCalls hours pace now_ms=now.get_untracked() /> }
    })
    .into_any()
}
