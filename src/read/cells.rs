//! Reading untrusted cells: any storage class in any column. Text that is not UTF-8, a
//! BLOB where text belongs, NULL in a column surveilr declares NOT NULL, and invalid
//! JSON in a JSON column are read as well as they can be and flagged on the row.

use crate::hash::HashSet;

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::model::status::RawStatus;
use crate::model::time::Timestamp;

/// A column we read: its name, whether surveilr declares it NOT NULL, whether it holds JSON.
#[derive(Debug, Clone, Copy)]
pub struct ColSpec {
    pub name: &'static str,
    pub required: bool,
    pub json: bool,
}

pub const fn col(name: &'static str) -> ColSpec {
    ColSpec {
        name,
        required: false,
        json: false,
    }
}
pub const fn req(name: &'static str) -> ColSpec {
    ColSpec {
        name,
        required: true,
        json: false,
    }
}
pub const fn json(name: &'static str) -> ColSpec {
    ColSpec {
        name,
        required: false,
        json: true,
    }
}

/// `"a", NULL, "c"`: the columns in spec order, NULL for those not `present`.
fn select_list(cols: &[ColSpec], present: &[bool]) -> String {
    cols.iter()
        .zip(present)
        .map(|(c, &p)| {
            if p {
                format!("\"{}\"", c.name)
            } else {
                "NULL".to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which of the columns we want a table really has.
#[derive(Debug, Clone)]
pub struct TableLayout {
    pub table: &'static str,
    pub present: Vec<bool>,
    pub has_rowid: bool,
    /// The columns rows are ordered by: `rowid`, else the primary key, else all read.
    pub order: String,
    /// The columns it was detected for, and their select list (made once: sessions
    /// are read with it thousands of times).
    spec: Vec<&'static str>,
    select: String,
}

impl TableLayout {
    /// `None` when the table does not exist.
    pub fn detect(conn: &Connection, table: &'static str, cols: &[ColSpec]) -> Option<TableLayout> {
        let mut stmt = conn
            .prepare("SELECT name FROM pragma_table_xinfo(?1)")
            .ok()?;
        let names: HashSet<String> = stmt
            .query_map([table], |r| r.get::<_, String>(0))
            .ok()?
            .flatten()
            .collect();
        if names.is_empty() {
            return None;
        }
        let has_rowid = conn
            .prepare(&format!("SELECT rowid FROM \"{table}\" LIMIT 0"))
            .is_ok();
        let present: Vec<bool> = cols.iter().map(|c| names.contains(c.name)).collect();
        // Without a rowid (WITHOUT ROWID tables, views), rows are numbered by their
        // position in one stable order: the primary key, else every column we read.
        let order = if has_rowid {
            "rowid".to_string()
        } else {
            let pk: Vec<String> = conn
                .prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
                .and_then(|mut st| {
                    st.query_map([table], |r| r.get::<_, String>(0))?
                        .collect::<rusqlite::Result<Vec<String>>>()
                })
                .unwrap_or_default();
            let list: Vec<String> = if pk.is_empty() {
                cols.iter()
                    .zip(&present)
                    .filter(|(_, p)| **p)
                    .map(|(c, _)| c.name.to_string())
                    .collect()
            } else {
                pk
            };
            list.iter()
                .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let select = select_list(cols, &present);
        Some(TableLayout {
            table,
            spec: cols.iter().map(|c| c.name).collect(),
            select,
            present,
            has_rowid,
            order,
        })
    }

    /// `rowid`, or `NULL` for a table without one (rows are then numbered by position).
    pub fn rowid(&self) -> &'static str {
        if self.has_rowid { "rowid" } else { "NULL" }
    }

    /// `ORDER BY ...` giving rows in recording order (or a stable order without rowid).
    pub fn order_by(&self) -> String {
        if self.order.is_empty() {
            String::new()
        } else {
            format!("ORDER BY {}", self.order)
        }
    }

    /// `"a", NULL, "c"`: the columns in spec order, NULL for absent ones.
    pub fn select_list(&self, cols: &[ColSpec]) -> std::borrow::Cow<'_, str> {
        if cols.len() == self.spec.len() && cols.iter().zip(&self.spec).all(|(c, s)| c.name == *s) {
            return std::borrow::Cow::Borrowed(&self.select);
        }
        std::borrow::Cow::Owned(select_list(cols, &self.present))
    }

    pub fn has(&self, cols: &[ColSpec], name: &str) -> bool {
        cols.iter()
            .zip(&self.present)
            .any(|(c, &p)| p && c.name == name)
    }
}

/// Decodes the cells of one row, collecting what was wrong with them.
pub struct RowReader<'r, 's> {
    pub row: &'r rusqlite::Row<'s>,
    pub offset: usize,
    pub cols: &'static [ColSpec],
    pub flags: Vec<String>,
}

impl<'r, 's> RowReader<'r, 's> {
    pub fn new(row: &'r rusqlite::Row<'s>, offset: usize, cols: &'static [ColSpec]) -> Self {
        RowReader {
            row,
            offset,
            cols,
            flags: Vec::new(),
        }
    }

    fn value(&self, i: usize) -> ValueRef<'r> {
        let row: &'r rusqlite::Row<'s> = self.row;
        row.get_ref(self.offset + i).unwrap_or(ValueRef::Null)
    }

    /// Text of column `i` of the spec.
    pub fn text(&mut self, i: usize) -> Option<String> {
        let spec = self.cols[i];
        let out = match self.value(i) {
            ValueRef::Null => None,
            ValueRef::Text(b) => Some(match std::str::from_utf8(b) {
                Ok(s) => s.to_string(),
                Err(_) => {
                    self.flags.push(format!(
                        "{} is not valid UTF-8 (shown with replacement characters)",
                        spec.name
                    ));
                    String::from_utf8_lossy(b).into_owned()
                }
            }),
            ValueRef::Integer(n) => Some(n.to_string()),
            ValueRef::Real(f) => Some(f.to_string()),
            ValueRef::Blob(b) => match std::str::from_utf8(b) {
                Ok(s) => {
                    self.flags
                        .push(format!("{} is stored as a BLOB of UTF-8 text", spec.name));
                    Some(s.to_string())
                }
                Err(_) => {
                    self.flags.push(format!(
                        "{} is a binary BLOB of {} bytes (shown as a hex excerpt)",
                        spec.name,
                        b.len()
                    ));
                    Some(hex_excerpt(b))
                }
            },
        };
        if out.is_none() && spec.required {
            self.flags.push(format!(
                "{} is NULL but surveilr declares it NOT NULL",
                spec.name
            ));
        }
        if spec.json
            && let Some(s) = &out
            && serde_json::from_str::<serde::de::IgnoredAny>(s).is_err()
        {
            self.flags.push(format!("{} is not valid JSON", spec.name));
        }
        out
    }

    /// An id column: text, or a placeholder naming the rowid when NULL.
    pub fn id(&mut self, i: usize, rowid: i64) -> String {
        self.text(i)
            .unwrap_or_else(|| format!("(NULL id, rowid {rowid})"))
    }

    pub fn int(&mut self, i: usize) -> Option<i64> {
        match self.value(i) {
            ValueRef::Integer(n) => Some(n),
            ValueRef::Null => None,
            ValueRef::Real(f) => Some(f as i64),
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                match s.trim().parse() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        self.flags
                            .push(format!("{} is not a number: {s:?}", self.cols[i].name));
                        None
                    }
                }
            }
            ValueRef::Blob(_) => {
                self.flags
                    .push(format!("{} is a BLOB, not a number", self.cols[i].name));
                None
            }
        }
    }

    pub fn status(&mut self, i: usize) -> RawStatus {
        let raw = raw_status(self.value(i));
        if raw == RawStatus::Null && self.cols[i].required {
            self.flags.push(format!(
                "{} is NULL but surveilr declares it NOT NULL",
                self.cols[i].name
            ));
        }
        raw
    }

    pub fn timestamp(&mut self, i: usize) -> Option<Timestamp> {
        let t = match self.value(i) {
            ValueRef::Null => return None,
            ValueRef::Integer(n) => Timestamp::from_number(n as f64),
            ValueRef::Real(f) => Timestamp::from_number(f),
            ValueRef::Text(b) => Timestamp::from_text(&String::from_utf8_lossy(b)),
            ValueRef::Blob(b) => Timestamp::from_text(&String::from_utf8_lossy(b)),
        };
        if t.epoch_ms.is_none() {
            self.flags.push(format!(
                "{} is not a timestamp: {:?}",
                self.cols[i].name,
                truncate(&t.raw, 60)
            ));
        }
        Some(t)
    }
}

pub fn raw_status(v: ValueRef<'_>) -> RawStatus {
    match v {
        ValueRef::Null => RawStatus::Null,
        ValueRef::Integer(n) => RawStatus::Integer(n),
        ValueRef::Real(f) => RawStatus::Real(f),
        ValueRef::Text(t) => RawStatus::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => RawStatus::Blob(b.len()),
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// The first bytes of a binary BLOB as hex.
pub fn hex_excerpt(b: &[u8]) -> String {
    let shown: Vec<String> = b.iter().take(64).map(|x| format!("{x:02x}")).collect();
    let more = if b.len() > 64 {
        format!(" … ({} more bytes)", b.len() - 64)
    } else {
        String::new()
    };
    format!("x'{}'{more}", shown.join(""))
}
