//! The default due days per severity (an admin setting).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::capa::{capa_due_days, SetCapaDueDays};
use crate::components::feedback::{ErrorPanel, Loading};
use crate::components::forms::{FieldError, FormError};
use crate::error::AppError;

#[component]
pub fn CapaSettingsPage() -> impl IntoView {
    let save = ServerAction::<SetCapaDueDays>::new();
    let days = Resource::new(move || save.version().get(), |_| capa_due_days());
    let error = crate::components::forms::rejected(save);
    let general = Signal::derive(move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
    });
    view! {
        <Title text="CAPA due dates" />
        <section class="page page--narrow">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/capas">"CAPA"</A></nav>
            <h1>"Default due dates"</h1>
            <p class="lead">"A new CAPA is due this many days after it is opened, in the site's calendar, unless whoever raises it chooses a date."</p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match days.await {
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        Ok(days) => view! {
                            <ActionForm action=save attr:class="form" attr:data-done="Saved.">
                                {[("critical", "Critical", days.critical), ("major", "Major", days.major), ("minor", "Minor", days.minor)].into_iter().map(|(name, label, value)| view! {
                                    <div class="field">
                                        <label class="field__label" for=format!("days-{name}")>{format!("{label} (days)")}</label>
                                        <input id=format!("days-{name}") name=format!("days[{name}]") type="number" min="1" max="365" required value=value />
                                        <FieldError error name=name />
                                    </div>
                                }).collect_view()}
                                <button type="submit" class="button button--primary" disabled=move || save.pending().get()>"Save"</button>
                                <FormError error=general />
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
