//! Exit codes that mean something (listed in `--help`).

use benchproof_station::StationError;
use benchproof_store::OpenError;

pub const INVALID: u8 = 1;
pub const USAGE: u8 = 2;
pub const DATA_DIR: u8 = 3;

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn new(code: u8, error: impl Into<anyhow::Error>) -> Failure {
        Failure { code, error: error.into() }
    }
    /// A failure whose details were already printed.
    pub fn quiet(code: u8) -> Failure {
        Failure { code, error: anyhow::anyhow!("") }
    }
}

impl From<StationError> for Failure {
    fn from(e: StationError) -> Failure {
        let code = match &e {
            StationError::Open(OpenError::Io { .. }) => DATA_DIR,
            StationError::Open(_) => DATA_DIR,
            StationError::Store(benchproof_store::StoreError::DiskFull { .. }) => DATA_DIR,
            StationError::Chain { .. } | StationError::Replay { .. } => INVALID,
            StationError::Store(benchproof_store::StoreError::Chain { .. }) => INVALID,
            StationError::Rubric(_) => INVALID,
            _ => USAGE,
        };
        Failure::new(code, e)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Failure {
        Failure::new(USAGE, e)
    }
}

pub type CliResult = Result<(), Failure>;
