//! Administration: user accounts, the audit trail and scheduled jobs (administrators only; the server
//! enforces it, the pages only explain it).

mod jobs;
mod trail;
mod user;
mod users;

pub use jobs::JobsPage;
pub use trail::TrailPage;
pub use user::UserPage;
pub use users::UsersPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Title text="Administration" />
        <section class="page">
            <h1>"Administration"</h1>
            <ul class="card-grid">
                <li class="card">
                    <h2 class="card__title"><A href="/admin/users">"Users"</A></h2>
                    <p class="card__detail">"Create accounts, change roles and scopes, deactivate, reset passwords."</p>
                </li>
                <li class="card">
                    <h2 class="card__title"><A href="/admin/audit-trail">"Audit trail"</A></h2>
                    <p class="card__detail">"Every change: who, when, what, from where. Tamper-evident."</p>
                </li>
                <li class="card">
                    <h2 class="card__title"><A href="/admin/jobs">"Scheduled jobs"</A></h2>
                    <p class="card__detail">"Overdue checks, escalations and monthly reports: schedules, recent runs, run one now, e-mail status."</p>
                </li>
            </ul>
        </section>
    }
}

/// Links to the pages of a paginated list.
#[component]
pub fn Pager(page: i64, pages: i64, href: impl Fn(i64) -> String + 'static) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {(page > 1).then(|| view! { <A href=href(page - 1) attr:rel="prev">"← Previous"</A> })}
                <span class="pager__status">{format!("Page {page} of {pages}")}</span>
                {(page < pages).then(|| view! { <A href=href(page + 1) attr:rel="next">"Next →"</A> })}
            </nav>
        }
    })
}

/// A query string from the non-empty pairs.
pub fn query_string(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter_map(|(key, value)| {
            value
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{key}={}", crate::pages::encode_query_value(v)))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::query_string;

    #[test]
    fn query_strings_skip_empty_values() {
        assert_eq!(
            query_string(&[
                ("q", Some("a b".into())),
                ("role", None),
                ("page", Some("2".into()))
            ]),
            "?q=a%20b&page=2"
        );
        assert_eq!(query_string(&[("q", Some(String::new()))]), "");
    }
}
