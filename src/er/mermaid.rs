//! The same diagrams as Mermaid `erDiagram` text for Markdown pages (GitHub renders it).
//! Mermaid is strict about words: entity names are always quoted (an unquoted `order` or
//! `toast` would be read as a keyword), and attribute types and names that are not plain
//! words are rewritten with `_` and the original given as the attribute's comment.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::graph::{self, Graph};
use crate::model::schema::Cardinality;

/// Context of `md/er.mermaid`.
#[derive(Debug, Clone, Serialize)]
pub struct Mermaid {
    pub entities: Vec<Entity>,
    pub relations: Vec<Rel>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Entity {
    /// The quoted name, ready to write.
    pub name: String,
    pub attrs: Vec<Attr>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Attr {
    pub ty: String,
    pub name: String,
    /// `PK`, `FK`, `PK, FK` or empty.
    pub keys: &'static str,
    /// Text for the comment (without quotes), or empty.
    pub comment: String,
}

/// `parent left line right child : "label"`
#[derive(Debug, Clone, Serialize)]
pub struct Rel {
    pub parent: String,
    pub child: String,
    /// The whole relationship symbol, e.g. `||--o{`.
    pub symbol: String,
    pub label: String,
}

impl Mermaid {
    pub fn build(g: &Graph<'_>) -> Mermaid {
        let mut taken = BTreeSet::new();
        let mut names = BTreeMap::new();
        for t in &g.tables {
            let base = entity_name(&t.table.name);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            names.insert(t.table.name.as_str(), format!("\"{name}\""));
        }
        let entities = g
            .tables
            .iter()
            .map(|t| Entity {
                name: names[t.table.name.as_str()].clone(),
                attrs: t
                    .rows
                    .iter()
                    .map(|c| {
                        let (name, name_changed) = word(&c.name, false);
                        let ty_text = if c.ty.trim().is_empty() {
                            "ANY"
                        } else {
                            c.ty.trim()
                        };
                        let (ty, ty_changed) = word(ty_text, true);
                        let mut notes = Vec::new();
                        if name_changed {
                            notes.push(format!("name: {}", c.name));
                        }
                        if ty_changed {
                            notes.push(format!("type: {ty_text}"));
                        }
                        Attr {
                            ty,
                            name,
                            keys: match graph::badge(c) {
                                "PK FK" => "PK, FK",
                                b => b,
                            },
                            comment: comment(&notes.join("; ")),
                        }
                    })
                    .collect(),
            })
            .collect();
        let mut relations = Vec::new();
        let mut seen = BTreeSet::new();
        for e in &g.edges {
            let r = e.relation;
            if !seen.insert(r as *const _ as usize) {
                continue;
            }
            let line = if r.is_virtual { ".." } else { "--" };
            let label = if r.columns.len() == 1 {
                r.columns[0].clone()
            } else {
                format!("({})", r.columns.join(", "))
            };
            relations.push(Rel {
                parent: names[r.parent_table.as_str()].clone(),
                child: names[r.table.as_str()].clone(),
                symbol: format!(
                    "{}{line}{}",
                    left(r.parent_cardinality),
                    right(r.cardinality)
                ),
                label: comment(&label),
            });
        }
        Mermaid {
            entities,
            relations,
        }
    }
}

fn left(c: Cardinality) -> &'static str {
    match c {
        Cardinality::ZeroOrOne => "|o",
        Cardinality::ExactlyOne => "||",
        Cardinality::ZeroOrMore => "}o",
        Cardinality::OneOrMore => "}|",
    }
}

fn right(c: Cardinality) -> &'static str {
    match c {
        Cardinality::ZeroOrOne => "o|",
        Cardinality::ExactlyOne => "||",
        Cardinality::ZeroOrMore => "o{",
        Cardinality::OneOrMore => "|{",
    }
}

/// A name for inside `"..."`: Mermaid forbids `"`, `%`, `\` and line breaks there.
fn entity_name(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if matches!(c, '"' | '%' | '\\') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if out.trim().is_empty() {
        "_".into()
    } else {
        out
    }
}

/// A plain Mermaid attribute word, and whether it had to change. Names take letters,
/// digits and `_`; types also `(`, `)` and `[`, `]` (as in `VARCHAR(20)`). `PK`, `FK`
/// and `UK` are keywords.
fn word(s: &str, is_type: bool) -> (String, bool) {
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || (is_type && "()[]".contains(c));
    let mut out: String = s.chars().map(|c| if ok(c) { c } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    if matches!(out.to_ascii_uppercase().as_str(), "PK" | "FK" | "UK") {
        out.push('_');
    }
    let changed = out != s;
    (out, changed)
}

/// Text for a Mermaid string: no `"` and no line breaks.
fn comment(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_mermaid_cannot_take_are_rewritten() {
        assert_eq!(word("device_id", false), ("device_id".into(), false));
        assert_eq!(word("VARCHAR(20)", true), ("VARCHAR(20)".into(), false));
        assert_eq!(word("my col", false), ("my_col".into(), true));
        assert_eq!(word("1st", false), ("_1st".into(), true));
        assert_eq!(word("pk", false), ("pk_".into(), true));
        assert_eq!(
            word("UNSIGNED BIG INT", true),
            ("UNSIGNED_BIG_INT".into(), true)
        );
        assert_eq!(word("名前", false), ("__".into(), true));
    }

    #[test]
    fn entity_names_lose_only_what_quotes_cannot_hold() {
        assert_eq!(entity_name("a b <c> & d"), "a b <c> & d");
        assert_eq!(entity_name("50% \"off\""), "50_ _off_");
        assert_eq!(comment("say \"hi\"\nnow"), "say 'hi' now");
    }
}
