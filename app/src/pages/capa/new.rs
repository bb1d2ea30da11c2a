//! Raising a CAPA by hand (from an incident, complaint, management review, PT or radiology QC).
//! CAPAs for audit findings are raised from the finding, in one click.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::capa::CreateCapa;
use crate::api::sites::list_sites;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::audits::Severity;
use crate::model::capa::CapaSource;

#[component]
pub fn NewCapaPage() -> impl IntoView {
    let create = ServerAction::<CreateCapa>::new();
    let error = crate::components::forms::rejected(create);
    let general = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    });
    let sites = Resource::new(|| (), |_| list_sites());
    view! {
        <Title text="Raise a CAPA" />
        <section class="page page--narrow">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/capas">"CAPA"</A></nav>
            <h1>"Raise a CAPA"</h1>
            <p class="lead">"For an audit finding, use “Raise CAPA” on the finding instead: it fills everything in and keeps the link."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match sites.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(sites) => view! {
                            <ActionForm action=create attr:class="form">
                                <div class="field">
                                    <label class="field__label" for="capa-site">"Site"</label>
                                    <select id="capa-site" name="capa[site]" required>
                                        {sites.into_iter().map(|s| view! { <option value=s.code.clone()>{format!("{} — {}", s.code, s.name)}</option> }).collect_view()}
                                    </select>
                                    <FieldError error name="site" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="capa-title">"Title"</label>
                                    <input id="capa-title" name="capa[title]" type="text" required minlength="3" maxlength="200" />
                                    <FieldError error name="title" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="capa-description">"What happened"</label>
                                    <textarea id="capa-description" name="capa[description]" rows="4"></textarea>
                                    <FieldError error name="description" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="capa-source">"Source"</label>
                                    <select id="capa-source" name="capa[source]">
                                        {CapaSource::ALL.iter().filter(|s| **s != CapaSource::AuditFinding).map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                                    </select>
                                    <FieldError error name="source" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="capa-ref">"Reference"</label>
                                    <input id="capa-ref" name="capa[source_ref]" type="text" maxlength="200" placeholder="Incident report, PT round, complaint number…" />
                                    <FieldError error name="source_ref" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="capa-severity">"Severity"</label>
                                    <select id="capa-severity" name="capa[severity]">
                                        {[Severity::Critical, Severity::Major, Severity::Minor].into_iter().map(|s| view! { <option value=s.as_str() selected=s == Severity::Major>{s.label()}</option> }).collect_view()}
                                    </select>
                                    <p class="field__hint">"Sets the default due date: critical 30, major 60, minor 90 days unless an administrator changed them."</p>
                                    <FieldError error name="severity" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="capa-due">"Due date (optional)"</label>
                                    <input id="capa-due" name="capa[due_date]" type="date" />
                                    <FieldError error name="due_date" />
                                </div>
                                <p class="field__hint">"The site lead owns the CAPA; you can hand it to someone else afterwards."</p>
                                <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Raise the CAPA"</button>
                                <FormError error=general />
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
