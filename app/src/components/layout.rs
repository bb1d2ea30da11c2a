//! The application shell: header, navigation and the main content area.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

/// One entry of the main navigation. Modules that are not built yet are shown, so people see
/// what the product covers, but are not links.
struct NavItem {
    label: &'static str,
    href: &'static str,
    available: bool,
}

const NAV: &[NavItem] = &[
    NavItem {
        label: "Dashboard",
        href: "/",
        available: true,
    },
    NavItem {
        label: "Documents",
        href: "/documents",
        available: false,
    },
    NavItem {
        label: "Audits",
        href: "/audits",
        available: false,
    },
    NavItem {
        label: "PT/EQA",
        href: "/pt",
        available: false,
    },
    NavItem {
        label: "CAPA",
        href: "/capa",
        available: false,
    },
    NavItem {
        label: "Sites",
        href: "/sites",
        available: true,
    },
    NavItem {
        label: "Admin",
        href: "/admin",
        available: false,
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

/// The page frame: a skip link, the header with navigation, and the page itself.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let location = use_location();
    let (menu_open, set_menu_open) = signal(false);
    // Close the small-screen menu whenever the page changes.
    Effect::new(move |_| {
        location.pathname.track();
        set_menu_open.set(false);
    });

    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="app-header">
            <div class="app-header__inner">
                <A href="/" attr:class="brand">
                    <span class="brand__mark" aria-hidden="true">"A"</span>
                    <span class="brand__name">"Attest"</span>
                </A>
                <button
                    class="nav-toggle"
                    type="button"
                    aria-controls="main-nav"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| set_menu_open.update(|open| *open = !*open)
                >
                    "Menu"
                </button>
                <nav
                    id="main-nav"
                    class="main-nav"
                    class:main-nav--open=move || menu_open.get()
                    aria-label="Main"
                >
                    <ul>
                        {NAV
                            .iter()
                            .map(|item| {
                                if item.available {
                                    let href = item.href;
                                    view! {
                                        <li>
                                            <A
                                                href=href
                                                attr:aria-current=move || {
                                                    is_current(href, &location.pathname.get())
                                                        .then_some("page")
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
                                            <span
                                                class="main-nav__soon"
                                                aria-disabled="true"
                                                title="Not available yet"
                                            >
                                                {item.label}
                                            </span>
                                        </li>
                                    }
                                        .into_any()
                                }
                            })
                            .collect_view()}
                    </ul>
                </nav>
            </div>
        </header>
        <main id="main" class="app-main" tabindex="-1">
            {children()}
        </main>
        <footer class="app-footer">
            "Attest — quality management for migration health assessment centres"
        </footer>
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
