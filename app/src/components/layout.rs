//! The application shell: header, navigation, the user menu, and the sign-in gate that every
//! page passes through.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

use crate::api::notifications::unread_notifications;
use crate::components::feedback::ErrorPanel;
use crate::model::auth::{CurrentUser, Role};
use crate::pages::{gate, Gate};
use crate::session::use_session;

/// One entry of the main navigation. Modules that are not built yet are shown, so people see
/// what the product covers, but are not links.
struct NavItem {
    label: &'static str,
    href: &'static str,
    available: bool,
    /// Roles that see the entry; empty for everyone.
    roles: &'static [Role],
}

const NAV: &[NavItem] = &[
    NavItem {
        label: "Dashboard",
        href: "/",
        available: true,
        roles: &[],
    },
    NavItem {
        label: "Documents",
        href: "/documents",
        available: true,
        roles: &[],
    },
    NavItem {
        label: "Audits",
        href: "/audits",
        available: true,
        roles: &[
            Role::Admin,
            Role::QualityOfficer,
            Role::RegionalManager,
            Role::SiteLead,
        ],
    },
    NavItem {
        label: "PT/EQA",
        href: "/pt",
        available: true,
        roles: &[
            Role::Admin,
            Role::QualityOfficer,
            Role::RegionalManager,
            Role::SiteLead,
        ],
    },
    NavItem {
        label: "CAPA",
        href: "/capas",
        available: true,
        roles: &[
            Role::Admin,
            Role::QualityOfficer,
            Role::RegionalManager,
            Role::SiteLead,
        ],
    },
    NavItem {
        label: "Sites",
        href: "/sites",
        available: true,
        roles: &[],
    },
    NavItem {
        label: "Admin",
        href: "/admin",
        available: true,
        roles: &[Role::Admin],
    },
];

/// Whether the current path belongs to a navigation entry (the dashboard only at `/`).
fn is_current(href: &str, path: &str) -> bool {
    if href == "/" {
        path == "/"
    } else {
        path == href || path.starts_with(&format!("{href}/"))
    }
}

/// The page frame: a skip link, the header with navigation and user menu, and the page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let session = use_session();
    keep_pages_for_offline_use();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Transition fallback=|| view! { <Header user=None /> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                view! { <Header user /> }
            })}
        </Transition>
        <main id="main" class="app-main" tabindex="-1">
            {children()}
        </main>
        <footer class="app-footer">
            "Attest — quality management for migration health assessment centres"
        </footer>
    }
}

/// Pages reached by the app's own navigation never pass the service worker as documents: ask it
/// to keep each one, so the pages a user opened recently reopen without a connection.
fn keep_pages_for_offline_use() {
    #[cfg(feature = "hydrate")]
    {
        let location = use_location();
        Effect::new(move |previous: Option<()>| {
            let path = location.pathname.get();
            let search = location.search.get();
            // The first page came as a document: the worker kept it already.
            if previous.is_some() {
                let query = search.trim_start_matches('?');
                let url = if query.is_empty() {
                    path
                } else {
                    format!("{path}?{query}")
                };
                crate::client::offline::keep_page(&url);
            }
        });
    }
}

/// The parent of every page that needs a signed-in user: redirects whoever may not see the
/// page (see [`gate`]). The page itself (the `Outlet`) stays outside the reactive gate so that
/// refreshing the session (after a password change, say) does not rebuild the page and lose
/// its state. The server enforces the same rules on every data call, so a page rendered for a
/// moment before a redirect shows nothing but a "please sign in" error.
#[component]
pub fn RequireSignIn() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(user) => match gate(user.as_ref(), &location.pathname.get()) {
                        Gate::Show => ().into_any(),
                        Gate::Redirect(path) => view! { <Redirect path /> }.into_any(),
                    },
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
        <Outlet />
    }
}

