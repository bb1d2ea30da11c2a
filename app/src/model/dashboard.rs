//! Compliance dashboards: the figures per site and region, the network's patterns and trends,
//! a site's own to-do lists, the thresholds that rate each figure, and the CSV form of every
//! table.

use serde::{Deserialize, Serialize};

text_enum!(
    /// A dashboard figure with a threshold.
    Kpi {
        AuditScore => "audit_score", "Latest audit score (%)",
        CapasOverdue => "capas_overdue", "Overdue CAPAs",
        CapasOver90 => "capas_over_90", "CAPAs open > 90 days",
        SopReview => "sop_review", "SOP review compliance (%)",
        Acknowledgements => "acknowledgements", "Acknowledgement compliance (%)",
        PtSatisfactory => "pt_satisfactory", "PT satisfactory, 12 months (%)",
        QcKappa => "qc_kappa", "Radiology QC kappa",
        QcSignificant => "qc_significant", "Significant discrepancies (%)",
    }
);

impl Kpi {
    /// Whether a larger value is better (scores, compliance) or worse (counts, discrepancies).
    pub fn higher_is_better(self) -> bool {
        matches!(
            self,
            Kpi::AuditScore
                | Kpi::SopReview
                | Kpi::Acknowledgements
                | Kpi::PtSatisfactory
                | Kpi::QcKappa
        )
    }

    /// The values a limit may take: percentages, κ, or counts.
    pub fn range(self) -> (f64, f64) {
        match self {
            Kpi::QcKappa => (-1.0, 1.0),
            Kpi::CapasOverdue | Kpi::CapasOver90 => (0.0, 10_000.0),
            _ => (0.0, 100.0),
        }
    }
}

text_enum!(
    /// How a figure compares with its thresholds.
    Rating {
        Good => "good", "On target",
        Warning => "warning", "Needs attention",
        Poor => "poor", "Below target",
        NoData => "no_data", "No data",
    }
);

impl Rating {
    /// The cue shown beside the colour, so that the rating never depends on colour alone.
    pub fn icon(self) -> &'static str {
        match self {
            Rating::Good => "✓",
            Rating::Warning => "!",
            Rating::Poor => "✗",
            Rating::NoData => "–",
        }
    }
}

/// The two limits of one figure: at or beyond `good` it is on target, at or beyond `warning`
/// it needs attention, otherwise it is below target ("beyond" in the figure's good direction).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Threshold {
    pub kpi: Kpi,
    pub good: f64,
    pub warning: f64,
}

impl Threshold {
    pub fn rate(&self, value: Option<f64>) -> Rating {
        let Some(v) = value else {
            return Rating::NoData;
        };
        // A small tolerance so that 95.0 computed as 19/20*100 meets a 95 target.
        let eps = 1e-9;
        if self.kpi.higher_is_better() {
            if v + eps >= self.good {
                Rating::Good
            } else if v + eps >= self.warning {
                Rating::Warning
            } else {
                Rating::Poor
            }
        } else if v - eps <= self.good {
            Rating::Good
        } else if v - eps <= self.warning {
            Rating::Warning
        } else {
            Rating::Poor
        }
    }

    /// Why these limits cannot be saved, if they cannot.
    pub fn problem(&self) -> Option<String> {
        let (low, high) = self.kpi.range();
        for (name, v) in [("good", self.good), ("warning", self.warning)] {
            if !v.is_finite() || v < low || v > high {
                return Some(format!(
                    "{}: the {name} limit must be between {low} and {high}.",
                    self.kpi.label()
                ));
            }
        }
        if self.kpi.higher_is_better() && self.good < self.warning {
            return Some(format!(
                "{}: higher is better, so the good limit cannot be below the warning limit.",
                self.kpi.label()
            ));
        }
        if !self.kpi.higher_is_better() && self.good > self.warning {
            return Some(format!(
                "{}: lower is better, so the good limit cannot be above the warning limit.",
                self.kpi.label()
            ));
        }
        None
    }
}

/// The limits of every figure (an administrator's setting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Thresholds {
    pub items: Vec<Threshold>,
}

impl Thresholds {
    pub fn get(&self, kpi: Kpi) -> Threshold {
        self.items
            .iter()
            .copied()
            .find(|t| t.kpi == kpi)
            .unwrap_or(Threshold {
                kpi,
                good: 0.0,
                warning: 0.0,
            })
    }

