//! The permission matrix of `docs/permissions.md` as one table-driven test: every REST route
//! and websocket command in the table is tried as every role, and exactly the roles the table
//! names may pass. Refusals must be refusals (401, 403, 404 or a typed websocket error), never
//! a server error.

use crate::booths::{company_with_staff, pdf_bytes};
use crate::both_engines;
use crate::helpers::*;
use expo_client::Api;
use expo_schema::api::*;
use expo_schema::protocol::{Command, ReplyData};
use expo_schema::{ErrorCode, Role};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    Anonymous,
    PendingBuyer,
    Buyer,
    OtherBuyer,
    Staff,
    OtherStaff,
    CompanyAdmin,
    Interpreter,
    Organizer,
}

/// In this order: the organizer goes last, since some of its actions change what others see.
const ROLES: [R; 9] = [
    R::Anonymous,
    R::PendingBuyer,
    R::Buyer,
    R::OtherBuyer,
    R::Staff,
    R::OtherStaff,
    R::CompanyAdmin,
    R::Interpreter,
    R::Organizer,
];

const EVERYONE: &[R] = &ROLES;
const SIGNED_IN: &[R] = &[
    R::Buyer,
    R::OtherBuyer,
    R::Staff,
    R::OtherStaff,
    R::CompanyAdmin,
    R::Interpreter,
    R::Organizer,
];
const BUYERS: &[R] = &[R::Buyer, R::OtherBuyer];
const COMPANY_A: &[R] = &[R::Staff, R::CompanyAdmin, R::Organizer];
const EXHIBITORS: &[R] = &[R::Staff, R::OtherStaff, R::CompanyAdmin];
const CONVERSATION: &[R] = &[R::Buyer, R::Staff, R::CompanyAdmin, R::Organizer];
const ORGANIZER: &[R] = &[R::Organizer];

enum Body {
    None,
    Json(Value),
    Bytes(Vec<u8>),
}

/// A typed request body, as the JSON the matrix sends (where `{n}` is then replaced).
macro_rules! typed {
    ($body:expr) => {
        Body::Json(serde_json::to_value($body).expect("a body serializes"))
    };
}

struct Rest {
    method: reqwest::Method,
    /// `{n}` is replaced by the role's number, for names that must be unique.
    path: String,
    body: Body,
    allowed: &'static [R],
}

struct Ws {
    what: &'static str,
    /// Commands sent in order; the last one's answer decides.
    commands: Vec<Command>,
    allowed: &'static [R],
}

fn rest(method: reqwest::Method, path: String, body: Body, allowed: &'static [R]) -> Rest {
    Rest {
        method,
        path,
        body,
        allowed,
    }
}

/// A GET without a body, allowed to `allowed`.
fn get(path: impl Into<String>, allowed: &'static [R]) -> Rest {
    rest(reqwest::Method::GET, path.into(), Body::None, allowed)
}

async fn accept(app: &TestApp, invitation: &InviteResponse) -> Api {
    let session = app
        .api
        .accept_invitation(&AcceptInvitationRequest {
            token: invitation.token.clone(),
            password: "member-password".into(),
        })
        .await
        .unwrap();
    app.api.with_token(session.token)
}

