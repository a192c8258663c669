//! Execution narratives end to end: fixtures of our own built into SQLite files, the
//! binary run on them, and the pages checked (and the Markdown snapshotted).

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn make_db(dir: &Path, name: &str, sql: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    for s in sql {
        conn.execute_batch(s).unwrap();
    }
    path
}

fn build(db: &Path, out: &Path) -> Output {
    Command::cargo_bin("osx-report")
        .unwrap()
        .arg("build")
        .arg(db)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Markdown with table padding removed, so rows can be matched.
fn squash(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut space = false;
    for c in md.chars() {
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

fn broken_site() -> (tempfile::TempDir, PathBuf, Output) {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(
        dir.path(),
        "broken.db",
        &[
            &fixture("sessions-ddl.sql"),
            &fixture("sessions-broken-trees.sql"),
        ],
    );
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, out, o)
}

#[test]
fn every_execution_of_a_broken_tree_appears_exactly_once() {
    let (_dir, out, o) = broken_site();
    let page = read(out.join("sessions/S-BROKEN.html"));
    for id in [
        "ROOT",
        "CHILD",
        "CYC-A",
        "CYC-B",
        "SELF",
        "ORPHAN",
        "FOREIGN-CHILD",
    ] {
        let n = page.matches(&format!("id=\"exec-{id}\"")).count();
        assert_eq!(n, 1, "{id} appears {n} times");
    }
    assert!(!page.contains("id=\"exec-OTHER-ROOT\""));
    // each broken link is explained on the page ...
    assert!(page.contains("a cycle"), "cycle not marked");
    assert!(page.contains("its parent_exec_id is its own id"));
    assert!(
        page.contains("&#x27;NOT-THERE&#x27; does not exist")
            || page.contains("'NOT-THERE' does not exist")
    );
    assert!(page.contains("belongs to another session"));
    // ... and on stderr
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("session 'S-BROKEN'") && err.contains("cycle"),
        "{err}"
    );
    // the markdown twin too
    let md = squash(&read(out.join("sessions/S-BROKEN.md")));
    for id in [
        "ROOT",
        "CHILD",
        "CYC-A",
        "CYC-B",
        "SELF",
        "ORPHAN",
        "FOREIGN-CHILD",
    ] {
        assert_eq!(
            md.matches(&format!("Id {id} ·")).count(),
            1,
            "{id} in Markdown"
        );
    }
    // <details> blocks are balanced
    assert_eq!(
        md.matches("<details").count(),
        md.matches("</details>").count()
    );
    assert_eq!(
        page.matches("<details").count(),
        page.matches("</details>").count()
    );
}

#[test]
fn rows_of_unknown_sessions_are_shown_not_lost() {
    let (_dir, out, o) = broken_site();
    let index = read(out.join("sessions/index.html"));
    assert!(index.contains("S-MISSING"), "stand-in session listed");
    let page = read(out.join("sessions/S-MISSING.html"));
    assert!(page.contains("id=\"exec-LOST-1\""));
    assert!(page.contains("no row in orchestration_session has this id"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("S-MISSING"));
    assert!(
        index.contains("1 log rows lead to no execution"),
        "unattached log counted"
    );
}

#[test]
fn status_is_normalised_and_raw_value_shown() {
    let (_dir, out, _) = broken_site();
    let page = read(out.join("sessions/S-BROKEN.html"));
    let section = |id: &str| {
        let start = page.find(&format!("id=\"exec-{id}\"")).unwrap();
        page[start..(start + 2500).min(page.len())].to_string()
    };
    assert!(section("ORPHAN").contains("badge-success"));
    assert!(section("ORPHAN").contains("exec_status = <code>&#x27;SUCCESS&#x27;</code>"));
    assert!(section("FOREIGN-CHILD").contains("badge-unknown"));
    assert!(section("FOREIGN-CHILD").contains("exec_status = <code>&#x27;weird&#x27;</code>"));
    assert!(section("CYC-B").contains("badge-failure"));
    assert!(section("CYC-B").contains("exec_status = <code>1</code>"));
    // failed branches are open, passing ones collapsed
    assert!(page.contains("id=\"exec-CYC-B\" open") || page.contains("id=\"exec-CYC-A\" open"));
    assert!(!page.contains("id=\"exec-ROOT\" open"));
}

#[test]
fn logs_nest_under_their_execution() {
    let (_dir, out, _) = broken_site();
    let md = read(out.join("sessions/S-BROKEN.md"));
    let md = squash(&md);
    let child = md.find("Id CHILD ·").unwrap();
    let logs = &md[child..];
    let a = logs.find("- info: child says hi").unwrap();
    let b = logs.find(" - debug: nested under L1").unwrap();
    assert!(a < b);
}

#[test]
fn broken_tree_markdown_snapshot() {
    let (_dir, out, _) = broken_site();
    insta::assert_snapshot!("broken_session_md", read(out.join("sessions/S-BROKEN.md")));
    insta::assert_snapshot!("broken_index_md", read(out.join("sessions/index.md")));
}

#[test]
fn an_rssd_without_orchestration_tables_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(
        dir.path(),
        "old.db",
        &["CREATE TABLE uniform_resource (id TEXT PRIMARY KEY, uri TEXT);"],
    );
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(read(out.join("sessions/index.html")).contains("No sessions recorded"));
    assert!(read(out.join("sessions/index.md")).contains("No sessions recorded"));
    assert!(out.join("schema/uniform_resource.md").exists());
}

#[test]
fn older_rssds_with_fewer_columns_still_build() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(
        dir.path(),
        "older.db",
        &["CREATE TABLE orchestration_session (orchestration_session_id TEXT PRIMARY KEY, orch_started_at TEXT);
           CREATE TABLE orchestration_session_exec (orchestration_session_exec_id TEXT PRIMARY KEY, session_id TEXT, exec_code TEXT, exec_status INTEGER);
           INSERT INTO orchestration_session VALUES ('S1', '2025-05-05T05:05:05Z');
           INSERT INTO orchestration_session_exec VALUES ('E1', 'S1', 'SELECT 1', 0), ('E2', 'S1', 'SELECT x', 1);"],
    );
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = read(out.join("sessions/S1.html"));
    assert!(page.contains("id=\"exec-E1\"") && page.contains("id=\"exec-E2\""));
    assert!(page.contains("2025-05-05 05:05:05"));
}

#[test]
fn a_chain_100000_deep_builds() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(
        dir.path(),
        "deep.db",
        &[
            &fixture("sessions-ddl.sql"),
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at) VALUES ('DEEP', 'D', 'N', '1', '2026-01-01 00:00:00');
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
             INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, parent_exec_id, exec_code, exec_status)
             SELECT 'E' || i, 'shell', 'DEEP', CASE WHEN i = 1 THEN NULL ELSE 'E' || (i - 1) END, 'step ' || i, CASE WHEN i = 100000 THEN 1 ELSE 0 END FROM c;",
        ],
    );
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = read(out.join("sessions/DEEP.html"));
    // split into pages of 1,000 executions, each balanced, all of them there once
    let mut total = 0;
    let mut pages = vec![page];
    for n in 2..=100 {
        pages.push(read(out.join(format!("sessions/DEEP/part-{n}.html"))));
    }
    assert!(!out.join("sessions/DEEP/part-101.html").exists());
    for p in &pages {
        let n = p.matches("<details class=\"exec").count();
        assert_eq!(n, 1000);
        total += n;
        assert_eq!(
            p.matches("<details").count(),
            p.matches("</details>").count()
        );
        assert_eq!(
            p.matches("<div class=\"children\">").count(),
            p.matches("</div></details>").count()
        );
    }
    assert_eq!(total, 100_000);
    assert!(
        pages[99].contains("depth 99999"),
        "true depth shown beyond the nesting cap"
    );
    // the failure at the very end is listed on the first page, linked to its part
    assert!(
        pages[0].contains("part-100.html#exec-E100000\""),
        "failed execution linked across parts"
    );
    assert!(pages[50].contains("executions 50,001–51,000 of 100,000"));
    // the first execution of a part names its parent on the part before
    assert!(
        pages[1].contains("under <a href=\"..&#x2f;DEEP.html#exec-E1000\">"),
        "parent on another part linked"
    );
    assert_eq!(pages[1].matches(" · under <a").count(), 1);
}

