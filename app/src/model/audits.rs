//! Site audits as the UI and the API exchange them: checklist templates, audits, answers,
//! scores and findings.

use serde::{Deserialize, Serialize};

use super::documents::Person;

macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal, $label:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The value stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(text: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.as_str() == text)
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }
        }
    };
}

text_enum!(
    /// An auditor's answer to one checklist item.
    Answer {
        Yes => "yes", "Yes",
        Partial => "partial", "Partial",
        No => "no", "No",
        NotApplicable => "not_applicable", "N/A",
    }
);

text_enum!(
    /// Why an audit takes place.
    AuditType {
        Internal => "internal", "Internal",
        External => "external", "External",
        FollowUp => "follow_up", "Follow-up",
        Remote => "remote", "Remote",
    }
);

text_enum!(
    /// Where an audit is: planned → in progress → submitted → report issued → closed, or cancelled.
    AuditState {
        Planned => "planned", "Planned",
        InProgress => "in_progress", "In progress",
        Submitted => "submitted", "Submitted",
        ReportIssued => "report_issued", "Report issued",
        Closed => "closed", "Closed",
        Cancelled => "cancelled", "Cancelled",
    }
);

text_enum!(
    /// How serious a finding is.
    Severity {
        Critical => "critical", "Critical",
        Major => "major", "Major",
        Minor => "minor", "Minor",
        Observation => "observation", "Observation",
    }
);

impl Severity {
    /// Critical, major and minor findings need a corrective action; observations do not.
    pub fn capa_required(self) -> bool {
        self != Severity::Observation
    }
}

/// What a template's audits are about; laboratory audits pass through the PT gate.
pub const TEMPLATE_KINDS: [&str; 3] = ["laboratory", "radiology", "other"];

/// A template version as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateSummary {
    pub id: i64,
    pub code: String,
    pub version: i64,
    pub title: String,
    pub kind: String,
    pub sections: i64,
    pub items: i64,
    /// Audits that use this version (editing it then makes a new version).
    pub audits: i64,
    /// Whether this is the newest version of its code.
    pub latest: bool,
}

/// A template version with its sections and items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Template {
    #[serde(flatten)]
    pub summary: TemplateSummary,
    pub scoring: String,
    pub sections: Vec<TemplateSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateSection {
    pub id: i64,
    pub title: String,
    pub items: Vec<TemplateItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TemplateItem {
    pub id: i64,
    pub text: String,
    pub weight: i64,
    pub clause: String,
    pub guidance: String,
}

/// An audit as listed (register, calendar, site history).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditSummary {
    pub id: i64,
    pub site_code: String,
    pub site_name: String,
    pub region_code: String,
    pub template_id: i64,
    pub template_code: String,
    pub template_version: i64,
    pub template_title: String,
    pub audit_type: AuditType,
    /// `YYYY-MM-DD`.
    pub planned_start: String,
    pub planned_end: String,
    pub lead_auditor: Person,
    pub state: AuditState,
    /// The score once submitted; `None` before, or when nothing was applicable.
    pub percent: Option<f64>,
    pub stars: Option<u8>,
    pub findings: i64,
}

/// One item's answer, as last saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemAnswer {
    pub item_id: i64,
    pub answer: Answer,
    pub notes: String,
    /// Increases at every change; send it back as `base_revision` with the next answer.
    pub revision: i64,
    pub answered_by: Person,
    pub answered_at: String,
}

/// One answer sent by an auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub item_id: i64,
    pub answer: Answer,
    #[serde(default)]
    pub notes: String,
    /// The revision the auditor saw (0: no answer yet). A different answer saved since is a
    /// conflict, reported rather than overwritten.
    #[serde(default)]
    pub base_revision: i64,
}

/// An answer that was not saved because someone else changed the item first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerConflict {
    pub yours: AnswerInput,
    pub theirs: ItemAnswer,
}

/// The outcome of a batch of answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AnswerBatchResult {
    pub saved: Vec<ItemAnswer>,
    pub conflicts: Vec<AnswerConflict>,
}

/// The PT gate's outcome for a laboratory audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PtGateResult {
    pub passed: bool,
    pub reason: String,
}

/// One section's share of the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SectionScore {
    pub section_id: i64,
    pub title: String,
    pub points: i64,
    pub applicable: i64,
    pub answered: i64,
    pub items: i64,
    pub percent: Option<f64>,
}

/// An audit's score: points over applicable points, stars by band, per section, PT gate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditScore {
    pub points: i64,
    pub applicable: i64,
    pub answered: i64,
    pub items: i64,
    /// `None` when no answered item is applicable (no score, not 0%).
    pub percent: Option<f64>,
    /// Stars after the PT gate.
    pub stars: Option<u8>,
    pub sections: Vec<SectionScore>,
    /// Laboratory audits only.
    pub pt_gate: Option<PtGateResult>,
}

/// A finding raised during an audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Finding {
    pub id: i64,
    pub audit_id: i64,
    pub number: i64,
    pub item_id: Option<i64>,
    pub severity: Severity,
    pub clause: String,
    pub description: String,
    pub evidence: String,
    pub capa_required: bool,
    /// `open` or `withdrawn`.
    pub status: String,
    pub withdrawn_reason: Option<String>,
    pub created_by: Person,
    pub created_at: String,
}

/// A new finding, or changes to one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    /// The checklist item it comes from, if any.
    #[serde(default)]
    pub item_id: Option<i64>,
    /// `critical`, `major`, `minor` or `observation`.
    pub severity: String,
    #[serde(default)]
    pub clause: String,
    pub description: String,
    #[serde(default)]
    pub evidence: String,
}

/// What the caller may do with an audit now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditActions {
    pub start: bool,
    pub answer: bool,
    pub submit: bool,
    pub cancel: bool,
    pub findings: bool,
}

/// One audit with its checklist, answers, findings and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Audit {
    #[serde(flatten)]
    pub summary: AuditSummary,
    pub scope: String,
    pub team: Vec<Person>,
    pub started_at: Option<String>,
    pub submitted_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub template: Template,
    pub answers: Vec<ItemAnswer>,
    pub findings: Vec<Finding>,
    pub score: AuditScore,
    pub actions: AuditActions,
}

/// A new audit to plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAudit {
    pub site_code: String,
    pub template_id: i64,
    /// `internal`, `external`, `follow_up` or `remote`.
    pub audit_type: String,
    /// `YYYY-MM-DD`.
    pub planned_start: String,
    pub planned_end: String,
    /// Defaults to the planner.
    #[serde(default)]
    pub lead_auditor_id: Option<i64>,
    #[serde(default)]
    pub team_ids: Vec<i64>,
    #[serde(default)]
    pub scope: String,
}

/// Filters for the audit register and calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct AuditQuery {
    pub site: Option<String>,
    pub region: Option<String>,
    pub state: Option<String>,
    /// Planned start on or after (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Planned start before (`YYYY-MM-DD`).
    pub to: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}
