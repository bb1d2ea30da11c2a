//! Controlled documents: the register, one document, its versions and diffs, creating a
//! document, and the reader's "SOPs to acknowledge".

mod acknowledgements;
mod detail;
mod diff;
mod new;
mod register;
mod version;

pub use acknowledgements::AcknowledgementsPage;
pub use detail::DocumentPage;
pub use diff::DiffPage;
pub use new::NewDocumentPage;
pub use register::DocumentsPage;
pub use version::VersionPage;

use leptos::prelude::*;

use crate::model::documents::{review_label, DocumentStatus, VersionState};

/// A document's status as a labelled badge (text, not colour alone).
#[component]
pub fn StatusBadge(status: DocumentStatus) -> impl IntoView {
    view! { <span class=format!("status status--{}", status.as_str())>{status.label()}</span> }
}

/// A version's state as a labelled badge.
#[component]
pub fn VersionBadge(state: VersionState) -> impl IntoView {
    view! { <span class=format!("status status--{}", state.as_str())>{state.label()}</span> }
}

/// "Due in N days" / "overdue by N days", marked when overdue or due within 30 days.
#[component]
pub fn ReviewDue(days: Option<i64>, due: Option<String>) -> impl IntoView {
    match days {
        None => view! { <span class="muted">"—"</span> }.into_any(),
        Some(days) => {
            let class = if days < 0 {
                "review review--overdue"
            } else if days <= 30 {
                "review review--soon"
            } else {
                "review"
            };
            let icon = if days < 0 { "⚠ " } else { "" };
            view! {
                <span class=class title=due.unwrap_or_default()>{icon}{review_label(days)}</span>
            }
            .into_any()
        }
    }
}

/// The id in a route parameter, if it is a number.
fn id_param(params: &leptos_router::params::ParamsMap, name: &str) -> Option<i64> {
    params.get(name).and_then(|v| v.parse().ok())
}
