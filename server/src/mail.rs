//! Meeting email, when `EXPO_SMTP_URL` is set: requests, confirmations (with the `.ics`),
//! new times, cancellations and reminders, in each recipient's language and time zone.
//!
//! Mail leaves after the change is stored and off the request path (a spawned task), so a slow
//! or broken mail server never holds up a booking; failures are logged and counted.

use crate::meetings::{calendar, local_time, Change};
use crate::AppState;
use expo_schema::{Meeting, UserProfile};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    pub fn new(url: &str, from: &str) -> anyhow::Result<Mailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("EXPO_MAIL_FROM {from:?}: {e}"))?;
        Ok(Mailer { transport, from })
    }
}

/// What a mail is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Requested,
    Confirmed,
    Moved,
    Ended,
    Reminder,
}

/// The fair's languages; the mail texts below are in this order.
const LANGS: &[&str] = expo_schema::LANGUAGES;
// A language added to the fair needs its column in every table below.
const _: () = assert!(LANGS.len() == 6, "mail.rs translates six languages");

/// The recipient's language: their first spoken language the fair translates, else English.
pub fn language_of(user: &UserProfile) -> &'static str {
    user.languages
        .iter()
        .find_map(|l| LANGS.iter().find(|k| **k == l.as_str()))
        .copied()
        .unwrap_or("en")
}

pub fn subject(topic: Topic, lang: &str) -> &'static str {
    let i = LANGS.iter().position(|l| *l == lang).unwrap_or(0);
    let table: [&[&str; 6]; 5] = [
        &[
            "New meeting request",
            "새 미팅 요청",
            "新的会谈请求",
            "Новый запрос на встречу",
            "Шинэ уулзалтын хүсэлт",
            "新しい商談リクエスト",
        ],
        &[
            "Meeting confirmed",
            "미팅이 확정되었습니다",
            "会谈已确认",
            "Встреча подтверждена",
            "Уулзалт баталгаажлаа",
            "商談が確定しました",
        ],
        &[
            "Meeting time changed",
            "미팅 시간이 변경되었습니다",
            "会谈时间已更改",
            "Время встречи изменено",
            "Уулзалтын цаг өөрчлөгдлөө",
            "商談の時間が変更されました",
        ],
        &[
            "Meeting cancelled",
            "미팅이 취소되었습니다",
            "会谈已取消",
            "Встреча отменена",
            "Уулзалт цуцлагдлаа",
            "商談がキャンセルされました",
        ],
        &[
            "Meeting reminder",
            "미팅 알림",
            "会谈提醒",
            "Напоминание о встрече",
            "Уулзалтын сануулга",
            "商談のリマインダー",
        ],
    ];
    let row = match topic {
        Topic::Requested => 0,
        Topic::Confirmed => 1,
        Topic::Moved => 2,
        Topic::Ended => 3,
        Topic::Reminder => 4,
    };
    table[row][i]
}

/// Sends the mail a meeting change calls for (no-op without SMTP).
pub fn meeting_changed(state: &AppState, meeting: &Meeting, change: Change) {
    let topic = match change {
        Change::Requested => Topic::Requested,
        Change::Confirmed => Topic::Confirmed,
        Change::Moved => Topic::Moved,
        Change::Ended => Topic::Ended,
        Change::Updated => return,
    };
    send_about(state, meeting, topic);
}

/// Mails every participant who should hear about `topic` (no-op without SMTP).
pub fn send_about(state: &AppState, meeting: &Meeting, topic: Topic) {
    if state.mailer.is_none() {
        return;
    }
    let state = state.clone();
    let meeting = meeting.clone();
    tokio::spawn(async move {
        if let Err(error) = send_all(&state, &meeting, topic).await {
            metrics::counter!("expo_mail_failed_total").increment(1);
            tracing::warn!(?error, meeting = meeting.id, "meeting mail failed");
        }
    });
}

