//! HTML escaping for text that Rust turns into markup (highlighted code, ANSI output),
//! and terminal escaping for text from the database that goes to stderr.

/// Appends `s` to `out` with `& < > " '` escaped.
pub fn html_into(out: &mut String, s: &str) {
    let rep = |c: u8| match c {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    };
    // writing to a String cannot fail
    let _ = escape_bytes(out, s, b"&<>\"'", rep);
}

/// Writes `s` HTML-escaped exactly as minijinja's auto-escaping writes a string (`& < >
/// " ' /` as `&amp; &lt; &gt; &quot; &#x27; &#x2f;`), in one pass that reads eight bytes at
/// a time where there is nothing to escape (minijinja looks a byte at a time, then
/// escapes in a second pass).
pub fn html_like_minijinja(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let rep = |c: u8| match c {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#x27;"),
        b'/' => Some("&#x2f;"),
        _ => None,
    };
    escape_bytes(out, s, b"&<>\"'/", rep)
}

/// Writes `s` with each byte of `specials` (all ASCII) replaced by `rep` of it, reading
/// eight bytes at a time (SWAR) where there is nothing to replace (most text).
#[inline(always)]
fn escape_bytes(
    out: &mut impl std::fmt::Write,
    s: &str,
    specials: &[u8],
    rep: impl Fn(u8) -> Option<&'static str>,
) -> std::fmt::Result {
    let b = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if let Some(word) = b.get(i..i + 8) {
            let m = eq_any(
                u64::from_le_bytes(word.try_into().expect("8 bytes")),
                specials,
            );
            if m == 0 {
                i += 8;
                continue;
            }
            // the lowest flagged byte is one to replace (flags above it may be borrows)
            i += (m.trailing_zeros() / 8) as usize;
        }
        if let Some(r) = rep(b[i]) {
            out.write_str(&s[last..i])?;
            out.write_str(r)?;
            last = i + 1;
        }
        i += 1;
    }
    out.write_str(&s[last..])
}

/// The high bit of each byte of `x` (little-endian) equal to one of `bytes`; exact for
/// the lowest such byte (flags above it may be borrows).
fn eq_any(x: u64, bytes: &[u8]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    bytes.iter().fold(0, |acc, &c| {
        let v = x ^ (u64::from(c) * ONES);
        acc | (v.wrapping_sub(ONES) & !v & HIGH)
    })
}

/// `s` escaped for HTML text and attributes.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    html_into(&mut out, s);
    out
}

