//! Bulk import: halls, companies, staff and products from CSV and XLSX; re-import matches on
//! the keys; dry runs and bad files write nothing; only organizers import.

use crate::both_engines;
use crate::helpers::*;
use expo_client::Api;
use expo_schema::api::{CompanyList, ImportReport};
use expo_schema::Company;
use expo_schema::{ErrorBody, ErrorCode};

both_engines!(
    clean_import_creates_everything_once,
    reimport_updates_instead_of_duplicating,
    dry_run_counts_and_writes_nothing,
    bad_rows_import_nothing,
    findings_of_every_kind_are_coded,
    xlsx_imports_like_csv,
    only_organizers_import,
);

const HALLS: &str = "slug,name,industry,position
food,Food & Beverage,food,1
beauty,K-Beauty,beauty,2
";

/// With a BOM, header names in mixed case, a lower-case country code and quoted commas.
const COMPANIES: &str = "\u{feff}Reg_No,Name,Hall,Country,Region,Tagline,Description,Website,Founded_Year,Tags,Export_Countries,name_ko,tagline_ko
101-81-00001,Jeju Green Tea,food,KR,Jeju,\"Organic tea, from Jeju\",Family tea farm since 1985.,https://jejutea.example,1985,Tea; organic;health-food,RU;MN,제주 녹차,제주의 유기농 차
101-81-00002,Seoul Glow Cosmetics,beauty,kr,Seoul,Sheet masks that work,,https://glow.example,2012,cosmetics;skincare,RU;KZ,,
101-81-00003,Busan Seafood,food,KR,Busan,Frozen seafood,,,,seafood,,,
";

const STAFF: &str = "reg_no,email,name,languages,company_admin
101-81-00001,Kim.Tea@jejutea.example,Kim Min-ji,ko;en;ru,yes
101-81-00001,lee@jejutea.example,Lee Jun,ko,no
101-81-00002,park@glow.example,Park Soo,ko;en,
";

const PRODUCTS: &str = "reg_no,code,name,description,hs_code,category,tags,min_order,price_range,certifications,name_ko,description_ko
101-81-00001,JT-01,Green tea leaves,First flush,0902.10,tea,tea;organic,100 kg,$20-30/kg,USDA Organic;HACCP,녹차 잎,첫물차
101-81-00001,JT-02,Matcha powder,,0902.20,tea,matcha,50 kg,,,,
101-81-00002,SG-01,Hydrogel mask,,3304.99,skincare,mask,1000 pcs,,CPNP,,
101-81-00003,BS-01,Frozen squid,,0307.43,seafood,squid,1 t,,,,
";

/// Posts a file to the import endpoint; the status and the raw body.
async fn upload(api: &Api, path: &str, body: Vec<u8>) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", api.base()))
        .bearer_auth(api.token().expect("signed in"))
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("a body"))
}

/// Imports a file and returns the report, checking that the status goes with it.
async fn import(api: &Api, kind: &str, dry_run: bool, body: impl Into<Vec<u8>>) -> ImportReport {
    let path = format!("/api/v1/import/{kind}?dry_run={dry_run}");
    let (status, text) = upload(api, &path, body.into()).await;
    let report: ImportReport =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text}: {e}"));
    let expected = if report.errors.is_empty() { 200 } else { 422 };
    assert_eq!(status, expected, "{report:?}");
    assert_eq!(report.kind, kind);
    assert_eq!(report.dry_run, dry_run);
    assert_eq!(report.applied, !dry_run && report.errors.is_empty());
    // Clients word findings themselves: every one has a code (the English is for people
    // reading the JSON), and every param of it is named.
    for finding in &report.errors {
        let code = finding
            .code
            .as_deref()
            .unwrap_or_else(|| panic!("{finding:?}"));
        assert!(code.starts_with("import."), "{finding:?}");
    }
    report
}

/// (code, params) of each finding.
fn coded(report: &ImportReport) -> Vec<(&str, Vec<(&str, &str)>)> {
    report
        .errors
        .iter()
        .map(|e| {
            let params = e
                .params
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            (e.code.as_deref().unwrap_or(""), params)
        })
        .collect()
}

