//! Benchmark (not a test): generating and signing an audit report of 60 items and 25
//! findings, as issuing does. Prints the median and spread of the wall time and the PDF size.
//!
//! `cargo bench -p server --bench report_pdf`

use std::time::Instant;

use server::reports::audit_report::{self, Issue, ReportInput};
use server::reports::identity::SigningIdentity;
use server::reports::pdf::{sign, SignatureField};

const RUNS: usize = 40;

fn main() {
    let identity = SigningIdentity::generate("Attest benchmark signer").expect("a key");
    let audit = audit_report::sample_audit(60, 25);
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    let mut pages = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let input = ReportInput {
            audit: &audit,
            address: "Abidjan, Côte d'Ivoire".into(),
            reference: audit_report::reference(1),
            issue: Some(Issue {
                signer_name: "Zeynep Öztürk".into(),
                signer_email: "qo@attest.example".into(),
                issued_at: "2026-03-04 09:00 UTC".into(),
                certificate_subject: identity.subject.clone(),
            }),
            generated_at: "2026-03-04 09:00 UTC".into(),
        };
        let doc = audit_report::render(&input);
        pages = doc.page_count();
        let field = SignatureField {
            signer_name: "Zeynep Öztürk".into(),
            reason: "Audit report issued".into(),
            location: "CIV-ABJ".into(),
            signed_at: chrono::Utc::now(),
        };
        let unsigned = doc.finish(Some(&field)).expect("the PDF is written");
        let signed = sign::sign(unsigned, |d| identity.sign_digest(d)).expect("it is signed");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        size = signed.len();
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    println!(
        "audit report, 60 items and 25 findings, generated and signed ({RUNS} runs): median {:.1} ms, p10 {:.1} ms, p90 {:.1} ms, max {:.1} ms; {pages} pages, {size} bytes ({:.0} KB)",
        at(0.5),
        at(0.1),
        at(0.9),
        times[times.len() - 1],
        size as f64 / 1024.0
    );
}
