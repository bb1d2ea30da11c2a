//! The error type that crosses the wire between server functions and the user interface.

use serde::{Deserialize, Serialize};
use server_fn_error::*;

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

/// What went wrong, in words a user can act on. Internal details never travel: the server logs
/// them and sends `Internal` with a generic message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("Something went wrong on the server. Please try again; if it persists, tell your administrator.")]
    Internal(String),
    #[error("The server could not be reached. Check your connection and try again.")]
    Unreachable(String),
}

impl AppError {
    /// The HTTP status the server answers with for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) => 422,
            AppError::Internal(_) => 500,
            AppError::Unreachable(_) => 503,
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
