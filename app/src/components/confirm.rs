//! A button for actions that cannot be undone: the first press asks, the second acts.

use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    /// The button's text (and accessible name).
    #[prop(into)]
    label: String,
    /// What the user is asked before acting.
    question: &'static str,
    /// The text of the button that acts.
    confirm: &'static str,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let (asking, set_asking) = signal(false);
    let short_label = label
        .split_whitespace()
        .next()
        .unwrap_or("Confirm")
        .to_string();
    view! {
        <Show
            when=move || asking.get()
            fallback=move || {
                let label = label.clone();
                let short = short_label.clone();
                view! {
                    <button type="button" class="button button--danger" aria-label=label on:click=move |_| set_asking.set(true)>
                        {short}
                    </button>
                }
            }
        >
            <span class="confirm" role="group" aria-label="Confirm">
                <span class="confirm__question">{question}</span>
                <button type="button" class="button button--danger" on:click=move |_| {
                    set_asking.set(false);
                    on_confirm.run(());
                }>{confirm}</button>
                <button type="button" class="button button--quiet" on:click=move |_| set_asking.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}
