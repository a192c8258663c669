//! CI run reports: exit codes, session selection, the summary's byte budget, JUnit XML
//! that parses, and the JSON report, on fixtures of our own.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn make_db(dir: &Path, sql: &[&str]) -> PathBuf {
    let path = dir.join("rssd.sqlite.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    for s in sql {
        conn.execute_batch(s).unwrap();
    }
    path
}

fn example(dir: &Path) -> PathBuf {
    make_db(dir, &[&fixture("site-example/example.sql")])
}

fn osx(args: &[&str]) -> Output {
    Command::cargo_bin("osx-report")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = example(dir.path());
    let db = db.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut a = vec!["ci", db, "--json", "/dev/null"];
        a.extend_from_slice(extra);
        osx(&a)
    };
    assert_eq!(code(&run(&[])), 0, "no condition, no failure");
    let o = run(&["--fail-on", "failed-executions"]);
    assert_eq!(code(&o), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("2 failed executions"));
    assert_eq!(code(&run(&["--fail-on", "failed-sessions"])), 1);
    assert_eq!(code(&run(&["--fail-on", "unfinished-sessions"])), 1);
    assert_eq!(code(&run(&["--fail-on", "unknown-executions"])), 0);
    assert_eq!(code(&run(&["--fail-on", "issues:Missing Value"])), 1);
    assert_eq!(code(&run(&["--fail-on", "issues:No Such Type"])), 0);
    assert_eq!(code(&run(&["--fail-on", "issues"])), 1);
    // failures outside the selection do not count
    assert_eq!(
        code(&run(&[
            "--session",
            "ORCHSESSID-VV-1",
            "--fail-on",
            "failed-executions"
        ])),
        0
    );
    // usage and input errors are 2
    for bad in [
        &["--fail-on", "everything"][..],
        &["--since", "last tuesday"],
        &["--session", "NO-SUCH-SESSION"],
    ] {
        let o = run(bad);
        assert_eq!(code(&o), 2, "{bad:?}");
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("osx-report: error:"));
    }
    let o = osx(&["ci", dir.path().join("missing.db").to_str().unwrap()]);
    assert_eq!(code(&o), 2);
}

#[test]
fn build_fails_the_job_after_writing_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let db = example(dir.path());
    let out = dir.path().join("site");
    let o = osx(&[
        "build",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--fail-on",
        "failed-sessions",
    ]);
    assert_eq!(code(&o), 1);
    for f in [
        "ci/summary.md",
        "ci/junit.xml",
        "ci/report.json",
        "index.html",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(
        home.contains("ci/summary.md")
            && home.contains("ci/junit.xml")
            && home.contains("ci/report.json")
    );
}

fn report(o: &Output) -> serde_json::Value {
    assert_eq!(code(o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sessions_are_selected_by_id_latest_time_and_nature() {
    let dir = tempfile::tempdir().unwrap();
    let db = example(dir.path());
    let db = db.to_str().unwrap();
    let all = report(&osx(&["ci", db, "--json", "-"]));
    assert_eq!(ids(&all).len(), 6);
    assert_eq!(ids(&all)[0], "ORCHSESSID-RUNNING", "newest first");
    assert_eq!(all["schema_version"], 1);
    let one = report(&osx(&[
        "ci",
        db,
        "--json",
        "-",
        "--session",
        "ORCHSESSID-VV-1",
    ]));
    assert_eq!(ids(&one), ["ORCHSESSID-VV-1"]);
    assert_eq!(one["totals"]["issues"], 4);
    let latest = report(&osx(&["ci", db, "--json", "-", "--latest"]));
    assert_eq!(ids(&latest), ["ORCHSESSID-RUNNING"]);
    let since = report(&osx(&["ci", db, "--json", "-", "--since", "2026-11-22"]));
    assert_eq!(
        ids(&since),
        [
            "ORCHSESSID-RUNNING",
            "ORCHSESSID-CSV-FAIL",
            "ORCHSESSID-DEID-1"
        ]
    );
    let vv = report(&osx(&["ci", db, "--json", "-", "--nature", "V&V"]));
    assert_eq!(ids(&vv), ["ORCHSESSID-RUNNING", "ORCHSESSID-VV-1"]);
}

#[test]
fn the_summary_goes_to_stdout_when_nothing_else_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = example(dir.path());
    let o = osx(&[
        "ci",
        db.to_str().unwrap(),
        "--site-url",
        "https://ci.example/run/7/",
    ]);
    assert_eq!(code(&o), 0);
    let s = stdout(&o);
    assert!(s.starts_with("## ⚠️"), "{s}");
    assert!(s.contains(
        "[insert rows](https://ci.example/run/7/sessions/ORCHSESSID-CSV-FAIL.html#exec-EXEC-CF-2-2)"
    ));
    assert!(s.contains("NOT NULL constraint failed"));
    assert!(
        s.trim_end()
            .ends_with("Machine-readable: https://ci.example/run/7/ci/report.json.*")
    );
}

/// An RSSD whose full summary would be about 20 MB: 8,000 failed executions with long
/// errors and outputs.
fn huge(dir: &Path) -> PathBuf {
    make_db(
        dir,
        &[
            &fixture("tests/fixtures/sessions-ddl.sql"),
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at)
               VALUES ('HUGE', 'D', 'shell', '1', '2026-01-01 00:00:00');
             WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 8000)
             INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, exec_error_text, output_text)
             SELECT 'E' || i, 'shell', 'HUGE', 'step ' || i, 1,
                    'error ' || i || ': ' || replace(hex(zeroblob(600)), '00', 'x|'),
                    'output ' || i || ': ' || replace(hex(zeroblob(600)), '00', '<y>')
               FROM c;",
        ],
    )
}

