//! The CAPA lists: mine, or everything in my scope (site or region), with filters by state,
//! severity, source, overdue and age, sorting, paging and CSV export of the same selection.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{CapaStateBadge, DueCell};
use crate::api::capa::list_capas;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::audits::Severity;
use crate::model::auth::Role;
use crate::model::capa::{AgeBucket, CapaQuery, CapaSource, CapaState, CapaSummary};
use crate::pages::admin::{query_string, Pager};
use crate::session::Session;

const KEYS: [&str; 11] = [
    "mine", "site", "region", "state", "severity", "source", "overdue", "age", "q", "sort", "page",
];

#[component]
pub fn CapasPage() -> impl IntoView {
    let params = use_query_map();
    let get = move |key: &str| params.with(|p| p.get(key).filter(|v| !v.is_empty()));
    // Running CAPAs unless another state is asked for.
    let state = move || get("state").unwrap_or_else(|| "active".into());
    let query = move || CapaQuery {
        mine: get("mine").map(|v| v == "1"),
        site: get("site"),
        region: get("region"),
        state: Some(state()),
        severity: get("severity"),
        source: get("source"),
        overdue: get("overdue").map(|v| v == "yes"),
        age: get("age"),
        q: get("q"),
        sort: get("sort"),
        page: get("page").and_then(|v| v.parse().ok()),
        per_page: None,
    };
    let capas = Resource::new(query, list_capas);
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
        let mut pairs: Vec<(&str, Option<String>)> = KEYS.iter().map(|k| (*k, get(k))).collect();
        for (key, value) in changes {
            if let Some(pair) = pairs.iter_mut().find(|(k, _)| k == key) {
                pair.1 = value.clone();
            }
        }
        format!("/capas{}", query_string(&pairs))
    };
    let csv = move || {
        let pairs: Vec<(&str, Option<String>)> = KEYS
            .iter()
            .filter(|k| **k != "page")
            .map(|k| (*k, if *k == "state" { Some(state()) } else { get(k) }))
            .map(|(k, v)| match (k, v) {
                ("mine", Some(v)) => (k, Some((v == "1").to_string())),
                ("overdue", Some(v)) => (k, Some((v == "yes").to_string())),
                other => other,
            })
            .collect();
        format!("/api/v1/capas/export.csv{}", query_string(&pairs))
    };
    let mine = move || get("mine").as_deref() == Some("1");

    view! {
        <Title text="CAPA" />
        <section class="page">
            <header class="page-header page-header--actions">
                <h1>"Corrective and preventive actions"</h1>
                <div class="page-header__actions">
                    {move || (role() == Some(Role::Admin)).then(|| view! {
                        <A href="/capas/settings" attr:class="button">"Due-date settings"</A>
                    })}
                    <a href=csv class="button" download="capas.csv">"Export CSV"</a>
                    {move || matches!(role(), Some(Role::QualityOfficer | Role::RegionalManager | Role::SiteLead)).then(|| view! {
                        <A href="/capas/new" attr:class="button button--primary">"Raise a CAPA"</A>
                    })}
                </div>
            </header>
            <nav class="tabs" aria-label="Whose CAPAs">
                <A href=move || link(&[("mine", Some("1".into())), ("page", None)]) attr:aria-current=move || mine().then_some("page")>"My CAPAs"</A>
                <A href=move || link(&[("mine", None), ("page", None)]) attr:aria-current=move || (!mine()).then_some("page")>"All in my scope"</A>
            </nav>
            <Form method="GET" action="" attr:class="toolbar">
                <input type="hidden" name="mine" value=move || get("mine").unwrap_or_default() />
                <label class="field">
                    <span class="field__label">"Search"</span>
                    <input type="search" name="q" placeholder="Number or title" value=move || get("q").unwrap_or_default() />
                </label>
                <label class="field">
                    <span class="field__label">"Region"</span>
                    <input type="text" name="region" placeholder="EHA" size="5" value=move || get("region").unwrap_or_default() />
                </label>
                <label class="field">
                    <span class="field__label">"Site"</span>
                    <input type="text" name="site" placeholder="KEN-NBO" size="9" value=move || get("site").unwrap_or_default() />
                </label>
                <label class="field">
                    <span class="field__label">"State"</span>
                    <select name="state">
                        <option value="active" selected={state() == "active"}>"Running (not closed)"</option>
                        <option value="all" selected={state() == "all"}>"All"</option>
                        {CapaState::ALL.iter().map(|s| view! { <option value=s.as_str() selected={state() == s.as_str()}>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Severity"</span>
                    <select name="severity">
                        <option value="" selected={get("severity").unwrap_or_default() == ""}>"Any"</option>
                        {[Severity::Critical, Severity::Major, Severity::Minor].iter().map(|s| view! { <option value=s.as_str() selected={get("severity").unwrap_or_default() == s.as_str()}>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Source"</span>
                    <select name="source">
                        <option value="" selected={get("source").unwrap_or_default() == ""}>"Any"</option>
                        {CapaSource::ALL.iter().map(|s| view! { <option value=s.as_str() selected={get("source").unwrap_or_default() == s.as_str()}>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Overdue"</span>
                    <select name="overdue">
                        <option value="" selected={get("overdue").unwrap_or_default() == ""}>"Any"</option>
                        <option value="yes" selected={get("overdue").unwrap_or_default() == "yes"}>"Overdue"</option>
                        <option value="no" selected={get("overdue").unwrap_or_default() == "no"}>"Not overdue"</option>
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Age"</span>
                    <select name="age">
                        <option value="" selected={get("age").unwrap_or_default() == ""}>"Any"</option>
                        {AgeBucket::ALL.iter().map(|b| view! { <option value=b.as_str() selected={get("age").unwrap_or_default() == b.as_str()}>{b.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Sort"</span>
                    <select name="sort">
                        <option value="" selected={get("sort").unwrap_or_default() == ""}>"Due first"</option>
                        <option value="-due" selected={get("sort").unwrap_or_default() == "-due"}>"Due last"</option>
                        <option value="-opened" selected={get("sort").unwrap_or_default() == "-opened"}>"Newest"</option>
                        <option value="opened" selected={get("sort").unwrap_or_default() == "opened"}>"Oldest"</option>
                        <option value="severity" selected={get("sort").unwrap_or_default() == "severity"}>"Severity"</option>
                        <option value="state" selected={get("sort").unwrap_or_default() == "state"}>"State"</option>
                        <option value="-number" selected={get("sort").unwrap_or_default() == "-number"}>"Number"</option>
                    </select>
                </label>
                <button type="submit" class="button">"Filter"</button>
            </Form>
            <Transition fallback=|| view! { <Loading label="Loading CAPAs…" /> }>
                {move || Suspend::new(async move {
                    match capas.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(page) if page.items.is_empty() => view! {
                            <EmptyState title="No CAPAs match".to_string()>
                                <p>"Nothing matches these filters. Try “All” states, or clear the filters."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(page) => {
                            let pages = page.pages();
                            view! {
                                <p class="result-count" role="status">{format!("{} CAPAs", page.total)}</p>
                                <CapaTable capas=page.items />
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
fn CapaTable(capas: Vec<CapaSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Number"</th>
                        <th scope="col">"Title"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Age"</th>
                        <th scope="col">"Due"</th>
                    </tr>
                </thead>
                <tbody>
                    {capas.into_iter().map(|c| { let due = c.clone(); view! {
                        <tr class:row--overdue=c.overdue>
                            <td><A href=format!("/capas/{}", c.id)>{c.number.clone()}</A></td>
                            <td>{c.title.clone()}{(c.reopened > 0).then(|| view! { <br /><span class="muted">{format!("Reopened {}×", c.reopened)}</span> })}</td>
                            <td>{c.site_code.clone()}</td>
                            <td><span class=format!("severity severity--{}", c.severity.as_str())>{c.severity.label()}</span></td>
                            <td><CapaStateBadge state=c.state /></td>
                            <td>{c.owner.name.clone()}</td>
                            <td>{format!("{} d", c.age_days)}<br /><span class="muted">{c.age_bucket.label()}</span></td>
                            <td><DueCell capa=due /></td>
                        </tr>
                    }}).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
