//! The browser's file-upload form for drafts: a plain multipart POST (no JavaScript needed)
//! that attaches the file and sends the user back to the version page with the outcome.

use axum::extract::{Multipart, Path, State};
use axum::response::Redirect;

use crate::auth::Actor;
use crate::db::Db;

/// Attaches the uploaded file, then redirects to the version page with `uploaded=1` or
/// `upload_error=<message>`.
pub async fn upload_file(
    State(db): State<Db>,
    actor: Actor,
    Path((id, version_id)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Redirect {
    let page = format!("/documents/{id}/versions/{version_id}");
    let outcome = match super::api::read_upload(multipart).await {
        Ok(upload) => super::attach_file(&db, &actor, id, version_id, upload)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("{page}?uploaded=1")),
        Err(error) => {
            error.log_if_internal();
            let message = match &error {
                crate::error::Error::Invalid { fields, message } => fields
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| message.clone()),
                crate::error::Error::Database(_) | crate::error::Error::Internal(_) => {
                    "The file could not be stored; please try again.".to_string()
                }
                other => other.to_string(),
            };
            Redirect::to(&format!(
                "{page}?upload_error={}",
                app::pages::encode_query_value(&message)
            ))
        }
    }
}
