//! The versioned REST API under `/api/v1`: one router merged from each area's handlers, and
//! its OpenAPI document generated from the same code (so it lists every route).

pub mod error;
pub mod extract;
pub mod file;

use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get};
use axum::{Json, Router};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::http::AppState;
use crate::{
    audits, auth, capa, dashboard, documents, jobs, notifications, pt, reports, sites, trail, users,
};

/// Request bodies larger than this are refused with 413 before they are read.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Attest API",
        description = "Quality management and audit compliance for migration health assessment centres. \
            Authenticate with `POST /api/v1/auth/login` or a personal API token, sent as `Authorization: Bearer …`. \
            Errors have one shape: `{\"error\": {\"code\", \"message\", \"fields\"?}}`; records outside your scope answer 404.",
        version = "1"
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session_cookie" = [])),
    components(schemas(error::ErrorBody, error::ErrorDetail))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session_cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                auth::middleware::SESSION_COOKIE,
            ))),
        );
    }
}

/// The API's routes and its OpenAPI document.
pub fn router() -> Router<AppState> {
    let (router, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(
            "/api/v1",
            OpenApiRouter::new()
                .routes(routes!(auth::api::login))
                .routes(routes!(auth::api::logout))
                .routes(routes!(auth::api::me))
                .routes(routes!(auth::api::change_password))
                .routes(routes!(auth::api::list_tokens, auth::api::create_token))
                .routes(routes!(auth::api::revoke_token))
                .routes(routes!(sites::api::list_sites))
                .routes(routes!(sites::api::get_site))
                .routes(routes!(users::api::list_users, users::api::create_user))
                .routes(routes!(users::api::get_user, users::api::update_user))
                .routes(routes!(users::api::deactivate_user))
                .routes(routes!(users::api::activate_user))
                .routes(routes!(users::api::reset_password))
                .routes(routes!(trail::api::list_trail))
                .routes(routes!(
                    documents::api::list_documents,
                    documents::api::create_document
                ))
                .routes(routes!(documents::api::list_approvers))
                .routes(routes!(documents::api::get_document))
                .routes(routes!(documents::api::create_version))
                .routes(routes!(
                    documents::api::get_version,
                    documents::api::update_version
                ))
                .routes(routes!(documents::api::download_file))
                .routes(routes!(documents::api::submit_version))
                .routes(routes!(documents::api::return_version))
                .routes(routes!(documents::api::approve_version))
                .routes(routes!(documents::api::make_version_effective))
                .routes(routes!(documents::api::review_document))
                .routes(routes!(documents::api::withdraw_document))
                .routes(routes!(documents::api::diff_versions))
                .routes(routes!(documents::api::document_acknowledgements))
                .routes(routes!(documents::api::my_acknowledgements))
                .routes(routes!(documents::api::acknowledge))
                .routes(routes!(
                    audits::api::list_templates,
                    audits::api::import_template
                ))
                .routes(routes!(audits::api::get_template))
                .routes(routes!(audits::api::export_template))
                .routes(routes!(audits::api::list_audits, audits::api::create_audit))
                .routes(routes!(audits::api::list_auditors))
                .routes(routes!(audits::api::audit_patterns))
                .routes(routes!(audits::api::get_audit))
                .routes(routes!(audits::api::audit_score))
                .routes(routes!(audits::api::start_audit))
                .routes(routes!(audits::api::answer_items))
                .routes(routes!(audits::api::submit_audit))
                .routes(routes!(audits::api::cancel_audit))
                .routes(routes!(audits::api::create_finding))
                .routes(routes!(audits::api::update_finding))
                .routes(routes!(audits::api::withdraw_finding))
                .routes(routes!(audits::api::download_evidence))
                .routes(routes!(reports::api::audit_report_pdf))
                .routes(routes!(reports::api::issue_audit_report))
                .routes(routes!(reports::api::regional_report_pdf))
                .routes(routes!(capa::api::list_capas, capa::api::create_capa))
                .routes(routes!(capa::api::export_capas))
                .routes(routes!(capa::api::assignees))
                .routes(routes!(capa::api::get_settings, capa::api::put_settings))
                .routes(routes!(capa::api::get_capa, capa::api::update_capa))
                .routes(routes!(capa::api::take_step))
                .routes(routes!(capa::api::add_action))
                .routes(routes!(capa::api::update_action))
                .routes(routes!(capa::api::list_comments, capa::api::add_comment))
                .routes(routes!(capa::api::timeline))
                .routes(routes!(capa::api::download_attachment))
                .routes(routes!(pt::api::list_schemes, pt::api::create_scheme))
                .routes(routes!(pt::api::get_scheme, pt::api::update_scheme))
                .routes(routes!(pt::api::list_events, pt::api::create_event))
                .routes(routes!(pt::api::get_event))
                .routes(routes!(pt::api::add_challenges))
                .routes(routes!(pt::api::update_challenge))
                .routes(routes!(pt::api::close_event))
                .routes(routes!(pt::api::score_event))
                .routes(routes!(pt::api::list_results, pt::api::submit_results))
                .routes(routes!(pt::api::list_scores))
                .routes(routes!(pt::api::results_template))
                .routes(routes!(pt::api::import_results))
                .routes(routes!(pt::api::site_history))
                .routes(routes!(pt::api::list_reads, pt::api::record_reads))
                .routes(routes!(pt::api::import_reads))
                .routes(routes!(pt::api::metrics))
                .routes(routes!(pt::api::get_thresholds, pt::api::put_thresholds))
                .routes(routes!(notifications::api::list_notifications))
                .routes(routes!(notifications::api::mark_read))
                .routes(routes!(notifications::api::mark_all_read))
                .routes(routes!(notifications::api::set_email_preference))
                .routes(routes!(jobs::api::list_jobs))
                .routes(routes!(jobs::api::run_job))
                .routes(routes!(dashboard::api::regional_dashboard))
                .routes(routes!(dashboard::api::network_dashboard))
                .routes(routes!(dashboard::api::site_dashboard))
                .routes(routes!(
                    dashboard::api::get_thresholds,
                    dashboard::api::put_thresholds
                ))
                // Uploads get a larger body limit than the rest of the API.
                .merge(
                    OpenApiRouter::new()
                        .routes(routes!(documents::api::upload_file))
                        .routes(routes!(audits::api::attach_evidence))
                        .routes(routes!(capa::api::attach))
                        .routes(routes!(reports::api::verify))
                        .layer(DefaultBodyLimit::max(documents::MAX_FILE_BYTES + 64 * 1024)),
                ),
        )
        .split_for_parts();
    router
        .route(
            "/api/v1/openapi.json",
            get(move || async move { Json(openapi) }),
        )
        .route("/api/v1", any(error::unknown_route))
        .route("/api/v1/{*rest}", any(error::unknown_route))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}
