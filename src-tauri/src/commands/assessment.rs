//! Assessments: rubrics, ticking, notes, snippets, finishing and sealing, the student view.

use std::sync::Arc;

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime};

use super::{announce_change, DeskState};
use crate::dto::{AssessmentView, NewAssessment, Progress, RubricSummary, SealedInfo, StudentView, TickRequest};
use crate::error::{CommandError, CommandResult};

#[tauri::command]
pub async fn list_rubrics(desk: DeskState<'_>) -> CommandResult<Vec<RubricSummary>> {
    Ok(desk.rubrics().iter().map(|r| (&r.rubric).into()).collect())
}

#[tauri::command]
pub async fn create_assessment<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    request: NewAssessment,
) -> CommandResult<AssessmentView> {
    let view = desk.create(&request.rubric_id, &request.student, request.consent, request.previous.as_deref())?;
    announce_change(&app);
    Ok(view.into())
}

#[tauri::command]
pub async fn assessment(desk: DeskState<'_>, id: String) -> CommandResult<AssessmentView> {
    Ok(desk.assessment(&id)?.into())
}

#[tauri::command]
pub async fn tick<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    id: String,
    request: TickRequest,
) -> CommandResult<AssessmentView> {
    let view = desk.tick(&id, &request.into())?;
    announce_change(&app);
    Ok(view.into())
}

#[tauri::command]
pub async fn undo_tick<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    id: String,
) -> CommandResult<AssessmentView> {
    let view = desk.undo_tick(&id)?;
    announce_change(&app);
    Ok(view.into())
}

#[tauri::command]
pub async fn note<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    id: String,
    text: String,
) -> CommandResult<AssessmentView> {
    let view = desk.note(&id, &text)?;
    announce_change(&app);
    Ok(view.into())
}

#[tauri::command]
pub async fn save_snippet(desk: DeskState<'_>, id: String, step: Option<String>) -> CommandResult<AssessmentView> {
    // The snippet lands later through the pump, which announces the change.
    Ok(desk.save_snippet(&id, step.as_deref())?.into())
}

#[tauri::command]
pub async fn finish<R: Runtime>(app: AppHandle<R>, desk: DeskState<'_>, id: String) -> CommandResult<AssessmentView> {
    let view = desk.finish(&id)?;
    announce_change(&app);
    Ok(view.into())
}

#[tauri::command]
pub async fn abandon<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    id: String,
    reason: String,
) -> CommandResult<AssessmentView> {
    let view = desk.abandon(&id, &reason)?;
    announce_change(&app);
    Ok(view.into())
}

/// Signs and seals on a blocking thread, reporting each stage through `on_progress`.
#[tauri::command]
pub async fn seal<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    id: String,
    passphrase: String,
    on_progress: Channel<Progress>,
) -> CommandResult<SealedInfo> {
    let desk = Arc::clone(&desk);
    let sealed = tauri::async_runtime::spawn_blocking(move || {
        desk.seal(&id, &passphrase, &mut |stage, fraction| {
            let _ = on_progress.send(Progress { stage: stage.to_owned(), fraction });
        })
    })
    .await
    .map_err(|e| CommandError::new("internal", format!("sealing stopped unexpectedly: {e}")))??;
    announce_change(&app);
    Ok(sealed.into())
}

#[tauri::command]
pub async fn set_current_step<R: Runtime>(
    app: AppHandle<R>,
    desk: DeskState<'_>,
    id: String,
    index: usize,
) -> CommandResult<()> {
    desk.set_current_step(&id, index)?;
    announce_change(&app);
    Ok(())
}

#[tauri::command]
pub async fn student_view(desk: DeskState<'_>) -> CommandResult<Option<StudentView>> {
    Ok(desk.student_view()?.map(Into::into))
}

#[tauri::command]
pub async fn instrument_state(desk: DeskState<'_>, id: String, snippet: String) -> CommandResult<serde_json::Value> {
    Ok(desk.instrument_state(&id, &snippet)?)
}
