use super::short_time;
use leptos::prelude::*;
use sluice_contract::api_keys::ApiKey;

/// The tenant's API keys. Status is written out ("Active", "Revoked"), not only coloured.
#[component]
pub fn ApiKeyTable(
    keys: Vec<ApiKey>,
    /// Called with the key the user wants to revoke (only offered for active keys).
    on_revoke: Callback<ApiKey>,
) -> impl IntoView {
    let rows = keys
        .into_iter()
        .map(|key| {
            let revoked = key.revoked_at.clone();
            let last_used = key.last_used_at.as_deref().map(short_time).unwrap_or_else(|| "Never".into());
            let action_key = key.clone();
            view! {
                <tr data-testid="api-key-row">
                    <td class="key-name">{key.name.clone()}</td>
                    <td><code>{key.prefix.clone()} "…"</code></td>
                    <td><time datetime=key.created_at.clone()>{short_time(&key.created_at)}</time></td>
                    <td>{last_used}</td>
                    <td>
                        {match revoked {
                            Some(at) => {
                                view! {
                                    <span class="badge badge-muted">"Revoked"</span>
                                    <span class="muted">" " {short_time(&at)}</span>
                                }
                                    .into_any()
                            }
                            None => view! { <span class="badge badge-ok">"Active"</span> }.into_any(),
                        }}
                    </td>
                    <td class="actions">
                        {key
                            .revoked_at
                            .is_none()
                            .then(|| {
                                let label = format!("Revoke {}", key.name);
                                view! {
                                    <button
                                        type="button"
                                        class="button button-danger"
                                        aria-label=label
                                        data-testid="revoke"
                                        on:click=move |_| on_revoke.run(action_key.clone())
                                    >
                                        "Revoke"
                                    </button>
                                }
                            })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="table" data-testid="api-key-table">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Prefix"</th>
                    <th scope="col">"Created (UTC)"</th>
                    <th scope="col">"Last used"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
