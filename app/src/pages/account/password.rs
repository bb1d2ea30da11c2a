//! Changing one's own password (required after an administrator reset it).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::account::ChangePassword;
use crate::components::forms::FieldError;
use crate::model::auth::MIN_PASSWORD_LENGTH;
use crate::session::use_session;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let session = use_session();
    let action = ServerAction::<ChangePassword>::new();
    let result = action.value();
    let error = crate::components::forms::rejected(action);
    let must_change = move || {
        session
            .user
            .get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| u.must_change_password)
    };

    view! {
        <Title text="Change password" />
        <section class="page page--narrow">
            <h1>"Change password"</h1>
            <Show when=must_change>
                <p class="notice" role="status">
                    "Your password was reset by an administrator. Choose a new one to continue."
                </p>
            </Show>
            <Show
                when=move || matches!(result.get(), Some(Ok(_)))
                fallback=move || view! {
                    <ActionForm action attr:class="form">
                        <div class="field">
                            <label class="field__label" for="current_password">"Current password"</label>
                            <input id="current_password" name="current_password" type="password" autocomplete="current-password" required />
                            <FieldError error name="current_password" />
                        </div>
                        <div class="field">
                            <label class="field__label" for="new_password">"New password"</label>
                            <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength=MIN_PASSWORD_LENGTH aria-describedby="new-password-hint" />
                            <p id="new-password-hint" class="field__hint">
                                {format!("At least {MIN_PASSWORD_LENGTH} characters. A phrase of a few words works well.")}
                            </p>
                            <FieldError error name="new_password" />
                        </div>
                        <button type="submit" class="button button--primary" disabled=move || action.pending().get()>
                            "Change password"
                        </button>
                    </ActionForm>
                }
            >
                <p class="notice notice--ok" role="status">
                    "Your password has been changed. Your other sessions were signed out."
                </p>
                <p><A href="/">"Continue to the dashboard"</A></p>
            </Show>
        </section>
    }
}
