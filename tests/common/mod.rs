//! Helpers shared by the integration tests: fixture databases built from
//! `tests/fixtures/*.sql` in a temporary folder, and reading a built site back.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

/// The folder of the fixtures.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Builds `<dir>/<name>.db` from `tests/fixtures/<name>.sql` and returns its path.
pub fn fixture_db(dir: &Path, name: &str) -> PathBuf {
    let sql = fs::read_to_string(fixtures().join(format!("{name}.sql")))
        .unwrap_or_else(|e| panic!("reading fixture {name}.sql: {e}"));
    db_from_sql(dir, name, &sql)
}

/// Builds `<dir>/<name>.db` from SQL text and returns its path.
pub fn db_from_sql(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(format!("{name}.db"));
    let conn = rusqlite::Connection::open(&path).expect("creating a fixture database");
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("loading fixture {name}: {e}"));
    drop(conn);
    path
}

/// Every file under `dir` with its path relative to `dir` (`/`-separated), sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

/// The entries of `dir` (names only, sorted), hidden ones included.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// Splits a Markdown table row into its cells on the pipes that are not escaped.
pub fn cells(row: &str) -> Vec<String> {
    let row = row.trim();
    let inner = row.strip_prefix('|').unwrap_or(row);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '|' => out.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// The rows (header first, delimiter row left out) of the table under `## <section>`
/// in a Markdown page; empty when the page has no such section.
pub fn section_rows(md: &str, section: &str) -> Vec<Vec<String>> {
    let head = format!("## {section}");
    let mut lines = md.lines().skip_while(|l| l.trim_end() != head);
    if lines.next().is_none() {
        return Vec::new();
    }
    lines
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| l.trim_start().starts_with('|'))
        .map(cells)
        .filter(|r| {
            !r.iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| ch == '-'))
        })
        .collect()
}

/// One column of a section's table, by header name (header left out).
pub fn section_column(md: &str, section: &str, header: &str) -> Vec<String> {
    let rows = section_rows(md, section);
    let Some(k) = rows
        .first()
        .and_then(|h| h.iter().position(|c| c == header))
    else {
        return Vec::new();
    };
    rows[1..].iter().map(|r| r[k].clone()).collect()
}
pub mod hostile;
pub mod inspect;