/// A finding as [`coded`] lists it (params in any order).
fn finding<'a>(code: &'a str, params: &[(&'a str, &'a str)]) -> (&'a str, Vec<(&'a str, &'a str)>) {
    let mut params = params.to_vec();
    params.sort();
    (code, params)
}

/// (rows, created, updated, unchanged, invitations)
/// Imports and counts what the report says (see `counts`).
async fn import_counts(
    api: &Api,
    kind: &str,
    dry_run: bool,
    body: impl Into<Vec<u8>>,
) -> (usize, usize, usize, usize, usize) {
    counts(&import(api, kind, dry_run, body).await)
}

fn counts(report: &ImportReport) -> (usize, usize, usize, usize, usize) {
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    (
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        report.invitations,
    )
}

async fn import_all(admin: &Api) {
    assert_eq!(
        counts(&import(admin, "halls", false, HALLS).await),
        (2, 2, 0, 0, 0)
    );
    assert_eq!(
        counts(&import(admin, "companies", false, COMPANIES).await),
        (3, 3, 0, 0, 0)
    );
    assert_eq!(
        counts(&import(admin, "staff", false, STAFF).await),
        (3, 3, 0, 0, 3)
    );
    assert_eq!(
        counts(&import(admin, "products", false, PRODUCTS).await),
        (4, 4, 0, 0, 0)
    );
}

async fn companies(api: &Api) -> CompanyList {
    api.companies(None, None).await.unwrap()
}

fn company_id(list: &CompanyList, reg_no: &str) -> i64 {
    by_reg_no(list, reg_no).id
}

/// The listed company with this registration number.
fn by_reg_no<'a>(list: &'a CompanyList, reg_no: &str) -> &'a Company {
    list.companies
        .iter()
        .find(|c| c.reg_no == reg_no)
        .unwrap_or_else(|| panic!("company {reg_no} exists"))
}

async fn clean_import_creates_everything_once(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    import_all(&admin).await;

    let halls = admin.halls().await.unwrap();
    let summary: Vec<_> = halls
        .halls
        .iter()
        .map(|h| (h.slug.as_str(), h.name.as_str(), h.company_count))
        .collect();
    assert_eq!(
        summary,
        vec![("food", "Food & Beverage", 2), ("beauty", "K-Beauty", 1)]
    );

    let list = companies(&admin).await;
    assert_eq!(list.companies.len(), 3);
    let glow = by_reg_no(&list, "101-81-00002");
    assert_eq!(glow.country, "KR", "country codes are upper-cased");
    assert_eq!(glow.export_countries, vec!["RU", "KZ"]);
    let tea = by_reg_no(&list, "101-81-00001");
    assert_eq!(tea.name, "Jeju Green Tea");
    assert_eq!(tea.tagline.as_deref(), Some("Organic tea, from Jeju"));
    assert_eq!(tea.founded_year, Some(1985));
    assert_eq!(tea.tags, vec!["tea", "organic", "health-food"]);
    assert_eq!(tea.hall_id, Some(halls.halls[0].id));

    let korean = admin.company(tea.id, Some("ko")).await.unwrap();
    assert_eq!(korean.company.name, "제주 녹차");
    assert_eq!(korean.company.tagline.as_deref(), Some("제주의 유기농 차"));
    assert_eq!(korean.company.lang, "ko");
    assert_eq!(korean.hall_name.as_deref(), Some("Food & Beverage"));
    let products: Vec<_> = korean
        .products
        .iter()
        .map(|p| (p.code.as_deref().unwrap_or(""), p.name.as_str()))
        .collect();
    assert_eq!(
        products,
        vec![("JT-01", "녹차 잎"), ("JT-02", "Matcha powder")]
    );
    let leaves = &korean.products[0];
    assert_eq!(leaves.description.as_deref(), Some("첫물차"));
    assert_eq!(leaves.hs_code.as_deref(), Some("0902.10"));
    assert_eq!(leaves.certifications, vec!["usda organic", "haccp"]);
    assert!(korean.languages.contains(&"ko".to_string()));
    // Without Korean texts the booth stays in English.
    let busan = admin
        .company(company_id(&list, "101-81-00003"), Some("ko"))
        .await
        .unwrap();
    assert_eq!(busan.company.name, "Busan Seafood");
    assert_eq!(busan.company.lang, "en");

    // The imported products are searchable: the search documents were rebuilt.
    let found = admin
        .search_booths(&booth_query("squid", None))
        .await
        .unwrap();
    let names: Vec<_> = found
        .booths
        .iter()
        .map(|b| b.company.name.as_str())
        .collect();
    assert_eq!(names, vec!["Busan Seafood"]);
    app.stop().await;
}

