//! ANSI escape sequences in command output: turned into coloured spans for HTML, and
//! removed for Markdown and plain text.
//!
//! Only SGR (`ESC [ ... m`) changes appearance: bold, faint, italic, underline, the 16
//! standard colours, and 256-colour / true-colour values mapped to the nearest of the
//! 16 (the site's Content-Security-Policy allows no inline styles, so colours are
//! classes). Every other escape sequence (cursor moves, OSC titles and links, ...) is
//! dropped. The parser is total: any byte sequence gives escaped, balanced HTML.

/// Appearance of a run of text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Style {
    fg: Option<u8>,
    bg: Option<u8>,
    bold: bool,
    faint: bool,
    italic: bool,
    underline: bool,
}

impl Style {
    fn classes(&self) -> String {
        let mut c = Vec::new();
        if let Some(f) = self.fg {
            c.push(format!("ansi-fg{f}"));
        }
        if let Some(b) = self.bg {
            c.push(format!("ansi-bg{b}"));
        }
        if self.bold {
            c.push("ansi-bold".into());
        }
        if self.faint {
            c.push("ansi-faint".into());
        }
        if self.italic {
            c.push("ansi-italic".into());
        }
        if self.underline {
            c.push("ansi-underline".into());
        }
        c.join(" ")
    }

