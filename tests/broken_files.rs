//! Files that break while or before they are read: a corrupt page in the middle of an
//! otherwise readable database, a file truncated or deleted while a build runs, a
//! read-only file system, and a build killed with SIGKILL. Each ends with a clear
//! message naming the file and exit code 2 (or a complete site), never a panic, and the
//! previous site exactly as it was.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn osx() -> Command {
    Command::new(env!("CARGO_BIN_EXE_osx-report"))
}

/// An RSSD with `sessions` sessions of 50 nested executions each, outputs of 1.2 kB.
fn sessions_db(dir: &Path, name: &str, sessions: u32) -> PathBuf {
    let sql = format!(
        "{ddl}
        WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {sessions})
        INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at)
        SELECT 'S' || i, 'D', 'N', '1', datetime(1767225600 + i * 60, 'unixepoch') FROM s;
        WITH RECURSIVE e(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM e WHERE i < {sessions} * 50 - 1)
        INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, parent_exec_id, exec_code, exec_status, output_text)
        SELECT 'E' || i, 'shell', 'S' || (i / 50 + 1), CASE WHEN i % 50 = 0 THEN NULL ELSE 'E' || (i - 1) END,
               'echo ' || i, i % 7 = 0, replace(hex(zeroblob(400)), '00', 'ab ') FROM e;",
        ddl = common::hostile::ddl()
    );
    common::db_from_sql(dir, name, &sql)
}

/// Every file of a site with its bytes.
fn snapshot(site: &Path) -> Vec<(String, Vec<u8>)> {
    common::files_under(site)
        .into_iter()
        .map(|f| {
            let b = fs::read(site.join(&f)).unwrap();
            (f, b)
        })
        .collect()
}

