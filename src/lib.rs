//! osx-report turns a surveilr RSSD (an SQLite file) into a static site.
//!
//! The pipeline, with plain data between the stages:
//!
//! ```text
//! read    SQLite file (read-only)   -> model::Schema (+ sessions)
//! build   &model + options          -> Vec<build::Page> (path, template, typed context)
//! render  pages + templates         -> files in a staging folder, swapped in at the end
//! ```

pub mod app;
pub mod build;
pub mod cli;
pub mod config;
pub mod er;
pub mod model;
pub mod output;
pub mod read;
pub mod render;
pub mod sql;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use build::schema::SchemaOptions;
use build::{Body, Page};
use cli::{BuildArgs, Cli, Command};
use config::Config;
use config::tbls::TblsConfig;
use model::schema::Schema;

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build(args) => {
            let (summary, failing) = build_site(&args)?;
            if !args.quiet {
                eprintln!("{summary}");
            }
            Ok(exit_for(&failing))
        }
        Command::Ci(args) => {
            let failing = app::run_ci(&args)?;
            Ok(exit_for(&failing))
        }
        Command::Templates(args) => {
            let written = render::templates::write_defaults(&args.out, args.force)?;
            eprintln!(
                "wrote {} default templates to {} (existing files kept{})",
                written.len(),
                args.out.display(),
                if args.force {
                    ", --force: replaced"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Exit code 1 when a `--fail-on` condition holds, saying which on stderr.
fn exit_for(failing: &[String]) -> ExitCode {
    if failing.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!("osx-report: failing: {}", failing.join(", "));
        ExitCode::from(1)
    }
}

/// Everything a build needs besides the database, resolved from flags, config and tbls.
pub struct Settings {
    pub config: Config,
    pub tbls: Option<TblsConfig>,
    pub out: PathBuf,
    pub templates: Option<PathBuf>,
    pub schema: SchemaOptions,
}

impl Settings {
    pub fn resolve(args: &BuildArgs) -> Result<Settings> {
        let config = match &args.config {
            Some(p) => Config::load(p)?,
            None if Path::new("osx-report.toml").is_file() => {
                Config::load(Path::new("osx-report.toml"))?
            }
            None => Config::default(),
        };
        let tbls_path = args.tbls.clone().or_else(|| config.schema.tbls.clone());
        let tbls = tbls_path.as_deref().map(TblsConfig::load).transpose()?;
        let out = args
            .out
            .clone()
            .or_else(|| config.out.clone())
            .unwrap_or_else(|| PathBuf::from("osx-report-site"));
        let templates = args.templates.clone().or_else(|| config.templates.clone());
        let md = &config.schema.markdown;
        let tf = tbls.as_ref().map(|t| &t.format);
        let schema = SchemaOptions {
            index_md: md.index.clone(),
            adjust: md.adjust.or(tf.and_then(|f| f.adjust)).unwrap_or(true),
            hide_columns: md
                .hide_columns_without_values
                .clone()
                .or(tf.and_then(|f| f.hide_columns_without_values.clone()))
                .unwrap_or_default()
                .iter()
                .map(|s| s.to_ascii_lowercase())
                .collect(),
            link_prefix: md.link_prefix.clone(),
            link_suffix: md.link_suffix.clone(),
            er_image: md.er_image.clone(),
            er_format: md.er_format,
            er: er::ErOptions {
                distance: config
                    .schema
                    .er
                    .distance
                    .or(tbls.as_ref().and_then(|t| t.er.distance))
                    .unwrap_or(1),
                keys_only_above: config.schema.er.keys_only_above,
                schema_columns: config.schema.er.schema_columns,
            },
            ..SchemaOptions::default()
        };
        Ok(Settings {
            config,
            tbls,
            out,
            templates,
            schema,
        })
    }
}

/// Reads the schema of the database at `db` and shapes it by the settings.
pub fn load_schema(
    conn: &rusqlite::Connection,
    db: &Path,
    s: &Settings,
) -> Result<(Schema, Vec<String>)> {
    let default_name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = s
        .config
        .schema
        .name
        .clone()
        .or_else(|| s.tbls.as_ref().and_then(|t| t.name.clone()))
        .unwrap_or(default_name);
    let mut schema = read::schema::read_schema(conn, &name)
        .with_context(|| format!("reading the schema of {}", db.display()))?;
    if schema.tables.is_empty() {
        bail!("{}: contains no tables or views", db.display());
    }
    schema.desc = s
        .config
        .schema
        .description
        .clone()
        .or_else(|| s.tbls.as_ref().and_then(|t| t.desc.clone()))
        .unwrap_or_default();
    let mut warnings = Vec::new();
    if let Some(t) = &s.tbls {
        warnings.extend(model::annotate::add_relations(&mut schema, &t.relations));
        warnings.extend(model::annotate::apply_comments(
            &mut schema,
            &t.comment_configs(),
        ));
    }
    warnings.extend(model::annotate::apply_comments(
        &mut schema,
        &s.config.schema.comments,
    ));
    let include = s
        .config
        .schema
        .include
        .clone()
        .or_else(|| s.tbls.as_ref().and_then(|t| t.include.clone()))
        .unwrap_or_default();
    let exclude = s
        .config
        .schema
        .exclude
        .clone()
        .or_else(|| s.tbls.as_ref().and_then(|t| t.exclude.clone()))
        .unwrap_or_default();
    model::annotate::filter_tables(&mut schema, &include, &exclude);
    if s.config.schema.row_counts {
        read::schema::read_row_counts(conn, &mut schema);
    }
    for t in &schema.tables {
        for w in &t.warnings {
            warnings.push(format!("table '{}': {w}", t.name));
        }
    }
    Ok((schema, warnings))
}

/// Renders `pages` and writes them, with their contexts when asked.
pub fn write_pages(
    env: &minijinja::Environment<'static>,
    pages: &[Page],
    stage: &mut output::Staging,
    dump_context: bool,
) -> Result<()> {
    for page in pages {
        match &page.body {
            Body::Raw(bytes) => stage.write(&page.path, bytes)?,
            Body::Template { name, context } => {
                let text = env
                    .get_template(name)
                    .and_then(|t| t.render(context))
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "rendering {} with template {name}: {}",
                            page.path,
                            render::templates::describe_error(&e)
                        )
                    })?;
                stage.write(&page.path, text.as_bytes())?;
                if dump_context {
                    let json =
                        serde_json::to_vec_pretty(context).context("serialising a page context")?;
                    stage.write(&format!("{}.context.json", page.path), &json)?;
                }
            }
        }
    }
    Ok(())
}

