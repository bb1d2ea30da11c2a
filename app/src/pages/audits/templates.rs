//! Checklist templates: every version, export, and import from JSON.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::audits::{list_templates, ImportTemplate};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::audits::TEMPLATE_KINDS;

#[component]
pub fn TemplatesPage() -> impl IntoView {
    let import = ServerAction::<ImportTemplate>::new();
    let templates = Resource::new(move || import.version().get(), |_| list_templates());
    let error = crate::components::forms::rejected(import);
    view! {
        <Title text="Checklist templates" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/audits">"Audits"</A></nav>
            <h1>"Checklist templates"</h1>
            <p class="lead">"Importing a template with a known code adds its next version; audits keep the version they started with."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match templates.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(templates) => view! {
                            <div class="table-wrap">
                                <table class="table">
                                    <thead><tr>
                                        <th scope="col">"Code"</th><th scope="col">"Version"</th><th scope="col">"Title"</th>
                                        <th scope="col">"Kind"</th><th scope="col">"Sections"</th><th scope="col">"Items"</th>
                                        <th scope="col">"Audits"</th><th scope="col">"Export"</th>
                                    </tr></thead>
                                    <tbody>
                                        {templates.into_iter().map(|t| view! {
                                            <tr>
                                                <td>{t.code.clone()}</td>
                                                <td>{format!("v{}{}", t.version, if t.latest { " (latest)" } else { "" })}</td>
                                                <td>{t.title.clone()}</td>
                                                <td>{t.kind.clone()}</td>
                                                <td>{t.section_count}</td>
                                                <td>{t.item_count}</td>
                                                <td>{t.audit_count}</td>
                                                <td><a href=format!("/api/v1/templates/{}/export", t.id) download=format!("{}-v{}.json", t.code, t.version)>"JSON"</a></td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
            <section class="panel" aria-labelledby="import-title">
                <h2 id="import-title">"Import a template"</h2>
                <ActionForm action=import attr:class="form" attr:data-done="Template imported: its new version is in the list above.">
                    <div class="field">
                        <label class="field__label" for="import-kind">"Kind"</label>
                        <select id="import-kind" name="kind">
                            {TEMPLATE_KINDS.into_iter().map(|k| view! { <option value=k>{k}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="import-json">"Template JSON"</label>
                        <textarea id="import-json" name="json" rows="12" class="editor" required placeholder=r#"{"code": "LAB-QMS", "title": "…", "sections": [{"title": "…", "items": [{"text": "…", "weight": 3, "clause": "8.3"}]}]}"#></textarea>
                        <FieldError error name="template" />
                        <FieldError error name="kind" />
                    </div>
                    <button type="submit" class="button button--primary" disabled=move || import.pending().get()>"Import"</button>
                    <FormError error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                </ActionForm>
            </section>
        </section>
    }
}
