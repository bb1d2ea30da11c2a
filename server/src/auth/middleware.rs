//! Recognises the user behind each request (session cookie or bearer token) and refuses
//! cross-site state changes.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};

use super::{service, tokens::TOKEN_PREFIX, Actor, AuthSettings, Credential, RequestMeta};
use crate::api::error::ApiError;
use crate::http::AppState;

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "attest_session";

fn request_meta(request: &Request) -> RequestMeta {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.chars().take(300).collect());
    RequestMeta { ip, user_agent }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The session cookie's value, if the request carries one.
pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// The `Set-Cookie` value that stores a new session in the browser.
pub fn session_set_cookie(secret: &str, settings: &AuthSettings) -> String {
    Cookie::build((SESSION_COOKIE, secret.to_string()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .path("/")
        .build()
        .to_string()
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn session_clear_cookie(settings: &AuthSettings) -> String {
    let mut cookie = Cookie::build((SESSION_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(settings.secure_cookies)
        .path("/")
        .build();
    cookie.make_removal();
    cookie.to_string()
}

/// Whether a state-changing browser request comes from this site. Browsers send
/// `Sec-Fetch-Site` (and `Origin`) on such requests; a page elsewhere cannot forge them.
/// Requests with neither header do not come from a browser page, so they cannot be forged
/// cross-site either.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            origin
                .split_once("://")
                .map(|(_, authority)| authority == host)
                .unwrap_or(false)
        }
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Puts the [`Actor`] (if any) and the [`RequestMeta`] into the request's extensions.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let meta = request_meta(&request);
    let headers = request.headers();
    let bearer = bearer_token(headers).map(str::to_string);

    // Forged cross-site requests can only ride on cookies: bearer-authenticated calls are exempt.
    if bearer.is_none() && !is_safe(request.method()) && !same_origin(headers) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "csrf_rejected",
            "This request came from another site and was refused. Use Attest's own pages.",
        )
        .into_response();
    }

    let resolved = match (&bearer, session_cookie(headers)) {
        (Some(token), _) if token.starts_with(TOKEN_PREFIX) => {
            service::user_of_token(&state.db, token).await.map(|found| {
                found.map(|(token_id, user)| (user, Credential::ApiToken { token_id }))
            })
        }
        (Some(token), _) => service::user_of_session(&state.db, &state.auth, token)
            .await
            .map(|found| {
                found.map(|(session_hash, user)| (user, Credential::Bearer { session_hash }))
            }),
        (None, Some(cookie)) => service::user_of_session(&state.db, &state.auth, &cookie)
            .await
            .map(|found| {
                found.map(|(session_hash, user)| (user, Credential::Cookie { session_hash }))
            }),
        (None, None) => Ok(None),
    };
    match resolved {
        Ok(Some((user, credential))) => {
            tracing::Span::current().record("user_id", user.id);
            request.extensions_mut().insert(Actor {
                user,
                credential,
                meta: meta.clone(),
            });
        }
        Ok(None) => {}
        Err(error) => return ApiError::from(error).into_response(),
    }
    request.extensions_mut().insert(meta);
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_site_fetches_pass_and_cross_site_ones_do_not() {
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "none")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn without_fetch_metadata_the_origin_must_match_the_host() {
        assert!(same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!same_origin(&headers(&[
            ("origin", "null"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(
            same_origin(&headers(&[])),
            "no browser headers: not a browser page"
        );
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let map = headers(&[("cookie", "theme=dark; attest_session=abc123; other=1")]);
        assert_eq!(session_cookie(&map).as_deref(), Some("abc123"));
        assert_eq!(session_cookie(&headers(&[("cookie", "theme=dark")])), None);
    }

    #[test]
    fn the_session_cookie_is_http_only_and_same_site_lax() {
        let cookie = session_set_cookie("s3cret", &AuthSettings::default());
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "{cookie}");
        let secure = AuthSettings {
            secure_cookies: true,
            ..AuthSettings::default()
        };
        assert!(session_set_cookie("s3cret", &secure).contains("Secure"));
    }
}
