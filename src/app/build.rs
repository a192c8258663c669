//! The `build` command: read the database, build and render every page, write the CI
//! files, and swap the finished site in.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{Context, Result};
use minijinja::Environment;

use super::ci::{CiPiece, CiSink};
use super::pages::{File, render_pages, write_files, write_pages};
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

/// What one session contributes: its files, its CI piece, its warnings.
struct SessionOut {
    files: Vec<File>,
    ci: Option<CiPiece>,
    warnings: Vec<String>,
    // search: the session's searchable documents (site hook)
    search: build::search::PageDocs,
}

/// Reads, builds, renders, swaps in. Returns a one-line summary and the `--fail-on`
/// conditions that hold.
pub fn build_site(args: &BuildArgs) -> Result<(String, Vec<String>)> {
    let started = Instant::now();
    let settings = Settings::resolve(args)?;
    let cfg = &settings.config;
    let db_name = args.db.display().to_string();
    let conn = read::open_read_only(&args.db)?;
    let (schema, schema_warnings) = load_schema(&conn, &args.db, &settings)?;
    let mut warnings = Warnings::new(50, false);
    for w in &schema_warnings {
        warnings.warn(w);
    }
    let abandon_ms = (cfg.sessions.abandon_after_hours * 3_600_000.0) as i64;
    let index = read::sessions::SessionIndex::read(&conn, &cfg.status, abandon_ms)
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
    let db_size = std::fs::metadata(&args.db).map(|m| m.len()).unwrap_or(0);
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
    let ci_render = sink.renderer(opts.limits, &opts.dir);
    write_pages(
        &env,
        sp::index_pages(
            summaries,
            &order,
            &stems,
            &totals,
            index.has_session_table(),
            index.unattached_logs.len(),
            &opts,
        ),
        &mut stage,
        dump,
    )?;
    let neighbour = |j: Option<usize>| {
        j.and_then(|j| order.get(j))
            .map(|&x| (summaries[x].id.as_str(), stems[&summaries[x].id].as_str()))
    };
    sessions::for_each(
        &conn,
        &index,
        &db_name,
        &order,
        |l| {
            let stem = &stems[&summaries[l.i].id];
            let nb = Neighbours {
                prev: neighbour(l.k.checked_sub(1)),
                next: neighbour(Some(l.k + 1)),
            };
            let (pages, warnings) =
                sp::session_pages(&l.session, &l.tree, stem, &l.anchors, &nb, &opts);
            let files = render_pages(&env, pages, dump)?;
            let ci = match suite_of.get(&l.i) {
                Some(&n) => Some(ci_render.piece(n, &l.session, &l.tree, stem, &l.anchors)?),
                None => None,
            };
            let search = build::search::session_docs(
                &l.session,
                format!("{}/{}.html", opts.dir, build::links::encode_segment(stem)),
                &l.anchors,
                &sp::issue_anchors(&l.session),
                |_| None,
            );
            Ok(SessionOut {
                files,
                ci,
                warnings,
                search,
            })
        },
        |l, out| {
            for w in &out.warnings {
                warnings.warn(w);
            }
            write_files(&mut stage, &out.files)?;
            site_index.count_issues(l.session.issues.iter().map(|i| i.issue_type.as_deref()));
            site_index.add(&mut stage, out.search)?;
            if let Some(piece) = out.ci {
                let stem = &stems[&summaries[l.i].id];
                sink.append(&l.session, &l.tree, stem, &l.anchors, piece)?;
            }
            Ok(())
        },
    )?;

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
    let (files, bytes) = (stage.files, stage.bytes);
    stage.commit()?;
    Ok((
        format!(
            "osx-report: wrote {files} files ({bytes} bytes) to {} in {} ms: {} tables, {} sessions, {} executions",
            settings.out.display(),
            started.elapsed().as_millis(),
            schema.tables.len(),
            summaries.len(),
            totals.exec_total,
        ),
        failing,
    ))
}
