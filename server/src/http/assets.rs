//! The built client (JavaScript, WebAssembly, CSS) and how it is served.
//!
//! The build script puts the bundle in `<site root>/pkg/<content hash>/` and writes the hash to
//! `<site root>/BUILD_ID`. Because a new build gets a new URL, the files can be cached for a year
//! (`immutable`); without a build id (a development build) they must be revalidated.

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue};
use axum::Router;
use leptos::config::Env;
use leptos::prelude::LeptosOptions;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Where the client bundle is and under which URL it is served.
#[derive(Debug, Clone)]
pub struct ClientBundle {
    site_root: PathBuf,
    build_id: Option<String>,
}

impl ClientBundle {
    /// Reads the build id, if the client was built.
    pub fn locate(site_root: &Path) -> Self {
        let build_id = std::fs::read_to_string(site_root.join("BUILD_ID"))
            .ok()
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()));
        if build_id.is_none() {
            tracing::warn!(
                site_root = %site_root.display(),
                "no client build found (BUILD_ID missing); pages render without hydration \
                 until scripts/build.sh has run"
            );
        }
        ClientBundle {
            site_root: site_root.to_path_buf(),
            build_id,
        }
    }

    /// The folder the site is served from (the bundle and the public files).
    pub fn site_root(&self) -> &Path {
        &self.site_root
    }

    /// The bundle's folder relative to the site root, as Leptos links it (`pkg/<hash>`).
    fn pkg_dir(&self) -> String {
        match &self.build_id {
            Some(id) => format!("pkg/{id}"),
            None => "pkg".into(),
        }
    }

    /// The URL prefix under which the bundle is served.
    pub fn url_prefix(&self) -> String {
        format!("/{}", self.pkg_dir())
    }

    /// The Leptos options that make the shell link this bundle.
    pub fn leptos_options(&self) -> LeptosOptions {
        LeptosOptions::builder()
            .output_name("attest")
            .site_root(self.site_root.to_string_lossy().to_string())
            .site_pkg_dir(self.pkg_dir())
            .env(Env::PROD)
            .build()
    }

    /// Serves the bundle's files with the right cache policy.
    pub fn service(&self) -> Router {
        let cache = if self.build_id.is_some() {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        Router::new()
            .fallback_service(
                ServeDir::new(self.site_root.join(self.pkg_dir()))
                    .precompressed_br()
                    .precompressed_gzip(),
            )
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ))
    }
}

/// The files at the site root that are not part of the hashed bundle, each with a cache policy,
/// served from their precompressed twins when the browser accepts them.
///
/// The service worker and the offline page must never be served stale from the HTTP cache:
/// the browser checks `sw.js` for a new build on every visit, and a stale worker would keep an
/// old shell talking to a newer server. Icons and the manifest change rarely.
pub fn public_files<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    let file = |name: &str, cache: &'static str| {
        Router::new()
            .fallback_service(
                ServeFile::new(site_root.join(name))
                    .precompressed_br()
                    .precompressed_gzip(),
            )
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache),
            ))
    };
    let day = "public, max-age=86400";
    let week = "public, max-age=604800";
    Router::new()
        .nest_service(
            "/sw.js",
            file("sw.js", "no-cache").layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(SERVICE_WORKER_CSP),
            )),
        )
        .nest_service(
            "/offline.html",
            file("offline.html", "no-cache").layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(OFFLINE_PAGE_CSP),
            )),
        )
        .nest_service("/manifest.webmanifest", file("manifest.webmanifest", day))
        .nest_service("/favicon.svg", file("favicon.svg", week))
        .nest_service(
            "/icons",
            Router::new()
                .fallback_service(ServeDir::new(site_root.join("icons")))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(week),
                )),
        )
}

/// The worker fetches pages and the bundle from this origin only.
const SERVICE_WORKER_CSP: &str = "default-src 'none'; connect-src 'self'";
/// The offline page is self-contained and has no script ("Try again" is a link to itself).
const OFFLINE_PAGE_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; \
    frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
