//! The audit register: a list (with the score trend of one site) or a month calendar.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{current_month, percent_text, AuditStateBadge, Stars};
use crate::api::audits::list_audits;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::audits::{
    add_months, month_grid, parse_month, AuditQuery, AuditState, AuditSummary,
};
use crate::model::auth::Role;
use crate::pages::admin::{query_string, Pager};
use crate::session::Session;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[component]
pub fn AuditsPage() -> impl IntoView {
    let params = use_query_map();
    let get = move |key: &str| params.with(|p| p.get(key).filter(|v| !v.is_empty()));
    let calendar = move || get("view").as_deref() == Some("calendar");
    let month = move || {
        get("month")
            .as_deref()
            .and_then(parse_month)
            .unwrap_or_else(current_month)
    };
    let query = move || {
        let mut query = AuditQuery {
            site: get("site"),
            region: get("region"),
            state: get("state"),
            failed_item: get("failed_item"),
            page: get("page").and_then(|v| v.parse().ok()),
            ..AuditQuery::default()
        };
        if calendar() {
            let (year, m) = month();
            let (next_year, next) = add_months((year, m), 1);
            query.from = Some(format!("{year:04}-{m:02}-01"));
            query.to = Some(format!("{next_year:04}-{next:02}-01"));
            query.per_page = Some(100);
            query.page = None;
        }
        query
    };
    let audits = Resource::new(query, list_audits);
    let session = expect_context::<Session>();
    let role = move || {
        session
            .user
            .get()
            .and_then(Result::ok)
            .flatten()
            .map(|u| u.role)
    };
    let link = move |changes: &[(&str, Option<String>)]| {
        let mut pairs: Vec<(&str, Option<String>)> = [
            "view",
            "month",
            "region",
            "site",
            "state",
            "failed_item",
            "page",
        ]
        .iter()
        .map(|k| (*k, get(k)))
        .collect();
        for (key, value) in changes {
            if let Some(pair) = pairs.iter_mut().find(|(k, _)| k == key) {
                pair.1 = value.clone();
            }
        }
        format!("/audits{}", query_string(&pairs))
    };

    view! {
        <Title text="Audits" />
        <section class="page">
            <header class="page-header page-header--actions">
                <h1>"Audits"</h1>
                <div class="page-header__actions">
                    {move || matches!(role(), Some(Role::QualityOfficer | Role::Admin | Role::RegionalManager)).then(|| view! {
                        <A href="/audits/patterns" attr:class="button">"Patterns"</A>
                    })}
                    {move || matches!(role(), Some(Role::QualityOfficer | Role::Admin)).then(|| view! {
                        <A href="/audits/templates" attr:class="button">"Checklist templates"</A>
                    })}
                    {move || (role() == Some(Role::QualityOfficer)).then(|| view! {
                        <A href="/audits/new" attr:class="button button--primary">"Plan an audit"</A>
                    })}
                </div>
            </header>
            <nav class="tabs" aria-label="View">
                <A href=move || link(&[("view", None), ("month", None), ("page", None)]) attr:aria-current=move || (!calendar()).then_some("page")>"List"</A>
                <A href=move || link(&[("view", Some("calendar".into())), ("page", None)]) attr:aria-current=move || calendar().then_some("page")>"Calendar"</A>
            </nav>
            {move || get("failed_item").map(|item| view! {
                <p class="notice notice--warning" role="status">
                    {format!("Audits where “{item}” was answered no or partial. ")}
                    <A href=move || link(&[("failed_item", None), ("page", None)])>"Show all audits"</A>
                </p>
            })}
            <Form method="GET" action="" attr:class="toolbar">
                <input type="hidden" name="failed_item" value=move || get("failed_item").unwrap_or_default() />
                <input type="hidden" name="view" value=move || get("view").unwrap_or_default() />
                <input type="hidden" name="month" value=move || get("month").unwrap_or_default() />
                <label class="field">
                    <span class="field__label">"Region"</span>
                    <input type="text" name="region" placeholder="EHA" size="6" value=move || get("region").unwrap_or_default() />
                </label>
                <label class="field">
                    <span class="field__label">"Site"</span>
                    <input type="text" name="site" placeholder="KEN-NBO" size="10" value=move || get("site").unwrap_or_default() />
                </label>
                <label class="field">
                    <span class="field__label">"State"</span>
                    <select name="state">
                        <option value="" selected={get("state").unwrap_or_default() == ""}>"Any state"</option>
                        {AuditState::ALL.iter().map(|s| view! { <option value=s.as_str() selected={get("state").unwrap_or_default() == s.as_str()}>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="button">"Filter"</button>
            </Form>
            <Transition fallback=|| view! { <Loading label="Loading audits…" /> }>
                {move || Suspend::new(async move {
                    match audits.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(page) if calendar() => {
                            let (year, m) = month();
                            let prev = add_months((year, m), -1);
                            let next = add_months((year, m), 1);
                            view! {
                                <div class="calendar-nav">
                                    <A href=link(&[("month", Some(format!("{:04}-{:02}", prev.0, prev.1)))])>"← Previous month"</A>
                                    <h2>{format!("{} {year}", MONTHS[m as usize - 1])}</h2>
                                    <A href=link(&[("month", Some(format!("{:04}-{:02}", next.0, next.1)))])>"Next month →"</A>
                                </div>
                                <MonthCalendar year month=m audits=page.items />
                            }.into_any()
                        }
                        Ok(page) if page.items.is_empty() => view! {
                            <EmptyState title="No audits match".to_string()>
                                <p>"Clear the filters, or plan an audit."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(page) => {
                            let pages = page.pages();
                            let trend = get("site").map(|_| page.items.clone());
                            view! {
                                {trend.map(|items| view! { <ScoreTrend audits=items /> })}
                                <p class="result-count">{format!("{} audits", page.total)}</p>
                                <AuditTable audits=page.items />
                                <Pager page=page.page pages href=move |n| link(&[("page", Some(n.to_string()))]) />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuditTable(audits: Vec<AuditSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Dates"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Checklist"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Lead auditor"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Score"</th>
                        <th scope="col">"Stars"</th>
                        <th scope="col">"Findings"</th>
                    </tr>
                </thead>
                <tbody>
                    {audits.into_iter().map(|a| view! {
                        <tr>
                            <td><A href=format!("/audits/{}", a.id)>{format!("{} – {}", a.planned_start, &a.planned_end[5..])}</A></td>
                            <td>{format!("{} ({})", a.site_name, a.site_code)}</td>
                            <td>{format!("{} v{}", a.template_code, a.template_version)}</td>
                            <td>{a.audit_type.label()}</td>
                            <td>{a.lead_auditor.name.clone()}</td>
                            <td><AuditStateBadge state=a.state /></td>
                            <td>{if a.percent.is_some() { percent_text(a.percent) } else { "—".into() }}</td>
                            <td><Stars stars=a.stars /></td>
                            <td>{a.open_findings}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The planned audits of a month, by start day (a table, so it reads in order without a mouse).
#[component]
fn MonthCalendar(year: i32, month: u32, audits: Vec<AuditSummary>) -> impl IntoView {
    let on = move |day: u32| {
        let date = format!("{year:04}-{month:02}-{day:02}");
        audits
            .iter()
            .filter(|a| a.planned_start == date)
            .cloned()
            .collect::<Vec<_>>()
    };
    view! {
        <div class="table-wrap">
            <table class="calendar">
                <thead>
                    <tr>
                        {["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].into_iter().map(|d| view! { <th scope="col">{d}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {month_grid(year, month).into_iter().map(|week| view! {
                        <tr>
                            {week.into_iter().map(|day| match day {
                                None => view! { <td class="calendar__blank"></td> }.into_any(),
                                Some(day) => {
                                    let planned = on(day);
                                    view! {
                                        <td>
                                            <span class="calendar__day">{day}</span>
                                            <ul class="calendar__audits">
                                                {planned.into_iter().map(|a| view! {
                                                    <li><A href=format!("/audits/{}", a.id) attr:class=format!("calendar__audit calendar__audit--{}", a.state.as_str())>
                                                        {format!("{} · {}", a.site_code, a.template_code)}
                                                    </A></li>
                                                }).collect_view()}
                                            </ul>
                                        </td>
                                    }.into_any()
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// The scores of one site's submitted audits over time, as a line with a table alternative.
#[component]
fn ScoreTrend(audits: Vec<AuditSummary>) -> impl IntoView {
    let mut points: Vec<(String, String, f64)> = audits
        .iter()
        .filter_map(|a| {
            a.percent
                .map(|p| (a.planned_start.clone(), a.template_code.clone(), p))
        })
        .collect();
    points.sort_by(|a, b| a.0.cmp(&b.0));
    if points.len() < 2 {
        return ().into_any();
    }
    let (width, height, pad) = (600.0, 160.0, 30.0);
    let step = (width - 2.0 * pad) / (points.len() - 1) as f64;
    let y = |p: f64| height - pad - (p / 100.0) * (height - 2.0 * pad);
    let line: String = points
        .iter()
        .enumerate()
        .map(|(i, (_, _, p))| format!("{:.1},{:.1}", pad + i as f64 * step, y(*p)))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <figure class="trend">
            <figcaption>"Audit scores over time (%)"</figcaption>
            <svg viewBox=format!("0 0 {width} {height}") role="img" aria-label="Line chart of audit scores; the table below has the figures">
                <line x1=pad y1=y(55.0) x2=width - pad y2=y(55.0) class="trend__band" />
                <text x="2" y=y(55.0) class="trend__label">"55"</text>
                <text x="2" y=y(100.0) class="trend__label">"100"</text>
                <text x="2" y=y(0.0) class="trend__label">"0"</text>
                <polyline points=line class="trend__line" />
                {points.iter().enumerate().map(|(i, (_, _, p))| view! {
                    <circle cx=pad + i as f64 * step cy=y(*p) r="4" class="trend__point" />
                }).collect_view()}
            </svg>
            <details>
                <summary>"Show as a table"</summary>
                <table class="table table--dense">
                    <thead><tr><th scope="col">"Date"</th><th scope="col">"Checklist"</th><th scope="col">"Score"</th></tr></thead>
                    <tbody>
                        {points.iter().map(|(date, code, p)| view! { <tr><td>{date.clone()}</td><td>{code.clone()}</td><td>{format!("{p:.2}%")}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </details>
        </figure>
    }
    .into_any()
}
