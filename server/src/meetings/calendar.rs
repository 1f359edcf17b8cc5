//! Calendars: one `.ics` per meeting and a private feed per person.
//!
//! Each meeting is one event whose UID never changes (`meeting-{id}@{host}`) and whose
//! SEQUENCE is the meeting's `sequence`, so a reschedule updates the event calendars already
//! hold, and an ended meeting is sent as `STATUS:CANCELLED` in a `METHOD:CANCEL` calendar.
//! Times are written on the reader's own clock (`DTSTART;TZID=Asia/Vladivostok:…`) with a
//! `VTIMEZONE` that spells out that zone's UTC offsets over the calendar's span, every
//! daylight-saving change included, computed from the tz database; the description gives
//! each side's local time as well.

use super::routes::meetings_of;
use super::{load, Standing};
use crate::auth::Caller;
use crate::error::Path;
use crate::error::{ApiError, ApiResult};
use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Offset;
use expo_schema::api::FeedUrl;
use expo_schema::{ErrorBody, Meeting, MeetingMode, MeetingState, UserProfile};
use icalendar::{Calendar, CalendarDateTime, Component, EventLike, EventStatus};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(meeting_ics))
        .routes(routes!(feed_url, new_feed_url))
        .routes(routes!(feed))
}

fn utc(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn host(state: &AppState) -> String {
    let url = state.config.public_url();
    url.split("://")
        .nth(1)
        .unwrap_or(&url)
        .split(['/', ':'])
        .next()
        .unwrap_or("expo.local")
        .to_string()
}

/// Whether a calendar should drop the meeting.
pub fn ended(meeting: &Meeting) -> bool {
    matches!(
        meeting.state,
        MeetingState::Cancelled | MeetingState::Declined | MeetingState::Expired
    )
}

/// A time on the reader's clock, referring to the calendar's `VTIMEZONE`.
fn local(ms: i64, tz: chrono_tz::Tz) -> CalendarDateTime {
    CalendarDateTime::WithTimezone {
        date_time: utc(ms).with_timezone(&tz).naive_local(),
        tzid: tz.name().to_string(),
    }
}

/// A `VTIMEZONE` for `tz` covering `[from_ms, to_ms]`: one observance for the offset in force
/// at the start, then one per change (found hour by hour), marked DAYLIGHT when the zone's
/// daylight-saving part is in force. Lines end in CRLF.
pub fn vtimezone(tz: chrono_tz::Tz, from_ms: i64, to_ms: i64) -> String {
    use chrono_tz::OffsetComponents;
    let offset_at = |ms: i64| {
        let at = utc(ms).with_timezone(&tz);
        let o = at.offset();
        (o.fix().local_minus_utc(), !o.dst_offset().is_zero())
    };
    let hhmm = |secs: i32| {
        let sign = if secs < 0 { '-' } else { '+' };
        let secs = secs.abs();
        format!("{sign}{:02}{:02}", secs / 3600, (secs % 3600) / 60)
    };
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name());
    let mut observance = |at_ms: i64, from: i32, to: i32, dst: bool| {
        let kind = if dst { "DAYLIGHT" } else { "STANDARD" };
        // DTSTART of an observance is local time in the offset that was in force before it.
        let start = utc(at_ms + i64::from(from) * 1000).naive_utc();
        out.push_str(&format!(
            "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\nEND:{kind}\r\n",
            start.format("%Y%m%dT%H%M%S"),
            hhmm(from),
            hhmm(to)
        ));
    };
    const HOUR: i64 = 3_600_000;
    let first = from_ms - from_ms.rem_euclid(HOUR) - 24 * HOUR;
    let (mut offset, mut dst) = offset_at(first);
    observance(first, offset, offset, dst);
    let mut at = first + HOUR;
    while at <= to_ms + 24 * HOUR {
        let (next, next_dst) = offset_at(at);
        if next != offset || next_dst != dst {
            // Find the exact minute of the change within the last hour.
            let mut t = at - HOUR;
            while offset_at(t).0 == offset && t < at {
                t += 60_000;
            }
            observance(t, offset, next, next_dst);
            (offset, dst) = (next, next_dst);
        }
        at += HOUR;
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

/// The meeting as one event, on the clock of `tz`.
pub fn event(
    state: &AppState,
    meeting: &Meeting,
    company: &str,
    tz: chrono_tz::Tz,
) -> icalendar::Event {
    let mut event = icalendar::Event::new();
    let with = format!(
        "{} ({}) – {}",
        meeting.buyer.name,
        meeting.buyer.company_name.as_deref().unwrap_or("buyer"),
        company
    );
    let place = match (&meeting.mode, &meeting.table) {
        (MeetingMode::Onsite, Some(t)) => format!("{}, table {}", t.hall_name, t.number),
        (MeetingMode::Onsite, None) => "Fair hall (table to be assigned)".to_string(),
        (MeetingMode::Online, _) => "Online video (Expo Hub meeting room)".to_string(),
    };
    let room = meeting
        .video_url
        .clone()
        .unwrap_or_else(|| format!("{}/#/room/{}", state.config.public_url(), meeting.id));
    let mut description = vec![format!("Expo meeting: {with}")];
    description.extend(
        meeting
            .times
            .iter()
            .map(|t| format!("{}: {}", t.who, t.label)),
    );
    if let Some(i) = &meeting.interpreter {
        description.push(format!("Interpreter: {}", i.name));
    }
    if let Some(m) = &meeting.message {
        description.push(format!("Message: {m}"));
    }
    if meeting.mode == MeetingMode::Online {
        description.push(format!("Join: {room}"));
    }
    event
        .uid(&format!("meeting-{}@{}", meeting.id, host(state)))
        .sequence(meeting.sequence.max(0) as u32)
        .timestamp(chrono::Utc::now())
        .starts(local(meeting.starts_ms, tz))
        .ends(local(meeting.ends_ms, tz))
        .summary(&one_line(&format!("Expo meeting: {with}")))
        .description(&ics_text(&description.join("\n")))
        .location(&one_line(&place))
        .url(&room)
        .status(match meeting.state {
            MeetingState::Confirmed => EventStatus::Confirmed,
            MeetingState::Requested => EventStatus::Tentative,
            _ => EventStatus::Cancelled,
        });
    event.done()
}

/// Text for an iCalendar property: every line break (`\r\n`, a lone `\r`, `\n`) becomes
/// `\n`, which the writer escapes, and other control characters are dropped. A lone `\r`
/// passed through unescaped would end the property early and let the text add lines of its
/// own to the calendar file.
pub fn ics_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect()
}

/// [`ics_text`] on one line (summaries, locations).
pub fn one_line(text: &str) -> String {
    ics_text(text).replace('\n', " ")
}

/// A calendar of events for one reader.
pub async fn calendar(
    state: &AppState,
    meetings: &[Meeting],
    reader: &UserProfile,
    name: &str,
    method: &str,
) -> ApiResult<String> {
    let tz: chrono_tz::Tz = reader.timezone.parse().unwrap_or(chrono_tz::Asia::Seoul);
    let mut calendar = Calendar::new();
    calendar.name(name);
    calendar.append_property(("X-WR-TIMEZONE", tz.name()));
    calendar.append_property(("METHOD", method));
    for meeting in meetings {
        calendar.push(event(state, meeting, &meeting.company_name, tz));
    }
    let text = calendar.done().to_string();
    // The time zone definition goes before the first event (the crate cannot emit one).
    let (Some(from), Some(to)) = (
        meetings.iter().map(|m| m.starts_ms).min(),
        meetings.iter().map(|m| m.ends_ms).max(),
    ) else {
        return Ok(text);
    };
    Ok(match text.find("BEGIN:VEVENT") {
        Some(at) => format!("{}{}{}", &text[..at], vtimezone(tz, from, to), &text[at..]),
        None => text,
    })
}

fn ics(body: String, filename: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// One meeting as an iCalendar file (its participants and organizers).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/ics", tag = "meetings",
    params(("id" = i64, Path, description = "meeting id")),
    responses((status = 200, content_type = "text/calendar"), (status = 404, body = ErrorBody)))]
