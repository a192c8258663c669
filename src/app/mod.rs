//! Commands that tie the stages together: the `ci` command, and the pieces `build`
//! shares with it.

pub mod build;
pub mod ci;
pub mod manifest;
pub mod pages;
pub mod search;
pub mod sessions;
pub mod settings;
pub mod warnings;

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::build::ci::Selection;
use crate::build::ci::report::{Database, Generator, Header, SCHEMA_VERSION, SelectionOut};
use crate::build::sessions::{self as sp, Totals};
use crate::build::text::Limits;
use crate::cli::{CiArgs, CiOptions};
use crate::model::session::SessionSummary;

/// What the JSON report's header says, owned.
pub struct ReportHeader {
    file: String,
    size: u64,
    sqlite_version: String,
    ids: Vec<String>,
    natures: Vec<String>,
    latest: bool,
    since_ms: Option<i64>,
    all: bool,
    totals: Totals,
}

impl ReportHeader {
    pub fn header(&self) -> Header<'_> {
        Header {
            schema_version: SCHEMA_VERSION,
            generator: Generator {
                name: "osx-report",
                version: env!("CARGO_PKG_VERSION"),
            },
            database: Database {
                file: &self.file,
                size_bytes: self.size,
                sqlite_version: &self.sqlite_version,
            },
            selection: SelectionOut {
                all: self.all,
                session_ids: &self.ids,
                latest: self.latest,
                since_epoch_ms: self.since_ms,
                natures: &self.natures,
            },
            totals: &self.totals,
        }
    }
}

/// The header of the JSON report for the selected sessions.
pub fn report_header(
    file: &str,
    size: u64,
    sqlite_version: &str,
    o: &CiOptions,
    selection: &Selection,
    selected: &[&SessionSummary],
) -> ReportHeader {
    let owned: Vec<SessionSummary> = selected.iter().map(|s| (*s).clone()).collect();
    ReportHeader {
        file: file.to_string(),
        size,
        sqlite_version: sqlite_version.to_string(),
        ids: o.sessions.clone(),
        natures: o.natures.clone(),
        latest: o.latest,
        since_ms: selection.since_ms,
        all: selection.is_all(),
        totals: sp::totals(&owned),
    }
}

fn create(path: &Path) -> Result<Box<dyn Write + Send>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdout()));
    }
    // `--junit rssd.db` would truncate the database this command reads
    crate::output::refuse_input(path)?;
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let f = std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
    Ok(Box::new(std::io::BufWriter::new(f)))
}

/// The `ci` command: only the CI files, or the summary on stdout. Returns the failing
/// `--fail-on` conditions.
pub fn run_ci(args: &CiArgs) -> Result<Vec<String>> {
    let config = settings::load_config(args.config.as_deref())?;
    let selection = ci::selection(&args.ci)?;
    let fail_on = ci::fail_on(&args.ci.fail_on)?;
    let conn = crate::read::open_read_only(&args.db)?;
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .context("asking SQLite for its version")?;
    let abandon_ms = (config.sessions.abandon_after_hours * 3_600_000.0) as i64;
    // a second connection reads half of the executions meanwhile
    let mut helper = crate::read::open_read_only(&args.db)?;
    let index = crate::read::sessions::SessionIndex::read_with(
        &conn,
        Some(&mut helper),
        &config.status,
        abandon_ms,
    )
    .with_context(|| {
        format!(
            "reading the orchestration sessions of {}",
            args.db.display()
        )
    })?;
    if !args.quiet {
        for w in index.warnings.iter().take(50) {
            eprintln!("osx-report: warning: {w}");
        }
    }
    let summaries = &index.summaries;
    let order = sp::newest_first(summaries);
    let stems = sp::stems(summaries);
    let chosen = selection.apply(summaries, &order)?;
    let selected: Vec<&SessionSummary> = chosen.iter().map(|&i| &summaries[i]).collect();
    let file = args
        .db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let size = std::fs::metadata(&args.db).map(|m| m.len()).unwrap_or(0);
    let header = report_header(&file, size, &version, &args.ci, &selection, &selected);
    let title = config
        .title
        .clone()
        .unwrap_or_else(|| format!("osx-report: {file}"));
    let env = crate::render::templates::environment(None)?;
    let limits = Limits {
        max_lines: config.sessions.max_lines,
        max_bytes: config.sessions.max_bytes,
        head_lines: config.sessions.head_lines,
        tail_lines: config.sessions.tail_lines,
    };
    let dir = sp::SessionOptions::default().dir;
    let report_header = header.header();
    let mut sink = ci::CiSink::new(
        &env,
        &title,
        &selected,
        args.junit.as_deref().map(create).transpose()?,
        match &args.json {
            Some(p) => Some((create(p)?, &report_header)),
            None => None,
        },
    )?;
    let page_execs = config.sessions.page_execs.max(1);
    sink.set_page_execs(page_execs);
    let render = sink.renderer(limits, &dir);
    let db = args.db.display().to_string();
    sessions::for_each(
        &conn,
        &index,
        &db,
        &chosen,
        || Ok(()),
        |l| {
            // as `build` does for a session of more than one part page
            if l.session.execs.len() > page_execs {
                return Ok(render.streamed(l.k));
            }
            render.piece(
                l.k,
                &l.session,
                &l.tree,
                &stems[&summaries[l.i].id],
                &l.anchors,
            )
        },
        |l, piece| {
            sink.append(
                &render,
                &l.session,
                &l.tree,
                &stems[&summaries[l.i].id],
                &l.anchors,
                piece,
            )
        },
    )?;
    let (summary, failing) = sink.finish(
        &fail_on,
        &crate::build::ci::summary::SummaryOptions {
            title: &title,
            site_url: args.ci.site_url.as_deref(),
            budget: args.ci.summary_budget,
            failing: &[],
            sessions_dir: &dir,
        },
    )?;
    let to_stdout = args.summary.is_none() && args.junit.is_none() && args.json.is_none();
    match &args.summary {
        Some(p) => {
            let mut w = create(p)?;
            w.write_all(summary.as_bytes())?;
            w.flush()?;
        }
        None if to_stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(summary.as_bytes())?;
            out.flush()?;
        }
        None => {}
    }
    Ok(failing)
}

/// For executions whose parent is not in their session: the session holding it, if any.
pub fn foreign_parents(
    index: &crate::read::sessions::SessionIndex,
    conn: &rusqlite::Connection,
    session: &crate::model::session::Session,
) -> crate::hash::HashMap<String, String> {
    let local: crate::hash::HashSet<&str> = session.execs.iter().map(|e| e.id.as_str()).collect();
    let missing: Vec<&str> = session
        .execs
        .iter()
        .filter_map(|e| e.parent_id.as_deref())
        .filter(|p| !p.is_empty() && !local.contains(p))
        .collect();
    index.foreign_parents(conn, &missing)
}
