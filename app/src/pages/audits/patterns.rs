//! The network pattern view: the checklist items most often answered no or partial across
//! sites in a period, as a Pareto chart with its table, each item drilling down to its audits.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::audits::audit_patterns;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::audits::{PatternItem, PatternQuery};
use crate::pages::encode_query_value;

#[component]
pub fn PatternsPage() -> impl IntoView {
    let params = use_query_map();
    let get = move |key: &str| params.with(|p| p.get(key).filter(|v| !v.is_empty()));
    let query = move || PatternQuery {
        from: get("from"),
        to: get("to"),
        region: get("region"),
    };
    let report = Resource::new(query, audit_patterns);
    view! {
        <Title text="Audit patterns" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/audits">"Audits"</A></nav>
            <h1>"Where the network falls short"</h1>
            <p class="lead">"Checklist items most often answered no or partial in submitted audits, most frequent first."</p>
            <Form method="GET" action="" attr:class="toolbar">
                <label class="field"><span class="field__label">"From"</span><input type="date" name="from" value=move || get("from").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"Until"</span><input type="date" name="to" value=move || get("to").unwrap_or_default() /></label>
                <label class="field"><span class="field__label">"Region"</span><input type="text" name="region" size="6" placeholder="EHA" value=move || get("region").unwrap_or_default() /></label>
                <button type="submit" class="button">"Show"</button>
            </Form>
            <Transition fallback=|| view! { <Loading label="Counting answers…" /> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(report) if report.items.is_empty() => view! {
                            <EmptyState title="No shortfalls in this period".to_string()>
                                <p>"No submitted audit in the period had an item answered no or partial."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(report) => view! {
                            <p class="result-count">{format!("{} no/partial answers from {} to {}", report.total, report.from, report.to)}</p>
                            <Pareto items=report.items.clone() />
                            <div class="table-wrap">
                                <table class="table">
                                    <thead><tr>
                                        <th scope="col">"Clause"</th><th scope="col">"Item"</th><th scope="col">"No"</th>
                                        <th scope="col">"Partial"</th><th scope="col">"Sites"</th><th scope="col">"Share"</th><th scope="col">"Cumulative"</th>
                                    </tr></thead>
                                    <tbody>
                                        {report.items.into_iter().map(|i| view! {
                                            <tr>
                                                <td>{format!("{} {}", i.template_code, i.clause)}</td>
                                                <td><A href=format!("/audits?failed_item={}", encode_query_value(&i.text))>{i.text.clone()}</A></td>
                                                <td>{i.no}</td>
                                                <td>{i.partial}</td>
                                                <td>{i.sites}</td>
                                                <td>{format!("{:.1}%", i.share)}</td>
                                                <td>{format!("{:.1}%", i.cumulative)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Bars of each item's share with the cumulative line; the table below carries the figures.
#[component]
fn Pareto(items: Vec<PatternItem>) -> impl IntoView {
    let (width, height, pad) = (640.0, 200.0, 30.0);
    let n = items.len().max(1) as f64;
    let slot = (width - 2.0 * pad) / n;
    let top = items.first().map(|i| i.share).unwrap_or(1.0).max(1.0);
    let bar_y = move |share: f64| height - pad - share / top * (height - 2.0 * pad);
    let line_y = move |cumulative: f64| height - pad - cumulative / 100.0 * (height - 2.0 * pad);
    let line: String = items
        .iter()
        .enumerate()
        .map(|(k, i)| {
            format!(
                "{:.1},{:.1}",
                pad + (k as f64 + 0.5) * slot,
                line_y(i.cumulative)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <figure class="trend">
            <figcaption>"Share of no/partial answers per item (bars) and cumulative share (line), most frequent first"</figcaption>
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label="Pareto chart; the table below has the figures">
                {items.iter().enumerate().map(|(k, i)| view! {
                    <rect x=pad + k as f64 * slot + 2.0 y=bar_y(i.share) width=(slot - 4.0).max(1.0) height=height - pad - bar_y(i.share) class="pareto__bar">
                        <title>{format!("{} {}: {:.1}%", i.template_code, i.clause, i.share)}</title>
                    </rect>
                }).collect_view()}
                <polyline points=line class="trend__line" />
                <text x="2" y=line_y(100.0) class="trend__label">"100%"</text>
                <text x="2" y=line_y(0.0) class="trend__label">"0"</text>
            </svg>
        </figure>
    }
}
