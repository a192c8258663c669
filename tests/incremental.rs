//! Rebuilds and parallelism: an unchanged RSSD rewrites nothing, a changed session
//! rewrites only what depends on it, the result equals a fresh build, and the output
//! does not depend on the number of threads.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn generate(dir: &Path, sessions: usize, execs: usize) -> PathBuf {
    let db = dir.join("rssd.sqlite.db");
    osx_report::synth::generate(
        &db,
        &osx_report::synth::GenOptions {
            sessions,
            execs_per_session: execs,
            output_bytes: 120,
            ..Default::default()
        },
    )
    .unwrap();
    db
}

fn build(db: &Path, out: &Path, threads: Option<usize>) -> String {
    build_with(db, out, threads, None)
}

fn build_with(db: &Path, out: &Path, threads: Option<usize>, config: Option<&Path>) -> String {
    let mut c = Command::cargo_bin("osx-report").unwrap();
    c.arg("build").arg(db).arg("--out").arg(out);
    if let Some(config) = config {
        c.arg("--config").arg(config);
    }
    if let Some(n) = threads {
        c.env("RAYON_NUM_THREADS", n.to_string());
    }
    let o = c.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every file of a site: its bytes and its inode.
fn snapshot(out: &Path) -> BTreeMap<String, (Vec<u8>, u64)> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(out)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                rel,
                (
                    std::fs::read(e.path()).unwrap(),
                    e.metadata().unwrap().ino(),
                ),
            )
        })
        .collect()
}

fn contents(s: &BTreeMap<String, (Vec<u8>, u64)>) -> BTreeMap<&str, &[u8]> {
    s.iter()
        .filter(|(k, _)| k.as_str() != ".osx-report")
        .map(|(k, v)| (k.as_str(), v.0.as_slice()))
        .collect()
}

#[test]
fn an_unchanged_rssd_rewrites_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = generate(dir.path(), 12, 20);
    let out = dir.path().join("site");
    build(&db, &out, None);
    let before = snapshot(&out);
    let msg = build(&db, &out, None);
    assert!(msg.contains("is up to date"), "{msg}");
    assert_eq!(snapshot(&out), before, "bytes and inodes unchanged");
    // a deleted file is noticed and put back
    std::fs::remove_file(out.join("sessions/index.html")).unwrap();
    let msg = build(&db, &out, None);
    assert!(!msg.contains("is up to date"), "{msg}");
    let after = snapshot(&out);
    assert_eq!(contents(&after), contents(&before));
    let kept = before
        .iter()
        .filter(|(k, v)| k.as_str() != ".osx-report" && after[k.as_str()].1 == v.1)
        .count();
    assert_eq!(
        kept,
        before.len() - 2,
        "all but the deleted page and the manifest kept"
    );
}

#[test]
fn a_changed_session_rewrites_only_its_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = generate(dir.path(), 12, 20);
    let out = dir.path().join("site");
    build(&db, &out, None);
    let before = snapshot(&out);
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "UPDATE orchestration_session_exec SET output_text = 'changed' WHERE orchestration_session_exec_id = 'SESS-0000003-E00004'",
            [],
        )
        .unwrap();
    }
    let msg = build(&db, &out, None);
    assert!(msg.contains("kept"), "{msg}");
    let after = snapshot(&out);
    let rewritten: Vec<&str> = after
        .iter()
        .filter(|(k, v)| before.get(k.as_str()).is_none_or(|b| b.1 != v.1))
        .map(|(k, _)| k.as_str())
        .collect();
    // The search index's term shards list which documents hold each term: the words
    // of the old output left some shards and those of the new one joined others. The
    // document shards (titles, pages, anchors) did not change.
    let (terms, rewritten): (Vec<&str>, Vec<&str>) = rewritten
        .into_iter()
        .partition(|p| p.starts_with("search/t/"));
    assert!(!terms.is_empty(), "the changed output's words are indexed");
    assert_eq!(
        rewritten,
        [
            ".osx-report",
            "ci/junit.xml",
            "ci/report.json",
            "sessions/SESS-0000003.html",
            "sessions/SESS-0000003.md",
        ],
        "only the changed session's pages and the CI files that include it"
    );
    // the same as a fresh build
    let fresh = dir.path().join("fresh");
    build(&db, &fresh, None);
    assert_eq!(contents(&after), contents(&snapshot(&fresh)));
}

#[test]
fn output_is_the_same_on_one_thread_and_on_all() {
    let dir = tempfile::tempdir().unwrap();
    // more executions than one chunk, so chunks overlap
    let db = generate(dir.path(), 130, 100);
    let one = dir.path().join("one");
    let all = dir.path().join("all");
    build(&db, &one, Some(1));
    build(&db, &all, None);
    let a = snapshot(&one);
    let b = snapshot(&all);
    assert_eq!(contents(&a), contents(&b));
    assert!(a.len() > 260);
}

