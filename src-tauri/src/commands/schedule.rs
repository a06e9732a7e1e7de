//! Micro-events: today's slots from the station's schedule copy, and checking a booked student in.

use tauri::{AppHandle, Runtime};

use super::{announce_change, DeskState};
use crate::dto::{AssessmentView, CheckInRequest, ScheduleList};
use crate::error::CommandResult;

#[tauri::command]
pub async fn schedule(desk: DeskState<'_>) -> CommandResult<Option<ScheduleList>> {
    Ok(desk.schedule(benchproof_station::schedule::Window::Today)?.map(Into::into))
}

#[tauri::command]
pub async fn check_in<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    request: CheckInRequest,
) -> CommandResult<AssessmentView> {
    let view = desk.check_in(&request.booking, request.consent)?;
    announce_change(&app);
    Ok(view.into())
}
