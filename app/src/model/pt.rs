//! Proficiency testing / EQA: schemes, events (rounds) with their challenges (samples), results
//! per site with their scores, each site's event score, a site's PT history, and radiology QC
//! re-reads with their metrics.

use serde::{Deserialize, Serialize};

text_enum!(
    /// What a scheme tests.
    Discipline {
        TbSmear => "tb_smear", "TB smear microscopy",
        TbCulture => "tb_culture", "TB culture",
        TbDst => "tb_dst", "TB drug susceptibility",
        Xpert => "xpert", "Xpert MTB/RIF",
        Syphilis => "syphilis", "Syphilis serology",
        Hiv => "hiv", "HIV serology",
        HepatitisB => "hepatitis_b", "Hepatitis B",
        HepatitisC => "hepatitis_c", "Hepatitis C",
        CxrQc => "cxr_qc", "Chest X-ray reading QC",
    }
);

text_enum!(
    /// How the results of a scheme are reported, and so how they are scored.
    ResultType {
        Quantitative => "quantitative", "Quantitative",
        Qualitative => "qualitative", "Qualitative",
        Titre => "titre", "Titre",
        SmearGrade => "smear_grade", "Smear grade",
        DstPanel => "dst_panel", "DST panel",
        RadiologyRead => "radiology_read", "Radiology read",
    }
);

impl ResultType {
    /// The answers a site may give for a challenge of this type (none: a number, or a titre).
    pub fn categories(self, discipline: Discipline) -> &'static [&'static str] {
        match self {
            ResultType::Quantitative | ResultType::Titre => &[],
            ResultType::SmearGrade => &["negative", "scanty", "1+", "2+", "3+"],
            ResultType::DstPanel => &["resistant", "susceptible"],
            ResultType::RadiologyRead => &["normal", "tb", "other"],
            ResultType::Qualitative => match discipline {
                Discipline::TbCulture => &["positive", "negative", "contaminated"],
                Discipline::Xpert => &[
                    "mtb not detected",
                    "mtb detected, rif not detected",
                    "mtb detected, rif detected",
                    "mtb detected, rif indeterminate",
                ],
                _ => &["reactive", "non-reactive", "indeterminate"],
            },
        }
    }
}

text_enum!(
    /// Where an event (round) is: results are entered while open; closed stops entry except
    /// late results with a reason; scored once a quality officer has scored it.
    EventStatus {
        Open => "open", "Open",
        Closed => "closed", "Closed",
        Scored => "scored", "Scored",
    }
);

text_enum!(
    /// How a quantitative challenge is scored; `category` for everything else.
    ScoreMethod {
        Z => "z", "z (z′ when u(X) > 0.3·σpt)",
        Zeta => "zeta", "ζ",
        En => "en", "En",
        Category => "category", "Category",
    }
);

text_enum!(
    /// The score a result got.
    ScoreKind {
        Z => "z", "z",
        ZPrime => "z_prime", "z′",
        Zeta => "zeta", "ζ",
        En => "en", "En",
        Category => "category", "category",
        Titre => "titre", "titre",
        Smear => "smear", "smear grade",
        Dst => "dst", "DST",
    }
);

text_enum!(
    /// The verdict on one result. Questionable is acceptable for the event score, with a warning.
    ResultVerdict {
        Satisfactory => "satisfactory", "Satisfactory",
        Questionable => "questionable", "Questionable",
        Unsatisfactory => "unsatisfactory", "Unsatisfactory",
        NotScored => "not_scored", "Not scored",
    }
);

impl ResultVerdict {
    /// Whether it counts as acceptable in the event score.
    pub fn acceptable(self) -> bool {
        matches!(
            self,
            ResultVerdict::Satisfactory | ResultVerdict::Questionable
        )
    }
}

text_enum!(
    /// The verdict on a site's participation in one event.
    EventVerdict {
        Satisfactory => "satisfactory", "Satisfactory",
        Unsatisfactory => "unsatisfactory", "Unsatisfactory",
        NotScored => "not_scored", "Not scored",
    }
);

text_enum!(
    /// TB smear blinded rechecking: how the site's reading compares with the controller's.
    SmearGrading {
        Correct => "correct", "Correct",
        Hfp => "hfp", "High false positive",
        Hfn => "hfn", "High false negative",
        Lfp => "lfp", "Low false positive",
        Lfn => "lfn", "Low false negative",
        Qe => "qe", "Quantification error",
    }
);

