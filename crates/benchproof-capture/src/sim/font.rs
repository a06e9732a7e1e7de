//! A 3×5 pixel font for the burned-in clock: digits, `:`, `.`, `#` and space.

/// Each glyph is five rows of three bits, most significant bit on the left.
fn glyph(c: char) -> [u8; 5] {
    match c {
        '0' => [0b111, 0b101, 0b101, 0b101, 0b111],
        '1' => [0b010, 0b110, 0b010, 0b010, 0b111],
        '2' => [0b111, 0b001, 0b111, 0b100, 0b111],
        '3' => [0b111, 0b001, 0b111, 0b001, 0b111],
        '4' => [0b101, 0b101, 0b111, 0b001, 0b001],
        '5' => [0b111, 0b100, 0b111, 0b001, 0b111],
        '6' => [0b111, 0b100, 0b111, 0b101, 0b111],
        '7' => [0b111, 0b001, 0b010, 0b010, 0b010],
        '8' => [0b111, 0b101, 0b111, 0b101, 0b111],
        '9' => [0b111, 0b101, 0b111, 0b001, 0b111],
        ':' => [0b000, 0b010, 0b000, 0b010, 0b000],
        '.' => [0b000, 0b000, 0b000, 0b000, 0b010],
        '#' => [0b101, 0b111, 0b101, 0b111, 0b101],
        _ => [0; 5],
    }
}

/// Draws `text` into a luma plane of width `stride` at (`x`, `y`), each font pixel `scale`×`scale`,
/// white on a black box; anything falling outside the plane is clipped.
pub fn draw(plane: &mut [u8], stride: usize, x: usize, y: usize, scale: usize, text: &str) {
    let rows = plane.len() / stride.max(1);
    let cell = 4 * scale;
    let (box_w, box_h) = (text.chars().count() * cell + scale, 7 * scale);
    for py in y..(y + box_h).min(rows) {
        let end = (x + box_w).min(stride);
        if x < end {
            plane[py * stride + x..py * stride + end].fill(16);
        }
    }
    for (i, c) in text.chars().enumerate() {
        let bits = glyph(c);
        for (gy, row) in bits.iter().enumerate() {
            for gx in 0..3 {
                if row & (0b100 >> gx) == 0 {
                    continue;
                }
                let (px, py) = (x + scale + i * cell + gx * scale, y + scale + gy * scale);
                for yy in py..(py + scale).min(rows) {
                    let end = (px + scale).min(stride);
                    if px < end {
                        plane[yy * stride + px..yy * stride + end].fill(235);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_a_one_and_clips_at_the_edges() {
        let mut plane = vec![128u8; 8 * 8];
        super::draw(&mut plane, 8, 0, 0, 1, "1");
        // Row 1 of the box is glyph row 0 ("010") shifted by one pixel of margin.
        assert_eq!(&plane[8..13], &[16, 16, 235, 16, 16]);
        super::draw(&mut plane, 8, 6, 6, 2, "88");
    }
}
