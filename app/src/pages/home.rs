//! The landing page: the network at a glance.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Redirect, A};

use crate::api::sites::list_sites;
use crate::components::feedback::{ErrorPanel, Loading};
use crate::model::auth::{CurrentUser, Role, Scope};
use crate::model::sites::{group_by_region, SiteSummary};
use crate::session::use_session;

/// How many sites of a group run a service.
fn count_service(sites: &[&SiteSummary], service: &str) -> usize {
    sites
        .iter()
        .filter(|s| s.services.iter().any(|x| x == service))
        .count()
}

/// "1 laboratory", "3 laboratories".
fn count_of(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Where a user's home page is: regional managers their region's dashboard, site leads their
/// site's, quality officers and administrators the network's (a regional quality officer their
/// region's); others (staff) the network overview below.
pub fn dashboard_of(user: &CurrentUser) -> Option<String> {
    match (user.role, &user.scope) {
        (Role::RegionalManager | Role::QualityOfficer, Scope::Region(code)) => {
            Some(format!("/dashboard/region/{code}"))
        }
        (Role::SiteLead, Scope::Site(code)) => Some(format!("/dashboard/site/{code}")),
        (Role::Admin, _) | (Role::QualityOfficer, Scope::Global) => Some("/dashboard".into()),
        _ => None,
    }
}

/// The signed-in user's dashboard, or the network overview for those without one.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                let user = session.user.await.ok().flatten();
                match user.as_ref().and_then(dashboard_of) {
                    Some(path) => view! { <Redirect path /> }.into_any(),
                    None => view! { <Overview /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Regions of the network with the number of sites and services in each.
#[component]
fn Overview() -> impl IntoView {
    let sites = Resource::new(|| (), |_| list_sites());
    view! {
        <Title text="Dashboard" />
        <section class="page">
            <h1>"Network overview"</h1>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match sites.await {
                        Ok(sites) => {
                            let total = sites.len();
                            let groups = group_by_region(&sites)
                                .into_iter()
                                .map(|g| {
                                    let href = format!("/sites?region={}", g.region_code);
                                    view! {
                                        <li class="card">
                                            <h2 class="card__title">{g.region_name.to_string()}</h2>
                                            <p class="card__figure">
                                                <strong>{g.sites.len()}</strong>
                                                {if g.sites.len() == 1 { " site" } else { " sites" }}
                                            </p>
                                            <p class="card__detail">
                                                {count_of(count_service(&g.sites, "lab"), "laboratory", "laboratories")}
                                                " · "
                                                {count_of(count_service(&g.sites, "radiology"), "radiology service", "radiology services")}
                                            </p>
                                            <A href=href>"See the sites"</A>
                                        </li>
                                    }
                                })
                                .collect_view();
                            view! {
                                <p class="lead">
                                    {format!(
                                        "{} in your view. Open a site to see its documents, audits, CAPAs and PT.",
                                        count_of(total, "assessment centre", "assessment centres"),
                                    )}
                                </p>
                                <ul class="card-grid">{groups}</ul>
                            }
                                .into_any()
                        }
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::count_of;

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count_of(1, "laboratory", "laboratories"), "1 laboratory");
        assert_eq!(count_of(0, "laboratory", "laboratories"), "0 laboratories");
        assert_eq!(
            count_of(25, "laboratory", "laboratories"),
            "25 laboratories"
        );
    }
}