text_enum!(
    /// A chest X-ray classification.
    XrayClass {
        Normal => "normal", "Normal",
        Tb => "tb", "Abnormal, suggestive of TB",
        Other => "other", "Abnormal, other",
    }
);

text_enum!(
    /// Peer-review score of a QC re-read: 1 agrees; 2 and 3 are discrepancies of increasing
    /// severity; b = likely clinically significant. 2b, 3a and 3b count as clinically
    /// significant discrepancies (scoring.md).
    PeerScore {
        Agree => "1", "1 — agree",
        Minor => "2a", "2a — discrepancy, unlikely to matter",
        MinorSignificant => "2b", "2b — discrepancy, likely clinically significant",
        Major => "3a", "3a — major discrepancy",
        MajorSignificant => "3b", "3b — major discrepancy, likely clinically significant",
    }
);

impl PeerScore {
    pub fn clinically_significant(self) -> bool {
        matches!(
            self,
            PeerScore::MinorSignificant | PeerScore::Major | PeerScore::MajorSignificant
        )
    }
}

/// A site as PT lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteRef {
    pub code: String,
    pub name: String,
}

/// A PT scheme with its participating sites (those in the caller's scope).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scheme {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub provider: String,
    pub discipline: Discipline,
    pub result_type: ResultType,
    pub events_per_year: i64,
    /// `active` or `retired`.
    pub status: String,
    pub sites: Vec<SiteRef>,
    pub events: i64,
}

/// A new scheme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewScheme {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub provider: String,
    pub discipline: Option<Discipline>,
    pub result_type: Option<ResultType>,
    #[serde(default)]
    pub events_per_year: Option<i64>,
    /// Site codes.
    #[serde(default)]
    pub sites: Vec<String>,
}

/// A change to a scheme: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SchemeUpdate {
    pub name: Option<String>,
    pub provider: Option<String>,
    pub events_per_year: Option<i64>,
    /// The full list of participating site codes.
    pub sites: Option<Vec<String>>,
    /// `active` or `retired`.
    pub status: Option<String>,
}

/// One challenge (sample) of an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Challenge {
    pub id: i64,
    pub position: i64,
    /// The sample id.
    pub code: String,
    /// What is measured; for DST panels, the drug.
    pub analyte: String,
    pub unit: String,
    pub method: ScoreMethod,
    pub assigned_value: Option<f64>,
    pub sigma_pt: Option<f64>,
    /// u(X), the standard uncertainty of the assigned value.
    pub u_assigned: Option<f64>,
    /// U_ref, the expanded uncertainty (k = 2) of the reference value, for En.
    pub expanded_assigned: Option<f64>,
    /// The assigned value is the robust consensus of the participants.
    pub consensus: bool,
    pub consensus_value: Option<f64>,
    pub consensus_sigma: Option<f64>,
    pub consensus_count: Option<i64>,
    /// Expected category, titre (`1:16`) or smear grade.
    pub expected: Option<String>,
    /// The answers allowed (empty: a number or a titre).
    pub categories: Vec<String>,
}

/// A challenge as given when an event is created or its challenges added.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewChallenge {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub analyte: String,
    #[serde(default)]
    pub unit: String,
    /// Quantitative: `z` (default), `zeta` or `en`.
    pub method: Option<ScoreMethod>,
    pub assigned_value: Option<f64>,
    pub sigma_pt: Option<f64>,
    pub u_assigned: Option<f64>,
    pub expanded_assigned: Option<f64>,
    #[serde(default)]
    pub consensus: bool,
    pub expected: Option<String>,
}

/// Assigned values published after the round (only the fields given change).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChallengeUpdate {
    pub assigned_value: Option<f64>,
    pub sigma_pt: Option<f64>,
    pub u_assigned: Option<f64>,
    pub expanded_assigned: Option<f64>,
    pub consensus: Option<bool>,
    pub expected: Option<String>,
}

/// A new event (round) with its challenges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewEvent {
    /// Scheme code.
    #[serde(default)]
    pub scheme: String,
    /// The provider's round identifier.
    #[serde(default)]
    pub code: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub dispatch_date: String,
    /// `YYYY-MM-DD`: the last day results are accepted without a reason.
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub challenges: Vec<NewChallenge>,
}

