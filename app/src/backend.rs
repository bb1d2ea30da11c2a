//! The port through which server functions reach the server's services.
//!
//! `app` cannot depend on `server` (the server depends on `app` for its pages), so the server
//! implements this trait and provides it as Leptos context. Server functions stay thin: get the
//! backend, call it, return its typed result. The server reads the signed-in user from the
//! request itself, so no method trusts a user id sent by the browser.

use std::sync::Arc;

use leptos::prelude::use_context;

use crate::error::AppError;
use crate::model::audits::{
    AnswerBatchResult, AnswerInput, Audit, AuditQuery, AuditSummary, Finding, FindingInput,
    NewAudit, PatternQuery, PatternReport, TemplateSummary,
};
use crate::model::auth::CurrentUser;
use crate::model::capa::{
    ActionInput, ActionUpdate, Capa, CapaAction, CapaComment, CapaQuery, CapaStep, CapaSummary,
    CapaUpdate, DueDays, NewCapa, StepInput,
};
use crate::model::dashboard::{
    NetworkDashboard, RegionalDashboard, SiteDashboard, Threshold, Thresholds,
};
use crate::model::documents::Person;
use crate::model::documents::{
    Acknowledgement, AcknowledgementStatus, ApproverOption, Document, DocumentQuery,
    DocumentSummary, DraftUpdate, NewDocument, ReviewInput, Version, VersionDiff,
};
use crate::model::jobs::{JobRun, JobsOverview};
use crate::model::notifications::{
    EmailPreference, Notification, NotificationList, NotificationQuery,
};
use crate::model::pt::{
    Challenge, ChallengeUpdate, Event, EventQuery, EventResults, EventSummary, ImportMode,
    ImportReport, NewEvent, NewScheme, QcMetrics, QcQuery, QcThresholds, Scheme, SchemeUpdate,
    SiteHistory, SubmitResults,
};
use crate::model::reports::{IssuedReport, Verification};
use crate::model::sites::{Site, SiteSummary};
use crate::model::users::{
    ApiToken, CreatedApiToken, NewUser, Page, TrailEntry, TrailQuery, User, UserQuery, UserUpdate,
};

/// A successful sign-in: the user, and the `Set-Cookie` header value holding the session.
pub struct LoginOutcome {
    pub user: CurrentUser,
    pub set_cookie: String,
}

