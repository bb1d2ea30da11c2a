//! The error type that crosses the wire between server functions and the user interface.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What went wrong, in words a user can act on. Internal details never travel: the server logs
/// them and sends `Internal` with a generic message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A form with mistakes: a summary and, per field name, what to correct.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<(String, String)>,
    },
    #[error("{0}")]
    Conflict(String),
    #[error("Something went wrong on the server. Please try again; if it persists, tell your administrator.")]
    Internal(String),
    #[error("The server could not be reached. Check your connection and try again.")]
    Unreachable(String),
}

impl AppError {
    /// The HTTP status the server answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized(_) => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Conflict(_) => 409,
            AppError::Invalid { .. } => 422,
            AppError::Internal(_) => 500,
            AppError::Unreachable(_) => 503,
        }
    }

    /// The message for one form field, if the server rejected it.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { fields, .. } => fields
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, message)| message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(detail) => AppError::Unreachable(detail),
            other => AppError::Internal(other.to_string()),
        }
    }
}
