import { useEffect, useRef, useState } from "preact/hooks";
import type { Backend, DeviceInfo } from "../lib/backend";

/**
 * A live camera preview: the latest frame URL, replaced as new frames arrive. One frame is in
 * flight at a time: a frame announced while the previous one still loads waits (only the newest
 * waiting one is kept) until that load ends. Replacing `src` at once would abort every load
 * whenever frames come faster than they load, and the picture would never finish updating.
 */
export function Preview({ backend, device, small }: { backend: Backend; device: DeviceInfo; small?: boolean }) {
  const [src, setSrc] = useState(() => backend.previewUrl(device.id));
  const loading = useRef(true);
  const waiting = useRef<string | null>(null);
  useEffect(
    () =>
      backend.subscribeFrames(device.id, (url) => {
        if (loading.current) {
          waiting.current = url;
          return;
        }
        loading.current = true;
        setSrc(url);
      }),
    [backend, device.id],
  );
  const settled = () => {
    const next = waiting.current;
    waiting.current = null;
    if (next === null) loading.current = false;
    else setSrc(next);
  };
  return (
    <figure class={small ? "preview small" : "preview"} data-testid={`preview-${device.id}`}>
      <img
        src={src}
        alt={`Live preview of ${device.label}`}
        width={small ? 160 : 480}
        height={small ? 90 : 270}
        onLoad={settled}
        onError={settled}
      />
      <figcaption>
        {device.label}
        {device.simulated ? " (simulated)" : ""}
        {device.connected ? "" : " — NOT CONNECTED"}
      </figcaption>
    </figure>
  );
}

/** A microphone level bar, updated about ten times a second. */
export function AudioMeter({ backend, device }: { backend: Backend; device: DeviceInfo }) {
  const [level, setLevel] = useState(0);
  useEffect(() => backend.subscribeAudioLevel(device.id, setLevel), [backend, device.id]);
  const pct = Math.round(level * 100);
  return (
    <div class="meter">
      <span id={`meter-${device.id}`}>{device.label}</span>
      <div
        class="meter-bar"
        role="meter"
        aria-labelledby={`meter-${device.id}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div class="meter-fill" style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
