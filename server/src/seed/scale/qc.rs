//! Radiology QC re-reads of the scale network: every month a sample of each radiology site's
//! chest X-rays is re-read by the teleradiology QC centre. Readers mostly agree with the QC
//! reader; now and then one reader has a poor quarter (low κ, significant discrepancies) or the
//! images are poor, and each quarter that raises a flag opens its CAPA, as recording reads does.

use chrono::{Datelike, Days, Months};

use app::model::pt::{PeerScore, XrayClass};

use crate::documents::review::date_text;
use crate::error::Error;
use crate::pt::radiology::{self, Read};
use crate::pt::{qc, repo};
use crate::seed::dice::Dice;

use super::batch::{row, Table, Writer};
use super::capa::CapaBook;
use super::{stamp, Context, Network};

const READERS: &[&str] = &[
    "Dr A. Mwangi",
    "Dr B. Okello",
    "Dr C. Santos",
    "Dr D. Reyes",
    "Dr E. Haddad",
    "Dr F. Yilmaz",
    "Dr G. Nguyen",
    "Dr H. Tesfaye",
    "Dr I. Kaya",
    "Dr J. Mensah",
    "Dr K. Rahman",
    "Dr L. Diallo",
    "Dr M. Petrova",
    "Dr N. Osei",
    "Dr O. Banda",
    "Dr P. Khan",
    "Dr Q. Tran",
];
const QC_READERS: &[&str] = &["Dr R. Ali (QC)", "Dr S. Moyo (QC)", "Dr T. Silva (QC)"];

/// One re-read: what the primary reader and the QC reader said, the peer score and the image
/// quality.
fn reread(sloppy: bool, poor_images: bool, dice: &mut Dice) -> Read {
    let truth = match dice.below(100) {
        0..=71 => XrayClass::Normal,
        72..=85 => XrayClass::Tb,
        _ => XrayClass::Other,
    };
    let primary = if dice.chance(if sloppy { 30 } else { 3 }) {
        let others: Vec<XrayClass> = XrayClass::ALL
            .iter()
            .copied()
            .filter(|c| *c != truth)
            .collect();
        others[dice.below(others.len() as u64) as usize]
    } else {
        truth
    };
    let tb_involved = truth == XrayClass::Tb || primary == XrayClass::Tb;
    // Most discrepancies are minor; a missed or invented TB sometimes matters clinically.
    let peer = if primary == truth {
        PeerScore::Agree
    } else if tb_involved && dice.chance(if sloppy { 60 } else { 15 }) {
        if dice.chance(40) {
            PeerScore::MajorSignificant
        } else {
            PeerScore::MinorSignificant
        }
    } else if sloppy && dice.chance(30) {
        PeerScore::Major
    } else {
        PeerScore::Minor
    };
    let quality = match dice.below(1000) {
        0..=599 => 1,
        600..=979 => 2,
        980..=994 => 3,
        _ => 4,
    };
    let quality = if poor_images && dice.chance(10) {
        3
    } else {
        quality
    };
    Read {
        primary,
        qc: truth,
        peer,
        quality,
    }
}

/// Seeds the QC reads of every radiology site and the CAPAs of flagged quarters.
pub(super) async fn seed(
    w: &mut Writer,
    cx: &Context,
    net: &Network,
    capas: &mut CapaBook,
    dice: &mut Dice,
) -> Result<(), Error> {
    let thresholds = repo::thresholds(w.tx().await?.conn()).await?;
    let first_month = cx.first_day.with_day(1).unwrap_or(cx.first_day);
    for (index, site) in net.sites.iter().enumerate() {
        if !site.radiology {
            continue;
        }
        let readers = [
            READERS[index % READERS.len()],
            READERS[(index + 5) % READERS.len()],
            READERS[(index + 11) % READERS.len()],
        ];
        let mut exam = 0u64;
        let mut quarter: Vec<Read> = Vec::new();
        let (mut sloppy, mut poor_images) = (None, false);
        let mut month = first_month;
        while month <= cx.today {
            let (q_first, q_last, label) = qc::quarter_of(month);
            if month == q_first || quarter.is_empty() {
                // A new quarter: now and then a reader has a poor one, or the images do.
                sloppy = dice
                    .chance(6)
                    .then(|| dice.below(readers.len() as u64) as usize);
                poor_images = dice.chance(3);
            }
            let next = month + Months::new(1);
            let days = (next - month).num_days() as u64;
            let volume = site.qc_volume * (80 + dice.below(41)) / 100;
            for k in 0..volume {
                let day = month + Days::new(k * days / volume.max(1));
                if day > cx.today || day < cx.first_day {
                    continue;
                }
                let reader = dice.below(readers.len() as u64) as usize;
                let read = reread(sloppy == Some(reader), poor_images, dice);
                exam += 1;
                w.push(
                    Table::RadiologyQcReads,
                    row![
                        site.id,
                        format!("{}-CXR-{exam:06}", site.code),
                        readers[reader],
                        QC_READERS[dice.below(QC_READERS.len() as u64) as usize],
                        read.primary.as_str(),
                        read.qc.as_str(),
                        read.peer.as_str(),
                        read.quality,
                        date_text(day),
                        net.qo.id,
                        stamp(day, 18)
                    ],
                )
                .await?;
                quarter.push(read);
            }
            // The quarter is checked when its last month is in, or today for the current one.
            let quarter_over = next > q_last;
            if quarter_over || next > cx.today {
                if quarter.len() >= radiology::KAPPA_MIN_READS {
                    let metrics = radiology::metrics(&quarter);
                    let flags = radiology::flags(&metrics, &thresholds);
                    if !flags.is_empty() {
                        let opened = (q_last + Days::new(3)).min(cx.today);
                        let capa = qc::radiology_capa(
                            site.id,
                            &site.code,
                            &label,
                            &metrics,
                            &flags,
                            &thresholds,
                            net.qo.id,
                            Some(opened),
                        );
                        capas.automatic(net, index, capa, &net.qo);
                    }
                }
                quarter.clear();
            }
            month = next;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_normal_quarter_raises_no_flag_and_a_sloppy_reader_lowers_kappa() {
        let thresholds = app::model::pt::QcThresholds::default();
        let mut dice = Dice(3);
        let mut flagged = 0;
        for _ in 0..100 {
            let reads: Vec<Read> = (0..150).map(|_| reread(false, false, &mut dice)).collect();
            if !radiology::flags(&radiology::metrics(&reads), &thresholds).is_empty() {
                flagged += 1;
            }
        }
        assert!(flagged <= 10, "{flagged} of 100 normal quarters flagged");
        let sloppy: Vec<Read> = (0..150).map(|_| reread(true, false, &mut dice)).collect();
        let kappa = radiology::metrics(&sloppy).kappa.unwrap();
        assert!(kappa < 0.6, "{kappa}");
    }
}
