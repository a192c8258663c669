//! Schema documentation pages: the tbls-format Markdown (index and one page per table or
//! view), their HTML twins, and `schema.json` in tbls's JSON format.

use crate::hash::HashMap;

use serde::Serialize;

use super::er::{Er, schema_label, svg_page, table_label};
use super::links::{encode_segment, relative};
use super::{Page, slug};
use crate::config::ErFormat;
use crate::er::{self, Diagram, ErOptions, Scope};
use crate::model::schema::{Column, Constraint, Index, Schema, Table, TableKind, Trigger};

/// Resolved settings for the schema pages (config file, tbls file and defaults merged).
#[derive(Debug, Clone)]
pub struct SchemaOptions {
    /// Folder of the schema pages inside the site.
    pub dir: String,
    /// File name of the Markdown index page.
    pub index_md: String,
    pub adjust: bool,
    /// tbls's hideColumnsWithoutValues, lower-cased.
    pub hide_columns: Vec<String>,
    pub link_prefix: String,
    pub link_suffix: String,
    pub er_image: String,
    pub er_format: ErFormat,
    pub er: ErOptions,
}

impl Default for SchemaOptions {
    fn default() -> Self {
        SchemaOptions {
            dir: "schema".into(),
            index_md: "README.md".into(),
            adjust: true,
            hide_columns: Vec::new(),
            link_prefix: String::new(),
            link_suffix: ".md".into(),
            er_image: "{name}.svg".into(),
            er_format: ErFormat::Svg,
            er: ErOptions::default(),
        }
    }
}

/// A link to another table's page; `url` is empty for tables outside the documents.
#[derive(Serialize)]
pub struct Link<'a> {
    pub name: &'a str,
    pub url: String,
}

/// Which optional columns of the Columns table are shown (tbls's rules).
#[derive(Serialize)]
pub struct Visible {
    pub extra_def: bool,
    pub children: bool,
    pub parents: bool,
    pub comment: bool,
}

#[derive(Serialize)]
pub struct ColumnRow<'a> {
    #[serde(flatten)]
    pub column: &'a Column,
    /// Default value as text (empty when none).
    pub default_text: &'a str,
    pub children: Vec<Link<'a>>,
    pub parents: Vec<Link<'a>>,
    /// HTML anchor of the column.
    pub anchor: String,
}

/// A row of a table list (index page, Referenced Tables).
#[derive(Serialize)]
pub struct TableRow<'a> {
    pub name: &'a str,
    pub url: String,
    pub html_url: String,
    /// Column count; `None` for tables outside the schema.
    pub columns: Option<usize>,
    pub comment: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub row_count: Option<u64>,
}

/// Context of `md/schema/table.md` and `html/schema/table.html`.
#[derive(Serialize)]
pub struct TablePage<'a> {
    pub schema_name: &'a str,
    pub table: &'a Table,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub show: Visible,
    pub columns: Vec<ColumnRow<'a>>,
    pub constraints: &'a [Constraint],
    pub constraint_comments: bool,
    pub indexes: &'a [Index],
    pub index_comments: bool,
    pub triggers: &'a [Trigger],
    pub trigger_comments: bool,
    pub referenced_tables: Vec<TableRow<'a>>,
    pub er: Er,
    pub adjust: bool,
    /// Path of this page from the site root, for the HTML layout.
    pub path: String,
    pub root: String,
}

/// Context of `md/schema/index.md` and `html/schema/index.html`.
#[derive(Serialize)]
pub struct IndexPage<'a> {
    pub schema_name: &'a str,
    pub desc: &'a str,
    pub tables: Vec<TableRow<'a>>,
    pub er: Er,
    pub adjust: bool,
    pub path: String,
    pub root: String,
}

/// Stems of the files of each table inside the schema folder.
pub fn file_stems(schema: &Schema, opts: &SchemaOptions) -> HashMap<String, String> {
    let index_stem = opts.index_md.trim_end_matches(".md");
    slug::assign(
        schema.tables.iter().map(|t| t.name.as_str()),
        &["index", "schema", index_stem],
    )
}

