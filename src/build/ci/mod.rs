//! What a CI job publishes about a run: a job summary in Markdown within a byte budget,
//! JUnit XML, a versioned JSON report, and the conditions that fail the job. Built from
//! the same sessions as the site, one session at a time, so memory stays bounded.

pub mod junit;
pub mod report;
pub mod summary;

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Result, bail};
use serde::Serialize;

use crate::model::session::{Session, SessionSummary};
use crate::model::status::{FinalState, Outcome};
use crate::model::time::Timestamp;
use crate::model::tree::Tree;

/// Which sessions are reported.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub ids: Vec<String>,
    pub latest: bool,
    pub since_ms: Option<i64>,
    pub natures: Vec<String>,
}

impl Selection {
    /// From the command line; a time that cannot be read is an error.
    pub fn new(
        ids: &[String],
        latest: bool,
        since: Option<&str>,
        natures: &[String],
    ) -> Result<Selection> {
        let since_ms = match since {
            None => None,
            Some(s) => match Timestamp::from_text(s).epoch_ms {
                Some(ms) => Some(ms),
                None => bail!(
                    "--since {s:?}: not a time; use ISO 8601 such as 2026-11-30 or 2026-11-30T08:00:00Z"
                ),
            },
        };
        Ok(Selection {
            ids: ids.to_vec(),
            latest,
            since_ms,
            natures: natures.to_vec(),
        })
    }

    pub fn is_all(&self) -> bool {
        self.ids.is_empty() && !self.latest && self.since_ms.is_none() && self.natures.is_empty()
    }

    /// The selected sessions, in `order` (newest first). A session id that does not
    /// exist is an error.
    pub fn apply(&self, summaries: &[SessionSummary], order: &[usize]) -> Result<Vec<usize>> {
        for id in &self.ids {
            if !summaries.iter().any(|s| &s.id == id) {
                bail!("--session {id:?}: no such session in the database");
            }
        }
        let mut out: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| {
                let s = &summaries[i];
                (self.ids.is_empty() || self.ids.contains(&s.id))
                    && (self.natures.is_empty()
                        || self
                            .natures
                            .iter()
                            .any(|n| n == &s.nature || s.nature_id.as_deref() == Some(n.as_str())))
                    && self.since_ms.is_none_or(|since| {
                        s.started_at
                            .as_ref()
                            .and_then(|t| t.epoch_ms)
                            .is_some_and(|t| t >= since)
                    })
            })
            .collect();
        if self.latest {
            out.truncate(1);
        }
        Ok(out)
    }
}

/// A condition that fails the job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailOn {
    FailedExecutions,
    FailedSessions,
    UnfinishedSessions,
    UnknownExecutions,
    /// Any issue (`None`) or issues of these types.
    Issues(Option<Vec<String>>),
}

impl FailOn {
    pub fn parse(s: &str) -> Result<FailOn> {
        Ok(match s.trim() {
            "failed-executions" => FailOn::FailedExecutions,
            "failed-sessions" => FailOn::FailedSessions,
            "unfinished-sessions" => FailOn::UnfinishedSessions,
            "unknown-executions" => FailOn::UnknownExecutions,
            "issues" => FailOn::Issues(None),
            other => match other.strip_prefix("issues:") {
                Some(types) if !types.trim().is_empty() => FailOn::Issues(Some(
                    types.split(',').map(|t| t.trim().to_string()).collect(),
                )),
                _ => bail!(
                    "--fail-on {other:?}: not a condition; use failed-executions, failed-sessions, \
                     unfinished-sessions, unknown-executions, issues, or issues:TYPE[,TYPE...]"
                ),
            },
        })
    }
}

/// A failed execution as the summary shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FailedExec {
    pub session_id: String,
    pub session_stem: String,
    /// The page part (1-based) the execution is on.
    pub part: usize,
    pub exec_id: String,
    pub anchor: String,
    pub title: String,
    pub nature: String,
    pub status_raw: String,
    pub error: String,
    pub output_tail: String,
}

/// Counts and the failures seen so far over the reported sessions.
#[derive(Debug, Default)]
pub struct Stats {
    /// Executions per session page (as the site splits them), for links to parts.
    pub page_execs: usize,
    pub sessions: Vec<SessionSummary>,
    pub stems: Vec<String>,
    pub failed: Vec<FailedExec>,
    pub failed_total: u64,
    /// issue type -> (count, sessions)
    pub issue_types: BTreeMap<String, (u64, BTreeSet<String>)>,
}

/// Failed executions kept for the summary; the rest are counted.
const KEEP_FAILED: usize = 10_000;
/// Characters of error text and output tail kept per failure.
const KEEP_CHARS: usize = 4_000;

/// Bytes of raw text looked at for an excerpt: a 200 MB output is not copied whole to
/// keep its last 4,000 characters.
const WINDOW: usize = 64 * KEEP_CHARS;

/// Text for an excerpt: ANSI codes stripped, other control characters made visible.
fn shown(s: &str) -> String {
    crate::render::escape::visible_controls(&crate::render::ansi::strip(s)).into_owned()
}

/// The first [`KEEP_CHARS`] characters of `s`, shown, with `…` when cut.
fn error_head(s: &str) -> String {
    let mut end = s.len().min(WINDOW);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    let t = head_chars(&shown(&s[..end]), KEEP_CHARS);
    if end < s.len() && !t.ends_with('…') {
        format!("{t}…")
    } else {
        t
    }
}

