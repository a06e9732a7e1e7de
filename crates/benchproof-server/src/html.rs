//! Hand-written, escaping HTML for the admin pages: small, no scripts, one stylesheet inline.

use std::fmt::Write as _;

/// Escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;color:#111}header{background:#1d3557;color:#fff;padding:.5rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}header a{color:#fff}main{padding:1rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}code{font-size:.85em;word-break:break-all}.bad{color:#a4001d}.ok{color:#05612b}label{display:block;margin:.5rem 0}";

/// A whole page. `nav` is shown only to a logged-in admin.
pub fn page(title: &str, user: Option<&str>, body: &str) -> String {
    let mut nav = String::new();
    if let Some(u) = user {
        let _ = write!(
            nav,
            "<nav aria-label=\"Admin\"><a href=\"/admin\">Bundles</a> · <a href=\"/admin/quarantine\">Quarantine</a> · <a href=\"/admin/conflicts\">Conflicts</a> · <a href=\"/admin/stations\">Stations</a> · <a href=\"/admin/log\">Log</a> · <a href=\"/admin/credentials\">Credentials</a> · <a href=\"/admin/reviews\">Review links</a> · <a href=\"/admin/events\">Micro-events</a></nav><form method=\"post\" action=\"/admin/logout\"><span>{}</span> <button type=\"submit\">Log out</button></form>",
            esc(u)
        );
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{t} · benchproof</title><style>{STYLE}</style></head><body><header><strong>benchproof department server</strong>{nav}</header><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title)
    )
}

/// A table with a caption; cells are already escaped HTML.
pub fn table(caption: &str, headers: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return format!("<p>{}: none.</p>", esc(caption));
    }
    let mut s = format!("<table><caption>{}</caption><thead><tr>", esc(caption));
    for h in headers {
        let _ = write!(s, "<th scope=\"col\">{}</th>", esc(h));
    }
    s.push_str("</tr></thead><tbody>");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            let _ = write!(s, "<td>{c}</td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert!(page("<t>", Some("<u>"), "").contains("&lt;u&gt;"));
    }
}
