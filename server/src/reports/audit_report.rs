//! What an audit report says and how it is laid out: cover, summary (score, stars, section
//! bars, PT gate, findings by severity), findings table, section-by-section answers and the
//! signature block. Pure: it turns an [`Audit`] into a [`Document`], so it can be tested and
//! benchmarked without a database.

use app::model::audits::{Answer, Audit, Severity};

use super::pdf::{Cell, Column, Document, Meta, Rgb, Style, BODY_WIDTH, MARGIN};

/// The organisation named on every report.
pub const ORGANISATION: &str = "Migration Health Assessment Network — Quality Management";

/// The signature block of an issued report.
#[derive(Debug, Clone)]
pub struct Issue {
    pub signer_name: String,
    pub signer_email: String,
    /// UTC, `YYYY-MM-DD HH:MM`.
    pub issued_at: String,
    pub certificate_subject: String,
}

/// Everything a report shows beyond the audit itself.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub audit: &'a Audit,
    /// City and country of the site.
    pub address: String,
    pub reference: String,
    /// `None` for a draft preview.
    pub issue: Option<Issue>,
    /// When the document was produced (UTC, `YYYY-MM-DD HH:MM`).
    pub generated_at: String,
}

/// The reference printed on an audit's report.
pub fn reference(audit_id: i64) -> String {
    format!("AR-{audit_id:05}")
}

/// The file name of an audit's report.
pub fn file_name(audit: &Audit) -> String {
    format!(
        "audit-report-{}-{}-{}.pdf",
        audit.summary.site_code, audit.summary.planned_start, audit.summary.id
    )
}

/// `2026-03-02T08:00:00Z` as `2026-03-02 08:00 UTC`; dates stay as they are.
pub fn readable_time(stamp: &str) -> String {
    match stamp.get(..16) {
        Some(head) if stamp.len() >= 16 && head.as_bytes()[10] == b'T' => {
            format!("{} UTC", head.replace('T', " "))
        }
        _ => stamp.to_string(),
    }
}

fn percent_text(percent: Option<f64>) -> String {
    percent
        .map(|p| format!("{p:.1} %"))
        .unwrap_or_else(|| "no score".into())
}

fn severity_color(severity: Severity) -> Rgb {
    match severity {
        Severity::Critical => Rgb::RED,
        Severity::Major => Rgb::AMBER,
        Severity::Minor => Rgb::NAVY,
        Severity::Observation => Rgb::GREY,
    }
}

/// The band colour of a percentage, with the words that say the same (never colour alone).
fn band(percent: Option<f64>) -> (Rgb, &'static str) {
    match percent {
        Some(p) if p >= 85.0 => (Rgb::GREEN, "good"),
        Some(p) if p >= 65.0 => (Rgb::AMBER, "fair"),
        Some(_) => (Rgb::RED, "poor"),
        None => (Rgb::GREY, "n/a"),
    }
}

/// Lays out the report.
pub fn render(input: &ReportInput) -> Document {
    let audit = input.audit;
    let summary = &audit.summary;
    let mut doc = Document::new(Meta {
        title: format!("Audit report {}", input.reference),
        header_right: format!("{} · {}", summary.site_name, summary.site_code),
        footer_left: format!(
            "{} · issued {} · verify at /verify",
            input.reference,
            input
                .issue
                .as_ref()
                .map(|i| i.issued_at.as_str())
                .unwrap_or("")
        ),
        draft: input.issue.is_none(),
    });
    cover(&mut doc, input);
    doc.new_page();
    summary_section(&mut doc, audit);
    findings_section(&mut doc, audit);
    detail_section(&mut doc, audit);
    signature_block(&mut doc, input);
    doc
}

