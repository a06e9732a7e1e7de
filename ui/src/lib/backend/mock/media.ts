/**
 * Simulated media for the mock backend: a test-pattern camera, a tone-like audio level, and
 * evidence files (video clip, instrument screenshot, instrument state).
 *
 * Uses a canvas where the browser has one (Chromium); falls back to SVG stills in DOMs without
 * canvas (happy-dom in unit tests), so the mock never fails for lack of a renderer.
 */

const BARS = ["#c0c0c0", "#c0c000", "#00c0c0", "#00c000", "#c000c0", "#c00000", "#0000c0"];

function canvas2d(width: number, height: number): { canvas: HTMLCanvasElement; ctx: CanvasRenderingContext2D } | null {
  if (typeof document === "undefined") return null;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  let ctx: CanvasRenderingContext2D | null = null;
  try {
    ctx = canvas.getContext("2d");
  } catch {
    ctx = null;
  }
  return ctx ? { canvas, ctx } : null;
}

/** Paints one test-pattern frame: colour bars, the device label and a burned-in clock. */
function paintPattern(ctx: CanvasRenderingContext2D, width: number, height: number, label: string, at: Date): void {
  const w = width / BARS.length;
  BARS.forEach((colour, i) => {
    ctx.fillStyle = colour;
    ctx.fillRect(i * w, 0, w + 1, height);
  });
  const sweep = ((at.getTime() / 20) % width) | 0;
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(sweep, 0, 4, height);
  ctx.fillStyle = "rgba(0,0,0,0.75)";
  ctx.fillRect(0, height - 44, width, 44);
  ctx.fillStyle = "#ffffff";
  ctx.font = "bold 20px monospace";
  ctx.fillText(`${label}  ${at.toISOString().slice(11, 23)}`, 10, height - 16);
}

function svgPattern(width: number, height: number, label: string, at: Date): string {
  const w = width / BARS.length;
  const bars = BARS.map((c, i) => `<rect x="${i * w}" y="0" width="${w + 1}" height="${height}" fill="${c}"/>`).join("");
  const text = `${label}  ${at.toISOString().slice(11, 23)}`.replace(/[<&>]/g, "");
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${bars}` +
    `<rect x="0" y="${height - 44}" width="${width}" height="44" fill="black"/>` +
    `<text x="10" y="${height - 16}" fill="white" font-family="monospace" font-size="20">${text}</text></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/** One test-pattern frame of `label` at `at`, as a URL an <img> can show. */
export function patternFrame(label: string, at: Date, width = 480, height = 270): string {
  const c = canvas2d(width, height);
  if (!c) return svgPattern(width, height, label, at);
  paintPattern(c.ctx, width, height, label, at);
  return c.canvas.toDataURL("image/jpeg", 0.7);
}

/** A simulated oscilloscope screenshot: a square wave on a graticule. */
export function instrumentScreenshot(at: Date): { url: string; media_type: string } {
  const width = 400;
  const height = 240;
  const c = canvas2d(width, height);
  if (!c) return { url: svgPattern(width, height, "scope", at), media_type: "image/svg+xml" };
  const { ctx } = c;
  ctx.fillStyle = "#001a00";
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = "#1f4f1f";
  for (let x = 0; x <= width; x += 40) ctx.strokeRect(x, 0, 0, height);
  for (let y = 0; y <= height; y += 40) ctx.strokeRect(0, y, width, 0);
  ctx.strokeStyle = "#ffeb3b";
  ctx.lineWidth = 2;
  ctx.beginPath();
  for (let x = 0; x < width; x += 50) {
    const high = (x / 50) % 2 === 0;
    ctx.lineTo(x, high ? 60 : 180);
    ctx.lineTo(x + 50, high ? 60 : 180);
  }
  ctx.stroke();
  ctx.fillStyle = "#ffffff";
  ctx.font = "14px monospace";
  ctx.fillText(`CH1 1.00V/div 500us/div  ${at.toISOString().slice(11, 19)}`, 8, 228);
  return { url: c.canvas.toDataURL("image/png"), media_type: "image/png" };
}

/** A simulated instrument read-back, as the station would store it. */
export function instrumentState(at: Date): Record<string, unknown> {
  return {
    instrument: "Simulated DSO 1102 (sim:instrument:0)",
    captured_at: at.toISOString(),
    ch1_probe: "10x",
    ch1_coupling: "DC",
    ch1_impedance_ohm: 1000000,
    ch1_scale_v_per_div: 1,
    timebase_s_per_div: 0.0005,
    trigger: { source: "CH1", slope: "rising", level_v: 1.25 },
    bandwidth_limit: false,
  };
}

/** A JSON document as a data URL. */
export function jsonUrl(value: unknown): string {
  return `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(value, null, 2))}`;
}

/**
 * Records `seconds` of the test pattern as a WebM clip where the browser can (MediaRecorder);
 * resolves null where it cannot, and the caller saves a still instead. The clip is a data URL,
 * not an object URL, so it survives a reload like the real media store does.
 */
export function recordClip(label: string, seconds: number): Promise<{ url: string; bytes: number } | null> {
  const c = canvas2d(480, 270);
  if (!c || typeof MediaRecorder === "undefined" || typeof c.canvas.captureStream !== "function") {
    return Promise.resolve(null);
  }
  const { canvas, ctx } = c;
  const stream = canvas.captureStream(15);
  const recorder = new MediaRecorder(stream, { mimeType: "video/webm" });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const timer = setInterval(() => paintPattern(ctx, 480, 270, label, new Date()), 66);
  paintPattern(ctx, 480, 270, label, new Date());
  return new Promise((resolve) => {
    recorder.onstop = () => {
      clearInterval(timer);
      const blob = new Blob(chunks, { type: "video/webm" });
      const reader = new FileReader();
      reader.onload = () => resolve({ url: String(reader.result), bytes: blob.size });
      reader.onerror = () => resolve(null);
      reader.readAsDataURL(blob);
    };
    recorder.start();
    setTimeout(() => recorder.stop(), seconds * 1000);
  });
}