/// Everything the user interface asks of the server.
#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    /// The signed-in user, if any.
    async fn current_user(&self) -> Result<Option<CurrentUser>, AppError>;
    async fn login(&self, email: String, password: String) -> Result<LoginOutcome, AppError>;
    /// Ends the session; returns the `Set-Cookie` value that clears the cookie.
    async fn logout(&self) -> Result<String, AppError>;
    async fn change_password(&self, current: String, new: String) -> Result<CurrentUser, AppError>;

    /// The sites in the user's scope, ordered by region and name.
    async fn list_sites(&self) -> Result<Vec<SiteSummary>, AppError>;
    /// One site by its code (`KEN-NBO`); `AppError::NotFound` when there is none in scope.
    async fn site(&self, code: &str) -> Result<Site, AppError>;

    async fn list_users(&self, query: UserQuery) -> Result<Page<User>, AppError>;
    async fn get_user(&self, id: i64) -> Result<User, AppError>;
    async fn create_user(&self, new: NewUser) -> Result<User, AppError>;
    async fn update_user(&self, id: i64, update: UserUpdate) -> Result<User, AppError>;
    async fn set_user_active(&self, id: i64, active: bool) -> Result<User, AppError>;
    async fn reset_password(&self, id: i64, temporary: String) -> Result<User, AppError>;

    async fn list_tokens(&self) -> Result<Vec<ApiToken>, AppError>;
    async fn create_token(&self, name: String) -> Result<CreatedApiToken, AppError>;
    async fn revoke_token(&self, id: i64) -> Result<ApiToken, AppError>;

    async fn audit_trail(&self, query: TrailQuery) -> Result<Page<TrailEntry>, AppError>;

    async fn list_documents(&self, query: DocumentQuery)
        -> Result<Page<DocumentSummary>, AppError>;
    async fn document(&self, id: i64) -> Result<Document, AppError>;
    async fn create_document(&self, new: NewDocument) -> Result<Document, AppError>;
    async fn approver_options(&self) -> Result<Vec<ApproverOption>, AppError>;
    async fn document_version(&self, id: i64, version_id: i64) -> Result<Version, AppError>;
    async fn new_version(&self, id: i64) -> Result<Version, AppError>;
    async fn update_draft(
        &self,
        id: i64,
        version_id: i64,
        draft: DraftUpdate,
    ) -> Result<Version, AppError>;
    async fn submit_version(&self, id: i64, version_id: i64) -> Result<Version, AppError>;
    async fn return_version(
        &self,
        id: i64,
        version_id: i64,
        reason: String,
    ) -> Result<Version, AppError>;
    async fn approve_version(
        &self,
        id: i64,
        version_id: i64,
        password: String,
    ) -> Result<Version, AppError>;
    async fn make_effective(&self, id: i64, version_id: i64) -> Result<Version, AppError>;
    async fn review_document(&self, id: i64, review: ReviewInput) -> Result<Document, AppError>;
    async fn withdraw_document(&self, id: i64, reason: String) -> Result<Document, AppError>;
    async fn diff_versions(&self, id: i64, from: i64, to: i64) -> Result<VersionDiff, AppError>;
    async fn document_acknowledgements(&self, id: i64) -> Result<AcknowledgementStatus, AppError>;
    async fn my_acknowledgements(&self) -> Result<Vec<Acknowledgement>, AppError>;
    async fn acknowledge(&self, id: i64) -> Result<Acknowledgement, AppError>;

    async fn list_audits(&self, query: AuditQuery) -> Result<Page<AuditSummary>, AppError>;
    async fn audit(&self, id: i64) -> Result<Audit, AppError>;
    async fn plan_audit(&self, audit: NewAudit) -> Result<Audit, AppError>;
    async fn auditors(&self) -> Result<Vec<Person>, AppError>;
    async fn audit_patterns(&self, query: PatternQuery) -> Result<PatternReport, AppError>;
    async fn templates(&self) -> Result<Vec<TemplateSummary>, AppError>;
    async fn import_template(
        &self,
        json: String,
        kind: String,
    ) -> Result<TemplateSummary, AppError>;
    async fn start_audit(&self, id: i64) -> Result<Audit, AppError>;
    async fn answer_items(
        &self,
        id: i64,
        answers: Vec<AnswerInput>,
    ) -> Result<AnswerBatchResult, AppError>;
    async fn submit_audit(&self, id: i64) -> Result<Audit, AppError>;
    /// Issues the audit's signed report; `password` is the lead auditor's electronic signature.
    async fn issue_audit_report(&self, id: i64, password: String)
        -> Result<IssuedReport, AppError>;
    /// Looks a file's SHA-256 up among the issued reports (no sign-in needed).
    async fn verify_report(&self, sha256: String) -> Result<Verification, AppError>;
    async fn cancel_audit(&self, id: i64, reason: String) -> Result<Audit, AppError>;
    async fn raise_finding(&self, id: i64, finding: FindingInput) -> Result<Finding, AppError>;
    async fn withdraw_finding(
        &self,
        id: i64,
        finding_id: i64,
        reason: String,
    ) -> Result<Finding, AppError>;

    async fn list_capas(&self, query: CapaQuery) -> Result<Page<CapaSummary>, AppError>;
    async fn capa(&self, id: i64) -> Result<Capa, AppError>;
    async fn create_capa(&self, new: NewCapa) -> Result<Capa, AppError>;
    async fn update_capa(&self, id: i64, update: CapaUpdate) -> Result<Capa, AppError>;
    async fn capa_step(&self, id: i64, step: CapaStep, input: StepInput) -> Result<Capa, AppError>;
    async fn add_capa_action(&self, id: i64, action: ActionInput) -> Result<CapaAction, AppError>;
    async fn update_capa_action(
        &self,
        id: i64,
        action_id: i64,
        update: ActionUpdate,
    ) -> Result<CapaAction, AppError>;
    async fn comment_capa(&self, id: i64, body: String) -> Result<CapaComment, AppError>;
    /// People who may own the site's CAPAs and actions.
    async fn capa_assignees(&self, site: String) -> Result<Vec<Person>, AppError>;
    async fn capa_due_days(&self) -> Result<DueDays, AppError>;
    async fn set_capa_due_days(&self, days: DueDays) -> Result<DueDays, AppError>;

    async fn pt_events(&self, query: EventQuery) -> Result<Page<EventSummary>, AppError>;
    async fn pt_schemes(&self) -> Result<Vec<Scheme>, AppError>;
    async fn pt_event(&self, id: i64) -> Result<Event, AppError>;
    async fn pt_results(&self, id: i64) -> Result<EventResults, AppError>;
    async fn submit_pt_results(
        &self,
        id: i64,
        results: SubmitResults,
    ) -> Result<EventResults, AppError>;
    async fn import_pt_results(
        &self,
        id: i64,
        csv: String,
        mode: ImportMode,
        late_reason: Option<String>,
        replace: bool,
    ) -> Result<ImportReport, AppError>;
    async fn close_pt_event(&self, id: i64) -> Result<Event, AppError>;
    async fn score_pt_event(&self, id: i64) -> Result<Event, AppError>;
    async fn pt_site_history(&self, code: String) -> Result<SiteHistory, AppError>;
    async fn radiology_metrics(&self, query: QcQuery) -> Result<QcMetrics, AppError>;
    async fn import_qc_reads(
        &self,
        csv: String,
        mode: ImportMode,
    ) -> Result<ImportReport, AppError>;
    async fn set_qc_thresholds(&self, thresholds: QcThresholds) -> Result<QcThresholds, AppError>;
    async fn create_pt_scheme(&self, scheme: NewScheme) -> Result<Scheme, AppError>;
    async fn pt_scheme(&self, id: i64) -> Result<Scheme, AppError>;
    async fn update_pt_scheme(&self, id: i64, update: SchemeUpdate) -> Result<Scheme, AppError>;
    async fn create_pt_event(&self, event: NewEvent) -> Result<Event, AppError>;
    async fn update_pt_challenge(
        &self,
        id: i64,
        update: ChallengeUpdate,
    ) -> Result<Challenge, AppError>;

    async fn notifications(&self, query: NotificationQuery) -> Result<NotificationList, AppError>;
    async fn unread_notifications(&self) -> Result<i64, AppError>;
    async fn mark_notification_read(&self, id: i64) -> Result<Notification, AppError>;
    async fn mark_all_notifications_read(&self) -> Result<i64, AppError>;
    async fn set_email_preference(&self, preference: String) -> Result<EmailPreference, AppError>;

    async fn jobs(&self, job: Option<String>, page: Option<i64>) -> Result<JobsOverview, AppError>;
    async fn run_job(&self, name: String) -> Result<JobRun, AppError>;

    async fn regional_dashboard(&self, code: String) -> Result<RegionalDashboard, AppError>;
    async fn network_dashboard(&self) -> Result<NetworkDashboard, AppError>;
    async fn site_dashboard(&self, code: String) -> Result<SiteDashboard, AppError>;
    async fn set_dashboard_thresholds(&self, items: Vec<Threshold>)
        -> Result<Thresholds, AppError>;
}

/// The backend as it is stored in context.
pub type SharedBackend = Arc<dyn Backend>;

/// The backend provided by the server for this request.
pub fn backend() -> Result<SharedBackend, AppError> {
    use_context::<SharedBackend>()
        .ok_or_else(|| AppError::Internal("the server provided no backend".into()))
}
