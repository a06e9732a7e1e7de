import { Empty, ErrorNote, Loading } from "../components/Notice";
import type { Backend } from "../lib/backend";
import { outcomeLabel, shortDate } from "../lib/format";
import { useAsync } from "../lib/useAsync";

/** Past assessments on this station; a re-assessment links to the attempt it repeats. */
export function History({ backend }: { backend: Backend }) {
  const h = useAsync(() => backend.history(), [backend]);
  return (
    <main class="screen" aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      {h.loading && <Loading what="past assessments" />}
      <ErrorNote error={h.error} />
      {h.value?.length === 0 && <Empty>No assessments on this station yet.</Empty>}
      {h.value && h.value.length > 0 && (
        <table class="history-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Student</th>
              <th scope="col">Rubric</th>
              <th scope="col">State</th>
              <th scope="col">Outcome</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {h.value.map((item) => {
              const prev = item.previous ? h.value?.find((x) => x.id === item.previous) : undefined;
              return (
                <tr key={item.id} id={`attempt-${item.id}`} tabIndex={-1} data-testid={`history-${item.id}`}>
                  <td>{shortDate(item.created_at)}</td>
                  <td>{item.student}</td>
                  <td>
                    {item.rubric_title}
                    {item.previous && (
                      <div>
                        <a
                          href={`#/history`}
                          onClick={(e) => {
                            e.preventDefault();
                            document.getElementById(`attempt-${item.previous}`)?.focus();
                          }}
                        >
                          Re-assessment of the attempt on {prev ? shortDate(prev.created_at) : item.previous}
                        </a>
                      </div>
                    )}
                  </td>
                  <td>{item.state}</td>
                  <td>{item.state === "abandoned" ? "—" : item.state === "running" ? "In progress" : outcomeLabel(item.outcome)}</td>
                  <td>
                    {(item.state === "sealed" || item.state === "abandoned") && (
                      <a class="button secondary" href={`#/start?previous=${encodeURIComponent(item.id)}`}>
                        Re-assess
                      </a>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}
