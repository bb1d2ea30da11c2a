//! The monthly regional compliance report: for one region and one calendar month, each site's
//! latest audit score, its open CAPAs by age and overdue, and its PT performance over the last
//! twelve months. Laid out with the same builder as the audit report and signed the same way;
//! the scheduled job issues it once per region and month. Pure: figures in, document out.

use super::pdf::{Cell, Column, Document, Meta, Rgb, Style};

/// One site's row.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteFigures {
    pub code: String,
    pub name: String,
    /// Latest submitted audit up to the month's end: (submission date, percent).
    pub latest_audit: Option<(String, Option<f64>)>,
    /// Open CAPAs at the month's end by age in days: 0–30, 31–60, 61–90, over 90.
    pub capa_ages: [i64; 4],
    pub capas_overdue: i64,
    /// PT results scored in the twelve months to the month's end: satisfactory and all scored.
    pub pt_satisfactory: i64,
    pub pt_scored: i64,
    /// Events in those twelve months scored unsatisfactory for the site.
    pub pt_events_failed: i64,
    /// Whether the site's participation was unsuccessful at any event in those months.
    pub pt_unsuccessful: bool,
}

impl SiteFigures {
    pub fn open_capas(&self) -> i64 {
        self.capa_ages.iter().sum()
    }

    pub fn pt_percent(&self) -> Option<f64> {
        (self.pt_scored > 0).then(|| self.pt_satisfactory as f64 * 100.0 / self.pt_scored as f64)
    }
}

/// What the report covers.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionalInput {
    pub region_code: String,
    pub region_name: String,
    /// `YYYY-MM`.
    pub period: String,
    /// `YYYY-MM-DD`, the month's last day.
    pub period_end: String,
    pub reference: String,
    pub sites: Vec<SiteFigures>,
    /// `None` for a DRAFT preview.
    pub issued_at: Option<String>,
    pub generated_at: String,
}

/// The reference printed on a region's monthly report.
pub fn reference(region: &str, period: &str) -> String {
    format!("RR-{region}-{period}")
}

fn percent(p: Option<f64>) -> String {
    p.map(|p| format!("{p:.1} %")).unwrap_or_else(|| "—".into())
}

