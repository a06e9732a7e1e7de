//! `benchproof instrument`: fetch a screenshot and the state of an LXI/SCPI instrument, list the
//! instrument profiles, or run the simulated oscilloscope (for demos and trying things out).

use std::path::PathBuf;

use anyhow::Context as _;
use benchproof_instrument::{fetch, profile, FetchOptions, ProfileChoice, SimScope};
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::exit::{CliResult, Failure, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum InstrumentCommand {
    /// Save HOST[:PORT]'s screen (PNG + thumbnail) and state (JSON) into a folder
    Fetch(FetchArgs),
    /// List the instrument profiles this build knows
    Profiles,
    /// Run the simulated oscilloscope on loopback until interrupted
    Simulate(SimulateArgs),
}

#[derive(Debug, Args)]
pub struct FetchArgs {
    /// The instrument, e.g. 192.168.1.40 or 192.168.1.40:5025 (SCPI raw socket, default port 5025)
    address: String,
    /// A profile from `benchproof instrument profiles` [default: detected from *IDN?]
    #[arg(long)]
    profile: Option<String>,
    /// Where to write screenshot.png, thumbnail.png and state.json
    #[arg(long, default_value = ".")]
    out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Impersonate this profile's instrument [default: the plain simulated scope]
    #[arg(long)]
    profile: Option<String>,
}

#[derive(Serialize)]
struct Fetched {
    instrument: String,
    profile: String,
    screenshot: PathBuf,
    thumbnail: PathBuf,
    state: PathBuf,
    failed_queries: Vec<String>,
}

pub fn run(ctx: &Context, command: InstrumentCommand) -> CliResult {
    match command {
        InstrumentCommand::Fetch(args) => fetch_cmd(ctx, args),
        InstrumentCommand::Profiles => {
            let names = profile::bundled_names();
            if ctx.json {
                output::json(&names);
            } else {
                names.iter().for_each(|n| println!("{n}"));
            }
            Ok(())
        }
        InstrumentCommand::Simulate(args) => {
            let scope = match &args.profile {
                Some(name) => {
                    let p = profile::find(name).ok_or_else(|| {
                        anyhow::anyhow!("no profile {name:?}; `benchproof instrument profiles` lists them")
                    })?;
                    SimScope::impersonating(&p)
                }
                None => SimScope::start(),
            }
            .context("cannot start the simulated oscilloscope")?;
            println!("SIMULATED oscilloscope listening on {} (Ctrl-C stops it)", scope.address());
            loop {
                std::thread::park();
            }
        }
    }
}

fn fetch_cmd(ctx: &Context, args: FetchArgs) -> CliResult {
    use benchproof_station::Clock as _;
    let now = benchproof_station::SystemClock.now().to_string();
    let mut options = FetchOptions::detect(now);
    if let Some(name) = args.profile {
        options.profile = ProfileChoice::Named(name);
    }
    let capture = fetch(&args.address, &options).map_err(|e| Failure::new(USAGE, e))?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let write = |name: &str, bytes: &[u8]| -> anyhow::Result<PathBuf> {
        let path = args.out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    };
    let state = serde_json::to_vec_pretty(&capture.state).expect("state serialises");
    let fetched = Fetched {
        instrument: format!("{} {} ({})", capture.idn.manufacturer, capture.idn.model, capture.idn.serial),
        profile: capture.profile.clone(),
        screenshot: write("screenshot.png", &capture.screenshot.png)?,
        thumbnail: write("thumbnail.png", &capture.screenshot.thumbnail_png)?,
        state: write("state.json", &state)?,
        failed_queries: capture.failed_queries(),
    };
    if ctx.json {
        output::json(&fetched);
    } else {
        println!("{} — profile {}", fetched.instrument, fetched.profile);
        println!("  {}", fetched.screenshot.display());
        println!("  {}", fetched.thumbnail.display());
        println!("  {}", fetched.state.display());
        for q in &fetched.failed_queries {
            println!("  query failed (recorded in the state): {q}");
        }
    }
    Ok(())
}
