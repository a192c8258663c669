//! Session pages: the sessions index (newest first, paginated, totals on top) and one
//! page per session telling its story: summary and final state, diagnostics, arguments,
//! state timeline, entries, the execution tree, issues, logs.

use std::collections::HashMap;

use serde::Serialize;

use super::exec::{self, ExecContext, ExecView};
use super::links::{relative, root_of};
use super::text::{Limits, pretty_json};
use super::{Page, slug};
use crate::model::session::{Session, SessionSummary};
use crate::model::status::FinalState;
use crate::model::time::{Timestamp, format_duration};
use crate::model::tree::Tree;
use crate::render::markdown;

/// Settings of the session pages.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub dir: String,
    pub limits: Limits,
    /// Deeper executions are shown at this nesting level.
    pub max_nesting: usize,
    /// Sessions per index page.
    pub page_size: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            dir: "sessions".into(),
            limits: Limits::default(),
            max_nesting: 12,
            page_size: 200,
        }
    }
}

/// The order sessions are listed in: newest start first; sessions without a readable
/// start after those with one, in recording order, newest recorded first.
pub fn newest_first(summaries: &[SessionSummary]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..summaries.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |s: &SessionSummary| (s.started_at.as_ref().and_then(|t| t.epoch_ms), s.rowid);
        let (ka, kb) = (key(&summaries[a]), key(&summaries[b]));
        kb.0.is_some()
            .cmp(&ka.0.is_some())
            .then(kb.0.cmp(&ka.0))
            .then(kb.1.cmp(&ka.1))
            .then(summaries[a].id.cmp(&summaries[b].id))
    });
    order
}

/// File stems of the session pages.
pub fn stems(summaries: &[SessionSummary]) -> HashMap<String, String> {
    slug::assign(
        summaries.iter().map(|s| s.id.as_str()),
        &["index", "page", "page-*", "unattached-logs"],
    )
}

fn ts(t: &Option<Timestamp>) -> String {
    t.as_ref().map(Timestamp::display).unwrap_or_default()
}

/// A session as a row of the index.
#[derive(Serialize)]
pub struct SessionRow<'a> {
    pub id: &'a str,
    pub url: String,
    pub md_url: String,
    pub nature: &'a str,
    pub device: &'a str,
    pub version: Option<&'a str>,
    pub started: String,
    pub finished: String,
    pub duration: String,
    pub final_state: &'static str,
    pub final_state_raw: Option<&'a str>,
    pub exec_total: u64,
    pub exec_ok: u64,
    pub exec_failed: u64,
    pub exec_unknown: u64,
    pub issues: u64,
    pub flags: &'a [String],
}

/// The index row of a session, with links relative to the page at `from`.
pub fn row<'a>(s: &'a SessionSummary, from: &str, dir: &str, stem: &str) -> SessionRow<'a> {
    SessionRow {
        id: &s.id,
        url: relative(from, &format!("{dir}/{stem}.html")),
        md_url: relative(from, &format!("{dir}/{stem}.md")),
        nature: &s.nature,
        device: &s.device,
        version: s.version.as_deref(),
        started: ts(&s.started_at),
        finished: ts(&s.finished_at),
        duration: s.duration_ms.map(format_duration).unwrap_or_default(),
        final_state: s.final_state.as_str(),
        final_state_raw: s.final_state_raw.as_deref(),
        exec_total: s.exec_total,
        exec_ok: s.exec_ok,
        exec_failed: s.exec_failed,
        exec_unknown: s.exec_unknown,
        issues: s.issues,
        flags: &s.flags,
    }
}

/// Counts over all sessions.
#[derive(Serialize, Default, Clone)]
pub struct Totals {
    pub sessions: usize,
    pub completed: usize,
    pub failed: usize,
    pub finished: usize,
    pub running: usize,
    pub abandoned: usize,
    pub exec_total: u64,
    pub exec_ok: u64,
    pub exec_failed: u64,
    pub exec_unknown: u64,
    pub issues: u64,
}