struct Ctx<'s> {
    opts: &'s SchemaOptions,
    stems: HashMap<String, String>,
    schema: &'s Schema,
}

impl Ctx<'_> {
    /// The Markdown link to a table's page: prefix, the page's file stem (the name
    /// itself for portable names), suffix; empty for tables outside the documents.
    fn md_url(&self, name: &str) -> String {
        match self.stems.get(name) {
            Some(stem) => format!(
                "{}{}{}",
                self.opts.link_prefix,
                encode_segment(stem),
                self.opts.link_suffix
            ),
            None => String::new(),
        }
    }

    fn html_file(&self, name: &str) -> Option<String> {
        self.stems
            .get(name)
            .map(|s| format!("{}/{s}.html", self.opts.dir))
    }

    fn html_url(&self, from: &str, name: &str) -> String {
        self.html_file(name)
            .map(|f| relative(from, &f))
            .unwrap_or_default()
    }

    /// The diagram of `scope`, with links relative to `from`.
    fn diagram(&self, scope: Scope<'_>, from: &str) -> Diagram {
        er::draw(self.schema, scope, &self.opts.er, &|name| {
            self.html_file(name).map(|f| relative(from, &f))
        })
    }

    /// The `er` context of the page at `from`: the inline diagram for HTML, the Mermaid
    /// text for Markdown when configured. `stem` names the `.svg` file.
    fn er(&self, stem: &str, scope: Scope<'_>, from: &str, diagram: &Diagram, label: &str) -> Er {
        let md = !from.ends_with(".html");
        Er {
            image: self.opts.er_image.replace("{name}", &encode_segment(stem)),
            html_image: relative(from, &format!("{}/{stem}.svg", self.opts.dir)),
            label: label.to_string(),
            diagram: (!md).then(|| diagram.clone()),
            mermaid: (md && self.opts.er_format == ErFormat::Mermaid)
                .then(|| er::mermaid(self.schema, scope, &self.opts.er)),
        }
    }

    fn row<'a>(&self, t: &'a Table, from: &str) -> TableRow<'a> {
        TableRow {
            name: &t.name,
            url: self.md_url(&t.name),
            html_url: self.html_url(from, &t.name),
            columns: Some(t.columns.len()),
            comment: t.index_comment.as_deref().unwrap_or(&t.comment),
            kind: t.kind.as_str(),
            row_count: t.row_count,
        }
    }
}

fn visible(t: &Table, hide: &[String]) -> Visible {
    // tbls always hides Extra Definition (and Occurrences, Percents, Labels) when empty.
    let hidden = |name: &str| hide.iter().any(|h| h == name);
    let any = |f: &dyn Fn(&Column) -> bool| t.columns.iter().any(f);
    Visible {
        extra_def: any(&|c| !c.extra_def.is_empty()),
        children: !hidden("children") || any(&|c| !c.children.is_empty()),
        parents: !hidden("parents") || any(&|c| !c.parents.is_empty()),
        comment: !hidden("comment") || any(&|c| !c.comment.is_empty()),
    }
}

/// An HTML anchor for a column: `column-` plus the name made safe.
pub fn column_anchor(name: &str) -> String {
    let mut a = String::from("column-");
    for c in name.chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            a.push(c);
        } else {
            a.push_str(&format!("_{:x}_", c as u32));
        }
    }
    a
}

