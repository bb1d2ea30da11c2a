//! The public verification page (`/verify`, no sign-in): upload a PDF and learn whether it is
//! a report Attest issued, unaltered. The upload is a plain form (it works before the client
//! loads); the server answers with the file's SHA-256 in the address, and the page shows what
//! that hash is.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::reports::verify_report;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::model::reports::Verification;

#[component]
pub fn VerifyPage() -> impl IntoView {
    let query = use_query_map();
    let sha256 = move || query.read().get("sha256").filter(|s| !s.is_empty());
    let error = move || query.read().get("error").filter(|s| !s.is_empty());
    let verdict = Resource::new(sha256, |sha| async move {
        match sha {
            Some(sha) => verify_report(sha).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Title text="Verify a report" />
        <section class="page page--narrow">
            <h1>"Verify a report"</h1>
            <p class="lead">
                "Upload a PDF report to check that Attest issued it and that not one byte has changed since. "
                "The file is compared by its SHA-256 fingerprint with the reports Attest signed; it is not kept."
            </p>
            <form method="post" action="/verify" enctype="multipart/form-data" class="form">
                <div class="field">
                    <label class="field__label" for="verify-file">"Report (PDF, at most 10 MB)"</label>
                    <input id="verify-file" name="file" type="file" accept=".pdf,application/pdf" required />
                </div>
                <button type="submit" class="button button--primary">"Check the file"</button>
            </form>
            {move || error().map(|message| view! {
                <div class="panel panel--error" role="alert">
                    <h2>"The file could not be checked"</h2>
                    <p>{message}</p>
                </div>
            })}
            <Suspense fallback=|| view! { <Loading label="Checking…" /> }>
                {move || Suspend::new(async move {
                    match verdict.await {
                        Ok(Some(verification)) => view! { <Verdict verification /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Verdict(verification: Verification) -> impl IntoView {
    let sha = verification.sha256.clone();
    match verification.report {
        Some(report) => view! {
            <div class="panel panel--ok report-verdict" role="status" aria-live="polite">
                <h2>"✓ Authentic report"</h2>
                <p>{verification.message}</p>
                <dl class="facts">
                    <dt>"Reference"</dt><dd>{report.reference}</dd>
                    <dt>"Site"</dt><dd>{match (report.site_name, report.site_code) {
                        (Some(name), Some(code)) => format!("{name} ({code})"),
                        _ => report.region_code.unwrap_or_else(|| "—".into()),
                    }}</dd>
                    <dt>"Audit"</dt><dd>{report.audit_id.map(|id| id.to_string()).unwrap_or_else(|| "—".into())}</dd>
                    <dt>"Issued"</dt><dd>{report.issued_at.replace('T', " ").replace('Z', " UTC")}</dd>
                    <dt>"Signed by"</dt><dd>{report.signer_name}</dd>
                    <dt>"Certificate"</dt><dd>{report.certificate_subject}</dd>
                    <dt>"SHA-256"</dt><dd><code class="hash">{sha}</code></dd>
                </dl>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="panel panel--warning report-verdict" role="status" aria-live="polite">
                <h2>"✗ Not recognised"</h2>
                <p>{verification.message}</p>
                <p class="muted">"SHA-256 of the file checked: "<code class="hash">{sha}</code></p>
            </div>
        }
        .into_any(),
    }
}
