//! The home page: the database at a glance, with links into both sections, and the
//! search page. Charts are plain geometry here (numbers, classes, titles); the SVG
//! markup is in the templates.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Page;
use super::links::relative;
use super::session_index::{Facets, STATES};
use super::sessions::{SessionRow, Totals};
use crate::model::session::SessionSummary;
use crate::model::status::FinalState;

/// Facts about the database file.
#[derive(Serialize)]
pub struct DbFacts {
    pub file: String,
    pub size: String,
    pub sqlite_version: String,
}

/// Counts of the schema.
#[derive(Serialize)]
pub struct SchemaFacts {
    pub tables: usize,
    pub relations: usize,
    pub index_md: String,
}

/// A part of a stacked bar, `x` and `w` in the bar's units (0..[`BAR_WIDTH`]).
#[derive(Serialize)]
pub struct Segment {
    pub label: String,
    /// CSS class suffix: `ok`, `fail`, `warn`, `running`, `unknown`.
    pub class: &'static str,
    pub count: u64,
    pub percent: String,
    pub x: f64,
    pub w: f64,
    /// Where the segment's items are listed (a filtered sessions list), or empty.
    pub url: String,
}

/// Width of a stacked bar in SVG units.
pub const BAR_WIDTH: f64 = 600.0;

/// A bar split by status: sessions by final state, executions ok / failed.
#[derive(Serialize)]
pub struct Bar {
    pub total: u64,
    pub segments: Vec<Segment>,
}

/// The narrowest a non-empty segment is drawn, so a single running session among
/// thousands still shows.
const MIN_SEGMENT: f64 = 4.0;

fn bar(parts: Vec<(String, &'static str, u64, String)>) -> Bar {
    let parts: Vec<_> = parts.into_iter().filter(|p| p.2 > 0).collect();
    let total: u64 = parts.iter().map(|p| p.2).sum();
    // widths in proportion, the small ones widened to MIN_SEGMENT at the others' expense
    let raw: Vec<f64> = parts
        .iter()
        .map(|p| BAR_WIDTH * p.2 as f64 / total.max(1) as f64)
        .collect();
    let small: f64 = raw.iter().filter(|&&w| w < MIN_SEGMENT).count() as f64 * MIN_SEGMENT;
    let big: f64 = raw.iter().filter(|&&w| w >= MIN_SEGMENT).sum();
    let scale = if big > 0.0 {
        (BAR_WIDTH - small) / big
    } else {
        1.0
    };
    let mut x = 0.0;
    let mut segments = Vec::new();
    for ((label, class, count, url), raw_w) in parts.into_iter().zip(raw) {
        let w = if raw_w < MIN_SEGMENT {
            MIN_SEGMENT
        } else {
            raw_w * scale
        };
        let pct = 100.0 * count as f64 / total.max(1) as f64;
        segments.push(Segment {
            label,
            class,
            count,
            percent: if pct < 1.0 && pct > 0.0 {
                "<1%".into()
            } else {
                format!("{pct:.0}%")
            },
            x: (x * 10.0_f64).round() / 10.0,
            w: (w * 10.0_f64).round() / 10.0,
            url,
        });
        x += w;
    }
    Bar { total, segments }
}

/// One day of the activity chart: a column of sessions stacked by outcome.
#[derive(Serialize)]
pub struct Day {
    pub date: String,
    pub x: f64,
    pub sessions: u64,
    pub failed: u64,
    /// Top and height of the failed part and of the rest, in SVG units.
    pub fail_y: f64,
    pub fail_h: f64,
    pub ok_y: f64,
    pub ok_h: f64,
}

/// Sessions started per day, over the days the data spans (two weeks to
/// [`ACTIVITY_DAYS`]) ending with the newest.
#[derive(Serialize)]
pub struct Activity {
    pub days: Vec<Day>,
    pub max: u64,
    pub width: f64,
    pub height: f64,
    pub column: f64,
    pub first: String,
    pub last: String,
}

pub const ACTIVITY_DAYS: i64 = 30;
const DAY_MS: i64 = 86_400_000;

fn activity(summaries: &[SessionSummary]) -> Option<Activity> {
    let mut per_day: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    for s in summaries {
        if let Some(ms) = s.started_at.as_ref().and_then(|t| t.epoch_ms) {
            let e = per_day.entry(ms.div_euclid(DAY_MS)).or_default();
            e.0 += 1;
            if s.final_state == FinalState::Failed {
                e.1 += 1;
            }
        }
    }
    let (&last, _) = per_day.last_key_value()?;
    if per_day.values().map(|v| v.0).sum::<u64>() < 2 {
        return None;
    }
    // the span of the data, at least two weeks, at most ACTIVITY_DAYS
    let (&oldest, _) = per_day.first_key_value()?;
    let span = (last - oldest + 1).clamp(14, ACTIVITY_DAYS);
    let first = last - span + 1;
    let max = per_day
        .range(first..)
        .map(|(_, v)| v.0)
        .max()
        .unwrap_or(1)
        .max(1);
    let (width, height) = (600.0, 120.0);
    let column = width / span as f64;
    let date = |d: i64| crate::model::time::format_utc(d * DAY_MS)[..10].to_string();
    let days = (first..=last)
        .enumerate()
        .map(|(k, d)| {
            let (n, f) = per_day.get(&d).copied().unwrap_or((0, 0));
            let scale = |v: u64| (height * v as f64 / max as f64 * 10.0).round() / 10.0;
            let (fail_h, ok_h) = (scale(f), scale(n) - scale(f));
            Day {
                date: date(d),
                x: (k as f64 * column * 10.0).round() / 10.0,
                sessions: n,
                failed: f,
                fail_y: height - fail_h,
                fail_h,
                ok_y: height - fail_h - ok_h,
                ok_h,
            }
        })
        .collect();
    Some(Activity {
        days,
        max,
        width,
        height,
        column: (column * 10.0).round() / 10.0,
        first: date(first),
        last: date(last),
    })
}

/// Sessions of one nature.
#[derive(Serialize)]
pub struct NatureRow<'a> {
    pub nature: &'a str,
    pub sessions: usize,
    pub failed: usize,
    pub url: String,
    pub failed_url: String,
}

