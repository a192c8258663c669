//! Text blocks for pages: pretty JSON, long text cut to head and tail with the full
//! text written beside the page, and output rendered by its nature (JSON, Markdown,
//! ANSI-coloured terminal text, plain text). Nothing is ever cut silently: a cut block
//! says how many lines and bytes are hidden and links the file that holds them all.

use serde::Serialize;

use crate::model::session::BigText;
use crate::render::{ansi, escape, highlight, markdown};

/// Limits for long text.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_lines: usize,
    pub max_bytes: usize,
    pub head_lines: usize,
    pub tail_lines: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_lines: 200,
            max_bytes: 64 * 1024,
            head_lines: 60,
            tail_lines: 40,
        }
    }
}

/// What was left out of a block, and where the whole text is.
#[derive(Debug, Clone, Serialize)]
pub struct Cut {
    pub total_lines: usize,
    pub total_bytes: usize,
    pub hidden_lines: usize,
    pub hidden_bytes: usize,
    /// URL of the file with the full text, relative to the page.
    pub file: String,
}

/// A block of text ready for both page kinds.
#[derive(Debug, Clone, Serialize)]
pub struct Block {
    // Fields in the order the templates look them up most (minijinja scans them).
    /// `json`, `markdown`, `ansi`, `text` (or `code` for the executed code).
    pub kind: &'static str,
    /// Extra CSS class (`error-block` for errors).
    pub class: &'static str,
    /// What the page calls it ("Output", ...), set by the page that shows it.
    pub label: &'static str,
    /// Fence info string for Markdown.
    pub lang: &'static str,
    /// What the label says in brackets: the language of code, the kind of other
    /// blocks than plain text (`json`, `ansi`, `markdown`), nothing for plain text.
    pub note: &'static str,
    /// Escaped HTML of the head (or of everything when not cut).
    pub html: String,
    pub cut: Option<Cut>,
    /// Plain text of the head for Markdown (ANSI stripped).
    pub text: String,
    /// A code fence longer than any run of backticks inside.
    pub fence: String,
    /// For Markdown output shown whole: the output as safe Markdown for the twin page.
    pub markdown: Option<String>,
    /// Escaped HTML of the tail when cut.
    pub tail_html: String,
    pub tail_text: String,
}

/// What a block's label says in brackets (see [`Block::note`]).
pub fn note(kind: &'static str, lang: &'static str) -> &'static str {
    match kind {
        "code" => lang,
        "text" => "",
        k => k,
    }
}

crate::serde_field!(Option<Cut>);

// The escaped HTML is markup made here: templates get it as safe strings.
crate::fields_object!(BlockObject for Block {
    kind, class, label, note, lang, cut, text, fence, markdown, tail_text
} nested {
    html: |s: &String| minijinja::Value::from_safe_string(s.clone()),
    tail_html: |s: &String| minijinja::Value::from_safe_string(s.clone()),
});

/// `s` pretty-printed when it is JSON, else `None`.
pub fn pretty_json(s: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(s).ok()?;
    serde_json::to_string_pretty(&v).ok()
}

/// True when `s` is cut to head and tail under these limits.
pub fn is_long(s: &str, l: &Limits) -> bool {
    s.len() > l.max_bytes || memchr_count(s.as_bytes(), b'\n') + 1 > l.max_lines
}

fn memchr_count(b: &[u8], c: u8) -> usize {
    memchr::memchr_iter(c, b).count()
}

/// The text of a value as the pages show it: whole, or head and tail with what is
/// hidden (no HTML), for the JSON report.
pub fn text_parts<'a>(s: &'a str, l: &Limits) -> (&'a str, &'a str, Option<(usize, usize, usize)>) {
    match split(s, l) {
        None => (s, "", None),
        Some((h, t, hl, hb)) => (h, t, Some((s.lines().count(), hl, hb))),
    }
}

