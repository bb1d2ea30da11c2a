//! The differences between two versions of one document, line by line.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::id_param;
use crate::api::documents::diff_versions;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::error::AppError;

#[component]
pub fn DiffPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let ids = move || {
        (
            params.with(|p| id_param(p, "id")),
            query.with(|q| id_param(q, "from")),
            query.with(|q| id_param(q, "to")),
        )
    };
    let diff = Resource::new(ids, |ids| async move {
        match ids {
            (Some(id), Some(from), Some(to)) => diff_versions(id, from, to).await,
            _ => Err(AppError::Invalid {
                message: "Choose two versions to compare.".into(),
                fields: Vec::new(),
            }),
        }
    });

    view! {
        <section class="page">
            <Transition fallback=|| view! { <Loading label="Comparing…" /> }>
                {move || Suspend::new(async move {
                    match diff.await {
                        Ok(diff) => {
                            let id = diff.document_id;
                            view! {
                                <Title text=format!("Compare · {}", diff.document_code) />
                                <nav class="breadcrumbs" aria-label="Breadcrumb">
                                    <A href="/documents">"Documents"</A>" / "
                                    <A href=format!("/documents/{id}")>{diff.document_code.clone()}</A>
                                </nav>
                                <h1>{format!("Version {} compared with version {}", diff.to.number, diff.from.number)}</h1>
                                <p class="lead">{format!("{} lines added, {} removed.", diff.added, diff.removed)}
                                    " "<span class="diff-key diff-key--added">"+ added"</span>" "<span class="diff-key diff-key--removed">"− removed"</span></p>
                                <div class="table-wrap">
                                    <table class="diff">
                                        <caption class="visually-hidden">"Line by line differences"</caption>
                                        <thead><tr><th scope="col">{format!("v{}", diff.from.number)}</th><th scope="col">{format!("v{}", diff.to.number)}</th><th scope="col">"Change"</th><th scope="col">"Text"</th></tr></thead>
                                        <tbody>
                                            {diff.lines.into_iter().map(|line| {
                                                let (mark, label) = match line.kind.as_str() {
                                                    "added" => ("+", "added"),
                                                    "removed" => ("−", "removed"),
                                                    _ => (" ", "unchanged"),
                                                };
                                                view! {
                                                    <tr class=format!("diff__line diff__line--{}", line.kind)>
                                                        <td class="diff__number">{line.old_number.map(|n| n.to_string()).unwrap_or_default()}</td>
                                                        <td class="diff__number">{line.new_number.map(|n| n.to_string()).unwrap_or_default()}</td>
                                                        <td class="diff__mark"><span aria-label=label>{mark}</span></td>
                                                        <td class="diff__text"><code>{line.text}</code></td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }.into_any()
                        }
                        Err(error) => {
                            crate::pages::set_status(error.status());
                            view! {
                                <nav class="breadcrumbs" aria-label="Breadcrumb"><A href="/documents">"Documents"</A></nav>
                                <Title text="Compare" /><ErrorPanel error />
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}
