//! A site's PT history: every scored event with its score and verdict (newest first), the
//! z-score trend per scheme and analyte, and the CAPAs PT and radiology QC opened.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::zchart::ZChart;
use super::{percent, EventVerdictBadge};
use crate::api::pt::pt_site_history;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::error::AppError;
use crate::model::pt::SiteHistory;

#[component]
pub fn PtSitePage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code"));
    let history = Resource::new(code, |code| async move {
        match code {
            Some(code) => pt_site_history(code).await,
            None => Err(AppError::NotFound("No site given.".into())),
        }
    });
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt">"PT/EQA"</A></nav>
            <Transition fallback=|| view! { <Loading label="Loading the PT history…" /> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(history) => view! { <History history /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="PT history" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn History(history: SiteHistory) -> impl IntoView {
    let site = history.site.clone();
    let unsuccessful: Vec<String> = history
        .events
        .iter()
        .filter(|e| e.unsuccessful)
        .map(|e| format!("{} ({})", e.scheme_name, e.code))
        .collect();
    view! {
        <Title text=format!("PT history — {}", site.code) />
        <h1>{format!("PT history — {} {}", site.code, site.name)}</h1>
        {(!unsuccessful.is_empty()).then(|| view! {
            <p class="notice notice--warning" role="note"><span aria-hidden="true">"⚠ "</span>{format!("Unsuccessful participation: {}.", unsuccessful.join(", "))}</p>
        })}
        <h2>"z-score trends"</h2>
        {if history.series.is_empty() {
            view! { <EmptyState title="No quantitative results yet".to_string()><p>"Trends appear once quantitative events are scored."</p></EmptyState> }.into_any()
        } else {
            view! { <div class="chart-grid">{history.series.into_iter().map(|series| view! { <ZChart series /> }).collect_view()}</div> }.into_any()
        }}
        <h2>"Events"</h2>
        {if history.events.is_empty() {
            view! { <EmptyState title="No scored events".to_string()><p>"This site has no scored PT event yet."</p></EmptyState> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead><tr><th scope="col">"Deadline"</th><th scope="col">"Scheme"</th><th scope="col">"Round"</th><th scope="col">"Score"</th><th scope="col">"Verdict"</th></tr></thead>
                        <tbody>
                            {history.events.into_iter().map(|e| view! {
                                <tr>
                                    <td>{e.deadline.clone()}</td>
                                    <td>{e.scheme_name.clone()}</td>
                                    <td><A href=format!("/pt/events/{}", e.event_id)>{e.code.clone()}</A></td>
                                    <td>{percent(e.score_percent)}</td>
                                    <td>
                                        <EventVerdictBadge verdict=e.verdict />
                                        {e.unsuccessful.then(|| view! { <br /><strong class="verdict verdict--bad">"⚠ Unsuccessful participation"</strong> })}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <h2>"CAPAs from PT and radiology QC"</h2>
        {if history.capas.is_empty() {
            view! { <p class="muted">"None."</p> }.into_any()
        } else {
            view! {
                <ul class="list">
                    {history.capas.into_iter().map(|c| view! {
                        <li><A href=format!("/capas/{}", c.id)>{c.number.clone()}</A>{format!(" — {} ({})", c.title, c.state.replace('_', " "))}</li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
