//! Cross-language search over the demo fair (the suite in `tests/data/search_queries.json`),
//! and recommendations whose reason is in the language the viewer chose.

use crate::both_engines;
use crate::helpers::*;
use expo_client::search_eval::{self, Suite};
use expo_client::Api;
use expo_schema::api::{
    BoothPage, ConceptLabel, ProductInput, RecommendationList, TaxonomyConceptDef, TaxonomyFile,
};
use std::collections::BTreeMap;

both_engines!(
    search_suite,
    recommendations_in_the_chosen_language,
    an_organizer_extends_the_taxonomy
);

async fn search_suite(engines: Engines) {
    let suite = Suite::parse(search_eval::SUITE).unwrap();
    assert!(suite.queries.len() >= 60);
    for lang in ["ko", "en", "zh", "ru", "mn", "ja"] {
        let n = suite.queries.iter().filter(|q| q.lang == lang).count();
        assert!(n >= 10, "{lang}: {n} queries");
    }
    for required in [
        "косметика",
        "화장품",
        "кимчи",
        "чай",
        "дрон",
        "人参",
        "化妆品",
        "無人機",
        "гоймон",
        "шин",
        "HACCP",
        "1905",
    ] {
        assert!(
            suite.queries.iter().any(|q| q.q == required),
            "{required} is in the suite"
        );
    }
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let buyer = app.demo_user("buyer@demo.expo").await;
    let report = search_eval::run(&buyer, &suite).await.unwrap();
    println!("{engines:?}\n{}", report.table());
    let misses: Vec<String> = report
        .results
        .iter()
        .filter(|r| !r.missing.is_empty())
        .map(|r| format!("{} ({}): missing {:?}", r.q, r.lang, r.missing))
        .collect();
    assert!(misses.is_empty(), "{misses:#?}");

    // Ranked: a booth that makes what the words name comes before one that only mentions them.
    let page = search(&buyer, "tea", Some("en")).await;
    let names: Vec<&str> = page
        .booths
        .iter()
        .map(|b| b.company.name.as_str())
        .collect();
    assert_eq!(names.first(), Some(&"Seorak Natural Foods"), "{names:?}");
    assert!(
        names.contains(&"Gangneung Ceramics"),
        "the tea set: {names:?}"
    );
    // Korean names in Latin letters, and the booth in the viewer's language.
    let page = search(&buyer, "seorak", Some("ko")).await;
    assert_eq!(page.booths.len(), 1);
    assert_eq!(page.booths[0].company.name, "설악내추럴푸드");
    // The products it found, in the viewer's language.
    let page = search(&buyer, "кимчи", Some("ru")).await;
    let names: Vec<&str> = page.booths[0]
        .matched_products
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["Highland Kimchi 1 kg"]);
    let page = search(&buyer, "1905", None).await;
    assert_eq!(
        page.booths[0].matched_products[0].name,
        "Puffed Rice Crackers"
    );
    // The taxonomy itself, labelled for pickers.
    let taxonomy = buyer.taxonomy(Some("mn")).await.unwrap();
    let noodles = taxonomy
        .concepts
        .iter()
        .find(|c| c.id == "noodles")
        .unwrap();
    assert_eq!(noodles.label, "гоймон");
    assert_eq!(noodles.parent.as_deref(), Some("food"));
    assert!(taxonomy.certifications.iter().any(|c| c == "HACCP"));
    // Words that match nothing still find nothing.
    let page = search(&buyer, "zzzyyyxxx", None).await;
    assert_eq!(page.total, 0);

    // An exhibitor's edit re-tags the booth at once: a new product with an HS heading.
    let (staff, _, company) = app.demo_exhibitor().await;
    let page = search(&buyer, "лапша", Some("ru")).await;
    assert!(page.booths.iter().all(|b| b.company.id != company));
    let udon = ProductInput {
        hs_code: Some("1902.30".into()),
        code: Some("SEO-UDON".into()),
        ..product_input("Wild Greens Udon")
    };
    let product = staff.create_product(company, &udon).await.unwrap();
    let page = search(&buyer, "лапша", Some("ru")).await;
    assert!(
        page.booths.iter().any(|b| b.company.id == company),
        "noodles by HS 1902"
    );
    // The exhibitor vetoes a concept the HS code gave (a tag "!" + the concept or a term).
    staff
        .update_product(
            product.id,
            &ProductInput {
                tags: strings(["!лапша"]),
                ..udon
            },
        )
        .await
        .unwrap();
    let page = search(&buyer, "лапша", Some("ru")).await;
    assert!(page.booths.iter().all(|b| b.company.id != company));
    let page = search(&buyer, "udon", Some("en")).await;
    assert!(
        page.booths.iter().any(|b| b.company.id == company),
        "its own words still find it"
    );
    app.stop().await;
}

