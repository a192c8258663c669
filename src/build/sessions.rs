//! Session pages: the sessions index (newest first, paginated, totals on top) and one
//! page per session telling its story: summary and final state, diagnostics, arguments,
//! state timeline, entries, the execution tree, issues, logs.

use crate::hash::HashMap;

use serde::Serialize;

use super::exec::{self, ExecContext};
use super::links::{relative, root_of};
pub use super::session_index::{IndexPage, PageLink, index_pages};
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
    /// Executions per session page; longer sessions continue on part pages.
    pub page_execs: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            dir: "sessions".into(),
            limits: Limits::default(),
            max_nesting: 12,
            page_size: 200,
            page_execs: 1000,
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
        super::session_index::RESERVED_STEMS,
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

pub fn totals<'a>(summaries: impl IntoIterator<Item = &'a SessionSummary>) -> Totals {
    let mut t = Totals::default();
    for s in summaries {
        t.sessions += 1;
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
    /// (anchor, title, part) of the executions that name the entry.
    pub execs: Vec<(String, String, usize)>,
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
    /// The page part (1-based) the anchor is on.
    pub part: usize,
    pub what: String,
}

/// A page of a session's executions.
#[derive(Serialize)]
pub struct PartLink {
    pub number: usize,
    /// URL from the current page.
    pub url: String,
    /// Ordinals (1-based) of its first and last execution.
    pub first: usize,
    pub last: usize,
    pub failed: usize,
    pub current: bool,
}

/// A failed execution listed at the top of a session page.
#[derive(Serialize)]
pub struct FailedLink<'a> {
    pub title: String,
    pub id: &'a str,
    pub anchor: String,
    pub part: usize,
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
    /// The execution views (`ExecView`), converted once and shared by both pages.
    pub execs: &'x minijinja::Value,
    pub issue_groups: &'x [IssueGroup<'a>],
    pub issue_count: usize,
    pub log_count: usize,
    pub problems: &'x [Problem],
    /// This page's part (1-based) and all parts (one when the session fits a page).
    pub part: usize,
    pub parts: Vec<PartLink>,
    /// The first failed executions (for long sessions: where to look first).
    pub failed: &'x [FailedLink<'a>],
    pub failed_total: usize,
    /// (id, url) of the previous (newer) and next (older) session.
    pub prev: Option<(String, String)>,
    pub next: Option<(String, String)>,
    pub path: String,
    pub root: String,
}

/// Failed executions linked from the top of a session page.
pub const MAX_FAILED_LINKS: usize = 20;

/// Neighbours of a session in the index order: (id, stem).
pub struct Neighbours<'a> {
    pub prev: Option<(&'a str, &'a str)>,
    pub next: Option<(&'a str, &'a str)>,
}

/// The anchors of a session's executions, in the order of `session.execs`.
pub fn exec_anchors(session: &Session) -> Vec<String> {
    anchors(
        session.execs.iter().map(|e| e.id.as_str()).collect(),
        "exec",
    )
}

/// The anchors of a session's issues, in the order of `session.issues`.
pub fn issue_anchors(session: &Session) -> Vec<String> {
    anchors(
        session.issues.iter().map(|e| e.id.as_str()).collect(),
        "issue",
    )
}

fn anchors(ids: Vec<&str>, prefix: &str) -> Vec<String> {
    // The common case: every id plain and none equal to another ignoring case, so
    // each is its own stem (what the general case below gives them too).
    if ids.iter().all(|id| slug::is_plain(id, &[])) {
        let mut sorted: Vec<&str> = ids.clone();
        sorted.sort_unstable_by(|a, b| {
            a.bytes()
                .map(|c| c.to_ascii_lowercase())
                .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
        });
        if sorted.windows(2).all(|w| !w[0].eq_ignore_ascii_case(w[1])) {
            return ids
                .iter()
                .map(|id| {
                    let mut a = String::with_capacity(prefix.len() + 1 + id.len());
                    a.push_str(prefix);
                    a.push('-');
                    a.push_str(id);
                    a
                })
                .collect();
        }
    }
    anchors_general(&ids, prefix)
}

