//! The sessions index: all sessions newest first, paginated, totals on top, and the same
//! list filtered by nature, by final state and by both, as static pages
//! (`sessions/filter/<nature>/<state>.html`). Static pages work without JavaScript and
//! from `file://`; each session is listed on four lists (all, its nature, its state,
//! both), so the filtered pages cost about three times the main list, about 2 KB per
//! session, and nothing is loaded that the reader did not ask for. Only sessions with
//! a nature or state that exists get a page; the filter bar links to the others.

use crate::hash::HashMap;

use serde::Serialize;

use super::links::{relative, root_of};
use super::sessions::{SessionOptions, SessionRow, Totals, row, totals};
use super::{Page, slug};
use crate::model::session::SessionSummary;
use crate::model::status::FinalState;

/// The final states, in the order the filters list them.
pub const STATES: [FinalState; 5] = [
    FinalState::Completed,
    FinalState::Failed,
    FinalState::Finished,
    FinalState::Running,
    FinalState::Abandoned,
];

/// A link to another page of a paginated list; `number` 0 stands for pages left out
/// (`…`) between the first, the last and those near the current one.
#[derive(Serialize)]
pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub md_url: String,
    pub current: bool,
}

/// The pages a list links to from page `page` of `pages`: all when there are few, else
/// the first, the last, and three either side of the current one, with gaps (0).
pub fn page_numbers(page: usize, pages: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for n in 1..=pages {
        if pages <= 12 || n == 1 || n == pages || n.abs_diff(page) <= 3 {
            out.push(n);
        } else if out.last() != Some(&0) {
            out.push(0);
        }
    }
    out
}

/// One choice of a filter: its label, how many sessions it leaves, and its link (empty
/// when it is the current choice or leaves none).
#[derive(Serialize)]
pub struct Facet {
    pub label: String,
    pub count: usize,
    pub url: String,
    pub current: bool,
}

/// The filters shown above the list.
#[derive(Serialize)]
pub struct FilterBar {
    pub states: Vec<Facet>,
    pub natures: Vec<Facet>,
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
    /// Rows shown, 1-based: `first` to `last` of `totals.sessions`.
    pub first: usize,
    pub last: usize,
    /// Filters (HTML pages only).
    pub filters: Option<FilterBar>,
    /// What the list is filtered by (`failed · V&V`); empty for all sessions.
    pub filtered: String,
    /// The unfiltered list, from this page.
    pub all_url: String,
    pub path: String,
    pub root: String,
}

/// Sessions grouped by nature and final state.
pub struct Facets<'a> {
    /// Natures, most sessions first, with their file-name stems.
    pub natures: Vec<(&'a str, String)>,
    /// Session indices (in list order) of each (nature, state) choice; `None` is any.
    lists: HashMap<(Option<usize>, Option<FinalState>), Vec<usize>>,
}