/// Starts a build and waits until it has begun writing its staging folder.
fn start_build(dir: &Path, db: &Path, out: &str) -> Child {
    let child = osx()
        .current_dir(dir)
        .arg("build")
        .arg(db)
        .args(["--out", out, "-q"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stage = dir.join(format!(".{out}.osx-staging-{}", child.id()));
    let t = Instant::now();
    while !stage.join("sessions").exists() {
        assert!(t.elapsed() < Duration::from_secs(60), "no staging folder");
        std::thread::sleep(Duration::from_millis(5));
    }
    child
}

fn stderr_of(child: Child) -> (Option<i32>, String) {
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Exit code 2, one line naming `db` and saying `problem`, no panic.
fn assert_clear_failure(code: Option<i32>, err: &str, db: &str, problems: &[&str]) {
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("osx-report: error: "), "{err}");
    assert!(err.contains(db), "names the file: {err}");
    assert!(
        problems.iter().any(|p| err.contains(p)),
        "says one of {problems:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn a_corrupt_page_inside_the_executions_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = sessions_db(dir.path(), "rssd", 20);
    // the executions were written last: a page in the second half of the file is theirs
    let mut bytes = fs::read(&db).unwrap();
    let pages = bytes.len() / 4096;
    let page = pages * 3 / 4;
    bytes[page * 4096..(page + 1) * 4096].fill(0xa5);
    fs::write(&db, &bytes).unwrap();
    // a previous site, which the failed build must leave as it was
    let good = sessions_db(dir.path(), "good", 2);
    let o = osx()
        .current_dir(dir.path())
        .args(["build"])
        .arg(&good)
        .args(["--out", "site", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let before = snapshot(&dir.path().join("site"));
    let o = osx()
        .current_dir(dir.path())
        .args(["build", "rssd.db", "--out", "site"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    let err = err
        .lines()
        .filter(|l| !l.contains("warning"))
        .collect::<Vec<_>>()
        .join("\n");
    assert_clear_failure(o.status.code(), &err, "rssd.db", &["corrupt"]);
    assert_eq!(
        snapshot(&dir.path().join("site")),
        before,
        "previous site unchanged"
    );
    let mut left = common::entries(dir.path());
    left.retain(|e| e.starts_with('.'));
    assert!(left.is_empty(), "staging folder left: {left:?}");
}

#[test]
fn a_file_truncated_while_a_build_runs_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = sessions_db(dir.path(), "rssd", 300);
    let len = fs::metadata(&db).unwrap().len();
    let child = start_build(dir.path(), &db, "site");
    fs::OpenOptions::new()
        .write(true)
        .open(&db)
        .unwrap()
        .set_len(len / 3)
        .unwrap();
    let (code, err) = stderr_of(child);
    if code == Some(0) {
        // it had read everything it needed already: the site must then be complete
        assert!(dir.path().join("site/.osx-report").is_file());
        eprintln!("the build finished before the truncation mattered");
    } else {
        eprintln!("{err}");
        assert_clear_failure(
            code,
            &err,
            "rssd.db",
            &["corrupt", "disk I/O error", "truncated"],
        );
        assert!(!dir.path().join("site").exists(), "no partial site");
    }
    let mut left = common::entries(dir.path());
    left.retain(|e| e.starts_with('.'));
    assert!(left.is_empty(), "staging folder left: {left:?}");
}

#[test]
fn a_file_deleted_while_a_build_runs_is_read_to_the_end() {
    // Unix keeps a deleted file readable for whoever has it open: the build completes.
    let dir = tempfile::tempdir().unwrap();
    let db = sessions_db(dir.path(), "rssd", 150);
    let child = start_build(dir.path(), &db, "site");
    fs::remove_file(&db).unwrap();
    let (code, err) = stderr_of(child);
    if cfg!(unix) {
        assert_eq!(code, Some(0), "{err}");
        let site = dir.path().join("site");
        assert!(site.join(".osx-report").is_file());
        assert_eq!(
            common::files_under(&site.join("sessions"))
                .iter()
                .filter(|f| f.ends_with(".html") && f.starts_with('S'))
                .count(),
            150
        );
    } else {
        assert_clear_failure(code, &err, "rssd.db", &["disk I/O error", "unable to open"]);
    }
}

#[cfg(unix)]
#[test]
fn a_build_killed_mid_way_leaves_the_previous_site_byte_for_byte() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().unwrap();
    let small = sessions_db(dir.path(), "small", 3);
    let o = osx()
        .current_dir(dir.path())
        .arg("build")
        .arg(&small)
        .args(["--out", "site", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let before = snapshot(&dir.path().join("site"));
    let big = sessions_db(dir.path(), "big", 300);
    for round in 0..3 {
        let mut child = start_build(dir.path(), &big, "site");
        std::thread::sleep(Duration::from_millis(50 * round));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        if status.success() {
            // finished before the signal: nothing more to check in this round
            return;
        }
        assert_eq!(status.signal(), Some(9));
        assert_eq!(snapshot(&dir.path().join("site")), before, "round {round}");
    }
    // the staging folders of the killed builds are there; the next build succeeds,
    // replaces the site and removes them
    assert!(
        common::entries(dir.path())
            .iter()
            .any(|e| e.starts_with(".site.osx-staging-"))
    );
    let o = osx()
        .current_dir(dir.path())
        .arg("build")
        .arg(&big)
        .args(["--out", "site", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(common::entries(dir.path()), ["big.db", "site", "small.db"]);
    assert!(dir.path().join("site/sessions/S300.html").is_file());
}

/// Unmounts on drop, so a failing test leaves no mount behind.
#[cfg(target_os = "linux")]
struct Mount(PathBuf);

#[cfg(target_os = "linux")]
impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// A read-only file system needs a mount: this runs where the tests may mount a tmpfs
/// (as root, as CI runs them) and says so and passes elsewhere.
#[cfg(target_os = "linux")]
#[test]
fn a_database_on_a_read_only_file_system_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("ro");
    fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64m", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): read-only file system not tested");
        return;
    }
    let _guard = Mount(mnt.clone());
    let rollback = sessions_db(&mnt, "rollback", 3);
    let wal = sessions_db(&mnt, "wal", 3);
    {
        let c = rusqlite::Connection::open(&wal).unwrap();
        let m: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(m, "wal");
    }
    let st = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(&mnt)
        .status()
        .unwrap();
    assert!(st.success(), "remount read-only");
    assert!(
        fs::write(mnt.join("probe"), b"x").is_err(),
        "the mount is read-only"
    );
    let listing = common::entries(&mnt);
    for db in [&rollback, &wal] {
        let before = (
            fs::read(db).unwrap(),
            fs::metadata(db).unwrap().modified().unwrap(),
        );
        let out = dir.path().join(format!(
            "site-{}",
            db.file_stem().unwrap().to_string_lossy()
        ));
        let o = osx()
            .arg("build")
            .arg(db)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(out.join("sessions/S3.html").is_file());
        assert_eq!(
            (
                fs::read(db).unwrap(),
                fs::metadata(db).unwrap().modified().unwrap()
            ),
            before
        );
    }
    assert_eq!(
        common::entries(&mnt),
        listing,
        "nothing created on the read-only mount"
    );
    // a site cannot be written there: one clear line, exit code 2
    let o = osx()
        .current_dir(&mnt)
        .args(["build", "rollback.db", "--out", "site"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("Read-only file system") && err.contains("site"),
        "{err}"
    );
}

#[test]
fn a_build_while_surveilr_commits_in_wal_mode_changes_nothing_and_blocks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = sessions_db(dir.path(), "rssd", 150);
    let writer = rusqlite::Connection::open(&db).unwrap();
    let m: String = writer
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(m, "wal");
    // surveilr's own checkpoints would write the main file; without them, any change
    // to it would be ours
    writer
        .execute_batch("PRAGMA wal_autocheckpoint = 0")
        .unwrap();
    let before = (
        fs::read(&db).unwrap(),
        fs::metadata(&db).unwrap().modified().unwrap(),
    );
    let child = start_build(dir.path(), &db, "site");
    let mut commits = 0;
    let t = Instant::now();
    let mut child = child;
    while child.try_wait().unwrap().is_none() {
        writer
            .execute(
                "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version) VALUES (?1, 'D', 'N', '1')",
                [format!("NEW-{commits}")],
            )
            .expect("the writer is never blocked by the build");
        commits += 1;
        assert!(t.elapsed() < Duration::from_secs(120));
    }
    let (code, err) = stderr_of(child);
    assert_eq!(code, Some(0), "{err}");
    assert!(commits > 0);
    assert_eq!(
        (
            fs::read(&db).unwrap(),
            fs::metadata(&db).unwrap().modified().unwrap()
        ),
        before,
        "the main database file is untouched"
    );
    assert!(dir.path().join("site/sessions/S150.html").is_file());
    drop(writer);
}

#[test]
fn a_database_or_template_inside_out_is_never_swept_away_with_the_old_site() {
    let dir = tempfile::tempdir().unwrap();
    let db = sessions_db(dir.path(), "rssd", 2);
    let o = osx()
        .current_dir(dir.path())
        .args(["build", "rssd.db", "--out", "site", "-q"])
        .output()
        .unwrap();
    assert!(o.status.success());
    // the database, then a template folder, put inside the site a build will replace
    fs::copy(&db, dir.path().join("site/rssd.db")).unwrap();
    let before = snapshot(&dir.path().join("site"));
    let o = osx()
        .current_dir(dir.path())
        .args(["build", "site/rssd.db", "--out", "site"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("which this build reads") && err.contains("rssd.db"),
        "{err}"
    );
    assert_eq!(
        snapshot(&dir.path().join("site")),
        before,
        "the database and site are kept"
    );
    fs::remove_file(dir.path().join("site/rssd.db")).unwrap();
    fs::create_dir_all(dir.path().join("site/tpl/md")).unwrap();
    fs::write(dir.path().join("site/tpl/md/index.md"), "custom\n").unwrap();
    let o = osx()
        .current_dir(dir.path())
        .args([
            "build",
            "rssd.db",
            "--out",
            "site",
            "--templates",
            "site/tpl",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(dir.path().join("site/tpl/md/index.md").is_file());
}

#[test]
fn ci_files_are_never_written_over_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = sessions_db(dir.path(), "rssd", 2);
    let before = fs::read(&db).unwrap();
    for flag in ["--junit", "--json", "--summary"] {
        let o = osx()
            .current_dir(dir.path())
            .args(["ci", "rssd.db", flag, "rssd.db"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{flag}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to write over it"));
        assert_eq!(
            fs::read(&db).unwrap(),
            before,
            "{flag}: the database is intact"
        );
    }
}
