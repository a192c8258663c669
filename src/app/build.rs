//! The `build` command: read the database, build and render every page, write the CI
//! files, and swap the finished site in.

use crate::hash::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use minijinja::Environment;

use super::ci::{CiPiece, CiSink};
use super::manifest::{self, DbFingerprint, Manifest, SessionEntry};
use super::pages::{Content, File, render_pages, write_files, write_pages, write_pages_with};
use super::sessions;
use super::settings::{Settings, load_schema};
use super::warnings::Warnings;
use crate::build::sessions::{self as sp, Neighbours, SessionOptions};
use crate::build::{self, Page};
use crate::cli::BuildArgs;
use crate::model::session::SessionSummary;
use crate::{output, read, render};

/// Site-wide template globals.
fn environment(settings: &Settings, title: &str) -> Result<Environment<'static>> {
    let mut env = render::templates::environment(settings.templates.as_deref())?;
    env.add_global(
        "site",
        minijinja::context! { title => title, version => env!("CARGO_PKG_VERSION") },
    );
    Ok(env)
}

/// What one session contributes: its files (or the previous site's, kept), its CI
/// piece, its warnings, its fingerprint.
struct SessionOut {
    files: Vec<File>,
    /// Files of a long session already written, a part at a time, while it was built.
    written: Vec<String>,
    /// Unchanged since the previous build: keep these files of the previous site.
    keep: Vec<String>,
    ci: Option<CiPiece>,
    warnings: Vec<String>,
    fingerprint: u64,
    /// The session's searchable documents; `None` for a long session, whose documents
    /// are made at the commit and added to the index one at a time.
    search: Option<build::search::PageDocs>,
}

/// Where a session's search documents point: its page, and for an execution past the
/// first part of a long session, its part page.
struct SearchPlaces<'a> {
    url: String,
    url_stem: String,
    part_of: Vec<usize>,
    dir: &'a str,
}

impl<'a> SearchPlaces<'a> {
    fn new(
        l: &sessions::Loaded,
        parts: &[std::ops::Range<usize>],
        stem: &str,
        dir: &'a str,
    ) -> Self {
        let url_stem = build::links::encode_segment(stem);
        SearchPlaces {
            url: sp::part_path(dir, &url_stem, 1, "html"),
            part_of: sp::part_of(&l.tree, parts),
            url_stem,
            dir,
        }
    }

    fn exec_page(&self, i: usize) -> Option<String> {
        (self.part_of[i] > 1)
            .then(|| sp::part_path(self.dir, &self.url_stem, self.part_of[i], "html"))
    }
}

/// The staging folder, shared by the commit and the long sessions that write their parts
/// as they are built.
fn lock(stage: &Mutex<output::Staging>) -> Result<std::sync::MutexGuard<'_, output::Staging>> {
    stage
        .lock()
        .map_err(|_| anyhow::anyhow!("a thread failed while writing the site"))
}

/// A progress bar on stderr for builds that take more than a moment: hidden when
/// stderr is not a terminal, with `--quiet`, and for small RSSDs.
fn progress_bar(quiet: bool, execs: u64, sessions: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let total = execs.max(sessions as u64);
    if quiet || total < 20_000 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} building {pos}/{len} executions [{bar:30}] {elapsed} (about {eta} left)",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// A fingerprint of everything besides the database that shapes the site.
fn settings_fingerprint(args: &BuildArgs, settings: &Settings) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = manifest::hasher();
    manifest::generator().hash(&mut h);
    toml::to_string(&settings.config)
        .unwrap_or_default()
        .hash(&mut h);
    if let Some(p) = args.tbls.as_ref().or(settings.config.schema.tbls.as_ref()) {
        std::fs::read(p).unwrap_or_default().hash(&mut h);
    }
    if let Some(t) = &settings.templates {
        manifest::hash_folder(&mut h, t);
    }
    format!("{:?}", args.ci).hash(&mut h);
    (args.dump_context, args.db.file_name()).hash(&mut h);
    h.finish()
}

