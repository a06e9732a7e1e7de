#!/usr/bin/env bash
# The real-window test (see run.mjs). Needs: tauri-driver (`cargo install tauri-driver --locked`),
# Debian's webkit2gtk-driver and xvfb, node ≥ 20.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v tauri-driver >/dev/null || { echo "tauri-driver missing: cargo install tauri-driver --locked" >&2; exit 2; }
command -v WebKitWebDriver >/dev/null || { echo "WebKitWebDriver missing: apt-get install webkit2gtk-driver" >&2; exit 2; }
[ -f ui/dist/index.html ] || (cd ui && npm run build)
# The binaries exactly as `cargo test --workspace` builds them (same features, so in the full
# test run this is a no-op; `cargo build -p …` would unify features differently and rebuild
# the GTK stack).
cargo test --workspace --no-run --quiet
exec xvfb-run -a node tests/window/run.mjs
