//! The demo fair: a sample modelled on GTI Expo 2021 in Gangwon, loaded once by `--demo`.
//!
//! Eight halls by industry, forty Gangwon exporters with their products and staff, buyers
//! from Russia, China, Mongolia, Japan and beyond in their own time zones, and interpreters.
//! The data are files under `server/demo/` (see [`data`]); the demo is a client of the domain
//! code and writes them through the domains' own writers: halls, companies and products through
//! the import's plan and write (`booths::import::import_in`), chat history through live chat's
//! append (`chat::writer::append_in`), meetings through the meeting placer
//! (`meetings::place::place_by`), attendance through the monitor's writers, marks and pairs
//! through matchmaking's. What no domain writes outside a request handler (accounts with a
//! known password, the people desk's invitations, the meeting grid, a held meeting's
//! check-ins and outcome, media rows naming built-in files) it writes itself.
//!
//! Loading is idempotent and safe when several nodes start with `--demo` at once: the
//! `demo_loaded` marker is claimed inside the same transaction that writes the data.
//! Every demo account's password is [`DEMO_PASSWORD`].

pub(crate) mod data;
mod media;

pub use media::embedded;

use crate::auth::password;
use crate::booths::import::{import_in, Kind};
use crate::meetings::place::{place_by, Lost, NewRequest, Plan, Rules, Update, Write};
use crate::monitor::sessions::SessionEvent;
use crate::store::json::encode_list;
use crate::store::{now_ms, Store, StoreKind};
use anyhow::Context;
use expo_schema::matchmaking::{MarkLevel, MarkSide, ModeWish, PairInput, Priority};
use expo_schema::{MeetingMode, MeetingSide, MeetingSlot, Role, UserSummary};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "expo-demo-2026";

const HOUR: i64 = 3_600_000;
const MINUTE: i64 = 60_000;

/// Placements need no per-day limits in the demo: it places what its files say.
fn rules(kind: StoreKind) -> Rules {
    Rules {
        kind,
        buyer_per_day: 0,
        staff_per_day: 0,
        interpreter_per_day: 0,
    }
}

/// Ids by email and by registration number, read once the accounts and companies exist.
struct Ids {
    users: HashMap<String, i64>,
    /// Name, role and country by id.
    people: HashMap<i64, (String, String, Option<String>)>,
    companies: HashMap<String, i64>,
    organizer: Option<i64>,
}

impl Ids {
    async fn read(conn: &mut AnyConnection) -> anyhow::Result<Ids> {
        let users: Vec<(String, i64, String, String, Option<String>)> =
            sqlx::query_as("select email, id, name, role, country from users")
                .fetch_all(&mut *conn)
                .await?;
        let companies: Vec<(String, i64)> = sqlx::query_as("select reg_no, id from companies")
            .fetch_all(&mut *conn)
            .await?;
        let organizer: Option<i64> =
            sqlx::query_scalar("select min(id) from users where role = 'organizer'")
                .fetch_one(&mut *conn)
                .await?;
        Ok(Ids {
            people: users
                .iter()
                .map(|(_, id, name, role, country)| {
                    (*id, (name.clone(), role.clone(), country.clone()))
                })
                .collect(),
            users: users
                .into_iter()
                .map(|(email, id, ..)| (email, id))
                .collect(),
            companies: companies.into_iter().collect(),
            organizer,
        })
    }

    fn user(&self, email: &str) -> anyhow::Result<i64> {
        self.users
            .get(email)
            .copied()
            .with_context(|| format!("demo: no account {email}"))
    }

    /// Enough of a person for the chat writer, which stores the sender's id.
    fn summary(&self, id: i64) -> UserSummary {
        let (name, role, _) = self.people.get(&id).cloned().unwrap_or_default();
        UserSummary {
            id,
            name,
            role: Role::parse(&role).unwrap_or(Role::Buyer),
            company_id: None,
            company_name: None,
            country: None,
            anonymous: false,
        }
    }

    fn company(&self, reg_no: &str) -> anyhow::Result<i64> {
        self.companies
            .get(reg_no)
            .copied()
            .with_context(|| format!("demo: no company {reg_no}"))
    }
}

