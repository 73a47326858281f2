//! The connection form: where the feed is, how to read it, which column is which — with
//! Test connection showing the first rows as they would be mapped.

use crate::api;
use crate::components::TextField;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::distributors::{
    ColumnMapping, ConnectionTest, CsvOptions, Distributor, DistributorInput, FeedFormat, FeedKind,
};

/// The form's fields, one signal each.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    kind: RwSignal<String>,
    url: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    path: RwSignal<String>,
    format: RwSignal<String>,
    delimiter: RwSignal<String>,
    header: RwSignal<bool>,
    decimal_comma: RwSignal<bool>,
    encoding: RwSignal<String>,
    records_path: RwSignal<String>,
    sku: RwSignal<String>,
    mpn: RwSignal<String>,
    description: RwSignal<String>,
    cost_price: RwSignal<String>,
    currency: RwSignal<String>,
    stock: RwSignal<String>,
    priority: RwSignal<String>,
    cadence: RwSignal<String>,
    stale: RwSignal<String>,
    ignore_days: RwSignal<String>,
    max_rejected: RwSignal<String>,
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

impl Fields {
    fn new(d: Option<&Distributor>) -> Fields {
        let s = |v: String| RwSignal::new(v);
        let csv = d.map(|d| d.csv.clone()).unwrap_or_default();
        let m = d.map(|d| d.mapping.clone()).unwrap_or_default();
        Fields {
            name: s(d.map(|d| d.name.clone()).unwrap_or_default()),
            kind: s(d.map(|d| d.kind.as_str().to_string()).unwrap_or_else(|| "http".into())),
            url: s(d.map(|d| text(&d.url)).unwrap_or_default()),
            host: s(d.map(|d| text(&d.host)).unwrap_or_default()),
            port: s(d.and_then(|d| d.port).map(|p| p.to_string()).unwrap_or_else(|| "21".into())),
            username: s(d.map(|d| text(&d.username)).unwrap_or_default()),
            password: s(String::new()),
            path: s(d.map(|d| text(&d.path)).unwrap_or_default()),
            format: s(if d.is_some_and(|d| d.format == FeedFormat::Json) { "json".into() } else { "csv".into() }),
            delimiter: s(if csv.delimiter == "\t" { "\\t".into() } else { csv.delimiter }),
            header: RwSignal::new(csv.header),
            decimal_comma: RwSignal::new(csv.decimal_comma),
            encoding: s(csv.encoding),
            records_path: s(d.map(|d| text(&d.records_path)).unwrap_or_default()),
            sku: s(m.sku),
            mpn: s(text(&m.mpn)),
            description: s(text(&m.description)),
            cost_price: s(m.cost_price),
            currency: s(text(&m.currency)),
            stock: s(text(&m.stock)),
            priority: s(d.map(|d| d.priority).unwrap_or(1).to_string()),
            cadence: s(d.map(|d| d.cadence_minutes).unwrap_or(60).to_string()),
            stale: s(d.map(|d| d.stale_after_hours).unwrap_or(26).to_string()),
            ignore_days: s(d.and_then(|d| d.ignore_older_than_days).map(|v| v.to_string()).unwrap_or_default()),
            max_rejected: s(d.map(|d| d.max_rejected_percent).unwrap_or(5).to_string()),
        }
    }

    fn input(&self) -> DistributorInput {
        let opt = |s: RwSignal<String>| Some(s.get_untracked().trim().to_string()).filter(|v| !v.is_empty());
        let num = |s: RwSignal<String>| s.get_untracked().trim().parse::<u32>().unwrap_or(0);
        let kind = FeedKind::parse(&self.kind.get_untracked()).unwrap_or_default();
        DistributorInput {
            name: self.name.get_untracked().trim().to_string(),
            kind,
            url: opt(self.url).filter(|_| kind == FeedKind::Http),
            host: opt(self.host).filter(|_| kind == FeedKind::Ftp),
            port: opt(self.port).and_then(|p| p.parse().ok()).filter(|_| kind == FeedKind::Ftp),
            username: opt(self.username).filter(|_| kind == FeedKind::Ftp),
            password: opt(self.password).filter(|_| kind == FeedKind::Ftp),
            path: opt(self.path).filter(|_| kind == FeedKind::Ftp),
            format: if self.format.get_untracked() == "json" { FeedFormat::Json } else { FeedFormat::Csv },
            csv: CsvOptions {
                delimiter: self.delimiter.get_untracked(),
                header: self.header.get_untracked(),
                decimal_comma: self.decimal_comma.get_untracked(),
                encoding: self.encoding.get_untracked(),
            },
            records_path: opt(self.records_path),
            mapping: ColumnMapping {
                sku: self.sku.get_untracked().trim().to_string(),
                mpn: opt(self.mpn),
                description: opt(self.description),
                cost_price: self.cost_price.get_untracked().trim().to_string(),
                currency: opt(self.currency),
                stock: opt(self.stock),
            },
            priority: num(self.priority),
            cadence_minutes: num(self.cadence),
            stale_after_hours: num(self.stale),
            ignore_older_than_days: opt(self.ignore_days).and_then(|v| v.parse().ok()),
            max_rejected_percent: num(self.max_rejected),
        }
    }
}

