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
    TemplateSection,
};

#[component]
pub fn ConductPage() -> impl IntoView {
    let params = use_params_map();
    let session = crate::session::use_session();
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
                    let user = session.user.await.ok().flatten().map(|user| user.id);
                    match (audit.await, user) {
                        (Ok(audit), Some(user)) if audit.actions.answer => {
                            let s = &audit.summary;
                            let id = s.id;
                            let (attached, refused) = evidence_outcome();
                            view! {
                                <Title text=format!("Conduct · {} {}", s.site_code, s.template_code) />
                                <nav class="breadcrumbs" aria-label="Breadcrumb">
                                    <a href="/audits">"Audits"</a>" / "<a href=format!("/audits/{id}")>{format!("{} {}", s.site_code, s.planned_start)}</a>
                                </nav>
                                <Checklist audit=ChecklistAudit::from(&audit) user attached refused />
                                <p class="notice notice--warning" role="alert" data-early-problem hidden></p>
                                <script nonce=leptos::nonce::use_nonce() inner_html=EARLY_TAPS></script>
                                <p><a href=format!("/audits/{id}") class="button">"Back to the audit (findings, submit)"</a></p>
                            }.into_any()
                        }
                        (Ok(audit), _) => view! {
                            <Title text="Audit" />
                            <ErrorPanel error=AppError::Conflict(format!(
                                "This audit is {} and cannot be answered by you now.",
                                audit.summary.state.label().to_lowercase()
                            )) />
                            <p><A href=format!("/audits/{}", audit.summary.id)>"Back to the audit"</A></p>
                        }.into_any(),
                        (Err(error), _) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Audit" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// Keeps answers tapped before the client has started (see the file for how it hands over).
const EARLY_TAPS: &str = include_str!("early_taps.js");

/// What the address says about the last evidence upload (a plain form post that came back):
/// the item it was attached to, or the item and why it was refused.
fn evidence_outcome() -> (Option<i64>, Option<(i64, String)>) {
    let query = use_query_map().get_untracked();
    let attached = query.get("evidence").and_then(|v| v.parse().ok());
    let refused = query
        .get("evidence_item")
        .and_then(|v| v.parse().ok())
        .zip(query.get("evidence_error"));
    (attached, refused)
}

/// The queue of unsent answers, kept in the browser's local storage (a no-op on the server).
///
/// Each user has their own queue per audit (`attest.u{user}.audit.{audit}.pending`): on a
/// shared tablet, answers left by one auditor are never shown to or sent by the next. An entry
/// that cannot be read (cut short, edited by hand) is set aside under a `.damaged` key rather
/// than overwritten, and a full storage quota is reported instead of being ignored.
pub(crate) mod queue {
    use serde::{de::DeserializeOwned, Serialize};

    use crate::model::audits::{AnswerConflict, AnswerInput, ItemAnswer};

    /// Why an answer could not be kept on the device.
    #[derive(Debug, Clone, PartialEq, Eq)]
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub enum StoreError {
        Full,
        Unavailable,
    }

    impl StoreError {
        pub fn message(&self) -> &'static str {
            match self {
                StoreError::Full => {
                    "This device's storage is full, so the last answer is kept only until the \
                     page closes. Keep the page open until it is sent, or free some space."
                }
                StoreError::Unavailable => {
                    "This browser does not let Attest keep answers on the device (private \
                     browsing?): keep the page open until they are sent."
                }
            }
        }
    }

    pub(crate) fn pending_key(user: i64, audit: i64) -> String {
        format!("attest.u{user}.audit.{audit}.pending")
    }

    pub(crate) fn conflicts_key(user: i64, audit: i64) -> String {
        format!("attest.u{user}.audit.{audit}.conflicts")
    }

    pub(crate) fn confirmed_key(user: i64, audit: i64) -> String {
        format!("attest.u{user}.audit.{audit}.confirmed")
    }

    /// Where a build before per-user queues kept them; adopted by the next user to open the
    /// audit (the server still checks they may answer it).
    pub(crate) fn legacy_key(audit: i64) -> String {
        format!("attest.audit.{audit}.pending")
    }

    /// What a stored entry holds: its items, or `None` when it cannot be read.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Option<Vec<T>> {
        serde_json::from_str(text).ok()
    }

    /// Reads the pending answers, moving an unreadable entry aside; `true` when one was.
    pub fn load(user: i64, audit: i64) -> (Vec<AnswerInput>, bool) {
        let (mut pending, damaged) = read::<AnswerInput>(&pending_key(user, audit));
        let (legacy, legacy_damaged) = read::<AnswerInput>(&legacy_key(audit));
        if !legacy.is_empty() {
            for answer in legacy {
                if !pending.iter().any(|p| p.item_id == answer.item_id) {
                    pending.push(answer);
                }
            }
            if save(user, audit, &pending).is_ok() {
                remove(&legacy_key(audit));
            }
        }
        (pending, damaged || legacy_damaged)
    }

    pub fn save(user: i64, audit: i64, pending: &[AnswerInput]) -> Result<(), StoreError> {
        write(&pending_key(user, audit), pending)
    }

    /// Answers the server confirmed, newest revision per item. A page reopened offline is the
    /// copy saved when it was last loaded; these bring it up to what was sent since.
    pub fn load_confirmed(user: i64, audit: i64) -> Vec<ItemAnswer> {
        read(&confirmed_key(user, audit)).0
    }

    pub fn add_confirmed(user: i64, audit: i64, saved: &[ItemAnswer]) -> Result<(), StoreError> {
        let mut all = load_confirmed(user, audit);
        for answer in saved {
            all.retain(|a| a.item_id != answer.item_id);
            all.push(answer.clone());
        }
        write(&confirmed_key(user, audit), &all)
    }

    /// Clashes not yet resolved, so that a reload does not drop the auditor's own answer.
    pub fn load_conflicts(user: i64, audit: i64) -> Vec<AnswerConflict> {
        read(&conflicts_key(user, audit)).0
    }

    pub fn save_conflicts(
        user: i64,
        audit: i64,
        conflicts: &[AnswerConflict],
    ) -> Result<(), StoreError> {
        write(&conflicts_key(user, audit), conflicts)
    }

    #[cfg(feature = "hydrate")]
    fn storage() -> Option<leptos::web_sys::Storage> {
        leptos::prelude::window().local_storage().ok().flatten()
    }

    fn read<T: DeserializeOwned>(key: &str) -> (Vec<T>, bool) {
        #[cfg(feature = "hydrate")]
        {
            let Some(storage) = storage() else {
                return (Vec::new(), false);
            };
            let Some(text) = storage.get_item(key).ok().flatten() else {
                return (Vec::new(), false);
            };
            match parse(&text) {
                Some(items) => (items, false),
                None => {
                    // Kept for whoever can repair it; the queue starts again empty.
                    let aside = format!("{key}.damaged.{}", js_sys::Date::now() as u64);
                    let _ = storage.set_item(&aside, &text);
                    let _ = storage.remove_item(key);
                    (Vec::new(), true)
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = key;
            (Vec::new(), false)
        }
    }

    fn write<T: Serialize>(key: &str, items: &[T]) -> Result<(), StoreError> {
        #[cfg(feature = "hydrate")]
        {
            let storage = storage().ok_or(StoreError::Unavailable)?;
            if items.is_empty() {
                let _ = storage.remove_item(key);
                return Ok(());
            }
            let text = serde_json::to_string(items).map_err(|_| StoreError::Unavailable)?;
            // Browsers throw a QuotaExceededError when the origin's storage is full.
            storage.set_item(key, &text).map_err(|_| StoreError::Full)
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = (key, items);
            Ok(())
        }
    }

    fn remove(key: &str) {
        #[cfg(feature = "hydrate")]
        if let Some(storage) = storage() {
            let _ = storage.remove_item(key);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = key;
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn each_user_has_their_own_queue_per_audit() {
            assert_eq!(pending_key(7, 42), "attest.u7.audit.42.pending");
            assert_ne!(pending_key(7, 42), pending_key(8, 42));
            assert_ne!(conflicts_key(7, 42), pending_key(7, 42));
            assert_eq!(legacy_key(42), "attest.audit.42.pending");
        }

        #[test]
        fn a_damaged_entry_is_told_apart_from_an_empty_one() {
            assert_eq!(parse::<AnswerInput>("[]"), Some(vec![]));
            assert_eq!(
                parse::<AnswerInput>(r#"[{"item_id":3,"answer":"yes","no"#),
                None
            );
            let stored = r#"[{"item_id":3,"answer":"yes","notes":"","base_revision":0}]"#;
            assert_eq!(parse::<AnswerInput>(stored).map(|q| q.len()), Some(1));
        }
    }
}

/// What the page knows: the server's answers, the queue, conflicts and the sync status.
#[derive(Clone, Copy)]
struct Sync {
    audit: i64,
    /// Whose answers these are: the queue is theirs and the server checks it on sending.
    user: i64,
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
        self.keep(queue::save(
            self.user,
            self.audit,
            &self.pending.get_untracked(),
        ));
        self.stalled.set(false);
        self.send();
    }

    /// Says so when the device could not keep an answer (it stays in memory and is sent).
    fn keep(&self, stored: Result<(), queue::StoreError>) {
        if let Err(problem) = stored {
            let _ = self.problem.try_set(Some(problem.message().to_string()));
        }
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
            match answer_items(this.audit, batch.clone(), this.user).await {
                Ok(result) => {
                    let confirmed: HashMap<i64, i64> = result
                        .saved
                        .iter()
                        .map(|a| (a.item_id, a.revision))
                        .collect();
                    let settled = this.pending.try_update(|p| settle(p, &batch, &confirmed));
                    let stored = match settled {
                        Some(()) => {
                            queue::save(this.user, this.audit, &this.pending.get_untracked())
                        }
                        None => {
                            let (mut stored, _) = queue::load(this.user, this.audit);
                            settle(&mut stored, &batch, &confirmed);
                            queue::save(this.user, this.audit, &stored)
                        }
                    };
                    // The other auditor's answer is what the server holds now: show it.
                    let mut problem = stored
                        .and(queue::add_confirmed(this.user, this.audit, &result.saved))
                        .err()
                        .map(|p| p.message().to_string());
                    let _ = this.saved.try_update(|s| {
                        for a in result.saved {
                            s.insert(a.item_id, a);
                        }
                        for c in &result.conflicts {
                            s.insert(c.theirs.item_id, c.theirs.clone());
                        }
                    });

                    if !result.conflicts.is_empty() {
                        let mut all = queue::load_conflicts(this.user, this.audit);
                        all.retain(|x| {
                            !result
                                .conflicts
                                .iter()
                                .any(|y| y.yours.item_id == x.yours.item_id)
                        });
                        all.extend(result.conflicts);
                        if let Err(p) = queue::save_conflicts(this.user, this.audit, &all) {
                            problem = Some(p.message().to_string());
                        }
                        let _ = this.conflicts.try_set(all);
                    }
                    let _ = this.problem.try_set(problem);
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

/// What the checklist needs of an audit. The island's props travel as JSON in the page and are
/// read by code in the client, so they hold only what the checklist shows (the whole `Audit`,
/// with its findings, score, report and flattened summary, had cost the client 14 KiB brotli).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct ChecklistAudit {
    id: i64,
    site_name: String,
    template_title: String,
    sections: Vec<TemplateSection>,
    answers: Vec<ItemAnswer>,
    evidence: Vec<Evidence>,
}

impl From<&Audit> for ChecklistAudit {
    fn from(audit: &Audit) -> Self {
        ChecklistAudit {
            id: audit.summary.id,
            site_name: audit.summary.site_name.clone(),
            template_title: audit.summary.template_title.clone(),
            sections: audit.template.sections.clone(),
            answers: audit.answers.clone(),
            evidence: audit.evidence.clone(),
        }
    }
}

/// The checklist as the auditor works through it: the part of the page that runs in the
/// browser (answers, the queue, clashes), handed the audit as the server rendered it.
#[island]
fn Checklist(
    audit: ChecklistAudit,
    user: i64,
    /// The item evidence was just attached to.
    attached: Option<i64>,
    /// The item whose evidence was refused, and why.
    refused: Option<(i64, String)>,
) -> impl IntoView {
    let id = audit.id;
    let sync = Sync {
        audit: id,
        user,
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
        let (left, damaged) = queue::load(user, id);
        if !left.is_empty() {
            sync.pending.set(left);
        }
        if damaged {
            sync.problem.set(Some(
                "Some answers kept on this device could not be read and were set aside; check \
                 the checklist and answer again where needed."
                    .into(),
            ));
        }
        sync.conflicts.set(queue::load_conflicts(user, id));
        let confirmed = queue::load_confirmed(user, id);
        sync.saved.update(|saved| {
            for answer in confirmed {
                let newer = saved
                    .get(&answer.item_id)
                    .is_none_or(|shown| shown.revision < answer.revision);
                if newer {
                    saved.insert(answer.item_id, answer);
                }
            }
        });
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

    view! {
        <header class="conduct-bar" data-early-queue=queue::pending_key(user, id)>
            <div>
                <h1>{format!("{} — {}", audit.site_name, audit.template_title)}</h1>
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
                    (1, _) => "⟳ 1 answer waiting to be sent".to_string(),
                    (n, _) => format!("⟳ {n} answers waiting to be sent"),
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
                                        sync.keep(queue::save_conflicts(sync.user, sync.audit, &sync.conflicts.get_untracked()));
                                    }>{format!("Keep {}", theirs.answer.label())}</button>
                                    " "
                                    <button type="button" class="button button--primary" on:click=move |_| {
                                        sync.conflicts.update(|cs| cs.retain(|x| x.yours.item_id != item));
                                        sync.keep(queue::save_conflicts(sync.user, sync.audit, &sync.conflicts.get_untracked()));
                                        sync.answer(item, mine.answer, mine.notes.clone(), theirs.revision);
                                    }>{format!("Use mine ({})", mine.answer.label())}</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })
        }}
        {audit.sections.iter().map(|section| {
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
                            let attached = attached == Some(item.id);
                            let refused = refused.as_ref().filter(|(i, _)| *i == item.id).map(|(_, why)| why.clone());
                            view! { <ChecklistItem item sync audit=id evidence attached refused /> }
                        }).collect_view()}
                    </ol>
                </section>
            }
        }).collect_view()}
    }
}

