//! Integration tests: the real SCPI client against the simulated oscilloscope on loopback, the
//! faults it can inject, profile files, and folder import.

mod faults;
mod fetch;
mod folder;
mod profiles;

use std::time::Duration;

use benchproof_instrument::Timeouts;

/// Short deadlines so that fault tests finish quickly; they bound waits, they assert no speed.
pub fn quick_timeouts() -> Timeouts {
    Timeouts { connect: Duration::from_secs(2), query: Duration::from_millis(300), block: Duration::from_millis(600) }
}
