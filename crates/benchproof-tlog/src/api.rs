//! The JSON bodies of the public log endpoints (`docs/sync-protocol.md`, "Log endpoints"), shared
//! by the server that answers them and the station that reads them.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/log/inclusion?leaf=<hex>&size=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InclusionResponse {
    /// The leaf's index.
    pub leaf_index: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
    /// The audit path, standard base64 each (see [`crate::decode_proof`]).
    pub proof: Vec<String>,
}

/// `GET /api/v1/log/consistency?from=M&to=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyResponse {
    /// The older tree size.
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
    /// The consistency proof, standard base64 each.
    pub proof: Vec<String>,
}
