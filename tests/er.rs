//! ER diagrams: what they show (composite keys, self-references, lone tables,
//! neighbours within a distance, keys-only boxes), that the layout keeps its promises
//! (no overlapping boxes, edges that never run through a box, orthogonal paths that
//! start and end at the right rows), escaping in SVG and Mermaid, and determinism.

use std::collections::BTreeMap;

use osx_report::build::Body;
use osx_report::build::schema::{SchemaOptions, pages};
use osx_report::config::ErFormat;
use osx_report::er::graph::Graph;
use osx_report::er::layout::{Input, Layout, layout};
use osx_report::er::{self, ErOptions, SchemaColumns, Scope};
use osx_report::model::schema::Schema;

fn schema(sql: &str) -> Schema {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(sql).unwrap();
    osx_report::read::schema::read_schema(&conn, "test").unwrap()
}

/// Every page of the schema docs, rendered.
fn render(s: &Schema, opts: &SchemaOptions) -> BTreeMap<String, String> {
    let env = osx_report::render::templates::environment(None).unwrap();
    pages(s, opts)
        .into_iter()
        .map(|p| {
            let text = match &p.body {
                Body::Template { name, context } => {
                    env.get_template(name).unwrap().render(context).unwrap()
                }
                Body::Raw(b) => String::from_utf8(b.clone()).unwrap(),
                Body::FromDb { .. } => unreachable!("schema pages never copy from the database"),
            };
            (p.path, text)
        })
        .collect()
}

/// A schema of `n` tables with foreign keys picked by a fixed pseudo-random sequence:
/// chains, fan-outs, cycles, a composite key, a self-reference and lone tables.
fn synthetic(n: usize) -> String {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) as usize) % m.max(1)
    };
    let mut sql = String::new();
    for i in 0..n {
        sql.push_str(&format!("CREATE TABLE t{i} (id INTEGER PRIMARY KEY"));
        for c in 0..next(6) {
            sql.push_str(&format!(", col{c} TEXT"));
        }
        let fks = if i % 9 == 8 { 0 } else { next(4) };
        for f in 0..fks {
            let target = if i > 0 && next(10) > 0 {
                next(i)
            } else {
                next(n)
            };
            let not_null = if next(2) == 0 { " NOT NULL" } else { "" };
            sql.push_str(&format!(
                ", ref{f} INTEGER{not_null} REFERENCES t{target}(id)"
            ));
        }
        sql.push_str(");\n");
    }
    sql.push_str(
        "CREATE TABLE pair (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
         CREATE TABLE pair_child (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER,
             FOREIGN KEY (x, y) REFERENCES pair (a, b));
         CREATE TABLE tree (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES tree(id),
             t0_id INTEGER REFERENCES t0(id));",
    );
    sql
}

/// The layout's promises: boxes do not overlap, edges are orthogonal, start and end on
/// their boxes' sides at their rows, and never pass through a box.
fn check_geometry(input: &Input, lay: &Layout) {
    let rect = |i: usize| {
        let (x, y) = lay.pos[i];
        (x, y, x + input.nodes[i].w, y + input.nodes[i].h)
    };
    for i in 0..input.nodes.len() {
        for j in i + 1..input.nodes.len() {
            let (a, b) = (rect(i), rect(j));
            let apart =
                a.2 + 8.0 <= b.0 || b.2 + 8.0 <= a.0 || a.3 + 8.0 <= b.1 || b.3 + 8.0 <= a.1;
            assert!(apart, "boxes {i} {a:?} and {j} {b:?} overlap");
        }
        let r = rect(i);
        assert!(r.0 >= 0.0 && r.1 >= 0.0 && r.2 <= lay.width && r.3 <= lay.height);
    }
    for (k, (link, route)) in input.links.iter().zip(&lay.routes).enumerate() {
        let pts = &route.points;
        assert!(pts.len() >= 2, "link {k} has no path");
        let end = |node: usize, port: usize, out: f64, p: (f64, f64)| {
            let r = rect(node);
            let x = if out > 0.0 { r.2 } else { r.0 };
            assert_eq!(p, (x, r.1 + input.nodes[node].ports[port]), "link {k} end");
        };
        end(link.parent, link.parent_port, route.parent_out, pts[0]);
        end(
            link.child,
            link.child_port,
            route.child_out,
            *pts.last().unwrap(),
        );
        for w in pts.windows(2) {
            let ((x1, y1), (x2, y2)) = (w[0], w[1]);
            assert!(x1 == x2 || y1 == y2, "link {k}: diagonal step {w:?}");
            for b in 0..input.nodes.len() {
                let (l, t, r, bt) = rect(b);
                let e = 0.5;
                let crosses = if y1 == y2 {
                    y1 > t + e && y1 < bt - e && x1.max(x2) > l + e && x1.min(x2) < r - e
                } else {
                    x1 > l + e && x1 < r - e && y1.max(y2) > t + e && y1.min(y2) < bt - e
                };
                assert!(!crosses, "link {k} step {w:?} runs through box {b}");
            }
        }
    }
}

