//! CAPA dates: every CAPA lives in its site's calendar. "Today" is the site's local date, a CAPA
//! is overdue from the day after its due date, and its age counts days since it was opened.

use app::model::audits::Severity;
use app::model::capa::{AgeBucket, DueDays};
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;

/// The least time between implementation and the effectiveness check.
pub const EFFECTIVENESS_DELAY_DAYS: u64 = 30;

/// The site's time zone; an unknown name (never stored: sites are validated) falls back to UTC.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The date on the site's calendar at `now`.
pub fn local_today(zone: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&zone).date_naive()
}

/// The default due date of a CAPA opened on `opened` with this severity.
pub fn default_due(opened: NaiveDate, severity: Severity, days: &DueDays) -> NaiveDate {
    let days = days.for_severity(severity).max(0) as u64;
    opened.checked_add_days(Days::new(days)).unwrap_or(opened)
}

/// Overdue from the day after the due date.
pub fn is_overdue(due: NaiveDate, today: NaiveDate) -> bool {
    today > due
}

/// Whole days past the due date (0 when not overdue).
pub fn days_overdue(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// Days open: 0 on the day of opening.
pub fn age_days(opened: NaiveDate, until: NaiveDate) -> i64 {
    (until - opened).num_days().max(0)
}

pub fn age_bucket(opened: NaiveDate, until: NaiveDate) -> AgeBucket {
    AgeBucket::of(age_days(opened, until))
}

/// The earliest day the effectiveness check may be recorded.
pub fn earliest_check(implemented_on: NaiveDate) -> NaiveDate {
    implemented_on
        .checked_add_days(Days::new(EFFECTIVENESS_DELAY_DAYS))
        .unwrap_or(implemented_on)
}

/// The range of opening dates whose age today falls in `bucket`: `(earliest, latest)`, both
/// inclusive, `None` for no earliest.
pub fn opened_range(bucket: AgeBucket, today: NaiveDate) -> (Option<NaiveDate>, NaiveDate) {
    let (least, most) = bucket.days();
    let latest = today - chrono::Duration::days(least);
    let earliest = most.map(|most| today - chrono::Duration::days(most));
    (earliest, latest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn default_due_dates_by_severity() {
        let days = DueDays::default();
        let opened = date("2026-11-27");
        assert_eq!(
            default_due(opened, Severity::Critical, &days),
            date("2026-12-27")
        );
        assert_eq!(
            default_due(opened, Severity::Major, &days),
            date("2027-01-26")
        );
        assert_eq!(
            default_due(opened, Severity::Minor, &days),
            date("2027-02-25")
        );
        let configured = DueDays {
            critical: 14,
            major: 45,
            minor: 120,
        };
        assert_eq!(
            default_due(opened, Severity::Critical, &configured),
            date("2026-12-11")
        );
    }

    #[test]
    fn today_is_the_sites_date() {
        // 22:30 UTC on 27 November is already 28 November in Nairobi (UTC+3) and Manila (UTC+8),
        // but still 27 November in Lima (UTC−5).
        let now = utc("2026-11-27T22:30:00Z");
        assert_eq!(local_today(zone("Africa/Nairobi"), now), date("2026-11-28"));
        assert_eq!(local_today(zone("Asia/Manila"), now), date("2026-11-28"));
        assert_eq!(local_today(zone("America/Lima"), now), date("2026-11-27"));
        assert_eq!(local_today(zone("Not/AZone"), now), date("2026-11-27"));
    }

    #[test]
    fn overdue_from_the_day_after_the_due_date_in_the_sites_calendar() {
        let due = date("2026-11-27");
        assert!(
            !is_overdue(due, date("2026-11-27")),
            "due today is not overdue"
        );
        assert!(is_overdue(due, date("2026-11-28")));
        assert_eq!(days_overdue(due, date("2026-11-27")), 0);
        assert_eq!(days_overdue(due, date("2026-11-30")), 3);
        // The same instant: overdue in Manila, not yet in Lima.
        let now = utc("2026-11-27T22:30:00Z");
        assert!(is_overdue(due, local_today(zone("Asia/Manila"), now)));
        assert!(!is_overdue(due, local_today(zone("America/Lima"), now)));
    }

    #[test]
    fn age_and_buckets() {
        let opened = date("2026-09-01");
        assert_eq!(age_days(opened, date("2026-09-01")), 0);
        assert_eq!(age_days(opened, date("2026-10-01")), 30);
        assert_eq!(age_bucket(opened, date("2026-10-01")), AgeBucket::UpTo30);
        assert_eq!(age_bucket(opened, date("2026-10-02")), AgeBucket::UpTo60);
        assert_eq!(age_bucket(opened, date("2026-11-30")), AgeBucket::UpTo90);
        assert_eq!(age_bucket(opened, date("2026-12-01")), AgeBucket::Over90);
    }

    #[test]
    fn opening_ranges_match_the_buckets() {
        let today = date("2026-11-27");
        for bucket in AgeBucket::ALL {
            let (earliest, latest) = opened_range(bucket, today);
            assert_eq!(age_bucket(latest, today), bucket);
            if let Some(earliest) = earliest {
                assert_eq!(age_bucket(earliest, today), bucket);
                assert_ne!(age_bucket(earliest.pred_opt().unwrap(), today), bucket);
            }
            if bucket != AgeBucket::UpTo30 {
                assert_ne!(age_bucket(latest.succ_opt().unwrap(), today), bucket);
            }
        }
    }

    #[test]
    fn the_effectiveness_check_comes_at_least_thirty_days_after_implementation() {
        assert_eq!(earliest_check(date("2026-11-27")), date("2026-12-27"));
    }
}
