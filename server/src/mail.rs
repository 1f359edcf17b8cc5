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

// ---------------------------------------------------------------------------------------------
// The people desk's mail: invitations, and answers to registrations.

/// The fair's language of a list of spoken languages: the first one it translates, else
/// English.
pub fn language_of_list(languages: &[String]) -> &'static str {
    languages
        .iter()
        .find_map(|l| LANGS.iter().find(|k| **k == l.to_lowercase().as_str()))
        .copied()
        .unwrap_or("en")
}

/// One sentence in the six languages, in the order of [`LANGS`].
type Six = [&'static str; 6];

fn pick(texts: &Six, lang: &str) -> &'static str {
    texts[LANGS.iter().position(|l| *l == lang).unwrap_or(0)]
}

const INVITE_SUBJECT: Six = [
    "Your invitation to Expo Hub",
    "Expo Hub 초대장",
    "Expo Hub 邀请函",
    "Приглашение в Expo Hub",
    "Expo Hub-д урих урилга",
    "Expo Hub へのご招待",
];
const GREETING: Six = [
    "Hello {name},",
    "{name}님, 안녕하세요.",
    "{name}，您好：",
    "Здравствуйте, {name}!",
    "Сайн байна уу, {name}!",
    "{name} 様",
];
const INVITE_BODY: Six = [
    "You are invited to the fair. Open this link to set your password and sign in:",
    "박람회에 초대되었습니다. 아래 링크를 열어 비밀번호를 설정하고 로그인하세요:",
    "诚邀您参加本届展会。请打开以下链接设置密码并登录：",
    "Вы приглашены на выставку. Откройте ссылку, чтобы задать пароль и войти:",
    "Таныг үзэсгэлэнд урьж байна. Нууц үгээ тохируулж нэвтрэхийн тулд энэ холбоосыг нээнэ үү:",
    "展示会にご招待します。次のリンクを開いてパスワードを設定し、ログインしてください：",
];
const INVITE_VALID: Six = [
    "The link is valid until {date} (UTC).",
    "링크 유효 기한: {date} (UTC)",
    "链接有效期至 {date}（UTC）。",
    "Ссылка действует до {date} (UTC).",
    "Холбоос {date} (UTC) хүртэл хүчинтэй.",
    "リンクの有効期限：{date}（UTC）",
];
const REJECT_SUBJECT: Six = [
    "Your registration was not approved",
    "등록이 승인되지 않았습니다",
    "您的注册未获批准",
    "Ваша регистрация не одобрена",
    "Таны бүртгэл батлагдсангүй",
    "ご登録は承認されませんでした",
];
const REJECT_BODY: Six = [
    "The organizers reviewed your registration and did not approve it. Their reason:",
    "주최 측이 등록을 검토했으나 승인하지 않았습니다. 사유:",
    "主办方审核了您的注册，未予批准。原因：",
    "Организаторы рассмотрели вашу регистрацию и не одобрили её. Причина:",
    "Зохион байгуулагчид таны бүртгэлийг хянаад батлаагүй. Шалтгаан:",
    "主催者がご登録を審査しましたが、承認されませんでした。理由：",
];
const APPROVED_SUBJECT: Six = [
    "Your registration is approved",
    "등록이 승인되었습니다",
    "您的注册已获批准",
    "Ваша регистрация одобрена",
    "Таны бүртгэл батлагдлаа",
    "ご登録が承認されました",
];
const APPROVED_BODY: Six = [
    "You can now sign in:",
    "이제 로그인할 수 있습니다:",
    "您现在可以登录：",
    "Теперь вы можете войти:",
    "Одоо нэвтэрч болно:",
    "ログインできるようになりました：",
];

/// A mail's subject and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub text: String,
}

/// An invitation in `lang`: who, the link, and until when it works.
pub fn invitation_letter(lang: &str, name: &str, link: &str, expires_ms: i64) -> Letter {
    let date = chrono::DateTime::from_timestamp_millis(expires_ms)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    Letter {
        subject: pick(&INVITE_SUBJECT, lang).to_string(),
        text: [
            pick(&GREETING, lang).replace("{name}", name),
            String::new(),
            pick(&INVITE_BODY, lang).to_string(),
            link.to_string(),
            String::new(),
            pick(&INVITE_VALID, lang).replace("{date}", &date),
        ]
        .join("\n"),
    }
}

/// A rejection in `lang`: the translated sentence, then the organizer's own words.
pub fn rejection_letter(lang: &str, name: &str, reason: &str) -> Letter {
    Letter {
        subject: pick(&REJECT_SUBJECT, lang).to_string(),
        text: [
            pick(&GREETING, lang).replace("{name}", name),
            String::new(),
            pick(&REJECT_BODY, lang).to_string(),
            String::new(),
            reason.to_string(),
        ]
        .join("\n"),
    }
}

/// An approval in `lang`, with the sign-in page.
pub fn approval_letter(lang: &str, name: &str, link: &str) -> Letter {
    Letter {
        subject: pick(&APPROVED_SUBJECT, lang).to_string(),
        text: [
            pick(&GREETING, lang).replace("{name}", name),
            String::new(),
            pick(&APPROVED_BODY, lang).to_string(),
            link.to_string(),
        ]
        .join("\n"),
    }
}

/// Sends a plain letter off the request path; returns whether mail is configured at all.
pub fn send_letter(state: &AppState, name: &str, email: &str, letter: Letter) -> bool {
    let Some(mailer) = state.mailer.clone() else {
        return false;
    };
    let to = format!("{} <{}>", name.replace(['<', '>', '"'], ""), email);
    tokio::spawn(async move {
        let sent = async {
            let to: Mailbox = to.parse()?;
            let message = Message::builder()
                .from(mailer.from.clone())
                .to(to)
                .subject(letter.subject)
                .singlepart(SinglePart::plain(letter.text))?;
            mailer.transport.send(message).await?;
            anyhow::Ok(())
        };
        match sent.await {
            Ok(()) => metrics::counter!("expo_mail_sent_total").increment(1),
            Err(error) => {
                metrics::counter!("expo_mail_failed_total").increment(1);
                tracing::warn!(?error, "people mail failed");
            }
        }
    });
    true
}

/// The full address of a page of the web client (`path` like `/#/accept?token=…`).
pub fn page_url(state: &AppState, path: &str) -> String {
    format!("{}{path}", state.config.public_url())
}

#[cfg(test)]
mod people_tests {
    use super::*;

    #[test]
    fn letters_speak_the_recipients_language() {
        assert_eq!(language_of_list(&["de".into(), "RU".into()]), "ru");
        assert_eq!(language_of_list(&["de".into()]), "en");
        let invite = invitation_letter("mn", "Bat", "https://x/#/accept?token=t", 0);
        assert_eq!(invite.subject, "Expo Hub-д урих урилга");
        assert!(invite.text.contains("Сайн байна уу, Bat!"));
        assert!(invite.text.contains("https://x/#/accept?token=t"));
        assert!(invite.text.contains("1970-01-01 00:00"));
        let no = rejection_letter("ja", "Sato", "Not a trade buyer");
        assert!(no.text.contains("理由") && no.text.ends_with("Not a trade buyer"));
        let yes = approval_letter("ko", "Kim", "https://x/#/login");
        assert!(yes.subject.contains("승인") && yes.text.contains("https://x/#/login"));
    }
}