    pub fn rate(&self, kpi: Kpi, value: Option<f64>) -> Rating {
        self.get(kpi).rate(value)
    }
}

text_enum!(
    /// The latest audit score against the one before.
    Trend {
        Up => "up", "Up",
        Down => "down", "Down",
        Steady => "steady", "Steady",
        First => "first", "First audit",
    }
);

impl Trend {
    /// Up or down by at least one percentage point; less is steady.
    pub fn between(latest: f64, previous: Option<f64>) -> Trend {
        match previous {
            None => Trend::First,
            Some(p) if latest - p >= 1.0 => Trend::Up,
            Some(p) if p - latest >= 1.0 => Trend::Down,
            Some(_) => Trend::Steady,
        }
    }

    pub fn arrow(self) -> &'static str {
        match self {
            Trend::Up => "▲",
            Trend::Down => "▼",
            Trend::Steady => "▶",
            Trend::First => "•",
        }
    }
}

/// Part of a whole, with the percentage when there is a whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Ratio {
    pub part: i64,
    pub whole: i64,
    pub percent: Option<f64>,
}

impl Ratio {
    pub fn of(part: i64, whole: i64) -> Ratio {
        Ratio {
            part,
            whole,
            percent: (whole > 0).then(|| part as f64 * 100.0 / whole as f64),
        }
    }
}

/// The latest audit score: of a site, or the mean of its sites' latest scores for a region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoreFigure {
    /// `YYYY-MM-DD` of the submission (the newest one for a region).
    pub date: String,
    pub percent: f64,
    pub stars: u8,
    pub previous_percent: Option<f64>,
    pub trend: Trend,
    /// How many scores the figure is made of (1 for a site).
    pub audits: i64,
}

/// Open CAPAs by days since opening, and how many are past their due date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaFigure {
    pub open: i64,
    pub up_to_30: i64,
    pub up_to_60: i64,
    pub up_to_90: i64,
    pub over_90: i64,
    pub overdue: i64,
}

/// PT over the window: results graded satisfactory among those scored, and events at which
/// participation was unsuccessful.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PtFigure {
    pub results: Ratio,
    pub unsuccessful_events: i64,
}

/// Radiology QC re-reads over the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QcFigure {
    pub reads: i64,
    /// Cohen's κ, shown from 20 reads.
    pub kappa: Option<f64>,
    /// Clinically significant discrepancies (peer scores 2b, 3a, 3b) among the reads.
    pub significant: Ratio,
}

/// Every figure of one row of a dashboard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Figures {
    pub audit: Option<ScoreFigure>,
    pub capas: CapaFigure,
    /// Effective documents that apply to the site and are not past their review date.
    pub sop_review: Ratio,
    /// Acknowledgements owed for current versions that are done or not yet due.
    pub acknowledgements: Ratio,
    pub pt: PtFigure,
    pub qc: QcFigure,
}

impl Figures {
    /// The value each threshold rates.
    pub fn value(&self, kpi: Kpi) -> Option<f64> {
        match kpi {
            Kpi::AuditScore => self.audit.as_ref().map(|a| a.percent),
            Kpi::CapasOverdue => Some(self.capas.overdue as f64),
            Kpi::CapasOver90 => Some(self.capas.over_90 as f64),
            Kpi::SopReview => self.sop_review.percent,
            Kpi::Acknowledgements => self.acknowledgements.percent,
            Kpi::PtSatisfactory => self.pt.results.percent,
            Kpi::QcKappa => self.qc.kappa,
            Kpi::QcSignificant => self.qc.significant.percent,
        }
    }
}

/// A site's row on the regional dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteRow {
    pub code: String,
    pub name: String,
    pub country: String,
    pub figures: Figures,
}

/// A region's row on the network dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegionRow {
    pub code: String,
    pub name: String,
    pub sites: i64,
    pub figures: Figures,
}

/// The months the PT and QC figures cover: `from` and `to` as `YYYY-MM`, both included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Window {
    pub from: String,
    pub to: String,
}

/// A monthly compliance report of the region (issued or not yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthlyReport {
    /// `YYYY-MM`.
    pub period: String,
    pub issued: bool,
}

