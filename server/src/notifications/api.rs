//! REST handlers: the caller's notifications, marking them read, and their e-mail setting.

use app::model::notifications::{
    EmailPreference, Notification, NotificationList, NotificationQuery,
};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Outbox;
use crate::api::error::{ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::auth::Actor;
use crate::db::Db;

/// The caller's notifications, newest first, with the unread count.
#[utoipa::path(get, path = "/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = NotificationList), (status = 401, body = ErrorBody)))]
pub async fn list_notifications(
    State(db): State<Db>,
    State(outbox): State<Outbox>,
    actor: Actor,
    Query(query): Query<NotificationQuery>,
) -> ApiResult<Json<NotificationList>> {
    Ok(Json(
        super::list(&db, &actor, &query, outbox.enabled()).await?,
    ))
}

/// Marks one notification read.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 200, body = Notification), (status = 404, body = ErrorBody)))]
pub async fn mark_read(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<Notification>> {
    Ok(Json(super::mark_read(&db, &actor, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many were unread.
    pub marked_read: i64,
}

/// Marks all the caller's notifications read.
#[utoipa::path(post, path = "/notifications/read-all", tag = "notifications",
    responses((status = 200, body = MarkedRead), (status = 401, body = ErrorBody)))]
pub async fn mark_all_read(State(db): State<Db>, actor: Actor) -> ApiResult<Json<MarkedRead>> {
    Ok(Json(MarkedRead {
        marked_read: super::mark_all_read(&db, &actor).await?,
    }))
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailSetting {
    /// `immediate`, `daily` (one digest a day) or `off`.
    pub email_preference: EmailPreference,
}

/// Sets how the caller gets notifications by e-mail.
#[utoipa::path(put, path = "/notifications/email-preference", tag = "notifications", request_body = EmailSetting,
    responses((status = 200, body = EmailSetting), (status = 422, body = ErrorBody)))]
pub async fn set_email_preference(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<EmailSetting>,
) -> ApiResult<Json<EmailSetting>> {
    let chosen = super::set_email_preference(&db, &actor, body.email_preference.as_str()).await?;
    Ok(Json(EmailSetting {
        email_preference: chosen,
    }))
}
