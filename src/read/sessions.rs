//! Reading orchestration sessions from the `orchestration_*` tables.
//!
//! Columns are read by name and every table and column is optional: what an RSSD of
//! another surveilr version lacks is simply absent. Reading happens in two steps, so
//! memory grows with the largest session, not with the RSSD:
//!
//! 1. [`SessionIndex::read`] scans each child table once for `(rowid, session_id)` and
//!    the few columns the indexes need (status, states), giving every session its
//!    summary and the rowids of its rows. Rows naming a session that does not exist are
//!    gathered under a stand-in session so they are shown, not lost.
//! 2. [`SessionIndex::load`] reads one session's rows by rowid, runs of consecutive
//!    rowids at a time.

use crate::hash::HashMap;

use anyhow::{Context, Result};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

use super::cells::{ColSpec, RowReader, TableLayout, col, json, raw_status, req};
use super::open::explain;
use crate::model::session::{
    BigField, BigText, EntryRow, ExecRow, IssueRelationRow, IssueRow, LogRow, Session,
    SessionSummary, StateRow,
};
use crate::model::status::{FinalState, Outcome, StatusRule, terminal_state};

const SESSION: &str = "orchestration_session";
const EXEC: &str = "orchestration_session_exec";
const STATE: &str = "orchestration_session_state";
const ENTRY: &str = "orchestration_session_entry";
const ISSUE: &str = "orchestration_session_issue";
const ISSUE_REL: &str = "orchestration_session_issue_relation";
const LOG: &str = "orchestration_session_log";

static SESSION_COLS: &[ColSpec] = &[
    req("orchestration_session_id"),
    req("device_id"),
    req("orchestration_nature_id"),
    req("version"),
    col("orch_started_at"),
    col("orch_finished_at"),
    json("elaboration"),
    json("args_json"),
    json("diagnostics_json"),
    col("diagnostics_md"),
];
static EXEC_COLS: &[ColSpec] = &[
    req("orchestration_session_exec_id"),
    req("exec_nature"),
    req("session_id"),
    col("session_entry_id"),
    col("parent_exec_id"),
    col("namespace"),
    col("exec_identity"),
    req("exec_code"),
    req("exec_status"),
    col("input_text"),
    col("exec_error_text"),
    col("output_text"),
    json("output_nature"),
    col("narrative_md"),
    json("elaboration"),
];
static STATE_COLS: &[ColSpec] = &[
    req("orchestration_session_state_id"),
    req("session_id"),
    col("session_entry_id"),
    req("from_state"),
    req("to_state"),
    json("transition_result"),
    col("transition_reason"),
    col("transitioned_at"),
    json("elaboration"),
];
static ENTRY_COLS: &[ColSpec] = &[
    req("orchestration_session_entry_id"),
    req("session_id"),
    req("ingest_src"),
    col("ingest_table_name"),
    json("elaboration"),
];
static ISSUE_COLS: &[ColSpec] = &[
    req("orchestration_session_issue_id"),
    req("session_id"),
    col("session_entry_id"),
    req("issue_type"),
    req("issue_message"),
    col("issue_row"),
    col("issue_column"),
    col("invalid_value"),
    col("remediation"),
    json("elaboration"),
];
static ISSUE_REL_COLS: &[ColSpec] = &[
    req("orchestration_session_issue_relation_id"),
    req("issue_id_prime"),
    req("issue_id_rel"),
    req("relationship_nature"),
    json("elaboration"),
];
static LOG_COLS: &[ColSpec] = &[
    req("orchestration_session_log_id"),
    col("category"),
    col("parent_exec_id"),
    req("content"),
    col("sibling_order"),
    json("elaboration"),
];

/// Which orchestration tables and columns this RSSD has.
pub struct Layouts {
    session: Option<TableLayout>,
    exec: Option<TableLayout>,
    state: Option<TableLayout>,
    entry: Option<TableLayout>,
    issue: Option<TableLayout>,
    issue_rel: Option<TableLayout>,
    log: Option<TableLayout>,
}

impl Layouts {
    pub fn detect(conn: &Connection) -> Layouts {
        Layouts {
            session: TableLayout::detect(conn, SESSION, SESSION_COLS),
            exec: TableLayout::detect(conn, EXEC, EXEC_COLS),
            state: TableLayout::detect(conn, STATE, STATE_COLS),
            entry: TableLayout::detect(conn, ENTRY, ENTRY_COLS),
            issue: TableLayout::detect(conn, ISSUE, ISSUE_COLS),
            issue_rel: TableLayout::detect(conn, ISSUE_REL, ISSUE_REL_COLS),
            log: TableLayout::detect(conn, LOG, LOG_COLS),
        }
    }

    /// True when the RSSD has the table sessions are recorded in.
    pub fn has_sessions(&self) -> bool {
        self.session.is_some()
    }
}

/// Rowids of one session's rows in each child table.
#[derive(Debug, Default, Clone)]
struct Rows {
    exec: Vec<i64>,
    state: Vec<i64>,
    entry: Vec<i64>,
    issue: Vec<i64>,
    issue_rel: Vec<i64>,
    log: Vec<i64>,
}

/// Every session's summary, and where its rows are.
pub struct SessionIndex {
    pub summaries: Vec<SessionSummary>,
    rows: Vec<Rows>,
    layouts: Layouts,
    /// Logs whose parents lead to no execution.
    pub unattached_logs: Vec<i64>,
    /// Problems found while indexing, for stderr.
    pub warnings: Vec<String>,
    rule: StatusRule,
}

fn key(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
    }
}

/// The label of the stand-in session for rows whose `session_id` is NULL.
pub const NO_SESSION: &str = "(no session_id)";

struct Indexer<'a> {
    by_id: HashMap<String, usize>,
    summaries: Vec<SessionSummary>,
    rows: Vec<Rows>,
    missing: HashMap<String, u64>,
    names: &'a Lookups,
}

