//! `osx-report.toml`: what command-line flags do not say. Unknown keys are rejected so a
//! typo is an error, not a silently ignored setting. Paths inside the file are relative
//! to the file's folder.

pub mod tbls;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The whole configuration file.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Site title shown in the header of every HTML page.
    pub title: Option<String>,
    /// Where to write the site (`--out` wins).
    pub out: Option<PathBuf>,
    /// Folder of template overrides (`--templates` wins).
    pub templates: Option<PathBuf>,
    pub schema: SchemaConfig,
    /// `[status]`: how `exec_status` values map to success / failure / unknown.
    pub status: crate::model::status::StatusRule,
    pub sessions: SessionsConfig,
}

/// `[sessions]`: the execution narratives.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SessionsConfig {
    /// A session without a final state is `abandoned` when nothing was recorded for it
    /// for this many hours before the newest activity in the RSSD, else `running`.
    pub abandon_after_hours: f64,
    /// Outputs longer than this many lines are shown as head and tail on the page.
    pub max_lines: usize,
    /// ... or longer than this many bytes.
    pub max_bytes: usize,
    /// Lines shown from the start of a long output.
    pub head_lines: usize,
    /// Lines shown from the end of a long output.
    pub tail_lines: usize,
    /// Executions per session page; a longer session continues on part pages.
    pub page_execs: usize,
}

impl Default for SessionsConfig {
    fn default() -> Self {
        SessionsConfig {
            abandon_after_hours: 24.0,
            max_lines: 200,
            max_bytes: 64 * 1024,
            head_lines: 60,
            tail_lines: 40,
            page_execs: 1000,
        }
    }
}

/// `[schema]`: the schema documentation.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchemaConfig {
    /// Name of the schema (index page title). Default: tbls's `name`, else the file name.
    pub name: Option<String>,
    /// Description shown on the index page.
    pub description: Option<String>,
    /// A tbls configuration (`.tbls.yml`) to read comments, include/exclude, relations
    /// and format settings from (`--tbls` wins).
    pub tbls: Option<PathBuf>,
    /// Tables to document (tbls's wildcard patterns). Empty: all.
    pub include: Option<Vec<String>>,
    /// Tables to leave out (tbls's wildcard patterns).
    pub exclude: Option<Vec<String>>,
    /// Count the rows of each table for the HTML pages.
    pub row_counts: bool,
    pub markdown: MarkdownConfig,
    pub er: ErConfig,
    /// Comments per table, applied after those of the tbls file.
    pub comments: Vec<CommentConfig>,
}

impl Default for SchemaConfig {
    fn default() -> Self {
        SchemaConfig {
            name: None,
            description: None,
            tbls: None,
            include: None,
            exclude: None,
            row_counts: true,
            markdown: MarkdownConfig::default(),
            er: ErConfig::default(),
            comments: Vec::new(),
        }
    }
}

/// `[schema.markdown]`: the tbls-format Markdown pages.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// File name of the index page inside the schema folder.
    pub index: String,
    /// Pad table cells to the column width (tbls's `format.adjust`).
    pub adjust: Option<bool>,
    /// Columns of the Columns table hidden when no row has a value
    /// (tbls's `format.hideColumnsWithoutValues`: Parents, Children, Comment, ...).
    pub hide_columns_without_values: Option<Vec<String>>,
    /// Prepended to a table name in links between pages.
    pub link_prefix: String,
    /// Appended to a table name in links between pages.
    pub link_suffix: String,
    /// The ER image of a page; `{name}` is the table name (URL-encoded), or `schema`.
    pub er_image: String,
    /// `svg`: link the image; `mermaid`: embed a Mermaid erDiagram block instead.
    pub er_format: ErFormat,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            index: "README.md".into(),
            adjust: None,
            hide_columns_without_values: None,
            link_prefix: String::new(),
            link_suffix: ".md".into(),
            er_image: "{name}.svg".into(),
            er_format: ErFormat::Svg,
        }
    }
}

/// How the Markdown pages show ER diagrams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ErFormat {
    Svg,
    Mermaid,
}

/// `[schema.er]`: the ER diagrams.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ErConfig {
    /// Neighbours within this many foreign-key hops appear in a table's diagram.
    pub distance: Option<u32>,
    /// Draw only key columns (primary, foreign and referenced) in boxes of tables with
    /// more columns than this.
    pub keys_only_above: Option<usize>,
    /// Columns in the whole-schema diagram: `keys` (default) or `all`.
    pub schema_columns: crate::er::SchemaColumns,
}

impl Default for ErConfig {
    fn default() -> Self {
        ErConfig {
            distance: None,
            keys_only_above: Some(30),
            schema_columns: crate::er::SchemaColumns::Keys,
        }
    }
}

/// `[[schema.comments]]`: descriptions SQLite cannot store.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommentConfig {
    pub table: String,
    pub comment: Option<String>,
    /// A shorter comment for the table lists (index page); default: `comment`.
    pub index_comment: Option<String>,
    pub columns: BTreeMap<String, String>,
    pub indexes: BTreeMap<String, String>,
    pub constraints: BTreeMap<String, String>,
    pub triggers: BTreeMap<String, String>,
}

impl Config {
    /// Reads a configuration file, resolving the paths inside it against its folder.
    pub fn load(path: &Path) -> Result<Config> {
        crate::output::protect(path);
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config {}", path.display()))?;
        let mut cfg: Config =
            toml::from_str(&text).with_context(|| format!("parsing config {}", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |p: &mut Option<PathBuf>| {
            if let Some(x) = p
                && x.is_relative()
            {
                *x = base.join(&*x);
            }
        };
        resolve(&mut cfg.out);
        resolve(&mut cfg.templates);
        resolve(&mut cfg.schema.tbls);
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_rejected() {
        let e = toml::from_str::<Config>("[schema]\nincldue = [\"a\"]\n").unwrap_err();
        assert!(e.to_string().contains("incldue"), "{e}");
    }

    #[test]
    fn defaults_follow_tbls() {
        let c: Config = toml::from_str("").unwrap();
        assert_eq!(c.schema.markdown.link_suffix, ".md");
        assert_eq!(c.schema.markdown.er_image, "{name}.svg");
        assert!(c.schema.row_counts);
    }

    #[test]
    fn comments_parse() {
        let c: Config = toml::from_str(
            "[[schema.comments]]\ntable = \"t\"\ncomment = \"T\"\ncolumns = { a = \"A\" }\n",
        )
        .unwrap();
        assert_eq!(c.schema.comments[0].columns["a"], "A");
    }
}
