//! Review dates: the next review falls due one interval after the version took effect (or after
//! the last review that confirmed it), counted in calendar months.

use chrono::{Months, NaiveDate};

/// The date the next review falls due. A month without the starting day ends the interval on its
/// last day (31 January + 1 month = 28 or 29 February).
pub fn next_review_due(base: NaiveDate, interval_months: u32) -> NaiveDate {
    // chrono clamps to the month's last day; it fails only beyond year 262 143.
    base.checked_add_months(Months::new(interval_months))
        .unwrap_or(NaiveDate::MAX)
}

/// Days from `today` until `due`; negative when overdue.
pub fn days_until(due: NaiveDate, today: NaiveDate) -> i64 {
    (due - today).num_days()
}

/// Parses a stored `YYYY-MM-DD` date.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A date as stored and shown: `YYYY-MM-DD`.
pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    #[test]
    fn the_default_interval_is_two_years_to_the_day() {
        assert_eq!(next_review_due(date("2024-03-14"), 24), date("2026-03-14"));
    }

    #[test]
    fn the_thirty_first_of_january_plus_a_month_is_the_end_of_february() {
        assert_eq!(next_review_due(date("2026-01-31"), 1), date("2026-02-28"));
        assert_eq!(
            next_review_due(date("2028-01-31"), 1),
            date("2028-02-29"),
            "leap year"
        );
    }

    #[test]
    fn a_leap_day_plus_a_year_is_the_twenty_eighth_of_february() {
        assert_eq!(next_review_due(date("2024-02-29"), 12), date("2025-02-28"));
    }

    #[test]
    fn days_until_is_negative_once_overdue() {
        let due = date("2026-11-20");
        assert_eq!(days_until(due, date("2026-11-25")), -5);
        assert_eq!(days_until(due, date("2026-11-20")), 0);
        assert_eq!(days_until(due, date("2026-10-21")), 30);
    }
}
