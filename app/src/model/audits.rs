//! Site audits as the UI and the API exchange them: checklist templates, audits, answers,
//! scores and findings.

use serde::{Deserialize, Serialize};

use super::documents::Person;

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
    pub section_count: i64,
    pub item_count: i64,
    /// Audits that use this version (editing it then makes a new version).
    pub audit_count: i64,
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
    /// Open findings (shown to site people once the audit is submitted).
    pub open_findings: i64,
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
    /// The CAPA raised for it (not counting cancelled ones).
    pub capa: Option<super::capa::CapaLink>,
}

/// A photo or document attached to a checklist item as evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub id: i64,
    pub item_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Person,
    pub uploaded_at: String,
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
    /// Issue the signed report (the lead auditor, once the audit is submitted).
    pub issue_report: bool,
    /// Download a DRAFT preview of the report (in progress or submitted).
    pub preview_report: bool,
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
    /// Photos and documents attached to items.
    pub evidence: Vec<Evidence>,
    pub score: AuditScore,
    pub actions: AuditActions,
    /// The signed report, once issued.
    pub report: Option<super::reports::IssuedReport>,
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
    /// Only audits where the checklist item with this text was answered no or partial.
    pub failed_item: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// Filters of the network pattern view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct PatternQuery {
    /// Audits planned on or after (`YYYY-MM-DD`); defaults to a year ago.
    pub from: Option<String>,
    /// Audits planned before (`YYYY-MM-DD`); defaults to tomorrow.
    pub to: Option<String>,
    pub region: Option<String>,
}

/// A checklist item and how often it was answered no or partial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PatternItem {
    pub template_code: String,
    pub clause: String,
    pub text: String,
    pub no: i64,
    pub partial: i64,
    /// Audits and sites where it happened.
    pub audits: i64,
    pub sites: i64,
    /// This item's share of all no/partial answers in the period, and the running total.
    pub share: f64,
    pub cumulative: f64,
}

/// The items most often answered no or partial across the network (a Pareto view).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PatternReport {
    pub from: String,
    pub to: String,
    /// All no/partial answers in the period and scope.
    pub total: i64,
    /// The top items, most frequent first.
    pub items: Vec<PatternItem>,
}

// ---------------------------------------------------------------- scoring rules

/// (points earned, points applicable) for an answer to an item of `weight`.
pub fn points(answer: Answer, weight: i64) -> (i64, i64) {
    match answer {
        Answer::Yes => (weight, weight),
        // One point, but never more than the item is worth.
        Answer::Partial => (1.min(weight), weight),
        Answer::No => (0, weight),
        Answer::NotApplicable => (0, 0),
    }
}

/// Points over applicable points; `percent` is `None` when nothing was applicable.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub points: i64,
    pub applicable: i64,
    pub answered: i64,
    pub items: i64,
}

impl Tally {
    /// The score in percent, or `None` when no answered item was applicable.
    pub fn percent(&self) -> Option<f64> {
        (self.applicable > 0).then(|| self.points as f64 * 100.0 / self.applicable as f64)
    }
}

/// Adds up items given as (weight, answer); unanswered items count in `items` only.
pub fn tally<'a>(items: impl IntoIterator<Item = (i64, Option<Answer>)> + 'a) -> Tally {
    let mut tally = Tally {
        points: 0,
        applicable: 0,
        answered: 0,
        items: 0,
    };
    for (weight, answer) in items {
        tally.items += 1;
        if let Some(answer) = answer {
            let (points, applicable) = points(answer, weight);
            tally.points += points;
            tally.applicable += applicable;
            tally.answered += 1;
        }
    }
    tally
}

/// Stars for a score: < 55 → 0, then one more star per 10 points, 95 and above → 5.
pub fn stars(percent: f64) -> u8 {
    // Exact bands, with a tolerance for floating-point sums (66.67 is 200/3, not 66.67).
    let p = percent + 1e-9;
    match p {
        p if p >= 95.0 => 5,
        p if p >= 85.0 => 4,
        p if p >= 75.0 => 3,
        p if p >= 65.0 => 2,
        p if p >= 55.0 => 1,
        _ => 0,
    }
}

/// "★★★☆☆" for 3 stars of 5.
pub fn star_text(stars: u8) -> String {
    let stars = stars.min(5) as usize;
    format!("{}{}", "★".repeat(stars), "☆".repeat(5 - stars))
}

/// A month as `(year, month)` from `YYYY-MM`.
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let (year, month) = text.split_once('-')?;
    let year: i32 = year.parse().ok()?;
    let month: u32 = month.parse().ok()?;
    ((1..=12).contains(&month) && (1900..=9999).contains(&year)).then_some((year, month))
}

/// The month after (`step` = 1) or before (`step` = -1).
pub fn add_months((year, month): (i32, u32), step: i32) -> (i32, u32) {
    let index = year * 12 + month as i32 - 1 + step;
    (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// The day of the week, 0 = Monday (Sakamoto's method).
pub fn weekday(year: i32, month: u32, day: u32) -> u32 {
    const T: [i32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if month < 3 { year - 1 } else { year };
    let sunday_first =
        (y + y / 4 - y / 100 + y / 400 + T[month as usize - 1] + day as i32).rem_euclid(7);
    ((sunday_first + 6) % 7) as u32
}

/// The weeks of a month for a calendar grid, Monday first; days outside the month are `None`.
pub fn month_grid(year: i32, month: u32) -> Vec<[Option<u32>; 7]> {
    let mut weeks = Vec::new();
    let mut week = [None; 7];
    let mut column = weekday(year, month, 1) as usize;
    for day in 1..=days_in_month(year, month) {
        week[column] = Some(day);
        column += 1;
        if column == 7 {
            weeks.push(week);
            week = [None; 7];
            column = 0;
        }
    }
    if column > 0 {
        weeks.push(week);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn november_2026_starts_on_a_sunday_and_has_six_calendar_rows() {
        assert_eq!(weekday(2026, 11, 1), 6);
        assert_eq!(weekday(2026, 11, 25), 2, "a Wednesday");
        let grid = month_grid(2026, 11);
        assert_eq!(grid.len(), 6);
        assert_eq!(grid[0], [None, None, None, None, None, None, Some(1)]);
        assert_eq!(grid[5][0], Some(30));
    }

    #[test]
    fn february_has_29_days_in_leap_years_only() {
        assert_eq!(days_in_month(2028, 2), 29);
        assert_eq!(days_in_month(2100, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
    }

    #[test]
    fn months_step_across_years() {
        assert_eq!(add_months((2026, 12), 1), (2027, 1));
        assert_eq!(add_months((2026, 1), -1), (2025, 12));
        assert_eq!(parse_month("2026-13"), None);
        assert_eq!(parse_month("2026-02"), Some((2026, 2)));
    }

    #[test]
    fn stars_are_drawn_out_of_five() {
        assert_eq!(star_text(3), "★★★☆☆");
        assert_eq!(star_text(0), "☆☆☆☆☆");
    }

    #[test]
    fn observations_need_no_capa() {
        assert!(Severity::Minor.capa_required());
        assert!(!Severity::Observation.capa_required());
    }
}
