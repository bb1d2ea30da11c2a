//! The browser's file upload on a CAPA's page: a plain multipart POST that attaches the file
//! and returns to the page, with the outcome in the address.

use axum::extract::{Multipart, Path, State};
use axum::response::Redirect;

use crate::auth::Actor;
use crate::db::Db;
use crate::error::Error;

pub async fn attach(
    State(db): State<Db>,
    actor: Actor,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Redirect {
    let outcome = match crate::documents::api::read_upload(multipart).await {
        Ok(upload) => super::attach(&db, &actor, id, upload).await.map(|_| ()),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => Redirect::to(&format!("/capas/{id}?attached=1#files")),
        Err(error) => {
            error.log_if_internal();
            let message = match &error {
                Error::Invalid { fields, message } => fields
                    .first()
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| message.clone()),
                Error::Database(_) | Error::Internal(_) => {
                    "The file could not be stored; please try again.".to_string()
                }
                other => other.to_string(),
            };
            Redirect::to(&format!(
                "/capas/{id}?file_error={}#files",
                app::pages::encode_query_value(&message)
            ))
        }
    }
}
