//! Controlled documents (SOPs) as the UI and the API exchange them: documents, their versions,
//! reviews, diffs and read-and-acknowledge tasks.

use serde::{Deserialize, Serialize};

use super::auth::Role;

/// What a document is about; decides its code prefix by convention and filters the register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Laboratory,
    Radiology,
    Clinical,
    It,
    Administration,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Category::Laboratory,
        Category::Radiology,
        Category::Clinical,
        Category::It,
        Category::Administration,
    ];

    /// The value stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Laboratory => "laboratory",
            Category::Radiology => "radiology",
            Category::Clinical => "clinical",
            Category::It => "it",
            Category::Administration => "administration",
        }
    }

    pub fn parse(text: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::Laboratory => "Laboratory",
            Category::Radiology => "Radiology",
            Category::Clinical => "Clinical",
            Category::It => "IT",
            Category::Administration => "Administration",
        }
    }
}

/// Where a version is in its life: draft → in review → approved → effective → superseded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    Draft,
    InReview,
    Approved,
    Effective,
    Superseded,
}

impl VersionState {
    pub const ALL: [VersionState; 5] = [
        VersionState::Draft,
        VersionState::InReview,
        VersionState::Approved,
        VersionState::Effective,
        VersionState::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::InReview => "in_review",
            VersionState::Approved => "approved",
            VersionState::Effective => "effective",
            VersionState::Superseded => "superseded",
        }
    }

    pub fn parse(text: &str) -> Option<VersionState> {
        VersionState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            VersionState::Draft => "Draft",
            VersionState::InReview => "In review",
            VersionState::Approved => "Approved",
            VersionState::Effective => "Effective",
            VersionState::Superseded => "Superseded",
        }
    }

    /// Still being written or approved (not yet, and never again, in force).
    pub fn in_progress(self) -> bool {
        matches!(
            self,
            VersionState::Draft | VersionState::InReview | VersionState::Approved
        )
    }
}

/// A document's overall status in the register: withdrawn, in force, or the state of its first
/// version when nothing has been in force yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Draft,
    InReview,
    Approved,
    Effective,
    Withdrawn,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 5] = [
        DocumentStatus::Draft,
        DocumentStatus::InReview,
        DocumentStatus::Approved,
        DocumentStatus::Effective,
        DocumentStatus::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Draft => "draft",
            DocumentStatus::InReview => "in_review",
            DocumentStatus::Approved => "approved",
            DocumentStatus::Effective => "effective",
            DocumentStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(text: &str) -> Option<DocumentStatus> {
        DocumentStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            DocumentStatus::Draft => "Draft",
            DocumentStatus::InReview => "In review",
            DocumentStatus::Approved => "Approved",
            DocumentStatus::Effective => "Effective",
            DocumentStatus::Withdrawn => "Withdrawn",
        }
    }
}

/// "Due in 12 days", "due today", "overdue by 3 days" for a review `days` away (negative: past).
pub fn review_label(days: i64) -> String {
    match days {
        0 => "due today".into(),
        1 => "due tomorrow".into(),
        -1 => "overdue by 1 day".into(),
        d if d > 0 => format!("due in {d} days"),
        d => format!("overdue by {} days", -d),
    }
}

/// A person named on a document (owner, approver, author, signer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: i64,
    pub name: String,
}

/// A document as the register lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DocumentSummary {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub category: Category,
    /// The site of a site variant; `None` for a global document.
    pub site_code: Option<String>,
    /// The global document a site variant adapts.
    pub parent_code: Option<String>,
    pub status: DocumentStatus,
    /// The number of the version in force, if any.
    pub effective_version: Option<i64>,
    /// `YYYY-MM-DD` the version in force took effect.
    pub effective_date: Option<String>,
    /// `YYYY-MM-DD` the next review falls due (none while nothing is in force or when withdrawn).
    pub next_review_due: Option<String>,
    /// Days until the review is due; negative when overdue.
    pub review_in_days: Option<i64>,
    /// The state of a newer version being prepared, if any.
    pub revision: Option<VersionState>,
    pub owner: Person,
}

/// A version as listed in a document's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub id: i64,
    pub number: i64,
    pub state: VersionState,
    pub change_summary: String,
    pub author: Person,
    pub created_at: String,
    pub submitted_at: Option<String>,
    pub approved_by: Option<Person>,
    pub approved_at: Option<String>,
    pub effective_date: Option<String>,
    pub superseded_at: Option<String>,
    /// Why the version went back from review to draft, the last time it did.
    pub returned_reason: Option<String>,
    pub file: Option<FileInfo>,
}

/// An attached PDF or DOCX.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FileInfo {
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
}

/// What the caller may do with a document now; the server decides, the UI only shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DocumentActions {
    pub edit: bool,
    pub approve: bool,
    pub make_effective: bool,
    pub review: bool,
    pub withdraw: bool,
    pub new_version: bool,
    pub see_acknowledgements: bool,
}

/// One document with its versions, variants and review history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Document {
    #[serde(flatten)]
    pub summary: DocumentSummary,
    pub site_name: Option<String>,
    pub approver: Person,
    pub review_interval_months: i64,
    pub retention_years: i64,
    pub tags: Vec<String>,
    /// Roles that must read and acknowledge each new effective version.
    #[cfg_attr(feature = "ssr", schema(value_type = Vec<String>))]
    pub acknowledgement_roles: Vec<Role>,
    pub self_approval_allowed: bool,
    pub last_reviewed_at: Option<String>,
    pub withdrawn_at: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub created_at: String,
    /// Newest first.
    pub versions: Vec<VersionSummary>,
    /// Site variants of a global document, in the caller's scope.
    pub variants: Vec<DocumentSummary>,
    pub reviews: Vec<Review>,
    pub actions: DocumentActions,
}

