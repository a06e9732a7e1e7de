//! Cameras where there may be none (CI has no /dev/video*): listing must be quick and clean, and
//! opening must say exactly what is wrong. Real cameras are on the manual checklist (TESTING.md).

use benchproof_devices::{list_cameras, CameraSource, DeviceError, FormatRequest};

#[test]
fn listing_returns_only_usable_cameras_with_their_formats() {
    for camera in list_cameras() {
        assert!(camera.id.starts_with("camera:"), "{camera:?}");
        // A node without formats would be a metadata node, which must have been filtered out.
        assert!(!camera.formats.is_empty(), "{camera:?}");
    }
}

#[test]
fn opening_a_missing_camera_says_it_is_not_connected() {
    let missing = (0..64).map(|n| format!("/dev/video{n}")).find(|p| !std::path::Path::new(p).exists()).unwrap();
    let id = format!("camera:{missing}");
    let err = CameraSource::open(&id, FormatRequest::default()).unwrap_err();
    assert!(matches!(err, DeviceError::CameraNotFound { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("no camera {id}: it is not connected (run `benchproof devices` to list cameras)")
    );
}

#[test]
fn opening_something_that_is_not_a_camera_id_is_refused() {
    let err = CameraSource::open("microphone:alsa:default", FormatRequest::default()).unwrap_err();
    assert!(matches!(err, DeviceError::BadCameraId { .. }), "{err:?}");
}

#[test]
fn a_camera_that_offers_nothing_usable_names_what_it_offers() {
    use benchproof_devices::{CameraFormat, FourCc};
    let err = DeviceError::NoUsableFormat {
        id: "camera:/dev/video0".into(),
        min_fps: benchproof_devices::MIN_FPS,
        offered: vec![CameraFormat { fourcc: FourCc(*b"H264"), width: 1920, height: 1080, fps: 30 }],
    };
    assert_eq!(
        err.to_string(),
        "camera camera:/dev/video0 refuses every usable format (MJPEG or YUYV at 10 fps or more): offered H264 1920x1080@30"
    );
}
