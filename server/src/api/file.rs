//! Serving a stored file: one place for the headers every download needs.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::Response;

use super::error::ApiError;
use crate::error::Error;

/// How the browser should treat a file: show it (photos, PDFs) or save it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    Attachment,
}

/// A response carrying a stored file: its type, a safe ASCII file name, never cached by shared
/// caches, and never sniffed into another type.
pub fn file_response(
    name: &str,
    media_type: &str,
    bytes: Vec<u8>,
    disposition: Disposition,
) -> Result<Response, ApiError> {
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let safe_name = name
        .replace(['"', '\\'], "_")
        .replace(|c: char| !c.is_ascii() || c.is_ascii_control(), "_");
    Response::builder()
        .header(header::CONTENT_TYPE, media_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("{kind}; filename=\"{safe_name}\""),
        )
        .header(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        )
        .header(
            "x-content-type-options",
            HeaderValue::from_static("nosniff"),
        )
        .body(Body::from(bytes))
        .map_err(|e| Error::Internal(e.to_string()).into())
}
