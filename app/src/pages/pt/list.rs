//! The PT events (rounds) in my scope with filters and paging, and the schemes with their
//! participating sites.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{percent, EventStatusBadge};
use crate::api::pt::{list_pt_events, list_pt_schemes};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::auth::{Role, Scope};
use crate::model::pt::{EventQuery, EventStatus, EventSummary, Scheme};
use crate::pages::admin::{query_string, Pager};
use crate::session::Session;

const KEYS: [&str; 5] = ["scheme", "status", "site", "q", "page"];

#[component]
pub fn PtPage() -> impl IntoView {
    let params = use_query_map();
    let get = move |key: &str| params.with(|p| p.get(key).filter(|v| !v.is_empty()));
    let tab = move || get("tab").unwrap_or_else(|| "events".into());
    let query = move || EventQuery {
        scheme: get("scheme"),
        status: get("status"),
        site: get("site"),
        q: get("q"),
        page: get("page").and_then(|v| v.parse().ok()),
        per_page: None,
    };
    let events = Resource::new(query, list_pt_events);
    let schemes = Resource::new(|| (), |_| list_pt_schemes());
    let session = expect_context::<Session>();
    let user = move || session.user.get().and_then(Result::ok).flatten();
    let my_site = move || match user().map(|u| u.scope) {
        Some(Scope::Site(code)) => Some(code),
        _ => None,
    };
    // Admins and network quality officers manage schemes and events (the server decides).
    let manages = move || {
        user().is_some_and(|u| {
            u.role == Role::Admin || (u.role == Role::QualityOfficer && u.scope == Scope::Global)
        })
    };
    let link = move |changes: &[(&str, Option<String>)]| {
        let mut pairs: Vec<(&str, Option<String>)> = KEYS.iter().map(|k| (*k, get(k))).collect();
        for (key, value) in changes {
            if let Some(pair) = pairs.iter_mut().find(|(k, _)| k == key) {
                pair.1 = value.clone();
            }
        }
        format!("/pt{}", query_string(&pairs))
    };
    let created = move || get("created");
    view! {
        <Title text="PT/EQA" />
        <section class="page">
            <header class="page-header page-header--actions">
                <h1>"Proficiency testing and EQA"</h1>
                <div class="page-header__actions">
                    {move || manages().then(|| view! {
                        <A href="/pt/schemes/new" attr:class="button">"New scheme"</A>
                        <A href="/pt/events/new" attr:class="button button--primary">"New event"</A>
                    })}
                    {move || my_site().map(|code| view! {
                        <A href=format!("/pt/sites/{code}") attr:class="button">"My site's PT history"</A>
                    })}
                    {move || (user().map(|u| u.role) != Some(Role::Staff)).then(|| view! {
                        <A href="/pt/radiology" attr:class="button">"Radiology QC"</A>
                    })}
                </div>
            </header>
            {move || created().map(|code| view! { <p class="notice notice--ok" role="status">{format!("Scheme {code} created.")}</p> })}
            <nav class="tabs" aria-label="PT lists">
                <A href="/pt" attr:aria-current=move || (tab() == "events").then_some("page")>"Events"</A>
                <A href="/pt?tab=schemes" attr:aria-current=move || (tab() == "schemes").then_some("page")>"Schemes"</A>
            </nav>
            {move || get("updated").map(|code| view! { <p class="notice notice--ok" role="status">{format!("Scheme {code} saved.")}</p> })}
            <Show when=move || tab() == "events" fallback=move || view! { <SchemeList schemes manages=Signal::derive(manages) /> }>
                <Form method="GET" action="" attr:class="toolbar">
                    <label class="field">
                        <span class="field__label">"Search"</span>
                        <input type="search" name="q" placeholder="Scheme or round" value=move || get("q").unwrap_or_default() />
                    </label>
                    <label class="field">
                        <span class="field__label">"Status"</span>
                        <select name="status">
                            <option value="" selected={get("status").unwrap_or_default() == ""}>"Any"</option>
                            {EventStatus::ALL.iter().map(|s| view! { <option value=s.as_str() selected={get("status").unwrap_or_default() == s.as_str()}>{s.label()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label class="field">
                        <span class="field__label">"Site"</span>
                        <input type="text" name="site" placeholder="KEN-NBO" size="9" value=move || get("site").unwrap_or_default() />
                    </label>
                    <input type="hidden" name="scheme" value=move || get("scheme").unwrap_or_default() />
                    <button type="submit" class="button">"Filter"</button>
                </Form>
                <Transition fallback=|| view! { <Loading label="Loading PT events…" /> }>
                    {move || Suspend::new(async move {
                        match events.await {
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                            Ok(page) if page.items.is_empty() => view! {
                                <EmptyState title="No PT events match".to_string()>
                                    <p>"Nothing matches these filters; clear them to see every round of your schemes."</p>
                                </EmptyState>
                            }.into_any(),
                            Ok(page) => {
                                let pages = page.pages();
                                view! {
                                    <p class="result-count" role="status">{format!("{} events", page.total)}</p>
                                    <EventTable events=page.items />
                                    <Pager page=page.page pages href=move |n| link(&[("page", Some(n.to_string()))]) />
                                }.into_any()
                            }
                        }
                    })}
                </Transition>
            </Show>
        </section>
    }
}

#[component]
fn EventTable(events: Vec<EventSummary>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Scheme"</th>
                        <th scope="col">"Round"</th>
                        <th scope="col">"Deadline"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Samples"</th>
                        <th scope="col">"Sites entered"</th>
                        <th scope="col">"Unsatisfactory"</th>
                    </tr>
                </thead>
                <tbody>
                    {events.into_iter().map(|e| view! {
                        <tr>
                            <td>{e.scheme_name.clone()}<br /><span class="muted">{format!("{} · {}", e.scheme_code, e.discipline.label())}</span></td>
                            <td><A href=format!("/pt/events/{}", e.id)>{e.code.clone()}</A></td>
                            <td>{e.deadline.clone()}</td>
                            <td><EventStatusBadge status=e.status /></td>
                            <td>{e.challenges}</td>
                            <td>{format!("{} of {}", e.submitted, e.participants)}</td>
                            <td>
                                {match e.my_score {
                                    Some(score) => format!("My site: {}", percent(Some(score))),
                                    None if e.status == EventStatus::Scored => e.unsatisfactory.to_string(),
                                    None => "—".to_string(),
                                }}
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn SchemeList(
    schemes: Resource<Result<Vec<Scheme>, crate::error::AppError>>,
    manages: Signal<bool>,
) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <Loading label="Loading schemes…" /> }>
            {move || Suspend::new(async move {
                match schemes.await {
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState title="No schemes".to_string()>
                            <p>"None of your sites takes part in a PT scheme yet."</p>
                        </EmptyState>
                    }.into_any(),
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Scheme"</th>
                                        <th scope="col">"Provider"</th>
                                        <th scope="col">"Discipline"</th>
                                        <th scope="col">"Results"</th>
                                        <th scope="col">"Events / year"</th>
                                        <th scope="col">"Sites"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr>
                                            <td>
                                                <A href=format!("/pt?scheme={}", s.code)>{s.name.clone()}</A>
                                                <br /><span class="muted">{s.code.clone()}{(s.status != "active").then_some(" · retired")}</span>
                                                {move || manages.get().then(|| view! { <br /><A href=format!("/pt/schemes/{}", s.id)>{format!("Edit {}", s.code)}</A> })}
                                            </td>
                                            <td>{s.provider.clone()}</td>
                                            <td>{s.discipline.label()}</td>
                                            <td>{s.result_type.label()}</td>
                                            <td>{s.events_per_year}</td>
                                            <td>{format!("{} — {}", s.sites.len(), s.sites.iter().map(|x| x.code.as_str()).collect::<Vec<_>>().join(", "))}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
