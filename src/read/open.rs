//! Opening the database: check the file before SQLite sees it, then open it read-only.
//!
//! The file is never written: it is opened with `SQLITE_OPEN_READ_ONLY` through a `file:`
//! URI with `mode=ro`, and a read-only file system or a WAL database whose `-shm` file
//! cannot be created is retried as `immutable=1`. Every failure names the file and says
//! what is wrong in one line.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};

/// The first 16 bytes of every SQLite 3 database file.
const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Checks that `path` looks like a complete SQLite database, without opening it in SQLite.
pub fn check_file(path: &Path) -> Result<()> {
    let shown = path.display();
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("{shown}: no such file")
        }
        Err(e) => bail!("{shown}: cannot read: {e}"),
    };
    if meta.is_dir() {
        bail!("{shown}: is a directory, not an SQLite database file");
    }
    let len = meta.len();
    if len == 0 {
        bail!("{shown}: is empty (0 bytes), not an SQLite database");
    }
    let mut header = [0u8; 100];
    let mut f = fs::File::open(path).with_context(|| format!("{shown}: cannot open"))?;
    let got = read_up_to(&mut f, &mut header).with_context(|| format!("{shown}: cannot read"))?;
    if got < 16 || &header[..16] != MAGIC {
        bail!(
            "{shown}: not an SQLite 3 database (the file does not start with \"SQLite format 3\"; \
             it may be another format or encrypted)"
        );
    }
    if got < 100 {
        bail!("{shown}: truncated: {len} bytes, shorter than the 100-byte SQLite header");
    }
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65536u64,
        n if n >= 512 && n.is_power_of_two() => u64::from(n),
        n => bail!("{shown}: corrupt SQLite header: page size {n} is not valid"),
    };
    let change_counter = u32::from_be_bytes(header[24..28].try_into().expect("4 bytes"));
    let page_count = u32::from_be_bytes(header[28..32].try_into().expect("4 bytes"));
    let valid_for = u32::from_be_bytes(header[92..96].try_into().expect("4 bytes"));
    let wal = path.with_file_name(format!(
        "{}-wal",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    // The in-header size is only trusted when it is marked valid for this change counter;
    // pages may also still live in a WAL file.
    if valid_for == change_counter && page_count > 0 && !wal.exists() {
        let want = u64::from(page_count) * page_size;
        if len < want {
            bail!(
                "{shown}: truncated: the header says {page_count} pages of {page_size} bytes \
                 ({want} bytes) but the file has {len} bytes"
            );
        }
    }
    if len % page_size != 0 && !wal.exists() {
        bail!(
            "{shown}: truncated or corrupt: {len} bytes is not a whole number of {page_size}-byte pages"
        );
    }
    Ok(())
}

fn read_up_to(f: &mut fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Opens `path` read-only after [`check_file`], and proves it readable with a first query.
pub fn open_read_only(path: &Path) -> Result<Connection> {
    check_file(path)?;
    crate::output::protect(path);
    let shown = path.display();
    match try_open(path, false) {
        Ok(c) => Ok(c),
        Err(first) => {
            // A read-only directory or file system cannot hold the WAL index (-shm) that a
            // reader of a WAL database needs; immutable=1 reads without it. Nobody can be
            // writing to such a file, so this is safe there.
            let msg = first.to_string();
            let retry = msg.contains("unable to open")
                || msg.contains("readonly")
                || msg.contains("read-only")
                || msg.contains("disk I/O error");
            if retry && let Ok(c) = try_open(path, true) {
                return Ok(c);
            }
            Err(first).with_context(|| format!("{shown}: cannot be read as an SQLite database"))
        }
    }
}

fn try_open(path: &Path, immutable: bool) -> Result<Connection> {
    let uri = file_uri(path, immutable);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&uri, flags).map_err(explain)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(explain)?;
    // Defence in depth: even a bug in a query cannot write.
    conn.pragma_update(None, "query_only", true)
        .map_err(explain)?;
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(explain)?;
    Ok(conn)
}

/// Turns SQLite's error codes into words a user can act on.
pub fn explain(e: rusqlite::Error) -> anyhow::Error {
    use rusqlite::ErrorCode as C;
    if let rusqlite::Error::SqliteFailure(f, ref detail) = e {
        let what = match f.code {
            C::NotADatabase => "not an SQLite database, or encrypted",
            C::DatabaseCorrupt => "the database file is corrupt",
            C::DatabaseBusy | C::DatabaseLocked => {
                "the database is locked by another process (waited 5 s)"
            }
            C::CannotOpen => "unable to open the database file",
            C::PermissionDenied => "permission denied",
            C::ReadOnly => "readonly: the database needs a write to be read (WAL recovery)",
            C::SystemIoFailure => "disk I/O error",
            _ => "",
        };
        if !what.is_empty() {
            return match detail {
                Some(d) if !d.is_empty() && !what.contains(d.as_str()) => {
                    anyhow::anyhow!("{what} ({d})")
                }
                _ => anyhow::anyhow!("{what}"),
            };
        }
    }
    anyhow::Error::new(e)
}

/// A `file:` URI for `path` with every character that means something in a URI escaped.
fn file_uri(path: &Path, immutable: bool) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut s = String::from("file:");
    for &b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                s.push(b as char)
            }
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s.push_str("?mode=ro");
    if immutable {
        s.push_str("&immutable=1");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_escapes_specials() {
        let u = file_uri(Path::new("/tmp/a b?c#d%.db"), true);
        assert_eq!(u, "file:/tmp/a%20b%3Fc%23d%25.db?mode=ro&immutable=1");
    }
}