async fn reimport_updates_instead_of_duplicating(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    import_all(&admin).await;

    assert_eq!(
        import_counts(&admin, "halls", false, HALLS).await,
        (2, 0, 0, 2, 0)
    );
    assert_eq!(
        import_counts(&admin, "companies", false, COMPANIES).await,
        (3, 0, 0, 3, 0)
    );
    assert_eq!(
        import_counts(&admin, "staff", false, STAFF).await,
        (3, 0, 0, 3, 0)
    );
    assert_eq!(
        import_counts(&admin, "products", false, PRODUCTS).await,
        (4, 0, 0, 4, 0)
    );
    let halls = admin.halls().await.unwrap();
    assert_eq!(halls.halls.len(), 2);
    let list = companies(&admin).await;
    assert_eq!(list.companies.len(), 3);
    let detail = admin
        .company(company_id(&list, "101-81-00001"), None)
        .await
        .unwrap();
    assert_eq!(detail.products.len(), 2);

    let changed = COMPANIES.replace("Sheet masks that work", "Masks that really work");
    assert_eq!(
        import_counts(&admin, "companies", false, changed.clone()).await,
        (3, 0, 1, 2, 0)
    );
    let list = companies(&admin).await;
    assert_eq!(list.companies.len(), 3);
    let glow = by_reg_no(&list, "101-81-00002");
    assert_eq!(glow.tagline.as_deref(), Some("Masks that really work"));
    // And once more, nothing changes.
    assert_eq!(
        import_counts(&admin, "companies", false, changed).await,
        (3, 0, 0, 3, 0)
    );

    // A file with only some columns leaves the others alone.
    let partial =
        "reg_no,code,price_range\n101-81-00001,JT-02,$40-50/kg\n101-81-00001,JT-01,$20-30/kg\n";
    assert_eq!(
        import_counts(&admin, "products", false, partial).await,
        (2, 0, 1, 1, 0)
    );
    let detail = admin
        .company(company_id(&list, "101-81-00001"), None)
        .await
        .unwrap();
    let matcha = detail
        .products
        .iter()
        .find(|p| p.code.as_deref() == Some("JT-02"))
        .unwrap();
    assert_eq!(matcha.name, "Matcha powder");
    assert_eq!(matcha.price_range.as_deref(), Some("$40-50/kg"));
    assert_eq!(matcha.tags, vec!["matcha"]);
    app.stop().await;
}

async fn dry_run_counts_and_writes_nothing(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    assert_eq!(
        import_counts(&admin, "halls", true, HALLS).await,
        (2, 2, 0, 0, 0)
    );
    let halls = admin.halls().await.unwrap();
    assert!(halls.halls.is_empty());

    assert_eq!(
        import_counts(&admin, "halls", false, HALLS).await,
        (2, 2, 0, 0, 0)
    );
    assert_eq!(
        import_counts(&admin, "companies", true, COMPANIES).await,
        (3, 3, 0, 0, 0)
    );
    assert!(companies(&admin).await.companies.is_empty());

    assert_eq!(
        import_counts(&admin, "companies", false, COMPANIES).await,
        (3, 3, 0, 0, 0)
    );
    assert_eq!(
        import_counts(&admin, "staff", true, STAFF).await,
        (3, 3, 0, 0, 3)
    );
    // Still three invitations to send: the dry run sent none.
    assert_eq!(
        import_counts(&admin, "staff", false, STAFF).await,
        (3, 3, 0, 0, 3)
    );

    let changed = COMPANIES.replace("Frozen seafood", "Fresh from Busan");
    assert_eq!(
        import_counts(&admin, "companies", true, changed).await,
        (3, 0, 1, 2, 0)
    );
    let list = companies(&admin).await;
    let busan = by_reg_no(&list, "101-81-00003");
    assert_eq!(busan.tagline.as_deref(), Some("Frozen seafood"));

    assert_eq!(
        import_counts(&admin, "products", true, PRODUCTS).await,
        (4, 4, 0, 0, 0)
    );
    let detail = admin.company(busan.id, None).await.unwrap();
    assert!(detail.products.is_empty());
    app.stop().await;
}