/// Loads the demo fair unless it is there already (then only makes sure the README's video
/// meeting is open now). Returns true when it loaded it now.
pub async fn load(store: &Store) -> anyhow::Result<bool> {
    if store.meta("demo_loaded").await?.is_some() {
        live_meeting_now(store).await?;
        return Ok(false);
    }
    // Parsed before anything is written: a broken file stops the start, not the load halfway.
    let (staff, buyers, people) = (data::staff()?, data::buyers()?, data::people()?);
    let (chat, meetings, attendance) = (data::chat()?, data::meetings()?, data::attendance()?);
    let (marks, media, stages) = (data::marks()?, data::media()?, data::stages()?);
    // One hash for every demo account: they share a published password anyway.
    let phc = password::hash(DEMO_PASSWORD.to_string()).await?;
    let now = now_ms();
    let kind = store.kind();
    let mut tx = store.begin_write().await?;
    let claimed = sqlx::query(
        "insert into meta (key, value) values ('demo_loaded', $1) on conflict (key) do nothing",
    )
    .bind(now.to_string())
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "insert into meta (key, value) values ('fair_name', $1) \
         on conflict (key) do update set value = excluded.value",
    )
    .bind("GTI Expo Gangwon 2026 (demo)")
    .execute(&mut *tx)
    .await?;
    // The booths, as an organizer's import would write them.
    let mut counts = Vec::new();
    for (kind_of_file, file) in [
        (Kind::Halls, data::HALLS),
        (Kind::Companies, data::COMPANIES),
        (Kind::Products, data::PRODUCTS),
    ] {
        counts.push(import_in(&mut tx, kind, kind_of_file, file.as_bytes(), 0).await?);
    }
    let ids = Ids::read(&mut tx).await?;
    for item in &media {
        let company = ids.company(&item.reg_no)?;
        let product = match &item.code {
            Some(code) => Some(product_id(&mut tx, company, code).await?),
            None => None,
        };
        let file = &item.file;
        media::insert_media(
            &mut tx,
            company,
            product,
            &item.kind,
            &item.title,
            file,
            now,
        )
        .await?;
    }
    for s in &staff {
        let account = Account {
            email: &s.email,
            name: &s.name,
            role: "exhibitor",
            status: "active",
            company: Some((ids.company(&s.reg_no)?, s.company_admin)),
            buyer_company: None,
            country: "KR",
            timezone: "Asia/Seoul",
            languages: s.languages(),
            interests: vec![],
            share_contact: false,
            created_ms: now,
        };
        account.insert(&mut tx, &phc).await?;
    }
    for b in &buyers {
        let account = Account {
            email: &b.email,
            name: &b.name,
            role: "buyer",
            status: "active",
            company: None,
            buyer_company: Some(&b.company),
            country: &b.country,
            timezone: &b.timezone,
            languages: b.languages(),
            interests: b.interests(),
            share_contact: b.share_contact,
            created_ms: now,
        };
        account.insert(&mut tx, &phc).await?;
    }
    for i in &people.interpreters {
        let account = Account {
            email: &i.email,
            name: &i.name,
            role: "interpreter",
            status: "active",
            company: None,
            buyer_company: None,
            country: "KR",
            timezone: "Asia/Seoul",
            languages: i.languages.clone(),
            interests: vec![],
            share_contact: false,
            created_ms: now,
        };
        account.insert(&mut tx, &phc).await?;
    }
    for p in &people.pending_buyers {
        let account = Account {
            email: &p.email,
            name: &p.name,
            role: "buyer",
            status: "pending",
            company: None,
            buyer_company: Some(&p.company),
            country: &p.country,
            timezone: &p.timezone,
            languages: p.languages.clone(),
            interests: p.interests.clone(),
            share_contact: true,
            created_ms: now - p.registered_hours_ago * HOUR,
        };
        account.insert(&mut tx, &phc).await?;
    }
    let ids = Ids::read(&mut tx).await?;
    seed_invitations(&mut tx, &ids, &people.invitations, now).await?;
    seed_chat(&mut tx, kind, &ids, &chat, now).await?;
    seed_meetings(&mut tx, kind, &ids, &meetings, now).await?;
    seed_attendance(&mut tx, &ids, &attendance, now).await?;
    seed_matchmaking(&mut tx, &ids, &marks, &staff).await?;
    seed_stage(&mut tx, kind, &ids, &stages, now).await?;
    tx.commit().await?;
    tracing::info!(
        halls = counts[0].created,
        companies = counts[1].created,
        products = counts[2].created,
        buyers = buyers.len(),
        "demo fair loaded"
    );
    Ok(true)
}

