//! REST handlers for PT/EQA and radiology QC: schemes, events and challenges, results (JSON and
//! CSV), scoring, a site's history, QC reads, metrics and thresholds.

use app::model::pt::{
    Challenge, ChallengeUpdate, Event, EventQuery, EventResults, EventScore, EventSummary,
    ImportMode, ImportReport, NewChallenge, NewEvent, NewQcRead, NewScheme, QcMetrics, QcQuery,
    QcRead, QcThresholds, Scheme, SchemeUpdate, SiteHistory, SubmitResults,
};
use app::model::users::Page;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::error::{ApiError, ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::auth::Actor;
use crate::db::Db;
use crate::error::Error;

/// Schemes with a participating site in the caller's scope.
#[utoipa::path(get, path = "/pt/schemes", tag = "pt",
    responses((status = 200, body = Vec<Scheme>), (status = 403, body = ErrorBody)))]
pub async fn list_schemes(State(db): State<Db>, actor: Actor) -> ApiResult<Json<Vec<Scheme>>> {
    Ok(Json(super::schemes(&db, &actor).await?))
}

/// Creates a scheme (admins and network quality officers).
#[utoipa::path(post, path = "/pt/schemes", tag = "pt", request_body = NewScheme,
    responses((status = 201, body = Scheme), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_scheme(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewScheme>,
) -> ApiResult<(StatusCode, Json<Scheme>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create_scheme(&db, &actor, body).await?),
    ))
}

/// One scheme.
#[utoipa::path(get, path = "/pt/schemes/{id}", tag = "pt", params(("id" = i64, Path)),
    responses((status = 200, body = Scheme), (status = 404, body = ErrorBody)))]
pub async fn get_scheme(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(super::scheme(&db, &actor, id).await?))
}

/// Changes a scheme's name, provider, events per year, participating sites or status.
#[utoipa::path(patch, path = "/pt/schemes/{id}", tag = "pt", params(("id" = i64, Path)), request_body = SchemeUpdate,
    responses((status = 200, body = Scheme), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_scheme(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SchemeUpdate>,
) -> ApiResult<Json<Scheme>> {
    Ok(Json(super::update_scheme(&db, &actor, id, body).await?))
}

/// Events (rounds), newest deadline first.
#[utoipa::path(get, path = "/pt/events", tag = "pt", params(EventQuery),
    responses((status = 200, body = Page<EventSummary>), (status = 422, body = ErrorBody)))]
pub async fn list_events(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<EventQuery>,
) -> ApiResult<Json<Page<EventSummary>>> {
    Ok(Json(super::events(&db, &actor, &query).await?))
}

/// Creates an event with its challenges.
#[utoipa::path(post, path = "/pt/events", tag = "pt", request_body = NewEvent,
    responses((status = 201, body = Event), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_event(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewEvent>,
) -> ApiResult<(StatusCode, Json<Event>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create_event(&db, &actor, body).await?),
    ))
}

/// One event with its challenges and the sites in scope.
#[utoipa::path(get, path = "/pt/events/{id}", tag = "pt", params(("id" = i64, Path)),
    responses((status = 200, body = Event), (status = 404, body = ErrorBody)))]
pub async fn get_event(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Event>> {
    Ok(Json(super::event(&db, &actor, id).await?))
}

/// Adds challenges to an event not yet scored.
#[utoipa::path(post, path = "/pt/events/{id}/challenges", tag = "pt", params(("id" = i64, Path)), request_body = Vec<NewChallenge>,
    responses((status = 201, body = Event), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_challenges(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Vec<NewChallenge>>,
) -> ApiResult<(StatusCode, Json<Event>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::add_challenges(&db, &actor, id, body).await?),
    ))
}