pub fn totals(summaries: &[SessionSummary]) -> Totals {
    let mut t = Totals {
        sessions: summaries.len(),
        ..Totals::default()
    };
    for s in summaries {
        match s.final_state {
            FinalState::Completed => t.completed += 1,
            FinalState::Failed => t.failed += 1,
            FinalState::Finished => t.finished += 1,
            FinalState::Running => t.running += 1,
            FinalState::Abandoned => t.abandoned += 1,
        }
        t.exec_total += s.exec_total;
        t.exec_ok += s.exec_ok;
        t.exec_failed += s.exec_failed;
        t.exec_unknown += s.exec_unknown;
        t.issues += s.issues;
    }
    t
}

/// A link to another page of a paginated list.
#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub md_url: String,
    pub current: bool,
}

/// Context of `html/sessions/index.html` and `md/sessions/index.md`.
#[derive(Serialize)]
pub struct IndexPage<'a> {
    /// False when the RSSD has no `orchestration_session` table at all.
    pub has_table: bool,
    pub totals: &'a Totals,
    pub rows: Vec<SessionRow<'a>>,
    pub page: usize,
    pub pages: Vec<PageLink>,
    pub unattached_logs: usize,
    pub path: String,
    pub root: String,
}

fn index_file(dir: &str, page: usize, ext: &str) -> String {
    if page == 1 {
        format!("{dir}/index.{ext}")
    } else {
        format!("{dir}/page-{page}.{ext}")
    }
}

/// The sessions index pages, HTML and Markdown.
pub fn index_pages(
    summaries: &[SessionSummary],
    order: &[usize],
    stems: &HashMap<String, String>,
    totals: &Totals,
    has_table: bool,
    unattached_logs: usize,
    opts: &SessionOptions,
) -> Vec<Page> {
    let dir = &opts.dir;
    let chunks: Vec<&[usize]> = if order.is_empty() {
        vec![&[]]
    } else {
        order.chunks(opts.page_size.max(1)).collect()
    };
    let mut out = Vec::new();
    for (k, chunk) in chunks.iter().enumerate() {
        let page = k + 1;
        for ext in ["html", "md"] {
            let path = index_file(dir, page, ext);
            let ctx = IndexPage {
                has_table,
                totals,
                rows: chunk
                    .iter()
                    .map(|&i| row(&summaries[i], &path, dir, &stems[&summaries[i].id]))
                    .collect(),
                page,
                pages: if chunks.len() > 1 {
                    (1..=chunks.len())
                        .map(|n| PageLink {
                            number: n,
                            url: relative(&path, &index_file(dir, n, "html")),
                            md_url: relative(&path, &index_file(dir, n, "md")),
                            current: n == page,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                unattached_logs,
                root: root_of(&path),
                path: path.clone(),
            };
            let template = if ext == "html" {
                "html/sessions/index.html"
            } else {
                "md/sessions/index.md"
            };
            out.push(Page::template(path, template, &ctx));
        }
    }
    out
}

#[derive(Serialize)]
pub struct StateView<'a> {
    pub id: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub at: String,
    pub reason: Option<&'a str>,
    pub result: Option<String>,
    pub terminal: Option<&'static str>,
    pub entry_anchor: Option<String>,
    pub flags: &'a [String],
}

#[derive(Serialize)]
pub struct EntryView<'a> {
    pub id: &'a str,
    pub anchor: String,
    pub src: Option<&'a str>,
    pub table: Option<&'a str>,
    /// (anchor, title) of the executions that name the entry.
    pub execs: Vec<(String, String)>,
    pub issues: usize,
    pub states: usize,
    pub elaboration: Option<String>,
    pub flags: &'a [String],
}

#[derive(Serialize)]
pub struct RelationView<'a> {
    pub nature: Option<&'a str>,
    pub other: Option<&'a str>,
    pub other_anchor: Option<String>,
}

