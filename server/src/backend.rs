//! The server's implementation of the user interface's [`app::backend::Backend`] port.
//!
//! Server functions run inside the request: the signed-in user is read from the request's
//! extensions (put there by `auth::middleware`), so the UI obeys the same policy as the API.

use std::sync::Arc;

use app::backend::{Backend, LoginOutcome};
use app::error::AppError;
use app::model::audits::{
    AnswerBatchResult, AnswerInput, Audit, AuditQuery, AuditSummary, Finding, FindingInput,
    NewAudit, PatternQuery, PatternReport, TemplateSummary,
};
use app::model::auth::CurrentUser;
use app::model::capa::{
    ActionInput, ActionUpdate, Capa, CapaAction, CapaComment, CapaQuery, CapaStep, CapaSummary,
    CapaUpdate, DueDays, NewCapa, StepInput,
};
use app::model::dashboard::{
    NetworkDashboard, RegionalDashboard, SiteDashboard, Threshold, Thresholds,
};
use app::model::documents::Person;
use app::model::documents::{
    Acknowledgement, AcknowledgementStatus, ApproverOption, Document, DocumentQuery,
    DocumentSummary, DraftUpdate, NewDocument, ReviewInput, Version, VersionDiff,
};
use app::model::jobs::{JobRun, JobsOverview};
use app::model::notifications::{
    EmailPreference, Notification, NotificationList, NotificationQuery,
};
use app::model::pt::{
    Challenge, ChallengeUpdate, Event, EventQuery, EventResults, EventSummary, ImportMode,
    ImportReport, NewEvent, NewScheme, QcMetrics, QcQuery, QcThresholds, Scheme, SchemeUpdate,
    SiteHistory, SubmitResults,
};
use app::model::reports::{IssuedReport, Verification};
use app::model::sites::{Site, SiteSummary};
use app::model::users::{
    ApiToken, CreatedApiToken, NewUser, Page, TrailEntry, TrailQuery, User, UserQuery, UserUpdate,
};
use http::request::Parts;
use leptos::prelude::use_context;

use crate::auth::{middleware, service, tokens, Actor, AuthSettings, Credential, RequestMeta};
use crate::dashboard;
use crate::db::Db;
use crate::error::Error;
use crate::jobs::Jobs;
use crate::reports::identity::SigningIdentity;
use crate::{audits, capa, documents, notifications, pt, reports, sites, trail, users};

/// Answers the UI's server functions by calling the services.
pub struct UiBackend {
    db: Db,
    auth: Arc<AuthSettings>,
    signing: Arc<SigningIdentity>,
    jobs: Jobs,
}

impl UiBackend {
    pub fn new(db: Db, auth: Arc<AuthSettings>, signing: Arc<SigningIdentity>, jobs: Jobs) -> Self {
        UiBackend {
            db,
            auth,
            signing,
            jobs,
        }
    }
}

fn request_parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The signed-in user of the current request, or "please sign in".
fn actor() -> Result<Actor, AppError> {
    signed_in().ok_or_else(|| failed(AppError::Unauthorized("Please sign in to continue.".into())))
}

/// The signed-in user of the current request, if any (no error: not being signed in is fine).
fn signed_in() -> Option<Actor> {
    request_parts().and_then(|parts| parts.extensions.get::<Actor>().cloned())
}

/// Like [`actor`], but refuses users who must first change their password.
fn active_actor() -> Result<Actor, AppError> {
    let actor = actor()?;
    if actor.user.must_change_password {
        return Err(failed(AppError::Forbidden(
            "Choose a new password before continuing.".into(),
        )));
    }
    Ok(actor)
}

fn meta() -> RequestMeta {
    request_parts()
        .and_then(|parts| parts.extensions.get::<RequestMeta>().cloned())
        .unwrap_or_default()
}

/// Converts a service result for the UI.
fn ui<T>(result: Result<T, Error>) -> Result<T, AppError> {
    result.map_err(|error| failed(AppError::from(error)))
}

/// Gives a failed call from the browser's client the error's status (a 4xx, not the 500 server
/// functions answer by default). Page renders and plain form posts (which accept HTML) keep
/// theirs, so pages and form redirects still work.
fn failed(error: AppError) -> AppError {
    let wants_html = request_parts()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
        .and_then(|accept| accept.to_str().ok().map(|a| a.contains("text/html")))
        .unwrap_or(false);
    if let (false, Some(response), Ok(status)) = (
        wants_html,
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        response.set_status(status);
    }
    error
}

