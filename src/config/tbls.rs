//! Reading an existing tbls configuration (`.tbls.yml`), so that teams who document their
//! schema with tbls can point osx-report at the file they already have. Only the keys
//! that shape the documents are read: `name`, `desc`, `include`, `exclude`, `format`,
//! `er.distance`, `comments` and `relations`; tbls's other keys (dsn, lint, ...) are
//! ignored.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use super::CommentConfig;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TblsConfig {
    pub name: Option<String>,
    pub desc: Option<String>,
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub format: TblsFormat,
    pub er: TblsEr,
    pub comments: Vec<TblsComment>,
    pub relations: Vec<TblsRelation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TblsFormat {
    pub adjust: Option<bool>,
    pub hide_columns_without_values: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TblsEr {
    pub distance: Option<u32>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TblsComment {
    pub table: String,
    pub table_comment: Option<String>,
    pub column_comments: BTreeMap<String, String>,
    pub index_comments: BTreeMap<String, String>,
    pub constraint_comments: BTreeMap<String, String>,
    pub trigger_comments: BTreeMap<String, String>,
}

/// A relation tbls users declare by hand (`relations:`), e.g. for missing foreign keys.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TblsRelation {
    pub table: String,
    pub columns: Vec<String>,
    pub parent_table: String,
    pub parent_columns: Vec<String>,
    pub def: Option<String>,
}

impl TblsConfig {
    pub fn load(path: &Path) -> Result<TblsConfig> {
        crate::output::protect(path);
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading tbls config {}", path.display()))?;
        serde_yaml_ng::from_str(&text)
            .with_context(|| format!("parsing tbls config {}", path.display()))
    }

    /// The comments in our own form.
    pub fn comment_configs(&self) -> Vec<CommentConfig> {
        self.comments
            .iter()
            .map(|c| CommentConfig {
                table: c.table.clone(),
                comment: c.table_comment.clone(),
                index_comment: None,
                columns: c.column_comments.clone(),
                indexes: c.index_comments.clone(),
                constraints: c.constraint_comments.clone(),
                triggers: c.trigger_comments.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_keys_and_ignores_the_rest() {
        let y = r#"
name: Demo
dsn: sqlite:///tmp/x.db
format:
  adjust: true
  hideColumnsWithoutValues: [Parents, Children]
include: [a, "b*"]
er:
  distance: 2
  hideDef: true
comments:
- table: a
  tableComment: |
    Line one
    line two
  columnComments:
    id: the key
relations:
- table: a
  columns: [b_id]
  parentTable: b
  parentColumns: [id]
"#;
        let c: TblsConfig = serde_yaml_ng::from_str(y).unwrap();
        assert_eq!(c.name.as_deref(), Some("Demo"));
        assert_eq!(c.format.adjust, Some(true));
        assert_eq!(c.er.distance, Some(2));
        assert_eq!(
            c.comments[0].table_comment.as_deref(),
            Some("Line one\nline two\n")
        );
        assert_eq!(c.comment_configs()[0].columns["id"], "the key");
        assert_eq!(c.relations[0].parent_table, "b");
    }
}
