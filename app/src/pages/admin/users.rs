//! The user list with search, filters and pages, and the form to create an account.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::{query_string, Pager};
use crate::api::admin::{list_users, CreateUser};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::model::auth::{Role, MIN_PASSWORD_LENGTH};
use crate::model::users::{User, UserQuery};

#[component]
pub fn UsersPage() -> impl IntoView {
    let params = use_query_map();
    let create = ServerAction::<CreateUser>::new();
    let query = move || {
        params.with(|p| UserQuery {
            q: p.get("q").filter(|v| !v.is_empty()),
            role: p.get("role").filter(|v| !v.is_empty()),
            active: p.get("active").and_then(|v| v.parse().ok()),
            page: p.get("page").and_then(|v| v.parse().ok()),
            per_page: None,
        })
    };
    let users = Resource::new(
        move || (query(), create.version().get()),
        |(query, _)| list_users(query),
    );
    let create_error = crate::components::forms::rejected(create);

    view! {
        <Title text="Users" />
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/admin">"Administration"</A></nav>
            <h1>"Users"</h1>
            <Form method="GET" action="" attr:class="toolbar">
                <label class="field field--search">
                    <span class="field__label">"Search"</span>
                    <input type="search" name="q" placeholder="Name or email" value=move || params.read().get("q").unwrap_or_default() />
                </label>
                <label class="field">
                    <span class="field__label">"Role"</span>
                    <select name="role">
                        <option value="" selected={params.read().get("role").unwrap_or_default() == ""}>"Any role"</option>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected={params.read().get("role").unwrap_or_default() == r.as_str()}>{r.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field__label">"Status"</span>
                    <select name="active">
                        <option value="" selected={params.read().get("active").unwrap_or_default() == ""}>"Any"</option>
                        <option value="true" selected={params.read().get("active").unwrap_or_default() == "true"}>"Active"</option>
                        <option value="false" selected={params.read().get("active").unwrap_or_default() == "false"}>"Deactivated"</option>
                    </select>
                </label>
                <button type="submit" class="button">"Filter"</button>
            </Form>
            <Transition fallback=|| view! { <Loading label="Loading users…" /> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(page) if page.items.is_empty() => view! {
                            <EmptyState title="No users match".to_string()>
                                <p>"Clear the search or filters, or create an account below."</p>
                            </EmptyState>
                        }.into_any(),
                        Ok(page) => {
                            let q = query();
                            let href = move |n: i64| format!("/admin/users{}", query_string(&[
                                ("q", q.q.clone()),
                                ("role", q.role.clone()),
                                ("active", q.active.map(|a| a.to_string())),
                                ("page", Some(n.to_string())),
                            ]));
                            let pages = page.pages();
                            view! {
                                <p class="result-count">{format!("{} users", page.total)}</p>
                                <UserTable users=page.items />
                                <Pager page=page.page pages href />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>

            <section class="panel" aria-labelledby="new-user-title">
                <h2 id="new-user-title">"New user"</h2>
                <ActionForm action=create attr:class="form form--grid" attr:data-done="Created {user[name]} ({user[email]}). Give them the temporary password privately; they must change it when they first sign in.">
                    <div class="field">
                        <label class="field__label" for="new-name">"Name"</label>
                        <input id="new-name" name="user[name]" type="text" required maxlength="200" />
                        <FieldError error=create_error name="name" />
                    </div>
                    <div class="field">
                        <label class="field__label" for="new-email">"Email"</label>
                        <input id="new-email" name="user[email]" type="email" required />
                        <FieldError error=create_error name="email" />
                    </div>
                    <div class="field">
                        <label class="field__label" for="new-role">"Role"</label>
                        <select id="new-role" name="user[role]">
                            {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == Role::Staff>{r.label()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label class="field__label" for="new-scope">"Scope"</label>
                        <input id="new-scope" name="user[scope_code]" type="text" placeholder="KEN-NBO, EHA, or empty" aria-describedby="new-scope-hint" />
                        <p id="new-scope-hint" class="field__hint">"A site code for site leads and staff, a region code for regional managers (and regional quality officers); empty for the whole network."</p>
                        <FieldError error=create_error name="scope_code" />
                    </div>
                    <div class="field">
                        <label class="field__label" for="new-password">"Temporary password"</label>
                        <input id="new-password" name="user[password]" type="password" autocomplete="new-password" required minlength=MIN_PASSWORD_LENGTH />
                        <FieldError error=create_error name="password" />
                    </div>
                    <div class="form__actions">
                        <button type="submit" class="button button--primary" disabled=move || create.pending().get()>"Create user"</button>
                    </div>
                    <FormError error=Signal::derive(move || create_error.get().filter(|e| !matches!(e, crate::error::AppError::Invalid { .. }))) />
                </ActionForm>
            </section>
        </section>
    }
}

#[component]
fn UserTable(users: Vec<User>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Email"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Scope"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Last sign-in"</th>
                    </tr>
                </thead>
                <tbody>
                    {users.into_iter().map(|user| {
                        let status = match (user.active, user.locked, user.must_change_password) {
                            (false, _, _) => "deactivated",
                            (true, true, _) => "locked",
                            (true, false, true) => "must change password",
                            _ => "active",
                        };
                        view! {
                            <tr>
                                <td><A href=format!("/admin/users/{}", user.id)>{user.name.clone()}</A></td>
                                <td>{user.email.clone()}</td>
                                <td>{user.role.label()}</td>
                                <td>{user.scope.label()}</td>
                                <td><span class=format!("status status--{}", status.replace(' ', "-"))>{status}</span></td>
                                <td>{user.last_login_at.clone().unwrap_or_else(|| "never".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