pub fn render(input: &RegionalInput) -> Document {
    let mut doc = Document::new(Meta {
        title: format!("Monthly compliance report {}", input.reference),
        header_right: format!("{} · {}", input.region_name, input.period),
        footer_left: format!(
            "{} · issued {} · verify at /verify",
            input.reference,
            input.issued_at.as_deref().unwrap_or("")
        ),
        draft: input.issued_at.is_none(),
    });
    doc.paragraph(
        Style::SMALL.bold().colored(Rgb::NAVY),
        super::audit_report::ORGANISATION,
    );
    doc.gap(8.0);
    doc.paragraph(
        Style::HEADING.sized(20.0),
        "Monthly regional compliance report",
    );
    doc.paragraph(
        Style::SUBHEADING.colored(Rgb::GREY),
        &format!(
            "{} ({}) · {} · figures at {}",
            input.region_name, input.region_code, input.period, input.period_end
        ),
    );
    doc.gap(10.0);

    let sites = &input.sites;
    let scores: Vec<f64> = sites
        .iter()
        .filter_map(|s| s.latest_audit.as_ref().and_then(|(_, p)| *p))
        .collect();
    let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
    let open: i64 = sites.iter().map(SiteFigures::open_capas).sum();
    let overdue: i64 = sites.iter().map(|s| s.capas_overdue).sum();
    let (sat, scored) = sites
        .iter()
        .fold((0, 0), |(a, b), s| (a + s.pt_satisfactory, b + s.pt_scored));
    let unsuccessful: Vec<&str> = sites
        .iter()
        .filter(|s| s.pt_unsuccessful)
        .map(|s| s.code.as_str())
        .collect();
    doc.heading(Style::HEADING, "1. Summary", 80.0);
    doc.fields(
        190.0,
        &[
            ("Sites", sites.len().to_string()),
            ("Mean latest audit score", percent(mean)),
            ("Open CAPAs", open.to_string()),
            ("Overdue CAPAs", overdue.to_string()),
            (
                "PT results satisfactory (12 months)",
                format!(
                    "{} ({sat} of {scored})",
                    percent((scored > 0).then(|| sat as f64 * 100.0 / scored as f64))
                ),
            ),
            (
                "Unsuccessful PT participation",
                if unsuccessful.is_empty() {
                    "none".into()
                } else {
                    unsuccessful.join(", ")
                },
            ),
        ],
    );

    doc.heading(Style::HEADING, "2. Sites", 60.0);
    let rows: Vec<Vec<Cell>> = sites
        .iter()
        .map(|s| {
            let (date, score, stars) = match &s.latest_audit {
                Some((date, p)) => (
                    date.clone(),
                    percent(*p),
                    p.map(|p| format!("{} of 5", app::model::audits::stars(p)))
                        .unwrap_or_else(|| "—".into()),
                ),
                None => ("no audit".into(), "—".into(), "—".into()),
            };
            let overdue_style = if s.capas_overdue > 0 {
                Style::BODY.sized(8.5).bold().colored(Rgb::RED)
            } else {
                Style::BODY.sized(8.5)
            };
            vec![
                Cell::new(format!("{} ({})", s.name, s.code)),
                Cell::new(date),
                Cell::new(score),
                Cell::new(stars),
                Cell::new(s.open_capas().to_string()),
                Cell::styled(
                    if s.capas_overdue > 0 {
                        format!("{} overdue", s.capas_overdue)
                    } else {
                        "0".into()
                    },
                    overdue_style,
                ),
                Cell::new(percent(s.pt_percent())),
            ]
        })
        .collect();
    doc.table(
        &[
            Column::new("Site", 3.2),
            Column::new("Latest audit", 1.3),
            Column::new("Score", 1.0).right(),
            Column::new("Stars", 0.9),
            Column::new("Open CAPAs", 1.0).right(),
            Column::new("Overdue", 1.1).right(),
            Column::new("PT satisfactory", 1.2).right(),
        ],
        &rows,
    );

    doc.heading(Style::HEADING, "3. CAPA ageing", 60.0);
    let mut totals = [0i64; 4];
    let mut rows: Vec<Vec<Cell>> = sites
        .iter()
        .map(|s| {
            for (t, n) in totals.iter_mut().zip(s.capa_ages) {
                *t += n;
            }
            let mut row = vec![Cell::new(s.code.clone())];
            row.extend(s.capa_ages.iter().map(|n| Cell::new(n.to_string())));
            row.push(Cell::new(s.capas_overdue.to_string()));
            row
        })
        .collect();
    let bold = Style::BODY.sized(8.5).bold();
    let mut total_row = vec![Cell::styled("All sites", bold)];
    total_row.extend(totals.iter().map(|n| Cell::styled(n.to_string(), bold)));
    total_row.push(Cell::styled(overdue.to_string(), bold));
    rows.push(total_row);
    doc.table(
        &[
            Column::new("Site", 2.0),
            Column::new("0–30 days", 1.0).right(),
            Column::new("31–60 days", 1.0).right(),
            Column::new("61–90 days", 1.0).right(),
            Column::new("Over 90 days", 1.0).right(),
            Column::new("Overdue", 1.0).right(),
        ],
        &rows,
    );

    doc.heading(Style::HEADING, "4. PT performance (12 months)", 60.0);
    let rows: Vec<Vec<Cell>> = sites
        .iter()
        .map(|s| {
            vec![
                Cell::new(s.code.clone()),
                Cell::new(s.pt_satisfactory.to_string()),
                Cell::new(s.pt_scored.to_string()),
                Cell::new(percent(s.pt_percent())),
                Cell::new(s.pt_events_failed.to_string()),
                if s.pt_unsuccessful {
                    Cell::styled(
                        "⚠ unsuccessful",
                        Style::BODY.sized(8.5).bold().colored(Rgb::RED),
                    )
                } else {
                    Cell::new("no")
                },
            ]
        })
        .collect();
    doc.table(
        &[
            Column::new("Site", 1.6),
            Column::new("Satisfactory results", 1.3).right(),
            Column::new("Scored results", 1.2).right(),
            Column::new("Satisfactory", 1.1).right(),
            Column::new("Events failed", 1.1).right(),
            Column::new("Unsuccessful participation", 1.6),
        ],
        &rows,
    );

    doc.heading(Style::HEADING, "5. Signature", 60.0);
    match &input.issued_at {
        Some(at) => doc.paragraph(
            Style::BODY,
            &format!(
                "Issued {at} by Attest's monthly compliance job from the figures recorded at the end of {}; digitally signed with the organisation's certificate (see the PDF's signature panel).",
                input.period
            ),
        ),
        None => doc.paragraph(
            Style::BODY.bold().colored(Rgb::RED),
            &format!(
                "Not issued. This DRAFT preview ({}) is not signed; the monthly job issues the signed report after the month ends.",
                input.generated_at
            ),
        ),
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(code: &str, ages: [i64; 4], pt: (i64, i64)) -> SiteFigures {
        SiteFigures {
            code: code.into(),
            name: format!("{code} centre"),
            latest_audit: Some(("2026-09-14".into(), Some(82.5))),
            capa_ages: ages,
            capas_overdue: ages[3],
            pt_satisfactory: pt.0,
            pt_scored: pt.1,
            pt_events_failed: 0,
            pt_unsuccessful: false,
        }
    }

    #[test]
    fn site_figures_sum_and_divide_as_shown() {
        let s = site("KEN-NBO", [2, 1, 0, 3], (45, 50));
        assert_eq!(s.open_capas(), 6);
        assert_eq!(s.pt_percent(), Some(90.0));
        assert_eq!(site("X", [0; 4], (0, 0)).pt_percent(), None);
        assert_eq!(reference("EHA", "2026-10"), "RR-EHA-2026-10");
    }

    #[test]
    fn a_region_report_lays_out() {
        let input = RegionalInput {
            region_code: "EHA".into(),
            region_name: "East and Horn of Africa".into(),
            period: "2026-10".into(),
            period_end: "2026-10-31".into(),
            reference: reference("EHA", "2026-10"),
            sites: (0..40)
                .map(|i| site(&format!("S{i:02}"), [i, 1, 0, i % 3], (i, 40)))
                .collect(),
            issued_at: None,
            generated_at: "2026-11-01 06:00 UTC".into(),
        };
        let doc = render(&input);
        assert!(doc.page_count() >= 2);
        assert!(doc.finish(None).unwrap().starts_with(b"%PDF-"));
    }
}