/// Sets a challenge's assigned value, σpt, uncertainties, consensus or expected answer.
#[utoipa::path(patch, path = "/pt/challenges/{id}", tag = "pt", params(("id" = i64, Path)), request_body = ChallengeUpdate,
    responses((status = 200, body = Challenge), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_challenge(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChallengeUpdate>,
) -> ApiResult<Json<Challenge>> {
    Ok(Json(super::update_challenge(&db, &actor, id, body).await?))
}

/// Closes an open event: later results need a reason and count as late.
#[utoipa::path(post, path = "/pt/events/{id}/close", tag = "pt", params(("id" = i64, Path)),
    responses((status = 200, body = Event), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn close_event(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Event>> {
    Ok(Json(super::close_event(&db, &actor, id).await?))
}

/// Scores the event (again): consensus, each result, each site, unsuccessful participation,
/// and the automatic CAPAs (once per source).
#[utoipa::path(post, path = "/pt/events/{id}/score", tag = "pt", params(("id" = i64, Path)),
    responses((status = 200, body = Event), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn score_event(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Event>> {
    Ok(Json(super::score_event(&db, &actor, id).await?))
}

/// Optionally one site.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SiteParam {
    /// Site code.
    pub site: Option<String>,
}

/// The event's results and scores for the sites in scope.
#[utoipa::path(get, path = "/pt/events/{id}/results", tag = "pt", params(("id" = i64, Path), SiteParam),
    responses((status = 200, body = EventResults), (status = 404, body = ErrorBody)))]
pub async fn list_results(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(p): Query<SiteParam>,
) -> ApiResult<Json<EventResults>> {
    Ok(Json(
        super::results(&db, &actor, id, p.site.as_deref()).await?,
    ))
}

/// Enters one site's results (a batch). Past the deadline, `late_reason` is required; results
/// already entered are refused unless `replace` is true.
#[utoipa::path(post, path = "/pt/events/{id}/results", tag = "pt", params(("id" = i64, Path)), request_body = SubmitResults,
    responses((status = 201, body = EventResults), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn submit_results(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SubmitResults>,
) -> ApiResult<(StatusCode, Json<EventResults>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::submit_results(&db, &actor, id, body).await?),
    ))
}

/// The event's site scores in scope.
#[utoipa::path(get, path = "/pt/events/{id}/scores", tag = "pt", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventScore>), (status = 404, body = ErrorBody)))]
pub async fn list_scores(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<EventScore>>> {
    Ok(Json(super::results(&db, &actor, id, None).await?.scores))
}

fn csv_response(name: &str, text: String) -> Result<Response, ApiError> {
    Response::builder()
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from(text))
        .map_err(|e| Error::Internal(e.to_string()).into())
}

/// A CSV template of the event's results: a row per challenge for each site the caller may
/// enter results for.
#[utoipa::path(get, path = "/pt/events/{id}/results/template.csv", tag = "pt", params(("id" = i64, Path), SiteParam),
    responses((status = 200, description = "CSV: site, sample, analyte, value, unit, u, expanded", content_type = "text/csv"), (status = 404, body = ErrorBody)))]
pub async fn results_template(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(p): Query<SiteParam>,
) -> Result<Response, ApiError> {
    let text = super::results_template(&db, &actor, id, p.site.as_deref()).await?;
    csv_response(&format!("pt-event-{id}-results.csv"), text)
}

/// How to import.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportParams {
    /// `all_or_nothing` (default) or `valid_rows`.
    pub mode: Option<ImportMode>,
    /// Required when the results are late.
    pub late_reason: Option<String>,
    /// Replace results already entered.
    pub replace: Option<bool>,
}

/// Imports results from a CSV body (the template's columns). Every row is checked; the report
/// lists errors by line and column. With errors nothing is written, unless `mode=valid_rows`.
#[utoipa::path(post, path = "/pt/events/{id}/results/import", tag = "pt", params(("id" = i64, Path), ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_results(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    Query(p): Query<ImportParams>,
    body: String,
) -> ApiResult<Json<ImportReport>> {
    let options = super::ImportOptions {
        mode: p.mode.unwrap_or_default(),
        late_reason: p.late_reason,
        replace: p.replace.unwrap_or(false),
    };
    Ok(Json(
        super::import_results(&db, &actor, id, &body, options).await?,
    ))
}

