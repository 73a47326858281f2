//! Product search: each distributor's price, stock and age, the winner marked, ignored
//! prices shown as such.

use crate::api::{self, ApiError};
use crate::components::ErrorPanel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sluice_contract::distributors::Product;

fn age(secs: Option<u64>) -> String {
    match secs {
        None => "never synced".into(),
        Some(s) if s < 3_600 => format!("{} min old", s / 60),
        Some(s) if s < 172_800 => format!("{} h old", s / 3_600),
        Some(s) => format!("{} d old", s / 86_400),
    }
}

#[component]
pub fn ProductSearch() -> impl IntoView {
    let q = RwSignal::new(String::new());
    // The text last searched for; the results (and their code) arrive with the first search.
    let asked = RwSignal::new(None::<String>);
    let searched = Memo::new(move |_| asked.with(Option::is_some));
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = q.get_untracked().trim().to_string();
        if !text.is_empty() {
            asked.set(Some(text));
        }
    };
    view! {
        <section class="section" aria-labelledby="products-heading">
            <h2 id="products-heading">"Products"</h2>
            <form class="inline-form" role="search" on:submit=search data-testid="product-search">
                <label for="product-q">"SKU, part number or description"</label>
                <input id="product-q" type="search" data-testid="field-product-q" prop:value=move || q.get() on:input=move |ev| q.set(event_target_value(&ev)) />
                <button type="submit" class="button">"Search"</button>
            </form>
            {move || searched.get().then(|| product_results(asked.into()))}
        </section>
    }
}

crate::pages::part::lazy_part! {
    fn product_results(asked: Signal<Option<String>>) in product_results {
        view! { <Results asked /> }
    }
}

/// Each search's offers: every distributor's price for the product, the winner marked.
#[component]
fn Results(asked: Signal<Option<String>>) -> impl IntoView {
    let results = RwSignal::new(None::<Result<Vec<Product>, ApiError>>);
    Effect::new(move |_| {
        let Some(text) = asked.get() else { return };
        spawn_local(async move {
            let result = api::distributors::products(&text).await.map(|p| p.items);
            if !matches!(result, Err(ApiError::Cancelled)) {
                results.try_set(Some(result));
            }
        });
    });
    move || {
        match results.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <ErrorPanel title="The search failed." message=e.user_message() /> }.into_any(),
        Some(Ok(items)) if items.is_empty() => view! { <p class="muted" data-testid="no-products">"No product matches."</p> }.into_any(),
        Some(Ok(items)) => view! {
            <table class="table" data-testid="product-results">
                <thead><tr><th scope="col">"SKU"</th><th scope="col">"Distributor"</th><th scope="col">"Cost price"</th><th scope="col">"Stock"</th><th scope="col">"Age"</th><th scope="col">""</th></tr></thead>
                <tbody>
                    {items.into_iter().flat_map(|p| {
                        let sku = p.sku.clone();
                        let description = p.description.clone().unwrap_or_default();
                        p.offers.into_iter().map(move |o| {
                            let mark = if o.winning { "Winning price" } else if o.ignored { "Ignored (too old)" } else { "" };
                            view! {
                                <tr data-testid="offer-row" class:winning=o.winning class:ignored=o.ignored>
                                    <td>{sku.clone()}" "<span class="muted small">{description.clone()}</span></td>
                                    <td>{o.distributor_name}</td>
                                    <td class="num">{format!("{} {}", o.cost_price, o.currency.unwrap_or_default())}</td>
                                    <td class="num">{o.stock.map(|s| s.to_string()).unwrap_or_default()}</td>
                                    <td>{age(o.age_secs)}</td>
                                    <td>{mark}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()
                    }).collect_view()}
                </tbody>
            </table>
        }.into_any(),
    }
    }
}
