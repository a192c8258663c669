//! The command line: exit codes and messages for bad input (one line naming the file and
//! the problem, exit code 2, no panic, nothing written), configuration and template
//! errors, the `templates` command, and the read-only guarantees (file bytes and mtime
//! unchanged; read-only files and folders; another process writing in WAL or rollback
//! journal mode).

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

use common::{entries, fixture_db};

fn osx_report(cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_osx-report"));
    cmd.current_dir(cwd);
    cmd
}

/// Runs `build <db> --out <dir>/site` in `dir` and checks that it fails the way bad input
/// must: exit code 2, one line on stderr naming the file and containing `problem`, no
/// panic, and nothing written (no `site`, no staging folder beside it).
fn assert_bad_input(dir: &Path, db: &str, problem: &str) {
    let before = entries(dir);
    let out = osx_report(dir)
        .args(["build", db, "--out", "site"])
        .assert()
        .code(2)
        .stdout("")
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.starts_with(&format!("osx-report: error: {db}: ")),
        "names the file: {stderr}"
    );
    assert!(stderr.contains(problem), "says {problem:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(entries(dir), before, "nothing written");
}

#[test]
fn a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_bad_input(dir.path(), "missing.db", "no such file");
}

#[test]
fn an_error_message_cannot_drive_the_terminal() {
    // a file name holding an OSC title sequence, as the error names it (line breaks are
    // kept: template errors show their source on several lines)
    let dir = tempfile::tempdir().unwrap();
    let name = "x\u{1b}]0;PWNED\u{7}.db";
    let out = osx_report(dir.path())
        .args(["build", name, "--out", "site"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.contains("\\u{1b}]0;PWNED"),
        "shown, not acted on: {stderr:?}"
    );
}

#[test]
fn a_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("folder.db")).unwrap();
    assert_bad_input(dir.path(), "folder.db", "is a directory");
}

#[test]
fn an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.db"), b"").unwrap();
    assert_bad_input(dir.path(), "empty.db", "is empty (0 bytes)");
}

#[test]
fn a_file_that_is_not_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.db"), "just some text\n".repeat(100)).unwrap();
    assert_bad_input(dir.path(), "notes.db", "not an SQLite 3 database");
    // An encrypted database looks like random bytes.
    let noise: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    fs::write(dir.path().join("encrypted.db"), noise).unwrap();
    assert_bad_input(
        dir.path(),
        "encrypted.db",
        "may be another format or encrypted",
    );
}

#[test]
fn a_truncated_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let bytes = fs::read(&db).unwrap();
    fs::remove_file(&db).unwrap();
    fs::write(dir.path().join("cut.db"), &bytes[..bytes.len() / 2]).unwrap();
    assert_bad_input(dir.path(), "cut.db", "truncated");
    fs::write(dir.path().join("header.db"), &bytes[..60]).unwrap();
    assert_bad_input(
        dir.path(),
        "header.db",
        "shorter than the 100-byte SQLite header",
    );
    fs::write(dir.path().join("odd.db"), &bytes[..4096 + 1000]).unwrap();
    assert_bad_input(dir.path(), "odd.db", "truncated");
}

#[test]
fn a_corrupt_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let mut bytes = fs::read(&db).unwrap();
    fs::remove_file(&db).unwrap();
    // The schema table lives on page 1, after the 100-byte header.
    bytes[100..400].fill(0xff);
    fs::write(dir.path().join("corrupt.db"), &bytes).unwrap();
    assert_bad_input(dir.path(), "corrupt.db", "corrupt");
}

#[test]
fn a_database_without_tables() {
    let dir = tempfile::tempdir().unwrap();
    let db = common::db_from_sql(dir.path(), "bare", "PRAGMA user_version = 7;");
    assert!(fs::metadata(&db).unwrap().len() > 0);
    assert_bad_input(dir.path(), "bare.db", "contains no tables or views");
}

#[test]
fn bad_input_leaves_the_previous_site_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site", "--quiet"])
        .assert()
        .success()
        .stderr("");
    let site_before = common::files_under(&dir.path().join("site"));
    let readme = fs::read(dir.path().join("site/schema/README.md")).unwrap();
    fs::write(dir.path().join("empty.db"), b"").unwrap();
    assert_bad_input(dir.path(), "empty.db", "is empty");
    assert_eq!(common::files_under(&dir.path().join("site")), site_before);
    assert_eq!(
        fs::read(dir.path().join("site/schema/README.md")).unwrap(),
        readme
    );
}

