//! The verification page's upload: a plain multipart POST (works before the page hydrates and
//! without JavaScript) that checks the file and returns to `/verify` with its SHA-256, or the
//! reason it could not be checked, in the address. The page then shows the verdict.

use axum::extract::{Multipart, State};
use axum::response::Redirect;

use crate::db::Db;

pub async fn verify(State(db): State<Db>, multipart: Multipart) -> Redirect {
    let outcome =
        match crate::documents::api::read_upload_of_at_most(multipart, super::MAX_VERIFY_BYTES)
            .await
        {
            Ok(upload) => super::verify(&db, &upload.bytes).await,
            Err(error) => Err(error),
        };
    match outcome {
        Ok(verification) => Redirect::to(&format!("/verify?sha256={}", verification.sha256)),
        Err(error) => {
            let message = error.form_message("The file could not be checked; please try again.");
            Redirect::to(&format!(
                "/verify?error={}",
                app::pages::encode_query_value(&message)
            ))
        }
    }
}