#[derive(Serialize)]
pub struct IssueView<'a> {
    pub id: &'a str,
    pub anchor: String,
    pub message: Option<&'a str>,
    pub row: Option<&'a str>,
    pub column: Option<&'a str>,
    pub invalid_value: Option<&'a str>,
    pub remediation: Option<&'a str>,
    pub entry_src: Option<&'a str>,
    pub entry_anchor: Option<String>,
    pub elaboration: Option<String>,
    pub relations: Vec<RelationView<'a>>,
    pub flags: &'a [String],
}

#[derive(Serialize)]
pub struct IssueGroup<'a> {
    pub issue_type: &'a str,
    pub issues: Vec<IssueView<'a>>,
}

/// Something on the page that is not as it should be, with where it is.
#[derive(Serialize)]
pub struct Problem {
    pub anchor: String,
    pub what: String,
}

/// Context of `html/sessions/session.html` and `md/sessions/session.md`.
#[derive(Serialize)]
pub struct SessionPage<'x, 'a> {
    pub session: SessionRow<'a>,
    pub flags: &'a [String],
    pub diagnostics_html: Option<&'x str>,
    pub diagnostics_md: Option<&'x str>,
    pub diagnostics_json: Option<&'x str>,
    pub args: Option<&'x str>,
    pub elaboration: Option<&'x str>,
    pub states: &'x [StateView<'a>],
    pub entries: &'x [EntryView<'a>],
    pub execs: &'x [ExecView<'a>],
    pub issue_groups: &'x [IssueGroup<'a>],
    pub issue_count: usize,
    pub log_count: usize,
    pub problems: &'x [Problem],
    /// (id, url) of the previous (newer) and next (older) session.
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub path: String,
    pub root: String,
}

/// Neighbours of a session in the index order: (id, stem).
pub struct Neighbours<'a> {
    pub prev: Option<(&'a str, &'a str)>,
    pub next: Option<(&'a str, &'a str)>,
}

/// The anchors of a session's executions, in the order of `session.execs`.
pub fn exec_anchors(session: &Session) -> Vec<String> {
    anchors(session.execs.iter().map(|e| e.id.clone()), "exec")
}

fn anchors(ids: impl Iterator<Item = String>, prefix: &str) -> Vec<String> {
    let ids: Vec<String> = ids.collect();
    let stems = slug::assign(ids.iter().map(String::as_str), &[]);
    // Every first occurrence keeps its stem; a repeated id gets the first `-dupN` that
    // no other id has (an id may itself be `x-dup2`).
    let mut taken: std::collections::HashSet<String> =
        stems.values().map(|s| s.to_ascii_lowercase()).collect();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    ids.iter()
        .map(|id| {
            let stem = &stems[id];
            if seen.insert(id.as_str()) {
                return format!("{prefix}-{stem}");
            }
            let mut n = 2;
            loop {
                let candidate = format!("{stem}-dup{n}");
                if taken.insert(candidate.to_ascii_lowercase()) {
                    return format!("{prefix}-{candidate}");
                }
                n += 1;
            }
        })
        .collect()
}

fn pretty(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
        .map(|s| pretty_json(s).unwrap_or_else(|| s.to_string()))
}

