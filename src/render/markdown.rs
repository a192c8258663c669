//! Markdown from the database (`narrative_md`, `diagnostics_md`, Markdown output),
//! rendered with comrak (GFM tables, task lists, autolinks, strikethrough, footnotes)
//! and made safe:
//!
//! - raw HTML is shown as text, never passed through; `javascript:`, `vbscript:`,
//!   `file:` and non-image `data:` URLs are dropped (comrak's safe mode);
//! - headings are demoted below the page's own (`# x` in a narrative becomes an `h4`),
//!   so the page outline stays in order; in HTML the levels are also closed up (the
//!   first heading is right below the page's, none skips a level), for screen readers;
//! - task-list checkboxes say what they show (`aria-label` "done" / "not done");
//! - footnote names get a per-block prefix, so two narratives on one page cannot clash.
//!
//! The Markdown twin gets the same document re-emitted as CommonMark by comrak: raw HTML
//! turned into code, dangerous links into their text, line endings made `\n`, so nothing
//! in it can open a `<details>`, a fence or a table of the page around it.

use comrak::nodes::{AstNode, NodeCodeBlock, NodeValue};
use comrak::{Arena, Options, format_commonmark, format_html, parse_document};

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.render.r#unsafe = false;
    o.render.escape = true;
    // Code in the Markdown twin is always fenced: an indented block written right after
    // a list is read back as part of the list item, and its text as Markdown.
    o.render.prefer_fenced = true;
    o
}

/// Walks the tree iteratively (a deeply nested document cannot overflow the stack).
fn walk<'a>(root: &'a AstNode<'a>, mut f: impl FnMut(&'a AstNode<'a>)) {
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        f(n);
        let mut child = n.last_child();
        while let Some(c) = child {
            stack.push(c);
            child = c.previous_sibling();
        }
    }
}

fn adjust<'a>(root: &'a AstNode<'a>, heading_base: u8, prefix: &str, for_markdown: bool) {
    let mut html_blocks = Vec::new();
    let mut dangerous = Vec::new();
    walk(root, |n| {
        let mut data = n.data.borrow_mut();
        match &mut data.value {
            NodeValue::Heading(h) => h.level = (h.level + heading_base).min(6),
            NodeValue::FootnoteDefinition(d) => d.name = format!("{prefix}-{}", d.name),
            NodeValue::FootnoteReference(r) => r.name = format!("{prefix}-{}", r.name),
            // As text (escaped when written), not as code: two code spans side by side
            // (`` `<a>``<b>` ``) would read as one unclosed run of backticks.
            NodeValue::HtmlInline(s) if for_markdown => {
                data.value = NodeValue::Text(std::mem::take(s).into())
            }
            NodeValue::HtmlBlock(_) if for_markdown => html_blocks.push(n),
            // comrak writes the info string right after the fence: one starting with
            // `~` made the opening fence longer than the closing one, so the block ran
            // to the end of the page. Only a plain language name is kept.
            NodeValue::CodeBlock(cb) if for_markdown => {
                cb.info = cb
                    .info
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .chars()
                    .filter(|c| c.is_alphanumeric() || "_+.#-".contains(*c))
                    .collect();
            }
            NodeValue::Link(l) | NodeValue::Image(l)
                if for_markdown && comrak::html::dangerous_url(&l.url) =>
            {
                dangerous.push(n);
            }
            _ => {}
        }
    });
    // A dangerous link or image becomes its text (an image its alt text).
    for n in dangerous {
        while let Some(c) = n.first_child() {
            c.detach();
            n.insert_before(c);
        }
        n.detach();
    }
    for n in html_blocks {
        let mut data = n.data.borrow_mut();
        if let NodeValue::HtmlBlock(h) = &mut data.value {
            let literal = std::mem::take(&mut h.literal);
            data.value = NodeValue::CodeBlock(Box::new(NodeCodeBlock {
                fenced: true,
                fence_char: b'`',
                fence_length: 3,
                fence_offset: 0,
                info: "html".into(),
                literal,
                closed: true,
            }));
        }
    }
}

/// Heading levels in HTML: the highest is `base + 1`, and none is more than one below
/// the heading before it (a valid outline, whatever levels the author used).
fn close_up_headings<'a>(root: &'a AstNode<'a>, base: u8) {
    let mut min = u8::MAX;
    walk(root, |n| {
        if let NodeValue::Heading(h) = &n.data.borrow().value {
            min = min.min(h.level);
        }
    });
    let mut prev = base;
    walk(root, |n| {
        if let NodeValue::Heading(h) = &mut n.data.borrow_mut().value {
            let want = base + 1 + (h.level - min);
            h.level = want.clamp(base + 1, prev + 1).min(6);
            prev = h.level;
        }
    });
}

/// `\r\n` and a lone `\r` (both line endings in CommonMark) as `\n`. comrak keeps a
/// `\r` inside code literally and re-emits it unindented, so a `\r` in a code block
/// would end the block in the Markdown twin and let what follows be read as markup.
fn unix_newlines(md: &str) -> std::borrow::Cow<'_, str> {
    if md.contains('\r') {
        std::borrow::Cow::Owned(md.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(md)
    }
}

/// Safe HTML for untrusted Markdown. Headings start at `heading_base + 1`;
/// `prefix` makes footnote ids unique on the page.
pub fn to_html(md: &str, heading_base: u8, prefix: &str) -> String {
    let arena = Arena::new();
    let opts = options();
    let md = unix_newlines(md);
    let root = parse_document(&arena, &md, &opts);
    adjust(root, 0, prefix, false);
    close_up_headings(root, heading_base.min(5));
    let mut out = String::with_capacity(md.len() * 2);
    // Writing into a String cannot fail.
    let _ = format_html(root, &opts, &mut out);
    // comrak's task-list boxes have no label; raw HTML from the text is escaped, so
    // these strings can only be comrak's own
    out.replace(
        "<input type=\"checkbox\" checked=\"\" disabled=\"\" />",
        "<input type=\"checkbox\" checked=\"\" disabled=\"\" aria-label=\"done\" />",
    )
    .replace(
        "<input type=\"checkbox\" disabled=\"\" />",
        "<input type=\"checkbox\" disabled=\"\" aria-label=\"not done\" />",
    )
}

