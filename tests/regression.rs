//! Regression tests named after what they guard, for inputs the fuzz targets
//! (`fuzz/`, `scripts/fuzz.sh`) found, and the same properties on generated inputs so
//! they hold under a plain `cargo test` too.

#[path = "../fuzz/src/lib.rs"]
mod checks;

/// A small deterministic generator: inputs glued from pieces that mean something to
/// Markdown, HTML, SQL, ANSI terminals and file systems, and random bytes.
struct Gen(u64);

const PIECES: &[&str] = &[
    "<",
    ">",
    "</details>",
    "<details>",
    "<script>",
    "<b>",
    "<!--",
    "-->",
    "&lt;",
    "&#60;",
    "&",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](",
    "javascript:",
    "data:",
    "<http://x>",
    "*",
    "_",
    "`",
    "```",
    "~~~",
    "|",
    "\\",
    "\n",
    "\r",
    "\r\n",
    "\t",
    "    ",
    "# ",
    "- ",
    "1. ",
    "> ",
    "---",
    "[^1]",
    "[x]: ",
    "\u{0}",
    "\u{1b}[",
    "\u{1b}]",
    "\u{7}",
    "31m",
    ";",
    "38;5;",
    "'",
    "\"",
    "--",
    "/*",
    "*/",
    "CHECK",
    "(",
    "json_valid(",
    "AS",
    "x'",
    "é",
    "日本",
    "\u{202e}",
    "\u{fffd}",
    "..",
    "/",
    "page-2",
    "index",
    "CON",
    ".html",
    "a",
    "A",
    " ",
];

impl Gen {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn input(&mut self) -> Vec<u8> {
        let n = self.next() % 24;
        let mut out = Vec::new();
        for _ in 0..n {
            if self.next() % 8 == 0 {
                out.push(self.next() as u8);
            } else {
                let p = PIECES[(self.next() % PIECES.len() as u64) as usize];
                out.extend_from_slice(p.as_bytes());
            }
        }
        out
    }
}

fn generated(check: fn(&[u8]), seed: u64, n: usize) {
    let mut g = Gen(seed);
    for _ in 0..n {
        let input = g.input();
        let r = std::panic::catch_unwind(|| check(&input));
        if r.is_err() {
            panic!("property failed on {:?}", String::from_utf8_lossy(&input));
        }
    }
}

#[test]
fn generated_sql_lexer() {
    generated(checks::sql_lexer, 1, 3000);
}

#[test]
fn generated_sql_ddl() {
    generated(checks::sql_ddl, 2, 3000);
}

#[test]
fn generated_markdown_escape() {
    generated(checks::markdown_escape, 3, 3000);
}

#[test]
fn generated_markdown() {
    generated(checks::markdown, 4, 3000);
}

#[test]
fn generated_ansi() {
    generated(checks::ansi, 5, 3000);
}

#[test]
fn generated_slug() {
    generated(checks::slug, 6, 3000);
}

// Inputs that once broke a property, each named after what it guards; the files in
// tests/fuzz-crashes/ are the fuzzers' own crash inputs.

#[test]
fn a_trailing_backslash_in_a_link_label_cannot_escape_its_bracket() {
    // markdown_escape: `[a\](x.md)` was no link; an id ending in `\` broke its row's link
    checks::markdown_escape(b"a\\");
    checks::markdown_escape("A[^1]\u{1b}[|\tCHECK\r\nlCON31m](_\\".as_bytes());
}

#[test]
fn a_hashed_file_name_never_starts_with_a_windows_device_name() {
    // slug: `CON.x y` became `CON.x-y-<hash>`, a device name on Windows
    checks::slug(b"CON.x y");
    checks::slug(
        "```CON..[x]: &lt;>  # [x]: <http://x>-->![A]((.html<details>\r\nA&--<!--&lt;".as_bytes(),
    );
}

#[test]
fn a_carriage_return_cannot_end_a_code_block_in_the_markdown_twin() {
    checks::markdown(b"~~~\nq\r<script>alert(1)</script>\n~~~\n");
}

