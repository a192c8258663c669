//! The execution tree of a session page: one view per execution, flattened in tree
//! order with the nesting the templates need (open a children block, close N blocks),
//! so no template recursion and no Rust recursion is needed at any depth. Visual
//! nesting stops at `max_nesting`; deeper executions are shown at that level with
//! their true depth written beside them.

use crate::hash::HashMap;

use serde::Serialize;

use super::text::{self, Block, Limits};
use crate::model::session::{BigField, ExecRow, LogRow};
use crate::model::time::format_duration;
use crate::model::tree::Tree;
use crate::render::highlight;

/// One execution as both page kinds show it.
#[derive(Debug, Serialize)]
pub struct ExecView<'a> {
    // Fields in the order the templates look them up most: minijinja finds a field by
    // scanning them in order.
    pub status: &'static str,
    /// Shown expanded: it or something below it failed.
    pub open: bool,
    pub anchor: String,
    pub title: String,
    /// True depth in the tree (roots are 0).
    pub depth: usize,
    /// Nesting level on the page (capped).
    pub level: usize,
    pub problem: Option<String>,
    pub flags: &'a [String],
    pub id: &'a str,
    pub status_raw: String,
    pub nature: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub identity: Option<&'a str>,
    pub duration: Option<String>,
    pub entry_id: Option<&'a str>,
    pub entry_anchor: Option<String>,
    /// Error (when any), code, input (when any), output (when any), in page order.
    pub blocks: Vec<Block>,
    pub narrative_html: Option<String>,
    pub narrative_md: Option<String>,
    pub output_nature: Option<String>,
    pub elaboration: Option<String>,
    pub logs: Vec<LogView<'a>>,
    /// Opens a block that holds its children.
    pub opens: bool,
    /// Its parent when that is on another part page (long sessions).
    pub under: Option<UnderLink>,
    /// Blocks to close after this execution.
    pub closes: usize,
    pub descendants: usize,
    pub children: usize,
    /// Language of the code (`sql`, `sh`, ...).
    pub lang: &'static str,
}

crate::serde_field!(Vec<LogView<'_>>, Option<UnderLink>);

crate::fields_object!(ExecObject for ExecView<'_> {
    status, open, anchor, title, depth, level, problem, flags, id, status_raw, nature,
    namespace, identity, duration, entry_id, entry_anchor, narrative_html, narrative_md,
    output_nature, elaboration, logs, opens, under, closes, descendants, children, lang
} nested {
    blocks: |b: &Vec<Block>| minijinja::Value::from(
        b.iter().map(super::text::BlockObject::value).collect::<Vec<_>>()
    ),
});

/// A block under its label ("Error", "Code", "Input", "Output") and CSS class.
fn labeled(label: &'static str, class: &'static str, mut block: Block) -> Block {
    block.label = label;
    block.class = class;
    block
}

/// A log line under an execution, nested by its parent log.
#[derive(Debug, Serialize)]
pub struct LogView<'a> {
    pub id: &'a str,
    pub depth: usize,
    pub category: Option<&'a str>,
    pub content: &'a str,
    pub content_fence: String,
    pub flags: &'a [String],
}

/// A file to write beside the page: the full text of a cut block.
pub enum ExtraFile {
    Bytes(String, Vec<u8>),
    /// A value too large to load: copied from the database when written.
    FromDb(String, &'static str, i64),
}

/// Files to write beside the page.
pub type Extra = Vec<ExtraFile>;

/// Inputs shared by all executions of a page.
pub struct ExecContext<'p> {
    pub limits: Limits,
    pub max_nesting: usize,
    /// Folder for full texts, relative to the site root (`sessions/<stem>`).
    pub files_dir: &'p str,
    /// The same folder relative to the page, with a trailing `/` (or empty).
    pub files_url: &'p str,
    pub entry_anchors: &'p HashMap<&'p str, String>,
    /// The part page (1-based) each execution is on, by index, and this page's part.
    pub part_of: &'p [usize],
    pub part: usize,
}

/// The parent of an execution shown on another part page than its parent.
#[derive(Debug, Serialize)]
pub struct UnderLink {
    pub part: usize,
    pub anchor: String,
    pub title: String,
}

