//! Notifications: stored once per person and condition, shown under the bell, e-mailed
//! immediately or in a daily digest.

use serde::{Deserialize, Serialize};

use super::users::Page;

text_enum! {
    /// How a person wants notifications by e-mail.
    EmailPreference {
        Immediate => "immediate", "Immediately, one e-mail each",
        Daily => "daily", "A daily digest",
        Off => "off", "No e-mail (in Attest only)",
    }
}

text_enum! {
    /// Where a notification's e-mail stands.
    EmailStatus {
        Pending => "pending", "Not sent yet",
        Sent => "sent", "E-mailed",
        Failed => "failed", "E-mail failed",
        Skipped => "skipped", "Not e-mailed",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    /// The condition it is about, e.g. `sop-review:12:2026-12-11:14-days`: stored once per key.
    pub key: String,
    pub title: String,
    pub body: String,
    /// Where the item is, e.g. `/documents/12`.
    pub link: String,
    pub created_at: String,
    pub read_at: Option<String>,
    pub email_status: EmailStatus,
}

/// One page of the caller's notifications with their unread count and e-mail setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationList {
    pub page: Page<Notification>,
    pub unread: i64,
    pub email_preference: EmailPreference,
    /// False when the server has no SMTP settings: nothing is e-mailed.
    pub email_enabled: bool,
}

/// Filters of the notification list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams, utoipa::ToSchema))]
pub struct NotificationQuery {
    /// Only unread ones.
    pub unread: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}
