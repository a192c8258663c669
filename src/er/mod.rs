//! Entity-relationship diagrams drawn by osx-report itself, without Graphviz: which tables
//! and columns a diagram shows ([`graph`]), a layered (Sugiyama-style) layout of boxes
//! with one port per column row ([`layer`], [`order`], [`place`]), orthogonal edges
//! routed in the channels between layers ([`route`], [`tracks`]), and the result as plain data: a
//! [`Diagram`] for `templates/svg/er.svg` and a [`Mermaid`] for `templates/md/er.mermaid`.
//! Everything here is pure and deterministic: the same schema gives the same bytes.

pub mod diagram;
pub mod graph;
mod layer;
pub mod layout;
pub mod mermaid;
mod order;
mod place;
mod route;
pub mod text;
mod tracks;

pub use diagram::Diagram;
pub use graph::Graph;
pub use mermaid::Mermaid;

use crate::model::schema::Schema;

/// Which columns the whole-schema diagram shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaColumns {
    /// Every column (tables wider than `keys_only_above` still show keys only).
    All,
    /// Only key columns: primary keys, foreign keys and referenced columns.
    #[default]
    Keys,
}

/// Settings of the ER diagrams (`[schema.er]`, tbls's `er.distance`).
#[derive(Debug, Clone)]
pub struct ErOptions {
    /// A table's diagram shows the tables within this many foreign-key hops.
    pub distance: u32,
    /// Tables with more columns than this show only their key columns.
    pub keys_only_above: Option<usize>,
    /// Columns shown in the whole-schema diagram.
    pub schema_columns: SchemaColumns,
}

impl Default for ErOptions {
    fn default() -> Self {
        ErOptions {
            distance: 1,
            keys_only_above: Some(30),
            schema_columns: SchemaColumns::Keys,
        }
    }
}

/// What a diagram is of.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// Every table of the schema.
    Schema,
    /// One table (drawn as the focus) and its neighbours within `distance`.
    Table(&'a str),
}

/// The laid-out diagram of `scope`; `link` gives each table's page URL (relative to
/// where the diagram is shown), or `None` for no link.
pub fn draw(
    schema: &Schema,
    scope: Scope<'_>,
    opts: &ErOptions,
    link: &dyn Fn(&str) -> Option<String>,
) -> Diagram {
    let g = Graph::select(schema, scope, opts);
    Diagram::build(&g, &layout::layout(&g.layout_input()), link)
}

/// The same diagram as a Mermaid `erDiagram`.
pub fn mermaid(schema: &Schema, scope: Scope<'_>, opts: &ErOptions) -> Mermaid {
    Mermaid::build(&Graph::select(schema, scope, opts))
}