async fn recommendations_in_the_chosen_language(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let label = |id: &str, label: &str| ConceptLabel {
        id: id.into(),
        label: label.into(),
    };

    // Ivan (Vladivostok) chose Russian; his browser may say anything else.
    let ivan = app.demo_user("buyer@demo.expo").await;
    let recs = ivan.recommendations(Some("ru")).await.unwrap();
    assert_eq!(recs.lang, "ru");
    let by_name = |recs: &RecommendationList, name: &str| {
        recs.recommendations
            .iter()
            .find(|r| r.booth.company.name == name)
            .unwrap_or_else(|| panic!("{name} is recommended"))
            .clone()
    };
    let seafood = by_name(&recs, "Sokcho Seafood Processing");
    assert_eq!(
        seafood.reason.makes,
        [
            label("food", "продукты питания"),
            label("seafood", "морепродукты")
        ]
    );
    assert_eq!(seafood.reason.staff_speak, ["ru"]);
    let cosmetics = by_name(&recs, "Donghae Deep Sea Cosmetics");
    assert_eq!(cosmetics.reason.makes, [label("cosmetics", "косметика")]);
    assert_eq!(cosmetics.reason.staff_speak, ["ru", "en"]);
    assert!(!cosmetics.reason.staffed_now);

    // Batbayar (Ulaanbaatar) chose Mongolian.
    let batbayar = app.demo_user("batbayar.dorj@demo.expo").await;
    let recs = batbayar.recommendations(Some("mn")).await.unwrap();
    assert_eq!(recs.lang, "mn");
    let pellets = by_name(&recs, "Gangwon Pellet Energy");
    assert_eq!(
        pellets.reason.makes,
        [label("energy", "эрчим хүч"), label("heating", "халаалт")]
    );
    assert_eq!(pellets.reason.staff_speak, ["mn", "ru"]);
    assert_eq!(
        recs.recommendations[0].booth.company.name,
        "Gangwon Pellet Energy"
    );

    // Both are described in the API document.
    let doc: serde_json::Value = app.api.get("/api/v1/openapi.json").await.unwrap();
    for schema in [
        "RecommendationReason",
        "ConceptLabel",
        "MatchedProduct",
        "TaxonomyView",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
    assert!(doc["paths"]["/api/v1/taxonomy"]["get"].is_object());
    app.stop().await;
}

async fn an_organizer_extends_the_taxonomy(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let buyer = app.demo_user("buyer@demo.expo").await;
    let admin = app.admin().await;
    let names = |page: &BoothPage| -> Vec<String> {
        page.booths.iter().map(|b| b.company.name.clone()).collect()
    };
    let page = search(&buyer, "kimuchi", None).await;
    assert_eq!(page.total, 0);

    // An organizer imports an extension: a spelling for kimchi and a new concept, honey.
    let extension = extension_of(vec![
        TaxonomyConceptDef {
            terms: terms(&[("en", &["kimuchi"])]),
            ..concept("kimchi")
        },
        TaxonomyConceptDef {
            parent: Some("food".into()),
            hs: strings(["0409"]),
            terms: terms(&[
                ("en", &["honey"]),
                ("ko", &["꿀"]),
                ("zh", &["蜂蜜"]),
                ("ru", &["мёд"]),
                ("mn", &["зөгийн бал"]),
                ("ja", &["はちみつ"]),
            ]),
            ..concept("honey")
        },
    ]);
    let refused = buyer.put_taxonomy_extension(&extension).await.unwrap_err();
    assert_eq!(refused.code(), Some(expo_schema::ErrorCode::Forbidden));
    let bad = admin
        .put_taxonomy_extension(&extension_of(vec![TaxonomyConceptDef {
            parent: Some("nowhere".into()),
            ..concept("x")
        }]))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Some(expo_schema::ErrorCode::Validation));
    let many: Vec<String> = (0..30_000).map(|n| format!("term{n}")).collect();
    let too_big = admin
        .put_taxonomy_extension(&extension_of(vec![TaxonomyConceptDef {
            terms: [("en".to_string(), many)].into(),
            ..concept("kimchi")
        }]))
        .await
        .unwrap_err();
    assert_eq!(too_big.code(), Some(expo_schema::ErrorCode::Validation));
    let view = admin.put_taxonomy_extension(&extension).await.unwrap();
    assert!(view.concepts.iter().any(|c| c.id == "honey"));
    let page = search(&buyer, "kimuchi", None).await;
    assert_eq!(names(&page), ["Pyeongchang Highland Greens"]);

    // A product under the new concept's HS heading is found in every language.
    let (staff, _, company) = app.demo_exhibitor().await;
    staff
        .create_product(
            company,
            &ProductInput {
                hs_code: Some("0409.00".into()),
                code: Some("SEO-HNY".into()),
                ..product_input("Seorak Wild Flower")
            },
        )
        .await
        .unwrap();
    for q in ["мёд", "꿀", "зөгийн бал"] {
        let page = search(&buyer, q, Some("en")).await;
        assert_eq!(names(&page), ["Seorak Natural Foods"], "{q}");
    }

    // Every node of the fair uses it at once: it lives in the store.
    let other = env.start().await;
    let buyer_b = other.demo_user("buyer@demo.expo").await;
    let page = search(&buyer_b, "kimuchi", None).await;
    assert_eq!(names(&page), ["Pyeongchang Highland Greens"]);
    let view = buyer_b.taxonomy(Some("mn")).await.unwrap();
    let honey = view.concepts.iter().find(|c| c.id == "honey").unwrap();
    assert_eq!(honey.label, "зөгийн бал");
    other.stop().await;
    app.stop().await;

    // EXPO_TAXONOMY_FILE is imported at start and replaces the extension.
    let path = env.data_dir.join("taxonomy-extra.json");
    std::fs::write(
        &path,
        r#"{"concepts": [{"id": "kimchi", "terms": {"en": ["gimchi"]}}]}"#,
    )
    .unwrap();
    let app = env
        .start_with(|c| c.taxonomy_file = Some(path.clone()))
        .await;
    let buyer = app.demo_user("buyer@demo.expo").await;
    let page = search(&buyer, "gimchi", None).await;
    assert_eq!(names(&page), ["Pyeongchang Highland Greens"]);
    let page = search(&buyer, "kimuchi", None).await;
    assert_eq!(page.total, 0);
    let admin = app.admin().await;
    let stored = admin.taxonomy_extension().await.unwrap();
    assert_eq!(stored.concepts[0].terms["en"][0], "gimchi");
    app.stop().await;
    // A file that is not a taxonomy stops the start.
    std::fs::write(&path, "{not json").unwrap();
    let mut config = env.config();
    config.taxonomy_file = Some(path);
    assert!(expo_server::App::build(config).await.is_err());
}

/// A taxonomy concept with only its id.
fn concept(id: &str) -> TaxonomyConceptDef {
    TaxonomyConceptDef {
        id: id.into(),
        parent: None,
        hs: vec![],
        text_hs: vec![],
        terms: BTreeMap::new(),
    }
}

/// Terms per language.
fn terms(by_lang: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    by_lang
        .iter()
        .map(|(lang, terms)| (lang.to_string(), strings_of(terms)))
        .collect()
}

/// An extension of these concepts (no certifications).
fn extension_of(concepts: Vec<TaxonomyConceptDef>) -> TaxonomyFile {
    TaxonomyFile {
        concepts,
        certifications: vec![],
    }
}

/// Searches the booths as `who` for `q`, in `lang` when given.
async fn search(who: &Api, q: &str, lang: Option<&str>) -> BoothPage {
    who.search_booths(&booth_query(q, lang)).await.unwrap()
}