/// The stages and their shows, through the stage module's own writers. Without a media
/// server the studio's show "under way" stays scheduled: it goes live when an encoder
/// publishes its key (docs/stage.md). A show's chat so far is stored as live chat stores
/// it; the fair's word filter is set.
async fn seed_stage(
    conn: &mut AnyConnection,
    kind: StoreKind,
    ids: &Ids,
    stages: &data::Stages,
    now: i64,
) -> anyhow::Result<()> {
    use crate::chat::store::{insert_room, Owners};
    use crate::chat::writer::{append_in, NewMessage};
    use crate::stage::edit::{save_show, save_stage, write_pin};
    crate::chat::filter::write_words(conn, ids.organizer, &stages.filter_words, now).await?;
    let mut stage_ids = HashMap::new();
    for stage in &stages.stages {
        let id = save_stage(conn, None, stage)
            .await
            .map_err(|e| anyhow::anyhow!("demo stage {}: {}", stage.slug, e.body()))?;
        stage_ids.insert(stage.slug.clone(), id);
    }
    for show in &stages.shows {
        let host = match &show.host {
            Some(reg_no) => Some(ids.company(reg_no)?),
            None => None,
        };
        let mut featured = Vec::new();
        for code in &show.featured {
            let company = host.context("demo: a show's featured products are its host's")?;
            featured.push(product_id(conn, company, code).await?);
        }
        let input = expo_schema::api::ShowInput {
            stage_id: *stage_ids
                .get(&show.stage)
                .with_context(|| format!("demo show stage {}", show.stage))?,
            title: show.title.clone(),
            description: show.description.clone(),
            texts: show.texts.clone(),
            host_company_id: host,
            // Whole minutes, so the schedule reads cleanly.
            starts_ms: now - now % 60_000 + show.starts_in_minutes * 60_000,
            duration_minutes: show.duration_minutes,
            featured_product_ids: featured,
            external_url: show.external_url.clone(),
        };
        let id = save_show(conn, None, &input, now)
            .await
            .map_err(|e| anyhow::anyhow!("demo show {}: {}", show.title, e.body()))?;
        if let Some(code) = &show.pinned {
            let company = host.context("demo: a pinned product is its host's")?;
            let product = product_id(conn, company, code).await?;
            write_pin(conn, id, Some(product), None, now).await?;
        }
        crate::stage::chat::write_rules(conn, id, show.slow_mode_s, None).await?;
        // A show with a take gets its chat room now: the feed writes the take's lines into it.
        if !show.chat.is_empty() || show.take.is_some() {
            let owners = Owners {
                company: host,
                show: Some(id),
                ..Owners::default()
            };
            let room = insert_room(
                &mut *conn,
                expo_schema::ChatRoomKind::Show,
                &format!("show:{id}"),
                owners,
                now,
            )
            .await?
            .with_context(|| format!("demo: the chat of show {id} exists"))?;
            let mut lines = Vec::new();
            for (n, line) in show.chat.iter().enumerate() {
                lines.push(NewMessage {
                    room_id: room,
                    sender: ids.summary(ids.user(&line.sender)?),
                    body: line.text.clone(),
                    key: format!("demo-show-{id}-{n}"),
                    attachment: None,
                    phrase: None,
                    created_ms: now - line.minutes_ago * MINUTE,
                });
            }
            if !lines.is_empty() {
                append_in(conn, kind, &lines).await?;
            }
        }
        seed_show_qa(conn, ids, id, show, now).await?;
        for q in &show.quote_requests {
            let company = host.context("demo: a quote request is for the host's products")?;
            let request = crate::stage::commerce::NewRequest {
                company_id: company,
                product_id: product_id(conn, company, &q.product).await?,
                buyer_id: ids.user(&q.buyer)?,
                show_id: Some(id),
                kind: q.kind,
                quantity: q.quantity.as_deref(),
                message: q.message.as_deref(),
            };
            let at = now - q.minutes_ago * MINUTE;
            crate::stage::commerce::write_request(conn, &request, at).await?;
        }
    }
    Ok(())
}

/// A show's questions (with their upvotes; answered ones marked) and polls (with votes),
/// through the stage's own writers.
async fn seed_show_qa(
    conn: &mut AnyConnection,
    ids: &Ids,
    show_id: i64,
    show: &data::DemoShow,
    now: i64,
) -> anyhow::Result<()> {
    use crate::stage::qa::{mark_question, write_poll, write_question, write_upvote, write_vote};
    for q in &show.questions {
        let at = now - q.minutes_ago * MINUTE;
        let qid = write_question(conn, show_id, ids.user(&q.sender)?, &q.text, at).await?;
        for voter in &q.upvoters {
            write_upvote(conn, qid, ids.user(voter)?, at).await?;
        }
        if q.answered {
            mark_question(conn, qid, "answered_ms", at + MINUTE).await?;
        }
    }
    for p in &show.polls {
        let at = now - p.minutes_ago * MINUTE;
        let pid = write_poll(conn, show_id, &p.question, &p.options, ids.organizer, at).await?;
        for (voter, option) in &p.votes {
            anyhow::ensure!(
                (0..p.options.len() as i64).contains(option),
                "demo poll: no option {option}"
            );
            write_vote(conn, pid, ids.user(voter)?, *option, at).await?;
        }
    }
    Ok(())
}

/// A company's product by its code.
async fn product_id(conn: &mut AnyConnection, company: i64, code: &str) -> anyhow::Result<i64> {
    sqlx::query_scalar("select id from products where company_id = $1 and code = $2")
        .bind(company)
        .bind(code)
        .fetch_one(&mut *conn)
        .await
        .with_context(|| format!("demo: no product {code} of company {company}"))
}

