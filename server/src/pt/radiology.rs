//! Radiology QC metrics over a window of re-reads: concordance, Cohen's κ over the
//! classification categories, the clinically significant discrepancy rate and the share of
//! poor or unacceptable images; and the flags raised against the thresholds.

use app::model::pt::{PeerScore, QcFlag, QcThresholds, XrayClass};

/// κ is shown only with at least this many reads ("not enough reads" below).
pub const KAPPA_MIN_READS: usize = 20;

/// What a metric needs from one re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    pub primary: XrayClass,
    pub qc: XrayClass,
    pub peer: PeerScore,
    /// 1 good, 2 acceptable, 3 poor, 4 unacceptable.
    pub quality: i64,
}

/// The metrics of a set of reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    pub reads: usize,
    pub concordance_percent: Option<f64>,
    pub kappa: Option<f64>,
    pub significant_percent: Option<f64>,
    pub poor_image_percent: Option<f64>,
}

fn index(class: XrayClass) -> usize {
    XrayClass::ALL.iter().position(|c| *c == class).unwrap_or(0)
}

/// Cohen's κ of a square agreement table: (p_o − p_e) / (1 − p_e). None for an empty table;
/// 1 when both readers used a single category and agree.
pub fn cohens_kappa(table: &[[u64; 3]; 3]) -> Option<f64> {
    let n: u64 = table.iter().flatten().sum();
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let observed = (0..3).map(|i| table[i][i] as f64).sum::<f64>() / n;
    let expected = (0..3)
        .map(|i| {
            let row: u64 = table[i].iter().sum();
            let column: u64 = table.iter().map(|r| r[i]).sum();
            (row as f64 / n) * (column as f64 / n)
        })
        .sum::<f64>();
    if (1.0 - expected).abs() < 1e-12 {
        return Some(1.0);
    }
    Some((observed - expected) / (1.0 - expected))
}

/// The metrics of these reads; κ only with at least [`KAPPA_MIN_READS`].
pub fn metrics(reads: &[Read]) -> Metrics {
    let n = reads.len();
    if n == 0 {
        return Metrics {
            reads: 0,
            concordance_percent: None,
            kappa: None,
            significant_percent: None,
            poor_image_percent: None,
        };
    }
    let mut table = [[0u64; 3]; 3];
    for r in reads {
        table[index(r.primary)][index(r.qc)] += 1;
    }
    let percent = |count: usize| Some(count as f64 * 100.0 / n as f64);
    Metrics {
        reads: n,
        concordance_percent: percent(reads.iter().filter(|r| r.primary == r.qc).count()),
        kappa: if n >= KAPPA_MIN_READS {
            cohens_kappa(&table)
        } else {
            None
        },
        significant_percent: percent(
            reads
                .iter()
                .filter(|r| r.peer.clinically_significant())
                .count(),
        ),
        poor_image_percent: percent(reads.iter().filter(|r| r.quality >= 3).count()),
    }
}

/// The flags these metrics raise.
pub fn flags(m: &Metrics, t: &QcThresholds) -> Vec<QcFlag> {
    let mut flags = Vec::new();
    if m.kappa.is_some_and(|k| k < t.kappa_min) {
        flags.push(QcFlag::LowKappa);
    }
    if m.significant_percent
        .is_some_and(|p| p > t.significant_max_percent)
    {
        flags.push(QcFlag::SignificantDiscrepancies);
    }
    if m.poor_image_percent
        .is_some_and(|p| p > t.poor_image_max_percent)
    {
        flags.push(QcFlag::PoorImages);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use XrayClass::{Normal, Other, Tb};

    fn reads(spec: &[(XrayClass, XrayClass, usize)]) -> Vec<Read> {
        spec.iter()
            .flat_map(|&(primary, qc, count)| {
                std::iter::repeat_n(
                    Read {
                        primary,
                        qc,
                        peer: if primary == qc {
                            PeerScore::Agree
                        } else {
                            PeerScore::Minor
                        },
                        quality: 2,
                    },
                    count,
                )
            })
            .collect()
    }

    fn example() -> Vec<Read> {
        reads(&[
            (Normal, Normal, 70),
            (Tb, Tb, 12),
            (Other, Other, 8),
            (Normal, Tb, 3),
            (Tb, Normal, 2),
            (Normal, Other, 3),
            (Other, Normal, 2),
        ])
    }

    #[test]
    fn kappa_of_the_scoring_md_example() {
        let m = metrics(&example());
        assert_eq!(m.reads, 100);
        assert!((m.concordance_percent.unwrap() - 90.0).abs() < 1e-9);
        let k = m.kappa.unwrap();
        assert!((k - 0.7535).abs() < 1e-4, "{k}");
        // p_e = 0.5944 by hand: rows 76/14/10, columns 74/15/11.
        let expected: f64 = 0.76 * 0.74 + 0.14 * 0.15 + 0.10 * 0.11;
        assert!((expected - 0.5944).abs() < 1e-9);
    }

    #[test]
    fn kappa_needs_twenty_reads() {
        let all = example();
        let nineteen: Vec<Read> = all.iter().copied().step_by(5).take(19).collect();
        assert_eq!(nineteen.len(), 19);
        assert_eq!(metrics(&nineteen).kappa, None);
        assert!(metrics(&nineteen).concordance_percent.is_some());
        let twenty: Vec<Read> = all.iter().copied().step_by(5).take(20).collect();
        assert!(metrics(&twenty).kappa.is_some());
    }

    #[test]
    fn significant_discrepancies_and_poor_images() {
        let mut r = example();
        r[0].peer = PeerScore::MinorSignificant;
        r[1].peer = PeerScore::Major;
        r[2].peer = PeerScore::MajorSignificant;
        r[3].peer = PeerScore::Minor; // 2a: not significant
        r[4].quality = 3;
        r[5].quality = 4;
        let m = metrics(&r);
        assert!((m.significant_percent.unwrap() - 3.0).abs() < 1e-9);
        assert!((m.poor_image_percent.unwrap() - 2.0).abs() < 1e-9);
        let f = flags(&m, &QcThresholds::default());
        assert_eq!(f, [QcFlag::SignificantDiscrepancies]);
    }

    #[test]
    fn flags_at_and_past_the_default_thresholds() {
        let t = QcThresholds::default();
        let at = Metrics {
            reads: 100,
            concordance_percent: Some(80.0),
            kappa: Some(0.6),
            significant_percent: Some(2.0),
            poor_image_percent: Some(5.0),
        };
        assert!(flags(&at, &t).is_empty());
        let past = Metrics {
            kappa: Some(0.59),
            significant_percent: Some(2.1),
            poor_image_percent: Some(5.1),
            ..at
        };
        assert_eq!(
            flags(&past, &t),
            [
                QcFlag::LowKappa,
                QcFlag::SignificantDiscrepancies,
                QcFlag::PoorImages
            ]
        );
        // Too few reads for κ: no κ flag, whatever the agreement.
        let few = Metrics {
            reads: 19,
            kappa: None,
            ..at
        };
        assert!(flags(&few, &t).is_empty());
    }

    #[test]
    fn perfect_agreement_on_one_category_is_kappa_one() {
        let m = metrics(&reads(&[(Normal, Normal, 25)]));
        assert_eq!(m.kappa, Some(1.0));
        assert_eq!(metrics(&[]).concordance_percent, None);
    }
}
