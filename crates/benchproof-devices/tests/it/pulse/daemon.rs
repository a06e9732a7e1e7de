//! A private PulseAudio daemon for one test: its own runtime directory, HOME (with an `.asoundrc`
//! that routes ALSA's default device to it), a null sink and a 440 Hz sine source named
//! `bp_sine`. Killed when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The sine source's frequency.
pub const TONE_HZ: f64 = 440.0;
/// A sink, so that the daemon has one (some clients insist).
const SINK: &str = "bp_null";
/// The sine source's name, for `pactl`.
pub const SOURCE: &str = "bp_sine";

pub struct PulseDaemon {
    dir: tempfile::TempDir,
    child: Child,
}

impl PulseDaemon {
    /// Starts the daemon with a sine source at `rate` Hz and waits until `pactl` can talk to it.
    pub fn start(rate: u32) -> PulseDaemon {
        require("pulseaudio", "pulseaudio");
        require("pactl", "pulseaudio-utils");
        let plugin = Command::new("sh")
            .args(["-c", "ls /usr/lib/*/alsa-lib/libasound_module_pcm_pulse.so"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            plugin,
            "ALSA's pulse plugin is missing: install the Debian package libasound2-plugins (scripts/setup does)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(".asoundrc"), "pcm.!default { type pulse }\nctl.!default { type pulse }\n")
            .expect("write .asoundrc");
        let socket = dir.path().join("native");
        let mut command = Command::new("pulseaudio");
        command
            .args(["--daemonize=no", "-n", "--exit-idle-time=-1", "--system=false", "--disallow-exit"])
            .args(["--use-pid-file=false", "--log-target=stderr", "--log-level=error"])
            // Each `-L` is one argument: a module name followed by that module's arguments.
            .arg(format!("-Lmodule-native-protocol-unix socket={} auth-anonymous=1", socket.display()))
            .arg(format!("-Lmodule-null-sink sink_name={SINK}"))
            .arg(format!("-Lmodule-sine-source source_name={SOURCE} rate={rate} frequency={TONE_HZ}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (key, value) in env(dir.path()) {
            command.env(key, value);
        }
        let child = command.spawn().expect("start pulseaudio");
        let daemon = PulseDaemon { dir, child };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if daemon.pactl(&["set-default-source", SOURCE]) {
                return daemon;
            }
            assert!(Instant::now() < deadline, "the private pulseaudio daemon did not come up within 20 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The environment a client process needs to use this daemon through ALSA.
    pub fn client_env(&self) -> Vec<(String, String)> {
        env(self.dir.path())
    }

    /// Runs `pactl` against this daemon; true on success.
    pub fn pactl(&self, args: &[&str]) -> bool {
        let mut command = Command::new("pactl");
        command.args(args).stdout(Stdio::null()).stderr(Stdio::null());
        for (key, value) in env(self.dir.path()) {
            command.env(key, value);
        }
        command.status().is_ok_and(|s| s.success())
    }

    /// Suspends (`true`) or resumes the sine source: a suspended source delivers nothing, which
    /// is exactly the stalled stream the watchdog must notice.
    pub fn suspend(&self, suspended: bool) {
        let flag = if suspended { "1" } else { "0" };
        assert!(self.pactl(&["suspend-source", SOURCE, flag]), "pactl suspend-source {SOURCE} {flag} failed");
    }
}

impl Drop for PulseDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn env(dir: &Path) -> Vec<(String, String)> {
    let d = |p: PathBuf| p.display().to_string();
    vec![
        ("HOME".into(), d(dir.to_path_buf())),
        ("XDG_RUNTIME_DIR".into(), d(dir.to_path_buf())),
        ("XDG_CONFIG_HOME".into(), d(dir.join("config"))),
        ("PULSE_RUNTIME_PATH".into(), d(dir.join("pulse"))),
        ("PULSE_STATE_PATH".into(), d(dir.join("pulse-state"))),
        ("PULSE_SERVER".into(), format!("unix:{}", dir.join("native").display())),
    ]
}

fn require(program: &str, package: &str) {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(found, "`{program}` is not installed: install the Debian package {package} (scripts/setup does)");
}