/// The regional manager's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RegionalDashboard {
    pub code: String,
    pub name: String,
    /// `YYYY-MM-DD` (UTC) the figures stand on.
    pub as_of: String,
    pub window: Window,
    pub sites: Vec<SiteRow>,
    pub total: Figures,
    pub thresholds: Thresholds,
    /// The last twelve complete months, newest first.
    pub reports: Vec<MonthlyReport>,
}

/// A checklist clause and how often audits found it not (or partly) met.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FailedClause {
    pub template: String,
    pub clause: String,
    /// The requirement's text (the first item with this clause).
    pub text: String,
    /// Answers other than "not applicable".
    pub answered: i64,
    pub failed: i64,
    pub partial: i64,
    pub failed_percent: f64,
}

/// One month of the network's trends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MonthTrend {
    /// `YYYY-MM`.
    pub month: String,
    /// Mean score of the audits submitted in the month.
    pub audit_score: Option<f64>,
    pub audits: i64,
    pub pt: Ratio,
    /// CAPAs open at the month's end (today for the running month) and how many were overdue.
    pub capas_open: i64,
    pub capas_overdue: i64,
}

/// The network dashboard (quality officers and administrators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NetworkDashboard {
    pub as_of: String,
    pub window: Window,
    pub regions: Vec<RegionRow>,
    pub total: Figures,
    /// Submitted audits of the last 24 months: the clauses most often answered "no".
    pub failed_clauses: Vec<FailedClause>,
    /// The last 24 months, oldest first.
    pub trends: Vec<MonthTrend>,
    pub thresholds: Thresholds,
}

/// A CAPA of the site due soon or overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CapaDue {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub severity: String,
    pub state: String,
    pub due_date: String,
    /// Days until due; negative when overdue.
    pub days_left: i64,
    pub owner: String,
    /// Owned by the person looking.
    pub mine: bool,
}

/// An acknowledgement the site's people still owe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PendingAck {
    pub document_id: i64,
    pub code: String,
    pub title: String,
    pub version: i64,
    pub person: String,
    pub due_date: String,
    pub overdue: bool,
}

/// An open PT round of a scheme the site takes part in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PtDeadline {
    pub event_id: i64,
    pub scheme: String,
    pub scheme_name: String,
    pub round: String,
    pub deadline: String,
    /// Days until the deadline; negative once it has passed.
    pub days_left: i64,
    /// Results the site has entered for the round.
    pub results_entered: i64,
}

/// The site's next planned (or running) audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NextAudit {
    pub id: i64,
    pub planned_start: String,
    pub planned_end: String,
    pub audit_type: String,
    pub template: String,
    pub lead_auditor: String,
    pub state: String,
}

/// A submitted audit's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditPoint {
    pub id: i64,
    /// `YYYY-MM-DD` of the submission.
    pub date: String,
    pub percent: f64,
    pub stars: u8,
}

/// One month of a site's PT: results satisfactory among scored, and the z-scores' spread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PtMonth {
    /// `YYYY-MM` of the events' deadlines.
    pub month: String,
    pub results: Ratio,
    /// z and z′ scores of the month.
    pub z_scores: i64,
    pub mean_abs_z: Option<f64>,
    /// |z| > 2 (questionable or worse).
    pub beyond_2: i64,
}

/// A list with how many there are in all (the list itself is cut at 50).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// The site lead's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteDashboard {
    pub code: String,
    pub name: String,
    pub region: String,
    /// `YYYY-MM-DD` on the site's calendar.
    pub as_of: String,
    pub window: Window,
    pub figures: Figures,
    /// Open CAPAs due within 14 days or overdue, soonest first.
    pub capas_due: Listed<CapaDue>,
    pub acknowledgements_pending: Listed<PendingAck>,
    pub pt_deadlines: Vec<PtDeadline>,
    pub next_audit: Option<NextAudit>,
    /// Every submitted audit, oldest first.
    pub audit_history: Vec<AuditPoint>,
    /// The last 24 months, oldest first.
    pub pt_months: Vec<PtMonth>,
    pub thresholds: Thresholds,
}

/// How many days ahead a CAPA counts as due soon on the site dashboard.
pub const CAPA_DUE_SOON_DAYS: i64 = 14;

