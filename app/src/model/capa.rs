//! Corrective and preventive actions (CAPA) as the UI and the API exchange them: the CAPA and
//! its lifecycle, the root-cause analysis, the action plan, effectiveness checks, comments,
//! attachments and the timeline.

use serde::{Deserialize, Serialize};

use super::audits::Severity;
use super::documents::Person;

text_enum!(
    /// Where a CAPA is. Each state names the step reached: `containment` means the immediate
    /// correction is recorded, `root_cause` that the analysis is, and so on. An ineffective
    /// effectiveness check sends it back to `root_cause`.
    CapaState {
        Open => "open", "Open",
        Containment => "containment", "Containment",
        RootCause => "root_cause", "Root cause",
        ActionPlan => "action_plan", "Action plan",
        PlanApproved => "plan_approved", "Plan approved",
        Implementing => "implementing", "Implementing",
        EffectivenessCheck => "effectiveness_check", "Effectiveness check",
        Closed => "closed", "Closed",
        Rejected => "rejected", "Rejected",
        Cancelled => "cancelled", "Cancelled",
    }
);

impl CapaState {
    /// Closed, rejected and cancelled CAPAs do not change any more.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            CapaState::Closed | CapaState::Rejected | CapaState::Cancelled
        )
    }

    /// What has to happen next, in words for the people doing it.
    pub fn next_step(self) -> &'static str {
        match self {
            CapaState::Open => "Record the containment: the immediate correction.",
            CapaState::Containment => "Analyse the root cause (5 whys, fishbone or other).",
            CapaState::RootCause => "Plan the actions, then submit the plan for approval.",
            CapaState::ActionPlan => {
                "The plan awaits approval by the regional manager or a quality officer."
            }
            CapaState::PlanApproved => "Start implementing the approved actions.",
            CapaState::Implementing => {
                "Complete the actions, then record that implementation is complete."
            }
            CapaState::EffectivenessCheck => {
                "A quality officer checks effectiveness on or after the scheduled date, then closes with a signature."
            }
            CapaState::Closed => "Closed: verified effective.",
            CapaState::Rejected => "Rejected.",
            CapaState::Cancelled => "Cancelled.",
        }
    }
}

/// The steps of the main path, in order (for the progress indicator).
pub const CAPA_PATH: [CapaState; 8] = [
    CapaState::Open,
    CapaState::Containment,
    CapaState::RootCause,
    CapaState::ActionPlan,
    CapaState::PlanApproved,
    CapaState::Implementing,
    CapaState::EffectivenessCheck,
    CapaState::Closed,
];

text_enum!(
    /// Where the need for a CAPA came from.
    CapaSource {
        AuditFinding => "audit_finding", "Audit finding",
        PtResult => "pt_result", "PT result",
        PtEvent => "pt_event", "PT event",
        RadiologyQc => "radiology_qc", "Radiology QC flag",
        Incident => "incident", "Incident",
        Complaint => "complaint", "Complaint",
        ManagementReview => "management_review", "Management review",
    }
);

text_enum!(
    /// How the root cause was analysed.
    RootCauseMethod {
        FiveWhys => "five_whys", "5 whys",
        Fishbone => "fishbone", "Fishbone (Ishikawa)",
        Other => "other", "Other",
    }
);

text_enum!(
    /// Where one planned action is.
    ActionStatus {
        Planned => "planned", "Planned",
        InProgress => "in_progress", "In progress",
        Done => "done", "Done",
        Cancelled => "cancelled", "Cancelled",
    }
);

text_enum!(
    /// The outcome of an effectiveness check.
    Verdict {
        Effective => "effective", "Effective",
        Ineffective => "ineffective", "Not effective",
    }
);

text_enum!(
    /// Something done to a CAPA; each is one explicit API action.
    CapaStep {
        Contain => "contain", "Record containment",
        RootCause => "root_cause", "Record root cause",
        SubmitPlan => "submit_plan", "Submit the plan",
        ApprovePlan => "approve_plan", "Approve the plan",
        ReturnPlan => "return_plan", "Return the plan",
        Start => "start", "Start implementing",
        Complete => "complete", "Complete implementation",
        Verify => "verify", "Record effectiveness check",
        Close => "close", "Close with signature",
        Reject => "reject", "Reject",
        Cancel => "cancel", "Cancel",
    }
);

