// Reads the station time and frame counter that the simulated camera burns into each frame
// ("hh:mm:ss.mmm #nnnnnn", top left), from a picture of the frame at any size. The glyphs and
// layout are those of crates/benchproof-capture/src/sim/font.rs and sim.rs (`draw_pattern`):
// a 3×5 font, each font pixel `scale` = height/90 frame pixels, 4·scale per character, drawn
// at (2·scale, 2·scale) plus a margin of one font pixel.

const GLYPHS = {
  0: [0b111, 0b101, 0b101, 0b101, 0b111],
  1: [0b010, 0b110, 0b010, 0b010, 0b111],
  2: [0b111, 0b001, 0b111, 0b100, 0b111],
  3: [0b111, 0b001, 0b111, 0b001, 0b111],
  4: [0b101, 0b101, 0b111, 0b001, 0b001],
  5: [0b111, 0b100, 0b111, 0b001, 0b111],
  6: [0b111, 0b100, 0b111, 0b101, 0b111],
  7: [0b111, 0b001, 0b010, 0b010, 0b010],
  8: [0b111, 0b101, 0b111, 0b101, 0b111],
  9: [0b111, 0b101, 0b111, 0b001, 0b111],
  ":": [0b000, 0b010, 0b000, 0b010, 0b000],
  ".": [0b000, 0b000, 0b000, 0b000, 0b010],
  "#": [0b101, 0b111, 0b101, 0b111, 0b101],
  " ": [0, 0, 0, 0, 0],
};
const BY_BITS = new Map(Object.entries(GLYPHS).map(([c, rows]) => [rows.join(","), c]));
const TEXT_LENGTH = "00:00:00.000 #000000".length;

/**
 * `picture` is { width, height, luma(x, y) } showing a whole frame of `frameWidth`×`frameHeight`
 * (the simulated camera's size). Returns { ms, seq } or null when the text cannot be read.
 */
export function readBurnedClock(picture, frameWidth, frameHeight) {
  const scale = Math.max(1, Math.floor(frameHeight / 90));
  const k = picture.width / frameWidth;
  let text = "";
  for (let i = 0; i < TEXT_LENGTH; i++) {
    const rows = [];
    for (let gy = 0; gy < 5; gy++) {
      let row = 0;
      for (let gx = 0; gx < 3; gx++) {
        const x = (2 * scale + scale + i * 4 * scale + gx * scale + scale / 2) * k;
        const y = (2 * scale + scale + gy * scale + scale / 2) * k;
        if (picture.luma(x, y) > 128) row |= 0b100 >> gx;
      }
      rows.push(row);
    }
    const c = BY_BITS.get(rows.join(","));
    if (c === undefined) return null;
    text += c;
  }
  const m = /^(\d\d):(\d\d):(\d\d)\.(\d\d\d) #(\d{6})$/.exec(text);
  if (!m) return null;
  const [h, min, s, ms, seq] = m.slice(1).map(Number);
  return { ms: ((h * 60 + min) * 60 + s) * 1000 + ms, seq };
}
