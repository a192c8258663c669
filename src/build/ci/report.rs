//! The JSON report: everything the pages show, in a documented, versioned schema
//! (`schemas/report-v1.schema.json`), written one session at a time so a report of a
//! million executions never sits in memory whole.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use crate::build::exec::duration_ms;
use crate::build::text::{self, Limits};
use crate::model::session::{BigField, Session, SessionSummary};
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
pub struct Text<'a> {
    pub text: Cow<'a, str>,
    pub tail: Option<Cow<'a, str>>,
    pub cut: Option<Cut>,
}

fn text_of<'a>(
    e: &crate::model::session::ExecRow,
    field: crate::model::session::BigField,
    raw: &'a Option<String>,
    limits: &Limits,
    file: impl Fn() -> String,
) -> Option<Text<'a>> {
    if e.big(field).is_none() {
        let raw = raw.as_deref().filter(|s| !s.is_empty())?;
        let (head, tail, cut) = text::text_parts(raw, limits);
        return Some(Text {
            text: Cow::Borrowed(head),
            tail: cut.map(|_| Cow::Borrowed(tail)),
            cut: cut.map(|(total_lines, hidden_lines, hidden_bytes)| Cut {
                total_lines,
                total_bytes: raw.len(),
                hidden_lines,
                hidden_bytes,
                file: file(),
            }),
        });
    }
    let b = text::block_big(e.big(field)?, "text", limits, &file());
    Some(Text {
        text: Cow::Owned(b.text),
        tail: b.cut.as_ref().map(|_| Cow::Owned(b.tail_text)),
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
}

impl<W: Write> ReportWriter<W> {
    pub fn new(mut w: W, header: &Header<'_>) -> Result<Self> {
        let mut head = serde_json::to_vec(header)?;
        // reopen the object to append the sessions array
        head.pop();
        w.write_all(&head)?;
        w.write_all(b",\"sessions\":[\n")?;
        Ok(ReportWriter { w, first: true })
    }

    /// Appends one session given as [`session_bytes`].
    pub fn session(&mut self, bytes: &[u8]) -> Result<()> {
        self.begin_session()?.write_all(bytes)?;
        Ok(())
    }

    /// Starts the next session: the writer to write it to (as [`write_session`] does).
    pub fn begin_session(&mut self) -> Result<&mut W> {
        if !self.first {
            self.w.write_all(b",\n")?;
        }
        self.first = false;
        Ok(&mut self.w)
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

/// A JSON column: embedded as JSON when it is valid (without re-building it), else as
/// the stored text; `null` when NULL.
pub struct JsonCol<'a>(Option<&'a str>);

impl Serialize for JsonCol<'_> {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => ser.serialize_none(),
            Some(s) => match serde_json::from_str::<&serde_json::value::RawValue>(s) {
                Ok(raw) => raw.serialize(ser),
                Err(_) => ser.serialize_str(s),
            },
        }
    }
}

fn jc(s: &Option<String>) -> JsonCol<'_> {
    JsonCol(s.as_deref())
}

#[derive(Serialize)]
struct StateOut<'a> {
    id: &'a str,
    entry_id: Option<&'a str>,
    from_state: Option<&'a str>,
    to_state: Option<&'a str>,
    transitioned_at: Option<Time<'a>>,
    reason: Option<&'a str>,
    result: JsonCol<'a>,
    elaboration: JsonCol<'a>,
    flags: &'a [String],
}

#[derive(Serialize)]
struct EntryOut<'a> {
    id: &'a str,
    ingest_src: Option<&'a str>,
    ingest_table_name: Option<&'a str>,
    elaboration: JsonCol<'a>,
    flags: &'a [String],
}

