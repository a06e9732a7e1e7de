//! Every case against the at-scale backends: PostgreSQL + an S3-compatible server, both real and
//! started by the tests, selected through `Backend::Scale` as a deployment would.

use crate::harness::Kind;

async fn scale() -> Option<Kind> {
    match crate::postgres::database().await {
        Ok(url) => Some(Kind::Scale(url)),
        Err(e) => panic!("cannot start PostgreSQL for the tests: {e}"),
    }
}

crate::backend_tests!(scale);
