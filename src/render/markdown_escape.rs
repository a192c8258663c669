//! Escaping text for Markdown (GFM) and aligning Markdown tables.
//!
//! Cells: `|`, `<`, `>` are backslash-escaped (as tbls does for comments), a backslash
//! that would escape the next character is doubled, and line breaks become `<br>` (a
//! backslash at the end of a line is Markdown's own hard break, so it becomes `<br>`
//! too). Nothing a database holds can end a cell, start a tag or break the row, and a
//! Markdown link or image to a URL that is not plainly web or relative (`javascript:`,
//! `data:`, an entity or escape that could spell one) is left as text.
//!
//! Text (session pages, CI summary): as a cell, and every character that could start
//! Markdown of its own (links, images, emphasis, code, entities, and headings, lists or
//! quotes at the start) is escaped too, so text from the database shows as it is.

use unicode_width::UnicodeWidthStr;

/// Escapes `s` for use inside a GFM table cell. Line breaks at the end (a YAML block
/// comment `|` ends in one) are dropped rather than shown as an empty last line.
pub fn cell(s: &str) -> String {
    cell_escaped(s, true)
}

/// [`cell`]; `guard_addresses` writes a `<` or `>` glued to an address as an entity
/// ([`text`] needs not: it keeps addresses from being linked at all).
fn cell_escaped(s: &str, guard_addresses: bool) -> String {
    let s = s.trim_end_matches(['\n', '\r']);
    let mut out = String::with_capacity(s.len() + 8);
    let mut chars = s.chars().peekable();
    // The text since the last space: GFM links a bare address in it reading the source,
    // so a `\<` glued to one would lose its backslash to the link.
    let mut word = String::new();
    while let Some(c) = chars.next() {
        // only a space or tab surely ends an autolink (comrak reads on over a form feed)
        if c == ' ' || c == '\t' {
            word.clear();
        } else {
            word.push(c.to_ascii_lowercase());
        }
        let in_address = || {
            guard_addresses && (word.contains("://") || word.contains("www.") || word.contains('@'))
        };
        match c {
            '<' | '>' if in_address() => out.push_str(if c == '<' { "&lt;" } else { "&gt;" }),
            '\\' => match chars.peek() {
                Some('\n') => {
                    chars.next();
                    out.push_str("<br>");
                }
                Some('\r') => {
                    chars.next();
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    out.push_str("<br>");
                }
                // before punctuation, or last (a link's `]` or a row's `|` may follow)
                Some(n) if n.is_ascii_punctuation() => out.push_str("\\\\"),
                None => out.push_str("\\\\"),
                _ => out.push('\\'),
            },
            '|' => out.push_str("\\|"),
            '<' => out.push_str("\\<"),
            '>' => out.push_str("\\>"),
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                // Spaces before a line break are invisible (and "  \n" is Markdown's
                // own hard break): the break alone stays.
                let kept = out.trim_end_matches([' ', '\t']).len();
                out.truncate(kept);
                out.push_str("<br>");
            }
            '(' if out.ends_with(']') && !safe_destination(chars.clone()) => out.push_str("\\("),
            _ => out.push(c),
        }
    }
    out
}

/// True when the link destination that starts here is plainly a web or relative URL:
/// `http(s)://` or `mailto:`, or no scheme at all and nothing (`&`, `\\`) that Markdown
/// could decode into one.
fn safe_destination(rest: std::iter::Peekable<std::str::Chars<'_>>) -> bool {
    let dest: String = rest
        .skip_while(|c| *c == ' ' || *c == '<')
        .take_while(|c| !c.is_whitespace() && *c != ')' && *c != '>')
        .collect();
    let lower = dest.to_ascii_lowercase();
    if ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    let before_path = lower.split(['/', '?', '#']).next().unwrap_or("");
    !before_path.contains(':') && !dest.contains(['&', '\\', '%'])
}

/// Escapes `s` as text in Markdown (a table cell, a list item, a paragraph): as [`cell`],
/// and backslash-escapes what would otherwise be Markdown: `[ ] * _ ` ~ !` and entities
/// anywhere, what GFM would turn into a link (`https://`, `www.`, `@`), and a heading,
/// list, quote or thematic break marker at the start; control characters are shown as
/// their control pictures (`␛`).
pub fn text(s: &str) -> String {
    if is_plain(s) {
        return s.to_string();
    }
    escaped_text(s)
}

/// True when [`text`] leaves `s` as it is: it starts with an ASCII letter or digit and
/// holds only those, spaces, `-`, `,` and `:` (most ids, natures and names). A byte
/// scan, so the common case costs no character-by-character escaping.
pub fn is_plain(s: &str) -> bool {
    let b = s.as_bytes();
    b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b' ' | b'-' | b',' | b':'))
}

