//! One PT event: its samples with assigned values (or consensus), each site's score and verdict,
//! every result with its score, the CAPAs scoring opened, and for quality officers closing and
//! scoring. A site lead sees only their own site.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{percent, two, EventStatusBadge, EventVerdictBadge, ResultVerdictBadge};
use crate::api::pt::{get_pt_event, get_pt_results, ClosePtEvent, ScorePtEvent, UpdatePtChallenge};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::FormError;
use crate::error::AppError;
use crate::model::pt::{Challenge, Event, EventResults, EventStatus, ScoreMethod};

#[component]
pub fn PtEventPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let close = ServerAction::<ClosePtEvent>::new();
    let score = ServerAction::<ScorePtEvent>::new();
    let values = ServerAction::<UpdatePtChallenge>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                close.version().get(),
                score.version().get(),
                values.version().get(),
            )
        },
        |(id, ..)| async move {
            let Some(id) = id else {
                return Err(AppError::NotFound("That is not a PT event id.".into()));
            };
            let event = get_pt_event(id).await?;
            let results = get_pt_results(id).await?;
            Ok::<_, AppError>((event, results))
        },
    );
    let entered = move || query.with(|q| q.get("entered").is_some());
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt">"PT/EQA"</A></nav>
            {move || entered().then(|| view! { <p class="notice" role="status">"Results saved."</p> })}
            <Transition fallback=|| view! { <Loading label="Loading the event…" /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((event, results)) => view! { <EventDetail event results close score values /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="PT event" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

fn assigned(c: &Challenge) -> String {
    if !c.categories.is_empty() || c.method == ScoreMethod::Category {
        return c.expected.clone().unwrap_or_else(|| "not given yet".into());
    }
    if c.consensus {
        return match (c.consensus_value, c.consensus_sigma) {
            (Some(x), Some(s)) => format!(
                "consensus X = {}, σ = {} (n = {})",
                two(x),
                two(s),
                c.consensus_count.unwrap_or(0)
            ),
            _ => match c.consensus_count {
                Some(n) => format!("no consensus ({n} results; 5 needed)"),
                None => "consensus of participants (at scoring)".into(),
            },
        };
    }
    match c.assigned_value {
        None => "not given yet".into(),
        Some(x) => {
            let mut text = format!("X = {}", two(x));
            if let Some(s) = c.sigma_pt {
                text.push_str(&format!(", σpt = {}", two(s)));
            }
            if let Some(u) = c.u_assigned.filter(|u| *u > 0.0) {
                text.push_str(&format!(", u(X) = {}", two(u)));
            }
            if let Some(u) = c.expanded_assigned {
                text.push_str(&format!(", U = {}", two(u)));
            }
            text
        }
    }
}

/// The provider's values for one sample, set after the round (score again afterwards).
#[component]
fn ChallengeValues(
    event_id: i64,
    challenge: Challenge,
    values: ServerAction<UpdatePtChallenge>,
) -> impl IntoView {
    let id = challenge.id;
    let error = Signal::derive(move || {
        values
            .value()
            .get()
            .and_then(Result::err)
            .filter(|_| values.input().get().is_none_or(|i| i.id == id))
    });
    let number = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let quantitative = challenge.categories.is_empty() && challenge.method != ScoreMethod::Category;
    view! {
        <details>
            <summary>{format!("Set values for {}", challenge.code)}</summary>
            <ActionForm action=values attr:class="form form--inline">
                <input type="hidden" name="event_id" value=event_id />
                <input type="hidden" name="id" value=id />
                {if quantitative {
                    view! {
                        <label class="field"><span class="field__label">"X"</span><input type="text" inputmode="decimal" size="8" name="values[assigned_value]" value=number(challenge.assigned_value) /></label>
                        <label class="field"><span class="field__label">"σpt"</span><input type="text" inputmode="decimal" size="8" name="values[sigma_pt]" value=number(challenge.sigma_pt) /></label>
                        <label class="field"><span class="field__label">"u(X)"</span><input type="text" inputmode="decimal" size="8" name="values[u_assigned]" value=number(challenge.u_assigned) /></label>
                        <label class="field"><span class="field__label">"U_ref"</span><input type="text" inputmode="decimal" size="8" name="values[expanded_assigned]" value=number(challenge.expanded_assigned) /></label>
                    }.into_any()
                } else {
                    view! {
                        <label class="field"><span class="field__label">"Expected"</span><input type="text" size="14" name="values[expected]" value=challenge.expected.clone().unwrap_or_default() /></label>
                    }.into_any()
                }}
                <button type="submit" class="button">"Save"</button>
                <FormError error />
            </ActionForm>
        </details>
    }
}

#[component]
fn EventDetail(
    event: Event,
    results: EventResults,
    close: ServerAction<ClosePtEvent>,
    score: ServerAction<ScorePtEvent>,
    values: ServerAction<UpdatePtChallenge>,
) -> impl IntoView {
    let s = event.summary.clone();
    let id = s.id;
    let error = Signal::derive(move || {
        close
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| score.value().get().and_then(Result::err))
    });
    let can_enter = !event.can_submit_for.is_empty();
    let enter_label = if event.sites.iter().any(|x| x.submitted > 0) {
        "Enter or correct results"
    } else {
        "Enter results"
    };
    let sites = event.sites.clone();
    let capas = event.capas.clone();
    let total = s.challenges;
    let scored = s.status == EventStatus::Scored;
    let deadline_note = if event.past_deadline || s.status != EventStatus::Open {
        "Results entered now count as late and need a reason."
    } else {
        "Results are accepted until the end of the deadline day."
    };
    view! {
        <Title text=format!("{} {}", s.scheme_name, s.code) />
        <header class="page-header page-header--actions">
            <div>
                <h1>{format!("{} — {}", s.scheme_name, s.code)}</h1>
                <p class="lead">
                    <EventStatusBadge status=s.status />
                    {format!(" {} · {} · dispatched {} · deadline {}", event.provider, s.discipline.label(), s.dispatch_date, s.deadline)}
                </p>
            </div>
            <div class="page-header__actions">
                {can_enter.then(|| view! {
                    <A href=format!("/pt/events/{id}/enter") attr:class="button button--primary">
                        {enter_label}
                    </A>
                })}
            </div>
        </header>
        {can_enter.then(|| view! { <p class="muted">{deadline_note}</p> })}
        <FormError error />
        {event.can_manage.then(|| view! {
            <div class="panel">
                <h2>"Scoring"</h2>
                <p>{if scored { "Scored. Scoring again recomputes every score (after a correction or new assigned values); it opens no second CAPA for the same failure." } else { "Scoring computes consensus values, every result's score and each site's event score, and opens a CAPA for each failure." }}</p>
                <div class="button-row">
                    {(s.status == EventStatus::Open).then(|| view! {
                        <details class="confirm">
                            <summary class="button">"Close the event…"</summary>
                            <p>"After closing, results can only be entered as late, with a reason."</p>
                            <ActionForm action=close>
                                <input type="hidden" name="id" value=id />
                                <button type="submit" class="button button--danger">"Close now"</button>
                            </ActionForm>
                        </details>
                    })}
                    <ActionForm action=score>
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button button--primary" disabled=move || score.pending().get()>
                            {move || if score.pending().get() { "Scoring…" } else if scored { "Score again" } else { "Score the event" }}
                        </button>
                    </ActionForm>
                </div>
            </div>
        })}

        <h2 id="samples">"Samples"</h2>
        <div class="table-wrap">
            <table class="table" aria-label="Samples">
                <thead><tr><th scope="col">"Sample"</th><th scope="col">"Analyte"</th><th scope="col">"Unit"</th><th scope="col">"Assigned / expected"</th>{event.can_manage.then(|| view! { <th scope="col">"Set values"</th> })}</tr></thead>
                <tbody>
                    {event.challenges.iter().map(|c| {
                        let manage = event.can_manage.then(|| view! { <td><ChallengeValues event_id=id challenge=c.clone() values /></td> });
                        view! {
                            <tr>
                                <td>{c.code.clone()}</td>
                                <td>{c.analyte.clone()}</td>
                                <td>{c.unit.clone()}</td>
                                <td>{assigned(c)}</td>
                                {manage}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>

        <h2>"Sites"</h2>
        {if sites.is_empty() {
            view! { <EmptyState title="No participating site in your scope".to_string()><p>"This scheme has no participant you can see."</p></EmptyState> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table" aria-label="Sites">
                        <thead><tr><th scope="col">"Site"</th><th scope="col">"Entered"</th><th scope="col">"Score"</th><th scope="col">"Verdict"</th><th scope="col">"Notes"</th></tr></thead>
                        <tbody>
                            {sites.into_iter().map(|x| {
                                let score = x.score.clone();
                                view! {
                                    <tr>
                                        <td><A href=format!("/pt/sites/{}", x.code)>{x.code.clone()}</A><br /><span class="muted">{x.name.clone()}</span></td>
                                        <td>{format!("{} of {}", x.submitted, total)}{(x.late > 0).then(|| format!(" ({} late)", x.late))}</td>
                                        <td>{score.as_ref().map(|sc| format!("{} ({} of {})", percent(sc.score_percent), sc.acceptable, sc.total)).unwrap_or_else(|| "—".into())}</td>
                                        <td>
                                            {score.as_ref().map(|sc| view! { <EventVerdictBadge verdict=sc.verdict /> })}
                                            {score.as_ref().filter(|sc| sc.unsuccessful).map(|_| view! { <br /><strong class="verdict verdict--bad">"⚠ Unsuccessful participation"</strong> })}
                                        </td>
                                        <td>{score.map(|sc| sc.detail.notes.join(" ")).unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}

        <h2>"Results"</h2>
        {if results.results.is_empty() {
            view! { <EmptyState title="No results yet".to_string()><p>"No site in your scope has entered results for this event."</p></EmptyState> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="table" aria-label="Results">
                        <thead><tr><th scope="col">"Site"</th><th scope="col">"Sample"</th><th scope="col">"Reported"</th><th scope="col">"Score"</th><th scope="col">"Verdict"</th><th scope="col">"Note"</th></tr></thead>
                        <tbody>
                            {results.results.into_iter().map(|r| view! {
                                <tr>
                                    <td>{r.site.clone()}</td>
                                    <td>{format!("{} {}", r.sample, r.analyte)}</td>
                                    <td>{format!("{} {}", r.value, r.unit)}{r.late.then(|| view! { <br /><span class="muted">{format!("Late: {}", r.late_reason.clone().unwrap_or_default())}</span> })}</td>
                                    <td>{match (r.score_kind, r.score) { (Some(kind), Some(score)) => format!("{} = {}", kind.label(), two(score)), (_, _) => r.grading.map(|g| g.label().to_string()).unwrap_or_default() }}</td>
                                    <td><ResultVerdictBadge verdict=r.verdict /></td>
                                    <td>{r.note.clone()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}

        {(!capas.is_empty()).then(move || view! {
            <h2>"CAPAs opened by scoring"</h2>
            <ul class="list">
                {capas.into_iter().map(|c| view! {
                    <li><A href=format!("/capas/{}", c.id)>{c.number.clone()}</A>{format!(" — {} ({}, {})", c.title, c.site, c.state.replace('_', " "))}</li>
                }).collect_view()}
            </ul>
        })}
    }
}