#[async_trait::async_trait]
impl Backend for UiBackend {
    async fn current_user(&self) -> Result<Option<CurrentUser>, AppError> {
        Ok(signed_in().map(|actor| actor.user))
    }

    async fn login(&self, email: String, password: String) -> Result<LoginOutcome, AppError> {
        let previous = signed_in().and_then(|actor| match actor.credential {
            Credential::Cookie { session_hash } => Some(session_hash),
            _ => None,
        });
        let session = ui(service::login(
            &self.db,
            &self.auth,
            &email,
            password,
            &meta(),
            previous.as_deref(),
        )
        .await)?;
        Ok(LoginOutcome {
            set_cookie: middleware::session_set_cookie(&session.secret, &self.auth),
            user: session.user,
        })
    }

    async fn logout(&self) -> Result<String, AppError> {
        if let Some(actor) = signed_in() {
            ui(service::logout(&self.db, &actor).await)?;
        }
        Ok(middleware::session_clear_cookie(&self.auth))
    }

    async fn change_password(&self, current: String, new: String) -> Result<CurrentUser, AppError> {
        ui(users::change_own_password(&self.db, &actor()?, current, new).await)
    }

    async fn list_sites(&self) -> Result<Vec<SiteSummary>, AppError> {
        ui(sites::list(&self.db, &active_actor()?.user.scope).await)
    }

    async fn site(&self, code: &str) -> Result<Site, AppError> {
        ui(sites::get(&self.db, &active_actor()?.user.scope, code).await)
    }

    async fn list_users(&self, query: UserQuery) -> Result<Page<User>, AppError> {
        ui(users::list(&self.db, &active_actor()?, &query).await)
    }

    async fn get_user(&self, id: i64) -> Result<User, AppError> {
        ui(users::get(&self.db, &active_actor()?, id).await)
    }

    async fn create_user(&self, new: NewUser) -> Result<User, AppError> {
        ui(users::create(&self.db, &active_actor()?, new).await)
    }

    async fn update_user(&self, id: i64, update: UserUpdate) -> Result<User, AppError> {
        ui(users::update(&self.db, &active_actor()?, id, update).await)
    }

    async fn set_user_active(&self, id: i64, active: bool) -> Result<User, AppError> {
        ui(users::set_active(&self.db, &active_actor()?, id, active).await)
    }

    async fn reset_password(&self, id: i64, temporary: String) -> Result<User, AppError> {
        ui(users::reset_password(&self.db, &active_actor()?, id, temporary).await)
    }

    async fn list_tokens(&self) -> Result<Vec<ApiToken>, AppError> {
        ui(tokens::list(&self.db, &active_actor()?).await)
    }

    async fn create_token(&self, name: String) -> Result<CreatedApiToken, AppError> {
        ui(tokens::create(&self.db, &active_actor()?, &name).await)
    }

    async fn revoke_token(&self, id: i64) -> Result<ApiToken, AppError> {
        ui(tokens::revoke(&self.db, &active_actor()?, id).await)
    }

    async fn audit_trail(&self, query: TrailQuery) -> Result<Page<TrailEntry>, AppError> {
        ui(trail::browse(&self.db, &active_actor()?, &query).await)
    }

    async fn list_documents(
        &self,
        query: DocumentQuery,
    ) -> Result<Page<DocumentSummary>, AppError> {
        ui(documents::list(&self.db, &active_actor()?, &query).await)
    }

    async fn document(&self, id: i64) -> Result<Document, AppError> {
        ui(documents::get(&self.db, &active_actor()?, id).await)
    }

    async fn create_document(&self, new: NewDocument) -> Result<Document, AppError> {
        ui(documents::create(&self.db, &active_actor()?, new).await)
    }

    async fn approver_options(&self) -> Result<Vec<ApproverOption>, AppError> {
        ui(documents::approver_options(&self.db, &active_actor()?).await)
    }

    async fn document_version(&self, id: i64, version_id: i64) -> Result<Version, AppError> {
        ui(documents::version(&self.db, &active_actor()?, id, version_id).await)
    }

    async fn new_version(&self, id: i64) -> Result<Version, AppError> {
        ui(documents::new_version(&self.db, &active_actor()?, id).await)
    }

