//! The schema of a database as plain data: tables and views with their columns,
//! constraints, indexes, triggers, and the relations between them. Shaped like tbls's
//! `schema.Schema` so that tbls's JSON and Markdown can be produced from it.

use serde::Serialize;

/// A whole database schema.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Schema {
    pub name: String,
    pub desc: String,
    pub tables: Vec<Table>,
    pub relations: Vec<Relation>,
    /// SQLite library version that read the file.
    pub database_version: String,
}

/// What kind of object a [`Table`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    Table,
    View,
    VirtualTable,
}

impl TableKind {
    /// tbls's spelling: `table`, `view`, `virtual table`.
    pub fn as_str(self) -> &'static str {
        match self {
            TableKind::Table => "table",
            TableKind::View => "view",
            TableKind::VirtualTable => "virtual table",
        }
    }
}

/// A table, view or virtual table.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub name: String,
    pub kind: TableKind,
    pub comment: String,
    /// Comment shown in table lists when it differs from `comment`.
    pub index_comment: Option<String>,
    /// The DDL exactly as stored in `sqlite_schema`.
    pub def: String,
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    pub triggers: Vec<Trigger>,
    /// For views: the tables and views the definition reads, in order of appearance.
    pub referenced_tables: Vec<String>,
    pub without_rowid: bool,
    pub strict: bool,
    /// For virtual tables: the module (`fts5`, `rtree`, ...).
    pub module: Option<String>,
    /// Rows in the table when counted (tables only).
    pub row_count: Option<u64>,
    /// Problems met while reading this table (shown on its page).
    pub warnings: Vec<String>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The column `name` denotes in SQL: the exact name, else the one equal ignoring
    /// ASCII case (SQLite's rule for identifiers).
    pub fn resolve_column(&self, name: &str) -> Option<&Column> {
        self.column(name).or_else(|| {
            self.columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(name))
        })
    }
}

/// How a column is stored, from `PRAGMA table_xinfo`'s `hidden` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Normal,
    /// A hidden column of a virtual table.
    Hidden,
    GeneratedVirtual,
    GeneratedStored,
}

/// A column of a table or view.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    /// Declared type as written (may be empty).
    pub ty: String,
    pub default: Option<String>,
    pub nullable: bool,
    /// Position in the primary key, 1-based; 0 when not part of it.
    pub pk: u32,
    pub kind: ColumnKind,
    /// `GENERATED ALWAYS AS (...)` clause for generated columns, else empty.
    pub extra_def: String,
    pub comment: String,
    /// The column is constrained to hold JSON (`CHECK(json_valid(col) ...)`).
    pub json: bool,
    /// Tables whose foreign keys reference this column, in relation order, unique.
    pub children: Vec<String>,
    /// Tables this column references through foreign keys, in relation order, unique.
    pub parents: Vec<String>,
    /// Part of some foreign key.
    pub fk: bool,
}

/// A constraint row in tbls's sense.
#[derive(Debug, Clone, Serialize)]
pub struct Constraint {
    pub name: String,
    /// `PRIMARY KEY`, `FOREIGN KEY`, `UNIQUE` or `CHECK`.
    #[serde(rename = "type")]
    pub kind: String,
    pub def: String,
    pub columns: Vec<String>,
    pub referenced_table: Option<String>,
    pub referenced_columns: Vec<String>,
    pub comment: String,
}

/// An index: explicit (with its DDL) or automatic (`sqlite_autoindex_*`).
#[derive(Debug, Clone, Serialize)]
pub struct Index {
    pub name: String,
    pub def: String,
    pub columns: Vec<String>,
    pub unique: bool,
    pub comment: String,
}

/// A trigger with its DDL.
#[derive(Debug, Clone, Serialize)]
pub struct Trigger {
    pub name: String,
    pub def: String,
    pub comment: String,
}

/// How many rows one side of a relation may have, in tbls's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    ZeroOrOne,
    ExactlyOne,
    ZeroOrMore,
    OneOrMore,
}

