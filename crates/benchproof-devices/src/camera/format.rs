//! Camera formats and the explicit choice among what a camera offers.
//!
//! Invariant: [`choose_format`] is a pure function of the offered list and the request, and
//! only ever returns one of the offered formats (never a "closest" guess the camera may refuse).

use std::fmt;

use serde::{Serialize, Serializer};

/// A V4L2-style four-character code, e.g. `MJPG` or `YUYV`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FourCc(pub [u8; 4]);

impl FourCc {
    /// One JPEG image per frame.
    pub const MJPEG: FourCc = FourCc(*b"MJPG");
    /// Packed 4:2:2, Y0 U Y1 V.
    pub const YUYV: FourCc = FourCc(*b"YUYV");
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in &self.0 {
            let c = if b.is_ascii_graphic() || b == b' ' { char::from(b) } else { '?' };
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FourCc({self})")
    }
}

impl Serialize for FourCc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One mode a camera offers: pixel format, frame size and frame rate (whole frames per second).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CameraFormat {
    pub fourcc: FourCc,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl fmt::Display for CameraFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}x{}@{}", self.fourcc, self.width, self.height, self.fps)
    }
}

/// What the station is configured to capture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormatRequest {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for FormatRequest {
    /// 1280×720 at 30 fps: what the snippet encoder is tuned for.
    fn default() -> Self {
        FormatRequest { width: 1280, height: 720, fps: 30 }
    }
}

/// Below this rate a mode is not usable evidence of a practical skill.
pub const MIN_FPS: u32 = 10;

/// Chooses among `offered`:
/// 1. MJPEG at exactly the requested size and rate, else YUYV at exactly that;
/// 2. otherwise the size closest to the request (the largest that fits inside it, else the
///    smallest that is larger), then the rate closest to it (the highest not above it, else the
///    lowest above it), then MJPEG before YUYV.
///
/// Only MJPEG and YUYV at [`MIN_FPS`] or more are usable. `None` when nothing is; the caller
/// reports every offered format.
pub fn choose_format(offered: &[CameraFormat], want: FormatRequest) -> Option<CameraFormat> {
    offered
        .iter()
        .copied()
        .filter(|f| (f.fourcc == FourCc::MJPEG || f.fourcc == FourCc::YUYV) && f.fps >= MIN_FPS)
        .min_by_key(|f| rank(f, want))
}