/// The first line of the code, or the identity, shortened: what a collapsed row shows.
pub fn title(e: &ExecRow) -> String {
    let base = e
        .identity
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .or(e.code.as_deref())
        .unwrap_or("(no code)");
    let line = base
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(100).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Duration in milliseconds from the elaboration when it records one (`duration_ms`,
/// `elapsed_ms`, `duration` in seconds, or start/finish times).
pub fn duration_ms(e: &ExecRow) -> Option<i64> {
    *e.duration
        .get_or_init(|| duration_of(&parse_json(e.elaboration.as_deref())?))
}

/// A JSON column's value, when it is JSON.
fn parse_json(s: Option<&str>) -> Option<serde_json::Value> {
    serde_json::from_str(s?).ok()
}

/// Duration in milliseconds from a parsed elaboration.
fn duration_of(v: &serde_json::Value) -> Option<i64> {
    let o = v.as_object()?;
    for k in ["duration_ms", "elapsed_ms", "durationMs", "elapsedMs"] {
        if let Some(ms) = o.get(k).and_then(serde_json::Value::as_f64) {
            return Some(ms as i64);
        }
    }
    for k in ["duration", "elapsed", "duration_s", "elapsed_s"] {
        if let Some(s) = o.get(k).and_then(serde_json::Value::as_f64) {
            return Some((s * 1000.0) as i64);
        }
    }
    let t = |k: &str| {
        o.get(k)
            .and_then(|v| v.as_str())
            .and_then(|s| crate::model::time::Timestamp::from_text(s).epoch_ms)
    };
    let start = t("started_at").or_else(|| t("start"))?;
    let end = t("finished_at").or_else(|| t("end"))?;
    Some(end - start)
}

/// Views of every execution in tree order, and the files their cut blocks need.
/// Logs of each execution, nested (see [`nest_logs`]).
pub type LogsByExec = HashMap<usize, Vec<(usize, usize)>>;

/// Views of the executions at positions `range` of the tree order (one page's part),
/// and the files their cut blocks need. Blocks opened in the part are closed in it.
pub fn views<'a>(
    execs: &'a [ExecRow],
    tree: &Tree,
    anchors: &[String],
    logs: &'a [LogRow],
    logs_by_exec: &LogsByExec,
    range: std::ops::Range<usize>,
    cx: &ExecContext<'_>,
) -> (Vec<ExecView<'a>>, Extra) {
    let mut out = Vec::with_capacity(range.len());
    let mut extra = Vec::new();
    let end = range.end;
    // open containers on the page: their node's true depth
    let mut containers: Vec<usize> = Vec::new();
    // the language hint of each nature met on the page (a session has a few)
    let mut hints: Vec<(Option<&str>, highlight::NatureHint)> = Vec::new();
    for k in range {
        let (i, depth) = tree.order[k];
        let e = &execs[i];
        let next_depth = (k + 1 < end).then(|| tree.order[k + 1].1);
        let level = depth.min(cx.max_nesting);
        let has_children = !tree.children[i].is_empty();
        let opens = has_children && depth < cx.max_nesting;
        if opens {
            containers.push(depth);
        }
        // close the containers of nodes whose subtrees end here
        let mut closes = 0;
        let nd = next_depth.unwrap_or(0);
        while let Some(&d) = containers.last() {
            if next_depth.is_none() || nd <= d {
                containers.pop();
                closes += 1;
            } else {
                break;
            }
        }
        let anchor = anchors[i].clone();
        let file = |what: &str| -> (String, String) {
            let name = format!("{}.{what}.txt", anchor.trim_start_matches("exec-"));
            (
                format!("{}/{name}", cx.files_dir),
                format!("{}{name}", cx.files_url),
            )
        };
        let code = e.code.as_deref().unwrap_or("");
        let nature = e.nature.as_deref();
        let hint = match hints.iter().find(|(n, _)| *n == nature) {
            Some(&(_, h)) => h,
            None => {
                let h = highlight::NatureHint::of(nature);
                hints.push((nature, h));
                h
            }
        };
        let lang = hint.detect(code);
        let (code_html, code_shown) = if code.len() > cx.limits.max_bytes * 4
            || e.big(BigField::Code).is_some()
        {
            // a huge script: highlight the start only, the whole text is in a file
            let (path, _) = file("code");
            match e.big(BigField::Code) {
                Some(b) => extra.push(ExtraFile::FromDb(path, BigField::Code.column(), b.rowid)),
                None => extra.push(ExtraFile::Bytes(path, code.as_bytes().to_vec())),
            }
            let cut = &code[..floor_boundary(code, cx.limits.max_bytes)];
            (crate::render::escape::html(cut), cut)
        } else {
            (highlight::to_html(code, lang), code)
        };
        let mut mk =
            |field: BigField, raw: Option<&str>, kind: &'static str, what: &str| -> Option<Block> {
                if let Some(big) = e.big(field) {
                    let (path, url) = file(what);
                    extra.push(ExtraFile::FromDb(path, field.column(), big.rowid));
                    return Some(text::block_big(big, kind, &cx.limits, &url));
                }
                let raw = raw.filter(|s| !s.is_empty())?;
                if !text::is_long(raw, &cx.limits) {
                    return Some(text::block(raw, kind, &cx.limits, "", &anchor));
                }
                let (path, url) = file(what);
                let b = text::block(raw, kind, &cx.limits, &url, &anchor);
                if b.cut.is_some() {
                    extra.push(ExtraFile::Bytes(path, raw.as_bytes().to_vec()));
                }
                Some(b)
            };
        let output_kind = e
            .output
            .as_deref()
            .map(|o| text::output_kind(o, e.output_nature.as_deref()))
            .unwrap_or("text");
        let error_kind = if e
            .error
            .as_deref()
            .is_some_and(crate::render::ansi::has_escapes)
        {
            "ansi"
        } else {
            "text"
        };
        // The blocks in page order: error (prominent), code, input, output.
        let mut blocks = Vec::with_capacity(4);
        if let Some(b) = mk(BigField::Error, e.error.as_deref(), error_kind, "error") {
            blocks.push(labeled("Error", "error-block", b));
        }
        blocks.push(labeled(
            "Code",
            "",
            Block {
                label: "Code",
                class: "",
                kind: "code",
                html: code_html,
                tail_html: String::new(),
                text: code_shown.to_string(),
                markdown: None,
                tail_text: String::new(),
                fence: crate::render::markdown_escape::fence_for(code_shown),
                lang: lang.name(),
                note: super::text::note("code", lang.name()),
                cut: None,
            },
        ));
        if let Some(b) = mk(BigField::Input, e.input.as_deref(), "text", "input") {
            blocks.push(labeled("Input", "", b));
        }
        if let Some(b) = mk(BigField::Output, e.output.as_deref(), output_kind, "output") {
            blocks.push(labeled("Output", "", b));
        }
        let elaboration = parse_json(e.elaboration.as_deref());
        let duration = *e
            .duration
            .get_or_init(|| elaboration.as_ref().and_then(duration_of));
        out.push(ExecView {
            anchor: anchor.clone(),
            id: &e.id,
            depth,
            level,
            opens,
            under: tree.parent[i]
                .filter(|&q| cx.part_of.get(q).is_some_and(|&n| n != cx.part))
                .map(|q| UnderLink {
                    part: cx.part_of[q],
                    anchor: anchors[q].clone(),
                    title: title(&execs[q]),
                }),
            closes,
            open: tree.failed_below[i],
            children: tree.children[i].len(),
            descendants: tree.size[i] - 1,
            status: e.status.as_str(),
            status_raw: e.status_raw.display(),
            title: title(e),
            nature: e.nature.as_deref(),
            namespace: e.namespace.as_deref(),
            identity: e.identity.as_deref(),
            duration: duration.map(format_duration),
            lang: lang.name(),
            blocks,
            narrative_html: e
                .narrative_md
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|m| crate::render::markdown::to_html(m, 2, &anchor)),
            narrative_md: e
                .narrative_md
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|m| crate::render::markdown::to_safe_markdown(m, 2, &anchor)),
            output_nature: e.output_nature.as_deref().map(pretty_or_raw),
            elaboration: e.elaboration.as_deref().map(|raw| match &elaboration {
                Some(v) => serde_json::to_string_pretty(v).unwrap_or_else(|_| raw.to_string()),
                None => raw.to_string(),
            }),
            entry_anchor: e
                .entry_id
                .as_deref()
                .and_then(|id| cx.entry_anchors.get(id).cloned()),
            entry_id: e.entry_id.as_deref(),
            problem: tree.problems[i].as_ref().map(|p| p.describe()),
            flags: &e.flags,
            logs: logs_by_exec
                .get(&i)
                .map(|v| {
                    v.iter()
                        .map(|&(l, depth)| LogView {
                            id: &logs[l].id,
                            depth,
                            category: logs[l].category.as_deref(),
                            content: logs[l].content.as_deref().unwrap_or(""),
                            content_fence: crate::render::markdown_escape::fence_for(
                                logs[l].content.as_deref().unwrap_or(""),
                            ),
                            flags: &logs[l].flags,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    (out, extra)
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn pretty_or_raw(s: &str) -> String {
    text::pretty_json(s).unwrap_or_else(|| s.to_string())
}

/// Logs of each execution (by index), nested: (log index, depth) in display order.
/// Siblings are ordered by `sibling_order`, then recording order. Logs in a cycle
/// of parents are placed under the execution they were attached to, at depth 0.
pub fn nest_logs(execs: &[ExecRow], logs: &[LogRow]) -> LogsByExec {
    let exec_ix: HashMap<&str, usize> = execs
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i))
        .collect();
    let log_ix: HashMap<&str, usize> = logs
        .iter()
        .enumerate()
        .map(|(i, l)| (l.id.as_str(), i))
        .collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::default();
    let mut roots: HashMap<usize, Vec<usize>> = HashMap::default();
    let mut placed = vec![false; logs.len()];
    for (i, l) in logs.iter().enumerate() {
        let p = l.parent_id.as_deref().unwrap_or("");
        if let Some(&e) = exec_ix.get(p) {
            roots.entry(e).or_default().push(i);
        } else if let Some(&pl) = log_ix.get(p).filter(|&&pl| pl != i) {
            children.entry(pl).or_default().push(i);
        }
    }
    let key = |&i: &usize| (logs[i].sibling_order.unwrap_or(i64::MAX), logs[i].rowid);
    for v in children.values_mut().chain(roots.values_mut()) {
        v.sort_by_key(key);
    }
    let mut out: HashMap<usize, Vec<(usize, usize)>> = HashMap::default();
    let mut root_list: Vec<(&usize, &Vec<usize>)> = roots.iter().collect();
    root_list.sort();
    for (&e, rs) in root_list {
        let list = out.entry(e).or_default();
        let mut stack: Vec<(usize, usize)> = rs.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((l, d)) = stack.pop() {
            if placed[l] {
                continue;
            }
            placed[l] = true;
            list.push((l, d));
            if let Some(cs) = children.get(&l) {
                for &c in cs.iter().rev() {
                    stack.push((c, d + 1));
                }
            }
        }
    }
    // Logs attached to the session but in a parent cycle: under the first execution.
    if !execs.is_empty() {
        for (i, p) in placed.iter().enumerate() {
            if !p {
                out.entry(0).or_default().push((i, 0));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tree::tests::exec;

    #[test]
    fn templates_read_the_same_fields_as_the_serialised_views() {
        let mut execs = vec![
            exec("root", None, false),
            exec("child", Some("root"), true),
            exec("leaf", Some("child"), false),
        ];
        execs[0].code = Some("SELECT 1;".into());
        execs[0].nature = Some("shell-rusqlite".into());
        execs[0].output = Some("{\"rows\": 1}".into());
        execs[0].elaboration = Some("{\"duration_ms\": 1500}".into());
        execs[1].error = Some("\u{1b}[31mboom\u{1b}[0m\nat line 2".into());
        execs[1].identity = Some("step <2>".into());
        execs[1].flags = vec!["a flag".into()];
        execs[2].output = Some((0..300).map(|i| format!("line {i}\n")).collect());
        execs[2].narrative_md = Some("**done** `x`".into());
        let tree = crate::model::tree::build(&execs, &HashMap::default());
        let anchors: Vec<String> = execs.iter().map(|e| format!("exec-{}", e.id)).collect();
        let entry_anchors = HashMap::default();
        let part_of = vec![1, 1, 2];
        let cx = ExecContext {
            limits: Limits::default(),
            max_nesting: 2,
            files_dir: "sessions/s",
            files_url: "s/",
            entry_anchors: &entry_anchors,
            part_of: &part_of,
            part: 2,
        };
        let (views, _) = views(&execs, &tree, &anchors, &[], &HashMap::default(), 0..3, &cx);
        assert!(views[2].under.is_some() && views[2].blocks.iter().any(|b| b.cut.is_some()));
        for v in &views {
            let object = ExecObject::value(v);
            assert!(
                crate::render::object::same_as_serialised(&object, v),
                "{}",
                v.id
            );
            for b in &v.blocks {
                let o = super::super::text::BlockObject::value(b);
                assert!(crate::render::object::same_as_serialised(&o, b));
            }
        }
        // and a template finds them
        let env = minijinja::Environment::new();
        let out = env
            .render_str(
                "{{ n.id }} {{ n.duration }} {{ n.blocks | length }} {{ n.blocks[0].kind }} {{ n.nope is undefined }}",
                minijinja::context! { n => ExecObject::value(&views[0]) },
            )
            .unwrap();
        assert_eq!(out, "root 1.5 s 2 code True");
    }
}