/// `s` safe to print on a terminal or in a CI log: control characters (escape
/// sequences, line breaks, NUL, DEL, C1) and the bidirectional overrides that reorder
/// what is shown are written as `\u{..}`, so a warning is one line and shows what the
/// database holds rather than acting on the terminal.
pub fn terminal(s: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !s.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// True when some byte of `b` is `odd`: a branch-free look at 64 bytes at a time (the
/// compiler vectorises it), for the common case where text has nothing to replace.
/// Callers make the exact check only on a hit.
pub fn any_byte(b: &[u8], odd: impl Fn(u8) -> bool) -> bool {
    b.chunks(64)
        .any(|chunk| chunk.iter().fold(false, |acc, &c| acc | odd(c)))
}

/// True for the bytes a character [`visible_controls`] shows can start with: C0 controls
/// other than tab and line feed, DEL, and C2 (the lead byte of C1 controls). A quick
/// first look; the exact check follows only on a hit.
pub fn may_start_control(c: u8) -> bool {
    (c < 0x20 && c != b'\t' && c != b'\n') | (c == 0x7f) | (c == 0xc2)
}

/// `s` with control characters made visible for Markdown pages and the CI summary:
/// C0 controls and DEL as their Unicode control pictures (`␛`, `␀`, `␇`...), C1
/// controls as U+FFFD; tabs, line feeds and CR LF pairs stay. Printed to a terminal,
/// such text cannot move the cursor, ring, recolour or retitle.
pub fn visible_controls(s: &str) -> std::borrow::Cow<'_, str> {
    let shown = |c: char, next: Option<char>| match c {
        '\t' | '\n' => None,
        '\r' if next == Some('\n') => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ => None,
    };
    // One pass over the bytes for the common case: nothing to show (a C1 control is
    // C2 80..9F in UTF-8).
    let b = s.as_bytes();
    // a branch-free first look (vectorised), then the exact one on the rare hit
    let suspect = any_byte(b, may_start_control);
    let any = suspect
        && b.iter().enumerate().any(|(i, &c)| match c {
            b'\t' | b'\n' => false,
            b'\r' => b.get(i + 1) != Some(&b'\n'),
            0..=0x1f | 0x7f => true,
            0xc2 => matches!(b.get(i + 1), Some(0x80..=0x9f)),
            _ => false,
        });
    if !any {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(shown(c, chars.peek().copied()).unwrap_or(c));
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn html_escapes_each_special_wherever_it_falls() {
        let reference = |s: &str| {
            s.chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect::<String>()
        };
        let pieces = ["a", "é", "字", "<", ">", "&", "\"", "'", "/", "\n"];
        let mut x: u32 = 1;
        for len in 0..300 {
            let s: String = (0..len)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    // mostly plain text, with long runs that have nothing to escape
                    let r = (x >> 16) as usize % 40;
                    pieces[if r < pieces.len() { r } else { r % 3 }]
                })
                .collect();
            let mut out = String::from("kept:");
            super::html_into(&mut out, &s);
            assert_eq!(out, format!("kept:{}", reference(&s)), "{s:?}");
        }
    }

    #[test]
    fn escapes_as_minijinja_auto_escaping_does() {
        // the reference: minijinja's own formatter in an HTML template
        let mut env = minijinja::Environment::new();
        env.add_template("t.html", "{{ s }}").unwrap();
        let t = env.get_template("t.html").unwrap();
        let pieces = [
            "a", "é", "字", "<", ">", "&", "\"", "'", "/", "\n", "\u{1}", "12",
        ];
        let mut texts = crate::testing::strings_over(&pieces, 3);
        let mut x: u32 = 3;
        for len in 0..200 {
            texts.push(
                (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        let r = (x >> 16) as usize % 30;
                        pieces[if r < pieces.len() { r } else { 0 }]
                    })
                    .collect(),
            );
        }
        for s in &texts {
            let mut ours = String::new();
            super::html_like_minijinja(&mut ours, s).unwrap();
            assert_eq!(ours, t.render(minijinja::context! { s }).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn controls_become_visible() {
        assert_eq!(super::visible_controls("a\tb\r\nc"), "a\tb\r\nc");
        assert_eq!(
            super::visible_controls("\u{1b}[2J\u{7}\0x\ry\u{7f}\u{85}"),
            "\u{241b}[2J\u{2407}\u{2400}x\u{240d}y\u{2421}\u{fffd}"
        );
        // each alone is found by the fast scan; look-alike bytes are not
        assert_eq!(super::visible_controls("x\r"), "x\u{240d}");
        assert_eq!(super::visible_controls("\u{85}"), "\u{fffd}");
        assert_eq!(super::visible_controls("\u{9f}"), "\u{fffd}");
        assert_eq!(super::visible_controls("\u{1f}"), "\u{241f}");
        for clean in ["é\u{a0}ü", "\u{100}\u{2028}", "日本"] {
            assert!(matches!(
                super::visible_controls(clean),
                std::borrow::Cow::Borrowed(_)
            ));
        }
    }

    #[test]
    fn terminal_text_is_one_inert_line() {
        assert_eq!(super::terminal("plain 'é'"), "plain 'é'");
        assert_eq!(
            super::terminal("a\u{1b}]0;title\u{7}\nb\u{202e}c\0"),
            "a\\u{1b}]0;title\\u{7}\\u{a}b\\u{202e}c\\u{0}"
        );
    }

    #[test]
    fn escapes_everything_that_matters() {
        assert_eq!(
            super::html("<a href=\"x\" onclick='y'>&</a>"),
            "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
