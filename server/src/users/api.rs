//! REST handlers for user administration.

use app::model::users::{NewUser, Page, User, UserQuery, UserUpdate};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::error::{ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::auth::Actor;
use crate::db::Db;

/// Users matching the filters (administrators only).
#[utoipa::path(get, path = "/users", tag = "users", params(UserQuery),
    responses((status = 200, body = Page<User>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    State(db): State<Db>,
    actor: Actor,
    Query(query): Query<UserQuery>,
) -> ApiResult<Json<Page<User>>> {
    Ok(Json(super::list(&db, &actor, &query).await?))
}

/// Creates an account; the password is temporary and must be changed at first sign-in.
#[utoipa::path(post, path = "/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    Ok((
        StatusCode::CREATED,
        Json(super::create(&db, &actor, body).await?),
    ))
}

/// One user.
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<User>> {
    Ok(Json(super::get(&db, &actor, id).await?))
}

/// Changes a user's name, role or scope.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserUpdate,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_user(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> ApiResult<Json<User>> {
    Ok(Json(super::update(&db, &actor, id, body).await?))
}

/// Deactivates an account (it is never deleted); its sessions end.
#[utoipa::path(post, path = "/users/{id}/deactivate", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn deactivate_user(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<User>> {
    Ok(Json(super::set_active(&db, &actor, id, false).await?))
}

/// Reactivates a deactivated account.
#[utoipa::path(post, path = "/users/{id}/activate", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn activate_user(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<User>> {
    Ok(Json(super::set_active(&db, &actor, id, true).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// A temporary password of at least 12 characters, to give the user privately.
    pub password: String,
}

/// Sets a temporary password; the user must change it at next sign-in.
#[utoipa::path(post, path = "/users/{id}/reset-password", tag = "users", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 200, body = User), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reset_password(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        super::reset_password(&db, &actor, id, body.password).await?,
    ))
}