crate::pages::part::lazy_part! {
    /// The connection form, fetched when the admin adds or edits a distributor.
    pub fn distributor_form(existing: Option<Distributor>, on_saved: Callback<Distributor>, on_cancel: Callback<()>) in distributor_form {
        view! { <DistributorForm existing on_saved on_cancel /> }
    }
}

/// Add or edit a connection.
#[component]
pub fn DistributorForm(
    /// The connection being edited; none to add one.
    existing: Option<Distributor>,
    /// Called with the saved connection.
    on_saved: Callback<Distributor>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let f = Fields::new(existing.as_ref());
    let id = existing.as_ref().map(|d| d.id.clone());
    let password_note = existing.as_ref().and_then(|d| d.password_set_at.clone());
    let errors = RwSignal::new(std::collections::BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let testing = RwSignal::new(false);
    let test = RwSignal::new(None::<ConnectionTest>);
    let action_key = StoredValue::new(api::idempotency_key());
    let err = move |field: &'static str| Signal::derive(move || errors.with(|e| e.get(field).cloned()));

    let has_password = password_note.is_some();
    let check = move |input: &DistributorInput| match input.validate(has_password) {
        Ok(()) => {
            errors.set(Default::default());
            true
        }
        Err(e) => {
            errors.set(e.0);
            false
        }
    };
    let id_for_test = id.clone();
    let run_test = move |_| {
        let input = f.input();
        if !check(&input) {
            return;
        }
        testing.set(true);
        test.set(None);
        let existing = id_for_test.clone();
        spawn_local(async move {
            let result = api::distributors::test(&input, existing.as_deref()).await;
            testing.try_set(false);
            match result {
                Ok(t) => drop(test.try_set(Some(t))),
                Err(e) => {
                    errors.try_set(field_errors(&e));
                    test.try_set(Some(ConnectionTest {
                        ok: false,
                        error: Some(e.user_message()),
                        columns: vec![],
                        rows: vec![],
                    }));
                }
            }
        });
    };
    let id_for_save = id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = f.input();
        if pending.get_untracked() || !check(&input) {
            return;
        }
        pending.set(true);
        failure.set(None);
        let id = id_for_save.clone();
        spawn_local(async move {
            let key = action_key.get_value();
            let result = match &id {
                Some(id) => api::distributors::update(id, &input, &key).await,
                None => api::distributors::create(&input, &key).await,
            };
            pending.try_set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(e) => {
                    errors.try_set(field_errors(&e));
                    failure.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let is_ftp = move || f.kind.get() == "ftp";
    let is_csv = move || f.format.get() == "csv";
    let cols_hint = move || {
        if is_csv() && !f.header.get() {
            "Column numbers, 1 is the first."
        } else {
            "Column names as in the file."
        }
    };

    view! {
        <form class="section distributor-form" on:submit=on_submit novalidate data-testid="distributor-form" aria-label="Distributor connection">
            <TextField id="name" label="Name" value=f.name error=err("name") />
            <fieldset>
                <legend>"Connection"</legend>
                <div class="field">
                    <label for="kind">"Kind"</label>
                    <select id="kind" data-testid="field-kind" prop:value=move || f.kind.get() on:change=move |ev| f.kind.set(event_target_value(&ev))>
                        <option value="http">"HTTP(S) file or API"</option>
                        <option value="ftp">"FTP server"</option>
                    </select>
                </div>
                <Show when=move || !is_ftp()>
                    <TextField id="url" label="URL" value=f.url error=err("url") />
                </Show>
                <Show when=is_ftp>
                    <TextField id="host" label="Host" value=f.host error=err("host") />
                    <TextField id="port" label="Port" value=f.port error=err("port") />
                    <TextField id="username" label="User" value=f.username error=err("username") autocomplete="off" />
                    <TextField id="password" label="Password" input_type="password" value=f.password error=err("password") autocomplete="new-password" />
                    {password_note.clone().map(|at| view! { <p class="muted small" data-testid="password-set">{format!("Password set on {} — leave empty to keep it.", crate::components::short_time(&at))}</p> })}
                    <TextField id="path" label="Path" value=f.path error=err("path") />
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Format"</legend>
                <div class="field">
                    <label for="format">"Format"</label>
                    <select id="format" data-testid="field-format" prop:value=move || f.format.get() on:change=move |ev| f.format.set(event_target_value(&ev))>
                        <option value="csv">"CSV / delimited text"</option>
                        <option value="json">"JSON"</option>
                    </select>
                </div>
                <Show when=is_csv fallback=move || view! { <TextField id="records-path" label="Records path (e.g. data.items)" value=f.records_path error=err("recordsPath") /> }>
                    <TextField id="delimiter" label="Separator (\\t for tab)" value=f.delimiter error=err("csv.delimiter") />
                    <TextField id="encoding" label="Encoding" value=f.encoding error=err("csv.encoding") />
                    <label class="check"><input type="checkbox" data-testid="field-header" prop:checked=move || f.header.get() on:change=move |ev| f.header.set(event_target_checked(&ev)) />" First line is a header"</label>
                    <label class="check"><input type="checkbox" data-testid="field-decimal-comma" prop:checked=move || f.decimal_comma.get() on:change=move |ev| f.decimal_comma.set(event_target_checked(&ev)) />" Decimal comma (1.000,99)"</label>
                </Show>
            </fieldset>
            <fieldset>
                <legend>"Columns"</legend>
                <p class="muted small">{cols_hint}</p>
                <TextField id="map-sku" label="SKU" value=f.sku error=err("mapping.sku") />
                <TextField id="map-mpn" label="Manufacturer part number" value=f.mpn error=err("mapping.mpn") />
                <TextField id="map-description" label="Description" value=f.description error=err("mapping.description") />
                <TextField id="map-cost-price" label="Cost price" value=f.cost_price error=err("mapping.costPrice") />
                <TextField id="map-currency" label="Currency" value=f.currency error=err("mapping.currency") />
                <TextField id="map-stock" label="Stock" value=f.stock error=err("mapping.stock") />
            </fieldset>
            <fieldset>
                <legend>"Schedule and freshness"</legend>
                <TextField id="priority" label="Priority (1 wins)" value=f.priority error=err("priority") />
                <TextField id="cadence" label="Sync every (minutes)" value=f.cadence error=err("cadenceMinutes") />
                <TextField id="stale" label="Stale after (hours)" value=f.stale error=err("staleAfterHours") />
                <TextField id="ignore-days" label="Ignore prices older than (days)" value=f.ignore_days error=err("ignoreOlderThanDays") />
                <TextField id="max-rejected" label="Fail a run above this % of bad rows" value=f.max_rejected error=err("maxRejectedPercent") />
            </fieldset>
            <div class="actions">
                <button type="button" class="button" data-testid="test-connection" on:click=run_test disabled=move || testing.get()>
                    {move || if testing.get() { "Testing…" } else { "Test connection" }}
                </button>
                <button type="submit" class="button button-primary" data-testid="save-distributor" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save" }}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            {move || failure.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            {move || test.get().map(|t| view! { <TestResult test=t /> })}
        </form>
    }
}

/// The server's field errors, to show next to the fields.
fn field_errors(e: &api::ApiError) -> std::collections::BTreeMap<String, String> {
    match e {
        api::ApiError::Http { error, .. } => error.fields.clone(),
        _ => Default::default(),
    }
}

crate::pages::part::lazy_part! {
    /// For the saved connection's Test button, which shows it outside the form.
    pub fn test_result(test: ConnectionTest) in distributor_form {
        view! { <TestResult test /> }
    }
}

/// Test connection's answer: the exact failure, or the first rows as mapped.
#[component]
pub fn TestResult(test: ConnectionTest) -> impl IntoView {
    if !test.ok {
        let error = test.error.unwrap_or_default();
        return view! { <div class="test-result test-failed" role="alert" data-testid="test-result"><strong>"Connection test failed: "</strong><span data-testid="test-error">{error}</span></div> }.into_any();
    }
    let rows = test
        .rows
        .into_iter()
        .map(|r| {
            view! {
                <tr data-testid="preview-row">
                    <td>{r.line}</td>
                    <td>{r.sku.unwrap_or_default()}</td>
                    <td>{r.mpn.unwrap_or_default()}</td>
                    <td>{r.description.unwrap_or_default()}</td>
                    <td class="num">{r.cost_price.unwrap_or_default()}</td>
                    <td>{r.currency.unwrap_or_default()}</td>
                    <td class="num">{r.stock.map(|s| s.to_string()).unwrap_or_default()}</td>
                    <td class="field-error">{r.error.unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="test-result test-ok" data-testid="test-result">
            <p role="status"><strong>"Connection works."</strong>" The first rows, as they will be read:"</p>
            <table class="table" data-testid="mapping-preview">
                <caption class="visually-hidden">"Mapping preview"</caption>
                <thead><tr><th scope="col">"Line"</th><th scope="col">"SKU"</th><th scope="col">"MPN"</th><th scope="col">"Description"</th><th scope="col">"Cost price"</th><th scope="col">"Currency"</th><th scope="col">"Stock"</th><th scope="col">"Problem"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}
