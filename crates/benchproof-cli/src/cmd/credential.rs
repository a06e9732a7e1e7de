//! `benchproof credential`: the department issues an Open Badges 3.0 credential for a verified
//! bundle of a passed assessment; anyone verifies one (exit 0 valid, 1 invalid, 2 usage or I/O).

use std::path::PathBuf;

use anyhow::Context as _;
use benchproof_credential::badge::AchievementType;
use benchproof_credential::bake;
use benchproof_station::credentials::{issue_for_bundle, IssueOptions};
use benchproof_station::trust::departments::{self, TrustedDepartment};
use benchproof_station::trust::verify as trust_verify;
use benchproof_station::trust::DepartmentKey;
use benchproof_station::{Clock as _, SystemClock};
use clap::{Args, Subcommand, ValueEnum};
use serde::Serialize;

use crate::cmd::keys;
use crate::cmd::verify::trust_from;
use crate::exit::{CliResult, Failure, INVALID, USAGE};
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum CredentialCommand {
    /// Issue the credential of BUNDLE (verified first; only a passed assessment gets one)
    Issue(IssueArgs),
    /// Verify a credential: proof, issuer key, validity dates, and evidence digests with --bundle
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct IssueArgs {
    bundle: PathBuf,
    /// The department folder [default: DATA_DIR/department]
    #[arg(long, value_name = "DIR")]
    dept_dir: Option<PathBuf>,
    /// A file whose first line is the department passphrase [default: $BENCHPROOF_DEPT_PASSPHRASE]
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// The department's web address (the issuer profile's url)
    #[arg(long, default_value = "https://example.invalid/department")]
    department_url: String,
    /// Base of the evidence review links and the published rubric URL
    #[arg(long, default_value = "https://example.invalid/benchproof")]
    base_url: String,
    #[arg(long, value_enum, default_value_t = Kind::Competency)]
    achievement_type: Kind,
    /// Where to write the credential JSON [default: next to the bundle, .credential.json]
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write a baked PNG badge (iTXt chunk `openbadgecredential`)
    #[arg(long, value_name = "FILE")]
    png: Option<PathBuf>,
    /// Also write a baked SVG badge
    #[arg(long, value_name = "FILE")]
    svg: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    Competency,
    MicroCredential,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The credential (JSON, or a baked PNG/SVG badge)
    credential: PathBuf,
    /// The issuing department: did:key or department.json [default: the trust list: this data
    /// directory's own department and those imported with `benchproof trust import`]
    #[arg(long, value_name = "DID_OR_FILE")]
    trust: Option<String>,
    /// The evidence bundle, to check the credential's digest of it
    #[arg(long)]
    bundle: Option<PathBuf>,
}

#[derive(Serialize)]
struct Verified {
    valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    achievement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    /// The trusted department that issued it.
    #[serde(skip_serializing_if = "Option::is_none")]
    department: Option<TrustedDepartment>,
    evidence_checked: usize,
}

pub fn run(ctx: &Context, command: CredentialCommand) -> CliResult {
    match command {
        CredentialCommand::Issue(args) => issue(ctx, args),
        CredentialCommand::Verify(args) => verify(ctx, args),
    }
}

fn issue(ctx: &Context, args: IssueArgs) -> CliResult {
    let dir = keys::dept_dir(args.dept_dir.clone(), &ctx.data_dir);
    let passphrase = keys::required(
        keys::passphrase(args.passphrase_file.as_deref(), keys::DEPT_ENV)?,
        "--passphrase-file",
        keys::DEPT_ENV,
    )?;
    let dept = DepartmentKey::open(&dir, Some(&passphrase))?;
    let options = IssueOptions {
        department_url: args.department_url,
        base_url: args.base_url,
        achievement_type: match args.achievement_type {
            Kind::Competency => AchievementType::Competency,
            Kind::MicroCredential => AchievementType::MicroCredential,
        },
        now: SystemClock.now(),
    };
    let credential =
        issue_for_bundle(&args.bundle, &dept, &options).map_err(|e| Failure::new(INVALID, anyhow::anyhow!(e)))?;
    let out = args.out.unwrap_or_else(|| args.bundle.with_extension("credential.json"));
    let json = serde_json::to_string_pretty(&credential).expect("credentials serialise");
    std::fs::write(&out, format!("{json}\n")).with_context(|| format!("cannot write {}", out.display()))?;
    let title = credential["name"].as_str().unwrap_or("benchproof credential").to_owned();
    if let Some(png) = &args.png {
        let baked = bake::bake_png(&bake::default_png(&title, &dept.info.name), &credential)
            .map_err(|e| anyhow::anyhow!("baking the PNG badge: {e}"))?;
        std::fs::write(png, baked).with_context(|| format!("cannot write {}", png.display()))?;
    }
    if let Some(svg) = &args.svg {
        let baked = bake::bake_svg(&bake::default_svg(&title, &dept.info.name), &credential)
            .map_err(|e| anyhow::anyhow!("baking the SVG badge: {e}"))?;
        std::fs::write(svg, baked).with_context(|| format!("cannot write {}", svg.display()))?;
    }
    if ctx.json {
        output::json(
            &serde_json::json!({ "credential": out, "id": credential["id"], "png": args.png, "svg": args.svg }),
        );
    } else {
        println!("issued {} — {title}", credential["id"].as_str().unwrap_or_default());
        println!("  {}", out.display());
    }
    Ok(())
}

fn verify(ctx: &Context, args: VerifyArgs) -> CliResult {
    // Without --trust, every department of this data directory's trust list may be the issuer.
    let departments = match &args.trust {
        Some(arg) => vec![TrustedDepartment::given(trust_from(arg)?, None)],
        None => {
            let (list, problems) = departments::trusted(&ctx.data_dir);
            for p in &problems {
                eprintln!("warning: not trusted: {p}");
            }
            list
        }
    };
    let bytes =
        std::fs::read(&args.credential).with_context(|| format!("cannot read {}", args.credential.display()))?;
    let text = match bytes.first() {
        Some(0x89) => bake::unbake_png(&bytes).map_err(|e| Failure::new(USAGE, anyhow::anyhow!("{e}")))?.to_string(),
        Some(b'<') => bake::unbake_svg(&String::from_utf8_lossy(&bytes))
            .map_err(|e| Failure::new(USAGE, anyhow::anyhow!("{e}")))?
            .to_string(),
        _ => String::from_utf8(bytes).map_err(|_| Failure::new(USAGE, anyhow::anyhow!("not a JSON credential")))?,
    };
    let report = match trust_verify::credential(&text, &departments, SystemClock.now(), args.bundle.as_deref()) {
        Ok((v, department)) => Verified {
            valid: true,
            reason: None,
            id: Some(v.id),
            achievement: Some(v.achievement),
            issuer: Some(v.issuer),
            department: Some(department),
            evidence_checked: v.evidence_checked,
        },
        Err(e) => Verified {
            valid: false,
            reason: Some(e.to_string()),
            id: None,
            achievement: None,
            issuer: None,
            department: None,
            evidence_checked: 0,
        },
    };
    if ctx.json {
        output::json(&report);
    } else if report.valid {
        let department =
            report.department.as_ref().map(|d| format!("{:?}, {}", d.name, d.source.describe())).unwrap_or_default();
        println!(
            "VALID: {} — {} (issued by {} [{department}]; {} evidence digest(s) matched)",
            report.id.as_deref().unwrap_or_default(),
            report.achievement.as_deref().unwrap_or_default(),
            report.issuer.as_deref().unwrap_or_default(),
            report.evidence_checked
        );
    } else {
        println!("INVALID: {}", report.reason.as_deref().unwrap_or_default());
    }
    if report.valid {
        Ok(())
    } else {
        Err(Failure::quiet(INVALID))
    }
}
