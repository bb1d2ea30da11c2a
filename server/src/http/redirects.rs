//! Redirects a browser follows without the client.
//!
//! Leptos renders a page's `<Redirect>` by adding a `Location` header to whatever status the page
//! set: a signed-out visitor to `/` got `401 Unauthorized` with `Location: /login?next=/`, which
//! no browser follows, so the sign-in page appeared only once the whole client had downloaded
//! and hydrated. A server function posted by a plain form answers `302 Found` back to the page.
//! This layer turns both into `303 See Other` with an empty body: the browser goes straight to
//! the new address with a GET, on the slowest link, with the client still loading or blocked.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

pub async fn see_other(request: Request, next: Next) -> Response {
    let is_page = is_page_request(request.method(), request.uri().path());
    let response = next.run(request).await;
    if should_become_see_other(is_page, response.status(), response.headers()) {
        let (mut parts, _) = response.into_parts();
        parts.status = StatusCode::SEE_OTHER;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_ENCODING);
        return Response::from_parts(parts, Body::empty());
    }
    response
}

/// A page (not the REST API, whose `201 Created` and friends keep their `Location`) read by a
/// browser.
fn is_page_request(method: &Method, path: &str) -> bool {
    (method == Method::GET || method == Method::HEAD) && !path.starts_with("/api/")
}

/// Which responses the browser must be sent on from: a page that asks for a redirect whatever
/// status it set, and every `302 Found` (a server function answering a plain form post).
fn should_become_see_other(is_page: bool, status: StatusCode, headers: &header::HeaderMap) -> bool {
    if !headers.contains_key(header::LOCATION) {
        return false;
    }
    status == StatusCode::FOUND || (is_page && !status.is_redirection())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    fn with_location() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::LOCATION, HeaderValue::from_static("/login?next=/"));
        headers
    }

    #[test]
    fn a_page_redirect_becomes_see_other_whatever_status_the_page_set() {
        for status in [
            StatusCode::UNAUTHORIZED,
            StatusCode::OK,
            StatusCode::FORBIDDEN,
        ] {
            assert!(
                should_become_see_other(true, status, &with_location()),
                "{status}"
            );
        }
    }

    #[test]
    fn found_becomes_see_other_even_after_a_post() {
        assert!(should_become_see_other(
            false,
            StatusCode::FOUND,
            &with_location()
        ));
    }

    #[test]
    fn api_answers_and_real_redirects_are_left_alone() {
        assert!(!should_become_see_other(
            false,
            StatusCode::CREATED,
            &with_location()
        ));
        assert!(!should_become_see_other(
            true,
            StatusCode::MOVED_PERMANENTLY,
            &with_location()
        ));
        assert!(!should_become_see_other(
            true,
            StatusCode::UNAUTHORIZED,
            &HeaderMap::new()
        ));
    }

    #[test]
    fn the_api_is_not_a_page() {
        assert!(!is_page_request(&Method::GET, "/api/v1/sites"));
        assert!(!is_page_request(&Method::POST, "/audits/1"));
        assert!(is_page_request(&Method::HEAD, "/"));
        assert!(is_page_request(&Method::GET, "/sites/KEN-NBO"));
    }
}
