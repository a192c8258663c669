//! Hostile data, not markup: ids that try to leave the site or take another page's
//! file name, cells that break every assumption of the schema, orchestration tables
//! without rowid, and broken template overrides for session pages.

mod common;

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

fn read(p: impl AsRef<Path>) -> String {
    let p = p.as_ref();
    String::from_utf8(std::fs::read(p).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Ids that try to leave the output folder or take another page's file name.
fn path_ids() -> Vec<String> {
    let mut ids: Vec<String> = [
        "../escape",
        "../../../../tmp/osx-escape",
        "/etc/passwd",
        "a/b",
        "a\\b",
        "..\\..\\windows",
        "..",
        ".",
        "",
        " ",
        "a\0b",
        "\0",
        "é-ü-日本",
        "e\u{301}",
        "a b",
        "a-b",
        "A-B",
        "index",
        "INDEX",
        "page-2",
        "Page-3",
        "unattached-logs",
        "x",
        "x.html",
        "X.md",
        "CON",
        "nul.txt",
        "trailing.",
        ".hidden",
        "%2e%2e%2fescape",
        "file:///etc/passwd",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    ids.push("x".repeat(10_000));
    ids.push(format!("{}y", "x".repeat(9_999)));
    ids.push("é".repeat(5_000));
    ids
}

#[test]
fn ids_never_write_outside_the_site_nor_over_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let ids = path_ids();
    let db = dir.path().join("paths.db");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(&common::hostile::ddl()).unwrap();
    // no primary key on executions: repeated ids are possible
    c.execute_batch(
        "CREATE TABLE t AS SELECT * FROM orchestration_session_exec WHERE 0;
         DROP TABLE orchestration_session_exec;
         ALTER TABLE t RENAME TO orchestration_session_exec;",
    )
    .unwrap();
    // 400 ordinary sessions first, so the index has a page-2 and a page-3
    c.execute_batch(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 399)
         INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at)
         SELECT printf('F%03d', i), 'D', 'N', '1', '2025-01-01 00:00:00' FROM n;",
    )
    .unwrap();
    let long_output: String = (0..300).map(|i| format!("line {i}\n")).collect();
    for (k, id) in ids.iter().enumerate() {
        c.execute(
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at) VALUES (?1, 'D', 'N', '1', ?2)",
            rusqlite::params![id, format!("2026-01-01 00:00:{:02}", k % 60)],
        )
        .unwrap();
        // in each session, executions whose ids are all the hostile ids, each with an
        // output long enough to be cut and written to a file of its own
        for (j, eid) in ids.iter().enumerate().filter(|(j, _)| j % 7 == k % 7) {
            c.execute(
                "INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, output_text) VALUES (?1, 'shell', ?2, ?3, 0, ?4)",
                rusqlite::params![
                    format!("{eid}"),
                    id,
                    format!("echo S{k}E{j}"),
                    format!("OUTPUT S{k}E{j}\n{long_output}")
                ],
            )
            .unwrap();
        }
    }
    // repeated execution ids in one session, and one named like a repeat's anchor
    c.execute_batch(
        "INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, output_text)
         VALUES ('dup', 'shell', 'x', 'echo D1', 0, 'D1'), ('dup', 'shell', 'x', 'echo D2', 0, 'D2'),
                ('dup-dup2', 'shell', 'x', 'echo D3', 0, 'D3');",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(c);
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut outside = common::entries(dir.path());
    outside.sort();
    assert_eq!(
        outside,
        ["paths.db", "site"],
        "nothing written beside the site"
    );
    assert!(!Path::new("/tmp/osx-escape").exists());
    // every file name is short and portable
    let files = common::files_under(&out);
    for f in &files {
        for seg in f.split('/') {
            assert!(seg.len() <= 90, "{f}");
            assert!(
                seg.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
                "{f}"
            );
        }
    }
    // one page per session: each id is the heading of exactly one page
    let pages: Vec<&String> = files
        .iter()
        .filter(|f| {
            f.starts_with("sessions/")
                && f.ends_with(".html")
                && f.matches('/').count() == 1
                && f.as_str() != "sessions/index.html"
                && !f
                    .strip_prefix("sessions/page-")
                    .and_then(|r| r.strip_suffix(".html"))
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    assert_eq!(pages.len(), 400 + ids.len());
    let bodies: Vec<String> = pages.iter().map(|p| read(out.join(p))).collect();
    for (k, id) in ids.iter().enumerate() {
        let h1 = format!(
            "<h1 id=\"summary\">Session <code class=\"id\">{}</code></h1>",
            minijinja::HtmlEscape(id)
        );
        let n = bodies.iter().filter(|b| b.contains(&h1)).count();
        assert_eq!(
            n,
            1,
            "session {k} ({:?}) has {n} pages",
            id.chars().take(20).collect::<String>()
        );
        // each of its executions: its code on the page, its full output in its own file
        let page = bodies.iter().find(|b| b.contains(&h1)).unwrap();
        for j in (0..ids.len()).filter(|j| j % 7 == k % 7) {
            assert!(page.contains(&format!("echo S{k}E{j}")), "S{k}E{j}");
        }
    }
    let outputs: Vec<&String> = files
        .iter()
        .filter(|f| f.ends_with(".output.txt"))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for f in &outputs {
        let first = read(out.join(f)).lines().next().unwrap().to_string();
        assert!(seen.insert(first.clone()), "{first} in two files");
    }
    let want: usize = (0..ids.len())
        .map(|k| (0..ids.len()).filter(|j| j % 7 == k % 7).count())
        .sum();
    assert_eq!(outputs.len(), want, "one full-output file per cut output");
    // the three index pages are the index's, not a session's
    for p in [
        "sessions/index.html",
        "sessions/page-2.html",
        "sessions/page-3.html",
    ] {
        assert!(read(out.join(p)).contains("sessions"), "{p}");
    }
    // anchors are unique on every page, repeated ids and an id like a repeat's included
    for (p, b) in pages.iter().zip(&bodies) {
        let mut ids: Vec<&str> = b
            .split(" id=\"")
            .skip(1)
            .map(|r| &r[..r.find('"').unwrap()])
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "{p}: an anchor is used twice");
    }
    let x = read(out.join("sessions/x.html"));
    for a in ["exec-dup", "exec-dup-dup2", "exec-dup-dup3"] {
        assert!(x.contains(&format!(" id=\"{a}\"")), "{a}");
    }
}

/// An RSSD of an older surveilr: no NOT NULL, JSON columns checked with json_valid;
/// rows that break every assumption, inserted with the checks switched off.
const BROKEN_CELLS: &str = "
CREATE TABLE device (device_id TEXT PRIMARY KEY, name TEXT);
CREATE TABLE orchestration_nature (orchestration_nature_id TEXT PRIMARY KEY, nature TEXT);
CREATE TABLE orchestration_session (orchestration_session_id TEXT, device_id TEXT, orchestration_nature_id TEXT, version TEXT,
  orch_started_at TIMESTAMPTZ, orch_finished_at TIMESTAMPTZ,
  elaboration TEXT CHECK(json_valid(elaboration)), args_json TEXT CHECK(json_valid(args_json)),
  diagnostics_json TEXT CHECK(json_valid(diagnostics_json)), diagnostics_md TEXT);
CREATE TABLE orchestration_session_exec (orchestration_session_exec_id TEXT, exec_nature TEXT, session_id TEXT,
  session_entry_id TEXT, parent_exec_id TEXT, namespace TEXT, exec_identity TEXT, exec_code TEXT, exec_status INTEGER,
  input_text TEXT, exec_error_text TEXT, output_text TEXT, output_nature TEXT CHECK(json_valid(output_nature)),
  narrative_md TEXT, elaboration TEXT CHECK(json_valid(elaboration)));
CREATE TABLE orchestration_session_state (orchestration_session_state_id TEXT, session_id TEXT, session_entry_id TEXT,
  from_state TEXT, to_state TEXT, transition_result TEXT CHECK(json_valid(transition_result)), transition_reason TEXT,
  transitioned_at TIMESTAMPTZ, elaboration TEXT CHECK(json_valid(elaboration)));
CREATE TABLE orchestration_session_issue (orchestration_session_issue_id TEXT, session_id TEXT, session_entry_id TEXT,
  issue_type TEXT, issue_message TEXT, issue_row INTEGER, issue_column TEXT, invalid_value TEXT, remediation TEXT,
  elaboration TEXT CHECK(json_valid(elaboration)));
CREATE TABLE orchestration_session_issue_relation (orchestration_session_issue_relation_id TEXT, issue_id_prime TEXT,
  issue_id_rel TEXT, relationship_nature TEXT, elaboration TEXT);
CREATE TABLE orchestration_session_log (orchestration_session_log_id TEXT, category TEXT, parent_exec_id TEXT,
  content TEXT, sibling_order INTEGER, elaboration TEXT CHECK(json_valid(elaboration)));
PRAGMA ignore_check_constraints = 1;
INSERT INTO orchestration_session VALUES
  ('S-OK', 'D', 'N', '1', '2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z', NULL, '{\"a\":1}', NULL, 'all *fine*'),
  ('S-BAD', NULL, NULL, NULL, 1767225600, 1767225660000, X'DEADBEEF', '{\"a\":', 'not json', CAST(X'6F6BFF21' AS TEXT)),
  ('S-TIME', 'D', 'N', '1', 'yesterday-ish', '2026-01-01 00:00:00.5+02:00', NULL, NULL, NULL, NULL),
  ('S-FAR', 'D', 'N', '1', 1e300, -1e300, NULL, NULL, NULL, NULL),
  (NULL, 'D', 'N', '1', NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO orchestration_session_exec VALUES
  ('OK-1', 'shell', 'S-OK', NULL, NULL, NULL, NULL, 'echo fine', 0, NULL, NULL, 'fine', NULL, NULL, NULL),
  ('E-UTF8', 'shell', 'S-BAD', NULL, NULL, NULL, NULL, 'printf', 0, NULL, NULL, CAST(X'6F6BFF0A' AS TEXT), NULL, NULL, NULL),
  ('E-BLOB', 'shell', 'S-BAD', NULL, NULL, NULL, NULL, 'cat', 0, CAST('hello' AS BLOB), NULL, X'00FF10', NULL, NULL, NULL),
  ('E-NULL', NULL, 'S-BAD', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  ('E-JSON', 'shell', 'S-BAD', 'NO-ENTRY', 'GHOST', NULL, NULL, 'true', 3.5, NULL, NULL, NULL, 'not json', NULL, '{bad'),
  (NULL, 'shell', 'S-BAD', NULL, NULL, NULL, NULL, 'no id', 0, NULL, NULL, NULL, NULL, NULL, NULL),
  ('E-NOSESSION', 'shell', NULL, NULL, NULL, NULL, NULL, 'lost', 0, NULL, NULL, NULL, NULL, NULL, NULL),
  ('E-INTSESSION', 'shell', 42, NULL, NULL, NULL, NULL, 'int session', 0, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO orchestration_session_state VALUES
  ('ST-1', 'S-BAD', NULL, NULL, NULL, 'oops', NULL, 'garbage time', NULL),
  ('ST-2', 'S-BAD', NULL, 'a', 'surveilr_orch_failed', NULL, NULL, 12345.678, NULL);
INSERT INTO orchestration_session_issue VALUES
  ('I-1', 'S-BAD', 'NO-ENTRY', NULL, NULL, 'abc', NULL, X'FF01', NULL, '{');
INSERT INTO orchestration_session_issue_relation VALUES
  ('R-1', 'I-1', 'NO-ISSUE', 'caused', NULL),
  ('R-2', 'NO-ISSUE', 'I-1', 'caused', NULL);
INSERT INTO orchestration_session_log VALUES
  ('L-1', NULL, 'E-UTF8', CAST(X'FF' AS TEXT), 'first', 'nope'),
  ('L-2', 'x', 'NOWHERE', 'dangling', NULL, NULL);
";

#[test]
fn broken_cells_are_shown_and_flagged_where_they_occur() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_from_sql(dir.path(), "cells", BROKEN_CELLS);
    let out = match std::env::var_os("OSX_HOSTILE_KEEP") {
        Some(k) => PathBuf::from(k),
        None => dir.path().join("site"),
    };
    let o = build(&db, &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let bad = read(out.join("sessions/S-BAD.html"));
    let bad_md = read(out.join("sessions/S-BAD.md"));
    // each problem is listed on the page, links to where it is, and is on stderr
    for (anchor, what) in [
        (
            "summary",
            "device_id is NULL but surveilr declares it NOT NULL",
        ),
        ("exec-E-UTF8", "output_text is not valid UTF-8"),
        ("exec-E-BLOB", "output_text is a binary BLOB of 3 bytes"),
        (
            "exec-E-BLOB",
            "input_text is stored as a BLOB of UTF-8 text",
        ),
        (
            "exec-E-NULL",
            "exec_code is NULL but surveilr declares it NOT NULL",
        ),
        ("exec-E-NULL", "exec_status is NULL"),
        ("exec-E-JSON", "output_nature is not valid JSON"),
        ("exec-E-JSON", "elaboration is not valid JSON"),
        ("exec-E-JSON", "&#x27;GHOST&#x27; does not exist"),
        ("timeline", "transitioned_at is not a timestamp"),
        ("timeline", "transition_result is not valid JSON"),
        ("timeline", "from_state is NULL"),
        ("issue-I-1", "issue_type is NULL"),
        ("issue-I-1", "invalid_value is a binary BLOB of 2 bytes"),
        ("issue-I-1", "elaboration is not valid JSON"),
        ("execution-tree", "content is not valid UTF-8"),
    ] {
        let item = format!("<li><a href=\"#{anchor}\">");
        let listed = bad
            .split(&item)
            .skip(1)
            .any(|rest| rest[..rest.find("</a>").unwrap()].contains(what));
        assert!(listed, "{what} not listed under #{anchor}");
        assert!(
            bad.contains(&format!("id=\"{anchor}\"")),
            "#{anchor} exists"
        );
        let plain = what.replace("&#x27;", "'");
        assert!(err.contains(&plain), "stderr lacks {plain}");
        assert!(bad_md.contains(&plain), "Markdown lacks {plain}");
    }
    // the values themselves are shown as well as they can be
    assert!(
        bad.contains("ok\u{fffd}"),
        "replacement character for the bad byte"
    );
    assert!(
        bad.contains("x&#39;00ff10&#39;"),
        "hex excerpt of the binary BLOB"
    );
    assert!(bad.contains("hello"), "UTF-8 BLOB shown as text");
    assert!(
        bad.contains("exec_status = <code>NULL</code>"),
        "raw NULL status"
    );
    assert!(
        bad.contains("id=\"exec-NULL-id-rowid-6"),
        "execution without id kept: {}",
        bad.contains("NULL id")
    );
    // epoch seconds and milliseconds are times; the final state is read from ST-2
    assert!(bad.contains("2026-01-01 00:00:00"), "epoch seconds");
    assert!(
        bad.contains("took 1.0 min") || bad.contains("took 1 min 0 s"),
        "epoch ms"
    );
    // garbage and out-of-range times are shown raw and flagged, never crash
    let time = read(out.join("sessions/S-TIME.html"));
    assert!(time.contains("yesterday-ish") && time.contains("orch_started_at is not a timestamp"));
    let far = read(out.join("sessions/S-FAR.html"));
    assert!(far.contains("orch_started_at is not a timestamp"), "1e300");
    // dangling references: a session id that is NULL or a number, an issue relation
    // to nothing, a log under nothing
    let index = read(out.join("sessions/index.html"));
    assert!(
        index.contains("(no session_id)") && index.contains(">42<"),
        "stand-ins"
    );
    assert!(err.contains("name an issue that does not exist"), "{err}");
    assert!(
        index.contains("1 log rows") || read(out.join("sessions/index.md")).contains("1 log rows")
    );
    // the clean session is intact and unflagged
    let ok = read(out.join("sessions/S-OK.html"));
    assert!(!ok.contains("Problems in the records"));
    assert!(ok.contains("<em>fine</em>") && ok.contains("echo fine"));
    assert!(common::inspect::site_problems(&out).is_empty());
}

/// A template override that is broken in `broken`, placed as `name` in a template folder.
fn build_with_template(name: &str, broken: &str) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    common::hostile::hostile_db(dir.path());
    let tpl = dir.path().join("tpl");
    let path = tpl.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, broken).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_osx-report"))
        .current_dir(dir.path())
        .args(["build", "hostile.db", "--out", "site", "--templates", "tpl"])
        .output()
        .unwrap();
    (o, dir)
}

#[test]
fn broken_session_templates_fail_with_name_line_and_excerpt() {
    for (name, text, line, excerpt, what) in [
        (
            "html/sessions/session.html",
            "{% extends \"html/base.html\" %}{% block title %}t{% endblock %}\n{% block content %}\n{% for n in execs %}\n{{ n.nope }}\n{% endfor %}\n{% endblock %}\n",
            4,
            "{{ n.nope }}",
            "undefined value",
        ),
        (
            "html/sessions/session.html",
            "{% extends \"html/base.html\" %}{% block title %}t{% endblock %}\n{% block content %}\n{% for n in execs %}{% if n.opne %}x{% endif %}{% endfor %}\n{% endblock %}\n",
            3,
            "{% if n.opne %}",
            "undefined value",
        ),
        (
            "md/sessions/session.md",
            "# {{ session.id }}\n\n{{ session.nmae }}\n",
            3,
            "{{ session.nmae }}",
            "undefined value",
        ),
        (
            "md/sessions/session.md",
            "# {{ session.id }}\n{% for n in execs %}\n{{ n.id }\n",
            3,
            "{{ n.id }",
            "syntax error",
        ),
        (
            "html/sessions/index.html",
            "{% extends \"html/base.html\" %}{% block title %}t{% endblock %}\n{% block content %}{% for r in rows %}{{ r.started_at }}{% endfor %}{% endblock %}\n",
            2,
            "r.started_at",
            "undefined value",
        ),
        (
            "html/base.html",
            "<!doctype html>\n<title>{{ site.titel }}</title>\n{% block content %}{% endblock %}\n",
            2,
            "{{ site.titel }}",
            "undefined value",
        ),
    ] {
        let (o, dir) = build_with_template(name, text);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(what), "{name}: says {what}: {err}");
        assert!(
            err.contains(&format!("{name}:{line}")),
            "{name}: names line {line}: {err}"
        );
        assert!(err.contains(excerpt), "{name}: shows the line: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(
            common::entries(dir.path()),
            ["hostile.db", "tpl"],
            "{name}: nothing written"
        );
    }
}

#[test]
fn tables_without_rowid_and_views_are_read() {
    // a hostile RSSD may declare the orchestration tables WITHOUT ROWID, or make them
    // views: rows are then taken in primary-key (or column) order
    let dir = tempfile::tempdir().unwrap();
    let ddl = common::hostile::ddl()
        .replace(
            "    narrative_md TEXT,\n    elaboration TEXT\n);",
            "    narrative_md TEXT,\n    elaboration TEXT\n) WITHOUT ROWID;",
        )
        .replace(
            "CREATE TABLE orchestration_session (",
            "CREATE TABLE sessions_table (",
        );
    assert!(ddl.contains("WITHOUT ROWID"));
    let sql = format!(
        "{ddl}
        CREATE VIEW orchestration_session AS SELECT * FROM sessions_table;
        INSERT INTO sessions_table (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at)
        VALUES ('S1', 'D', 'N', '1', '2026-01-02 00:00:00'), ('S2', 'D', 'N', '1', '2026-01-01 00:00:00');
        INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, parent_exec_id, exec_code, exec_status)
        VALUES ('B', 'shell', 'S1', NULL, 'echo b', 0), ('A', 'shell', 'S2', NULL, 'echo a', 0),
               ('C', 'shell', 'S1', 'B', 'echo c', 1), ('D', 'shell', 'S9', NULL, 'echo d', 0);"
    );
    let db = common::db_from_sql(dir.path(), "norowid", &sql);
    let out = dir.path().join("site");
    let o = build(&db, &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s1 = read(out.join("sessions/S1.html"));
    assert!(s1.contains("id=\"exec-B\"") && s1.contains("id=\"exec-C\""));
    assert!(!s1.contains("id=\"exec-A\""));
    assert!(s1.contains("1 below"), "C nested under B");
    assert!(read(out.join("sessions/S2.html")).contains("id=\"exec-A\""));
    assert!(read(out.join("sessions/S9.html")).contains("id=\"exec-D\""));
}
