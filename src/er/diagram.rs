//! The drawing as plain data for `templates/svg/er.svg`: boxes with their rows in local
//! coordinates, edges as path data, cardinality markers (crow's feet, bars, rings) and
//! junction dots. Coordinates are whole pixels, so the same schema always gives the
//! same bytes. Only numeric path data is built here; the markup is in the template.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use super::graph::{self, Graph};
use super::layout::Layout;
use super::text::{self, HEAD_H, PAD_X, TITLE_FONT};
use crate::model::schema::Cardinality;

/// A laid-out ER diagram.
#[derive(Debug, Clone, Serialize)]
pub struct Diagram {
    pub width: i64,
    pub height: i64,
    pub tables: Vec<BoxView>,
    pub edges: Vec<EdgeView>,
    /// Every bar and crow's foot, as one path.
    pub marks: String,
    /// The rings of "zero" cardinalities.
    pub rings: Vec<Point>,
    /// Where an edge branches off a shared trunk.
    pub dots: Vec<Point>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Point {
    pub x: i64,
    pub y: i64,
}

/// A table's box; row coordinates are relative to the box's top-left corner.
#[derive(Debug, Clone, Serialize)]
pub struct BoxView {
    pub name: String,
    /// `table`, `view` or `virtual table`.
    pub kind: &'static str,
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// URL of the table's page, relative to where the diagram is shown.
    pub link: Option<String>,
    pub focus: bool,
    pub head_h: i64,
    pub title_y: i64,
    /// x of the badge, name and (right-aligned) type columns.
    pub key_x: i64,
    pub name_x: i64,
    pub type_x: i64,
    pub rows: Vec<RowView>,
    /// `… N more columns` of a keys-only box, with its baseline.
    pub more: Option<RowView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub name: String,
    pub ty: String,
    /// `PK`, `FK`, `PK FK` or empty.
    pub key: &'static str,
    pub nullable: bool,
    /// Top of the row and baseline of its text.
    pub top: i64,
    pub y: i64,
}

/// One column pair of a foreign key.
#[derive(Debug, Clone, Serialize)]
pub struct EdgeView {
    /// Path data, from the parent's port to the child's.
    pub d: String,
    /// `child.column → parent.column`
    pub title: String,
    /// Declared in configuration, not in the database.
    #[serde(rename = "virtual")]
    pub is_virtual: bool,
}

fn px(v: f64) -> i64 {
    v.round() as i64
}

impl Diagram {
    /// Combines the selected graph and its layout.
    pub fn build(g: &Graph<'_>, lay: &Layout, link: &dyn Fn(&str) -> Option<String>) -> Diagram {
        let tables = g
            .tables
            .iter()
            .zip(&lay.pos)
            .map(|(t, &(x, y))| {
                let (w, h) = t.size();
                let key_w = t.key_w();
                let row = |i: usize, name: String, ty: String, key, nullable| RowView {
                    name,
                    ty,
                    key,
                    nullable,
                    top: px(HEAD_H + i as f64 * text::ROW_H),
                    y: px(text::row_baseline(i)),
                };
                BoxView {
                    name: t.table.name.clone(),
                    kind: t.table.kind.as_str(),
                    x: px(x),
                    y: px(y),
                    w: px(w),
                    h: px(h),
                    link: link(&t.table.name),
                    focus: t.focus,
                    head_h: px(HEAD_H),
                    title_y: px(HEAD_H / 2.0 + TITLE_FONT * 0.35),
                    key_x: px(PAD_X),
                    name_x: px(PAD_X + key_w),
                    type_x: px(w - PAD_X),
                    rows: t
                        .rows
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            row(i, c.name.clone(), c.ty.clone(), graph::badge(c), c.nullable)
                        })
                        .collect(),
                    more: t
                        .more_text()
                        .map(|m| row(t.rows.len(), m, String::new(), "", false)),
                }
            })
            .collect();
        // Ends that share a port (a key referenced by several tables) share one marker:
        // the weakest cardinality true of them all, e.g. zero-or-one for a mix of
        // exactly-one and zero-or-one.
        let mut marks: BTreeMap<(i64, i64, i64), (u8, u8)> = BTreeMap::new();
        let mut mark = |p: (f64, f64), out: f64, c: Cardinality| {
            let (lo, hi) = bounds(c);
            let m = marks.entry((px(p.0), px(p.1), px(out))).or_insert((lo, hi));
            *m = (m.0.min(lo), m.1.max(hi));
        };
        let edges = g
            .edges
            .iter()
            .zip(&lay.routes)
            .map(|(e, r)| {
                let rel = e.relation;
                if let (Some(&p), Some(&c)) = (r.points.first(), r.points.last()) {
                    mark(p, r.parent_out, rel.parent_cardinality);
                    mark(c, r.child_out, rel.cardinality);
                }
                let col = |t: usize, row: usize| &g.tables[t].rows[row].name;
                EdgeView {
                    d: path(&r.points),
                    title: format!(
                        "{}.{} → {}.{}",
                        rel.table,
                        col(e.child, e.child_row),
                        rel.parent_table,
                        col(e.parent, e.parent_row)
                    ),
                    is_virtual: rel.is_virtual,
                }
            })
            .collect();
        let mut d = String::new();
        let mut rings = Vec::new();
        for (&(x, y, o), &(lo, hi)) in &marks {
            let bar = |d: &mut String, at: i64| {
                let _ = write!(d, "M{} {}V{}", x + o * at, y - 6, y + 6);
            };
            // The maximum next to the box (a bar for one, a crow's foot for many),
            // then the minimum (a bar for one, a ring for zero).
            if hi == 1 {
                bar(&mut d, 8);
            } else {
                let _ = write!(d, "M{x} {}L{} {y}L{x} {}", y - 6, x + o * 12, y + 6);
            }
            if lo == 0 {
                rings.push(Point { x: x + o * 17, y });
            } else {
                bar(&mut d, if hi == 1 { 13 } else { 16 });
            }
        }
        Diagram {
            width: px(lay.width),
            height: px(lay.height),
            tables,
            edges,
            marks: d,
            rings,
            dots: lay
                .junctions
                .iter()
                .map(|&(x, y)| Point { x: px(x), y: px(y) })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        }
    }
}

/// The least and most rows a cardinality allows (2 standing for many).
fn bounds(c: Cardinality) -> (u8, u8) {
    match c {
        Cardinality::ZeroOrOne => (0, 1),
        Cardinality::ExactlyOne => (1, 1),
        Cardinality::ZeroOrMore => (0, 2),
        Cardinality::OneOrMore => (1, 2),
    }
}

/// Path data of an orthogonal polyline: `M x y` then `H x` / `V y` steps.
pub fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    let mut prev: Option<(i64, i64)> = None;
    for &(x, y) in points {
        let (x, y) = (px(x), px(y));
        let _ = match prev {
            None => write!(d, "M{x} {y}"),
            Some((_, py)) if py == y => write!(d, "H{x}"),
            Some((px_, _)) if px_ == x => write!(d, "V{y}"),
            Some(_) => write!(d, "L{x} {y}"),
        };
        prev = Some((x, y));
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_use_horizontal_and_vertical_steps() {
        assert_eq!(
            path(&[(0.0, 0.0), (10.0, 0.0), (10.0, 20.4), (30.0, 20.4)]),
            "M0 0H10V20H30"
        );
        assert_eq!(path(&[(0.0, 0.0), (5.0, 5.0)]), "M0 0L5 5");
    }
}
