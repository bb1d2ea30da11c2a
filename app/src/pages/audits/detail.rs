//! One audit: what, where and who; the score with stars, sections and the PT gate; findings;
//! and the next step (start, continue conducting, submit, cancel).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{percent_text, AuditStateBadge, Stars};
use crate::api::audits::{
    get_audit, CancelAudit, RaiseFinding, StartAudit, SubmitAudit, WithdrawFinding,
};
use crate::api::capa::CreateCapa;
use crate::api::reports::IssueAuditReport;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::audits::{Audit, AuditState, Severity};
use crate::model::auth::Role;

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartAudit>,
    submit: ServerAction<SubmitAudit>,
    cancel: ServerAction<CancelAudit>,
    raise: ServerAction<RaiseFinding>,
    withdraw: ServerAction<WithdrawFinding>,
    raise_capa: ServerAction<CreateCapa>,
    issue: ServerAction<IssueAuditReport>,
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let actions = Actions {
        start: ServerAction::new(),
        submit: ServerAction::new(),
        cancel: ServerAction::new(),
        raise: ServerAction::new(),
        withdraw: ServerAction::new(),
        raise_capa: ServerAction::new(),
        issue: ServerAction::new(),
    };
    let audit = Resource::new(
        move || {
            (
                id(),
                actions.submit.version().get(),
                actions.cancel.version().get(),
                actions.raise.version().get(),
                actions.withdraw.version().get(),
                actions.issue.version().get(),
            )
        },
        |(id, ..)| async move {
            match id {
                Some(id) => get_audit(id).await,
                None => Err(AppError::NotFound("That is not an audit id.".into())),
            }
        },
    );
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/audits">"Audits"</A></nav>
            <Transition fallback=|| view! { <Loading label="Loading the audit…" /> }>
                {move || Suspend::new(async move {
                    let user = crate::session::use_session().user.await.ok().flatten().map(|u| u.id).unwrap_or_default();
                    match audit.await {
                        Ok(audit) => view! { <AuditDetail audit actions user /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Audit" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditDetail(audit: Audit, actions: Actions, user: i64) -> impl IntoView {
    let id = audit.summary.id;
    let s = audit.summary.clone();
    let can = audit.actions.clone();
    let score = audit.score.clone();
    let query = use_query_map();
    // "Raise a finding" from a checklist item arrives with the item prefilled.
    let from_item = query.with_untracked(|q| q.get("item").and_then(|v| v.parse::<i64>().ok()));
    let item = from_item.and_then(|item_id| {
        audit
            .template
            .sections
            .iter()
            .flat_map(|s| s.items.iter())
            .find(|i| i.id == item_id)
            .cloned()
    });
    let item_notes = item
        .as_ref()
        .and_then(|i| audit.answers.iter().find(|a| a.item_id == i.id))
        .map(|a| a.notes.clone())
        .unwrap_or_default();
    let item_open = item.is_some();
    let submit_error = crate::components::forms::rejected(actions.submit);
    let cancel_error = crate::components::forms::rejected(actions.cancel);
    let raise_error = crate::components::forms::rejected(actions.raise);
    let withdraw_error = crate::components::forms::rejected(actions.withdraw);
    let issue_error = crate::components::forms::rejected(actions.issue);
    let raise_capa_error = crate::components::forms::rejected(actions.raise_capa);
    let session = crate::session::use_session();
    // CAPAs are raised once the audit is submitted, by those who may raise them for the site.
    let may_raise_capa = matches!(
        s.state,
        AuditState::Submitted | AuditState::ReportIssued | AuditState::Closed
    ) && session
        .user
        .get_untracked()
        .and_then(Result::ok)
        .flatten()
        .is_some_and(|u| {
            matches!(
                u.role,
                Role::QualityOfficer | Role::RegionalManager | Role::SiteLead
            )
        });
    let not_invalid = |e: Signal<Option<AppError>>| {
        Signal::derive(move || e.get().filter(|e| !matches!(e, AppError::Invalid { .. })))
    };
    let findings = audit.findings.clone();
    let team = audit
        .team
        .iter()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let results_hidden = s.state.as_str() != "planned"
        && audit.answers.is_empty()
        && score.answered == 0
        && !can.answer;

    view! {
        <Title text=format!("{} audit · {}", s.site_code, s.planned_start) />
        <header class="page-header">
            <p class="eyebrow">{format!("{} v{} · {} audit", s.template_code, s.template_version, s.audit_type.label())}</p>
            <h1>{format!("{} — {}", s.site_name, s.template_title)}</h1>
            <p class="lead"><AuditStateBadge state=s.state />{format!(" {} to {}", s.planned_start, s.planned_end)}</p>
        </header>
        {audit.cancel_reason.clone().map(|reason| view! {
            <div class="panel panel--warning" role="note"><p>{format!("Cancelled: {reason}")}</p></div>
        })}
        <div class="detail-grid">
            <section class="panel" aria-labelledby="about-title">
                <h2 id="about-title">"About this audit"</h2>
                <dl class="facts">
                    <dt>"Site"</dt><dd><A href=format!("/sites/{}", s.site_code)>{format!("{} ({})", s.site_name, s.site_code)}</A></dd>
                    <dt>"Lead auditor"</dt><dd>{s.lead_auditor.name.clone()}</dd>
                    <dt>"Team"</dt><dd>{if team.is_empty() { "—".to_string() } else { team }}</dd>
                    <dt>"Scope"</dt><dd>{if audit.scope.is_empty() { "—".to_string() } else { audit.scope.clone() }}</dd>
                    <dt>"Started"</dt><dd>{audit.started_at.clone().map(|t| t.replace('T', " ").trim_end_matches('Z').to_string()).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Submitted"</dt><dd>{audit.submitted_at.clone().map(|t| t.replace('T', " ").trim_end_matches('Z').to_string()).unwrap_or_else(|| "—".into())}</dd>
                </dl>
            </section>
            <section class="panel" aria-labelledby="next-title">
                <h2 id="next-title">"Next step"</h2>
                {can.start.then(|| view! {
                    <ActionForm action=actions.start attr:class="form form--inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button button--primary">"Start the audit"</button>
                    </ActionForm>
                })}
                {can.answer.then(|| view! {
                    <p><A href=format!("/audits/{id}/conduct") attr:class="button button--primary">"Conduct the audit"</A></p>
                })}
                {can.submit.then(|| view! {
                    <details class="dialog">
                        <summary class="button">"Submit…"</summary>
                        <div class="dialog__body" role="group" aria-label="Submit the audit">
                            <p>"Once submitted, the answers can no longer change and the site sees the score and findings. Every item must have an answer."</p>
                            <UnsentAnswers audit=id user />
                            <ActionForm action=actions.submit attr:class="form form--inline">
                                <input type="hidden" name="id" value=id />
                                <button type="submit" id="submit-audit" class="button button--primary">"Submit the audit"</button>
                            </ActionForm>
                            <FieldError error=submit_error name="answers" />
                            <FormError error=not_invalid(submit_error) />
                        </div>
                    </details>
                })}
                {can.cancel.then(|| view! {
                    <details class="dialog">
                        <summary class="button button--danger">"Cancel the audit…"</summary>
                        <div class="dialog__body" role="group" aria-label="Cancel the audit">
                            <ActionForm action=actions.cancel attr:class="form">
                                <input type="hidden" name="id" value=id />
                                <div class="field">
                                    <label class="field__label" for="cancel-reason">"Reason"</label>
                                    <textarea id="cancel-reason" name="reason" rows="2" required minlength="5"></textarea>
                                    <FieldError error=cancel_error name="reason" />
                                </div>
                                <button type="submit" class="button button--danger">"Cancel the audit"</button>
                                <FormError error=not_invalid(cancel_error) />
                            </ActionForm>
                        </div>
                    </details>
                })}
                {can.issue_report.then(|| view! {
                    <p>"The audit is submitted: " <a href="#report-title">"issue its signed report"</a> "."</p>
                })}
                {(!can.start && !can.answer && !can.submit && !can.cancel && !can.issue_report).then(|| view! {
                    <p class="muted">"Nothing for you to do here now."</p>
                })}
            </section>
        </div>

        <ReportPanel audit=audit.clone() actions issue_error />

        {if results_hidden {
            view! {
                <section class="panel"><p class="muted">"The score and findings are shown to the site once the audit is submitted."</p></section>
            }.into_any()
        } else {
            view! {
                <section class="panel" aria-labelledby="score-title">
                    <h2 id="score-title">"Score"</h2>
                    <p class="score">
                        <span class="score__percent">{percent_text(score.percent)}</span>
                        " " <Stars stars=score.stars />
                        <span class="muted">{format!(" · {} of {} points · {} of {} items answered", score.points, score.applicable, score.answered, score.items)}</span>
                    </p>
                    {score.pt_gate.clone().map(|gate| view! {
                        <p class=if gate.passed { "notice notice--ok" } else { "notice notice--warning" } role="note">
                            {if gate.passed { "PT gate passed. " } else { "⚠ PT gate: " }}{gate.reason}
                        </p>
                    })}
                    <div class="table-wrap">
                        <table class="table table--dense">
                            <caption class="visually-hidden">"Score per section"</caption>
                            <thead><tr><th scope="col">"Section"</th><th scope="col">"Points"</th><th scope="col">"Score"</th><th scope="col">"Answered"</th></tr></thead>
                            <tbody>
                                {score.sections.iter().map(|section| {
                                    let percent = section.percent.unwrap_or(0.0);
                                    view! {
                                        <tr>
                                            <td>{section.title.clone()}</td>
                                            <td>{format!("{} / {}", section.points, section.applicable)}</td>
                                            <td><meter min="0" max="100" low="55" high="85" optimum="100" value=percent></meter>{format!(" {}", percent_text(section.percent))}</td>
                                            <td>{format!("{} of {}", section.answered, section.items)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
                <section class="panel" aria-labelledby="findings-title">
                    <h2 id="findings-title">"Findings"</h2>
                    {if findings.is_empty() {
                        view! { <EmptyState title="No findings".to_string()><p>"No findings have been raised for this audit."</p></EmptyState> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap">
                                <table class="table">
                                    <thead><tr><th scope="col">"No."</th><th scope="col">"Severity"</th><th scope="col">"Clause"</th><th scope="col">"Description"</th><th scope="col">"CAPA"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                                    <tbody>
                                        {findings.into_iter().map(|f| view! {
                                            <tr class:muted=f.status != "open">
                                                <td>{f.number}</td>
                                                <td><span class=format!("severity severity--{}", f.severity.as_str())>{f.severity.label()}</span></td>
                                                <td>{f.clause.clone()}</td>
                                                <td>
                                                    {f.description.clone()}
                                                    {(!f.evidence.is_empty()).then(|| view! { <br /><span class="muted">{format!("Evidence: {}", f.evidence)}</span> })}
                                                    {f.withdrawn_reason.clone().map(|r| view! { <br /><span class="muted">{format!("Withdrawn: {r}")}</span> })}
                                                </td>
                                                <td>
                                                    {match f.capa.clone() {
                                                        Some(capa) => view! {
                                                            <A href=format!("/capas/{}", capa.id)>{capa.number.clone()}</A>
                                                            <br /><span class=format!("status status--capa-{}", capa.state.as_str())>{capa.state.label()}</span>
                                                        }.into_any(),
                                                        None if f.capa_required && may_raise_capa => view! {
                                                            <ActionForm action=actions.raise_capa attr:class="form form--inline">
                                                                <input type="hidden" name="capa[finding_id]" value=f.id />
                                                                <button type="submit" class="button button--quiet" aria-label=format!("Raise a CAPA for finding {}", f.number)>"Raise CAPA"</button>
                                                            </ActionForm>
                                                        }.into_any(),
                                                        None if f.capa_required => view! { "Required" }.into_any(),
                                                        None => view! { "—" }.into_any(),
                                                    }}
                                                </td>
                                                <td>
                                                    {(can.findings && f.status == "open").then(|| view! {
                                                        <details class="dialog">
                                                            <summary class="button button--quiet">"Withdraw…"</summary>
                                                            <div class="dialog__body">
                                                                <ActionForm action=actions.withdraw attr:class="form">
                                                                    <input type="hidden" name="id" value=id />
                                                                    <input type="hidden" name="finding_id" value=f.id />
                                                                    <label class="field">
                                                                        <span class="field__label">"Reason"</span>
                                                                        <input type="text" name="reason" required minlength="5" />
                                                                    </label>
                                                                    <button type="submit" class="button button--danger">"Withdraw finding"</button>
                                                                </ActionForm>
                                                            </div>
                                                        </details>
                                                    })}
                                                </td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <FormError error=withdraw_error />
                            <FormError error=raise_capa_error />
                        }.into_any()
                    }}
                    {can.findings.then(|| view! {
                        <details class="dialog" open=item_open>
                            <summary class="button">"Raise a finding…"</summary>
                            <div class="dialog__body" role="group" aria-label="Raise a finding">
                                <ActionForm action=actions.raise attr:class="form form--grid">
                                    <input type="hidden" name="id" value=id />
                                    {item.clone().map(|i| view! { <input type="hidden" name="finding[item_id]" value=i.id /> })}
                                    <div class="field">
                                        <label class="field__label" for="finding-severity">"Severity"</label>
                                        <select id="finding-severity" name="finding[severity]">
                                            {Severity::ALL.iter().map(|sv| view! { <option value=sv.as_str() selected=*sv == Severity::Major>{sv.label()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="field">
                                        <label class="field__label" for="finding-clause">"Clause"</label>
                                        <input id="finding-clause" name="finding[clause]" type="text" value=item.as_ref().map(|i| i.clause.clone()).unwrap_or_default() />
                                    </div>
                                    <div class="field field--wide">
                                        <label class="field__label" for="finding-description">"Description"</label>
                                        <textarea id="finding-description" name="finding[description]" rows="3" required>{item.as_ref().map(|i| if item_notes.is_empty() { i.text.clone() } else { format!("{} — {}", i.text, item_notes) }).unwrap_or_default()}</textarea>
                                        <FieldError error=raise_error name="description" />
                                    </div>
                                    <div class="field field--wide">
                                        <label class="field__label" for="finding-evidence">"Objective evidence"</label>
                                        <textarea id="finding-evidence" name="finding[evidence]" rows="2"></textarea>
                                    </div>
                                    <button type="submit" class="button button--primary" disabled=move || actions.raise.pending().get()>"Raise finding"</button>
                                    <FormError error=not_invalid(raise_error) />
                                </ActionForm>
                            </div>
                        </details>
                    })}
                </section>
            }.into_any()
        }}
    }
}

/// The audit's report: the signed file once issued (with its fingerprint and where to verify
/// it), otherwise a DRAFT preview and, for the lead auditor of a submitted audit, issuing.
#[component]
fn ReportPanel(
    audit: Audit,
    actions: Actions,
    issue_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = audit.summary.id;
    let can = audit.actions.clone();
    if audit.report.is_none() && !can.preview_report && !can.issue_report {
        return ().into_any();
    }
    let pdf = format!("/api/v1/audits/{id}/report.pdf");
    let pending = move || actions.issue.pending().get();
    let other_error = Signal::derive(move || {
        issue_error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    });
    view! {
        <section class="panel" aria-labelledby="report-title">
            <h2 id="report-title">"Report"</h2>
            {match audit.report.clone() {
                Some(report) => view! {
                    <p>
                        {format!("Report {} issued {} by {}, digitally signed ({}).",
                            report.reference,
                            report.issued_at.replace('T', " ").replace('Z', " UTC"),
                            report.signer_name,
                            report.certificate_subject)}
                    </p>
                    <p><a href=pdf.clone() class="button button--primary" download=report.file_name.clone()>"Download the signed report (PDF)"</a></p>
                    <p class="muted">
                        "SHA-256 " <code class="hash">{report.sha256.clone()}</code>
                        ". Anyone can check a copy on the " <A href="/verify">"verification page"</A> "."
                    </p>
                }.into_any(),
                None => view! {
                    {can.preview_report.then(|| view! {
                        <p>
                            <a href=pdf.clone() target="_blank" rel="noopener" class="button">"Preview the draft report (PDF)"</a>
                            <span class="muted">" Marked DRAFT on every page and unsigned."</span>
                        </p>
                    })}
                    {can.issue_report.then(|| view! {
                        <details class="dialog" open=move || issue_error.get().is_some()>
                            <summary class="button button--primary">"Issue the report…"</summary>
                            <div class="dialog__body" role="group" aria-label="Issue the report">
                                <p>
                                    "Issuing signs the report with your password (electronic signature, meaning: issued) "
                                    "and digitally with the organisation's certificate. An issued report is never replaced, "
                                    "and the findings can no longer change."
                                </p>
                                <ActionForm action=actions.issue attr:class="form">
                                    <input type="hidden" name="id" value=id />
                                    <div class="field">
                                        <label class="field__label" for="issue-password">"Your password"</label>
                                        <input id="issue-password" name="password" type="password" autocomplete="current-password" required />
                                        <FieldError error=issue_error name="password" />
                                    </div>
                                    <button type="submit" class="button button--primary" disabled=pending>
                                        {move || if pending() { "Signing and issuing…" } else { "Sign and issue the report" }}
                                    </button>
                                    <FormError error=other_error />
                                </ActionForm>
                            </div>
                        </details>
                    })}
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}

/// Answers still waiting on this device must reach the server before the audit is submitted:
/// says how many wait and holds the submit button (`#submit-audit`) until they are sent.
#[island]
fn UnsentAnswers(audit: i64, user: i64) -> impl IntoView {
    let unsent = RwSignal::new(0usize);
    Effect::new(move |_| {
        let waiting = super::conduct::queue::load(user, audit).0.len();
        unsent.set(waiting);
        if let Some(button) = document().get_element_by_id("submit-audit") {
            let _ = if waiting > 0 {
                button.set_attribute("disabled", "")
            } else {
                button.remove_attribute("disabled")
            };
        }
    });
    view! {
        {move || (unsent.get() > 0).then(|| view! {
            <p class="notice notice--warning" role="alert">
                {format!("{} answers on this device have not reached the server yet. ", unsent.get())}
                <a href=format!("/audits/{audit}/conduct")>"Open the checklist to send them"</a>
            </p>
        })}
    }
}
