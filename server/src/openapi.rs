//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sluice API", description = "Integrations, webhooks, feeds, issues and usage of one tenant."),
    paths(crate::app::health),
    components(schemas(sluice_contract::ErrorBody))
)]
pub struct ApiDoc;

impl ApiDoc {
    pub fn document() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

/// Adds what the annotations cannot say: the two ways to authenticate, and the static route.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "apiKey",
        SecurityScheme::Http(
            HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("A tenant API key")).build(),
        ),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(sluice_contract::headers::SESSION_COOKIE))),
    );
    doc.paths.paths.insert(
        "/api/openapi.json".to_string(),
        utoipa::openapi::path::PathItem::new(
            utoipa::openapi::HttpMethod::Get,
            utoipa::openapi::path::OperationBuilder::new()
                .summary(Some("This document"))
                .response("200", utoipa::openapi::Response::new("The OpenAPI document")),
        ),
    );
    doc
}
