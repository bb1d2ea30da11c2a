//! Attest's user interface: the Leptos application rendered on the server and hydrated in the
//! browser. Pages and components live here; server functions in `api` call the server through
//! the [`backend::Backend`] port so that this crate never depends on the database.

// Leptos views are deeply nested types; the hydrate build needs more room to lay them out.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod client;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
pub mod security;
pub mod session;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use components::layout::{Layout, RequireSignIn};
use pages::{
    account, admin, audits, capa, dashboard, documents, home::HomePage, login::LoginPage,
    not_found::NotFound, notifications, pt, sites, verify::VerifyPage,
};

/// The HTML document around the application, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_page_policy();
    let stylesheet = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <meta name="theme-color" content="#073f76" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/attest-192.png" />
                <link rel="stylesheet" href=stylesheet />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header, navigation and the routed pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    session::Session::provide();
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Attest".to_string() } else { format!("{page} · Attest") }
        } />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/verify") view=VerifyPage ssr=SsrMode::Async />
                    // Everything else needs a signed-in user.
                    <ParentRoute path=path!("") view=RequireSignIn ssr=SsrMode::Async>
                        <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                        <Route path=path!("dashboard") view=dashboard::NetworkDashboardPage ssr=SsrMode::Async />
                        <Route path=path!("dashboard/region/:code") view=dashboard::RegionDashboardPage ssr=SsrMode::Async />
                        <Route path=path!("dashboard/site/:code") view=dashboard::SiteDashboardPage ssr=SsrMode::Async />
                        <Route path=path!("sites") view=sites::SitesPage ssr=SsrMode::Async />
                        <Route path=path!("sites/:code") view=sites::SiteDetailPage ssr=SsrMode::Async />
                        <Route path=path!("documents") view=documents::DocumentsPage ssr=SsrMode::Async />
                        <Route path=path!("documents/new") view=documents::NewDocumentPage ssr=SsrMode::Async />
                        <Route path=path!("documents/:id") view=documents::DocumentPage ssr=SsrMode::Async />
                        <Route path=path!("documents/:id/diff") view=documents::DiffPage ssr=SsrMode::Async />
                        <Route path=path!("documents/:id/versions/:version_id") view=documents::VersionPage ssr=SsrMode::Async />
                        <Route path=path!("acknowledgements") view=documents::AcknowledgementsPage ssr=SsrMode::Async />
                        <Route path=path!("audits") view=audits::AuditsPage ssr=SsrMode::Async />
                        <Route path=path!("audits/new") view=audits::PlanAuditPage ssr=SsrMode::Async />
                        <Route path=path!("audits/templates") view=audits::TemplatesPage ssr=SsrMode::Async />
                        <Route path=path!("audits/patterns") view=audits::PatternsPage ssr=SsrMode::Async />
                        <Route path=path!("audits/:id") view=audits::AuditPage ssr=SsrMode::Async />
                        <Route path=path!("audits/:id/conduct") view=audits::ConductPage ssr=SsrMode::Async />
                        <Route path=path!("capas") view=capa::CapasPage ssr=SsrMode::Async />
                        <Route path=path!("capas/new") view=capa::NewCapaPage ssr=SsrMode::Async />
                        <Route path=path!("capas/settings") view=capa::CapaSettingsPage ssr=SsrMode::Async />
                        <Route path=path!("capas/:id") view=capa::CapaPage ssr=SsrMode::Async />
                        <Route path=path!("pt") view=pt::PtPage ssr=SsrMode::Async />
                        <Route path=path!("pt/radiology") view=pt::RadiologyQcPage ssr=SsrMode::Async />
                        <Route path=path!("pt/schemes/new") view=pt::NewSchemePage ssr=SsrMode::Async />
                        <Route path=path!("pt/schemes/:id") view=pt::EditSchemePage ssr=SsrMode::Async />
                        <Route path=path!("pt/events/new") view=pt::NewEventPage ssr=SsrMode::Async />
                        <Route path=path!("pt/events/:id") view=pt::PtEventPage ssr=SsrMode::Async />
                        <Route path=path!("pt/events/:id/enter") view=pt::EnterResultsPage ssr=SsrMode::Async />
                        <Route path=path!("pt/sites/:code") view=pt::PtSitePage ssr=SsrMode::Async />
                        <Route path=path!("account") view=account::AccountPage ssr=SsrMode::Async />
                        <Route path=path!("account/password") view=account::PasswordPage ssr=SsrMode::Async />
                        <Route path=path!("admin") view=admin::AdminPage ssr=SsrMode::Async />
                        <Route path=path!("admin/users") view=admin::UsersPage ssr=SsrMode::Async />
                        <Route path=path!("admin/users/:id") view=admin::UserPage ssr=SsrMode::Async />
                        <Route path=path!("admin/audit-trail") view=admin::TrailPage ssr=SsrMode::Async />
                        <Route path=path!("admin/jobs") view=admin::JobsPage ssr=SsrMode::Async />
                        <Route path=path!("notifications") view=notifications::NotificationsPage ssr=SsrMode::Async />
                    </ParentRoute>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Entry point of the WebAssembly client. Pages are server-rendered; only the islands (the
/// components marked `#[island]`) come to life here, hydrated by Leptos's island script right
/// after this returns. Server-function forms are taken over by one document listener.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    use leptos::prelude::{document, set_timeout};

    console_error_panic_hook::set_once();
    // Before any island: the conduct page's early-taps script steps aside from here on. The
    // island script hydrates the islands in this same task, so no tap falls in between.
    if let Some(body) = document().body() {
        let _ = body.set_attribute("data-client", "");
    }
    leptos::mount::hydrate_islands();
    client::forms::enhance();
    client::offline::start();
    // The island script hydrates the islands after this function, one microtask at a time; a
    // timeout runs after all of them. The browser tests wait for the mark, and it is a cheap
    // thing to check when a page seems dead in the field.
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
