use std::path::PathBuf;

use benchproof_station::Station;
use clap::Args;

use crate::cmd::keys::{passphrase, PROCTOR_ENV};
use crate::exit::CliResult;
use crate::output;
use crate::Context;

#[derive(Debug, Args)]
pub struct SealArgs {
    /// The finished assessment (id or unique prefix)
    id: String,
    /// The proctor who signs (their name as enrolled on this station)
    #[arg(long)]
    proctor: String,
    /// File whose first line is the proctor's passphrase or PIN [or $BENCHPROOF_PROCTOR_PASSPHRASE]
    #[arg(long, value_name = "FILE")]
    proctor_passphrase_file: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: SealArgs) -> CliResult {
    let pin = passphrase(args.proctor_passphrase_file.as_deref(), PROCTOR_ENV)?;
    let mut station = Station::open(&ctx.data_dir)?;
    let id = station.resolve_assessment(&args.id)?;
    let sealed = station.seal(id, &args.proctor, pin.as_deref())?;
    if ctx.json {
        output::json(&sealed);
    } else {
        println!("sealed {id}");
        println!("bundle  {} ({} bytes)", sealed.path.display(), sealed.bytes);
        println!("digest  {} (SHA-256 of its tag manifest)", sealed.digest);
        println!("queued for delivery to the department");
    }
    Ok(())
}
