//! Every case against PostgreSQL metadata (a real server started by the tests) + files.

use crate::harness::Kind;

async fn pg() -> Option<Kind> {
    match crate::postgres::database().await {
        Ok(url) => Some(Kind::Postgres(url)),
        Err(e) => panic!("cannot start PostgreSQL for the tests: {e}"),
    }
}

crate::backend_tests!(pg);