/// Anchors for any ids: stems from [`slug::assign`], repeated ids numbered.
fn anchors_general(ids: &[&str], prefix: &str) -> Vec<String> {
    let stems = slug::assign(ids.iter().copied(), &[]);
    // Every first occurrence keeps its stem; a repeated id gets the first `-dupN` that
    // no other id has (an id may itself be `x-dup2`).
    let mut taken: crate::hash::HashSet<String> =
        stems.values().map(|s| s.to_ascii_lowercase()).collect();
    let mut seen: crate::hash::HashSet<&str> = crate::hash::HashSet::default();
    ids.iter()
        .map(|id| {
            let stem = &stems[*id];
            if seen.insert(id) {
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

/// The parts a session's executions are split into: ranges of the tree order of at
/// most `page_execs` executions (one part, possibly empty, at least).
pub fn parts(tree: &Tree, page_execs: usize) -> Vec<std::ops::Range<usize>> {
    let n = tree.order.len();
    let size = page_execs.max(1);
    if n <= size {
        return std::iter::once(0..n).collect();
    }
    (0..n).step_by(size).map(|a| a..(a + size).min(n)).collect()
}

/// The part (1-based) each execution is on, by execution index.
pub fn part_of(tree: &Tree, parts: &[std::ops::Range<usize>]) -> Vec<usize> {
    let mut out = vec![1; tree.order.len()];
    for (p, r) in parts.iter().enumerate() {
        for k in r.clone() {
            out[tree.order[k].0] = p + 1;
        }
    }
    out
}

/// The file of part `n` (1-based) of a session's pages.
pub fn part_path(dir: &str, stem: &str, n: usize, ext: &str) -> String {
    if n <= 1 {
        format!("{dir}/{stem}.{ext}")
    } else {
        format!("{dir}/{stem}/part-{n}.{ext}")
    }
}

/// What is wrong in a session's records, in page order, each with where it shows.
pub fn problems(
    session: &Session,
    tree: &Tree,
    exec_anchors: &[String],
    part_of: &[usize],
    entry_anchors: &HashMap<&str, String>,
    issue_anchors: &[String],
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for f in &session.summary.flags {
        problems.push(Problem {
            anchor: "summary".into(),
            part: 1,
            what: format!("session: {f}"),
        });
    }
    for &(i, _) in &tree.order {
        let e = &session.execs[i];
        if let Some(p) = &tree.problems[i] {
            problems.push(Problem {
                anchor: exec_anchors[i].clone(),
                part: part_of[i],
                what: format!("execution '{}': {}", e.id, p.describe()),
            });
        }
        for f in &e.flags {
            problems.push(Problem {
                anchor: exec_anchors[i].clone(),
                part: part_of[i],
                what: format!("execution '{}': {f}", e.id),
            });
        }
    }
    for (is, anchor) in session.issues.iter().zip(issue_anchors) {
        for f in &is.flags {
            problems.push(Problem {
                anchor: anchor.clone(),
                part: 1,
                what: format!("issue '{}': {f}", is.id),
            });
        }
    }
    for st in &session.states {
        for f in &st.flags {
            problems.push(Problem {
                anchor: "timeline".into(),
                part: 1,
                what: format!("state '{}': {f}", st.id),
            });
        }
    }
    for en in &session.entries {
        for f in &en.flags {
            problems.push(Problem {
                anchor: entry_anchors
                    .get(en.id.as_str())
                    .cloned()
                    .unwrap_or_else(|| "entries".into()),
                part: 1,
                what: format!("entry '{}': {f}", en.id),
            });
        }
    }
    for l in &session.logs {
        for f in &l.flags {
            problems.push(Problem {
                anchor: "execution-tree".into(),
                part: 1,
                what: format!("log '{}': {f}", l.id),
            });
        }
    }
    problems
}

/// The stderr warnings of a session: its problems, as `session_pages` reports them.
pub fn warnings(session: &Session, tree: &Tree, exec_anchors: &[String]) -> Vec<String> {
    let entry_list = anchors(
        session.entries.iter().map(|e| e.id.as_str()).collect(),
        "entry",
    );
    let issue_list = anchors(
        session.issues.iter().map(|e| e.id.as_str()).collect(),
        "issue",
    );
    let entry_anchors: HashMap<&str, String> = session
        .entries
        .iter()
        .zip(&entry_list)
        .map(|(e, a)| (e.id.as_str(), a.clone()))
        .collect();
    let parts = parts(tree, usize::MAX);
    problems(
        session,
        tree,
        exec_anchors,
        &part_of(tree, &parts),
        &entry_anchors,
        &issue_list,
    )
    .into_iter()
    .map(|p| format!("session '{}': {}", session.summary.id, p.what))
    .collect()
}

/// The pages of one session (HTML, Markdown, full texts beside them), handed to `emit`
/// a part at a time, so a long session never has all its pages in memory; returns the
/// problems found on them, for stderr.
pub fn session_pages(
    session: &Session,
    tree: &Tree,
    stem: &str,
    exec_anchors: &[String],
    nb: &Neighbours<'_>,
    opts: &SessionOptions,
    emit: &mut dyn FnMut(Vec<Page>) -> anyhow::Result<()>,
) -> anyhow::Result<Vec<String>> {
    let dir = &opts.dir;
    let s = &session.summary;
    let parts = parts(tree, opts.page_execs);
    let part_of = part_of(tree, &parts);
    let entry_anchor_list = anchors(
        session.entries.iter().map(|e| e.id.as_str()).collect(),
        "entry",
    );
    let issue_anchor_list = issue_anchors(session);
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
    let logs_by_exec = exec::nest_logs(&session.execs, &session.logs);
    let problems = problems(
        session,
        tree,
        exec_anchors,
        &part_of,
        &entry_anchors,
        &issue_anchor_list,
    );
    let mut failed: Vec<FailedLink<'_>> = Vec::new();
    let mut failed_per_part = vec![0usize; parts.len()];
    for &(i, _) in &tree.order {
        let e = &session.execs[i];
        if e.status == crate::model::status::Outcome::Failure {
            failed_per_part[part_of[i] - 1] += 1;
            if failed.len() < 50 {
                failed.push(FailedLink {
                    title: exec::title(e),
                    id: &e.id,
                    anchor: exec_anchors[i].clone(),
                    part: part_of[i],
                });
            }
        }
    }
    let failed_total = failed_per_part.iter().sum();
    let warnings = problems
        .iter()
        .map(|p| format!("session '{}': {}", s.id, p.what))
        .collect();
    let entry_src: HashMap<&str, &str> = session
        .entries
        .iter()
        .filter_map(|e| Some((e.id.as_str(), e.ingest_src.as_deref()?)))
        .collect();
    let mut relations_of: HashMap<&str, Vec<RelationView<'_>>> = HashMap::default();
    for r in &session.issue_relations {
        if let Some(p) = r.issue_id_prime.as_deref() {
            relations_of.entry(p).or_default().push(RelationView {
                nature: r.relationship_nature.as_deref(),
                other: r.issue_id_rel.as_deref(),
                other_anchor: r
                    .issue_id_rel
                    .as_deref()
                    .and_then(|o| issue_anchors.get(o).cloned()),
            });
        }
    }
    let mut by_type: Vec<IssueGroup<'_>> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::default();
    for (is, anchor) in session.issues.iter().zip(&issue_anchor_list) {
        let t = is.issue_type.as_deref().unwrap_or("(no type)");
        let view = IssueView {
            id: &is.id,
            anchor: anchor.clone(),
            message: is.message.as_deref(),
            row: is.row.as_deref(),
            column: is.column.as_deref(),
            invalid_value: is.invalid_value.as_deref(),
            remediation: is.remediation.as_deref(),
            entry_src: is
                .entry_id
                .as_deref()
                .and_then(|id| entry_src.get(id).copied()),
            entry_anchor: is
                .entry_id
                .as_deref()
                .and_then(|id| entry_anchors.get(id).cloned()),
            elaboration: pretty(is.elaboration.as_deref()),
            relations: relations_of.remove(is.id.as_str()).unwrap_or_default(),
            flags: &is.flags,
        };
        match group_of.get(t) {
            Some(&g) => by_type[g].issues.push(view),
            None => {
                group_of.insert(t, by_type.len());
                by_type.push(IssueGroup {
                    issue_type: t,
                    issues: vec![view],
                });
            }
        }
    }
    // what names each entry: executions (anchor, label), issues, states
    let mut entry_execs: HashMap<&str, Vec<(String, String, usize)>> = HashMap::default();
    for ((e, a), &part) in session.execs.iter().zip(exec_anchors).zip(&part_of) {
        if let Some(en) = e.entry_id.as_deref() {
            let label = e
                .identity
                .clone()
                .or_else(|| e.nature.clone())
                .unwrap_or_else(|| e.id.clone());
            entry_execs
                .entry(en)
                .or_default()
                .push((a.clone(), label, part));
        }
    }
    let mut entry_issues: HashMap<&str, usize> = HashMap::default();
    for i in &session.issues {
        if let Some(en) = i.entry_id.as_deref() {
            *entry_issues.entry(en).or_default() += 1;
        }
    }
    let mut entry_states: HashMap<&str, usize> = HashMap::default();
    for st in &session.states {
        if let Some(en) = st.entry_id.as_deref() {
            *entry_states.entry(en).or_default() += 1;
        }
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
            execs: entry_execs.remove(en.id.as_str()).unwrap_or_default(),
            issues: entry_issues.get(en.id.as_str()).copied().unwrap_or(0),
            states: entry_states.get(en.id.as_str()).copied().unwrap_or(0),
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
    for (p, range) in parts.iter().enumerate() {
        let number = p + 1;
        let mut out = Vec::with_capacity(2);
        let files_url = if number == 1 {
            format!("{stem}/")
        } else {
            String::new()
        };
        let cx = ExecContext {
            limits: opts.limits,
            max_nesting: opts.max_nesting,
            files_dir: &files_dir,
            files_url: &files_url,
            entry_anchors: &entry_anchors,
            part_of: &part_of,
            part: number,
        };
        let (execs, extra) = exec::views(
            &session.execs,
            tree,
            exec_anchors,
            &session.logs,
            &logs_by_exec,
            range.clone(),
            &cx,
        );
        let execs_value = minijinja::Value::from(
            execs
                .iter()
                .map(exec::ExecObject::value)
                .collect::<Vec<_>>(),
        );
        for ext in ["html", "md"] {
            let path = part_path(dir, stem, number, ext);
            let ctx = SessionPage {
                session: row(s, &path, dir, stem),
                flags: &s.flags,
                diagnostics_html: diagnostics_html.as_deref(),
                diagnostics_md: diagnostics_md.as_deref(),
                diagnostics_json: diagnostics_json.as_deref(),
                args: args.as_deref(),
                elaboration: elaboration.as_deref(),
                states: &states,
                entries: &entries,
                execs: &execs_value,
                issue_groups: &by_type,
                issue_count: session.issues.len(),
                log_count: session.logs.len(),
                problems: &problems,
                part: number,
                parts: parts
                    .iter()
                    .enumerate()
                    .map(|(q, r)| PartLink {
                        number: q + 1,
                        url: relative(&path, &part_path(dir, stem, q + 1, ext)),
                        first: r.start + 1,
                        last: r.end,
                        failed: failed_per_part[q],
                        current: q == p,
                    })
                    .collect(),
                failed: &failed,
                failed_total,
                prev: link(nb.prev, ext, &path),
                next: link(nb.next, ext, &path),
                root: root_of(&path),
                path: path.clone(),
            };
            let template = if ext == "html" {
                "html/sessions/session.html"
            } else {
                "md/sessions/session.md"
            };
            out.push(Page::template(path, template, &ctx));
        }
        for f in extra {
            out.push(match f {
                exec::ExtraFile::Bytes(path, bytes) => Page::raw(path, bytes),
                exec::ExtraFile::FromDb(path, column, rowid) => Page {
                    path,
                    body: super::Body::FromDb { column, rowid },
                },
            });
        }
        drop((execs_value, execs));
        emit(out)?;
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_distinct_ids_get_the_anchors_the_general_rule_gives() {
        let lists: Vec<Vec<&str>> = vec![
            vec!["SESS-1-E00001", "SESS-1-E00002", "b", "A"],
            vec!["x.y", "x-y", "x_y", "X.Z"],
            vec!["z", "y", "x"],
            vec!["a", "A"],
            vec!["con", "ok.html", "fine"],
        ];
        for ids in lists {
            assert_eq!(
                anchors(ids.to_vec(), "exec"),
                anchors_general(&ids, "exec"),
                "{ids:?}"
            );
        }
    }

    #[test]
    fn regression_a_repeated_id_does_not_take_the_anchor_of_an_id_named_like_its_copy() {
        let ids = ["a", "a", "a-dup2", "A", "a"];
        let got = anchors(ids.to_vec(), "exec");
        let mut lower: Vec<String> = got.iter().map(|a| a.to_ascii_lowercase()).collect();
        lower.sort();
        lower.dedup();
        assert_eq!(lower.len(), ids.len(), "{got:?}");
        assert_eq!(got[2], "exec-a-dup2", "a plain id keeps its name");
    }
}
