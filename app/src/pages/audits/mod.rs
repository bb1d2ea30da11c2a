//! Site audits: the register and calendar, planning, one audit with its score and findings,
//! conducting it on a tablet (answers kept in the browser until the server has them), and
//! checklist templates.

mod conduct;
mod detail;
mod patterns;
mod plan;
mod register;
mod templates;

pub use conduct::ConductPage;
pub use detail::AuditPage;
pub use patterns::PatternsPage;
pub use plan::PlanAuditPage;
pub use register::AuditsPage;
pub use templates::TemplatesPage;

use leptos::prelude::*;

use crate::model::audits::{star_text, AuditState};

/// An audit's state as a labelled badge.
#[component]
pub fn AuditStateBadge(state: AuditState) -> impl IntoView {
    view! { <span class=format!("status status--{}", state.as_str())>{state.label()}</span> }
}

/// Stars drawn as text, with their number for screen readers.
#[component]
pub fn Stars(stars: Option<u8>) -> impl IntoView {
    match stars {
        Some(stars) => view! {
            <span class="stars" role="img" aria-label=format!("{stars} of 5 stars")>{star_text(stars)}</span>
        }
        .into_any(),
        None => view! { <span class="muted">"—"</span> }.into_any(),
    }
}

/// A percentage for display: two decimals, or "no score" when nothing was applicable.
pub fn percent_text(percent: Option<f64>) -> String {
    percent
        .map(|p| format!("{p:.2}%"))
        .unwrap_or_else(|| "no score".into())
}

/// The current month as `(year, month)`, in UTC.
pub fn current_month() -> (i32, u32) {
    #[cfg(feature = "hydrate")]
    {
        let now = leptos::web_sys::js_sys::Date::new_0();
        (now.get_utc_full_year() as i32, now.get_utc_month() + 1)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let days = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0) as i64;
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        (year, month)
    }
}
