//! The API's one error shape, `{"error": {"code", "message", "fields"?}}`, and the mapping of
//! service errors to HTTP statuses (done once, here).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, FieldError};

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `unauthorized`, `forbidden`, `not_found`, `malformed_request`,
    /// `unsupported_media_type`, `payload_too_large`, `validation_failed`, `conflict`,
    /// `csrf_rejected`, `password_change_required`, `internal`.
    pub code: &'static str,
    /// What went wrong and what to do, for people.
    pub message: String,
    /// Per-field messages when `code` is `validation_failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
}

/// An error response of the API.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        error.log_if_internal();
        match error {
            Error::Unauthorized(m) => ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", m),
            Error::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m),
            Error::NotFound(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
            Error::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            Error::Invalid { message, fields } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "validation_failed",
                message,
                fields,
            },
            Error::Database(_) | Error::Internal(_) => ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Something went wrong on the server; it has been logged. Please try again.",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let fields = (!self.fields.is_empty()).then(|| {
            self.fields
                .into_iter()
                .map(|f| (f.field, serde_json::Value::String(f.message)))
                .collect()
        });
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                fields,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// What the API answers for a path it does not have.
pub async fn unknown_route() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "There is no such API route; see /api/v1/openapi.json.",
    )
}

/// The result type of API handlers.
pub type ApiResult<T> = Result<T, ApiError>;
