//! The application shell: header, navigation, the user menu, and the sign-in gate that every
//! page passes through.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect};
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

/// The parent of every page that needs a signed-in user: redirects whoever may not see the
/// page (see [`gate`]) with a `303` before anything of the page is sent. The server enforces
/// the same rules on every data call, so the page itself shows nothing but a "please sign in"
/// error if it were ever rendered for such a visitor.
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
    let path = use_location().pathname.get_untracked();
    let role = user.as_ref().map(|u| u.role);
    let signed_in = user.is_some();
    let items = NAV
        .iter()
        .filter(|item| item.roles.is_empty() || role.is_some_and(|r| item.roles.contains(&r)))
        .map(|item| {
            if item.available {
                view! {
                    <li>
                        <a href=item.href aria-current=is_current(item.href, &path).then_some("page")>
                            {item.label}
                        </a>
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
                <a href="/" class="brand">
                    <span class="brand__mark" aria-hidden="true">"A"</span>
                    <span class="brand__name">"Attest"</span>
                </a>
                {signed_in.then(|| view! { <MenuToggle /> })}
                {signed_in
                    .then(|| {
                        view! {
                            <nav id="main-nav" class="main-nav" aria-label="Main">
                                <ul>{items}</ul>
                            </nav>
                        }
                    })}
                {user.map(|user| view! { <UserMenu user /> })}
            </div>
        </header>
    }
}

/// The small-screen menu button: opens and closes the navigation beside it (every link loads
/// a new page, which starts with the menu closed).
#[island]
fn MenuToggle() -> impl IntoView {
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        let open = open.get();
        if let Some(nav) = document().get_element_by_id("main-nav") {
            let _ = nav.class_list().toggle_with_force("main-nav--open", open);
        }
    });
    view! {
        <button
            class="nav-toggle"
            type="button"
            aria-controls="main-nav"
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|open| *open = !*open)
        >
            "Menu"
        </button>
    }
}

/// The bell: a link to the notifications with the unread count, counted when the page is made.
#[component]
fn NotificationBell() -> impl IntoView {
    let count = Resource::new(|| (), |_| unread_notifications());
    view! {
        <Suspense fallback=|| view! { <Bell count=0 /> }>
            {move || Suspend::new(async move {
                let count = count.await.unwrap_or(0);
                view! { <Bell count /> }
            })}
        </Suspense>
    }
}

#[component]
fn Bell(count: i64) -> impl IntoView {
    let label = match count {
        0 => "Notifications, none unread".to_string(),
        1 => "Notifications, 1 unread".to_string(),
        n => format!("Notifications, {n} unread"),
    };
    view! {
        <a href="/notifications" class="bell" aria-label=label.clone() title=label data-testid="bell">
            <svg class="bell__icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
                <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2z" fill="currentColor"/>
            </svg>
            {(count > 0).then(|| view! {
                <span class="bell__count" data-testid="bell-count">{if count > 99 { "99+".to_string() } else { count.to_string() }}</span>
            })}
        </a>
    }
}

/// The signed-in user's name, a link to their account, and the sign-out button.
#[component]
fn UserMenu(user: CurrentUser) -> impl IntoView {
    let session = use_session();
    view! {
        <div class="user-menu">
            <NotificationBell />
            <a href="/account" class="user-menu__name" title=user.role.label()>
                <span data-testid="user-name">{user.name.clone()}</span>
                <span class="user-menu__role">{user.role.label()}</span>
            </a>
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
