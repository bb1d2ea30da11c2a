//! Server functions for CAPAs.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::capa::{
    ActionInput, ActionUpdate, Capa, CapaAction, CapaComment, CapaQuery, CapaStep, CapaSummary,
    CapaUpdate, DueDays, NewCapa, StepInput,
};
use crate::model::documents::Person;
use crate::model::users::Page;

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "capas", input = Json)]
pub async fn list_capas(query: CapaQuery) -> Result<Page<CapaSummary>, AppError> {
    crate::backend::backend()?.list_capas(query).await
}

#[server(prefix = "/rpc", endpoint = "capas/get")]
pub async fn get_capa(id: i64) -> Result<Capa, AppError> {
    crate::backend::backend()?.capa(id).await
}

#[server(prefix = "/rpc", endpoint = "capas/create")]
pub async fn create_capa(capa: NewCapa) -> Result<Capa, AppError> {
    let created = crate::backend::backend()?.create_capa(capa).await?;
    crate::pages::redirect_after_form(&format!("/capas/{}", created.summary.id));
    Ok(created)
}

#[server(prefix = "/rpc", endpoint = "capas/update")]
pub async fn update_capa(id: i64, update: CapaUpdate) -> Result<Capa, AppError> {
    let capa = crate::backend::backend()?.update_capa(id, update).await?;
    crate::pages::redirect_plain_form(&format!("/capas/{id}"));
    Ok(capa)
}

#[server(prefix = "/rpc", endpoint = "capas/step")]
pub async fn take_capa_step(
    id: i64,
    step: CapaStep,
    // Steps that need nothing (start, submit the plan) post no `input` fields at all.
    #[server(default)] input: StepInput,
) -> Result<Capa, AppError> {
    let capa = crate::backend::backend()?
        .capa_step(id, step, input)
        .await?;
    crate::pages::redirect_plain_form(&format!("/capas/{id}"));
    Ok(capa)
}

#[server(prefix = "/rpc", endpoint = "capas/actions/add")]
pub async fn add_capa_action(id: i64, action: ActionInput) -> Result<CapaAction, AppError> {
    let added = crate::backend::backend()?
        .add_capa_action(id, action)
        .await?;
    crate::pages::redirect_plain_form(&format!("/capas/{id}#plan"));
    Ok(added)
}

#[server(prefix = "/rpc", endpoint = "capas/actions/update")]
pub async fn update_capa_action(
    id: i64,
    action_id: i64,
    update: ActionUpdate,
) -> Result<CapaAction, AppError> {
    let action = crate::backend::backend()?
        .update_capa_action(id, action_id, update)
        .await?;
    crate::pages::redirect_plain_form(&format!("/capas/{id}#plan"));
    Ok(action)
}

#[server(prefix = "/rpc", endpoint = "capas/comment")]
pub async fn comment_capa(id: i64, body: String) -> Result<CapaComment, AppError> {
    let comment = crate::backend::backend()?.comment_capa(id, body).await?;
    crate::pages::redirect_plain_form(&format!("/capas/{id}#comments"));
    Ok(comment)
}

#[server(prefix = "/rpc", endpoint = "capas/assignees")]
pub async fn capa_assignees(site: String) -> Result<Vec<Person>, AppError> {
    crate::backend::backend()?.capa_assignees(site).await
}

#[server(prefix = "/rpc", endpoint = "capas/settings")]
pub async fn capa_due_days() -> Result<DueDays, AppError> {
    crate::backend::backend()?.capa_due_days().await
}

#[server(prefix = "/rpc", endpoint = "capas/settings/save")]
pub async fn set_capa_due_days(days: DueDays) -> Result<DueDays, AppError> {
    let saved = crate::backend::backend()?.set_capa_due_days(days).await?;
    crate::pages::redirect_plain_form("/capas/settings");
    Ok(saved)
}
