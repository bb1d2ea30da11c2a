//! The site register: every site grouped by region, narrowed as the user types.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::sites::list_sites;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::model::sites::{group_by_region, matches_filter, service_badge, SiteSummary};

/// The sites page. `?q=` pre-fills the filter; `?region=` starts with one region's sites.
#[component]
pub fn SitesPage() -> impl IntoView {
    let query = use_query_map();
    let initial =
        query.with_untracked(|q| q.get("q").or_else(|| q.get("region")).unwrap_or_default());
    let initial = StoredValue::new(initial);
    let sites = Resource::new(|| (), |_| list_sites());

    view! {
        <Title text="Sites" />
        <section class="page">
            <h1>"Sites"</h1>
            <Suspense fallback=|| view! { <Loading label="Loading sites…" /> }>
                {move || Suspend::new(async move {
                    match sites.await {
                        Ok(sites) => view! { <SiteFinder sites initial=initial.get_value() /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The filter and the list it narrows as the user types: the one part of the page that runs
/// in the browser.
#[island]
fn SiteFinder(sites: Vec<SiteSummary>, initial: String) -> impl IntoView {
    let (filter, set_filter) = signal(initial);
    view! {
        <div class="toolbar">
            <label class="field field--search">
                <span class="field__label">"Filter sites"</span>
                <input
                    type="search"
                    name="q"
                    placeholder="Code, name, city, country or region"
                    autocomplete="off"
                    prop:value=filter
                    on:input=move |ev| set_filter.set(event_target_value(&ev))
                />
            </label>
        </div>
        <SiteRegister sites filter />
    }
}

/// The grouped list, recomputed whenever the filter changes.
#[component]
fn SiteRegister(sites: Vec<SiteSummary>, filter: ReadSignal<String>) -> impl IntoView {
    let total = sites.len();
    let sites = StoredValue::new(sites);
    let visible = Memo::new(move |_| {
        let query = filter.get();
        sites.with_value(|all| {
            all.iter()
                .filter(|s| matches_filter(s, &query))
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    view! {
        <p class="result-count" role="status" aria-live="polite">
            {move || {
                let shown = visible.with(Vec::len);
                if shown == total {
                    format!("{total} sites")
                } else {
                    format!("{shown} of {total} sites")
                }
            }}
        </p>
        {move || {
            visible
                .with(|shown| {
                    if total == 0 {
                        return view! {
                            <EmptyState title="No sites yet".to_string()>
                                <p>
                                    "The network has no sites. An administrator adds them; for a demonstration, run "
                                    <code>"attest seed demo"</code>"."
                                </p>
                            </EmptyState>
                        }
                            .into_any();
                    }
                    if shown.is_empty() {
                        return view! {
                            <EmptyState title="No sites match".to_string()>
                                <p>"Try fewer letters, or a site code such as KEN-NBO."</p>
                            </EmptyState>
                        }
                            .into_any();
                    }
                    group_by_region(shown)
                        .into_iter()
                        .map(|group| {
                            let heading_id = format!("region-{}", group.region_code);
                            let labelled_by = heading_id.clone();
                            let count = group.sites.len();
                            view! {
                                <section class="region" aria-labelledby=labelled_by>
                                    <h2 id=heading_id class="region__title">
                                        {group.region_name.to_string()}
                                        <span class="count" data-testid="region-count">
                                            {count}
                                        </span>
                                    </h2>
                                    <ul class="site-list">
                                        {group
                                            .sites
                                            .into_iter()
                                            .map(|site| view! { <SiteRow site=site.clone() /> })
                                            .collect_view()}
                                    </ul>
                                </section>
                            }
                        })
                        .collect_view()
                        .into_any()
                })
        }}
    }
}

/// One site in the register.
#[component]
fn SiteRow(site: SiteSummary) -> impl IntoView {
    let href = format!("/sites/{}", site.code);
    let code = site.code.clone();
    view! {
        <li class="site-row" data-site=site.code>
            <a href=href class="site-row__link">
                <span class="site-row__code">{code}</span>
                <span class="site-row__name">{site.name.clone()}</span>
                <span class="site-row__place">{format!("{}, {}", site.city, site.country)}</span>
            </a>
            <ul class="badges" aria-label="Services">
                {site
                    .services
                    .iter()
                    .map(|s| view! { <li class="badge">{service_badge(s).to_string()}</li> })
                    .collect_view()}
            </ul>
        </li>
    }
}
