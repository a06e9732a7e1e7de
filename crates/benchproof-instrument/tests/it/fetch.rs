use benchproof_instrument::profile::{self, parse_answer};
use benchproof_instrument::{fetch, sha256_hex, FetchOptions, ProfileChoice, SimScope, SourceFormat, STATE_FORMAT};
use serde_json::Value;

fn decode_png(bytes: &[u8]) -> image::DynamicImage {
    image::load_from_memory_with_format(bytes, image::ImageFormat::Png).expect("a PNG")
}

#[test]
fn every_shipped_profile_is_detected_and_fetched_end_to_end() {
    for profile in profile::bundled() {
        let sim = SimScope::impersonating(&profile).unwrap();
        let capture = fetch(&sim.address(), &FetchOptions::detect("2026-11-29T08:00:00Z")).unwrap();
        assert_eq!(capture.profile, profile.name);
        assert!(profile.matches(&capture.idn), "{}", capture.idn.raw);

        // The screen arrives as PNG, whatever the instrument sent, with a thumbnail.
        let png = decode_png(&capture.screenshot.png);
        assert_eq!((png.width(), png.height()), (800, 480), "{}", profile.name);
        let thumb = decode_png(&capture.screenshot.thumbnail_png);
        assert_eq!((thumb.width(), thumb.height()), (320, 192));
        assert_eq!(capture.screenshot.source_format, profile.screenshot.format);
        if profile.screenshot.format == SourceFormat::Png {
            assert_eq!(capture.screenshot.png, sim.screen(), "a PNG is kept byte for byte");
        } else {
            let original = image::load_from_memory(sim.screen()).unwrap();
            assert_eq!(png.to_rgb8(), original.to_rgb8(), "re-encoding is lossless");
        }

        let state = &capture.state;
        assert_eq!(state["format"], STATE_FORMAT);
        assert_eq!(state["captured_at"], "2026-11-29T08:00:00Z");
        assert_eq!(state["profile"]["name"], profile.name.as_str());
        assert_eq!(state["instrument"]["serial"], "SIM0001");
        assert_eq!(state["screenshot"]["png_sha256"], sha256_hex(&capture.screenshot.png));
        assert!(capture.failed_queries().is_empty(), "{}: {:?}", profile.name, capture.failed_queries());

        // Every query is accounted for, in order: answered and parsed, or skipped by its `when`.
        let entries = state["queries"].as_array().unwrap();
        assert_eq!(entries.len(), profile.queries.len());
        let mut asked = 0;
        for (entry, query) in entries.iter().zip(&profile.queries) {
            assert_eq!(entry["name"], query.name.as_str());
            match entry.get("skipped") {
                Some(_) => assert!(query.when.is_some(), "{}", query.name),
                None => {
                    asked += 1;
                    assert_eq!(entry["raw"], query.example.as_str());
                    let expected = parse_answer(query.kind, &query.values, &query.example).unwrap();
                    assert_eq!(entry["value"], expected, "{}", query.name);
                }
            }
        }
        // What was skipped was never sent.
        let sent = sim.received();
        for (entry, query) in entries.iter().zip(&profile.queries) {
            assert_eq!(entry.get("skipped").is_none(), sent.contains(&query.command), "{}", query.name);
        }
        assert_eq!(sent.len(), 2 + asked, "*IDN?, the screenshot and each asked query: {sent:?}");
    }
}

#[test]
fn state_values_are_typed() {
    let sim = SimScope::impersonating(&profile::find("siglent-sds").unwrap()).unwrap();
    let capture = fetch(&sim.address(), &FetchOptions::detect("t")).unwrap();
    let value = |name: &str| -> Value {
        let entries = capture.state["queries"].as_array().unwrap();
        entries.iter().find(|e| e["name"] == name).unwrap().get("value").cloned().unwrap_or(Value::Null)
    };
    assert_eq!(value("timebase.scale"), serde_json::json!(0.001));
    assert_eq!(value("ch1.enabled"), Value::Bool(true));
    assert_eq!(value("ch1.scale"), serde_json::json!(0.5));
    assert_eq!(value("ch2.coupling"), "A1M");
    assert_eq!(value("ch3.scale"), Value::Null, "channel 3 is off, so it is skipped");
    assert_eq!(value("measure.ch1.frequency"), serde_json::json!(1000.0));
    assert_eq!(value("trigger.sweep"), "AUTO");
}

#[test]
fn a_named_profile_is_used_without_detection() {
    // The simulator's own identity matches only `benchproof-sim`; naming it must work too, and
    // naming a profile that does not exist says which ones do.
    let sim = SimScope::start().unwrap();
    let mut options = FetchOptions::detect("t");
    options.profile = ProfileChoice::Named("benchproof-sim".into());
    assert_eq!(fetch(&sim.address(), &options).unwrap().profile, "benchproof-sim");
    options.profile = ProfileChoice::Named("tektronix-mdo".into());
    let err = fetch(&sim.address(), &options).unwrap_err().to_string();
    assert!(err.contains("no instrument profile named `tektronix-mdo`"), "{err}");
    assert!(err.contains("rigol-ds1000z"), "{err}");
}

#[test]
fn an_unknown_instrument_asks_for_a_profile() {
    let mut profile = profile::find("benchproof-sim").unwrap();
    profile.matcher.manufacturers = vec!["Nobody".into()];
    let sim = SimScope::start_with(profile.clone(), "ACME,Scope 9000,1,1".into()).unwrap();
    let err = fetch(&sim.address(), &FetchOptions::detect("t")).unwrap_err().to_string();
    assert!(err.contains("no instrument profile matches `ACME,Scope 9000,1,1`"), "{err}");
    assert!(err.contains("pass a profile explicitly"), "{err}");
    // With the profile given, the same instrument is captured.
    let mut options = FetchOptions::detect("t");
    options.profile = ProfileChoice::Given(Box::new(profile));
    assert!(fetch(&sim.address(), &options).is_ok());
}