    async fn update_draft(
        &self,
        id: i64,
        version_id: i64,
        draft: DraftUpdate,
    ) -> Result<Version, AppError> {
        ui(documents::update_draft(&self.db, &active_actor()?, id, version_id, draft).await)
    }

    async fn submit_version(&self, id: i64, version_id: i64) -> Result<Version, AppError> {
        ui(documents::submit(&self.db, &active_actor()?, id, version_id).await)
    }

    async fn return_version(
        &self,
        id: i64,
        version_id: i64,
        reason: String,
    ) -> Result<Version, AppError> {
        ui(documents::return_to_draft(&self.db, &active_actor()?, id, version_id, &reason).await)
    }

    async fn approve_version(
        &self,
        id: i64,
        version_id: i64,
        password: String,
    ) -> Result<Version, AppError> {
        ui(documents::approve(
            &self.db,
            &active_actor()?,
            id,
            version_id,
            password,
            &self.auth.lockout,
        )
        .await)
    }

    async fn make_effective(&self, id: i64, version_id: i64) -> Result<Version, AppError> {
        ui(documents::make_effective(&self.db, &active_actor()?, id, version_id).await)
    }

    async fn review_document(&self, id: i64, review: ReviewInput) -> Result<Document, AppError> {
        ui(documents::review(&self.db, &active_actor()?, id, review, &self.auth.lockout).await)
    }

    async fn withdraw_document(&self, id: i64, reason: String) -> Result<Document, AppError> {
        ui(documents::withdraw(&self.db, &active_actor()?, id, &reason).await)
    }

    async fn diff_versions(&self, id: i64, from: i64, to: i64) -> Result<VersionDiff, AppError> {
        ui(documents::diff(&self.db, &active_actor()?, id, from, to).await)
    }

    async fn document_acknowledgements(&self, id: i64) -> Result<AcknowledgementStatus, AppError> {
        ui(documents::acknowledgement_status(&self.db, &active_actor()?, id).await)
    }

    async fn my_acknowledgements(&self) -> Result<Vec<Acknowledgement>, AppError> {
        ui(documents::my_acknowledgements(&self.db, &active_actor()?).await)
    }

    async fn acknowledge(&self, id: i64) -> Result<Acknowledgement, AppError> {
        ui(documents::acknowledge(&self.db, &active_actor()?, id).await)
    }

    async fn list_audits(&self, query: AuditQuery) -> Result<Page<AuditSummary>, AppError> {
        ui(audits::list(&self.db, &active_actor()?, &query).await)
    }

    async fn audit(&self, id: i64) -> Result<Audit, AppError> {
        ui(audits::get(&self.db, &active_actor()?, id).await)
    }

    async fn plan_audit(&self, audit: NewAudit) -> Result<Audit, AppError> {
        ui(audits::create(&self.db, &active_actor()?, audit).await)
    }

    async fn auditors(&self) -> Result<Vec<Person>, AppError> {
        ui(audits::auditors(&self.db, &active_actor()?).await)
    }

    async fn audit_patterns(&self, query: PatternQuery) -> Result<PatternReport, AppError> {
        ui(audits::patterns(&self.db, &active_actor()?, &query).await)
    }

    async fn templates(&self) -> Result<Vec<TemplateSummary>, AppError> {
        ui(audits::templates(&self.db, &active_actor()?).await)
    }

    async fn import_template(
        &self,
        json: String,
        kind: String,
    ) -> Result<TemplateSummary, AppError> {
        ui(
            audits::import_template(&self.db, &active_actor()?, &json, &kind)
                .await
                .map(|t| t.summary),
        )
    }

    async fn start_audit(&self, id: i64) -> Result<Audit, AppError> {
        ui(audits::start(&self.db, &active_actor()?, id).await)
    }

    async fn answer_items(
        &self,
        id: i64,
        answers: Vec<AnswerInput>,
    ) -> Result<AnswerBatchResult, AppError> {
        ui(audits::answer(&self.db, &active_actor()?, id, answers).await)
    }

    async fn submit_audit(&self, id: i64) -> Result<Audit, AppError> {
        ui(audits::submit(&self.db, &active_actor()?, id).await)
    }

    async fn issue_audit_report(
        &self,
        id: i64,
        password: String,
    ) -> Result<IssuedReport, AppError> {
        ui(reports::issue_audit_report(
            &self.db,
            &active_actor()?,
            &self.signing,
            &self.auth.lockout,
            id,
            password,
        )
        .await)
    }

