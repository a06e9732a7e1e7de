//! Printing: JSON for scripts, text for people, and progress bars on stderr.

use std::fmt::Write as _;

use benchproof_station::report::AssessmentReport;
use benchproof_station::script::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

pub fn json<T: Serialize>(value: &T) {
    println!("{}", serde_json::to_string_pretty(value).expect("reports serialise"));
}

/// A progress bar on stderr; invisible when stderr is not a terminal.
fn progress_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

/// A byte-count progress bar on stderr (verify, seal); invisible when stderr is not a terminal.
pub fn byte_bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

/// Runs `work`, feeding the station's progress reports into a progress bar on stderr.
pub fn with_progress<T>(what: &str, work: impl FnOnce(&mut dyn FnMut(Progress)) -> T) -> T {
    let bar = progress_bar(0, what);
    let out = work(&mut |p| match p {
        Progress::Planned { actions } => bar.set_length(actions),
        Progress::Done { action } => {
            bar.set_message(action);
            bar.inc(1);
        }
    });
    bar.finish_and_clear();
    out
}

pub fn short(hash: &impl std::fmt::Display) -> String {
    hash.to_string().chars().take(12).collect()
}

/// The human form of an assessment report.
pub fn report_text(r: &AssessmentReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Assessment {}", r.id);
    let _ = writeln!(s, "  student   {}", r.student);
    let _ = writeln!(
        s,
        "  rubric    {} {} ({})  sha256 {}",
        r.rubric.id,
        r.rubric.version,
        r.rubric.title,
        short(&r.rubric.sha256)
    );
    let _ = writeln!(s, "  state     {}", r.state);
    let _ = writeln!(s, "  created   {}", r.created_at);
    if let (Some(a), Some(b)) = (r.started_at, r.finished_at) {
        let secs = (b.unix_millis() - a.unix_millis()) / 1000;
        let _ = writeln!(s, "  ran       {a} → {b} ({}m {:02}s)", secs / 60, secs % 60);
    }
    let _ = writeln!(s, "\n  Steps:");
    for step in &r.steps {
        let flag = if step.critical { "*" } else { " " };
        let (verdict, level) = match &step.latest {
            Some(t) => (t.verdict.as_str(), t.level.clone().unwrap_or_default()),
            None => ("—", String::new()),
        };
        let retick = if step.ticks > 1 { format!(" (ticked {}×)", step.ticks) } else { String::new() };
        let _ = writeln!(s, "  {flag} {:<30} {:<15} {:<11}{}", step.id, verdict, level, retick);
        if let Some(note) = step.latest.as_ref().and_then(|t| t.note.as_ref()) {
            let _ = writeln!(s, "      note: {note}");
        }
        for e in &step.evidence {
            let _ = writeln!(
                s,
                "      evidence: {} ({}, {} bytes, sha256 {})",
                e.name,
                e.media_type,
                e.bytes,
                short(&e.sha256)
            );
        }
    }
    let _ = writeln!(s, "  (* critical)");
    let sc = &r.score;
    let _ = writeln!(s, "\n  Outcome:  {}", sc.outcome.as_str().to_uppercase());
    let _ = writeln!(
        s,
        "  passed {} · failed {} · not applicable {} · untested {} · non-critical share {:.0}% · points {}/{}",
        sc.passed,
        sc.failed,
        sc.not_applicable,
        sc.untested,
        sc.share * 100.0,
        sc.points,
        sc.max_points
    );
    for why in &sc.short_of {
        let _ = writeln!(s, "  short of: {}", serde_json::to_string(why).expect("serialises"));
    }
    if !r.devices_lost.is_empty() {
        let _ = writeln!(s, "  devices lost: {}", r.devices_lost.join(", "));
    }
    let _ = writeln!(s, "\n  Event chain: {} events, head {} — verified", r.chain.events, r.chain.head);
    s
}
