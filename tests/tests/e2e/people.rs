//! The people desk: rejecting a registration with a reason (the applicant is told it at sign
//! in), bulk approval, invitations (list, resend, revoke), buyers imported from a file with a
//! dry run and invited in their language, and all of it for organizers only.

use crate::both_engines;
use crate::helpers::*;
use expo_client::api::UserFilter;
use expo_client::{Api, ClientError};
use expo_schema::api::{
    AcceptInvitationRequest, ApproveManyRequest, ImportReport, InvitationInfo, InvitationState,
    InviteRequest, LoginResponse, RegisterBuyerRequest, RejectRequest,
};
use expo_schema::{AccountStatus, ErrorBody, ErrorCode, Role};

both_engines!(
    rejected_applicant_sees_the_reason,
    bulk_approval_approves_only_pending,
    invitations_are_listed_resent_and_revoked,
    buyers_import_with_dry_run_and_invitations,
    the_people_desk_is_for_organizers,
);

async fn register(app: &TestApp, email: &str, name: &str, languages: &[&str]) {
    app.api
        .register(&RegisterBuyerRequest {
            languages: strings_of(languages),
            interests: strings(["food"]),
            share_contact: true,
            ..registration(
                email,
                "buyer-password",
                name,
                "Sibir Foods",
                "RU",
                "Asia/Novosibirsk",
            )
        })
        .await
        .expect("registration succeeds");
}

fn server_error(error: ClientError) -> ErrorBody {
    match error {
        ClientError::Server(body) => body,
        other => panic!("expected a typed error, got {other:?}"),
    }
}

/// The typed error a sign-in with this email and password is refused with.
async fn login_refusal(app: &TestApp, email: &str, password: &str) -> ErrorBody {
    server_error(app.api.login(email, password).await.unwrap_err())
}

/// The organizer's listing of one invitation.
async fn invitation(admin: &Api, id: i64) -> InvitationInfo {
    let list = admin.invitations().await.unwrap();
    list.invitations.into_iter().find(|i| i.id == id).unwrap()
}

async fn rejected_applicant_sees_the_reason(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    register(&app, "sasha@sibir.example", "Aleksandr Kuznetsov", &["ru"]).await;
    let id = app.user_id("sasha@sibir.example").await;

    // Waiting: the sign-in says so, with when they registered, and no sentence to show.
    let pending = login_refusal(&app, "sasha@sibir.example", "buyer-password").await;
    assert_eq!(pending.code, ErrorCode::AccountPending);
    let application = pending
        .application
        .expect("a pending sign-in says where it stands");
    assert!(application.registered_ms > 0);
    assert_eq!(application.rejected_ms, None);
    assert_eq!(application.reason, None);
    // A wrong password reveals nothing about the registration.
    let wrong = login_refusal(&app, "sasha@sibir.example", "not-the-password").await;
    assert_eq!(wrong.code, ErrorCode::InvalidCredentials);
    assert!(wrong.application.is_none());

    let admin = app.admin().await;
    let empty = admin.reject_user(id, &reject("   ")).await.unwrap_err();
    assert_eq!(empty.code(), Some(ErrorCode::Validation));
    let reason = "Мы не смогли подтвердить, что компания закупает оптом.";
    let rejected = admin.reject_user(id, &reject(reason)).await.unwrap();
    assert_eq!(rejected.status, AccountStatus::Disabled);
    assert_eq!(rejected.rejection_reason.as_deref(), Some(reason));
    // Only a waiting registration is rejected.
    let again = admin.reject_user(id, &reject("again")).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::Conflict));
    let waiting = admin.users(&pending_users()).await.unwrap();
    assert!(waiting.users.iter().all(|u| u.id != id));

    // The applicant cannot sign in, and is told why, in the organizer's words.
    let refused = login_refusal(&app, "sasha@sibir.example", "buyer-password").await;
    assert_eq!(refused.code, ErrorCode::AccountRejected);
    let application = refused
        .application
        .expect("the rejection comes with its reason");
    assert_eq!(application.reason.as_deref(), Some(reason));
    assert!(application.rejected_ms.unwrap() >= application.registered_ms);
    app.stop().await;
}

