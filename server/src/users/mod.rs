//! User accounts: administrators create them, change role and scope, deactivate (never delete)
//! and reset passwords; every user changes their own password.

pub mod api;
pub mod repo;

use app::model::auth::{CurrentUser, Role, Scope};
use app::model::users::{NewUser, Page, User, UserQuery, UserUpdate};
use chrono::Utc;
use validator::ValidateEmail;

use crate::auth::policy::{self, Permission};
use crate::auth::service::normalise_email;
use crate::auth::{passwords, Actor, Credential};
use crate::db::{now_text, Db, WriteTx};
use crate::error::{Error, FieldError};
use crate::trail::{self, Change, Who};

/// Page size bounds for every paginated list.
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> (i64, i64, i64) {
    let per_page = per_page.unwrap_or(25).clamp(1, 100);
    let page = page.unwrap_or(1).max(1);
    (page, per_page, (page - 1) * per_page)
}

/// The scope a role gets from the code the administrator typed.
fn scope_for(role: Role, code: Option<&str>) -> Result<Scope, Error> {
    let code = code
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != "global");
    let scope = match (role, code) {
        (Role::Admin, None) | (Role::QualityOfficer, None) => Scope::Global,
        (Role::QualityOfficer | Role::RegionalManager, Some(code)) => {
            Scope::Region(code.to_uppercase())
        }
        (Role::SiteLead | Role::Staff, Some(code)) => Scope::Site(code.to_uppercase()),
        (Role::Admin, Some(_)) => {
            return Err(Error::invalid_field(
                "scope_code",
                "An administrator works across the whole network: leave the scope empty.",
            ))
        }
        (Role::RegionalManager, None) => {
            return Err(Error::invalid_field(
                "scope_code",
                "A regional manager needs a region code, e.g. EHA.",
            ))
        }
        (Role::SiteLead | Role::Staff, None) => {
            return Err(Error::invalid_field(
                "scope_code",
                "Site leads and staff need a site code, e.g. KEN-NBO.",
            ))
        }
    };
    debug_assert!(role.allows(&scope));
    Ok(scope)
}

/// Resolves a scope to its stored ids, or explains which code is unknown.
async fn stored_scope(
    tx: &mut WriteTx,
    scope: &Scope,
) -> Result<(Option<String>, Option<i64>), Error> {
    repo::resolve_scope(tx, scope).await?.ok_or_else(|| {
        let what = if matches!(scope, Scope::Region(_)) {
            "region"
        } else {
            "site"
        };
        Error::invalid_field(
            "scope_code",
            format!("There is no {what} with the code '{}'.", scope.code()),
        )
    })
}

fn check_name(name: &str) -> Result<String, FieldError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(FieldError {
            field: "name".into(),
            message: "Enter the person's name (at most 200 characters).".into(),
        });
    }
    Ok(name.to_string())
}

/// A user the administrator may manage; others are not found.
async fn manageable(tx: &mut WriteTx, id: i64) -> Result<repo::UserRow, Error> {
    repo::find_in(tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("There is no user with id {id}.")))
}

fn who(actor: &Actor) -> Who {
    Who::from(actor)
}

fn change(action: &'static str, user: &repo::UserRow) -> Change {
    Change::new(action, "user", user.id).site(user.site_code.clone(), user.home_region())
}

