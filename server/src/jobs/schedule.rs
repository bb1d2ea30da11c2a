//! When a job runs: a cron expression read in a time zone, the next occurrence after a moment,
//! and the latest occurrence missed while the server was down.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// A job's schedule: a cron expression in a time zone, or disabled (an empty expression).
#[derive(Debug, Clone)]
pub struct JobSchedule {
    /// The expression as configured (five fields, or six with seconds); empty when disabled.
    pub expression: String,
    pub zone: Tz,
    cron: Option<cron::Schedule>,
}

impl JobSchedule {
    /// Parses an expression: five fields (`min hour day month weekday`, as in crontab) get a
    /// seconds field of 0; six or seven fields are read as the `cron` crate reads them. An empty
    /// expression disables the job. The error is the parser's message.
    pub fn parse(expression: &str, zone: Tz) -> Result<Self, String> {
        let expression = expression.split_whitespace().collect::<Vec<_>>().join(" ");
        if expression.is_empty() {
            return Ok(JobSchedule {
                expression,
                zone,
                cron: None,
            });
        }
        let fields = expression.split(' ').count();
        let full = match fields {
            5 => format!("0 {expression}"),
            6 | 7 => expression.clone(),
            n => {
                return Err(format!(
                    "expected 5 fields (minute hour day month weekday), found {n}"
                ))
            }
        };
        let cron = cron::Schedule::from_str(&full).map_err(|error| one_line(&error.to_string()))?;
        Ok(JobSchedule {
            expression,
            zone,
            cron: Some(cron),
        })
    }

    pub fn is_enabled(&self) -> bool {
        self.cron.is_some()
    }

    /// The first occurrence strictly after `after`.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let cron = self.cron.as_ref()?;
        cron.after(&after.with_timezone(&self.zone))
            .next()
            .map(|at| at.with_timezone(&Utc))
    }

    /// The latest occurrence in `(since, now]`: the one occurrence to catch up after downtime,
    /// however many were missed. `None` when nothing fell due in between.
    pub fn latest_missed(&self, since: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let cron = self.cron.as_ref()?;
        // `after(now).next_back()` walks backwards from `now`: the latest occurrence before it.
        let latest = if cron.includes(now.with_timezone(&self.zone)) {
            Some(now)
        } else {
            cron.after(&now.with_timezone(&self.zone))
                .next_back()
                .map(|at| at.with_timezone(&Utc))
        }?;
        (latest > since).then_some(latest)
    }

    /// The date on the job's calendar at `at`: due-date windows count days in this zone.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.zone).date_naive()
    }
}

/// The parser's message without the expression and caret it prints above it: the last line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .rfind(|line| !line.is_empty())
        .unwrap_or(message)
        .to_string()
}

/// Parses an IANA time-zone name.
pub fn parse_zone(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!(
            "'{}' is not an IANA time zone such as Africa/Nairobi",
            name.trim()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn daily_six(zone: &str) -> JobSchedule {
        JobSchedule::parse("0 6 * * *", parse_zone(zone).unwrap()).unwrap()
    }

    #[test]
    fn six_in_the_morning_is_a_different_instant_in_manila_and_nairobi() {
        let now = utc("2026-11-27T12:00:00Z");
        // Manila is UTC+8: 06:00 local is 22:00 UTC the day before.
        assert_eq!(
            daily_six("Asia/Manila").next_after(now),
            Some(utc("2026-11-27T22:00:00Z"))
        );
        // Nairobi is UTC+3: 06:00 local is 03:00 UTC.
        assert_eq!(
            daily_six("Africa/Nairobi").next_after(now),
            Some(utc("2026-11-28T03:00:00Z"))
        );
    }

    #[test]
    fn the_local_date_of_one_instant_differs_by_zone() {
        let at = utc("2026-11-27T22:00:00Z");
        assert_eq!(
            daily_six("Asia/Manila").local_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
        );
        assert_eq!(
            daily_six("Africa/Nairobi").local_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
        );
        assert_eq!(
            daily_six("America/Bogota").local_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
        );
    }

    #[test]
    fn daylight_saving_keeps_the_local_hour() {
        // Europe/Istanbul has no DST; Europe/London does: 06:00 local is 06:00 UTC in winter
        // and 05:00 UTC in summer.
        let london = daily_six("Europe/London");
        assert_eq!(
            london.next_after(utc("2026-01-10T12:00:00Z")),
            Some(utc("2026-01-11T06:00:00Z"))
        );
        assert_eq!(
            london.next_after(utc("2026-07-10T12:00:00Z")),
            Some(utc("2026-07-11T05:00:00Z"))
        );
    }

    #[test]
    fn three_missed_days_are_caught_up_once_with_the_latest() {
        let nairobi = daily_six("Africa/Nairobi");
        let last_run = utc("2026-11-24T03:00:00Z");
        let now = utc("2026-11-27T12:00:00Z");
        assert_eq!(
            nairobi.latest_missed(last_run, now),
            Some(utc("2026-11-27T03:00:00Z"))
        );
        // Nothing missed since the last run.
        assert_eq!(
            nairobi.latest_missed(utc("2026-11-27T03:00:00Z"), now),
            None
        );
    }

    #[test]
    fn five_fields_get_seconds_and_six_are_taken_as_they_are() {
        let five = JobSchedule::parse("30 7 1 * *", Tz::UTC).unwrap();
        let six = JobSchedule::parse("0 30 7 1 * *", Tz::UTC).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
        assert_eq!(five.next_after(now), six.next_after(now));
        assert_eq!(five.next_after(now), Some(utc("2026-12-01T07:30:00Z")));
    }

    #[test]
    fn an_empty_expression_disables_the_job() {
        let off = JobSchedule::parse("  ", Tz::UTC).unwrap();
        assert!(!off.is_enabled());
        assert_eq!(off.next_after(Utc::now()), None);
        assert_eq!(
            off.latest_missed(utc("2020-01-01T00:00:00Z"), Utc::now()),
            None
        );
    }

    #[test]
    fn bad_expressions_and_zones_say_what_is_wrong() {
        let hour = JobSchedule::parse("0 25 * * *", Tz::UTC).unwrap_err();
        assert!(hour.contains("'25'"), "{hour}");
        assert_eq!(hour.lines().count(), 1, "{hour}");
        assert!(JobSchedule::parse("every day", Tz::UTC)
            .unwrap_err()
            .contains("expected 5 fields"));
        assert!(parse_zone("Mars/Olympus")
            .unwrap_err()
            .contains("Mars/Olympus"));
    }
}