async fn bulk_approval_approves_only_pending(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    register(&app, "first@buyers.example", "First Buyer", &["ru"]).await;
    register(&app, "second@buyers.example", "Second Buyer", &["mn"]).await;
    register(&app, "third@buyers.example", "Third Buyer", &["zh"]).await;
    let first = app.user_id("first@buyers.example").await;
    let second = app.user_id("second@buyers.example").await;
    let admin = app.admin().await;
    let me = admin.me().await.unwrap();

    let result = admin
        .approve_users(&ApproveManyRequest {
            ids: vec![first, second, me.id, first],
        })
        .await
        .unwrap();
    let mut approved: Vec<i64> = result.approved.iter().map(|u| u.id).collect();
    approved.sort();
    assert_eq!(approved, vec![first, second]);
    assert!(result
        .approved
        .iter()
        .all(|u| u.status == AccountStatus::Active));
    assert_eq!(result.skipped, vec![me.id]);

    for email in ["first@buyers.example", "second@buyers.example"] {
        app.api.login(email, "buyer-password").await.unwrap();
    }
    let third = app
        .api
        .login("third@buyers.example", "buyer-password")
        .await
        .unwrap_err();
    assert_eq!(third.code(), Some(ErrorCode::AccountPending));
    let waiting = admin.users(&pending_users()).await.unwrap();
    assert_eq!(
        waiting
            .users
            .iter()
            .map(|u| u.email.as_str())
            .collect::<Vec<_>>(),
        vec!["third@buyers.example"]
    );
    // Search finds by name, email or company, case-insensitively.
    let found = admin
        .users(&UserFilter {
            q: Some("SECOND".into()),
            ..UserFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(found.users.len(), 1);
    assert_eq!(found.users[0].id, second);
    let by_company = admin
        .users(&UserFilter {
            role: Some(Role::Buyer),
            q: Some("sibir".into()),
            ..UserFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_company.users.len(), 3);

    let empty = admin
        .approve_users(&ApproveManyRequest { ids: vec![] })
        .await
        .unwrap_err();
    assert_eq!(empty.code(), Some(ErrorCode::Validation));
    app.stop().await;
}

async fn accept(app: &TestApp, token: &str) -> Result<LoginResponse, ClientError> {
    app.api
        .accept_invitation(&AcceptInvitationRequest {
            token: token.into(),
            password: "a-good-password".into(),
        })
        .await
}

async fn invitations_are_listed_resent_and_revoked(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let first = admin
        .invite(&InviteRequest {
            languages: strings(["mn", "ko"]),
            ..invite(
                "enkhjin@interpret.example",
                "Enkhjin Dorj",
                Role::Interpreter,
                None,
            )
        })
        .await
        .unwrap();
    assert!(
        !first.mailed,
        "no SMTP in the tests: the organizer passes the link on"
    );
    let info = invitation(&admin, first.invitation_id).await;
    assert_eq!(info.state, InvitationState::Open);
    assert_eq!(info.language, "mn");
    assert_eq!(info.invited_by.as_deref(), Some("Fair Organizer"));

    // Resending makes a new link; the old one stops working at once.
    let second = admin.resend_invitation(first.invitation_id).await.unwrap();
    assert_eq!(second.invitation_id, first.invitation_id);
    assert_ne!(second.token, first.token);
    assert!(second.expires_ms >= first.expires_ms);
    let old = accept(&app, &first.token).await.unwrap_err();
    assert_eq!(old.code(), Some(ErrorCode::NotFound));

    // Revoked: the current link is refused too.
    let revoked = admin.revoke_invitation(first.invitation_id).await.unwrap();
    assert_eq!(revoked.state, InvitationState::Revoked);
    let refused = accept(&app, &second.token).await.unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::NotFound));

    // Sent again after a revocation, it works, once.
    let third = admin.resend_invitation(first.invitation_id).await.unwrap();
    let session = accept(&app, &third.token).await.unwrap();
    assert_eq!(session.user.email, "enkhjin@interpret.example");
    let info = invitation(&admin, first.invitation_id).await;
    assert_eq!(info.state, InvitationState::Accepted);
    assert!(info.accepted_ms.is_some());
    let resent = admin.resend_invitation(first.invitation_id).await.map(drop);
    let revoked = admin.revoke_invitation(first.invitation_id).await.map(drop);
    for (action, result) in [("resend", resent), ("revoke", revoked)] {
        let error = result.unwrap_err();
        assert_eq!(error.code(), Some(ErrorCode::Conflict), "{action}");
    }
    app.stop().await;
}

/// Posts a file to the import endpoint; the status and the report.
async fn import(api: &Api, kind: &str, dry_run: bool, body: &str) -> (u16, ImportReport) {
    let response = reqwest::Client::new()
        .post(format!(
            "{}/api/v1/import/{kind}?dry_run={dry_run}",
            api.base()
        ))
        .bearer_auth(api.token().expect("signed in"))
        .body(body.as_bytes().to_vec())
        .send()
        .await
        .expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.expect("a body");
    let report = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status} {text}: {e}"));
    (status, report)
}

