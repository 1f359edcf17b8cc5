//! Virtual booths: editing, uploads, live visitors and staff on duty, leads, search and the
//! permission rules, on both engine pairs.

use crate::both_engines;
use crate::helpers::*;
use expo_client::api::{BoothQuery, UploadQuery};
use expo_client::{Api, Hub, Incoming};
use expo_schema::api::*;
use expo_schema::protocol::{Command, ReplyData, RoomEvent, ServerFrame};
use expo_schema::{BoothLive, Company, ErrorCode, Role};
use std::time::Duration;

both_engines!(
    a_booth_from_creation_to_leads,
    search_and_filters,
    forbidden_booth_actions,
    bad_uploads_leave_nothing,
    leads_respect_consent,
);

/// A small but real PDF.
pub fn pdf_bytes(pad: usize) -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        .to_vec();
    pdf.extend(std::iter::repeat_n(b'%', pad));
    pdf.extend_from_slice(b"\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    pdf
}

fn png_bytes() -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    png.extend_from_slice(&[
        0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0,
    ]);
    png
}

/// Waits for a `booth_live` event about `company` that satisfies `check`.
async fn live_event(hub: &mut Hub, company: i64, check: impl Fn(&BoothLive) -> bool) -> BoothLive {
    let found = hub
        .wait_for(Duration::from_secs(10), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::BoothLive { live }, .. })
                if live.company_id == company && check(live))
        })
        .await;
    match found {
        Some(Incoming::Frame(ServerFrame::Event {
            event: RoomEvent::BoothLive { live },
            ..
        })) => live,
        other => panic!("no matching booth_live event: {other:?}"),
    }
}

/// An organizer-made hall and company with one invited staff member, signed in.
pub(crate) async fn company_with_staff(
    app: &TestApp,
    admin: &Api,
    reg_no: &str,
    email: &str,
) -> (Company, Api) {
    let hall = match admin
        .create_hall(&hall_input("food", "Hall A · Food", "food"))
        .await
    {
        Ok(hall) => hall,
        Err(_) => {
            let halls = admin.halls().await.unwrap();
            halls.halls.into_iter().find(|h| h.slug == "food").unwrap()
        }
    };
    let company = admin
        .create_company(&CompanyInput {
            hall_id: Some(hall.id),
            region: Some("Sokcho".into()),
            tagline: Some("Mountain herbs, dried the old way".into()),
            tags: strings(["food", "Health-Food"]),
            export_countries: strings(["RU", "CN"]),
            texts: [(
                "ko".to_string(),
                CompanyText {
                    name: Some(format!("회사 {reg_no}")),
                    tagline: Some("산나물을 전통 방식으로".into()),
                    description: None,
                },
            )]
            .into(),
            ..company_input(reg_no, &format!("Company {reg_no}"), "KR")
        })
        .await
        .unwrap();
    let invitation = admin
        .invite(&InviteRequest {
            languages: strings(["ko", "ru"]),
            ..invite(email, "Park Ji-hoon", Role::Exhibitor, Some(company.id))
        })
        .await
        .unwrap();
    let session = app
        .api
        .accept_invitation(&AcceptInvitationRequest {
            token: invitation.token,
            password: "staff-password".into(),
        })
        .await
        .unwrap();
    (company, app.api.with_token(session.token))
}