/// (row, column) of each error.
fn places(report: &ImportReport) -> Vec<(usize, &str)> {
    report
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_deref().unwrap_or("")))
        .collect()
}

async fn bad_rows_import_nothing(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    import(&admin, "halls", false, HALLS).await;

    let bad = "reg_no,name,hall,country,colour
101-81-00001,Jeju Green Tea,food,KR,green
101-81-00002,Seoul Glow,beauty,Korea,
101-81-00003,Busan Seafood,food-x,KR,
101-81-00001,Jeju Again,food,KR,
101-81-00004,,food,KR,
101-81-00005,Daegu Textiles,,KR,
";
    let report = import(&admin, "companies", false, bad).await;
    assert!(!report.applied);
    assert_eq!(report.rows, 6);
    assert_eq!(
        places(&report),
        vec![
            (1, "colour"),
            (3, "country"),
            (4, "hall"),
            (5, "reg_no"),
            (6, "name")
        ],
        "{:?}",
        report.errors
    );
    let messages: Vec<_> = report.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages[0].starts_with("unknown column \"colour\""),
        "{}",
        messages[0]
    );
    assert_eq!(
        messages[1],
        "country \"Korea\" is not a two-letter country code"
    );
    assert_eq!(messages[2], "hall \"food-x\" does not exist");
    assert_eq!(messages[3], "reg_no \"101-81-00001\" repeats row 2");
    assert_eq!(messages[4], "name is required");
    let codes = coded(&report);
    assert_eq!(codes[0].0, "import.unknown_column");
    assert!(codes[0].1.contains(&("column", "colour")), "{codes:?}");
    assert!(codes[0]
        .1
        .iter()
        .any(|(k, v)| *k == "columns" && v.contains("reg_no")));
    assert_eq!(
        codes[1..],
        [
            finding(
                "import.bad_country",
                &[("column", "country"), ("value", "Korea")]
            ),
            finding(
                "import.unknown_hall",
                &[("column", "hall"), ("value", "food-x")]
            ),
            finding(
                "import.duplicate_in_file",
                &[
                    ("column", "reg_no"),
                    ("value", "101-81-00001"),
                    ("first_row", "2")
                ]
            ),
            finding("import.required", &[("column", "name")]),
        ]
    );
    // The good rows were counted, but nothing at all was written.
    assert_eq!(
        (report.created, report.updated, report.unchanged),
        (2, 0, 0)
    );
    assert!(companies(&admin).await.companies.is_empty());
    // A dry run of the same file answers the same.
    let dry = import(&admin, "companies", true, bad).await;
    assert_eq!(places(&dry), places(&report));

    // Staff: an organizer's email, an unknown company, a bad flag, a repeated email.
    import(&admin, "companies", false, COMPANIES).await;
    let staff = format!(
        "reg_no,email,name,company_admin
101-81-00001,new@jejutea.example,New Person,no
101-81-00001,{ADMIN_EMAIL},Admin,no
999-99-99999,who@nowhere.example,Nobody,no
101-81-00001,flag@jejutea.example,Flag,maybe
101-81-00002,NEW@jejutea.example,Twice,no
101-81-00002,not-an-email,Broken,no
"
    );
    let report = import(&admin, "staff", false, staff).await;
    assert_eq!(
        places(&report),
        vec![
            (3, "email"),
            (4, "reg_no"),
            (5, "company_admin"),
            (6, "email"),
            (7, "email")
        ],
        "{:?}",
        report.errors
    );
    assert_eq!(
        coded(&report),
        [
            finding(
                "import.not_staff",
                &[
                    ("column", "email"),
                    ("value", ADMIN_EMAIL),
                    ("role", "organizer")
                ]
            ),
            finding(
                "import.unknown_company",
                &[("column", "reg_no"), ("value", "999-99-99999")]
            ),
            finding(
                "import.bad_flag",
                &[("column", "company_admin"), ("value", "maybe")]
            ),
            finding(
                "import.duplicate_in_file",
                &[
                    ("column", "email"),
                    ("value", "new@jejutea.example"),
                    ("first_row", "2")
                ]
            ),
            finding(
                "import.bad_email",
                &[("column", "email"), ("value", "not-an-email")]
            ),
        ]
    );
    assert_eq!((report.created, report.invitations), (1, 1));
    // The one good invitation was not sent: importing the good row alone still creates it.
    let good = "reg_no,email,name\n101-81-00001,new@jejutea.example,New Person\n";
    assert_eq!(
        import_counts(&admin, "staff", false, good).await,
        (1, 1, 0, 0, 1)
    );

    // Products: an unknown company, a bad HS code, a missing code.
    let products = "reg_no,code,name,hs_code
