//! PT scoring rules (ISO 13528 and the programme's rules in `domain/scoring.md`), as plain
//! functions. The worked examples of scoring.md are the unit tests below.

use app::model::pt::{DrugEfficiency, EventVerdict, ResultVerdict, SmearGrading};

/// Below this event score % an event is unsatisfactory (exactly 80% passes).
pub const PASS_PERCENT: f64 = 80.0;
/// The least number of results a robust consensus is computed from.
pub const CONSENSUS_MIN_RESULTS: usize = 5;
/// Comparisons at a threshold forgive floating-point noise of this size.
const EPSILON: f64 = 1e-9;

/// z = (x − X) / σpt.
pub fn z(x: f64, assigned: f64, sigma_pt: f64) -> f64 {
    (x - assigned) / sigma_pt
}

/// z′ = (x − X) / √(σpt² + u(X)²).
pub fn z_prime(x: f64, assigned: f64, sigma_pt: f64, u_assigned: f64) -> f64 {
    (x - assigned) / (sigma_pt.powi(2) + u_assigned.powi(2)).sqrt()
}

/// Whether the uncertainty of the assigned value is large enough that z′ replaces z.
pub fn needs_z_prime(sigma_pt: f64, u_assigned: f64) -> bool {
    u_assigned > 0.3 * sigma_pt
}

/// ζ = (x − X) / √(u(x)² + u(X)²).
pub fn zeta(x: f64, assigned: f64, u_lab: f64, u_assigned: f64) -> f64 {
    (x - assigned) / (u_lab.powi(2) + u_assigned.powi(2)).sqrt()
}

/// En = (x − X) / √(U_lab² + U_ref²).
pub fn en(x: f64, assigned: f64, expanded_lab: f64, expanded_ref: f64) -> f64 {
    (x - assigned) / (expanded_lab.powi(2) + expanded_ref.powi(2)).sqrt()
}

/// |z|, |z′|, |ζ| ≤ 2 satisfactory; 2 < |s| < 3 questionable; ≥ 3 unsatisfactory.
pub fn classify(score: f64) -> ResultVerdict {
    let a = score.abs();
    if a <= 2.0 + EPSILON {
        ResultVerdict::Satisfactory
    } else if a < 3.0 - EPSILON {
        ResultVerdict::Questionable
    } else {
        ResultVerdict::Unsatisfactory
    }
}

/// |En| ≤ 1 satisfactory, otherwise unsatisfactory.
pub fn classify_en(score: f64) -> ResultVerdict {
    if score.abs() <= 1.0 + EPSILON {
        ResultVerdict::Satisfactory
    } else {
        ResultVerdict::Unsatisfactory
    }
}

/// An assigned value and σ computed from the participants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Consensus {
    pub value: f64,
    pub sigma: f64,
    pub count: usize,
}

/// The `p`-quantile of sorted values by linear interpolation between closest ranks (numpy's
/// default, "type 7").
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let low = h.floor() as usize;
    let high = h.ceil() as usize;
    sorted[low] + (h - low as f64) * (sorted[high] - sorted[low])
}

