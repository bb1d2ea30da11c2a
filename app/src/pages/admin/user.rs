//! One user: edit name, role and scope; deactivate or reactivate; reset the password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::admin::{get_user, ResetPassword, SetUserActive, UpdateUser};
use crate::components::confirm::ConfirmForm;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;
use crate::model::auth::{Role, MIN_PASSWORD_LENGTH};
use crate::model::users::User;
use leptos::server_fn::ServerFn;

#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let update = ServerAction::<UpdateUser>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let user = Resource::new(
        move || {
            (
                id(),
                update.version().get(),
                set_active.version().get(),
                reset.version().get(),
            )
        },
        |(id, ..)| async move {
            let Some(id) = id else {
                return Err(AppError::NotFound("That is not a user id.".into()));
            };
            get_user(id).await
        },
    );

    view! {
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/admin/users">"Users"</A></nav>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(user) => view! { <UserDetail user update set_active reset /> }.into_any(),
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! { <Title text="User" /><ErrorPanel error /> }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UserDetail(
    user: User,
    update: ServerAction<UpdateUser>,
    set_active: ServerAction<SetUserActive>,
    reset: ServerAction<ResetPassword>,
) -> impl IntoView {
    let update_error = crate::components::forms::rejected(update);
    let active_error = crate::components::forms::rejected(set_active);
    let reset_error = crate::components::forms::rejected(reset);
    let id = user.id;
    let scope_code = user.scope.code().to_string();
    let status = if !user.active {
        "Deactivated"
    } else if user.locked {
        "Locked after failed sign-ins"
    } else if user.must_change_password {
        "Must change password at next sign-in"
    } else {
        "Active"
    };

    view! {
        <Title text=format!("{} · Users", user.name) />
        <header class="page-header">
            <p class="eyebrow">{user.email.clone()}</p>
            <h1>{user.name.clone()}</h1>
            <p class="lead">{format!("{} · {} · {status}", user.role.label(), user.scope.label())}</p>
        </header>
        <div class="detail-grid">
            <section class="panel" aria-labelledby="edit-title">
                <h2 id="edit-title">"Role and scope"</h2>
                <ActionForm action=update attr:class="form" attr:data-done="Saved.">
                    <input type="hidden" name="id" value=id />
                    <div class="field">
                        <label class="field__label" for="edit-name">"Name"</label>
                        <input id="edit-name" name="update[name]" type="text" value=user.name.clone() required />
                        <FieldError error=update_error name="name" />
                    </div>
                    <div class="field">
                        <label class="field__label" for="edit-role">"Role"</label>
                        <select id="edit-role" name="update[role]">
                            {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == user.role>{r.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="edit-scope">"Scope"</label>
                        <input id="edit-scope" name="update[scope_code]" type="text" value=scope_code placeholder="KEN-NBO, EHA, or empty" />
                        <FieldError error=update_error name="scope_code" />
                    </div>
                    <button type="submit" class="button button--primary" disabled=move || update.pending().get()>"Save changes"</button>
                    <FormError error=Signal::derive(move || update_error.get().filter(|e| !matches!(e, AppError::Invalid { .. }))) />
                </ActionForm>
            </section>
            <section class="panel" aria-labelledby="access-title">
                <h2 id="access-title">"Access"</h2>
                <FormError error=active_error />
                {if user.active {
                    view! {
                        <p>"Deactivating ends the user's sessions and stops their API tokens. The account and its history are kept."</p>
                        <ConfirmForm
                            action=SetUserActive::PATH.to_string()
                            fields=vec![("id".into(), id.to_string()), ("active".into(), "false".into())]
                            label="Deactivate account".into()
                            question="Deactivate this account?".into()
                            confirm="Yes, deactivate".into()
                        />
                    }.into_any()
                } else {
                    view! {
                        <p>"This account is deactivated: the user cannot sign in."</p>
                        <ActionForm action=set_active>
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="active" value="true" />
                            <button type="submit" class="button">"Reactivate account"</button>
                        </ActionForm>
                    }.into_any()
                }}
                <h3>"Reset password"</h3>
                <ActionForm action=reset attr:class="form" attr:data-done="Password reset. The user must choose a new one when they next sign in.">
                    <input type="hidden" name="id" value=id />
                    <div class="field">
                        <label class="field__label" for="reset-password">"Temporary password"</label>
                        <input id="reset-password" name="password" type="password" autocomplete="new-password" required minlength=MIN_PASSWORD_LENGTH />
                        <FieldError error=reset_error name="password" />
                    </div>
                    <button type="submit" class="button" disabled=move || reset.pending().get()>"Reset password"</button>
                </ActionForm>
            </section>
        </div>
    }
}