#[test]
fn example_pages_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(
        dir.path(),
        "example.sqlite.db",
        &[&read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("site-example/example.sql"),
        )],
    );
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for page in [
        "index.md",
        "sessions/index.md",
        "sessions/ORCHSESSID-VV-1.md",
        "sessions/ORCHSESSID-CSV-FAIL.md",
        "sessions/ORCHSESSID-RUNNING.md",
        "sessions/ORCHSESSID-CSV-FAIL.html",
        "sessions/index.html",
    ] {
        let name = format!("example_{}", page.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, read(out.join(page)));
    }
    // a cut output links a file that holds all of it
    let shell = read(out.join("sessions/ORCHSESSID-SHELL-1.md"));
    assert!(shell.contains("500 lines / 35461 bytes hidden of 600 lines"));
    let full = read(out.join("sessions/ORCHSESSID-SHELL-1/EXEC-SH-2-1-1.output.txt"));
    assert_eq!(full.lines().count(), 600);
    // ANSI: coloured in HTML, stripped in Markdown
    let html = read(out.join("sessions/ORCHSESSID-SHELL-1.html"));
    assert!(html.contains("<span class=\"ansi-fg2\">ok</span>"));
    assert!(!shell.contains('\u{1b}'));
    // narratives are sanitised
    assert!(!html.contains("<script>alert"));
    assert!(html.contains("&lt;script&gt;alert"));
}

