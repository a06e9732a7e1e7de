//! Integration tests of benchproof-credential: one binary, one module per concern.

mod badge;
mod bake;
mod common;
mod fast_generated;
mod fast_path;
mod harder;
mod interop;
mod vectors;
mod verify;
