//! Headless IPC tests: the real commands, capabilities and protocols on Tauri's mock runtime,
//! with a temporary data directory and simulated devices (demo mode). No display needed.

use std::sync::Arc;

use benchproof_station::desk::Desk;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

struct Harness {
    _app: App<MockRuntime>,
    main: WebviewWindow<MockRuntime>,
    student: WebviewWindow<MockRuntime>,
    desk: Arc<Desk>,
    _dir: tempfile::TempDir,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let desk = Arc::new(Desk::open(dir.path()).unwrap());
    let app = benchproof_app_lib::app(mock_builder(), desk.clone()).build(tauri::generate_context!()).unwrap();
    let main = WebviewWindowBuilder::new(&app, "main", WebviewUrl::default()).build().unwrap();
    let student = WebviewWindowBuilder::new(&app, "student", WebviewUrl::default()).build().unwrap();
    Harness { _app: app, main, student, desk, _dir: dir }
}

/// Invokes `cmd` as the UI would; `Err` carries the rejection as JSON.
fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        // On Linux the mock runtime's origin is tauri://localhost (http://tauri.localhost is remote).
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}

fn code(r: Result<Value, Value>) -> String {
    let err = r.expect_err("should be refused");
    err["code"].as_str().unwrap_or_else(|| panic!("not a CommandError: {err}")).to_owned()
}

#[test]
fn a_whole_assessment_over_ipc_from_demo_mode_to_sealed_bundle() {
    let h = harness();
    let w = &h.main;
    let status = invoke(w, "station_status", json!({})).unwrap();
    assert_eq!(status["configured"], false);
    let status = invoke(w, "start_demo", json!({})).unwrap();
    assert_eq!((status["configured"].clone(), status["demo"].clone()), (json!(true), json!(true)));

    assert_eq!(code(invoke(w, "sign_in", json!({"name": "Demo Proctor", "passphrase": "nope"}))), "wrong_passphrase");
    let proctor = invoke(w, "sign_in", json!({"name": "Demo Proctor", "passphrase": "demo-proctor-pin"})).unwrap();
    assert!(proctor["did"].as_str().unwrap().starts_with("did:key:"));

    let rubrics = invoke(w, "list_rubrics", json!({})).unwrap();
    assert!(rubrics.as_array().unwrap().iter().any(|r| r["id"] == "probe-compensation"));
    let request = json!({"rubric_id": "probe-compensation", "student": "s-1", "consent": false, "previous": null});
    assert_eq!(code(invoke(w, "create_assessment", json!({ "request": request }))), "consent_required");
    let request = json!({"rubric_id": "probe-compensation", "student": "s-1", "consent": true, "previous": null});
    let mut view = invoke(w, "create_assessment", json!({ "request": request })).unwrap();
    let id = view["id"].as_str().unwrap().to_owned();
    assert_eq!(view["state"], "running");

    let steps = view["rubric"]["steps"].as_array().unwrap().clone();
    for step in &steps {
        let level = step["levels"].as_array().unwrap().last().map(|l| l["name"].clone()).unwrap_or(Value::Null);
        let request = json!({"step": step["id"], "verdict": "pass", "level": level, "note": null});
        view = invoke(w, "tick", json!({"id": id, "request": request})).unwrap();
    }
    assert_eq!(view["score"]["outcome"], "passed");
    view = invoke(w, "undo_tick", json!({"id": id})).unwrap();
    assert_eq!(view["ticks"].as_array().unwrap().last().unwrap()["undone"], true);
    assert_eq!(view["score"]["untested"], 1, "the withdrawn tick no longer counts");
    let bad = json!({"step": "no-such-step", "verdict": "pass", "level": null, "note": null});
    assert_eq!(code(invoke(w, "tick", json!({"id": id, "request": bad}))), "invalid_input");
    let bad_verdict = json!({"step": steps[0]["id"], "verdict": "maybe", "level": null, "note": null});
    assert!(invoke(w, "tick", json!({"id": id, "request": bad_verdict})).is_err());
    let last = steps.last().unwrap();
    let level = last["levels"].as_array().unwrap().last().map(|l| l["name"].clone()).unwrap_or(Value::Null);
    let request = json!({"step": last["id"], "verdict": "pass", "level": level, "note": "redone"});
    invoke(w, "tick", json!({"id": id, "request": request})).unwrap();

    let student = invoke(&h.student, "student_view", json!({})).unwrap();
    assert_eq!(student["student"], "s-1");
    assert!(student["steps"].as_array().unwrap().iter().all(|s| s["ticked"] == true && s.get("look_for").is_none()));

    view = invoke(w, "finish", json!({"id": id})).unwrap();
    assert_eq!(view["state"], "finished");
    let sealed =
        invoke(w, "seal", json!({"id": id, "passphrase": "demo-proctor-pin", "onProgress": "__CHANNEL__:7"})).unwrap();
    assert_eq!(sealed["assessment"], id.as_str());
    assert!(std::path::Path::new(sealed["path"].as_str().unwrap()).exists());

    let queue = invoke(w, "queue", json!({})).unwrap();
    assert_eq!(queue["items"][0]["assessment"], id.as_str());
    assert_eq!(queue["items"][0]["state"], "pending");
    let history = invoke(w, "history", json!({})).unwrap();
    assert_eq!(history[0]["state"], "sealed");
    assert_eq!(history[0]["outcome"], "passed");
    assert!(h.desk.status().unwrap().in_progress.is_none());
}