/// Context of `html/index.html` and `md/index.md`.
#[derive(Serialize)]
pub struct HomePage<'a> {
    pub db: &'a DbFacts,
    pub has_sessions: bool,
    pub totals: &'a Totals,
    pub latest: Vec<SessionRow<'a>>,
    pub schema: &'a SchemaFacts,
    /// surveilr versions recorded in the sessions.
    pub versions: Vec<&'a str>,
    pub sessions_bar: Bar,
    pub execs_bar: Bar,
    pub activity: Option<Activity>,
    pub natures: Vec<NatureRow<'a>>,
    pub issue_types: &'a [(String, u64)],
    pub path: String,
    pub root: String,
}

/// What the home page is built from.
pub struct Home<'a> {
    pub db: &'a DbFacts,
    pub summaries: &'a [SessionSummary],
    pub order: &'a [usize],
    pub totals: &'a Totals,
    pub issue_types: &'a [(String, u64)],
    pub schema: &'a SchemaFacts,
    pub sessions_dir: &'a str,
}

/// Bytes for people: `812 B`, `3.4 KiB`, `12.0 MiB`, `1.2 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    format!("{v:.1} {}", UNITS[u])
}

fn state_class(s: FinalState) -> &'static str {
    match s {
        FinalState::Completed => "ok",
        FinalState::Failed => "fail",
        FinalState::Running => "running",
        FinalState::Finished | FinalState::Abandoned => "warn",
    }
}