/// [`text`] without the shortcut for plain text: for a caller that has already found
/// `s` is not [`is_plain`].
pub fn escaped_text(s: &str) -> String {
    let c = cell_escaped(s.trim_start(), false);
    let c = crate::render::escape::visible_controls(&c);
    let mut out = String::with_capacity(c.len() + 8);
    let chars: Vec<char> = c.chars().collect();
    // a marker at the start: `1.` or `1)`, `#`s, `-` or `+`, each followed by a space
    // (or the end); `---` and the like (a thematic break)
    let spaced = |k: usize| chars.get(k).is_none_or(|c| c.is_whitespace());
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let list_dot = (1..=9).contains(&digits)
        && matches!(chars.get(digits), Some('.' | ')'))
        && spaced(digits + 1);
    let hashes = chars.iter().take_while(|c| **c == '#').count();
    let lead = match chars.first() {
        Some('#') => spaced(hashes),
        Some(c @ ('-' | '+' | '=')) => spaced(1) || chars.get(1) == Some(c),
        _ => false,
    };
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        match ch {
            // already escaped by `cell`: keep the pair
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(ch);
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '[' | ']' | '*' | '`' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '_' => {
                let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
                if !(i > 0 && word(chars.get(i - 1)) && word(chars.get(i + 1))) {
                    out.push('\\');
                }
                out.push(ch);
            }
            '&' if entity_at(&chars[i + 1..]) => out.push_str("\\&"),
            // GFM links bare `scheme://`, `www.` and e-mail addresses in text, reading
            // them from the source, backslashes and all: an escape inside one would be
            // eaten by the link and the character after it read as Markdown
            ':' if chars.get(i + 1) == Some(&'/')
                && chars.get(i + 2) == Some(&'/')
                && i > 0
                && chars[i - 1].is_ascii_alphanumeric() =>
            {
                out.push_str("\\:")
            }
            '.' if i >= 3
                && chars[i - 3..i]
                    .iter()
                    .collect::<String>()
                    .eq_ignore_ascii_case("www")
                && (i == 3 || !chars[i - 4].is_alphanumeric()) =>
            {
                out.push_str("\\.")
            }
            '@' => out.push_str("\\@"),
            '#' | '-' | '+' | '=' if i == 0 && lead => {
                out.push('\\');
                out.push(ch);
            }
            '.' | ')' if list_dot && i == digits => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
        i += 1;
    }
    out
}

/// True when `rest` (after a `&`) reads as an entity: `#` and digits, or letters and
/// digits, then `;`.
fn entity_at(rest: &[char]) -> bool {
    let body = rest.strip_prefix(&['#']).unwrap_or(rest);
    let n = body
        .iter()
        .take(32)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    n > 0 && body.get(n) == Some(&';')
}

/// Escapes `s` for the text of a link inside a table cell: as [`cell`], plus brackets.
pub fn label(s: &str) -> String {
    let c = cell(s);
    if !c.contains(['[', ']']) {
        return c;
    }
    c.replace('[', "\\[").replace(']', "\\]")
}

/// Adds Markdown hard line breaks (two trailing spaces) to every line break of a
/// multi-line description that does not already end in one, as tbls's `nl2mdnl`.
pub fn hard_breaks(s: &str) -> String {
    let s = s.trim_end_matches(['\n', '\r']);
    let lines: Vec<&str> = s
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = String::with_capacity(s.len() + 2 * lines.len());
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        if let Some(next) = lines.get(i + 1) {
            let breaks = line.ends_with('\\') || line.ends_with("  ");
            if !line.is_empty() && !next.is_empty() && !breaks {
                out.push_str("  ");
            }
            out.push('\n');
        }
    }
    out
}

