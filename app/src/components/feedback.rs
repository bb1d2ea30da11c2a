//! Loading, error and empty states, so every page shows them the same way.

use leptos::prelude::*;

use crate::error::AppError;

/// Shown while a page's data is on its way.
#[component]
pub fn Loading(#[prop(default = "Loading…")] label: &'static str) -> impl IntoView {
    view! {
        <p class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {label}
        </p>
    }
}

/// An error the user can read and act on.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let title = match &error {
        AppError::Unauthorized(_) => "Please sign in",
        AppError::Forbidden(_) => "Not allowed",
        AppError::NotFound(_) => "Not found",
        AppError::Invalid { .. } => "Please correct the form",
        AppError::Conflict(_) => "That cannot be done now",
        AppError::Internal(_) => "Server error",
        AppError::Unreachable(_) => "Connection problem",
    };
    view! {
        <div class="panel panel--error" role="alert">
            <h2>{title}</h2>
            <p>{error.to_string()}</p>
        </div>
    }
}

/// A list with nothing in it, saying why and what to do.
#[component]
pub fn EmptyState(title: String, children: Children) -> impl IntoView {
    view! {
        <div class="empty-state">
            <h2>{title}</h2>
            {children()}
        </div>
    }
}