/// An event as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventSummary {
    pub id: i64,
    pub scheme_code: String,
    pub scheme_name: String,
    pub discipline: Discipline,
    pub result_type: ResultType,
    pub code: String,
    pub dispatch_date: String,
    pub deadline: String,
    pub status: EventStatus,
    pub challenges: i64,
    /// Participating sites in the caller's scope.
    pub participants: i64,
    /// Of those, how many have submitted any result.
    pub submitted: i64,
    /// Of those, how many scored unsatisfactory.
    pub unsatisfactory: i64,
    /// For a site lead: their site's event score, once scored.
    pub my_score: Option<f64>,
}

/// Filters of the event list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct EventQuery {
    pub scheme: Option<String>,
    pub status: Option<String>,
    /// Events with this site among the participants.
    pub site: Option<String>,
    /// Words of the scheme name or the round.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// One site's standing in an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventSite {
    pub code: String,
    pub name: String,
    /// Results submitted, of `challenges`.
    pub submitted: i64,
    pub late: i64,
    pub score: Option<EventScore>,
}

/// An event with its challenges, the sites in the caller's scope and what the caller may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Event {
    pub summary: EventSummary,
    pub provider: String,
    pub challenges: Vec<Challenge>,
    pub sites: Vec<EventSite>,
    /// Site codes the caller may enter results for.
    pub can_submit_for: Vec<String>,
    /// The caller may edit challenges, close and score.
    pub can_manage: bool,
    /// Today is after the deadline (results then need a reason).
    pub past_deadline: bool,
    /// Scoring opened these CAPAs (numbers), in the caller's scope.
    pub capas: Vec<PtCapa>,
}

/// A CAPA opened from a PT source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PtCapa {
    pub id: i64,
    pub number: String,
    pub site: String,
    pub title: String,
    pub state: String,
}

/// One reported result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultInput {
    pub challenge_id: i64,
    /// The number, category, titre (`1:16`) or smear grade as reported.
    #[serde(default)]
    pub value: String,
    /// Must match the challenge's unit when given.
    #[serde(default)]
    pub unit: String,
    /// u(x), the participant's standard uncertainty (ζ).
    pub u: Option<f64>,
    /// U_lab, the participant's expanded uncertainty (En).
    pub expanded: Option<f64>,
}

/// A site's results for an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SubmitResults {
    /// Site code.
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub results: Vec<ResultInput>,
    /// Required after the deadline.
    pub late_reason: Option<String>,
    /// Replace results already submitted (a correction); otherwise they are refused.
    #[serde(default)]
    pub replace: bool,
}

/// A result with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PtResult {
    pub id: i64,
    pub challenge_id: i64,
    pub sample: String,
    pub analyte: String,
    pub site: String,
    pub value: String,
    pub unit: String,
    pub u_lab: Option<f64>,
    pub expanded_lab: Option<f64>,
    pub late: bool,
    pub late_reason: Option<String>,
    pub submitted_by: String,
    pub submitted_at: String,
    pub score_kind: Option<ScoreKind>,
    pub score: Option<f64>,
    pub verdict: Option<ResultVerdict>,
    pub grading: Option<SmearGrading>,
    /// Why it was not scored, or what else a reader should know.
    pub note: String,
}

/// Per-drug efficiency of a DST panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DrugEfficiency {
    pub drug: String,
    pub agreeing: i64,
    pub tested: i64,
    pub efficiency_percent: f64,
    pub target_percent: Option<f64>,
    pub meets_target: bool,
}

/// What else an event score rests on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ScoreDetail {
    /// Smear rechecking: counts of each grading.
    #[serde(default)]
    pub smear: Vec<(SmearGrading, i64)>,
    #[serde(default)]
    pub dst: Vec<DrugEfficiency>,
    /// Reasons: missing or late results, failed panel, drugs below target.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A site's score in one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventScore {
    pub site: String,
    pub acceptable: i64,
    pub total: i64,
    pub score_percent: Option<f64>,
    pub verdict: EventVerdict,
    /// Unsuccessful participation in the scheme at this event.
    pub unsuccessful: bool,
    pub detail: ScoreDetail,
}

/// An event's results and scores, as far as the caller may see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EventResults {
    pub results: Vec<PtResult>,
    pub scores: Vec<EventScore>,
}

