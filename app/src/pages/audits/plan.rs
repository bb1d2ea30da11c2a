//! Planning an audit: site, checklist version, type, dates, lead auditor, team and scope.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::audits::{auditors, list_templates, PlanAudit};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::audits::AuditType;

#[component]
pub fn PlanAuditPage() -> impl IntoView {
    let plan = ServerAction::<PlanAudit>::new();
    let error = crate::components::forms::rejected(plan);
    let session = expect_context::<crate::session::Session>();
    let choices = Resource::new(
        || (),
        |_| async move { Ok::<_, AppError>((list_templates().await?, auditors().await?)) },
    );
    view! {
        <Title text="Plan an audit" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/audits">"Audits"</A></nav>
            <h1>"Plan an audit"</h1>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match choices.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok((templates, people)) => {
                            let people2 = people.clone();
                            // The planner leads by default (as the API does without a lead).
                            let me = session.user.await.ok().flatten().map(|u| u.id);
                            view! {
                                <ActionForm action=plan attr:class="form form--grid">
                                    <div class="field">
                                        <label class="field__label" for="plan-site">"Site code"</label>
                                        <input id="plan-site" name="audit[site_code]" type="text" required placeholder="KEN-NBO" />
                                        <FieldError error name="site_code" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="plan-template">"Checklist"</label>
                                        <select id="plan-template" name="audit[template_id]">
                                            {templates.into_iter().filter(|t| t.latest).map(|t| view! {
                                                <option value=t.id>{format!("{} v{} — {}", t.code, t.version, t.title)}</option>
                                            }).collect_view()}
                                        </select>
                                        <FieldError error name="template_id" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="plan-type">"Type"</label>
                                        <select id="plan-type" name="audit[audit_type]">
                                            {AuditType::ALL.iter().map(|t| view! { <option value=t.as_str()>{t.label()}</option> }).collect_view()}
                                        </select>
                                        <FieldError error name="audit_type" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="plan-start">"Starts"</label>
                                        <input id="plan-start" name="audit[planned_start]" type="date" required />
                                        <FieldError error name="planned_start" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="plan-end">"Ends"</label>
                                        <input id="plan-end" name="audit[planned_end]" type="date" required />
                                        <FieldError error name="planned_end" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="plan-lead">"Lead auditor"</label>
                                        <select id="plan-lead" name="audit[lead_auditor_id]">
                                            {people.into_iter().map(|p| view! { <option value=p.id selected=me == Some(p.id)>{p.name}</option> }).collect_view()}
                                        </select>
                                        <FieldError error name="lead_auditor_id" />
                                    </div>
                                    <fieldset class="field">
                                        <legend class="field__label">"Team"</legend>
                                        {people2.into_iter().enumerate().map(|(i, p)| view! {
                                            <label class="choice"><input type="checkbox" name=format!("audit[team_ids][{i}]") value=p.id /> {format!(" {}", p.name)}</label>
                                        }).collect_view()}
                                        <FieldError error name="team_ids" />
                                    </fieldset>
                                    <div class="field field--wide">
                                        <label class="field__label" for="plan-scope">"Scope"</label>
                                        <textarea id="plan-scope" name="audit[scope]" rows="3" placeholder="Sections, services and records covered"></textarea>
                                        <FieldError error name="scope" />
                                    </div>
                                    <div class="form__actions">
                                        <button type="submit" class="button button--primary" disabled=move || plan.pending().get()>"Plan the audit"</button>
                                        <A href="/audits" attr:class="button button--quiet">"Cancel"</A>
                                    </div>
                                    <FormError error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                                </ActionForm>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