/// All schema pages: Markdown and HTML for the index and each table, and schema.json.
pub fn pages<'a>(schema: &'a Schema, opts: &SchemaOptions) -> Vec<Page> {
    let ctx = Ctx {
        opts,
        stems: file_stems(schema, opts),
        schema,
    };
    let dir = &opts.dir;
    let mut out = Vec::with_capacity(schema.tables.len() * 2 + 3);
    let index_html = format!("{dir}/index.html");
    let index_md = format!("{dir}/{}", opts.index_md);
    let schema_svg = format!("{dir}/schema.svg");
    let schema_diagram = ctx.diagram(Scope::Schema, &schema_svg);
    let label = schema_label(&schema.name);
    out.push(svg_page(schema_svg, &schema_diagram, &label));
    for (ext, path) in [("md", &index_md), ("html", &index_html)] {
        let page = IndexPage {
            schema_name: &schema.name,
            desc: &schema.desc,
            tables: schema.tables.iter().map(|t| ctx.row(t, path)).collect(),
            er: ctx.er("schema", Scope::Schema, path, &schema_diagram, &label),
            adjust: opts.adjust,
            root: super::links::root_of(path),
            path: path.clone(),
        };
        let name = if ext == "md" {
            "md/schema/index.md"
        } else {
            "html/schema/index.html"
        };
        out.push(Page::template(path.clone(), name, &page));
    }
    for t in &schema.tables {
        let stem = &ctx.stems[&t.name];
        let svg = format!("{dir}/{stem}.svg");
        let scope = Scope::Table(&t.name);
        let diagram = ctx.diagram(scope, &svg);
        let label = table_label(&t.name, opts.er.distance);
        out.push(svg_page(svg, &diagram, &label));
        for ext in ["md", "html"] {
            let path = format!("{dir}/{stem}.{ext}");
            let link = |n: &'a String| -> Link<'a> {
                Link {
                    name: n,
                    url: if ext == "md" {
                        ctx.md_url(n)
                    } else {
                        ctx.html_url(&path, n)
                    },
                }
            };
            let page = TablePage {
                schema_name: &schema.name,
                table: t,
                kind: t.kind.as_str(),
                show: visible(t, &opts.hide_columns),
                columns: t
                    .columns
                    .iter()
                    .map(|c| ColumnRow {
                        column: c,
                        default_text: c.default.as_deref().unwrap_or(""),
                        children: c.children.iter().map(link).collect(),
                        parents: c.parents.iter().map(link).collect(),
                        anchor: column_anchor(&c.name),
                    })
                    .collect(),
                constraints: &t.constraints,
                constraint_comments: t.constraints.iter().any(|c| !c.comment.is_empty()),
                indexes: &t.indexes,
                index_comments: t.indexes.iter().any(|i| !i.comment.is_empty()),
                triggers: &t.triggers,
                trigger_comments: t.triggers.iter().any(|i| !i.comment.is_empty()),
                referenced_tables: t
                    .referenced_tables
                    .iter()
                    .map(|name| match schema.table(name) {
                        Some(rt) => ctx.row(rt, &path),
                        None => TableRow {
                            name,
                            url: String::new(),
                            html_url: String::new(),
                            columns: None,
                            comment: "",
                            kind: "",
                            row_count: None,
                        },
                    })
                    .collect(),
                er: ctx.er(stem, scope, &path, &diagram, &label),
                adjust: opts.adjust,
                root: super::links::root_of(&path),
                path: path.clone(),
            };
            let name = if ext == "md" {
                "md/schema/table.md"
            } else {
                "html/schema/table.html"
            };
            out.push(Page::template(path, name, &page));
        }
    }
    out.push(Page::raw(
        format!("{dir}/schema.json"),
        tbls_json(schema).into_bytes(),
    ));
    out
}

