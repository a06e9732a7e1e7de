use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use benchproof_instrument::block::BlockError;
use benchproof_instrument::{
    fetch, BlockLimits, Fault, FetchError, FetchOptions, Framing, Indefinite, PictureError, ScpiClient, ScpiError,
    SimScope,
};

use super::quick_timeouts;

fn quick() -> FetchOptions {
    FetchOptions { timeouts: Some(quick_timeouts()), ..FetchOptions::detect("t") }
}

fn fetch_with(fault: Fault) -> Result<benchproof_instrument::InstrumentCapture, FetchError> {
    let sim = SimScope::start().unwrap();
    sim.set_fault(fault);
    fetch(&sim.address(), &quick())
}

#[test]
fn a_slow_screen_dump_is_a_timeout_naming_the_command() {
    let err = fetch_with(Fault::SlowScreenshot(Duration::from_secs(30))).unwrap_err();
    match &err {
        FetchError::Scpi(ScpiError::Timeout { command, waited, .. }) => {
            assert_eq!(command, ":DISP:DATA? PNG");
            assert_eq!(*waited, quick_timeouts().block);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("did not answer `:DISP:DATA? PNG` within 600 ms"), "{text}");
    assert!(text.contains("127.0.0.1:"), "{text}");
}

#[test]
fn a_silent_instrument_is_a_timeout_on_idn() {
    let err = fetch_with(Fault::Silent).unwrap_err();
    assert!(matches!(&err, FetchError::Scpi(ScpiError::Timeout { command, .. }) if command == "*IDN?"), "{err:?}");
}

#[test]
fn a_connection_dropped_mid_block_is_a_short_read() {
    let err = fetch_with(Fault::DropMidBlock).unwrap_err();
    match &err {
        FetchError::Scpi(ScpiError::Block {
            source: BlockError::ShortRead { got, expected: Some(expected) }, ..
        }) => {
            assert!(got < expected, "{got} of {expected}");
        }
        other => panic!("expected a short read, got {other:?}"),
    }
    assert!(err.to_string().contains("short read: got"), "{err}");
}

#[test]
fn wrong_length_digits_are_a_malformed_block() {
    let err = fetch_with(Fault::WrongLengthDigits).unwrap_err();
    assert!(
        matches!(&err, FetchError::Scpi(ScpiError::Block { source: BlockError::LengthDigits { declared: 9, .. }, .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("announces 9 length digits"), "{err}");
}

#[test]
fn a_length_shorter_than_the_data_is_trailing_garbage() {
    let err = fetch_with(Fault::LengthTooShort).unwrap_err();
    assert!(
        matches!(&err, FetchError::Scpi(ScpiError::Block { source: BlockError::TrailingGarbage { .. }, .. })),
        "{err:?}"
    );
}

#[test]
fn an_answer_that_is_not_an_image_is_refused() {
    let err = fetch_with(Fault::GarbageImage).unwrap_err();
    assert!(matches!(&err, FetchError::Picture { source: PictureError::UnknownFormat { .. }, .. }), "{err:?}");
    assert!(err.to_string().contains("not a PNG, BMP or JPEG image"), "{err}");
}

#[test]
fn a_delayed_answer_within_the_deadline_is_fine() {
    let sim = SimScope::start().unwrap();
    sim.set_fault(Fault::Delay(Duration::from_millis(20)));
    let mut options = quick();
    options.timeouts = Some(benchproof_instrument::Timeouts::default());
    let capture = fetch(&sim.address(), &options).unwrap();
    assert!(capture.failed_queries().is_empty());
}

#[test]
fn one_unanswered_query_is_recorded_and_the_rest_still_captured() {
    let sim = SimScope::start().unwrap();
    sim.set_fault(Fault::Ignore(":TIM:SCAL?".into()));
    let capture = fetch(&sim.address(), &quick()).unwrap();
    assert_eq!(capture.failed_queries(), vec!["timebase.scale".to_owned()]);
    let entries = capture.state["queries"].as_array().unwrap();
    let error = entries[0]["error"].as_str().unwrap();
    assert!(error.contains("did not answer `:TIM:SCAL?` within 300 ms"), "{error}");
    // The client reconnected after the timeout, so the next answers are not shifted by one.
    assert_eq!(entries[1]["name"], "timebase.offset");
    assert_eq!(entries[1]["value"], serde_json::json!(0.0));
    assert_eq!(entries[2]["value"], serde_json::json!(true));
}

#[test]
fn an_unparsable_answer_is_recorded_with_the_raw_text() {
    let mut profile = benchproof_instrument::profile::find("benchproof-sim").unwrap();
    // The simulator answers with the example; make the query expect a different kind.
    profile.queries[0].example = "fast".into();
    let sim = SimScope::start_with(profile, benchproof_instrument::sim::SIM_IDN.into()).unwrap();
    let capture = fetch(&sim.address(), &quick()).unwrap();
    let entry = &capture.state["queries"][0];
    assert_eq!(entry["raw"], "fast");
    assert_eq!(entry["error"], "expected a number, got \"fast\"");
    assert!(entry.get("value").is_none());
}

#[test]
fn a_closed_port_says_what_to_check() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let err = fetch(&format!("127.0.0.1:{port}"), &quick()).unwrap_err();
    assert!(matches!(&err, FetchError::Scpi(ScpiError::Connect { .. })), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("check the instrument's LAN settings") && text.contains(&format!("port {port} is open")),
        "{text}"
    );
}

#[test]
fn a_bad_address_is_refused_before_connecting() {
    let err = fetch("scope:99999", &quick()).unwrap_err();
    assert!(matches!(&err, FetchError::Scpi(ScpiError::BadAddress { .. })), "{err:?}");
}

/// A one-shot server: answers the first command with `answer`, written in `chunk`-byte pieces,
/// then answers `*IDN?` if asked and closes.
fn serve_once(answer: Vec<u8>, chunk: usize, close_after: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_nodelay(true).unwrap();
        let mut writer: TcpStream = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        for piece in answer.chunks(chunk) {
            writer.write_all(piece).unwrap();
            writer.flush().unwrap();
        }
        if close_after {
            return;
        }
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) > 0 {
            writer.write_all(b"Maker,Model,1,2\n").unwrap();
        }
    });
    addr
}