#[test]
fn layouts_keep_their_promises() {
    let s = schema(&synthetic(40));
    for keys in [SchemaColumns::Keys, SchemaColumns::All] {
        let opts = ErOptions {
            schema_columns: keys,
            ..ErOptions::default()
        };
        let input = Graph::select(&s, Scope::Schema, &opts).layout_input();
        assert!(input.links.len() > 40, "the fixture has edges");
        check_geometry(&input, &layout(&input));
    }
    for t in &s.tables {
        for distance in [1, 2] {
            let opts = ErOptions {
                distance,
                ..ErOptions::default()
            };
            let input = Graph::select(&s, Scope::Table(&t.name), &opts).layout_input();
            check_geometry(&input, &layout(&input));
        }
    }
}

#[test]
fn composite_keys_draw_every_column() {
    let s = schema(
        "CREATE TABLE p (a TEXT NOT NULL, b TEXT NOT NULL, note TEXT, PRIMARY KEY (a, b));
         CREATE TABLE c (id INTEGER PRIMARY KEY, x TEXT NOT NULL, y TEXT NOT NULL,
             FOREIGN KEY (x, y) REFERENCES p (a, b));",
    );
    let g = Graph::select(&s, Scope::Table("c"), &ErOptions::default());
    let pairs: Vec<(&str, &str)> = g
        .edges
        .iter()
        .map(|e| {
            let child = g.tables[e.child].rows[e.child_row].name.as_str();
            (child, g.tables[e.parent].rows[e.parent_row].name.as_str())
        })
        .collect();
    assert_eq!(pairs, vec![("x", "a"), ("y", "b")]);
    let d = er::draw(&s, Scope::Table("c"), &ErOptions::default(), &|_| None);
    assert_eq!(d.edges.len(), 2);
    assert_eq!(d.edges[1].title, "c.y → p.b");
    let m = er::mermaid(&s, Scope::Table("c"), &ErOptions::default());
    assert_eq!(
        m.relations.len(),
        1,
        "one relationship line per foreign key"
    );
    assert_eq!(m.relations[0].label, "(x, y)");
    assert_eq!(m.relations[0].symbol, "||--o{");
}

#[test]
fn self_references_loop_beside_their_box() {
    let s = schema(
        "CREATE TABLE node (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES node(id),
             name TEXT);",
    );
    let g = Graph::select(&s, Scope::Table("node"), &ErOptions::default());
    let input = g.layout_input();
    let lay = layout(&input);
    check_geometry(&input, &lay);
    let r = &lay.routes[0];
    assert_eq!(
        (r.parent_out, r.child_out),
        (1.0, 1.0),
        "both ends on the right"
    );
    assert_eq!(r.points.len(), 4);
    assert!(r.points[1].0 > r.points[0].0, "the loop leaves the box");
    let m = er::mermaid(&s, Scope::Schema, &ErOptions::default());
    assert_eq!(m.relations[0].parent, m.relations[0].child);
    assert_eq!(m.relations[0].symbol, "|o--o{");
}

