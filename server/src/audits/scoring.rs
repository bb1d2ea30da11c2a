//! Audit scoring, SLIPTA-style: yes = the item's weight, partial = 1 point, no = 0, not
//! applicable = left out of both sides; stars by percentage band; and the PT gate that holds a
//! laboratory audit at 0 stars unless the site's last two laboratory PT events both reached 80%.

use serde::{Deserialize, Serialize};

// The rules the browser needs too (the running score while conducting) live with the shared
// types; the tests with the brief's worked examples stay here.
pub use app::model::audits::{points, stars, tally, Answer, Tally};

/// The minimum laboratory PT event score the gate accepts, in percent.
pub const PT_GATE_MIN: f64 = 80.0;

/// The outcome of the PT gate for a laboratory audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PtGate {
    pub passed: bool,
    pub reason: String,
}

/// The gate over the site's laboratory PT event scores, most recent first.
pub fn pt_gate(recent_scores: &[f64]) -> PtGate {
    match recent_scores {
        [latest, previous, ..] => {
            let low: Vec<String> = [latest, previous]
                .iter()
                .filter(|s| ***s < PT_GATE_MIN)
                .map(|s| format!("{s:.1}%"))
                .collect();
            if low.is_empty() {
                PtGate {
                    passed: true,
                    reason: format!(
                        "The last two laboratory PT events scored {latest:.1}% and {previous:.1}% (both at least 80%)."
                    ),
                }
            } else {
                PtGate {
                    passed: false,
                    reason: format!(
                        "0 stars: a recent laboratory PT event scored below 80% ({}).",
                        low.join(", ")
                    ),
                }
            }
        }
        _ => PtGate {
            passed: false,
            reason: format!(
                "0 stars: the site has {} laboratory PT event score{}; two are needed.",
                recent_scores.len(),
                if recent_scores.len() == 1 { "" } else { "s" }
            ),
        },
    }
}

/// Stars after the gate: a failed gate holds a laboratory audit at 0 (the percentage stands).
pub fn gated_stars(percent: Option<f64>, gate: Option<&PtGate>) -> Option<u8> {
    let stars = stars(percent?);
    Some(match gate {
        Some(gate) if !gate.passed => 0,
        _ => stars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn the_worked_example_scores_66_67_percent_and_two_stars() {
        let t = tally([
            (5, Some(Yes)),
            (3, Some(Partial)),
            (2, Some(No)),
            (4, Some(NotApplicable)),
            (2, Some(Yes)),
        ]);
        assert_eq!((t.points, t.applicable), (8, 12));
        assert!(close(t.percent().unwrap(), 200.0 / 3.0));
        assert_eq!(stars(t.percent().unwrap()), 2);
    }

    #[test]
    fn star_bands_and_their_boundaries() {
        for (percent, expected) in [
            (0.0, 0),
            (54.99, 0),
            (55.0, 1),
            (64.99, 1),
            (65.0, 2),
            (74.99, 2),
            (75.0, 3),
            (84.99, 3),
            (85.0, 4),
            (94.99, 4),
            (95.0, 5),
            (100.0, 5),
        ] {
            assert_eq!(stars(percent), expected, "{percent}%");
        }
    }

    #[test]
    fn not_applicable_items_leave_both_sides() {
        let with = tally([(5, Some(Yes)), (4, Some(NotApplicable))]);
        let without = tally([(5, Some(Yes))]);
        assert_eq!(
            (with.points, with.applicable),
            (without.points, without.applicable)
        );
        assert_eq!(with.percent(), Some(100.0));
    }

    #[test]
    fn an_audit_with_no_applicable_items_has_no_score() {
        let t = tally([(3, Some(NotApplicable)), (2, None)]);
        assert_eq!(t.percent(), None);
        assert_eq!(gated_stars(t.percent(), None), None);
        assert_eq!((t.answered, t.items), (1, 2));
    }

    #[test]
    fn partial_earns_one_point_whatever_the_weight() {
        assert_eq!(points(Partial, 5), (1, 5));
        assert_eq!(points(Partial, 1), (1, 1));
    }

    #[test]
    fn the_pt_gate_needs_two_recent_events_of_at_least_80_percent() {
        assert!(pt_gate(&[80.0, 95.0]).passed, "exactly 80% passes");
        let low = pt_gate(&[100.0, 60.0, 100.0]);
        assert!(!low.passed);
        assert!(low.reason.contains("60.0%"), "{}", low.reason);
        let one = pt_gate(&[100.0]);
        assert!(!one.passed);
        assert!(
            one.reason.contains("1 laboratory PT event score;"),
            "{}",
            one.reason
        );
        assert!(!pt_gate(&[]).passed);
        // Only the two most recent count.
        assert!(pt_gate(&[90.0, 85.0, 20.0]).passed);
    }

    #[test]
    fn a_failed_gate_shows_zero_stars_but_keeps_the_percentage() {
        let gate = pt_gate(&[70.0, 90.0]);
        assert_eq!(gated_stars(Some(96.0), Some(&gate)), Some(0));
        assert_eq!(
            gated_stars(Some(96.0), None),
            Some(5),
            "radiology audits have no gate"
        );
    }
}
