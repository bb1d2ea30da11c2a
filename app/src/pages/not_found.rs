//! The page for addresses that lead nowhere.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Answers with status 404 and offers a way back.
#[component]
pub fn NotFound() -> impl IntoView {
    super::set_status(404);
    view! {
        <Title text="Page not found" />
        <section class="page page--narrow">
            <h1>"Page not found"</h1>
            <p>"There is no page at this address. It may have moved, or the link may be mistyped."</p>
            <p>
                <A href="/">"Go to the dashboard"</A>
                " or "
                <A href="/sites">"browse the sites"</A>
                "."
            </p>
        </section>
    }
}
