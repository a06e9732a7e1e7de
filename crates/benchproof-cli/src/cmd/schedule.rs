//! `benchproof schedule`: the micro-event slots this station downloaded from the department
//! (today's, or `--all`), and `schedule check-in BOOKING_ID --consent`, which starts the
//! booked student's assessment and queues the check-in for the next `benchproof sync`.

use benchproof_station::schedule::{ScheduleView, Window};
use benchproof_station::{Station, StationError};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::exit::{CliResult, Failure, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// Every slot in the stored copy, not only today's
    #[arg(long)]
    all: bool,
    #[command(subcommand)]
    command: Option<ScheduleCommand>,
}

#[derive(Debug, Subcommand)]
pub enum ScheduleCommand {
    /// Check a booked student in: starts their assessment against the slot's rubric
    CheckIn {
        /// The booking id (from `benchproof schedule`)
        booking: String,
        /// The student agreed to be recorded
        #[arg(long)]
        consent: bool,
    },
}

#[derive(Serialize)]
struct CheckedIn<'a> {
    booking: &'a str,
    student: &'a str,
    rubric: String,
    assessment: String,
}

pub fn run(ctx: &Context, args: ScheduleArgs) -> CliResult {
    let mut station = Station::open(&ctx.data_dir)?;
    match args.command {
        None => list(ctx, &station, if args.all { Window::All } else { Window::Today }),
        Some(ScheduleCommand::CheckIn { booking, consent }) => {
            if !consent {
                return Err(Failure::new(
                    USAGE,
                    anyhow::anyhow!("ask the student for consent to be recorded, then pass --consent"),
                ));
            }
            let note = "The student agreed to be recorded (consent confirmed at check-in on the command line).";
            let (target, id) = station.check_in(&booking, note)?;
            let out = CheckedIn {
                booking: &target.booking,
                student: &target.student,
                rubric: format!("{} {}", target.rubric.rubric.id, target.rubric.rubric.version),
                assessment: id.to_string(),
            };
            if ctx.json {
                output::json(&out);
            } else {
                println!("checked in {} for {}: assessment {} started", out.student, out.rubric, out.assessment);
                println!("the check-in is reported to the department on the next `benchproof sync`");
            }
            Ok(())
        }
    }
}

fn list(ctx: &Context, station: &Station, window: Window) -> CliResult {
    let view = station.schedule(window)?;
    if ctx.json {
        output::json(&view);
        return Ok(());
    }
    let Some(view) = view else {
        return Err(StationError::NoSchedule.into());
    };
    print!("{}", text(&view));
    Ok(())
}

/// RFC 3339 UTC, as the rest of the CLI prints times.
fn time(ms: i64) -> String {
    benchproof_domain::Timestamp::from_unix_millis(ms).to_string()
}

fn text(view: &ScheduleView) -> String {
    let mut out =
        format!("schedule revision {} from {} (downloaded {})\n", view.revision, view.server, view.fetched_at);
    if view.slots.is_empty() {
        out.push_str("no slots\n");
    }
    for s in &view.slots {
        let slot = &s.slot;
        let rubric = format!("{} {}", slot.rubric_id, slot.rubric_version);
        let state = if slot.cancelled { " CANCELLED" } else { "" };
        let missing = if s.rubric_title.is_none() { " (rubric not on this station)" } else { "" };
        out.push_str(&format!(
            "{} – {}  {rubric}{missing}  capacity {}{state}\n",
            time(slot.starts_ms),
            time(slot.ends_ms),
            slot.capacity
        ));
        for b in &s.bookings {
            let here = match &b.check_in {
                Some(c) if c.reported_at.is_some() => format!("checked in, assessment {} (reported)", c.assessment),
                Some(c) if c.refused.is_some() => {
                    format!("checked in, assessment {} (refused: {})", c.assessment, c.refused.as_deref().unwrap_or(""))
                }
                Some(c) => format!("checked in, assessment {} (to report)", c.assessment),
                None => b.booking.status.clone(),
            };
            out.push_str(&format!("  {}  {:<24} {here}\n", b.booking.id, b.booking.student));
        }
    }
    out
}
