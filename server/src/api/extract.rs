//! Extractors that turn bad requests into the API's error shape: JSON bodies and the signed-in
//! user.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, OriginalUri, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::auth::Actor;

/// A JSON body; malformed JSON is 400, a wrong content type 415, an oversized body 413, and
/// JSON of the wrong shape (unknown or missing fields, wrong types) 422.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// An optional JSON body: a request with neither a body nor a content type gives `None`
/// (steps that need no input may be posted empty); anything else is read as [`ApiJson`].
impl<S, T> axum::extract::OptionalFromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let headers = req.headers();
        let empty = headers.get(axum::http::header::CONTENT_TYPE).is_none()
            && headers
                .get(axum::http::header::CONTENT_LENGTH)
                .is_none_or(|length| length == "0");
        if empty {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            format!(
                "The request body does not have the expected fields: {}",
                e.body_text()
            ),
        ),
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            format!("The request body is not valid JSON: {}", e.body_text()),
        ),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the body as JSON with the header Content-Type: application/json.",
        ),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!(
                    "The request body is larger than {} bytes.",
                    super::MAX_BODY_BYTES
                ),
            )
        }
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_request",
            other.body_text(),
        ),
    }
}

/// Routes a user who must change their password may still use.
const ALLOWED_BEFORE_PASSWORD_CHANGE: [&str; 3] =
    ["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let actor = parts.extensions.get::<Actor>().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Sign in first: send `Authorization: Bearer <token>` (from POST /api/v1/auth/login or a personal API token).",
            )
        })?;
        // Inside the nested API router the URI has lost its `/api/v1` prefix: use the original.
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map(|uri| uri.path().to_string())
            .unwrap_or_else(|| parts.uri.path().to_string());
        if actor.user.must_change_password
            && !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(&path.as_str())
        {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "Your password was reset: choose a new one with POST /api/v1/me/password first.",
            ));
        }
        Ok(actor)
    }
}
