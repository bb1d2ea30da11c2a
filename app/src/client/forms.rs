//! Forms that post to server functions, improved once the client runs: the page stays put
//! while the form is sent, a rejected form keeps everything typed and shows the server's
//! messages under the fields, and a lost connection says so instead of showing the browser's
//! error page.
//!
//! Every server-function form is a plain HTML form first (`<form method="post"
//! action="/rpc/…">`): before the client has loaded, or without it, the browser posts it, the
//! server redirects back (or where the server function says) and a rejected form comes back
//! with its messages (see `components::forms`). One listener on the document takes over every
//! such form, so pages stay server-rendered and ship no code of their own for it. Forms an
//! island sends itself (their submit event arrives already handled), file uploads and forms
//! marked `data-plain-form` are left alone.

use leptos::prelude::{document, window};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlFormElement};

use crate::error::AppError;
use crate::model::pt::ImportReport;

/// Where a message to show after the reload that follows a successful form waits.
const DONE_KEY: &str = "attest.form-done";

/// Starts listening for form submissions; called once, when the client starts.
pub fn enhance() {
    let on_submit = Closure::<dyn FnMut(web_sys::SubmitEvent)>::new(on_submit);
    let _ =
        document().add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
    on_submit.forget();
    show_done_message();
}

fn on_submit(event: web_sys::SubmitEvent) {
    if event.default_prevented() {
        return;
    }
    let Some(form) = event
        .target()
        .and_then(|target| target.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    let action = form.get_attribute("action").unwrap_or_default();
    if !action.starts_with("/rpc/")
        || !form.method().eq_ignore_ascii_case("post")
        || form.has_attribute("data-plain-form")
        || form.enctype().eq_ignore_ascii_case("multipart/form-data")
        || form.get_attribute("aria-busy").as_deref() == Some("true")
    {
        return;
    }
    event.prevent_default();
    let Ok(body) = form_body(&form, event.submitter()) else {
        // Nothing lost: the browser sends it the plain way.
        let _ = form.submit();
        return;
    };
    busy(&form, true);
    leptos::task::spawn_local(async move {
        let outcome = send(&action, &body).await;
        match outcome {
            Ok(Sent::Done(location, answer)) => {
                if form.get_attribute("data-report").as_deref() == Some("import") {
                    if let Ok(report) = serde_json::from_str::<ImportReport>(&answer) {
                        if !report.applied {
                            // Nothing changed on the server: the report stays beside the form.
                            busy(&form, false);
                            show_import_report(&form, &report);
                            return;
                        }
                        remember(&form, &imported_message(&report));
                    }
                }
                remember_done_message(&form, &answer);
                match location {
                    Some(location) => {
                        let _ = window().location().assign(&location);
                    }
                    None => {
                        let _ = window().location().reload();
                    }
                }
            }
            Ok(Sent::Rejected(error)) => {
                busy(&form, false);
                show_errors(&form, &error);
            }
            Err(()) => {
                busy(&form, false);
                show_errors(&form, &AppError::Unreachable(String::new()));
            }
        }
    });
}

enum Sent {
    /// Accepted; the server may say where to go next, and what it answered.
    Done(Option<String>, String),
    Rejected(AppError),
}

/// The form's fields (and the button pressed, if it has a name) as the browser would post them.
fn form_body(
    form: &HtmlFormElement,
    submitter: Option<web_sys::HtmlElement>,
) -> Result<web_sys::UrlSearchParams, JsValue> {
    let data = web_sys::FormData::new_with_form(form)?;
    if let Some(button) = submitter {
        if let (Some(name), Some(value)) =
            (button.get_attribute("name"), button.get_attribute("value"))
        {
            data.append_with_str(&name, &value)?;
        }
    }
    web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data)
}

async fn send(action: &str, body: &web_sys::UrlSearchParams) -> Result<Sent, ()> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let headers = web_sys::Headers::new().map_err(|_| ())?;
    headers.set("Accept", "application/json").map_err(|_| ())?;
    headers
        .set("Content-Type", "application/x-www-form-urlencoded")
        .map_err(|_| ())?;
    init.set_headers(&headers);
    let promise = window().fetch_with_str_and_init(action, &init);
    let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    let text = match response.text() {
        Ok(promise) => wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if response.ok() {
        let location = response.headers().get("location").ok().flatten();
        return Ok(Sent::Done(location, text));
    }
    Ok(Sent::Rejected(rejection(response.status(), &text)))
}

/// The server's error, or a plain one when its answer is not Attest's (a proxy's page, say).
fn rejection(status: u16, body: &str) -> AppError {
    serde_json::from_str(body)
        .unwrap_or_else(|_| AppError::Internal(format!("The server answered {status}")))
}

/// While a form travels: its buttons are disabled and it says it is busy.
fn busy(form: &HtmlFormElement, busy: bool) {
    let _ = form.set_attribute("aria-busy", if busy { "true" } else { "false" });
    for button in elements(form, "button[type='submit'], button:not([type])") {
        if busy {
            let _ = button.set_attribute("disabled", "");
        } else {
            let _ = button.remove_attribute("disabled");
        }
    }
}