/// Prints warnings to stderr, at most `limit` of them, and says how many were not shown.
pub struct Warnings {
    shown: usize,
    total: usize,
    limit: usize,
}

impl Warnings {
    pub fn new(limit: usize) -> Warnings {
        Warnings {
            shown: 0,
            total: 0,
            limit,
        }
    }

    pub fn warn(&mut self, w: &str) {
        self.total += 1;
        if self.shown < self.limit {
            self.shown += 1;
            eprintln!("osx-report: warning: {w}");
        }
    }

    pub fn finish(&self) {
        if self.total > self.shown {
            eprintln!(
                "osx-report: warning: ... and {} more warnings (each is marked on its page)",
                self.total - self.shown
            );
        }
    }
}

/// The `build` command: read, build, render, swap in. Returns a one-line summary and
/// the `--fail-on` conditions that hold.
pub fn build_site(args: &BuildArgs) -> Result<(String, Vec<String>)> {
    use build::sessions::{self as sp, Neighbours, SessionOptions};

    let started = Instant::now();
    let settings = Settings::resolve(args)?;
    let cfg = &settings.config;
    let conn = read::open_read_only(&args.db)?;
    let (schema, schema_warnings) = load_schema(&conn, &args.db, &settings)?;
    let mut warnings = Warnings::new(50);
    for w in &schema_warnings {
        warnings.warn(w);
    }
    let abandon_ms = (cfg.sessions.abandon_after_hours * 3_600_000.0) as i64;
    let index =
        read::sessions::SessionIndex::read(&conn, &cfg.status, abandon_ms).with_context(|| {
            format!(
                "reading the orchestration sessions of {}",
                args.db.display()
            )
        })?;
    for w in &index.warnings {
        warnings.warn(w);
    }

    let mut env = render::templates::environment(settings.templates.as_deref())?;
    let file_name = args
        .db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = cfg
        .title
        .clone()
        .unwrap_or_else(|| format!("osx-report: {file_name}"));
    env.add_global(
        "site",
        minijinja::context! { title => title.clone(), version => env!("CARGO_PKG_VERSION") },
    );
    let mut stage = output::Staging::new(&settings.out)?;
    let dump = args.dump_context;

    // Schema docs.
    write_pages(
        &env,
        &build::schema::pages(&schema, &settings.schema),
        &mut stage,
        dump,
    )?;

    // Sessions: the index, then one session at a time (memory bounded by one session).
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
    let selection = app::ci::selection(&args.ci)?;
    let fail_on = app::ci::fail_on(&args.ci.fail_on)?;
    let selected: std::collections::HashSet<usize> =
        selection.apply(summaries, &order)?.into_iter().collect();
    let selected_summaries: Vec<&model::session::SessionSummary> = order
        .iter()
        .filter(|i| selected.contains(i))
        .map(|&i| &summaries[i])
        .collect();
    let db_size = std::fs::metadata(&args.db).map(|m| m.len()).unwrap_or(0);
    let header = app::report_header(
        &file_name,
        db_size,
        &schema.database_version,
        &args.ci,
        &selection,
        &selected_summaries,
    );
    let report_header = header.header();
    let junit_out = stage.create("ci/junit.xml")?;
    let report_out = stage.create("ci/report.json")?;
    let mut sink = app::ci::CiSink::new(
        &env,
        &title,
        &selected_summaries,
        Some(Box::new(junit_out)),
        Some((Box::new(report_out), &report_header)),
        opts.limits,
        &opts.dir,
    )?;
    let has_table = index.has_session_table();
    write_pages(
        &env,
        &sp::index_pages(
            summaries,
            &order,
            &stems,
            &totals,
            has_table,
            index.unattached_logs.len(),
            &opts,
        ),
        &mut stage,
        dump,
    )?;
    for (k, &i) in order.iter().enumerate() {
        let s = &summaries[i];
        let session = index
            .load(&conn, i)
            .with_context(|| format!("reading session '{}' of {}", s.id, args.db.display()))?;
        let tree = model::tree::build(
            &session.execs,
            &app::foreign_parents(&index, &conn, &session),
        );
        let neighbour = |j: Option<usize>| {
            j.and_then(|j| order.get(j))
                .map(|&x| (summaries[x].id.as_str(), stems[&summaries[x].id].as_str()))
        };
        let nb = Neighbours {
            prev: neighbour(k.checked_sub(1)),
            next: neighbour(Some(k + 1)),
        };
        let anchors = sp::exec_anchors(&session);
        if selected.contains(&i) {
            sink.add(&session, &tree, &stems[&s.id], &anchors)?;
        }
        let (pages, session_warnings) =
            sp::session_pages(&session, &tree, &stems[&s.id], &anchors, &nb, &opts);
        for w in &session_warnings {
            warnings.warn(w);
        }
        write_pages(&env, &pages, &mut stage, dump)?;
    }

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
        include_str!("../schemas/report-v1.schema.json").as_bytes(),
    )?;

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
    let home = build::home::pages(&db, !summaries.is_empty(), &totals, latest, &schema_facts);
    write_pages(&env, &home, &mut stage, dump)?;
    let mut assets = Vec::new();
    for name in render::templates::ASSETS {
        let text = render::templates::asset(settings.templates.as_deref(), name)?;
        let file = name.trim_start_matches("static/");
        assets.push(Page::raw(format!("assets/{file}"), text.into_bytes()));
    }
    write_pages(&env, &assets, &mut stage, dump)?;
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
