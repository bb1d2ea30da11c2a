//! Creating a document: its register entry and first draft.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::documents::{approver_options, CreateDocument};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::auth::{Role, Scope};
use crate::model::documents::Category;
use crate::session::Session;

#[component]
pub fn NewDocumentPage() -> impl IntoView {
    let create = ServerAction::<CreateDocument>::new();
    let error = crate::components::forms::rejected(create);
    let approvers = Resource::new(|| (), |_| approver_options());
    let session = expect_context::<Session>();
    // A site lead drafts variants for their own site: the site is filled in for them.
    let own_site = move || {
        session
            .user
            .get()
            .and_then(Result::ok)
            .flatten()
            .and_then(|u| match (u.role, u.scope) {
                (Role::SiteLead, Scope::Site(code)) => Some(code),
                _ => None,
            })
    };

    view! {
        <Title text="New document" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/documents">"Documents"</A></nav>
            <h1>"New document"</h1>
            <p class="lead">"The document starts as draft version 1. Submit it for approval when the text is ready."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match approvers.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(approvers) => view! {
                            <ActionForm action=create attr:class="form form--grid">
                                <div class="field">
                                    <label class="field__label" for="doc-code">"Code"</label>
                                    <input id="doc-code" name="document[code]" type="text" required maxlength="40" placeholder="LAB-SOP-012" autocomplete="off" />
                                    <FieldError error name="code" />
                                </div>
                                <div class="field field--wide">
                                    <label class="field__label" for="doc-title">"Title"</label>
                                    <input id="doc-title" name="document[title]" type="text" required maxlength="200" />
                                    <FieldError error name="title" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-category">"Category"</label>
                                    <select id="doc-category" name="document[category]">
                                        {Category::ALL.into_iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                                    </select>
                                    <FieldError error name="category" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-site">"Site (for a site variant)"</label>
                                    <input id="doc-site" name="document[site_code]" type="text" placeholder="empty: whole network" value=move || own_site().unwrap_or_default() aria-describedby="doc-site-hint" />
                                    <p id="doc-site-hint" class="field__hint">"Leave empty for a network-wide document. Site leads create variants for their own site."</p>
                                    <FieldError error name="site_code" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-parent">"Parent document (for a site variant)"</label>
                                    <input id="doc-parent" name="document[parent_code]" type="text" placeholder="LAB-SOP-012" />
                                    <FieldError error name="parent_code" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-approver">"Approver"</label>
                                    <select id="doc-approver" name="document[approver_id]" required>
                                        {approvers.into_iter().map(|a| view! { <option value=a.id>{format!("{} ({})", a.name, a.role.label())}</option> }).collect_view()}
                                    </select>
                                    <FieldError error name="approver_id" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-interval">"Review every (months)"</label>
                                    <input id="doc-interval" name="document[review_interval_months]" type="number" min="1" max="120" value="24" />
                                    <FieldError error name="review_interval_months" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-retention">"Keep records (years)"</label>
                                    <input id="doc-retention" name="document[retention_years]" type="number" min="1" max="100" value="10" />
                                    <FieldError error name="retention_years" />
                                </div>
                                <div class="field">
                                    <label class="field__label" for="doc-tags">"Tags"</label>
                                    <input id="doc-tags" name="document[tags]" type="text" placeholder="tb, microscopy" />
                                </div>
                                <fieldset class="field">
                                    <legend class="field__label">"Who must read and acknowledge each new version"</legend>
                                    <label class="choice"><input type="checkbox" name="document[acknowledgement_roles][0]" value="site_lead" checked /> " Site leads"</label>
                                    <label class="choice"><input type="checkbox" name="document[acknowledgement_roles][1]" value="staff" checked /> " Staff"</label>
                                    <FieldError error name="acknowledgement_roles" />
                                </fieldset>
                                <fieldset class="field">
                                    <legend class="field__label">"Approval"</legend>
                                    <label class="choice"><input type="checkbox" name="document[self_approval_allowed]" value="true" /> " The author may approve their own version"</label>
                                </fieldset>
                                <div class="field field--wide">
                                    <label class="field__label" for="doc-content">"Text (Markdown)"</label>
                                    <textarea id="doc-content" name="document[content]" rows="14" class="editor" placeholder="# Purpose\n\n# Scope\n\n# Procedure\n\n1. …"></textarea>
                                    <FieldError error name="content" />
                                </div>
                                <div class="form__actions">
                                    <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Create draft"</button>
                                    <A href="/documents" attr:class="button button--quiet">"Cancel"</A>
                                </div>
                                <FormError error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