    fn apply(&mut self, params: &[u16]) {
        let mut i = 0;
        if params.is_empty() {
            *self = Style::default();
            return;
        }
        while i < params.len() {
            match params[i] {
                0 => *self = Style::default(),
                1 => self.bold = true,
                2 => self.faint = true,
                3 => self.italic = true,
                4 => self.underline = true,
                22 => {
                    self.bold = false;
                    self.faint = false;
                }
                23 => self.italic = false,
                24 => self.underline = false,
                n @ 30..=37 => self.fg = Some((n - 30) as u8),
                n @ 90..=97 => self.fg = Some((n - 90 + 8) as u8),
                39 => self.fg = None,
                n @ 40..=47 => self.bg = Some((n - 40) as u8),
                n @ 100..=107 => self.bg = Some((n - 100 + 8) as u8),
                49 => self.bg = None,
                38 | 48 => {
                    let (colour, used) = extended(&params[i + 1..]);
                    if params[i] == 38 {
                        self.fg = colour;
                    } else {
                        self.bg = colour;
                    }
                    i += used;
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// `5;n` (256 colours) or `2;r;g;b` (true colour) after 38/48: the nearest of the 16
/// colours, and how many parameters were used.
fn extended(p: &[u16]) -> (Option<u8>, usize) {
    match p {
        [5, n, ..] => (Some(nearest16(palette256(*n))), 2),
        [2, r, g, b, ..] => (Some(nearest16((*r as u8, *g as u8, *b as u8))), 4),
        [5] => (None, 1),
        [2, ..] => (None, p.len()),
        _ => (None, 0),
    }
}

const BASE16: [(u8, u8, u8); 16] = [
    (0, 0, 0),
    (205, 49, 49),
    (13, 188, 121),
    (229, 229, 16),
    (36, 114, 200),
    (188, 63, 188),
    (17, 168, 205),
    (229, 229, 229),
    (102, 102, 102),
    (241, 76, 76),
    (35, 209, 139),
    (245, 245, 67),
    (59, 142, 234),
    (214, 112, 214),
    (41, 184, 219),
    (255, 255, 255),
];

fn palette256(n: u16) -> (u8, u8, u8) {
    let n = n.min(255) as u8;
    match n {
        0..=15 => BASE16[n as usize],
        16..=231 => {
            let i = n - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (n - 232) * 10;
            (v, v, v)
        }
    }
}

fn nearest16(c: (u8, u8, u8)) -> u8 {
    let d = |a: (u8, u8, u8)| {
        let dr = i32::from(a.0) - i32::from(c.0);
        let dg = i32::from(a.1) - i32::from(c.1);
        let db = i32::from(a.2) - i32::from(c.2);
        dr * dr + dg * dg + db * db
    };
    (0..16u8)
        .min_by_key(|&i| d(BASE16[i as usize]))
        .unwrap_or(7)
}

/// A piece of text and its style, or a change of style.
enum Piece<'a> {
    Text(&'a str),
    Sgr(Vec<u16>),
}

/// Splits `s` into text and SGR changes; other escape sequences vanish.
fn pieces(s: &str) -> Vec<Piece<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut text_start = 0;
    while i < b.len() {
        if b[i] != 0x1b {
            i += 1;
            continue;
        }
        if text_start < i {
            out.push(Piece::Text(&s[text_start..i]));
        }
        i += 1;
        match b.get(i) {
            Some(b'[') => {
                i += 1;
                let pstart = i;
                while i < b.len() && (0x30..=0x3f).contains(&b[i]) {
                    i += 1;
                }
                let pend = i;
                while i < b.len() && (0x20..=0x2f).contains(&b[i]) {
                    i += 1;
                }
                let fin = b.get(i).copied().filter(|c| (0x40..=0x7e).contains(c));
                if fin.is_some() {
                    i += 1;
                }
                if fin == Some(b'm') {
                    let params = s[pstart..pend]
                        .split([';', ':'])
                        .map(|p| p.parse::<u16>().unwrap_or(0))
                        .collect::<Vec<_>>();
                    let params = if pstart == pend { Vec::new() } else { params };
                    out.push(Piece::Sgr(params));
                }
            }
            Some(b']') => {
                // OSC: up to BEL or ESC \
                i += 1;
                while i < b.len() && b[i] != 0x07 && !(b[i] == 0x1b && b.get(i + 1) == Some(&b'\\'))
                {
                    i += 1;
                }
                i = if i < b.len() && b[i] == 0x07 {
                    i + 1
                } else {
                    (i + 2).min(b.len())
                };
            }
            Some(&c) if c < 0x80 => i += 1,
            // not an escape sequence: drop the ESC alone, keep the character
            Some(_) | None => {}
        }
        text_start = i;
    }
    if text_start < b.len() {
        out.push(Piece::Text(&s[text_start..]));
    }
    out
}

/// True when `s` holds an escape character.
pub fn has_escapes(s: &str) -> bool {
    s.as_bytes().contains(&0x1b)
}

/// The text without escape sequences, borrowed when it has none.
pub fn strip_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if has_escapes(s) {
        std::borrow::Cow::Owned(strip(s))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The text without escape sequences.
pub fn strip(s: &str) -> String {
    if !has_escapes(s) {
        return s.to_string();
    }
    pieces(s)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Text(t) => Some(t),
            Piece::Sgr(_) => None,
        })
        .collect()
}

/// Escaped HTML with `<span class="ansi-...">` for styled runs.
pub fn to_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut style = Style::default();
    for p in pieces(s) {
        match p {
            Piece::Sgr(params) => style.apply(&params),
            Piece::Text(t) => {
                if style == Style::default() {
                    super::escape::html_into(&mut out, t);
                } else {
                    out.push_str("<span class=\"");
                    out.push_str(&style.classes());
                    out.push_str("\">");
                    super::escape::html_into(&mut out, t);
                    out.push_str("</span>");
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_reset() {
        let s = "\x1b[1;31mFAIL\x1b[0m ok \x1b[32mpass\x1b[39m";
        assert_eq!(
            to_html(s),
            "<span class=\"ansi-fg1 ansi-bold\">FAIL</span> ok <span class=\"ansi-fg2\">pass</span>"
        );
        assert_eq!(strip(s), "FAIL ok pass");
    }

    #[test]
    fn extended_colours_map_to_16() {
        assert_eq!(
            to_html("\x1b[38;5;196mx"),
            "<span class=\"ansi-fg1\">x</span>"
        );
        assert_eq!(
            to_html("\x1b[38;2;0;0;0mx"),
            "<span class=\"ansi-fg0\">x</span>"
        );
    }

    #[test]
    fn other_sequences_vanish_and_html_is_escaped() {
        let s = "\x1b]0;title\x07\x1b[2K<b>&</b>\x1b[";
        assert_eq!(to_html(s), "&lt;b&gt;&amp;&lt;/b&gt;");
        assert_eq!(strip(s), "<b>&</b>");
    }

    #[test]
    fn total_on_garbage() {
        for s in [
            "\x1b",
            "\x1b[",
            "\x1b[38;5",
            "\x1b[38;2;1m",
            "\x1b]8;;http://x\x1b\\link",
            "é\x1b[31mé",
            "\x1b[1é",
            "\x1bé",
            "\x1b]é",
        ] {
            let h = to_html(s);
            assert_eq!(h.matches("<span").count(), h.matches("</span>").count());
            let _ = strip(s);
        }
    }
}
