#!/usr/bin/env bash
# End-to-end check of the README's first command on a machine without a display: the headless
# demo must finish, print a scored assessment with a verified chain, and leave a data directory
# that the CLI can read back and verify again.
set -euo pipefail
cd "$(dirname "$0")/.."

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
bp() { cargo run -q -p benchproof-cli --bin benchproof -- --data-dir "$home" "$@"; }

out=$(env -u DISPLAY -u WAYLAND_DISPLAY BENCHPROOF_HOME="$home" scripts/run)
grep -q "SIMULATED DEVICES" <<<"$out"
grep -q "Outcome:  PASSED" <<<"$out"
grep -q -- "— verified" <<<"$out"
grep -q -- "— VALID" <<<"$out"

id=$(bp assessment list --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
bp log verify "$id" >/dev/null
echo "headless demo: 1 passed, 0 failed"
