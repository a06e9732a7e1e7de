//! The station's routes, signed as the tus routes are (`crate::auth::station`):
//! `GET /api/v1/schedule` (this station's schedule, [`super::wire`]) and
//! `PUT /api/v1/schedule/bookings/{id}/check-in?assessment=<uuid>&at=<unix ms>`.
//!
//! Invariants: a station sees and checks in only bookings of its own slots (others are 404, as
//! if absent); the check-in's data travel in the signed `@target-uri`, so none can be altered;
//! reporting the same check-in again answers the same and records nothing more.

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{commit, rules, wire};
use crate::auth::station::authenticate;
use crate::problem::Problem;
use crate::state::AppState;

/// `GET /api/v1/schedule`.
pub async fn get_schedule(State(state): State<AppState>, parts: Parts) -> Result<Response, Problem> {
    let station = authenticate(&state, &parts).await?;
    let snap = state.meta.event_snapshot().await?;
    Ok(Json(wire::for_station(&snap, &station.did.to_string(), state.clock.now_ms())).into_response())
}

/// The check-in's query.
#[derive(Debug, Deserialize)]
pub struct CheckInQuery {
    /// The assessment the station started (a UUID).
    assessment: String,
    /// When the station checked the student in (Unix ms, the station's clock).
    at: i64,
}

/// The answer to a check-in.
#[derive(Debug, Serialize)]
pub struct CheckInAnswer {
    pub booking: String,
    pub assessment: String,
    pub status: &'static str,
    /// `false` when this check-in had already been recorded.
    pub recorded: bool,
}

/// `PUT /api/v1/schedule/bookings/{id}/check-in`.
pub async fn put_check_in(
    State(state): State<AppState>,
    Path(booking): Path<String>,
    Query(q): Query<CheckInQuery>,
    parts: Parts,
) -> Result<Response, Problem> {
    let station = authenticate(&state, &parts).await?;
    let assessment = uuid::Uuid::parse_str(&q.assessment)
        .map_err(|_| Problem::bad_request(format!("assessment={} is not a UUID", q.assessment)))?
        .to_string();
    let did = station.did.to_string();
    let now = state.clock.now_ms();
    let changed = commit(&state, |snap| {
        let own = snap
            .bookings
            .iter()
            .find(|b| b.id == booking)
            .and_then(|b| snap.slots.iter().find(|s| s.id == b.slot))
            .is_some_and(|s| s.station == did);
        if !own {
            return Err(rules::Refusal::UnknownBooking(booking.clone()));
        }
        rules::check_in(snap, &booking, &assessment, q.at, rules::Act { actor: &did, now_ms: now, new_id: "" })
    })
    .await?;
    Ok(Json(CheckInAnswer { booking, assessment, status: "checked-in", recorded: changed.is_some() }).into_response())
}