/// Names of natures and devices, by id.
#[derive(Default)]
struct Lookups {
    nature: HashMap<String, String>,
    device: HashMap<String, String>,
}

impl Indexer<'_> {
    /// The index of the session named `id`, creating a stand-in for unknown ones.
    fn session(&mut self, id: Option<String>, table: &str) -> usize {
        let id = id.unwrap_or_else(|| NO_SESSION.to_string());
        if let Some(&i) = self.by_id.get(&id) {
            return i;
        }
        *self.missing.entry(format!("{table}\u{0}{id}")).or_default() += 1;
        let i = self.summaries.len();
        self.summaries.push(stand_in(&id, table));
        self.rows.push(Rows::default());
        self.by_id.insert(id, i);
        i
    }
}

fn stand_in(id: &str, table: &str) -> SessionSummary {
    SessionSummary {
        id: id.to_string(),
        rowid: i64::MAX,
        nature_id: None,
        nature: "(unknown)".into(),
        device_id: None,
        device: "(unknown)".into(),
        version: None,
        started_at: None,
        finished_at: None,
        duration_ms: None,
        final_state: FinalState::Abandoned,
        final_state_raw: None,
        exec_total: 0,
        exec_ok: 0,
        exec_failed: 0,
        exec_unknown: 0,
        issues: 0,
        last_activity_ms: None,
        flags: vec![format!(
            "no row in orchestration_session has this id; rows of {table} and other tables name it"
        )],
    }
}

/// Execution tables with rowids this far apart are scanned in two halves at once, the
/// second through another connection (see [`SessionIndex::read_with`]).
const SPLIT_EXEC_ROWS: i64 = 50_000;

impl SessionIndex {
    /// Scans the RSSD once and summarises every session.
    pub fn read(
        conn: &Connection,
        rule: &StatusRule,
        abandon_after_ms: i64,
    ) -> Result<SessionIndex> {
        Self::read_with(conn, None, rule, abandon_after_ms)
    }

    /// [`SessionIndex::read`], with `helper`, a second connection to the same file,
    /// reading the second half of a large execution table on another thread while
    /// `conn` reads the first (the scan is most of the time spent before the first
    /// page can be made). The index is the same either way.
    pub fn read_with(
        conn: &Connection,
        helper: Option<&mut Connection>,
        rule: &StatusRule,
        abandon_after_ms: i64,
    ) -> Result<SessionIndex> {
        Self::read_split(conn, helper, rule, abandon_after_ms, SPLIT_EXEC_ROWS)
    }

