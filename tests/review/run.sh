#!/usr/bin/env bash
# The employer review browser test: a real department server (started by the Rust test), review
# links opened in Debian's headless Chromium by check.mjs. Needs chromium, ffmpeg and the node
# packages of this folder (scripts/setup installs all three).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -d tests/review/node_modules/playwright-core ]; then
  echo "tests/review: node packages missing; run scripts/setup (or npm ci in tests/review)" >&2
  exit 2
fi
exec cargo test -p benchproof-server --test it review_browser -- --nocapture "$@"
