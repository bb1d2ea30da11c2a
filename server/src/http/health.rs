//! `GET /healthz`: is the server up, and can it reach its database?

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::AppState;
use crate::db::Db;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(health))
}

/// 200 when the database answers, 503 when it does not; the body says which.
#[tracing::instrument(skip_all)]
async fn health(State(db): State<Db>) -> (StatusCode, Json<Value>) {
    let (status, database) = match db.ping().await {
        Ok(()) => (StatusCode::OK, "up"),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "down")
        }
    };
    let body = json!({
        "status": if status == StatusCode::OK { "ok" } else { "unavailable" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": { "engine": db.engine().name(), "status": database },
    });
    (status, Json(body))
}
