//! The OpenAPI document, generated from the handlers' annotations.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Sluice API", description = "Integrations, webhooks, feeds, issues and usage of one tenant."),
    paths(crate::health::health),
    components(schemas(sluice_contract::ErrorBody))
)]
pub struct ApiDoc;

impl ApiDoc {
    pub fn document() -> utoipa::openapi::OpenApi {
        ApiDoc::openapi()
    }
}

/// Adds what the annotations cannot say: the two ways to authenticate, the static route, and
/// the answers the request layer gives on every route, so the document lists every status a route can
/// answer without each annotation repeating them.
pub fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for (path, item) in doc.paths.paths.iter_mut().filter(|(p, _)| p.starts_with(sluice_contract::API_BASE)) {
        let operations = [
            (false, &mut item.get),
            (false, &mut item.head),
            (false, &mut item.options),
            (true, &mut item.post),
            (true, &mut item.put),
            (true, &mut item.patch),
            (true, &mut item.delete),
        ];
        for (changes, operation) in operations {
            if let Some(operation) = operation.as_mut() {
                add_gate_answers(path, operation, changes);
            }
        }
    }
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

/// Statuses that come from the request layer and the extractors rather than the handler.
fn add_gate_answers(path: &str, operation: &mut utoipa::openapi::path::Operation, changes: bool) {
    let mut answers = vec![
        ("401", "Not signed in, or the API key is wrong or revoked"),
        ("429", "The caller's rate-limit window is spent (`Retry-After` says when to retry)"),
    ];
    if changes {
        answers.extend([
            ("400", "The request or its `Idempotency-Key` is not valid"),
            ("403", "A console session's request from another origin"),
            ("409", "`idempotency_key_in_use`: a request with this key is still running"),
            ("422", "This `Idempotency-Key` was used for a different request"),
        ]);
    }
    if operation.request_body.is_some() {
        answers.extend([
            ("400", "The body is not valid JSON or does not match the schema"),
            ("413", "The body is larger than 256 KiB"),
            ("415", "The body is not sent as `application/json`"),
        ]);
    }
    if path == "/api/v1/session" && changes {
        answers.retain(|(status, _)| !matches!(*status, "403" | "409" | "422"));
    }
    let error = utoipa::openapi::RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"));
    for (status, why) in answers {
        operation.responses.responses.entry(status.to_string()).or_insert_with(|| {
            utoipa::openapi::ResponseBuilder::new()
                .description(why)
                .content("application/json", utoipa::openapi::ContentBuilder::new().schema(Some(error.clone())).build())
                .build()
                .into()
        });
    }
}