/// Splits `s` into head and tail when it exceeds the limits. Returns (head, tail, cut
/// counts) with byte offsets on character boundaries.
fn split<'a>(s: &'a str, l: &Limits) -> Option<(&'a str, &'a str, usize, usize)> {
    if s.len() <= l.max_bytes {
        // lines are at most the line feeds plus one: most texts need no exact count
        if memchr_count(s.as_bytes(), b'\n') < l.max_lines || s.lines().count() <= l.max_lines {
            return None;
        }
    }
    let budget = l.max_bytes / 2;
    // head: first head_lines lines, at most `budget` bytes
    let mut head_end = 0;
    for (n, (i, _)) in s.match_indices('\n').enumerate() {
        if n + 1 > l.head_lines || i + 1 > budget {
            break;
        }
        head_end = i + 1;
    }
    if head_end == 0 {
        head_end = floor_boundary(s, budget.min(s.len()));
    }
    // tail: last tail_lines lines, at most `budget` bytes
    let mut tail_start = s.len();
    let body = s.strip_suffix('\n').unwrap_or(s);
    for (n, (i, _)) in body.rmatch_indices('\n').enumerate() {
        if n + 1 > l.tail_lines || s.len() - (i + 1) > budget {
            break;
        }
        tail_start = i + 1;
    }
    if tail_start == s.len() {
        tail_start = ceil_boundary(s, s.len().saturating_sub(budget));
    }
    let tail_start = tail_start.max(head_end);
    let head = &s[..head_end];
    let tail = &s[tail_start..];
    let hidden = &s[head_end..tail_start];
    Some((head, tail, hidden.lines().count(), hidden.len()))
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// How to show an output: from `output_nature` when it says, else from the text.
pub fn output_kind(output: &str, nature: Option<&str>) -> &'static str {
    let hint = nature.unwrap_or("").to_ascii_lowercase();
    if hint.contains("json") {
        "json"
    } else if hint.contains("markdown") || hint.contains("\"md\"") || hint.contains("text/md") {
        "markdown"
    } else if ansi::has_escapes(output) {
        "ansi"
    } else {
        let t = output.trim_start();
        if (t.starts_with('{') || t.starts_with('[')) && pretty_json(t).is_some() {
            "json"
        } else {
            "text"
        }
    }
}

/// Builds a block. `file` is the URL the full text will be written to when it is cut
/// (the caller writes it); `md_prefix` keeps footnotes apart in rendered Markdown.
pub fn block(raw: &str, kind: &'static str, limits: &Limits, file: &str, md_prefix: &str) -> Block {
    let pretty;
    let (kind, text): (&'static str, &str) = match kind {
        "json" => match pretty_json(raw) {
            Some(p) => {
                pretty = p;
                ("json", &pretty)
            }
            None => ("text", raw),
        },
        k => (k, raw),
    };
    let cut = split(text, limits);
    let (head, tail) = match cut {
        Some((h, t, _, _)) => (h, t),
        None => (text, ""),
    };
    // Cut Markdown is shown as text: half a document does not render.
    let kind = if kind == "markdown" && cut.is_some() {
        "text"
    } else {
        kind
    };
    // For the Markdown twin: ANSI stripped, other control characters made visible.
    let strip = |s: &str| {
        if kind == "ansi" {
            crate::render::escape::visible_controls(&ansi::strip(s)).into_owned()
        } else {
            crate::render::escape::visible_controls(s).into_owned()
        }
    };
    let text_head = strip(head);
    let text_tail = strip(tail);
    let fence = if text_tail.is_empty() {
        crate::render::markdown_escape::fence_for(&text_head)
    } else {
        crate::render::markdown_escape::fence_for(&format!("{text_head}{text_tail}"))
    };
    Block {
        label: "",
        class: "",
        kind,
        html: render(kind, head, md_prefix),
        tail_html: render(kind, tail, md_prefix),
        markdown: (kind == "markdown").then(|| markdown::to_safe_markdown(head, 2, md_prefix)),
        text: text_head,
        tail_text: text_tail,
        fence,
        lang: if kind == "json" { "json" } else { "text" },
        note: note(kind, ""),
        cut: cut.map(|(_, _, hl, hb)| Cut {
            total_lines: text.lines().count(),
            total_bytes: raw.len(),
            hidden_lines: hl,
            hidden_bytes: hb,
            file: file.to_string(),
        }),
    }
}