impl Cardinality {
    /// tbls's JSON spelling.
    pub fn tbls_name(self) -> &'static str {
        match self {
            Cardinality::ZeroOrOne => "zero_or_one",
            Cardinality::ExactlyOne => "exactly_one",
            Cardinality::ZeroOrMore => "zero_or_more",
            Cardinality::OneOrMore => "one_or_more",
        }
    }
}

/// A foreign key (or a relation declared in a tbls config) from `table.columns` to
/// `parent_table.parent_columns`.
#[derive(Debug, Clone, Serialize)]
pub struct Relation {
    pub table: String,
    pub columns: Vec<String>,
    pub cardinality: Cardinality,
    pub parent_table: String,
    pub parent_columns: Vec<String>,
    pub parent_cardinality: Cardinality,
    pub def: String,
    /// Declared in configuration, not in the database.
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
    /// The parent table does not exist in the schema.
    pub dangling: bool,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The table or view `name` denotes in SQL: the exact name, else the one equal
    /// ignoring ASCII case (SQLite's rule; foreign keys, triggers and views keep the
    /// spelling their author wrote).
    pub fn resolve_table(&self, name: &str) -> Option<&Table> {
        self.table(name).or_else(|| {
            self.tables
                .iter()
                .find(|t| t.name.eq_ignore_ascii_case(name))
        })
    }

    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        self.tables.iter_mut().find(|t| t.name == name)
    }

    /// Fills each column's `children`, `parents` and `fk` from `relations`, in relation
    /// order, and each relation's cardinalities from the columns' constraints.
    pub fn link_relations(&mut self) {
        for t in &mut self.tables {
            for c in &mut t.columns {
                c.children.clear();
                c.parents.clear();
                c.fk = false;
            }
        }
        for i in 0..self.relations.len() {
            let r = self.relations[i].clone();
            let (card, parent_card) = self.cardinalities(&r);
            self.relations[i].cardinality = card;
            self.relations[i].parent_cardinality = parent_card;
            if let Some(t) = self.table_mut(&r.table) {
                for col in &r.columns {
                    if let Some(c) = t.columns.iter_mut().find(|c| &c.name == col) {
                        c.fk = true;
                        if !c.parents.contains(&r.parent_table) {
                            c.parents.push(r.parent_table.clone());
                        }
                    }
                }
            }
            if let Some(p) = self.table_mut(&r.parent_table) {
                for col in &r.parent_columns {
                    if let Some(c) = p.columns.iter_mut().find(|c| &c.name == col)
                        && !c.children.contains(&r.table)
                    {
                        c.children.push(r.table.clone());
                    }
                }
            }
        }
    }

    /// tbls's rules: the child side is zero-or-one when the foreign-key columns are
    /// unique (a primary key or a unique index covers exactly them), else zero-or-more;
    /// the parent side is exactly-one when every foreign-key column is NOT NULL, else
    /// zero-or-one.
    fn cardinalities(&self, r: &Relation) -> (Cardinality, Cardinality) {
        let Some(t) = self.table(&r.table) else {
            return (Cardinality::ZeroOrMore, Cardinality::ZeroOrOne);
        };
        let mut cols = r.columns.clone();
        cols.sort();
        let same = |other: &[String]| {
            let mut o = other.to_vec();
            o.sort();
            o == cols
        };
        let mut pk: Vec<String> = t
            .columns
            .iter()
            .filter(|c| c.pk > 0)
            .map(|c| c.name.clone())
            .collect();
        pk.sort();
        let unique =
            (!pk.is_empty() && same(&pk)) || t.indexes.iter().any(|i| i.unique && same(&i.columns));
        let not_null = r
            .columns
            .iter()
            .all(|c| t.column(c).is_some_and(|c| !c.nullable));
        (
            if unique {
                Cardinality::ZeroOrOne
            } else {
                Cardinality::ZeroOrMore
            },
            if not_null {
                Cardinality::ExactlyOne
            } else {
                Cardinality::ZeroOrOne
            },
        )
    }
}
