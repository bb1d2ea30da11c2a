//! REST handlers for signing in and out, the current user, and personal API tokens.

use app::model::auth::{CurrentUser, Scope};
use app::model::users::{ApiToken, CreatedApiToken};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{service, tokens, Actor, AuthSettings, RequestMeta};
use crate::api::error::{ApiResult, ErrorBody};
use crate::api::extract::ApiJson;
use crate::db::Db;
use crate::users;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// The signed-in user, as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// `admin`, `quality_officer`, `regional_manager`, `site_lead` or `staff`.
    pub role: String,
    /// `{"kind": "global"}`, `{"kind": "region", "code": "EHA"}` or
    /// `{"kind": "site", "code": "KEN-NBO"}`, as on user records.
    #[schema(value_type = Object)]
    pub scope: Scope,
    pub must_change_password: bool,
}

impl From<CurrentUser> for Me {
    fn from(user: CurrentUser) -> Self {
        Me {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role.as_str().into(),
            scope: user.scope,
            must_change_password: user.must_change_password,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; it expires after the idle timeout.
    pub token: String,
    pub user: Me,
}

/// Signs in with email and password and returns a bearer token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Wrong email or password, or the account is locked", body = ErrorBody),
        (status = 422, body = ErrorBody),
    ))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(db): State<Db>,
    State(settings): State<std::sync::Arc<AuthSettings>>,
    axum::Extension(meta): axum::Extension<RequestMeta>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let session = service::login(&db, &settings, &body.email, body.password, &meta, None).await?;
    Ok(Json(LoginResponse {
        token: session.secret,
        user: session.user.into(),
    }))
}

/// Ends the session behind the bearer token or cookie used.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(db): State<Db>, actor: Actor) -> ApiResult<StatusCode> {
    service::logout(&db, &actor).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[utoipa::path(get, path = "/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(actor: Actor) -> Json<Me> {
    Json(actor.user.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

/// Changes the signed-in user's password; their other sessions end.
#[utoipa::path(post, path = "/me/password", tag = "auth",
    request_body = PasswordChange,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_password(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<PasswordChange>,
) -> ApiResult<Json<Me>> {
    let user =
        users::change_own_password(&db, &actor, body.current_password, body.new_password).await?;
    Ok(Json(user.into()))
}

/// The signed-in user's API tokens (never their secrets).
#[utoipa::path(get, path = "/me/tokens", tag = "auth",
    responses((status = 200, body = Vec<ApiToken>), (status = 401, body = ErrorBody)))]
pub async fn list_tokens(State(db): State<Db>, actor: Actor) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(tokens::list(&db, &actor).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. "LIMS export".
    pub name: String,
}

/// Creates a personal API token; the response is the only time its secret is shown.
#[utoipa::path(post, path = "/me/tokens", tag = "auth",
    request_body = NewToken,
    responses((status = 201, body = CreatedApiToken), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_token(
    State(db): State<Db>,
    actor: Actor,
    ApiJson(body): ApiJson<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedApiToken>)> {
    Ok((
        StatusCode::CREATED,
        Json(tokens::create(&db, &actor, &body.name).await?),
    ))
}

/// Revokes one of the signed-in user's tokens; it stops working at once.
#[utoipa::path(delete, path = "/me/tokens/{id}", tag = "auth",
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 200, body = ApiToken), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn revoke_token(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApiToken>> {
    Ok(Json(tokens::revoke(&db, &actor, id).await?))
}
