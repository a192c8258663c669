//! What a diagram shows: the tables of its scope (the whole schema, or one table and its
//! neighbours within the configured distance), the rows of each box (every column, or
//! only key columns for wide tables), and one edge per column pair of every foreign key
//! whose two tables are both shown.

use std::collections::{BTreeMap, BTreeSet};

use super::layout::{Input, Link, Node};
use super::text::{self, PAD_X, ROW_FONT, TITLE_FONT};
use super::{ErOptions, SchemaColumns, Scope};
use crate::model::schema::{Column, Relation, Schema, Table};

/// The tables and edges of one diagram, before layout.
#[derive(Debug)]
pub struct Graph<'a> {
    pub tables: Vec<GTable<'a>>,
    pub edges: Vec<GEdge<'a>>,
}

/// A table's box: its rows, and how many columns were left out.
#[derive(Debug)]
pub struct GTable<'a> {
    pub table: &'a Table,
    /// The table whose diagram this is.
    pub focus: bool,
    pub rows: Vec<&'a Column>,
    /// Columns not drawn (a keys-only box); a `… N more columns` row says so.
    pub hidden: usize,
}

/// One column pair of a foreign key: from the child's row to the parent's row.
#[derive(Debug)]
pub struct GEdge<'a> {
    pub relation: &'a Relation,
    pub child: usize,
    pub child_row: usize,
    pub parent: usize,
    pub parent_row: usize,
}

/// A key column: part of the primary key, of a foreign key, or referenced by one.
pub fn is_key(c: &Column) -> bool {
    c.pk > 0 || c.fk || !c.children.is_empty()
}

/// The badge of a row: `PK`, `FK`, `PK FK` or nothing.
pub fn badge(c: &Column) -> &'static str {
    match (c.pk > 0, c.fk) {
        (true, true) => "PK FK",
        (true, false) => "PK",
        (false, true) => "FK",
        (false, false) => "",
    }
}

impl<'a> Graph<'a> {
    /// The tables and edges of `scope`, in schema order.
    pub fn select(schema: &'a Schema, scope: Scope<'_>, opts: &ErOptions) -> Graph<'a> {
        let names: BTreeSet<&str> = match scope {
            Scope::Schema => schema.tables.iter().map(|t| t.name.as_str()).collect(),
            Scope::Table(focus) => neighbours(schema, focus, opts.distance),
        };
        let keys_only = |t: &Table| match scope {
            Scope::Schema if opts.schema_columns == SchemaColumns::Keys => true,
            _ => opts.keys_only_above.is_some_and(|n| t.columns.len() > n),
        };
        let tables: Vec<GTable<'a>> = schema
            .tables
            .iter()
            .filter(|t| names.contains(t.name.as_str()))
            .map(|t| {
                let rows: Vec<&Column> = if keys_only(t) {
                    t.columns.iter().filter(|c| is_key(c)).collect()
                } else {
                    t.columns.iter().collect()
                };
                GTable {
                    table: t,
                    focus: matches!(scope, Scope::Table(f) if f == t.name),
                    hidden: t.columns.len() - rows.len(),
                    rows,
                }
            })
            .collect();
        let index: BTreeMap<&str, usize> = tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.table.name.as_str(), i))
            .collect();
        let row_of = |t: usize, col: &str| tables[t].rows.iter().position(|c| c.name == col);
        let mut edges = Vec::new();
        for r in schema.relations.iter().filter(|r| !r.dangling) {
            let (Some(&child), Some(&parent)) = (
                index.get(r.table.as_str()),
                index.get(r.parent_table.as_str()),
            ) else {
                continue;
            };
            for (c, p) in r.columns.iter().zip(&r.parent_columns) {
                if let (Some(child_row), Some(parent_row)) = (row_of(child, c), row_of(parent, p)) {
                    edges.push(GEdge {
                        relation: r,
                        child,
                        child_row,
                        parent,
                        parent_row,
                    });
                }
            }
        }
        Graph { tables, edges }
    }

    /// Box sizes and ports for the layout.
    pub fn layout_input(&self) -> Input {
        let nodes = self
            .tables
            .iter()
            .map(|t| {
                let (w, h) = t.size();
                Node {
                    w,
                    h,
                    ports: (0..t.rows.len()).map(text::row_center).collect(),
                }
            })
            .collect();
        let links = self
            .edges
            .iter()
            .map(|e| Link {
                parent: e.parent,
                parent_port: e.parent_row,
                child: e.child,
                child_port: e.child_row,
            })
            .collect();
        Input { nodes, links }
    }
}

impl GTable<'_> {
    /// Width of the key badge column (0 when no row has a badge).
    pub fn key_w(&self) -> f64 {
        let widest = self.rows.iter().map(|c| badge(c)).max_by_key(|b| b.len());
        match widest {
            Some(b) if !b.is_empty() => text::width(b, ROW_FONT * 0.8) + 6.0,
            _ => 0.0,
        }
    }

    /// The `… N more columns` line of a keys-only box.
    pub fn more_text(&self) -> Option<String> {
        match self.hidden {
            0 => None,
            1 => Some("… 1 more column".into()),
            n if self.rows.is_empty() => Some(format!("… {n} columns")),
            n => Some(format!("… {n} more columns")),
        }
    }

    /// Width and height of the box, generous so text never overflows.
    pub fn size(&self) -> (f64, f64) {
        let key_w = self.key_w();
        let title = text::width(&self.table.name, TITLE_FONT) + kind_w(self.table);
        let rows = self
            .rows
            .iter()
            .map(|c| text::row_width(key_w, &c.name, &c.ty))
            .chain(self.more_text().map(|m| key_w + text::width(&m, ROW_FONT)))
            .fold(title, f64::max);
        let n = self.rows.len() + usize::from(self.hidden > 0);
        // An even width keeps the box's center, and so every coordinate, whole.
        let w = ((rows + 2.0 * PAD_X).max(text::MIN_W) / 2.0).ceil() * 2.0;
        (w, text::box_height(n))
    }
}

/// Room for the `view` tag after the title of a view or virtual table.
pub fn kind_w(t: &Table) -> f64 {
    match t.kind.as_str() {
        "table" => 0.0,
        k => text::GAP_X + text::width(k, ROW_FONT * 0.8),
    }
}

/// Names of `focus` and the tables within `distance` foreign-key hops of it.
fn neighbours<'s>(schema: &'s Schema, focus: &str, distance: u32) -> BTreeSet<&'s str> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let Some(t) = schema.table(focus) else {
        return seen;
    };
    seen.insert(&t.name);
    let mut frontier = vec![t.name.as_str()];
    for _ in 0..distance {
        let mut next = Vec::new();
        for r in schema.relations.iter().filter(|r| !r.dangling) {
            for (a, b) in [(&r.table, &r.parent_table), (&r.parent_table, &r.table)] {
                if frontier.contains(&a.as_str())
                    && schema.table(b).is_some()
                    && seen.insert(b.as_str())
                {
                    next.push(b.as_str());
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    seen
}
