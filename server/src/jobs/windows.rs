//! The date rules of the scheduled checks, as plain functions: which notification a condition
//! earns on a given day. Each stage has its own key part, so a condition is notified once per
//! stage however often a job runs.

use chrono::{Datelike, Months, NaiveDate};

/// Where a document's periodic review stands: 30 and 14 days ahead, due today, then overdue
/// (one notification per overdue week).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStage {
    Within30,
    Within14,
    DueToday,
    /// `week` 0 is the first to seventh day overdue, 1 the eighth to fourteenth, …
    Overdue {
        week: i64,
    },
}

/// The review stage for `days_until` the due date (negative when overdue); `None` more than
/// 30 days ahead. The same 30 days as the register's "due soon".
pub fn review_stage(days_until: i64) -> Option<ReviewStage> {
    match days_until {
        d if d > 30 => None,
        15..=30 => Some(ReviewStage::Within30),
        1..=14 => Some(ReviewStage::Within14),
        0 => Some(ReviewStage::DueToday),
        d => Some(ReviewStage::Overdue { week: (-d - 1) / 7 }),
    }
}

impl ReviewStage {
    /// The stage's part of the notification key.
    pub fn key(self) -> String {
        match self {
            ReviewStage::Within30 => "30-days".into(),
            ReviewStage::Within14 => "14-days".into(),
            ReviewStage::DueToday => "due".into(),
            ReviewStage::Overdue { week } => format!("overdue-week-{}", week + 1),
        }
    }
}

/// "review due in 12 days", "review due today", "review overdue by 9 days".
pub fn review_words(days_until: i64) -> String {
    match days_until {
        0 => "review due today".into(),
        1 => "review due tomorrow".into(),
        d if d > 0 => format!("review due in {d} days"),
        -1 => "review overdue by 1 day".into(),
        d => format!("review overdue by {} days", -d),
    }
}

/// Where a site stands with a PT submission deadline it has not met yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineStage {
    /// Seven to two days left.
    Week,
    /// The day before, or the deadline day itself (results are accepted until its end).
    Day,
    /// The deadline passed without results.
    Missed,
}

/// How long after a deadline a missed submission is still reported.
pub const MISSED_REPORTED_FOR_DAYS: i64 = 30;

pub fn deadline_stage(days_until: i64) -> Option<DeadlineStage> {
    match days_until {
        2..=7 => Some(DeadlineStage::Week),
        0..=1 => Some(DeadlineStage::Day),
        d if d < 0 && -d <= MISSED_REPORTED_FOR_DAYS => Some(DeadlineStage::Missed),
        _ => None,
    }
}

impl DeadlineStage {
    pub fn key(self) -> &'static str {
        match self {
            DeadlineStage::Week => "7-days",
            DeadlineStage::Day => "1-day",
            DeadlineStage::Missed => "missed",
        }
    }
}

/// Who hears of an overdue CAPA: its owner from the first day past the due date, and the
/// regional managers once it is more than `grace_days` overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapaEscalation {
    pub owner: bool,
    pub regional_manager: bool,
}

pub fn capa_escalation(due: NaiveDate, today: NaiveDate, grace_days: i64) -> CapaEscalation {
    let overdue = (today - due).num_days();
    CapaEscalation {
        owner: overdue >= 1,
        regional_manager: overdue > grace_days,
    }
}

/// The calendar month before the one `today` falls in: first day, last day, and `YYYY-MM`.
pub fn previous_month(today: NaiveDate) -> (NaiveDate, NaiveDate, String) {
    let first_of_this = today.with_day(1).unwrap_or(today);
    let first = first_of_this
        .checked_sub_months(Months::new(1))
        .unwrap_or(first_of_this);
    let last = first_of_this.pred_opt().unwrap_or(first_of_this);
    (first, last, first.format("%Y-%m").to_string())
}

/// Whether an audit submitted on `submitted` has waited more than `days` for its report.
pub fn report_late(submitted: NaiveDate, today: NaiveDate, days: i64) -> bool {
    (today - submitted).num_days() > days
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn review_stages_are_30_14_and_0_days_ahead_then_weekly() {
        let stages: Vec<(i64, Option<String>)> = [31, 30, 15, 14, 1, 0, -1, -7, -8, -14, -15]
            .into_iter()
            .map(|d| (d, review_stage(d).map(ReviewStage::key)))
            .collect();
        let expected = [
            (31, None),
            (30, Some("30-days")),
            (15, Some("30-days")),
            (14, Some("14-days")),
            (1, Some("14-days")),
            (0, Some("due")),
            (-1, Some("overdue-week-1")),
            (-7, Some("overdue-week-1")),
            (-8, Some("overdue-week-2")),
            (-14, Some("overdue-week-2")),
            (-15, Some("overdue-week-3")),
        ];
        assert_eq!(
            stages,
            expected
                .iter()
                .map(|(d, k)| (*d, k.map(str::to_string)))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_review_due_on_11_december_seen_on_27_november_is_in_the_14_day_window() {
        let days = (date("2026-12-11") - date("2026-11-27")).num_days();
        assert_eq!(days, 14);
        assert_eq!(review_stage(days), Some(ReviewStage::Within14));
        assert_eq!(review_words(days), "review due in 14 days");
        assert_eq!(review_words(-9), "review overdue by 9 days");
    }

    #[test]
    fn pt_deadlines_warn_a_week_and_a_day_ahead_then_report_the_miss_for_a_month() {
        let stages: Vec<Option<&str>> = [8, 7, 2, 1, 0, -1, -30, -31]
            .into_iter()
            .map(|d| deadline_stage(d).map(DeadlineStage::key))
            .collect();
        assert_eq!(
            stages,
            vec![
                None,
                Some("7-days"),
                Some("7-days"),
                Some("1-day"),
                Some("1-day"),
                Some("missed"),
                Some("missed"),
                None
            ]
        );
    }

    #[test]
    fn an_overdue_capa_reaches_the_manager_after_the_grace_period() {
        let due = date("2026-11-20");
        let on = |today: &str| capa_escalation(due, date(today), 7);
        assert_eq!(
            on("2026-11-20"),
            CapaEscalation {
                owner: false,
                regional_manager: false
            }
        );
        assert_eq!(
            on("2026-11-21"),
            CapaEscalation {
                owner: true,
                regional_manager: false
            }
        );
        assert_eq!(
            on("2026-11-27"),
            CapaEscalation {
                owner: true,
                regional_manager: false
            },
            "7 days overdue is still within the grace period"
        );
        assert_eq!(
            on("2026-11-28"),
            CapaEscalation {
                owner: true,
                regional_manager: true
            }
        );
    }

    #[test]
    fn the_previous_month_handles_january_and_leap_februaries() {
        assert_eq!(
            previous_month(date("2026-11-27")),
            (date("2026-10-01"), date("2026-10-31"), "2026-10".into())
        );
        assert_eq!(
            previous_month(date("2027-01-01")),
            (date("2026-12-01"), date("2026-12-31"), "2026-12".into())
        );
        assert_eq!(
            previous_month(date("2028-03-15")),
            (date("2028-02-01"), date("2028-02-29"), "2028-02".into())
        );
    }

    #[test]
    fn a_report_is_late_the_day_after_the_allowed_days() {
        let submitted = date("2026-11-01");
        assert!(!report_late(submitted, date("2026-11-15"), 14));
        assert!(report_late(submitted, date("2026-11-16"), 14));
    }
}