/// Who gets mail: a new request goes to the side that must answer (the company's staff when
/// nobody is named yet); everything else to every participant.
async fn recipients(state: &AppState, meeting: &Meeting, topic: Topic) -> anyhow::Result<Vec<i64>> {
    let company_side: Vec<i64> = match &meeting.staff {
        Some(staff) => vec![staff.id],
        None => {
            sqlx::query_scalar(
                "select id from users where role = 'exhibitor' and company_id = $1 \
                 and status = 'active' order by company_admin desc, id",
            )
            .bind(meeting.company_id)
            .fetch_all(state.store.pool())
            .await?
        }
    };
    let mut ids = Vec::new();
    if topic == Topic::Requested {
        match meeting.awaiting {
            expo_schema::MeetingSide::Company => ids.extend(company_side),
            expo_schema::MeetingSide::Buyer => ids.push(meeting.buyer.id),
        }
    } else {
        ids.push(meeting.buyer.id);
        ids.extend(company_side);
        ids.extend(meeting.interpreter.as_ref().map(|i| i.id));
    }
    Ok(ids)
}

async fn send_all(state: &AppState, meeting: &Meeting, topic: Topic) -> anyhow::Result<()> {
    let Some(mailer) = &state.mailer else {
        return Ok(());
    };
    let company: String = sqlx::query_scalar("select name from companies where id = $1")
        .bind(meeting.company_id)
        .fetch_one(state.store.pool())
        .await?;
    for id in recipients(state, meeting, topic).await? {
        let Some(user) = crate::auth::load_user(&state.store, id).await? else {
            continue;
        };
        let message = compose(state, mailer, meeting, &company, &user, topic).await?;
        mailer.transport.send(message).await?;
        metrics::counter!("expo_mail_sent_total").increment(1);
    }
    Ok(())
}

async fn compose(
    state: &AppState,
    mailer: &Mailer,
    meeting: &Meeting,
    company: &str,
    user: &UserProfile,
    topic: Topic,
) -> anyhow::Result<Message> {
    let lang = language_of(user);
    let subject = subject(topic, lang);
    let mine = local_time("you", &user.timezone, meeting.starts_ms, meeting.ends_ms);
    let when = |rfc: &str| {
        chrono::DateTime::parse_from_rfc3339(rfc)
            .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let ends = chrono::DateTime::parse_from_rfc3339(&mine.ends_local)
        .map(|d| d.format("%H:%M").to_string())
        .unwrap_or_default();
    let mut lines = vec![
        format!("{subject}: {} – {company}", meeting.buyer.name),
        String::new(),
        format!("{}–{ends} ({})", when(&mine.starts_local), mine.timezone),
    ];
    lines.extend(
        meeting
            .times
            .iter()
            .map(|t| format!("{}: {}", t.who, t.label)),
    );
    if let Some(t) = &meeting.table {
        lines.push(format!("{}, table {}", t.hall_name, t.number));
    }
    lines.push(String::new());
    lines.push(format!(
        "{}/#/meetings/{}",
        state.config.public_url(),
        meeting.id
    ));
    let to: Mailbox = format!(
        "{} <{}>",
        user.name.replace(['<', '>', '"'], ""),
        user.email
    )
    .parse()?;
    let builder = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(format!("{subject} – {company}"));
    let text = SinglePart::plain(lines.join("\n"));
    let attach = matches!(topic, Topic::Confirmed | Topic::Moved | Topic::Ended)
        && (topic != Topic::Moved || meeting.state == expo_schema::MeetingState::Confirmed);
    if !attach {
        return Ok(builder.singlepart(text)?);
    }
    let method = if calendar::ended(meeting) {
        "CANCEL"
    } else {
        "PUBLISH"
    };
    let ics = calendar::calendar(
        state,
        std::slice::from_ref(meeting),
        user,
        "Expo Hub meeting",
        method,
    )
    .await?;
    let content_type =
        ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))?;
    let attachment = Attachment::new(format!("meeting-{}.ics", meeting.id)).body(ics, content_type);
    Ok(builder.multipart(MultiPart::mixed().singlepart(text).singlepart(attachment))?)
}
