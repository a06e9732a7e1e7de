//! The review page: what an employer sees through a live link — the rubric, each step's verdict
//! and level, the step's evidence (video and audio players, pictures, instrument state), the
//! checks the bundle passed (proofs, enrolments), and the transparency receipt. Nothing else of
//! the department: no navigation, no other assessment, no proctor notes.

use std::fmt::Write as _;

use benchproof_bundle::document::EvidenceEntry;
use benchproof_domain::Rubric;
use benchproof_tlog::Receipt;

use crate::clock::rfc3339;
use crate::credentials::archive::Archived;
use crate::html::{esc, page as html_page};
use crate::meta::ReviewLinkRow;
use crate::state::AppState;

/// Instrument state files larger than this are linked, not shown inline.
const INLINE_STATE_BYTES: u64 = 64 << 10;

fn media_url(token: &str, sha: &str) -> String {
    format!("/review/{}/media/{}", esc(token), esc(sha))
}

async fn evidence_html(token: &str, archived: &Archived, e: &EvidenceEntry) -> String {
    let sha = e.sha256.to_string();
    let url = media_url(token, &sha);
    let name = esc(e.path.rsplit('/').next().unwrap_or(&e.path));
    let caption = format!(
        "<figcaption>{name} · captured {} · SHA-256 <code>{}</code></figcaption>",
        esc(&e.captured_at.to_string()),
        esc(&sha)
    );
    let base = e.media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let inner = if base.starts_with("video/") {
        format!("<video controls preload=\"metadata\" src=\"{url}\" data-sha256=\"{}\"></video>", esc(&sha))
    } else if base.starts_with("audio/") {
        format!("<audio controls preload=\"metadata\" src=\"{url}\"></audio>")
    } else if base.starts_with("image/") && super::public::served_type(&base).1 {
        format!("<a href=\"{url}\"><img src=\"{url}\" alt=\"{name}\" style=\"max-width:100%;max-height:24rem\"></a>")
    } else if base == "application/json" && e.bytes <= INLINE_STATE_BYTES {
        let text = match archived.media(&sha) {
            Some((path, _)) => tokio::fs::read(&path).await.ok().and_then(|b| {
                serde_json::from_slice::<serde_json::Value>(&b).ok().and_then(|v| serde_json::to_string_pretty(&v).ok())
            }),
            None => None,
        };
        match text {
            Some(t) => format!("<pre class=\"state\">{}</pre>", esc(&t)),
            None => format!("<a href=\"{url}\">{name}</a>"),
        }
    } else {
        format!("<a href=\"{url}\">{name}</a> ({})", esc(&e.media_type))
    };
    format!("<figure>{inner}{caption}</figure>")
}

fn rubric_step_html(rubric: &Rubric, id: &benchproof_domain::rubric::StepId) -> String {
    let Some(step) = rubric.step(id) else { return String::new() };
    let mut s = format!("<p>{}</p>", esc(&step.instruction));
    if !step.levels.is_empty() {
        s.push_str("<ul class=\"levels\">");
        for l in &step.levels {
            let _ =
                write!(s, "<li><strong>{}</strong> ({} points): {}</li>", esc(&l.name), l.points, esc(&l.description));
        }
        s.push_str("</ul>");
    }
    s
}

/// The whole page for a live link.
pub async fn page(
    state: &AppState,
    link: &ReviewLinkRow,
    archived: &Archived,
    receipt: &Receipt,
    token: &str,
) -> String {
    let v = &archived.verified;
    let doc = &v.document;
    let rubric = benchproof_domain::rubric::parse("rubric.toml", &archived.rubric_text).ok();
    let mut body = String::new();
    let _ = write!(
        body,
        "<p>Evidence of one practical assessment, shown by the issuing department to {} until {}.</p><dl><dt>Student</dt><dd>{}</dd><dt>Rubric</dt><dd>{} ({} {})</dd><dt>Outcome</dt><dd id=\"outcome\">{} ({} of {} points)</dd><dt>Assessed</dt><dd>{} – {}</dd><dt>Station</dt><dd>{}</dd><dt>Proctor</dt><dd>{}</dd></dl>",
        esc(&link.label),
        esc(&rfc3339(link.expires_ms)),
        esc(&doc.student),
        esc(rubric.as_ref().map_or(doc.rubric.id.as_str(), |r| r.title.as_str())),
        esc(&doc.rubric.id),
        esc(&doc.rubric.version),
        esc(serde_json::to_value(doc.outcome.result).ok().and_then(|o| o.as_str().map(str::to_owned)).unwrap_or_default().as_str()),
        doc.outcome.points,
        doc.outcome.max_points,
        esc(&doc.started_at.to_string()),
        esc(&doc.finished_at.to_string()),
        esc(&v.station_name),
        esc(&v.proctor_name),
    );
    if let Some(r) = &rubric {
        let _ = write!(body, "<p>{}</p>", esc(&r.description));
    }
    body.push_str("<h2>Steps</h2>");
    for step in &doc.steps {
        let verdict = step.verdict.map_or("not assessed", |v| v.as_str());
        let class = match verdict {
            "pass" => "ok",
            "fail" => "bad",
            _ => "",
        };
        let _ = write!(
            body,
            "<section class=\"step\" data-step=\"{}\"><h3>{}{}</h3><p>Verdict: <strong class=\"{class}\">{}</strong>{}</p>",
            esc(step.id.as_str()),
            esc(&step.title),
            if step.critical { " <small>(critical)</small>" } else { "" },
            esc(verdict),
            step.level.as_ref().map(|l| format!(" · level <strong>{}</strong>", esc(l))).unwrap_or_default(),
        );
        if let Some(r) = &rubric {
            body.push_str(&rubric_step_html(r, &step.id));
        }
        for e in &step.evidence {
            body.push_str(&evidence_html(token, archived, e).await);
        }
        body.push_str("</section>");
    }
    if !doc.other_evidence.is_empty() {
        body.push_str("<h2>Other evidence</h2>");
        for e in &doc.other_evidence {
            body.push_str(&evidence_html(token, archived, e).await);
        }
    }
    body.push_str(
        "<h2>Checks passed</h2><p>The department's server checked the sealed bundle just now:</p><ul id=\"checks\">",
    );
    for c in &v.checks {
        let name = serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let _ = write!(body, "<li class=\"ok\">{}</li>", esc(&name));
    }
    let _ = write!(
        body,
        "</ul><p>Signed by station <code>{}</code> and proctor <code>{}</code>, both enrolled by the department <code>{}</code>.</p>",
        esc(&doc.station.did.to_string()),
        esc(&doc.proctor.did.to_string()),
        esc(&state.config.trust.department.to_string()),
    );
    let _ = write!(
        body,
        "<h2>Transparency receipt</h2><p>Bundle <code>{}</code> is leaf {} of the department's transparency log, received {}; log key <code>{}</code>. <a href=\"/review/{}/receipt.json\">Download the receipt</a> (check it with <code>benchproof receipt verify</code>).</p><pre id=\"checkpoint\">{}</pre>",
        esc(&receipt.bundle_sha256),
        receipt.leaf_index,
        esc(receipt.received_at.as_str()),
        esc(&receipt.log_key.to_string()),
        esc(token),
        esc(&receipt.checkpoint),
    );
    html_page("Assessment evidence", None, &body)
}
