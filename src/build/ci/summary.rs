//! The job summary (`$GITHUB_STEP_SUMMARY`, Buildkite annotations, GitLab): a status
//! line, counts, failed executions with their error and a short output excerpt, issues
//! by type, a link to the full site. GitHub drops a summary over 1 MiB entirely, so it
//! is built within a byte budget: sections degrade — shorter excerpts, fewer excerpts,
//! no excerpts, then fewer rows — instead of being cut mid-way, and the last line always
//! says what was left out and where to find it.

use anyhow::Result;
use serde::Serialize;

use super::{FailedExec, Stats};
use crate::build::sessions::{Totals, totals};

/// A session row of the summary.
#[derive(Serialize)]
pub struct SessionLine<'a> {
    pub id: &'a str,
    pub url: Option<String>,
    pub nature: &'a str,
    pub final_state: &'static str,
    pub exec_ok: u64,
    pub exec_failed: u64,
    pub issues: u64,
}

/// A failed execution row, with its excerpts cut to the level's length.
#[derive(Serialize)]
pub struct FailedLine<'a> {
    pub session_id: &'a str,
    pub url: Option<String>,
    pub title: &'a str,
    pub nature: &'a str,
    pub status_raw: &'a str,
    pub error: String,
    pub output_tail: String,
    pub error_fence: String,
    pub output_fence: String,
}

/// An issue type with its count and some of the sessions that have it.
#[derive(Serialize)]
pub struct IssueLine<'a> {
    pub issue_type: &'a str,
    pub count: u64,
    pub sessions: Vec<&'a str>,
}

/// Context of `md/ci/summary.md`.
#[derive(Serialize)]
pub struct SummaryPage<'a> {
    pub ok: bool,
    pub title: &'a str,
    pub failing: &'a [String],
    pub totals: Totals,
    pub sessions: Vec<SessionLine<'a>>,
    pub failed: Vec<FailedLine<'a>>,
    pub issues: Vec<IssueLine<'a>>,
    pub site_url: Option<&'a str>,
    /// What was left out, in words; `None` when nothing was.
    pub left_out: Option<String>,
    /// Where the full data is.
    pub full_report: String,
}

/// How much detail a rendering keeps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Level {
    excerpt_chars: usize,
    excerpts: usize,
    failed_rows: usize,
    session_rows: usize,
}

fn cut(s: &str, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn cut_tail(s: &str, n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    let count = s.chars().count();
    if count <= n {
        return s.to_string();
    }
    let i = s.char_indices().nth(count - n).map_or(0, |(i, _)| i);
    format!("…{}", &s[i..])
}

/// The levels tried in turn, from the most detail to the least.
fn levels(failed: usize, sessions: usize) -> Vec<Level> {
    let mut v = Vec::new();
    for (chars, excerpts) in [(2000, 200), (600, 100), (200, 50), (120, 10), (0, 0)] {
        v.push(Level {
            excerpt_chars: chars,
            excerpts,
            failed_rows: failed.min(2000),
            session_rows: sessions.min(1000),
        });
    }
    let (mut f, mut s) = (failed.min(2000), sessions.min(1000));
    while f > 0 || s > 10 {
        f /= 2;
        s = if s > 10 { s / 2 } else { s };
        v.push(Level {
            excerpt_chars: 0,
            excerpts: 0,
            failed_rows: f,
            session_rows: s,
        });
    }
    v
}

/// Inputs of the summary besides the statistics.
pub struct SummaryOptions<'a> {
    pub title: &'a str,
    pub site_url: Option<&'a str>,
    pub budget: usize,
    pub failing: &'a [String],
    pub sessions_dir: &'a str,
}

fn url(site: Option<&str>, dir: &str, stem: &str, at: Option<(usize, &str)>) -> Option<String> {
    let base = site?.trim_end_matches('/');
    Some(match at {
        Some((part, a)) => format!(
            "{base}/{}#{a}",
            crate::build::sessions::part_path(dir, stem, part, "html")
        ),
        None => format!("{base}/{dir}/{stem}.html"),
    })
}

