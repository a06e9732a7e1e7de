//! Baked badges (Open Badges 3.0 §5.3 "Badge Baking"): the signed credential embedded in the
//! badge image, so the image file alone carries a verifiable credential.
//!
//! - PNG: an `iTXt` chunk with keyword `openbadgecredential`, uncompressed, holding the compact
//!   JSON credential, inserted just before `IEND` ([`bake_png`], [`unbake_png`]).
//! - SVG: an `<openbadges:credential>` element (namespace `https://purl.imsglobal.org/ob/v3p0`)
//!   right after the `<svg>` start tag, the JSON in a CDATA section ([`bake_svg`], [`unbake_svg`]).
//! - [`default_png`] / [`default_svg`]: a plain badge drawn in code (rubric title, department)
//!   for departments without artwork.
//!
//! Invariant: an image already baked with a different credential is refused, never overwritten;
//! baking the same credential again returns the image unchanged.

mod image;
mod png;
mod svg;

pub use image::{default_png, default_svg};
pub use png::{bake_png, unbake_png};
pub use svg::{bake_svg, unbake_svg};

/// The `iTXt` keyword of a baked PNG.
pub const PNG_KEYWORD: &str = "openbadgecredential";
/// The XML namespace of the SVG baking element.
pub const SVG_NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";

/// Why an image could not be baked or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BakeError {
    /// Not a PNG (bad signature, truncated or corrupt chunk).
    #[error("not a valid PNG image: {0}")]
    NotPng(&'static str),
    /// Not an SVG document.
    #[error("not an SVG image: {0}")]
    NotSvg(&'static str),
    /// The image already carries a different credential.
    #[error("the image is already baked with another credential ({0}); start from the unbaked image")]
    AlreadyBaked(String),
    /// No baked credential found.
    #[error("the image carries no Open Badges credential")]
    NotBaked,
    /// The baked text is not a JSON credential.
    #[error("the baked credential is not JSON: {0}")]
    NotJson(String),
}

/// The `id` of a credential (for messages), or `(no id)`.
fn credential_id(credential: &serde_json::Value) -> String {
    credential.get("id").and_then(serde_json::Value::as_str).unwrap_or("(no id)").to_owned()
}