// ---------------------------------------------------------------- CSV

/// One CSV field: quoted when it holds a separator, quote or line break; text that a
/// spreadsheet would run as a formula gets a leading apostrophe.
fn field(text: &str) -> String {
    let formula = text.starts_with(['=', '+', '@', '\t', '\r'])
        || (text.starts_with('-') && !text[1..].starts_with(|c: char| c.is_ascii_digit()));
    let text = if formula {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// A CSV document (RFC 4180, CRLF line ends) from a header and rows.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let mut line = |cells: Vec<String>| {
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    };
    line(header.iter().map(|h| field(h)).collect());
    for row in rows {
        line(row.iter().map(|c| field(c)).collect());
    }
    out
}

/// A number with one decimal, or empty.
pub fn one_decimal(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// κ with two decimals, or empty.
pub fn two_decimals(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.2}")).unwrap_or_default()
}

/// The columns every figures table shares, after its name columns.
pub const FIGURE_COLUMNS: &[&str] = &[
    "Latest audit date",
    "Audit score %",
    "Stars",
    "Trend",
    "Open CAPAs",
    "CAPAs 0-30 days",
    "CAPAs 31-60 days",
    "CAPAs 61-90 days",
    "CAPAs > 90 days",
    "Overdue CAPAs",
    "SOP review compliance %",
    "Acknowledgement compliance %",
    "PT satisfactory % (12 months)",
    "PT results scored",
    "PT unsuccessful participation",
    "QC reads",
    "QC kappa",
    "Significant discrepancy %",
    "Ratings",
];

/// The cells of [`FIGURE_COLUMNS`] for one row; the last names every figure not on target.
pub fn figure_cells(f: &Figures, thresholds: &Thresholds) -> Vec<String> {
    let audit = f.audit.as_ref();
    let ratings = Kpi::ALL
        .iter()
        .filter_map(|k| {
            let rating = thresholds.rate(*k, f.value(*k));
            matches!(rating, Rating::Warning | Rating::Poor)
                .then(|| format!("{}: {}", k.label(), rating.label()))
        })
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        audit.map(|a| a.date.clone()).unwrap_or_default(),
        one_decimal(audit.map(|a| a.percent)),
        audit.map(|a| a.stars.to_string()).unwrap_or_default(),
        audit
            .map(|a| a.trend.label().to_string())
            .unwrap_or_default(),
        f.capas.open.to_string(),
        f.capas.up_to_30.to_string(),
        f.capas.up_to_60.to_string(),
        f.capas.up_to_90.to_string(),
        f.capas.over_90.to_string(),
        f.capas.overdue.to_string(),
        one_decimal(f.sop_review.percent),
        one_decimal(f.acknowledgements.percent),
        one_decimal(f.pt.results.percent),
        f.pt.results.whole.to_string(),
        f.pt.unsuccessful_events.to_string(),
        f.qc.reads.to_string(),
        two_decimals(f.qc.kappa),
        one_decimal(f.qc.significant.percent),
        ratings,
    ]
}

/// The regional dashboard's sites table as CSV.
pub fn sites_csv(d: &RegionalDashboard) -> String {
    let mut header = vec!["Site code", "Site", "Country"];
    header.extend_from_slice(FIGURE_COLUMNS);
    let rows: Vec<Vec<String>> = d
        .sites
        .iter()
        .map(|s| {
            let mut row = vec![s.code.clone(), s.name.clone(), s.country.clone()];
            row.extend(figure_cells(&s.figures, &d.thresholds));
            row
        })
        .collect();
    csv(&header, &rows)
}

/// The network dashboard's regions table as CSV.
pub fn regions_csv(d: &NetworkDashboard) -> String {
    let mut header = vec!["Region code", "Region", "Sites"];
    header.extend_from_slice(FIGURE_COLUMNS);
    let rows: Vec<Vec<String>> = d
        .regions
        .iter()
        .map(|r| {
            let mut row = vec![r.code.clone(), r.name.clone(), r.sites.to_string()];
            row.extend(figure_cells(&r.figures, &d.thresholds));
            row
        })
        .collect();
    csv(&header, &rows)
}

