//! Personal API tokens: create (the secret is shown once), list, revoke.

use leptos::prelude::*;

use crate::api::account::{list_tokens, CreateToken, RevokeToken};
use crate::components::confirm::ConfirmButton;
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::model::users::ApiToken;

/// The panel as the server renders it: the tokens now, handed to the island that manages them.
#[component]
pub fn ApiTokens() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| list_tokens());
    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"API tokens"</h2>
            <p class="muted">
                "For other systems that call the Attest API on your behalf. Send a token as "
                <code>"Authorization: Bearer …"</code>"; it has your permissions."
            </p>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(tokens) => view! { <TokensManager tokens /> }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Creating and revoking tokens, in place: a new token's secret exists only in the answer to
/// its creation, so this part of the page runs in the browser.
#[island]
fn TokensManager(tokens: Vec<ApiToken>) -> impl IntoView {
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let list = RwSignal::new(tokens);
    // After each change, the list as the server now has it.
    Effect::new(move |_| {
        let changes = create.version().get() + revoke.version().get();
        if changes > 0 {
            leptos::task::spawn_local(async move {
                if let Ok(fresh) = list_tokens().await {
                    list.set(fresh);
                }
            });
        }
    });
    let create_error = Signal::derive(move || create.value().get().and_then(Result::err));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));

    view! {
        <ActionForm action=create attr:class="form form--inline">
            <div class="field">
                <label class="field__label" for="token-name">"Token name"</label>
                <input id="token-name" name="name" type="text" placeholder="e.g. LIMS export" required maxlength="100" />
                <FieldError error=create_error name="name" />
            </div>
            <button type="submit" class="button" disabled=move || create.pending().get()>"Create token"</button>
        </ActionForm>
        {move || create.value().get().and_then(Result::ok).map(|created| view! {
            <div class="notice notice--ok" role="status">
                <p>"Copy this token now: it will not be shown again."</p>
                <code class="secret" data-testid="new-token">{created.token}</code>
            </div>
        })}
        <FormError error=revoke_error />
        {move || {
            let list = list.get();
            if list.is_empty() {
                view! {
                    <EmptyState title="No API tokens".to_string()>
                        <p>"Create one when another system needs to call the API."</p>
                    </EmptyState>
                }.into_any()
            } else {
                view! { <TokenTable list revoke /> }.into_any()
            }
        }}
    }
}

#[component]
fn TokenTable(list: Vec<ApiToken>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Starts with"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {list.into_iter().map(|token| {
                        let id = token.id;
                        let live = token.revoked_at.is_none();
                        let label = format!("Revoke {}", token.name);
                        view! {
                            <tr>
                                <td>{token.name.clone()}</td>
                                <td><code>{format!("{}…", token.prefix)}</code></td>
                                <td>{token.created_at.clone()}</td>
                                <td>{token.last_used_at.clone().unwrap_or_else(|| "never".into())}</td>
                                <td>{if live { "active".to_string() } else { format!("revoked {}", token.revoked_at.clone().unwrap_or_default()) }}</td>
                                <td>
                                    {live.then(|| view! {
                                        <ConfirmButton
                                            label=label
                                            question="Revoke this token? Systems using it will stop working at once."
                                            confirm="Yes, revoke"
                                            on_confirm=Callback::new(move |_| { revoke.dispatch(RevokeToken { id }); })
                                        />
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
