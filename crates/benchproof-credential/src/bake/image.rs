//! Default badge images drawn in code: a disc with the rubric title and the department, as SVG
//! (real text) and as PNG (an embedded 5×7 bitmap font, upper-case ASCII; other characters are
//! drawn as `?`).

use std::io::Write;

use super::png::{signature, write_chunk};

/// The default PNG's width and height in pixels.
pub const PNG_SIZE: usize = 400;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Splits `text` into lines of at most `width` characters at spaces (long words are cut).
fn wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        for piece in word.chars().collect::<Vec<_>>().chunks(width) {
            let piece: String = piece.iter().collect();
            if !line.is_empty() && line.chars().count() + 1 + piece.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&piece);
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    lines
}

/// A 400×400 SVG badge naming the rubric and the department.
pub fn default_svg(title: &str, department: &str) -> String {
    let mut text = String::new();
    let lines = wrap(title, 18, 4);
    let first_y = 200 - (lines.len() as i32 - 1) * 14;
    for (i, line) in lines.iter().enumerate() {
        text.push_str(&format!(
            "  <text x=\"200\" y=\"{}\" font-size=\"26\" font-weight=\"bold\">{}</text>\n",
            first_y + i as i32 * 30,
            xml_escape(line)
        ));
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"400\" viewBox=\"0 0 400 400\" \
font-family=\"sans-serif\" text-anchor=\"middle\" fill=\"#ffffff\">\n\
  <title>{t}</title>\n\
  <circle cx=\"200\" cy=\"200\" r=\"190\" fill=\"#1d4e89\"/>\n\
  <circle cx=\"200\" cy=\"200\" r=\"172\" fill=\"none\" stroke=\"#f2c14e\" stroke-width=\"8\"/>\n\
{text}  <text x=\"200\" y=\"318\" font-size=\"16\">{d}</text>\n\
  <text x=\"200\" y=\"96\" font-size=\"14\" letter-spacing=\"3\">BENCHPROOF</text>\n\
</svg>\n",
        t = xml_escape(title),
        d = xml_escape(&wrap(department, 30, 1).join(" ")),
    )
}

/// 5×7 glyphs, one byte per row, bit 4 = leftmost column.
fn glyph(c: char) -> [u8; 7] {
    match c.to_ascii_uppercase() {
        'A' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'B' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'C' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'D' => [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        'E' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'F' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'G' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'H' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'I' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'J' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'K' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'L' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'M' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'N' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'O' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'P' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'Q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'R' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        'S' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        'T' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'U' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'V' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'W' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'X' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'Y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'Z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        ' ' => [0; 7],
        '-' => [0, 0, 0, 0x1F, 0, 0, 0],
        '.' => [0, 0, 0, 0, 0, 0x0C, 0x0C],
        ',' => [0, 0, 0, 0, 0x0C, 0x04, 0x08],
        ':' => [0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0],
        '/' => [0x01, 0x01, 0x02, 0x04, 0x08, 0x10, 0x10],
        '(' => [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        ')' => [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
        '&' => [0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D],
        '\'' => [0x04, 0x04, 0x08, 0, 0, 0, 0],
        _ => [0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04],
    }
}

struct Canvas {
    rgb: Vec<u8>,
}

impl Canvas {
    fn put(&mut self, x: usize, y: usize, color: [u8; 3]) {
        if x < PNG_SIZE && y < PNG_SIZE {
            let at = (y * PNG_SIZE + x) * 3;
            self.rgb[at..at + 3].copy_from_slice(&color);
        }
    }

    /// Centred text at row `y` with pixel `scale`.
    fn text(&mut self, line: &str, y: usize, scale: usize, color: [u8; 3]) {
        let width = line.chars().count() * 6 * scale;
        let mut x = (PNG_SIZE.saturating_sub(width)) / 2;
        for c in line.chars() {
            for (row, bits) in glyph(c).iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        for dy in 0..scale {
                            for dx in 0..scale {
                                self.put(x + col * scale + dx, y + row * scale + dy, color);
                            }
                        }
                    }
                }
            }
            x += 6 * scale;
        }
    }
}

/// A 400×400 RGB PNG badge naming the rubric and the department.
pub fn default_png(title: &str, department: &str) -> Vec<u8> {
    const BLUE: [u8; 3] = [0x1d, 0x4e, 0x89];
    const GOLD: [u8; 3] = [0xf2, 0xc1, 0x4e];
    const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
    let mut canvas = Canvas { rgb: vec![0xff; PNG_SIZE * PNG_SIZE * 3] };
    let c = PNG_SIZE as f64 / 2.0;
    for y in 0..PNG_SIZE {
        for x in 0..PNG_SIZE {
            let d = ((x as f64 + 0.5 - c).powi(2) + (y as f64 + 0.5 - c).powi(2)).sqrt();
            if d <= 190.0 {
                let ring = (168.0..=176.0).contains(&d);
                canvas.put(x, y, if ring { GOLD } else { BLUE });
            }
        }
    }
    canvas.text("BENCHPROOF", 86, 2, WHITE);
    let lines = wrap(title, 15, 4);
    let top = 200usize.saturating_sub(lines.len() * 15);
    for (i, line) in lines.iter().enumerate() {
        canvas.text(line, top + i * 30, 3, WHITE);
    }
    for (i, line) in wrap(department, 25, 2).iter().enumerate() {
        canvas.text(line, 300 + i * 18, 2, GOLD);
    }
    encode_rgb(&canvas.rgb)
}

fn encode_rgb(rgb: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(rgb.len() + PNG_SIZE);
    for row in rgb.chunks(PNG_SIZE * 3) {
        raw.push(0); // filter: none
        raw.extend_from_slice(row);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).expect("writing to a Vec cannot fail");
    let idat = z.finish().expect("writing to a Vec cannot fail");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(PNG_SIZE as u32).to_be_bytes());
    ihdr.extend_from_slice(&(PNG_SIZE as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit, RGB, deflate, adaptive filtering, no interlace
    let mut png = signature().to_vec();
    write_chunk(&mut png, b"IHDR", &ihdr);
    write_chunk(&mut png, b"IDAT", &idat);
    write_chunk(&mut png, b"IEND", &[]);
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("Through-hole soldering", 15, 4), vec!["Through-hole", "soldering"]);
        assert_eq!(wrap("abcdefghij", 4, 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a b c d e", 1, 2), vec!["a", "b…"]);
    }

    #[test]
    fn default_svg_escapes_text() {
        let svg = default_svg("R&D <probe>", "Physics \"Lab\"");
        assert!(svg.contains("R&amp;D &lt;probe&gt;"));
        assert!(svg.contains("Physics &quot;Lab&quot;"));
    }
}