/// How long a CAPA has been open, in the buckets managers track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum AgeBucket {
    #[serde(rename = "0-30")]
    UpTo30,
    #[serde(rename = "31-60")]
    UpTo60,
    #[serde(rename = "61-90")]
    UpTo90,
    #[serde(rename = "over-90")]
    Over90,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 4] = [
        AgeBucket::UpTo30,
        AgeBucket::UpTo60,
        AgeBucket::UpTo90,
        AgeBucket::Over90,
    ];

    /// The bucket of a CAPA open for `days` days (0 on the day it was opened).
    pub fn of(days: i64) -> AgeBucket {
        match days {
            i64::MIN..=30 => AgeBucket::UpTo30,
            31..=60 => AgeBucket::UpTo60,
            61..=90 => AgeBucket::UpTo90,
            _ => AgeBucket::Over90,
        }
    }

    /// The inclusive range of ages in the bucket (`None`: no upper end).
    pub fn days(self) -> (i64, Option<i64>) {
        match self {
            AgeBucket::UpTo30 => (0, Some(30)),
            AgeBucket::UpTo60 => (31, Some(60)),
            AgeBucket::UpTo90 => (61, Some(90)),
            AgeBucket::Over90 => (91, None),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AgeBucket::UpTo30 => "0-30",
            AgeBucket::UpTo60 => "31-60",
            AgeBucket::UpTo90 => "61-90",
            AgeBucket::Over90 => "over-90",
        }
    }

    pub fn parse(text: &str) -> Option<AgeBucket> {
        AgeBucket::ALL.into_iter().find(|b| b.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            AgeBucket::UpTo30 => "0–30 days",
            AgeBucket::UpTo60 => "31–60 days",
            AgeBucket::UpTo90 => "61–90 days",
            AgeBucket::Over90 => "> 90 days",
        }
    }
}

/// The six classic fishbone categories: field name and label.
pub const FISHBONE_CATEGORIES: [(&str, &str); 6] = [
    ("people", "People"),
    ("methods", "Methods"),
    ("machines", "Machines and equipment"),
    ("materials", "Materials and reagents"),
    ("measurement", "Measurement"),
    ("environment", "Environment"),
];

/// Contributing causes found under each fishbone category (empty when none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Fishbone {
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub methods: String,
    #[serde(default)]
    pub machines: String,
    #[serde(default)]
    pub materials: String,
    #[serde(default)]
    pub measurement: String,
    #[serde(default)]
    pub environment: String,
}

impl Fishbone {
    /// The categories in order with what was written under each.
    pub fn categories(&self) -> [(&'static str, &'static str, &str); 6] {
        let values = [
            &self.people,
            &self.methods,
            &self.machines,
            &self.materials,
            &self.measurement,
            &self.environment,
        ];
        let mut out = [("", "", ""); 6];
        for (i, ((name, label), value)) in FISHBONE_CATEGORIES.iter().zip(values).enumerate() {
            out[i] = (name, label, value.as_str());
        }
        out
    }
}

/// A recorded root-cause analysis: the method, the working (whys, fishbone causes or free
/// text) and the conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RootCauseAnalysis {
    pub method: RootCauseMethod,
    /// For 5 whys: each answer in turn ("Why did … happen? Because …").
    #[serde(default)]
    pub whys: Vec<String>,
    #[serde(default)]
    pub fishbone: Fishbone,
    /// The analysis in words (required for "other"; optional notes otherwise).
    #[serde(default)]
    pub analysis: String,
    /// The root cause the analysis arrived at.
    pub root_cause: String,
}

/// The CAPA a finding or other source record has, as shown next to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaLink {
    pub id: i64,
    pub number: String,
    pub state: CapaState,
}

/// A CAPA as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaSummary {
    pub id: i64,
    /// `CAPA-2026-0042`.
    pub number: String,
    pub site_code: String,
    pub site_name: String,
    pub region_code: String,
    pub title: String,
    pub source: CapaSource,
    pub severity: Severity,
    pub state: CapaState,
    pub owner: Person,
    /// `YYYY-MM-DD`, in the site's calendar.
    pub due_date: String,
    /// The day it was opened, in the site's calendar.
    pub opened_on: String,
    /// Days open: until today for a CAPA still running, until it ended otherwise.
    pub age_days: i64,
    pub age_bucket: AgeBucket,
    /// Past its due date (from the day after) and not yet closed, rejected or cancelled.
    pub overdue: bool,
    pub days_overdue: i64,
    /// How often an ineffective check sent it back to root cause.
    pub reopened: i64,
}

