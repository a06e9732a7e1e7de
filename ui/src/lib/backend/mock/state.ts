/**
 * The mock station's state and its transitions, kept pure so unit tests can drive them.
 *
 * Invariants (mirroring the domain's state machine and the store's append-only log):
 * - every change appends to the assessment's event sequence (`seq` only grows); nothing is erased,
 *   an undo marks a tick `undone` and is itself an event;
 * - ticks, notes, snippets and undo are refused unless the assessment is running;
 * - finish needs a running assessment, seal a finished one; sealed and abandoned are final;
 * - a passing tick of a levelled step needs one of its levels, and other steps take none.
 */
import type {
  AssessmentView,
  CommandError,
  DeviceInfo,
  LifecycleState,
  OutboxItem,
  Rubric,
  ScheduleList,
  Snippet,
  TickRequest,
} from "../types";
import { MAX_STUDENT_CHARS, MAX_TEXT_CHARS } from "./limits";
import { score } from "./scoring";

/** An assessment as the mock stores it: the view minus the derived score. */
export type StoredAssessment = Omit<AssessmentView, "score"> & { last_seq: number };

export interface MockState {
  configured: boolean;
  demo: boolean;
  station_name: string | null;
  department: string | null;
  proctor: string | null;
  devices: DeviceInfo[];
  assessments: StoredAssessment[];
  outbox: OutboxItem[];
  server_reachable: boolean;
  /** Reason the next upload fails, if a test asked for one. */
  fail_next_upload: string | null;
  /** The schedule copy (`null`: never downloaded). */
  schedule: ScheduleList | null;
}

/** Throws a `CommandError` with `code`. */
export function refuse(code: string, message: string): never {
  const error: CommandError = { code, message };
  throw error;
}

/** The simulated devices of demo mode. */
export function simulatedDevices(): DeviceInfo[] {
  return [
    { id: "sim:camera:0", label: "Simulated camera (test pattern)", kind: "camera", simulated: true, connected: true },
    { id: "sim:camera:1", label: "Simulated overhead camera (test pattern)", kind: "camera", simulated: true, connected: true },
    { id: "sim:microphone:0", label: "Simulated microphone (tone)", kind: "microphone", simulated: true, connected: true },
    { id: "sim:instrument:0", label: "Simulated oscilloscope", kind: "instrument", simulated: true, connected: true },
  ];
}

export function emptyState(): MockState {
  return {
    configured: false,
    demo: false,
    station_name: null,
    department: null,
    proctor: null,
    devices: simulatedDevices(),
    assessments: [],
    outbox: [],
    server_reachable: true,
    fail_next_upload: null,
    schedule: null,
  };
}

/** The derived view of a stored assessment (score computed like the domain). */
export function view(a: StoredAssessment): AssessmentView {
  const { last_seq: _seq, ...rest } = a;
  return structuredClone({ ...rest, score: score(a.rubric, a.ticks) });
}

function allowed(a: StoredAssessment, states: LifecycleState[], action: string): void {
  if (!states.includes(a.state)) refuse("not_allowed", `cannot ${action} while the assessment is ${a.state}`);
}

function checkText(field: string, text: string): void {
  if ([...text].length > MAX_TEXT_CHARS || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) {
    refuse("invalid_input", `${field} must be at most ${MAX_TEXT_CHARS} characters with no control characters`);
  }
}

/** Checks a student identifier as the domain does. */
export function checkStudent(student: string): string {
  const trimmed = student.trim();
  if (trimmed.length === 0 || [...trimmed].length > MAX_STUDENT_CHARS || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    refuse("invalid_input", `the student identifier must be 1 to ${MAX_STUDENT_CHARS} printable characters`);
  }
  return trimmed;
}

/** Creates and starts an assessment (the `created` and `started` events). */
export function create(
  rubric: Rubric,
  student: string,
  previous: string | null,
  id: string,
  now: string,
): StoredAssessment {
  return {
    id,
    student: checkStudent(student),
    rubric,
    state: "running",
    created_at: now,
    started_at: now,
    finished_at: null,
    previous,
    ticks: [],
    snippets: [],
    notes: [],
    outages: [],
    signed_by: null,
    last_seq: 2,
    current_step: 0,
  };
}