101-81-00001,JT-01,Green tea leaves,0902.10
999-99-99999,X-01,Ghost,0902.10
101-81-00001,JT-03,Odd code,tea
101-81-00001,,No code,
";
    let report = import(&admin, "products", false, products).await;
    assert_eq!(
        places(&report),
        vec![(3, "reg_no"), (4, "hs_code"), (5, "code")],
        "{:?}",
        report.errors
    );
    assert_eq!(
        coded(&report),
        [
            finding(
                "import.unknown_company",
                &[("column", "reg_no"), ("value", "999-99-99999")]
            ),
            finding(
                "import.bad_product_hs_code",
                &[("column", "hs_code"), ("value", "tea")]
            ),
            finding("import.required", &[("column", "code")]),
        ]
    );
    let list = companies(&admin).await;
    let detail = admin
        .company(company_id(&list, "101-81-00001"), None)
        .await
        .unwrap();
    assert!(detail.products.is_empty());

    // A file that is not a table at all.
    let report = import(&admin, "halls", false, Vec::new()).await;
    assert_eq!(places(&report), vec![(1, "")]);
    assert_eq!(coded(&report), [finding("import.empty_file", &[])]);
    let report = import(
        &admin,
        "halls",
        false,
        b"PK\x03\x04 not really a zip".to_vec(),
    )
    .await;
    assert_eq!(report.errors.len(), 1);
    assert!(
        report.errors[0].message.contains("XLSX"),
        "{:?}",
        report.errors
    );
    assert_eq!(coded(&report), [finding("import.bad_xlsx", &[])]);
    app.stop().await;
}