/// A site's PT history: event scores, z-score trends and PT CAPAs.
#[utoipa::path(get, path = "/pt/sites/{code}/history", tag = "pt", params(("code" = String, Path)),
    responses((status = 200, body = SiteHistory), (status = 404, body = ErrorBody)))]
pub async fn site_history(
    State(db): State<Db>,
    actor: Actor,
    Path(code): Path<String>,
) -> ApiResult<Json<SiteHistory>> {
    Ok(Json(super::site_history(&db, &actor, &code).await?))
}

/// Radiology QC reads in scope and window (default: the last 90 days).
#[utoipa::path(get, path = "/pt/radiology/reads", tag = "pt", params(QcQuery),
    responses((status = 200, body = Page<QcRead>), (status = 422, body = ErrorBody)))]
pub async fn list_reads(
    State(db): State<Db>,
    actor: Actor,
    Query(q): Query<QcQuery>,
) -> ApiResult<Json<Page<QcRead>>> {
    Ok(Json(super::reads(&db, &actor, &q).await?))
}

/// How to treat invalid reads.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ModeParam {
    /// `all_or_nothing` (default) or `valid_rows`.
    pub mode: Option<ImportMode>,
}

/// Records QC reads (a JSON array; errors name the read's 1-based position as its `line`); then
/// checks each site's quarter against the thresholds and opens a CAPA for a raised flag.
#[utoipa::path(post, path = "/pt/radiology/reads", tag = "pt", params(ModeParam), request_body = Vec<NewQcRead>,
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_reads(
    State(db): State<Db>,
    actor: Actor,
    Query(p): Query<ModeParam>,
    ApiJson(body): ApiJson<Vec<NewQcRead>>,
) -> ApiResult<Json<ImportReport>> {
    let reads = body
        .into_iter()
        .enumerate()
        .map(|(i, r)| (i as i64 + 1, r))
        .collect();
    Ok(Json(
        super::record_reads(&db, &actor, reads, p.mode.unwrap_or_default()).await?,
    ))
}

/// Records QC reads from a CSV body (columns site, exam_id, reader, qc_reader, primary_class,
/// qc_class, peer_score, image_quality, read_on).
#[utoipa::path(post, path = "/pt/radiology/reads/import", tag = "pt", params(ModeParam),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_reads(
    State(db): State<Db>,
    actor: Actor,
    Query(p): Query<ModeParam>,
    body: String,
) -> ApiResult<Json<ImportReport>> {
    Ok(Json(
        super::import_reads(&db, &actor, &body, p.mode.unwrap_or_default()).await?,
    ))
}

/// Radiology QC metrics per site and per reader over the window (default: the last 90 days).
#[utoipa::path(get, path = "/pt/radiology/metrics", tag = "pt", params(QcQuery),
    responses((status = 200, body = QcMetrics), (status = 422, body = ErrorBody)))]
pub async fn metrics(
    State(db): State<Db>,
    actor: Actor,
    Query(q): Query<QcQuery>,
) -> ApiResult<Json<QcMetrics>> {
    Ok(Json(super::metrics(&db, &actor, &q).await?))
}

/// The radiology QC flag thresholds.
#[utoipa::path(get, path = "/pt/radiology/thresholds", tag = "pt",
    responses((status = 200, body = QcThresholds), (status = 403, body = ErrorBody)))]
pub async fn get_thresholds(State(db): State<Db>, actor: Actor) -> ApiResult<Json<QcThresholds>> {
    Ok(Json(super::thresholds(&db, &actor).await?))
}

/// Changes the radiology QC flag thresholds.
#[utoipa::path(put, path = "/pt/radiology/thresholds", tag = "pt", request_body = QcThresholds,
    responses((status = 200, body = QcThresholds), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_thresholds(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<QcThresholds>,
) -> ApiResult<Json<QcThresholds>> {
    Ok(Json(super::set_thresholds(&db, &actor, body).await?))
}
