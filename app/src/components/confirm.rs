//! Actions that cannot be undone: the first press asks, the second acts.

use leptos::prelude::*;

/// Inside an island: a button whose second press runs `on_confirm`.
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
    let short_label = short(&label);
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

/// On a server-rendered page: a button that, once confirmed, posts a form to the server
/// function at `action` with the hidden `fields` (through the client's form handling, so a
/// refusal is shown in place).
#[island]
pub fn ConfirmForm(
    /// The server function's address (`SomeFn::PATH`).
    action: String,
    /// Name and value of each hidden field the server function takes.
    fields: Vec<(String, String)>,
    /// The button's text (and accessible name).
    label: String,
    /// What the user is asked before acting.
    question: String,
    /// The text of the button that acts.
    confirm: String,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let short_label = short(&label);
    view! {
        <span class="confirm-form">
            <button
                type="button"
                class="button button--danger"
                aria-label=label
                hidden=move || asking.get()
                on:click=move |_| asking.set(true)
            >
                {short_label}
            </button>
            <form method="post" action=action class="confirm" role="group" aria-label="Confirm" hidden=move || !asking.get()>
                {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value /> }).collect_view()}
                <span class="confirm__question">{question}</span>
                <button type="submit" class="button button--danger">{confirm}</button>
                <button type="button" class="button button--quiet" on:click=move |_| asking.set(false)>"Cancel"</button>
            </form>
        </span>
    }
}

/// The first word of a label, for a narrow button ("Revoke LIMS export" → "Revoke").
fn short(label: &str) -> String {
    label
        .split_whitespace()
        .next()
        .unwrap_or("Confirm")
        .to_string()
}
