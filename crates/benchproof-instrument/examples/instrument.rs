//! Manual checks against real instruments (see `TESTING.md`, "Instruments").
//!
//! ```sh
//! cargo run -p benchproof-instrument --example instrument -- fetch HOST[:PORT] [--profile NAME] [OUT_DIR]
//! cargo run -p benchproof-instrument --example instrument -- watch DIR
//! cargo run -p benchproof-instrument --example instrument -- sim [PROFILE]
//! ```
//!
//! `fetch` writes `screenshot.png`, `thumbnail.png` and `state.json` to OUT_DIR (default `.`);
//! `watch` prints one line per imported, duplicate or failed file until Ctrl-C; `sim` runs the
//! simulated oscilloscope (impersonating PROFILE if given) until Ctrl-C.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use benchproof_instrument::{
    fetch, profile, watch, FetchOptions, FolderEvent, FolderImporter, ProfileChoice, SimScope, WatchEvent,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("fetch") => run_fetch(&args[1..]),
        Some("watch") => run_watch(&args[1..]),
        Some("sim") => run_sim(&args[1..]),
        _ => Err("usage: instrument fetch HOST[:PORT] [--profile NAME] [OUT_DIR] | watch DIR | sim [PROFILE]".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run_fetch(args: &[String]) -> Result<(), String> {
    let mut address = None;
    let mut out = PathBuf::from(".");
    let mut options = FetchOptions::detect(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--profile" => {
                let name = rest.next().ok_or("--profile needs a NAME")?;
                options.profile = ProfileChoice::Named(name.clone());
            }
            _ if address.is_none() => address = Some(arg.clone()),
            _ => out = PathBuf::from(arg),
        }
    }
    let address = address.ok_or("fetch needs HOST[:PORT]")?;
    let capture = fetch(&address, &options).map_err(|e| e.to_string())?;
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let state = serde_json::to_string_pretty(&capture.state).map_err(|e| e.to_string())?;
    for (name, bytes) in [
        ("screenshot.png", capture.screenshot.png.as_slice()),
        ("thumbnail.png", capture.screenshot.thumbnail_png.as_slice()),
        ("state.json", state.as_bytes()),
    ] {
        std::fs::write(out.join(name), bytes).map_err(|e| format!("{}: {e}", out.join(name).display()))?;
    }
    println!("{} ({}) via profile {}", capture.idn.raw, address, capture.profile);
    println!(
        "screenshot {}x{} from {}, written to {}",
        capture.screenshot.width,
        capture.screenshot.height,
        capture.screenshot.source_format.as_str(),
        out.display()
    );
    for failed in capture.failed_queries() {
        println!("query failed: {failed} (see state.json)");
    }
    Ok(())
}

fn run_watch(args: &[String]) -> Result<(), String> {
    let dir = args.first().ok_or("watch needs DIR")?;
    let (tx, rx) = mpsc::sync_channel(16);
    let _watcher = watch(FolderImporter::new(dir), Duration::from_millis(500), tx).map_err(|e| e.to_string())?;
    println!("watching {dir} (Ctrl-C to stop)");
    for event in rx {
        match event {
            WatchEvent::File(FolderEvent::Imported(i)) => println!(
                "imported {} ({}x{} {}, sha256 {})",
                i.path.display(),
                i.picture.width,
                i.picture.height,
                i.picture.source_format.as_str(),
                i.sha256
            ),
            WatchEvent::File(FolderEvent::Duplicate { path, .. }) => println!("duplicate {}", path.display()),
            WatchEvent::File(FolderEvent::Failed { path, error }) => println!("failed {}: {error}", path.display()),
            WatchEvent::Unavailable(e) => println!("unavailable: {e}"),
            WatchEvent::Available(dir) => println!("available again: {}", dir.display()),
        }
    }
    Ok(())
}

fn run_sim(args: &[String]) -> Result<(), String> {
    let sim = match args.first() {
        Some(name) => {
            let p = profile::find(name)
                .ok_or_else(|| format!("no profile `{name}`; have {:?}", profile::bundled_names()))?;
            SimScope::impersonating(&p)
        }
        None => SimScope::start(),
    }
    .map_err(|e| e.to_string())?;
    println!("simulated oscilloscope ({}) on {} (Ctrl-C to stop)", sim.profile().name, sim.address());
    loop {
        std::thread::park();
    }
}