/// The findings of halls, companies, staff and products files, and of their header rows,
/// come as codes with params, as the buyers' do: the import page words them.
async fn findings_of_every_kind_are_coded(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    import(&admin, "halls", false, HALLS).await;

    // Halls: a bad slug, a name too long, a position that is no number.
    let long = "x".repeat(121);
    let halls =
        format!("slug,name,industry,position\nFood Hall,Food,food,1\ndrinks,{long},drinks,x\n");
    let report = import(&admin, "halls", true, halls).await;
    assert_eq!(
        coded(&report),
        [
            finding(
                "import.bad_slug",
                &[("column", "slug"), ("value", "Food Hall"), ("max", "60")]
            ),
            finding("import.too_long", &[("column", "name"), ("max", "120")]),
            finding(
                "import.bad_number",
                &[("column", "position"), ("value", "x")]
            ),
        ]
    );
    assert_eq!(
        places(&report),
        vec![(2, "slug"), (3, "name"), (3, "position")]
    );
    assert_eq!(
        report.errors[1].message,
        "name may have at most 120 characters"
    );

    // Companies: an unknown hall and a name too long, then the shared validator's refusals
    // (a website, a year, a translated name), each on its own column.
    let companies = format!(
        "reg_no,name,hall,country,website,founded_year,name_ko,tags
101-81-00009,{long},nowhere,KR,ftp://x.example,1700,{long},
101-81-00010,Fine,food,KR,,next year,,{}
",
        "t".repeat(41)
    );
    let report = import(&admin, "companies", true, companies).await;
    assert_eq!(
        coded(&report),
        [
            finding(
                "import.unknown_hall",
                &[("column", "hall"), ("value", "nowhere")]
            ),
            finding("import.too_long", &[("column", "name"), ("max", "120")]),
            finding(
                "import.bad_url",
                &[("column", "website"), ("value", "ftp://x.example")]
            ),
            finding(
                "import.out_of_range",
                &[
                    ("column", "founded_year"),
                    ("value", "1700"),
                    ("min", "1800"),
                    ("max", "2100")
                ]
            ),
            finding("import.too_long", &[("column", "name_ko"), ("max", "120")]),
            finding(
                "import.bad_number",
                &[("column", "founded_year"), ("value", "next year")]
            ),
            finding(
                "import.tag_too_long",
                &[
                    ("column", "tags"),
                    ("value", &"t".repeat(41)),
                    ("max", "40")
                ]
            ),
        ],
        "{:?}",
        report.errors
    );
    assert_eq!(
        report.errors[4].message,
        "name_ko may have at most 120 characters"
    );

    // Staff: the same email twice (in another case), and a bad language code.
    import(&admin, "companies", false, COMPANIES).await;
    let staff = "reg_no,email,name,languages
101-81-00001,kim@jejutea.example,Kim,ko
101-81-00001,KIM@jejutea.example,Kim again,ko
101-81-00001,lee@jejutea.example,Lee,korean
";
    let report = import(&admin, "staff", true, staff).await;
    assert_eq!(
        coded(&report),
        [
            finding(
                "import.duplicate_in_file",
                &[
                    ("column", "email"),
                    ("value", "kim@jejutea.example"),
                    ("first_row", "2")
                ]
            ),
            finding(
                "import.bad_language_code",
                &[("column", "languages"), ("value", "korean")]
            ),
        ]
    );

    // Products: a bad HS code, and a translated description too long.
    let products = format!(
        "reg_no,code,name,hs_code,description_ru\n101-81-00001,JT-09,Tea,33x,{}\n",
        "д".repeat(5001)
    );
    let report = import(&admin, "products", true, products).await;
    assert_eq!(
        coded(&report),
        [
            finding(
                "import.bad_product_hs_code",
                &[("column", "hs_code"), ("value", "33x")]
            ),
            finding(
                "import.too_long",
                &[("column", "description_ru"), ("max", "5000")]
            ),
        ]
    );

    // Header rows: a missing key column, a repeated column, a value under no column name,
    // a file separated by semicolons.
    let report = import(
        &admin,
        "staff",
        true,
        "reg_no,name,name\n101-81-00001,A,B,C\n",
    )
    .await;
    assert_eq!(
        coded(&report),
        [
            finding("import.duplicate_column", &[("column", "name")]),
            finding("import.missing_column", &[("column", "email")]),
            finding("import.unnamed_column", &[("position", "4")]),
        ]
    );
    assert_eq!(places(&report), vec![(1, "name"), (1, "email"), (2, "")]);
    let report = import(
        &admin,
        "halls",
        true,
        "slug;name;industry\nfood;Food;food\n",
    )
    .await;
    assert_eq!(
        report.errors[0].code.as_deref(),
        Some("import.wrong_separator")
    );
    assert_eq!(report.errors[0].params["column"], "slug;name;industry");
    // A CSV that is not UTF-8.
    let report = import(
        &admin,
        "halls",
        true,
        b"slug,name,industry\nf\xffod,Food,food\n".to_vec(),
    )
    .await;
    assert_eq!(coded(&report), [finding("import.not_utf8", &[])]);
    assert_eq!(places(&report), vec![(2, "")]);
    app.stop().await;
}