/// The most-failed clauses as CSV.
pub fn failed_clauses_csv(items: &[FailedClause]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|c| {
            vec![
                c.template.clone(),
                c.clause.clone(),
                c.text.clone(),
                c.answered.to_string(),
                c.failed.to_string(),
                c.partial.to_string(),
                format!("{:.1}", c.failed_percent),
            ]
        })
        .collect();
    csv(
        &[
            "Checklist",
            "Clause",
            "Requirement",
            "Answered",
            "Not met",
            "Partly met",
            "Not met %",
        ],
        &rows,
    )
}

/// The network's monthly trends as CSV.
pub fn trends_csv(items: &[MonthTrend]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|m| {
            vec![
                m.month.clone(),
                m.audits.to_string(),
                one_decimal(m.audit_score),
                m.pt.whole.to_string(),
                one_decimal(m.pt.percent),
                m.capas_open.to_string(),
                m.capas_overdue.to_string(),
            ]
        })
        .collect();
    csv(
        &[
            "Month",
            "Audits submitted",
            "Mean audit score %",
            "PT results scored",
            "PT satisfactory %",
            "CAPAs open at month end",
            "CAPAs overdue at month end",
        ],
        &rows,
    )
}

/// A site's audit score history as CSV.
pub fn audit_history_csv(items: &[AuditPoint]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|a| {
            vec![
                a.date.clone(),
                format!("{:.1}", a.percent),
                a.stars.to_string(),
            ]
        })
        .collect();
    csv(&["Submitted", "Score %", "Stars"], &rows)
}

/// A site's PT months as CSV.
pub fn pt_months_csv(items: &[PtMonth]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|m| {
            vec![
                m.month.clone(),
                m.results.whole.to_string(),
                m.results.part.to_string(),
                one_decimal(m.results.percent),
                m.z_scores.to_string(),
                two_decimals(m.mean_abs_z),
                m.beyond_2.to_string(),
            ]
        })
        .collect();
    csv(
        &[
            "Month",
            "PT results scored",
            "Satisfactory",
            "Satisfactory %",
            "z-scores",
            "Mean |z|",
            "|z| > 2",
        ],
        &rows,
    )
}

/// A site's CAPAs due soon or overdue as CSV.
pub fn capas_due_csv(items: &[CapaDue]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|c| {
            vec![
                c.number.clone(),
                c.title.clone(),
                c.severity.clone(),
                c.state.clone(),
                c.due_date.clone(),
                c.days_left.to_string(),
                c.owner.clone(),
            ]
        })
        .collect();
    csv(
        &[
            "CAPA",
            "Title",
            "Severity",
            "State",
            "Due",
            "Days left",
            "Owner",
        ],
        &rows,
    )
}