/// The schema in tbls's JSON format (`tbls out -t json`), readable by tools that read
/// tbls output.
pub fn tbls_json(schema: &Schema) -> String {
    use serde_json::{Map, Value, json};
    let tables: Vec<Value> = schema
        .tables
        .iter()
        .map(|t| {
            let mut m = Map::new();
            m.insert("name".into(), json!(t.name));
            m.insert("type".into(), json!(t.kind.as_str()));
            if !t.comment.is_empty() {
                m.insert("comment".into(), json!(t.comment));
            }
            let cols: Vec<Value> = t
                .columns
                .iter()
                .map(|c| {
                    let mut cm = Map::new();
                    cm.insert("name".into(), json!(c.name));
                    cm.insert("type".into(), json!(c.ty));
                    cm.insert("nullable".into(), json!(c.nullable));
                    if let Some(d) = &c.default {
                        cm.insert("default".into(), json!(d));
                    }
                    if !c.extra_def.is_empty() {
                        cm.insert("extra_def".into(), json!(c.extra_def));
                    }
                    if !c.comment.is_empty() {
                        cm.insert("comment".into(), json!(c.comment));
                    }
                    Value::Object(cm)
                })
                .collect();
            m.insert("columns".into(), Value::Array(cols));
            let with_comment = |mut v: Map<String, Value>, c: &str| {
                if !c.is_empty() {
                    v.insert("comment".into(), json!(c));
                }
                Value::Object(v)
            };
            if !t.indexes.is_empty() {
                let v: Vec<Value> = t
                    .indexes
                    .iter()
                    .map(|i| {
                        let mut o = Map::new();
                        o.insert("name".into(), json!(i.name));
                        o.insert("def".into(), json!(i.def));
                        o.insert("table".into(), json!(t.name));
                        o.insert("columns".into(), json!(i.columns));
                        with_comment(o, &i.comment)
                    })
                    .collect();
                m.insert("indexes".into(), Value::Array(v));
            }
            if !t.constraints.is_empty() {
                let v: Vec<Value> = t
                    .constraints
                    .iter()
                    .map(|c| {
                        let mut o = Map::new();
                        o.insert("name".into(), json!(c.name));
                        o.insert("type".into(), json!(c.kind));
                        o.insert("def".into(), json!(c.def));
                        o.insert("table".into(), json!(t.name));
                        if !c.columns.is_empty() {
                            o.insert("columns".into(), json!(c.columns));
                        }
                        if let Some(r) = &c.referenced_table {
                            o.insert("referenced_table".into(), json!(r));
                            o.insert("referenced_columns".into(), json!(c.referenced_columns));
                        }
                        with_comment(o, &c.comment)
                    })
                    .collect();
                m.insert("constraints".into(), Value::Array(v));
            }
            if !t.triggers.is_empty() {
                let v: Vec<Value> = t
                    .triggers
                    .iter()
                    .map(|tr| {
                        let mut o = Map::new();
                        o.insert("name".into(), json!(tr.name));
                        o.insert("def".into(), json!(tr.def));
                        with_comment(o, &tr.comment)
                    })
                    .collect();
                m.insert("triggers".into(), Value::Array(v));
            }
            if !t.def.is_empty() {
                m.insert("def".into(), json!(t.def));
            }
            if t.kind == TableKind::View && !t.referenced_tables.is_empty() {
                m.insert("referenced_tables".into(), json!(t.referenced_tables));
            }
            Value::Object(m)
        })
        .collect();
    let relations: Vec<Value> = schema
        .relations
        .iter()
        .map(|r| {
            let mut o = Map::new();
            o.insert("table".into(), json!(r.table));
            o.insert("columns".into(), json!(r.columns));
            o.insert("cardinality".into(), json!(r.cardinality.tbls_name()));
            o.insert("parent_table".into(), json!(r.parent_table));
            o.insert("parent_columns".into(), json!(r.parent_columns));
            o.insert(
                "parent_cardinality".into(),
                json!(r.parent_cardinality.tbls_name()),
            );
            o.insert("def".into(), json!(r.def));
            if r.is_virtual {
                o.insert("virtual".into(), json!(true));
            }
            Value::Object(o)
        })
        .collect();
    let mut top = Map::new();
    top.insert("name".into(), json!(schema.name));
    if !schema.desc.is_empty() {
        top.insert("desc".into(), json!(schema.desc));
    }
    top.insert("tables".into(), Value::Array(tables));
    if !relations.is_empty() {
        top.insert("relations".into(), Value::Array(relations));
    }
    top.insert(
        "driver".into(),
        json!({"name": "sqlite", "database_version": schema.database_version}),
    );
    let mut s = serde_json::to_string_pretty(&Value::Object(top)).expect("JSON values serialize");
    s.push('\n');
    s
}
