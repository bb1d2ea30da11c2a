//! For admins and network quality officers: a new scheme with its participating sites, and a new
//! event (round) with its samples. Assigned values published after the round are set on the
//! event's page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::pt::{
    get_pt_scheme, list_pt_schemes, CreatePtEvent, CreatePtScheme, UpdatePtScheme,
};
use crate::api::sites::list_sites;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::pt::{Discipline, ResultType, ScoreMethod};

/// The first 10 rows, more on request.
const ROWS: usize = 10;
const MAX_ROWS: usize = 60;

fn general(error: Signal<Option<AppError>>) -> Signal<Option<AppError>> {
    Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    })
}

#[component]
pub fn NewSchemePage() -> impl IntoView {
    let create = ServerAction::<CreatePtScheme>::new();
    let error = crate::components::forms::rejected(create);
    let sites = Resource::new(|| (), |_| list_sites());
    view! {
        <Title text="New PT scheme" />
        <section class="page page--narrow">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt?tab=schemes">"PT schemes"</A></nav>
            <h1>"New PT scheme"</h1>
            <ActionForm action=create attr:class="form">
                <div class="field">
                    <label class="field__label" for="scheme-code">"Code"</label>
                    <input id="scheme-code" name="form[code]" type="text" required maxlength="40" placeholder="NRL-SMEAR" />
                    <FieldError error name="code" />
                </div>
                <div class="field">
                    <label class="field__label" for="scheme-name">"Name"</label>
                    <input id="scheme-name" name="form[name]" type="text" required maxlength="200" />
                    <FieldError error name="name" />
                </div>
                <div class="field">
                    <label class="field__label" for="scheme-provider">"Provider"</label>
                    <input id="scheme-provider" name="form[provider]" type="text" required maxlength="200" />
                    <FieldError error name="provider" />
                </div>
                <div class="field">
                    <label class="field__label" for="scheme-discipline">"Discipline"</label>
                    <select id="scheme-discipline" name="form[discipline]">
                        {Discipline::ALL.iter().map(|d| view! { <option value=d.as_str()>{d.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error name="discipline" />
                </div>
                <div class="field">
                    <label class="field__label" for="scheme-type">"How results are reported"</label>
                    <select id="scheme-type" name="form[result_type]">
                        {ResultType::ALL.iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                    <FieldError error name="result_type" />
                </div>
                <div class="field">
                    <label class="field__label" for="scheme-events">"Events per year"</label>
                    <input id="scheme-events" name="form[events_per_year]" type="number" min="1" max="12" value="2" required />
                    <FieldError error name="events_per_year" />
                </div>
                <fieldset class="field">
                    <legend class="field__label">"Participating sites"</legend>
                    <Transition fallback=|| view! { <Loading label="Loading sites…" /> }>
                        {move || Suspend::new(async move {
                            match sites.await {
                                Err(error) => view! { <ErrorPanel error /> }.into_any(),
                                Ok(sites) => view! {
                                    <div class="checkbox-grid">
                                        {sites.into_iter().enumerate().map(|(i, s)| view! {
                                            <label class="checkbox">
                                                <input type="checkbox" name=format!("form[sites][{i}]") value=s.code.clone() />
                                                {format!(" {} — {}", s.code, s.city)}
                                            </label>
                                        }).collect_view()}
                                    </div>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                    <FieldError error name="sites" />
                </fieldset>
                <FormError error=general(error) />
                <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Create the scheme"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn NewEventPage() -> impl IntoView {
    let query = use_query_map();
    let rows = move || {
        query
            .with(|q| q.get("rows").and_then(|r| r.parse::<usize>().ok()))
            .unwrap_or(ROWS)
            .clamp(1, MAX_ROWS)
    };
    let preset = move || query.with(|q| q.get("scheme"));
    let create = ServerAction::<CreatePtEvent>::new();
    let error = crate::components::forms::rejected(create);
    let schemes = Resource::new(|| (), |_| list_pt_schemes());
    let row_error = move |i: usize, name: &'static str| {
        move || {
            error
                .get()
                .and_then(|e| e.field(&format!("challenges[{i}].{name}")))
                .map(|m| view! { <p class="field__error" role="alert">{m}</p> })
        }
    };
    view! {
        <Title text="New PT event" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt">"PT/EQA"</A></nav>
            <h1>"New PT event"</h1>
            <p class="lead">"One row per sample. Quantitative samples take a unit and either the provider's assigned value with σpt (and u(X) if given; z′ is used when u(X) > 0.3·σpt), U for En, or “consensus”. Other samples take the expected answer: a category, a titre such as 1:16, or a smear grade. Assigned values published later are set on the event's page."</p>
            <Transition fallback=|| view! { <Loading label="Loading schemes…" /> }>
                {move || Suspend::new(async move {
                    match schemes.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(list) => view! {
                            <ActionForm action=create attr:class="form">
                                <div class="form--grid">
                                    <div class="field">
                                        <label class="field__label" for="event-scheme">"Scheme"</label>
                                        <select id="event-scheme" name="form[scheme]">
                                            {list.into_iter().filter(|s| s.status == "active").map(|s| {
                                                let selected = preset().as_deref() == Some(s.code.as_str());
                                                view! { <option value=s.code.clone() selected=selected>{format!("{} — {} ({})", s.code, s.name, s.result_type.label())}</option> }
                                            }).collect_view()}
                                        </select>
                                        <FieldError error name="scheme" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="event-code">"Round"</label>
                                        <input id="event-code" name="form[code]" type="text" required maxlength="40" placeholder="2027-1" />
                                        <FieldError error name="code" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="event-dispatch">"Dispatch date"</label>
                                        <input id="event-dispatch" name="form[dispatch_date]" type="date" required />
                                        <FieldError error name="dispatch_date" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="event-deadline">"Submission deadline"</label>
                                        <input id="event-deadline" name="form[deadline]" type="date" required />
                                        <FieldError error name="deadline" />
                                    </div>
                                </div>
                                <FieldError error name="challenges" />
                                {(0..rows()).map(|i| view! {
                                    <fieldset class="sample-row">
                                        <legend>{format!("Sample {}", i + 1)}</legend>
                                        <label class="field"><span class="field__label">"Sample id"</span><input type="text" name=format!("form[challenges][{i}][code]") maxlength="40" />{row_error(i, "code")}</label>
                                        <label class="field"><span class="field__label">"Analyte or drug"</span><input type="text" name=format!("form[challenges][{i}][analyte]") maxlength="100" />{row_error(i, "analyte")}</label>
                                        <label class="field"><span class="field__label">"Unit"</span><input type="text" name=format!("form[challenges][{i}][unit]") size="8" />{row_error(i, "unit")}</label>
                                        <label class="field"><span class="field__label">"Score"</span>
                                            <select name=format!("form[challenges][{i}][method]")>
                                                {[ScoreMethod::Z, ScoreMethod::Zeta, ScoreMethod::En].iter().map(|m| view! { <option value=m.as_str()>{m.label()}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label class="field"><span class="field__label">"X"</span><input type="text" inputmode="decimal" size="8" name=format!("form[challenges][{i}][assigned_value]") />{row_error(i, "assigned_value")}</label>
                                        <label class="field"><span class="field__label">"σpt"</span><input type="text" inputmode="decimal" size="8" name=format!("form[challenges][{i}][sigma_pt]") />{row_error(i, "sigma_pt")}</label>
                                        <label class="field"><span class="field__label">"u(X)"</span><input type="text" inputmode="decimal" size="8" name=format!("form[challenges][{i}][u_assigned]") />{row_error(i, "u_assigned")}</label>
                                        <label class="field"><span class="field__label">"U_ref"</span><input type="text" inputmode="decimal" size="8" name=format!("form[challenges][{i}][expanded_assigned]") />{row_error(i, "expanded_assigned")}</label>
                                        <label class="checkbox"><input type="checkbox" value="true" name=format!("form[challenges][{i}][consensus]") />" Consensus"</label>
                                        <label class="field"><span class="field__label">"Expected"</span><input type="text" size="14" name=format!("form[challenges][{i}][expected]") placeholder="reactive, 1:16, 2+" />{row_error(i, "expected")}{row_error(i, "consensus")}</label>
                                    </fieldset>
                                }).collect_view()}
                                <p><A href=move || format!("/pt/events/new?rows={}{}", (rows() + 10).min(MAX_ROWS), preset().map(|s| format!("&scheme={s}")).unwrap_or_default())>"Need more samples? Show 10 more rows"</A>" (unsaved entries are lost)."</p>
                                <FormError error=general(error) />
                                <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Create the event"</button>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Changes a scheme: name, provider, events per year, status (retire) and its participants.
#[component]
pub fn EditSchemePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let save = ServerAction::<UpdatePtScheme>::new();
    let error = crate::components::forms::rejected(save);
    let data = Resource::new(id, |id| async move {
        let Some(id) = id else {
            return Err(AppError::NotFound("That is not a scheme id.".into()));
        };
        Ok::<_, AppError>((get_pt_scheme(id).await?, list_sites().await?))
    });
    view! {
        <Title text="Edit PT scheme" />
        <section class="page page--narrow">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt?tab=schemes">"PT schemes"</A></nav>
            <Transition fallback=|| view! { <Loading label="Loading the scheme…" /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <ErrorPanel error /> }.into_any()
                        }
                        Ok((scheme, sites)) => {
                            let taking_part: Vec<String> = scheme.sites.iter().map(|s| s.code.clone()).collect();
                            view! {
                                <h1>{format!("{} — {}", scheme.code, scheme.name)}</h1>
                                <p class="lead">{format!("{} · {} · {} events so far", scheme.discipline.label(), scheme.result_type.label(), scheme.events)}</p>
                                <ActionForm action=save attr:class="form">
                                    <input type="hidden" name="id" value=scheme.id />
                                    <div class="field">
                                        <label class="field__label" for="scheme-name">"Name"</label>
                                        <input id="scheme-name" name="form[name]" type="text" required maxlength="200" value=scheme.name.clone() />
                                        <FieldError error name="name" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="scheme-provider">"Provider"</label>
                                        <input id="scheme-provider" name="form[provider]" type="text" required maxlength="200" value=scheme.provider.clone() />
                                        <FieldError error name="provider" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="scheme-events">"Events per year"</label>
                                        <input id="scheme-events" name="form[events_per_year]" type="number" min="1" max="12" required value=scheme.events_per_year />
                                        <FieldError error name="events_per_year" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="scheme-status">"Status"</label>
                                        <select id="scheme-status" name="form[status]">
                                            <option value="active" selected=scheme.status == "active">"Active"</option>
                                            <option value="retired" selected=scheme.status == "retired">"Retired (no new events; history kept)"</option>
                                        </select>
                                        <FieldError error name="status" />
                                    </div>
                                    <fieldset class="field">
                                        <legend class="field__label">"Participating sites"</legend>
                                        <p class="muted">"A site removed keeps its past results and scores; it takes no part in new events."</p>
                                        <div class="checkbox-grid">
                                            {sites.into_iter().enumerate().map(|(i, s)| {
                                                let checked = taking_part.contains(&s.code);
                                                view! {
                                                    <label class="checkbox">
                                                        <input type="checkbox" name=format!("form[sites][{i}]") value=s.code.clone() checked=checked />
                                                        {format!(" {} — {}", s.code, s.city)}
                                                    </label>
                                                }
                                            }).collect_view()}
                                        </div>
                                        <FieldError error name="sites" />
                                    </fieldset>
                                    <FormError error=general(error) />
                                    <button type="submit" class="button button--primary" disabled=move || save.pending().get()>"Save the scheme"</button>
                                </ActionForm>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