/// The HTML and Markdown home pages. `latest` rows are built per page by the caller
/// (their links are relative to the page).
pub fn pages<'a>(h: &Home<'a>, latest: impl Fn(&str) -> Vec<SessionRow<'a>>) -> Vec<Page> {
    let facets = Facets::new(h.summaries, h.order);
    let versions: BTreeSet<&str> = h
        .summaries
        .iter()
        .filter_map(|s| s.version.as_deref())
        .filter(|v| !v.trim().is_empty())
        .collect();
    let t = h.totals;
    [
        ("index.html", "html/index.html"),
        ("index.md", "md/index.md"),
    ]
    .into_iter()
    .map(|(path, template)| {
        let count = |s: FinalState| match s {
            FinalState::Completed => t.completed,
            FinalState::Failed => t.failed,
            FinalState::Finished => t.finished,
            FinalState::Running => t.running,
            FinalState::Abandoned => t.abandoned,
        } as u64;
        let sessions_bar = bar(STATES
            .iter()
            .map(|&s| {
                (
                    s.as_str().to_string(),
                    state_class(s),
                    count(s),
                    relative(path, &facets.file(h.sessions_dir, None, Some(s), 1)),
                )
            })
            .collect());
        let execs_bar = bar(vec![
            ("ok".into(), "ok", t.exec_ok, String::new()),
            ("failed".into(), "fail", t.exec_failed, String::new()),
            ("unknown".into(), "unknown", t.exec_unknown, String::new()),
        ]);
        let natures = facets
            .natures
            .iter()
            .enumerate()
            .map(|(k, (name, _))| {
                let failed = h
                    .summaries
                    .iter()
                    .filter(|s| s.nature == *name && s.final_state == FinalState::Failed)
                    .count();
                NatureRow {
                    nature: name,
                    sessions: h.summaries.iter().filter(|s| s.nature == *name).count(),
                    failed,
                    url: relative(path, &facets.file(h.sessions_dir, Some(k), None, 1)),
                    failed_url: if failed > 0 {
                        relative(
                            path,
                            &facets.file(h.sessions_dir, Some(k), Some(FinalState::Failed), 1),
                        )
                    } else {
                        String::new()
                    },
                }
            })
            .collect();
        let ctx = HomePage {
            db: h.db,
            has_sessions: !h.summaries.is_empty(),
            totals: h.totals,
            latest: latest(path),
            schema: h.schema,
            versions: versions.iter().copied().collect(),
            sessions_bar,
            execs_bar,
            activity: activity(h.summaries),
            natures,
            issue_types: h.issue_types,
            path: path.to_string(),
            root: String::new(),
        };
        Page::template(path, template, &ctx)
    })
    .collect()
}

/// Context of `html/search.html`.
#[derive(Serialize)]
pub struct SearchPage {
    pub path: String,
    pub root: String,
}

/// The search page.
pub fn search_page() -> Page {
    Page::template(
        "search.html",
        "html/search.html",
        &SearchPage {
            path: "search.html".into(),
            root: String::new(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes() {
        assert_eq!(super::human_bytes(812), "812 B");
        assert_eq!(super::human_bytes(3482), "3.4 KiB");
        assert_eq!(super::human_bytes(12 * 1024 * 1024), "12.0 MiB");
    }

    #[test]
    fn bars_add_up_and_skip_empty_parts() {
        let b = bar(vec![
            ("ok".into(), "ok", 3, String::new()),
            ("none".into(), "warn", 0, String::new()),
            ("failed".into(), "fail", 1, String::new()),
        ]);
        assert_eq!(b.total, 4);
        assert_eq!(b.segments.len(), 2);
        assert_eq!((b.segments[0].x, b.segments[0].w), (0.0, 450.0));
        assert_eq!((b.segments[1].x, b.segments[1].w), (450.0, 150.0));
        assert_eq!(b.segments[1].percent, "25%");
        // one in ten thousand still shows
        let b = bar(vec![
            ("ok".into(), "ok", 9999, String::new()),
            ("running".into(), "running", 1, String::new()),
        ]);
        assert_eq!(b.segments[1].w, MIN_SEGMENT);
        assert_eq!(b.segments[0].w + b.segments[1].w, BAR_WIDTH);
        assert_eq!(b.segments[1].percent, "<1%");
    }
}
