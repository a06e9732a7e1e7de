//! Screen images: recognise PNG/BMP/JPEG, check that they decode, normalise to PNG, thumbnail.
//!
//! Invariants: a [`Picture`] always holds a PNG that decodes and a thumbnail no wider than
//! [`THUMBNAIL_WIDTH`]. A PNG input is kept byte for byte (its digest then matches the file the
//! instrument wrote); BMP and JPEG inputs are re-encoded losslessly as PNG.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use serde::{Deserialize, Serialize};

/// Widest thumbnail produced, in pixels.
pub const THUMBNAIL_WIDTH: u32 = 320;
/// Largest image side accepted; oscilloscope screens are at most a few thousand pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Most memory a decoder may use.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// An image format instruments save or send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceFormat {
    /// PNG.
    Png,
    /// Windows bitmap.
    Bmp,
    /// JPEG.
    Jpeg,
}

impl SourceFormat {
    /// Recognises a format from the first bytes of a file.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(b"BM") {
            Some(Self::Bmp)
        } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(Self::Jpeg)
        } else {
            None
        }
    }

    /// Lower-case name, as in profiles (`png`, `bmp`, `jpeg`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Bmp => "bmp",
            Self::Jpeg => "jpeg",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Self::Png => ImageFormat::Png,
            Self::Bmp => ImageFormat::Bmp,
            Self::Jpeg => ImageFormat::Jpeg,
        }
    }
}

/// A normalised screen image.
#[derive(Clone, PartialEq, Eq)]
pub struct Picture {
    /// The image as PNG.
    pub png: Vec<u8>,
    /// A PNG at most [`THUMBNAIL_WIDTH`] pixels wide.
    pub thumbnail_png: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The format the image arrived in.
    pub source_format: SourceFormat,
}

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Picture")
            .field("png", &format_args!("{} bytes", self.png.len()))
            .field("thumbnail_png", &format_args!("{} bytes", self.thumbnail_png.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .field("source_format", &self.source_format)
            .finish()
    }
}

/// Why bytes are not a usable image.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PictureError {
    /// The bytes are not PNG, BMP or JPEG.
    #[error(
        "not a PNG, BMP or JPEG image ({len} bytes, starting {start}); check the instrument's screenshot \
         format setting"
    )]
    UnknownFormat {
        /// Length of the data.
        len: usize,
        /// The first bytes, in hex.
        start: String,
    },
    /// The format was recognised but the data does not decode (truncated or corrupt).
    #[error("the {format} image does not decode ({reason}); the file may be truncated or still being written")]
    Decode {
        /// The recognised format.
        format: &'static str,
        /// The decoder's explanation.
        reason: String,
    },
    /// Encoding the PNG failed (out of memory, in practice).
    #[error("could not encode the image as PNG: {0}")]
    Encode(String),
}

/// Decodes `bytes` (PNG, BMP or JPEG) and produces the PNG and its thumbnail.
pub fn normalise(bytes: &[u8]) -> Result<Picture, PictureError> {
    let Some(source_format) = SourceFormat::sniff(bytes) else {
        let start: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return Err(PictureError::UnknownFormat { len: bytes.len(), start: start.join(" ") });
    };
    let image = decode(bytes, source_format)?;
    let png = match source_format {
        SourceFormat::Png => bytes.to_vec(),
        _ => encode_png(&image)?,
    };
    let thumbnail = if image.width() > THUMBNAIL_WIDTH {
        let height = (u64::from(image.height()) * u64::from(THUMBNAIL_WIDTH)).div_ceil(u64::from(image.width()));
        image.thumbnail(THUMBNAIL_WIDTH, u32::try_from(height.max(1)).unwrap_or(u32::MAX))
    } else {
        image.clone()
    };
    Ok(Picture {
        png,
        thumbnail_png: encode_png(&DynamicImage::ImageRgb8(thumbnail.to_rgb8()))?,
        width: image.width(),
        height: image.height(),
        source_format,
    })
}

fn decode(bytes: &[u8], format: SourceFormat) -> Result<DynamicImage, PictureError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| PictureError::Decode { format: format.as_str(), reason: e.to_string() })
}

/// Encodes an image as PNG.
pub fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, PictureError> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), ImageFormat::Png).map_err(|e| PictureError::Encode(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use image::{Rgb, RgbImage};

    use super::*;

    fn sample(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
        let img = RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, 40]));
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    #[test]
    fn each_format_normalises_to_png_with_a_thumbnail() {
        for (format, source) in [
            (ImageFormat::Png, SourceFormat::Png),
            (ImageFormat::Bmp, SourceFormat::Bmp),
            (ImageFormat::Jpeg, SourceFormat::Jpeg),
        ] {
            let bytes = sample(800, 480, format);
            let pic = normalise(&bytes).unwrap();
            assert_eq!((pic.width, pic.height, pic.source_format), (800, 480, source));
            let png = image::load_from_memory_with_format(&pic.png, ImageFormat::Png).unwrap();
            assert_eq!((png.width(), png.height()), (800, 480));
            let thumb = image::load_from_memory_with_format(&pic.thumbnail_png, ImageFormat::Png).unwrap();
            assert_eq!((thumb.width(), thumb.height()), (320, 192));
        }
        assert_eq!(normalise(&sample(800, 480, ImageFormat::Png)).unwrap().png, sample(800, 480, ImageFormat::Png));
    }

    #[test]
    fn small_images_keep_their_size_in_the_thumbnail() {
        let pic = normalise(&sample(100, 60, ImageFormat::Bmp)).unwrap();
        let thumb = image::load_from_memory(&pic.thumbnail_png).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (100, 60));
    }

    #[test]
    fn bad_images_get_specific_errors() {
        let err = normalise(b"hello, world").unwrap_err();
        assert!(matches!(err, PictureError::UnknownFormat { len: 12, .. }), "{err}");
        assert!(err.to_string().contains("68 65 6c 6c"), "{err}");
        let png = sample(64, 64, ImageFormat::Png);
        let err = normalise(&png[..png.len() / 2]).unwrap_err();
        assert!(matches!(err, PictureError::Decode { format: "png", .. }), "{err}");
        assert!(matches!(normalise(b"BM\0\0").unwrap_err(), PictureError::Decode { format: "bmp", .. }));
    }
}