#[test]
fn adjacent_inline_html_cannot_become_live_in_the_markdown_twin() {
    checks::markdown(b"<object data=x></object><embed src=x><form action=x>");
}

#[test]
fn an_autolink_cannot_eat_the_backslash_of_an_escape() {
    // found by the markdown_escape target: GFM's autolink took `https://java\` with the
    // backslash of `\*`, and the `*` after it made emphasis with another one
    checks::markdown_escape(
        b"(https://java\xef\xbf\xbd* \r\r\n'a | [x`](https://java\xef\xbf\xbd* \r\r\n'\0\0 ![>d\xa9\xa9\x7f\r\ript",
    );
    checks::markdown_escape(b"https://x*y* www.a.b_c_ _a@b.com_");
    checks::markdown_escape(include_bytes!(
        "fuzz-crashes/markdown_escape-autolink-eats-escape"
    ));
}

#[test]
fn extended_autolinks_in_text_are_no_links() {
    checks::markdown_escape(
        "index\0\njson_valid(/* -->[Adata:.htmlA\n<http://x>A*\u{1b}](javascript:".as_bytes(),
    );
}

#[test]
fn a_bare_web_address_in_text_is_not_linked_whatever_its_case() {
    // found by the markdown_escape target: GFM links `Https://p` too
    checks::markdown_escape(include_bytes!(
        "fuzz-crashes/markdown_escape-uppercase-scheme"
    ));
}

#[test]
fn the_word_on_in_rendered_text_is_no_event_handler() {
    // found by the markdown target: the property read the text "e onrt(1))" as an
    // attribute; it now reads the attributes of tags
    checks::markdown(
        b"# T\n\n<script>alert(1+</scrip,\xa9\xa9\x06\0\0script:al# T\n\ne onrt(1)) ![y](d!ta\0\0hm<ssript>alert(1)</script>\n\n[x](jat\nl",
    );
    checks::markdown(b"![a onerror=x](y.png \"t onload=z\")");
    checks::markdown(include_bytes!("fuzz-crashes/markdown-word-on-in-text"));
}

#[test]
fn an_id_page_dash_alone_is_no_pagination_page() {
    // found by the slug target: `page-` without digits keeps its own name, rightly
    checks::slug(b"page-");
    checks::slug(b"page-\npage-1\nPAGE-22\npage-x");
    checks::slug(include_bytes!("fuzz-crashes/slug-page-dash"));
}

#[test]
fn code_after_a_list_cannot_become_part_of_the_list_in_the_markdown_twin() {
    // found by the markdown target: comrak wrote a code block right after a list as an
    // indented block, which reads back as the list item's paragraph and let the
    // `<details>` inside it through as raw HTML; the twin now always fences code
    checks::markdown(include_bytes!(
        "fuzz-crashes/markdown-indented-code-after-a-list"
    ));
    checks::markdown(b"- a\n)\n\n    <details>\n");
}

#[test]
fn a_hashed_name_of_digits_is_no_pagination_page() {
    // found by the slug target: `page-<12 hex digits>` that happen to be all decimal
    checks::slug(include_bytes!("fuzz-crashes/slug-hash-of-digits"));
}

#[test]
fn an_autolink_cannot_eat_the_backslash_before_a_less_than_in_a_cell() {
    // found by the markdown_escape target: in `http://a\<!N...<br>` GFM's autolink took
    // the backslash and `<!N...<br>` read as a raw HTML declaration
    checks::markdown_escape(include_bytes!(
        "fuzz-crashes/markdown_escape-autolink-eats-lt-in-cell"
    ));
    // and the autolink reads on over a form feed
    checks::markdown_escape(include_bytes!(
        "fuzz-crashes/markdown_escape-autolink-across-form-feed"
    ));
}

#[test]
fn an_info_string_cannot_lengthen_the_fence_in_the_markdown_twin() {
    // found by the markdown target: a `~~~~` block with the info string `~  \``` was
    // written as `~~~~~  \``` and closed by `~~~~`, so it ran on over the page's
    // closing </details>
    checks::markdown(include_bytes!(
        "fuzz-crashes/markdown-tilde-fence-in-the-twin"
    ));
}
