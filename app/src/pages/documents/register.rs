//! The document register: search, filters, sortable columns and pages.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{ReviewDue, StatusBadge};
use crate::api::documents::list_documents;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::auth::Role;
use crate::model::documents::{Category, DocumentQuery, DocumentStatus, DocumentSummary};
use crate::pages::admin::{query_string, Pager};
use crate::session::Session;

const FILTERS: [&str; 5] = ["q", "category", "site", "status", "review"];

#[component]
pub fn DocumentsPage() -> impl IntoView {
    let params = use_query_map();
    let get = move |key: &str| params.with(|p| p.get(key).filter(|v| !v.is_empty()));
    let query = move || DocumentQuery {
        q: get("q"),
        category: get("category"),
        site: get("site"),
        status: get("status"),
        review: get("review"),
        sort: get("sort"),
        dir: get("dir"),
        page: get("page").and_then(|v| v.parse().ok()),
        per_page: None,
    };
    let documents = Resource::new(query, list_documents);
    let session = expect_context::<Session>();
    let can_create = move || {
        session
            .user
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| matches!(u.role, Role::Admin | Role::QualityOfficer | Role::SiteLead))
    };
    // Every link keeps the filters and changes only what it names.
    let link = move |changes: &[(&str, Option<String>)]| {
        let mut pairs: Vec<(&str, Option<String>)> = FILTERS
            .iter()
            .chain(["sort", "dir", "page"].iter())
            .map(|k| (*k, get(k)))
            .collect();
        for (key, value) in changes {
            if let Some(pair) = pairs.iter_mut().find(|(k, _)| k == key) {
                pair.1 = value.clone();
            }
        }
        format!("/documents{}", query_string(&pairs))
    };
    let select = move |key: &'static str| move || get(key).unwrap_or_default();

    view! {
        <Title text="Documents" />
        <section class="page">
            <header class="page-header page-header--actions">
                <h1>"Documents"</h1>
                <div class="page-header__actions">
                    <A href="/acknowledgements" attr:class="button">"SOPs to acknowledge"</A>
                    {move || can_create().then(|| view! { <A href="/documents/new" attr:class="button button--primary">"New document"</A> })}
                </div>
            </header>
            <Form method="GET" action="" attr:class="toolbar">
                <label class="field field--search">
                    <span class="field__label">"Search"</span>
                    <input type="search" name="q" placeholder="Code, title or text" value=select("q") />
                </label>
                <label class="field">
                    <span class="field__label">"Category"</span>
                    <select name="category">
                        <option value="" selected={get("category").unwrap_or_default() == ""}>"Any category"</option>
                        {Category::ALL.into_iter().map(|c| view! { <option value=c.as_str() selected={get("category").unwrap_or_default() == c.as_str()}>{c.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Site"</span>
                    <input type="text" name="site" placeholder="KEN-NBO or global" size="10" value=select("site") />
                </label>
                <label class="field">
                    <span class="field__label">"Status"</span>
                    <select name="status">
                        <option value="" selected={get("status").unwrap_or_default() == ""}>"Any status"</option>
                        {DocumentStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected={get("status").unwrap_or_default() == s.as_str()}>{s.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Review"</span>
                    <select name="review">
                        <option value="" selected={get("review").unwrap_or_default() == ""}>"Any"</option>
                        <option value="overdue" selected={get("review").unwrap_or_default() == "overdue"}>"Overdue"</option>
                        <option value="due_soon" selected={get("review").unwrap_or_default() == "due_soon"}>"Due within 30 days"</option>
                        <option value="on_time" selected={get("review").unwrap_or_default() == "on_time"}>"On time"</option>
                    </select>
                </label>
                <input type="hidden" name="sort" value=select("sort") />
                <input type="hidden" name="dir" value=select("dir") />
                <button type="submit" class="button">"Filter"</button>
                {move || FILTERS.iter().any(|k| get(k).is_some()).then(|| view! { <A href="/documents" attr:class="button button--quiet">"Clear"</A> })}
            </Form>
            <Transition fallback=|| view! { <Loading label="Loading documents…" /> }>
                {move || Suspend::new(async move {
                    match documents.await {
                        Ok(page) if page.items.is_empty() => view! {
                            <EmptyState title="No documents match".to_string()>
                                <p>"Clear the search or filters to see the whole register."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(page) => {
                            let pages = page.pages();
                            let sort = get("sort").unwrap_or_else(|| "code".into());
                            let descending = get("dir").as_deref() == Some("desc");
                            let header = move |key: &'static str, label: &'static str| {
                                let active = sort == key;
                                let next_dir = if active && !descending { "desc" } else { "asc" };
                                let aria = match (active, descending) {
                                    (false, _) => "none",
                                    (true, false) => "ascending",
                                    (true, true) => "descending",
                                };
                                let arrow = match (active, descending) {
                                    (false, _) => "",
                                    (true, false) => " ▲",
                                    (true, true) => " ▼",
                                };
                                let href = link(&[("sort", Some(key.into())), ("dir", Some(next_dir.into())), ("page", None)]);
                                view! { <th scope="col" aria-sort=aria><A href=href>{label}{arrow}</A></th> }
                            };
                            view! {
                                <p class="result-count">{format!("{} documents", page.total)}</p>
                                <div class="table-wrap">
                                    <table class="table">
                                        <thead>
                                            <tr>
                                                {header("code", "Code")}
                                                {header("title", "Title")}
                                                {header("category", "Category")}
                                                <th scope="col">"Scope"</th>
                                                {header("status", "Status")}
                                                {header("effective_date", "In force since")}
                                                {header("review_due", "Next review")}
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {page.items.into_iter().map(|doc| view! { <DocumentRow doc /> }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                <Pager page=page.page pages href=move |n| link(&[("page", Some(n.to_string()))]) />
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
fn DocumentRow(doc: DocumentSummary) -> impl IntoView {
    let scope = match (&doc.site_code, &doc.parent_code) {
        (Some(site), Some(parent)) => format!("{site} (variant of {parent})"),
        (Some(site), None) => site.clone(),
        _ => "Network".to_string(),
    };
    let version = doc
        .effective_version
        .map(|n| format!("v{n}"))
        .unwrap_or_default();
    view! {
        <tr>
            <td><A href=format!("/documents/{}", doc.id)>{doc.code.clone()}</A></td>
            <td>{doc.title.clone()}</td>
            <td>{doc.category.label()}</td>
            <td>{scope}</td>
            <td>
                <StatusBadge status=doc.status />
                {doc.revision.map(|state| view! { <span class="muted">{format!(" · revision {}", state.label().to_lowercase())}</span> })}
            </td>
            <td>{doc.effective_date.clone().map(|d| format!("{d} ({version})")).unwrap_or_else(|| "—".into())}</td>
            <td><ReviewDue days=doc.review_in_days due=doc.next_review_due.clone() /></td>
        </tr>
    }
}
