//! Accounts and sessions: sign-in, wrong passwords, pending buyers, roles, expiry, revocation.

use crate::both_engines;
use crate::helpers::*;
use expo_client::api::UserFilter;
use expo_client::{ClientError, Incoming};
use expo_schema::api::{AcceptInvitationRequest, InviteRequest, RegisterBuyerRequest};
use expo_schema::protocol::close_code;
use expo_schema::{AccountStatus, ErrorCode, Role, UserProfile};
use std::time::Duration;

both_engines!(
    login_and_wrong_passwords,
    buyer_registration_waits_for_approval,
    buyers_cannot_do_organizer_things,
    expired_tokens_are_refused,
    logout_revokes_rest_and_websockets,
    invited_staff_join_their_company,
);

async fn login_and_wrong_passwords(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let (api, session) = app.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    assert_eq!(session.user.role, Role::Organizer);
    let me = api.me().await.unwrap();
    assert_eq!(me.email, ADMIN_EMAIL);

    let wrong = app
        .api
        .login(ADMIN_EMAIL, "not-the-password")
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), Some(ErrorCode::InvalidCredentials));
    let unknown = app
        .api
        .login("nobody@expo.test", "whatever-pw")
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Some(ErrorCode::InvalidCredentials));
    // Emails match case-insensitively.
    assert!(app
        .api
        .login("ADMIN@expo.test", ADMIN_PASSWORD)
        .await
        .is_ok());

    let anonymous = app.api.me().await.unwrap_err();
    assert_eq!(anonymous.code(), Some(ErrorCode::Unauthorized));
    let forged = app.api.with_token("forged-token");
    let error = forged.me().await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Unauthorized));
    app.stop().await;
}

async fn buyer_registration_waits_for_approval(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let register = RegisterBuyerRequest {
        languages: vec!["ru".into()],
        interests: vec!["medical-devices".into()],
        share_contact: false,
        ..registration(
            "Olga@Vostok.example",
            "olga-password",
            "Olga Smirnova",
            "Vostok Medical",
            "RU",
            "Asia/Vladivostok",
        )
    };
    let received = app.api.register(&register).await.unwrap();
    assert_eq!(received.status, AccountStatus::Pending);
    assert_eq!(received.email, "olga@vostok.example");
    let profile: UserProfile = app
        .admin()
        .await
        .users(&pending_users())
        .await
        .unwrap()
        .users
        .into_iter()
        .find(|u| u.email == "olga@vostok.example")
        .unwrap();
    assert_eq!(profile.timezone, "Asia/Vladivostok");

    // Registering again answers exactly as the first time: registration reveals no accounts.
    let again = app.api.register(&register).await.unwrap();
    assert_eq!(again, received);
    let bad_tz = RegisterBuyerRequest {
        email: "x@y.example".into(),
        timezone: "Mars/Olympus".into(),
        ..register.clone()
    };
    let error = app.api.register(&bad_tz).await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Validation));

    let pending = app
        .api
        .login("olga@vostok.example", "olga-password")
        .await
        .unwrap_err();
    assert_eq!(pending.code(), Some(ErrorCode::AccountPending));

    let admin = app.admin().await;
    let waiting = admin.users(&pending_users()).await.unwrap();
    assert_eq!(waiting.users.len(), 1);
    assert_eq!(waiting.users[0].id, profile.id);
    let approved = admin.approve_user(profile.id).await.unwrap();
    assert_eq!(approved.status, AccountStatus::Active);
    let (_, session) = app
        .api
        .login("olga@vostok.example", "olga-password")
        .await
        .unwrap();
    assert_eq!(session.user.role, Role::Buyer);
    app.stop().await;
}