#[test]
fn tables_without_relations_are_drawn_alone() {
    let s = schema(
        "CREATE TABLE a (id INTEGER PRIMARY KEY);
         CREATE TABLE b (id INTEGER PRIMARY KEY, x TEXT);
         CREATE TABLE c (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));",
    );
    let d = er::draw(&s, Scope::Table("b"), &ErOptions::default(), &|_| None);
    assert_eq!(d.tables.len(), 1);
    assert!(d.edges.is_empty() && d.marks.is_empty());
    assert!(d.tables[0].focus);
    let input = Graph::select(&s, Scope::Schema, &ErOptions::default()).layout_input();
    check_geometry(&input, &layout(&input));
}

#[test]
fn neighbours_within_the_distance() {
    let s = schema(
        "CREATE TABLE a (id INTEGER PRIMARY KEY);
         CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));
         CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b(id));
         CREATE TABLE d (id INTEGER PRIMARY KEY, c_id INTEGER REFERENCES c(id));",
    );
    let names = |distance| {
        let opts = ErOptions {
            distance,
            ..ErOptions::default()
        };
        let g = Graph::select(&s, Scope::Table("b"), &opts);
        g.tables
            .iter()
            .map(|t| t.table.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(0), ["b"]);
    assert_eq!(names(1), ["a", "b", "c"]);
    assert_eq!(names(2), ["a", "b", "c", "d"]);
}

#[test]
fn wide_tables_show_only_their_keys() {
    let s = schema(
        "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);
         CREATE TABLE w (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id),
             p_code TEXT REFERENCES p(code), c1 TEXT, c2 TEXT, c3 TEXT);",
    );
    let opts = ErOptions {
        keys_only_above: Some(4),
        ..ErOptions::default()
    };
    let d = er::draw(&s, Scope::Table("w"), &opts, &|_| None);
    let w = d.tables.iter().find(|t| t.name == "w").unwrap();
    let rows: Vec<&str> = w.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rows, ["id", "p_id", "p_code"]);
    assert_eq!(w.more.as_ref().unwrap().name, "… 3 more columns");
    // p is narrow: all its columns, the referenced `code` among them.
    let p = d.tables.iter().find(|t| t.name == "p").unwrap();
    assert_eq!(p.rows.len(), 2);
    assert_eq!(d.edges.len(), 2);
    // Every text fits its box (by the generous monospace estimate).
    use osx_report::er::text::{GAP_X, PAD_X, ROW_FONT, width};
    for t in &d.tables {
        let right = (t.w as f64) - PAD_X + 0.5;
        for r in &t.rows {
            let ty = if r.ty.is_empty() {
                0.0
            } else {
                GAP_X + width(&r.ty, ROW_FONT)
            };
            assert!(
                t.name_x as f64 + width(&r.name, ROW_FONT) + ty <= right,
                "{}",
                r.name
            );
        }
        let more = t.more.as_ref().map_or(0.0, |m| width(&m.name, ROW_FONT));
        assert!(t.name_x as f64 + more <= right, "{}: the more line", t.name);
    }
    // The schema diagram shows keys only by default.
    let whole = er::draw(&s, Scope::Schema, &ErOptions::default(), &|_| None);
    let w = whole.tables.iter().find(|t| t.name == "w").unwrap();
    assert_eq!(w.rows.len(), 3);
    assert!(w.rows.iter().all(|r| !r.key.is_empty()));
}

const ODD: &str = r#"CREATE TABLE "a<b & ""c"" 'd'" ("é id" INTEGER PRIMARY KEY, "名前" TEXT,
        "pk" TEXT, "50%" UNSIGNED BIG INT);
    CREATE TABLE "with space" (id INTEGER PRIMARY KEY,
        "ref</text>" INTEGER NOT NULL REFERENCES "a<b & ""c"" 'd'"("é id"));"#;

/// The `<svg>` element of a rendered page, parsed as XML.
fn svg_of(text: &str) -> String {
    let start = text.find("<svg").expect("an svg element");
    let end = text.rfind("</svg>").expect("a closed svg") + "</svg>".len();
    let svg = &text[start..end];
    roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{e}: {svg}"));
    svg.to_string()
}

