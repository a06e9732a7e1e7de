fn main() {
    // Listing the app's commands makes each one need an explicit grant in capabilities/.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "ui_ready",
        "station_status",
        "pick_file",
        "setup_station",
        "start_demo",
        "list_devices",
        "test_instrument",
        "station_clock",
        "sign_in",
        "sign_out",
        "list_rubrics",
        "create_assessment",
        "assessment",
        "tick",
        "undo_tick",
        "note",
        "save_snippet",
        "finish",
        "abandon",
        "seal",
        "set_current_step",
        "student_view",
        "instrument_state",
        "queue",
        "retry",
        "history",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest)).expect("tauri-build failed");
}