/// A site's pending acknowledgements as CSV.
pub fn pending_acks_csv(items: &[PendingAck]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|a| {
            vec![
                a.code.clone(),
                a.title.clone(),
                a.version.to_string(),
                a.person.clone(),
                a.due_date.clone(),
                if a.overdue { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    csv(
        &["Document", "Title", "Version", "Person", "Due", "Overdue"],
        &rows,
    )
}

/// A site's PT deadlines as CSV.
pub fn pt_deadlines_csv(items: &[PtDeadline]) -> String {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|p| {
            vec![
                p.scheme.clone(),
                p.scheme_name.clone(),
                p.round.clone(),
                p.deadline.clone(),
                p.days_left.to_string(),
                p.results_entered.to_string(),
            ]
        })
        .collect();
    csv(
        &[
            "Scheme",
            "Scheme name",
            "Round",
            "Deadline",
            "Days left",
            "Results entered",
        ],
        &rows,
    )
}

/// A `data:` address that downloads the CSV: works as a plain link, before hydration too.
pub fn csv_href(text: &str) -> String {
    let mut out = String::from("data:text/csv;charset=utf-8,");
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(kpi: Kpi, good: f64, warning: f64) -> Threshold {
        Threshold { kpi, good, warning }
    }

    #[test]
    fn higher_is_better_figures_rate_at_and_above_their_limits() {
        let t = limits(Kpi::SopReview, 95.0, 85.0);
        assert_eq!(t.rate(Some(100.0)), Rating::Good);
        assert_eq!(t.rate(Some(95.0)), Rating::Good);
        // 19 of 20 computed in floating point still meets a 95 % target.
        assert_eq!(t.rate(Some(19.0 * 100.0 / 20.0)), Rating::Good);
        assert_eq!(t.rate(Some(94.9)), Rating::Warning);
        assert_eq!(t.rate(Some(85.0)), Rating::Warning);
        assert_eq!(t.rate(Some(84.9)), Rating::Poor);
        assert_eq!(t.rate(None), Rating::NoData);
    }

    #[test]
    fn lower_is_better_figures_rate_at_and_below_their_limits() {
        let t = limits(Kpi::CapasOverdue, 0.0, 2.0);
        assert_eq!(t.rate(Some(0.0)), Rating::Good);
        assert_eq!(t.rate(Some(1.0)), Rating::Warning);
        assert_eq!(t.rate(Some(2.0)), Rating::Warning);
        assert_eq!(t.rate(Some(3.0)), Rating::Poor);
        let k = limits(Kpi::QcSignificant, 1.0, 2.0);
        assert_eq!(k.rate(Some(1.5)), Rating::Warning);
    }

    #[test]
    fn limits_must_point_the_figures_way_and_stay_in_range() {
        assert!(limits(Kpi::SopReview, 95.0, 85.0).problem().is_none());
        assert!(limits(Kpi::SopReview, 80.0, 85.0)
            .problem()
            .unwrap()
            .contains("higher is better"));
        assert!(limits(Kpi::CapasOverdue, 3.0, 2.0)
            .problem()
            .unwrap()
            .contains("lower is better"));
        assert!(limits(Kpi::QcKappa, 1.2, 0.6)
            .problem()
            .unwrap()
            .contains("between -1 and 1"));
        assert!(limits(Kpi::PtSatisfactory, f64::NAN, 80.0)
            .problem()
            .is_some());
    }

    #[test]
    fn a_score_trend_needs_a_whole_point() {
        assert_eq!(Trend::between(80.0, None), Trend::First);
        assert_eq!(Trend::between(81.0, Some(80.0)), Trend::Up);
        assert_eq!(Trend::between(80.5, Some(80.0)), Trend::Steady);
        assert_eq!(Trend::between(79.0, Some(80.0)), Trend::Down);
    }

    #[test]
    fn ratios_have_no_percentage_without_a_whole() {
        assert_eq!(Ratio::of(0, 0).percent, None);
        assert_eq!(Ratio::of(3, 4).percent, Some(75.0));
    }

    #[test]
    fn csv_quotes_separators_and_defuses_formulas() {
        let text = csv(
            &["Name", "Value"],
            &[
                vec!["Côte d'Ivoire, Abidjan".into(), "-3".into()],
                vec!["=HYPERLINK(\"x\")".into(), "say \"hi\"".into()],
                vec!["-x".into(), "@sum".into()],
            ],
        );
        assert_eq!(
            text,
            "Name,Value\r\n\"Côte d'Ivoire, Abidjan\",-3\r\n\"'=HYPERLINK(\"\"x\"\")\",\"say \"\"hi\"\"\"\r\n'-x,'@sum\r\n"
        );
    }

    #[test]
    fn a_csv_link_encodes_every_byte_that_is_not_plain() {
        assert_eq!(
            csv_href("a,b\r\nç"),
            "data:text/csv;charset=utf-8,a%2Cb%0D%0A%C3%A7"
        );
    }

    #[test]
    fn figure_cells_name_every_figure_off_target() {
        let thresholds = Thresholds {
            items: vec![
                limits(Kpi::CapasOverdue, 0.0, 2.0),
                limits(Kpi::SopReview, 95.0, 85.0),
            ],
        };
        let f = Figures {
            capas: CapaFigure {
                open: 4,
                overdue: 3,
                ..CapaFigure::default()
            },
            sop_review: Ratio::of(9, 10),
            ..Figures::default()
        };
        let cells = figure_cells(&f, &thresholds);
        assert_eq!(cells.len(), FIGURE_COLUMNS.len());
        assert_eq!(cells[4], "4");
        assert_eq!(cells[10], "90.0");
        assert_eq!(
            cells.last().unwrap(),
            "Overdue CAPAs: Below target; SOP review compliance (%): Needs attention"
        );
    }
}
