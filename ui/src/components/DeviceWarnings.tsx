import { useEffect, useState } from "preact/hooks";
import type { Backend, DeviceEvent } from "../lib/backend";

/**
 * Device warnings that cannot be missed: a red banner (role=alert) for every device that is
 * lost, removed again when it is restored. Starts from the devices' current state so a reload
 * still shows an ongoing outage.
 */
export function DeviceWarnings({ backend }: { backend: Backend }) {
  const [lost, setLost] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    void backend.listDevices().then((devices) => {
      if (!live) return;
      setLost((prev) => {
        const next = new Map(prev);
        for (const d of devices) if (!d.connected && !next.has(d.id)) next.set(d.id, "not connected");
        return next;
      });
    });
    const stop = backend.subscribeDeviceEvents((e: DeviceEvent) =>
      setLost((prev) => {
        const next = new Map(prev);
        if (e.kind === "lost") next.set(e.device, e.reason);
        else next.delete(e.device);
        return next;
      }),
    );
    return () => {
      live = false;
      stop();
    };
  }, [backend]);
  if (lost.size === 0) return null;
  return (
    <div class="device-alert" role="alert" data-testid="device-alert">
      {[...lost].map(([device, reason]) => (
        <p key={device}>
          <strong>Device lost: {device}</strong> — {reason}. Recording from it has stopped; check its cable. The
          outage is recorded in the assessment.
        </p>
      ))}
    </div>
  );
}