/// Creates an account with a temporary password (changed at first sign-in).
#[tracing::instrument(skip_all, fields(actor = actor.id()))]
pub async fn create(db: &Db, actor: &Actor, new: NewUser) -> Result<User, Error> {
    policy::require(actor, Permission::ManageUsers)?;
    let email = normalise_email(&new.email);
    let mut fields = Vec::new();
    if !email.validate_email() {
        fields.push(FieldError {
            field: "email".into(),
            message: "Enter a valid email address, e.g. name@example.org.".into(),
        });
    }
    let name = check_name(&new.name)
        .map_err(|f| fields.push(f))
        .unwrap_or_default();
    if let Some(message) = passwords::weakness(&new.password) {
        fields.push(FieldError {
            field: "password".into(),
            message,
        });
    }
    let scope = scope_for(new.role, new.scope_code.as_deref());
    if let Err(Error::Invalid {
        fields: scope_fields,
        ..
    }) = &scope
    {
        fields.extend(scope_fields.iter().cloned());
    }
    if !fields.is_empty() {
        return Err(Error::Invalid {
            message: "Please correct the highlighted fields.".into(),
            fields,
        });
    }
    let scope = scope?;
    let password_hash = passwords::hash(new.password).await?;

    let mut tx = db.begin_write().await?;
    if repo::email_taken(&mut tx, &email, 0).await? {
        return Err(Error::invalid_field(
            "email",
            "Another account already uses this email address.",
        ));
    }
    let (region_code, site_id) = stored_scope(&mut tx, &scope).await?;
    let row = repo::NewUserRow {
        email: &email,
        name: &name,
        role: new.role,
        region_code,
        site_id,
        password_hash: &password_hash,
        must_change_password: true,
    };
    let id = repo::insert(&mut tx, &row, &now_text()).await?;
    let created = manageable(&mut tx, id).await?;
    let user = created.user(Utc::now());
    trail::record(
        &mut tx,
        &who(actor),
        change("user.create", &created).after(&user),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// A page of users matching the filters.
pub async fn list(db: &Db, actor: &Actor, query: &UserQuery) -> Result<Page<User>, Error> {
    policy::require(actor, Permission::ManageUsers)?;
    let (page, per_page, offset) = paging(query.page, query.per_page);
    let (rows, total) = repo::list(db, query, per_page, offset).await?;
    let now = Utc::now();
    Ok(Page {
        items: rows.iter().map(|r| r.user(now)).collect(),
        total,
        page,
        per_page,
    })
}

pub async fn get(db: &Db, actor: &Actor, id: i64) -> Result<User, Error> {
    policy::require(actor, Permission::ManageUsers)?;
    repo::find(db, id)
        .await?
        .map(|row| row.user(Utc::now()))
        .ok_or_else(|| Error::NotFound(format!("There is no user with id {id}.")))
}

/// Changes name, role or scope. A new role must come with a fitting scope.
#[tracing::instrument(skip_all, fields(actor = actor.id(), user_id = id))]
pub async fn update(db: &Db, actor: &Actor, id: i64, update: UserUpdate) -> Result<User, Error> {
    policy::require(actor, Permission::ManageUsers)?;
    let mut tx = db.begin_write().await?;
    let current = manageable(&mut tx, id).await?;
    let before = current.user(Utc::now());
    let name = match &update.name {
        Some(name) => check_name(name).map_err(|f| Error::Invalid {
            message: f.message.clone(),
            fields: vec![f],
        })?,
        None => current.name.clone(),
    };
    let role = update.role.unwrap_or(current.role());
    let scope = match (&update.scope_code, current.scope()) {
        (Some(code), _) => scope_for(role, Some(code))?,
        // A new role without a new code keeps the old scope if it fits the role.
        (None, scope) if role.allows(&scope) => scope,
        (None, _) => scope_for(role, None)?,
    };
    if id == actor.id() && role != Role::Admin {
        return Err(Error::Conflict(
            "You cannot remove your own administrator role; ask another administrator.".into(),
        ));
    }
    let (region_code, site_id) = stored_scope(&mut tx, &scope).await?;
    repo::update_profile(&mut tx, id, &name, role, region_code, site_id, &now_text()).await?;
    let updated = manageable(&mut tx, id).await?;
    let after = updated.user(Utc::now());
    trail::record(
        &mut tx,
        &who(actor),
        change("user.update", &updated)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Deactivates (never deletes) an account and ends its sessions.
pub async fn set_active(db: &Db, actor: &Actor, id: i64, active: bool) -> Result<User, Error> {
    policy::require(actor, Permission::ManageUsers)?;
    if id == actor.id() && !active {
        return Err(Error::Conflict(
            "You cannot deactivate your own account.".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let current = manageable(&mut tx, id).await?;
    if (current.active != 0) == active {
        let state = if active { "active" } else { "deactivated" };
        return Err(Error::Conflict(format!("This account is already {state}.")));
    }
    let before = current.user(Utc::now());
    repo::set_active(&mut tx, id, active, &now_text()).await?;
    if !active {
        repo::delete_sessions_of(&mut tx, id, None).await?;
    }
    let updated = manageable(&mut tx, id).await?;
    let after = updated.user(Utc::now());
    let action = if active {
        "user.activate"
    } else {
        "user.deactivate"
    };
    trail::record(
        &mut tx,
        &who(actor),
        change(action, &updated).before(&before).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Sets a temporary password the user must change at next sign-in; ends their sessions.
pub async fn reset_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    temporary: String,
) -> Result<User, Error> {
    policy::require(actor, Permission::ManageUsers)?;
    if let Some(message) = passwords::weakness(&temporary) {
        return Err(Error::invalid_field("password", message));
    }
    let hash = passwords::hash(temporary).await?;
    let mut tx = db.begin_write().await?;
    let current = manageable(&mut tx, id).await?;
    repo::set_password(&mut tx, id, &hash, true, &now_text()).await?;
    repo::delete_sessions_of(&mut tx, id, None).await?;
    let updated = manageable(&mut tx, id).await?;
    let after = updated.user(Utc::now());
    // The trail says that the password changed, never what it is.
    trail::record(
        &mut tx,
        &who(actor),
        change("user.reset_password", &current).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The actor changes their own password; other sessions end, this one stays.
pub async fn change_own_password(
    db: &Db,
    actor: &Actor,
    current: String,
    new: String,
) -> Result<CurrentUser, Error> {
    if let Some(message) = passwords::weakness(&new) {
        return Err(Error::invalid_field("new_password", message));
    }
    if current == new {
        return Err(Error::invalid_field(
            "new_password",
            "Choose a password different from the current one.",
        ));
    }
    let row = repo::find(db, actor.id())
        .await?
        .ok_or_else(|| Error::Unauthorized("Please sign in again.".into()))?;
    if !passwords::verify(current, Some(row.password_hash.clone())).await? {
        return Err(Error::invalid_field(
            "current_password",
            "The current password is not correct.",
        ));
    }
    let hash = passwords::hash(new).await?;
    let mut tx = db.begin_write().await?;
    repo::set_password(&mut tx, actor.id(), &hash, false, &now_text()).await?;
    let keep = match &actor.credential {
        Credential::Cookie { session_hash } | Credential::Bearer { session_hash } => {
            Some(session_hash.as_str())
        }
        Credential::ApiToken { .. } => None,
    };
    repo::delete_sessions_of(&mut tx, actor.id(), keep).await?;
    trail::record(&mut tx, &who(actor), change("user.change_password", &row)).await?;
    tx.commit().await?;
    let mut user = row.current_user();
    user.must_change_password = false;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_has_sane_bounds() {
        assert_eq!(paging(None, None), (1, 25, 0));
        assert_eq!(paging(Some(3), Some(10)), (3, 10, 20));
        assert_eq!(paging(Some(0), Some(1000)), (1, 100, 0));
    }

    #[test]
    fn each_role_gets_the_scope_its_code_names() {
        assert_eq!(scope_for(Role::Admin, None).unwrap(), Scope::Global);
        assert_eq!(
            scope_for(Role::QualityOfficer, Some("global")).unwrap(),
            Scope::Global
        );
        assert_eq!(
            scope_for(Role::QualityOfficer, Some("eha")).unwrap(),
            Scope::Region("EHA".into())
        );
        assert_eq!(
            scope_for(Role::Staff, Some("ken-nbo")).unwrap(),
            Scope::Site("KEN-NBO".into())
        );
        assert!(scope_for(Role::RegionalManager, None).is_err());
        assert!(scope_for(Role::SiteLead, Some("")).is_err());
        assert!(scope_for(Role::Admin, Some("EHA")).is_err());
    }
}
