#!/usr/bin/env bash
# The station app's benchmark (see bench.mjs and docs/performance.md, "Station app"): start-up
# and idle memory against Chromium --app, and the live preview's frame rate and latency.
# Needs what run.sh needs, plus Debian's chromium. Usage: tests/window/bench.sh [runs, default 5]
# Measures the debug app in $CARGO_TARGET_DIR (or target/), built if missing; or the binary that
# BENCHPROOF_APP names, e.g. BENCHPROOF_APP=target/release/benchproof-app (what the .deb ships).
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v tauri-driver >/dev/null || { echo "tauri-driver missing: cargo install tauri-driver --locked" >&2; exit 2; }
command -v WebKitWebDriver >/dev/null || { echo "WebKitWebDriver missing: apt-get install webkit2gtk-driver" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium missing: apt-get install chromium" >&2; exit 2; }
target="${CARGO_TARGET_DIR:-target}"
if [ -n "${BENCHPROOF_APP:-}" ]; then
  [ -x "$BENCHPROOF_APP" ] || { echo "BENCHPROOF_APP=$BENCHPROOF_APP is not an executable; build it with cargo build -p benchproof-app --release" >&2; exit 2; }
else
  [ -x "$target/debug/benchproof-app" ] || cargo build -p benchproof-app
fi
[ -f ui/dist/index.html ] || (cd ui && npm run build)
exec xvfb-run -a -s "-screen 0 1920x1080x24" node tests/window/bench.mjs "$@"
