#!/usr/bin/env bash
# Runs a command against a private PulseAudio daemon with a 440 Hz sine "microphone" — the same
# setup the `pulse` integration tests build in Rust (tests/it/pulse/daemon.rs), for trying the
# microphone path by hand on a machine without a sound card:
#
#   crates/benchproof-devices/tests/pulse-session.sh cargo run -p benchproof-devices --example devices
#   RATE=44100 crates/benchproof-devices/tests/pulse-session.sh …   # a 44.1 kHz source
#
# Inside the command, `pactl suspend-source bp_sine 1` / `0` stalls and resumes the microphone.
# Needs the Debian packages pulseaudio pulseaudio-utils libasound2-plugins (scripts/setup).
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS…]" >&2; exit 2; }
for tool in pulseaudio pactl; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is missing: run scripts/setup" >&2; exit 2; }
done

dir=$(mktemp -d)
daemon=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$dir/.asoundrc"
export HOME="$dir" XDG_RUNTIME_DIR="$dir" XDG_CONFIG_HOME="$dir/config"
export PULSE_RUNTIME_PATH="$dir/pulse" PULSE_STATE_PATH="$dir/pulse-state" PULSE_SERVER="unix:$dir/native"

pulseaudio --daemonize=no -n --exit-idle-time=-1 --system=false --disallow-exit --use-pid-file=false \
  --log-target=stderr --log-level=error \
  "-Lmodule-native-protocol-unix socket=$dir/native auth-anonymous=1" \
  "-Lmodule-null-sink sink_name=bp_null" \
  "-Lmodule-sine-source source_name=bp_sine rate=${RATE:-48000} frequency=440" 2>"$dir/pulseaudio.log" &
daemon=$!

for _ in $(seq 100); do
  pactl set-default-source bp_sine 2>/dev/null && break
  sleep 0.1
done
pactl set-default-source bp_sine || { echo "$0: pulseaudio did not start:" >&2; cat "$dir/pulseaudio.log" >&2; exit 1; }

# Keep the caller's cargo and rustup, whose defaults live under the real HOME.
export CARGO_HOME="${CARGO_HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)/.rustup}"
"$@"
