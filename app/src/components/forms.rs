//! Form helpers: the message under a field that the server rejected.

use leptos::prelude::*;

use crate::error::AppError;

/// Shows the server's message for field `name`, if the last submission was rejected for it.
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, name: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.field(name)).map(|message| {
            view! { <p class="field__error" role="alert" data-field=name>{message}</p> }
        })
    }
}

/// The form-level message of a rejected submission (for errors not tied to one field).
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            view! { <p class="form-error" role="alert">{e.to_string()}</p> }
        })
    }
}
