use crate::helpers::{on_both_databases, TestApp};

on_both_databases!(seeding_the_demo_network_twice_creates_no_duplicates);

async fn seeding_the_demo_network_twice_creates_no_duplicates(app: TestApp) {
    app.seed_demo().await;
    let first = (
        app.count("regions").await,
        app.count("countries").await,
        app.count("sites").await,
        app.count("site_services").await,
        app.count("site_lab_tests").await,
        app.count("site_programmes").await,
    );
    assert_eq!((first.0, first.1, first.2), (6, 30, 36));
    app.seed_demo().await;
    let second = (
        app.count("regions").await,
        app.count("countries").await,
        app.count("sites").await,
        app.count("site_services").await,
        app.count("site_lab_tests").await,
        app.count("site_programmes").await,
    );
    assert_eq!(first, second);
}