/// The pages of one session (HTML, Markdown, full texts beside them) and the problems
/// found on them, for stderr.
pub fn session_pages(
    session: &Session,
    tree: &Tree,
    stem: &str,
    exec_anchors: &[String],
    nb: &Neighbours<'_>,
    opts: &SessionOptions,
) -> (Vec<Page>, Vec<String>) {
    let dir = &opts.dir;
    let s = &session.summary;
    let html_path = format!("{dir}/{stem}.html");
    let md_path = format!("{dir}/{stem}.md");
    let entry_anchor_list = anchors(session.entries.iter().map(|e| e.id.clone()), "entry");
    let issue_anchor_list = anchors(session.issues.iter().map(|e| e.id.clone()), "issue");
    let entry_anchors: HashMap<&str, String> = session
        .entries
        .iter()
        .zip(&entry_anchor_list)
        .map(|(e, a)| (e.id.as_str(), a.clone()))
        .collect();
    let issue_anchors: HashMap<&str, String> = session
        .issues
        .iter()
        .zip(&issue_anchor_list)
        .map(|(e, a)| (e.id.as_str(), a.clone()))
        .collect();
    let files_dir = format!("{dir}/{stem}");
    let cx = ExecContext {
        limits: opts.limits,
        max_nesting: opts.max_nesting,
        files_dir: &files_dir,
        files_url: stem,
        entry_anchors: &entry_anchors,
    };
    let (execs, extra) = exec::views(&session.execs, tree, exec_anchors, &session.logs, &cx);

    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for f in &s.flags {
        problems.push(Problem {
            anchor: "summary".into(),
            what: format!("session: {f}"),
        });
    }
    for v in &execs {
        if let Some(p) = &v.problem {
            problems.push(Problem {
                anchor: v.anchor.clone(),
                what: format!("execution '{}': {p}", v.id),
            });
        }
        for f in v.flags {
            problems.push(Problem {
                anchor: v.anchor.clone(),
                what: format!("execution '{}': {f}", v.id),
            });
        }
    }
    let mut by_type: Vec<IssueGroup<'_>> = Vec::new();
    for (is, anchor) in session.issues.iter().zip(&issue_anchor_list) {
        for f in &is.flags {
            problems.push(Problem {
                anchor: anchor.clone(),
                what: format!("issue '{}': {f}", is.id),
            });
        }
        let t = is.issue_type.as_deref().unwrap_or("(no type)");
        let view = IssueView {
            id: &is.id,
            anchor: anchor.clone(),
            message: is.message.as_deref(),
            row: is.row.as_deref(),
            column: is.column.as_deref(),
            invalid_value: is.invalid_value.as_deref(),
            remediation: is.remediation.as_deref(),
            entry_src: is.entry_id.as_deref().and_then(|id| {
                session
                    .entries
                    .iter()
                    .find(|e| e.id == id)
                    .and_then(|e| e.ingest_src.as_deref())
            }),
            entry_anchor: is
                .entry_id
                .as_deref()
                .and_then(|id| entry_anchors.get(id).cloned()),
            elaboration: pretty(is.elaboration.as_deref()),
            relations: session
                .issue_relations
                .iter()
                .filter(|r| r.issue_id_prime.as_deref() == Some(is.id.as_str()))
                .map(|r| RelationView {
                    nature: r.relationship_nature.as_deref(),
                    other: r.issue_id_rel.as_deref(),
                    other_anchor: r
                        .issue_id_rel
                        .as_deref()
                        .and_then(|o| issue_anchors.get(o).cloned()),
                })
                .collect(),
            flags: &is.flags,
        };
        match by_type.iter_mut().find(|g| g.issue_type == t) {
            Some(g) => g.issues.push(view),
            None => by_type.push(IssueGroup {
                issue_type: t,
                issues: vec![view],
            }),
        }
    }
    for (st, _) in session.states.iter().zip(0..) {
        for f in &st.flags {
            problems.push(Problem {
                anchor: "timeline".into(),
                what: format!("state '{}': {f}", st.id),
            });
        }
    }
    for en in &session.entries {
        for f in &en.flags {
            problems.push(Problem {
                anchor: entry_anchors[en.id.as_str()].clone(),
                what: format!("entry '{}': {f}", en.id),
            });
        }
    }
    for l in &session.logs {
        for f in &l.flags {
            problems.push(Problem {
                anchor: "execution-tree".into(),
                what: format!("log '{}': {f}", l.id),
            });
        }
    }
    for p in &problems {
        let w = format!("session '{}': {}", s.id, p.what);
        warnings.push(crate::render::escape::terminal(&w).into_owned());
    }

    let entries: Vec<EntryView<'_>> = session
        .entries
        .iter()
        .zip(&entry_anchor_list)
        .map(|(en, anchor)| EntryView {
            id: &en.id,
            anchor: anchor.clone(),
            src: en.ingest_src.as_deref(),
            table: en.ingest_table_name.as_deref(),
            execs: session
                .execs
                .iter()
                .zip(exec_anchors)
                .filter(|(e, _)| e.entry_id.as_deref() == Some(en.id.as_str()))
                .map(|(e, a)| {
                    (
                        a.clone(),
                        e.identity
                            .clone()
                            .or_else(|| e.nature.clone())
                            .unwrap_or_else(|| e.id.clone()),
                    )
                })
                .collect(),
            issues: session
                .issues
                .iter()
                .filter(|i| i.entry_id.as_deref() == Some(en.id.as_str()))
                .count(),
            states: session
                .states
                .iter()
                .filter(|i| i.entry_id.as_deref() == Some(en.id.as_str()))
                .count(),
            elaboration: pretty(en.elaboration.as_deref()),
            flags: &en.flags,
        })
        .collect();
    let states: Vec<StateView<'_>> = session
        .states
        .iter()
        .map(|st| StateView {
            id: &st.id,
            from: st.from_state.as_deref(),
            to: st.to_state.as_deref(),
            at: ts(&st.transitioned_at),
            reason: st.transition_reason.as_deref(),
            result: pretty(st.transition_result.as_deref()),
            terminal: st
                .to_state
                .as_deref()
                .and_then(crate::model::status::terminal_state)
                .map(FinalState::as_str),
            entry_anchor: st
                .entry_id
                .as_deref()
                .and_then(|id| entry_anchors.get(id).cloned()),
            flags: &st.flags,
        })
        .collect();
    let diag = session
        .diagnostics_md
        .as_deref()
        .filter(|s| !s.trim().is_empty());
    let diagnostics_html = diag.map(|d| markdown::to_html(d, 2, "diag"));
    let diagnostics_md = diag.map(|d| markdown::to_safe_markdown(d, 2, "diag"));
    let diagnostics_json = pretty(session.diagnostics_json.as_deref());
    let args = pretty(session.args_json.as_deref());
    let elaboration = pretty(session.elaboration.as_deref());
    let link = |n: Option<(&str, &str)>, ext: &str, from: &str| {
        n.map(|(id, stem)| {
            (
                id.to_string(),
                relative(from, &format!("{dir}/{stem}.{ext}")),
            )
        })
    };
    let mut out = Vec::with_capacity(2 + extra.len());
    for (path, ext) in [(&html_path, "html"), (&md_path, "md")] {
        let ctx = SessionPage {
            session: row(s, path, dir, stem),
            flags: &s.flags,
            diagnostics_html: diagnostics_html.as_deref(),
            diagnostics_md: diagnostics_md.as_deref(),
            diagnostics_json: diagnostics_json.as_deref(),
            args: args.as_deref(),
            elaboration: elaboration.as_deref(),
            states: &states,
            entries: &entries,
            execs: &execs,
            issue_groups: &by_type,
            issue_count: session.issues.len(),
            log_count: session.logs.len(),
            problems: &problems,
            prev: link(nb.prev, ext, path),
            next: link(nb.next, ext, path),
            root: root_of(path),
            path: path.clone(),
        };
        let template = if ext == "html" {
            "html/sessions/session.html"
        } else {
            "md/sessions/session.md"
        };
        out.push(Page::template(path.clone(), template, &ctx));
    }
    for (path, bytes) in extra {
        out.push(Page::raw(path, bytes));
    }
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regression_a_repeated_id_does_not_take_the_anchor_of_an_id_named_like_its_copy() {
        let ids = ["a", "a", "a-dup2", "A", "a"];
        let got = anchors(ids.iter().map(|s| s.to_string()), "exec");
        let mut lower: Vec<String> = got.iter().map(|a| a.to_ascii_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), ids.len(), "{got:?}");
        assert_eq!(got[2], "exec-a-dup2", "a plain id keeps its name");
    }
}
