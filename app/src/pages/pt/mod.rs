//! Proficiency testing / EQA: the events and schemes, one event with its results and scores,
//! the results entry form (phone-sized, or CSV), a site's PT history with z-score trends, and
//! radiology QC metrics.

mod entry;
mod event;
mod history;
mod list;
mod manage;
mod radiology;
mod zchart;

pub use entry::EnterResultsPage;
pub use event::PtEventPage;
pub use history::PtSitePage;
pub use list::PtPage;
pub use manage::{NewEventPage, NewSchemePage};
pub use radiology::RadiologyQcPage;

use leptos::prelude::*;

use crate::model::pt::{EventStatus, EventVerdict, ResultVerdict};

/// A number for people: two decimals.
pub fn two(value: f64) -> String {
    format!("{value:.2}")
}

/// "80%" or "—".
pub fn percent(value: Option<f64>) -> String {
    value
        .map(|v| format!("{v:.0}%"))
        .unwrap_or_else(|| "—".into())
}

/// An event's status as a labelled badge.
#[component]
pub fn EventStatusBadge(status: EventStatus) -> impl IntoView {
    view! { <span class=format!("status status--pt-{}", status.as_str())>{status.label()}</span> }
}

/// A result's verdict with a text cue (never colour alone).
#[component]
pub fn ResultVerdictBadge(verdict: Option<ResultVerdict>) -> impl IntoView {
    let (class, icon, label) = match verdict {
        Some(ResultVerdict::Satisfactory) => ("verdict verdict--ok", "✓", "Satisfactory"),
        Some(ResultVerdict::Questionable) => ("verdict verdict--warn", "!", "Questionable"),
        Some(ResultVerdict::Unsatisfactory) => ("verdict verdict--bad", "✗", "Unsatisfactory"),
        Some(ResultVerdict::NotScored) => ("verdict", "–", "Not scored"),
        None => ("verdict", "…", "Awaiting scoring"),
    };
    view! { <span class=class><span aria-hidden="true">{icon}" "</span>{label}</span> }
}

/// A site's event verdict with a text cue.
#[component]
pub fn EventVerdictBadge(verdict: EventVerdict) -> impl IntoView {
    let (class, icon) = match verdict {
        EventVerdict::Satisfactory => ("verdict verdict--ok", "✓"),
        EventVerdict::Unsatisfactory => ("verdict verdict--bad", "✗"),
        EventVerdict::NotScored => ("verdict", "–"),
    };
    view! { <span class=class><span aria-hidden="true">{icon}" "</span>{verdict.label()}</span> }
}