/// Reads, builds, renders, swaps in. Returns a one-line summary and the `--fail-on`
/// conditions that hold.
pub fn build_site(args: &BuildArgs) -> Result<(String, Vec<String>)> {
    let started = Instant::now();
    let settings = Settings::resolve(args)?;
    let cfg = &settings.config;
    let db_name = args.db.display().to_string();
    let settings_fp = settings_fingerprint(args, &settings);
    let db_fp = DbFingerprint::of(&args.db);
    // Nothing changed since the previous build: nothing to read or write.
    if let Some(previous) = std::fs::read(settings.out.join(output::MARKER))
        .ok()
        .and_then(|b| Manifest::parse(&b))
        && previous.unchanged(settings_fp, &db_fp, &settings.out)
    {
        return Ok((
            format!(
                "osx-report: {} is up to date with {} ({} files, nothing rewritten) in {} ms",
                settings.out.display(),
                db_name,
                previous.files.len(),
                started.elapsed().as_millis()
            ),
            previous.failing,
        ));
    }
    let conn = read::open_read_only(&args.db)?;
    // Opened now, with the first: a file deleted during the build stays readable
    // through connections already open. Large values are copied through it while
    // files are written.
    let mut stream_conn = read::open_read_only(&args.db)?;
    let db_size = std::fs::metadata(&args.db).map(|m| m.len()).unwrap_or(0);
    let (schema, schema_warnings) = load_schema(&conn, &args.db, &settings)?;
    let mut warnings = Warnings::new(50, false);
    for w in &schema_warnings {
        warnings.warn(w);
    }
    let abandon_ms = (cfg.sessions.abandon_after_hours * 3_600_000.0) as i64;
    // the second connection reads half of the executions meanwhile
    let index = read::sessions::SessionIndex::read_with(
        &conn,
        Some(&mut stream_conn),
        &cfg.status,
        abandon_ms,
    )
    .with_context(|| format!("reading the orchestration sessions of {db_name}"))?;
    for w in &index.warnings {
        warnings.warn(w);
    }
    let file_name = args
        .db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = cfg
        .title
        .clone()
        .unwrap_or_else(|| format!("osx-report: {file_name}"));
    let env = environment(&settings, &title)?;
    let mut stage = output::Staging::new(&settings.out)?;
    let previous = stage
        .previous_manifest()
        .and_then(|b| Manifest::parse(&b))
        .filter(|m| m.generator == manifest::generator() && m.settings == settings_fp);
    let mut manifest = Manifest {
        note: "osx-report's record of this site: it replaces the folder as a whole on every build"
            .into(),
        generator: manifest::generator(),
        settings: settings_fp,
        database: db_fp,
        ..Manifest::default()
    };
    let dump = args.dump_context;

    // Schema docs.
    write_pages(
        &env,
        build::schema::pages(&schema, &settings.schema),
        &mut stage,
        dump,
    )?;
    // search: the index, schema documents first (site hook)
    let mut site_index = super::search::SiteIndex::new(
        &settings.out,
        index
            .summaries
            .iter()
            .map(|s| 1 + s.exec_total + s.issues)
            .sum::<u64>(),
    )?;
    for page in build::search::schema_docs(&schema, &settings.schema) {
        site_index.add(&mut stage, page)?;
    }

    // Sessions.
    let opts = SessionOptions {
        limits: build::text::Limits {
            max_lines: cfg.sessions.max_lines,
            max_bytes: cfg.sessions.max_bytes,
            head_lines: cfg.sessions.head_lines,
            tail_lines: cfg.sessions.tail_lines,
        },
        page_execs: cfg.sessions.page_execs.max(1),
        ..SessionOptions::default()
    };
    let summaries = &index.summaries;
    let order = sp::newest_first(summaries);
    let stems = sp::stems(summaries);
    let totals = sp::totals(summaries);
    let selection = super::ci::selection(&args.ci)?;
    let fail_on = super::ci::fail_on(&args.ci.fail_on)?;
    let chosen = selection.apply(summaries, &order)?;
    // position of each reported session among the reported ones (its JUnit suite id)
    let suite_of: HashMap<usize, usize> = chosen.iter().enumerate().map(|(n, &i)| (i, n)).collect();
    let selected: Vec<&SessionSummary> = chosen.iter().map(|&i| &summaries[i]).collect();
    let header = super::report_header(
        &file_name,
        db_size,
        &schema.database_version,
        &args.ci,
        &selection,
        &selected,
    );
    let report_header = header.header();
    let junit_out = stage.create("ci/junit.xml")?;
    let report_out = stage.create("ci/report.json")?;
    let mut sink = CiSink::new(
        &env,
        &title,
        &selected,
        Some(Box::new(junit_out)),
        Some((Box::new(report_out), &report_header)),
    )?;
    sink.set_page_execs(opts.page_execs);
    let ci_render = sink.renderer(opts.limits, &opts.dir);
    let progress = progress_bar(args.quiet, totals.exec_total, summaries.len());
    let neighbour = |j: Option<usize>| {
        j.and_then(|j| order.get(j))
            .map(|&x| (summaries[x].id.as_str(), stems[&summaries[x].id].as_str()))
    };
    let stage = Mutex::new(stage);
    // The index pages are made while the first sessions are read.
    let index_pages = || {
        let pages = sp::index_pages(
            summaries,
            &order,
            &stems,
            &totals,
            index.has_session_table(),
            index.unattached_logs.len(),
            &opts,
        );
        write_pages_with(&env, pages, dump, |files| {
            write_files(&mut *lock(&stage)?, files, None)
        })
    };
    sessions::for_each(
        &conn,
        &index,
        &db_name,
        &order,
        index_pages,
        |l| {
            let id = &summaries[l.i].id;
            let stem = &stems[id];
            let nb = Neighbours {
                prev: neighbour(l.k.checked_sub(1)),
                next: neighbour(Some(l.k + 1)),
            };
            let fingerprint =
                manifest::session_fingerprint(&l.session, (settings_fp, stem, nb.prev, nb.next));
            let parts = sp::parts(&l.tree, opts.page_execs);
            // A long session (more than one part page) writes each part as soon as it is
            // rendered, and its CI pieces and search documents are made at the commit,
            // streamed to the files and the index: neither its pages nor its JUnit suite,
            // its report entry or its search documents are ever in memory whole.
            let long = parts.len() > 1;
            // made after the pages, which work out what both show (durations) first
            let ci = || -> Result<_> {
                Ok(match suite_of.get(&l.i) {
                    Some(&n) if long => Some(ci_render.streamed(n)),
                    Some(&n) => Some(ci_render.piece(n, &l.session, &l.tree, stem, &l.anchors)?),
                    None => None,
                })
            };
            // Searchable documents of every session, kept or rendered: the index is
            // rebuilt whole.
            let search = (!long).then(|| {
                let at = SearchPlaces::new(l, &parts, stem, &opts.dir);
                build::search::session_docs(
                    &l.session,
                    at.url.clone(),
                    &l.anchors,
                    &sp::issue_anchors(&l.session),
                    |i| at.exec_page(i),
                )
            });
            // Unchanged since the previous build, with all its files still there: keep them.
            if let Some(entry) = previous.as_ref().and_then(|m| m.sessions.get(id))
                && entry.fingerprint == fingerprint
                && entry.files.iter().all(|f| settings.out.join(f).is_file())
            {
                return Ok(SessionOut {
                    files: Vec::new(),
                    written: Vec::new(),
                    keep: entry.files.clone(),
                    ci: ci()?,
                    warnings: sp::warnings(&l.session, &l.tree, &l.anchors),
                    fingerprint,
                    search,
                });
            }
            // Values too large to load wait for the commit, which holds the connection
            // they are copied through.
            let mut files = Vec::new();
            let mut written = Vec::new();
            let warnings = sp::session_pages(
                &l.session,
                &l.tree,
                stem,
                &l.anchors,
                &nb,
                &opts,
                &mut |pages| {
                    let rendered = render_pages(&env, pages, dump)?;
                    if !long {
                        files.extend(rendered);
                        return Ok(());
                    }
                    let mut stage = lock(&stage)?;
                    for (path, content) in rendered {
                        match content {
                            Content::Bytes(bytes) => {
                                stage.write(&path, &bytes)?;
                                written.push(path);
                            }
                            other => files.push((path, other)),
                        }
                    }
                    Ok(())
                },
            )?;
            Ok(SessionOut {
                files,
                written,
                keep: Vec::new(),
                ci: ci()?,
                warnings,
                fingerprint,
                search,
            })
        },
        {
            // The commit runs on another thread than the loading: it gets its own
            // connection (moved in) and borrows the rest.
            let opts = &opts;
            let (warnings, stage, sink, manifest, progress, stems, site_index, ci_render) = (
                &mut warnings,
                &stage,
                &mut sink,
                &mut manifest,
                &progress,
                &stems,
                &mut site_index,
                &ci_render,
            );
            move |l: &sessions::Loaded, out: SessionOut| {
                for w in &out.warnings {
                    warnings.warn(w);
                }
                let id = &summaries[l.i].id;
                let mut files: Vec<String> = out.written;
                files.extend(out.files.iter().map(|(p, _)| p.clone()));
                let mut stage = lock(stage)?;
                write_files(&mut stage, &out.files, Some(&stream_conn))?;
                for f in &out.keep {
                    if !stage.keep(f)? {
                        anyhow::bail!("the previous site lost {f} during the build");
                    }
                    files.push(f.clone());
                }
                manifest.sessions.insert(
                    id.clone(),
                    SessionEntry {
                        fingerprint: out.fingerprint,
                        files,
                    },
                );
                site_index.count_issues(l.session.issues.iter().map(|i| i.issue_type.as_deref()));
                match out.search {
                    Some(page) => site_index.add(&mut stage, page)?,
                    None => {
                        let parts = sp::parts(&l.tree, opts.page_execs);
                        let at = SearchPlaces::new(l, &parts, &stems[id], &opts.dir);
                        build::search::each_session_doc(
                            &l.session,
                            &l.anchors,
                            &sp::issue_anchors(&l.session),
                            |i| at.exec_page(i),
                            |doc| site_index.add_doc(&mut stage, &at.url, id, doc),
                        )?;
                    }
                }
                if let Some(piece) = out.ci {
                    sink.append(
                        ci_render, &l.session, &l.tree, &stems[id], &l.anchors, piece,
                    )?;
                }
                progress.inc(l.session.execs.len().max(1) as u64);
                Ok(())
            }
        },
    )?;
    progress.finish_and_clear();
    let mut stage = stage
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a thread failed while writing the site"))?;

    // CI files.
    let (summary_md, failing) = sink.finish(
        &fail_on,
        &build::ci::summary::SummaryOptions {
            title: &title,
            site_url: args.ci.site_url.as_deref(),
            budget: args.ci.summary_budget,
            failing: &[],
            sessions_dir: &opts.dir,
        },
    )?;
    stage.settle_created("ci/junit.xml")?;
    stage.settle_created("ci/report.json")?;
    stage.write("ci/summary.md", summary_md.as_bytes())?;
    stage.write(
        "ci/report-v1.schema.json",
        include_str!("../../schemas/report-v1.schema.json").as_bytes(),
    )?;

    // search: term shards and manifest, then the search page (site hook)
    let issue_types = site_index.issue_types();
    site_index.finish(&mut stage)?;
    write_pages(&env, vec![build::home::search_page()], &mut stage, dump)?;

    // Home page and assets.
    let db = build::home::DbFacts {
        file: file_name.clone(),
        size: build::home::human_bytes(db_size),
        sqlite_version: schema.database_version.clone(),
    };
    let schema_facts = build::home::SchemaFacts {
        tables: schema.tables.len(),
        relations: schema.relations.len(),
        index_md: settings.schema.index_md.clone(),
    };
    let latest = |from: &str| {
        order
            .iter()
            .take(10)
            .map(|&i| sp::row(&summaries[i], from, &opts.dir, &stems[&summaries[i].id]))
            .collect()
    };
    let home = build::home::pages(
        &build::home::Home {
            db: &db,
            summaries,
            order: &order,
            totals: &totals,
            issue_types: &issue_types,
            schema: &schema_facts,
            sessions_dir: &opts.dir,
        },
        latest,
    );
    write_pages(&env, home, &mut stage, dump)?;
    let mut assets = Vec::new();
    for name in render::templates::ASSETS {
        let text = render::templates::asset(settings.templates.as_deref(), name)?;
        let file = name.trim_start_matches("static/");
        assets.push(Page::raw(format!("assets/{file}"), text.into_bytes()));
    }
    write_pages(&env, assets, &mut stage, dump)?;
    warnings.finish();
    let (files, bytes, kept) = (stage.files, stage.bytes, stage.kept);
    manifest.failing = failing.clone();
    manifest.files = std::mem::take(&mut stage.paths);
    // long sessions write from several threads: the order files were written in varies
    manifest.files.sort_unstable();
    manifest.files.sort();
    stage.commit(&manifest.to_bytes())?;
    Ok((
        format!(
            "osx-report: wrote {files} files ({bytes} bytes){} to {} in {} ms: {} tables, {} sessions, {} executions",
            if kept > 0 {
                format!(", kept {kept} unchanged")
            } else {
                String::new()
            },
            settings.out.display(),
            started.elapsed().as_millis(),
            schema.tables.len(),
            summaries.len(),
            totals.exec_total,
        ),
        failing,
    ))
}
