//! Reading built pages back the way a browser or a Markdown viewer would, to prove
//! that nothing from the data became markup: a small HTML tag scanner, and comrak's
//! GFM parser for the Markdown.

use std::path::Path;

/// The Content-Security-Policy every HTML page carries.
pub const CSP: &str = "default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; form-action 'none'";

/// A start or end tag found in HTML source.
#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub end: bool,
    pub attrs: Vec<(String, String)>,
}

/// The tags of an HTML (or SVG) text, in order. Comments, doctypes and processing
/// instructions are skipped; `<` not followed by a tag name is text (as in HTML).
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        let (end, start) = if rest.starts_with("</") {
            (true, i + 2)
        } else {
            (false, i + 1)
        };
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b':') {
            j += 1;
        }
        if j == start || !b[start].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let name = html[start..j].to_ascii_lowercase();
        // attributes up to the closing '>', quotes respected
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            let a = j;
            while j < b.len() && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let an = html[a..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let vs = j + 1;
                    j = vs;
                    while j < b.len() && b[j] != q {
                        j += 1;
                    }
                    value = html[vs..j.min(b.len())].to_string();
                    j += 1;
                } else {
                    let vs = j;
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                    value = html[vs..j].to_string();
                }
            }
            attrs.push((an, value));
        }
        out.push(Tag { name, end, attrs });
        i = j;
    }
    out
}

