import { useEffect, useState } from "preact/hooks";
import { Empty, ErrorNote, Loading } from "../components/Notice";
import type { Backend } from "../lib/backend";
import { bytes, receiptText, shortDate, syncLabel } from "../lib/format";
import { useAsync } from "../lib/useAsync";

/** Sealed bundles and their sync state, and whether the department server answers. */
export function Queue({ backend, flash }: { backend: Backend; flash: string | null }) {
  const q = useAsync(() => backend.queue(), [backend]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => backend.subscribeChanges(q.reload), [backend]);
  return (
    <main class="screen" aria-labelledby="queue-title">
      <h1 id="queue-title">Upload queue</h1>
      {flash && (
        <p class="success" role="status" data-testid="flash">
          {flash}
        </p>
      )}
      {q.loading && !q.value && <Loading what="the queue" />}
      <ErrorNote error={q.error ?? error} />
      {q.value && (
        <>
          <p class={q.value.server_reachable ? "ok" : "bad"} data-testid="server">
            {q.value.server_reachable
              ? `Department server reachable${q.value.server_url ? ` (${q.value.server_url})` : ""}`
              : `Department server${q.value.server_url ? ` ${q.value.server_url}` : ""} not reachable: bundles wait here and upload when it answers`}
          </p>
          {q.value.server_detail && (
            <p class="detail" data-testid="server-detail">
              {q.value.server_detail}
            </p>
          )}
          {q.value.items.length === 0 && <Empty>No sealed bundles yet. Sealed assessments wait here until they are delivered.</Empty>}
          <table class="queue-table">
            <thead>
              <tr>
                <th scope="col">Student</th>
                <th scope="col">Rubric</th>
                <th scope="col">Bundle</th>
                <th scope="col">State</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {q.value.items.map((i) => (
                <tr key={i.assessment} data-testid={`queue-${i.assessment}`} data-state={i.state}>
                  <td>{i.student}</td>
                  <td>{i.rubric_title}</td>
                  <td>
                    <code>{i.bundle_sha256.slice(0, 12)}</code> · {bytes(i.bundle_bytes)} · {shortDate(i.queued_at)}
                  </td>
                  <td>
                    {syncLabel(i.state, i.progress)}
                    {i.state === "uploading" && <progress max={1} value={i.progress} aria-label="Upload progress" />}
                    {i.state === "delivered" && <div data-testid="receipt">{receiptText(i)}</div>}
                    {i.alert !== null && (
                      <div class="bad" role="alert">
                        Stopped: {i.alert}. Fix the cause, then press Retry.
                      </div>
                    )}
                    {i.alert === null && i.state === "failed" && i.last_error && <div class="bad">{i.last_error}</div>}
                    {i.attempts > 0 && i.state !== "delivered" && (
                      <div>
                        {i.attempts} attempt{i.attempts === 1 ? "" : "s"}
                        {i.next_attempt ? ` · next try ${shortDate(i.next_attempt)}` : ""}
                      </div>
                    )}
                  </td>
                  <td>
                    {(i.state === "failed" || i.alert !== null) && (
                      <button type="button" class="secondary" onClick={() => backend.retry(i.assessment).then(q.reload, setError)}>
                        Retry
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </main>
  );
}