#[test]
fn blocks_arrive_in_short_reads_and_the_terminator_is_consumed() {
    let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut answer = benchproof_instrument::block::encode_definite(&data).unwrap();
    answer.push(b'\n');
    let addr = serve_once(answer, 7, false);
    let mut client = ScpiClient::connect(&addr, quick_timeouts()).unwrap();
    assert_eq!(client.query_block(":WAV:DATA?").unwrap(), data);
    // The newline after the block must not be mistaken for the next answer.
    assert_eq!(client.idn().unwrap().model, "Model");
}

#[test]
fn an_indefinite_block_ends_when_the_instrument_closes() {
    let data = b"\x89PNG\r\n\x1a\nnot really, but binary with newlines\n\n".to_vec();
    let mut answer = b"#0".to_vec();
    answer.extend_from_slice(&data);
    answer.push(b'\n');
    let addr = serve_once(answer, 5, true);
    let mut client = ScpiClient::connect(&addr, quick_timeouts()).unwrap();
    client.set_block_limits(BlockLimits { indefinite: Indefinite::UntilClose, ..BlockLimits::default() });
    assert_eq!(client.query_binary("DUMP?", Framing::Block).unwrap(), data);
}

#[test]
fn an_error_message_instead_of_a_block_is_quoted() {
    let addr = serve_once(b"-113,\"Undefined header\"\n".to_vec(), 64, false);
    let mut client = ScpiClient::connect(&addr, quick_timeouts()).unwrap();
    let err = client.query_block(":DISP:DATA?").unwrap_err();
    assert!(matches!(&err, ScpiError::Block { source: BlockError::BadHeader { found: b'-' }, .. }), "{err:?}");
    assert!(err.to_string().contains("the answer began \"-113,\\\"Undefined header\\\"\""), "{err}");
}
