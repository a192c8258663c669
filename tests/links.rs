//! The link checker: builds the example site and follows every local `href` and `src`
//! of every HTML and SVG file, and every result link of the search index: the file must
//! exist inside the site, and a `#fragment` must name an `id` in it. Also checks that
//! the HTML keeps to its Content-Security-Policy (no inline script or style).

mod common;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Component, Path, PathBuf};

use assert_cmd::Command;

fn build_example(out: &Path, config: Option<&Path>) {
    let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("site-example/example.sqlite.db");
    let mut cmd = Command::cargo_bin("osx-report").unwrap();
    cmd.arg("build")
        .arg(&db)
        .arg("--out")
        .arg(out)
        .arg("--quiet");
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    cmd.assert().success();
}

/// Decodes the character references minijinja and comrak write.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") || entity.starts_with("#X") => {
                u32::from_str_radix(&entity[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Values of the attribute `name` (`href`, `src`, `id`...) in a document, decoded.
fn attributes(text: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['"', '\''] {
        let pat = format!("{name}={quote}");
        let mut from = 0;
        while let Some(i) = text[from..].find(&pat) {
            let start = from + i + pat.len();
            let before = text[..from + i].chars().last();
            from = start;
            // a whole attribute name: preceded by space (or `:` for xlink:href)
            if !matches!(before, Some(' ' | '\n' | '\t' | ':')) {
                continue;
            }
            if let Some(end) = text[start..].find(quote) {
                out.push(unescape(&text[start..start + end]));
            }
        }
    }
    out
}

/// Joins a relative URL path to the folder of `from`; `None` when it leaves the site.
fn resolve(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<String> = from.split('/').map(String::from).collect();
    parts.pop();
    for c in Path::new(rel).components() {
        match c {
            Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

struct Site {
    root: PathBuf,
    ids: HashMap<String, BTreeSet<String>>,
}

impl Site {
    fn ids(&mut self, file: &str) -> &BTreeSet<String> {
        let root = &self.root;
        self.ids.entry(file.to_string()).or_insert_with(|| {
            let text = fs::read_to_string(root.join(file)).unwrap_or_default();
            attributes(&text, "id").into_iter().collect()
        })
    }

    /// Checks one link found in `from`; returns a problem, if any.
    fn check(&mut self, from: &str, url: &str) -> Option<String> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("javascript:") || lower.starts_with("vbscript:") {
            return Some(format!("{from}: script URL {url:?}"));
        }
        if url.contains("://") || lower.starts_with("mailto:") || lower.starts_with("data:") {
            return None;
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (url, None),
        };
        let path = path.split('?').next().unwrap_or("");
        let target = if path.is_empty() {
            from.to_string()
        } else {
            match resolve(from, &percent_decode(path)) {
                Some(t) => t,
                None => return Some(format!("{from}: {url:?} leaves the site")),
            }
        };
        if !self.root.join(&target).is_file() {
            return Some(format!("{from}: {url:?} -> {target} does not exist"));
        }
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
            let id = percent_decode(f);
            if !self.ids(&target).contains(&id) {
                return Some(format!("{from}: {url:?} -> no id {id:?} in {target}"));
            }
        }
        None
    }
}

#[test]
fn every_local_link_and_anchor_of_the_example_site_exists() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build_example(&out, None);
    check_site(&out);
}

/// Sessions split into part pages of 2 executions: links between parts, the failed
/// list, problems, entries and search results must land on the right part.
#[test]
fn links_hold_across_the_part_pages_of_long_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let config = dir.path().join("osx-report.toml");
    fs::write(&config, "[sessions]\npage_execs = 2\n").unwrap();
    build_example(&out, Some(&config));
    let parts = common::files_under(&out)
        .into_iter()
        .filter(|f| f.contains("/part-") && f.ends_with(".html"))
        .count();
    assert!(
        parts >= 5,
        "only {parts} part pages: is page_execs applied?"
    );
    check_site(&out);
}

fn check_site(out: &Path) {
    let mut site = Site {
        root: out.to_path_buf(),
        ids: HashMap::new(),
    };
    let mut problems = Vec::new();
    let mut checked = 0;
    let files = common::files_under(out);
    for file in &files {
        if !(file.ends_with(".html") || file.ends_with(".svg")) {
            continue;
        }
        let text = fs::read_to_string(out.join(file)).unwrap();
        if file.ends_with(".html") {
            if text.contains(" style=\"") || text.contains("<style") {
                problems.push(format!("{file}: inline style (the CSP forbids it)"));
            }
            let scripts = text.matches("<script").count();
            let with_src = text.matches("<script src=").count();
            if scripts != with_src {
                problems.push(format!("{file}: inline script (the CSP forbids it)"));
            }
        }
        for name in ["href", "src"] {
            for url in attributes(&text, name) {
                checked += 1;
                if let Some(p) = site.check(file, &url) {
                    problems.push(p);
                }
            }
        }
    }
    // every search result lands on its page and anchor
    let mut results = 0;
    for file in files.iter().filter(|f| f.starts_with("search/d/")) {
        let text = fs::read_to_string(out.join(file)).unwrap();
        let json = text
            .trim_end()
            .strip_suffix(");")
            .and_then(|t| t.split_once(',').map(|(_, j)| j))
            .unwrap_or_else(|| panic!("{file}: not osxSearch.d(n, ...);"));
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        let pages = v["p"].as_array().unwrap();
        for d in v["d"].as_array().unwrap() {
            let page = pages[d[1].as_u64().unwrap() as usize][0].as_str().unwrap();
            let anchor = d[2].as_str().unwrap();
            let url = if anchor.is_empty() {
                page.to_string()
            } else {
                format!("{page}#{anchor}")
            };
            results += 1;
            if let Some(p) = site.check("index.html", &url) {
                problems.push(format!("search result: {p}"));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        checked > 500,
        "only {checked} links found: is the scanner broken?"
    );
    assert!(results > 100, "only {results} search results checked");
}

#[test]
fn the_checker_sees_broken_links() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("a")).unwrap();
    fs::write(dir.path().join("a/p.html"), "<p id=\"x&amp;y\">").unwrap();
    fs::write(dir.path().join("q.html"), "").unwrap();
    let mut site = Site {
        root: dir.path().to_path_buf(),
        ids: HashMap::new(),
    };
    assert_eq!(site.check("a/p.html", "#x%26y"), None);
    assert_eq!(site.check("a/p.html", "../q.html"), None);
    assert_eq!(site.check("a/p.html", "https://example.com/x"), None);
    assert!(site.check("a/p.html", "#nope").is_some());
    assert!(site.check("a/p.html", "p.html#nope").is_some());
    assert!(site.check("a/p.html", "missing.html").is_some());
    assert!(site.check("a/p.html", "../../outside.html").is_some());
    assert!(site.check("a/p.html", "javascript:alert(1)").is_some());
    assert_eq!(
        attributes("<a href=\"a&#x2f;b.html#c\"> <a data-href=\"no\">", "href"),
        ["a/b.html#c"]
    );
}