async fn a_booth_from_creation_to_leads(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) =
        company_with_staff(&app, &admin, "101-81-00001", "park@seorak.example").await;
    assert_eq!(company.tags, ["food", "health-food"], "tags are normalized");

    // Staff fill the booth: a product and a brochure.
    let product = staff
        .create_product(
            company.id,
            &ProductInput {
                code: Some("SNF-01".into()),
                hs_code: Some("0712.90".into()),
                category: Some("food".into()),
                tags: strings(["organic"]),
                min_order: Some("100 boxes".into()),
                price_range: Some("USD 3-5".into()),
                certifications: strings(["HACCP"]),
                texts: [(
                    "ru".to_string(),
                    ProductText {
                        name: Some("Сушёный чертополох".into()),
                        description: None,
                    },
                )]
                .into(),
                ..product_input("Dried Gondre Thistle")
            },
        )
        .await
        .unwrap();
    let brochure = staff
        .upload_media(
            company.id,
            &UploadQuery {
                kind: "brochure".into(),
                title: Some("Catalogue 2026".into()),
                file_name: "catalogue.pdf".into(),
                product_id: None,
            },
            pdf_bytes(100),
        )
        .await
        .unwrap();
    assert_eq!(brochure.content_type.as_deref(), Some("application/pdf"));
    let detail = staff.company(company.id, Some("ru")).await.unwrap();
    assert_eq!(detail.products[0].name, "Сушёный чертополох");
    assert_eq!(detail.brochures.len(), 1);
    let korean = staff.company(company.id, Some("ko")).await.unwrap();
    assert_eq!(korean.company.name, "회사 101-81-00001");
    assert_eq!(korean.company.lang, "ko");
    assert!(korean.languages.contains(&"ko".to_string()));

    // A buyer enters the booth and is counted.
    let buyer = app.buyer("ivan@primorye.example").await;
    let mut visitor = buyer.connect().await.unwrap();
    visitor
        .subscribe(&format!("booth:{}", company.id))
        .await
        .unwrap();
    let live = live_event(&mut visitor, company.id, |l| l.visitors_now == 1).await;
    assert!(live.staff_on_duty.is_empty());

    // Staff go on duty; the visitor sees it.
    let staff_hub = staff.connect().await.unwrap();
    match staff_hub
        .request(Command::SetDuty { on_duty: true })
        .await
        .unwrap()
    {
        ReplyData::Duty {
            company_id,
            on_duty,
        } => {
            assert_eq!(company_id, company.id);
            assert!(on_duty);
        }
        other => panic!("unexpected {other:?}"),
    }
    let live = live_event(&mut visitor, company.id, |l| !l.staff_on_duty.is_empty()).await;
    assert_eq!(live.staff_on_duty[0].name, "Park Ji-hoon");
    assert_eq!(live.visitors_now, 1, "staff are not counted as visitors");
    let detail = buyer.company(company.id, None).await.unwrap();
    assert_eq!(detail.live.staff_on_duty.len(), 1);

    // An edit arrives live.
    let edit = CompanyInput {
        hall_id: company.hall_id,
        tagline: Some("Now with pine needle tea".into()),
        tags: strings(["food"]),
        ..company_input(&company.reg_no, &company.name, "KR")
    };
    staff.update_company(company.id, None, &edit).await.unwrap();
    let updated = visitor
        .wait_for(Duration::from_secs(5), |i| {
            matches!(i, Incoming::Frame(ServerFrame::Event { event: RoomEvent::BoothUpdated { company_id, .. }, .. }) if *company_id == company.id)
        })
        .await;
    assert!(updated.is_some(), "the visitor hears about the edit");
    let detail = buyer.company(company.id, None).await.unwrap();
    assert_eq!(
        detail.company.tagline.as_deref(),
        Some("Now with pine needle tea")
    );

    // The visitor opens the product and the brochure; both become part of the lead.
    let reply = visitor
        .request(Command::OpenItem {
            company_id: company.id,
            kind: "product".into(),
            item_id: product.id,
        })
        .await
        .unwrap();
    assert_eq!(reply, ReplyData::Recorded);
    let file = buyer.media(brochure.id).await.unwrap();
    assert_eq!(file, pdf_bytes(100));
    tokio::time::sleep(Duration::from_millis(300)).await;
    visitor
        .unsubscribe(&format!("booth:{}", company.id))
        .await
        .unwrap();
    eventually(Duration::from_secs(5), "the visitor has left", || async {
        let d = buyer.company(company.id, None).await.unwrap();
        d.live.visitors_now == 0 && d.live.staff_on_duty.len() == 1
    })
    .await;

    let report = staff.leads(company.id).await.unwrap();
    assert_eq!(report.total_visits, 1);
    assert_eq!(report.leads.len(), 1);
    let lead = &report.leads[0];
    assert_eq!(lead.email, "ivan@primorye.example");
    assert_eq!(lead.country.as_deref(), Some("RU"));
    assert_eq!(lead.visits, 1);
    assert!(lead.dwell_ms >= 300, "dwell {}", lead.dwell_ms);
    let opened: Vec<(&str, &str)> = lead
        .opened
        .iter()
        .map(|o| (o.kind.as_str(), o.title.as_str()))
        .collect();
    assert_eq!(
        opened,
        [
            ("product", "Dried Gondre Thistle"),
            ("brochure", "Catalogue 2026")
        ]
    );

    // The CSV export says the same as the records.
    let text = staff.leads_csv(company.id).await.unwrap();
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("name,email,company,country"));
    let row = lines.next().unwrap();
    assert!(row
        .starts_with("Buyer ivan@primorye.example,ivan@primorye.example,Primorye Trade,RU,food,"));
    assert!(row.contains(",1,"));
    // Then the company's own follow-up columns: new, no rating, tags or notes yet; and no
    // quote requests.
    assert!(row.ends_with("product: Dried Gondre Thistle; brochure: Catalogue 2026,new,,,,"));
    assert_eq!(lines.next(), None);

    // Going away takes staff off duty; so does closing the connection.
    let mut observer = buyer.connect().await.unwrap();
    observer
        .subscribe(&format!("booth:{}", company.id))
        .await
        .unwrap();
    live_event(&mut observer, company.id, |l| {
        l.staff_on_duty.len() == 1 && l.visitors_now == 1
    })
    .await;
    staff_hub
        .request(Command::SetDuty { on_duty: false })
        .await
        .unwrap();
    live_event(&mut observer, company.id, |l| l.staff_on_duty.is_empty()).await;
    staff_hub
        .request(Command::SetDuty { on_duty: true })
        .await
        .unwrap();
    live_event(&mut observer, company.id, |l| l.staff_on_duty.len() == 1).await;
    staff_hub.close();
    live_event(&mut observer, company.id, |l| l.staff_on_duty.is_empty()).await;
    app.stop().await;
}