impl<'a> Facets<'a> {
    pub fn new(summaries: &'a [SessionSummary], order: &[usize]) -> Facets<'a> {
        let mut count: HashMap<&str, usize> = HashMap::default();
        for s in summaries {
            *count.entry(s.nature.as_str()).or_default() += 1;
        }
        let mut names: Vec<&str> = count.keys().copied().collect();
        names.sort_by(|a, b| count[b].cmp(&count[a]).then(a.cmp(b)));
        let stems = slug::assign(names.iter().copied(), &["all"]);
        let natures: Vec<(&str, String)> = names.iter().map(|&n| (n, stems[n].clone())).collect();
        let nature_ix: HashMap<&str, usize> =
            names.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let mut lists: HashMap<(Option<usize>, Option<FinalState>), Vec<usize>> =
            HashMap::default();
        for &i in order {
            let s = &summaries[i];
            let n = nature_ix[s.nature.as_str()];
            for key in [
                (None, None),
                (Some(n), None),
                (None, Some(s.final_state)),
                (Some(n), Some(s.final_state)),
            ] {
                lists.entry(key).or_default().push(i);
            }
        }
        Facets { natures, lists }
    }

    fn count(&self, n: Option<usize>, s: Option<FinalState>) -> usize {
        self.lists.get(&(n, s)).map_or(0, Vec::len)
    }

    /// The first page of the list filtered by nature `n` and state `s`.
    pub fn file(&self, dir: &str, n: Option<usize>, s: Option<FinalState>, page: usize) -> String {
        list_file(dir, n.map(|n| self.natures[n].1.as_str()), s, page, "html")
    }

    fn bar(&self, dir: &str, n: Option<usize>, s: Option<FinalState>, from: &str) -> FilterBar {
        let facet = |label: String, nn: Option<usize>, ss: Option<FinalState>| {
            let count = self.count(nn, ss);
            let current = nn == n && ss == s;
            Facet {
                label,
                count,
                url: if current || count == 0 {
                    String::new()
                } else {
                    relative(from, &self.file(dir, nn, ss, 1))
                },
                current,
            }
        };
        let mut states = vec![facet("any state".into(), n, None)];
        for st in STATES {
            if self.count(None, Some(st)) > 0 {
                states.push(facet(st.as_str().into(), n, Some(st)));
            }
        }
        let mut natures = vec![facet("any nature".into(), None, s)];
        for (k, (name, _)) in self.natures.iter().enumerate() {
            natures.push(facet((*name).to_string(), Some(k), s));
        }
        FilterBar { states, natures }
    }
}

/// The file of page `page` of a list: `sessions/index.html` for all sessions,
/// `sessions/filter/<nature or all>/<state or index>.html` for filtered lists.
fn list_file(
    dir: &str,
    nature: Option<&str>,
    state: Option<FinalState>,
    page: usize,
    ext: &str,
) -> String {
    let suffix = |base: &str| {
        if page == 1 {
            format!("{base}.{ext}")
        } else if base == "index" && nature.is_none() {
            format!("page-{page}.{ext}")
        } else {
            format!("{base}-page-{page}.{ext}")
        }
    };
    let base = state.map_or("index", FinalState::as_str);
    match (nature, state) {
        (None, None) => format!("{dir}/{}", suffix("index")),
        _ => format!("{dir}/filter/{}/{}", nature.unwrap_or("all"), suffix(base)),
    }
}

/// File stems in the sessions folder that session pages may not take: the index, its
/// pages (`page-2`...: `*` stands for digits), the unattached logs and the filter folder.
pub const RESERVED_STEMS: &[&str] = &["index", "page", "page-*", "unattached-logs", "filter"];

/// The sessions index pages (HTML and Markdown) and the filtered lists (HTML).
pub fn index_pages(
    summaries: &[SessionSummary],
    order: &[usize],
    stems: &HashMap<String, String>,
    all_totals: &Totals,
    has_table: bool,
    unattached_logs: usize,
    opts: &SessionOptions,
) -> Vec<Page> {
    let dir = &opts.dir;
    let facets = Facets::new(summaries, order);
    let mut out = Vec::new();
    let mut keys: Vec<(Option<usize>, Option<FinalState>)> = vec![(None, None)];
    for n in (0..facets.natures.len()).map(Some).chain([None]) {
        for s in STATES.iter().map(|&s| Some(s)).chain([None]) {
            if (n, s) != (None, None) && facets.count(n, s) > 0 {
                keys.push((n, s));
            }
        }
    }
    for (n, s) in keys {
        let list: &[usize] = facets.lists.get(&(n, s)).map_or(&[], Vec::as_slice);
        let owned;
        let totals = if (n, s) == (None, None) {
            all_totals
        } else {
            owned = totals(list.iter().map(|&i| &summaries[i]));
            &owned
        };
        let filtered = [
            s.map(|s| s.as_str().to_string()),
            n.map(|n| facets.natures[n].0.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
        let nature_stem = n.map(|n| facets.natures[n].1.as_str());
        let chunks: Vec<&[usize]> = if list.is_empty() {
            vec![&[]]
        } else {
            list.chunks(opts.page_size.max(1)).collect()
        };
        let exts: &[&str] = if (n, s) == (None, None) {
            &["html", "md"]
        } else {
            &["html"]
        };
        for (k, chunk) in chunks.iter().enumerate() {
            let page = k + 1;
            for &ext in exts {
                let path = list_file(dir, nature_stem, s, page, ext);
                let ctx = IndexPage {
                    has_table,
                    totals,
                    rows: chunk
                        .iter()
                        .map(|&i| row(&summaries[i], &path, dir, &stems[&summaries[i].id]))
                        .collect(),
                    page,
                    pages: if chunks.len() > 1 {
                        page_numbers(page, chunks.len())
                            .into_iter()
                            .map(|p| PageLink {
                                number: p,
                                url: if p == 0 {
                                    String::new()
                                } else {
                                    relative(&path, &list_file(dir, nature_stem, s, p, "html"))
                                },
                                md_url: if p == 0 {
                                    String::new()
                                } else {
                                    relative(&path, &list_file(dir, nature_stem, s, p, "md"))
                                },
                                current: p == page,
                            })
                            .collect()
                    } else {
                        Vec::new()
                    },
                    unattached_logs,
                    first: k * opts.page_size.max(1) + usize::from(!chunk.is_empty()),
                    last: k * opts.page_size.max(1) + chunk.len(),
                    filters: (ext == "html" && !summaries.is_empty())
                        .then(|| facets.bar(dir, n, s, &path)),
                    filtered: filtered.clone(),
                    all_url: relative(&path, &list_file(dir, None, None, 1, "html")),
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
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_files() {
        assert_eq!(
            list_file("sessions", None, None, 1, "md"),
            "sessions/index.md"
        );
        assert_eq!(
            list_file("sessions", None, None, 3, "html"),
            "sessions/page-3.html"
        );
        assert_eq!(
            list_file("sessions", Some("V-V"), None, 2, "html"),
            "sessions/filter/V-V/index-page-2.html"
        );
        assert_eq!(
            list_file("sessions", None, Some(FinalState::Failed), 1, "html"),
            "sessions/filter/all/failed.html"
        );
        assert_eq!(
            list_file("sessions", Some("x"), Some(FinalState::Running), 2, "html"),
            "sessions/filter/x/running-page-2.html"
        );
    }

    #[test]
    fn page_numbers_condense() {
        assert_eq!(page_numbers(2, 5), [1, 2, 3, 4, 5]);
        assert_eq!(page_numbers(1, 50), [1, 2, 3, 4, 0, 50]);
        assert_eq!(
            page_numbers(20, 50),
            [1, 0, 17, 18, 19, 20, 21, 22, 23, 0, 50]
        );
        assert_eq!(page_numbers(50, 50), [1, 0, 47, 48, 49, 50]);
    }

    fn summary(id: &str, nature: &str, state: FinalState) -> SessionSummary {
        SessionSummary {
            id: id.to_string(),
            rowid: 0,
            nature_id: None,
            nature: nature.into(),
            device_id: None,
            device: "d".into(),
            version: None,
            started_at: None,
            finished_at: None,
            duration_ms: None,
            final_state: state,
            final_state_raw: None,
            exec_total: 0,
            exec_ok: 0,
            exec_failed: 0,
            exec_unknown: 0,
            issues: 0,
            last_activity_ms: None,
            flags: Vec::new(),
        }
    }

    #[test]
    fn regression_session_pages_never_take_list_file_names() {
        let mut all: Vec<SessionSummary> = (0..450)
            .map(|i| summary(&format!("s{i}"), "n", FinalState::Completed))
            .collect();
        for id in ["page-2", "page-3", "filter", "index", "page-4"] {
            all.push(summary(id, "n", FinalState::Failed));
        }
        let stems = super::super::sessions::stems(&all);
        // every page-N is reserved, not only the three list pages of 450 sessions: a
        // session's file name does not change as sessions are added
        for taken in ["page-2", "page-3", "filter", "index", "page-4"] {
            assert_ne!(stems[taken], taken);
        }
    }

    #[test]
    fn filter_pages_hold_their_sessions_only() {
        let all = vec![
            summary("a", "V&V", FinalState::Failed),
            summary("b", "V&V", FinalState::Completed),
            summary("c", "ingest", FinalState::Failed),
        ];
        let order = vec![0, 1, 2];
        let stems = super::super::sessions::stems(&all);
        let pages = index_pages(
            &all,
            &order,
            &stems,
            &totals(&all),
            true,
            0,
            &SessionOptions::default(),
        );
        let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        let v = &Facets::new(&all, &order).natures[0].1;
        assert!(v.starts_with("V-V-"), "{v}");
        for want in [
            "sessions/index.html".to_string(),
            "sessions/index.md".to_string(),
            "sessions/filter/all/failed.html".to_string(),
            "sessions/filter/all/completed.html".to_string(),
            format!("sessions/filter/{v}/index.html"),
            format!("sessions/filter/{v}/failed.html"),
            "sessions/filter/ingest/failed.html".to_string(),
        ] {
            assert!(paths.contains(&want.as_str()), "{want} in {paths:?}");
        }
        // no page for a choice without sessions
        assert!(!paths.contains(&"sessions/filter/ingest/completed.html"));
        assert!(!paths.iter().any(|p| p.contains("running")));
        // all (html, md), V&V (any, failed, completed), ingest (any, failed), any (failed, completed)
        assert_eq!(paths.len(), 2 + 3 + 2 + 2);
    }

    #[test]
    fn reserved() {
        let stems = super::super::sessions::stems(&[
            summary("page-3", "n", FinalState::Completed),
            summary("filter", "n", FinalState::Completed),
            summary("page-x", "n", FinalState::Completed),
        ]);
        assert_ne!(stems["page-3"], "page-3");
        assert_ne!(stems["filter"], "filter");
        assert_eq!(stems["page-x"], "page-x");
    }
}
