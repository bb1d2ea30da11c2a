use serde_json::Value;

use crate::helpers::{on_both_databases, TestApp};

on_both_databases!(
    health_reports_the_database_up,
    health_is_503_when_the_database_is_unreachable,
);

async fn health_reports_the_database_up(app: TestApp) {
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["status"], "up");
    assert_eq!(body["database"]["engine"], app.db.engine().name());
}

async fn health_is_503_when_the_database_is_unreachable(app: TestApp) {
    app.db.close().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["database"]["status"], "down");
}