    async fn verify_report(&self, sha256: String) -> Result<Verification, AppError> {
        ui(reports::verify_hash(&self.db, &sha256).await)
    }

    async fn cancel_audit(&self, id: i64, reason: String) -> Result<Audit, AppError> {
        ui(audits::cancel(&self.db, &active_actor()?, id, &reason).await)
    }

    async fn raise_finding(&self, id: i64, finding: FindingInput) -> Result<Finding, AppError> {
        ui(audits::create_finding(&self.db, &active_actor()?, id, finding).await)
    }

    async fn withdraw_finding(
        &self,
        id: i64,
        finding_id: i64,
        reason: String,
    ) -> Result<Finding, AppError> {
        ui(audits::withdraw_finding(&self.db, &active_actor()?, id, finding_id, &reason).await)
    }

    async fn list_capas(&self, query: CapaQuery) -> Result<Page<CapaSummary>, AppError> {
        ui(capa::list(&self.db, &active_actor()?, &query).await)
    }

    async fn capa(&self, id: i64) -> Result<Capa, AppError> {
        ui(capa::get(&self.db, &active_actor()?, id).await)
    }

    async fn create_capa(&self, new: NewCapa) -> Result<Capa, AppError> {
        ui(capa::create(&self.db, &active_actor()?, new).await)
    }

    async fn update_capa(&self, id: i64, update: CapaUpdate) -> Result<Capa, AppError> {
        ui(capa::update(&self.db, &active_actor()?, id, update).await)
    }

    async fn capa_step(&self, id: i64, step: CapaStep, input: StepInput) -> Result<Capa, AppError> {
        let actor = active_actor()?;
        ui(capa::step(&self.db, &actor, id, step, input, &self.auth.lockout).await)
    }

    async fn add_capa_action(&self, id: i64, action: ActionInput) -> Result<CapaAction, AppError> {
        ui(capa::add_action(&self.db, &active_actor()?, id, action).await)
    }

    async fn update_capa_action(
        &self,
        id: i64,
        action_id: i64,
        update: ActionUpdate,
    ) -> Result<CapaAction, AppError> {
        ui(capa::update_action(&self.db, &active_actor()?, id, action_id, update).await)
    }

    async fn comment_capa(&self, id: i64, body: String) -> Result<CapaComment, AppError> {
        ui(capa::comment(&self.db, &active_actor()?, id, &body).await)
    }

    async fn capa_assignees(&self, site: String) -> Result<Vec<Person>, AppError> {
        ui(capa::assignees(&self.db, &active_actor()?, &site).await)
    }

    async fn capa_due_days(&self) -> Result<DueDays, AppError> {
        ui(capa::due_days(&self.db, &active_actor()?).await)
    }

    async fn set_capa_due_days(&self, days: DueDays) -> Result<DueDays, AppError> {
        ui(capa::set_due_days(&self.db, &active_actor()?, days).await)
    }

    async fn pt_events(&self, query: EventQuery) -> Result<Page<EventSummary>, AppError> {
        ui(pt::events(&self.db, &active_actor()?, &query).await)
    }

    async fn pt_schemes(&self) -> Result<Vec<Scheme>, AppError> {
        ui(pt::schemes(&self.db, &active_actor()?).await)
    }

    async fn pt_event(&self, id: i64) -> Result<Event, AppError> {
        ui(pt::event(&self.db, &active_actor()?, id).await)
    }

    async fn pt_results(&self, id: i64) -> Result<EventResults, AppError> {
        ui(pt::results(&self.db, &active_actor()?, id, None).await)
    }

    async fn submit_pt_results(
        &self,
        id: i64,
        results: SubmitResults,
    ) -> Result<EventResults, AppError> {
        ui(pt::submit_results(&self.db, &active_actor()?, id, results).await)
    }

    async fn import_pt_results(
        &self,
        id: i64,
        csv: String,
        mode: ImportMode,
        late_reason: Option<String>,
        replace: bool,
    ) -> Result<ImportReport, AppError> {
        let options = pt::ImportOptions {
            mode,
            late_reason,
            replace,
        };
        ui(pt::import_results(&self.db, &active_actor()?, id, &csv, options).await)
    }

