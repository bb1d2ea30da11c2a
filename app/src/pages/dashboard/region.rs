//! The regional dashboard: one row per site, sortable, drilling down to the site; CAPA ageing
//! per site; the region's monthly compliance reports.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::charts::{Bar, StackedBars};
use super::{
    sort_of, sort_rows, Column, CsvLink, FigureCells, FigureHeaders, RatingLegend, SiteLink,
    SortHeader,
};
use crate::api::dashboard::load_regional_dashboard;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::error::AppError;
use crate::model::dashboard::{one_decimal, sites_csv, RegionalDashboard};

#[component]
pub fn RegionDashboardPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let code = move || params.with(|p| p.get("code"));
    let dashboard = Resource::new(code, |code| async move {
        match code {
            Some(code) => load_regional_dashboard(code).await,
            None => Err(AppError::NotFound("No region given.".into())),
        }
    });
    let sort = Memo::new(move |_| query.with(|q| sort_of(q.get("sort"), q.get("dir"))));
    view! {
        <section class="page page--wide">
            <Transition fallback=|| view! { <Loading label="Loading the regional dashboard…" /> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Ok(d) => view! { <Region d sort /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Regional dashboard" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Region(d: RegionalDashboard, sort: Memo<(Column, bool)>) -> impl IntoView {
    let base = format!("/dashboard/region/{}", d.code);
    let csv_text = sites_csv(&d);
    let bars: Vec<Bar> = d
        .sites
        .iter()
        .map(|s| Bar {
            label: s.code.clone(),
            counts: vec![
                s.figures.capas.up_to_30,
                s.figures.capas.up_to_60,
                s.figures.capas.up_to_90,
                s.figures.capas.over_90,
            ],
        })
        .collect();
    let t = d.total.clone();
    let code = d.code.clone();
    let thresholds = d.thresholds.clone();
    let sites = d.sites.clone();
    let rows = move || {
        let (column, descending) = sort.get();
        let mut rows = sites.clone();
        sort_rows(&mut rows, column, descending, |r| &r.name, |r| &r.figures);
        rows.into_iter()
            .map(|s| {
                view! {
                    <tr data-site=s.code.clone()>
                        <th scope="row"><SiteLink code=s.code.clone() name=s.name.clone() /><br /><span class="cell__note">{s.country.clone()}</span></th>
                        <FigureCells figures=s.figures.clone() thresholds=thresholds.clone() />
                    </tr>
                }
            })
            .collect_view()
    };
    let base_for_headers = base.clone();
    view! {
        <Title text=format!("{} — regional dashboard", d.name) />
        <h1>{format!("{} — regional dashboard", d.name)}</h1>
        <p class="lead">
            {format!("{} sites. Figures as of {}; PT and radiology QC over {} to {}.", d.sites.len(), d.as_of, d.window.from, d.window.to)}
        </p>
        <ul class="kpis" aria-label="Region totals">
            <li class="kpi"><span class="kpi__value">{t.audit.as_ref().map(|a| format!("{:.1}%", a.percent)).unwrap_or_else(|| "—".into())}</span><span class="kpi__label">"Mean latest audit score"</span></li>
            <li class="kpi"><span class="kpi__value">{t.capas.open}</span><span class="kpi__label">"Open CAPAs"</span></li>
            <li class="kpi"><span class="kpi__value">{t.capas.overdue}</span><span class="kpi__label">"Overdue CAPAs"</span></li>
            <li class="kpi"><span class="kpi__value">{format!("{}%", one_decimal(t.sop_review.percent))}</span><span class="kpi__label">"SOP review compliance"</span></li>
            <li class="kpi"><span class="kpi__value">{format!("{}%", one_decimal(t.pt.results.percent))}</span><span class="kpi__label">"PT satisfactory (12 months)"</span></li>
        </ul>
        <h2 id="sites-heading">"Sites"</h2>
        {if d.sites.is_empty() {
            view! { <EmptyState title="No active sites in this region".to_string()><p>"Sites appear here once an administrator adds them."</p></EmptyState> }.into_any()
        } else {
            view! {
                <p class="table-tools">
                    <span class="muted">"Select a column heading to sort; select a site to open its dashboard."</span>
                    " "
                    <CsvLink file=format!("region-{code}-sites.csv") text=csv_text />
                </p>
                <div class="table-wrap">
                    <table class="table table--dense dashboard-table" aria-labelledby="sites-heading" data-testid="region-sites">
                        <thead>
                            <tr>
                                {move || view! {
                                    <SortHeader column=Column::Name current=sort.get() base=base_for_headers.clone() />
                                    <FigureHeaders current=sort.get() base=base_for_headers.clone() />
                                }}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any()
        }}
        <StackedBars
            title="Open CAPAs by age, per site".to_string()
            x_label="Open CAPAs (days since opening)".to_string()
            segments=vec!["0–30 days".to_string(), "31–60 days".to_string(), "61–90 days".to_string(), "> 90 days".to_string()]
            bars
            file=format!("region-{}-capa-ageing.csv", d.code)
        />
        <h2>"Monthly compliance reports"</h2>
        <ul class="report-list">
            {d.reports.iter().map(|r| view! {
                <li>
                    <a href=format!("/api/v1/regions/{}/monthly-reports/{}", d.code, r.period)>{format!("{} report", r.period)}</a>
                    " "
                    <span class=if r.issued { "status status--effective" } else { "status status--draft" }>{if r.issued { "issued and signed" } else { "draft preview" }}</span>
                </li>
            }).collect_view()}
        </ul>
        <RatingLegend thresholds=d.thresholds.clone() />
    }
}