#[test]
fn session_ids_become_safe_unique_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(2000);
    let ids = [
        "../escape",
        "a/b",
        "a\\b",
        "é-ü",
        "a b",
        "a-b",
        "A-B",
        ".",
        "..",
        long.as_str(),
    ];
    let mut sql = fixture("sessions-ddl.sql");
    for (i, id) in ids.iter().enumerate() {
        let q = id.replace('\'', "''");
        sql.push_str(&format!(
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at) VALUES ('{q}', 'D', 'N', '1', '2026-01-0{} 00:00:00');
             INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status) VALUES ('E{i}', 'shell', '{q}', 'echo {i}', 0);\n",
            i % 9 + 1
        ));
    }
    let db = make_db(dir.path(), "ids.db", &[&sql]);
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // nothing was written outside the site
    let mut outside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    outside.sort();
    assert_eq!(outside, ["ids.db", "site"]);
    // one page per session, each naming its own execution, names short
    let pages: Vec<PathBuf> = std::fs::read_dir(out.join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html") && !p.ends_with("index.html"))
        .collect();
    assert_eq!(pages.len(), ids.len());
    for p in &pages {
        assert!(p.file_name().unwrap().len() <= 70, "{}", p.display());
    }
    for i in 0..ids.len() {
        let n = pages
            .iter()
            .filter(|p| read(p).contains(&format!("id=\"exec-E{i}\"")))
            .count();
        assert_eq!(n, 1, "execution E{i} on exactly one page");
    }
}

#[test]
fn an_output_too_large_to_load_is_copied_to_its_file_in_pieces() {
    let dir = tempfile::tempdir().unwrap();
    // 20 MB of lines: over the 8 MB a value may have to be loaded whole
    let db = make_db(
        dir.path(),
        "big.db",
        &[
            &fixture("sessions-ddl.sql"),
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at) VALUES ('BIG', 'D', 'N', '1', '2026-01-01 00:00:00');
             INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, output_text)
               VALUES ('E1', 'shell', 'BIG', 'yes', 0, 'first line' || char(10) || replace(hex(zeroblob(2500000)), '0000', 'middle line ' || char(10)) || 'last line');",
        ],
    );
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let full = std::fs::read(out.join("sessions/BIG/E1.output.txt")).unwrap();
    assert_eq!(full.len(), 11 + 1_250_000 * 13 + 9);
    assert!(full.starts_with(b"first line\nmiddle line \n"));
    assert!(full.ends_with(b"middle line \nlast line"));
    let page = read(out.join("sessions/BIG.html"));
    assert!(
        page.contains("of 1250002 lines / 16250020 bytes"),
        "counts of the whole value"
    );
    assert!(page.contains("first line") && page.contains("last line"));
    let md = read(out.join("sessions/BIG.md"));
    assert!(md.contains("[full text](BIG/E1.output.txt)"));
}