/// One planned action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaAction {
    pub id: i64,
    pub number: i64,
    pub description: String,
    pub owner: Person,
    pub due_date: String,
    pub status: ActionStatus,
    /// Why the action may finish after the CAPA's due date.
    pub justification: String,
    pub overdue: bool,
    pub completed_at: Option<String>,
}

/// A new action for the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionInput {
    pub description: String,
    /// Defaults to the CAPA's owner.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// `YYYY-MM-DD`; defaults to the CAPA's due date.
    #[serde(default)]
    pub due_date: Option<String>,
    /// Required when the action is due after the CAPA.
    #[serde(default)]
    pub justification: String,
}

/// A change to an action: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ActionUpdate {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub status: Option<ActionStatus>,
    #[serde(default)]
    pub justification: Option<String>,
}

/// A recorded effectiveness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EffectivenessCheck {
    pub id: i64,
    pub verdict: Verdict,
    pub evidence: String,
    pub checked_by: Person,
    pub checked_at: String,
}

/// Data recorded since implementation that speaks to effectiveness: the next answer to the
/// same checklist item, or the next PT event score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FollowUpEvidence {
    pub label: String,
    pub value: String,
    pub date: String,
    /// Whether the value shows the problem gone (`None`: cannot say).
    pub favourable: Option<bool>,
    pub href: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaComment {
    pub id: i64,
    pub author: Person,
    pub body: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaAttachment {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Person,
    pub uploaded_at: String,
}

/// One line of the timeline, built from the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub what: String,
    pub detail: String,
}

/// The finding a CAPA was raised from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FindingSource {
    pub audit_id: i64,
    pub finding_id: i64,
    pub number: i64,
    pub clause: String,
    pub description: String,
    pub audit_label: String,
}

/// The closing signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClosureSignature {
    pub signer: Person,
    pub signed_at: String,
    pub meaning: String,
}

/// What the caller may do to this CAPA now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaPermissions {
    /// The steps open to the caller in the current state (API action names).
    pub steps: Vec<CapaStep>,
    /// Add and change actions of the plan.
    pub plan: bool,
    /// Change title, description and owner.
    pub edit: bool,
    /// Change the due date.
    pub change_due: bool,
    pub comment: bool,
    pub attach: bool,
}

/// One CAPA with everything about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Capa {
    pub summary: CapaSummary,
    pub description: String,
    /// A reference to the source record in words (incident number, PT event …).
    pub source_ref: String,
    pub finding: Option<FindingSource>,
    pub containment: String,
    pub containment_at: Option<String>,
    pub root_cause: Option<RootCauseAnalysis>,
    pub root_cause_at: Option<String>,
    pub actions: Vec<CapaAction>,
    pub plan_submitted_at: Option<String>,
    pub plan_approved_by: Option<Person>,
    pub plan_approved_at: Option<String>,
    pub plan_return_reason: Option<String>,
    /// The day implementation was complete (site calendar).
    pub implemented_on: Option<String>,
    /// The earliest day the effectiveness check may be recorded.
    pub effectiveness_due: Option<String>,
    pub checks: Vec<EffectivenessCheck>,
    pub follow_up: Vec<FollowUpEvidence>,
    pub closure: Option<ClosureSignature>,
    /// Why it was rejected or cancelled.
    pub end_reason: Option<String>,
    pub comments: Vec<CapaComment>,
    pub attachments: Vec<CapaAttachment>,
    pub timeline: Vec<TimelineEntry>,
    pub created_by: Person,
    pub created_at: String,
    pub can: CapaPermissions,
}

/// A new CAPA. From a finding only `finding_id` is needed: site, title, description,
/// severity and source are taken from it unless given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewCapa {
    #[serde(default)]
    pub finding_id: Option<i64>,
    /// Site code, e.g. `KEN-NBO`.
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub source: Option<CapaSource>,
    #[serde(default)]
    pub source_ref: Option<String>,
    /// Critical, major or minor.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Defaults to the site lead.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// `YYYY-MM-DD`; defaults to today + the days configured for the severity.
    #[serde(default)]
    pub due_date: Option<String>,
}

