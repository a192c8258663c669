//! Settings of a build, resolved from flags, `osx-report.toml`, a tbls file and the
//! defaults; and the schema read and shaped by them.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::build::schema::SchemaOptions;
use crate::cli::BuildArgs;
use crate::config::Config;
use crate::config::tbls::TblsConfig;
use crate::er;
use crate::model::schema::Schema;
use crate::{model, read};

/// The configuration file: the one given, else `./osx-report.toml` when it exists.
pub fn load_config(path: Option<&Path>) -> Result<Config> {
    match path {
        Some(p) => Config::load(p),
        None if Path::new("osx-report.toml").is_file() => {
            Config::load(Path::new("osx-report.toml"))
        }
        None => Ok(Config::default()),
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
        let config = load_config(args.config.as_deref())?;
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