/// A demo account, with the demo password.
struct Account<'a> {
    email: &'a str,
    name: &'a str,
    role: &'a str,
    status: &'a str,
    /// The company of staff, and whether they are its admin.
    company: Option<(i64, bool)>,
    buyer_company: Option<&'a str>,
    country: &'a str,
    timezone: &'a str,
    languages: Vec<String>,
    interests: Vec<String>,
    share_contact: bool,
    created_ms: i64,
}

impl Account<'_> {
    /// Accounts are otherwise made by a registration, an accepted invitation or the first
    /// organizer, each from a request; the demo's come ready, with a known password.
    async fn insert(&self, conn: &mut AnyConnection, phc: &str) -> anyhow::Result<()> {
        sqlx::query(
            "insert into users (email, name, role, status, password_hash, company_id, \
             company_admin, buyer_company, country, timezone, languages, interests, \
             share_contact, created_ms) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(self.email)
        .bind(self.name)
        .bind(self.role)
        .bind(self.status)
        .bind(phc)
        .bind(self.company.map(|c| c.0))
        .bind(i64::from(self.company.is_some_and(|c| c.1)))
        .bind(self.buyer_company)
        .bind(self.country)
        .bind(self.timezone)
        .bind(encode_list(&self.languages))
        .bind(encode_list(&self.interests))
        .bind(i64::from(self.share_contact))
        .bind(self.created_ms)
        .execute(&mut *conn)
        .await
        .with_context(|| format!("demo account {}", self.email))?;
        Ok(())
    }
}

/// The people desk's invitations, sent (and some accepted) hours ago. The import's staff
/// invitations are sent now and hand out their links; these are history, and nobody holds
/// their links.
async fn seed_invitations(
    conn: &mut AnyConnection,
    ids: &Ids,
    invitations: &[data::Invitation],
    now: i64,
) -> anyhow::Result<()> {
    for i in invitations {
        let company_id = match &i.company {
            Some(reg_no) => Some(ids.company(reg_no)?),
            None => None,
        };
        let (_, hash) = password::new_token();
        let sent_ms = now - i.sent_hours_ago * HOUR;
        sqlx::query(
            "insert into invitations (token_hash, email, name, role, company_id, company_admin, \
             languages, invited_by, created_ms, expires_ms, accepted_ms, language, sent_ms) \
             values ($1, $2, $3, $4, $5, 0, $6, $7, $8, $9, $10, $11, $8)",
        )
        .bind(hash)
        .bind(&i.email)
        .bind(&i.name)
        .bind(&i.role)
        .bind(company_id)
        .bind(encode_list(&i.languages))
        .bind(ids.organizer)
        .bind(sent_ms)
        .bind(sent_ms + crate::auth::routes::INVITATION_TTL_MS)
        .bind(i.accepted_hours_ago.map(|a| now - a * HOUR))
        .bind(crate::mail::language_of_list(&i.languages))
        .execute(&mut *conn)
        .await
        .with_context(|| format!("invitation of {}", i.email))?;
    }
    Ok(())
}