/** Records a verdict for a step; the latest tick of a step is the one that counts. */
export function tick(a: StoredAssessment, req: TickRequest, now: string): void {
  allowed(a, ["running"], "tick a step");
  const step = a.rubric.steps.find((s) => s.id === req.step);
  if (!step) refuse("invalid_input", `this rubric has no step "${req.step}"`);
  if (req.level !== null) {
    if (step.levels.length === 0) refuse("invalid_input", `step "${step.id}" has no levels, so a level cannot be given`);
    if (!step.levels.some((l) => l.name === req.level)) {
      refuse(
        "invalid_input",
        `step "${step.id}" has no level "${req.level}"; its levels are: ${step.levels.map((l) => l.name).join(", ")}`,
      );
    }
  } else if (req.verdict === "pass" && step.levels.length > 0) {
    refuse("invalid_input", `step "${step.id}" is graded in levels: a pass needs a level`);
  }
  const note = req.note !== null && req.note.trim() !== "" ? req.note : null;
  if (note !== null) checkText("a note", note);
  a.last_seq += 1;
  a.ticks.push({ seq: a.last_seq, at: now, step: step.id, verdict: req.verdict, level: req.level, note, undone: false });
}

/** Withdraws the latest tick that still counts; refuses when there is none. */
export function undo(a: StoredAssessment): void {
  allowed(a, ["running"], "undo a tick");
  const last = [...a.ticks].reverse().find((t) => !t.undone);
  if (!last) refuse("nothing_to_undo", "there is no tick to undo yet");
  a.last_seq += 1;
  last.undone = true;
}

export function note(a: StoredAssessment, text: string, now: string): void {
  allowed(a, ["running"], "add a note");
  if (text.trim() === "") refuse("invalid_input", "a note must not be empty");
  checkText("a note", text);
  a.last_seq += 1;
  a.notes.push({ seq: a.last_seq, at: now, text });
}

/** Adds saved evidence; `make` gets the seq each snippet will carry. */
export function attach(a: StoredAssessment, snippets: ((seq: number) => Snippet)[]): void {
  allowed(a, ["running"], "save evidence");
  for (const make of snippets) {
    a.last_seq += 1;
    a.snippets.push(make(a.last_seq));
  }
}

export function deviceLost(a: StoredAssessment, device: string, reason: string, now: string): void {
  if (a.state !== "running") return;
  a.last_seq += 1;
  a.outages.push({ device, reason, lost_at: now, restored_at: null });
}

export function deviceRestored(a: StoredAssessment, device: string, now: string): void {
  if (a.state !== "running") return;
  const open = a.outages.find((o) => o.device === device && o.restored_at === null);
  if (!open) return;
  a.last_seq += 1;
  open.restored_at = now;
}

export function finish(a: StoredAssessment, now: string): void {
  allowed(a, ["running"], "finish");
  a.last_seq += 1;
  a.state = "finished";
  a.finished_at = now;
}

export function abandon(a: StoredAssessment, reason: string): void {
  allowed(a, ["created", "running", "finished"], "abandon");
  if (reason.trim() === "") refuse("invalid_input", "a reason must not be empty");
  a.last_seq += 1;
  a.state = "abandoned";
}

/** Marks a finished assessment sealed by `proctor`. */
export function seal(a: StoredAssessment, proctor: string): void {
  if (a.state !== "finished") {
    refuse("not_finished", `assessment ${a.id} is ${a.state}; only a finished assessment can be sealed`);
  }
  a.last_seq += 1;
  a.state = "sealed";
  a.signed_by = proctor;
}

/** The running or finished-but-unsealed assessment, if any (what the app resumes). */
export function inProgress(state: MockState): StoredAssessment | undefined {
  return state.assessments.find((a) => a.state === "running" || a.state === "finished");
}

/**
 * Advances every bundle one sync step: pending → uploading → (+25 % per step) → delivered,
 * or failed when the server is unreachable or a failure was requested.
 */
export function syncStep(state: MockState, receipt: (item: OutboxItem) => string): void {
  for (const item of state.outbox) {
    if (item.state === "pending") {
      if (!state.server_reachable) continue;
      item.state = "uploading";
      item.progress = 0;
      item.attempts += 1;
    } else if (item.state === "uploading") {
      if (!state.server_reachable) {
        item.state = "failed";
        item.last_error = "the department server did not answer; check the network, then retry";
      } else if (state.fail_next_upload !== null) {
        item.state = "failed";
        item.last_error = state.fail_next_upload;
        state.fail_next_upload = null;
      } else if (item.progress >= 0.75) {
        item.state = "delivered";
        item.progress = 1;
        item.last_error = null;
        item.receipt = receipt(item);
        item.leaf_index = state.outbox.filter((o) => o.state === "delivered").length - 1;
        item.tree_size = item.leaf_index + 1;
      } else {
        item.progress = Math.min(1, item.progress + 0.25);
      }
    }
  }
}

/** Puts a failed bundle back in the queue. */
export function retry(state: MockState, assessment: string): void {
  const item = state.outbox.find((i) => i.assessment === assessment);
  if (!item) refuse("unknown_assessment", `no bundle for assessment ${assessment} in the outbox`);
  if (item.state !== "failed") refuse("not_allowed", `the bundle is ${item.state}; only a failed upload can be retried`);
  item.state = "pending";
  item.progress = 0;
}