/// A block for a value too large to load ([`BigText`]): its start and end, cut to the
/// limits, with the counts of the whole value. The file at `file` gets the whole value.
pub fn block_big(big: &BigText, kind: &'static str, limits: &Limits, file: &str) -> Block {
    // Neither JSON nor Markdown can be shown from a start and an end.
    let kind = if kind == "ansi" { "ansi" } else { "text" };
    let head_end = {
        let mut end = 0;
        for (n, (i, _)) in big.head.match_indices('\n').enumerate() {
            if n + 1 > limits.head_lines || i + 1 > limits.max_bytes / 2 {
                break;
            }
            end = i + 1;
        }
        if end == 0 {
            floor_boundary(&big.head, (limits.max_bytes / 2).min(big.head.len()))
        } else {
            end
        }
    };
    let head = &big.head[..head_end];
    let body = big.tail.strip_suffix('\n').unwrap_or(&big.tail);
    let mut tail_start = big.tail.len();
    for (n, (i, _)) in body.rmatch_indices('\n').enumerate() {
        if n + 1 > limits.tail_lines || big.tail.len() - (i + 1) > limits.max_bytes / 2 {
            break;
        }
        tail_start = i + 1;
    }
    if tail_start == big.tail.len() {
        tail_start = ceil_boundary(
            &big.tail,
            big.tail.len().saturating_sub(limits.max_bytes / 2),
        );
    }
    let tail = &big.tail[tail_start..];
    let shown_bytes = (head.len() + tail.len()) as u64;
    let shown_lines = (head.lines().count() + tail.lines().count()) as u64;
    let strip = |s: &str| {
        if kind == "ansi" {
            ansi::strip(s)
        } else {
            s.to_string()
        }
    };
    let (text, tail_text) = (strip(head), strip(tail));
    Block {
        label: "",
        class: "",
        kind,
        html: render(kind, head, ""),
        tail_html: render(kind, tail, ""),
        fence: crate::render::markdown_escape::fence_for(&format!("{text}{tail_text}")),
        markdown: None,
        text,
        tail_text,
        lang: "text",
        note: note(kind, ""),
        cut: Some(Cut {
            total_lines: big.lines as usize,
            total_bytes: big.bytes as usize,
            hidden_lines: big.lines.saturating_sub(shown_lines) as usize,
            hidden_bytes: big.bytes.saturating_sub(shown_bytes) as usize,
            file: file.to_string(),
        }),
    }
}

fn render(kind: &str, s: &str, md_prefix: &str) -> String {
    match kind {
        "ansi" => ansi::to_html(s),
        "markdown" => markdown::to_html(s, 2, md_prefix),
        "json" => highlight::to_html(s, highlight::Lang::Json),
        _ => escape::html(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_whole() {
        let b = block("a\nb\n", "text", &Limits::default(), "f.txt", "p");
        assert!(b.cut.is_none());
        assert_eq!(b.text, "a\nb\n");
    }

    #[test]
    fn long_text_shows_head_and_tail_and_counts_the_rest() {
        let s: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        let b = block(&s, "text", &Limits::default(), "f.txt", "p");
        let c = b.cut.as_ref().unwrap();
        assert_eq!(c.total_lines, 1000);
        assert_eq!(b.text.lines().count(), 60);
        assert_eq!(b.tail_text.lines().count(), 40);
        assert_eq!(c.hidden_lines, 900);
        assert_eq!(b.text.len() + b.tail_text.len() + c.hidden_bytes, s.len());
        assert!(b.text.starts_with("line 0\n") && b.tail_text.ends_with("line 999\n"));
    }

    #[test]
    fn one_huge_line_is_cut_on_char_boundaries() {
        let s = "é".repeat(100_000);
        let b = block(&s, "text", &Limits::default(), "f.txt", "p");
        let c = b.cut.unwrap();
        assert_eq!(b.text.len() + b.tail_text.len() + c.hidden_bytes, s.len());
    }

    #[test]
    fn kinds() {
        assert_eq!(output_kind("{\"a\":1}", None), "json");
        assert_eq!(output_kind("\x1b[31mred", None), "ansi");
        assert_eq!(
            output_kind("# T", Some("{\"mime\":\"text/markdown\"}")),
            "markdown"
        );
        assert_eq!(output_kind("plain", None), "text");
        let b = block("{\"a\":[1,2]}", "json", &Limits::default(), "f", "p");
        assert!(b.text.contains("\n  \"a\": ["));
    }
}
