//! Building blocks shared by several pages.

pub mod feedback;
pub mod layout;
