//! The signed-in user's own account: profile, password and personal API tokens.

mod password;
mod tokens;

pub use password::PasswordPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::Loading;
use crate::session::use_session;
use tokens::ApiTokens;

#[component]
pub fn AccountPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let changed = move || query.read().get("password").as_deref() == Some("changed");
    view! {
        <Title text="My account" />
        <section class="page">
            <h1>"My account"</h1>
            <Show when=changed>
                <p class="notice notice--ok" role="status">
                    "Your password has been changed. Your other sessions were signed out."
                </p>
            </Show>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    session.user.await.ok().flatten().map(|user| view! {
                        <section class="panel">
                            <h2>"Profile"</h2>
                            <dl class="facts">
                                <dt>"Name"</dt><dd>{user.name.clone()}</dd>
                                <dt>"Email"</dt><dd>{user.email.clone()}</dd>
                                <dt>"Role"</dt><dd>{user.role.label()}</dd>
                                <dt>"Scope"</dt><dd>{user.scope.label()}</dd>
                            </dl>
                            <p><A href="/account/password">"Change my password"</A></p>
                        </section>
                    })
                })}
            </Suspense>
            <ApiTokens />
        </section>
    }
}
