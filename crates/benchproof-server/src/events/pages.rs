//! `GET /admin/events`: the slots and bookings, with the forms that change them, and the
//! history. Everything shown is escaped (`crate::html`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::{catalogue, rules};
use crate::clock::rfc3339;
use crate::html::{esc, page, table};
use crate::meta::{EventSnapshot, StationRow};
use crate::pages::{code, require};
use crate::problem::Problem;
use crate::state::AppState;

fn post_button(action: &str, label: &str) -> String {
    format!("<form method=\"post\" action=\"{}\"><button type=\"submit\">{}</button></form>", esc(action), esc(label))
}

fn station_name(stations: &[StationRow], did: &str) -> String {
    stations.iter().find(|s| s.did == did).map_or_else(|| did.to_owned(), |s| s.name.clone())
}

fn create_form(stations: &[StationRow], rubrics: &[catalogue::KnownRubric]) -> String {
    let station_opts: String =
        stations.iter().map(|s| format!("<option value=\"{}\">{}</option>", esc(&s.did), esc(&s.name))).collect();
    let rubric_opts: String = rubrics
        .iter()
        .map(|r| {
            let v = format!("{}@{}", r.id, r.version);
            format!("<option value=\"{}\">{} ({v})</option>", esc(&v), esc(&r.title))
        })
        .collect();
    format!(
        "<h2>New slot</h2><form method=\"post\" action=\"/admin/events/slots\">\
         <label>Station <select name=\"station\" required>{station_opts}</select></label>\
         <label>Rubric <select name=\"rubric\" required>{rubric_opts}</select></label>\
         <label>Starts (UTC) <input type=\"datetime-local\" name=\"starts\" required></label>\
         <label>Ends (UTC) <input type=\"datetime-local\" name=\"ends\" required></label>\
         <label>Capacity <input type=\"number\" name=\"capacity\" min=\"1\" max=\"{}\" value=\"1\" required></label>\
         <label>Fee reference (optional, in the payment system) <input name=\"fee_reference\" maxlength=\"200\"></label>\
         <button type=\"submit\">Create slot</button></form>",
        rules::MAX_CAPACITY
    )
}

fn slot_rows(snap: &EventSnapshot, stations: &[StationRow]) -> Vec<Vec<String>> {
    snap.slots
        .iter()
        .map(|s| {
            let held = snap.bookings.iter().filter(|b| b.slot == s.id && rules::holds_place(&b.status)).count();
            let (status, actions) = match s.cancelled_ms {
                Some(at) => (
                    format!("<span class=\"bad\">cancelled {} by {}</span>", esc(&rfc3339(at)), esc(s.cancelled_by.as_deref().unwrap_or(""))),
                    String::new(),
                ),
                None => (
                    "<span class=\"ok\">open</span>".to_owned(),
                    format!(
                        "<form method=\"post\" action=\"/admin/events/slots/{id}/bookings\"><label>Student <input name=\"student\" required maxlength=\"200\"></label><button type=\"submit\">Book</button></form>{}",
                        post_button(&format!("/admin/events/slots/{}/cancel", s.id), "Cancel slot"),
                        id = esc(&s.id)
                    ),
                ),
            };
            vec![
                esc(&format!("{} – {}", rfc3339(s.starts_ms), rfc3339(s.ends_ms))),
                esc(&station_name(stations, &s.station)),
                esc(&format!("{} {}", s.rubric_id, s.rubric_version)),
                format!("{held} / {}", s.capacity),
                esc(s.fee_reference.as_deref().unwrap_or("")),
                status,
                code(&s.id),
                actions,
            ]
        })
        .collect()
}

fn booking_rows(snap: &EventSnapshot) -> Vec<Vec<String>> {
    let open_slots: Vec<_> = snap.slots.iter().filter(|s| s.cancelled_ms.is_none()).collect();
    snap.bookings
        .iter()
        .map(|b| {
            let slot = snap.slots.iter().find(|s| s.id == b.slot);
            let when = slot.map(|s| rfc3339(s.starts_ms)).unwrap_or_default();
            let mut history = Vec::new();
            if let Some(f) = &b.moved_from {
                history.push(format!("moved from {}", code(f)));
            }
            if let Some(t) = &b.moved_to {
                history.push(format!("moved to {}", code(t)));
            }
            if let (Some(at), Some(a)) = (b.checked_in_ms, &b.assessment) {
                history.push(format!("checked in {} · assessment {}", esc(&rfc3339(at)), code(a)));
            }
            if let (Some(at), Some(by)) = (b.changed_ms, &b.changed_by) {
                history.push(esc(&format!("last change {} by {by}", rfc3339(at))));
            }
            let actions = if matches!(b.status.as_str(), "booked" | "no-show") {
                let options: String = open_slots
                    .iter()
                    .filter(|s| s.id != b.slot)
                    .map(|s| format!("<option value=\"{}\">{} {}</option>", esc(&s.id), esc(&rfc3339(s.starts_ms)), esc(&s.rubric_id)))
                    .collect();
                let no_show = if b.status == "booked" {
                    post_button(&format!("/admin/events/bookings/{}/no-show", b.id), "No-show")
                } else {
                    String::new()
                };
                format!(
                    "{no_show}<form method=\"post\" action=\"/admin/events/bookings/{}/move\"><label>Move to <select name=\"slot\">{options}</select></label><button type=\"submit\">Re-book</button></form>",
                    esc(&b.id)
                )
            } else {
                String::new()
            };
            vec![esc(&b.student), esc(&when), esc(&b.status), history.join("<br>"), code(&b.id), actions]
        })
        .collect()
}

/// `GET /admin/events`.
pub async fn get_page(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, Problem> {
    let user = match require(&state, &headers).await? {
        Ok(u) => u,
        Err(r) => return Ok(r),
    };
    let snap = state.meta.event_snapshot().await?;
    let stations = state.meta.stations().await?;
    let rubrics = catalogue::known(&state.config.data_dir);
    let history: Vec<Vec<String>> = state
        .meta
        .event_history()
        .await?
        .iter()
        .rev()
        .take(500)
        .map(|h| vec![esc(&rfc3339(h.at_ms)), esc(&h.actor), esc(&h.action), esc(&h.detail)])
        .collect();
    let mut body = format!("<p>Schedule revision {} · <a href=\"/admin/events.json\">JSON</a></p>", snap.revision);
    body.push_str(&table(
        "Slots, by start time",
        &["When (UTC)", "Station", "Rubric", "Booked", "Fee reference", "Status", "Id", ""],
        &slot_rows(&snap, &stations),
    ));
    body.push_str(&table("Bookings", &["Student", "Slot starts", "Status", "History", "Id", ""], &booking_rows(&snap)));
    body.push_str(&create_form(&stations, &rubrics));
    body.push_str(&table("Changes, newest first (the latest 500)", &["When", "By", "What", "Detail"], &history));
    Ok(Html(page("Micro-events", Some(&user), &body)).into_response())
}
