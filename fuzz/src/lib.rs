//! The properties the fuzz targets check, one function per target. Each takes arbitrary
//! bytes and panics when a property does not hold. `tests/regression.rs` of the main
//! crate includes this file too, so every property also runs under `cargo test`, on
//! the inputs that once broke it and on generated ones.

use comrak::nodes::{AstNode, NodeValue};
use osx_report::build::slug;
use osx_report::render::{ansi, highlight, markdown, markdown_escape as mde};
use osx_report::sql::{ddl, lexer};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn gfm() -> comrak::Options<'static> {
    let mut o = comrak::Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o
}

/// Runs `f` on every node of `md` parsed as GFM, with its number of children and
/// whether it is a block at the top of the document.
fn each_node(md: &str, mut f: impl FnMut(&NodeValue, usize, bool)) {
    let arena = comrak::Arena::new();
    let root: &AstNode<'_> = comrak::parse_document(&arena, md, &gfm());
    for n in root.descendants() {
        let top = n.parent().is_some_and(|p| p.parent().is_none());
        f(&n.data.borrow().value, n.children().count(), top);
    }
}

/// Undoes HTML escaping of the five characters our escapers escape.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Removes `<span class="...">` and `</span>`, checking they balance and that no other
/// markup is there.
fn strip_spans(h: &str) -> String {
    let mut out = String::with_capacity(h.len());
    let mut depth = 0i64;
    let mut rest = h;
    while let Some(p) = rest.find('<') {
        out.push_str(&rest[..p]);
        let after = &rest[p..];
        if let Some(r) = after.strip_prefix("</span>") {
            depth -= 1;
            assert!(depth >= 0, "a </span> closes nothing: {h:?}");
            rest = r;
        } else if after.starts_with("<span class=\"") {
            let end = after.find("\">").expect("tag ends");
            let classes = &after["<span class=\"".len()..end];
            assert!(
                classes
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b' '),
                "class {classes:?}"
            );
            depth += 1;
            rest = &after[end + 2..];
        } else {
            panic!("markup that is not a span: {after:?}");
        }
    }
    out.push_str(rest);
    assert_eq!(depth, 0, "unbalanced spans: {h:?}");
    out
}

/// The SQL tokenizer is total: tokens cover every byte in order, on character
/// boundaries; highlighting gives back the text, escaped, with only balanced spans.
pub fn sql_lexer(data: &[u8]) {
    let s = text(data);
    let toks = lexer::tokenize(&s);
    let mut at = 0;
    for t in &toks {
        assert_eq!(t.start, at, "gap or overlap at {at}");
        assert!(t.end > t.start, "empty token at {at}");
        assert!(s.is_char_boundary(t.start) && s.is_char_boundary(t.end));
        if matches!(t.kind, lexer::Kind::QuotedIdent | lexer::Kind::String) {
            let _ = lexer::unquote(t.text(&s));
        }
        at = t.end;
    }
    assert_eq!(at, s.len(), "tokens end before the text");
    for lang in [
        highlight::Lang::Sql,
        highlight::Lang::Shell,
        highlight::Lang::Json,
        highlight::Lang::Python,
        highlight::Lang::Js,
        highlight::Lang::Plain,
    ] {
        let h = highlight::to_html(&s, lang);
        assert_eq!(unescape(&strip_spans(&h)), s, "{lang:?} changed the text");
    }
    let _ = highlight::detect(Some(&s), &s);
}

/// Everything read out of DDL text is total on any input.
pub fn sql_ddl(data: &[u8]) {
    let s = text(data);
    for c in ddl::parse_checks(&s) {
        assert!(
            c.def.to_ascii_uppercase().starts_with("CHECK"),
            "{:?}",
            c.def
        );
        let _ = ddl::json_valid_args(&c.def);
    }
    let _ = ddl::referenced_tables(&s);
    let _ = ddl::virtual_module(&s);
    let _ = ddl::virtual_args(&s);
    let _ = ddl::table_options(&s);
    let _ = ddl::generated_columns(&s);
}

