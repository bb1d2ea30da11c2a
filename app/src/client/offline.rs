//! The browser side of the offline shell (`public/sw.js`): registers the service worker, keeps
//! the pages the user opens so they reopen without a connection, and says so when the page
//! shown is a saved copy, when the connection drops and when a new version is ready.
//!
//! The banners live outside the Leptos tree (appended to `<body>`), so they never disturb
//! hydration and stay up whatever page the router shows.

use leptos::prelude::{document, window};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const BANNERS_ID: &str = "attest-banners";

/// Starts the offline shell; called once, after hydration.
pub fn start() {
    let Some(container) = service_workers() else {
        return;
    };
    let saved_copy = saved_copy_time();
    if let Some(saved_at) = &saved_copy {
        show(
            "saved-copy",
            &format!(
                "You are seeing the copy of this page saved on this device{}. It is shown \
                 because the server could not be reached; answers you give on a checklist are \
                 kept here and sent when the connection returns.",
                saved_at
                    .as_deref()
                    .map(|t| format!(" on {t}"))
                    .unwrap_or_default()
            ),
            false,
        );
    }
    watch_connection();

    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|event: web_sys::MessageEvent| {
            let data = event.data();
            let kind = js_sys_get(&data, "type");
            if kind.as_deref() == Some("attest-outbox") {
                show_outbox(&data);
            } else if kind.as_deref() == Some("attest-updated") {
                show(
                    "updated",
                    "A new version of Attest is ready. Answers waiting to be sent are kept.",
                    true,
                );
                // The page open now was saved with the old version: save it again.
                keep_page(&current_url());
            }
        });
    container.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();

    // A page loaded before a worker controlled the tab passed it by: keep it now.
    let passed_by = container.controller().is_none();
    let _ = container.register("/sw.js");
    if passed_by {
        keep_page(&current_url());
    }
    // Files kept from an earlier page: sent if the connection allows, counted either way.
    tell_worker("attest-flush", None);
}

/// Files attached without a connection: how many wait, and why the server refused any.
fn show_outbox(data: &JsValue) {
    let waiting = js_sys::Reflect::get(data, &"waiting".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0) as u32;
    match waiting {
        0 => hide("outbox"),
        1 => show(
            "outbox",
            "1 file waiting to be sent: it is attached when the connection returns.",
            false,
        ),
        n => show(
            "outbox",
            &format!(
                "{n} files waiting to be sent: they are attached when the connection returns."
            ),
            false,
        ),
    }
    let problems: Vec<String> = js_sys::Reflect::get(data, &"problems".into())
        .ok()
        .map(|p| js_sys::Array::from(&p))
        .map(|p| p.iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    if !problems.is_empty() {
        show(
            "outbox-refused",
            &format!(
                "A file kept on this device was not attached: {}",
                problems.join(" ")
            ),
            false,
        );
    }
}

/// Posts `{type, url}` to the active worker, waiting until there is one.
fn tell_worker(kind: &'static str, url: Option<String>) {
    let Some(Ok(ready)) = service_workers().map(|c| c.ready()) else {
        return;
    };
    let post = Closure::once(move |registration: JsValue| {
        let registration: web_sys::ServiceWorkerRegistration = registration.unchecked_into();
        if let Some(worker) = registration.active() {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &kind.into());
            if let Some(url) = url {
                let _ = js_sys::Reflect::set(&message, &"url".into(), &url.into());
            }
            let _ = worker.post_message(&message);
        }
    });
    let _ = ready.then(&post);
    post.forget();
}

/// Asks the worker to keep a copy of `url` for offline use (pages reached by the app's own
/// navigation never pass through it as documents). Waits for a worker to be active, so the
/// first page of the first visit is kept too.
pub fn keep_page(url: &str) {
    if saved_copy_time().is_some() {
        return;
    }
    tell_worker("attest-keep", Some(url.to_string()));
}

fn service_workers() -> Option<web_sys::ServiceWorkerContainer> {
    let navigator = window().navigator();
    // Older browsers, and pages not served over HTTPS or localhost, have none.
    js_sys::Reflect::has(&navigator, &"serviceWorker".into())
        .ok()
        .filter(|has| *has)
        .map(|_| navigator.service_worker())
}

fn current_url() -> String {
    window().location().href().unwrap_or_default()
}

/// `Some(time)` when the worker served a saved copy (its `<meta name="attest-saved-copy">`).
fn saved_copy_time() -> Option<Option<String>> {
    let meta = document()
        .query_selector("meta[name='attest-saved-copy']")
        .ok()
        .flatten()?;
    let content = meta.get_attribute("content").unwrap_or_default();
    Some(super::readable_time(&content))
}

fn watch_connection() {
    let update = || {
        if window().navigator().on_line() {
            hide("offline");
            tell_worker("attest-flush", None);
        } else {
            show(
                "offline",
                "No connection. You can keep working on pages saved on this device; answers are \
                 kept here and sent when the connection returns.",
                false,
            );
        }
    };
    update();
    for event in ["online", "offline"] {
        let listener = Closure::<dyn FnMut()>::new(update);
        let _ = window().add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
        listener.forget();
    }
}

fn banners() -> Option<web_sys::Element> {
    let document = document();
    if let Some(existing) = document.get_element_by_id(BANNERS_ID) {
        return Some(existing);
    }
    let container = document.create_element("div").ok()?;
    container.set_id(BANNERS_ID);
    container.set_class_name("banners");
    let _ = container.set_attribute("role", "status");
    let _ = container.set_attribute("aria-live", "polite");
    document.body()?.append_child(&container).ok()?;
    Some(container)
}

/// Shows (or replaces) the banner `kind`, with a reload button when `reload` is set.
fn show(kind: &str, text: &str, reload: bool) {
    let Some(container) = banners() else {
        return;
    };
    hide(kind);
    let document = document();
    let Ok(banner) = document.create_element("div") else {
        return;
    };
    banner.set_class_name(&format!("banner banner--{kind}"));
    let _ = banner.set_attribute("data-banner", kind);
    let Ok(message) = document.create_element("p") else {
        return;
    };
    message.set_text_content(Some(text));
    let _ = banner.append_child(&message);
    if reload {
        if let Ok(button) = document.create_element("button") {
            let _ = button.set_attribute("type", "button");
            button.set_class_name("button button--primary");
            button.set_text_content(Some("Reload"));
            let on_click = Closure::<dyn FnMut()>::new(|| {
                let _ = window().location().reload();
            });
            let _ =
                button.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
            on_click.forget();
            let _ = banner.append_child(&button);
        }
    }
    let _ = container.append_child(&banner);
}

fn hide(kind: &str) {
    if let Ok(Some(old)) = document().query_selector(&format!("[data-banner='{kind}']")) {
        old.remove();
    }
}

fn js_sys_get(value: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}
