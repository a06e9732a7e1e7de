//! SVG baking: `xmlns:openbadges` on the root element and an `<openbadges:credential>` element
//! with the JSON in CDATA as its first child.

use serde_json::Value;

use super::{credential_id, BakeError, SVG_NAMESPACE};

const OPEN: &str = "<openbadges:credential>";
const CLOSE: &str = "</openbadges:credential>";

/// Byte range of the root `<svg …>` start tag.
fn root_tag(svg: &str) -> Result<(usize, usize), BakeError> {
    let start = svg.find("<svg").ok_or(BakeError::NotSvg("no <svg> element"))?;
    let after = svg[start + 4..].chars().next().ok_or(BakeError::NotSvg("truncated <svg> tag"))?;
    if !(after.is_whitespace() || after == '>' || after == '/') {
        return Err(BakeError::NotSvg("no <svg> element"));
    }
    let end = svg[start..].find('>').ok_or(BakeError::NotSvg("unterminated <svg> tag"))? + start;
    if svg[..end].ends_with('/') {
        return Err(BakeError::NotSvg("the <svg> element is empty (<svg/>)"));
    }
    Ok((start, end))
}

/// The credential baked into `svg`.
pub fn unbake_svg(svg: &str) -> Result<Value, BakeError> {
    root_tag(svg)?;
    let open = svg.find("<openbadges:credential").ok_or(BakeError::NotBaked)?;
    let body_start =
        svg[open..].find('>').ok_or(BakeError::NotSvg("unterminated openbadges:credential tag"))? + open + 1;
    let body_end =
        svg[body_start..].find(CLOSE).ok_or(BakeError::NotSvg("unterminated openbadges:credential element"))?
            + body_start;
    let body = &svg[body_start..body_end];
    // Concatenate CDATA sections; text outside them is XML-unescaped.
    let mut text = String::new();
    let mut rest = body;
    while let Some(at) = rest.find("<![CDATA[") {
        text.push_str(&unescape(&rest[..at]));
        let inner = &rest[at + 9..];
        let end = inner.find("]]>").ok_or(BakeError::NotSvg("unterminated CDATA section"))?;
        text.push_str(&inner[..end]);
        rest = &inner[end + 3..];
    }
    text.push_str(&unescape(rest));
    serde_json::from_str(text.trim()).map_err(|e| BakeError::NotJson(e.to_string()))
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// `svg` with `credential` baked in.
pub fn bake_svg(svg: &str, credential: &Value) -> Result<String, BakeError> {
    let (start, end) = root_tag(svg)?;
    match unbake_svg(svg) {
        Ok(existing) if &existing == credential => return Ok(svg.to_owned()),
        Ok(existing) => return Err(BakeError::AlreadyBaked(credential_id(&existing))),
        Err(BakeError::NotBaked) => {}
        Err(other) => return Err(other),
    }
    let tag = &svg[start..end];
    let mut out = String::with_capacity(svg.len() + 4096);
    out.push_str(&svg[..end]);
    if !tag.contains("xmlns:openbadges") {
        out.push_str(&format!(" xmlns:openbadges=\"{SVG_NAMESPACE}\""));
    }
    out.push('>');
    // "]]>" cannot appear inside CDATA: split it across two sections.
    let json = credential.to_string().replace("]]>", "]]]]><![CDATA[>");
    out.push_str(&format!("\n  {OPEN}<![CDATA[{json}]]>{CLOSE}"));
    out.push_str(&svg[end + 1..]);
    Ok(out)
}