    fn read_split(
        conn: &Connection,
        helper: Option<&mut Connection>,
        rule: &StatusRule,
        abandon_after_ms: i64,
        split_rows: i64,
    ) -> Result<SessionIndex> {
        let layouts = Layouts::detect(conn);
        let names = read_lookups(conn);
        let mut ix = Indexer {
            by_id: HashMap::default(),
            summaries: Vec::new(),
            rows: Vec::new(),
            missing: HashMap::default(),
            names: &names,
        };
        if let Some(l) = &layouts.session {
            read_session_rows(conn, l, &mut ix).context("reading orchestration_session")?;
        }
        let mut warnings = Vec::new();
        // The executions logs hang under, by id: the log table is read first (it is
        // small next to the executions), and the scan of the executions below notes
        // the session of each one a log names (no join over the execution table).
        let logs_attach = layouts.exec.is_some()
            && layouts
                .log
                .as_ref()
                .is_some_and(|l| l.has(LOG_COLS, "parent_exec_id") && l.has_rowid);
        // (rowid, parent) of every log, read once: attaching them below uses it too
        let mut log_rows: Vec<(i64, Option<String>)> = Vec::new();
        let mut log_parents: HashMap<String, Option<usize>> = HashMap::default();
        if logs_attach && let Some(l) = &layouts.log {
            scan(conn, l, LOG_COLS, &["parent_exec_id"], |rowid, r| {
                let p = key(r.get_ref(1)?);
                if let Some(p) = &p {
                    log_parents.insert(p.clone(), None);
                }
                log_rows.push((rowid, p));
                Ok(())
            })
            .context("reading orchestration_session_log")?;
        }
        if let Some(l) = &layouts.exec {
            let cols: &[&str] = if log_parents.is_empty() {
                &["session_id", "exec_status"]
            } else {
                &["session_id", "exec_status", "orchestration_session_exec_id"]
            };
            let parents = &log_parents;
            let parts = match helper.zip(split_point(conn, l, split_rows)) {
                None => vec![exec_part(conn, l, cols, None, rule, parents)],
                Some((helper, mid)) => std::thread::scope(|s| {
                    let second = s.spawn(move || {
                        exec_part(helper, l, cols, Some((mid + 1, i64::MAX)), rule, parents)
                    });
                    let first = exec_part(conn, l, cols, Some((i64::MIN, mid)), rule, parents);
                    let second = second.join().unwrap_or_else(|_| {
                        Err(anyhow::anyhow!(
                            "the second reader of the executions stopped"
                        ))
                    });
                    vec![first, second]
                }),
            };
            for part in parts {
                let part = part.context("reading orchestration_session_exec")?;
                // in the order the sessions first appear: as one scan would number them
                let global: Vec<usize> =
                    part.keys.into_iter().map(|k| ix.session(k, EXEC)).collect();
                for ((rows, counts), &s) in part.rows.into_iter().zip(part.counts).zip(&global) {
                    let sum = &mut ix.summaries[s];
                    sum.exec_total += rows.len() as u64;
                    sum.exec_ok += counts[0];
                    sum.exec_failed += counts[1];
                    sum.exec_unknown += counts[2];
                    let exec = &mut ix.rows[s].exec;
                    if exec.is_empty() {
                        *exec = rows;
                    } else {
                        exec.extend(rows);
                    }
                }
                for (id, s) in part.log_parents {
                    if let Some(slot) = log_parents.get_mut(&id) {
                        *slot = Some(global[s]);
                    }
                }
            }
        }
        if let Some(l) = &layouts.state {
            // Final state: the last terminal transition in time, then recording, order.
            let mut last: HashMap<usize, (Option<i64>, i64, String)> = HashMap::default();
            scan(
                conn,
                l,
                STATE_COLS,
                &["session_id", "to_state", "transitioned_at"],
                |rowid, r| {
                    let s = ix.session(key(r.get_ref(1)?), STATE);
                    ix.rows[s].state.push(rowid);
                    let to = key(r.get_ref(2)?).unwrap_or_default();
                    let at = key(r.get_ref(3)?)
                        .and_then(|t| crate::model::time::Timestamp::from_text(&t).epoch_ms);
                    let sum = &mut ix.summaries[s];
                    if let Some(ms) = at {
                        sum.last_activity_ms = Some(sum.last_activity_ms.map_or(ms, |m| m.max(ms)));
                    }
                    if terminal_state(&to).is_some() {
                        let newer = match last.get(&s) {
                            None => true,
                            Some((pat, prow, _)) => (at, rowid) >= (*pat, *prow),
                        };
                        if newer {
                            last.insert(s, (at, rowid, to));
                        }
                    }
                    Ok(())
                },
            )
            .context("reading orchestration_session_state")?;
            for (s, (_, _, to)) in last {
                let sum = &mut ix.summaries[s];
                sum.final_state = terminal_state(&to).expect("terminal");
                sum.final_state_raw = Some(to);
            }
        }
        if let Some(l) = &layouts.entry {
            scan(conn, l, ENTRY_COLS, &["session_id"], |rowid, r| {
                let s = ix.session(key(r.get_ref(1)?), ENTRY);
                ix.rows[s].entry.push(rowid);
                Ok(())
            })
            .context("reading orchestration_session_entry")?;
        }
        let mut issue_session: HashMap<String, usize> = HashMap::default();
        if let Some(l) = &layouts.issue {
            scan(
                conn,
                l,
                ISSUE_COLS,
                &["session_id", "orchestration_session_issue_id"],
                |rowid, r| {
                    let s = ix.session(key(r.get_ref(1)?), ISSUE);
                    ix.rows[s].issue.push(rowid);
                    ix.summaries[s].issues += 1;
                    if let Some(id) = key(r.get_ref(2)?) {
                        issue_session.insert(id, s);
                    }
                    Ok(())
                },
            )
            .context("reading orchestration_session_issue")?;
        }
        if let Some(l) = &layouts.issue_rel {
            let mut unattached = 0u64;
            scan(conn, l, ISSUE_REL_COLS, &["issue_id_prime"], |rowid, r| {
                match key(r.get_ref(1)?).and_then(|p| issue_session.get(&p).copied()) {
                    Some(s) => ix.rows[s].issue_rel.push(rowid),
                    None => unattached += 1,
                }
                Ok(())
            })
            .context("reading orchestration_session_issue_relation")?;
            if unattached > 0 {
                warnings.push(format!(
                    "{unattached} rows of {ISSUE_REL} name an issue that does not exist; they are not shown"
                ));
            }
        }
        let unattached_logs = if layouts.log.is_some() && layouts.exec.is_some() {
            attach_logs(
                conn,
                &layouts,
                logs_attach.then_some(&log_rows),
                &log_parents,
                &mut ix,
            )
            .context("reading orchestration_session_log")?
        } else {
            Vec::new()
        };
        let mut missing: Vec<(String, u64)> = ix.missing.into_iter().collect();
        missing.sort();
        for (k, n) in missing {
            let (table, id) = k.split_once('\u{0}').unwrap_or(("", &k));
            warnings.push(format!(
                "{table}: rows name session '{id}', which is not in orchestration_session; \
                 they are shown under a stand-in session ({n} first seen here)"
            ));
        }
        finish_summaries(&mut ix.summaries, abandon_after_ms);
        for s in &ix.summaries {
            for f in &s.flags {
                warnings.push(format!("orchestration_session row '{}': {f}", s.id));
            }
        }
        let warnings = warnings
            .iter()
            .map(|w| crate::render::escape::terminal(w).into_owned())
            .collect();
        Ok(SessionIndex {
            summaries: ix.summaries,
            rows: ix.rows,
            layouts,
            unattached_logs,
            warnings,
            rule: rule.clone(),
        })
    }

    /// True when the RSSD has an `orchestration_session` table.
    pub fn has_session_table(&self) -> bool {
        self.layouts.has_sessions()
    }

