//! A generator of realistic RSSDs of any size, for benchmarks and tests
//! (`osx-report gen-rssd`, a hidden command): sessions of several natures, execution
//! trees up to four deep, about 10% failures, issues, logs, outputs of a chosen size
//! (text, JSON, ANSI-coloured), and a few huge outputs. The same seed gives the same
//! file, row for row.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, params};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    pub sessions: usize,
    pub execs_per_session: usize,
    pub output_bytes: usize,
    /// Outputs of `huge_bytes` each, spread over the sessions.
    pub huge_outputs: usize,
    pub huge_bytes: usize,
    /// Failed executions per thousand.
    pub failures_per_mille: u32,
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            sessions: 100,
            execs_per_session: 100,
            output_bytes: 300,
            huge_outputs: 0,
            huge_bytes: 1 << 20,
            failures_per_mille: 100,
            seed: 1,
        }
    }
}

/// SplitMix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const NATURES: &[&str] = &[
    "V&V",
    "shell-rusqlite",
    "deidentification",
    "surveilr-transform-csv",
];
const WORDS: &[&str] = &[
    "patients",
    "encounters",
    "checked",
    "rows",
    "ok",
    "loaded",
    "schema",
    "table",
    "index",
    "audit",
    "verified",
    "value",
    "column",
    "digest",
    "merged",
    "skipped",
    "user",
    "file",
    "report",
    "batch",
    "device",
    "record",
    "query",
    "result",
];

fn text(rng: &mut Rng, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + 16);
    let mut line = 0;
    while s.len() < bytes {
        s.push_str(rng.pick(WORDS));
        line += 1;
        if line % 9 == 0 {
            s.push('\n');
        } else {
            s.push(' ');
        }
    }
    s.truncate(bytes);
    s
}