/// Splits a table row on the pipes that are not backslash-escaped.
fn split_row(line: &str) -> Vec<&str> {
    let trimmed = line.trim();
    let inner = trimmed.strip_prefix('|').unwrap_or(trimmed);
    let inner = inner
        .strip_suffix('|')
        .filter(|_| !inner.ends_with("\\|"))
        .unwrap_or(inner);
    let mut cells = Vec::new();
    let b = inner.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'|' => {
                cells.push(inner[start..i].trim());
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    cells.push(inner[start.min(inner.len())..].trim());
    cells
}

fn is_delimiter(cell: &str) -> bool {
    let c = cell.trim_start_matches(':').trim_end_matches(':');
    !c.is_empty() && c.bytes().all(|b| b == b'-')
}

/// Re-pads every table in `text` (runs of lines starting with `|`) so each column is as
/// wide as its widest cell, as tbls's `adjust` does; other lines pass through unchanged.
/// With `pad = false` the rows are only normalised to `| a | b |`.
pub fn align_tables(text: &str, pad: bool) -> String {
    let is_row = |l: &str| l.trim_start().starts_with('|');
    // printable ASCII is one column a byte; anything else is measured
    let width = |c: &str| {
        if c.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            c.len()
        } else {
            UnicodeWidthStr::width(c)
        }
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut i = 0;
    while i < lines.len() {
        if i > 0 {
            out.push('\n');
        }
        if !is_row(lines[i]) {
            out.push_str(lines[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < lines.len() && is_row(lines[i]) {
            i += 1;
        }
        let rows: Vec<Vec<&str>> = lines[start..i].iter().map(|l| split_row(l)).collect();
        let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut widths = vec![3usize; ncols];
        for row in rows.iter().filter(|r| !r.iter().all(|c| is_delimiter(c))) {
            for (k, c) in row.iter().enumerate() {
                widths[k] = widths[k].max(width(c));
            }
        }
        for (r, row) in rows.iter().enumerate() {
            if r > 0 {
                out.push('\n');
            }
            let delim = row.iter().all(|c| is_delimiter(c));
            out.push('|');
            for (k, &w) in widths.iter().enumerate() {
                let c = row.get(k).copied().unwrap_or("");
                out.push(' ');
                if delim {
                    out.extend(std::iter::repeat_n('-', if pad { w } else { 3 }));
                } else {
                    out.push_str(c);
                    let cw = width(c);
                    if pad && cw < w {
                        out.extend(std::iter::repeat_n(' ', w - cw));
                    }
                }
                out.push_str(" |");
            }
        }
    }
    out
}

/// A code fence longer than any run of backticks in `s` (at least three).
pub fn fence_for(s: &str) -> String {
    // a backtick is one byte, never part of another character: runs are found by memchr
    let b = s.as_bytes();
    let mut longest = 0;
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'`', &b[i..]) {
        let start = i + p;
        let end = start + b[start..].iter().take_while(|&&c| c == b'`').count();
        longest = longest.max(end - start);
        i = end;
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fence_is_longer_than_every_run_of_backticks() {
        let reference = |s: &str| {
            let (mut longest, mut run) = (0, 0);
            for c in s.chars() {
                run = if c == '`' { run + 1 } else { 0 };
                longest = longest.max(run);
            }
            "`".repeat((longest + 1).max(3))
        };
        for s in crate::testing::strings_over(&["`", "a", "é", "\n"], 6) {
            assert_eq!(fence_for(&s), reference(&s), "{s:?}");
        }
        assert_eq!(fence_for("x````y``"), "`````");
    }

    #[test]
    fn plain_text_is_exactly_what_escaping_leaves_as_it_is() {
        // every string of up to three characters over an alphabet of the plain bytes
        // and the ones next to them
        let alphabet = [
            "a", "Z", "0", "7", " ", "-", ",", ":", ".", "_", ")", "#", "+", "/", "*", "\t",
        ];
        let mut strings = crate::testing::strings_over(&alphabet, 3);
        strings.extend(["SESS-0000099-E00000", "step 0 result", "a: b, c - d"].map(String::from));
        let mut plain = 0;
        for s in &strings {
            if is_plain(s) {
                plain += 1;
                assert_eq!(escaped_text(s), *s, "{s:?}");
            }
            assert_eq!(text(s), escaped_text(s), "{s:?}");
        }
        assert!(plain > 100, "{plain}");
        assert!(!is_plain("- item") && !is_plain("1. x") && !is_plain("") && !is_plain(" a"));
    }

    #[test]
    fn cells_cannot_break_the_row() {
        assert_eq!(cell("a | b"), "a \\| b");
        assert_eq!(cell("<script>"), "\\<script\\>");
        assert_eq!(cell("one\ntwo\r\nthree"), "one<br>two<br>three");
        assert_eq!(cell("drive\\\nnext"), "drive<br>next");
        assert_eq!(cell("hard  \nbreak"), "hard<br>break");
        assert_eq!(cell("C:\\path"), "C:\\path");
        assert_eq!(cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(split_row(&format!("| {} |", cell("x\\|y|z"))).len(), 1);
    }

    #[test]
    fn trailing_line_breaks_leave_no_empty_line() {
        assert_eq!(
            cell("People who buy.\nOne row each.\n"),
            "People who buy.<br>One row each."
        );
        assert_eq!(cell("a\r\n\r\n"), "a");
        assert_eq!(cell("\n"), "");
        assert_eq!(cell("a\n\nb"), "a<br><br>b");
    }

    #[test]
    fn links_to_unsafe_urls_in_cells_stay_text() {
        assert_eq!(
            cell("[x](javascript:alert(1))"),
            "[x]\\(javascript:alert(1))"
        );
        assert_eq!(cell("![i](data:text/html,x)"), "![i]\\(data:text/html,x)");
        assert_eq!(cell("[x](java&#115;cript:y)"), "[x]\\(java&#115;cript:y)");
        assert_eq!(cell("[x](<javascript:y>)"), "[x]\\(\\<javascript:y\\>)");
        // plain web and relative links, and brackets that are no link, are kept (tbls)
        assert_eq!(
            cell("see [docs](https://e.x/a)"),
            "see [docs](https://e.x/a)"
        );
        assert_eq!(cell("[t](other.md#c)"), "[t](other.md#c)");
        assert_eq!(cell("DEFAULT '[]' (x)"), "DEFAULT '[]' (x)");
        // a `<` glued to an address that GFM links is an entity, not an escape the link
        // would eat
        assert_eq!(cell("http://a<!x\ny"), "http://a&lt;!x<br>y");
        assert_eq!(cell("see <b> a@b"), "see \\<b\\> a@b");
    }

    #[test]
    fn text_is_shown_as_it_is() {
        assert_eq!(text("[x](https://e.x)"), "\\[x\\](https\\://e.x)");
        assert_eq!(text("![i](y)"), "\\!\\[i\\](y)");
        assert_eq!(
            text("a * b _c_ snake_case `x` ~~d~~"),
            "a \\* b \\_c\\_ snake_case \\`x\\` \\~\\~d\\~\\~"
        );
        assert_eq!(text("# h"), "\\# h");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("12. x"), "12\\. x");
        assert_eq!(text("    code"), "code");
        assert_eq!(text("&lt; &#60; & x V&V"), "\\&lt; \\&#60; & x V&V");
        assert_eq!(text("1.0"), "1.0");
        assert_eq!(text("-1 #1 --"), "-1 #1 --");
        assert_eq!(text("--- ## x"), "\\--- ## x");
        assert_eq!(text("## x"), "\\## x");
        assert_eq!(text("ORCHSESSID-VV-1"), "ORCHSESSID-VV-1");
        assert_eq!(text("http://a<b"), "http\\://a\\<b");
        assert_eq!(
            text("see https://x.y/*a* www.z.com a@b.c"),
            "see https\\://x.y/\\*a\\* www\\.z.com a\\@b.c"
        );
        assert_eq!(text("a\\[b"), "a\\\\\\[b");
        assert_eq!(text("<b>|"), "\\<b\\>\\|");
    }

    #[test]
    fn regression_a_trailing_backslash_cannot_escape_what_follows() {
        assert_eq!(cell("C:\\"), "C:\\\\");
        assert_eq!(label("a\\"), "a\\\\");
        assert_eq!(text("a\\"), "a\\\\");
    }

    #[test]
    fn labels_escape_brackets() {
        assert_eq!(label("a]b[c"), "a\\]b\\[c");
    }

    #[test]
    fn aligns_like_tbls_adjust() {
        let t = "| Name | Type |\n| ---- | ---- |\n| id | INTEGER |\n| a\\|b | T |";
        assert_eq!(
            align_tables(t, true),
            "| Name | Type    |\n| ---- | ------- |\n| id   | INTEGER |\n| a\\|b | T       |"
        );
    }

    #[test]
    fn keeps_other_lines_and_trailing_newline() {
        let t = "## X\n\n| a |\n| - |\n| bb |\n\ntext\n";
        assert_eq!(
            align_tables(t, true),
            "## X\n\n| a   |\n| --- |\n| bb  |\n\ntext\n"
        );
    }

    #[test]
    fn unpadded_normalises() {
        assert_eq!(
            align_tables("|a|b|\n|-|-|\n|x|y|", false),
            "| a | b |\n| --- | --- |\n| x | y |"
        );
    }

    #[test]
    fn east_asian_width() {
        let t = "| 名前 | x |\n| -- | - |\n| a | b |";
        assert_eq!(
            align_tables(t, true),
            "| 名前 | x   |\n| ---- | --- |\n| a    | b   |"
        );
    }

    #[test]
    fn hard_breaks_like_nl2mdnl() {
        assert_eq!(hard_breaks("a\nb\n"), "a  \nb");
        assert_eq!(hard_breaks("a\\\nb"), "a\\\nb");
        assert_eq!(hard_breaks("a\n\nb"), "a\n\nb");
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence_for("no ticks"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