/// A change to a CAPA's particulars: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaUpdate {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner_id: Option<i64>,
    #[serde(default)]
    pub due_date: Option<String>,
    /// Required when the due date changes.
    #[serde(default)]
    pub reason: Option<String>,
}

/// What a step needs; each step reads its own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StepInput {
    /// `contain`: the immediate correction.
    #[serde(default)]
    pub containment: Option<String>,
    /// `root_cause`: the analysis.
    #[serde(default)]
    pub root_cause: Option<RootCauseAnalysis>,
    /// `return_plan`, `reject`, `cancel`: why.
    #[serde(default)]
    pub reason: Option<String>,
    /// `complete`: the day implementation was complete (default today; not in the future).
    #[serde(default)]
    pub implemented_on: Option<String>,
    /// `complete`: when to check effectiveness (default and minimum 30 days after).
    #[serde(default)]
    pub effectiveness_due: Option<String>,
    /// `verify`: the verdict and the evidence for it.
    #[serde(default)]
    pub verdict: Option<Verdict>,
    #[serde(default)]
    pub evidence: Option<String>,
    /// `close`: the signer's password (electronic signature).
    #[serde(default)]
    pub password: Option<String>,
}

/// Filters and order of the CAPA lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct CapaQuery {
    /// Only CAPAs I own, or with an action I own.
    #[serde(default)]
    pub mine: Option<bool>,
    pub site: Option<String>,
    pub region: Option<String>,
    /// A state, `active` (not closed, rejected or cancelled) or `all` (the default).
    pub state: Option<String>,
    pub severity: Option<String>,
    pub source: Option<String>,
    #[serde(default)]
    pub overdue: Option<bool>,
    /// `0-30`, `31-60`, `61-90` or `over-90` days open.
    pub age: Option<String>,
    /// Number or words of the title.
    pub q: Option<String>,
    /// `due` (default), `-due`, `opened`, `-opened`, `severity`, `number`, `-number`, `state`.
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Default due dates: days from opening per severity (an admin setting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DueDays {
    pub critical: i64,
    pub major: i64,
    pub minor: i64,
}

impl Default for DueDays {
    fn default() -> Self {
        DueDays {
            critical: 30,
            major: 60,
            minor: 90,
        }
    }
}

impl DueDays {
    /// Days for a severity; observations (which need no CAPA) get the minor figure.
    pub fn for_severity(&self, severity: Severity) -> i64 {
        match severity {
            Severity::Critical => self.critical,
            Severity::Major => self.major,
            Severity::Minor | Severity::Observation => self.minor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_buckets_have_inclusive_edges() {
        assert_eq!(AgeBucket::of(0), AgeBucket::UpTo30);
        assert_eq!(AgeBucket::of(30), AgeBucket::UpTo30);
        assert_eq!(AgeBucket::of(31), AgeBucket::UpTo60);
        assert_eq!(AgeBucket::of(60), AgeBucket::UpTo60);
        assert_eq!(AgeBucket::of(61), AgeBucket::UpTo90);
        assert_eq!(AgeBucket::of(90), AgeBucket::UpTo90);
        assert_eq!(AgeBucket::of(91), AgeBucket::Over90);
        for bucket in AgeBucket::ALL {
            assert_eq!(AgeBucket::parse(bucket.as_str()), Some(bucket));
            assert_eq!(
                serde_json::to_string(&bucket).unwrap(),
                format!("\"{}\"", bucket.as_str())
            );
        }
    }

    #[test]
    fn due_days_default_by_severity() {
        let days = DueDays::default();
        assert_eq!(days.for_severity(Severity::Critical), 30);
        assert_eq!(days.for_severity(Severity::Major), 60);
        assert_eq!(days.for_severity(Severity::Minor), 90);
    }

    #[test]
    fn step_names_are_the_api_names() {
        for step in CapaStep::ALL {
            assert_eq!(
                serde_json::to_string(step).unwrap(),
                format!("\"{}\"", step.as_str())
            );
        }
    }
}