/// Renders the summary with `render`, degrading until it fits `budget` bytes.
pub fn build(
    stats: &Stats,
    opts: &SummaryOptions<'_>,
    render: impl Fn(&SummaryPage<'_>) -> Result<String>,
) -> Result<String> {
    let full_report = match opts.site_url {
        Some(u) => format!("{}/ci/report.json", u.trim_end_matches('/')),
        None => "ci/report.json in the published site".to_string(),
    };
    let mut last = String::new();
    for level in levels(stats.failed.len(), stats.sessions.len()) {
        let page = page(stats, opts, level, &full_report);
        // Excerpts dominate the size: skip levels that cannot fit without rendering.
        let estimate: usize = page
            .failed
            .iter()
            .map(|f| f.error.len() + f.output_tail.len() + 160)
            .sum::<usize>()
            + page.sessions.len() * 120;
        if estimate > opts.budget * 2 {
            continue;
        }
        let text = render(&page)?;
        if text.len() <= opts.budget {
            return Ok(text);
        }
        last = text;
    }
    // Even the barest summary is over budget (a tiny budget): cut at a line end and say so.
    let note = format!(
        "\n\n*Summary cut to the budget of {} bytes. Full report: {full_report}*\n",
        opts.budget
    );
    let keep = opts.budget.saturating_sub(note.len());
    let mut end = keep.min(last.len());
    while !last.is_char_boundary(end) {
        end -= 1;
    }
    let end = last[..end].rfind('\n').unwrap_or(0);
    Ok(format!("{}{note}", &last[..end]))
}

fn page<'a>(
    stats: &'a Stats,
    opts: &SummaryOptions<'a>,
    l: Level,
    full_report: &str,
) -> SummaryPage<'a> {
    let fence = crate::render::markdown_escape::fence_for;
    let failed: Vec<FailedLine<'_>> = stats
        .failed
        .iter()
        .take(l.failed_rows)
        .enumerate()
        .map(|(k, f): (usize, &FailedExec)| {
            let n = if k < l.excerpts { l.excerpt_chars } else { 0 };
            let error = cut(&f.error, n);
            let output_tail = cut_tail(&f.output_tail, n / 2);
            FailedLine {
                session_id: &f.session_id,
                url: url(
                    opts.site_url,
                    opts.sessions_dir,
                    &f.session_stem,
                    Some((f.part, &f.anchor)),
                ),
                title: &f.title,
                nature: &f.nature,
                status_raw: &f.status_raw,
                error_fence: fence(&error),
                output_fence: fence(&output_tail),
                error,
                output_tail,
            }
        })
        .collect();
    let sessions: Vec<SessionLine<'_>> = stats
        .sessions
        .iter()
        .zip(&stats.stems)
        .take(l.session_rows)
        .map(|(s, stem)| SessionLine {
            id: &s.id,
            url: url(opts.site_url, opts.sessions_dir, stem, None),
            nature: &s.nature,
            final_state: s.final_state.as_str(),
            exec_ok: s.exec_ok,
            exec_failed: s.exec_failed,
            issues: s.issues,
        })
        .collect();
    let mut left = Vec::new();
    let failed_total = stats.failed_total as usize;
    if failed.len() < failed_total {
        left.push(format!(
            "{} of {} failed executions",
            failed_total - failed.len(),
            failed_total
        ));
    }
    let with_excerpts = failed
        .iter()
        .filter(|f| !f.error.is_empty() || !f.output_tail.is_empty())
        .count();
    let could_have = stats
        .failed
        .iter()
        .take(failed.len())
        .filter(|f| !f.error.is_empty() || !f.output_tail.is_empty())
        .count();
    if with_excerpts < could_have {
        left.push(format!(
            "the excerpts of {} failed executions",
            could_have - with_excerpts
        ));
    } else if failed
        .iter()
        .zip(&stats.failed)
        .any(|(l, f)| l.error.chars().count() < f.error.chars().count())
    {
        left.push("the end of long error texts".to_string());
    }
    if sessions.len() < stats.sessions.len() {
        left.push(format!(
            "{} of {} sessions",
            stats.sessions.len() - sessions.len(),
            stats.sessions.len()
        ));
    }
    SummaryPage {
        ok: opts.failing.is_empty(),
        title: opts.title,
        failing: opts.failing,
        totals: totals(&stats.sessions),
        sessions,
        failed,
        issues: stats
            .issue_types
            .iter()
            .map(|(t, (n, ss))| IssueLine {
                issue_type: t,
                count: *n,
                sessions: ss.iter().map(String::as_str).collect(),
            })
            .collect(),
        site_url: opts.site_url,
        left_out: (!left.is_empty()).then(|| left.join(", ")),
        full_report: full_report.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_shrink_to_nothing() {
        let v = levels(5000, 3000);
        assert_eq!(v[0].excerpt_chars, 2000);
        let last = v.last().unwrap();
        assert_eq!(last.failed_rows, 0);
        assert!(last.session_rows <= 10);
        assert!(v.windows(2).all(|w| w[1].failed_rows <= w[0].failed_rows));
    }

    #[test]
    fn cuts_are_marked() {
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut_tail("abcdef", 3), "…def");
        assert_eq!(cut("abc", 0), "");
    }
}
