//! Conducting an audit on a tablet: the checklist section by section, one tap per answer.
//!
//! **Answers are never lost.** Each answer goes into a queue kept in the browser's local
//! storage before it is sent; the queue empties only when the server confirms. Without a
//! connection the page keeps working and shows how many answers wait; they are sent when the
//! connection returns (the `online` event, and a retry every few seconds). Every answer carries
//! the revision the auditor saw, so two auditors never overwrite each other's different items,
//! and a clash on the same item comes back as a conflict to resolve here.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{percent_text, Stars};
use crate::api::audits::{answer_items, get_audit};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::error::AppError;
use crate::model::audits::{
    stars, tally, Answer, AnswerConflict, AnswerInput, Audit, Evidence, ItemAnswer, TemplateItem,
};

#[component]
pub fn ConductPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()));
    let audit = Resource::new(id, |id| async move {
        match id {
            Some(id) => get_audit(id).await,
            None => Err(AppError::NotFound("That is not an audit id.".into())),
        }
    });
    view! {
        <section class="page page--conduct">
            <Transition fallback=|| view! { <Loading label="Loading the checklist…" /> }>
                {move || Suspend::new(async move {
                    match audit.await {
                        Ok(audit) if audit.actions.answer => view! { <Checklist audit /> }.into_any(),
                        Ok(audit) => view! {
                            <Title text="Audit" />
                            <ErrorPanel error=AppError::Conflict(format!(
                                "This audit is {} and cannot be answered by you now.",
                                audit.summary.state.label().to_lowercase()
                            )) />
                            <p><A href=format!("/audits/{}", audit.summary.id)>"Back to the audit"</A></p>
                        }.into_any(),
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

/// The queue of unsent answers, kept in local storage (a no-op on the server).
pub(crate) mod queue {
    use crate::model::audits::{AnswerConflict, AnswerInput};

    #[cfg(feature = "hydrate")]
    fn storage() -> Option<leptos::web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    fn key(audit: i64) -> String {
        format!("attest.audit.{audit}.pending")
    }

    fn conflicts_key(audit: i64) -> String {
        format!("attest.audit.{audit}.conflicts")
    }

    /// Clashes not yet resolved, so that a reload does not drop the auditor's own answer.
    pub fn load_conflicts(audit: i64) -> Vec<AnswerConflict> {
        #[cfg(feature = "hydrate")]
        {
            storage()
                .and_then(|s| s.get_item(&conflicts_key(audit)).ok().flatten())
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = conflicts_key(audit);
            Vec::new()
        }
    }

    pub fn save_conflicts(audit: i64, conflicts: &[AnswerConflict]) {
        #[cfg(feature = "hydrate")]
        if let Some(storage) = storage() {
            let _ = if conflicts.is_empty() {
                storage.remove_item(&conflicts_key(audit))
            } else {
                match serde_json::to_string(conflicts) {
                    Ok(text) => storage.set_item(&conflicts_key(audit), &text),
                    Err(_) => Ok(()),
                }
            };
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (audit, conflicts);
    }

    pub fn load(audit: i64) -> Vec<AnswerInput> {
        #[cfg(feature = "hydrate")]
        {
            storage()
                .and_then(|s| s.get_item(&key(audit)).ok().flatten())
                .and_then(|text| serde_json::from_str(&text).ok())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = key(audit);
            Vec::new()
        }
    }

    pub fn save(audit: i64, pending: &[AnswerInput]) {
        #[cfg(feature = "hydrate")]
        if let Some(storage) = storage() {
            let _ = if pending.is_empty() {
                storage.remove_item(&key(audit))
            } else {
                match serde_json::to_string(pending) {
                    Ok(text) => storage.set_item(&key(audit), &text),
                    Err(_) => Ok(()),
                }
            };
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (audit, pending);
    }
}

/// What the page knows: the server's answers, the queue, conflicts and the sync status.
#[derive(Clone, Copy)]
struct Sync {
    audit: i64,
    saved: RwSignal<HashMap<i64, ItemAnswer>>,
    pending: RwSignal<Vec<AnswerInput>>,
    conflicts: RwSignal<Vec<AnswerConflict>>,
    sending: RwSignal<bool>,
    /// Set after an error that retrying cannot fix; the next answer tries again.
    stalled: RwSignal<bool>,
    problem: RwSignal<Option<String>>,
}

impl Sync {
    /// The answer shown for an item: the unsent one if any, else the server's.
    fn shown(&self, item: i64) -> Option<(Answer, String)> {
        self.pending
            .with(|p| {
                p.iter()
                    .find(|q| q.item_id == item)
                    .map(|q| (q.answer, q.notes.clone()))
            })
            .or_else(|| {
                self.saved
                    .with(|s| s.get(&item).map(|a| (a.answer, a.notes.clone())))
            })
    }

    /// Queues an answer (replacing an unsent one for the same item) and tries to send.
    fn answer(&self, item: i64, answer: Answer, notes: String, base_revision: i64) {
        self.pending.update(|p| {
            p.retain(|q| q.item_id != item);
            p.push(AnswerInput {
                item_id: item,
                answer,
                notes,
                base_revision,
            });
        });
        queue::save(self.audit, &self.pending.get_untracked());
        self.stalled.set(false);
        self.send();
    }

    /// Sends the queue once; what the server confirms leaves it. The page may be gone when
    /// the answer arrives (the auditor moved on): then the stored queue is settled directly.
    fn send(&self) {
        let idle = self.sending.try_get_untracked() == Some(false)
            && self.stalled.try_get_untracked() == Some(false);
        let batch = self.pending.try_get_untracked().unwrap_or_default();
        if !idle || batch.is_empty() {
            return;
        }
        let this = *self;
        self.sending.set(true);
        leptos::task::spawn_local(async move {
            match answer_items(this.audit, batch.clone()).await {
                Ok(result) => {
                    let confirmed: HashMap<i64, i64> = result
                        .saved
                        .iter()
                        .map(|a| (a.item_id, a.revision))
                        .collect();
                    let settled = this.pending.try_update(|p| settle(p, &batch, &confirmed));
                    match settled {
                        Some(()) => queue::save(this.audit, &this.pending.get_untracked()),
                        None => {
                            let mut stored = queue::load(this.audit);
                            settle(&mut stored, &batch, &confirmed);
                            queue::save(this.audit, &stored);
                        }
                    }
                    // The other auditor's answer is what the server holds now: show it.
                    let _ = this.saved.try_update(|s| {
                        for a in result.saved {
                            s.insert(a.item_id, a);
                        }
                        for c in &result.conflicts {
                            s.insert(c.theirs.item_id, c.theirs.clone());
                        }
                    });
                    if !result.conflicts.is_empty() {
                        let mut all = queue::load_conflicts(this.audit);
                        all.retain(|x| {
                            !result
                                .conflicts
                                .iter()
                                .any(|y| y.yours.item_id == x.yours.item_id)
                        });
                        all.extend(result.conflicts);
                        queue::save_conflicts(this.audit, &all);
                        let _ = this.conflicts.try_set(all);
                    }
                    let _ = this.problem.try_set(None);
                }
                Err(AppError::Unreachable(_)) => {
                    let _ = this.problem.try_set(Some(
                        "No connection: the answers are kept on this device and will be sent when it returns.".into(),
                    ));
                }
                Err(error) => {
                    // Retrying will not help (the audit was submitted, the session ended, …):
                    // keep the answers on the device, say why, and wait for the auditor.
                    let _ = this.stalled.try_set(true);
                    let _ = this.problem.try_set(Some(format!(
                        "{} The unsent answers stay on this device.",
                        error
                    )));
                }
            }
            let _ = this.sending.try_set(false);
        });
    }
}

/// Takes what the server confirmed out of the queue; answers given while the batch travelled
/// build on the revisions it saved.
fn settle(pending: &mut Vec<AnswerInput>, batch: &[AnswerInput], confirmed: &HashMap<i64, i64>) {
    pending.retain(|q| !batch.contains(q));
    for q in pending.iter_mut() {
        if let Some(revision) = confirmed.get(&q.item_id) {
            q.base_revision = *revision;
        }
    }
}

#[component]
fn Checklist(audit: Audit) -> impl IntoView {
    let id = audit.summary.id;
    let sync = Sync {
        audit: id,
        saved: RwSignal::new(
            audit
                .answers
                .iter()
                .map(|a| (a.item_id, a.clone()))
                .collect(),
        ),
        pending: RwSignal::new(Vec::new()),
        conflicts: RwSignal::new(Vec::new()),
        sending: RwSignal::new(false),
        stalled: RwSignal::new(false),
        problem: RwSignal::new(None),
    };
    // In the browser only: pick up answers left from an earlier visit, then keep sending.
    Effect::new(move |_| {
        let left = queue::load(id);
        if !left.is_empty() {
            sync.pending.set(left);
        }
        sync.conflicts.set(queue::load_conflicts(id));
        sync.send();
        // Both stop with the page, so nothing touches its state after it is gone.
        let online = window_event_listener(leptos::ev::online, move |_| sync.send());
        let retry =
            set_interval_with_handle(move || sync.send(), std::time::Duration::from_secs(4)).ok();
        on_cleanup(move || {
            online.remove();
            if let Some(retry) = retry {
                retry.clear();
            }
        });
    });
    let items: Vec<(i64, i64)> = audit
        .template
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| (i.id, i.weight)))
        .collect();
    let running = Memo::new(move |_| {
        tally(
            items
                .iter()
                .map(|(item, weight)| (*weight, sync.shown(*item).map(|(a, _)| a))),
        )
    });
    let waiting = move || sync.pending.with(Vec::len);
    let s = audit.summary.clone();

    view! {
        <Title text=format!("Conduct · {} {}", s.site_code, s.template_code) />
        <nav class="breadcrumbs" aria-label="Breadcrumb">
            <A href="/audits">"Audits"</A>" / "<A href=format!("/audits/{id}")>{format!("{} {}", s.site_code, s.planned_start)}</A>
        </nav>
        <header class="conduct-bar">
            <div>
                <h1>{format!("{} — {}", s.site_name, s.template_title)}</h1>
                <p class="muted">{move || {
                    let t = running.get();
                    format!("{} of {} items answered", t.answered, t.items)
                }}</p>
            </div>
            <p class="conduct-bar__score">
                {move || percent_text(running.get().percent())}
                " " {move || view! { <Stars stars=running.get().percent().map(stars) /> }}
            </p>
            <p class="sync" role="status" aria-live="polite" data-testid="sync-status">
                {move || match (waiting(), sync.sending.get()) {
                    (0, _) => "✓ All answers saved".to_string(),
                    (1, _) => "⟳ 1 answer waiting to sync".to_string(),
                    (n, _) => format!("⟳ {n} answers waiting to sync"),
                }}
            </p>
        </header>
        {move || sync.problem.get().map(|p| view! { <p class="notice notice--warning" role="alert">{p}</p> })}
        {move || {
            let conflicts = sync.conflicts.get();
            (!conflicts.is_empty()).then(|| view! {
                <section class="panel panel--warning" aria-labelledby="conflicts-title">
                    <h2 id="conflicts-title">"Answers that clash"</h2>
                    <p>"Someone else answered these items after you last saw them. Nothing was overwritten; choose which answer stands."</p>
                    <ul class="plain-list">
                        {conflicts.into_iter().map(|c| {
                            let item = c.yours.item_id;
                            let mine = c.yours.clone();
                            let theirs = c.theirs.clone();
                            view! {
                                <li class="conflict">
                                    <p>{format!(
                                        "Item {}: you answered {}, {} answered {} at {}.",
                                        item, c.yours.answer.label(), c.theirs.answered_by.name, c.theirs.answer.label(),
                                        c.theirs.answered_at.replace('T', " ").trim_end_matches('Z')
                                    )}</p>
                                    <button type="button" class="button" on:click=move |_| {
                                        sync.conflicts.update(|cs| cs.retain(|x| x.yours.item_id != item));
                                        queue::save_conflicts(sync.audit, &sync.conflicts.get_untracked());
                                    }>{format!("Keep {}", theirs.answer.label())}</button>
                                    " "
                                    <button type="button" class="button button--primary" on:click=move |_| {
                                        sync.conflicts.update(|cs| cs.retain(|x| x.yours.item_id != item));
                                        queue::save_conflicts(sync.audit, &sync.conflicts.get_untracked());
                                        sync.answer(item, mine.answer, mine.notes.clone(), theirs.revision);
                                    }>{format!("Use mine ({})", mine.answer.label())}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })
        }}
        {audit.template.sections.iter().map(|section| {
            let section_items: Vec<i64> = section.items.iter().map(|i| i.id).collect();
            let total = section_items.len();
            let done = move || section_items.iter().filter(|i| sync.shown(**i).is_some()).count();
            view! {
                <section class="panel checklist-section" aria-labelledby=format!("section-{}", section.id)>
                    <h2 id=format!("section-{}", section.id)>
                        {section.title.clone()}
                        <span class="checklist-section__progress">{move || format!(" {} / {total}", done())}</span>
                    </h2>
                    <ol class="checklist">
                        {section.items.iter().cloned().map(|item| {
                            let evidence: Vec<Evidence> = audit.evidence.iter().filter(|e| e.item_id == item.id).cloned().collect();
                            view! { <ChecklistItem item sync audit=id evidence /> }
                        }).collect_view()}
                    </ol>
                </section>
            }
        }).collect_view()}
        <p><A href=format!("/audits/{id}") attr:class="button">"Back to the audit (findings, submit)"</A></p>
    }
}

#[component]
fn ChecklistItem(
    item: TemplateItem,
    sync: Sync,
    audit: i64,
    evidence: Vec<Evidence>,
) -> impl IntoView {
    let item_id = item.id;
    let query = use_query_map();
    let attached = move || query.with(|q| q.get("evidence") == Some(item_id.to_string()));
    let refused = move || {
        query.with(|q| {
            (q.get("evidence_item") == Some(item_id.to_string()))
                .then(|| q.get("evidence_error"))
                .flatten()
        })
    };
    let notes = RwSignal::new(sync.shown(item_id).map(|(_, n)| n).unwrap_or_default());
    // Notes waiting in the queue (restored after a reload) win over the server's.
    Effect::new(move |_| {
        let queued = sync.pending.with(|p| {
            p.iter()
                .find(|q| q.item_id == item_id)
                .map(|q| q.notes.clone())
        });
        if let Some(queued) = queued {
            notes.set(queued);
        }
    });
    let base = move || {
        sync.saved
            .with_untracked(|s| s.get(&item_id).map(|a| a.revision).unwrap_or(0))
    };
    let current = move || sync.shown(item_id).map(|(a, _)| a);
    let choose = move |answer: Answer| sync.answer(item_id, answer, notes.get_untracked(), base());
    let label_id = format!("item-text-{item_id}");
    view! {
        <li class="checklist__item" data-item=item_id id=format!("item-{item_id}")>
            <p class="checklist__text" id=label_id.clone()>
                {item.text.clone()}
                <span class="checklist__meta">{format!(" · weight {}{}", item.weight, if item.clause.is_empty() { String::new() } else { format!(" · clause {}", item.clause) })}</span>
            </p>
            {(!item.guidance.is_empty()).then(|| view! { <p class="field__hint">{item.guidance.clone()}</p> })}
            <div class="answer-buttons" role="group" aria-labelledby=label_id>
                {Answer::ALL.iter().copied().map(|answer| view! {
                    <button
                        type="button"
                        class=format!("answer answer--{}", answer.as_str())
                        aria-pressed=move || (current() == Some(answer)).to_string()
                        on:click=move |_| choose(answer)
                    >{answer.label()}</button>
                }).collect_view()}
            </div>
            <label class="field checklist__notes">
                <span class="field__label">"Notes"</span>
                <textarea
                    rows="2"
                    maxlength="4000"
                    prop:value=move || notes.get()
                    on:input=move |ev| notes.set(event_target_value(&ev))
                    on:change=move |_| {
                        if let Some(answer) = current() {
                            sync.answer(item_id, answer, notes.get_untracked(), base());
                        }
                    }
                ></textarea>
            </label>
            <div class="evidence">
                {(!evidence.is_empty()).then(|| view! {
                    <ul class="evidence__list" aria-label="Evidence">
                        {evidence.into_iter().map(|e| view! {
                            <li><a href=format!("/api/v1/audits/{audit}/evidence/{}", e.id) target="_blank" rel="noopener">{format!("{} ({} KB)", e.name, (e.size + 1023) / 1024)}</a></li>
                        }).collect_view()}
                    </ul>
                })}
                {move || attached().then(|| view! { <p class="notice notice--ok" role="status">"Evidence attached."</p> })}
                {move || refused().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <form method="post" enctype="multipart/form-data" action=format!("/audits/{audit}/items/{item_id}/evidence") class="form form--inline evidence__form">
                    <label class="field">
                        <span class="field__label">"Evidence (photo or PDF, at most 10 MB)"</span>
                        <input type="file" name="file" accept="image/jpeg,image/png,image/webp,application/pdf" required />
                    </label>
                    <button type="submit" class="button button--quiet">"Attach"</button>
                </form>
            </div>
            {move || matches!(current(), Some(Answer::No | Answer::Partial)).then(|| view! {
                <A href=format!("/audits/{audit}?item={item_id}#findings-title") attr:class="button button--quiet">"Raise a finding"</A>
            })}
        </li>
    }
}
