//! Radiology QC metrics over a chosen window, per site and per reader: concordance, Cohen's κ
//! ("not enough reads" below 20), clinically significant discrepancies and poor images, each
//! flag shown with a text cue against the configured thresholds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::two;
use crate::api::pt::radiology_metrics;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::pt::{QcFlag, QcMetricsRow, QcQuery};

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
    let metrics = Resource::new(query, radiology_metrics);
    view! {
        <Title text="Radiology QC" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/pt">"PT/EQA"</A></nav>
            <h1>"Radiology QC"</h1>
            <Form method="GET" action="" attr:class="toolbar">
                <label class="field"><span class="field__label">"From"</span><input type="date" name="from" prop:value=move || get("from").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"To"</span><input type="date" name="to" prop:value=move || get("to").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"Region"</span><input type="text" name="region" size="5" placeholder="EHA" prop:value=move || get("region").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"Site"</span><input type="text" name="site" size="9" placeholder="KEN-NBO" prop:value=move || get("site").unwrap_or_default() /></label>
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
                            }.into_any()
                        }
                    }
                })}
            </Transition>
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