fn companies_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        "reg_no",
        "name",
        "hall",
        "country",
        "region",
        "tagline",
        "description",
        "website",
        "founded_year",
        "tags",
        "export_countries",
        "name_ko",
        "tagline_ko",
    ];
    for (col, name) in header.iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    let rows: [[&str; 13]; 3] = [
        [
            "101-81-00001",
            "Jeju Green Tea",
            "food",
            "KR",
            "Jeju",
            "Organic tea, from Jeju",
            "Family tea farm since 1985.",
            "https://jejutea.example",
            "1985",
            "Tea; organic;health-food",
            "RU;MN",
            "제주 녹차",
            "제주의 유기농 차",
        ],
        [
            "101-81-00002",
            "Seoul Glow Cosmetics",
            "beauty",
            "kr",
            "Seoul",
            "Sheet masks that work",
            "",
            "https://glow.example",
            "2012",
            "cosmetics;skincare",
            "RU;KZ",
            "",
            "",
        ],
        [
            "101-81-00003",
            "Busan Seafood",
            "food",
            "KR",
            "Busan",
            "Frozen seafood",
            "",
            "",
            "",
            "seafood",
            "",
            "",
            "",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (col, value) in row.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            if header[col] == "founded_year" {
                // A year typed as a number, as spreadsheets do.
                sheet
                    .write_number(r, col as u16, value.parse::<f64>().unwrap())
                    .unwrap();
            } else {
                sheet.write_string(r, col as u16, *value).unwrap();
            }
        }
    }
    // A second sheet is ignored: only the first is read.
    book.add_worksheet().write_string(0, 0, "notes").unwrap();
    book.save_to_buffer().unwrap()
}

async fn xlsx_imports_like_csv(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    import(&admin, "halls", false, HALLS).await;
    let xlsx = companies_xlsx();
    assert!(xlsx.starts_with(b"PK\x03\x04"));
    assert_eq!(
        import_counts(&admin, "companies", true, xlsx.clone()).await,
        (3, 3, 0, 0, 0)
    );
    assert_eq!(
        import_counts(&admin, "companies", false, xlsx.clone()).await,
        (3, 3, 0, 0, 0)
    );
    let list = companies(&admin).await;
    assert_eq!(list.companies.len(), 3);
    let tea = by_reg_no(&list, "101-81-00001");
    assert_eq!(tea.founded_year, Some(1985));
    assert_eq!(tea.tags, vec!["tea", "organic", "health-food"]);
    let korean = admin.company(tea.id, Some("ko")).await.unwrap();
    assert_eq!(korean.company.name, "제주 녹차");
    // The CSV of the same companies and the workbook are the same data.
    assert_eq!(
        import_counts(&admin, "companies", false, COMPANIES).await,
        (3, 0, 0, 3, 0)
    );
    assert_eq!(
        import_counts(&admin, "companies", false, xlsx).await,
        (3, 0, 0, 3, 0)
    );
    app.stop().await;
}

async fn only_organizers_import(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let buyer = app.buyer("buyer@import.test").await;
    let (status, text) = upload(&buyer, "/api/v1/import/halls", HALLS.into()).await;
    assert_eq!(status, 403);
    let error: ErrorBody = serde_json::from_str(&text).unwrap();
    assert_eq!(error.code, ErrorCode::Forbidden);

    let admin = app.admin().await;
    let halls = admin.halls().await.unwrap();
    assert!(halls.halls.is_empty());
    let (status, text) = upload(&admin, "/api/v1/import/booths", HALLS.into()).await;
    assert_eq!(status, 404, "{text}");
    let too_big = vec![b'a'; 10 * 1024 * 1024 + 1];
    let (status, text) = upload(&admin, "/api/v1/import/halls", too_big).await;
    assert_eq!(status, 413, "{text}");
    let error: ErrorBody = serde_json::from_str(&text).unwrap();
    assert_eq!(error.code, ErrorCode::MessageTooLarge);

    // The endpoint is in the API document.
    let doc: serde_json::Value = app.api.get("/api/v1/openapi.json").await.unwrap();
    let post = &doc["paths"]["/api/v1/import/{kind}"]["post"];
    assert!(post["responses"]["422"].is_object(), "{post}");
    app.stop().await;
}
