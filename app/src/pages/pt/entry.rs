//! Entering an event's results for one site: one field per sample, laid out for a phone (a
//! choice list for categories, a decimal keypad for numbers), the reason when late, and a CSV
//! import with a downloadable template that reports errors by line and column.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::CsvFileField;
use crate::api::pt::{get_pt_event, get_pt_results, ImportPtResults, SubmitPtResults};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::pt::{Challenge, Event, EventResults, EventStatus, ResultType, ScoreMethod};

#[component]
pub fn EnterResultsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let import = ServerAction::<ImportPtResults>::new();
    let data = Resource::new(
        move || (id(), import.version().get()),
        |(id, _)| async move {
            let Some(id) = id else {
                return Err(AppError::NotFound("That is not a PT event id.".into()));
            };
            Ok::<_, AppError>((get_pt_event(id).await?, get_pt_results(id).await?))
        },
    );
    view! {
        <section class="page page--narrow">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/pt">"PT/EQA"</A>
                {move || id().map(|id| view! { " › " <A href=format!("/pt/events/{id}")>"Event"</A> })}
            </nav>
            <Transition fallback=|| view! { <Loading label="Loading the event…" /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((event, results)) if event.can_submit_for.is_empty() => {
                            let _ = results;
                            let error = AppError::Forbidden(format!("You cannot enter results for {} {}.", event.summary.scheme_code, event.summary.code));
                            crate::pages::set_status(403);
                            view! { <Title text="Enter PT results" /><ErrorPanel error /> }.into_any()
                        }
                        Ok((event, results)) => view! { <EntryForms event results import /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Enter PT results" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn EntryForms(
    event: Event,
    results: EventResults,
    import: ServerAction<ImportPtResults>,
) -> impl IntoView {
    let s = event.summary.clone();
    let id = s.id;
    // The site whose results are shown and entered: `?site=` among those the user may enter for.
    let chosen = use_query_map().with_untracked(|q| q.get("site"));
    let site = chosen
        .filter(|c| event.can_submit_for.contains(c))
        .unwrap_or_else(|| event.can_submit_for[0].clone());
    let submit = ServerAction::<SubmitPtResults>::new();
    let error = crate::components::forms::rejected(submit);
    let late = event.past_deadline || s.status != EventStatus::Open;
    let challenges = StoredValue::new(event.challenges.clone());
    let results = StoredValue::new(results);
    let result_type = s.result_type;
    let sites = event.can_submit_for.clone();
    let existing = {
        let site = site.clone();
        move |challenge: i64| {
            results.with_value(|r| {
                r.results
                    .iter()
                    .find(|x| x.challenge_id == challenge && x.site == site)
                    .cloned()
            })
        }
    };
    let has_existing = results.with_value(|r| r.results.iter().any(|x| x.site == site));
    view! {
        <Title text=format!("Enter results — {} {}", s.scheme_name, s.code) />
        <h1>{format!("{} — {}", s.scheme_name, s.code)}</h1>
        <p class="lead">{format!("Deadline {}. {} samples.", s.deadline, s.challenges)}</p>
        {late.then(|| view! {
            <p class="notice notice--warning" role="note">
                <span aria-hidden="true">"⚠ "</span>
                {format!("The deadline ({}) has passed or the event is closed: results entered now count as late (unacceptable in the event score) and need a reason.", s.deadline)}
            </p>
        })}
        {(sites.len() > 1).then(|| view! {
            <form method="get" class="form form--inline">
                <div class="field">
                    <label class="field__label" for="pt-site">"Site"</label>
                    <select id="pt-site" name="site">
                        {sites.iter().map(|c| view! { <option value=c.clone() selected=*c == site>{c.clone()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button">"Show this site"</button>
            </form>
        })}
        <ActionForm action=submit attr:class="form form--entry">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="form[replace]" value=if has_existing { "true" } else { "false" } />
            <p>"Site: "<strong>{site.clone()}</strong></p>
            <input type="hidden" name="form[site]" value=site.clone() />
            {has_existing.then(|| view! {
                <p class="muted">"This site has entered results already: saving replaces them (the change is recorded)."</p>
            })}
            {challenges.get_value().into_iter().enumerate().map(|(i, c)| {
                let prior = existing(c.id);
                view! { <SampleField i c prior result_type error /> }
            }).collect_view()}
            {late.then(|| view! {
                <div class="field">
                    <label class="field__label" for="pt-late">"Why are the results late?"</label>
                    <textarea id="pt-late" name="form[late_reason]" rows="2" required maxlength="1000"></textarea>
                    <FieldError error name="late_reason" />
                </div>
            })}
            <FormError error />
            <button type="submit" class="button button--primary button--block" disabled=move || submit.pending().get()>
                {move || if submit.pending().get() { "Saving…" } else { "Save results" }}
            </button>
        </ActionForm>
        <CsvImport id late import />
    }
}

#[component]
fn SampleField(
    i: usize,
    c: Challenge,
    prior: Option<crate::model::pt::PtResult>,
    result_type: ResultType,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let input_id = format!("pt-value-{i}");
    let name = format!("form[results][{i}][value]");
    let value = prior.as_ref().map(|p| p.value.clone()).unwrap_or_default();
    let unit = if c.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.unit)
    };
    let label = format!("{} — {}{unit}", c.code, c.analyte);
    let field_error = move |field: &'static str| {
        view! { <FieldError error name=format!("results[{i}].{field}") /> }
    };
    let input = if !c.categories.is_empty() {
        let options = c.categories.clone();
        view! {
            <select id=input_id.clone() name=name>
                <option value="">"— not entered —"</option>
                {options.into_iter().map(|o| { let selected = o == value; view! { <option value=o.clone() selected=selected>{o.clone()}</option> } }).collect_view()}
            </select>
        }
        .into_any()
    } else if result_type == ResultType::Titre {
        view! { <input id=input_id.clone() name=name type="text" placeholder="1:16 or non-reactive" autocomplete="off" value=value /> }.into_any()
    } else {
        view! { <input id=input_id.clone() name=name type="text" inputmode="decimal" placeholder="e.g. 12.9" autocomplete="off" value=value /> }.into_any()
    };
    let u = prior
        .as_ref()
        .and_then(|p| p.u_lab)
        .map(|v| v.to_string())
        .unwrap_or_default();
    let expanded = prior
        .as_ref()
        .and_then(|p| p.expanded_lab)
        .map(|v| v.to_string())
        .unwrap_or_default();
    view! {
        <div class="field field--sample">
            <input type="hidden" name=format!("form[results][{i}][challenge_id]") value=c.id />
            <label class="field__label" for=input_id>{label}</label>
            {input}
            {field_error("value")}
            {field_error("unit")}
            {(c.method == ScoreMethod::Zeta).then(|| view! {
                <label class="field__label field__label--sub" for=format!("pt-u-{i}")>"Standard uncertainty u(x)"</label>
                <input id=format!("pt-u-{i}") name=format!("form[results][{i}][u]") type="text" inputmode="decimal" value=u />
                {field_error("u")}
            })}
            {(c.method == ScoreMethod::En).then(|| view! {
                <label class="field__label field__label--sub" for=format!("pt-U-{i}")>"Expanded uncertainty U (k = 2)"</label>
                <input id=format!("pt-U-{i}") name=format!("form[results][{i}][expanded]") type="text" inputmode="decimal" value=expanded />
                {field_error("expanded")}
            })}
        </div>
    }
}

#[component]
fn CsvImport(id: i64, late: bool, import: ServerAction<ImportPtResults>) -> impl IntoView {
    let error = crate::components::forms::rejected(import);
    view! {
        <section class="panel" aria-labelledby="csv-import">
            <h2 id="csv-import">"Import from a CSV file"</h2>
            <p>
                "Download the "<a href=format!("/api/v1/pt/events/{id}/results/template.csv") download="pt-results.csv">"template"</a>
                ", fill in the value column, then choose the file (or paste its contents). Every row is checked; with errors nothing is imported unless you choose to import the valid rows."
            </p>
            <ActionForm action=import attr:class="form" attr:data-report="import">
                <input type="hidden" name="id" value=id />
                <CsvFileField id="pt-csv-file".to_string() target="pt-csv".to_string() />
                <div class="field">
                    <label class="field__label" for="pt-csv">"CSV contents"</label>
                    <textarea id="pt-csv" name="csv" rows="6" required></textarea>
                </div>
                <label class="checkbox"><input type="checkbox" name="valid_rows" value="true" />" Import the valid rows even if some are wrong"</label>
                <label class="checkbox"><input type="checkbox" name="replace" value="true" />" Replace results already entered"</label>
                {late.then(|| view! {
                    <div class="field">
                        <label class="field__label" for="pt-csv-late">"Why are the results late?"</label>
                        <input id="pt-csv-late" type="text" name="late_reason" maxlength="1000" />
                    </div>
                })}
                <FormError error />
                <button type="submit" class="button" disabled=move || import.pending().get()>
                    {move || if import.pending().get() { "Checking…" } else { "Check and import" }}
                </button>
            </ActionForm>
            <div class="import-report" data-report-slot=""></div>
        </section>
    }
}
