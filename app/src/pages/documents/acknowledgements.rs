//! "SOPs to acknowledge": the reader's own tasks, with one button each.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::documents::{my_acknowledgements, Acknowledge};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::FormError;
use crate::model::documents::{review_label, Acknowledgement};

#[component]
pub fn AcknowledgementsPage() -> impl IntoView {
    let acknowledge = ServerAction::<Acknowledge>::new();
    let tasks = Resource::new(
        move || acknowledge.version().get(),
        |_| my_acknowledgements(),
    );
    let error = crate::components::forms::rejected(acknowledge);

    view! {
        <Title text="SOPs to acknowledge" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/documents">"Documents"</A></nav>
            <h1>"SOPs to acknowledge"</h1>
            <p class="lead">"Read each new version in force, then confirm you have read and understood it."</p>
            <FormError error />
            <div id="acknowledged"></div>
            <Transition fallback=|| view! { <Loading label="Loading your tasks…" /> }>
                {move || Suspend::new(async move {
                    match tasks.await {
                        Ok(tasks) => {
                            let (pending, done): (Vec<Acknowledgement>, Vec<Acknowledgement>) =
                                tasks.into_iter().partition(|t| t.acknowledged_at.is_none());
                            view! {
                                {if pending.is_empty() {
                                    view! {
                                        <EmptyState title="Nothing to acknowledge".to_string()>
                                            <p>"You have read every SOP in force that applies to you."</p>
                                        </EmptyState>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ul class="task-list" aria-label="Pending acknowledgements">
                                            {pending.into_iter().map(|task| view! { <PendingTask task acknowledge /> }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                {(!done.is_empty()).then(|| view! {
                                    <h2>"Recently acknowledged"</h2>
                                    <ul class="plain-list">
                                        {done.into_iter().take(20).map(|t| view! {
                                            <li>
                                                <A href=format!("/documents/{}", t.document_id)>{t.document_code.clone()}</A>
                                                {format!(" version {} — {} on {}", t.version_number, t.document_title, t.acknowledged_at.clone().unwrap_or_default().get(..10).unwrap_or_default())}
                                            </li>
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

#[component]
fn PendingTask(task: Acknowledgement, acknowledge: ServerAction<Acknowledge>) -> impl IntoView {
    let overdue = task.due_in_days.is_some_and(|d| d < 0);
    let due = task.due_in_days.map(review_label).unwrap_or_default();
    view! {
        <li class="task" class:task--overdue=overdue>
            <div class="task__body">
                <A href=format!("/documents/{}/versions/{}", task.document_id, task.version_id)>
                    {format!("{} — {}", task.document_code, task.document_title)}
                </A>
                <p class="task__meta">{format!("Version {} · {} ({})", task.version_number, if overdue { format!("⚠ {due}") } else { due }, task.due_date)}</p>
            </div>
            <ActionForm action=acknowledge attr:class="form form--inline" attr:data-done="Acknowledged {document_code} version {version_number}." attr:data-done-in="acknowledged">
                <input type="hidden" name="id" value=task.id />
                <button type="submit" class="button button--primary" aria-label=format!("I have read {} version {}", task.document_code, task.version_number)>
                    "I have read it"
                </button>
            </ActionForm>
        </li>
    }
}
