//! `benchproof sync`: hands sealed bundles to the department server (tus uploads that resume
//! after any cut), and keeps each bundle's verified receipt.

use std::time::Duration;

use benchproof_station::sync::{load_settings, save_settings, SyncSettings};
use benchproof_station::Station;
use benchproof_sync::SyncReport;
use clap::Args;
use serde::Serialize;

use crate::exit::{CliResult, Failure, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The department server's URL; remembered in the data directory for next time
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// Cap the upload rate (bytes per second); remembered with the server
    #[arg(long, value_name = "BYTES_PER_S")]
    bandwidth_limit: Option<u64>,
    /// One pass over the outbox, then exit (default: keep going until interrupted)
    #[arg(long)]
    once: bool,
}

#[derive(Serialize)]
struct Pass<'a> {
    server: &'a str,
    connectivity: Option<String>,
    delivered: Vec<String>,
    failed: Vec<(String, String)>,
    gave_up: Vec<(String, String)>,
    alerts: &'a [String],
    next_wake: Option<String>,
    bytes_sent: u64,
    schedule_revision: Option<i64>,
    check_ins_reported: usize,
    check_ins_refused: Vec<(String, String)>,
    schedule_error: Option<&'a str>,
}

pub fn run(ctx: &Context, args: SyncArgs) -> CliResult {
    let saved = load_settings(&ctx.data_dir)?;
    let settings = match (args.server, saved) {
        (Some(server), saved) => {
            let limit = args.bandwidth_limit.or(saved.and_then(|s| s.bandwidth_limit));
            let s = SyncSettings { server, bandwidth_limit: limit };
            save_settings(&ctx.data_dir, &s)?;
            s
        }
        (None, Some(mut s)) => {
            s.bandwidth_limit = args.bandwidth_limit.or(s.bandwidth_limit);
            s
        }
        (None, None) => {
            return Err(Failure::new(
                USAGE,
                anyhow::anyhow!("no department server known: pass --server URL (it is remembered)"),
            ))
        }
    };
    let station = Station::open(&ctx.data_dir)?;
    loop {
        let bar = (!ctx.json).then(|| output::byte_bar(0, "sync"));
        let report = station.sync_once(&settings, &mut |_, sent, total| {
            if let Some(bar) = &bar {
                bar.set_length(total);
                bar.set_position(sent);
            }
        })?;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        print_pass(ctx, &settings.server, &report);
        if args.once {
            let refused = !report.gave_up.is_empty() || !report.alerts.is_empty();
            return if refused { Err(Failure::quiet(crate::exit::INVALID)) } else { Ok(()) };
        }
        let wait = report
            .next_wake
            .map(|w| (w.unix_millis() - station.clock().now().unix_millis()).clamp(1_000, 60_000))
            .unwrap_or(30_000);
        std::thread::sleep(Duration::from_millis(wait as u64));
    }
}

fn print_pass(ctx: &Context, server: &str, r: &SyncReport) {
    let pass = Pass {
        server,
        connectivity: r.connectivity.map(|c| format!("{c:?}").to_lowercase()),
        delivered: r.delivered.iter().map(ToString::to_string).collect(),
        failed: r.failed.iter().map(|(a, e)| (a.to_string(), e.clone())).collect(),
        gave_up: r.gave_up.iter().map(|(a, e)| (a.to_string(), e.clone())).collect(),
        alerts: &r.alerts,
        next_wake: r.next_wake.map(|t| t.to_string()),
        bytes_sent: r.bytes_sent,
        schedule_revision: r.schedule.as_ref().and_then(|s| s.revision),
        check_ins_reported: r.schedule.as_ref().map_or(0, |s| s.reported.len()),
        check_ins_refused: r.schedule.as_ref().map(|s| s.refused.clone()).unwrap_or_default(),
        schedule_error: r.schedule_error.as_deref(),
    };
    if ctx.json {
        output::json(&pass);
        return;
    }
    match pass.connectivity.as_deref() {
        Some("offline") => println!("{server}: not reachable; bundles stay in the outbox and are retried"),
        Some(_) => println!("{server}: reachable"),
        None => println!("nothing to send"),
    }
    for id in &pass.delivered {
        println!("  delivered {id} (receipt verified and kept)");
    }
    for (id, e) in &pass.failed {
        println!("  failed    {id}: {e} (will retry)");
    }
    for (id, e) in &pass.gave_up {
        println!("  refused   {id}: {e}");
    }
    for a in pass.alerts {
        println!("  ALERT: {a}");
    }
    if let Some(at) = &pass.next_wake {
        println!("  next attempt at {at}");
    }
    if let Some(rev) = pass.schedule_revision {
        println!("  schedule revision {rev} downloaded; {} check-ins reported", pass.check_ins_reported);
    }
    for (booking, why) in &pass.check_ins_refused {
        println!("  check-in of {booking} refused: {why}");
    }
    if let Some(e) = pass.schedule_error {
        println!("  schedule not updated: {e}");
    }
}
