//! Grading: one result against its challenge, and one site's results into its event score.
//! Plain functions over plain values; the service loads the rows and stores what comes out.

use std::collections::BTreeMap;

use app::model::pt::{
    EventVerdict, ResultType, ResultVerdict, ScoreDetail, ScoreKind, ScoreMethod, SmearGrading,
};

use super::scoring;

/// What grading needs from a challenge. `assigned` and `sigma` are the provider's values or,
/// for a consensus challenge, the computed ones.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengeSpec {
    pub sample: String,
    pub analyte: String,
    pub method: ScoreMethod,
    pub assigned: Option<f64>,
    pub sigma: Option<f64>,
    pub u_assigned: Option<f64>,
    pub expanded_assigned: Option<f64>,
    pub expected: Option<String>,
    /// Why the challenge cannot be scored (e.g. no consensus), when it cannot.
    pub unscorable: Option<String>,
}

/// What grading needs from a result.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultSpec {
    pub value: String,
    pub numeric: Option<f64>,
    pub u_lab: Option<f64>,
    pub expanded_lab: Option<f64>,
    pub late: bool,
}

/// The grade of one result.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub kind: ScoreKind,
    pub score: Option<f64>,
    pub verdict: ResultVerdict,
    pub grading: Option<SmearGrading>,
    pub note: String,
}

fn not_scored(kind: ScoreKind, note: impl Into<String>) -> Graded {
    Graded {
        kind,
        score: None,
        verdict: ResultVerdict::NotScored,
        grading: None,
        note: note.into(),
    }
}

fn category(kind: ScoreKind, correct: bool, expected: &str) -> Graded {
    Graded {
        kind,
        score: None,
        verdict: if correct {
            ResultVerdict::Satisfactory
        } else {
            ResultVerdict::Unsatisfactory
        },
        grading: None,
        note: if correct {
            String::new()
        } else {
            format!("Expected {expected}.")
        },
    }
}