pub async fn meeting_ics(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let meeting = load(&state, id).await?;
    if Standing::of(&caller.user, &meeting) == Standing::Outsider {
        return Err(ApiError::not_found("no such meeting"));
    }
    let method = if ended(&meeting) { "CANCEL" } else { "PUBLISH" };
    let body = calendar(&state, &[meeting], &caller.user, "Expo Hub meeting", method).await?;
    Ok(ics(body, &format!("meeting-{id}.ics")))
}

async fn feed_url_of(state: &AppState, user_id: i64, renew: bool) -> ApiResult<FeedUrl> {
    let current: Option<String> =
        sqlx::query_scalar("select calendar_token from users where id = $1")
            .bind(user_id)
            .fetch_one(state.store.pool())
            .await?;
    let token = match current {
        Some(token) if !renew => token,
        _ => {
            let token = crate::auth::password::new_token().0;
            sqlx::query("update users set calendar_token = $1 where id = $2")
                .bind(&token)
                .bind(user_id)
                .execute(state.store.pool())
                .await?;
            token
        }
    };
    Ok(FeedUrl {
        url: format!("{}/api/v1/calendar/{token}.ics", state.config.public_url()),
    })
}

/// Your private calendar feed's address (made on first request).
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "meetings",
    responses((status = 200, body = FeedUrl)))]
