//! Radiology QC metrics over a chosen window, per site and per reader: concordance, Cohen's κ
//! ("not enough reads" below 20), clinically significant discrepancies and poor images, each
//! flag shown with a text cue against the configured thresholds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{two, CsvFileField};
use crate::api::pt::{radiology_metrics, ImportQcReads, SetQcThresholds};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::model::auth::Role;
use crate::model::pt::{QcFlag, QcMetricsRow, QcQuery, QcThresholds};
use crate::session::Session;

#[component]
pub fn RadiologyQcPage() -> impl IntoView {
    let params = use_query_map();
    let get = move |key: &str| params.with(|p| p.get(key).filter(|v| !v.is_empty()));
    let query = move || QcQuery {
        from: get("from"),
        to: get("to"),
        site: get("site"),
        region: get("region"),
        page: None,
        per_page: None,
    };
    let import = ServerAction::<ImportQcReads>::new();
    let save = ServerAction::<SetQcThresholds>::new();
    let metrics = Resource::new(
        move || (query(), import.version().get(), save.version().get()),
        |(q, ..)| radiology_metrics(q),
    );
    let session = expect_context::<Session>();
    let records = move || {
        session
            .user
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| matches!(u.role, Role::QualityOfficer | Role::Admin))
    };
    view! {
        <Title text="Radiology QC" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt">"PT/EQA"</A></nav>
            <h1>"Radiology QC"</h1>
            <Form method="GET" action="" attr:class="toolbar">
                <label class="field"><span class="field__label">"From"</span><input type="date" name="from" value=move || get("from").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"To"</span><input type="date" name="to" value=move || get("to").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"Region"</span><input type="text" name="region" size="5" placeholder="EHA" value=move || get("region").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"Site"</span><input type="text" name="site" size="9" placeholder="KEN-NBO" value=move || get("site").unwrap_or_default() /></label>
                <button type="submit" class="button">"Show"</button>
            </Form>
            <Transition fallback=|| view! { <Loading label="Computing QC metrics…" /> }>
                {move || Suspend::new(async move {
                    match metrics.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(m) if m.sites.is_empty() => view! {
                            <EmptyState title="No QC reads in this window".to_string()>
                                <p>{format!("No re-reads between {} and {}. Widen the window.", m.from, m.to)}</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(m) => {
                            let t = m.thresholds.clone();
                            view! {
                                <p class="muted">
                                    {format!("{} to {}. Flags: κ below {}, clinically significant discrepancies (2b, 3a, 3b) above {}%, poor or unacceptable images above {}%. κ needs at least 20 reads.",
                                        m.from, m.to, t.kappa_min, t.significant_max_percent, t.poor_image_max_percent)}
                                </p>
                                <h2>"Per site"</h2>
                                <MetricsTable rows=m.sites readers=false />
                                <h2>"Per reader"</h2>
                                <MetricsTable rows=m.readers readers=true />
                                {m.can_manage.then(|| view! { <ThresholdsForm thresholds=t.clone() save /> })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
            {move || records().then(|| view! { <ReadsImport import /> })}
        </section>
    }
}

#[component]
fn ThresholdsForm(thresholds: QcThresholds, save: ServerAction<SetQcThresholds>) -> impl IntoView {
    let error = crate::components::forms::rejected(save);
    view! {
        <details class="panel">
            <summary>"Flag thresholds"</summary>
            <ActionForm action=save attr:class="form form--inline">
                <label class="field"><span class="field__label">"Flag κ below"</span><input type="text" inputmode="decimal" size="6" name="form[kappa_min]" value=thresholds.kappa_min.to_string() /><FieldError error name="kappa_min" /></label>
                <label class="field"><span class="field__label">"Significant discrepancies above (%)"</span><input type="text" inputmode="decimal" size="6" name="form[significant_max_percent]" value=thresholds.significant_max_percent.to_string() /><FieldError error name="significant_max_percent" /></label>
                <label class="field"><span class="field__label">"Poor images above (%)"</span><input type="text" inputmode="decimal" size="6" name="form[poor_image_max_percent]" value=thresholds.poor_image_max_percent.to_string() /><FieldError error name="poor_image_max_percent" /></label>
                <button type="submit" class="button">"Save thresholds"</button>
            </ActionForm>
            <FormError error />
        </details>
    }
}

#[component]
fn ReadsImport(import: ServerAction<ImportQcReads>) -> impl IntoView {
    let error = crate::components::forms::rejected(import);
    view! {
        <section class="panel" aria-labelledby="reads-import">
            <h2 id="reads-import">"Record QC re-reads from CSV"</h2>
            <p>"Columns: "<code>"site,exam_id,reader,qc_reader,primary_class,qc_class,peer_score,image_quality,read_on"</code>" (classes normal, tb or other; peer score 1, 2a, 2b, 3a or 3b; image quality 1 to 4; dates as YYYY-MM-DD). Each site's quarter is then checked against the thresholds, and a flag with at least 20 reads opens a CAPA."</p>
            <ActionForm action=import attr:class="form" attr:data-report="import">
                <CsvFileField id="reads-csv-file".to_string() target="reads-csv".to_string() />
                <div class="field">
                    <label class="field__label" for="reads-csv">"CSV contents"</label>
                    <textarea id="reads-csv" name="csv" rows="5" required></textarea>
                </div>
                <label class="checkbox"><input type="checkbox" name="valid_rows" value="true" />" Record the valid rows even if some are wrong"</label>
                <FormError error />
                <button type="submit" class="button" disabled=move || import.pending().get()>"Check and record"</button>
            </ActionForm>
            <div class="import-report" data-report-slot=""></div>
        </section>
    }
}

fn flagged(row: &QcMetricsRow, flag: QcFlag) -> bool {
    row.flags.contains(&flag)
}

fn cell(value: Option<f64>, suffix: &str, raised: bool) -> AnyView {
    let text = value
        .map(|v| format!("{}{suffix}", two(v)))
        .unwrap_or_else(|| "—".into());
    if raised {
        view! { <td class="cell--flag"><span aria-hidden="true">"⚠ "</span>{text}<span class="visually-hidden">" (flagged)"</span></td> }.into_any()
    } else {
        view! { <td>{text}</td> }.into_any()
    }
}

#[component]
fn MetricsTable(rows: Vec<QcMetricsRow>, readers: bool) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Site"</th>
                        {readers.then(|| view! { <th scope="col">"Reader"</th> })}
                        <th scope="col">"Reads"</th>
                        <th scope="col">"Concordance"</th>
                        <th scope="col">"κ"</th>
                        <th scope="col">"Significant discrepancies"</th>
                        <th scope="col">"Poor images"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let kappa = if r.kappa.is_none() && r.reads > 0 {
                            view! { <td class="muted">"not enough reads"</td> }.into_any()
                        } else {
                            cell(r.kappa, "", flagged(&r, QcFlag::LowKappa))
                        };
                        let site = r.site.clone();
                        let reader = r.reader.clone();
                        view! {
                            <tr>
                                <td><A href=format!("/pt/sites/{site}")>{site.clone()}</A></td>
                                {readers.then(move || view! { <td>{reader}</td> })}
                                <td>{r.reads}</td>
                                {cell(r.concordance_percent, "%", false)}
                                {kappa}
                                {cell(r.significant_percent, "%", flagged(&r, QcFlag::SignificantDiscrepancies))}
                                {cell(r.poor_image_percent, "%", flagged(&r, QcFlag::PoorImages))}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