#[test]
fn a_20_mb_summary_degrades_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let db = huge(dir.path());
    let o = osx(&["ci", db.to_str().unwrap(), "--fail-on", "failed-executions"]);
    assert_eq!(code(&o), 1);
    let s = stdout(&o);
    assert!(s.len() <= 1_000_000, "{} bytes", s.len());
    assert!(s.len() > 500_000, "uses the budget: {} bytes", s.len());
    let last = s.trim_end().lines().last().unwrap();
    assert!(
        last.starts_with("*Left out to stay within the size limit:"),
        "{last}"
    );
    assert!(last.contains("ci/report.json"), "{last}");
    // degraded by whole rows and blocks: every fence and details block is closed
    assert_eq!(
        s.matches("<details>").count(),
        s.matches("</details>").count()
    );
    assert_eq!(s.matches("```").count() % 2, 0);
    // a small budget still gives a valid, honest summary
    let o = osx(&["ci", db.to_str().unwrap(), "--summary-budget", "4000"]);
    let s = stdout(&o);
    assert!(s.len() <= 4000, "{}", s.len());
    assert!(
        s.contains("8000 failed executions") || s.contains("of 8000 failed executions"),
        "{s}"
    );
    assert!(
        s.trim_end()
            .lines()
            .last()
            .unwrap()
            .contains("ci/report.json")
    );
}

#[test]
fn junit_parses_with_forbidden_characters_and_counts_match() {
    let dir = tempfile::tempdir().unwrap();
    let db = make_db(
        dir.path(),
        &[
            &fixture("tests/fixtures/sessions-ddl.sql"),
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at, orch_finished_at)
               VALUES ('S<&>\"', 'D', 'n&a', '1', '2026-01-01 00:00:00', '2026-01-01 00:00:02');
             INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, exec_code, exec_status, exec_error_text, output_text, elaboration) VALUES
               ('E1', 'shell', 'S<&>\"', 'echo ]]> <x>', 1, 'bad ' || char(1) || char(27) || '[31mred' || char(0) || ' end', 'out ' || char(11) || char(65535), '{\"duration_ms\": 1500}'),
               ('E2', 'shell', 'S<&>\"', 'echo ok', 0, NULL, 'fine', NULL),
               ('E3', 'shell', 'S<&>\"', 'echo ?', 'maybe', NULL, NULL, NULL);",
        ],
    );
    let xml_path = dir.path().join("junit.xml");
    let o = osx(&[
        "ci",
        db.to_str().unwrap(),
        "--junit",
        xml_path.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("3"));
    assert_eq!(root.attribute("failures"), Some("1"));
    assert_eq!(root.attribute("skipped"), Some("1"));
    let suite = root
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("S<&>\" (n&a)"));
    assert_eq!(suite.attribute("timestamp"), Some("2026-01-01T00:00:00"));
    assert_eq!(suite.attribute("time"), Some("2.000"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0].attribute("time"), Some("1.500"));
    let failure = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    let text = failure.text().unwrap();
    assert!(
        text.contains("bad \u{FFFD}\u{FFFD}[31mred\u{FFFD} end"),
        "{text:?}"
    );
    assert!(cases[2].children().any(|n| n.has_tag_name("skipped")));
}
