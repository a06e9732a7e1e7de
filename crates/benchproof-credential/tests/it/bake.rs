//! Baked PNG and SVG badges round-trip, refuse a second credential, and survive a JS check of
//! the baked credential.

use benchproof_credential::badge;
use benchproof_credential::bake::{bake_png, bake_svg, default_png, default_svg, unbake_png, unbake_svg, BakeError};

use crate::common::{department_key, input};

fn credentials() -> (serde_json::Value, serde_json::Value) {
    let key = department_key();
    let first = badge::issue(&input(&key), &key).unwrap();
    let mut i = input(&key);
    i.credential_id = uuid::Uuid::parse_str("0193f6a0-0000-7000-8000-000000000002").unwrap();
    (first, badge::issue(&i, &key).unwrap())
}

#[test]
fn png_round_trips_and_refuses_another_credential() {
    let (vc, other) = credentials();
    let png = default_png("Oscilloscope setup and measurement", "Physics Teaching Lab");
    assert_eq!(unbake_png(&png), Err(BakeError::NotBaked));
    let baked = bake_png(&png, &vc).unwrap();
    assert_eq!(unbake_png(&baked).unwrap(), vc);
    // The iTXt chunk sits before IEND and the file still ends with IEND.
    assert!(baked.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]));
    let keyword = baked.windows(19).position(|w| w == b"openbadgecredential").unwrap();
    assert_eq!(&baked[keyword - 4..keyword], b"iTXt");
    assert_eq!(bake_png(&baked, &vc).unwrap(), baked, "baking the same credential again changes nothing");
    assert!(
        matches!(bake_png(&baked, &other), Err(BakeError::AlreadyBaked(id)) if id == "urn:uuid:0193f6a0-0000-7000-8000-000000000001")
    );
}

#[test]
fn broken_pngs_are_refused() {
    let (vc, _) = credentials();
    let png = default_png("T", "D");
    assert!(matches!(bake_png(b"GIF89a", &vc), Err(BakeError::NotPng(_))));
    assert!(matches!(bake_png(&png[..png.len() - 5], &vc), Err(BakeError::NotPng(_))));
    let mut flipped = png.clone();
    flipped[40] ^= 1;
    assert!(matches!(bake_png(&flipped, &vc), Err(BakeError::NotPng(_))));
}

#[test]
fn svg_round_trips_and_refuses_another_credential() {
    let (vc, other) = credentials();
    let svg = default_svg("Oscilloscope setup & measurement", "Physics Teaching Lab");
    let baked = bake_svg(&svg, &vc).unwrap();
    assert!(baked.contains("xmlns:openbadges=\"https://purl.imsglobal.org/ob/v3p0\""));
    assert!(baked.contains("<openbadges:credential><![CDATA[{"));
    assert_eq!(unbake_svg(&baked).unwrap(), vc);
    assert_eq!(bake_svg(&baked, &vc).unwrap(), baked);
    assert!(matches!(bake_svg(&baked, &other), Err(BakeError::AlreadyBaked(_))));
    assert!(matches!(bake_svg("<html></html>", &vc), Err(BakeError::NotSvg(_))));
}

#[test]
fn svg_cdata_terminators_in_the_json_are_split() {
    let (mut vc, _) = credentials();
    vc["name"] = "tricky ]]> name".into();
    let baked = bake_svg(&default_svg("T", "D"), &vc).unwrap();
    assert_eq!(unbake_svg(&baked).unwrap(), vc);
}

#[test]
fn the_default_png_decodes_to_a_400_pixel_square() {
    use std::io::Read;
    let (vc, _) = credentials();
    let png = bake_png(&default_png("Title", "Dept"), &vc).unwrap();
    // Walk the chunks by hand: IHDR says 400x400 8-bit RGB, the IDAT stream inflates to one
    // filter byte plus 1,200 bytes per row, and the image is not blank.
    let mut at = 8;
    let mut idat = Vec::new();
    let mut kinds = Vec::new();
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let kind = &png[at + 4..at + 8];
        let data = &png[at + 8..at + 8 + len];
        if kind == b"IHDR" {
            assert_eq!(&data[..8], &[0, 0, 1, 144, 0, 0, 1, 144]);
            assert_eq!(&data[8..10], &[8, 2]);
        }
        if kind == b"IDAT" {
            idat.extend_from_slice(data);
        }
        kinds.push(String::from_utf8_lossy(kind).into_owned());
        at += 12 + len;
    }
    assert_eq!(kinds, ["IHDR", "IDAT", "iTXt", "IEND"]);
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..]).read_to_end(&mut raw).unwrap();
    assert_eq!(raw.len(), 400 * (1 + 400 * 3));
    let distinct: std::collections::BTreeSet<&[u8]> = raw.chunks(1201).flat_map(|row| row[1..].chunks(3)).collect();
    assert!(distinct.len() >= 3, "background, disc, ring and text colours are drawn");
}