/// Robust consensus: X = median, σ = 0.7413 × IQR. Needs at least five results; otherwise the
/// reason why not.
pub fn robust_consensus(values: &[f64]) -> Result<Consensus, String> {
    if values.len() < CONSENSUS_MIN_RESULTS {
        return Err(format!(
            "No consensus: {} result{} reported, at least {CONSENSUS_MIN_RESULTS} are needed.",
            values.len(),
            if values.len() == 1 { " was" } else { "s were" }
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = quantile(&sorted, 0.5);
    let iqr = quantile(&sorted, 0.75) - quantile(&sorted, 0.25);
    let sigma = 0.7413 * iqr;
    if sigma <= 0.0 {
        return Err(
            "No consensus: the middle half of the results are identical, so σ would be zero."
                .into(),
        );
    }
    Ok(Consensus {
        value: median,
        sigma,
        count: values.len(),
    })
}

/// The number of two-fold dilutions of a titre written `1:16` (or `16`): 16 → 4. None for
/// anything that is not a power of two of at least 1.
pub fn titre_steps(text: &str) -> Option<u32> {
    let t = text.trim().replace(' ', "");
    let denominator = t.strip_prefix("1:").unwrap_or(&t);
    let n: u64 = denominator.parse().ok()?;
    (n >= 1 && n.is_power_of_two()).then(|| n.trailing_zeros())
}

/// A titre within ±1 two-fold dilution of the expected one is correct.
pub fn titre_correct(reported: u32, expected: u32) -> bool {
    reported.abs_diff(expected) <= 1
}

/// Smear grades in order: negative, scanty, 1+, 2+, 3+.
pub fn smear_rank(grade: &str) -> Option<u8> {
    match grade.trim().to_ascii_lowercase().as_str() {
        "negative" | "neg" => Some(0),
        "scanty" => Some(1),
        "1+" => Some(2),
        "2+" => Some(3),
        "3+" => Some(4),
        _ => None,
    }
}

/// How a site's smear reading compares with the controller's (blinded rechecking).
pub fn smear_grading(site: u8, controller: u8) -> SmearGrading {
    match (site, controller) {
        (0, 0) => SmearGrading::Correct,
        (0, 1) => SmearGrading::Lfn,
        (0, _) => SmearGrading::Hfn,
        (1, 0) => SmearGrading::Lfp,
        (_, 0) => SmearGrading::Hfp,
        (1, _) | (_, 1) => SmearGrading::Correct,
        (s, c) if s.abs_diff(c) >= 2 => SmearGrading::Qe,
        _ => SmearGrading::Correct,
    }
}

/// HFP and HFN are major errors: any one fails the panel.
pub fn smear_major(grading: SmearGrading) -> bool {
    matches!(grading, SmearGrading::Hfp | SmearGrading::Hfn)
}

/// Event score % = acceptable / all × 100; none when nothing could be scored.
pub fn event_percent(acceptable: usize, total: usize) -> Option<f64> {
    (total > 0).then(|| acceptable as f64 * 100.0 / total as f64)
}

/// Below 80% is unsatisfactory; exactly 80% passes.
pub fn event_verdict(percent: Option<f64>) -> EventVerdict {
    match percent {
        None => EventVerdict::NotScored,
        Some(p) if p >= PASS_PERCENT - EPSILON => EventVerdict::Satisfactory,
        Some(_) => EventVerdict::Unsatisfactory,
    }
}

/// For each event of one scheme in date order (true = satisfactory), whether participation is
/// unsuccessful at that event: two consecutive unsatisfactory events, or two of the last three.
pub fn unsuccessful_participation(satisfactory: &[bool]) -> Vec<bool> {
    (0..satisfactory.len())
        .map(|i| {
            if satisfactory[i] {
                return false;
            }
            let window = &satisfactory[i.saturating_sub(2)..=i];
            window.iter().filter(|s| !**s).count() >= 2
        })
        .collect()
}

/// The target efficiency of a drug in a DST panel, where the programme sets one.
pub fn dst_target(drug: &str) -> Option<f64> {
    match drug.trim().to_ascii_lowercase().as_str() {
        "isoniazid" | "inh" => Some(97.0),
        "rifampicin" | "rifampin" | "rif" => Some(99.0),
        "streptomycin" | "sm" => Some(92.0),
        "ethambutol" | "emb" => Some(92.0),
        _ => None,
    }
}

/// Per-drug efficiency = agreeing / tested × 100, against the drug's target.
pub fn dst_efficiency(drug: &str, agreeing: usize, tested: usize) -> DrugEfficiency {
    let efficiency = if tested == 0 {
        0.0
    } else {
        agreeing as f64 * 100.0 / tested as f64
    };
    let target = dst_target(drug);
    DrugEfficiency {
        drug: drug.to_string(),
        agreeing: agreeing as i64,
        tested: tested as i64,
        efficiency_percent: efficiency,
        target_percent: target,
        meets_target: target.is_none_or(|t| efficiency >= t - EPSILON),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    #[test]
    fn z_scores_from_scoring_md() {
        let s = z(12.9, 12.0, 0.4);
        assert!(close(s, 2.25), "{s}");
        assert_eq!(classify(s), ResultVerdict::Questionable);
        let s = z(10.9, 12.0, 0.4);
        assert!(close(s, -2.75), "{s}");
        assert_eq!(classify(s), ResultVerdict::Questionable);
        let s = z(11.3, 12.0, 0.4);
        assert!(close(s, -1.75), "{s}");
        assert_eq!(classify(s), ResultVerdict::Satisfactory);
    }

    #[test]
    fn z_prime_applies_when_the_assigned_value_is_uncertain() {
        assert!(needs_z_prime(0.2, 0.08));
        let s = z_prime(5.6, 5.0, 0.2, 0.08);
        assert!(close(s, 2.7854), "{s}");
        assert_eq!(classify(s), ResultVerdict::Questionable);
        // Same without u(X): plain z, exactly 3 → unsatisfactory.
        assert!(!needs_z_prime(0.2, 0.0));
        let s = z(5.6, 5.0, 0.2);
        assert!(close(s, 3.0), "{s}");
        assert_eq!(classify(s), ResultVerdict::Unsatisfactory);
        // 0.3·σpt itself is not "greater than".
        assert!(!needs_z_prime(0.2, 0.06));
    }

    #[test]
    fn zeta_and_en_from_scoring_md() {
        let s = zeta(101.0, 98.0, 1.0, 1.2);
        assert!(close(s, 1.9206), "{s}");
        assert_eq!(classify(s), ResultVerdict::Satisfactory);
        let s = en(10.4, 10.0, 0.3, 0.2);
        assert!(close(s, 1.1094), "{s}");
        assert_eq!(classify_en(s), ResultVerdict::Unsatisfactory);
        let s = en(10.4, 10.0, 0.5, 0.3);
        assert!(close(s, 0.6860), "{s}");
        assert_eq!(classify_en(s), ResultVerdict::Satisfactory);
    }

    #[test]
    fn thresholds_are_inclusive_where_scoring_md_says() {
        assert_eq!(classify(2.0), ResultVerdict::Satisfactory);
        assert_eq!(classify(-2.0), ResultVerdict::Satisfactory);
        assert_eq!(classify(2.0001), ResultVerdict::Questionable);
        assert_eq!(classify(2.9999), ResultVerdict::Questionable);
        assert_eq!(classify(3.0), ResultVerdict::Unsatisfactory);
        assert_eq!(classify(-3.0), ResultVerdict::Unsatisfactory);
        assert_eq!(classify_en(1.0), ResultVerdict::Satisfactory);
        assert_eq!(classify_en(-1.0001), ResultVerdict::Unsatisfactory);
        // z computed from decimals that are not exact in binary still lands on the boundary.
        assert_eq!(classify(z(12.8, 12.0, 0.4)), ResultVerdict::Satisfactory);
        assert_eq!(classify(z(13.2, 12.0, 0.4)), ResultVerdict::Unsatisfactory);
    }

    #[test]
    fn robust_consensus_from_scoring_md() {
        let c = robust_consensus(&[4.9, 5.1, 5.0, 5.3, 4.8, 5.2, 6.9]).unwrap();
        assert!(close(c.value, 5.1), "{c:?}");
        assert!(close(c.sigma, 0.2224), "{c:?}");
        assert_eq!(c.count, 7);
        let sorted = [4.8, 4.9, 5.0, 5.1, 5.2, 5.3, 6.9];
        assert!(close(quantile(&sorted, 0.25), 4.95));
        assert!(close(quantile(&sorted, 0.75), 5.25));
        let outlier = z(6.9, c.value, c.sigma);
        assert!((outlier - 8.09).abs() < 0.005, "{outlier}");
        assert_eq!(classify(outlier), ResultVerdict::Unsatisfactory);
    }

    #[test]
    fn no_consensus_below_five_results_and_the_reason_says_so() {
        let why = robust_consensus(&[4.9, 5.1, 5.0, 5.3]).unwrap_err();
        assert!(why.contains("4 results were reported"), "{why}");
        assert!(why.contains("at least 5"), "{why}");
        assert!(robust_consensus(&[4.9, 5.1, 5.0, 5.3, 4.8]).is_ok());
        let flat = robust_consensus(&[5.0, 5.0, 5.0, 5.0, 5.0]).unwrap_err();
        assert!(flat.contains("zero"), "{flat}");
    }

    #[test]
    fn titres_within_one_dilution_are_correct() {
        let expected = titre_steps("1:16").unwrap();
        assert_eq!(expected, 4);
        for (reported, correct) in [
            ("1:8", true),
            ("1:16", true),
            ("1:32", true),
            ("1:64", false),
            ("1:4", false),
        ] {
            let r = titre_steps(reported).unwrap();
            assert_eq!(titre_correct(r, expected), correct, "{reported}");
        }
        assert_eq!(titre_steps("32"), Some(5));
        assert_eq!(titre_steps("1:12"), None);
        assert_eq!(titre_steps("1:0"), None);
        assert_eq!(titre_steps("reactive"), None);
    }

    #[test]
    fn event_scores_and_the_80_percent_line() {
        let p = event_percent(4, 5);
        assert!(close(p.unwrap(), 80.0));
        assert_eq!(event_verdict(p), EventVerdict::Satisfactory);
        let p = event_percent(3, 5);
        assert!(close(p.unwrap(), 60.0));
        assert_eq!(event_verdict(p), EventVerdict::Unsatisfactory);
        assert_eq!(event_verdict(Some(79.99)), EventVerdict::Unsatisfactory);
        assert_eq!(event_verdict(event_percent(0, 0)), EventVerdict::NotScored);
    }

    fn sequence(text: &str) -> Vec<bool> {
        text.split(' ').map(|s| s == "S").collect()
    }

    #[test]
    fn unsuccessful_participation_from_scoring_md() {
        assert_eq!(
            unsuccessful_participation(&sequence("S U U")),
            [false, false, true]
        );
        assert_eq!(
            unsuccessful_participation(&sequence("U S U")),
            [false, false, true]
        );
        assert_eq!(
            unsuccessful_participation(&sequence("U S S U")),
            [false, false, false, false]
        );
        assert_eq!(
            unsuccessful_participation(&sequence("U S S U S U")),
            [false, false, false, false, false, true]
        );
        assert_eq!(unsuccessful_participation(&sequence("U")), [false]);
    }

    #[test]
    fn smear_rechecking_table() {
        let [neg, scanty, one, two, three] = [0, 1, 2, 3, 4];
        assert_eq!(smear_grading(neg, neg), SmearGrading::Correct);
        assert_eq!(smear_grading(neg, scanty), SmearGrading::Lfn);
        assert_eq!(smear_grading(neg, one), SmearGrading::Hfn);
        assert_eq!(smear_grading(neg, three), SmearGrading::Hfn);
        assert_eq!(smear_grading(scanty, neg), SmearGrading::Lfp);
        assert_eq!(smear_grading(scanty, scanty), SmearGrading::Correct);
        assert_eq!(smear_grading(scanty, three), SmearGrading::Correct);
        assert_eq!(smear_grading(two, neg), SmearGrading::Hfp);
        assert_eq!(smear_grading(one, scanty), SmearGrading::Correct);
        assert_eq!(smear_grading(one, two), SmearGrading::Correct);
        // Two or more grades apart: site 1+, controller 3+.
        assert_eq!(smear_grading(one, three), SmearGrading::Qe);
        assert_eq!(smear_grading(three, one), SmearGrading::Qe);
        assert!(smear_major(SmearGrading::Hfp) && smear_major(SmearGrading::Hfn));
        assert!(!smear_major(SmearGrading::Qe) && !smear_major(SmearGrading::Lfn));
        assert_eq!(smear_rank("Scanty"), Some(scanty));
        assert_eq!(smear_rank("4+"), None);
    }

    #[test]
    fn dst_efficiency_against_targets() {
        let rif = dst_efficiency("rifampicin", 19, 20);
        assert!(close(rif.efficiency_percent, 95.0));
        assert_eq!(rif.target_percent, Some(99.0));
        assert!(!rif.meets_target);
        let inh = dst_efficiency("Isoniazid", 20, 20);
        assert!(inh.meets_target);
        // 92% exactly meets the ethambutol target.
        assert!(dst_efficiency("ethambutol", 23, 25).meets_target);
        assert!(!dst_efficiency("streptomycin", 22, 25).meets_target);
        assert!(dst_efficiency("pyrazinamide", 1, 2).meets_target);
    }
}