/// Long sessions write their part pages from the threads that build them.
#[test]
fn long_sessions_are_the_same_on_one_thread_and_on_all_and_rebuild_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = generate(dir.path(), 12, 100);
    let config = dir.path().join("osx-report.toml");
    std::fs::write(&config, "[sessions]\npage_execs = 30\n").unwrap();
    let one = dir.path().join("one");
    let all = dir.path().join("all");
    build_with(&db, &one, Some(1), Some(&config));
    build_with(&db, &all, None, Some(&config));
    let a = snapshot(&one);
    assert_eq!(contents(&a), contents(&snapshot(&all)));
    let parts = a.keys().filter(|k| k.contains("/part-4.html")).count();
    assert_eq!(parts, 12, "four parts of 30 per session of 100");
    // the manifests list the same files
    assert_eq!(a[".osx-report"].0, snapshot(&all)[".osx-report"].0);
    // a rebuild of the unchanged RSSD writes nothing; one changed execution rewrites its
    // session's pages only
    let msg = build_with(&db, &all, None, Some(&config));
    assert!(msg.contains("up to date"), "{msg}");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute(
            "UPDATE orchestration_session_exec SET output_text = 'changed' WHERE rowid = 7",
            [],
        )
        .unwrap();
    }
    let before = snapshot(&all);
    build_with(&db, &all, None, Some(&config));
    let after = snapshot(&all);
    let rewritten: Vec<&str> = after
        .iter()
        .filter(|(k, v)| before.get(k.as_str()).is_none_or(|b| b.1 != v.1))
        .map(|(k, _)| k.as_str())
        .filter(|k| k.starts_with("sessions/"))
        .collect();
    assert!(!rewritten.is_empty());
    let session = rewritten[0].split(['/', '.']).nth(1).unwrap().to_string();
    assert!(
        rewritten.iter().all(|k| k.contains(&session)),
        "only {session}'s pages: {rewritten:?}"
    );
}

/// A long session's search documents are made at its commit and added one at a time;
/// they must index what a session of one page indexes: the same terms under the same
/// document ids, the same documents, only the pages of executions past the first part
/// told apart.
#[test]
fn long_sessions_index_what_one_page_sessions_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = generate(dir.path(), 6, 100);
    let config = dir.path().join("osx-report.toml");
    std::fs::write(&config, "[sessions]\npage_execs = 30\n").unwrap();
    let whole = dir.path().join("whole");
    let parts = dir.path().join("parts");
    build(&db, &whole, None);
    build_with(&db, &parts, None, Some(&config));
    let (w, p) = (snapshot(&whole), snapshot(&parts));
    let shards = |s: &BTreeMap<String, (Vec<u8>, u64)>, dir: &str| -> Vec<(String, Vec<u8>)> {
        s.iter()
            .filter(|(k, _)| k.starts_with(dir))
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect()
    };
    let terms = shards(&w, "search/t/");
    assert!(!terms.is_empty());
    assert!(terms == shards(&p, "search/t/"), "the term shards differ");
    // the document shards: the same documents, pointing at part pages
    let docs = |s: &BTreeMap<String, (Vec<u8>, u64)>| -> Vec<serde_json::Value> {
        shards(s, "search/d/")
            .into_iter()
            .map(|(_, b)| {
                let t = String::from_utf8(b).unwrap();
                let json = t
                    .trim_end()
                    .strip_suffix(");")
                    .unwrap()
                    .split_once(',')
                    .unwrap()
                    .1;
                serde_json::from_str(json).unwrap()
            })
            .collect()
    };
    let (dw, dp) = (docs(&w), docs(&p));
    assert_eq!(dw.len(), dp.len());
    let mut on_parts = 0;
    for (a, b) in dw.iter().zip(&dp) {
        assert_eq!(
            a["d"].as_array().unwrap().len(),
            b["d"].as_array().unwrap().len()
        );
        for (x, y) in a["d"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["d"].as_array().unwrap())
        {
            // [kind, page, anchor, ...]: all but the page are the same
            let (mut x, mut y) = (x.clone(), y.clone());
            let page = b["p"][y[1].as_u64().unwrap() as usize][0].as_str().unwrap();
            on_parts += usize::from(page.contains("/part-"));
            x[1] = 0.into();
            y[1] = 0.into();
            assert_eq!(x, y);
        }
    }
    // executions 31-100 of each of the six sessions
    assert_eq!(on_parts, 6 * 70);
}
