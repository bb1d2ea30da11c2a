//! Server functions for the bell and the notifications page.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use crate::error::AppError;
use crate::model::notifications::{
    EmailPreference, Notification, NotificationList, NotificationQuery,
};

// Called from code with optional filters: JSON keeps `None` as `None`.
#[server(prefix = "/rpc", endpoint = "notifications/list", input = Json)]
pub async fn list_notifications(query: NotificationQuery) -> Result<NotificationList, AppError> {
    crate::backend::backend()?.notifications(query).await
}

/// The bell's count; 0 for a signed-out visitor (the bell is not shown then).
#[server(prefix = "/rpc", endpoint = "notifications/unread")]
pub async fn unread_notifications() -> Result<i64, AppError> {
    crate::backend::backend()?.unread_notifications().await
}

#[server(prefix = "/rpc", endpoint = "notifications/read")]
pub async fn mark_notification_read(id: i64) -> Result<Notification, AppError> {
    let read = crate::backend::backend()?
        .mark_notification_read(id)
        .await?;
    crate::pages::redirect_plain_form("/notifications");
    Ok(read)
}

#[server(prefix = "/rpc", endpoint = "notifications/read-all")]
pub async fn mark_all_notifications_read() -> Result<i64, AppError> {
    let count = crate::backend::backend()?
        .mark_all_notifications_read()
        .await?;
    crate::pages::redirect_plain_form("/notifications");
    Ok(count)
}

#[server(prefix = "/rpc", endpoint = "notifications/email-preference")]
pub async fn set_email_preference(preference: String) -> Result<EmailPreference, AppError> {
    let chosen = crate::backend::backend()?
        .set_email_preference(preference)
        .await?;
    crate::pages::redirect_after_form("/notifications?saved=email");
    Ok(chosen)
}
