//! Server functions for signing in and out, the current user, passwords and API tokens.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::auth::CurrentUser;
use crate::model::users::{ApiToken, CreatedApiToken};

/// The signed-in user, or `None`.
#[server(prefix = "/rpc", endpoint = "account/current")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    crate::backend::backend()?.current_user().await
}

/// Signs in and sets the session cookie; with `next`, the browser is sent there afterwards.
#[server(prefix = "/rpc", endpoint = "account/login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<CurrentUser, AppError> {
    let next = crate::pages::safe_next(next.as_deref());
    let outcome = match crate::backend::backend()?.login(email, password).await {
        Ok(outcome) => outcome,
        Err(error) => {
            // Without JavaScript the form would come back blank: say on the page that it failed.
            crate::pages::redirect_plain_form(&format!(
                "/login?failed=1&next={}",
                crate::pages::encode_query_value(&next)
            ));
            return Err(error);
        }
    };
    crate::pages::set_cookie(&outcome.set_cookie);
    crate::pages::redirect_after_form(&next);
    Ok(outcome.user)
}

/// Signs out and clears the session cookie.
#[server(prefix = "/rpc", endpoint = "account/logout")]
pub async fn logout() -> Result<(), AppError> {
    let clear = crate::backend::backend()?.logout().await?;
    crate::pages::set_cookie(&clear);
    crate::pages::redirect_after_form("/login");
    Ok(())
}

/// Changes the signed-in user's password.
#[server(prefix = "/rpc", endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<CurrentUser, AppError> {
    let user = crate::backend::backend()?
        .change_password(current_password, new_password)
        .await?;
    crate::pages::redirect_after_form("/account?password=changed");
    Ok(user)
}

#[server(prefix = "/rpc", endpoint = "account/tokens")]
pub async fn list_tokens() -> Result<Vec<ApiToken>, AppError> {
    crate::backend::backend()?.list_tokens().await
}

#[server(prefix = "/rpc", endpoint = "account/tokens/create")]
pub async fn create_token(name: String) -> Result<CreatedApiToken, AppError> {
    crate::backend::backend()?.create_token(name).await
}

#[server(prefix = "/rpc", endpoint = "account/tokens/revoke")]
pub async fn revoke_token(id: i64) -> Result<ApiToken, AppError> {
    crate::backend::backend()?.revoke_token(id).await
}
