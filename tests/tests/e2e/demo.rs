//! The demo fair loads once, whatever happens, and shows a real fair.

use crate::both_engines;
use crate::helpers::*;
use expo_schema::api::{CompanyDetail, CompanyList, FairSummary, HallList};

both_engines!(demo_fair_loads_once);

async fn demo_fair_loads_once(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let (api, _) = app
        .api
        .login("buyer@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let first: FairSummary = api.get("/api/v1/fair").await.unwrap();
    assert_eq!(first.halls, 8);
    assert_eq!(first.companies, 40);
    assert!(first.products >= 80);
    assert_eq!(first.buyers, 20);
    assert!(first.buyer_countries >= 5);
    assert_eq!(first.interpreters, 6);
    let halls: HallList = api.get("/api/v1/halls").await.unwrap();
    assert!(halls.halls.iter().all(|h| h.company_count == 5));
    let companies: CompanyList = api
        .get(&format!("/api/v1/companies?hall_id={}", halls.halls[0].id))
        .await
        .unwrap();
    assert_eq!(companies.companies.len(), 5);
    let detail: CompanyDetail = api
        .get(&format!("/api/v1/companies/{}", companies.companies[0].id))
        .await
        .unwrap();
    assert!(!detail.products.is_empty());
    assert!(!detail.staff.is_empty());
    app.stop().await;

    // A restart with --demo, and a second node at once, change nothing.
    let (a, b) = tokio::join!(
        env.start_with(|c| c.demo = true),
        env.start_with(|c| c.demo = true)
    );
    let (api, _) = a.api.login("buyer@demo.expo", DEMO_PASSWORD).await.unwrap();
    let again: FairSummary = api.get("/api/v1/fair").await.unwrap();
    assert_eq!(again.companies, first.companies);
    assert_eq!(again.products, first.products);
    assert_eq!(again.buyers, first.buyers);
    a.stop().await;
    b.stop().await;
}