/// One version with its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Version {
    #[serde(flatten)]
    pub summary: VersionSummary,
    pub document_id: i64,
    pub document_code: String,
    pub document_title: String,
    pub content: String,
    /// The Markdown rendered to safe HTML (raw HTML in the source is shown as text).
    pub content_html: String,
}

/// A periodic review of the version in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Review {
    pub id: i64,
    pub version_number: i64,
    pub reviewer: Person,
    pub reviewed_at: String,
    /// `confirmed` (unchanged, signed) or `revision_started` (a new draft).
    pub outcome: String,
    pub notes: String,
}

/// Filters, sort order and page of the register.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct DocumentQuery {
    /// Matches the code, the title or the text of the version in force.
    pub q: Option<String>,
    /// `laboratory`, `radiology`, `clinical`, `it` or `administration`.
    pub category: Option<String>,
    /// A site code for that site's variants; `global` for network documents only.
    pub site: Option<String>,
    /// `draft`, `in_review`, `approved`, `effective` or `withdrawn`.
    pub status: Option<String>,
    /// `overdue`, `due_soon` (within 30 days) or `on_time`.
    pub review: Option<String>,
    /// `code` (default), `title`, `category`, `status`, `effective_date` or `review_due`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub dir: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// A new document with its first draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    pub code: String,
    pub title: String,
    /// `laboratory`, `radiology`, `clinical`, `it` or `administration`.
    pub category: String,
    /// A site code for a site variant; empty or absent for a global document.
    #[serde(default)]
    pub site_code: Option<String>,
    /// For a site variant: the code of the global document it adapts.
    #[serde(default)]
    pub parent_code: Option<String>,
    /// The approver's user id (a quality officer or regional manager).
    pub approver_id: i64,
    /// Defaults to the creator.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// Defaults to 24.
    #[serde(default)]
    pub review_interval_months: Option<i64>,
    /// Defaults to 10.
    #[serde(default)]
    pub retention_years: Option<i64>,
    /// Comma-separated.
    #[serde(default)]
    pub tags: Option<String>,
    /// Defaults to site leads and staff.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Vec<String>>))]
    pub acknowledgement_roles: Option<Vec<Role>>,
    #[serde(default)]
    pub self_approval_allowed: Option<bool>,
    /// The first draft's Markdown.
    #[serde(default)]
    pub content: Option<String>,
}

/// New content for a draft.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftUpdate {
    pub content: String,
    pub change_summary: String,
}

/// A signature: the signer's password, re-entered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignatureInput {
    pub password: String,
}

/// A reason, for actions that need one (returning a draft, withdrawing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReasonInput {
    pub reason: String,
}

/// The outcome of a periodic review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `confirm` (the version stays, signed; the clock restarts) or `revise` (a new draft).
    pub outcome: String,
    #[serde(default)]
    pub notes: String,
    /// Required to confirm: the reviewer's signature.
    #[serde(default)]
    pub password: Option<String>,
}

/// One line of a diff between two versions' Markdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DiffLine {
    /// `same`, `added` or `removed`.
    pub kind: String,
    pub old_number: Option<i64>,
    pub new_number: Option<i64>,
    pub text: String,
}

/// The differences between two versions of one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VersionDiff {
    pub document_id: i64,
    pub document_code: String,
    pub from: VersionSummary,
    pub to: VersionSummary,
    pub added: i64,
    pub removed: i64,
    pub lines: Vec<DiffLine>,
}

/// A read-and-acknowledge task of one user for one effective version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Acknowledgement {
    pub id: i64,
    pub document_id: i64,
    pub document_code: String,
    pub document_title: String,
    pub version_id: i64,
    pub version_number: i64,
    pub user: Person,
    pub site_code: String,
    /// `YYYY-MM-DD`.
    pub due_date: String,
    pub acknowledged_at: Option<String>,
    /// Days until due; negative when overdue. `None` once acknowledged.
    pub due_in_days: Option<i64>,
}

/// Completion of a version's acknowledgements at one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteCompletion {
    pub site_code: String,
    pub site_name: String,
    pub total: i64,
    pub done: i64,
    pub overdue: i64,
}

/// Who has and has not acknowledged the version in force, per site and per person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AcknowledgementStatus {
    pub document_id: i64,
    pub version_number: Option<i64>,
    pub sites: Vec<SiteCompletion>,
    pub tasks: Vec<Acknowledgement>,
}

/// Someone who may be named approver of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ApproverOption {
    pub id: i64,
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(value_type = String))]
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_labels_count_days_both_ways() {
        assert_eq!(review_label(12), "due in 12 days");
        assert_eq!(review_label(0), "due today");
        assert_eq!(review_label(-1), "overdue by 1 day");
        assert_eq!(review_label(-30), "overdue by 30 days");
    }

    #[test]
    fn stored_names_round_trip() {
        for state in VersionState::ALL {
            assert_eq!(VersionState::parse(state.as_str()), Some(state));
        }
        for category in Category::ALL {
            assert_eq!(Category::parse(category.as_str()), Some(category));
        }
        assert_eq!(Category::parse("lab"), None);
    }
}