    /// Reads everything recorded about session `i` of `summaries`.
    pub fn load(&self, conn: &Connection, i: usize) -> Result<Session> {
        let rows = &self.rows[i];
        let summary = self.summaries[i].clone();
        let id = summary.id.clone();
        let what = |t: &str| {
            let id = crate::render::escape::terminal(&id);
            format!("reading {t} rows of session '{id}'")
        };
        let mut session = Session {
            summary,
            elaboration: None,
            args_json: None,
            diagnostics_json: None,
            diagnostics_md: None,
            states: Vec::new(),
            entries: Vec::new(),
            execs: Vec::new(),
            issues: Vec::new(),
            issue_relations: Vec::new(),
            logs: Vec::new(),
        };
        if let Some(l) = &self.layouts.session
            && session.summary.rowid != i64::MAX
        {
            fetch(
                conn,
                l,
                SESSION_COLS,
                &[session.summary.rowid],
                |rowid, r| {
                    let mut rr = RowReader::new(r, 1, SESSION_COLS);
                    let _ = rr.id(0, rowid);
                    session.elaboration = rr.text(6);
                    session.args_json = rr.text(7);
                    session.diagnostics_json = rr.text(8);
                    session.diagnostics_md = rr.text(9);
                    Ok(())
                },
            )
            .with_context(|| what(SESSION))?;
        }
        if let Some(l) = &self.layouts.exec {
            let rule = &self.rule;
            let select = exec_select(l);
            let mut big: Vec<(usize, BigField, i64, u64)> = Vec::new();
            fetch_select(conn, l, &select, &rows.exec, |rowid, r| {
                let e = read_exec(r, rowid, rule);
                // the large columns come last, as their sizes
                for (k, field) in BIG_FIELDS.iter().enumerate() {
                    let n = r.get_ref(1 + EXEC_COLS.len() + k)?;
                    if let ValueRef::Integer(n) = n
                        && n as u64 > BIG_TEXT
                        && l.has_rowid
                    {
                        big.push((session.execs.len(), *field, rowid, n as u64));
                    }
                }
                session.execs.push(e);
                Ok(())
            })
            .with_context(|| what(EXEC))?;
            for (i, field, rowid, bytes) in big {
                let b = read_big(conn, field, rowid, bytes).with_context(|| {
                    format!(
                        "reading {} of orchestration_session_exec row {rowid} in pieces",
                        field.column()
                    )
                })?;
                let e = &mut session.execs[i];
                let slot = match field {
                    BigField::Code => &mut e.code,
                    BigField::Input => &mut e.input,
                    BigField::Error => &mut e.error,
                    BigField::Output => &mut e.output,
                };
                *slot = Some(b.head.clone());
                e.big.push(b);
            }
        }
        if let Some(l) = &self.layouts.state {
            fetch(conn, l, STATE_COLS, &rows.state, |rowid, r| {
                let mut rr = RowReader::new(r, 1, STATE_COLS);
                session.states.push(StateRow {
                    id: rr.id(0, rowid),
                    entry_id: rr.text(2),
                    from_state: rr.text(3),
                    to_state: rr.text(4),
                    transition_result: rr.text(5),
                    transition_reason: rr.text(6),
                    transitioned_at: rr.timestamp(7),
                    elaboration: rr.text(8),
                    flags: rr.flags,
                });
                Ok(())
            })
            .with_context(|| what(STATE))?;
            // time order, rows without a readable time last, then recording order
            session.states.sort_by_key(|s| {
                s.transitioned_at
                    .as_ref()
                    .and_then(|t| t.epoch_ms)
                    .unwrap_or(i64::MAX)
            });
        }
        if let Some(l) = &self.layouts.entry {
            fetch(conn, l, ENTRY_COLS, &rows.entry, |rowid, r| {
                let mut rr = RowReader::new(r, 1, ENTRY_COLS);
                session.entries.push(EntryRow {
                    id: rr.id(0, rowid),
                    ingest_src: rr.text(2),
                    ingest_table_name: rr.text(3),
                    elaboration: rr.text(4),
                    flags: rr.flags,
                });
                Ok(())
            })
            .with_context(|| what(ENTRY))?;
        }
        if let Some(l) = &self.layouts.issue {
            fetch(conn, l, ISSUE_COLS, &rows.issue, |rowid, r| {
                let mut rr = RowReader::new(r, 1, ISSUE_COLS);
                session.issues.push(IssueRow {
                    id: rr.id(0, rowid),
                    entry_id: rr.text(2),
                    issue_type: rr.text(3),
                    message: rr.text(4),
                    row: rr.text(5),
                    column: rr.text(6),
                    invalid_value: rr.text(7),
                    remediation: rr.text(8),
                    elaboration: rr.text(9),
                    flags: rr.flags,
                });
                Ok(())
            })
            .with_context(|| what(ISSUE))?;
        }
        if let Some(l) = &self.layouts.issue_rel {
            fetch(conn, l, ISSUE_REL_COLS, &rows.issue_rel, |rowid, r| {
                let mut rr = RowReader::new(r, 1, ISSUE_REL_COLS);
                session.issue_relations.push(IssueRelationRow {
                    id: rr.id(0, rowid),
                    issue_id_prime: rr.text(1),
                    issue_id_rel: rr.text(2),
                    relationship_nature: rr.text(3),
                    elaboration: rr.text(4),
                    flags: rr.flags,
                });
                Ok(())
            })
            .with_context(|| what(ISSUE_REL))?;
        }
        if let Some(l) = &self.layouts.log {
            fetch(conn, l, LOG_COLS, &rows.log, |rowid, r| {
                session.logs.push(read_log(r, rowid));
                Ok(())
            })
            .with_context(|| what(LOG))?;
        }
        Ok(session)
    }

    /// Logs that hang under no execution, for the page that lists them.
    pub fn load_unattached_logs(&self, conn: &Connection) -> Result<Vec<LogRow>> {
        let mut out = Vec::new();
        if let Some(l) = &self.layouts.log {
            fetch(conn, l, LOG_COLS, &self.unattached_logs, |rowid, r| {
                out.push(read_log(r, rowid));
                Ok(())
            })?;
        }
        Ok(out)
    }

    /// For parent ids not found in a session: the other session holding them, if any.
    pub fn foreign_parents(&self, conn: &Connection, ids: &[&str]) -> HashMap<String, String> {
        let mut out = HashMap::default();
        if self
            .layouts
            .exec
            .as_ref()
            .is_none_or(|l| !l.has(EXEC_COLS, "session_id"))
        {
            return out;
        }
        let Ok(mut stmt) = conn.prepare_cached(
            "SELECT session_id FROM orchestration_session_exec WHERE orchestration_session_exec_id = ?1",
        ) else {
            return out;
        };
        for id in ids {
            if let Ok(Some(s)) = stmt.query_row([id], |r| Ok(key(r.get_ref(0)?))) {
                out.insert((*id).to_string(), s);
            }
        }
        out
    }
}