/// Decodes the few entities that could hide a URL scheme.
fn decode(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let after = &rest[p + 1..];
        match after.find(';') {
            Some(e) if e < 10 => {
                let ent = &after[..e];
                let c = if let Some(h) = ent.strip_prefix("#x").or(ent.strip_prefix("#X")) {
                    u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
                } else if let Some(d) = ent.strip_prefix('#') {
                    d.parse().ok().and_then(char::from_u32)
                } else {
                    match ent {
                        "colon" => Some(':'),
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        _ => None,
                    }
                };
                match c {
                    Some(c) => out.push(c),
                    None => out.push_str(&rest[p..p + 2 + e]),
                }
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// True for a URL a browser would run or that could carry a document.
pub fn dangerous_url(url: &str) -> bool {
    let u: String = decode(url)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let safe_image = [
        "data:image/png",
        "data:image/gif",
        "data:image/jpeg",
        "data:image/webp",
    ];
    u.starts_with("javascript:")
        || u.starts_with("vbscript:")
        || u.starts_with("file:")
        || (u.starts_with("data:") && !safe_image.iter().any(|p| u.starts_with(p)))
}

/// Elements no page of ours has; one of them in a page came from the data.
const FORBIDDEN: &[&str] = &[
    "script", "iframe", "object", "embed", "form", "base", "textarea", "math", "noscript", "frame",
    "frameset", "applet", "audio", "video", "source", "template", "portal", "button", "select",
    "option", "marquee",
];

/// The elements of the site's own skeleton (base and search templates) that the checks
/// below would otherwise flag, each by a key: a page has each at most once, so the same
/// tag coming from the data as well would still be seen.
fn skeleton_key(what: &str, t: &Tag) -> Option<&'static str> {
    let attr = |k: &str| {
        t.attrs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let n = t.attrs.len();
    let src_is = |f: &str| attr("src").is_some_and(|s| decode(s).trim_start_matches("../") == f);
    match t.name.as_str() {
        "script" if n == 1 && src_is("assets/theme.js") => Some("theme.js"),
        "script" if n == 2 && src_is("assets/site.js") && attr("defer").is_some() => {
            Some("site.js")
        }
        "meta" if attr("name") == Some("color-scheme") => Some("color-scheme"),
        "link" if n == 2 && attr("rel") == Some("icon") && attr("href") == Some("data:,") => {
            Some("favicon")
        }
        "input" if attr("type") == Some("search") && attr("id") == Some("quick-q") => {
            Some("quick-q")
        }
        "input" if attr("type") == Some("search") && attr("id") == Some("search-q") => {
            Some("search-q")
        }
        "button" if attr("type") == Some("button") => match (attr("class"), attr("data-tree")) {
            (Some("theme-toggle"), None) => Some("theme-toggle"),
            (Some("search-more"), None) => Some("search-more"),
            (None, Some("open")) => Some("tree-open"),
            (None, Some("close")) => Some("tree-close"),
            _ => None,
        },
        "template" if n == 1 && attr("id") == Some("hit-template") => Some("hit-template"),
        // the search page's note for readers without JavaScript
        "noscript" if n == 0 && what == "search.html" => Some("noscript"),
        _ => None,
    }
}

/// Every way the HTML page `what` could run or load something from the data.
pub fn html_problems(what: &str, html: &str) -> Vec<String> {
    let mut p = Vec::new();
    let mut opened_details = 0i64;
    let is_svg_file = what.ends_with(".svg");
    let mut skeleton: Vec<&'static str> = Vec::new();
    for t in tags(html) {
        if t.name == "details" {
            opened_details += if t.end { -1 } else { 1 };
        }
        if t.end {
            continue;
        }
        if let Some(key) = skeleton_key(what, &t).filter(|_| !is_svg_file) {
            if skeleton.contains(&key) {
                p.push(format!(
                    "{what}: a second <{}> like the page's own {key}",
                    t.name
                ));
            }
            skeleton.push(key);
            continue;
        }
        if FORBIDDEN.contains(&t.name.as_str()) {
            p.push(format!("{what}: <{}> element", t.name));
        }
        if t.name == "input"
            && !(t.attrs.iter().any(|(k, v)| k == "type" && v == "checkbox")
                && t.attrs.iter().any(|(k, _)| k == "disabled"))
        {
            p.push(format!("{what}: <input> that is not a disabled checkbox"));
        }
        if t.name == "style" && !is_svg_file {
            p.push(format!("{what}: <style> element"));
        }
        if t.name == "meta" {
            let ok = t.attrs.iter().any(|(k, _)| k == "charset")
                || t.attrs.iter().any(|(k, v)| k == "name" && v == "viewport")
                || t.attrs
                    .iter()
                    .any(|(k, v)| k == "http-equiv" && v == "Content-Security-Policy");
            if !ok {
                p.push(format!("{what}: <meta {:?}>", t.attrs));
            }
        }
        if t.name == "link"
            && !t
                .attrs
                .iter()
                .any(|(k, v)| k == "href" && v.ends_with("assets/style.css"))
        {
            p.push(format!("{what}: <link {:?}>", t.attrs));
        }
        for (k, v) in &t.attrs {
            if k.starts_with("on") {
                p.push(format!("{what}: event handler {k}={v:?} on <{}>", t.name));
            }
            if matches!(
                k.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href" | "data" | "poster"
            ) && dangerous_url(v)
            {
                p.push(format!("{what}: {k}={v:?} on <{}>", t.name));
            }
            if k == "style" {
                p.push(format!("{what}: inline style on <{}>", t.name));
            }
        }
    }
    if opened_details != 0 {
        p.push(format!(
            "{what}: <details> opened and closed {opened_details} times apart"
        ));
    }
    if what.ends_with(".html") {
        let csp = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">");
        let head = html.split("</head>").next().unwrap_or("");
        if head.matches(&csp).count() != 1 || html.matches("Content-Security-Policy").count() != 1 {
            p.push(format!(
                "{what}: not exactly one Content-Security-Policy in <head>"
            ));
        }
    }
    p
}

fn md_options() -> comrak::Options<'static> {
    let mut o = comrak::Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.front_matter_delimiter = Some("---".into());
    o
}

/// What a GFM viewer would show from the Markdown page `what` that did not come from
/// our templates: raw HTML other than `<details>`, `<summary>`, `<strong>` and `<br>`,
/// links and images to dangerous URLs, unbalanced `<details>`; and on pages that
/// render no Markdown from the data (all but session pages), any link that no template
/// makes (to another page, an anchor or the site URL).
pub fn markdown_problems(what: &str, md: &str) -> Vec<String> {
    let strict_links = !what.starts_with("sessions/")
        || what.contains("sessions/index")
        || what.contains("sessions/page-");
    use comrak::nodes::NodeValue;
    let arena = comrak::Arena::new();
    let opts = md_options();
    let root = comrak::parse_document(&arena, md, &opts);
    let mut p = Vec::new();
    let mut details = 0i64;
    for n in root.descendants() {
        let v = &n.data.borrow().value;
        let html = match v {
            NodeValue::HtmlBlock(h) => Some(h.literal.clone()),
            NodeValue::HtmlInline(s) => Some(s.clone()),
            _ => None,
        };
        if let Some(h) = html {
            // comrak's own separator between two adjacent lists
            let h = h.replace("<!-- end list -->", "");
            for t in tags(&h) {
                if !matches!(t.name.as_str(), "details" | "summary" | "br" | "strong")
                    || t.attrs.iter().any(|(k, _)| k != "open")
                {
                    p.push(format!(
                        "{what}: raw HTML {h:?} at line {}",
                        n.data.borrow().sourcepos.start.line
                    ));
                }
                if t.name == "details" {
                    details += if t.end { -1 } else { 1 };
                }
            }
            if h.contains("<!--") || h.contains("<!") || h.contains("<?") {
                p.push(format!("{what}: raw HTML {h:?}"));
            }
        }
        if let NodeValue::Link(l) | NodeValue::Image(l) = v {
            if dangerous_url(&l.url) {
                p.push(format!("{what}: link to {:?}", l.url));
            }
            let ours = !strict_links
                || l.url.starts_with('#')
                || l.url.starts_with("https://")
                || l.url.starts_with("http://")
                || (!l.url.contains(':')
                    && [".md", ".txt", ".svg", ".json", ".xml"]
                        .iter()
                        .any(|e| l.url.split('#').next().unwrap_or("").ends_with(e)));
            if !ours {
                p.push(format!(
                    "{what}: link to {:?} that no template makes",
                    l.url
                ));
            }
        }
        if let NodeValue::Table(_) = v {
            // CommonMark's line endings: \n, \r\n and a lone \r
            let normal = md.replace("\r\n", "\n").replace('\r', "\n");
            let lines: Vec<&str> = normal.split('\n').collect();
            let rows: Vec<&str> = n
                .children()
                .map(|r| lines[r.data.borrow().sourcepos.start.line - 1])
                .collect();
            let want = pipes(rows[0]);
            for l in &rows {
                if pipes(l) != want {
                    p.push(format!(
                        "{what}: table row with another number of cells: {l:?}"
                    ));
                }
            }
        }
        if let NodeValue::FrontMatter(f) = v
            && f.lines().filter(|l| l.starts_with("title:")).count() != 1
        {
            p.push(format!("{what}: front matter {f:?}"));
        }
    }
    if details != 0 {
        p.push(format!(
            "{what}: <details> opened and closed {details} times apart"
        ));
    }
    p
}

/// The pipes of a table row that are not backslash-escaped.
fn pipes(row: &str) -> usize {
    let mut n = 0;
    let mut chars = row.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => n += 1,
            _ => {}
        }
    }
    n
}

/// Problems of every page under `site`.
pub fn site_problems(site: &Path) -> Vec<String> {
    let mut p = Vec::new();
    for rel in super::files_under(site) {
        let path = site.join(&rel);
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        // (JSON keeps the data as it is, for machines)
        let pages = [".html", ".svg", ".md", ".xml"];
        if pages.iter().any(|e| rel.ends_with(e))
            && text.contains(|c| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        {
            p.push(format!(
                "{rel}: a bidi control character that reorders what follows"
            ));
        }
        if rel.ends_with(".html") || rel.ends_with(".svg") {
            p.extend(html_problems(
                &rel,
                &std::fs::read_to_string(&path).unwrap(),
            ));
        } else if rel.ends_with(".md") {
            p.extend(markdown_problems(
                &rel,
                &std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    p
}
