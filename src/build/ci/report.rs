//! The JSON report: everything the pages show, in a documented, versioned schema
//! (`schemas/report-v1.schema.json`), written one session at a time so a report of a
//! million executions never sits in memory whole.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;
use serde_json::Value;

use crate::build::exec::duration_ms;
use crate::build::text::{self, Limits};
use crate::model::session::{Session, SessionSummary};
use crate::model::time::Timestamp;
use crate::model::tree::Tree;

/// Version of the report's schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Time<'a> {
    pub raw: &'a str,
    pub utc: Option<String>,
    pub epoch_ms: Option<i64>,
}

fn time(t: &Option<Timestamp>) -> Option<Time<'_>> {
    t.as_ref().map(|t| Time {
        raw: &t.raw,
        utc: t.epoch_ms.map(crate::model::time::format_utc),
        epoch_ms: t.epoch_ms,
    })
}

/// A JSON column: its value when it parses, else the text as stored.
fn json(s: &Option<String>) -> Option<Value> {
    s.as_deref()
        .map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())))
}

#[derive(Serialize)]
pub struct Cut {
    pub total_lines: usize,
    pub total_bytes: usize,
    pub hidden_lines: usize,
    pub hidden_bytes: usize,
    /// The full text in the site, relative to its root.
    pub file: String,
}

/// A text column as the pages show it: whole, or head and tail with what is hidden.
#[derive(Serialize)]
pub struct Text {
    pub text: String,
    pub tail: Option<String>,
    pub cut: Option<Cut>,
}

fn text_of(raw: &Option<String>, limits: &Limits, file: &str) -> Option<Text> {
    let raw = raw.as_deref().filter(|s| !s.is_empty())?;
    let b = text::block(raw, "text", limits, file, "r");
    Some(Text {
        text: b.text,
        tail: b.cut.as_ref().map(|_| b.tail_text),
        cut: b.cut.map(|c| Cut {
            total_lines: c.total_lines,
            total_bytes: c.total_bytes,
            hidden_lines: c.hidden_lines,
            hidden_bytes: c.hidden_bytes,
            file: c.file,
        }),
    })
}

/// Counts of a session.
#[derive(Serialize)]
pub struct Counts {
    pub executions: u64,
    pub ok: u64,
    pub failed: u64,
    pub unknown: u64,
    pub issues: u64,
}

/// The parts of the report before the sessions.
#[derive(Serialize)]
pub struct Header<'a> {
    pub schema_version: u32,
    pub generator: Generator,
    pub database: Database<'a>,
    pub selection: SelectionOut<'a>,
    pub totals: &'a crate::build::sessions::Totals,
}

#[derive(Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct Database<'a> {
    pub file: &'a str,
    pub size_bytes: u64,
    pub sqlite_version: &'a str,
}

#[derive(Serialize)]
pub struct SelectionOut<'a> {
    pub all: bool,
    pub session_ids: &'a [String],
    pub latest: bool,
    pub since_epoch_ms: Option<i64>,
    pub natures: &'a [String],
}

/// Writes the report as sessions come.
pub struct ReportWriter<W: Write> {
    w: W,
    first: bool,
    limits: Limits,
    sessions_dir: String,
}

impl<W: Write> ReportWriter<W> {
    pub fn new(mut w: W, header: &Header<'_>, limits: Limits, sessions_dir: &str) -> Result<Self> {
        let mut head = serde_json::to_vec(header)?;
        // reopen the object to append the sessions array
        head.pop();
        w.write_all(&head)?;
        w.write_all(b",\"sessions\":[\n")?;
        Ok(ReportWriter {
            w,
            first: true,
            limits,
            sessions_dir: sessions_dir.to_string(),
        })
    }

    pub fn session(
        &mut self,
        session: &Session,
        tree: &Tree,
        stem: &str,
        anchors: &[String],
    ) -> Result<()> {
        if !self.first {
            self.w.write_all(b",\n")?;
        }
        self.first = false;
        let value = session_json(
            session,
            tree,
            stem,
            anchors,
            &self.limits,
            &self.sessions_dir,
        );
        serde_json::to_writer(&mut self.w, &value)?;
        Ok(())
    }