/// An execution of the report. Written by [`ExecOut::write_json`] (its strings are most
/// of the report, escaped faster than serde_json does); the derived serialisation is the
/// reference it is tested against, field for field.
#[derive(Serialize)]
struct ExecOut<'a> {
    id: &'a str,
    anchor: &'a str,
    parent_id: Option<&'a str>,
    depth: usize,
    tree_problem: Option<&'a crate::model::tree::TreeProblem>,
    entry_id: Option<&'a str>,
    nature: Option<&'a str>,
    namespace: Option<&'a str>,
    identity: Option<&'a str>,
    status: crate::model::status::Outcome,
    status_raw: String,
    duration_ms: Option<i64>,
    code: Option<&'a str>,
    input: Option<Text<'a>>,
    error: Option<Text<'a>>,
    output: Option<Text<'a>>,
    output_nature: JsonCol<'a>,
    narrative_md: Option<&'a str>,
    elaboration: JsonCol<'a>,
    flags: &'a [String],
}

#[derive(Serialize)]
struct RelationOut<'a> {
    id: &'a str,
    issue_id_rel: Option<&'a str>,
    relationship_nature: Option<&'a str>,
    flags: &'a [String],
}

#[derive(Serialize)]
struct IssueOut<'a> {
    id: &'a str,
    entry_id: Option<&'a str>,
    issue_type: Option<&'a str>,
    message: Option<&'a str>,
    row: Option<&'a str>,
    column: Option<&'a str>,
    invalid_value: Option<&'a str>,
    remediation: Option<&'a str>,
    elaboration: JsonCol<'a>,
    relations: Vec<RelationOut<'a>>,
    flags: &'a [String],
}

#[derive(Serialize)]
struct LogOut<'a> {
    id: &'a str,
    parent_id: Option<&'a str>,
    category: Option<&'a str>,
    content: Option<&'a str>,
    sibling_order: Option<i64>,
    elaboration: JsonCol<'a>,
    flags: &'a [String],
}

/// A session of the report, without its executions. Written by [`write_session`]: the
/// fields before `executions` by serde, then the executions one at a time, then the
/// issues and logs.
#[derive(Serialize)]
struct SessionOut<'a> {
    id: &'a str,
    page: String,
    nature: &'a str,
    nature_id: Option<&'a str>,
    device: &'a str,
    device_id: Option<&'a str>,
    version: Option<&'a str>,
    started_at: Option<Time<'a>>,
    finished_at: Option<Time<'a>>,
    duration_ms: Option<i64>,
    final_state: crate::model::status::FinalState,
    final_state_raw: Option<&'a str>,
    counts: Counts,
    flags: &'a [String],
    args: JsonCol<'a>,
    diagnostics_json: JsonCol<'a>,
    diagnostics_md: Option<&'a str>,
    elaboration: JsonCol<'a>,
    states: Vec<StateOut<'a>>,
    entries: Vec<EntryOut<'a>>,
    #[serde(skip)]
    issues: Vec<IssueOut<'a>>,
    #[serde(skip)]
    logs: Vec<LogOut<'a>>,
}

impl ExecOut<'_> {
    /// What `serde_json::to_writer` writes for it, field by field in the same order.
    fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        let key = |out: &mut Vec<u8>, k: &str| {
            out.push(b',');
            out.push(b'"');
            out.extend_from_slice(k.as_bytes());
            out.extend_from_slice(b"\":");
        };
        out.extend_from_slice(b"{\"id\":");
        json_str(out, self.id);
        key(out, "anchor");
        json_str(out, self.anchor);
        key(out, "parent_id");
        opt_str(out, self.parent_id);
        key(out, "depth");
        serde_json::to_writer(&mut *out, &self.depth)?;
        key(out, "tree_problem");
        serde_json::to_writer(&mut *out, &self.tree_problem)?;
        key(out, "entry_id");
        opt_str(out, self.entry_id);
        key(out, "nature");
        opt_str(out, self.nature);
        key(out, "namespace");
        opt_str(out, self.namespace);
        key(out, "identity");
        opt_str(out, self.identity);
        key(out, "status");
        serde_json::to_writer(&mut *out, &self.status)?;
        key(out, "status_raw");
        json_str(out, &self.status_raw);
        key(out, "duration_ms");
        serde_json::to_writer(&mut *out, &self.duration_ms)?;
        key(out, "code");
        opt_str(out, self.code);
        for (k, t) in [
            ("input", &self.input),
            ("error", &self.error),
            ("output", &self.output),
        ] {
            key(out, k);
            match t {
                None => out.extend_from_slice(b"null"),
                Some(t) => {
                    out.extend_from_slice(b"{\"text\":");
                    json_str(out, &t.text);
                    out.extend_from_slice(b",\"tail\":");
                    opt_str(out, t.tail.as_deref());
                    out.extend_from_slice(b",\"cut\":");
                    serde_json::to_writer(&mut *out, &t.cut)?;
                    out.push(b'}');
                }
            }
        }
        key(out, "output_nature");
        serde_json::to_writer(&mut *out, &self.output_nature)?;
        key(out, "narrative_md");
        opt_str(out, self.narrative_md);
        key(out, "elaboration");
        serde_json::to_writer(&mut *out, &self.elaboration)?;
        key(out, "flags");
        serde_json::to_writer(&mut *out, self.flags)?;
        out.push(b'}');
        Ok(())
    }
}

fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// `s` as a JSON string, escaped as serde_json escapes it: `"` and `\\`, `\b \t \n \f
/// \r` by name, the other characters below U+0020 as `\u00xx`, nothing else. Read eight
/// bytes at a time where there is nothing to escape.
pub fn json_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        if let Some(word) = b.get(i..i + 8) {
            let m = to_escape(u64::from_le_bytes(word.try_into().expect("8 bytes")));
            if m == 0 {
                i += 8;
                continue;
            }
            // the lowest flagged byte is one to escape (flags above it may be borrows)
            i += (m.trailing_zeros() / 8) as usize;
        } else if !(b[i] < 0x20 || b[i] == b'"' || b[i] == b'\\') {
            i += 1;
            continue;
        }
        out.extend_from_slice(&b[last..i]);
        match b[i] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c => {
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(c >> 4)]);
                out.push(HEX[usize::from(c & 0xf)]);
            }
        }
        i += 1;
        last = i;
    }
    out.extend_from_slice(&b[last..]);
    out.push(b'"');
}

/// The high bit of each byte of `x` (little-endian) below 0x20 or equal to `"` or `\\`;
/// exact for the lowest such byte.
fn to_escape(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    (x.wrapping_sub(0x20 * ONES) & !x & HIGH)
        | zero(x ^ (u64::from(b'"') * ONES))
        | zero(x ^ (u64::from(b'\\') * ONES))
}

/// One session of the report as JSON bytes (built in parallel, written in order).
pub fn session_bytes(
    session: &Session,
    tree: &Tree,
    stem: &str,
    anchors: &[String],
    limits: &Limits,
    dir: &str,
) -> Result<Vec<u8>> {
    // sized for what it holds (a session's JSON is grown once, not doubled ten times)
    let len = |s: &Option<String>| s.as_ref().map_or(0, String::len);
    let estimate = 1024
        + session
            .execs
            .iter()
            .map(|e| {
                512 + len(&e.code)
                    + len(&e.input)
                    + len(&e.error)
                    + len(&e.output)
                    + len(&e.elaboration)
                    + len(&e.narrative_md)
            })
            .sum::<usize>()
        + 512 * (session.issues.len() + session.logs.len() + session.states.len());
    let mut bytes = Vec::with_capacity(estimate.min(64 << 20));
    write_session(
        session,
        tree,
        stem,
        anchors,
        limits,
        dir,
        &mut bytes,
        |_| Ok(()),
    )?;
    Ok(bytes)
}

/// Bytes of a streamed session's JSON gathered before they are passed on.
const STREAM_CHUNK: usize = 1 << 20;