/// Text values larger than this are not loaded whole (see [`read_big`]).
pub const BIG_TEXT: u64 = 8 * 1024 * 1024;
/// Bytes of a large value kept from its start and from its end.
const BIG_KEEP: usize = 64 * 1024;
const BIG_FIELDS: [BigField; 4] = [
    BigField::Code,
    BigField::Input,
    BigField::Error,
    BigField::Output,
];

/// The select list of executions: large text columns come as NULL when over
/// [`BIG_TEXT`] bytes, and their sizes follow the regular columns.
fn exec_select(l: &TableLayout) -> String {
    let mut cols: Vec<String> = EXEC_COLS
        .iter()
        .zip(&l.present)
        .map(|(c, &present)| {
            if !present {
                "NULL".to_string()
            } else if l.has_rowid && BIG_FIELDS.iter().any(|f| f.column() == c.name) {
                // read in pieces later, by rowid (a table without rowids is read whole)
                format!(
                    "CASE WHEN octet_length(\"{0}\") > {BIG_TEXT} THEN NULL ELSE \"{0}\" END",
                    c.name
                )
            } else {
                format!("\"{}\"", c.name)
            }
        })
        .collect();
    for f in BIG_FIELDS {
        cols.push(if l.has(EXEC_COLS, f.column()) {
            format!("octet_length(\"{}\")", f.column())
        } else {
            "NULL".into()
        });
    }
    cols.join(", ")
}

/// Reads a large text value in pieces with SQLite's incremental I/O: its line count,
/// its first and last [`BIG_KEEP`] bytes (on character boundaries), never all of it.
fn read_big(conn: &Connection, field: BigField, rowid: i64, bytes: u64) -> Result<BigText> {
    use std::io::Read;
    let mut blob = conn.blob_open(rusqlite::MAIN_DB, EXEC, field.column(), rowid, true)?;
    let mut head: Vec<u8> = Vec::with_capacity(BIG_KEEP);
    let mut tail: std::collections::VecDeque<u8> =
        std::collections::VecDeque::with_capacity(BIG_KEEP);
    let mut lines = 0u64;
    let mut last = b'\n';
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = blob.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        last = chunk[n - 1];
        if head.len() < BIG_KEEP {
            let take = (BIG_KEEP - head.len()).min(n);
            head.extend_from_slice(&chunk[..take]);
        }
        for &b in chunk.iter().skip(n.saturating_sub(BIG_KEEP)) {
            if tail.len() == BIG_KEEP {
                tail.pop_front();
            }
            tail.push_back(b);
        }
    }
    if last != b'\n' {
        lines += 1;
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let tail: Vec<u8> = tail.into_iter().collect();
    // start the tail on a character boundary
    let skip = tail
        .iter()
        .take(4)
        .take_while(|&&b| (0x80..0xC0).contains(&b))
        .count();
    let tail = String::from_utf8_lossy(&tail[skip..]).into_owned();
    Ok(BigText {
        field,
        rowid,
        bytes,
        lines,
        head: head.trim_end_matches('\u{FFFD}').to_string(),
        tail,
    })
}

fn read_exec(r: &Row<'_>, rowid: i64, rule: &StatusRule) -> ExecRow {
    let mut rr = RowReader::new(r, 1, EXEC_COLS);
    let id = rr.id(0, rowid);
    let nature = rr.text(1);
    let session_id = rr.text(2);
    let entry_id = rr.text(3);
    let parent_id = rr.text(4);
    let namespace = rr.text(5);
    let identity = rr.text(6);
    let code = rr.text(7);
    let status_raw = rr.status(8);
    let status = rule.classify(&status_raw);
    ExecRow {
        id,
        rowid,
        nature,
        session_id,
        entry_id,
        parent_id,
        namespace,
        identity,
        code,
        status_raw,
        status,
        input: rr.text(9),
        error: rr.text(10),
        output: rr.text(11),
        output_nature: rr.text(12),
        narrative_md: rr.text(13),
        elaboration: rr.text(14),
        flags: rr.flags,
        big: Vec::new(),
        duration: Default::default(),
    }
}

fn read_log(r: &Row<'_>, rowid: i64) -> LogRow {
    let mut rr = RowReader::new(r, 1, LOG_COLS);
    LogRow {
        id: rr.id(0, rowid),
        rowid,
        category: rr.text(1),
        parent_id: rr.text(2),
        content: rr.text(3),
        sibling_order: rr.int(4),
        elaboration: rr.text(5),
        flags: rr.flags,
    }
}

fn read_lookups(conn: &Connection) -> Lookups {
    let mut l = Lookups::default();
    let pairs = |sql: &str, into: &mut HashMap<String, String>| {
        if let Ok(mut stmt) = conn.prepare(sql)
            && let Ok(rows) = stmt.query_map([], |r| Ok((key(r.get_ref(0)?), key(r.get_ref(1)?))))
        {
            for (k, v) in rows.flatten() {
                if let (Some(k), Some(v)) = (k, v) {
                    into.entry(k).or_insert(v);
                }
            }
        }
    };
    pairs(
        "SELECT orchestration_nature_id, nature FROM orchestration_nature",
        &mut l.nature,
    );
    pairs("SELECT device_id, name FROM device", &mut l.device);
    l
}