const BAD_BUYERS: &str =
    "email,name,company,country,timezone,languages,interests,hs_codes,share_contact
olga@vostok.example,Olga Smirnova,Vostok Medical,RU,Asia/Vladivostok,ru,medical-devices,9018,yes
bat@khan.example,Batbayar Ganbold,Khan Trade,MN,Mars/Olympus,mn;ru,cosmetics,,no
li@harbin.example,Li Wei,Harbin Import,ZZ,Asia/Shanghai,zh,auto-parts;unobtainium,8708.30,yes
yui@osaka.example,Tanaka Yui,Osaka Select,JP,Asia/Tokyo,ja;xx,skincare,33.0,maybe
";

const BUYERS: &str = "\u{feff}Email,Name,Company,Country,Timezone,Languages,Interests,HS_Codes,Share_Contact
olga@vostok.example,Olga Smirnova,Vostok Medical,ru,Asia/Vladivostok,ru;en,medical-devices;Diagnostics,9018,yes
bat@khan.example,Batbayar Ganbold,Khan Trade,MN,Asia/Ulaanbaatar,mn;ru,cosmetics,3304.99;3305,no
yui@osaka.example,Tanaka Yui,Osaka Select,JP,Asia/Tokyo,ja;en,skincare,,1
";

async fn buyers_import_with_dry_run_and_invitations(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let users_before = admin.users(&UserFilter::default()).await.unwrap();

    // Bad rows: every finding has a code and its parameters; nothing is written.
    let (status, report) = import(&admin, "buyers", false, BAD_BUYERS).await;
    assert_eq!(status, 422);
    assert!(!report.applied);
    let codes: Vec<(usize, &str, &str)> = report
        .errors
        .iter()
        .map(|e| {
            (
                e.row,
                e.column.as_deref().unwrap_or(""),
                e.code.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (3, "timezone", "import.bad_timezone"),
            (4, "country", "import.bad_country"),
            (4, "interests", "import.unknown_concept"),
            (5, "languages", "import.bad_language"),
            (5, "hs_codes", "import.bad_hs_code"),
            (5, "share_contact", "import.bad_flag"),
        ],
        "{:?}",
        report.errors
    );
    let tz = &report.errors[0];
    assert_eq!(
        tz.params.get("value").map(String::as_str),
        Some("Mars/Olympus")
    );
    assert_eq!(
        report.errors[2].params.get("value").map(String::as_str),
        Some("unobtainium")
    );
    let users_after = admin.users(&UserFilter::default()).await.unwrap();
    assert_eq!(users_after.users.len(), users_before.users.len());
    let invitations = admin.invitations().await.unwrap();
    assert!(invitations.invitations.is_empty());

    // A good file: the dry run counts, and still writes nothing.
    let (status, dry) = import(&admin, "buyers", true, BUYERS).await;
    assert_eq!(status, 200, "{:?}", dry.errors);
    assert_eq!(
        (
            dry.rows,
            dry.created,
            dry.updated,
            dry.unchanged,
            dry.invitations
        ),
        (3, 3, 0, 0, 3)
    );
    assert!(!dry.applied && dry.invitation_links.is_empty());
    let users_after = admin.users(&UserFilter::default()).await.unwrap();
    assert_eq!(users_after.users.len(), users_before.users.len());

    let (status, done) = import(&admin, "buyers", false, BUYERS).await;
    assert_eq!(status, 200, "{:?}", done.errors);
    assert!(done.applied);
    assert_eq!((done.created, done.invitations), (3, 3));
    let languages: Vec<(&str, &str)> = done
        .invitation_links
        .iter()
        .map(|l| (l.email.as_str(), l.language.as_str()))
        .collect();
    assert_eq!(
        languages,
        vec![
            ("olga@vostok.example", "ru"),
            ("bat@khan.example", "mn"),
            ("yui@osaka.example", "ja"),
        ]
    );
    let listed = admin.invitations().await.unwrap();
    assert_eq!(listed.invitations.len(), 3);
    assert!(listed
        .invitations
        .iter()
        .all(|i| i.role == expo_schema::Role::Buyer && i.state == InvitationState::Open));
    let bat = listed
        .invitations
        .iter()
        .find(|i| i.email == "bat@khan.example")
        .unwrap();
    assert_eq!(bat.language, "mn");

    // The buyers are data now, and need no approval.
    let buyers = admin
        .users(&UserFilter {
            role: Some(Role::Buyer),
            ..UserFilter::default()
        })
        .await
        .unwrap();
    let olga = buyers
        .users
        .iter()
        .find(|u| u.email == "olga@vostok.example")
        .unwrap();
    assert_eq!(olga.status, AccountStatus::Active);
    assert_eq!(olga.country.as_deref(), Some("RU"));
    assert_eq!(olga.timezone, "Asia/Vladivostok");
    assert_eq!(olga.languages, vec!["ru", "en"]);
    assert_eq!(olga.interests, vec!["medical-devices", "diagnostics"]);
    assert_eq!(olga.hs_codes, vec!["9018"]);
    assert!(olga.share_contact);
    let bat_user = buyers
        .users
        .iter()
        .find(|u| u.email == "bat@khan.example")
        .unwrap();
    assert_eq!(bat_user.hs_codes, vec!["330499", "3305"]);
    assert!(!bat_user.share_contact);
    // No password until the invitation is accepted.
    let early = app.api.login("olga@vostok.example", "").await.unwrap_err();
    assert_eq!(early.code(), Some(ErrorCode::InvalidCredentials));
    let olga_link = &done.invitation_links[0];
    let session = accept(&app, &olga_link.token).await.unwrap();
    assert_eq!(session.user.id, olga.id);
    assert_eq!(session.user.company_name.as_deref(), Some("Vostok Medical"));
    app.api
        .login("olga@vostok.example", "a-good-password")
        .await
        .unwrap();

    // Again: nothing changes, and nobody is invited twice.
    let (status, again) = import(&admin, "buyers", false, BUYERS).await;
    assert_eq!(status, 200, "{:?}", again.errors);
    assert_eq!(
        (
            again.created,
            again.updated,
            again.unchanged,
            again.invitations
        ),
        (0, 0, 3, 0)
    );
    assert!(again.invitation_links.is_empty());
    let listed = admin.invitations().await.unwrap();
    assert_eq!(listed.invitations.len(), 3);
    let buyers_again = admin
        .users(&UserFilter {
            role: Some(Role::Buyer),
            ..UserFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(buyers_again.users.len(), buyers.users.len());

    // An email of another kind of account is refused.
    let clash = format!("email,name\n{ADMIN_EMAIL},Somebody\n");
    let (status, report) = import(&admin, "buyers", true, &clash).await;
    assert_eq!(status, 422);
    assert_eq!(report.errors[0].code.as_deref(), Some("import.not_buyer"));

    // The template names every column.
    let template = admin.import_template("buyers").await.unwrap();
    assert_eq!(
        template.trim_end(),
        "email,name,company,country,timezone,languages,interests,hs_codes,share_contact"
    );
    app.stop().await;
}

async fn the_people_desk_is_for_organizers(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    register(&app, "waiting@buyers.example", "Waiting Buyer", &["ru"]).await;
    let waiting = app.user_id("waiting@buyers.example").await;
    let buyer = app.buyer("buyer@buyers.example").await;
    let forbidden = |e: ClientError| assert_eq!(e.code(), Some(ErrorCode::Forbidden));
    forbidden(buyer.reject_user(waiting, &reject("no")).await.unwrap_err());
    forbidden(
        buyer
            .approve_users(&ApproveManyRequest { ids: vec![waiting] })
            .await
            .unwrap_err(),
    );
    forbidden(buyer.invitations().await.unwrap_err());
    forbidden(buyer.resend_invitation(1).await.unwrap_err());
    forbidden(buyer.revoke_invitation(1).await.unwrap_err());
    forbidden(buyer.import_template("buyers").await.unwrap_err());
    let (status, _) = {
        let response = reqwest::Client::new()
            .post(format!(
                "{}/api/v1/import/buyers?dry_run=true",
                buyer.base()
            ))
            .bearer_auth(buyer.token().unwrap())
            .body(BUYERS.as_bytes().to_vec())
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    };
    assert_eq!(status, 403);
    // Still waiting: nothing a buyer did touched it.
    let admin = app.admin().await;
    let list = admin.users(&pending_users()).await.unwrap();
    assert!(list.users.iter().any(|u| u.id == waiting));
    app.stop().await;
}

/// With SMTP, imported buyers' invitations and a rejection are mailed, each in its
/// recipient's language, with the link or the organizer's reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitations_and_rejections_are_mailed_in_each_language() {
    use crate::meetings_life::{read_mail, SmtpSink};
    use std::time::Duration;
    let env = TestEnv::new(Engines::Embedded).await;
    let sink = SmtpSink::start(env.data_dir.join("mail"));
    let app = env
        .start_with(|c| c.smtp_url = Some(format!("smtp://127.0.0.1:{}", sink.port)))
        .await;
    let admin = app.admin().await;
    let (status, done) = import(&admin, "buyers", false, BUYERS).await;
    assert_eq!(status, 200, "{:?}", done.errors);
    assert!(done.mailed);
    register(&app, "sato@tokyo.example", "Sato Ken", &["ja"]).await;
    let sato = app.user_id("sato@tokyo.example").await;
    let reason = "Trade buyers only; please register your company first.";
    admin.reject_user(sato, &reject(reason)).await.unwrap();

    let mails = |sink: &SmtpSink| {
        sink.messages()
            .iter()
            .map(|raw| read_mail(raw))
            .map(|(to, subject, text, _)| (to, subject, text.replace("\r\n", "\n")))
            .collect::<Vec<_>>()
    };
    eventually(Duration::from_secs(10), "four letters arrive", || {
        let count = mails(&sink).len();
        async move { count >= 4 }
    })
    .await;
    let got = mails(&sink);
    let letter = |email: &str| {
        got.iter()
            .find(|m| m.0.contains(email))
            .unwrap_or_else(|| panic!("a letter to {email}: {got:?}"))
            .clone()
    };
    // The link in the letter is the public address plus the accept path with the token.
    let link_of = |email: &str| {
        done.invitation_links
            .iter()
            .find(|l| l.email == email)
            .unwrap()
            .accept_path
            .clone()
    };
    let (_, subject, text) = letter("olga@vostok.example");
    assert_eq!(subject, "Приглашение в Expo Hub");
    assert!(text.contains("Здравствуйте, Olga Smirnova!"), "{text}");
    assert!(text.contains(&link_of("olga@vostok.example")), "{text}");
    let (_, subject, text) = letter("bat@khan.example");
    assert_eq!(subject, "Expo Hub-д урих урилга");
    assert!(text.contains(&link_of("bat@khan.example")), "{text}");
    let (_, subject, _) = letter("yui@osaka.example");
    assert_eq!(subject, "Expo Hub へのご招待");
    let (_, subject, text) = letter("sato@tokyo.example");
    assert_eq!(subject, "ご登録は承認されませんでした");
    assert!(text.contains("理由") && text.contains(reason), "{text}");
    app.stop().await;
}

fn reject(reason: &str) -> RejectRequest {
    RejectRequest {
        reason: reason.into(),
    }
}
