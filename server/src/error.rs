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

/// What a service call can fail with. Mapped once to the UI's [`AppError`] (and, later, to
/// HTTP statuses for the REST API).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<Error> for AppError {
    fn from(error: Error) -> Self {
        match error {
            Error::NotFound(message) => AppError::NotFound(message),
            Error::Invalid(message) => AppError::Invalid(message),
            Error::Database(error) => {
                // Logged here, where it is turned into a generic message; never sent to the client.
                tracing::error!(%error, "database error");
                AppError::Internal(String::new())
            }
        }
    }
}
