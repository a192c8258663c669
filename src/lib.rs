//! osx-report turns a surveilr RSSD (an SQLite file) into a static site.
//!
//! The pipeline, with plain data between the stages:
//!
//! ```text
//! read    SQLite file (read-only)   -> model::Schema (+ sessions)
//! build   &model + options          -> Vec<build::Page> (path, template, typed context)
//! render  pages + templates         -> files in a staging folder, swapped in at the end
//! ```

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
            let summary = build_site(&args)?;
            if !args.quiet {
                eprintln!("{summary}");
            }
            Ok(ExitCode::SUCCESS)
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

/// The `build` command: read, build, render, swap in. Returns a one-line summary.
pub fn build_site(args: &BuildArgs) -> Result<String> {
    let started = Instant::now();
    let settings = Settings::resolve(args)?;
    let conn = read::open_read_only(&args.db)?;
    let (schema, warnings) = load_schema(&conn, &args.db, &settings)?;
    for w in &warnings {
        eprintln!("osx-report: warning: {w}");
    }
    let env = render::templates::environment(settings.templates.as_deref())?;
    let mut pages = build::schema::pages(&schema, &settings.schema);
    for name in render::templates::ASSETS {
        let text = render::templates::asset(settings.templates.as_deref(), name)?;
        let file = name.trim_start_matches("static/");
        pages.push(Page::raw(format!("assets/{file}"), text.into_bytes()));
    }
    let mut stage = output::Staging::new(&settings.out)?;
    write_pages(&env, &pages, &mut stage, args.dump_context)?;
    let (files, bytes) = (stage.files, stage.bytes);
    stage.commit()?;
    Ok(format!(
        "osx-report: wrote {files} files ({bytes} bytes) to {} in {} ms: {} tables",
        settings.out.display(),
        started.elapsed().as_millis(),
        schema.tables.len()
    ))
}
