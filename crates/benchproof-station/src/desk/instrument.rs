//! An instrument's "test connection" on the setup screen: connect over SCPI/TCP (LXI "SCPI
//! raw"), ask `*IDN?` and name the bundled profile that fits, all within a short deadline.
//!
//! Invariants: nothing here waits longer than [`TEST_TIMEOUTS`] allow per step (connect, then
//! one answer); the desk's lock is never held (this needs no station state); a failure to reach
//! or understand the instrument is an answer ([`InstrumentCheck::Failed`] with a stable code and
//! what to do), only an address that cannot be parsed is a request error.

use std::time::Duration;

use benchproof_instrument::{profile, Idn, ScpiClient, ScpiError, Timeouts};

use super::{DeskError, DeskResult};

/// Deadlines of a connection test: short, because the proctor is waiting at the screen.
pub const TEST_TIMEOUTS: Timeouts =
    Timeouts { connect: Duration::from_secs(2), query: Duration::from_secs(3), block: Duration::from_secs(3) };

/// What a connection test found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstrumentCheck {
    /// The instrument answered `*IDN?`.
    Answered {
        /// The address as parsed (`HOST:PORT`).
        address: String,
        idn: Idn,
        /// The bundled profile that fits this model, if any (else screenshots need a profile file).
        profile: Option<String>,
    },
    /// It could not be reached or did not answer as an instrument.
    Failed {
        address: String,
        /// Stable: `instrument_unreachable`, `instrument_timeout`, `instrument_closed`,
        /// `instrument_bad_answer` or `instrument_io`.
        code: &'static str,
        /// What went wrong and what to check.
        message: String,
    },
}

/// Connects to `address` (`HOST[:PORT]`, port 5025 by default) and asks who it is.
pub fn test_connection(address: &str, timeouts: Timeouts) -> DeskResult<InstrumentCheck> {
    let address = address.trim();
    if address.is_empty() {
        return Err(DeskError::BadRequest(
            "type the instrument's LAN address, e.g. 192.168.1.20 or 192.168.1.20:5025".into(),
        ));
    }
    let parsed = benchproof_instrument::Address::parse(address).map_err(|e| DeskError::BadRequest(e.to_string()))?;
    let shown = parsed.to_string();
    let answer = ScpiClient::connect_to(parsed, timeouts).and_then(|mut client| client.idn());
    Ok(check_of(shown, answer))
}

/// Turns the client's answer into what the proctor is told.
fn check_of(address: String, answer: Result<Idn, ScpiError>) -> InstrumentCheck {
    match answer {
        Ok(idn) => {
            let profile = profile::detect(&idn, &profile::bundled()).map(|p| p.name.clone());
            InstrumentCheck::Answered { address, idn, profile }
        }
        Err(e) => {
            let code = match &e {
                ScpiError::Connect { .. } => "instrument_unreachable",
                ScpiError::Timeout { .. } => "instrument_timeout",
                ScpiError::Closed { .. } => "instrument_closed",
                ScpiError::Io { .. } => "instrument_io",
                _ => "instrument_bad_answer",
            };
            InstrumentCheck::Failed { address, code, message: e.to_string() }
        }
    }
}

#[cfg(test)]
mod tests {
    use benchproof_instrument::{Fault, SimScope};

    use super::*;

    fn quick() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(2),
            query: Duration::from_millis(300),
            block: Duration::from_millis(300),
        }
    }

    #[test]
    fn the_simulated_scope_answers_with_its_identity_and_profile() {
        let scope = SimScope::start().unwrap();
        let InstrumentCheck::Answered { address, idn, profile } = test_connection(&scope.address(), quick()).unwrap()
        else {
            panic!("the simulator answers *IDN?")
        };
        assert_eq!(address, scope.address());
        assert_eq!(idn.model, "Simulated Oscilloscope");
        assert_eq!(profile.as_deref(), Some("benchproof-sim"));
        assert_eq!(scope.received(), vec!["*IDN?".to_owned()]);
    }

    #[test]
    fn a_silent_instrument_is_a_timeout_and_a_closed_port_is_unreachable() {
        let scope = SimScope::start().unwrap();
        scope.set_fault(Fault::Silent);
        match test_connection(&scope.address(), quick()).unwrap() {
            InstrumentCheck::Failed { code, message, .. } => {
                assert_eq!(code, "instrument_timeout");
                assert!(message.contains("*IDN?"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        match test_connection(&closed.to_string(), quick()).unwrap() {
            InstrumentCheck::Failed { code, .. } => assert_eq!(code, "instrument_unreachable"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_address_that_cannot_be_parsed_is_a_request_error() {
        for bad in ["", "   ", "scope:notaport"] {
            let err = test_connection(bad, quick()).unwrap_err();
            assert_eq!(err.code(), "invalid_input", "{bad:?}");
        }
    }
}
