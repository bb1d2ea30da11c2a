//! The organisation's sites: the register grouped by region, and one site's details.

mod detail;
mod list;

pub use detail::SiteDetailPage;
pub use list::SitesPage;