#[test]
fn a_build_reports_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site"])
        .assert()
        .success()
        .stdout("")
        .stderr(
            predicate::str::is_match(
                r"^osx-report: wrote \d+ files \(\d+ bytes\) to site in \d+ ms: 11 tables, 0 sessions, 0 executions\n$",
            )
            .unwrap(),
        );
    assert_eq!(entries(dir.path()), ["shop.db", "site"]);
    assert_eq!(
        entries(&dir.path().join("site")),
        [
            ".osx-report",
            "assets",
            "ci",
            "index.html",
            "index.md",
            "schema",
            "search",
            "search.html",
            "sessions"
        ]
    );
}

#[test]
fn a_folder_osx_report_did_not_write_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    fs::create_dir(dir.path().join("docs")).unwrap();
    fs::write(dir.path().join("docs/precious.md"), "keep me").unwrap();
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "docs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "docs: refusing to replace a folder that is not empty",
        ));
    assert_eq!(entries(&dir.path().join("docs")), ["precious.md"]);
    assert_eq!(entries(dir.path()), ["docs", "shop.db"]);
    fs::write(dir.path().join("file"), "x").unwrap();
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "file"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("file: exists and is not a folder"));
}

// ---------------------------------------------------------------- configuration

#[test]
fn an_unknown_config_key_fails_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    fs::write(
        dir.path().join("osx-report.toml"),
        "[schema]\nincldue = [\"a\"]\n",
    )
    .unwrap();
    // Named with --config ...
    osx_report(dir.path())
        .args([
            "build",
            "shop.db",
            "--out",
            "site",
            "--config",
            "osx-report.toml",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("parsing config osx-report.toml"))
        .stderr(predicate::str::contains("unknown field `incldue`"));
    // ... or found in the working folder.
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field `incldue`"));
    assert!(!dir.path().join("site").exists());
}

#[test]
fn a_missing_config_or_tbls_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    osx_report(dir.path())
        .args(["build", "shop.db", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "osx-report: error: reading config nope.toml: ",
        ));
    osx_report(dir.path())
        .args(["build", "shop.db", "--tbls", "nope.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with(
            "osx-report: error: reading tbls config nope.yml: ",
        ));
    fs::write(dir.path().join("bad.yml"), "comments: {table: [").unwrap();
    osx_report(dir.path())
        .args(["build", "shop.db", "--tbls", "bad.yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("parsing tbls config bad.yml"));
}

// ---------------------------------------------------------------- templates

#[test]
fn the_templates_command_writes_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    osx_report(dir.path())
        .args(["templates", "--out", "tpl"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with(format!(
            "wrote {} default templates to tpl",
            osx_report::render::templates::EMBEDDED.len()
        )));
    let files = common::files_under(&dir.path().join("tpl"));
    for f in [
        "md/schema/table.md",
        "md/schema/index.md",
        "html/base.html",
        "static/style.css",
    ] {
        assert!(files.contains(&f.to_string()), "{f}: {files:?}");
    }
    assert_eq!(
        fs::read_to_string(dir.path().join("tpl/md/schema/table.md")).unwrap(),
        include_str!("../templates/md/schema/table.md")
    );
    // Edited files are kept unless --force.
    let table = dir.path().join("tpl/md/schema/table.md");
    fs::write(&table, "mine").unwrap();
    osx_report(dir.path())
        .args(["templates", "--out", "tpl"])
        .assert()
        .success()
        .stderr(predicate::str::starts_with("wrote 0 default templates"));
    assert_eq!(fs::read_to_string(&table).unwrap(), "mine");
    osx_report(dir.path())
        .args(["templates", "--out", "tpl", "--force"])
        .assert()
        .success();
    assert_ne!(fs::read_to_string(&table).unwrap(), "mine");
}

#[test]
fn a_template_override_replaces_one_default() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    fs::create_dir_all(dir.path().join("tpl/md/schema")).unwrap();
    fs::write(
        dir.path().join("tpl/md/schema/table.md"),
        "# {{ table.name }} has {{ columns | length }} columns\n",
    )
    .unwrap();
    osx_report(dir.path())
        .args([
            "build",
            "shop.db",
            "--out",
            "site",
            "--templates",
            "tpl",
            "-q",
        ])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(dir.path().join("site/schema/orders.md")).unwrap(),
        "# orders has 4 columns\n"
    );
    // The index still comes from the embedded default.
    let index = fs::read_to_string(dir.path().join("site/schema/README.md")).unwrap();
    assert!(index.contains("| [orders](orders.md) "));
}

