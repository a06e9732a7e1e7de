//! What the capture benches share: CPU time from `/proc` (Linux only) and the load average.
//! CPU time, unlike wall time, does not count the time other processes took from a shared core,
//! so it is the figure that stays comparable on a busy machine.
#![allow(dead_code)]

use std::collections::HashMap;
use std::process::Command;
use std::time::Duration;

/// CPU time (utime + stime) read from `/proc`.
pub struct Cpu {
    /// This process (all threads).
    pub own: Duration,
    /// Children that have been waited for.
    pub children: Duration,
}

/// Reads `/proc/self/stat` (fields 14–17, in clock ticks).
pub fn process_cpu(tck: f64) -> Cpu {
    let f = stat_fields("/proc/self/stat", 4);
    let d = |ticks: f64| Duration::from_secs_f64(ticks / tck);
    Cpu { own: d(f[0] + f[1]), children: d(f[2] + f[3]) }
}

/// utime + stime of the calling thread (`/proc/thread-self/stat`).
pub fn thread_cpu(tck: f64) -> Duration {
    let f = stat_fields("/proc/thread-self/stat", 2);
    Duration::from_secs_f64((f[0] + f[1]) / tck)
}

/// `n` fields of a stat file from utime (field 14) on.
fn stat_fields(path: &str, n: usize) -> Vec<f64> {
    let stat = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path} (Linux only): {e}"));
    parse_stat(&stat, n).unwrap_or_else(|| panic!("{path}: not a stat line: {stat}")).1
}

/// The command name and `n` tick counts from utime (field 14) on, of one stat line.
fn parse_stat(stat: &str, n: usize) -> Option<(&str, Vec<f64>)> {
    // The command name (field 2) is in parentheses and may hold spaces; the fields after it
    // start at state (field 3).
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let ticks: Vec<f64> = stat[close + 1..].split_whitespace().skip(11).take(n).map_while(|v| v.parse().ok()).collect();
    (ticks.len() == n).then(|| (&stat[open + 1..close], ticks))
}

/// Records the CPU time (utime + stime) of every live thread of this process by thread id.
pub fn sample_threads(tck: f64, threads: &mut HashMap<u64, (String, Duration)>) {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return };
    for task in tasks.flatten() {
        let Ok(tid) = task.file_name().to_string_lossy().parse::<u64>() else { continue };
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else { continue };
        if let Some((name, ticks)) = parse_stat(&stat, 2) {
            threads.insert(tid, (name.to_owned(), Duration::from_secs_f64((ticks[0] + ticks[1]) / tck)));
        }
    }
}

/// `getconf CLK_TCK`, 100 (Linux's USER_HZ everywhere in practice) when unavailable.
pub fn clock_ticks_per_second() -> f64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map_or_else(|_| "unknown".into(), |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}
