//! The browser's evidence upload on the checklist page: a plain multipart POST that attaches
//! the file and returns to the item, with the outcome in the address. Unsent answers are safe
//! meanwhile: the page keeps them in the browser and sends them when it loads again.

use axum::extract::{Multipart, Path, State};
use axum::response::Redirect;

use crate::auth::Actor;
use crate::db::Db;
use crate::error::Error;

pub async fn attach_evidence(
    State(db): State<Db>,
    actor: Actor,
    Path((id, item_id)): Path<(i64, i64)>,
    multipart: Multipart,
) -> Redirect {
    let outcome = match crate::documents::api::read_upload(multipart).await {
        Ok(upload) => super::attach_evidence(&db, &actor, id, item_id, upload)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    let page = format!("/audits/{id}/conduct");
    match outcome {
        Ok(()) => Redirect::to(&format!("{page}?evidence={item_id}#item-{item_id}")),
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
                "{page}?evidence_item={item_id}&evidence_error={}#item-{item_id}",
                app::pages::encode_query_value(&message)
            ))
        }
    }
}
