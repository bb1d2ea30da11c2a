//! The browser's file upload on a CAPA's page: a plain multipart POST that attaches the file
//! and returns to the page, with the outcome in the address.

use axum::extract::{Multipart, Path, State};
use axum::response::Redirect;

use crate::auth::Actor;
use crate::db::Db;

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
            let message = error.form_message("The file could not be stored; please try again.");
            Redirect::to(&format!(
                "/capas/{id}?file_error={}#files",
                app::pages::encode_query_value(&message)
            ))
        }
    }
}
