// Prevents an additional console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[allow(clippy::print_stderr)] // The one place a start-up failure can be told.
fn main() {
    // First, while this is the only thread: WebKit reads it when its processes start.
    benchproof_app_lib::webkit::prepare_environment();
    let Some(data_dir) = benchproof_station::default_data_dir() else {
        eprintln!("benchproof station: no home directory to keep data in; set BENCHPROOF_HOME to a folder");
        std::process::exit(3);
    };
    if let Err(e) = benchproof_app_lib::run(&data_dir) {
        eprintln!("benchproof station: {e}");
        std::process::exit(3);
    }
}
