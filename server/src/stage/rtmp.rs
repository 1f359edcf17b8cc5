//! The media server's callbacks (nginx-rtmp's `on_publish`, `on_publish_done` and
//! `on_record_done`, docs/stage.md), a show going live and ended, and its recording.
//!
//! nginx-rtmp posts a form whose `name` is the stream name the encoder used: the show's
//! secret stream key. A 2xx answer lets the stream in, a 4xx refuses it, and a 3xx with a
//! `Location` of a bare name renames the stream: Expo Hub answers `302 Location: show-{id}`,
//! the `live` application pushes the stream on under that name to the `hls` application, and
//! the HLS playlist viewers fetch is `show-{id}.m3u8` — the key never leaves the encoder and
//! the media server. The callbacks carry `EXPO_STAGE_CALLBACK_SECRET` in their query,
//! compared in constant time.

use super::public_name;
use crate::error::{ApiError, ApiResult, Query};
use crate::events;
use crate::AppState;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use expo_schema::api::{CallbackQuery, RtmpCallback, ShowState};
use expo_schema::protocol::room::Room;
use expo_schema::protocol::RoomEvent;
use expo_schema::{ErrorBody, ErrorCode};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(on_publish))
        .routes(routes!(on_publish_done))
        .routes(routes!(on_record_done))
}

/// The callback's secret, checked in constant time; no secret configured refuses all.
fn check_secret(state: &AppState, query: &CallbackQuery) -> ApiResult<()> {
    let given = query.secret.as_deref().unwrap_or("");
    match &state.config.stage_callback_secret {
        Some(expected)
            if !expected.is_empty()
                && crate::http::constant_time_eq(given.as_bytes(), expected.as_bytes()) =>
        {
            Ok(())
        }
        _ => Err(ApiError::forbidden("not the media server")),
    }
}

fn form(body: Result<Form<RtmpCallback>, FormRejection>) -> ApiResult<RtmpCallback> {
    body.map(|Form(b)| b).map_err(|rejection| {
        ApiError::new(
            ErrorCode::BadRequest,
            format!("not a form: {}", rejection.body_text()),
        )
    })
}

/// Sets a show live or ended (unless it is) and tells its viewers and the lobby. Returns
/// whether it changed.
pub async fn go(state: &AppState, show_id: i64, to: ShowState) -> ApiResult<bool> {
    let now = state.now_ms();
    let sql = match to {
        ShowState::Live => {
            "update shows set state = 'live', live_since_ms = $1, ended_ms = null \
             where id = $2 and state <> 'live' returning stage_id"
        }
        ShowState::Ended => {
            "update shows set state = 'ended', ended_ms = $1 \
             where id = $2 and state <> 'ended' returning stage_id"
        }
        ShowState::Scheduled => {
            return Err(ApiError::validation("a show goes live or ends"));
        }
    };
    let changed: Option<i64> = sqlx::query_scalar(sql)
        .bind(now)
        .bind(show_id)
        .fetch_optional(state.store.pool())
        .await?;
    let Some(stage_id) = changed else {
        return Ok(false);
    };
    let event = if to == ShowState::Live {
        let show = super::load_show(state, show_id, "en").await?.show;
        RoomEvent::ShowLive {
            show_id,
            stage_id,
            live_since_ms: show.live_since_ms.unwrap_or(now),
            hls_url: show.hls_url,
            external_url: show.external_url,
        }
    } else {
        RoomEvent::ShowEnded {
            show_id,
            stage_id,
            ended_ms: now,
        }
    };
    events::publish(&state.hub, Room::Show(show_id), event.clone()).await;
    events::publish(&state.hub, Room::Lobby, event).await;
    Ok(true)
}

/// The show whose stream key this is, with its state and scheduled end.
async fn show_of_key(state: &AppState, key: &str) -> ApiResult<Option<(i64, String, i64)>> {
    if key.is_empty() {
        return Ok(None);
    }
    Ok(
        sqlx::query_as("select id, state, ends_ms from shows where stream_key = $1")
            .bind(key)
            .fetch_optional(state.store.pool())
            .await?,
    )
}

/// The media server asks whether an encoder may publish under `name` (a stream key). A
/// show's key is let in while the show has not ended (or ended early and its scheduled time
/// still runs, so an encoder that dropped can come back), renamed to `show-{id}` by the
/// redirect; the show goes live and everyone watching hears it. Any other name is refused.
#[utoipa::path(post, path = "/api/v1/stage/rtmp/publish", tag = "stage",
    params(CallbackQuery),
    request_body(content = RtmpCallback, content_type = "application/x-www-form-urlencoded"),
    responses((status = 302, description = "accepted; `Location` is the stream's public name"),
        (status = 403, body = ErrorBody)))]