/// Untrusted Markdown re-emitted as well-formed CommonMark that cannot break the page
/// it is placed in.
pub fn to_safe_markdown(md: &str, heading_base: u8, prefix: &str) -> String {
    let arena = Arena::new();
    let opts = options();
    let md = unix_newlines(md);
    let root = parse_document(&arena, &md, &opts);
    adjust(root, heading_base, prefix, true);
    let mut out = String::with_capacity(md.len() + 64);
    let _ = format_commonmark(root, &opts, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gfm_features() {
        let h = to_html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\nsee https://example.com ~~old~~ [^1]\n\n[^1]: note\n",
            0,
            "e1",
        );
        assert!(h.contains("<table>"), "{h}");
        assert!(h.contains("type=\"checkbox\""), "{h}");
        assert!(h.contains("<a href=\"https://example.com\">"), "{h}");
        assert!(h.contains("<del>old</del>"), "{h}");
        assert!(h.contains("href=\"#fn-e1-1\""), "{h}");
    }

    #[test]
    fn raw_html_and_scripts_are_neutralised() {
        let md = "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) ![y](data:text/html,<script>)\n\n</details>\n";
        let h = to_html(md, 0, "p");
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img src=\"x\""), "{h}");
        assert!(!h.contains("javascript:"), "{h}");
        assert!(!h.contains("</details>"), "{h}");
        let m = to_safe_markdown(md, 0, "p");
        assert!(!m.contains("javascript:"), "{m}");
        // raw HTML survives only inside code
        for line in m.lines() {
            if line.contains("</details>") || line.contains("<script>") {
                assert!(m.contains("```html") || line.contains('`'), "{m}");
            }
        }
    }

    #[test]
    fn regression_a_carriage_return_cannot_end_a_code_block_in_the_twin() {
        let md = "~~~\nq\r<script>alert(1)</script>\n~~~\n\nx\r\n<b>y</b>";
        let m = to_safe_markdown(md, 2, "p");
        assert!(!m.contains('\r'), "{m:?}");
        assert!(!has_raw_html(&m), "{m}");
    }

    /// True when `md`, read as Markdown, has raw HTML in it (but the comment comrak
    /// writes between two lists).
    fn has_raw_html(md: &str) -> bool {
        let arena = Arena::new();
        let root = parse_document(&arena, md, &options());
        root.descendants().any(|n| match &n.data.borrow().value {
            NodeValue::HtmlInline(_) => true,
            NodeValue::HtmlBlock(b) => b.literal != "<!-- end list -->\n",
            _ => false,
        })
    }

    #[test]
    fn regression_adjacent_inline_html_stays_text_in_the_twin() {
        let m = to_safe_markdown(
            "<object data=x></object><embed src=x><form action=x>",
            0,
            "p",
        );
        assert!(!has_raw_html(&m), "{m}");
    }

    #[test]
    fn regression_an_info_string_cannot_lengthen_the_fence_in_the_twin() {
        let m = to_safe_markdown("~~~~~  `\n<details>\n", 0, "p");
        assert!(!has_raw_html(&m), "{m}");
        let m = to_safe_markdown("~~~~ ~x `y\nz\n~~~~\n\n</details>\n", 0, "p");
        let page = format!("{m}\n\n</details>\n");
        let arena = Arena::new();
        let root = parse_document(&arena, &page, &options());
        let closes = root
            .children()
            .filter(|n| matches!(&n.data.borrow().value, NodeValue::HtmlBlock(b) if b.literal.starts_with("</details>")))
            .count();
        assert_eq!(closes, 1, "{page}");
    }

    #[test]
    fn regression_code_after_a_list_stays_code_in_the_twin() {
        let m = to_safe_markdown("- a\n)\n\n```\n<details>\n```\n", 0, "p");
        assert!(!has_raw_html(&m), "{m}");
    }

    #[test]
    fn dangerous_links_become_text_in_the_twin() {
        let m = to_safe_markdown(
            "[click](javascript:alert(1)) ![alt](data:text/html,x) [ok](https://e.x)",
            0,
            "p",
        );
        assert!(!m.contains("javascript") && !m.contains("data:"), "{m}");
        assert!(m.contains("click") && m.contains("alt"), "{m}");
        assert!(!m.contains("[click]"), "{m}");
        assert!(m.contains("[ok](https://e.x)"), "{m}");
    }

    #[test]
    fn headings_are_demoted() {
        assert!(to_html("# Title", 3, "x").contains("<h4>"));
        // HTML closes the levels up: the outline never skips one
        assert!(to_html("###### deep", 3, "x").contains("<h4>"));
        let h = to_html("### a\n\n# b\n\n#### c\n\n## d", 2, "x");
        assert!(
            h.contains("<h3>a</h3>")
                && h.contains("<h3>b</h3>")
                && h.contains("<h4>c</h4>")
                && h.contains("<h4>d</h4>"),
            "{h}"
        );
        assert!(to_html("- [x] a\n- [ ] b", 0, "x").contains("aria-label=\"not done\""));
        assert!(to_safe_markdown("# Title", 3, "x").starts_with("#### Title"));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let md = "> ".repeat(5000) + "x";
        let _ = to_html(&md, 0, "d");
        let _ = to_safe_markdown(&md, 0, "d");
    }
}
