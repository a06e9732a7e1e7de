//! Integration tests of benchproof-credential: one binary, one module per concern.

mod badge;
mod bake;
mod common;
mod harder;
mod interop;
mod vectors;
mod verify;