/// Checks that `md` (one table cell or list item made from `t`) shows only text: no
/// link (not even GFM's links of bare addresses), image, raw HTML but `<br>`, heading,
/// quote, code, emphasis or footnote.
fn only_text(md: &str, t: &str, input: &str) {
    let mut quotes = 0;
    each_node(md, |v, _, top| match v {
        NodeValue::BlockQuote if top && quotes == 0 => quotes += 1,
        NodeValue::HtmlInline(h) => assert_eq!(h, "<br>", "{input:?} -> {t:?}"),
        NodeValue::Link(_)
        | NodeValue::Image(_)
        | NodeValue::HtmlBlock(_)
        | NodeValue::Heading(_)
        | NodeValue::BlockQuote
        | NodeValue::CodeBlock(_)
        | NodeValue::ThematicBreak
        | NodeValue::Code(_)
        | NodeValue::Emph
        | NodeValue::Strong
        | NodeValue::Strikethrough
        | NodeValue::FootnoteReference(_) => panic!("{v:?} from {input:?} -> {t:?}"),
        _ => {}
    });
}

/// Markdown escaping: a cell cannot end its row or start a tag or a dangerous link;
/// text shows as text; a fence holds any text.
pub fn markdown_escape(data: &[u8]) {
    let s = text(data);
    let c = mde::cell(&s);
    assert!(!c.contains(['\n', '\r']), "line break in a cell: {c:?}");
    let row = format!("| h |\n| - |\n| {c} |\n");
    each_node(&row, |v, children, _| match v {
        NodeValue::TableRow(_) => assert_eq!(children, 1, "{s:?} -> {c:?}"),
        NodeValue::HtmlInline(h) => assert_eq!(h, "<br>", "{s:?} -> {c:?}"),
        NodeValue::HtmlBlock(h) => panic!("HTML block {h:?} from {s:?}"),
        NodeValue::Link(l) | NodeValue::Image(l) => {
            assert!(!comrak::html::dangerous_url(&l.url), "{s:?} -> {c:?}")
        }
        _ => {}
    });
    let l = mde::label(&s);
    let link = format!("| h |\n| - |\n| [{l}](x.md) |\n");
    let mut links = 0;
    each_node(&link, |v, _, _| {
        if let NodeValue::Link(k) = v {
            links += 1;
            assert_eq!(k.url, "x.md", "{s:?} -> {l:?}");
        }
    });
    assert_eq!(links, 1, "{s:?} -> {l:?}");
    let t = mde::text(&s);
    assert!(!t.contains(['\n', '\r']));
    only_text(&format!("| h |\n| - |\n| {t} |\n"), &t, &s);
    only_text(&format!("- {t}\n- next\n"), &t, &s);
    only_text(&format!("> ⚠ {t}\n"), &t, &s);
    let f = mde::fence_for(&s);
    let doc = format!("{f}text\n{s}\n{f}\nafter\n");
    let arena = comrak::Arena::new();
    let root = comrak::parse_document(&arena, &doc, &gfm());
    let first = root.first_child().expect("a block");
    match &first.data.borrow().value {
        NodeValue::CodeBlock(cb) => {
            let nul = |x: &str| x.replace('\0', "\u{fffd}");
            assert_eq!(nul(&cb.literal), nul(&format!("{s}\n")), "fence {f}");
        }
        v => panic!("not a code block: {v:?}"),
    }
    assert_eq!(root.children().count(), 2, "the fence did not hold {s:?}");
    let _ = mde::align_tables(&s, true);
    let _ = mde::align_tables(&format!("| {c} |\n| - |\n| {c} |"), true);
    let _ = mde::hard_breaks(&s);
}

/// (tag, attribute name) of every start tag in `h`, quoted values skipped.
fn attributes(h: &str) -> Vec<(String, String)> {
    let b = h.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' || !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let tag = h[start..i].to_ascii_lowercase();
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                break;
            }
            let a = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>') {
                i += 1;
            }
            out.push((tag.clone(), h[a..i].to_ascii_lowercase()));
            if i < b.len() && b[i] == b'=' {
                i += 1;
                if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                    let q = b[i];
                    i += 1;
                    while i < b.len() && b[i] != q {
                        i += 1;
                    }
                    i += 1;
                } else {
                    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                        i += 1;
                    }
                }
            }
        }
    }
    out
}

