use std::path::PathBuf;

use benchproof_domain::rubric::Rubric;
use benchproof_station::rubrics::{self, Origin, RubricSource};
use benchproof_station::StationError;
use clap::Subcommand;
use serde::Serialize;

use crate::exit::{CliResult, Failure, INVALID};
use crate::output;
use crate::Context;

#[derive(Debug, Subcommand)]
pub enum RubricCommand {
    /// The rubrics this station can use (published in DATA_DIR/rubrics/, then bundled)
    List,
    /// One rubric in full: steps, what to look for, levels, pass rule
    Show {
        /// A rubric id, or a path to a .toml file
        rubric: String,
    },
    /// Check rubric files and print every problem with line and column
    Validate {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Serialize)]
struct Listed<'a> {
    id: &'a str,
    version: &'a str,
    title: &'a str,
    steps: usize,
    critical: usize,
    sha256: String,
    origin: &'a Origin,
}

pub fn run(ctx: &Context, cmd: RubricCommand) -> CliResult {
    match cmd {
        RubricCommand::List => list(ctx),
        RubricCommand::Show { rubric } => show(ctx, &rubric),
        RubricCommand::Validate { files } => validate(ctx, &files),
    }
}

fn list(ctx: &Context) -> CliResult {
    let (found, problems) = rubrics::catalogue(&ctx.data_dir);
    for p in &problems {
        eprintln!("warning: skipped a published rubric: {p}");
    }
    let rows: Vec<Listed<'_>> = found.iter().map(listed).collect();
    if ctx.json {
        output::json(&rows);
        return Ok(());
    }
    println!("{:<34} {:<8} {:>5} {:>8}  {:<12}  title", "id", "version", "steps", "critical", "sha256");
    for r in &rows {
        println!(
            "{:<34} {:<8} {:>5} {:>8}  {:<12}  {}",
            r.id,
            r.version,
            r.steps,
            r.critical,
            &r.sha256[..12],
            r.title
        );
    }
    Ok(())
}

fn listed(r: &RubricSource) -> Listed<'_> {
    Listed {
        id: &r.rubric.id,
        version: &r.rubric.version,
        title: &r.rubric.title,
        steps: r.rubric.steps.len(),
        critical: r.rubric.steps.iter().filter(|s| s.critical).count(),
        sha256: r.rubric.sha256.to_hex(),
        origin: &r.origin,
    }
}

fn show(ctx: &Context, reference: &str) -> CliResult {
    let source = rubrics::find(&ctx.data_dir, reference)?;
    if ctx.json {
        output::json(&source.rubric);
        return Ok(());
    }
    print!("{}", describe(&source.rubric));
    Ok(())
}

fn describe(r: &Rubric) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "{} — {} (version {})\nsha256 {}\n", r.id, r.title, r.version, r.sha256);
    if !r.description.is_empty() {
        let _ = writeln!(s, "{}\n", r.description.trim());
    }
    for (i, step) in r.steps.iter().enumerate() {
        let critical = if step.critical { "  [critical]" } else { "" };
        let _ = writeln!(s, "{:>2}. {} ({}){critical}", i + 1, step.title, step.id);
        let _ = writeln!(s, "    student:  {}", step.instruction.trim());
        let _ = writeln!(s, "    look for: {}", step.look_for.trim());
        let evidence: Vec<_> = step.evidence.iter().map(|e| e.as_str()).collect();
        let _ = writeln!(
            s,
            "    evidence: {}; pre-roll {} s, post-roll {} s",
            if evidence.is_empty() { "none".to_owned() } else { evidence.join(", ") },
            step.pre_roll_s,
            step.post_roll_s
        );
        for l in &step.levels {
            let _ = writeln!(s, "    level {} ({} points) {}", l.name, l.points, l.description.trim());
        }
    }
    let p = &r.pass_rule;
    let _ = writeln!(s, "\nPass rule: every critical step passes");
    if let Some(share) = p.min_share {
        let _ = writeln!(s, "  and at least {:.0}% of the applicable other steps pass", share * 100.0);
    }
    if let Some(points) = p.min_points {
        let _ = writeln!(s, "  and at least {points} of {} points", r.max_points());
    }
    if !p.required.is_empty() {
        let ids: Vec<_> = p.required.iter().map(|s| s.as_str()).collect();
        let _ = writeln!(s, "  and these steps pass: {}", ids.join(", "));
    }
    s
}

#[derive(Serialize)]
struct Validated {
    file: PathBuf,
    ok: bool,
    id: Option<String>,
    problems: Vec<ProblemOut>,
}

#[derive(Serialize)]
struct ProblemOut {
    line: usize,
    column: usize,
    rule: String,
    message: String,
}

fn validate(ctx: &Context, files: &[PathBuf]) -> CliResult {
    let mut results = Vec::new();
    for file in files {
        let v = match rubrics::load_file(file) {
            Ok(r) => Validated { file: file.clone(), ok: true, id: Some(r.rubric.id), problems: vec![] },
            Err(StationError::Rubric(e)) => Validated {
                file: file.clone(),
                ok: false,
                id: None,
                problems: e
                    .problems
                    .iter()
                    .map(|p| ProblemOut {
                        line: p.line,
                        column: p.column,
                        rule: format!("{:?}", p.kind),
                        message: p.message.clone(),
                    })
                    .collect(),
            },
            Err(other) => Validated {
                file: file.clone(),
                ok: false,
                id: None,
                problems: vec![ProblemOut {
                    line: 0,
                    column: 0,
                    rule: "Unreadable".into(),
                    message: other.to_string(),
                }],
            },
        };
        if !ctx.json {
            if v.ok {
                println!("ok      {}", file.display());
            } else {
                for p in &v.problems {
                    println!("{}:{}:{}: {}", file.display(), p.line, p.column, p.message);
                }
            }
        }
        results.push(v);
    }
    let bad = results.iter().filter(|r| !r.ok).count();
    if ctx.json {
        output::json(&results);
    } else if bad > 0 {
        println!("{bad} of {} rubric files have problems", results.len());
    }
    if bad > 0 {
        return Err(Failure::quiet(INVALID));
    }
    Ok(())
}