#[test]
fn a_broken_template_fails_naming_template_and_line() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site", "-q"])
        .assert()
        .success();
    let before = common::files_under(&dir.path().join("site"));
    fs::create_dir_all(dir.path().join("tpl/md/schema")).unwrap();
    fs::write(
        dir.path().join("tpl/md/schema/table.md"),
        "line one\n{{ table.nmae }}\n",
    )
    .unwrap();
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site", "--templates", "tpl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "with template md/schema/table.md: undefined value",
        ))
        .stderr(predicate::str::contains("(in md/schema/table.md:2)"));
    fs::write(
        dir.path().join("tpl/md/schema/table.md"),
        "{% for c in columns %}\n{{ c.name }}\n",
    )
    .unwrap();
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site", "--templates", "tpl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("syntax error"))
        .stderr(predicate::str::contains("md/schema/table.md:"));
    // The previous site is intact and no staging folder is left.
    assert_eq!(common::files_under(&dir.path().join("site")), before);
    assert_eq!(entries(dir.path()), ["shop.db", "site", "tpl"]);
}

#[test]
fn a_missing_template_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site", "--templates", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "template folder nope does not exist",
        ));
    assert!(!dir.path().join("site").exists());
}

#[test]
fn dump_context_writes_what_templates_receive() {
    let dir = tempfile::tempdir().unwrap();
    fixture_db(dir.path(), "shop");
    osx_report(dir.path())
        .args(["build", "shop.db", "--out", "site", "--dump-context", "-q"])
        .assert()
        .success();
    let ctx = fs::read_to_string(dir.path().join("site/schema/orders.md.context.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&ctx).unwrap();
    assert_eq!(v["table"]["name"], "orders");
    assert_eq!(v["columns"][1]["parents"][0]["name"], "customers");
}

// ---------------------------------------------------------------- read-only

/// Bytes and modification time of a file.
fn fingerprint(p: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (
        fs::read(p).unwrap(),
        fs::metadata(p).unwrap().modified().unwrap(),
    )
}

fn build_ok(cwd: &Path, db: &Path, out: &Path) {
    osx_report(cwd)
        .arg("build")
        .arg(db)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .assert()
        .success()
        .stderr("");
    assert!(out.join("schema/README.md").is_file());
}

#[cfg(unix)]
fn set_mode(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
}

/// True when this process may write into folders without write permission (root).
#[cfg(unix)]
fn ignores_permissions(dir: &Path) -> bool {
    let probe = dir.join(".probe");
    let ok = fs::write(&probe, b"x").is_ok();
    let _ = fs::remove_file(&probe);
    ok
}

#[cfg(unix)]
#[test]
fn a_file_without_write_permission_in_a_read_only_folder_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let db = fixture_db(&ro, "shop");
    set_mode(&db, 0o444);
    set_mode(&ro, 0o555);
    let before = fingerprint(&db);
    build_ok(dir.path(), &db, &dir.path().join("site"));
    assert_eq!(fingerprint(&db), before);
    assert_eq!(entries(&ro), ["shop.db"], "nothing created beside the file");
    if ignores_permissions(&ro) {
        build_unprivileged(dir.path(), &db, &ro);
    }
    set_mode(&ro, 0o755);
}

#[cfg(unix)]
#[test]
fn a_wal_database_in_a_read_only_folder_can_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let ro = dir.path().join("ro");
    fs::create_dir(&ro).unwrap();
    let db = fixture_db(&ro, "shop");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
    // Closing the last connection removed -wal and -shm: a reader must create the
    // -shm (it cannot here) or read without it.
    assert_eq!(entries(&ro), ["shop.db"]);
    set_mode(&db, 0o444);
    set_mode(&ro, 0o555);
    let privileged = ignores_permissions(&ro);
    let before = fingerprint(&db);
    build_ok(dir.path(), &db, &dir.path().join("site"));
    assert_eq!(fingerprint(&db), before);
    if privileged {
        // Root could create the -shm file; remove what it made and try as nobody.
        set_mode(&ro, 0o755);
        for f in ["shop.db-wal", "shop.db-shm"] {
            let _ = fs::remove_file(ro.join(f));
        }
        set_mode(&ro, 0o555);
        build_unprivileged(dir.path(), &db, &ro);
    } else {
        assert_eq!(entries(&ro), ["shop.db"], "nothing created beside the file");
    }
    set_mode(&ro, 0o755);
}

