//! Box metrics without font metrics: the diagrams use a monospace font, so a text's width
//! is its number of terminal cells (East Asian wide characters count two) times a
//! per-cell advance chosen at the wide end of common monospace fonts (DejaVu Sans Mono,
//! Menlo, Consolas, SF Mono advance 0.55-0.61 em), so boxes are never too narrow.

use unicode_width::UnicodeWidthStr;

/// Font size of column rows, px.
pub const ROW_FONT: f64 = 12.0;
/// Font size of box titles, px.
pub const TITLE_FONT: f64 = 13.0;
/// Advance of one monospace cell, in em (generous: wider than most monospace fonts).
pub const CELL_EM: f64 = 0.62;
/// Height of the title bar of a box.
pub const HEAD_H: f64 = 26.0;
/// Height of a column row.
pub const ROW_H: f64 = 18.0;
/// Padding below the last row.
pub const BOTTOM_PAD: f64 = 4.0;
/// Horizontal padding inside a box.
pub const PAD_X: f64 = 8.0;
/// Space between a column's name and its type.
pub const GAP_X: f64 = 16.0;
/// Narrowest box.
pub const MIN_W: f64 = 110.0;

/// Width in px of `s` at `font` px.
pub fn width(s: &str, font: f64) -> f64 {
    s.width() as f64 * font * CELL_EM
}

/// Width of a row's text parts: key badge, name, type.
pub fn row_width(key_w: f64, name: &str, ty: &str) -> f64 {
    let t = width(ty, ROW_FONT);
    key_w + width(name, ROW_FONT) + if t > 0.0 { GAP_X + t } else { 0.0 }
}

/// y of the center of row `i` from the top of its box: where edges attach.
pub fn row_center(i: usize) -> f64 {
    HEAD_H + i as f64 * ROW_H + ROW_H / 2.0
}

/// Baseline of text in row `i`, from the top of its box.
pub fn row_baseline(i: usize) -> f64 {
    HEAD_H + i as f64 * ROW_H + ROW_H / 2.0 + ROW_FONT * 0.35
}

/// Height of a box with `rows` rows of text.
pub fn box_height(rows: usize) -> f64 {
    HEAD_H + rows as f64 * ROW_H + BOTTOM_PAD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(width("ab", 10.0), 2.0 * 10.0 * CELL_EM);
        assert_eq!(width("表", 10.0), width("ab", 10.0));
        assert_eq!(width("", 10.0), 0.0);
    }

    #[test]
    fn rows_stack_below_the_title() {
        assert!(row_center(0) > HEAD_H && row_center(0) < HEAD_H + ROW_H);
        assert_eq!(row_center(1) - row_center(0), ROW_H);
        assert_eq!(box_height(2), HEAD_H + 2.0 * ROW_H + BOTTOM_PAD);
    }
}