/// Writes one session of the report into `out`, calling `flush` with what `out` holds
/// (to be passed on and cleared, or kept) each time it reaches [`STREAM_CHUNK`]: a
/// session of a million executions is never held whole, and no execution's view of the
/// report outlives its writing.
#[allow(clippy::too_many_arguments)]
pub fn write_session(
    session: &Session,
    tree: &Tree,
    stem: &str,
    anchors: &[String],
    limits: &Limits,
    dir: &str,
    out: &mut Vec<u8>,
    mut flush: impl FnMut(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let s = &session.summary;
    let file = |anchor: &str, what: &str| {
        format!(
            "{dir}/{stem}/{}.{what}.txt",
            anchor.trim_start_matches("exec-")
        )
    };
    let mut relations: crate::hash::HashMap<&str, Vec<RelationOut<'_>>> =
        crate::hash::HashMap::default();
    for r in &session.issue_relations {
        if let Some(p) = r.issue_id_prime.as_deref() {
            relations.entry(p).or_default().push(RelationOut {
                id: &r.id,
                issue_id_rel: r.issue_id_rel.as_deref(),
                relationship_nature: r.relationship_nature.as_deref(),
                flags: &r.flags,
            });
        }
    }
    let head = SessionOut {
        id: &s.id,
        page: format!("{dir}/{stem}.html"),
        nature: &s.nature,
        nature_id: s.nature_id.as_deref(),
        device: &s.device,
        device_id: s.device_id.as_deref(),
        version: s.version.as_deref(),
        started_at: time(&s.started_at),
        finished_at: time(&s.finished_at),
        duration_ms: s.duration_ms,
        final_state: s.final_state,
        final_state_raw: s.final_state_raw.as_deref(),
        counts: counts(s),
        flags: &s.flags,
        args: jc(&session.args_json),
        diagnostics_json: jc(&session.diagnostics_json),
        diagnostics_md: session.diagnostics_md.as_deref(),
        elaboration: jc(&session.elaboration),
        states: session
            .states
            .iter()
            .map(|st| StateOut {
                id: &st.id,
                entry_id: st.entry_id.as_deref(),
                from_state: st.from_state.as_deref(),
                to_state: st.to_state.as_deref(),
                transitioned_at: time(&st.transitioned_at),
                reason: st.transition_reason.as_deref(),
                result: jc(&st.transition_result),
                elaboration: jc(&st.elaboration),
                flags: &st.flags,
            })
            .collect(),
        entries: session
            .entries
            .iter()
            .map(|en| EntryOut {
                id: &en.id,
                ingest_src: en.ingest_src.as_deref(),
                ingest_table_name: en.ingest_table_name.as_deref(),
                elaboration: jc(&en.elaboration),
                flags: &en.flags,
            })
            .collect(),
        issues: session
            .issues
            .iter()
            .map(|is| IssueOut {
                id: &is.id,
                entry_id: is.entry_id.as_deref(),
                issue_type: is.issue_type.as_deref(),
                message: is.message.as_deref(),
                row: is.row.as_deref(),
                column: is.column.as_deref(),
                invalid_value: is.invalid_value.as_deref(),
                remediation: is.remediation.as_deref(),
                elaboration: jc(&is.elaboration),
                relations: relations.remove(is.id.as_str()).unwrap_or_default(),
                flags: &is.flags,
            })
            .collect(),
        logs: session
            .logs
            .iter()
            .map(|l| LogOut {
                id: &l.id,
                parent_id: l.parent_id.as_deref(),
                category: l.category.as_deref(),
                content: l.content.as_deref(),
                sibling_order: l.sibling_order,
                elaboration: jc(&l.elaboration),
                flags: &l.flags,
            })
            .collect(),
    };
    serde_json::to_writer(&mut *out, &head)?;
    // the object so far, reopened (compact serde output ends with its `}`)
    debug_assert_eq!(out.last(), Some(&b'}'));
    out.pop();
    out.extend_from_slice(b",\"executions\":[");
    for (k, &(i, depth)) in tree.order.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        let e = &session.execs[i];
        let a = anchors[i].as_str();
        ExecOut {
            id: &e.id,
            anchor: a,
            parent_id: e.parent_id.as_deref(),
            depth,
            tree_problem: tree.problems[i].as_ref(),
            entry_id: e.entry_id.as_deref(),
            nature: e.nature.as_deref(),
            namespace: e.namespace.as_deref(),
            identity: e.identity.as_deref(),
            status: e.status,
            status_raw: e.status_raw.display(),
            duration_ms: duration_ms(e),
            code: e.code.as_deref(),
            input: text_of(e, BigField::Input, &e.input, limits, || file(a, "input")),
            error: text_of(e, BigField::Error, &e.error, limits, || file(a, "error")),
            output: text_of(e, BigField::Output, &e.output, limits, || file(a, "output")),
            output_nature: jc(&e.output_nature),
            narrative_md: e.narrative_md.as_deref(),
            elaboration: jc(&e.elaboration),
            flags: &e.flags,
        }
        .write_json(out)?;
        if out.len() >= STREAM_CHUNK {
            flush(out)?;
        }
    }
    out.extend_from_slice(b"],\"issues\":");
    serde_json::to_writer(&mut *out, &head.issues)?;
    out.extend_from_slice(b",\"logs\":");
    serde_json::to_writer(&mut *out, &head.logs)?;
    out.push(b'}');
    flush(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped_as_serde_json_escapes_them() {
        let serde = |s: &str| serde_json::to_string(s).unwrap();
        let ours = |s: &str| {
            let mut out = b"kept".to_vec();
            json_str(&mut out, s);
            String::from_utf8(out).unwrap()
        };
        let mut texts: Vec<String> = vec![String::new(), "é字😀".into(), "\u{7f}\u{85}/".into()];
        // every ASCII character at every place of the first two eight-byte words, among
        // plain letters and among other characters to escape
        for c in 0u8..0x80 {
            for at in 0..17 {
                let mut s: Vec<u8> = b"abcdefghijklmnopqrstuvwx".to_vec();
                s[at] = c;
                texts.push(String::from_utf8(s).unwrap());
                let mut s: Vec<u8> = b"a\"b\\c\nd\x01e\tfghijklmnopqrstuvwx".to_vec();
                s[at + 5] = c;
                texts.push(String::from_utf8(s).unwrap());
            }
        }
        let pieces = [
            "a", "\"", "\\", "\n", "\u{1}", "\u{1f}", " ", "é", "\u{2028}", "~",
        ];
        texts.extend(crate::testing::strings_over(&pieces, 3));
        for s in &texts {
            assert_eq!(ours(s), format!("kept{}", serde(s)), "{s:?}");
        }
    }

    #[test]
    fn an_execution_is_written_as_serde_would_write_it() {
        let flags = vec!["row: \"odd\"\n".to_string()];
        let problem = crate::model::tree::TreeProblem::ForeignParent {
            parent: "P\"1".into(),
            session: "S\\2".into(),
        };
        let full = ExecOut {
            id: "E\"1\u{1}",
            anchor: "exec-E1",
            parent_id: Some("P\\0"),
            depth: 3,
            tree_problem: Some(&problem),
            entry_id: Some("en\ttry"),
            nature: Some("sql"),
            namespace: Some("ns/é"),
            identity: Some("step\r\n1"),
            status: crate::model::status::Outcome::Failure,
            status_raw: "-1".into(),
            duration_ms: Some(-5),
            code: Some("SELECT \"x\" FROM t; -- \u{1b}[31m"),
            input: None,
            error: Some(Text {
                text: Cow::Borrowed("line 1\nline 2 \u{8}\u{c}"),
                tail: Some(Cow::Borrowed("last \"line\"")),
                cut: Some(Cut {
                    total_lines: 900,
                    total_bytes: 12_345,
                    hidden_lines: 800,
                    hidden_bytes: 10_000,
                    file: "sessions/s/E1.error.txt".into(),
                }),
            }),
            output: Some(Text {
                text: Cow::Borrowed("ok 😀"),
                tail: None,
                cut: None,
            }),
            output_nature: JsonCol(Some("{\"a\": [1, 2]}")),
            narrative_md: Some("# Step\n\n*done*"),
            elaboration: JsonCol(Some("not json \"")),
            flags: &flags,
        };
        let bare = ExecOut {
            parent_id: None,
            tree_problem: None,
            entry_id: None,
            nature: None,
            namespace: None,
            identity: None,
            duration_ms: None,
            code: None,
            error: None,
            output: None,
            output_nature: JsonCol(None),
            narrative_md: None,
            elaboration: JsonCol(None),
            flags: &[],
            status_raw: String::new(),
            id: "",
            anchor: "exec-",
            depth: 0,
            status: crate::model::status::Outcome::Success,
            input: None,
        };
        for e in [&full, &bare] {
            let mut ours = Vec::new();
            e.write_json(&mut ours).unwrap();
            let want = serde_json::to_vec(e).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(want).unwrap()
            );
        }
    }
}