/// Same category, ignoring case and surrounding space.
pub fn same_category(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Grades one result against its challenge.
pub fn grade(result_type: ResultType, c: &ChallengeSpec, r: &ResultSpec) -> Graded {
    let mut graded = match result_type {
        ResultType::Quantitative => grade_quantitative(c, r),
        ResultType::Qualitative | ResultType::RadiologyRead | ResultType::DstPanel => {
            let kind = if result_type == ResultType::DstPanel {
                ScoreKind::Dst
            } else {
                ScoreKind::Category
            };
            match &c.expected {
                Some(expected) => category(kind, same_category(&r.value, expected), expected),
                None => not_scored(
                    kind,
                    "No expected answer has been given for this sample yet.",
                ),
            }
        }
        ResultType::Titre => match c.expected.as_deref() {
            None => not_scored(
                ScoreKind::Titre,
                "No expected titre has been given for this sample yet.",
            ),
            Some(expected) => {
                let correct = match (
                    scoring::titre_steps(&r.value),
                    scoring::titre_steps(expected),
                ) {
                    (Some(reported), Some(wanted)) => scoring::titre_correct(reported, wanted),
                    // A non-reactive answer is right only for a non-reactive sample.
                    (None, None) => same_category(&r.value, expected),
                    _ => false,
                };
                let mut g = category(ScoreKind::Titre, correct, expected);
                if !correct {
                    g.note = format!("Expected {expected} (±1 dilution).");
                }
                g
            }
        },
        ResultType::SmearGrade => match c.expected.as_deref().and_then(scoring::smear_rank) {
            None => not_scored(
                ScoreKind::Smear,
                "No controller reading has been given for this slide yet.",
            ),
            Some(controller) => match scoring::smear_rank(&r.value) {
                None => not_scored(ScoreKind::Smear, "The reported grade is not a smear grade."),
                Some(site) => {
                    let grading = scoring::smear_grading(site, controller);
                    let verdict = if grading == SmearGrading::Correct {
                        ResultVerdict::Satisfactory
                    } else if scoring::smear_major(grading) {
                        ResultVerdict::Unsatisfactory
                    } else {
                        ResultVerdict::Questionable
                    };
                    Graded {
                        kind: ScoreKind::Smear,
                        score: None,
                        verdict,
                        grading: Some(grading),
                        note: if grading == SmearGrading::Correct {
                            String::new()
                        } else {
                            format!(
                                "{} (controller: {}).",
                                grading.label(),
                                c.expected.as_deref().unwrap_or("")
                            )
                        },
                    }
                }
            },
        },
    };
    if r.late && graded.verdict != ResultVerdict::NotScored {
        let sep = if graded.note.is_empty() { "" } else { " " };
        graded.note = format!(
            "{}{sep}Late: counts as unacceptable in the event score.",
            graded.note
        );
    }
    graded
}

fn grade_quantitative(c: &ChallengeSpec, r: &ResultSpec) -> Graded {
    if let Some(why) = &c.unscorable {
        return not_scored(ScoreKind::Z, why.clone());
    }
    let Some(x) = r.numeric else {
        return not_scored(ScoreKind::Z, "The result is not a number.");
    };
    let Some(assigned) = c.assigned else {
        return not_scored(ScoreKind::Z, "No assigned value has been given yet.");
    };
    let scored = |kind: ScoreKind, score: f64, verdict: ResultVerdict| Graded {
        kind,
        score: Some(score),
        verdict,
        grading: None,
        note: String::new(),
    };
    match c.method {
        ScoreMethod::Zeta => match r.u_lab {
            Some(u_lab) if u_lab > 0.0 || c.u_assigned.unwrap_or(0.0) > 0.0 => {
                let s = scoring::zeta(x, assigned, u_lab, c.u_assigned.unwrap_or(0.0));
                scored(ScoreKind::Zeta, s, scoring::classify(s))
            }
            _ => not_scored(
                ScoreKind::Zeta,
                "ζ needs the laboratory's standard uncertainty u(x).",
            ),
        },
        ScoreMethod::En => match (r.expanded_lab, c.expanded_assigned) {
            (Some(lab), Some(reference)) if lab > 0.0 || reference > 0.0 => {
                let s = scoring::en(x, assigned, lab, reference);
                scored(ScoreKind::En, s, scoring::classify_en(s))
            }
            (None, _) => not_scored(
                ScoreKind::En,
                "En needs the laboratory's expanded uncertainty U.",
            ),
            _ => not_scored(
                ScoreKind::En,
                "En needs the reference value's expanded uncertainty.",
            ),
        },
        ScoreMethod::Z | ScoreMethod::Category => {
            let Some(sigma) = c.sigma.filter(|s| *s > 0.0) else {
                return not_scored(ScoreKind::Z, "No σpt has been given yet.");
            };
            let u = c.u_assigned.unwrap_or(0.0);
            if scoring::needs_z_prime(sigma, u) {
                let s = scoring::z_prime(x, assigned, sigma, u);
                scored(ScoreKind::ZPrime, s, scoring::classify(s))
            } else {
                let s = scoring::z(x, assigned, sigma);
                scored(ScoreKind::Z, s, scoring::classify(s))
            }
        }
    }
}

/// One site's event score.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteScore {
    pub acceptable: usize,
    pub total: usize,
    pub percent: Option<f64>,
    pub verdict: EventVerdict,
    pub detail: ScoreDetail,
}