fn read_session_rows(conn: &Connection, l: &TableLayout, ix: &mut Indexer<'_>) -> Result<()> {
    let sql = format!(
        "SELECT {}, {} FROM \"{SESSION}\" {}",
        l.rowid(),
        l.select_list(SESSION_COLS),
        l.order_by()
    );
    let mut stmt = conn.prepare(&sql).map_err(explain)?;
    let mut rows = stmt.query([]).map_err(explain)?;
    let mut position = 0i64;
    while let Some(r) = rows.next().map_err(explain)? {
        let rowid: i64 = if l.has_rowid {
            r.get(0).map_err(explain)?
        } else {
            position
        };
        position += 1;
        let mut rr = RowReader::new(r, 1, SESSION_COLS);
        let id = rr.id(0, rowid);
        let device_id = rr.text(1);
        let nature_id = rr.text(2);
        let version = rr.text(3);
        let started_at = rr.timestamp(4);
        let finished_at = rr.timestamp(5);
        // JSON columns are checked when the session is loaded.
        let nature = nature_id
            .as_ref()
            .map(|n| ix.names.nature.get(n).cloned().unwrap_or_else(|| n.clone()))
            .unwrap_or_else(|| "(none)".into());
        let device = device_id
            .as_ref()
            .map(|d| ix.names.device.get(d).cloned().unwrap_or_else(|| d.clone()))
            .unwrap_or_else(|| "(none)".into());
        if ix.by_id.contains_key(&id) {
            rr.flags.push(
                "another orchestration_session row has the same id; their rows are shown together"
                    .into(),
            );
            let i = ix.by_id[&id];
            ix.summaries[i].flags.extend(rr.flags);
            continue;
        }
        ix.by_id.insert(id.clone(), ix.summaries.len());
        ix.summaries.push(SessionSummary {
            id,
            rowid,
            nature_id,
            nature,
            device_id,
            device,
            version,
            started_at,
            finished_at,
            duration_ms: None,
            final_state: FinalState::Running,
            final_state_raw: None,
            exec_total: 0,
            exec_ok: 0,
            exec_failed: 0,
            exec_unknown: 0,
            issues: 0,
            last_activity_ms: None,
            flags: rr.flags,
        });
        ix.rows.push(Rows::default());
    }
    Ok(())
}

/// Durations, last activity, and the final state of sessions without a terminal
/// transition: `finished` when a finish time is recorded; else `running` when the
/// session's last activity is within `abandon_after_ms` of the newest activity in the
/// whole RSSD, `abandoned` otherwise. (The RSSD's own clock, not the build machine's,
/// so a build is reproducible.)
fn finish_summaries(summaries: &mut [SessionSummary], abandon_after_ms: i64) {
    for s in summaries.iter_mut() {
        let start = s.started_at.as_ref().and_then(|t| t.epoch_ms);
        let end = s.finished_at.as_ref().and_then(|t| t.epoch_ms);
        if let (Some(a), Some(b)) = (start, end) {
            s.duration_ms = Some(b - a);
        }
        for t in [start, end].into_iter().flatten() {
            s.last_activity_ms = Some(s.last_activity_ms.map_or(t, |m| m.max(t)));
        }
    }
    let newest = summaries.iter().filter_map(|s| s.last_activity_ms).max();
    for s in summaries.iter_mut() {
        if s.final_state_raw.is_some() || s.rowid == i64::MAX {
            continue;
        }
        s.final_state = if s.finished_at.is_some() {
            FinalState::Finished
        } else {
            match (s.last_activity_ms, newest) {
                (Some(last), Some(newest)) if newest - last > abandon_after_ms => {
                    FinalState::Abandoned
                }
                (None, Some(_)) => FinalState::Abandoned,
                _ => FinalState::Running,
            }
        };
    }
}

/// What a scan of (part of) the execution table found, its sessions numbered in the
/// order they first appear in it.
#[derive(Default)]
struct ExecPart {
    keys: Vec<Option<String>>,
    by_key: HashMap<Option<String>, usize>,
    /// Rowids of each session's executions, in order.
    rows: Vec<Vec<i64>>,
    /// Successes, failures and unknown outcomes of each session.
    counts: Vec<[u64; 3]>,
    /// (execution id, session) of executions that logs name, in order.
    log_parents: Vec<(String, usize)>,
}

impl ExecPart {
    fn session(&mut self, k: Option<String>) -> usize {
        if let Some(&s) = self.by_key.get(&k) {
            return s;
        }
        let s = self.keys.len();
        self.keys.push(k.clone());
        self.by_key.insert(k, s);
        self.rows.push(Vec::new());
        self.counts.push([0; 3]);
        s
    }
}