async fn search_and_filters(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let (buyer, _) = app
        .api
        .login("buyer@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let search = |query: BoothQuery| {
        let buyer = buyer.clone();
        async move { buyer.search_booths(&query).await.unwrap() }
    };
    let names = |page: &BoothPage| {
        page.booths
            .iter()
            .map(|b| b.company.name.clone())
            .collect::<Vec<_>>()
    };
    let page = search(BoothQuery {
        q: Some("kimchi".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(names(&page), ["Pyeongchang Highland Greens"]);
    // Prefixes, several words, other languages.
    let page = search(BoothQuery {
        q: Some("brake pad".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(names(&page), ["Wonju Brake Systems"]);
    let page = search(BoothQuery {
        q: Some("배추".into()),
        lang: Some("ko".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(
        names(&page),
        ["평창고랭지채소"],
        "배추 is in the Korean tagline"
    );
    let page = search(BoothQuery {
        q: Some("zzzyyyxxx".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(page.total, 0);
    let page = search(BoothQuery {
        tag: Some("cosmetics".into()),
        staff_lang: Some("ru".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(
        names(&page),
        ["Donghae Deep Sea Cosmetics", "Inje Birch Sap Co."]
    );
    let page = search(BoothQuery {
        tag: Some("dental".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(names(&page), ["Sokcho Dental Materials"]);
    let halls = buyer.halls().await.unwrap();
    let page = search(BoothQuery {
        hall_id: Some(halls.halls[2].id),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(page.total, 5);
    assert!(page
        .booths
        .iter()
        .all(|b| b.company.hall_id == Some(halls.halls[2].id)));
    let page = search(BoothQuery {
        country: Some("KR".into()),
        per_page: Some(7),
        page: Some(6),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!((page.total, page.booths.len()), (40, 5));
    let page = search(BoothQuery {
        country: Some("JP".into()),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(page.total, 0);

    // "Staffed now" follows staff going on duty.
    let page = search(BoothQuery {
        staffed: Some(true),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(page.total, 0);
    let (staff, me) = app
        .api
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    let mut lobby = buyer.connect().await.unwrap();
    lobby.subscribe("lobby").await.unwrap();
    let staff_hub = staff.connect().await.unwrap();
    staff_hub
        .request(Command::SetDuty { on_duty: true })
        .await
        .unwrap();
    let own = me.user.company_id.unwrap();
    live_event(&mut lobby, own, |l| l.staff_on_duty.len() == 1).await;
    let page = search(BoothQuery {
        staffed: Some(true),
        ..BoothQuery::default()
    })
    .await;
    assert_eq!(
        page.booths.iter().map(|b| b.company.id).collect::<Vec<_>>(),
        [own]
    );
    assert!(page.booths[0].staffed_now);

    // Recommendations explain themselves.
    let recs = buyer.recommendations(None).await.unwrap();
    assert!(!recs.recommendations.is_empty());
    assert!(recs
        .recommendations
        .windows(2)
        .all(|w| w[0].score >= w[1].score));
    let top = &recs.recommendations[0];
    assert!(!top.reason.makes.is_empty(), "{:?}", top.reason);
    let seorak = recs
        .recommendations
        .iter()
        .find(|r| r.booth.company.id == own)
        .unwrap();
    // The reason is data the client words: "makes food; staff speak Russian, English;
    // staffed now" (concepts labelled in the language asked for, English without one).
    assert_eq!(
        seorak.reason,
        expo_schema::api::RecommendationReason {
            makes: vec![expo_schema::api::ConceptLabel {
                id: "food".into(),
                label: "food".into()
            }],
            staff_speak: vec!["ru".into(), "en".into()],
            staffed_now: true,
        }
    );
    app.stop().await;
}

async fn forbidden_booth_actions(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (a, staff_a) = company_with_staff(&app, &admin, "101-81-00001", "a@a.example").await;
    let (b, _staff_b) = company_with_staff(&app, &admin, "101-81-00002", "b@b.example").await;
    let buyer = app.buyer("buyer@x.example").await;
    let edit = |c: &Company| CompanyInput {
        hall_id: c.hall_id,
        ..company_input(&c.reg_no, "Hacked", "KR")
    };
    let forbidden = |r: Result<Company, expo_client::ClientError>| {
        assert_eq!(r.unwrap_err().code(), Some(ErrorCode::Forbidden))
    };
    forbidden(buyer.update_company(a.id, None, &edit(&a)).await);
    forbidden(staff_a.update_company(b.id, None, &edit(&b)).await);
    let move_hall = CompanyInput {
        hall_id: None,
        ..edit(&a)
    };
    forbidden(staff_a.update_company(a.id, None, &move_hall).await);
    forbidden(staff_a.create_company(&company_input("9", "X", "KR")).await);
    for (who, company) in [(&buyer, a.id), (&staff_a, b.id)] {
        let error = who.leads(company).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Forbidden));
        let error = who.leads_csv(company).await.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    }
    let error = buyer
        .upload_media(a.id, &media("brochure", "x.pdf"), pdf_bytes(10))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let hub = buyer.connect().await.unwrap();
    let error = hub
        .request(Command::SetDuty { on_duty: true })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = hub.subscribe(&format!("duty:{}", a.id)).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = hub
        .request(Command::OpenItem {
            company_id: a.id,
            kind: "product".into(),
            item_id: 1,
        })
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::NotSubscribed));
    // Nothing changed.
    let detail = admin.company(a.id, None).await.unwrap();
    assert_eq!(detail.company.name, a.name);
    assert!(detail.brochures.is_empty());
    app.stop().await;
}

async fn bad_uploads_leave_nothing(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.max_upload_bytes = 50_000).await;
    let admin = app.admin().await;
    let (company, staff) = company_with_staff(&app, &admin, "101-81-00003", "c@c.example").await;
    let upload = |upload: UploadQuery, bytes: Vec<u8>| {
        let staff = staff.clone();
        async move { staff.upload_media(company.id, &upload, bytes).await }
    };
    let cases = [
        (
            media("brochure", "big.pdf"),
            pdf_bytes(60_000),
            ErrorCode::MessageTooLarge,
        ),
        (
            media("brochure", "image.pdf"),
            png_bytes(),
            ErrorCode::Validation,
        ),
        (
            media("brochure", "../../etc/passwd"),
            pdf_bytes(10),
            ErrorCode::Validation,
        ),
        (
            media("brochure", "..\\x.pdf"),
            pdf_bytes(10),
            ErrorCode::Validation,
        ),
        (
            media("logo", "logo.png"),
            pdf_bytes(10),
            ErrorCode::Validation,
        ),
        (
            media("brochure", "empty.pdf"),
            vec![],
            ErrorCode::Validation,
        ),
        (
            media("poster", "x.pdf"),
            pdf_bytes(10),
            ErrorCode::Validation,
        ),
        (media("photo", "p.png"), png_bytes(), ErrorCode::Validation),
    ];
    for (query, bytes, code) in cases {
        let error = upload(query.clone(), bytes).await.unwrap_err();
        assert_eq!(error.code(), Some(code), "{query:?}");
    }
    let uploads = env.data_dir.join("uploads");
    let files: Vec<_> = std::fs::read_dir(&uploads)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(files.is_empty(), "nothing left behind: {files:?}");
    let detail = staff.company(company.id, None).await.unwrap();
    assert!(detail.brochures.is_empty() && detail.company.logo_url.is_none());
    // A good one still works, and a logo replaces the previous logo.
    let ok = upload(media("brochure", "ok.pdf"), pdf_bytes(1000))
        .await
        .unwrap();
    assert_eq!(ok.size_bytes, Some(pdf_bytes(1000).len() as i64));
    let first = upload(media("logo", "a.png"), png_bytes()).await.unwrap();
    let second = upload(media("logo", "b.png"), png_bytes()).await.unwrap();
    let detail = staff.company(company.id, None).await.unwrap();
    assert_eq!(
        detail.company.logo_url,
        Some(format!("/api/v1/media/{}", second.id))
    );
    assert!(staff.media(first.id).await.is_err());
    assert_eq!(
        std::fs::read_dir(&uploads).unwrap().count(),
        2,
        "brochure and current logo"
    );
    staff.delete_media(ok.id).await.unwrap();
    assert_eq!(std::fs::read_dir(&uploads).unwrap().count(), 1);
    app.stop().await;
}

async fn leads_respect_consent(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (company, staff) = company_with_staff(&app, &admin, "101-81-00004", "d@d.example").await;
    let sharing = app.buyer("sharing@x.example").await;
    // A buyer who did not consent to share contact details.
    app.api
        .register(&registration(
            "private@x.example",
            "private-pass",
            "Private Buyer",
            "Quiet Co",
            "MN",
            "Asia/Ulaanbaatar",
        ))
        .await
        .unwrap();
    app.approve("private@x.example").await;
    let (private, _) = app
        .api
        .login("private@x.example", "private-pass")
        .await
        .unwrap();
    let room = format!("booth:{}", company.id);
    for who in [&sharing, &private, &private] {
        let hub = who.connect().await.unwrap();
        hub.subscribe(&room).await.unwrap();
        hub.close();
    }
    // Staff visiting their own booth are not visitors; organizers are not leads.
    let own = staff.connect().await.unwrap();
    own.subscribe(&room).await.unwrap();
    let organizer = admin.connect().await.unwrap();
    organizer.subscribe(&room).await.unwrap();
    eventually(Duration::from_secs(5), "every visit is closed", || async {
        let r = staff.leads(company.id).await.unwrap();
        r.total_visits == 3
    })
    .await;
    let report = staff.leads(company.id).await.unwrap();
    assert_eq!(report.leads.len(), 1);
    assert_eq!(report.leads[0].email, "sharing@x.example");
    assert_eq!((report.anonymous_visitors, report.anonymous_visits), (1, 2));
    let csv = staff.leads_csv(company.id).await.unwrap();
    assert!(!csv.contains("private@x.example"));

    // Live, in the booth's presence: the sharing buyer by name and firm, the other one
    // marked anonymous, with neither name nor firm.
    let watcher = staff.connect().await.unwrap();
    watcher.subscribe(&room).await.unwrap();
    let sharing_hub = sharing.connect().await.unwrap();
    sharing_hub.subscribe(&room).await.unwrap();
    let private_hub = private.connect().await.unwrap();
    private_hub.subscribe(&room).await.unwrap();
    let members = watcher.presence(&room).await.unwrap();
    let of = |conn: &str| {
        members
            .iter()
            .find(|m| m.conn_id == conn)
            .unwrap_or_else(|| panic!("{conn} is listed"))
            .user
            .clone()
    };
    let named = of(sharing_hub.conn_id());
    assert!(!named.anonymous);
    assert_eq!(named.name, "Buyer sharing@x.example");
    assert_eq!(named.company_name.as_deref(), Some("Primorye Trade"));
    let hidden = of(private_hub.conn_id());
    assert!(hidden.anonymous);
    assert_eq!((hidden.name.as_str(), hidden.company_name), ("", None));
    app.stop().await;
}

/// An upload's description with only its kind and file name.
fn media(kind: &str, file_name: &str) -> UploadQuery {
    UploadQuery {
        kind: kind.into(),
        title: None,
        file_name: file_name.into(),
        product_id: None,
    }
}
