// What the benchmark reads from /proc: a process tree, its memory (PSS and RSS, and where the PSS
// goes, by mapping) and its CPU time (per process, and per thread name inside one process).
import { readdirSync, readFileSync } from "node:fs";

/** Every process whose ancestry leads to `pid`, `pid` included. */
export function tree(pid) {
  const parent = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parent.set(Number(name), Number(statFields(`/proc/${name}/stat`)[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  return out;
}

/** The fields of a /proc stat file after the command name: [state, ppid, …]. */
function statFields(path) {
  const stat = readFileSync(path, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

const comm = (path) => readFileSync(path, "utf8").trim();

/**
 * Which part of the memory a mapping is. The groups are what docs/performance.md §9 discusses:
 * Mesa's GL driver with the LLVM it links (WebKit opens EGL in every process that paints), the
 * browser engine's own code, the process's own binary, its anonymous memory, other libraries.
 */
export function category(mapping, exe) {
  const file = mapping.split("/").pop();
  if (/^(libLLVM|libgallium|[a-z0-9_]+_dri\.so|libGL|libEGL|libGLX|libglapi|libgbm|libdrm|libvulkan)/.test(file)) return "Mesa + LLVM (GL)";
  if (/^(libwebkit2gtk|libjavascriptcoregtk|libWPE|libwpe)/.test(file)) return "WebKitGTK + JavaScriptCore code";
  if (/^(libflite)/.test(file)) return "flite voices (speech synthesis, linked by WebKitGTK)";
  if (file === exe) return "own binary";
  if (mapping === "" || mapping.startsWith("[") || mapping.startsWith("memfd:") || mapping.startsWith("/SYSV") || mapping.startsWith("/memfd:"))
    return "anonymous (heap, stacks, shared buffers)";
  return "other libraries and files";
}

/** PSS (KiB) of one process by [`category`], from /proc/<pid>/smaps. */
function breakdown(pid, exe) {
  const out = {};
  let current = null;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) current = category(head[1].trim(), exe);
    else if (line.startsWith("Pss:")) out[current] = (out[current] ?? 0) + Number(line.split(/\s+/)[1]);
  }
  return out;
}

/**
 * Summed PSS and RSS (MiB) of a process tree, and per process its name, PSS and where that PSS
 * goes (MiB by [`category`]). `exe` names the tree's own binary (e.g. "benchproof-app").
 */
export function memory(pid, exe) {
  let pss = 0;
  let rss = 0;
  const processes = [];
  for (const p of tree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const kib = Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += kib;
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      const parts = Object.fromEntries(Object.entries(breakdown(p, exe)).map(([k, v]) => [k, v / 1024]));
      const threads = readdirSync(`/proc/${p}/task`).length;
      processes.push({ name: comm(`/proc/${p}/comm`), pssMiB: kib / 1024, threads, parts });
    } catch {
      // Gone, or a kernel thread without mappings.
    }
  }
  return { pssMiB: pss / 1024, rssMiB: rss / 1024, processes };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU ticks used so far by every process in `pids`, by process name, and for the process named
 * `detail` also by thread name (threads of one kind, e.g. tokio workers, summed).
 */
export function cpuTicks(pids, detail) {
  const byProcess = {};
  const byThread = {};
  for (const p of pids) {
    try {
      const name = comm(`/proc/${p}/comm`);
      const f = statFields(`/proc/${p}/stat`);
      byProcess[name] = (byProcess[name] ?? 0) + Number(f[11]) + Number(f[12]);
      if (name !== detail) continue;
      for (const t of readdirSync(`/proc/${p}/task`)) {
        const tf = statFields(`/proc/${p}/task/${t}/stat`);
        const tn = comm(`/proc/${p}/task/${t}/comm`).replace(/\d+$/, "");
        byThread[tn] = (byThread[tn] ?? 0) + Number(tf[11]) + Number(tf[12]);
      }
    } catch {
      // Gone while we looked.
    }
  }
  return { byProcess, byThread };
}

/** CPU use between two `cpuTicks` readings `ms` apart, in % of one core, largest first. */
export function cpuShare(before, after, ms) {
  const share = (a, b) =>
    Object.entries(b)
      .map(([k, v]) => [k, ((v - (a[k] ?? 0)) / TICKS_PER_SECOND / (ms / 1000)) * 100])
      .filter(([, v]) => v > 0)
      .sort((x, y) => y[1] - x[1]);
  return { byProcess: share(before.byProcess, after.byProcess), byThread: share(before.byThread, after.byThread) };
}
