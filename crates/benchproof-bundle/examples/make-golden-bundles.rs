//! Writes the golden bundles into `fixtures/bundles/` (run from the repository root):
//! `cargo run -p benchproof-bundle --example make-golden-bundles`.

#![allow(clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../tests/it/golden.rs"]
mod golden;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bundles");
    std::fs::create_dir_all(&dir).unwrap();
    let mut all = vec![("valid.zip", golden::valid())];
    all.extend(golden::tampered().into_iter().map(|(n, b, _, _)| (n, b)));
    for (name, bytes) in all {
        std::fs::write(dir.join(name), &bytes).unwrap();
        println!("wrote fixtures/bundles/{name} ({} bytes)", bytes.len());
    }
}
