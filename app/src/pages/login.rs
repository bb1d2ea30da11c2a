//! The sign-in page (`/login`, inputs named `email` and `password`). It works as a plain form
//! before the WebAssembly client has loaded.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::components::feedback::Loading;
use crate::model::auth::LOGIN_FAILED;
use crate::pages::safe_next;
use crate::session::use_session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let next = move || safe_next(query.read().get("next").as_deref());
    // With the client running, the action's error; after a plain form post, `?failed=1`.
    let error = move || {
        let failed_form = query.read().get("failed").as_deref() == Some("1");
        session
            .login
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
            .or_else(|| failed_form.then(|| LOGIN_FAILED.to_string()))
    };

    view! {
        <Title text="Sign in" />
        <section class="page page--narrow">
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    if let Ok(Some(user)) = session.user.await {
                        return view! {
                            <h1>"You are signed in"</h1>
                            <p>
                                {format!("Signed in as {} ({}). ", user.name, user.email)}
                                <A href="/">"Go to the dashboard"</A>
                                "."
                            </p>
                        }
                            .into_any();
                    }
                    view! {
                        <h1>"Sign in to Attest"</h1>
                        <ActionForm action=session.login attr:class="form" attr:novalidate=true>
                            <input type="hidden" name="next" value=next />
                            <div class="field">
                                <label class="field__label" for="email">"Email"</label>
                                <input
                                    id="email"
                                    name="email"
                                    type="email"
                                    autocomplete="username"
                                    required
                                    autofocus
                                />
                            </div>
                            <div class="field">
                                <label class="field__label" for="password">"Password"</label>
                                <input
                                    id="password"
                                    name="password"
                                    type="password"
                                    autocomplete="current-password"
                                    required
                                />
                            </div>
                            {move || error().map(|message| view! {
                                <p class="form-error" role="alert">{message}</p>
                            })}
                            <button
                                type="submit"
                                class="button button--primary"
                                disabled=move || session.login.pending().get()
                            >
                                {move || if session.login.pending().get() { "Signing in…" } else { "Sign in" }}
                            </button>
                        </ActionForm>
                        <p class="muted">
                            "Forgotten your password? Ask your administrator to reset it."
                        </p>
                    }
                        .into_any()
                })}
            </Suspense>
        </section>
    }
}