/// When the tests run as root (as CI does), permissions do not stop writes: then the
/// binary is run as user `nobody` through `setpriv` when it can be, so the read-only
/// cases are real. `None` when neither is needed nor possible.
#[cfg(unix)]
fn as_nobody(cwd: &Path) -> Option<Command> {
    let probe = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_osx-report"))
        .arg("--version")
        .output()
        .ok()?;
    if !probe.status.success() {
        return None;
    }
    let mut cmd = Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_osx-report"))
        .current_dir(cwd);
    Some(cmd)
}

/// Builds `db` as an unprivileged user into a folder that user may write; checks
/// that the file and its folder are left as they were.
#[cfg(unix)]
fn build_unprivileged(dir: &Path, db: &Path, ro: &Path) {
    set_mode(dir, 0o755);
    let outdir = dir.join("nobody-out");
    fs::create_dir(&outdir).unwrap();
    set_mode(&outdir, 0o777);
    let Some(mut cmd) = as_nobody(dir) else {
        eprintln!("setpriv cannot run the binary as nobody: read-only case checked as root only");
        return;
    };
    let before = fingerprint(db);
    cmd.arg("build")
        .arg(db)
        .arg("--out")
        .arg(outdir.join("site"))
        .arg("-q")
        .assert()
        .success()
        .stderr("");
    assert!(outdir.join("site/schema/README.md").is_file());
    assert_eq!(fingerprint(db), before);
    assert_eq!(entries(ro), ["shop.db"], "nothing created beside the file");
}

/// A second connection holding a write transaction with an uncommitted change.
fn writer(db: &Path, journal_mode: &str) -> rusqlite::Connection {
    let c = rusqlite::Connection::open(db).unwrap();
    let mode: String = c
        .query_row(&format!("PRAGMA journal_mode = {journal_mode}"), [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(mode, journal_mode.to_ascii_lowercase());
    c.execute_batch(
        "BEGIN IMMEDIATE;
         INSERT INTO customers (email) VALUES ('writer@example.com');
         CREATE TABLE not_yet_committed (x);",
    )
    .unwrap();
    c
}

fn main_file_of(dir: &Path) -> PathBuf {
    dir.join("shop.db")
}

#[test]
fn a_build_works_while_another_process_writes_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let w = writer(&db, "WAL");
    let before = fingerprint(&main_file_of(dir.path()));
    let out = dir.path().join("site");
    build_ok(dir.path(), &db, &out);
    assert_eq!(fingerprint(&main_file_of(dir.path())), before);
    // Only committed schema is documented.
    assert!(!out.join("schema/not_yet_committed.md").exists());
    assert!(out.join("schema/customers.md").is_file());
    // The writer is undisturbed and can still commit.
    w.execute_batch("COMMIT").unwrap();
    drop(w);
}

#[test]
fn a_build_works_while_another_process_holds_a_reserved_lock() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let w = writer(&db, "DELETE");
    let before = fingerprint(&db);
    let out = dir.path().join("site");
    build_ok(dir.path(), &db, &out);
    assert_eq!(fingerprint(&db), before);
    assert!(!out.join("schema/not_yet_committed.md").exists());
    w.execute_batch("COMMIT").unwrap();
    drop(w);
}

#[test]
fn the_database_bytes_and_mtime_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    for fixture in ["shop", "search", "names", "keys"] {
        let db = fixture_db(dir.path(), fixture);
        let before = fingerprint(&db);
        let listing = entries(dir.path());
        build_ok(dir.path(), &db, &dir.path().join(format!("{fixture}-site")));
        assert_eq!(fingerprint(&db), before, "{fixture}");
        let mut want = listing;
        want.push(format!("{fixture}-site"));
        want.sort();
        assert_eq!(entries(dir.path()), want, "{fixture}: no journal left");
    }
}

#[test]
fn an_exclusive_lock_held_too_long_is_one_clear_line() {
    // Takes the 5 s busy timeout.
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch("BEGIN EXCLUSIVE").unwrap();
    assert_bad_input(
        dir.path(),
        "shop.db",
        "the database is locked by another process (waited 5 s)",
    );
    c.execute_batch("ROLLBACK").unwrap();
}