/// Where to split the scan of a table with rowids: the middle of their range, when it
/// is at least `min` wide.
fn split_point(conn: &Connection, l: &TableLayout, min: i64) -> Option<i64> {
    if !l.has_rowid || l.order != "rowid" {
        return None;
    }
    let (lo, hi): (Option<i64>, Option<i64>) = conn
        .query_row(
            &format!("SELECT min(rowid), max(rowid) FROM \"{}\"", l.table),
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()?;
    let (lo, hi) = (lo?, hi?);
    (hi.checked_sub(lo)? >= min).then(|| lo + (hi - lo) / 2)
}

/// Scans the executions with rowids in `range` (all without): `cols` are the session
/// id, the status and, when logs name executions, the execution id.
fn exec_part(
    conn: &Connection,
    l: &TableLayout,
    cols: &[&str],
    range: Option<(i64, i64)>,
    rule: &StatusRule,
    log_parents: &HashMap<String, Option<usize>>,
) -> Result<ExecPart> {
    let mut part = ExecPart::default();
    // rows of a session mostly follow each other: the last session id is compared as
    // bytes before one is made and looked up
    let mut last: Option<(String, usize)> = None;
    let with_id = cols.len() > 2;
    scan_range(conn, l, EXEC_COLS, cols, range, |rowid, r| {
        let id = r.get_ref(1)?;
        let s = match (&last, id) {
            (Some((k, s)), ValueRef::Text(b)) if k.as_bytes() == b => *s,
            _ => {
                let k = key(id);
                let s = part.session(k.clone());
                last = k.map(|k| (k, s));
                s
            }
        };
        part.rows[s].push(rowid);
        if with_id {
            let named = match r.get_ref(3)? {
                ValueRef::Text(b) => match std::str::from_utf8(b) {
                    Ok(id) => log_parents.contains_key(id).then(|| id.to_string()),
                    Err(_) => Some(String::from_utf8_lossy(b).into_owned())
                        .filter(|id| log_parents.contains_key(id)),
                },
                other => key(other).filter(|id| log_parents.contains_key(id)),
            };
            if let Some(id) = named {
                part.log_parents.push((id, s));
            }
        }
        let n = match rule.classify(&raw_status(r.get_ref(2)?)) {
            Outcome::Success => 0,
            Outcome::Failure => 1,
            Outcome::Unknown => 2,
        };
        part.counts[s][n] += 1;
        Ok(())
    })?;
    Ok(part)
}

/// Runs `f` on `(rowid, rowid, cols...)` of every row of a table, selecting only `cols`.
fn scan(
    conn: &Connection,
    l: &TableLayout,
    spec: &[ColSpec],
    cols: &[&str],
    f: impl FnMut(i64, &Row<'_>) -> rusqlite::Result<()>,
) -> Result<()> {
    scan_range(conn, l, spec, cols, None, f)
}

/// [`scan`] of the rows with rowids in `range` (inclusive; all rows without).
fn scan_range(
    conn: &Connection,
    l: &TableLayout,
    spec: &[ColSpec],
    cols: &[&str],
    range: Option<(i64, i64)>,
    mut f: impl FnMut(i64, &Row<'_>) -> rusqlite::Result<()>,
) -> Result<()> {
    let list: Vec<String> = cols
        .iter()
        .map(|c| {
            if l.has(spec, c) {
                format!("\"{c}\"")
            } else {
                "NULL".into()
            }
        })
        .collect();
    let mut select = vec![l.rowid().to_string()];
    select.extend(list);
    let sql = format!(
        "SELECT {} FROM \"{}\" {} {}",
        select.join(", "),
        l.table,
        if range.is_some() {
            "WHERE rowid BETWEEN ?1 AND ?2"
        } else {
            ""
        },
        l.order_by()
    );
    let mut stmt = conn.prepare(&sql).map_err(explain)?;
    let mut rows = match range {
        Some((lo, hi)) => stmt.query([lo, hi]),
        None => stmt.query([]),
    }
    .map_err(explain)?;
    let mut n = 0i64;
    while let Some(r) = rows.next().map_err(explain)? {
        let id = if l.has_rowid {
            r.get(0).map_err(explain)?
        } else {
            n
        };
        n += 1;
        f(id, r).map_err(explain)?;
    }
    Ok(())
}

/// Reads the rows with the given rowids (sorted), in runs of consecutive rowids.
fn fetch(
    conn: &Connection,
    l: &TableLayout,
    spec: &'static [ColSpec],
    rowids: &[i64],
    f: impl FnMut(i64, &Row<'_>) -> Result<()>,
) -> Result<()> {
    fetch_select(conn, l, &l.select_list(spec), rowids, f)
}

/// As [`fetch`], with a select list of its own (after the rowid).
fn fetch_select(
    conn: &Connection,
    l: &TableLayout,
    select: &str,
    rowids: &[i64],
    mut f: impl FnMut(i64, &Row<'_>) -> Result<()>,
) -> Result<()> {
    if rowids.is_empty() {
        return Ok(());
    }
    if !l.has_rowid {
        // Rows are numbered by position in `l.order`: read the table in that order and
        // keep the wanted positions (a full scan per session; such tables are rare).
        let sql = format!(
            "SELECT NULL, {select} FROM \"{}\" {}",
            l.table,
            l.order_by()
        );
        let mut stmt = conn.prepare_cached(&sql).map_err(explain)?;
        let mut rows = stmt.query([]).map_err(explain)?;
        let (mut position, mut k) = (0i64, 0);
        while k < rowids.len()
            && let Some(r) = rows.next().map_err(explain)?
        {
            if position == rowids[k] {
                f(position, r)?;
                k += 1;
            }
            position += 1;
        }
        return Ok(());
    }
    let sql = format!(
        "SELECT rowid, {select} FROM \"{}\" WHERE rowid BETWEEN ?1 AND ?2 ORDER BY rowid",
        l.table
    );
    let mut stmt = conn.prepare_cached(&sql).map_err(explain)?;
    let mut i = 0;
    while i < rowids.len() {
        let start = rowids[i];
        let mut j = i;
        while j + 1 < rowids.len() && rowids[j + 1] == rowids[j] + 1 {
            j += 1;
        }
        let end = rowids[j];
        let mut rows = stmt.query([start, end]).map_err(explain)?;
        while let Some(r) = rows.next().map_err(explain)? {
            let rowid: i64 = r.get(0).map_err(explain)?;
            f(rowid, r)?;
        }
        i = j + 1;
    }
    Ok(())
}

/// Attaches each log to the session of the execution its chain of parents leads to.
/// `rows` are the (rowid, parent) of every log when the table has a parent column and
/// rowids (else nothing can be attached); `exec_session` the session of each execution
/// a log names.
fn attach_logs(
    conn: &Connection,
    layouts: &Layouts,
    rows: Option<&Vec<(i64, Option<String>)>>,
    exec_session: &HashMap<String, Option<usize>>,
    ix: &mut Indexer<'_>,
) -> Result<Vec<i64>> {
    let log = layouts.log.as_ref().expect("checked");
    let Some(rows) = rows else {
        // No parent column: nothing can be attached.
        let mut all = Vec::new();
        scan(conn, log, LOG_COLS, &[], |rowid, _| {
            all.push(rowid);
            Ok(())
        })?;
        return Ok(all);
    };
    // Logs directly under an execution: its session, noted by the scan of executions.
    let session_of: HashMap<i64, usize> = rows
        .iter()
        .filter_map(|(rowid, p)| match exec_session.get(p.as_deref()?) {
            Some(&Some(s)) => Some((*rowid, s)),
            _ => None,
        })
        .collect();
    // Logs under logs: parent rowid links, resolved iteratively (cycles end unattached).
    let mut parent_of: HashMap<i64, i64> = HashMap::default();
    {
        let mut stmt = conn
            .prepare(
                "SELECT l.rowid, p.rowid FROM orchestration_session_log l \
             JOIN orchestration_session_log p ON p.orchestration_session_log_id = l.parent_exec_id",
            )
            .map_err(explain)?;
        let mut rows = stmt.query([]).map_err(explain)?;
        while let Some(r) = rows.next().map_err(explain)? {
            let (c, p): (i64, i64) = (r.get(0).map_err(explain)?, r.get(1).map_err(explain)?);
            if !session_of.contains_key(&c) {
                parent_of.insert(c, p);
            }
        }
    }
    let mut unattached = Vec::new();
    let all = rows.iter().map(|&(rowid, _)| rowid);
    // Each chain is walked once: every log on a walked path gets the answer found at
    // its end (a session, or none for a chain that ends nowhere or in a cycle), so a
    // chain 100,000 long recorded child first costs 100,000 steps, not their square.
    let mut answer: HashMap<i64, Option<usize>> =
        session_of.iter().map(|(&k, &v)| (k, Some(v))).collect();
    let mut path: Vec<i64> = Vec::new();
    let mut on_path: crate::hash::HashSet<i64> = crate::hash::HashSet::default();
    for rowid in all {
        let mut cur = rowid;
        let found = loop {
            if let Some(&a) = answer.get(&cur) {
                break a;
            }
            if !on_path.insert(cur) {
                break None; // a cycle
            }
            path.push(cur);
            match parent_of.get(&cur) {
                Some(&p) => cur = p,
                None => break None,
            }
        };
        for p in path.drain(..) {
            answer.insert(p, found);
        }
        on_path.clear();
        match found {
            Some(s) => ix.rows[s].log.push(rowid),
            None => unattached.push(rowid),
        }
    }
    for r in &mut ix.rows {
        r.log.sort_unstable();
    }
    Ok(unattached)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RSSD whose executions exercise the scan: sessions that interleave, one not in
    /// the session table, NULL and integer session ids, statuses of every kind, and
    /// execution ids that logs name (one of them twice, in both halves), and a session
    /// first seen in the second half.
    fn odd_rssd(dir: &std::path::Path) -> std::path::PathBuf {
        let db = dir.join("rssd.sqlite.db");
        let w = Connection::open(&db).unwrap();
        w.execute_batch(include_str!("../../tests/fixtures/sessions-ddl.sql"))
            .unwrap();
        w.execute_batch(
            "DROP TABLE orchestration_session_exec;
             CREATE TABLE orchestration_session_exec (
                 orchestration_session_exec_id, session_id, exec_status, exec_nature, exec_code);
             INSERT INTO orchestration_session
                 (orchestration_session_id, device_id, orchestration_nature_id, version)
                 VALUES ('S1', 'd', 'n', '1'), ('S2', 'd', 'n', '1'), ('S3', 'd', 'n', '1');",
        )
        .unwrap();
        let sessions: [&dyn rusqlite::ToSql; 7] =
            [&"S2", &"S1", &"S9", &None::<String>, &7, &"S3", &"S1"];
        let statuses: [&dyn rusqlite::ToSql; 5] = [&0, &1, &"ok", &"weird", &None::<i64>];
        for i in 0..60usize {
            let id = if i == 33 {
                "E3".to_string()
            } else {
                format!("E{i}")
            };
            w.execute(
                "INSERT INTO orchestration_session_exec VALUES (?1, ?2, ?3, 'n', 'c')",
                rusqlite::params![
                    id,
                    if i < 54 { sessions[(i / 3) % 7] } else { &"S8" },
                    statuses[i % 5]
                ],
            )
            .unwrap();
        }
        w.execute_batch(
            "INSERT INTO orchestration_session_log
                 (orchestration_session_log_id, parent_exec_id, content)
                 VALUES ('L1', 'E3', 'a'), ('L2', 'E50', 'b'), ('L3', 'L1', 'c'), ('L4', 'X', 'd');",
        )
        .unwrap();
        db
    }

    fn shown(ix: &SessionIndex) -> String {
        format!(
            "{:?}\n{:?}\n{:?}\n{:?}",
            ix.summaries, ix.rows, ix.unattached_logs, ix.warnings
        )
    }

    #[test]
    fn a_scan_in_two_halves_indexes_as_one_scan_does() {
        let dir = tempfile::tempdir().unwrap();
        let db = odd_rssd(dir.path());
        let conn = crate::read::open_read_only(&db).unwrap();
        let mut helper = crate::read::open_read_only(&db).unwrap();
        let rule = StatusRule::default();
        let whole = SessionIndex::read(&conn, &rule, i64::MAX).unwrap();
        assert_eq!(
            split_point(&conn, whole.layouts.exec.as_ref().unwrap(), 1),
            Some(30)
        );
        let halves =
            SessionIndex::read_split(&conn, Some(&mut helper), &rule, i64::MAX, 1).unwrap();
        assert_eq!(shown(&halves), shown(&whole));
        // what it found: the stand-ins, the counts, and the logs under E3's second session
        let ids: Vec<&str> = whole.summaries.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["S1", "S2", "S3", "S9", NO_SESSION, "7", "S8"]);
        assert_eq!(
            whole.summaries.iter().map(|s| s.exec_total).sum::<u64>(),
            60
        );
        let s1 = &whole.summaries[0];
        assert_eq!((s1.exec_ok, s1.exec_failed, s1.exec_unknown), (6, 3, 6));
        // E3 is last in session 7 (second half): its log and the log under that log
        assert_eq!(whole.rows[5].log, [1, 3]);
        assert_eq!(whole.rows[3].log, [2]);
        assert_eq!(whole.unattached_logs, [4]);
        // too small to split
        assert_eq!(
            split_point(&conn, whole.layouts.exec.as_ref().unwrap(), 60),
            None
        );
    }
}
