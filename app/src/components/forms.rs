//! Form helpers: where the server's messages about a rejected form appear.
//!
//! The slots are always in the page (hidden while empty) so that the client's form handling
//! (`client::forms`) can fill them without re-rendering the page. A form posted without the
//! client comes back with the error in its address (`?__path=…&__err=…`, the server
//! function's own convention), and the slots show it from there.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;

use crate::error::AppError;

/// The error of `action`'s last submission: the action's own value once the client runs,
/// or the one a plain form post brought back in the page's address.
pub fn rejected<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let from_address = returned_error(S::PATH);
    Signal::derive(move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| from_address.clone())
    })
}

/// The error a plain form post to the server function at `path` left in the page's address.
pub fn returned_error(path: &str) -> Option<AppError> {
    let query = leptos_router::hooks::use_query_map().get_untracked();
    (query.get("__path").as_deref() == Some(path))
        .then(|| query.get("__err"))
        .flatten()
        .map(|encoded| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&encoded))
}

/// Shows the server's message for field `name`, if the last submission was rejected for it.
#[component]
pub fn FieldError(error: Signal<Option<AppError>>, #[prop(into)] name: String) -> impl IntoView {
    let field = StoredValue::new(name.clone());
    let message = move || error.get().and_then(|e| field.with_value(|f| e.field(f)));
    view! {
        <p class="field__error" role="alert" data-field=name hidden=move || message().is_none()>
            {message}
        </p>
    }
}

/// The form-level message of a rejected submission (for errors not tied to one field).
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || error.get().map(|e| e.to_string());
    view! {
        <p class="form-error" role="alert" data-form-error="" hidden=move || message().is_none()>
            {message}
        </p>
    }
}