pub async fn on_publish(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    body: Result<Form<RtmpCallback>, FormRejection>,
) -> ApiResult<Response> {
    check_secret(&state, &query)?;
    let callback = form(body)?;
    let Some((id, show_state, ends_ms)) = show_of_key(&state, &callback.name).await? else {
        tracing::info!("a publish with an unknown stream key was refused");
        return Err(ApiError::forbidden("no show has this stream key"));
    };
    if ShowState::parse(&show_state) == Some(ShowState::Ended) && state.now_ms() >= ends_ms {
        return Err(ApiError::forbidden("this show is over"));
    }
    go(&state, id, ShowState::Live).await?;
    tracing::info!(show_id = id, "a show's encoder started publishing");
    Ok((StatusCode::FOUND, [(header::LOCATION, public_name(id))]).into_response())
}

/// The media server says an encoder stopped publishing under `name`: its show has ended.
#[utoipa::path(post, path = "/api/v1/stage/rtmp/publish-done", tag = "stage",
    params(CallbackQuery),
    request_body(content = RtmpCallback, content_type = "application/x-www-form-urlencoded"),
    responses((status = 204, description = "noted"), (status = 403, body = ErrorBody)))]
pub async fn on_publish_done(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    body: Result<Form<RtmpCallback>, FormRejection>,
) -> ApiResult<StatusCode> {
    check_secret(&state, &query)?;
    let callback = form(body)?;
    if let Some((id, _, _)) = show_of_key(&state, &callback.name).await? {
        go(&state, id, ShowState::Ended).await?;
        tracing::info!(show_id = id, "a show's encoder stopped publishing");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The show a public stream name (`show-{id}`) is of.
fn show_of_public_name(name: &str) -> Option<i64> {
    let id: i64 = name.strip_prefix("show-")?.parse().ok()?;
    (public_name(id) == name).then_some(id)
}

/// The recording's file as viewers fetch it: the recorder's file name (`show-{id}-{unix
/// time}.flv`, nginx-rtmp's `record_unique`) with the `.mp4` that `exec_record_done` remuxes
/// it to. Anything else than such a name is refused, so no path reaches a viewer.
fn recording_file(show_id: i64, path: &str) -> Option<String> {
    let file = path.rsplit('/').next()?;
    let stem = file.strip_suffix(".flv")?;
    let stamp = stem.strip_prefix(&format!("{}-", public_name(show_id)))?;
    (!stamp.is_empty() && stamp.bytes().all(|b| b.is_ascii_digit())).then(|| format!("{stem}.mp4"))
}

/// The media server has closed a show's recording (nginx-rtmp's `on_record_done` in the
/// `hls` application, where the stream is named `show-{id}`): the show's replay is that
/// file, timed from the take's start (`live_since_ms`). A later take replaces it.
#[utoipa::path(post, path = "/api/v1/stage/rtmp/record-done", tag = "stage",
    params(CallbackQuery),
    request_body(content = RtmpCallback, content_type = "application/x-www-form-urlencoded"),
    responses((status = 204, description = "noted"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn on_record_done(
    State(state): State<AppState>,
    Query(query): Query<CallbackQuery>,
    body: Result<Form<RtmpCallback>, FormRejection>,
) -> ApiResult<StatusCode> {
    check_secret(&state, &query)?;
    let callback = form(body)?;
    let id = show_of_public_name(&callback.name)
        .ok_or_else(|| ApiError::not_found("no show has this stream name"))?;
    let file = callback
        .path
        .as_deref()
        .and_then(|path| recording_file(id, path))
        .ok_or_else(|| ApiError::validation("a recording is show-{id}-{unix time}.flv"))?;
    let recording_ms: Option<i64> = sqlx::query_scalar(
        "update shows set recording = $1, recording_ms = coalesce(live_since_ms, $2) \
         where id = $3 returning recording_ms",
    )
    .bind(&file)
    .bind(state.now_ms())
    .bind(id)
    .fetch_optional(state.store.pool())
    .await?;
    let Some(recording_ms) = recording_ms else {
        return Err(ApiError::not_found("no such show"));
    };
    tracing::info!(show_id = id, file, "a show's recording is done");
    let event = RoomEvent::ShowReplay {
        show_id: id,
        replay_url: state.config.replay_url(&file),
        recording_ms,
    };
    events::publish(&state.hub, Room::Show(id), event.clone()).await;
    // The lobby's stage panel lists the stage's latest replay.
    events::publish(&state.hub, Room::Lobby, event).await;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recording_is_named_after_its_show() {
        assert_eq!(show_of_public_name("show-12"), Some(12));
        assert_eq!(show_of_public_name("show-012"), None);
        assert_eq!(show_of_public_name("secret-key"), None);
        assert_eq!(
            recording_file(12, "/var/lib/expo-stage/rec/show-12-1764540000.flv").as_deref(),
            Some("show-12-1764540000.mp4")
        );
        assert_eq!(recording_file(12, "show-13-1764540000.flv"), None);
        assert_eq!(recording_file(12, "/x/show-12-.flv"), None);
        assert_eq!(recording_file(12, "/x/show-12-1/../../etc.flv"), None);
        assert_eq!(recording_file(12, "/x/show-12-1764540000.mp4"), None);
    }
}
