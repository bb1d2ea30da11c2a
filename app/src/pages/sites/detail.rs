//! One site: where it is, what it does, which tests it runs and which programmes it serves.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::sites::get_site;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::error::AppError;
use crate::model::sites::{lab_test_label, programme_label, service_label, Site};
use crate::pages::set_status;

/// The page at `/sites/{code}`; answers 404 for an unknown code.
#[component]
pub fn SiteDetailPage() -> impl IntoView {
    let params = use_params_map();
    let site = Resource::new(
        move || params.read().get("code").unwrap_or_default(),
        get_site,
    );
    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb">
                <A href="/sites">"Sites"</A>
            </nav>
            <Suspense fallback=|| view! { <Loading label="Loading site…" /> }>
                {move || Suspend::new(async move {
                    match site.await {
                        Ok(site) => view! { <SiteDetail site /> }.into_any(),
                        Err(error) => {
                            set_status(error.status());
                            let title = match &error {
                                AppError::NotFound(_) => "Site not found",
                                _ => "Site",
                            };
                            view! {
                                <Title text=title />
                                <ErrorPanel error />
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A labelled list, or a note that it is empty.
#[component]
fn LabelList(items: Vec<String>, empty: &'static str) -> impl IntoView {
    if items.is_empty() {
        return view! { <p class="muted">{empty}</p> }.into_any();
    }
    view! {
        <ul class="tag-list">
            {items.into_iter().map(|item| view! { <li>{item}</li> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn SiteDetail(site: Site) -> impl IntoView {
    let services = site
        .services
        .iter()
        .map(|s| service_label(s).to_string())
        .collect();
    let tests = site
        .lab_tests
        .iter()
        .map(|t| lab_test_label(t).to_string())
        .collect();
    let programmes = site
        .programmes
        .iter()
        .map(|p| format!("{} ({p})", programme_label(p)))
        .collect();
    view! {
        <Title text=format!("{} ({})", site.name, site.code) />
        <header class="page-header">
            <p class="eyebrow">{site.code.clone()}</p>
            <h1>{site.name.clone()}</h1>
            <p class="lead">{format!("{}, {} · {}", site.city, site.country, site.region_name)}</p>
            <p><A href=format!("/audits?site={}", site.code)>"Audit history and score trend"</A>" · "<A href=format!("/documents?site={}", site.code)>"Site SOP variants"</A></p>
        </header>
        <div class="detail-grid">
            <section class="panel">
                <h2>"Location"</h2>
                <dl class="facts">
                    <dt>"City"</dt>
                    <dd>{site.city.clone()}</dd>
                    <dt>"Country"</dt>
                    <dd>{format!("{} ({})", site.country, site.country_code)}</dd>
                    <dt>"Region"</dt>
                    <dd>{format!("{} ({})", site.region_name, site.region_code)}</dd>
                    <dt>"Time zone"</dt>
                    <dd>{site.timezone.clone()}</dd>
                </dl>
            </section>
            <section class="panel">
                <h2>"Services"</h2>
                <LabelList items=services empty="No services recorded." />
            </section>
            <section class="panel">
                <h2>"Laboratory tests"</h2>
                <LabelList items=tests empty="This site runs no laboratory tests." />
            </section>
            <section class="panel">
                <h2>"Receiving-country programmes"</h2>
                <LabelList items=programmes empty="No programmes recorded." />
            </section>
        </div>
    }
}