    async fn close_pt_event(&self, id: i64) -> Result<Event, AppError> {
        ui(pt::close_event(&self.db, &active_actor()?, id).await)
    }

    async fn score_pt_event(&self, id: i64) -> Result<Event, AppError> {
        ui(pt::score_event(&self.db, &active_actor()?, id).await)
    }

    async fn pt_site_history(&self, code: String) -> Result<SiteHistory, AppError> {
        ui(pt::site_history(&self.db, &active_actor()?, &code).await)
    }

    async fn radiology_metrics(&self, query: QcQuery) -> Result<QcMetrics, AppError> {
        ui(pt::metrics(&self.db, &active_actor()?, &query).await)
    }

    async fn import_qc_reads(
        &self,
        csv: String,
        mode: ImportMode,
    ) -> Result<ImportReport, AppError> {
        ui(pt::import_reads(&self.db, &active_actor()?, &csv, mode).await)
    }

    async fn set_qc_thresholds(&self, thresholds: QcThresholds) -> Result<QcThresholds, AppError> {
        ui(pt::set_thresholds(&self.db, &active_actor()?, thresholds).await)
    }

    async fn pt_scheme(&self, id: i64) -> Result<Scheme, AppError> {
        ui(pt::scheme(&self.db, &active_actor()?, id).await)
    }

    async fn update_pt_scheme(&self, id: i64, update: SchemeUpdate) -> Result<Scheme, AppError> {
        ui(pt::update_scheme(&self.db, &active_actor()?, id, update).await)
    }

    async fn create_pt_scheme(&self, scheme: NewScheme) -> Result<Scheme, AppError> {
        ui(pt::create_scheme(&self.db, &active_actor()?, scheme).await)
    }

    async fn create_pt_event(&self, event: NewEvent) -> Result<Event, AppError> {
        ui(pt::create_event(&self.db, &active_actor()?, event).await)
    }

    async fn update_pt_challenge(
        &self,
        id: i64,
        update: ChallengeUpdate,
    ) -> Result<Challenge, AppError> {
        ui(pt::update_challenge(&self.db, &active_actor()?, id, update).await)
    }

    async fn notifications(&self, query: NotificationQuery) -> Result<NotificationList, AppError> {
        ui(notifications::list(
            &self.db,
            &active_actor()?,
            &query,
            self.jobs.outbox().enabled(),
        )
        .await)
    }

    async fn unread_notifications(&self) -> Result<i64, AppError> {
        // The bell may ask once more while its user signs out (or before a forced password
        // change): there is nothing to count then, and nothing has failed.
        match signed_in().filter(|actor| !actor.user.must_change_password) {
            Some(actor) => ui(notifications::unread_count(&self.db, &actor).await),
            None => Ok(0),
        }
    }

    async fn mark_notification_read(&self, id: i64) -> Result<Notification, AppError> {
        ui(notifications::mark_read(&self.db, &active_actor()?, id).await)
    }

    async fn mark_all_notifications_read(&self) -> Result<i64, AppError> {
        ui(notifications::mark_all_read(&self.db, &active_actor()?).await)
    }

    async fn set_email_preference(&self, preference: String) -> Result<EmailPreference, AppError> {
        ui(notifications::set_email_preference(&self.db, &active_actor()?, &preference).await)
    }

    async fn jobs(&self, job: Option<String>, page: Option<i64>) -> Result<JobsOverview, AppError> {
        ui(self
            .jobs
            .overview(&active_actor()?, job.as_deref(), page)
            .await)
    }

    async fn run_job(&self, name: String) -> Result<JobRun, AppError> {
        ui(self.jobs.run_now(&active_actor()?, &name).await)
    }

    async fn regional_dashboard(&self, code: String) -> Result<RegionalDashboard, AppError> {
        ui(dashboard::regional(&self.db, &active_actor()?, &code).await)
    }

    async fn network_dashboard(&self) -> Result<NetworkDashboard, AppError> {
        ui(dashboard::network(&self.db, &active_actor()?).await)
    }

    async fn site_dashboard(&self, code: String) -> Result<SiteDashboard, AppError> {
        ui(dashboard::site(&self.db, &active_actor()?, &code).await)
    }

    async fn set_dashboard_thresholds(
        &self,
        items: Vec<Threshold>,
    ) -> Result<Thresholds, AppError> {
        ui(dashboard::set_thresholds(&self.db, &active_actor()?, &items).await)
    }
}
