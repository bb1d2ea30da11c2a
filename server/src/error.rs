//! The server's error types: one for start-up, one for the services.

use app::error::AppError;

/// A mistake in configuration or the environment that stops the server from starting.
/// Its message is one line naming the setting and the fix.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("{setting}: {problem}; {fix}")]
    Config {
        setting: &'static str,
        problem: String,
        fix: String,
    },
    #[error("{0}")]
    Other(String),
}

/// One invalid field of a request, with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// What a service call can fail with. Mapped once to HTTP (`api::error`) and once to the UI's
/// [`AppError`] (below).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Not signed in, or the credentials are wrong (the message never says which part).
    #[error("{0}")]
    Unauthorized(String),
    /// Signed in, but the role does not allow it.
    #[error("{0}")]
    Forbidden(String),
    /// Absent, or outside the caller's scope.
    #[error("{0}")]
    NotFound(String),
    /// The request is well-formed but its content is not acceptable.
    #[error("{message}")]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    /// The record is not in a state that allows this.
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// A validation error on one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Error::Invalid {
            message: format!("Please correct the {field} field."),
            fields: vec![FieldError {
                field: field.into(),
                message,
            }],
        }
    }

    /// One sentence for a person, where a plain form shows the error in the page: the first
    /// field's message for invalid input, `unavailable` for failures of the server itself
    /// (logged here), the error's own words otherwise.
    pub fn form_message(&self, unavailable: &str) -> String {
        self.log_if_internal();
        match self {
            Error::Invalid { fields, message } => fields
                .first()
                .map(|f| f.message.clone())
                .unwrap_or_else(|| message.clone()),
            Error::Database(_) | Error::Internal(_) => unavailable.to_string(),
            other => other.to_string(),
        }
    }

    /// Logs what the user must not see; called once, where the error is turned into a response.
    pub fn log_if_internal(&self) {
        match self {
            Error::Database(error) => tracing::error!(%error, "database error"),
            Error::Internal(error) => tracing::error!(%error, "internal error"),
            _ => {}
        }
    }
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        error.log_if_internal();
        match error {
            Error::Unauthorized(message) => AppError::Unauthorized(message),
            Error::Forbidden(message) => AppError::Forbidden(message),
            Error::NotFound(message) => AppError::NotFound(message),
            Error::Invalid { message, fields } => AppError::Invalid {
                message,
                fields: fields.into_iter().map(|f| (f.field, f.message)).collect(),
            },
            Error::Conflict(message) => AppError::Conflict(message),
            Error::Database(_) | Error::Internal(_) => AppError::Internal(String::new()),
        }
    }
}
