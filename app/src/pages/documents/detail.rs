//! One document: what is in force (with its approval and last review), the version history,
//! site variants, reviews, acknowledgement completion, and the actions the caller may take.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_params_map;

use super::{id_param, ReviewDue, StatusBadge, VersionBadge};
use crate::api::documents::{
    document_acknowledgements, get_document, get_version, NewVersion, ReviewDocument,
    WithdrawDocument,
};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::documents::{Document, VersionState};

#[component]
pub fn DocumentPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| id_param(p, "id"));
    let new_version = ServerAction::<NewVersion>::new();
    let review = ServerAction::<ReviewDocument>::new();
    let withdraw = ServerAction::<WithdrawDocument>::new();
    let document = Resource::new(
        move || {
            (
                id(),
                review.version().get(),
                withdraw.version().get(),
                new_version.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_document(id).await,
                None => Err(AppError::NotFound("That is not a document id.".into())),
            }
        },
    );

    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/documents">"Documents"</A></nav>
            <Transition fallback=|| view! { <Loading label="Loading the document…" /> }>
                {move || Suspend::new(async move {
                    match document.await {
                        Ok(doc) => view! { <DocumentDetail doc new_version review withdraw /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Document" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn DocumentDetail(
    doc: Document,
    new_version: ServerAction<NewVersion>,
    review: ServerAction<ReviewDocument>,
    withdraw: ServerAction<WithdrawDocument>,
) -> impl IntoView {
    let id = doc.summary.id;
    let summary = doc.summary.clone();
    let in_force = doc
        .versions
        .iter()
        .find(|v| v.state == VersionState::Effective)
        .cloned();
    let in_force_id = in_force.as_ref().map(|v| v.id);
    let content = Resource::new(
        move || in_force_id,
        move |version_id| async move {
            match version_id {
                Some(version_id) => get_version(id, version_id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let revision = doc.versions.iter().find(|v| v.state.in_progress()).cloned();
    // Reviews of earlier versions say nothing about the one in force.
    let last_review = doc
        .reviews
        .iter()
        .find(|r| Some(r.version_number) == doc.summary.effective_version)
        .cloned();
    let actions = doc.actions.clone();
    let new_version_error = crate::components::forms::rejected(new_version);
    let review_error = crate::components::forms::rejected(review);
    let withdraw_error = crate::components::forms::rejected(withdraw);
    let scope = match (&doc.summary.site_code, &doc.site_name) {
        (Some(code), Some(name)) => format!("{name} ({code})"),
        (Some(code), None) => code.clone(),
        _ => "Whole network".to_string(),
    };
    let versions = doc.versions.clone();
    let compare_options = versions.clone();
    let can_compare = versions.len() > 1;

    view! {
        <Title text=format!("{} · Documents", summary.code) />
        <header class="page-header">
            <p class="eyebrow">{summary.code.clone()}" · "{summary.category.label()}</p>
            <h1>{summary.title.clone()}</h1>
            <p class="lead">
                <StatusBadge status=summary.status />
                " "
                <ReviewDue days=summary.review_in_days due=summary.next_review_due.clone() />
            </p>
        </header>
        {doc.withdrawn_reason.clone().map(|reason| view! {
            <div class="panel panel--warning" role="note">
                <h2>"Withdrawn"</h2>
                <p>{format!("Withdrawn on {}: {reason}", doc.withdrawn_at.clone().unwrap_or_default().get(..10).unwrap_or_default())}</p>
            </div>
        })}
        <div class="detail-grid">
            <section class="panel" aria-labelledby="facts-title">
                <h2 id="facts-title">"About this document"</h2>
                <dl class="facts">
                    <dt>"Applies to"</dt><dd>{scope}</dd>
                    {summary.parent_code.clone().map(|parent| view! { <dt>"Variant of"</dt><dd>{parent}</dd> })}
                    <dt>"Owner"</dt><dd>{summary.owner.name.clone()}</dd>
                    <dt>"Approver"</dt><dd>{doc.approver.name.clone()}</dd>
                    <dt>"In force"</dt>
                    <dd>{match &in_force {
                        Some(v) => format!(
                            "Version {} since {}, approved by {} on {}",
                            v.number,
                            v.effective_date.clone().unwrap_or_default(),
                            v.approved_by.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "—".into()),
                            v.approved_at.clone().unwrap_or_default().get(..10).unwrap_or_default(),
                        ),
                        None => "No version is in force yet".to_string(),
                    }}</dd>
                    <dt>"Last review"</dt>
                    <dd>{match &last_review {
                        Some(r) => format!("{} by {} ({})", r.reviewed_at.get(..10).unwrap_or_default(), r.reviewer.name, if r.outcome == "confirmed" { "confirmed unchanged" } else { "revision started" }),
                        None => "None since it took effect".to_string(),
                    }}</dd>
                    <dt>"Next review"</dt><dd>{summary.next_review_due.clone().unwrap_or_else(|| "—".into())}{format!(" (every {} months)", doc.review_interval_months)}</dd>
                    <dt>"Retention"</dt><dd>{format!("{} years", doc.retention_years)}</dd>
                    <dt>"Acknowledged by"</dt><dd>{doc.acknowledgement_roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")}</dd>
                    {(!doc.tags.is_empty()).then(|| view! { <dt>"Tags"</dt><dd>{doc.tags.join(", ")}</dd> })}
                </dl>
            </section>
            <section class="panel" aria-labelledby="actions-title">
                <h2 id="actions-title">"Actions"</h2>
                {revision.clone().map(|v| view! {
                    <p>
                        {format!("Version {} is being prepared ({}). ", v.number, v.state.label().to_lowercase())}
                        <A href=format!("/documents/{id}/versions/{}", v.id)>{format!("Open version {}", v.number)}</A>
                    </p>
                })}
                {(actions.new_version && revision.is_none()).then(|| view! {
                    <ActionForm action=new_version attr:class="form form--inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button" disabled=move || new_version.pending().get()>"Start a new version"</button>
                    </ActionForm>
                    <FormError error=new_version_error />
                })}
                {actions.review.then(|| view! {
                    <details class="dialog">
                        <summary class="button">"Record a periodic review…"</summary>
                        <div class="dialog__body" role="group" aria-label="Periodic review">
                            <ActionForm action=review attr:class="form" attr:data-done="Review recorded.">
                                <input type="hidden" name="id" value=id />
                                <fieldset class="field">
                                    <legend class="field__label">"Outcome"</legend>
                                    <label class="choice"><input type="radio" name="review[outcome]" value="confirm" checked /> " Confirm the version in force unchanged (signed; the review clock restarts)"</label>
                                    <label class="choice"><input type="radio" name="review[outcome]" value="revise" /> " Start a revision (a new draft)"</label>
                                    <FieldError error=review_error name="outcome" />
                                </fieldset>
                                <div class="field">
                                    <label class="field__label" for="review-notes">"Notes"</label>
                                    <textarea id="review-notes" name="review[notes]" rows="3"></textarea>
                                </div>
                                <div class="field">
                                    <label class="field__label" for="review-password">"Your password (to sign a confirmation)"</label>
                                    <input id="review-password" name="review[password]" type="password" autocomplete="current-password" />
                                    <FieldError error=review_error name="password" />
                                </div>
                                <button type="submit" class="button button--primary" disabled=move || review.pending().get()>"Record review"</button>
                                <FormError error=Signal::derive(move || review_error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                            </ActionForm>
                        </div>
                    </details>
                })}
                {actions.withdraw.then(|| view! {
                    <details class="dialog">
                        <summary class="button button--danger">"Withdraw…"</summary>
                        <div class="dialog__body" role="group" aria-label="Withdraw the document">
                            <p>"Withdrawing cannot be undone. The document and all its versions stay readable; pending acknowledgements are cancelled."</p>
                            <ActionForm action=withdraw attr:class="form">
                                <input type="hidden" name="id" value=id />
                                <div class="field">
                                    <label class="field__label" for="withdraw-reason">"Reason"</label>
                                    <textarea id="withdraw-reason" name="reason" rows="2" required minlength="5"></textarea>
                                    <FieldError error=withdraw_error name="reason" />
                                </div>
                                <button type="submit" class="button button--danger" disabled=move || withdraw.pending().get()>"Withdraw the document"</button>
                                <FormError error=Signal::derive(move || withdraw_error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                            </ActionForm>
                        </div>
                    </details>
                })}
                {(!actions.edit && !actions.review && !actions.withdraw && revision.is_none()).then(|| view! {
                    <p class="muted">"Nothing for you to do here; you can read the version in force below."</p>
                })}
            </section>
        </div>

        <section class="panel" aria-labelledby="content-title">
            <h2 id="content-title">{in_force.as_ref().map(|v| format!("Version {} in force", v.number)).unwrap_or_else(|| "Text".into())}</h2>
            <Transition fallback=|| view! { <Loading label="Loading the text…" /> }>
                {move || Suspend::new(async move {
                    match content.await {
                        Ok(Some(version)) => view! {
                            {version.summary.file.clone().map(|file| view! {
                                <p><a href=format!("/api/v1/documents/{id}/versions/{}/file", version.summary.id) download>{format!("Download {} ({} KB)", file.name, (file.size + 1023) / 1024)}</a></p>
                            })}
                            <article class="markdown" inner_html=version.content_html></article>
                        }.into_any(),
                        Ok(None) => view! { <p class="muted">"No version is in force yet. Open the draft from the history below."</p> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>

        <section class="panel" aria-labelledby="history-title">
            <h2 id="history-title">"Version history"</h2>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Version"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Change"</th>
                            <th scope="col">"Author"</th>
                            <th scope="col">"Approved"</th>
                            <th scope="col">"In force"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {versions.into_iter().map(|v| view! {
                            <tr>
                                <td><A href=format!("/documents/{id}/versions/{}", v.id)>{format!("Version {}", v.number)}</A></td>
                                <td><VersionBadge state=v.state /></td>
                                <td>{v.change_summary.clone()}</td>
                                <td>{v.author.name.clone()}</td>
                                <td>{match (&v.approved_by, &v.approved_at) {
                                    (Some(p), Some(at)) => format!("{} on {}", p.name, at.get(..10).unwrap_or_default()),
                                    _ => "—".into(),
                                }}</td>
                                <td>{match (&v.effective_date, &v.superseded_at) {
                                    (Some(from), Some(to)) => format!("{from} to {}", to.get(..10).unwrap_or_default()),
                                    (Some(from), None) => format!("since {from}"),
                                    _ => "—".into(),
                                }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {can_compare.then(|| {
                let newest = compare_options.first().map(|v| v.id).unwrap_or_default();
                let older = compare_options.get(1).map(|v| v.id).unwrap_or_default();
                view! {
                    <Form method="GET" action=format!("/documents/{id}/diff") attr:class="toolbar">
                        <label class="field">
                            <span class="field__label">"Compare"</span>
                            <select name="from">
                                {compare_options.iter().map(|v| view! { <option value=v.id selected=v.id == older>{format!("Version {}", v.number)}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span class="field__label">"with"</span>
                            <select name="to">
                                {compare_options.iter().map(|v| view! { <option value=v.id selected=v.id == newest>{format!("Version {}", v.number)}</option> }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="button">"Show differences"</button>
                    </Form>
                }
            })}
        </section>

        {(!doc.variants.is_empty()).then(move || view! {
            <section class="panel" aria-labelledby="variants-title">
                <h2 id="variants-title">"Site variants"</h2>
                <ul class="plain-list">
                    {doc.variants.into_iter().map(|v| view! {
                        <li>
                            <A href=format!("/documents/{}", v.id)>{v.code.clone()}</A>
                            {format!(" — {} · {}", v.title, v.site_code.clone().unwrap_or_default())}
                            " " <StatusBadge status=v.status />
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}

        {(!doc.reviews.is_empty()).then(move || view! {
            <section class="panel" aria-labelledby="reviews-title">
                <h2 id="reviews-title">"Reviews"</h2>
                <ul class="plain-list">
                    {doc.reviews.into_iter().map(|r| view! {
                        <li>{format!(
                            "{} · version {} · {} by {}{}",
                            r.reviewed_at.get(..10).unwrap_or_default(),
                            r.version_number,
                            if r.outcome == "confirmed" { "confirmed unchanged" } else { "revision started" },
                            r.reviewer.name,
                            if r.notes.is_empty() { String::new() } else { format!(": {}", r.notes) }
                        )}</li>
                    }).collect_view()}
                </ul>
            </section>
        })}

        {(actions.see_acknowledgements && in_force_id.is_some()).then(|| view! { <AcknowledgementCompletion id /> })}
    }
}

/// Who has read the version in force, per site.
#[component]
fn AcknowledgementCompletion(id: i64) -> impl IntoView {
    let status = Resource::new(move || id, document_acknowledgements);
    view! {
        <section class="panel" aria-labelledby="acks-title">
            <h2 id="acks-title">"Read and acknowledged"</h2>
            <Transition fallback=|| view! { <Loading label="Loading acknowledgements…" /> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) if status.sites.is_empty() => view! {
                            <EmptyState title="No acknowledgements in your scope".to_string()>
                                <p>"Nobody in your sites was asked to acknowledge this version."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(status) => {
                            let pending: Vec<_> = status.tasks.iter().filter(|t| t.acknowledged_at.is_none()).cloned().collect();
                            view! {
                                <div class="table-wrap">
                                    <table class="table">
                                        <thead><tr><th scope="col">"Site"</th><th scope="col">"Done"</th><th scope="col">"Completion"</th><th scope="col">"Overdue"</th></tr></thead>
                                        <tbody>
                                            {status.sites.into_iter().map(|s| {
                                                let percent = if s.total == 0 { 100 } else { s.done * 100 / s.total };
                                                view! {
                                                    <tr>
                                                        <td>{format!("{} ({})", s.site_name, s.site_code)}</td>
                                                        <td>{format!("{} of {}", s.done, s.total)}</td>
                                                        <td><meter min="0" max="100" value=percent></meter>{format!(" {percent}%")}</td>
                                                        <td>{if s.overdue > 0 { format!("⚠ {}", s.overdue) } else { "0".into() }}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {(!pending.is_empty()).then(|| view! {
                                    <h3>"Still to acknowledge"</h3>
                                    <ul class="plain-list">
                                        {pending.into_iter().map(|t| view! {
                                            <li>{format!("{} ({}) — due {}", t.user.name, t.site_code, t.due_date)}</li>
                                        }).collect_view()}
                                    </ul>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