/// The header: brand, navigation for the user's role, and the user menu.
#[component]
fn Header(user: Option<CurrentUser>) -> impl IntoView {
    let location = use_location();
    let (menu_open, set_menu_open) = signal(false);
    // Close the small-screen menu whenever the page changes.
    Effect::new(move |_| {
        location.pathname.track();
        set_menu_open.set(false);
    });
    let role = user.as_ref().map(|u| u.role);
    let signed_in = user.is_some();
    let items = NAV
        .iter()
        .filter(|item| item.roles.is_empty() || role.is_some_and(|r| item.roles.contains(&r)))
        .map(|item| {
            if item.available {
                let href = item.href;
                view! {
                    <li>
                        <A
                            href=href
                            attr:aria-current=move || {
                                is_current(href, &location.pathname.get()).then_some("page")
                            }
                        >
                            {item.label}
                        </A>
                    </li>
                }
                .into_any()
            } else {
                view! {
                    <li>
                        <span class="main-nav__soon" aria-disabled="true" title="Not available yet">
                            {item.label}
                        </span>
                    </li>
                }
                .into_any()
            }
        })
        .collect_view();

    view! {
        <header class="app-header">
            <div class="app-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">"A"</span>
                    <span class="brand__name">"Attest"</span>
                </A>
                <Show when=move || signed_in>
                    <button
                        class="nav-toggle"
                        type="button"
                        aria-controls="main-nav"
                        aria-expanded=move || menu_open.get().to_string()
                        on:click=move |_| set_menu_open.update(|open| *open = !*open)
                    >
                        "Menu"
                    </button>
                </Show>
                {signed_in
                    .then(|| {
                        view! {
                            <nav
                                id="main-nav"
                                class="main-nav"
                                class:main-nav--open=move || menu_open.get()
                                aria-label="Main"
                            >
                                <ul>{items}</ul>
                            </nav>
                        }
                    })}
                {user.map(|user| view! { <UserMenu user /> })}
            </div>
        </header>
    }
}

/// The bell: a link to the notifications with the unread count.
///
/// The count is fetched by the browser after hydration (and again on every page change and
/// after the user reads notifications), never rendered by the server: a resource inside the
/// header's suspense hydrated unreliably, and the count is not worth a mismatch. Before the
/// client loads, the bell is a plain link.
#[component]
fn NotificationBell() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let (count, set_count) = signal(0_i64);
    Effect::new(move |_| {
        location.pathname.track();
        session.notifications_changed.track();
        leptos::task::spawn_local(async move {
            if let Ok(unread) = unread_notifications().await {
                set_count.set(unread);
            }
        });
    });
    let label = move || match count.get() {
        0 => "Notifications, none unread".to_string(),
        1 => "Notifications, 1 unread".to_string(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <A href="/notifications" attr:class="bell" attr:aria-label=label attr:title=label attr:data-testid="bell">
            <svg class="bell__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" fill="currentColor"/>
            </svg>
            {move || {
                let n = count.get();
                (n > 0).then(|| view! {
                    <span class="bell__count" data-testid="bell-count">{if n > 99 { "99+".to_string() } else { n.to_string() }}</span>
                })
            }}
        </A>
    }
}

/// The signed-in user's name, a link to their account, and the sign-out button.
#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let session = use_session();
    view! {
        <div class="user-menu">
            <NotificationBell />
            <A href="/account" attr:class="user-menu__name" attr:title=user.role.label()>
                <span data-testid="user-name">{user.name.clone()}</span>
                <span class="user-menu__role">{user.role.label()}</span>
            </A>
            <ActionForm action=session.logout attr:class="user-menu__logout">
                <button type="submit" class="button button--quiet">"Sign out"</button>
            </ActionForm>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn dashboard_is_current_only_at_the_root() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/sites"));
    }

    #[test]
    fn a_section_is_current_on_its_sub_pages_but_not_on_lookalikes() {
        assert!(is_current("/sites", "/sites"));
        assert!(is_current("/sites", "/sites/KEN-NBO"));
        assert!(!is_current("/sites", "/sitesmap"));
    }
}
