#!/usr/bin/env bash
# End-to-end check of the README's first command on a machine without a display: the headless
# demo must finish, print a scored assessment with a verified chain, seal a bundle that
# verifies, and leave a data directory that the CLI can read back. The sealed bundle is then
# validated by an independent BagIt implementation (the Library of Congress `bagit` package).
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
bp verify "$home/outbox/benchproof-$id.zip" >/dev/null

# Python's bagit, in a virtual environment of our own (created once, kept in target/).
venv=target/bagit-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import bagit' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet bagit
fi
mkdir "$home/unpacked"
python3 -m zipfile -e "$home/outbox/benchproof-$id.zip" "$home/unpacked"
"$venv/bin/python" -m bagit --validate "$home/unpacked/benchproof-$id" 2>&1 | tail -1
echo "headless demo: 1 passed, 0 failed"
