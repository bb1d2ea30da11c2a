//! The HTTP surface: one router built in one place from each area's routes.

mod assets;
mod health;
mod redirects;
mod security;

use std::sync::{Arc, OnceLock};

use app::backend::SharedBackend;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::post;
use axum::Router;
use leptos::prelude::{provide_context, LeptosOptions};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{middleware, AuthSettings};
use crate::backend::UiBackend;
use crate::db::Db;
use crate::jobs::Jobs;
use crate::notifications::Outbox;
use crate::reports::identity::SigningIdentity;

pub use assets::ClientBundle;

/// What every handler may need.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub auth: Arc<AuthSettings>,
    pub signing: Arc<SigningIdentity>,
    pub jobs: Jobs,
    pub outbox: Outbox,
}

/// The pages Leptos serves, worked out once per process. Working them out runs the whole app
/// with resource loading suspended by a process-wide flag (leptos_server's
/// `SuppressResourceLoad`), and a page that another server in the same process starts rendering
/// at that moment waits for its data forever (leptos issue #4773). One server per process never
/// overlaps the two; the integration tests start hundreds, two at a time, and hung about one
/// run in six until the list was made once and shared.
fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The whole application: health, static assets, the REST API, server-rendered pages and
/// server functions.
pub fn router(db: Db, auth: AuthSettings, jobs: Jobs, bundle: &ClientBundle) -> Router {
    let state = AppState {
        leptos_options: bundle.leptos_options(),
        db: db.clone(),
        auth: Arc::new(auth),
        signing: jobs.signing(),
        outbox: jobs.outbox().clone(),
        jobs,
    };
    let backend: SharedBackend = Arc::new(UiBackend::new(
        db,
        state.auth.clone(),
        state.signing.clone(),
        state.jobs.clone(),
    ));
    let routes = page_routes();
    let shell_options = state.leptos_options.clone();

    Router::new()
        .merge(health::routes())
        .merge(crate::api::router())
        .route(
            "/audits/{id}/items/{item_id}/evidence",
            post(crate::audits::form::attach_evidence).layer(DefaultBodyLimit::max(
                crate::audits::MAX_EVIDENCE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/capas/{id}/attachments",
            post(crate::capa::form::attach).layer(DefaultBodyLimit::max(
                crate::audits::MAX_EVIDENCE_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/verify",
            post(crate::reports::form::verify).layer(DefaultBodyLimit::max(
                crate::reports::MAX_VERIFY_BYTES + 64 * 1024,
            )),
        )
        .route(
            "/documents/{id}/versions/{version_id}/file",
            post(crate::documents::form::upload_file).layer(DefaultBodyLimit::max(
                crate::documents::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .nest_service(&bundle.url_prefix(), bundle.service())
        .merge(assets::public_files(bundle.site_root()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(backend.clone()),
            move || app::shell(shell_options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::authenticate,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(redirects::see_other))
        .layer(axum::middleware::from_fn(security::headers))
        // Pages and JSON are compressed per response; static files were compressed at build
        // time (their `.br`/`.gz` twins), and WebAssembly without a twin (a development build)
        // is not worth seconds of CPU per request.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
        ))
        .layer(TraceLayer::new_for_http())
}