fn cover(doc: &mut Document, input: &ReportInput) {
    let audit = input.audit;
    let s = &audit.summary;
    doc.gap(30.0);
    doc.paragraph(Style::SMALL.bold().colored(Rgb::NAVY), ORGANISATION);
    doc.gap(18.0);
    doc.paragraph(Style::HEADING.sized(24.0), "Site audit report");
    doc.paragraph(Style::SUBHEADING.colored(Rgb::GREY), &s.template_title);
    doc.gap(16.0);
    doc.rule(MARGIN, MARGIN + BODY_WIDTH, doc.y(), Rgb::NAVY, 1.2);
    doc.gap(14.0);
    let team = if audit.team.is_empty() {
        "—".to_string()
    } else {
        audit
            .team
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let conducted = match (&audit.started_at, &audit.submitted_at) {
        (Some(start), Some(end)) => format!("{} to {}", readable_time(start), readable_time(end)),
        (Some(start), None) => format!("from {} (not yet submitted)", readable_time(start)),
        _ => "not started".into(),
    };
    let status = match &input.issue {
        Some(issue) => format!("Issued {} by {}", issue.issued_at, issue.signer_name),
        None => format!(
            "DRAFT preview generated {} — not issued, not signed",
            input.generated_at
        ),
    };
    doc.fields(
        130.0,
        &[
            ("Site", format!("{} ({})", s.site_name, s.site_code)),
            ("Address", input.address.clone()),
            ("Region", s.region_code.clone()),
            ("Audit type", s.audit_type.label().to_string()),
            (
                "Planned dates",
                format!("{} to {}", s.planned_start, s.planned_end),
            ),
            ("Conducted", conducted),
            ("Lead auditor", s.lead_auditor.name.clone()),
            ("Audit team", team),
            (
                "Checklist",
                format!(
                    "{} version {} — {}",
                    s.template_code, s.template_version, s.template_title
                ),
            ),
            (
                "Scope",
                if audit.scope.trim().is_empty() {
                    "—".into()
                } else {
                    audit.scope.clone()
                },
            ),
            ("Report reference", input.reference.clone()),
            ("Status", status),
        ],
    );
    doc.gap(24.0);
    doc.paragraph(
        Style::SMALL,
        "This report is digitally signed. Its integrity can be checked in any PDF reader's \
         signature panel, or by uploading the file to Attest's public verification page (/verify), \
         which confirms whether it is an unaltered report Attest issued.",
    );
}

fn summary_section(doc: &mut Document, audit: &Audit) {
    let score = &audit.score;
    doc.heading(Style::HEADING, "1. Summary", 120.0);
    // Score and stars.
    let top = doc.y();
    doc.text_at(
        MARGIN,
        top - 30.0,
        Style::HEADING.sized(28.0).colored(Rgb::BLACK),
        &percent_text(score.percent),
    );
    let stars = score.stars.unwrap_or(0);
    for i in 0..5u8 {
        doc.star(
            MARGIN + 200.0 + f32::from(i) * 26.0,
            top - 20.0,
            10.0,
            i < stars,
        );
    }
    let star_text = match score.stars {
        Some(n) => format!("{n} of 5 stars"),
        None => "no star rating".into(),
    };
    doc.text_at(MARGIN + 340.0, top - 24.0, Style::BODY.bold(), &star_text);
    doc.gap(44.0);
    doc.paragraph(
        Style::BODY,
        &format!(
            "{} of {} applicable points; {} of {} items answered.",
            score.points, score.applicable, score.answered, score.items
        ),
    );
    match &score.pt_gate {
        Some(gate) => {
            let (verdict, color) = if gate.passed {
                ("PT gate passed", Rgb::GREEN)
            } else {
                ("PT gate not passed — 0 stars", Rgb::RED)
            };
            doc.paragraph(Style::BODY.bold().colored(color), verdict);
            doc.paragraph(Style::BODY, &gate.reason);
        }
        None => doc.paragraph(
            Style::BODY,
            "PT gate: does not apply (not a laboratory checklist).",
        ),
    }
    doc.gap(8.0);

    // Findings by severity.
    let open: Vec<_> = audit
        .findings
        .iter()
        .filter(|f| f.status == "open")
        .collect();
    let count = |severity: Severity| open.iter().filter(|f| f.severity == severity).count();
    doc.heading(Style::SUBHEADING, "Findings by severity", 60.0);
    let counts = vec![
        Cell::new(count(Severity::Critical).to_string()),
        Cell::new(count(Severity::Major).to_string()),
        Cell::new(count(Severity::Minor).to_string()),
        Cell::new(count(Severity::Observation).to_string()),
        Cell::styled(open.len().to_string(), Style::BODY.bold().sized(8.5)),
        Cell::new(open.iter().filter(|f| f.capa_required).count().to_string()),
    ];
    doc.table(
        &[
            Column::new("Critical", 1.0).right(),
            Column::new("Major", 1.0).right(),
            Column::new("Minor", 1.0).right(),
            Column::new("Observation", 1.0).right(),
            Column::new("Total", 1.0).right(),
            Column::new("CAPA required", 1.2).right(),
        ],
        &[counts],
    );

    // Per-section bars.
    doc.heading(Style::SUBHEADING, "Score by section", 40.0);
    let label_width = 190.0;
    let bar_x = MARGIN + label_width + 8.0;
    let bar_width = BODY_WIDTH - label_width - 80.0;
    for section in &score.sections {
        let lines = super::pdf::layout::wrap(&section.title, label_width, |t| {
            Style::BODY.sized(8.5).width(t)
        });
        let height = (lines.len() as f32 * 11.0).max(14.0) + 6.0;
        doc.keep(height);
        let top = doc.y();
        for (i, line) in lines.iter().enumerate() {
            doc.text_at(
                MARGIN,
                top - 10.0 - i as f32 * 11.0,
                Style::BODY.sized(8.5),
                line,
            );
        }
        let bar_top = top - 2.0;
        doc.fill_rect(bar_x, bar_top - 11.0, bar_width, 11.0, Rgb::SHADE);
        let (color, word) = band(section.percent);
        if let Some(p) = section.percent {
            let filled = (bar_width * (p as f32 / 100.0)).clamp(0.0, bar_width);
            doc.fill_rect(bar_x, bar_top - 11.0, filled, 11.0, color);
        }
        doc.stroke_rect(bar_x, bar_top - 11.0, bar_width, 11.0, Rgb::RULE);
        doc.text_at(
            bar_x + bar_width + 6.0,
            top - 10.0,
            Style::BODY.sized(8.5).bold(),
            &format!("{} ({word})", percent_text(section.percent)),
        );
        doc.gap(height);
    }
    doc.paragraph(
        Style::SMALL,
        "Bars: share of applicable points earned; good ≥ 85 %, fair 65–84.9 %, poor < 65 %.",
    );
}

fn findings_section(doc: &mut Document, audit: &Audit) {
    doc.gap(8.0);
    doc.heading(Style::HEADING, "2. Findings", 60.0);
    let open: Vec<_> = audit
        .findings
        .iter()
        .filter(|f| f.status == "open")
        .collect();
    if open.is_empty() {
        doc.paragraph(Style::BODY, "No findings were raised.");
    } else {
        let rows: Vec<Vec<Cell>> = open
            .iter()
            .map(|f| {
                let description = if f.evidence.trim().is_empty() {
                    f.description.clone()
                } else {
                    format!("{}\nEvidence: {}", f.description, f.evidence)
                };
                let capa = match &f.capa {
                    Some(link) => format!("{} ({})", link.number, link.state.label()),
                    None if f.capa_required => "required, not yet raised".into(),
                    None => "not required".into(),
                };
                vec![
                    Cell::new(f.number.to_string()),
                    Cell::styled(
                        f.severity.label(),
                        Style::BODY
                            .sized(8.5)
                            .bold()
                            .colored(severity_color(f.severity)),
                    ),
                    Cell::new(if f.clause.is_empty() {
                        "—".to_string()
                    } else {
                        f.clause.clone()
                    }),
                    Cell::new(description),
                    Cell::new(capa),
                ]
            })
            .collect();
        doc.table(
            &[
                Column::new("No.", 0.5).right(),
                Column::new("Severity", 1.1),
                Column::new("Clause", 0.9),
                Column::new("Description and objective evidence", 4.6),
                Column::new("CAPA", 1.6),
            ],
            &rows,
        );
    }
    let withdrawn = audit.findings.len() - open.len();
    if withdrawn > 0 {
        doc.paragraph(
            Style::SMALL,
            &format!("{withdrawn} finding(s) withdrawn during the audit are not listed."),
        );
    }
}

fn detail_section(doc: &mut Document, audit: &Audit) {
    doc.gap(8.0);
    doc.heading(Style::HEADING, "3. Checklist answers by section", 60.0);
    for (index, section) in audit.template.sections.iter().enumerate() {
        let score = audit
            .score
            .sections
            .iter()
            .find(|s| s.section_id == section.id);
        let title = format!(
            "3.{} {} — {}",
            index + 1,
            section.title,
            percent_text(score.and_then(|s| s.percent))
        );
        // Kept with the table's header and first rows.
        doc.heading(Style::SUBHEADING, &title, 70.0);
        let rows: Vec<Vec<Cell>> = section
            .items
            .iter()
            .map(|item| {
                let answer = audit.answers.iter().find(|a| a.item_id == item.id);
                let (answer_text, style) = match answer.map(|a| a.answer) {
                    Some(Answer::Yes) => ("Yes", Style::BODY.sized(8.5).colored(Rgb::GREEN)),
                    Some(Answer::Partial) => {
                        ("Partial", Style::BODY.sized(8.5).colored(Rgb::AMBER))
                    }
                    Some(Answer::No) => ("No", Style::BODY.sized(8.5).colored(Rgb::RED)),
                    Some(Answer::NotApplicable) => ("N/A", Style::BODY.sized(8.5)),
                    None => ("Not answered", Style::BODY.sized(8.5).colored(Rgb::GREY)),
                };
                vec![
                    Cell::new(item.clause.clone()),
                    Cell::new(item.text.clone()),
                    Cell::new(item.weight.to_string()),
                    Cell::styled(answer_text, style.bold()),
                    Cell::new(answer.map(|a| a.notes.clone()).unwrap_or_default()),
                ]
            })
            .collect();
        doc.table(
            &[
                Column::new("Clause", 0.8),
                Column::new("Requirement", 4.0),
                Column::new("Weight", 0.95).right(),
                Column::new("Answer", 1.0),
                Column::new("Notes", 2.4),
            ],
            &rows,
        );
    }
}

fn signature_block(doc: &mut Document, input: &ReportInput) {
    doc.gap(8.0);
    doc.heading(Style::HEADING, "4. Signature", 110.0);
    match &input.issue {
        Some(issue) => {
            doc.fields(
                130.0,
                &[
                    (
                        "Issued by",
                        format!(
                            "{} ({}), lead auditor",
                            issue.signer_name, issue.signer_email
                        ),
                    ),
                    ("Date and time", issue.issued_at.clone()),
                    (
                        "Meaning",
                        "Issued: the lead auditor confirms this report as the record of the audit and its findings.".into(),
                    ),
                    (
                        "Electronic signature",
                        "By re-entry of the signer's password; recorded in Attest's audit trail.".into(),
                    ),
                    (
                        "Digital signature",
                        format!(
                            "{} — SHA-256 with RSA over the whole document (see the PDF's signature panel).",
                            issue.certificate_subject
                        ),
                    ),
                ],
            );
        }
        None => doc.paragraph(
            Style::BODY.bold().colored(Rgb::RED),
            "Not issued. This DRAFT preview is not signed and is not a valid audit report.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_utc_minutes_and_dates_stay() {
        assert_eq!(
            readable_time("2026-03-02T08:00:00Z"),
            "2026-03-02 08:00 UTC"
        );
        assert_eq!(readable_time("2026-03-02"), "2026-03-02");
        assert_eq!(reference(42), "AR-00042");
    }

    #[test]
    fn bands_carry_words_as_well_as_colours() {
        assert_eq!(band(Some(85.0)).1, "good");
        assert_eq!(band(Some(84.9)).1, "fair");
        assert_eq!(band(Some(64.9)).1, "poor");
        assert_eq!(band(None).1, "n/a");
    }
}

/// A synthetic audit of a chosen size (for the benchmark and the layout tests): six sections,
/// answers cycling through yes, partial, no and N/A, long notes, findings of every severity
/// with CAPA links, and names beyond Latin-1.
pub fn sample_audit(items: usize, findings: usize) -> Audit {
    use app::model::audits::{
        AuditActions, AuditScore, AuditState, AuditSummary, AuditType, Finding, ItemAnswer,
        PtGateResult, SectionScore, Template, TemplateItem, TemplateSection, TemplateSummary,
    };
    use app::model::capa::{CapaLink, CapaState};
    use app::model::documents::Person;
    let person = |id: i64, name: &str| Person {
        id,
        name: name.into(),
    };
    let answers_cycle = [
        Answer::Yes,
        Answer::Yes,
        Answer::Partial,
        Answer::No,
        Answer::NotApplicable,
    ];
    let sections: Vec<TemplateSection> = (0..6)
        .map(|s| TemplateSection {
            id: s as i64 + 1,
            title: format!("Section {} — quality management and safety of the service", s + 1),
            items: (0..items)
                .filter(|i| i % 6 == s)
                .map(|i| TemplateItem {
                    id: i as i64 + 1,
                    text: format!("Requirement {}: the procedure is documented, current, known to the staff who use it, and followed as written at the bench.", i + 1),
                    weight: 1 + (i as i64 % 5),
                    clause: format!("{}.{}", 4 + s, i + 1),
                    guidance: String::new(),
                })
                .collect(),
        })
        .collect();
    let answers: Vec<ItemAnswer> = (0..items)
        .map(|i| ItemAnswer {
            item_id: i as i64 + 1,
            answer: answers_cycle[i % answers_cycle.len()],
            notes: if i % 3 == 0 {
                "Checked on site with the laboratory manager; records for the last quarter sampled."
                    .into()
            } else {
                String::new()
            },
            revision: 1,
            answered_by: person(2, "Zeynep Öztürk"),
            answered_at: "2026-03-02T10:00:00Z".into(),
        })
        .collect();
    let severities = [
        Severity::Critical,
        Severity::Major,
        Severity::Minor,
        Severity::Observation,
    ];
    let findings: Vec<Finding> = (0..findings)
        .map(|n| {
            let severity = severities[n % severities.len()];
            Finding {
                id: n as i64 + 1,
                audit_id: 1,
                number: n as i64 + 1,
                item_id: Some((n % items.max(1)) as i64 + 1),
                severity,
                clause: format!("{}.{}", 4 + n % 6, n + 1),
                description: "Temperature records of the reagent refrigerator have gaps on weekends; no deviation was raised and the reagents stored were used.".into(),
                evidence: "Log sheets for January and February 2026; interview with the bench technologist.".into(),
                capa_required: severity.capa_required(),
                status: "open".into(),
                withdrawn_reason: None,
                created_by: person(2, "Zeynep Öztürk"),
                created_at: "2026-03-02T11:00:00Z".into(),
                capa: severity.capa_required().then(|| CapaLink {
                    id: n as i64 + 1,
                    number: format!("CAPA-2026-{:04}", n + 1),
                    state: CapaState::Implementing,
                }),
            }
        })
        .collect();
    let section_scores = sections
        .iter()
        .map(|s| SectionScore {
            section_id: s.id,
            title: s.title.clone(),
            points: 10,
            applicable: 14,
            answered: s.items.len() as i64,
            items: s.items.len() as i64,
            percent: Some(71.4),
        })
        .collect();
    Audit {
        summary: AuditSummary {
            id: 1,
            site_code: "CIV-ABJ".into(),
            site_name: "Centre d'évaluation sanitaire d'Abidjan, Côte d'Ivoire".into(),
            region_code: "WCA".into(),
            template_id: 1,
            template_code: "SLIPTA".into(),
            template_version: 3,
            template_title: "Laboratory quality audit (SLIPTA-style)".into(),
            audit_type: AuditType::External,
            planned_start: "2026-03-02".into(),
            planned_end: "2026-03-03".into(),
            lead_auditor: person(2, "Zeynep Öztürk"),
            state: AuditState::Submitted,
            percent: Some(71.4),
            stars: Some(2),
            open_findings: findings.len() as i64,
        },
        scope: "All sections of the checklist, the TB and serology benches, sample reception."
            .into(),
        team: vec![person(3, "Ngozi Adébáyọ̀"), person(4, "Dmitri Волков")],
        started_at: Some("2026-03-02T08:00:00Z".into()),
        submitted_at: Some("2026-03-03T16:00:00Z".into()),
        cancel_reason: None,
        template: Template {
            summary: TemplateSummary {
                id: 1,
                code: "SLIPTA".into(),
                version: 3,
                title: "Laboratory quality audit (SLIPTA-style)".into(),
                kind: "laboratory".into(),
                section_count: 6,
                item_count: items as i64,
                audit_count: 1,
                latest: true,
            },
            scoring: "slipta".into(),
            sections,
        },
        answers,
        findings,
        evidence: Vec::new(),
        score: AuditScore {
            points: 60,
            applicable: 84,
            answered: items as i64,
            items: items as i64,
            percent: Some(71.4),
            stars: Some(2),
            sections: section_scores,
            pt_gate: Some(PtGateResult {
                passed: true,
                reason:
                    "The last two laboratory PT events scored 92 % and 88 % (both at least 80 %)."
                        .into(),
            }),
        },
        actions: AuditActions::default(),
        report: None,
    }
}

#[cfg(test)]
mod layout_tests {
    use super::*;

    #[test]
    fn a_large_report_lays_out_over_several_pages_with_every_finding() {
        let audit = sample_audit(60, 25);
        let input = ReportInput {
            audit: &audit,
            address: "Abidjan, Côte d'Ivoire".into(),
            reference: reference(1),
            issue: None,
            generated_at: "2026-03-04 09:00 UTC".into(),
        };
        let doc = render(&input);
        assert!(doc.page_count() >= 5, "{} pages", doc.page_count());
        let bytes = doc.finish(None).unwrap();
        assert!(
            bytes.starts_with(b"%PDF-") && bytes.len() < 200_000,
            "{} bytes",
            bytes.len()
        );
    }
}
