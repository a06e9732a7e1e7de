import type { ComponentChildren } from "preact";
import { describeError } from "../lib/backend";

/** An error that needs attention: announced by screen readers. */
export function ErrorNote({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  return (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** The persistent demo banner: evidence made in demo mode is not trusted by anyone. */
export function DemoBanner() {
  return (
    <div class="demo-banner" role="status" data-testid="demo-banner">
      DEMO MODE — simulated devices and a demo department. Nothing recorded here is trusted evidence.
    </div>
  );
}
