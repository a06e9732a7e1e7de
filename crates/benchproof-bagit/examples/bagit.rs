//! A small command line around the crate, for trying bags by hand and for measuring throughput.
//!
//! ```text
//! cargo run --release -p benchproof-bagit --example bagit -- seal OUT.zip BAG-NAME YYYY-MM-DD FILE...
//! cargo run --release -p benchproof-bagit --example bagit -- verify BAG.zip
//! ```
//!
//! `seal` stores files whose extension says they are already compressed (mp4, mov, mkv, jpg,
//! jpeg, png, webp, zip, gz, zst, bin) and deflates the rest; each file lands in `data/` under its
//! file name. `verify` validates with two threads and prints bytes, seconds and MB/s.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use benchproof_bagit::{open_bag_path, BagInfo, BagWriter, Compression, Limits};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("seal") if args.len() >= 4 => seal(&args[1], &args[2], &args[3], &args[4..]),
        Some("verify") if args.len() == 2 => verify(&args[1]),
        _ => Err("usage: bagit seal OUT.zip BAG-NAME YYYY-MM-DD FILE... | bagit verify BAG.zip".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let _ = writeln!(io::stderr(), "error: {error}");
            ExitCode::FAILURE
        }
    }
}

type Outcome = Result<(), Box<dyn std::error::Error>>;

fn seal(out: &str, name: &str, date: &str, files: &[String]) -> Outcome {
    let output = BufWriter::with_capacity(1 << 20, File::create(out)?);
    let info = BagInfo::new(name, date).bag_software_agent("benchproof-bagit example");
    let mut writer = BagWriter::new(output, info)?;
    for file in files {
        let path = Path::new(file);
        let file_name = path.file_name().and_then(|n| n.to_str()).ok_or("file names must be UTF-8")?;
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
        let stored = ["mp4", "mov", "mkv", "jpg", "jpeg", "png", "webp", "zip", "gz", "zst", "bin"];
        let compression =
            if stored.contains(&extension.as_str()) { Compression::Stored } else { Compression::Deflated };
        writer.add_payload(file_name, File::open(path)?, compression)?;
    }
    let (sealed, output) = writer.finish_into_inner()?;
    output.into_inner().map_err(|error| error.into_error())?.sync_all()?;
    writeln!(
        io::stdout(),
        "sealed {} ({} bytes), tagmanifest-sha256 {}",
        out,
        sealed.zip_bytes,
        sealed.tagmanifest_sha256
    )?;
    Ok(())
}

fn verify(path: &str) -> Outcome {
    let started = Instant::now();
    let mut bag = open_bag_path(path, Limits::default())?;
    let valid = bag.validate(|_| {})?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes = valid.payload_oxum.octets;
    writeln!(
        io::stdout(),
        "valid: {} payload files, {bytes} bytes in {seconds:.3} s ({:.0} MB/s); tagmanifest-sha256 {}",
        valid.payload.len(),
        bytes as f64 / seconds / 1e6,
        valid.tagmanifest_sha256.map(|d| d.to_hex()).unwrap_or_default()
    )?;
    Ok(())
}
