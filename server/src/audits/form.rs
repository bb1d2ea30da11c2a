//! The browser's evidence upload on the checklist page: a plain multipart POST that attaches
//! the file and returns to the item, with the outcome in the address. Unsent answers are safe
//! meanwhile: the page keeps them in the browser and sends them when it loads again.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::Redirect;
use serde::Deserialize;

use crate::auth::Actor;
use crate::db::Db;

/// Who attached the file on the device. A photo queued offline is sent later by the service
/// worker with whatever session the browser has then: on a shared tablet that may be someone
/// else, and the file must not be stored under their name.
#[derive(Debug, Deserialize)]
pub struct Sender {
    as_user: Option<i64>,
}

/// What the address says when the sender is not the signed-in user: the worker keeps the file.
const OTHER_SENDER: &str = "evidence_sender=other";

pub async fn attach_evidence(
    State(db): State<Db>,
    actor: Actor,
    Path((id, item_id)): Path<(i64, i64)>,
    Query(sender): Query<Sender>,
    multipart: Multipart,
) -> Redirect {
    let page = format!("/audits/{id}/conduct");
    if sender.as_user.is_some_and(|user| user != actor.id()) {
        let message = "This photo was attached by someone else on this device; it is kept there \
                       until they sign in again.";
        return Redirect::to(&format!(
            "{page}?evidence_item={item_id}&evidence_error={}&{OTHER_SENDER}#item-{item_id}",
            app::pages::encode_query_value(message)
        ));
    }
    let outcome = match crate::documents::api::read_upload(multipart).await {
        Ok(upload) => super::attach_evidence(&db, &actor, id, item_id, upload)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
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
