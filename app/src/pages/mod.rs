//! The routed pages, one module per feature, and helpers they share.

pub mod account;
pub mod admin;
pub mod audits;
pub mod capa;
pub mod dashboard;
pub mod documents;
pub mod home;
pub mod login;
pub mod not_found;
pub mod notifications;
pub mod pt;
pub mod sites;
pub mod verify;

use crate::model::auth::CurrentUser;

/// Sets the HTTP status of the server-rendered response (no effect in the browser). A redirect
/// already decided (a signed-out visitor sent to the login page) is kept: the page's own
/// "please sign in" error must not turn it into a 401.
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(code)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(status),
    ) {
        let redirecting = options
            .0
            .read()
            .map(|parts| parts.headers.contains_key(http::header::LOCATION))
            .unwrap_or(false);
        if !redirecting {
            options.set_status(code);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

/// Adds a `Set-Cookie` header to the response of a server function.
pub fn set_cookie(value: &str) {
    #[cfg(feature = "ssr")]
    if let (Some(options), Ok(value)) = (
        leptos::prelude::use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        options.append_header(http::header::SET_COOKIE, value);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = value;
}

/// After a form's server function: the browser goes to `path` (a real redirect without
/// JavaScript, a client-side navigation with it).
pub fn redirect_after_form(path: &str) {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(path);
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}

/// After a form's server function, for a plain HTML form post only (no JavaScript yet): the
/// browser goes to `path`. With the client running, the page shows the result in place.
pub fn redirect_plain_form(path: &str) {
    #[cfg(feature = "ssr")]
    {
        let plain_form = leptos::prelude::use_context::<http::request::Parts>()
            .and_then(|parts| parts.headers.get(http::header::ACCEPT).cloned())
            .and_then(|accept| accept.to_str().ok().map(|a| a.contains("text/html")))
            .unwrap_or(false);
        if plain_form {
            leptos_axum::redirect(path);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = path;
}

/// Where to go after signing in: only a path on this site, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next.map(str::trim) {
        Some(path)
            if path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\") =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Percent-encodes a path for use as a query value.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the layout does with a request for `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    Show,
    Redirect(String),
}

/// Pages anyone may open without signing in.
const PUBLIC_PATHS: [&str; 1] = ["/login"];
/// Where a user whose password was reset must go first.
pub const CHANGE_PASSWORD_PATH: &str = "/account/password";

/// Every page needs a signed-in user except the public ones; a user whose password was reset
/// sees only the password page until they choose a new one.
pub fn gate(user: Option<&CurrentUser>, path: &str) -> Gate {
    let public = PUBLIC_PATHS.contains(&path);
    match user {
        None if public => Gate::Show,
        None => Gate::Redirect(format!("/login?next={}", encode_query_value(path))),
        Some(user) if user.must_change_password && !public && path != CHANGE_PASSWORD_PATH => {
            Gate::Redirect(CHANGE_PASSWORD_PATH.into())
        }
        Some(_) => Gate::Show,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::auth::{Role, Scope};

    fn user(must_change_password: bool) -> CurrentUser {
        CurrentUser {
            id: 1,
            email: "lead.nbo@attest.example".into(),
            name: "Amina".into(),
            role: Role::SiteLead,
            scope: Scope::Site("KEN-NBO".into()),
            must_change_password,
        }
    }

    #[test]
    fn strangers_are_sent_to_sign_in_and_come_back_afterwards() {
        assert_eq!(
            gate(None, "/sites/KEN-NBO"),
            Gate::Redirect("/login?next=/sites/KEN-NBO".into())
        );
        assert_eq!(gate(None, "/login"), Gate::Show);
    }

    #[test]
    fn a_reset_password_must_be_changed_first() {
        assert_eq!(
            gate(Some(&user(true)), "/sites"),
            Gate::Redirect(CHANGE_PASSWORD_PATH.into())
        );
        assert_eq!(gate(Some(&user(true)), CHANGE_PASSWORD_PATH), Gate::Show);
        assert_eq!(gate(Some(&user(false)), "/sites"), Gate::Show);
    }

    #[test]
    fn next_only_leads_within_this_site() {
        assert_eq!(safe_next(Some("/sites/KEN-NBO")), "/sites/KEN-NBO");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query_value("/sites?q=a b&x"),
            "/sites%3Fq%3Da%20b%26x"
        );
    }
}