#[test]
fn the_student_window_may_read_its_view_and_nothing_else() {
    let h = harness();
    assert_eq!(invoke(&h.student, "student_view", json!({})).unwrap(), Value::Null);
    for cmd in ["start_demo", "station_status", "sign_in", "tick", "seal", "history", "queue"] {
        let err = invoke(&h.student, cmd, json!({})).expect_err(cmd);
        assert!(err.to_string().contains("not allowed"), "{cmd}: {err}");
    }
    // The main window is not limited that way.
    invoke(&h.main, "station_status", json!({})).unwrap();
}

/// "Test connection" really talks SCPI: the simulated scope answers `*IDN?`; a silent one is a
/// timeout, a closed port unreachable (answers, not command errors); a bad address is refused.
#[test]
fn test_connection_asks_the_instrument_who_it_is() {
    let h = harness();
    let scope = benchproof_instrument::SimScope::start().unwrap();
    let test = invoke(&h.main, "test_instrument", json!({"address": scope.address()})).unwrap();
    assert_eq!(test["ok"], true, "{test}");
    assert_eq!(test["address"], scope.address().as_str());
    assert!(test["detail"].as_str().unwrap().contains("Simulated Oscilloscope"), "{test}");
    assert_eq!(test["profile"], "benchproof-sim");
    assert_eq!(test["code"], Value::Null);

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let test = invoke(&h.main, "test_instrument", json!({"address": closed.to_string()})).unwrap();
    assert_eq!((test["ok"].clone(), test["code"].clone()), (json!(false), json!("instrument_unreachable")), "{test}");
    assert!(test["detail"].as_str().unwrap().contains("LAN settings"), "says what to check: {test}");

    assert_eq!(code(invoke(&h.main, "test_instrument", json!({"address": "scope:port"}))), "invalid_input");
    assert!(invoke(&h.student, "test_instrument", json!({"address": scope.address()})).is_err(), "not the student's");
}

#[test]
fn commands_refuse_with_a_code_when_nobody_is_signed_in() {
    let h = harness();
    invoke(&h.main, "start_demo", json!({})).unwrap();
    let request = json!({"rubric_id": "probe-compensation", "student": "s-1", "consent": true, "previous": null});
    assert_eq!(code(invoke(&h.main, "create_assessment", json!({ "request": request }))), "not_signed_in");
    assert_eq!(code(invoke(&h.main, "assessment", json!({"id": "nope"}))), "unknown_assessment");
    let devices = invoke(&h.main, "list_devices", json!({})).unwrap();
    assert!(devices.as_array().unwrap().iter().any(|d| d["kind"] == "camera" && d["simulated"] == true));
    // Capturing since demo mode: the station clock runs.
    let (a, b) =
        (invoke(&h.main, "station_clock", json!({})).unwrap(), invoke(&h.main, "station_clock", json!({})).unwrap());
    assert!(b.as_f64().unwrap() >= a.as_f64().unwrap(), "{a} then {b}");
}
