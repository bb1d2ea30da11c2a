//! The notifications page: what the scheduled checks and escalations told the user, newest
//! first, with links to the items, marking read, and how they want them by e-mail.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::notifications::{
    list_notifications, MarkAllNotificationsRead, MarkNotificationRead, SetEmailPreference,
};
use crate::components::feedback::{EmptyState, ErrorPanel, Loading};
use crate::components::forms::FormError;
use crate::model::auth::Role;
use crate::model::notifications::{EmailPreference, Notification, NotificationQuery};
use crate::pages::admin::{query_string, Pager};
use crate::session::{has_role, use_session};

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let session = use_session();
    let params = use_query_map();
    let unread_only = move || params.read().get("show").as_deref() == Some("unread");
    let query = move || NotificationQuery {
        unread: Some(unread_only()),
        page: params.read().get("page").and_then(|p| p.parse().ok()),
        per_page: Some(20),
    };
    let read = ServerAction::<MarkNotificationRead>::new();
    let read_all = ServerAction::<MarkAllNotificationsRead>::new();
    let preference = ServerAction::<SetEmailPreference>::new();
    let list = Resource::new(
        move || {
            (
                query(),
                read.version().get(),
                read_all.version().get(),
                preference.version().get(),
            )
        },
        |(query, ..)| list_notifications(query),
    );
    let error = Signal::derive(move || {
        read.value()
            .get()
            .and_then(Result::err)
            .or_else(|| read_all.value().get().and_then(Result::err))
            .or_else(|| preference.value().get().and_then(Result::err))
    });

    view! {
        <Title text="Notifications" />
        <section class="page">
            <h1>"Notifications"</h1>
            <p class="muted">"Reviews coming due, overdue tasks and CAPAs, PT deadlines and escalations. Each condition is notified once."</p>
            <FormError error />
            <Transition fallback=|| view! { <Loading label="Loading notifications…" /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(list) => {
                            let unread = list.unread;
                            let only = unread_only();
                            let href = move |n: i64| format!("/notifications{}", query_string(&[
                                ("show", only.then(|| "unread".to_string())),
                                ("page", Some(n.to_string())),
                            ]));
                            let pages = list.page.pages();
                            let email_enabled = list.email_enabled;
                            let chosen = list.email_preference;
                            let items = list.page.items;
                            view! {
                                <div class="toolbar">
                                    <nav class="tabs" aria-label="Show">
                                        <A href="/notifications" attr:aria-current=move || (!only).then_some("page")>"All"</A>
                                        <A href="/notifications?show=unread" attr:aria-current=move || only.then_some("page")>
                                            {format!("Unread ({unread})")}
                                        </A>
                                    </nav>
                                    {(unread > 0).then(|| view! {
                                        <ActionForm action=read_all attr:class="form--inline">
                                            <button type="submit" class="button button--quiet" disabled=move || read_all.pending().get()>
                                                "Mark all as read"
                                            </button>
                                        </ActionForm>
                                    })}
                                </div>
                                {if items.is_empty() {
                                    view! {
                                        <EmptyState title=(if only { "Nothing unread" } else { "No notifications yet" }).to_string()>
                                            <p>"When a review, task, CAPA or PT deadline needs you, it appears here."</p>
                                        </EmptyState>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ul class="notification-list" data-testid="notifications">
                                            {items.into_iter().map(|n| view! { <NotificationItem notification=n read /> }).collect_view()}
                                        </ul>
                                        <Pager page=list.page.page pages href />
                                    }.into_any()
                                }}
                                <EmailSettings chosen email_enabled preference />
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
            {move || has_role(session, &[Role::Admin]).then(|| view! {
                <p class="muted">"Administrators: the checks that create notifications run on a schedule; see "<A href="/admin/jobs">"Scheduled jobs"</A>"."</p>
            })}
        </section>
    }
}

#[component]
fn NotificationItem(
    notification: Notification,
    read: ServerAction<MarkNotificationRead>,
) -> impl IntoView {
    let id = notification.id;
    let unread = notification.read_at.is_none();
    let when = notification
        .created_at
        .replace('T', " ")
        .replace('Z', " UTC");
    view! {
        <li class="notification" class:notification--unread=unread>
            <div class="notification__text">
                <p class="notification__title">
                    {unread.then(|| view! { <span class="visually-hidden">"Unread: "</span> })}
                    {notification.title.clone()}
                </p>
                {(!notification.body.is_empty()).then(|| view! { <p class="notification__body">{notification.body.clone()}</p> })}
                <p class="notification__meta">
                    <time datetime=notification.created_at.clone()>{when}</time>
                    {notification.read_at.clone().map(|at| format!(" · read {}", at.replace('T', " ").replace('Z', "")))}
                </p>
            </div>
            <div class="notification__actions">
                {(!notification.link.is_empty()).then(|| {
                    let link = notification.link.clone();
                    // API links (a report's PDF) are files: a plain link, not a page route.
                    if link.starts_with("/api/") {
                        view! { <a class="button button--quiet" href=link>"Open"</a> }.into_any()
                    } else {
                        view! { <A href=link attr:class="button button--quiet">"Open"</A> }.into_any()
                    }
                })}
                {unread.then(|| view! {
                    <ActionForm action=read attr:class="form--inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="button button--quiet" aria-label=format!("Mark as read: {}", notification.title)>
                            "Mark as read"
                        </button>
                    </ActionForm>
                })}
            </div>
        </li>
    }
}

#[component]
fn EmailSettings(
    chosen: EmailPreference,
    email_enabled: bool,
    preference: ServerAction<SetEmailPreference>,
) -> impl IntoView {
    // `?saved=email` after the choice was saved (the server function sends the browser back so).
    let saved = use_query_map().with_untracked(|q| q.get("saved").as_deref() == Some("email"));
    view! {
        <section class="panel" aria-labelledby="email-title">
            <h2 id="email-title">"By e-mail"</h2>
            {(!email_enabled).then(|| view! {
                <p class="notice--warning" role="note">
                    "E-mail sending is off on this server (SMTP is not configured): notifications are shown here only. "
                    "Your choice takes effect once an administrator sets up e-mail."
                </p>
            })}
            <ActionForm action=preference attr:class="form form--inline">
                <fieldset class="field">
                    <legend class="field__label">"Send me notifications"</legend>
                    {EmailPreference::ALL.iter().map(|option| {
                        let value = option.as_str();
                        view! {
                            <label class="choice">
                                <input type="radio" name="preference" value=value checked=*option == chosen />
                                {option.label()}
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button" disabled=move || preference.pending().get()>"Save"</button>
            </ActionForm>
            {saved.then(|| view! { <p class="notice notice--ok" role="status">{format!("Saved: {}.", chosen.label())}</p> })}
        </section>
    }
}
