//! Integration tests: a real server on loopback, real sealed bundles (the golden machinery of
//! `benchproof-bundle`), and a small signing tus client. Every case runs against the embedded
//! backend (SQLite + files, `embedded.rs`), PostgreSQL + files (`pg.rs`) and PostgreSQL + S3
//! (`scale.rs`, the `Backend::Scale` deployment).

#[allow(dead_code)]
#[path = "../../../benchproof-bundle/tests/it/golden.rs"]
mod golden;

mod assessments;
#[macro_use]
mod cases;
mod client;
mod credentials;
mod credentials_js;
mod embedded;
mod events;
mod harness;
mod interop;
mod oauth;
mod oauth_python;
mod pg;
mod postgres;
mod review;
mod review_browser;
mod s3;
mod scale;
