use leptos::html::Div;
use leptos::prelude::*;

/// A long list that keeps only the rows in view (and a few either side) in the DOM, so ten
/// thousand rows scroll like fifty. Rows have one fixed height; the list is an ARIA table whose
/// rows say their place (`aria-rowindex`) in the whole.
#[component]
pub fn WindowedList<T, K, R, V>(
    /// Every row, in order.
    #[prop(into)]
    items: Signal<Vec<T>>,
    /// What identifies a row's drawing (id and what is shown), so changed rows redraw.
    key: K,
    /// Draws one row's cells (`role="cell"` elements).
    row: R,
    /// The header cells (`role="columnheader"` elements).
    header: AnyView,
    /// Row height in pixels (match the CSS).
    #[prop(default = 40)]
    row_height: u32,
    /// The list's accessible name.
    #[prop(into)]
    label: String,
    /// Test id of each row.
    #[prop(default = "list-row")]
    row_testid: &'static str,
    /// Called when the last rows come into view (load the next page).
    #[prop(optional)]
    on_end: Option<Callback<()>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    K: Fn(&T) -> String + Clone + Send + Sync + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    const OVERSCAN: u32 = 8;
    let viewport = NodeRef::<Div>::new();
    let scroll_top = RwSignal::new(0u32);
    let height = RwSignal::new(600u32);
    let measure = move || {
        if let Some(el) = viewport.get_untracked() {
            scroll_top.set(el.scroll_top().max(0) as u32);
            if el.client_height() > 0 {
                height.set(el.client_height() as u32);
            }
        }
    };
    viewport.on_load(move |_| request_animation_frame(measure));
    let range = Memo::new(move |_| {
        let n = items.with(Vec::len) as u32;
        let first = (scroll_top.get() / row_height).saturating_sub(OVERSCAN);
        let last = ((scroll_top.get() + height.get()) / row_height + OVERSCAN).min(n);
        (first.min(last), last)
    });
    Effect::new(move |_| {
        let (_, last) = range.get();
        let n = items.with(Vec::len) as u32;
        if n > 0 && last + OVERSCAN >= n {
            if let Some(on_end) = on_end {
                on_end.run(());
            }
        }
    });
    let visible = move || {
        let (first, last) = range.get();
        items.with(|all| {
            all[first as usize..last as usize]
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, t)| (first + i as u32, t))
                .collect::<Vec<_>>()
        })
    };
    let row_key = move |(i, t): &(u32, T)| format!("{i}|{}", key(t));
    view! {
        <div
            class="windowed"
            node_ref=viewport
            role="table"
            aria-label=label
            aria-rowcount=move || items.with(Vec::len) + 1
            tabindex="0"
            data-testid="windowed-list"
            // Inline, not only in the CSS: the windowing depends on them.
            style:height="min(60vh, 36rem)"
            style:overflow-y="auto"
            on:scroll=move |_| measure()
        >
            <div class="windowed-head" role="rowgroup">
                <div class="windowed-row" role="row" aria-rowindex="1">{header}</div>
            </div>
            <div
                class="windowed-body"
                role="rowgroup"
                style:position="relative"
                style:height=move || format!("{}px", items.with(Vec::len) as u32 * row_height)
            >
                <For
                    each=visible
                    key=row_key
                    children=move |(i, t)| {
                        view! {
                            <div
                                class="windowed-row"
                                role="row"
                                data-testid=row_testid
                                aria-rowindex=i + 2
                                style:position="absolute"
                                style:top=format!("{}px", i * row_height)
                                style:height=format!("{row_height}px")
                            >
                                {(row.clone())(t)}
                            </div>
                        }
                    }
                />
            </div>
        </div>
    }
}
