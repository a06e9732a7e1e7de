#!/usr/bin/env bash
# Browser tests of the station UI (mock backend) in Debian's headless Chromium.
# Expects a built ui/dist (run `npm --prefix ui run build` first); builds nothing itself.
# Screenshots go to docs/screenshots/. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f ../../ui/dist/index.html ]; then
  echo "tests/ui: ui/dist is missing; run: npm --prefix ui run build" >&2
  exit 2
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "tests/ui: /usr/bin/chromium is missing; run scripts/setup (Debian package chromium)" >&2
  exit 2
fi
if [ ! -d node_modules/playwright-core ]; then
  echo "tests/ui: node packages missing; run scripts/setup (or npm ci in tests/ui)" >&2
  exit 2
fi
exec node run.mjs "$@"