/// Writes a new RSSD at `path` (which must not exist).
pub fn generate(path: &Path, o: &GenOptions) -> Result<()> {
    if path.exists() {
        bail!(
            "{}: exists; the generator only writes new files",
            path.display()
        );
    }
    let conn = Connection::open(path).with_context(|| format!("creating {}", path.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;",
    )?;
    conn.execute_batch(include_str!("rssd.sql"))?;
    let tx = conn.unchecked_transaction()?;
    tx.execute("INSERT INTO device VALUES ('DEV-1', 'bench-runner')", [])?;
    for n in NATURES {
        tx.execute("INSERT INTO orchestration_nature VALUES (?1, ?1)", [n])?;
    }
    let mut rng = Rng(o.seed);
    let huge_every = o
        .sessions
        .checked_div(o.huge_outputs)
        .map_or(usize::MAX, |n| n.max(1));
    let mut huge_left = o.huge_outputs;
    {
        let mut ins_session = tx.prepare(
            "INSERT INTO orchestration_session (orchestration_session_id, device_id, orchestration_nature_id, version, orch_started_at, orch_finished_at, args_json, diagnostics_md)
             VALUES (?1, 'DEV-1', ?2, '1.6.0', ?3, ?4, ?5, ?6)",
        )?;
        let mut ins_state = tx.prepare(
            "INSERT INTO orchestration_session_state (orchestration_session_state_id, session_id, from_state, to_state, transitioned_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut ins_exec = tx.prepare(
            "INSERT INTO orchestration_session_exec (orchestration_session_exec_id, exec_nature, session_id, parent_exec_id, namespace, exec_identity, exec_code, exec_status, exec_error_text, output_text, output_nature, elaboration)
             VALUES (?1, ?2, ?3, ?4, 'bench', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?;
        let mut ins_issue = tx.prepare(
            "INSERT INTO orchestration_session_issue (orchestration_session_issue_id, session_id, issue_type, issue_message, issue_row, issue_column, invalid_value, remediation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'fix the source')",
        )?;
        let mut ins_log = tx.prepare(
            "INSERT INTO orchestration_session_log (orchestration_session_log_id, category, parent_exec_id, content, sibling_order) VALUES (?1, 'info', ?2, ?3, 1)",
        )?;
        let base: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z
        for s in 0..o.sessions {
            let sid = format!("SESS-{s:07}");
            let nature = NATURES[s % NATURES.len()];
            let start = base + (s as i64) * 600;
            let mut any_failed = false;
            let mut last_at_depth: [Option<String>; 4] = [None, None, None, None];
            let mut depth = 0usize;
            for e in 0..o.execs_per_session {
                let eid = format!("{sid}-E{e:05}");
                // deeper (up to four levels), a sibling, one level up, or a new root
                depth = match (e, rng.below(10)) {
                    (0, _) => 0,
                    (_, 0..=4) if depth < 3 => depth + 1,
                    (_, 0..=6) => depth,
                    (_, 7..=8) => depth.saturating_sub(1),
                    _ => 0,
                };
                let parent = if depth == 0 {
                    None
                } else {
                    last_at_depth[depth - 1].clone()
                };
                last_at_depth[depth] = Some(eid.clone());
                for d in last_at_depth.iter_mut().skip(depth + 1) {
                    *d = None;
                }
                let failed = rng.below(1000) < u64::from(o.failures_per_mille);
                any_failed |= failed;
                let huge = huge_left > 0 && s % huge_every == 0 && e == 0;
                if huge {
                    huge_left -= 1;
                }
                let kind = rng.below(10);
                let (output, output_nature) = if huge {
                    (text(&mut rng, o.huge_bytes), None)
                } else if kind == 0 {
                    (
                        format!(
                            "{{\"rows\": {}, \"table\": \"{}\", \"ok\": {}}}",
                            rng.below(10_000),
                            rng.pick(WORDS),
                            !failed
                        ),
                        Some("{\"nature\":\"json\"}"),
                    )
                } else if kind == 1 {
                    (
                        format!(
                            "\u{1b}[32mPASS\u{1b}[0m {}\n\u{1b}[33mWARN\u{1b}[0m {}",
                            text(&mut rng, o.output_bytes / 2),
                            rng.pick(WORDS)
                        ),
                        None,
                    )
                } else {
                    (text(&mut rng, o.output_bytes), None)
                };
                let code = if nature == "shell-rusqlite" || nature == "V&V" {
                    format!(
                        "SELECT count(*) FROM {} WHERE {} IS NOT NULL;",
                        rng.pick(WORDS),
                        rng.pick(WORDS)
                    )
                } else {
                    format!("surveilr {} --src {}.csv", rng.pick(WORDS), rng.pick(WORDS))
                };
                ins_exec.execute(params![
                    eid,
                    nature,
                    sid,
                    parent,
                    format!("step {e} {}", rng.pick(WORDS)),
                    code,
                    i64::from(failed),
                    failed.then(|| format!(
                        "Error: {} failed: {}",
                        rng.pick(WORDS),
                        text(&mut rng, 80)
                    )),
                    output,
                    output_nature,
                    format!("{{\"duration_ms\": {}}}", rng.below(5000)),
                ])?;
                if e % 10 == 5 {
                    ins_log.execute(params![
                        format!("{eid}-L"),
                        eid,
                        format!("{} {}", rng.pick(WORDS), rng.pick(WORDS))
                    ])?;
                }
            }
            if nature == "V&V" {
                for k in 0..3 {
                    ins_issue.execute(params![
                        format!("{sid}-I{k}"),
                        sid,
                        ["Missing Value", "Data Type Mismatch", "Invalid Date"][k % 3],
                        format!("{} is required", rng.pick(WORDS)),
                        rng.below(1000) as i64,
                        rng.pick(WORDS),
                        rng.pick(WORDS),
                    ])?;
                }
            }
            let iso = |t: i64| crate::model::time::format_utc(t * 1000);
            let end = start + 60 + rng.below(500) as i64;
            let running = s + 1 == o.sessions && o.sessions > 3;
            ins_session.execute(params![
                sid,
                nature,
                iso(start),
                (!running).then(|| iso(end)),
                format!("{{\"script\": \"{}.sql\"}}", rng.pick(WORDS)),
                (s % 7 == 0).then_some("## Summary\n\nGenerated session with **several** steps."),
            ])?;
            ins_state.execute(params![
                format!("{sid}-S1"),
                sid,
                "surveilr_orch_init",
                "surveilr_orch_progress",
                iso(start)
            ])?;
            if !running {
                let to = if any_failed && s % 3 == 0 {
                    "surveilr_orch_failed"
                } else {
                    "surveilr_orch_completed"
                };
                ins_state.execute(params![
                    format!("{sid}-S2"),
                    sid,
                    "surveilr_orch_progress",
                    to,
                    iso(end)
                ])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_rows() {
        let dir = tempfile::tempdir().unwrap();
        let o = GenOptions {
            sessions: 5,
            execs_per_session: 20,
            ..GenOptions::default()
        };
        let a = dir.path().join("a.db");
        let b = dir.path().join("b.db");
        generate(&a, &o).unwrap();
        generate(&b, &o).unwrap();
        let dump = |p: &Path| -> Vec<String> {
            let c = Connection::open(p).unwrap();
            let mut st = c
                .prepare("SELECT orchestration_session_exec_id || '|' || coalesce(parent_exec_id, '') || '|' || exec_status || '|' || output_text FROM orchestration_session_exec ORDER BY rowid")
                .unwrap();
            st.query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        let (ra, rb) = (dump(&a), dump(&b));
        assert_eq!(ra, rb);
        assert_eq!(ra.len(), 100);
        // trees up to four deep, parents always earlier in the same session
        let c = Connection::open(&a).unwrap();
        let orphans: i64 = c
            .query_row(
                "SELECT count(*) FROM orchestration_session_exec e WHERE parent_exec_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM orchestration_session_exec p WHERE p.orchestration_session_exec_id = e.parent_exec_id AND p.session_id = e.session_id AND p.rowid < e.rowid)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
        assert!(generate(&a, &o).is_err(), "never overwrites");
    }
}
