//! Corrective and preventive actions: the lists (mine, site, region) with filters and CSV, raising
//! a CAPA, one CAPA worked through its lifecycle, and the due-days setting.

mod detail;
mod new;
mod register;
mod settings;

pub use detail::CapaPage;
pub use new::NewCapaPage;
pub use register::CapasPage;
pub use settings::CapaSettingsPage;

use leptos::prelude::*;

use crate::model::capa::{CapaState, CapaSummary};

/// A CAPA's state as a labelled badge.
#[component]
pub fn CapaStateBadge(state: CapaState) -> impl IntoView {
    view! { <span class=format!("status status--capa-{}", state.as_str())>{state.label()}</span> }
}

/// "Overdue by N days" (with an icon, never colour alone), or the due date.
#[component]
pub fn DueCell(capa: CapaSummary) -> impl IntoView {
    if capa.overdue {
        view! {
            <span class="overdue">
                <span aria-hidden="true">"⚠ "</span>{capa.due_date.clone()}
                <br /><strong>{format!("Overdue by {} day{}", capa.days_overdue, if capa.days_overdue == 1 { "" } else { "s" })}</strong>
            </span>
        }
        .into_any()
    } else {
        view! { <span>{capa.due_date.clone()}</span> }.into_any()
    }
}
