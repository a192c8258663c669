//! Hostile input: an adversarial RSSD built by code (`tests/common/hostile.rs`).

mod common;

use common::hostile::{PAYLOADS, TEMPLATE_RESULT};
use common::inspect::{html_problems, markdown_problems, site_problems};

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn build(db: &Path, out: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_osx-report"))
        .arg("build")
        .arg(db)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// The site of the hostile RSSD; kept in `$OSX_HOSTILE_KEEP` when set, for a look.
fn hostile_site() -> (tempfile::TempDir, PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let db = common::hostile::hostile_db(dir.path());
    let out = match std::env::var_os("OSX_HOSTILE_KEEP") {
        Some(k) => PathBuf::from(k),
        None => dir.path().join("site"),
    };
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, out, o)
}

fn read(p: impl AsRef<Path>) -> String {
    let p = p.as_ref();
    String::from_utf8(std::fs::read(p).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn the_checks_see_markup_when_there_is_some() {
    // The page checks below prove something only if they catch what they look for.
    let bad_html = [
        "<p><script>alert(1)</script></p>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)></svg>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=' JaVa&#x53;cript:alert(1)'>x</a>",
        "<iframe src=x></iframe>",
        "<details><summary>x</summary>",
        "<p style=\"color:red\">x</p>",
    ];
    for h in bad_html {
        assert!(!html_problems("x.svg", h).is_empty(), "{h}");
    }
    assert!(!html_problems("x.html", "<html><head></head></html>").is_empty());
    let bad_md = [
        "[x](javascript:alert(1))",
        "![x](data:text/html,x)",
        "a <script>alert(1)</script>",
        "<iframe>\n",
        "| a | b |\n| - | - |\n| 1 | 2 | 3 |\n",
        "<details>\n\nx\n",
    ];
    for m in bad_md {
        assert!(!markdown_problems("sessions/x.md", m).is_empty(), "{m}");
    }
    assert!(!markdown_problems("index.md", "[x](gopher:evil)").is_empty());
    assert!(markdown_problems("sessions/x.md", "[x](other.md) `<b>` \\<b\\>").is_empty());
}

#[test]
fn no_markup_from_the_data_reaches_any_page() {
    let (_dir, out, _o) = hostile_site();
    let problems = site_problems(&out);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // every kind of page was checked
    let files = common::files_under(&out);
    for kind in [
        "index.html",
        "index.md",
        "sessions/index.html",
        "sessions/S-XSS.html",
        "sessions/S-XSS.md",
        "schema/index.html",
        "schema/orchestration_session_exec.html",
        "schema/orchestration_session_exec.svg",
        "schema/README.md",
        "ci/summary.md",
    ] {
        assert!(files.iter().any(|f| f == kind), "{kind} not built");
    }
    assert!(
        files.len() > 2 * PAYLOADS.len(),
        "a page per hostile session"
    );
    // template syntax in the data was never evaluated
    for f in &files {
        let bytes = std::fs::read(out.join(f)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(TEMPLATE_RESULT),
            "{f}: a template in the data ran"
        );
    }
}

#[test]
fn every_payload_shows_as_text() {
    let (_dir, out, _o) = hostile_site();
    let html = read(out.join("sessions/S-XSS.html"));
    let md = read(out.join("sessions/S-XSS.md"));
    for needle in [
        "&lt;script&gt;alert(&#x27;xss-script&#x27;)&lt;&#x2f;script&gt;",
        "&lt;svg onload=alert(&#x27;xss-svg&#x27;)&gt;",
        "&lt;&#x2f;details&gt;&lt;&#x2f;summary&gt;",
        "{{ 12345 * 6789 }} {% if true %}TEMPLATE-RAN{% endif %}",
        "[click](javascript:alert(&#x27;xss-mdlink&#x27;))",
    ] {
        assert!(html.contains(needle), "HTML lacks {needle}");
    }
    for needle in [
        "\\<script\\>alert('xss-script')\\</script\\>",
        "\\[click\\]\\(javascript:alert('xss-mdlink'))",
        "{{ 12345 \\* 6789 }}",
    ] {
        assert!(md.contains(needle), "Markdown lacks {needle}");
    }
    // every execution of the session is on its page, nesting intact
    assert_eq!(
        html.matches("<details class=\"exec").count(),
        PAYLOADS.len() + 1
    );
}

#[test]
fn ci_files_stay_well_formed() {
    let (_dir, out, _o) = hostile_site();
    let junit = read(out.join("ci/junit.xml"));
    let doc = roxmltree::Document::parse(&junit).expect("junit.xml parses");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    assert!(cases >= 2 * PAYLOADS.len(), "{cases} test cases");
    let report: serde_json::Value =
        serde_json::from_str(&read(out.join("ci/report.json"))).expect("report.json parses");
    assert!(report["sessions"].as_array().unwrap().len() > PAYLOADS.len());
}
