//! One CAPA: where it is on its path, the next step with its form, containment, root cause,
//! the action plan, effectiveness (with the data since implementation), the closing signature,
//! comments, files and the timeline. Every form works without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{CapaStateBadge, DueCell};
use crate::api::capa::{
    capa_assignees, get_capa, AddCapaAction, CommentCapa, TakeCapaStep as CapaStepFn, UpdateCapa,
    UpdateCapaAction,
};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::capa::{
    ActionStatus, Capa, CapaState, CapaStep, RootCauseAnalysis, RootCauseMethod, Verdict,
    CAPA_PATH, FISHBONE_CATEGORIES,
};
use crate::model::documents::Person;

#[derive(Clone, Copy)]
struct Actions {
    step: ServerAction<CapaStepFn>,
    update: ServerAction<UpdateCapa>,
    add: ServerAction<AddCapaAction>,
    progress: ServerAction<UpdateCapaAction>,
    comment: ServerAction<CommentCapa>,
}

fn stamp(text: &str) -> String {
    text.replace('T', " ").trim_end_matches('Z').to_string()
}

#[component]
pub fn CapaPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let actions = Actions {
        step: ServerAction::new(),
        update: ServerAction::new(),
        add: ServerAction::new(),
        progress: ServerAction::new(),
        comment: ServerAction::new(),
    };
    let capa = Resource::new(
        move || {
            (
                id(),
                actions.step.version().get(),
                actions.update.version().get(),
                actions.add.version().get(),
                actions.progress.version().get(),
                actions.comment.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_capa(id).await,
                None => Err(AppError::NotFound("That is not a CAPA id.".into())),
            }
        },
    );
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/capas">"CAPA"</A></nav>
            <Transition fallback=|| view! { <Loading label="Loading the CAPA…" /> }>
                {move || Suspend::new(async move {
                    match capa.await {
                        Ok(capa) => view! { <CapaDetail capa actions /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="CAPA" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// The main path with the current step marked (text, not colour alone).
#[component]
fn Progress(state: CapaState) -> impl IntoView {
    let current = CAPA_PATH.iter().position(|s| *s == state);
    view! {
        <ol class="stepper" aria-label="Progress">
            {CAPA_PATH.iter().enumerate().map(|(i, s)| {
                let class = match current {
                    Some(c) if i < c => "stepper__step stepper__step--done",
                    Some(c) if i == c => "stepper__step stepper__step--current",
                    _ => "stepper__step",
                };
                let mark = match current {
                    Some(c) if i < c => "✓ ",
                    Some(c) if i == c => "● ",
                    _ => "",
                };
                view! {
                    <li class=class aria-current=(current == Some(i)).then_some("step")>
                        <span aria-hidden="true">{mark}</span>{s.label()}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}

#[component]
fn CapaDetail(capa: Capa, actions: Actions) -> impl IntoView {
    let id = capa.summary.id;
    let s = capa.summary.clone();
    let can = capa.can.clone();
    let steps = can.steps.clone();
    let has = move |step: CapaStep| steps.contains(&step);
    let due_for_update = s.due_date.clone();
    let due_for_action = s.due_date.clone();
    let owner_id = s.owner.id;
    let query = use_query_map();
    let file_error = query.with_untracked(|q| q.get("file_error"));
    let attached = query.with_untracked(|q| q.get("attached").is_some());
    let step_error = crate::components::forms::rejected(actions.step);
    let general = |e: Signal<Option<AppError>>| {
        Signal::derive(move || e.get().filter(|e| !matches!(e, AppError::Invalid { .. })))
    };
    let add_error = crate::components::forms::rejected(actions.add);
    let progress_error = crate::components::forms::rejected(actions.progress);
    let update_error = crate::components::forms::rejected(actions.update);
    let comment_error = crate::components::forms::rejected(actions.comment);
    let site_code = s.site_code.clone();
    let assignees = Resource::new(move || site_code.clone(), capa_assignees);
    let plan_open = matches!(
        s.state,
        CapaState::Open | CapaState::Containment | CapaState::RootCause
    );
    let in_progress = matches!(s.state, CapaState::PlanApproved | CapaState::Implementing);
    let latest_check = capa.checks.last().cloned();
    let today_hint = capa.effectiveness_due.clone();

    view! {
        <Title text=format!("{} · {}", s.number, s.title) />
        <header class="page-header">
            <p class="eyebrow">{format!("{} · {} · {}", s.number, s.source.label(), s.site_name)}</p>
            <h1>{s.title.clone()}</h1>
            <p class="lead">
                <CapaStateBadge state=s.state />
                " "<span class=format!("severity severity--{}", s.severity.as_str())>{s.severity.label()}</span>
                {format!(" · opened {} ({} days) · due ", s.opened_on, s.age_days)}
                <DueCell capa=s.clone() />
                {(s.reopened > 0).then(|| view! { <span class="muted">{format!(" · reopened {}× after an ineffective check", s.reopened)}</span> })}
            </p>
        </header>
        {(!matches!(s.state, CapaState::Rejected | CapaState::Cancelled)).then(|| view! { <Progress state=s.state /> })}
        {capa.end_reason.clone().map(|reason| view! {
            <div class="panel panel--warning" role="note"><p>{format!("{}: {reason}", s.state.label())}</p></div>
        })}

        <div class="detail-grid">
            <section class="panel" aria-labelledby="about-title">
                <h2 id="about-title">"About"</h2>
                <dl class="facts">
                    <dt>"Site"</dt><dd><A href=format!("/sites/{}", s.site_code)>{format!("{} ({})", s.site_name, s.site_code)}</A></dd>
                    <dt>"Owner"</dt><dd>{s.owner.name.clone()}</dd>
                    <dt>"Source"</dt>
                    <dd>
                        {s.source.label()}
                        {capa.finding.clone().map(|f| view! {
                            ": "<A href=format!("/audits/{}", f.audit_id)>{format!("finding {} of the {}", f.number, f.audit_label)}</A>
                            {(!f.clause.is_empty()).then(|| format!(" (clause {})", f.clause))}
                        })}
                        {(!capa.source_ref.is_empty()).then(|| format!(" — {}", capa.source_ref))}
                    </dd>
                    <dt>"Raised by"</dt><dd>{format!("{} on {}", capa.created_by.name, stamp(&capa.created_at))}</dd>
                </dl>
                {(!capa.description.is_empty()).then(|| view! { <p class="prewrap">{capa.description.clone()}</p> })}
                {(can.edit || can.change_due).then(|| view! {
                    <details class="dialog">
                        <summary class="button button--quiet">"Change owner or due date…"</summary>
                        <div class="dialog__body">
                            <ActionForm action=actions.update attr:class="form">
                                <input type="hidden" name="id" value=id />
                                <Transition fallback=|| view! { <Loading /> }>
                                    {move || Suspend::new(async move {
                                        let people = assignees.await.unwrap_or_default();
                                        view! { <PersonSelect id="capa-owner" name="update[owner_id]" label="Owner" people selected=owner_id /> }
                                    })}
                                </Transition>
                                <FieldError error=update_error name="owner_id" />
                                {can.change_due.then(|| view! {
                                    <div class="field">
                                        <label class="field__label" for="capa-due">"Due date"</label>
                                        <input id="capa-due" name="update[due_date]" type="date" value=due_for_update.clone() />
                                        <FieldError error=update_error name="due_date" />
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="capa-due-reason">"Reason for a new due date"</label>
                                        <input id="capa-due-reason" name="update[reason]" type="text" />
                                        <FieldError error=update_error name="reason" />
                                    </div>
                                })}
                                <button type="submit" class="button">"Save"</button>
                                <FormError error=general(update_error) />
                            </ActionForm>
                        </div>
                    </details>
                })}
            </section>

            <section class="panel panel--next" aria-labelledby="next-title">
                <h2 id="next-title">"Next step"</h2>
                <p>{s.state.next_step()}</p>
                {capa.plan_return_reason.clone().filter(|_| s.state == CapaState::RootCause).map(|r| view! {
                    <p class="notice notice--warning" role="note">{format!("The plan was returned: {r}")}</p>
                })}
                {has(CapaStep::Contain).then(|| view! {
                    <ActionForm action=actions.step attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="contain" />
                        <div class="field">
                            <label class="field__label" for="containment">"Containment: the immediate correction"</label>
                            <textarea id="containment" name="input[containment]" rows="3" required minlength="10"></textarea>
                            <FieldError error=step_error name="containment" />
                        </div>
                        <button type="submit" class="button button--primary">"Record containment"</button>
                    </ActionForm>
                })}
                {has(CapaStep::RootCause).then(|| view! { <RootCauseForms id action=actions.step error=step_error current=capa.root_cause.clone() /> })}
                {has(CapaStep::SubmitPlan).then(|| view! {
                    <SimpleStep id step="submit_plan" label="Submit the plan for approval" action=actions.step primary=true />
                    <FieldError error=step_error name="actions" />
                })}
                {has(CapaStep::ApprovePlan).then(|| view! {
                    <SimpleStep id step="approve_plan" label="Approve the plan" action=actions.step primary=true />
                })}
                {has(CapaStep::ReturnPlan).then(|| view! {
                    <ReasonStep id step="return_plan" summary="Return the plan…" button="Return the plan" action=actions.step error=step_error danger=false />
                })}
                {has(CapaStep::Start).then(|| view! {
                    <SimpleStep id step="start" label="Start implementing" action=actions.step primary=true />
                })}
                {has(CapaStep::Complete).then(|| view! {
                    <ActionForm action=actions.step attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="complete" />
                        <div class="field">
                            <label class="field__label" for="implemented-on">"Implementation complete on"</label>
                            <input id="implemented-on" name="input[implemented_on]" type="date" />
                            <p class="field__hint">"Leave empty for today. The effectiveness check is scheduled at least 30 days later."</p>
                            <FieldError error=step_error name="implemented_on" />
                        </div>
                        <div class="field">
                            <label class="field__label" for="check-on">"Check effectiveness on (optional)"</label>
                            <input id="check-on" name="input[effectiveness_due]" type="date" />
                            <FieldError error=step_error name="effectiveness_due" />
                        </div>
                        <FieldError error=step_error name="actions" />
                        <button type="submit" class="button button--primary">"Record implementation complete"</button>
                    </ActionForm>
                })}
                {has(CapaStep::Verify).then(|| view! {
                    <ActionForm action=actions.step attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="verify" />
                        {today_hint.clone().map(|d| view! { <p class="field__hint">{format!("Scheduled for {d} or later.")}</p> })}
                        <fieldset class="field">
                            <legend class="field__label">"Verdict"</legend>
                            {Verdict::ALL.iter().map(|v| view! {
                                <label class="choice"><input type="radio" name="input[verdict]" value=v.as_str() required />" "{v.label()}</label>
                            }).collect_view()}
                            <FieldError error=step_error name="verdict" />
                        </fieldset>
                        <div class="field">
                            <label class="field__label" for="check-evidence">"Evidence"</label>
                            <textarea id="check-evidence" name="input[evidence]" rows="3" required minlength="10"></textarea>
                            <FieldError error=step_error name="evidence" />
                        </div>
                        <button type="submit" class="button button--primary">"Record the check"</button>
                    </ActionForm>
                })}
                {has(CapaStep::Close).then(|| view! {
                    <ActionForm action=actions.step attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="close" />
                        <p>"Closing is an electronic signature meaning “verified effective”."</p>
                        <div class="field">
                            <label class="field__label" for="sign-password">"Your password"</label>
                            <input id="sign-password" name="input[password]" type="password" autocomplete="current-password" required />
                            <FieldError error=step_error name="password" />
                        </div>
                        <FieldError error=step_error name="verdict" />
                        <button type="submit" class="button button--primary">"Sign and close"</button>
                    </ActionForm>
                })}
                {has(CapaStep::Reject).then(|| view! {
                    <ReasonStep id step="reject" summary="Reject…" button="Reject the CAPA" action=actions.step error=step_error danger=true />
                })}
                {has(CapaStep::Cancel).then(|| view! {
                    <ReasonStep id step="cancel" summary="Cancel…" button="Cancel the CAPA" action=actions.step error=step_error danger=true />
                })}
                {can.steps.is_empty().then(|| view! { <p class="muted">"Nothing for you to do here now."</p> })}
                <FormError error=general(step_error) />
            </section>
        </div>

        <section class="panel" aria-labelledby="containment-title">
            <h2 id="containment-title">"Containment"</h2>
            {if capa.containment.is_empty() {
                view! { <p class="muted">"Not recorded yet."</p> }.into_any()
            } else {
                view! {
                    <p class="prewrap">{capa.containment.clone()}</p>
                    <p class="muted">{capa.containment_at.clone().map(|t| format!("Recorded {}", stamp(&t)))}</p>
                }.into_any()
            }}
        </section>

        <section class="panel" aria-labelledby="cause-title">
            <h2 id="cause-title">"Root cause"</h2>
            {match capa.root_cause.clone() {
                None => view! { <p class="muted">"Not analysed yet."</p> }.into_any(),
                Some(rc) => view! {
                    {(s.reopened > 0 && capa.root_cause_at.is_none()).then(|| view! {
                        <p class="notice notice--warning" role="note">"Reopened after an ineffective check: revise this analysis before a new plan."</p>
                    })}
                    <RootCauseView analysis=rc at=capa.root_cause_at.clone() />
                }.into_any(),
            }}
        </section>

        <section class="panel" id="plan" aria-labelledby="plan-title">
            <h2 id="plan-title">"Action plan"</h2>
            {capa.plan_approved_by.clone().map(|p| view! {
                <p class="notice notice--ok" role="note">{format!("Approved by {} on {}.", p.name, capa.plan_approved_at.clone().map(|t| stamp(&t)).unwrap_or_default())}</p>
            })}
            {if capa.actions.is_empty() {
                view! { <p class="muted">"No actions yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table">
                            <thead><tr><th scope="col">"No."</th><th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th><th scope="col">"Status"</th></tr></thead>
                            <tbody>
                                {capa.actions.clone().into_iter().map(|a| {
                                    let progressable = can.plan && in_progress && matches!(a.status, ActionStatus::Planned | ActionStatus::InProgress);
                                    view! {
                                        <tr>
                                            <td>{a.number}</td>
                                            <td>{a.description.clone()}{(!a.justification.is_empty()).then(|| view! { <br /><span class="muted">{format!("Due after the CAPA because: {}", a.justification)}</span> })}</td>
                                            <td>{a.owner.name.clone()}</td>
                                            <td>{a.due_date.clone()}{a.overdue.then(|| view! { <br /><strong class="overdue">"⚠ Overdue"</strong> })}</td>
                                            <td>
                                                {a.status.label()}
                                                {progressable.then(|| view! {
                                                    <ActionForm action=actions.progress attr:class="form form--inline">
                                                        <input type="hidden" name="id" value=id />
                                                        <input type="hidden" name="action_id" value=a.id />
                                                        <input type="hidden" name="update[status]" value="done" />
                                                        <button type="submit" class="button button--quiet" aria-label=format!("Mark action {} done", a.number)>"Mark done"</button>
                                                    </ActionForm>
                                                })}
                                                {(can.plan && plan_open && a.status == ActionStatus::Planned).then(|| view! {
                                                    <ActionForm action=actions.progress attr:class="form form--inline">
                                                        <input type="hidden" name="id" value=id />
                                                        <input type="hidden" name="action_id" value=a.id />
                                                        <input type="hidden" name="update[status]" value="cancelled" />
                                                        <button type="submit" class="button button--quiet" aria-label=format!("Drop action {}", a.number)>"Drop"</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <FormError error=progress_error />
            {(can.plan && plan_open).then(|| view! {
                <details class="dialog" open=capa.actions.is_empty()>
                    <summary class="button">"Add an action…"</summary>
                    <div class="dialog__body" role="group" aria-label="Add an action">
                        <ActionForm action=actions.add attr:class="form form--grid">
                            <input type="hidden" name="id" value=id />
                            <div class="field field--wide">
                                <label class="field__label" for="action-description">"Action"</label>
                                <textarea id="action-description" name="action[description]" rows="2" required minlength="5"></textarea>
                                <FieldError error=add_error name="description" />
                            </div>
                            <Transition fallback=|| view! { <Loading /> }>
                                {move || Suspend::new(async move {
                                    let people = assignees.await.unwrap_or_default();
                                    view! { <PersonSelect id="action-owner" name="action[owner_id]" label="Owner" people selected=owner_id /> }
                                })}
                            </Transition>
                            <div class="field">
                                <label class="field__label" for="action-due">"Due"</label>
                                <input id="action-due" name="action[due_date]" type="date" value=due_for_action.clone() />
                                <FieldError error=add_error name="due_date" />
                            </div>
                            <div class="field field--wide">
                                <label class="field__label" for="action-justification">"Justification (if due after the CAPA)"</label>
                                <input id="action-justification" name="action[justification]" type="text" />
                                <FieldError error=add_error name="justification" />
                            </div>
                            <button type="submit" class="button button--primary">"Add action"</button>
                            <FieldError error=add_error name="owner_id" />
                            <FormError error=general(add_error) />
                        </ActionForm>
                    </div>
                </details>
            })}
        </section>

        <section class="panel" aria-labelledby="effect-title">
            <h2 id="effect-title">"Effectiveness"</h2>
            {capa.implemented_on.clone().map(|d| view! {
                <p>{format!("Implemented on {d}; effectiveness check on or after {}.", capa.effectiveness_due.clone().unwrap_or_default())}</p>
            })}
            {(!capa.follow_up.is_empty()).then(|| view! {
                <h3>"Data since implementation"</h3>
                <ul class="follow-up">
                    {capa.follow_up.clone().into_iter().map(|f| {
                        let cue = match f.favourable { Some(true) => "✓ ", Some(false) => "✗ ", None => "" };
                        view! {
                            <li>
                                <span aria-hidden="true">{cue}</span>
                                {match f.href.clone() { Some(href) => view! { <A href=href>{f.label.clone()}</A> }.into_any(), None => view! { <span>{f.label.clone()}</span> }.into_any() }}
                                {format!(": {} ({})", f.value, f.date)}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {if capa.checks.is_empty() {
                view! { <p class="muted">"No effectiveness check recorded."</p> }.into_any()
            } else {
                view! {
                    <ul class="checks">
                        {capa.checks.clone().into_iter().map(|c| view! {
                            <li>
                                <strong>{c.verdict.label()}</strong>
                                {format!(" — {} ({}, {})", c.evidence, c.checked_by.name, stamp(&c.checked_at))}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {latest_check.filter(|c| c.verdict == Verdict::Effective && s.state == CapaState::EffectivenessCheck).map(|_| view! {
                <p class="notice notice--ok" role="note">"Verified effective: ready to close with a signature."</p>
            })}
            {capa.closure.clone().map(|sig| view! {
                <p class="signature" role="note">{format!("Signed by {} on {} — “{}”.", sig.signer.name, stamp(&sig.signed_at), sig.meaning)}</p>
            })}
        </section>

        <section class="panel" id="comments" aria-labelledby="comments-title">
            <h2 id="comments-title">"Comments"</h2>
            {if capa.comments.is_empty() {
                view! { <p class="muted">"No comments yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="comments">
                        {capa.comments.clone().into_iter().map(|c| view! {
                            <li><p class="prewrap">{c.body.clone()}</p><p class="muted">{format!("{} · {}", c.author.name, stamp(&c.created_at))}</p></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can.comment.then(|| view! {
                <ActionForm action=actions.comment attr:class="form">
                    <input type="hidden" name="id" value=id />
                    <div class="field">
                        <label class="field__label" for="comment-body">"Add a comment"</label>
                        <textarea id="comment-body" name="body" rows="2" required></textarea>
                        <FieldError error=comment_error name="body" />
                    </div>
                    <button type="submit" class="button">"Comment"</button>
                    <FormError error=general(comment_error) />
                </ActionForm>
            })}
        </section>

        <section class="panel" id="files" aria-labelledby="files-title">
            <h2 id="files-title">"Files"</h2>
            {attached.then(|| view! { <p class="notice notice--ok" role="status">"File attached."</p> })}
            {file_error.map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
            {if capa.attachments.is_empty() {
                view! { <p class="muted">"No files attached."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {capa.attachments.clone().into_iter().map(|f| view! {
                            <li><a href=format!("/api/v1/capas/{id}/attachments/{}", f.id)>{f.file_name.clone()}</a>{format!(" ({} KB, {} · {})", (f.size + 1023) / 1024, f.uploaded_by.name, stamp(&f.uploaded_at))}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can.attach.then(|| view! {
                <form method="post" action=format!("/capas/{id}/attachments") enctype="multipart/form-data" class="form form--inline">
                    <label class="field">
                        <span class="field__label">"Photo or PDF (at most 10 MB)"</span>
                        <input type="file" name="file" accept="image/jpeg,image/png,image/webp,application/pdf" required />
                    </label>
                    <button type="submit" class="button">"Attach"</button>
                </form>
            })}
        </section>

        <section class="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">"Timeline"</h2>
            {if capa.timeline.is_empty() {
                view! { <EmptyState title="Nothing yet".to_string()><p>"Changes appear here as they happen."</p></EmptyState> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {capa.timeline.clone().into_iter().map(|t| view! {
                            <li>
                                <time>{stamp(&t.at)}</time>
                                <strong>{t.what.clone()}</strong>{format!(" — {}", t.actor)}
                                {(!t.detail.is_empty()).then(|| view! { <p class="prewrap muted">{t.detail.clone()}</p> })}
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

/// A step that needs nothing but a press.
#[component]
fn SimpleStep(
    id: i64,
    step: &'static str,
    label: &'static str,
    action: ServerAction<CapaStepFn>,
    primary: bool,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="form form--inline">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="step" value=step />
            <button type="submit" class=if primary { "button button--primary" } else { "button" } disabled=move || action.pending().get()>{label}</button>
        </ActionForm>
    }
}

/// A step that needs a reason, behind a disclosure so it is never pressed by accident.
#[component]
fn ReasonStep(
    id: i64,
    step: &'static str,
    summary: &'static str,
    button: &'static str,
    action: ServerAction<CapaStepFn>,
    error: Signal<Option<AppError>>,
    danger: bool,
) -> impl IntoView {
    let field = format!("reason-{step}");
    view! {
        <details class="dialog">
            <summary class=if danger { "button button--danger" } else { "button" }>{summary}</summary>
            <div class="dialog__body" role="group" aria-label=button>
                <ActionForm action attr:class="form">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="step" value=step />
                    <div class="field">
                        <label class="field__label" for=field.clone()>"Reason"</label>
                        <textarea id=field name="input[reason]" rows="2" required minlength="5"></textarea>
                        <FieldError error name="reason" />
                    </div>
                    <button type="submit" class=if danger { "button button--danger" } else { "button" }>{button}</button>
                </ActionForm>
            </div>
        </details>
    }
}

/// A choice of person, with the current one selected.
#[component]
fn PersonSelect(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    people: Vec<Person>,
    selected: i64,
) -> impl IntoView {
    view! {
        <div class="field">
            <label class="field__label" for=id>{label}</label>
            <select id=id name=name>
                {people.into_iter().map(|p| view! { <option value=p.id selected=p.id == selected>{p.name}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// The three ways to record the root cause, each its own form: a guided 5 whys, a fishbone
/// with the six classic categories, or another method described in words.
#[component]
fn RootCauseForms(
    id: i64,
    action: ServerAction<CapaStepFn>,
    error: Signal<Option<AppError>>,
    current: Option<RootCauseAnalysis>,
) -> impl IntoView {
    let conclusion = current
        .as_ref()
        .map(|c| c.root_cause.clone())
        .unwrap_or_default();
    let (for_whys, for_fishbone, for_other) = (conclusion.clone(), conclusion.clone(), conclusion);
    let whys = current
        .as_ref()
        .filter(|c| c.method == RootCauseMethod::FiveWhys)
        .map(|c| c.whys.clone())
        .unwrap_or_default();
    let fishbone = current
        .as_ref()
        .filter(|c| c.method == RootCauseMethod::Fishbone)
        .map(|c| c.fishbone.clone())
        .unwrap_or_default();
    let conclusion_field = move |prefix: &'static str, value: String| {
        let field_id = format!("{prefix}-root-cause");
        view! {
            <div class="field">
                <label class="field__label" for=field_id.clone()>"Root cause found"</label>
                <textarea id=field_id name="input[root_cause][root_cause]" rows="2" required minlength="10">{value}</textarea>
                <FieldError error name="root_cause" />
            </div>
        }
    };
    view! {
        <div class="root-cause-forms">
            <details class="dialog" open=true>
                <summary class="button">"5 whys"</summary>
                <div class="dialog__body">
                    <ActionForm action attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="root_cause" />
                        <input type="hidden" name="input[root_cause][method]" value="five_whys" />
                        <p class="field__hint">"Start from the problem and ask “why?” until you reach a cause you can act on. At least two, at most five."</p>
                        {(0..5).map(|i| {
                            let field_id = format!("why-{i}");
                            view! {
                                <div class="field">
                                    <label class="field__label" for=field_id.clone()>{format!("Why {}?", i + 1)}</label>
                                    <input id=field_id type="text" name=format!("input[root_cause][whys][{i}]") required=i < 2 value=whys.get(i).cloned().unwrap_or_default() />
                                </div>
                            }
                        }).collect_view()}
                        <FieldError error name="whys" />
                        {conclusion_field("whys", for_whys.clone())}
                        <button type="submit" class="button button--primary">"Record root cause"</button>
                    </ActionForm>
                </div>
            </details>
            <details class="dialog">
                <summary class="button">"Fishbone"</summary>
                <div class="dialog__body">
                    <ActionForm action attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="root_cause" />
                        <input type="hidden" name="input[root_cause][method]" value="fishbone" />
                        <p class="field__hint">"Write the possible causes under each category that applies (at least two)."</p>
                        {fishbone.categories().into_iter().map(|(name, label, value)| {
                            let field_id = format!("fishbone-{name}");
                            view! {
                                <div class="field">
                                    <label class="field__label" for=field_id.clone()>{label}</label>
                                    <textarea id=field_id name=format!("input[root_cause][fishbone][{name}]") rows="2">{value.to_string()}</textarea>
                                </div>
                            }
                        }).collect_view()}
                        <FieldError error name="fishbone" />
                        {conclusion_field("fishbone", for_fishbone.clone())}
                        <button type="submit" class="button button--primary">"Record root cause"</button>
                    </ActionForm>
                </div>
            </details>
            <details class="dialog">
                <summary class="button">"Other method"</summary>
                <div class="dialog__body">
                    <ActionForm action attr:class="form">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="step" value="root_cause" />
                        <input type="hidden" name="input[root_cause][method]" value="other" />
                        <div class="field">
                            <label class="field__label" for="other-analysis">"The analysis"</label>
                            <textarea id="other-analysis" name="input[root_cause][analysis]" rows="4" required minlength="20"></textarea>
                            <FieldError error name="analysis" />
                        </div>
                        {conclusion_field("other", for_other.clone())}
                        <button type="submit" class="button button--primary">"Record root cause"</button>
                    </ActionForm>
                </div>
            </details>
        </div>
    }
}

/// A recorded analysis: the whys in order, the fishbone by category, or the text.
#[component]
fn RootCauseView(analysis: RootCauseAnalysis, at: Option<String>) -> impl IntoView {
    let body = match analysis.method {
        RootCauseMethod::FiveWhys => view! {
            <ol class="whys">
                {analysis.whys.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}
            </ol>
        }
        .into_any(),
        RootCauseMethod::Fishbone => view! {
            <dl class="fishbone">
                {FISHBONE_CATEGORIES.iter().zip(analysis.fishbone.categories()).filter(|(_, (_, _, v))| !v.trim().is_empty()).map(|((_, label), (_, _, value))| view! {
                    <dt>{*label}</dt><dd class="prewrap">{value.to_string()}</dd>
                }).collect_view()}
            </dl>
        }
        .into_any(),
        RootCauseMethod::Other => view! { <p class="prewrap">{analysis.analysis.clone()}</p> }.into_any(),
    };
    view! {
        <p class="muted">{format!("Method: {}", analysis.method.label())}{at.map(|t| format!(" · recorded {}", stamp(&t)))}</p>
        {body}
        {(analysis.method != RootCauseMethod::Other && !analysis.analysis.is_empty()).then(|| view! { <p class="prewrap">{analysis.analysis.clone()}</p> })}
        <p><strong>"Root cause: "</strong>{analysis.root_cause.clone()}</p>
    }
}