async fn permission_matrix(engines: Engines) {
    let env = TestEnv::new(engines).await;
    let app = env.start().await;
    let admin = app.admin().await;
    let (a, staff) = company_with_staff(&app, &admin, "101-81-20001", "staff@m.example").await;
    let (_b, other_staff) =
        company_with_staff(&app, &admin, "101-81-20002", "other-staff@m.example").await;
    let company_admin = {
        let invitation = admin
            .invite(&InviteRequest {
                company_admin: true,
                ..invite("head@m.example", "Head", Role::Exhibitor, Some(a.id))
            })
            .await
            .unwrap();
        accept(&app, &invitation).await
    };
    let interpreter = {
        let invitation = admin
            .invite(&invite(
                "interp@m.example",
                "Interp",
                Role::Interpreter,
                None,
            ))
            .await
            .unwrap();
        accept(&app, &invitation).await
    };
    let buyer = app.buyer("buyer@m.example").await;
    let other_buyer = app.buyer("other@m.example").await;
    let other_buyer_id = app.user_id("other@m.example").await;
    let buyer_id = app.user_id("buyer@m.example").await;
    let throwaway = {
        app.buyer("throwaway@m.example").await;
        app.user_id("throwaway@m.example").await
    };
    // A pending buyer has no session at all.
    app.api
        .register(&registration(
            "pending@m.example",
            "pending-pass",
            "Pending",
            "Waiting",
            "RU",
            "Asia/Vladivostok",
        ))
        .await
        .unwrap();
    let refused = app
        .api
        .login("pending@m.example", "pending-pass")
        .await
        .unwrap_err();
    assert_eq!(refused.code(), Some(ErrorCode::AccountPending));
    // The buyer visits booth A (sharing contact), opens a conversation and shares a file.
    let (private_room, attachment) = {
        let hub = buyer.connect().await.unwrap();
        hub.subscribe(&format!("booth:{}", a.id)).await.unwrap();
        let ReplyData::ChatRoom { room } = hub
            .request(Command::ChatOpen {
                target: format!("private:{}", a.id),
            })
            .await
            .unwrap()
        else {
            panic!("a chat room")
        };
        let file = buyer
            .upload_attachment(room.id, "spec.pdf", pdf_bytes(100))
            .await
            .unwrap();
        hub.close();
        (room.id, file.id)
    };
    let hall_id = a.hall_id.unwrap();
    // A stage with a show company A hosts, and one streamed elsewhere.
    let stage = admin
        .create_stage(&StageInput {
            slug: "main".into(),
            name: "Main stage".into(),
            kind: StageKind::Main,
            position: 0,
        })
        .await
        .unwrap();
    let show_input = ShowInput {
        stage_id: stage.id,
        title: "Opening".into(),
        description: String::new(),
        texts: Default::default(),
        host_company_id: Some(a.id),
        starts_ms: 4_000_000_000_000,
        duration_minutes: 30,
        featured_product_ids: vec![],
        external_url: None,
    };
    let show = admin.create_show(&show_input).await.unwrap();
    let ask = |body: &str| QuestionInput { body: body.into() };
    let question = admin
        .ask_question(show.id, &ask("Is there a halal certificate?"))
        .await
        .unwrap();
    let question_to_hide = admin
        .ask_question(show.id, &ask("What is the MOQ?"))
        .await
        .unwrap();
    let poll_input = PollInput {
        question: "Which first?".into(),
        options: vec!["Napa".into(), "Radish".into()],
    };
    let poll = admin.open_poll(show.id, &poll_input).await.unwrap();
    let poll_to_close = admin.open_poll(show.id, &poll_input).await.unwrap();
    let external_show = admin
        .create_show(&ShowInput {
            external_url: Some("https://video.example/live.m3u8".into()),
            ..show_input.clone()
        })
        .await
        .unwrap();
    // A product of company A that buyers ask quotes for.
    let quoted = admin
        .create_product(a.id, &product_input("Quoted product"))
        .await
        .unwrap();
    let sessions: Vec<(R, Option<Api>)> = vec![
        (R::Anonymous, None),
        (R::PendingBuyer, None),
        (R::Buyer, Some(buyer)),
        (R::OtherBuyer, Some(other_buyer)),
        (R::Staff, Some(staff)),
        (R::OtherStaff, Some(other_staff)),
        (R::CompanyAdmin, Some(company_admin)),
        (R::Interpreter, Some(interpreter)),
        (R::Organizer, Some(admin)),
    ];
    assert_eq!(
        sessions.iter().map(|s| s.0).collect::<Vec<_>>(),
        ROLES.to_vec()
    );

    use reqwest::Method as M;
    let rests = vec![
        get("/api/v1/fair", EVERYONE),
        get("/api/v1/auth/me", SIGNED_IN),
        get("/api/v1/halls", SIGNED_IN),
        get("/api/v1/companies", SIGNED_IN),
        get(format!("/api/v1/companies/{}", a.id), SIGNED_IN),
        get("/api/v1/booths?q=company", SIGNED_IN),
        get("/api/v1/recommendations", BUYERS),
        get("/api/v1/taxonomy", SIGNED_IN),
        get("/api/v1/taxonomy/extension", ORGANIZER),
        rest(
            M::PUT,
            "/api/v1/taxonomy/extension".into(),
            typed!(&TaxonomyFile::default()),
            ORGANIZER,
        ),
        get("/api/v1/chat/rooms", SIGNED_IN),
        get("/api/v1/chat/blocks", SIGNED_IN),
        get("/api/v1/me/badge", SIGNED_IN),
        get("/api/v1/meetings", SIGNED_IN),
        get("/api/v1/users", ORGANIZER),
        rest(
            M::POST,
            format!("/api/v1/users/{other_buyer_id}/approve"),
            Body::None,
            ORGANIZER,
        ),
        rest(
            M::POST,
            "/api/v1/halls".into(),
            typed!(&hall_input("hall-{n}", "Hall {n}", "food")),
            ORGANIZER,
        ),
        rest(
            M::PUT,
            format!("/api/v1/halls/{hall_id}"),
            typed!(&hall_input("food", "Hall A · Food", "food")),
            ORGANIZER,
        ),
        rest(
            M::POST,
            "/api/v1/companies".into(),
            typed!(&CompanyInput {
                hall_id: Some(hall_id),
                ..company_input("301-81-3000{n}", "New {n}", "KR")
            }),
            ORGANIZER,
        ),
        rest(
            M::PUT,
            format!("/api/v1/companies/{}", a.id),
            typed!(&CompanyInput {
                hall_id: Some(hall_id),
                ..company_input(&a.reg_no, "Company A {n}", "KR")
            }),
            COMPANY_A,
        ),
        rest(
            M::POST,
            format!("/api/v1/companies/{}/products", a.id),
            typed!(&ProductInput {
                code: Some("P-{n}".into()),
                ..product_input("Product {n}")
            }),
            COMPANY_A,
        ),
        get(format!("/api/v1/companies/{}/leads", a.id), COMPANY_A),
        get(format!("/api/v1/companies/{}/leads.csv", a.id), COMPANY_A),
        get(format!("/api/v1/companies/{}/stats", a.id), COMPANY_A),
        get(
            format!("/api/v1/companies/{}/talk-requests", a.id),
            COMPANY_A,
        ),
        rest(
            M::POST,
            format!("/api/v1/products/{}/quote-requests", quoted.id),
            typed!(&QuoteRequestInput {
                kind: expo_schema::QuoteKind::Sample,
                quantity: Some("{n} boxes".into()),
                message: None,
                show_id: Some(show.id),
                consent: true,
            }),
            BUYERS,
        ),
        get(
            format!("/api/v1/companies/{}/quote-requests", a.id),
            COMPANY_A,
        ),
        rest(
            M::POST,
            "/api/v1/invitations".into(),
            typed!(&invite(
                "staff{n}@m.example",
                "New Staff",
                Role::Exhibitor,
                Some(a.id),
            )),
            &[R::CompanyAdmin, R::Organizer],
        ),
        rest(
            M::POST,
            "/api/v1/invitations".into(),
            typed!(&invite(
                "interp{n}@m.example",
                "New Interp",
                Role::Interpreter,
                None,
            )),
            ORGANIZER,
        ),
        get(
            format!("/api/v1/chat/attachments/{attachment}"),
            CONVERSATION,
        ),
        get("/api/v1/reports", ORGANIZER),
        get("/api/v1/reports/booths.csv", ORGANIZER),
        get("/api/v1/reports.xlsx", ORGANIZER),
        get("/api/v1/dashboard", ORGANIZER),
        rest(
            M::POST,
            "/api/v1/import/halls?dry_run=true".into(),
            Body::Bytes(b"slug,name,industry\nsea,Sea Hall,food\n".to_vec()),
            ORGANIZER,
        ),
        rest(
            M::POST,
            "/api/v1/import/buyers?dry_run=true".into(),
            Body::Bytes(b"email,name\nnew.buyer@buyers.example,New Buyer\n".to_vec()),
            ORGANIZER,
        ),
        get("/api/v1/import/buyers/template.csv", ORGANIZER),
        get("/api/v1/invitations", ORGANIZER),
        rest(
            M::POST,
            "/api/v1/users/approve".into(),
            typed!(&ApproveManyRequest {
                ids: vec![other_buyer_id],
            }),
            ORGANIZER,
        ),
        rest(
            M::POST,
            format!("/api/v1/users/{throwaway}/disable"),
            Body::None,
            ORGANIZER,
        ),
        rest(M::GET, "/api/v1/stages".into(), Body::None, SIGNED_IN),
        rest(
            M::POST,
            "/api/v1/stages".into(),
            typed!(&StageInput {
                slug: "studio-{n}".into(),
                name: "Studio".into(),
                kind: StageKind::Studio,
                position: 1,
            }),
            ORGANIZER,
        ),
        rest(
            M::POST,
            "/api/v1/shows".into(),
            typed!(&show_input),
            ORGANIZER,
        ),
        rest(
            M::GET,
            format!("/api/v1/shows/{}", show.id),
            Body::None,
            SIGNED_IN,
        ),
        rest(
            M::GET,
            format!("/api/v1/shows/{}/ingest", show.id),
            Body::None,
            COMPANY_A,
        ),
        rest(
            M::POST,
            format!("/api/v1/shows/{}/pin", show.id),
            typed!(&PinInput { product_id: None }),
            COMPANY_A,
        ),
        get(format!("/api/v1/shows/{}/commerce", show.id), COMPANY_A),
        rest(
            M::GET,
            format!("/api/v1/shows/{}/pins", show.id),
            Body::None,
            SIGNED_IN,
        ),
        rest(
            M::GET,
            format!("/api/v1/shows/{}/chat", show.id),
            Body::None,
            SIGNED_IN,
        ),
        rest(
            M::PUT,
            format!("/api/v1/shows/{}/chat", show.id),
            typed!(&ShowChatInput {
                slow_mode_s: 0,
                mode: None
            }),
            COMPANY_A,
        ),
        get(format!("/api/v1/shows/{}/questions", show.id), SIGNED_IN),
        rest(
            M::POST,
            format!("/api/v1/shows/{}/questions", show.id),
            typed!(&ask("Do you ship to Vladivostok?")),
            SIGNED_IN,
        ),
        rest(
            M::POST,
            format!("/api/v1/questions/{}/vote", question.id),
            Body::None,
            SIGNED_IN,
        ),
        rest(
            M::POST,
            format!("/api/v1/questions/{}/answered", question.id),
            Body::None,
            COMPANY_A,
        ),
        rest(
            M::POST,
            format!("/api/v1/questions/{}/hide", question_to_hide.id),
            Body::None,
            COMPANY_A,
        ),
        get(format!("/api/v1/shows/{}/polls", show.id), SIGNED_IN),
        rest(
            M::POST,
            format!("/api/v1/shows/{}/polls", show.id),
            typed!(&poll_input),
            COMPANY_A,
        ),
        rest(
            M::POST,
            format!("/api/v1/polls/{}/vote", poll.id),
            typed!(&PollVote { option: 1 }),
            SIGNED_IN,
        ),
        rest(
            M::POST,
            format!("/api/v1/polls/{}/close", poll_to_close.id),
            Body::None,
            COMPANY_A,
        ),
        get("/api/v1/chat/filter", ORGANIZER),
        rest(
            M::PUT,
            "/api/v1/chat/filter".into(),
            typed!(&FilterWords::default()),
            ORGANIZER,
        ),
        rest(
            M::POST,
            format!("/api/v1/shows/{}/live", external_show.id),
            Body::None,
            ORGANIZER,
        ),
        // The media server's callback takes its secret, never a session.
        rest(
            M::POST,
            "/api/v1/stage/rtmp/publish".into(),
            Body::None,
            &[],
        ),
        rest(
            M::POST,
            "/api/v1/stage/rtmp/record-done".into(),
            Body::None,
            &[],
        ),
    ];
    let booth = format!("booth:{}", a.id);
    let subscribe = |room: &str| Command::Subscribe { room: room.into() };
    let show_room = format!("show:{}", show.id);
    let wss = vec![
        Ws {
            what: "subscribe lobby",
            commands: vec![subscribe("lobby")],
            allowed: SIGNED_IN,
        },
        Ws {
            what: "subscribe to a show",
            commands: vec![subscribe(&show_room)],
            allowed: SIGNED_IN,
        },
        Ws {
            what: "react to a show",
            commands: vec![
                subscribe(&show_room),
                Command::ShowReact {
                    show_id: show.id,
                    reaction: expo_schema::protocol::Reaction::Clap,
                },
            ],
            allowed: SIGNED_IN,
        },
        Ws {
            what: "presence of a booth",
            commands: vec![Command::Presence {
                room: booth.clone(),
            }],
            allowed: SIGNED_IN,
        },
        Ws {
            what: "subscribe organizers",
            commands: vec![subscribe("organizers")],
            allowed: ORGANIZER,
        },
        Ws {
            what: "subscribe dashboard",
            commands: vec![subscribe("dashboard")],
            allowed: ORGANIZER,
        },
        Ws {
            what: "subscribe the buyer's personal room",
            commands: vec![subscribe(&format!("user:{buyer_id}"))],
            allowed: &[R::Buyer],
        },
        Ws {
            what: "set_duty",
            commands: vec![Command::SetDuty { on_duty: true }],
            allowed: EXHIBITORS,
        },
        Ws {
            what: "chat_open the booth room",
            commands: vec![Command::ChatOpen {
                target: booth.clone(),
            }],
            allowed: SIGNED_IN,
        },
        Ws {
            what: "chat_open the buyer's conversation with company A",
            commands: vec![Command::ChatOpen {
                target: format!("private:{}:{buyer_id}", a.id),
            }],
            allowed: CONVERSATION,
        },
        Ws {
            what: "chat_join the buyer's conversation",
            commands: vec![Command::ChatJoin {
                room_id: private_room,
                after_seq: 0,
            }],
            allowed: CONVERSATION,
        },
        Ws {
            what: "chat_history of the buyer's conversation",
            commands: vec![Command::ChatHistory {
                room_id: private_room,
                before_seq: None,
                limit: None,
            }],
            allowed: CONVERSATION,
        },
        Ws {
            what: "talk_request at booth A",
            commands: vec![subscribe(&booth), Command::TalkRequest { company_id: a.id }],
            allowed: BUYERS,
        },
        Ws {
            what: "meeting_join of no meeting of theirs",
            commands: vec![Command::MeetingJoin {
                meeting_id: 999_999,
            }],
            allowed: &[],
        },
    ];

    let mut wrong = Vec::new();
    let mut tried = 0;
    for (n, (role, api)) in sessions.iter().enumerate() {
        for case in &rests {
            tried += 1;
            let path = case.path.replace("{n}", &n.to_string());
            let mut request =
                http_client().request(case.method.clone(), format!("{}{path}", app.base));
            if let Some(api) = api {
                request = request.bearer_auth(api.token().unwrap());
            }
            request = match &case.body {
                Body::None => request,
                Body::Json(value) => {
                    let text = value.to_string().replace("{n}", &n.to_string());
                    request
                        .header("content-type", "application/json")
                        .body(text)
                }
                Body::Bytes(bytes) => request.body(bytes.clone()),
            };
            let status = request.send().await.unwrap().status().as_u16();
            let passed = (200..300).contains(&status);
            let refused = matches!(status, 401 | 403 | 404);
            let allowed = case.allowed.contains(role);
            if passed != allowed || (!passed && !refused) {
                wrong.push(format!(
                    "{role:?} {} {path}: {status} (allowed: {allowed})",
                    case.method
                ));
            }
        }
        for case in &wss {
            tried += 1;
            let passed = match api {
                // Without a session the hub refuses the connection itself.
                None => {
                    let hub = expo_client::Hub::connect(&app.api.ws_url(), None, None).await;
                    assert!(
                        hub.is_err(),
                        "{role:?} cannot open the hub without a session"
                    );
                    false
                }
                Some(api) => {
                    let hub = api.connect().await.unwrap();
                    let mut last = None;
                    for command in case.commands.clone() {
                        last = Some(hub.request(command).await);
                    }
                    hub.close();
                    match last.unwrap() {
                        Ok(_) => true,
                        Err(error) => {
                            let code = error.code();
                            if matches!(code, Some(ErrorCode::Internal) | None) {
                                wrong.push(format!("{role:?} {}: {error}", case.what));
                            }
                            false
                        }
                    }
                }
            };
            let allowed = case.allowed.contains(role);
            if passed != allowed {
                wrong.push(format!(
                    "{role:?} {}: passed {passed}, allowed {allowed}",
                    case.what
                ));
            }
        }
    }
    assert_eq!(tried, (rests.len() + wss.len()) * ROLES.len());
    assert!(
        wrong.is_empty(),
        "outside the matrix ({} of {tried} tries):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    app.stop().await;
}

fn http_client() -> reqwest::Client {
    reqwest::Client::new()
}

both_engines!(permission_matrix);
