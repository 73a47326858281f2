//! Every page of the console, typed: the router, the sidebar, links and redirects all take
//! their targets from [`Page`], so a path is written once.

use crate::api::encode_query_value;
use sluice_contract::integrations::Provider;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Login,
    Integrations,
    /// One integration's overview: status, Test connection, usage against the provider's limit.
    Integration(Provider),
    /// One integration's credential form.
    IntegrationCredentials(Provider),
    /// One integration's syncs: schedules, pause, recent runs.
    IntegrationSyncs(Provider),
    /// Admin > Integrations > Webhooks: the switch and the endpoints.
    Webhooks,
    /// The delivery log (filters go in the query string).
    WebhookDeliveries,
    /// One delivery with its payload and every attempt.
    WebhookDelivery(String),
    /// The event catalog.
    WebhookEvents,
    Distributors,
    Issues,
    Usage,
    Settings,
    ApiKeys,
}

impl Page {
    /// The path the router matches, e.g. `/webhooks/deliveries/d_1`.
    pub fn path(&self) -> String {
        match self {
            Page::WebhookDelivery(id) => format!("/webhooks/deliveries/{}", encode_query_value(id)),
            Page::Integration(provider) => format!("/integrations/{}", provider.as_str()),
            Page::IntegrationCredentials(provider) => format!("/integrations/{}/credentials", provider.as_str()),
            Page::IntegrationSyncs(provider) => format!("/integrations/{}/syncs", provider.as_str()),
            page => page.static_path().to_string(),
        }
    }

    fn static_path(&self) -> &'static str {
        match self {
            Page::Login => "/login",
            Page::Integrations => "/integrations",
            Page::Integration(_) => "/integrations/:provider",
            Page::IntegrationCredentials(_) => "/integrations/:provider/credentials",
            Page::IntegrationSyncs(_) => "/integrations/:provider/syncs",
            Page::Webhooks => "/webhooks",
            Page::WebhookDeliveries => "/webhooks/deliveries",
            Page::WebhookDelivery(_) => "/webhooks/deliveries/:id",
            Page::WebhookEvents => "/webhooks/events",
            Page::Distributors => "/distributors",
            Page::Issues => "/issues",
            Page::Usage => "/usage",
            Page::Settings => "/settings",
            Page::ApiKeys => "/settings/api-keys",
        }
    }

    /// The page at `path` (a location's pathname), or `None` when no page lives there; the
    /// inverse of [`Page::path`]. The console's one router: `lib.rs` shows what this names.
    pub fn from_path(path: &str) -> Option<Page> {
        let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let page = match segments.as_slice() {
            ["login", ..] => Page::Login,
            ["integrations"] => Page::Integrations,
            ["integrations", provider, rest @ ..] => {
                let provider = Provider::parse(provider)?;
                match rest {
                    [] => Page::Integration(provider),
                    ["credentials"] => Page::IntegrationCredentials(provider),
                    ["syncs"] => Page::IntegrationSyncs(provider),
                    _ => return None,
                }
            }
            ["webhooks"] => Page::Webhooks,
            ["webhooks", "deliveries"] => Page::WebhookDeliveries,
            ["webhooks", "deliveries", id] if !id.is_empty() => Page::WebhookDelivery(decode_segment(id)),
            ["webhooks", "events"] => Page::WebhookEvents,
            ["distributors"] => Page::Distributors,
            ["issues"] => Page::Issues,
            ["usage"] => Page::Usage,
            ["settings"] => Page::Settings,
            ["settings", "api-keys"] => Page::ApiKeys,
            _ => return None,
        };
        Some(page)
    }

    /// The path with a query string (already encoded, from [`crate::api::query_string`]).
    pub fn with_query(&self, query: &str) -> String {
        format!("{}{query}", self.path())
    }

    /// What the sidebar calls it.
    pub fn label(&self) -> &'static str {
        match self {
            Page::Login => "Sign in",
            Page::Integrations | Page::Integration(_) | Page::IntegrationCredentials(_) | Page::IntegrationSyncs(_) => {
                "Integrations"
            }
            Page::Webhooks | Page::WebhookDeliveries | Page::WebhookDelivery(_) | Page::WebhookEvents => "Webhooks",
            Page::Distributors => "Distributors",
            Page::Issues => "Issues",
            Page::Usage => "API usage",
            Page::Settings | Page::ApiKeys => "Settings",
        }
    }
}

/// A path segment as written before [`encode_query_value`] (`d%201` → `d 1`).
fn decode_segment(segment: &str) -> String {
    js_sys::decode_uri_component(segment).map(String::from).unwrap_or_else(|_| segment.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn paths_are_written_once_and_ids_are_encoded() {
        assert_eq!(Page::Webhooks.path(), "/webhooks");
        assert_eq!(Page::IntegrationCredentials(Provider::Hubspot).path(), "/integrations/hubspot/credentials");
        assert_eq!(Page::WebhookDelivery("d 1/x".into()).path(), "/webhooks/deliveries/d%201%2Fx");
        assert_eq!(Page::WebhookDeliveries.with_query("?status=failed"), "/webhooks/deliveries?status=failed");
    }

    // Every page's path leads back to it: tests/webhooks_pages.rs, which opens them all.
    #[wasm_bindgen_test::wasm_bindgen_test]
    fn paths_lead_back_to_their_page() {
        assert_eq!(Page::from_path("/login"), Some(Page::Login));
        let delivery = Page::WebhookDelivery("d 1/x".into());
        assert_eq!(Page::from_path(&delivery.path()), Some(delivery), "ids are decoded");
        assert_eq!(Page::from_path("/issues/"), Some(Page::Issues), "a trailing slash is the same page");
        for nowhere in ["/", "/webhooks/nowhere", "/integrations/myspace", "/integrations/hubspot/x", "/issuesx"] {
            assert_eq!(Page::from_path(nowhere), None, "{nowhere}");
        }
    }
}
