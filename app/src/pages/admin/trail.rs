//! Browsing the audit trail: filter by entity, actor, site and dates; newest first; paginated.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{query_string, Pager};
use crate::api::admin::audit_trail;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::users::{TrailEntry, TrailQuery};

const FILTERS: [(&str, &str, &str); 6] = [
    ("entity_type", "Entity type", "user, site, …"),
    ("entity_id", "Entity id", ""),
    ("actor", "Actor email", "contains…"),
    ("site", "Site code", "KEN-NBO"),
    ("from", "From", ""),
    ("to", "To", ""),
];

#[component]
pub fn TrailPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        params.with(|p| {
            let text = |key: &str| p.get(key).filter(|v| !v.trim().is_empty());
            TrailQuery {
                entity_type: text("entity_type"),
                entity_id: text("entity_id"),
                actor: text("actor"),
                site: text("site"),
                from: text("from"),
                to: text("to"),
                page: p.get("page").and_then(|v| v.parse().ok()),
                per_page: None,
            }
        })
    };
    let entries = Resource::new(query, audit_trail);

    view! {
        <Title text="Audit trail" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/admin">"Administration"</A></nav>
            <h1>"Audit trail"</h1>
            <p class="muted">"Every change, newest first. Entries are chained by hash; run "<code>"attest audit-trail verify"</code>" to check the chain."</p>
            <Form method="GET" action="" attr:class="toolbar toolbar--wrap">
                {FILTERS.into_iter().map(|(name, label, placeholder)| {
                    let input_type = if name == "from" || name == "to" { "date" } else { "text" };
                    view! {
                        <label class="field">
                            <span class="field__label">{label}</span>
                            <input type=input_type name=name placeholder=placeholder value=move || params.read().get(name).unwrap_or_default() />
                        </label>
                    }
                }).collect_view()}
                <button type="submit" class="button">"Filter"</button>
                <A href="/admin/audit-trail" attr:class="button button--quiet">"Clear"</A>
            </Form>
            <Transition fallback=|| view! { <Loading label="Loading entries…" /> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(page) if page.items.is_empty() => view! {
                            <EmptyState title="No entries match".to_string()>
                                <p>"Widen the dates or clear a filter."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(page) => {
                            let q = query();
                            let href = move |n: i64| format!("/admin/audit-trail{}", query_string(&[
                                ("entity_type", q.entity_type.clone()),
                                ("entity_id", q.entity_id.clone()),
                                ("actor", q.actor.clone()),
                                ("site", q.site.clone()),
                                ("from", q.from.clone()),
                                ("to", q.to.clone()),
                                ("page", Some(n.to_string())),
                            ]));
                            let pages = page.pages();
                            view! {
                                <p class="result-count">{format!("{} entries", page.total)}</p>
                                <TrailTable entries=page.items />
                                <Pager page=page.page pages href />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TrailTable(entries: Vec<TrailEntry>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table table--dense">
                <thead>
                    <tr>
                        <th scope="col">"#"</th>
                        <th scope="col">"When (UTC)"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Action"</th>
                        <th scope="col">"Entity"</th>
                        <th scope="col">"Site"</th>
                        <th scope="col">"From"</th>
                        <th scope="col">"Change"</th>
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|entry| {
                        let has_change = entry.before_json.is_some() || entry.after_json.is_some();
                        view! {
                            <tr>
                                <td>{entry.id}</td>
                                <td><time datetime=entry.at.clone()>{entry.at.replace('T', " ").replace('Z', "")}</time></td>
                                <td>{entry.actor_email.clone().unwrap_or_else(|| "system".into())}</td>
                                <td><code>{entry.action.clone()}</code></td>
                                <td>{format!("{} {}", entry.entity_type, entry.entity_id)}</td>
                                <td>{entry.site_code.clone().unwrap_or_default()}</td>
                                <td>{entry.ip.clone().unwrap_or_default()}</td>
                                <td>
                                    {has_change.then(|| view! {
                                        <details>
                                            <summary>"Show"</summary>
                                            {entry.before_json.clone().map(|b| view! { <p class="muted">"Before"</p><pre>{b}</pre> })}
                                            {entry.after_json.clone().map(|a| view! { <p class="muted">"After"</p><pre>{a}</pre> })}
                                        </details>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