/// How a CSV import should treat invalid rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportMode {
    /// Nothing is imported when any row is invalid.
    #[default]
    AllOrNothing,
    /// The valid rows are imported; the invalid ones are reported.
    ValidRows,
}

/// One problem in an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RowError {
    /// 1-based line number in the file (the header is line 1); for a JSON array, the 1-based
    /// position of the item.
    pub line: i64,
    pub column: String,
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub rows: i64,
    pub imported: i64,
    pub errors: Vec<RowError>,
    /// Whether anything was written.
    pub applied: bool,
}

/// One event in a site's PT history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryEvent {
    pub event_id: i64,
    pub scheme_code: String,
    pub scheme_name: String,
    pub code: String,
    pub deadline: String,
    pub score_percent: Option<f64>,
    pub verdict: EventVerdict,
    pub unsuccessful: bool,
}

/// One point of a z-score trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ZPoint {
    pub date: String,
    pub event: String,
    pub sample: String,
    pub score: f64,
    pub kind: ScoreKind,
}

/// The z-scores (z, z′, ζ) of one analyte of one scheme over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ZSeries {
    pub scheme: String,
    pub analyte: String,
    pub unit: String,
    pub points: Vec<ZPoint>,
}

/// A site's PT history: event scores, newest first, and z-score trends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SiteHistory {
    pub site: SiteRef,
    pub events: Vec<HistoryEvent>,
    pub series: Vec<ZSeries>,
    pub capas: Vec<PtCapa>,
}

/// A radiology QC re-read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QcRead {
    pub id: i64,
    pub site: String,
    pub exam_id: String,
    pub reader: String,
    pub qc_reader: String,
    pub primary_class: XrayClass,
    pub qc_class: XrayClass,
    pub peer_score: PeerScore,
    /// 1 good, 2 acceptable, 3 poor, 4 unacceptable.
    pub image_quality: i64,
    /// `YYYY-MM-DD`.
    pub read_on: String,
}

/// A QC re-read to record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewQcRead {
    #[serde(default)]
    pub site: String,
    #[serde(default)]
    pub exam_id: String,
    #[serde(default)]
    pub reader: String,
    #[serde(default)]
    pub qc_reader: String,
    #[serde(default)]
    pub primary_class: String,
    #[serde(default)]
    pub qc_class: String,
    #[serde(default)]
    pub peer_score: String,
    #[serde(default)]
    pub image_quality: i64,
    #[serde(default)]
    pub read_on: String,
}

/// Filters of the QC read list and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams))]
pub struct QcQuery {
    /// `YYYY-MM-DD`; default 90 days before `to`.
    pub from: Option<String>,
    /// `YYYY-MM-DD`; default today.
    pub to: Option<String>,
    pub site: Option<String>,
    pub region: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

/// The radiology QC flag thresholds (an admin setting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QcThresholds {
    /// Flag when κ is below this.
    pub kappa_min: f64,
    /// Flag when clinically significant discrepancies exceed this % of reads.
    pub significant_max_percent: f64,
    /// Flag when poor or unacceptable images exceed this % of reads.
    pub poor_image_max_percent: f64,
}

impl Default for QcThresholds {
    fn default() -> Self {
        QcThresholds {
            kappa_min: 0.6,
            significant_max_percent: 2.0,
            poor_image_max_percent: 5.0,
        }
    }
}

text_enum!(
    /// A radiology QC metric past its threshold.
    QcFlag {
        LowKappa => "low_kappa", "κ below threshold",
        SignificantDiscrepancies => "significant_discrepancies", "Significant discrepancies above threshold",
        PoorImages => "poor_images", "Poor/unacceptable images above threshold",
    }
);

/// QC metrics of one site or one reader over the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QcMetricsRow {
    pub site: String,
    /// Empty for the site row.
    pub reader: String,
    pub reads: i64,
    pub concordance_percent: Option<f64>,
    /// None with fewer than 20 reads ("not enough reads").
    pub kappa: Option<f64>,
    pub significant_percent: Option<f64>,
    pub poor_image_percent: Option<f64>,
    pub flags: Vec<QcFlag>,
}

/// Radiology QC metrics per site and per reader.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct QcMetrics {
    pub from: String,
    pub to: String,
    pub thresholds: QcThresholds,
    pub sites: Vec<QcMetricsRow>,
    pub readers: Vec<QcMetricsRow>,
    /// The caller may record reads and change thresholds.
    pub can_manage: bool,
}
