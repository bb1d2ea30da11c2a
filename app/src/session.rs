//! The signed-in user as the server-rendered pages see it: one resource per request, and the
//! sign-in and sign-out actions.

use leptos::prelude::*;

use crate::api::account::{who_am_i, Login, Logout};
use crate::error::AppError;
use crate::model::auth::{CurrentUser, Role};

/// The signed-in user (or `None`), loaded with the page and reloaded after a sign-in or
/// sign-out, and the actions that change it.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

impl Session {
    /// Creates the session resources and provides them to every page.
    pub fn provide() -> Session {
        let login = ServerAction::<Login>::new();
        let logout = ServerAction::<Logout>::new();
        let user = Resource::new(
            move || (login.version().get(), logout.version().get()),
            |_| who_am_i(),
        );
        let session = Session {
            user,
            login,
            logout,
        };
        provide_context(session);
        session
    }
}

/// The session provided by the app.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// Whether the signed-in user has one of `roles` (false while loading or signed out).
pub fn has_role(session: Session, roles: &[Role]) -> bool {
    session
        .user
        .get()
        .and_then(Result::ok)
        .flatten()
        .is_some_and(|user| roles.contains(&user.role))
}