/// A textarea's initial text, as markup. Given as a child, Leptos would render empty notes as
/// one space; given as `inner_html`, it is written by the server and left alone by hydration.
fn textarea_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

#[component]
fn ChecklistItem(
    item: TemplateItem,
    sync: Sync,
    audit: i64,
    evidence: Vec<Evidence>,
    attached: bool,
    refused: Option<String>,
) -> impl IntoView {
    let item_id = item.id;
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
    // Rendered into the page too, for the answers tapped before the client starts.
    let revision = base();
    let saved_notes = notes.get_untracked();
    view! {
        <li class="checklist__item" data-item=item_id data-revision=revision id=format!("item-{item_id}")>
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
                        data-answer=answer.as_str()
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
                    inner_html=textarea_text(&saved_notes)
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
                {attached.then(|| view! { <p class="notice notice--ok" role="status">"Evidence attached."</p> })}
                {refused.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
                <form method="post" enctype="multipart/form-data" action=format!("/audits/{audit}/items/{item_id}/evidence?as_user={}", sync.user) class="form form--inline evidence__form">
                    <label class="field">
                        <span class="field__label">"Evidence (photo or PDF, at most 10 MB)"</span>
                        <input type="file" name="file" accept="image/jpeg,image/png,image/webp,application/pdf" required />
                    </label>
                    <button type="submit" class="button button--quiet">"Attach"</button>
                </form>
            </div>
            {move || matches!(current(), Some(Answer::No | Answer::Partial)).then(|| view! {
                <a href=format!("/audits/{audit}?item={item_id}#findings-title") class="button button--quiet">"Raise a finding"</a>
            })}
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::textarea_text;

    #[test]
    fn notes_are_written_into_the_page_as_text_not_markup() {
        assert_eq!(textarea_text(""), "");
        assert_eq!(
            textarea_text("pH < 7 & </textarea><script>"),
            "pH &lt; 7 &amp; &lt;/textarea>&lt;script>"
        );
    }
}
