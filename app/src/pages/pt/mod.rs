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
pub use manage::{EditSchemePage, NewEventPage, NewSchemePage};
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

/// A file picker that reads a chosen CSV file into the form's textarea (`target`, its id);
/// without JavaScript the textarea still takes pasted contents.
#[island]
pub fn CsvFileField(id: String, target: String) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    let read_file = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let target = target.clone();
        leptos::task::spawn_local(async move {
            if let Ok(value) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                let textarea = document()
                    .get_element_by_id(&target)
                    .and_then(|t| t.dyn_into::<leptos::web_sys::HtmlTextAreaElement>().ok());
                if let Some(textarea) = textarea {
                    textarea.set_value(&value.as_string().unwrap_or_default());
                }
            }
        });
    };
    #[cfg(not(feature = "hydrate"))]
    let read_file = move |_ev: leptos::ev::Event| {
        let _ = &target;
    };
    view! {
        <div class="field">
            <label class="field__label" for=id.clone()>"CSV file"</label>
            <input id=id type="file" accept=".csv,text/csv" on:change=read_file />
        </div>
    }
}