    pub fn finish(mut self, failing: &[String], exit_code: u8) -> Result<W> {
        self.w.write_all(b"\n],\"failing\":")?;
        serde_json::to_writer(&mut self.w, failing)?;
        writeln!(self.w, ",\"exit_code\":{exit_code}}}")?;
        self.w.flush()?;
        Ok(self.w)
    }
}

fn counts(s: &SessionSummary) -> Counts {
    Counts {
        executions: s.exec_total,
        ok: s.exec_ok,
        failed: s.exec_failed,
        unknown: s.exec_unknown,
        issues: s.issues,
    }
}

fn session_json(
    session: &Session,
    tree: &Tree,
    stem: &str,
    anchors: &[String],
    limits: &Limits,
    dir: &str,
) -> Value {
    let s = &session.summary;
    let file = |anchor: &str, what: &str| {
        format!(
            "{dir}/{stem}/{}.{what}.txt",
            anchor.trim_start_matches("exec-")
        )
    };
    let executions: Vec<Value> = tree
        .order
        .iter()
        .map(|&(i, depth)| {
            let e = &session.execs[i];
            let a = &anchors[i];
            serde_json::json!({
                "id": e.id,
                "anchor": a,
                "parent_id": e.parent_id,
                "depth": depth,
                "tree_problem": tree.problems[i],
                "entry_id": e.entry_id,
                "nature": e.nature,
                "namespace": e.namespace,
                "identity": e.identity,
                "status": e.status,
                "status_raw": e.status_raw.display(),
                "duration_ms": duration_ms(e),
                "code": e.code,
                "input": text_of(&e.input, limits, &file(a, "input")),
                "error": text_of(&e.error, limits, &file(a, "error")),
                "output": text_of(&e.output, limits, &file(a, "output")),
                "output_nature": json(&e.output_nature),
                "narrative_md": e.narrative_md,
                "elaboration": json(&e.elaboration),
                "flags": e.flags,
            })
        })
        .collect();
    serde_json::json!({
        "id": s.id,
        "page": format!("{dir}/{stem}.html"),
        "nature": s.nature,
        "nature_id": s.nature_id,
        "device": s.device,
        "device_id": s.device_id,
        "version": s.version,
        "started_at": time(&s.started_at),
        "finished_at": time(&s.finished_at),
        "duration_ms": s.duration_ms,
        "final_state": s.final_state,
        "final_state_raw": s.final_state_raw,
        "counts": counts(s),
        "flags": s.flags,
        "args": json(&session.args_json),
        "diagnostics_json": json(&session.diagnostics_json),
        "diagnostics_md": session.diagnostics_md,
        "elaboration": json(&session.elaboration),
        "states": session.states.iter().map(|st| serde_json::json!({
            "id": st.id, "entry_id": st.entry_id, "from_state": st.from_state, "to_state": st.to_state,
            "transitioned_at": time(&st.transitioned_at), "reason": st.transition_reason,
            "result": json(&st.transition_result), "elaboration": json(&st.elaboration), "flags": st.flags,
        })).collect::<Vec<_>>(),
        "entries": session.entries.iter().map(|en| serde_json::json!({
            "id": en.id, "ingest_src": en.ingest_src, "ingest_table_name": en.ingest_table_name,
            "elaboration": json(&en.elaboration), "flags": en.flags,
        })).collect::<Vec<_>>(),
        "executions": executions,
        "logs": session.logs.iter().map(|l| serde_json::json!({
            "id": l.id, "parent_id": l.parent_id, "category": l.category, "content": l.content,
            "sibling_order": l.sibling_order, "elaboration": json(&l.elaboration), "flags": l.flags,
        })).collect::<Vec<_>>(),
        "issues": session.issues.iter().map(|is| serde_json::json!({
            "id": is.id, "entry_id": is.entry_id, "issue_type": is.issue_type, "message": is.message,
            "row": is.row, "column": is.column, "invalid_value": is.invalid_value,
            "remediation": is.remediation, "elaboration": json(&is.elaboration), "flags": is.flags,
            "relations": session.issue_relations.iter()
                .filter(|r| r.issue_id_prime.as_deref() == Some(is.id.as_str()))
                .map(|r| serde_json::json!({"id": r.id, "issue_id_rel": r.issue_id_rel, "relationship_nature": r.relationship_nature, "flags": r.flags}))
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}
