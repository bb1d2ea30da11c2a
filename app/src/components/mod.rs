//! Building blocks shared by several pages.

pub mod confirm;
pub mod feedback;
pub mod forms;
pub mod layout;