/// Smaller is better; see [`choose_format`].
fn rank(f: &CameraFormat, want: FormatRequest) -> (u8, u64, u8, u32, u8) {
    let area = u64::from(f.width) * u64::from(f.height);
    let size = if (f.width, f.height) == (want.width, want.height) {
        (0, 0)
    } else if f.width <= want.width && f.height <= want.height {
        (1, u64::MAX - area)
    } else {
        (2, area)
    };
    let rate = match f.fps.cmp(&want.fps) {
        std::cmp::Ordering::Equal => (0, 0),
        std::cmp::Ordering::Less => (1, u32::MAX - f.fps),
        std::cmp::Ordering::Greater => (2, f.fps),
    };
    let fourcc = u8::from(f.fourcc != FourCc::MJPEG);
    (size.0, size.1, rate.0, rate.1, fourcc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fourcc: &[u8; 4], width: u32, height: u32, fps: u32) -> CameraFormat {
        CameraFormat { fourcc: FourCc(*fourcc), width, height, fps }
    }

    const HD30: FormatRequest = FormatRequest { width: 1280, height: 720, fps: 30 };

    /// A typical UVC webcam: MJPEG at every size and 30 fps, YUYV fast only at small sizes.
    fn webcam() -> Vec<CameraFormat> {
        vec![
            f(b"YUYV", 640, 480, 30),
            f(b"YUYV", 1280, 720, 10),
            f(b"YUYV", 1920, 1080, 5),
            f(b"MJPG", 640, 480, 30),
            f(b"MJPG", 1280, 720, 30),
            f(b"MJPG", 1280, 720, 15),
            f(b"MJPG", 1920, 1080, 30),
        ]
    }

    #[test]
    fn table_of_choices() {
        let cases: Vec<(&str, Vec<CameraFormat>, FormatRequest, Option<CameraFormat>)> = vec![
            ("mjpeg at the exact mode wins", webcam(), HD30, Some(f(b"MJPG", 1280, 720, 30))),
            (
                "yuyv at the exact mode when mjpeg lacks it",
                vec![f(b"MJPG", 1920, 1080, 30), f(b"YUYV", 1280, 720, 30)],
                HD30,
                Some(f(b"YUYV", 1280, 720, 30)),
            ),
            (
                "mjpeg preferred over yuyv at an equal fallback",
                vec![f(b"YUYV", 640, 480, 30), f(b"MJPG", 640, 480, 30)],
                HD30,
                Some(f(b"MJPG", 640, 480, 30)),
            ),
            (
                "largest size inside the request before a larger one",
                vec![f(b"MJPG", 320, 240, 30), f(b"MJPG", 800, 600, 30), f(b"MJPG", 1920, 1080, 30)],
                HD30,
                Some(f(b"MJPG", 800, 600, 30)),
            ),
            (
                "smallest larger size when nothing fits inside",
                vec![f(b"MJPG", 3840, 2160, 30), f(b"MJPG", 1920, 1080, 30)],
                HD30,
                Some(f(b"MJPG", 1920, 1080, 30)),
            ),
            (
                "highest rate not above the request",
                vec![f(b"MJPG", 1280, 720, 15), f(b"MJPG", 1280, 720, 24), f(b"MJPG", 1280, 720, 60)],
                HD30,
                Some(f(b"MJPG", 1280, 720, 24)),
            ),
            (
                "a higher rate only when nothing lower is offered",
                vec![f(b"MJPG", 1280, 720, 60), f(b"MJPG", 1280, 720, 90)],
                HD30,
                Some(f(b"MJPG", 1280, 720, 60)),
            ),
            (
                "size matters before the rate",
                vec![f(b"MJPG", 640, 480, 30), f(b"YUYV", 1280, 720, 10)],
                HD30,
                Some(f(b"YUYV", 1280, 720, 10)),
            ),
            (
                "too slow and unknown formats are refused",
                vec![f(b"YUYV", 1280, 720, 5), f(b"NV12", 1280, 720, 30), f(b"H264", 1280, 720, 30)],
                HD30,
                None,
            ),
            ("nothing offered", vec![], HD30, None),
        ];
        for (name, offered, want, expected) in cases {
            assert_eq!(choose_format(&offered, want), expected, "{name}");
        }
    }

    #[test]
    fn the_choice_is_always_one_of_the_offered_and_ignores_their_order() {
        let mut offered = webcam();
        for want in [
            HD30,
            FormatRequest { width: 640, height: 480, fps: 15 },
            FormatRequest { width: 4000, height: 3000, fps: 60 },
        ] {
            let chosen = choose_format(&offered, want).expect("a webcam always has a usable mode");
            assert!(offered.contains(&chosen));
            offered.reverse();
            assert_eq!(choose_format(&offered, want), Some(chosen), "order must not matter");
        }
    }

    #[test]
    fn fourcc_displays_and_serialises_as_text() {
        assert_eq!(FourCc::MJPEG.to_string(), "MJPG");
        assert_eq!(FourCc([b'Y', 0, b'U', 0xff]).to_string(), "Y?U?");
        let json = serde_json::to_string(&f(b"YUYV", 640, 480, 30)).unwrap();
        assert_eq!(json, r#"{"fourcc":"YUYV","width":640,"height":480,"fps":30}"#);
        assert_eq!(f(b"MJPG", 1280, 720, 30).to_string(), "MJPG 1280x720@30");
    }
}