/// The last [`KEEP_CHARS`] characters of `s`, shown, with `…` when cut.
fn output_tail(s: &str) -> String {
    let mut start = s.len().saturating_sub(WINDOW);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    let t = tail_chars(&shown(&s[start..]), KEEP_CHARS);
    if start > 0 && !t.starts_with('…') {
        format!("…{t}")
    } else {
        t
    }
}

fn head_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn tail_chars(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_string();
    }
    let skip = count - n;
    let i = s.char_indices().nth(skip).map_or(0, |(i, _)| i);
    format!("…{}", &s[i..])
}

impl Stats {
    /// Adds a loaded session.
    pub fn add(&mut self, session: &Session, tree: &Tree, stem: &str, anchors: &[String]) {
        let s = &session.summary;
        let parts = super::sessions::parts(tree, self.page_execs.max(1));
        let part_of = super::sessions::part_of(tree, &parts);
        for &(i, _) in &tree.order {
            let e = &session.execs[i];
            if e.status != Outcome::Failure {
                continue;
            }
            self.failed_total += 1;
            if self.failed.len() >= KEEP_FAILED {
                continue;
            }
            self.failed.push(FailedExec {
                session_id: s.id.clone(),
                session_stem: stem.to_string(),
                part: part_of[i],
                exec_id: e.id.clone(),
                anchor: anchors[i].clone(),
                title: super::exec::title(e),
                nature: e.nature.clone().unwrap_or_default(),
                status_raw: e.status_raw.display(),
                error: error_head(e.error.as_deref().unwrap_or("")),
                // a value too large to load: its tail was read in pieces
                output_tail: output_tail(match e.big(crate::model::session::BigField::Output) {
                    Some(b) => &b.tail,
                    None => e.output.as_deref().unwrap_or(""),
                }),
            });
        }
        for is in &session.issues {
            let t = is.issue_type.clone().unwrap_or_else(|| "(no type)".into());
            let entry = self.issue_types.entry(t).or_default();
            entry.0 += 1;
            if entry.1.len() < 20 {
                entry.1.insert(s.id.clone());
            }
        }
        self.sessions.push(s.clone());
        self.stems.push(stem.to_string());
    }

    /// The conditions of `fail_on` that hold, in words.
    pub fn failing(&self, fail_on: &[FailOn]) -> Vec<String> {
        let mut out = Vec::new();
        let sum = |f: fn(&SessionSummary) -> u64| self.sessions.iter().map(f).sum::<u64>();
        for c in fail_on {
            match c {
                FailOn::FailedExecutions => {
                    let n = sum(|s| s.exec_failed);
                    if n > 0 {
                        out.push(format!("{n} failed executions"));
                    }
                }
                FailOn::FailedSessions => {
                    let n = self
                        .sessions
                        .iter()
                        .filter(|s| s.final_state == FinalState::Failed)
                        .count();
                    if n > 0 {
                        out.push(format!("{n} failed sessions"));
                    }
                }
                FailOn::UnfinishedSessions => {
                    let n = self
                        .sessions
                        .iter()
                        .filter(|s| {
                            matches!(s.final_state, FinalState::Running | FinalState::Abandoned)
                        })
                        .count();
                    if n > 0 {
                        out.push(format!("{n} sessions without a final state"));
                    }
                }
                FailOn::UnknownExecutions => {
                    let n = sum(|s| s.exec_unknown);
                    if n > 0 {
                        out.push(format!("{n} executions with an unknown status"));
                    }
                }
                FailOn::Issues(None) => {
                    let n: u64 = self.issue_types.values().map(|v| v.0).sum();
                    if n > 0 {
                        out.push(format!("{n} issues"));
                    }
                }
                FailOn::Issues(Some(types)) => {
                    for t in types {
                        if let Some((n, _)) = self.issue_types.get(t) {
                            out.push(format!("{n} issues of type {t:?}"));
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse() {
        assert_eq!(
            FailOn::parse("failed-executions").unwrap(),
            FailOn::FailedExecutions
        );
        assert_eq!(
            FailOn::parse("issues:Missing Value, Invalid Date").unwrap(),
            FailOn::Issues(Some(vec!["Missing Value".into(), "Invalid Date".into()]))
        );
        assert!(FailOn::parse("failures").is_err());
        assert!(FailOn::parse("issues:").is_err());
    }

    #[test]
    fn excerpts_keep_char_boundaries() {
        assert_eq!(head_chars("ééé", 2), "éé…");
        assert_eq!(tail_chars("ééé", 2), "…éé");
        assert_eq!(tail_chars("ab", 5), "ab");
    }

    #[test]
    fn excerpts_of_huge_texts_look_at_a_window_only() {
        let big = format!("{}\x1b[31mEND\x07", "é".repeat(1_000_000));
        let t = output_tail(&big);
        assert!(
            t.starts_with('…') && t.ends_with("END\u{2407}"),
            "{}",
            &t[t.len() - 20..]
        );
        assert_eq!(t.chars().count(), KEEP_CHARS + 1);
        let h = error_head(&big);
        assert!(h.ends_with('…') && h.starts_with("éé"));
        assert_eq!(error_head("short"), "short");
        assert_eq!(output_tail("short"), "short");
    }

    #[test]
    fn bad_since_is_an_error() {
        assert!(Selection::new(&[], false, Some("yesterday"), &[]).is_err());
        assert!(Selection::new(&[], false, Some("2026-11-30"), &[]).is_ok());
    }
}
