//! One version: its text and file, the editor while it is a draft, and the lifecycle actions
//! (submit, approve with an electronic signature, return to draft, make effective).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{id_param, VersionBadge};
use crate::api::documents::{
    get_document, get_version, ApproveVersion, MakeEffective, ReturnVersion, SaveDraft,
    SubmitVersion,
};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::documents::{Document, Version, VersionState};

/// The actions of the version page, shared by its parts.
#[derive(Clone, Copy)]
struct VersionActions {
    save: ServerAction<SaveDraft>,
    submit: ServerAction<SubmitVersion>,
    approve: ServerAction<ApproveVersion>,
    send_back: ServerAction<ReturnVersion>,
    make_effective: ServerAction<MakeEffective>,
}

#[component]
pub fn VersionPage() -> impl IntoView {
    let params = use_params_map();
    let ids = move || params.with(|p| (id_param(p, "id"), id_param(p, "version_id")));
    let actions = VersionActions {
        save: ServerAction::new(),
        submit: ServerAction::new(),
        approve: ServerAction::new(),
        send_back: ServerAction::new(),
        make_effective: ServerAction::new(),
    };
    let changes = move || {
        (
            actions.save.version().get(),
            actions.submit.version().get(),
            actions.approve.version().get(),
            actions.send_back.version().get(),
            actions.make_effective.version().get(),
        )
    };
    let data = Resource::new(
        move || (ids(), changes()),
        |((id, version_id), _)| async move {
            let (Some(id), Some(version_id)) = (id, version_id) else {
                return Err(AppError::NotFound("That is not a version id.".into()));
            };
            let version = get_version(id, version_id).await?;
            let document = get_document(id).await?;
            Ok::<_, AppError>((document, version))
        },
    );

    view! {
        <section class="page">
            <Transition fallback=|| view! { <Loading label="Loading the version…" /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((document, version)) => view! { <VersionDetail document version actions /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! {
                                <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/documents">"Documents"</A></nav>
                                <Title text="Version" /><ErrorPanel error />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn VersionDetail(document: Document, version: Version, actions: VersionActions) -> impl IntoView {
    let id = document.summary.id;
    let version_id = version.summary.id;
    let number = version.summary.number;
    let state = version.summary.state;
    let allowed = document.actions.clone();
    let query = use_query_map();
    let uploaded = move || query.with(|q| q.get("uploaded").is_some());
    let upload_error = move || query.with(|q| q.get("upload_error"));
    let error_of = |action: Signal<Option<AppError>>| {
        Signal::derive(move || {
            action
                .get()
                .filter(|e| !matches!(e, AppError::Invalid { .. }))
        })
    };
    let save_error = crate::components::forms::rejected(actions.save);
    let submit_error = crate::components::forms::rejected(actions.submit);
    let approve_error = crate::components::forms::rejected(actions.approve);
    let return_error = crate::components::forms::rejected(actions.send_back);
    let effective_error = crate::components::forms::rejected(actions.make_effective);
    let in_force = document
        .versions
        .iter()
        .find(|v| v.state == VersionState::Effective && v.id != version_id)
        .map(|v| v.number);
    let editing = state == VersionState::Draft && allowed.edit;
    let summary = version.summary.clone();

    let code = document.summary.code.clone();
    let title = document.summary.title.clone();
    let approver = document.approver.name.clone();
    let crumb = code.clone();
    view! {
        <Title text=format!("{code} v{number} · Documents") />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/documents">"Documents"</A>
            " / "
            <A href=format!("/documents/{id}")>{crumb}</A>
        </nav>
        <header class="page-header">
            <p class="eyebrow">{code.clone()}</p>
            <h1>{format!("{title} — version {number}")}</h1>
            <p class="lead"><VersionBadge state /></p>
        </header>
        {(state == VersionState::Superseded).then(|| view! {
            <div class="panel panel--warning" role="note">
                <p>{format!(
                    "Superseded{}: this version is no longer in force{}. It is kept for the record.",
                    summary.superseded_at.clone().unwrap_or_default().get(..10).map(|d| format!(" on {d}")).unwrap_or_default(),
                    in_force.map(|n| format!("; version {n} is in force now")).unwrap_or_default()
                )}</p>
            </div>
        })}
        {summary.returned_reason.clone().filter(|_| state == VersionState::Draft).map(|reason| view! {
            <div class="panel panel--warning" role="note"><p>{format!("Returned to draft: {reason}")}</p></div>
        })}
        <dl class="facts facts--inline">
            <dt>"Author"</dt><dd>{summary.author.name.clone()}</dd>
            <dt>"Change"</dt><dd>{if summary.change_summary.is_empty() { "—".to_string() } else { summary.change_summary.clone() }}</dd>
            {summary.submitted_at.clone().map(|at| view! { <dt>"Submitted"</dt><dd>{at.get(..10).unwrap_or_default().to_string()}</dd> })}
            {summary.approved_by.clone().map(|p| view! { <dt>"Approved"</dt><dd>{format!("{} on {} (electronic signature)", p.name, summary.approved_at.clone().unwrap_or_default().get(..16).unwrap_or_default().replace('T', " "))}</dd> })}
            {summary.effective_date.clone().map(|d| view! { <dt>"In force from"</dt><dd>{d}</dd> })}
        </dl>

        <section class="panel" aria-labelledby="version-actions">
            <h2 id="version-actions">"Next step"</h2>
            {match state {
                VersionState::Draft if allowed.edit => view! {
                    <p>"When the text is ready, submit it to the approver."</p>
                    <ActionForm action=actions.submit attr:class="form form--inline">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="version_id" value=version_id />
                        <button type="submit" class="button button--primary" disabled=move || actions.submit.pending().get()>"Submit for approval"</button>
                    </ActionForm>
                    <FieldError error=submit_error name="content" />
                    <FormError error=error_of(submit_error) />
                }.into_any(),
                VersionState::InReview if allowed.approve => view! {
                    <details class="dialog" open>
                        <summary class="button button--primary">"Approve…"</summary>
                        <div class="dialog__body" role="group" aria-label="Approve with your electronic signature">
                            <p>{format!("Approving signs version {number} electronically with the meaning “approved”. Enter your password to sign.")}</p>
                            <ActionForm action=actions.approve attr:class="form">
                                <input type="hidden" name="id" value=id />
                                <input type="hidden" name="version_id" value=version_id />
                                <div class="field">
                                    <label class="field__label" for="approve-password">"Your password"</label>
                                    <input id="approve-password" name="password" type="password" autocomplete="current-password" required />
                                    <FieldError error=approve_error name="password" />
                                </div>
                                <button type="submit" class="button button--primary" disabled=move || actions.approve.pending().get()>"Sign and approve"</button>
                                <FormError error=error_of(approve_error) />
                            </ActionForm>
                        </div>
                    </details>
                    <ReturnForm id version_id action=actions.send_back error=return_error />
                }.into_any(),
                VersionState::Approved if allowed.make_effective || allowed.approve => view! {
                    {allowed.make_effective.then(|| view! {
                        <details class="dialog">
                            <summary class="button button--primary">"Make effective…"</summary>
                            <div class="dialog__body" role="group" aria-label="Make this version effective">
                                <p>{match in_force {
                                    Some(n) => format!("Version {number} comes into force today and version {n} is superseded. Everyone in scope is asked to read and acknowledge it within 14 days. This cannot be undone."),
                                    None => format!("Version {number} comes into force today. Everyone in scope is asked to read and acknowledge it within 14 days. This cannot be undone."),
                                }}</p>
                                <ActionForm action=actions.make_effective attr:class="form form--inline">
                                    <input type="hidden" name="id" value=id />
                                    <input type="hidden" name="version_id" value=version_id />
                                    <button type="submit" class="button button--primary" disabled=move || actions.make_effective.pending().get()>{format!("Yes, make version {number} effective")}</button>
                                </ActionForm>
                                <FormError error=effective_error />
                            </div>
                        </details>
                    })}
                    {allowed.approve.then(|| view! { <ReturnForm id version_id action=actions.send_back error=return_error /> })}
                }.into_any(),
                VersionState::Draft => view! { <p class="muted">"This draft is being written by the document's owner."</p> }.into_any(),
                VersionState::InReview => view! { <p class="muted">{format!("Waiting for approval by {approver}.")}</p> }.into_any(),
                VersionState::Approved => view! { <p class="muted">"Approved; waiting to be put into force."</p> }.into_any(),
                VersionState::Effective => view! { <p>"This is the version in force."</p> }.into_any(),
                VersionState::Superseded => view! { <p class="muted">"Nothing more happens to a superseded version."</p> }.into_any(),
            }}
        </section>

        {if editing {
            view! {
                <section class="panel" aria-labelledby="editor-title">
                    <h2 id="editor-title">"Edit the draft"</h2>
                    <ActionForm action=actions.save attr:class="form" attr:data-done="Draft saved.">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="version_id" value=version_id />
                        <div class="field">
                            <label class="field__label" for="draft-summary">"What changed"</label>
                            <input id="draft-summary" name="draft[change_summary]" type="text" maxlength="1000" value=summary.change_summary.clone() />
                            <FieldError error=save_error name="change_summary" />
                        </div>
                        <div class="field">
                            <label class="field__label" for="draft-content">"Text (Markdown)"</label>
                            <textarea id="draft-content" name="draft[content]" rows="20" class="editor">{version.content.clone()}</textarea>
                            <FieldError error=save_error name="content" />
                        </div>
                        <button type="submit" class="button button--primary" disabled=move || actions.save.pending().get()>"Save draft"</button>
                        <FormError error=error_of(save_error) />
                    </ActionForm>
                    <h3>"Attached file"</h3>
                    {move || uploaded().then(|| view! { <p class="notice notice--ok" role="status">"File attached."</p> })}
                    {move || upload_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                    {summary.file.clone().map(|file| view! {
                        <p>{format!("Attached: {} ({} KB, SHA-256 {}…)", file.name, (file.size + 1023) / 1024, &file.sha256[..12])}</p>
                    })}
                    <form method="post" enctype="multipart/form-data" action=format!("/documents/{id}/versions/{version_id}/file") class="form form--inline">
                        <label class="field">
                            <span class="field__label">"PDF or DOCX, at most 10 MB"</span>
                            <input type="file" name="file" accept=".pdf,.docx,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document" required />
                        </label>
                        <button type="submit" class="button">{if summary.file.is_some() { "Replace file" } else { "Attach file" }}</button>
                    </form>
                </section>
            }.into_any()
        } else {
            view! {
                <section class="panel" aria-labelledby="text-title">
                    <h2 id="text-title">"Text"</h2>
                    {summary.file.clone().map(|file| view! {
                        <p><a href=format!("/api/v1/documents/{id}/versions/{version_id}/file") download>{format!("Download {} ({} KB)", file.name, (file.size + 1023) / 1024)}</a></p>
                    })}
                    <article class="markdown" inner_html=version.content_html.clone()></article>
                </section>
            }.into_any()
        }}
    }
}

/// Sends a version back to its author, with the reason.
#[component]
fn ReturnForm(
    id: i64,
    version_id: i64,
    action: ServerAction<ReturnVersion>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    view! {
        <details class="dialog">
            <summary class="button">"Return to draft…"</summary>
            <div class="dialog__body" role="group" aria-label="Return to draft">
                <ActionForm action attr:class="form">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="version_id" value=version_id />
                    <div class="field">
                        <label class="field__label" for="return-reason">"What needs to change"</label>
                        <textarea id="return-reason" name="reason" rows="2" required minlength="5"></textarea>
                        <FieldError error name="reason" />
                    </div>
                    <button type="submit" class="button" disabled=move || action.pending().get()>"Return to draft"</button>
                    <FormError error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                </ActionForm>
            </div>
        </details>
    }
}