/// Puts the server's messages in the slots under the fields (`[data-field]`) and the form's
/// own slot (`[data-form-error]`, added when the form has none); focuses the first field
/// to correct.
fn show_errors(form: &HtmlFormElement, error: &AppError) {
    for slot in elements(form, "[data-field], [data-form-error]") {
        slot.set_text_content(None);
        let _ = slot.set_attribute("hidden", "");
    }
    let mut first_field: Option<Element> = None;
    if let AppError::Invalid { fields, .. } = error {
        for (name, message) in fields {
            let selector = format!("[data-field='{name}']");
            if let Ok(Some(slot)) = form.query_selector(&selector) {
                slot.set_text_content(Some(message));
                let _ = slot.remove_attribute("hidden");
                if first_field.is_none() {
                    first_field = slot.closest(".field").ok().flatten().and_then(|field| {
                        field
                            .query_selector("input, select, textarea")
                            .ok()
                            .flatten()
                    });
                }
            }
        }
    }
    // Field messages say it all for a rejected form; anything else goes in the form's slot.
    if first_field.is_none() {
        if let Some(slot) = form_error_slot(form) {
            slot.set_text_content(Some(&error.to_string()));
            let _ = slot.remove_attribute("hidden");
        }
    }
    if let Some(field) = first_field.and_then(|f| f.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = field.focus();
    }
}

fn form_error_slot(form: &HtmlFormElement) -> Option<Element> {
    if let Ok(Some(slot)) = form.query_selector("[data-form-error]") {
        return Some(slot);
    }
    let slot = document().create_element("p").ok()?;
    slot.set_class_name("form-error");
    let _ = slot.set_attribute("role", "alert");
    let _ = slot.set_attribute("data-form-error", "");
    form.append_child(&slot).ok()?;
    Some(slot)
}

/// A form may say what to tell the user once it is done (`data-done="Saved."`); `{name}`
/// stands for the field `name` of the server's answer, or else what was typed in the form's
/// field `name`. The message outlives the reload that shows the result, and appears after the
/// same form (or in the element whose id the form's `data-done-in` gives).
fn remember_done_message(form: &HtmlFormElement, answer: &str) {
    let Some(template) = form.get_attribute("data-done") else {
        return;
    };
    let answer: serde_json::Value = serde_json::from_str(answer).unwrap_or_default();
    let typed = web_sys::FormData::new_with_form(form).ok();
    let message = super::fill_in(&template, |name| match answer.get(name) {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(serde_json::Value::Number(number)) => number.to_string(),
        _ => typed
            .as_ref()
            .and_then(|data| data.get(name).as_string())
            .unwrap_or_default(),
    });
    remember(form, &message);
}

fn remember(form: &HtmlFormElement, message: &str) {
    if let Some(storage) = session_storage() {
        let action = form.get_attribute("action").unwrap_or_default();
        let _ = storage.set_item(DONE_KEY, &format!("{action}\n{message}"));
    }
}

fn imported_message(report: &ImportReport) -> String {
    format!("Imported {} of {} rows.", report.imported, report.rows)
}

/// A CSV import that wrote nothing: how many rows were wrong, and each problem by line and
/// column, in the form's `[data-report-slot]`.
fn show_import_report(form: &HtmlFormElement, report: &ImportReport) {
    let Some(slot) = form
        .parent_element()
        .and_then(|parent| parent.query_selector("[data-report-slot]").ok().flatten())
    else {
        show_errors(
            form,
            &AppError::Conflict(format!(
                "Nothing imported: {} rows with errors.",
                report.errors.len()
            )),
        );
        return;
    };
    const REPORT: &str = "<div class=\"notice notice--warning\" role=\"status\"><p></p>\
        <table class=\"table table--compact\"><thead><tr><th scope=\"col\">Line</th>\
        <th scope=\"col\">Column</th><th scope=\"col\">Problem</th></tr></thead>\
        <tbody></tbody></table></div>";
    slot.set_inner_html(REPORT);
    let document = document();
    if let Ok(Some(summary)) = slot.query_selector("p") {
        let n = report.errors.len();
        summary.set_text_content(Some(&format!(
            "Nothing imported: {n} row{} with errors.",
            if n == 1 { "" } else { "s" }
        )));
    }
    let Ok(Some(body)) = slot.query_selector("tbody") else {
        return;
    };
    for error in &report.errors {
        let Ok(row) = document.create_element("tr") else {
            continue;
        };
        for text in [
            error.line.to_string(),
            error.column.clone(),
            error.message.clone(),
        ] {
            if let Ok(cell) = document.create_element("td") {
                cell.set_text_content(Some(&text));
                let _ = row.append_child(&cell);
            }
        }
        let _ = body.append_child(&row);
    }
}

fn show_done_message() {
    let Some(storage) = session_storage() else {
        return;
    };
    let Ok(Some(stored)) = storage.get_item(DONE_KEY) else {
        return;
    };
    let _ = storage.remove_item(DONE_KEY);
    let Some((action, message)) = stored.split_once('\n') else {
        return;
    };
    let document = document();
    let Ok(Some(form)) = document.query_selector(&format!("form[action='{action}']")) else {
        return;
    };
    let Ok(notice) = document.create_element("p") else {
        return;
    };
    notice.set_class_name("notice notice--ok");
    let _ = notice.set_attribute("role", "status");
    notice.set_text_content(Some(message));
    // A form repeated down a list (one per task) names a place above the list instead.
    let place = form
        .get_attribute("data-done-in")
        .and_then(|id| document.get_element_by_id(&id));
    match place {
        Some(place) => {
            let _ = place.append_child(&notice);
        }
        None => {
            let _ = form.after_with_node_1(&notice);
        }
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

fn elements(root: &HtmlFormElement, selector: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}
