//! The site dashboard: the site lead's to-do lists (CAPAs due soon and overdue, pending
//! acknowledgements, PT deadlines, the next audit) and the site's figures and histories.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::charts::{LineChart, Series};
use super::{Column, CsvLink, FigureCells, FigureHeaders, RatingLegend};
use crate::api::dashboard::load_site_dashboard;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::error::AppError;
use crate::model::dashboard::{
    audit_history_csv, capas_due_csv, pending_acks_csv, pt_deadlines_csv, pt_months_csv,
    SiteDashboard, CAPA_DUE_SOON_DAYS,
};

#[component]
pub fn SiteDashboardPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.with(|p| p.get("code"));
    let dashboard = Resource::new(code, |code| async move {
        match code {
            Some(code) => load_site_dashboard(code).await,
            None => Err(AppError::NotFound("No site given.".into())),
        }
    });
    view! {
        <section class="page page--wide">
            <Transition fallback=|| view! { <Loading label="Loading the site dashboard…" /> }>
                {move || Suspend::new(async move {
                    match dashboard.await {
                        Ok(d) => view! { <Site d /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="Site dashboard" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// "in 3 days", "today", "5 days overdue".
fn days_text(days: i64, past: &str) -> String {
    match days {
        0 => "today".into(),
        1 => "tomorrow".into(),
        d if d > 1 => format!("in {d} days"),
        -1 => format!("1 day {past}"),
        d => format!("{} days {past}", -d),
    }
}

#[component]
fn Site(d: SiteDashboard) -> impl IntoView {
    let code = d.code.clone();
    let audit_labels: Vec<String> = d.audit_history.iter().map(|a| a.date.clone()).collect();
    let audit_series = vec![Series {
        name: "Audit score (%)".into(),
        values: d.audit_history.iter().map(|a| Some(a.percent)).collect(),
    }];
    let months: Vec<String> = d.pt_months.iter().map(|m| m.month.clone()).collect();
    let pt_series = vec![Series {
        name: "PT satisfactory (%)".into(),
        values: d.pt_months.iter().map(|m| m.results.percent).collect(),
    }];
    let z_series = vec![Series {
        name: "Mean |z|".into(),
        values: d.pt_months.iter().map(|m| m.mean_abs_z).collect(),
    }];
    let no_sort = (Column::Name, false);
    let base = format!("/dashboard/site/{code}");
    view! {
        <Title text=format!("{} — site dashboard", d.code) />
        <nav class="breadcrumbs" aria-label="Breadcrumb"><A href=format!("/dashboard/region/{}", d.region)>{format!("Region {}", d.region)}</A></nav>
        <h1>{format!("{} {} — site dashboard", d.code, d.name)}</h1>
        <p class="lead">{format!("As of {} (site calendar); PT and radiology QC over {} to {}.", d.as_of, d.window.from, d.window.to)}</p>

        <div class="dashboard-grid">
            <section class="panel" aria-labelledby="capas-due">
                <h2 id="capas-due">{format!("CAPAs due within {CAPA_DUE_SOON_DAYS} days or overdue ({})", d.capas_due.total)}</h2>
                {if d.capas_due.items.is_empty() {
                    view! { <p class="muted">"Nothing due soon and nothing overdue."</p> }.into_any()
                } else {
                    view! {
                        <ul class="todo-list" data-testid="capas-due">
                            {d.capas_due.items.iter().map(|c| view! {
                                <li class=if c.days_left < 0 { "todo todo--overdue" } else { "todo" }>
                                    <A href=format!("/capas/{}", c.id)>{format!("{} {}", c.number, c.title)}</A>
                                    <span class="cell__note">
                                        {format!(" · {} · due {} ({})", c.severity, c.due_date, days_text(c.days_left, "overdue"))}
                                        {format!(" · {}", if c.mine { "yours".to_string() } else { c.owner.clone() })}
                                    </span>
                                    {(c.days_left < 0).then(|| view! { <span class="badge badge--bad">"✗ overdue"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                        {(d.capas_due.total > d.capas_due.items.len() as i64).then(|| view! {
                            <p><A href=format!("/capas?site={code}&overdue=true")>{format!("All {} in the CAPA register", d.capas_due.total)}</A></p>
                        })}
                        <CsvLink file=format!("site-{}-capas-due.csv", d.code) text=capas_due_csv(&d.capas_due.items) />
                    }.into_any()
                }}
            </section>

            <section class="panel" aria-labelledby="acks-pending">
                <h2 id="acks-pending">{format!("Acknowledgements pending ({})", d.acknowledgements_pending.total)}</h2>
                {if d.acknowledgements_pending.items.is_empty() {
                    view! { <p class="muted">"Everyone has acknowledged the current versions."</p> }.into_any()
                } else {
                    view! {
                        <ul class="todo-list" data-testid="acks-pending">
                            {d.acknowledgements_pending.items.iter().map(|a| view! {
                                <li class=if a.overdue { "todo todo--overdue" } else { "todo" }>
                                    <A href=format!("/documents/{}", a.document_id)>{format!("{} v{} {}", a.code, a.version, a.title)}</A>
                                    <span class="cell__note">{format!(" · {} · due {}", a.person, a.due_date)}</span>
                                    {a.overdue.then(|| view! { <span class="badge badge--bad">"✗ overdue"</span> })}
                                </li>
                            }).collect_view()}
                        </ul>
                        <CsvLink file=format!("site-{}-acknowledgements.csv", d.code) text=pending_acks_csv(&d.acknowledgements_pending.items) />
                    }.into_any()
                }}
            </section>

            <section class="panel" aria-labelledby="pt-deadlines">
                <h2 id="pt-deadlines">"PT deadlines"</h2>
                {if d.pt_deadlines.is_empty() {
                    view! { <p class="muted">"No open PT round for this site."</p> }.into_any()
                } else {
                    view! {
                        <ul class="todo-list" data-testid="pt-deadlines">
                            {d.pt_deadlines.iter().map(|p| {
                                let late = p.days_left < 0 && p.results_entered == 0;
                                view! {
                                    <li class=if late { "todo todo--overdue" } else { "todo" }>
                                        <A href=format!("/pt/events/{}", p.event_id)>{format!("{} {} — {}", p.scheme, p.round, p.scheme_name)}</A>
                                        <span class="cell__note">{format!(" · deadline {} ({}) · {}", p.deadline, days_text(p.days_left, "past"), if p.results_entered > 0 { format!("{} results entered", p.results_entered) } else { "no results yet".to_string() })}</span>
                                        {(p.results_entered > 0).then(|| view! { <span class="badge badge--ok">"✓ entered"</span> })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        <CsvLink file=format!("site-{}-pt-deadlines.csv", d.code) text=pt_deadlines_csv(&d.pt_deadlines) />
                    }.into_any()
                }}
            </section>

            <section class="panel" aria-labelledby="next-audit">
                <h2 id="next-audit">"Next audit"</h2>
                {match &d.next_audit {
                    Some(a) => view! {
                        <p>
                            <A href=format!("/audits/{}", a.id)>{format!("{} ({})", a.template, a.audit_type.replace('_', "-"))}</A>
                            <br />
                            {format!("{} to {} · lead auditor {}{}", a.planned_start, a.planned_end, a.lead_auditor, if a.state == "in_progress" { " · in progress" } else { "" })}
                        </p>
                    }.into_any(),
                    None => view! { <p class="muted">"No audit planned."</p> }.into_any(),
                }}
            </section>
        </div>

        <h2 id="site-figures">"Figures"</h2>
        <div class="table-wrap">
            <table class="table table--dense dashboard-table" aria-labelledby="site-figures">
                <thead><tr><th scope="col">"Site"</th><FigureHeaders current=no_sort base=base.clone() /></tr></thead>
                <tbody><tr><th scope="row">{d.code.clone()}</th><FigureCells figures=d.figures.clone() thresholds=d.thresholds.clone() /></tr></tbody>
            </table>
        </div>

        <h2>"Audit score history"</h2>
        {if d.audit_history.is_empty() {
            view! { <p class="muted">"No audit has been submitted yet."</p> }.into_any()
        } else {
            view! {
                <p class="table-tools"><CsvLink file=format!("site-{}-audit-history.csv", d.code) text=audit_history_csv(&d.audit_history) /></p>
                <LineChart
                    title="Audit scores".to_string()
                    x_label="Submitted".to_string()
                    y_label="Score (%)".to_string()
                    labels=audit_labels
                    series=audit_series
                    y_max=100.0
                    file=format!("site-{}-audit-scores.csv", d.code)
                />
            }.into_any()
        }}
        <h2>"PT over 24 months"</h2>
        <p class="table-tools"><CsvLink file=format!("site-{}-pt-months.csv", d.code) text=pt_months_csv(&d.pt_months) /></p>
        <LineChart
            title="PT results graded satisfactory".to_string()
            x_label="Month of the round's deadline".to_string()
            y_label="Satisfactory (%)".to_string()
            labels=months.clone()
            series=pt_series
            y_max=100.0
            file=format!("site-{}-pt-satisfactory.csv", d.code)
        />
        <LineChart
            title="PT z-score trend (mean |z| per month; above 2 is questionable)".to_string()
            x_label="Month of the round's deadline".to_string()
            y_label="Mean |z|".to_string()
            labels=months
            series=z_series
            y_max=3.0
            decimals=2
            file=format!("site-{}-z-scores.csv", d.code)
        />
        <p><A href=format!("/pt/sites/{}", d.code)>"The full PT history of this site"</A></p>
        <RatingLegend thresholds=d.thresholds.clone() />
    }
}

#[cfg(test)]
mod tests {
    use super::days_text;

    #[test]
    fn days_read_naturally() {
        assert_eq!(days_text(0, "overdue"), "today");
        assert_eq!(days_text(1, "overdue"), "tomorrow");
        assert_eq!(days_text(5, "overdue"), "in 5 days");
        assert_eq!(days_text(-1, "overdue"), "1 day overdue");
        assert_eq!(days_text(-12, "past"), "12 days past");
    }
}