/// Untrusted Markdown: the HTML has no script, event handler or dangerous URL; the
/// Markdown twin has no raw HTML and no dangerous link, and placed inside a
/// `<details>` block it cannot close it or swallow its end.
pub fn markdown(data: &[u8]) {
    let s = text(data);
    let h = markdown::to_html(&s, 2, "p");
    let lower = h.to_ascii_lowercase();
    for bad in [
        "<script", "<iframe", "<object", "<embed", "<style", "<svg", "<math",
    ] {
        assert!(!lower.contains(bad), "{bad} from {s:?}");
    }
    for attr in [" href=\"", " src=\""] {
        for part in h.split(attr).skip(1) {
            let url = &part[..part.find('"').unwrap_or(part.len())];
            assert!(
                !comrak::html::dangerous_url(&unescape(url)),
                "{url} from {s:?}"
            );
        }
    }
    for (tag, attr) in attributes(&h) {
        assert!(
            !attr.starts_with("on"),
            "<{tag} {attr}=...> from {s:?}: {h}"
        );
    }
    let m = markdown::to_safe_markdown(&s, 2, "p");
    assert!(!m.contains('\r'));
    let page = format!("<details>\n<summary>x</summary>\n\n{m}\n\n</details>\n\nafter\n");
    let mut closes = 0;
    each_node(&page, |v, _, top| match v {
        NodeValue::HtmlBlock(b) => {
            let ours = b.literal.starts_with("<details>\n<summary>x</summary>")
                || b.literal == "<!-- end list -->\n";
            if b.literal.starts_with("</details>") && top {
                closes += 1;
            } else {
                assert!(ours, "raw HTML {:?} from {s:?} -> {m:?}", b.literal);
            }
        }
        NodeValue::HtmlInline(i) => panic!("raw HTML {i:?} from {s:?} -> {m:?}"),
        NodeValue::Link(l) | NodeValue::Image(l) => {
            assert!(
                !comrak::html::dangerous_url(&l.url),
                "{:?} from {s:?}",
                l.url
            )
        }
        _ => {}
    });
    assert_eq!(closes, 1, "</details> swallowed or doubled: {s:?} -> {m:?}");
}

/// ANSI: HTML is the escaped text with balanced spans; stripping leaves no escape.
pub fn ansi(data: &[u8]) {
    let s = text(data);
    let h = ansi::to_html(&s);
    let plain = ansi::strip(&s);
    assert_eq!(unescape(&strip_spans(&h)), plain, "{s:?}");
    assert!(!ansi::has_escapes(&plain), "{s:?} -> {plain:?}");
}

/// File names from ids: safe, short, unique ignoring case, never reserved, the same
/// whatever the order of the ids.
pub fn slug(data: &[u8]) {
    let s = text(data);
    let ids: Vec<&str> = s.split('\n').take(64).collect();
    let reserved = ["index", "page", "page-*", "unattached-logs"];
    let m = slug::assign(ids.iter().copied(), &reserved);
    let back = slug::assign(ids.iter().rev().copied(), &reserved);
    assert_eq!(m, back, "order matters");
    for id in &ids {
        let stem = &m[*id];
        assert!(!stem.is_empty() && stem.len() <= 80, "{stem:?}");
        assert!(
            stem.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
            "{stem:?}"
        );
        assert!(!stem.starts_with('.') && !stem.ends_with('.'), "{stem:?}");
        let lower = stem.to_ascii_lowercase();
        assert!(!["index", "page", "unattached-logs"].contains(&lower.as_str()));
        // pagination pages are page-2 ... page-N, N far below 12 digits (a hash of
        // digits only, `page-588911757402`, can be no such page)
        let digits = lower.len().saturating_sub(5);
        assert!(
            !(lower.starts_with("page-")
                && (1..12).contains(&digits)
                && lower[5..].bytes().all(|b| b.is_ascii_digit())),
            "{stem}"
        );
        let base = lower.split('.').next().unwrap_or("");
        assert!(!["con", "prn", "aux", "nul"].contains(&base), "{stem}");
        for ext in [".html", ".md", ".json", ".txt", ".svg", ".xml"] {
            assert!(!lower.ends_with(ext), "{stem}");
        }
        assert!(osx_report::output::safe_rel(&format!("sessions/{stem}.html")).is_ok());
    }
    let mut stems: Vec<String> = m.values().map(|s| s.to_ascii_lowercase()).collect();
    stems.sort();
    let n = stems.len();
    stems.dedup();
    assert_eq!(stems.len(), n, "two ids share a file name");
}
