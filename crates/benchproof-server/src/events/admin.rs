//! The admin's routes for micro-events, all behind an admin session. Each takes a form body (the
//! page's forms, or any HTTP client) and answers a browser with a redirect to `/admin/events`
//! (or a page saying why not), and a client that sends `Accept: application/json` with the
//! changed rows as JSON (or an RFC 9457 problem with the same status).
//!
//! - `POST /admin/events/slots`: `station` (did:key), `rubric` (`id@version`), `starts`, `ends`
//!   (RFC 3339, or `YYYY-MM-DDTHH:MM` in UTC), `capacity`, optional `fee_reference`.
//! - `POST /admin/events/slots/{id}/cancel`, `POST /admin/events/slots/{id}/bookings` (`student`),
//!   `POST /admin/events/bookings/{id}/move` (`slot`), `POST /admin/events/bookings/{id}/no-show`.
//! - `GET /admin/events.json`: every slot, booking and history row.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;

use super::rules::{self, Act, NewSlot};
use super::{catalogue, commit, new_id};
use crate::meta::EventChange;
use crate::pages::{require, user_error};
use crate::problem::Problem;
use crate::state::AppState;

/// Longest fee reference and student identifier.
const MAX_TEXT: usize = 200;

fn wants_json(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// The answer to a change: JSON for API clients, a redirect or an error page for browsers.
fn answer(headers: &HeaderMap, user: &str, result: Result<Option<EventChange>, Problem>) -> Response {
    match (result, wants_json(headers)) {
        (Ok(change), true) => {
            let body =
                change.map(|c| serde_json::json!({"slots": c.slots, "bookings": c.bookings, "history": c.history}));
            (StatusCode::CREATED, Json(body)).into_response()
        }
        (Ok(_), false) => Redirect::to("/admin/events").into_response(),
        (Err(p), true) => p.into_response(),
        (Err(p), false) => user_error(p.status, &p.title, user, &p.detail, "/admin/events"),
    }
}

fn bad(detail: impl Into<String>) -> Problem {
    Problem::bad_request(detail)
}

/// Parses RFC 3339, or a `datetime-local` value taken as UTC.
pub fn parse_time(field: &str, v: &str) -> Result<i64, Problem> {
    let v = v.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp_millis());
    }
    for fmt in ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(v, fmt) {
            return Ok(t.and_utc().timestamp_millis());
        }
    }
    Err(bad(format!("{field}={v:?} is not a time; write it as 2026-11-30T09:00:00Z (or 2026-11-30T09:00 in UTC)")))
}

/// The new-slot form.
#[derive(Debug, Deserialize)]
pub struct SlotForm {
    station: String,
    /// `id@version`.
    rubric: String,
    starts: String,
    ends: String,
    capacity: i64,
    #[serde(default)]
    fee_reference: Option<String>,
}

async fn new_slot(state: &AppState, f: &SlotForm) -> Result<NewSlot, Problem> {
    let station = f.station.trim();
    if !state.meta.stations().await?.iter().any(|s| s.did == station) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-station",
            "Unknown station",
            format!("no station {station:?} has contacted this server; pick one listed on /admin/stations (a new station appears after its first sync)"),
        ));
    }
    let (id, version) = f.rubric.trim().split_once('@').unwrap_or((f.rubric.trim(), ""));
    if !catalogue::known(&state.config.data_dir).iter().any(|k| k.id == id && k.version == version) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-rubric",
            "Unknown rubric",
            format!("rubric {id:?} version {version:?} is not one the stations have; give it as id@version from the list on /admin/events, or publish it into the server's rubrics/ folder first"),
        ));
    }
    let fee = f.fee_reference.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if fee.is_some_and(|s| s.chars().count() > MAX_TEXT) {
        return Err(bad(format!("the fee reference is longer than {MAX_TEXT} characters")));
    }
    Ok(NewSlot {
        station: station.to_owned(),
        rubric_id: id.to_owned(),
        rubric_version: version.to_owned(),
        starts_ms: parse_time("starts", &f.starts)?,
        ends_ms: parse_time("ends", &f.ends)?,
        capacity: f.capacity,
        fee_reference: fee.map(str::to_owned),
    })
}

/// `POST /admin/events/slots`.
pub async fn post_slot(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<SlotForm>,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let id = new_id();
    let result = match new_slot(&state, &f).await {
        Ok(new) => {
            let act = Act { actor: &user, now_ms: state.clock.now_ms(), new_id: &id };
            commit(&state, |snap| rules::create_slot(snap, new.clone(), act).map(Some)).await
        }
        Err(p) => Err(p),
    };
    Ok(answer(&headers, &user, result))
}

/// `POST /admin/events/slots/{id}/cancel`.
pub async fn post_cancel(
    State(state): State<AppState>,
    Path(slot): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let act = Act { actor: &user, now_ms: state.clock.now_ms(), new_id: "" };
    let result = commit(&state, |snap| rules::cancel_slot(snap, &slot, act).map(Some)).await;
    Ok(answer(&headers, &user, result))
}

/// The booking form.
#[derive(Debug, Deserialize)]
pub struct BookForm {
    /// The student identifier as the station records it.
    student: String,
}

/// `POST /admin/events/slots/{id}/bookings`.
pub async fn post_booking(
    State(state): State<AppState>,
    Path(slot): Path<String>,
    headers: HeaderMap,
    Form(f): Form<BookForm>,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let student = f.student.trim();
    let result = if student.is_empty() || student.chars().count() > MAX_TEXT || student.chars().any(char::is_control) {
        Err(bad(format!("give the student identifier as the station records it (1–{MAX_TEXT} characters)")))
    } else {
        let id = new_id();
        let act = Act { actor: &user, now_ms: state.clock.now_ms(), new_id: &id };
        commit(&state, |snap| rules::book(snap, &slot, student, act).map(Some)).await
    };
    Ok(answer(&headers, &user, result))
}

/// The move form.
#[derive(Debug, Deserialize)]
pub struct MoveForm {
    /// The slot to move the booking to.
    slot: String,
}

/// `POST /admin/events/bookings/{id}/move`: re-books the student; the old booking is kept.
pub async fn post_move(
    State(state): State<AppState>,
    Path(booking): Path<String>,
    headers: HeaderMap,
    Form(f): Form<MoveForm>,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let id = new_id();
    let act = Act { actor: &user, now_ms: state.clock.now_ms(), new_id: &id };
    let result = commit(&state, |snap| rules::rebook(snap, &booking, f.slot.trim(), act).map(Some)).await;
    Ok(answer(&headers, &user, result))
}

/// `POST /admin/events/bookings/{id}/no-show`.
pub async fn post_no_show(
    State(state): State<AppState>,
    Path(booking): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let act = Act { actor: &user, now_ms: state.clock.now_ms(), new_id: "" };
    let result = commit(&state, |snap| rules::no_show(snap, &booking, act).map(Some)).await;
    Ok(answer(&headers, &user, result))
}

/// `GET /admin/events.json`.
pub async fn get_json(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    if let Err(login) = require(&state, &headers).await? {
        return Ok(login);
    }
    let snap = state.meta.event_snapshot().await?;
    let history = state.meta.event_history().await?;
    Ok(Json(serde_json::json!({
        "revision": snap.revision,
        "slots": snap.slots,
        "bookings": snap.bookings,
        "history": history,
    }))
    .into_response())
}
