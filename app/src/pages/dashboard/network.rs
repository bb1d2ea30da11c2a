//! The network dashboard: the figures per region with a region × figure heat grid, the most
//! failed checklist clauses, 24 months of trends, and (for administrators) the thresholds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::charts::{Bar, HeatGrid, LineChart, Series, StackedBars};
use super::{
    heat_cells, heat_columns, sort_of, sort_rows, Column, CsvLink, FigureCells, FigureHeaders,
    RatingLegend, SortHeader,
};
use crate::api::dashboard::{load_network_dashboard, SetDashboardThresholds};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::auth::Role;
use crate::model::dashboard::{
    failed_clauses_csv, regions_csv, trends_csv, Kpi, NetworkDashboard, Threshold, Thresholds,
};
use crate::session::{has_role, use_session};

#[component]
pub fn NetworkDashboardPage() -> impl IntoView {
    let query = use_query_map();
    let dashboard = Resource::new(|| (), |_| load_network_dashboard());
    let sort = Memo::new(move |_| query.with(|q| sort_of(q.get("sort"), q.get("dir"))));
    view! {
        <section class="page page--wide">
            <Transition fallback=|| view! { <Loading label="Loading the network dashboard…" /> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Ok(d) => view! { <Network d sort /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Network dashboard" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Network(d: NetworkDashboard, sort: Memo<(Column, bool)>) -> impl IntoView {
    let session = use_session();
    let thresholds = d.thresholds.clone();
    let regions = d.regions.clone();
    let rows = move || {
        let (column, descending) = sort.get();
        let mut rows = regions.clone();
        sort_rows(&mut rows, column, descending, |r| &r.name, |r| &r.figures);
        rows.into_iter()
            .map(|r| {
                view! {
                    <tr data-region=r.code.clone()>
                        <th scope="row"><A href=format!("/dashboard/region/{}", r.code)>{r.name.clone()}</A><br /><span class="cell__note">{format!("{} sites", r.sites)}</span></th>
                        <FigureCells figures=r.figures.clone() thresholds=thresholds.clone() />
                    </tr>
                }
            })
            .collect_view()
    };
    let grid_rows = d
        .regions
        .iter()
        .map(|r| (r.name.clone(), heat_cells(&r.figures, &d.thresholds)))
        .chain(std::iter::once((
            "Network".to_string(),
            heat_cells(&d.total, &d.thresholds),
        )))
        .collect();
    let months: Vec<String> = d.trends.iter().map(|m| m.month.clone()).collect();
    let score_series = vec![
        Series {
            name: "Mean audit score (%)".into(),
            values: d.trends.iter().map(|m| m.audit_score).collect(),
        },
        Series {
            name: "PT satisfactory (%)".into(),
            values: d.trends.iter().map(|m| m.pt.percent).collect(),
        },
    ];
    let capa_series = vec![
        Series {
            name: "Open CAPAs".into(),
            values: d.trends.iter().map(|m| Some(m.capas_open as f64)).collect(),
        },
        Series {
            name: "Overdue CAPAs".into(),
            values: d
                .trends
                .iter()
                .map(|m| Some(m.capas_overdue as f64))
                .collect(),
        },
    ];
    let ageing: Vec<Bar> = d
        .regions
        .iter()
        .map(|r| Bar {
            label: r.code.clone(),
            counts: vec![
                r.figures.capas.up_to_30,
                r.figures.capas.up_to_60,
                r.figures.capas.up_to_90,
                r.figures.capas.over_90,
            ],
        })
        .collect();
    let regions_text = regions_csv(&d);
    let clauses_text = failed_clauses_csv(&d.failed_clauses);
    let trends_text = trends_csv(&d.trends);
    view! {
        <Title text="Network dashboard" />
        <h1>"Network dashboard"</h1>
        <p class="lead">{format!("{} regions. Figures as of {}; PT and radiology QC over {} to {}.", d.regions.len(), d.as_of, d.window.from, d.window.to)}</p>
        <h2 id="regions-heading">"Regions"</h2>
        <p class="table-tools">
            <span class="muted">"Select a column heading to sort; select a region to open its dashboard."</span>
            " "
            <CsvLink file="network-regions.csv".to_string() text=regions_text />
        </p>
        <div class="table-wrap">
            <table class="table table--dense dashboard-table" aria-labelledby="regions-heading" data-testid="network-regions">
                <thead>
                    <tr>
                        {move || view! {
                            <SortHeader column=Column::Name current=sort.get() base="/dashboard".to_string() />
                            <FigureHeaders current=sort.get() base="/dashboard".to_string() />
                        }}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <HeatGrid title="Regions × figures".to_string() columns=heat_columns() rows=grid_rows />
        <StackedBars
            title="Open CAPAs by age, per region".to_string()
            x_label="Open CAPAs (days since opening)".to_string()
            segments=vec!["0–30 days".to_string(), "31–60 days".to_string(), "61–90 days".to_string(), "> 90 days".to_string()]
            bars=ageing
            file="network-capa-ageing.csv".to_string()
        />
        <h2>"Trends over 24 months"</h2>
        <p class="table-tools"><CsvLink file="network-trends.csv".to_string() text=trends_text /></p>
        <LineChart
            title="Audit scores and PT results".to_string()
            x_label="Month".to_string()
            y_label="Percent".to_string()
            labels=months.clone()
            series=score_series
            y_max=100.0
            file="network-scores-by-month.csv".to_string()
        />
        <LineChart
            title="CAPAs open and overdue at each month's end".to_string()
            x_label="Month".to_string()
            y_label="CAPAs".to_string()
            labels=months
            series=capa_series
            y_max=1.0
            decimals=0
            file="network-capas-by-month.csv".to_string()
        />
        <h2 id="clauses-heading">"Most failed checklist clauses (24 months)"</h2>
        {if d.failed_clauses.is_empty() {
            view! { <EmptyState title="No failed clauses".to_string()><p>"No submitted audit of the last 24 months answered a requirement “no”."</p></EmptyState> }.into_any()
        } else {
            view! {
                <p class="table-tools"><CsvLink file="network-failed-clauses.csv".to_string() text=clauses_text /></p>
                <div class="table-wrap">
                    <table class="table table--dense" aria-labelledby="clauses-heading" data-testid="failed-clauses">
                        <thead><tr>
                            <th scope="col">"Checklist"</th><th scope="col">"Clause"</th><th scope="col">"Requirement"</th>
                            <th scope="col" class="num">"Answered"</th><th scope="col" class="num">"Not met"</th><th scope="col" class="num">"Partly met"</th><th scope="col" class="num">"Not met %"</th>
                        </tr></thead>
                        <tbody>
                            {d.failed_clauses.iter().map(|c| view! {
                                <tr>
                                    <td>{c.template.clone()}</td><td>{c.clause.clone()}</td><td>{c.text.clone()}</td>
                                    <td class="num">{c.answered}</td><td class="num">{c.failed}</td><td class="num">{c.partial}</td>
                                    <td class="num">{format!("{:.1}%", c.failed_percent)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <RatingLegend thresholds=d.thresholds.clone() />
        {move || has_role(session, &[Role::Admin]).then(|| view! { <ThresholdForm thresholds=d.thresholds.clone() /> })}
    }
}

/// The administrator's form for the rating limits: checked in the browser before it is sent,
/// and the page shown again with the new ratings once saved.
#[island]
fn ThresholdForm(thresholds: Thresholds) -> impl IntoView {
    let save = ServerAction::<SetDashboardThresholds>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) {
            let _ = window().location().reload();
        }
    });
    let fields: Vec<(Kpi, RwSignal<String>, RwSignal<String>)> = thresholds
        .items
        .iter()
        .map(|t| {
            (
                t.kpi,
                RwSignal::new(t.good.to_string()),
                RwSignal::new(t.warning.to_string()),
            )
        })
        .collect();
    let problem = RwSignal::new(None::<String>);
    let submit_fields = fields.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut items = Vec::new();
        for (kpi, good, warning) in &submit_fields {
            match (
                good.get().trim().parse::<f64>(),
                warning.get().trim().parse::<f64>(),
            ) {
                (Ok(good), Ok(warning)) => items.push(Threshold {
                    kpi: *kpi,
                    good,
                    warning,
                }),
                _ => {
                    problem.set(Some(format!(
                        "{}: give both limits as numbers.",
                        kpi.label()
                    )));
                    return;
                }
            }
        }
        if let Some(p) = items.iter().find_map(Threshold::problem) {
            problem.set(Some(p));
            return;
        }
        problem.set(None);
        save.dispatch(SetDashboardThresholds { items });
    };
    view! {
        <details class="threshold-form">
            <summary>"Change the rating limits (administrators)"</summary>
            <form on:submit=on_submit novalidate>
                <table class="table table--dense">
                    <thead><tr><th scope="col">"Figure"</th><th scope="col">"On target at"</th><th scope="col">"Needs attention at"</th></tr></thead>
                    <tbody>
                        {fields.into_iter().map(|(kpi, good, warning)| view! {
                            <tr>
                                <th scope="row">{kpi.label()}{if kpi.higher_is_better() { " (higher is better)" } else { " (lower is better)" }}</th>
                                <td><input type="number" step="any" name=format!("{}-good", kpi.as_str()) aria-label=format!("{}: on target at", kpi.label()) prop:value=move || good.get() on:input=move |ev| good.set(event_target_value(&ev)) /></td>
                                <td><input type="number" step="any" name=format!("{}-warning", kpi.as_str()) aria-label=format!("{}: needs attention at", kpi.label()) prop:value=move || warning.get() on:input=move |ev| warning.set(event_target_value(&ev)) /></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {move || problem.get().map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
                {move || save.value().get().and_then(Result::err).map(|error| view! { <ErrorPanel error /> })}
                <button type="submit" class="button" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { "Saving…" } else { "Save the limits" }}
                </button>
            </form>
        </details>
    }
}
