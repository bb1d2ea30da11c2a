//! Server functions for administrators: users and the audit trail.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::users::{NewUser, Page, TrailEntry, TrailQuery, User, UserQuery, UserUpdate};

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "admin/users", input = Json)]
pub async fn list_users(query: UserQuery) -> Result<Page<User>, AppError> {
    crate::backend::backend()?.list_users(query).await
}

#[server(prefix = "/rpc", endpoint = "admin/users/get")]
pub async fn get_user(id: i64) -> Result<User, AppError> {
    crate::backend::backend()?.get_user(id).await
}

#[server(prefix = "/rpc", endpoint = "admin/users/create")]
pub async fn create_user(user: NewUser) -> Result<User, AppError> {
    crate::backend::backend()?.create_user(user).await
}

#[server(prefix = "/rpc", endpoint = "admin/users/update")]
pub async fn update_user(id: i64, update: UserUpdate) -> Result<User, AppError> {
    crate::backend::backend()?.update_user(id, update).await
}

#[server(prefix = "/rpc", endpoint = "admin/users/active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<User, AppError> {
    crate::backend::backend()?.set_user_active(id, active).await
}

#[server(prefix = "/rpc", endpoint = "admin/users/reset-password")]
pub async fn reset_password(id: i64, password: String) -> Result<User, AppError> {
    crate::backend::backend()?
        .reset_password(id, password)
        .await
}

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "admin/trail", input = Json)]
pub async fn audit_trail(query: TrailQuery) -> Result<Page<TrailEntry>, AppError> {
    crate::backend::backend()?.audit_trail(query).await
}