pub async fn feed_url(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<FeedUrl>> {
    Ok(Json(feed_url_of(&state, caller.user.id, false).await?))
}

/// A new feed address; the old one stops working.
#[utoipa::path(post, path = "/api/v1/me/calendar", tag = "meetings",
    responses((status = 200, body = FeedUrl)))]
pub async fn new_feed_url(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<FeedUrl>> {
    Ok(Json(feed_url_of(&state, caller.user.id, true).await?))
}

/// Your meetings as a subscribable calendar, for whoever holds the private address.
#[utoipa::path(get, path = "/api/v1/calendar/{file}", tag = "meetings",
    params(("file" = String, Path, description = "`{token}.ics`")),
    responses((status = 200, content_type = "text/calendar"), (status = 404, body = ErrorBody)))]
pub async fn feed(State(state): State<AppState>, Path(file): Path<String>) -> ApiResult<Response> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    if token.len() < 20 {
        return Err(ApiError::not_found("no such calendar"));
    }
    let user_id: i64 =
        sqlx::query_scalar("select id from users where calendar_token = $1 and status = 'active'")
            .bind(token)
            .fetch_optional(state.store.pool())
            .await?
            .ok_or_else(|| ApiError::not_found("no such calendar"))?;
    let user = crate::auth::load_user(&state.store, user_id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such calendar"))?;
    let meetings = meetings_of(&state, &user).await?;
    let body = calendar(&state, &meetings, &user, "Expo Hub meetings", "PUBLISH").await?;
    Ok(ics(body, "expo-meetings.ics"))
}

#[cfg(test)]
mod hardening_tests {
    use super::*;
    use icalendar::Component;

    /// A lone carriage return once reached DESCRIPTION unescaped, ending the property early
    /// so the text could add properties of its own.
    #[test]
    fn lone_carriage_returns_cannot_add_lines() {
        let text = "Hello\rATTENDEE:mailto:evil@example.com\r\nBye\u{7}";
        let mut event = icalendar::Event::new();
        event
            .summary(&one_line(text))
            .description(&ics_text(text))
            .location(&one_line(text));
        let calendar = icalendar::Calendar::new().push(event.done()).done();
        let written = calendar.to_string();
        let bare_cr = written
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'\r' && w[1] != b'\n');
        assert!(!bare_cr, "a bare CR in {written:?}");
        assert!(!written.contains("\r\nATTENDEE"), "{written}");
        assert!(!written.contains('\u{7}'));
        assert_eq!(ics_text("a\rb\r\nc"), "a\nb\nc");
    }

    /// The calendar writer on mutated texts: no panic, and every line of the file ends in
    /// CRLF with no bare CR or LF inside, so no text can add a property of its own.
    #[test]
    fn fuzz_calendar_writer() {
        use crate::http::guard::fuzzing;
        let seeds: &[&[u8]] = &[
            b"Meeting with Ivan Petrov\r\nMessage: samples",
            "서울 10:00, 블라디보스토크 11:00".as_bytes(),
            b"BEGIN:VEVENT\rEND:VCALENDAR",
        ];
        let mut rng = fuzzing::rng("calendar writer");
        for _ in 0..fuzzing::iterations() / 2 {
            let raw = fuzzing::mutate(&mut rng, seeds);
            let text = String::from_utf8_lossy(&raw);
            let mut event = icalendar::Event::new();
            event
                .summary(&one_line(&text))
                .description(&ics_text(&text))
                .location(&one_line(&text));
            let written = icalendar::Calendar::new()
                .push(event.done())
                .done()
                .to_string();
            for line in written.split("\r\n") {
                assert!(
                    !line.contains(['\r', '\n']),
                    "a bare line break in {line:?}"
                );
            }
            let properties: Vec<&str> = written
                .split("\r\n")
                .filter(|l| !l.starts_with(' '))
                .collect();
            assert_eq!(
                properties.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
                1
            );
            assert_eq!(
                properties.iter().filter(|l| **l == "END:VCALENDAR").count(),
                1
            );
        }
    }
}