/// A little chat history, so the first look at the fair is not an empty room: a fair
/// announcement, questions in the second booth, a private conversation of the first booth
/// (whose admin is the README's exhibitor), minutes apart and ending an hour before the load,
/// appended as live chat appends; and one missed talk-to-staff request waiting in the first
/// booth's follow-up list.
async fn seed_chat(
    conn: &mut AnyConnection,
    kind: StoreKind,
    ids: &Ids,
    chat: &data::Chat,
    now: i64,
) -> anyhow::Result<()> {
    use crate::chat::store::{insert_room, Owners};
    use crate::chat::writer::{append_in, NewMessage};
    let mut rooms = HashMap::new();
    for room in &chat.rooms {
        let company = room
            .company
            .as_deref()
            .map(|c| ids.company(c))
            .transpose()?;
        let buyer = room.buyer.as_deref().map(|b| ids.user(b)).transpose()?;
        let target = match (company, buyer) {
            (Some(c), Some(b)) => format!("{}:{c}:{b}", room.kind.as_str()),
            (Some(c), None) => format!("{}:{c}", room.kind.as_str()),
            _ => room.kind.as_str().to_string(),
        };
        let owners = Owners {
            company,
            buyer,
            ..Owners::default()
        };
        let id = insert_room(&mut *conn, room.kind, &target, owners, now)
            .await?
            .with_context(|| format!("demo: chat room {target} exists"))?;
        rooms.insert(room.name.as_str(), id);
    }
    let book = expo_schema::phrases::builtin();
    let mut batch = Vec::new();
    for (n, m) in chat.messages.iter().enumerate() {
        let (body, phrase) = match (&m.text, &m.phrase) {
            (Some(text), None) => (text.clone(), None),
            (None, Some(p)) => {
                let phrase = expo_schema::PhraseRef {
                    id: p.id.clone(),
                    params: p.params.clone().into_iter().collect(),
                };
                book.check(&phrase)
                    .map_err(|e| anyhow::anyhow!("demo phrase: {e}"))?;
                (
                    book.render(&phrase, &p.lang).unwrap_or_default(),
                    Some(phrase),
                )
            }
            _ => anyhow::bail!("demo chat message {n}: give a text or a phrase"),
        };
        let sender = if m.sender == "admin" {
            ids.organizer.context("demo chat: no organizer")?
        } else {
            ids.user(&m.sender)?
        };
        batch.push(NewMessage {
            room_id: *rooms
                .get(m.room.as_str())
                .with_context(|| format!("demo chat: no room {}", m.room))?,
            sender: ids.summary(sender),
            body,
            key: format!("demo-{n}"),
            attachment: None,
            phrase,
            created_ms: now - HOUR - (chat.messages.len() - n) as i64 * 4 * MINUTE,
        });
    }
    append_in(conn, kind, &batch).await?;
    let missed = &chat.missed_talk;
    let created = now - missed.minutes_ago * MINUTE;
    let expired = created + missed.expired_after_seconds * 1000;
    // Talk requests are made and missed by the live booth (a buyer's connection, a timer).
    sqlx::query(
        "insert into talk_requests (company_id, buyer_id, state, created_ms, expires_ms, resolved_ms) \
         values ($1, $2, 'missed', $3, $4, $4)",
    )
    .bind(ids.company(&missed.company)?)
    .bind(ids.user(&missed.buyer)?)
    .bind(created)
    .bind(expired)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Adds a meeting slot (or finds the one with the same times) and opens it for `company`.
/// The grid and availability are written by the organizers' and exhibitors' endpoints only.
async fn open_slot(
    conn: &mut AnyConnection,
    day: &str,
    (starts_ms, ends_ms): (i64, i64),
    company: Option<i64>,
) -> anyhow::Result<MeetingSlot> {
    let id: i64 = sqlx::query_scalar(
        "insert into meeting_slots (day, starts_ms, ends_ms) values ($1, $2, $3) \
         on conflict (starts_ms, ends_ms) do update set day = excluded.day returning id",
    )
    .bind(day)
    .bind(starts_ms)
    .bind(ends_ms)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(company) = company {
        sqlx::query(
            "insert into company_slots (company_id, slot_id) values ($1, $2) on conflict do nothing",
        )
        .bind(company)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(MeetingSlot {
        id,
        day: day.to_string(),
        starts_ms,
        ends_ms,
    })
}

/// One meeting through the meeting placer: requested, then (when `confirm`) confirmed, as
/// an answer confirms it (an onsite one takes a table). A lost placement is an error: the
/// demo's files place nothing twice.
async fn place_meeting(
    conn: &mut AnyConnection,
    kind: StoreKind,
    plan: &Plan,
    request: NewRequest,
    confirm: bool,
) -> anyhow::Result<Result<i64, Lost>> {
    let expires_ms = request.expires_ms;
    let awaiting = request.awaiting;
    let placed = place_by(rules(kind), conn, plan, &Write::Insert(request)).await?;
    let Ok(id) = placed else { return Ok(placed) };
    if confirm {
        let update = Write::Update(Update {
            id,
            from_state: "requested",
            to_state: "confirmed",
            awaiting,
            expires_ms,
            moved: false,
        });
        if let Err(lost) = place_by(rules(kind), conn, plan, &update).await? {
            return Ok(Err(lost));
        }
    }
    Ok(Ok(id))
}

/// The meeting grid: yesterday (meetings held, with outcomes and a no-show) and the next two
/// fair days (09:00-18:00 Korea time, lunch 12:00-13:00, 30-minute slots); every booth open
/// for meetings with two seats, six meeting tables per hall; and the README's buyer and
/// exhibitor with a video meeting that is open right now (interpreter included), a confirmed
/// onsite one, a request waiting for the exhibitor and one the exhibitor sent to a buyer.
async fn seed_meetings(
    conn: &mut AnyConnection,
    kind: StoreKind,
    ids: &Ids,
    meetings: &data::Meetings,
    now: i64,
) -> anyhow::Result<()> {
    use crate::meetings::routes::grid_slots;
    use expo_schema::api::{Break, GridInput};
    let grid = &meetings.grid;
    // Seats and tables first: the placer reads them.
    sqlx::query("update companies set meeting_seats = $1")
        .bind(meetings.seats)
        .execute(&mut *conn)
        .await?;
    let halls: Vec<i64> = sqlx::query_scalar("select id from halls order by id")
        .fetch_all(&mut *conn)
        .await?;
    for hall in halls {
        crate::meetings::routes::add_tables(&mut *conn, hall, meetings.tables_per_hall).await?;
    }
    let mut companies: Vec<i64> = ids.companies.values().copied().collect();
    companies.sort_unstable();
    let today = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    let mut days: HashMap<i64, Vec<MeetingSlot>> = HashMap::new();
    for offset in &grid.days {
        let day = (today + chrono::Duration::days(*offset))
            .format("%Y-%m-%d")
            .to_string();
        let input = GridInput {
            day: day.clone(),
            timezone: grid.timezone.clone(),
            start: grid.start.clone(),
            end: grid.end.clone(),
            slot_minutes: grid.slot_minutes,
            breaks: grid
                .breaks
                .iter()
                .map(|b| Break {
                    start: b.start.clone(),
                    end: b.end.clone(),
                })
                .collect(),
        };
        let slots = grid_slots(&input).map_err(|e| anyhow::anyhow!("demo grid: {}", e.body()))?;
        let mut opened = Vec::new();
        for times in slots {
            opened.push(open_slot(conn, &day, times, None).await?);
        }
        days.insert(*offset, opened);
    }
    // The slot that is on now: from the last five-minute mark. Every booth is open for every
    // slot.
    let live = &meetings.live;
    let live_start = now - now % (5 * MINUTE);
    let live_times = (live_start, live_start + live.minutes * MINUTE);
    let live_slot = open_slot(
        conn,
        &today.format("%Y-%m-%d").to_string(),
        live_times,
        None,
    )
    .await?;
    sqlx::query(
        "insert into company_slots (company_id, slot_id) \
         select c.id, s.id from companies c, meeting_slots s",
    )
    .execute(&mut *conn)
    .await?;
    let slot_of = |day: i64, n: usize| {
        days.get(&day)
            .and_then(|slots| slots.get(n))
            .cloned()
            .with_context(|| format!("demo: no slot {n} on day {day}"))
    };
    let opt_user = |email: &Option<String>| email.as_deref().map(|e| ids.user(e)).transpose();
    // The video meeting under way.
    let buyer = ids.user(&live.buyer)?;
    let plan = Plan {
        company_id: ids.company(&live.company)?,
        buyer_id: buyer,
        staff_id: Some(ids.user(&live.staff)?),
        interpreter_id: Some(ids.user(&live.interpreter)?),
        slot: live_slot,
        mode: MeetingMode::Online,
    };
    let request = NewRequest {
        show_id: None,
        requested_by: buyer,
        awaiting: MeetingSide::Company,
        message: Some(live.message.clone()),
        product_ids: vec![],
        interpreter_languages: live.interpreter_languages.clone(),
        expires_ms: live_start,
    };
    place_meeting(conn, kind, &plan, request, true)
        .await?
        .map_err(|lost| anyhow::anyhow!("demo: the live meeting: {lost:?}"))?;
    for m in &meetings.upcoming {
        let slot = slot_of(m.day, m.slot)?;
        let expires_ms = slot.starts_ms.min(now + 48 * HOUR);
        let plan = Plan {
            company_id: ids.company(&m.company)?,
            buyer_id: ids.user(&m.buyer)?,
            staff_id: opt_user(&m.staff)?,
            interpreter_id: opt_user(&m.interpreter)?,
            slot,
            mode: m.mode,
        };
        let request = NewRequest {
            show_id: None,
            requested_by: ids.user(&m.requested_by)?,
            awaiting: m.awaiting,
            message: Some(m.message.clone()),
            product_ids: vec![],
            interpreter_languages: m.interpreter_languages.clone(),
            expires_ms,
        };
        let confirm = m.state == "confirmed";
        place_meeting(conn, kind, &plan, request, confirm)
            .await?
            .map_err(|lost| anyhow::anyhow!("demo: a meeting of {}: {lost:?}", m.buyer))?;
    }
    // Yesterday's consultations: held, with outcomes (one no-show), across companies.
    for m in &meetings.held_yesterday {
        let slot = slot_of(-1, m.slot)?;
        let (starts, ends) = (slot.starts_ms, slot.ends_ms);
        let buyer = ids.user(&m.buyer)?;
        let plan = Plan {
            company_id: ids.company(&m.company)?,
            buyer_id: buyer,
            staff_id: Some(ids.user(&m.staff)?),
            interpreter_id: opt_user(&m.interpreter)?,
            slot,
            mode: m.mode,
        };
        let request = NewRequest {
            show_id: None,
            requested_by: buyer,
            awaiting: MeetingSide::Company,
            message: Some(m.message.clone()),
            product_ids: vec![],
            interpreter_languages: m.interpreter_languages.clone(),
            expires_ms: starts,
        };
        let id = place_meeting(conn, kind, &plan, request, true)
            .await?
            .map_err(|lost| anyhow::anyhow!("demo: a held meeting of {}: {lost:?}", m.buyer))?;
        // Both checked in (but one buyer never came), an outcome recorded. Check-ins and
        // outcomes are written by each side's endpoint, at the time of the request.
        let o = &m.outcome;
        sqlx::query(
            "update meetings set buyer_checkin_ms = $1, company_checkin_ms = $2, closed_ms = $3, \
             buyer_no_show = $4, company_no_show = 0, buyer_says_held = $5, company_says_held = $5, \
             consult_usd = $6, contract_usd = $7, mou_signed = $8, samples_requested = $9, \
             outcome_notes = $10, rating = $11, outcome_ms = $3 where id = $12",
        )
        .bind(o.buyer_came.then_some(starts + MINUTE))
        .bind(starts - 2 * MINUTE)
        .bind(ends)
        .bind(i64::from(!o.buyer_came))
        .bind(i64::from(o.buyer_came))
        .bind(o.consult_usd)
        .bind(o.contract_usd)
        .bind(i64::from(o.mou_signed))
        .bind(i64::from(o.samples_requested))
        .bind(&o.notes)
        .bind(o.rating)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// A restarted demo keeps its data, but its video meeting of "now" has long ended: give the
/// README's buyer and exhibitor (with the interpreter) a fresh one, open for the next hour,
/// unless one is open already. It goes through the meeting placer, so two nodes starting at
/// once cannot both add one: the second finds the people busy and adds nothing.
async fn live_meeting_now(store: &Store) -> anyhow::Result<()> {
    let live = data::meetings()?.live;
    let now = now_ms();
    let mut conn = store.pool().acquire().await?;
    let ids = Ids::read(&mut conn).await?;
    drop(conn);
    let (Ok(buyer), Ok(staff), Ok(interpreter), Ok(company)) = (
        ids.user(&live.buyer),
        ids.user(&live.staff),
        ids.user(&live.interpreter),
        ids.company(&live.company),
    ) else {
        return Ok(());
    };
    let start = now - now % (5 * MINUTE);
    let day = chrono::DateTime::from_timestamp_millis(now)
        .unwrap_or_default()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .format("%Y-%m-%d")
        .to_string();
    let mut tx = store.begin_write().await?;
    // The booking lock first: on SQLite the first statement takes the write lock.
    crate::store::dialect::lock_bookings(&mut tx, store.kind()).await?;
    let slot = open_slot(
        &mut tx,
        &day,
        (start, start + live.minutes * MINUTE),
        Some(company),
    )
    .await?;
    let plan = Plan {
        company_id: company,
        buyer_id: buyer,
        staff_id: Some(staff),
        interpreter_id: Some(interpreter),
        slot,
        mode: MeetingMode::Online,
    };
    let request = NewRequest {
        show_id: None,
        requested_by: buyer,
        awaiting: MeetingSide::Company,
        message: Some(live.message),
        product_ids: vec![],
        interpreter_languages: live.interpreter_languages,
        expires_ms: start,
    };
    match place_meeting(&mut tx, store.kind(), &plan, request, true).await? {
        Ok(_) => tx.commit().await?,
        // Open already (another node added it first), or the people are busy then.
        Err(_) => {
            tx.rollback().await?;
            return Ok(());
        }
    }
    tracing::info!("demo: a video meeting of the README's buyer and exhibitor is open now");
    Ok(())
}

/// Yesterday's attendance, so the organizers' reports have a day to show: every buyer online
/// for a stretch of the fair's hours (a few also onsite, badges scanned at the entrance and at
/// booths), exhibitor staff online through the day, and booth visits with dwell times, through
/// the monitor's and the booths' writers.
async fn seed_attendance(
    conn: &mut AnyConnection,
    ids: &Ids,
    attendance: &data::Attendance,
    now: i64,
) -> anyhow::Result<()> {
    let tz: chrono_tz::Tz = attendance
        .timezone
        .parse()
        .map_err(|e| anyhow::anyhow!("demo attendance: {e}"))?;
    let yesterday = chrono::DateTime::from_timestamp_millis(now - 24 * HOUR)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive();
    let opening_time = chrono::NaiveTime::parse_from_str(&attendance.opening, "%H:%M")
        .context("demo attendance: the opening")?;
    let opening = chrono::TimeZone::from_local_datetime(&tz, &yesterday.and_time(opening_time))
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or(now - 24 * HOUR);
    let at = |minutes: i64| opening + minutes * MINUTE;
    let mut events = Vec::new();
    for (n, s) in attendance.sessions.iter().enumerate() {
        let user_id = ids.user(&s.user)?;
        let (_, role, country) = ids.people.get(&user_id).cloned().unwrap_or_default();
        let conn_id = format!("node-demo-{}", n + 1);
        events.push(SessionEvent::Opened {
            user_id,
            role,
            country,
            node: "node-demo".into(),
            conn_id: conn_id.clone(),
            at_ms: at(s.from),
        });
        events.push(SessionEvent::Closed {
            conn_id,
            at_ms: at(s.to),
        });
    }
    crate::monitor::sessions::write_in(conn, &events).await?;
    for (n, v) in attendance.visits.iter().enumerate() {
        crate::booths::live::record_visit(
            &mut *conn,
            ids.company(&v.company)?,
            ids.user(&v.user)?,
            &format!("node-demo-v{n}"),
            at(v.from),
            Some(at(v.to)),
        )
        .await?;
    }
    for c in &attendance.checkins {
        let user = ids.user(&c.user)?;
        crate::monitor::record_checkin(conn, user, None, ids.organizer, at(c.entrance)).await?;
        let company = Some(ids.company(&c.booth)?);
        crate::monitor::record_checkin(conn, user, company, None, at(c.booth_at)).await?;
    }
    Ok(())
}

/// Two-way interest and a few accepted pairs, through the matchmaking module's own writers,
/// so the organizer's matchmaking page starts with something to schedule. A mark of the
/// company is made by its first staff member (in `staff.csv`).
async fn seed_matchmaking(
    conn: &mut AnyConnection,
    ids: &Ids,
    marks: &[data::Mark],
    staff: &[data::Staff],
) -> anyhow::Result<()> {
    use crate::matching::{marks::write_mark, pairs::write_pair};
    for m in marks {
        let buyer = ids.user(&m.buyer)?;
        let company = ids.company(&m.company)?;
        let first_staff = staff
            .iter()
            .find(|s| s.reg_no == m.company)
            .with_context(|| format!("demo marks: no staff of {}", m.company))?;
        let staff = ids.user(&first_staff.email)?;
        if m.buyer_mark.is_some() {
            write_mark(conn, buyer, company, MarkSide::Buyer, m.buyer_mark, buyer).await?;
        }
        if m.company_mark.is_some() {
            write_mark(
                conn,
                buyer,
                company,
                MarkSide::Company,
                m.company_mark,
                staff,
            )
            .await?;
        }
        let wanted = [m.buyer_mark, m.company_mark];
        if wanted.contains(&Some(MarkLevel::NoThanks)) || ids.organizer.is_none() {
            continue;
        }
        let must = wanted.contains(&Some(MarkLevel::MustMeet));
        let pair = PairInput {
            buyer_id: buyer,
            company_id: company,
            priority: if must {
                Priority::MustMeet
            } else {
                Priority::WouldMeet
            },
            mode: ModeWish::Either,
        };
        write_pair(conn, &pair).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_consistent() {
        let table = |text: &str| {
            csv::Reader::from_reader(text.as_bytes())
                .records()
                .map(|r| r.unwrap())
                .collect::<Vec<_>>()
        };
        let halls = table(data::HALLS);
        let companies = table(data::COMPANIES);
        let products = table(data::PRODUCTS);
        assert_eq!(halls.len(), 8);
        assert_eq!(companies.len(), 40);
        let staff = data::staff().unwrap();
        for c in &companies {
            let reg_no = &c[0];
            assert!(products.iter().any(|p| &p[0] == reg_no), "{reg_no}");
            assert!(staff.iter().any(|s| s.reg_no == reg_no), "{reg_no}");
            assert!(halls.iter().any(|h| h[0] == c[2]), "{reg_no}");
        }
        let buyers = data::buyers().unwrap();
        assert_eq!(buyers.len(), 20);
        for b in &buyers {
            assert!(
                b.timezone.parse::<chrono_tz::Tz>().is_ok(),
                "{}",
                b.timezone
            );
            assert_eq!(b.country.len(), 2);
        }
        let people = data::people().unwrap();
        assert_eq!(people.interpreters.len(), 6);
        for m in data::media().unwrap() {
            assert!(
                embedded(&format!("demo~{}", m.file)).is_some(),
                "{}",
                m.file
            );
        }
        let chat = data::chat().unwrap();
        let book = expo_schema::phrases::builtin();
        for m in &chat.messages {
            assert!(chat.rooms.iter().any(|r| r.name == m.room), "{}", m.room);
            assert!(m.text.is_some() != m.phrase.is_some());
            if let Some(p) = &m.phrase {
                let phrase = expo_schema::PhraseRef {
                    id: p.id.clone(),
                    params: p.params.clone().into_iter().collect(),
                };
                assert!(book.check(&phrase).is_ok(), "{}", p.id);
            }
        }
        let meetings = data::meetings().unwrap();
        assert_eq!(meetings.live.buyer, "buyer@demo.expo");
        assert_eq!(meetings.held_yesterday.len(), 11);
        data::attendance().unwrap();
        assert_eq!(data::marks().unwrap().len(), 7);
    }
}
