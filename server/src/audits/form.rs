//! The browser's evidence upload on the checklist page: a plain multipart POST that attaches
//! the file and returns to the item, with the outcome in the address. Unsent answers are safe
//! meanwhile: the page keeps them in the browser and sends them when it loads again.

use axum::extract::{Multipart, Path, State};
use axum::response::Redirect;

use crate::auth::Actor;
use crate::db::Db;

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
            let message = error.form_message("The file could not be stored; please try again.");
            Redirect::to(&format!(
                "{page}?evidence_item={item_id}&evidence_error={}#item-{item_id}",
                app::pages::encode_query_value(&message)
            ))
        }
    }
}
