//! Every case against the embedded backend (SQLite + files).

use crate::harness::Kind;

async fn embedded() -> Option<Kind> {
    Some(Kind::Embedded)
}

crate::backend_tests!(embedded);
