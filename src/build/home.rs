//! The home page: the database at a glance, with links into both sections.

use serde::Serialize;

use super::Page;
use super::sessions::{SessionRow, Totals};

/// Facts about the database file.
#[derive(Serialize)]
pub struct DbFacts {
    pub file: String,
    pub size: String,
    pub sqlite_version: String,
}

/// Counts of the schema.
#[derive(Serialize)]
pub struct SchemaFacts {
    pub tables: usize,
    pub relations: usize,
    pub index_md: String,
}

/// Context of `html/index.html` and `md/index.md`.
#[derive(Serialize)]
pub struct HomePage<'a> {
    pub db: &'a DbFacts,
    pub has_sessions: bool,
    pub totals: &'a Totals,
    pub latest: Vec<SessionRow<'a>>,
    pub schema: &'a SchemaFacts,
    pub path: String,
    pub root: String,
}

/// Bytes for people: `812 B`, `3.4 KiB`, `12.0 MiB`, `1.2 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

/// The HTML and Markdown home pages. `latest` rows are built per page by the caller
/// (their links are relative to the page).
pub fn pages<'a>(
    db: &'a DbFacts,
    has_sessions: bool,
    totals: &'a Totals,
    latest: impl Fn(&str) -> Vec<SessionRow<'a>>,
    schema: &'a SchemaFacts,
) -> Vec<Page> {
    [
        ("index.html", "html/index.html"),
        ("index.md", "md/index.md"),
    ]
    .into_iter()
    .map(|(path, template)| {
        let ctx = HomePage {
            db,
            has_sessions,
            totals,
            latest: latest(path),
            schema,
            path: path.to_string(),
            root: String::new(),
        };
        Page::template(path, template, &ctx)
    })
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn human_bytes() {
        assert_eq!(super::human_bytes(812), "812 B");
        assert_eq!(super::human_bytes(3482), "3.4 KiB");
        assert_eq!(super::human_bytes(12 * 1024 * 1024), "12.0 MiB");
    }
}