async fn buyers_cannot_do_organizer_things(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let buyer = app.buyer("ivan@primorye.example").await;
    let me = buyer.me().await.unwrap();
    let forbidden = |e: ClientError| assert_eq!(e.code(), Some(ErrorCode::Forbidden));
    forbidden(buyer.users(&UserFilter::default()).await.unwrap_err());
    forbidden(buyer.approve_user(me.id).await.unwrap_err());
    forbidden(
        buyer
            .invite(&invite("i@x.example", "I", Role::Interpreter, None))
            .await
            .unwrap_err(),
    );
    // Nor may a buyer enter the organizers' room.
    let hub = buyer.connect().await.unwrap();
    let error = hub.subscribe("organizers").await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let error = hub
        .subscribe(&format!("user:{}", me.id + 1000))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    assert!(hub.subscribe(&format!("user:{}", me.id)).await.is_ok());
    app.stop().await;
}

async fn expired_tokens_are_refused(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.session_ttl_secs = 2).await;
    let (api, _) = app.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let mut hub = api.connect().await.unwrap();
    hub.subscribe("lobby").await.unwrap();
    // The open connection is closed when its session expires...
    let code = hub
        .closed(Duration::from_secs(10))
        .await
        .expect("closed on expiry");
    assert_eq!(code, Some(close_code::UNAUTHORIZED));
    // ...and the token no longer opens anything.
    let error = api.me().await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::TokenExpired));
    let error = api.connect().await.err().expect("refused");
    assert_eq!(error.code(), Some(ErrorCode::TokenExpired));
    app.stop().await;
}

async fn logout_revokes_rest_and_websockets(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let (api, _) = app.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let (other_session, _) = app.api.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.unwrap();
    let mut hub = api.connect().await.unwrap();
    let mut other_hub = other_session.connect().await.unwrap();
    api.logout().await.unwrap();
    let closing = hub
        .wait_for(Duration::from_secs(10), |i| {
            matches!(i, Incoming::Closed(_))
        })
        .await;
    assert_eq!(
        closing,
        Some(Incoming::Closed(Some(close_code::UNAUTHORIZED)))
    );
    let error = api.me().await.unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::TokenRevoked));
    // The same user's other session is untouched.
    assert!(other_hub.next(Duration::from_millis(300)).await.is_none());
    assert!(other_hub.presence("lobby").await.is_ok());
    assert!(other_session.me().await.is_ok());
    app.stop().await;
}

async fn invited_staff_join_their_company(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start_with(|c| c.demo = true).await;
    let admin = app.admin().await;
    let companies = admin.companies(None, None).await.unwrap();
    let company = &companies.companies[0];
    let invitation = admin
        .invite(&InviteRequest {
            languages: vec!["ko".into(), "ru".into()],
            ..invite(
                "new.staff@example.kr",
                "Kim Staff",
                Role::Exhibitor,
                Some(company.id),
            )
        })
        .await
        .unwrap();
    let accept = AcceptInvitationRequest {
        token: invitation.token,
        password: "staff-password".into(),
    };
    let session = app.api.accept_invitation(&accept).await.unwrap();
    assert_eq!(session.user.role, Role::Exhibitor);
    assert_eq!(session.user.company_id, Some(company.id));
    assert_eq!(session.user.languages, vec!["ko", "ru"]);
    // An invitation works once.
    let again = app.api.accept_invitation(&accept).await.unwrap_err();
    assert_eq!(again.code(), Some(ErrorCode::NotFound));
    // Plain staff may not invite; the company admin may, for their own company only.
    let staff = app.api.with_token(session.token);
    let error = staff
        .invite(&invite(
            "x@example.kr",
            "X",
            Role::Exhibitor,
            Some(company.id),
        ))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    let (company_admin, me) = app
        .api
        .login("exhibitor@demo.expo", DEMO_PASSWORD)
        .await
        .unwrap();
    assert!(me.user.company_admin);
    let own = me.user.company_id.unwrap();
    let ok = company_admin
        .invite(&invite("y@example.kr", "Y", Role::Exhibitor, Some(own)))
        .await;
    assert!(ok.is_ok());
    let other = companies.companies.iter().find(|c| c.id != own).unwrap();
    let error = company_admin
        .invite(&invite(
            "z@example.kr",
            "Z",
            Role::Exhibitor,
            Some(other.id),
        ))
        .await
        .unwrap_err();
    assert_eq!(error.code(), Some(ErrorCode::Forbidden));
    app.stop().await;
}