/// Scores one site's event from its graded results, one entry per challenge (None = missing).
/// Missing or late results are unacceptable; challenges that cannot be scored at all are left
/// out of both sides. Smear panels fail on any HFP or HFN; DST panels on any drug below target.
pub fn site_score(
    result_type: ResultType,
    challenges: &[ChallengeSpec],
    graded: &[Option<(Graded, bool)>],
) -> SiteScore {
    let mut acceptable = 0;
    let mut total = 0;
    let mut notes = Vec::new();
    let mut missing = Vec::new();
    let mut late = Vec::new();
    let mut smear: BTreeMap<&'static str, (SmearGrading, i64)> = BTreeMap::new();
    let mut drugs: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (c, g) in challenges.iter().zip(graded) {
        match g {
            None => {
                if c.unscorable.is_none() {
                    total += 1;
                    missing.push(format!("{} {}", c.sample, c.analyte).trim().to_string());
                }
            }
            Some((g, is_late)) => {
                if g.verdict == ResultVerdict::NotScored {
                    continue;
                }
                total += 1;
                if *is_late {
                    late.push(c.sample.clone());
                } else if g.verdict.acceptable() {
                    acceptable += 1;
                }
                if let Some(grading) = g.grading {
                    smear.entry(grading.as_str()).or_insert((grading, 0)).1 += 1;
                }
                if result_type == ResultType::DstPanel {
                    let entry = drugs.entry(c.analyte.clone()).or_default();
                    entry.1 += 1;
                    if g.verdict.acceptable() {
                        entry.0 += 1;
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        notes.push(format!("Missing: {}.", missing.join(", ")));
    }
    if !late.is_empty() {
        notes.push(format!("Late: {}.", late.join(", ")));
    }
    let percent = scoring::event_percent(acceptable, total);
    let mut verdict = scoring::event_verdict(percent);
    let smear: Vec<(SmearGrading, i64)> = smear.into_values().collect();
    let major: i64 = smear
        .iter()
        .filter(|(g, _)| scoring::smear_major(*g))
        .map(|(_, n)| n)
        .sum();
    if major > 0 {
        verdict = EventVerdict::Unsatisfactory;
        notes.push(format!(
            "Panel failed: {major} high false result{} (HFP/HFN).",
            if major == 1 { "" } else { "s" }
        ));
    }
    let dst: Vec<_> = drugs
        .iter()
        .map(|(drug, (agreeing, tested))| scoring::dst_efficiency(drug, *agreeing, *tested))
        .collect();
    let below: Vec<String> = dst
        .iter()
        .filter(|d| !d.meets_target)
        .map(|d| {
            format!(
                "{} {:.1}% (target {:.0}%)",
                d.drug,
                d.efficiency_percent,
                d.target_percent.unwrap_or(0.0)
            )
        })
        .collect();
    if !below.is_empty() && verdict != EventVerdict::NotScored {
        verdict = EventVerdict::Unsatisfactory;
        notes.push(format!("Below target: {}.", below.join(", ")));
    }
    SiteScore {
        acceptable,
        total,
        percent,
        verdict,
        detail: ScoreDetail { smear, dst, notes },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(method: ScoreMethod) -> ChallengeSpec {
        ChallengeSpec {
            sample: "S-01".into(),
            analyte: "analyte".into(),
            method,
            assigned: None,
            sigma: None,
            u_assigned: None,
            expanded_assigned: None,
            expected: None,
            unscorable: None,
        }
    }

    fn number(x: f64) -> ResultSpec {
        ResultSpec {
            value: x.to_string(),
            numeric: Some(x),
            ..ResultSpec::default()
        }
    }

    fn text(v: &str) -> ResultSpec {
        ResultSpec {
            value: v.into(),
            ..ResultSpec::default()
        }
    }

    #[test]
    fn z_prime_is_chosen_automatically() {
        let c = ChallengeSpec {
            assigned: Some(5.0),
            sigma: Some(0.2),
            u_assigned: Some(0.08),
            ..challenge(ScoreMethod::Z)
        };
        let g = grade(ResultType::Quantitative, &c, &number(5.6));
        assert_eq!(g.kind, ScoreKind::ZPrime);
        assert!((g.score.unwrap() - 2.7854).abs() < 1e-4);
        let plain = ChallengeSpec {
            u_assigned: Some(0.0),
            ..c
        };
        let g = grade(ResultType::Quantitative, &plain, &number(5.6));
        assert_eq!(g.kind, ScoreKind::Z);
        assert_eq!(g.verdict, ResultVerdict::Unsatisfactory);
    }

    #[test]
    fn zeta_and_en_need_the_uncertainties() {
        let c = ChallengeSpec {
            assigned: Some(98.0),
            u_assigned: Some(1.2),
            ..challenge(ScoreMethod::Zeta)
        };
        let g = grade(ResultType::Quantitative, &c, &number(101.0));
        assert_eq!(g.verdict, ResultVerdict::NotScored);
        assert!(g.note.contains("u(x)"), "{}", g.note);
        let g = grade(
            ResultType::Quantitative,
            &c,
            &ResultSpec {
                u_lab: Some(1.0),
                ..number(101.0)
            },
        );
        assert_eq!(g.kind, ScoreKind::Zeta);
        assert!((g.score.unwrap() - 1.9206).abs() < 1e-4);
        let c = ChallengeSpec {
            assigned: Some(10.0),
            expanded_assigned: Some(0.2),
            ..challenge(ScoreMethod::En)
        };
        let g = grade(
            ResultType::Quantitative,
            &c,
            &ResultSpec {
                expanded_lab: Some(0.3),
                ..number(10.4)
            },
        );
        assert_eq!(g.verdict, ResultVerdict::Unsatisfactory);
        assert!((g.score.unwrap() - 1.1094).abs() < 1e-4);
    }

    #[test]
    fn titres_and_categories() {
        let c = ChallengeSpec {
            expected: Some("1:16".into()),
            ..challenge(ScoreMethod::Category)
        };
        for (v, ok) in [
            ("1:8", true),
            ("1:32", true),
            ("1:64", false),
            ("non-reactive", false),
        ] {
            let g = grade(ResultType::Titre, &c, &text(v));
            assert_eq!(g.verdict == ResultVerdict::Satisfactory, ok, "{v}");
        }
        let c = ChallengeSpec {
            expected: Some("reactive".into()),
            ..challenge(ScoreMethod::Category)
        };
        assert_eq!(
            grade(ResultType::Qualitative, &c, &text(" Reactive ")).verdict,
            ResultVerdict::Satisfactory
        );
        let wrong = grade(ResultType::Qualitative, &c, &text("non-reactive"));
        assert_eq!(wrong.verdict, ResultVerdict::Unsatisfactory);
        assert_eq!(wrong.note, "Expected reactive.");
    }

    fn spec(sample: &str, analyte: &str, expected: &str) -> ChallengeSpec {
        ChallengeSpec {
            sample: sample.into(),
            analyte: analyte.into(),
            expected: Some(expected.into()),
            ..challenge(ScoreMethod::Category)
        }
    }

    fn graded_all(rt: ResultType, cs: &[ChallengeSpec], values: &[Option<&str>]) -> SiteScore {
        let graded: Vec<_> = cs
            .iter()
            .zip(values)
            .map(|(c, v)| v.map(|v| (grade(rt, c, &text(v)), false)))
            .collect();
        site_score(rt, cs, &graded)
    }

    #[test]
    fn four_of_five_passes_three_of_five_fails_and_missing_counts_against() {
        let cs: Vec<_> = (1..=5)
            .map(|i| spec(&format!("S-{i}"), "HIV", "reactive"))
            .collect();
        let s = graded_all(
            ResultType::Qualitative,
            &cs,
            &[
                Some("reactive"),
                Some("reactive"),
                Some("reactive"),
                Some("reactive"),
                Some("non-reactive"),
            ],
        );
        assert_eq!((s.acceptable, s.total), (4, 5));
        assert_eq!(s.verdict, EventVerdict::Satisfactory);
        let s = graded_all(
            ResultType::Qualitative,
            &cs,
            &[
                Some("reactive"),
                Some("reactive"),
                Some("reactive"),
                None,
                Some("non-reactive"),
            ],
        );
        assert_eq!((s.acceptable, s.total), (3, 5));
        assert_eq!(s.percent, Some(60.0));
        assert_eq!(s.verdict, EventVerdict::Unsatisfactory);
        assert!(
            s.detail.notes[0].contains("Missing: S-4 HIV"),
            "{:?}",
            s.detail.notes
        );
    }

    #[test]
    fn a_late_result_is_unacceptable_even_when_right() {
        let cs = vec![spec("S-1", "HIV", "reactive")];
        let g = grade(
            ResultType::Qualitative,
            &cs[0],
            &ResultSpec {
                late: true,
                ..text("reactive")
            },
        );
        assert!(g.note.contains("Late"));
        let s = site_score(ResultType::Qualitative, &cs, &[Some((g, true))]);
        assert_eq!((s.acceptable, s.total), (0, 1));
    }

    #[test]
    fn a_smear_panel_fails_on_one_high_false_result() {
        let cs: Vec<_> = ["negative", "1+", "3+", "scanty", "negative"]
            .iter()
            .enumerate()
            .map(|(i, e)| spec(&format!("slide {i}"), "AFB", e))
            .collect();
        // 4 of 5 acceptable (80%) would pass, but the HFN fails the panel.
        let s = graded_all(
            ResultType::SmearGrade,
            &cs,
            &[
                Some("negative"),
                Some("negative"),
                Some("1+"),
                Some("scanty"),
                Some("negative"),
            ],
        );
        assert_eq!((s.acceptable, s.total), (4, 5));
        assert_eq!(s.verdict, EventVerdict::Unsatisfactory);
        assert!(s.detail.smear.contains(&(SmearGrading::Hfn, 1)));
        assert!(s.detail.smear.contains(&(SmearGrading::Qe, 1)));
        // Minor errors only: the panel passes, with the errors counted.
        let s = graded_all(
            ResultType::SmearGrade,
            &cs,
            &[
                Some("scanty"),
                Some("1+"),
                Some("1+"),
                Some("scanty"),
                Some("negative"),
            ],
        );
        assert_eq!(s.verdict, EventVerdict::Satisfactory);
        assert!(s.detail.smear.contains(&(SmearGrading::Lfp, 1)));
    }

    #[test]
    fn a_dst_panel_fails_when_a_drug_misses_its_target() {
        // 20 isolates × rifampicin, 19 agreeing → 95% < 99%; the event score itself is 95%.
        let cs: Vec<_> = (1..=20)
            .map(|i| spec(&format!("isolate {i}"), "rifampicin", "resistant"))
            .collect();
        let mut values = vec![Some("resistant"); 20];
        values[7] = Some("susceptible");
        let s = graded_all(ResultType::DstPanel, &cs, &values);
        assert_eq!(s.percent, Some(95.0));
        assert_eq!(s.verdict, EventVerdict::Unsatisfactory);
        assert_eq!(s.detail.dst.len(), 1);
        assert!(!s.detail.dst[0].meets_target);
        assert!(s
            .detail
            .notes
            .iter()
            .any(|n| n.contains("rifampicin 95.0% (target 99%)")));
    }

    #[test]
    fn an_unscorable_challenge_counts_on_neither_side() {
        let mut cs = vec![spec("S-1", "HBsAg", "reactive"); 2];
        cs[1] = ChallengeSpec {
            unscorable: Some("No consensus".into()),
            ..challenge(ScoreMethod::Z)
        };
        let g0 = grade(ResultType::Quantitative, &cs[1], &number(4.0));
        assert_eq!(g0.verdict, ResultVerdict::NotScored);
        let s = site_score(
            ResultType::Qualitative,
            &cs,
            &[
                Some((
                    grade(ResultType::Qualitative, &cs[0], &text("reactive")),
                    false,
                )),
                None,
            ],
        );
        assert_eq!((s.acceptable, s.total), (1, 1));
    }
}
