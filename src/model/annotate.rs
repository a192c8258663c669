//! Shaping a read [`Schema`] by configuration: comments from files, relations declared
//! by hand, and tbls's include / exclude filter. Pure functions on plain data.

use crate::config::CommentConfig;
use crate::config::tbls::TblsRelation;
use crate::model::schema::{Cardinality, Schema};

/// Applies comments in order (later ones win) and returns what could not be applied.
pub fn apply_comments(schema: &mut Schema, comments: &[CommentConfig]) -> Vec<String> {
    let mut unknown = Vec::new();
    for cc in comments {
        let Some(t) = schema.table_mut(&cc.table) else {
            unknown.push(format!(
                "comments name table '{}', which is not in the database",
                cc.table
            ));
            continue;
        };
        if let Some(c) = &cc.comment {
            t.comment = c.clone();
        }
        if let Some(c) = &cc.index_comment {
            t.index_comment = Some(c.clone());
        }
        for (col, text) in &cc.columns {
            match t.columns.iter_mut().find(|c| &c.name == col) {
                Some(c) => c.comment = text.clone(),
                None => unknown.push(format!(
                    "comments name column '{col}' of table '{}', which has no such column",
                    cc.table
                )),
            }
        }
        for (name, text) in &cc.indexes {
            for i in t.indexes.iter_mut().filter(|i| &i.name == name) {
                i.comment = text.clone();
            }
        }
        for (name, text) in &cc.constraints {
            for c in t.constraints.iter_mut().filter(|c| &c.name == name) {
                c.comment = text.clone();
            }
        }
        for (name, text) in &cc.triggers {
            for tr in t.triggers.iter_mut().filter(|tr| &tr.name == name) {
                tr.comment = text.clone();
            }
        }
    }
    unknown
}

/// Adds relations declared in a tbls configuration (`relations:`).
pub fn add_relations(schema: &mut Schema, relations: &[TblsRelation]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in relations {
        if schema.table(&r.table).is_none() {
            problems.push(format!(
                "relation names table '{}', which is not in the database",
                r.table
            ));
            continue;
        }
        let def = r
            .def
            .clone()
            .unwrap_or_else(|| "Additional Relation".into());
        schema.relations.push(crate::model::schema::Relation {
            table: r.table.clone(),
            columns: r.columns.clone(),
            cardinality: Cardinality::ZeroOrMore,
            parent_table: r.parent_table.clone(),
            parent_columns: r.parent_columns.clone(),
            parent_cardinality: Cardinality::ExactlyOne,
            def,
            is_virtual: true,
            dangling: schema.table(&r.parent_table).is_none(),
        });
    }
    schema.link_relations();
    problems
}

/// tbls's wildcard match: `*` matches any run of characters, everything else itself.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Length of the first matching pattern without its wildcards (tbls's tie-breaker).
fn match_length(patterns: &[String], name: &str) -> Option<usize> {
    patterns
        .iter()
        .find(|p| wildcard_match(p, name))
        .map(|p| p.replace('*', "").len())
}

/// Keeps the tables tbls would keep for `include` / `exclude`: a table matching both
/// is kept only when its include pattern is at least as specific. Relations to removed
/// tables are dropped, as tbls does.
pub fn filter_tables(schema: &mut Schema, include: &[String], exclude: &[String]) {
    let keep: Vec<bool> = schema
        .tables
        .iter()
        .map(|t| {
            let inc = match_length(include, &t.name);
            let exc = match_length(exclude, &t.name);
            match (inc, exc) {
                (Some(li), Some(le)) => li >= le,
                (Some(_), None) => true,
                (None, exc) => include.is_empty() && exc.is_none(),
            }
        })
        .collect();
    let mut i = 0;
    schema.tables.retain(|_| {
        i += 1;
        keep[i - 1]
    });
    let names: crate::hash::HashSet<String> =
        schema.tables.iter().map(|t| t.name.clone()).collect();
    schema
        .relations
        .retain(|r| names.contains(&r.table) && (names.contains(&r.parent_table) || r.dangling));
    schema.link_relations();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("ur_*", "ur_ingest"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*c*e", "abcde"));
        assert!(!wildcard_match("a*c", "abd"));
        assert!(wildcard_match("exact", "exact"));
        assert!(!wildcard_match("exact", "exactly"));
    }
}