#[test]
fn names_are_escaped_in_svg_files_and_inline() {
    let s = schema(ODD);
    let out = render(&s, &SchemaOptions::default());
    let svgs: Vec<&String> = out.keys().filter(|p| p.ends_with(".svg")).collect();
    assert_eq!(svgs.len(), 3, "{svgs:?}");
    for path in svgs {
        let text = &out[path];
        let doc = roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let texts: String = doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .collect();
        assert!(
            texts.contains("a<b & \"c\" 'd'"),
            "{path}: the name as text"
        );
        // The schema diagram shows key columns only.
        assert_eq!(
            texts.contains("名前"),
            !path.ends_with("schema.svg"),
            "{path}"
        );
        // Links point at pages that exist, relative to the .svg's folder.
        for a in doc.descendants().filter(|n| n.has_tag_name("a")) {
            let href = a.attribute("href").unwrap();
            let target = format!("schema/{}", percent_decode(href));
            assert!(out.contains_key(&target), "{path}: {href} -> {target}");
        }
    }
    for (path, text) in out.iter().filter(|(p, _)| p.ends_with(".html")) {
        let svg = svg_of(text);
        assert!(svg.contains("&lt;b &amp; &quot;c&quot;"), "{path}");
        assert!(
            !svg.contains("<style"),
            "{path}: inline diagrams use the site's CSS"
        );
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn mermaid_quotes_names_and_rewrites_words_it_cannot_take() {
    let s = schema(ODD);
    let opts = SchemaOptions {
        er_format: ErFormat::Mermaid,
        er: ErOptions {
            schema_columns: SchemaColumns::All,
            ..ErOptions::default()
        },
        ..SchemaOptions::default()
    };
    let out = render(&s, &opts);
    let md = &out["schema/README.md"];
    let block = md
        .split("```mermaid\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    assert!(block.starts_with("erDiagram\n"), "{block}");
    assert!(block.contains("    \"a<b & _c_ 'd'\" {\n"), "{block}");
    assert!(
        block.contains("        INTEGER __id PK \"name: é id\"\n"),
        "{block}"
    );
    assert!(block.contains("        TEXT pk_ \"name: pk\"\n"), "{block}");
    assert!(block.contains("UNSIGNED_BIG_INT _50_ \"name: 50%; type: UNSIGNED BIG INT\""));
    assert!(block.contains("    \"a<b & _c_ 'd'\" ||--o{ \"with space\" : \"ref</text>\"\n"));
    assert!(!md.contains("![er]"));
    // Markdown pages of tables embed their own diagram.
    let mds: Vec<&String> = out.keys().filter(|p| p.ends_with(".md")).collect();
    assert_eq!(mds.len(), 3);
    for p in mds {
        assert!(out[p].contains("```mermaid\nerDiagram\n"), "{p}");
    }
}

#[test]
fn the_same_schema_gives_the_same_bytes() {
    let s = schema(&synthetic(30));
    let a = render(&s, &SchemaOptions::default());
    let b = render(&schema(&synthetic(30)), &SchemaOptions::default());
    let svg = |m: &BTreeMap<String, String>| {
        m.iter()
            .filter(|(p, _)| p.ends_with(".svg") || p.ends_with(".html"))
            .map(|(p, t)| format!("{p}\n{t}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(svg(&a), svg(&b));
}

#[test]
fn the_focus_table_stands_out_and_links_to_pages() {
    let s = schema(&synthetic(12));
    let d = er::draw(&s, Scope::Table("t5"), &ErOptions::default(), &|n| {
        Some(format!("{n}.html"))
    });
    let focus: Vec<&str> = d
        .tables
        .iter()
        .filter(|t| t.focus)
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(focus, ["t5"]);
    assert!(
        d.tables
            .iter()
            .all(|t| t.link == Some(format!("{}.html", t.name)))
    );
    let whole = er::draw(&s, Scope::Schema, &ErOptions::default(), &|_| None);
    assert!(whole.tables.iter().all(|t| !t.focus));
}

fn build_args(dir: &std::path::Path) -> osx_report::cli::BuildArgs {
    osx_report::cli::BuildArgs {
        db: dir.join("db.sqlite"),
        out: Some(dir.join("site")),
        config: None,
        templates: None,
        tbls: None,
        dump_context: false,
        quiet: true,
        ci: Default::default(),
    }
}

#[test]
fn settings_come_from_tbls_then_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = build_args(dir.path());
    let er =
        |args: &osx_report::cli::BuildArgs| osx_report::Settings::resolve(args).unwrap().schema;
    let defaults = er(&args);
    assert_eq!(defaults.er.distance, 1, "tbls's default");
    assert_eq!(defaults.er.keys_only_above, Some(30));
    assert_eq!(defaults.er.schema_columns, SchemaColumns::Keys);
    assert_eq!(defaults.er_format, ErFormat::Svg);
    std::fs::write(dir.path().join("tbls.yml"), "er:\n  distance: 3\n").unwrap();
    args.tbls = Some(dir.path().join("tbls.yml"));
    assert_eq!(er(&args).er.distance, 3);
    std::fs::write(
        dir.path().join("osx-report.toml"),
        "[schema.markdown]\ner_format = \"mermaid\"\n\n[schema.er]\ndistance = 2\n\
         keys_only_above = 5\nschema_columns = \"all\"\n",
    )
    .unwrap();
    args.config = Some(dir.path().join("osx-report.toml"));
    let o = er(&args);
    assert_eq!(o.er.distance, 2);
    assert_eq!(o.er.keys_only_above, Some(5));
    assert_eq!(o.er.schema_columns, SchemaColumns::All);
    assert_eq!(o.er_format, ErFormat::Mermaid);
}

#[test]
fn a_build_writes_the_svg_files_beside_the_pages() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("db.sqlite")).unwrap();
    conn.execute_batch(
        "CREATE TABLE a (id INTEGER PRIMARY KEY);
         CREATE TABLE \"b c\" (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));",
    )
    .unwrap();
    drop(conn);
    osx_report::build_site(&build_args(dir.path())).unwrap();
    let schema_dir = dir.path().join("site/schema");
    let mut svgs: Vec<String> = std::fs::read_dir(&schema_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".svg"))
        .collect();
    svgs.sort();
    assert_eq!(svgs.len(), 3, "{svgs:?}");
    for svg in &svgs {
        let stem = svg.trim_end_matches(".svg");
        if stem != "schema" {
            assert!(schema_dir.join(format!("{stem}.html")).is_file(), "{stem}");
            // The Markdown page shows the image of its own file name.
            let md = std::fs::read_to_string(schema_dir.join(format!("{stem}.md"))).unwrap();
            assert!(md.contains(&format!("![er]({stem}.svg)")), "{md}");
        }
    }
    let readme = std::fs::read_to_string(schema_dir.join("README.md")).unwrap();
    assert!(readme.contains("![er](schema.svg)"));
}

#[test]
fn a_shared_key_shows_the_cardinality_true_of_all_its_edges() {
    let s = schema(
        "CREATE TABLE p (id INTEGER PRIMARY KEY);
         CREATE TABLE must (id INTEGER PRIMARY KEY, p_id INTEGER NOT NULL REFERENCES p(id));
         CREATE TABLE may (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));",
    );
    let d = er::draw(&s, Scope::Table("p"), &ErOptions::default(), &|_| None);
    let p = d.tables.iter().find(|t| t.name == "p").unwrap();
    let (x, y) = (p.x + p.w, p.y + osx_report::er::text::row_center(0) as i64);
    // exactly-one and zero-or-one meet at p.id: zero-or-one (a bar and a ring)
    assert!(
        d.rings.contains(&er::diagram::Point { x: x + 17, y }),
        "{:?}",
        d.rings
    );
    assert!(d.marks.contains(&format!("M{} {}V{}", x + 8, y - 6, y + 6)));
    assert!(
        !d.marks.contains(&format!("M{} {}V", x + 13, y - 6)),
        "{}",
        d.marks
    );
}
