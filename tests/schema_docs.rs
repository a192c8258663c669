//! Schema docs for the fixture databases in `tests/fixtures/`: every Markdown page and
//! `schema.json` is snapshotted (a change in output is a reviewed diff), and each rule
//! of the tbls format has a targeted test named after what it guards.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{db_from_sql, fixture_db, fixtures, section_column, section_rows};
use osx_report::cli::BuildArgs;

/// Options of one build besides the database.
#[derive(Default)]
struct Opts {
    tbls: Option<&'static str>,
    config: Option<&'static str>,
}

/// A fixture database built into the site of a temporary folder.
struct Site {
    _dir: tempfile::TempDir,
    db: PathBuf,
    out: PathBuf,
}

impl Site {
    fn schema_dir(&self) -> PathBuf {
        self.out.join("schema")
    }

    /// The Markdown page whose front matter names `table`.
    fn page(&self, table: &str) -> String {
        let want = format!("title: {}", osx_report::render::filters::yaml_scalar(table));
        for f in common::files_under(&self.schema_dir()) {
            if !f.ends_with(".md") {
                continue;
            }
            let text = fs::read_to_string(self.schema_dir().join(&f)).unwrap();
            if text.lines().nth(1) == Some(want.as_str()) {
                return text;
            }
        }
        panic!(
            "no page titled {table:?} in {}",
            self.schema_dir().display()
        );
    }

    fn index(&self, name: &str) -> String {
        fs::read_to_string(self.schema_dir().join(name)).unwrap()
    }

    fn json(&self) -> serde_json::Value {
        let text = fs::read_to_string(self.schema_dir().join("schema.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn json_table(&self, name: &str) -> serde_json::Value {
        self.json()["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no table {name} in schema.json"))
            .clone()
    }
}

fn args(db: &Path, out: &Path, opts: &Opts) -> BuildArgs {
    BuildArgs {
        db: db.to_path_buf(),
        out: Some(out.to_path_buf()),
        config: opts.config.map(|c| fixtures().join(c)),
        templates: None,
        tbls: opts.tbls.map(|t| fixtures().join(t)),
        dump_context: false,
        quiet: true,
        ci: Default::default(),
    }
}

fn build_db(dir: tempfile::TempDir, db: PathBuf, opts: &Opts) -> Site {
    let out = dir.path().join("site");
    osx_report::build_site(&args(&db, &out, opts))
        .unwrap_or_else(|e| panic!("building {}: {e:#}", db.display()));
    Site { _dir: dir, db, out }
}

fn build(fixture: &str, opts: Opts) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), fixture);
    build_db(dir, db, &opts)
}

fn build_sql(sql: &str) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let db = db_from_sql(dir.path(), "inline", sql);
    build_db(dir, db, &Opts::default())
}

/// Snapshots every Markdown page and schema.json of a site (the SQLite version in the
/// JSON is redacted: it follows the bundled library, not our code).
fn snapshot_site(label: &str, site: &Site) {
    for f in common::files_under(&site.schema_dir()) {
        let path = site.schema_dir().join(&f);
        let text = if f.ends_with(".md") {
            fs::read_to_string(&path).unwrap()
        } else if f == "schema.json" {
            let mut v: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
            v["driver"]["database_version"] = "[sqlite version]".into();
            serde_json::to_string_pretty(&v).unwrap()
        } else {
            continue;
        };
        insta::assert_snapshot!(format!("{label}__{f}"), text);
    }
}

// ---------------------------------------------------------------- snapshots

#[test]
fn snapshot_shop() {
    snapshot_site("shop", &build("shop", Opts::default()));
}

#[test]
fn snapshot_shop_with_tbls_and_config() {
    let site = build(
        "shop",
        Opts {
            tbls: Some("shop.tbls.yml"),
            config: Some("shop.osx-report.toml"),
        },
    );
    snapshot_site("shop-configured", &site);
}

#[test]
fn snapshot_search() {
    snapshot_site("search", &build("search", Opts::default()));
}

#[test]
fn snapshot_names() {
    snapshot_site("names", &build("names", Opts::default()));
}

#[test]
fn snapshot_keys() {
    snapshot_site("keys", &build("keys", Opts::default()));
}

// ---------------------------------------------------------------- tables

#[test]
fn tables_and_views_in_creation_order_without_sqlite_internals() {
    let site = build("shop", Opts::default());
    let names = section_column(&site.index("README.md"), "Tables", "Name");
    assert_eq!(
        names,
        [
            "[customers](customers.md)",
            "[categories](categories.md)",
            "[products](products.md)",
            "[orders](orders.md)",
            "[order_lines](order_lines.md)",
            "[shipments](shipments.md)",
            "[inventory](inventory.md)",
            "[audit_log](audit_log.md)",
            "[order_totals](order_totals.md)",
            "[Big Customers](Big-Customers-7ee87b59fd44.md)",
            "[stock_by_category](stock_by_category.md)",
        ]
    );
    // AUTOINCREMENT made sqlite_sequence and ANALYZE made sqlite_stat1: both internal.
    let all = common::files_under(&site.schema_dir()).join("\n");
    assert!(!all.contains("sqlite_"), "{all}");
    let types = section_column(&site.index("README.md"), "Tables", "Type");
    assert_eq!(types.iter().filter(|t| *t == "view").count(), 3);
}

#[test]
fn virtual_tables_are_typed_and_their_shadow_tables_hidden() {
    let site = build("search", Opts::default());
    let index = site.index("README.md");
    let rows = section_rows(&index, "Tables");
    let typed: Vec<(String, String)> = rows[1..]
        .iter()
        .map(|r| (r[0].clone(), r[3].clone()))
        .collect();
    for (name, ty) in [
        ("notes_fts", "virtual table"),
        ("mail", "virtual table"),
        ("legacy", "virtual table"),
        ("places", "virtual table"),
        ("notes", "table"),
        ("note_hits", "view"),
    ] {
        assert!(
            typed.contains(&(format!("[{name}]({name}.md)"), ty.to_string())),
            "{name} as {ty}: {typed:?}"
        );
    }
    for shadow in [
        "notes_fts_data",
        "notes_fts_idx",
        "notes_fts_docsize",
        "notes_fts_config",
        "mail_content",
        "mail_segments",
        "mail_segdir",
        "mail_docsize",
        "mail_stat",
        "legacy_content",
        "legacy_segdir",
        "legacy_segments",
        "places_node",
        "places_parent",
        "places_rowid",
    ] {
        assert!(!index.contains(&format!("[{shadow}]")), "{shadow} shown");
    }
}

#[test]
fn regression_ordinary_tables_named_like_shadow_tables_are_kept() {
    // notes_fts_stat is no FTS5 shadow table, mail_data no FTS4 one, places_content no
    // R*Tree one: the suffix fallback used to hide all three.
    let site = build("search", Opts::default());
    let index = site.index("README.md");
    for name in ["notes_fts_stat", "mail_data", "places_content"] {
        assert!(index.contains(&format!("[{name}]({name}.md)")), "{name}");
    }
    let t = site.json_table("places_content");
    assert_eq!(t["constraints"][1]["referenced_table"], "notes");
}

#[test]
fn regression_a_view_over_a_dropped_table_is_documented_with_a_warning() {
    let site = build_sql(
        "CREATE TABLE gone (x); CREATE VIEW v AS SELECT x FROM gone; DROP TABLE gone; \
         CREATE TABLE kept (y);",
    );
    let page = site.page("v");
    assert!(
        page.contains("> **Warning:** columns could not be read: no such table: main.gone"),
        "{page}"
    );
    assert_eq!(section_rows(&page, "Columns").len(), 1, "header only");
    assert_eq!(
        section_column(&page, "Referenced Tables", "Name"),
        ["gone"],
        "listed without a link"
    );
}

#[test]
fn virtual_tables_of_missing_modules_are_kept_with_their_arguments_as_columns() {
    // As a database written by a program with extensions (sqlite-vec, geopoly) looks to
    // an SQLite without them.
    let site = build_sql(
        "CREATE TABLE keep (id INTEGER PRIMARY KEY);
         CREATE TABLE shapes_node (nodeno INTEGER PRIMARY KEY, data);
         CREATE TABLE shapes_parent (nodeno INTEGER PRIMARY KEY, parentnode);
         CREATE TABLE shapes_rowid (rowid INTEGER PRIMARY KEY, nodeno);
         CREATE TABLE vecs_info (k, v);
         PRAGMA writable_schema = ON;
         INSERT INTO sqlite_schema (type, name, tbl_name, rootpage, sql) VALUES
           ('table', 'shapes', 'shapes', 0, 'CREATE VIRTUAL TABLE shapes USING geopoly(a, b)'),
           ('table', 'vecs', 'vecs', 0,
            'CREATE VIRTUAL TABLE vecs USING vec0(id INTEGER PRIMARY KEY, embedding float[4], k = 5)');
         PRAGMA writable_schema = OFF;",
    );
    let index = site.index("README.md");
    let names = section_column(&index, "Tables", "Name");
    assert_eq!(
        names,
        [
            "[keep](keep.md)",
            "[vecs_info](vecs_info.md)",
            "[shapes](shapes.md)",
            "[vecs](vecs.md)"
        ],
        "geopoly's shadow tables hidden, vec0's unknown ones kept"
    );
    let vecs = site.page("vecs");
    assert!(vecs.contains("> **Warning:** columns could not be read: no such module: vec0"));
    let rows = section_rows(&vecs, "Columns");
    assert_eq!(rows[1][..2], ["id", "INTEGER PRIMARY KEY"]);
    assert_eq!(rows[2][..2], ["embedding", "float[4]"]);
    assert_eq!(rows.len(), 3, "k = 5 is an option, not a column");
    assert_eq!(site.json_table("vecs")["type"], "virtual table");
}

// ---------------------------------------------------------------- columns

#[test]
fn columns_show_type_default_and_nullability() {
    let site = build("shop", Opts::default());
    let page = site.page("orders");
    let rows = section_rows(&page, "Columns");
    assert_eq!(
        rows[0],
        [
            "Name", "Type", "Default", "Nullable", "Children", "Parents", "Comment"
        ]
    );
    assert_eq!(rows[3][..4], ["status", "TEXT", "'new'", "false"]);
    assert_eq!(rows[4][..4], ["placed_at", "TEXT", "", "true"]);
    let audit = site.page("audit_log");
    assert_eq!(
        section_column(&audit, "Columns", "Default")[1],
        "datetime('now')"
    );
}

#[test]
fn generated_columns_are_listed_with_their_clause() {
    let site = build("shop", Opts::default());
    let page = site.page("order_lines");
    let names = section_column(&page, "Columns", "Name");
    let extra = section_column(&page, "Columns", "Extra Definition");
    assert_eq!(names[5], "total_cents");
    assert_eq!(extra[5], "GENERATED ALWAYS AS (qty * unit_cents) VIRTUAL");
    assert_eq!(names[6], "total_text");
    assert_eq!(
        extra[6],
        "AS (printf('%d.%02d', total_cents / 100, total_cents % 100)) STORED"
    );
    assert!(extra[..5].iter().all(String::is_empty));
    // Extra Definition is shown only where some column has one (tbls's rule).
    assert!(!site.page("orders").contains("Extra Definition"));
}

#[test]
fn hidden_columns_of_virtual_tables_are_listed() {
    let site = build("search", Opts::default());
    let page = site.page("notes_fts");
    let rows = section_rows(&page, "Columns");
    let hidden: Vec<&str> = rows[1..]
        .iter()
        .filter(|r| r[4] == "HIDDEN")
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(hidden, ["notes_fts", "rank"]);
}

#[test]
fn children_and_parents_come_from_foreign_keys() {
    let site = build("shop", Opts::default());
    let products = site.page("products");
    assert_eq!(
        section_column(&products, "Columns", "Children")[0],
        "[order_lines](order_lines.md) [inventory](inventory.md)"
    );
    assert_eq!(
        section_column(&products, "Columns", "Parents")[1],
        "[categories](categories.md)"
    );
    // A self-reference is both.
    let categories = site.page("categories");
    assert_eq!(
        section_column(&categories, "Columns", "Children")[0],
        "[categories](categories.md) [products](products.md)"
    );
    assert_eq!(
        section_column(&categories, "Columns", "Parents")[1],
        "[categories](categories.md)"
    );
    // Each column of a composite key has the parent.
    let shipments = site.page("shipments");
    let parents = section_column(&shipments, "Columns", "Parents");
    assert_eq!(parents[1], "[order_lines](order_lines.md)");
    assert_eq!(parents[2], "[order_lines](order_lines.md)");
}

// ---------------------------------------------------------------- constraints

#[test]
fn constraints_in_tbls_order() {
    let site = build("shop", Opts::default());
    let page = site.page("order_lines");
    let rows: Vec<(String, String)> = section_rows(&page, "Constraints")[1..]
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let want = [
        ("order_id", "PRIMARY KEY"),
        ("line_no", "PRIMARY KEY"),
        ("- (Foreign key ID: 0)", "FOREIGN KEY"),
        ("- (Foreign key ID: 1)", "FOREIGN KEY"),
        ("sqlite_autoindex_order_lines_1", "PRIMARY KEY"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(rows, want);
    let defs = section_column(&page, "Constraints", "Definition");
    assert_eq!(defs[0], "PRIMARY KEY (order_id)");
    assert_eq!(defs[4], "PRIMARY KEY (order_id, line_no)");

    let products = site.page("products");
    let kinds = section_column(&products, "Constraints", "Type");
    assert_eq!(
        kinds,
        [
            "PRIMARY KEY",
            "FOREIGN KEY",
            "PRIMARY KEY",
            "CHECK",
            "CHECK"
        ]
    );
    let customers = site.page("customers");
    assert_eq!(
        section_column(&customers, "Constraints", "Name"),
        ["id", "sqlite_autoindex_customers_1", "-"]
    );
    assert_eq!(
        section_column(&customers, "Constraints", "Definition")[1],
        "UNIQUE (email)"
    );
}

#[test]
fn foreign_key_ids_sort_as_strings() {
    let site = build("keys", Opts::default());
    let names = section_column(&site.page("wide"), "Constraints", "Name");
    let ids: Vec<&str> = names
        .iter()
        .filter_map(|n| n.strip_prefix("- (Foreign key ID: "))
        .map(|n| n.trim_end_matches(')'))
        .collect();
    assert_eq!(
        ids,
        [
            "0", "1", "10", "11", "12", "2", "3", "4", "5", "6", "7", "8", "9"
        ]
    );
}

#[test]
fn foreign_key_definitions_are_complete() {
    let site = build("keys", Opts::default());
    let defs = section_column(&site.page("wide"), "Constraints", "Definition");
    for want in [
        "FOREIGN KEY (r_country, r_code) REFERENCES region (country, code) ON UPDATE NO ACTION ON DELETE NO ACTION MATCH NONE",
        "FOREIGN KEY (p1) REFERENCES person (id) ON UPDATE NO ACTION ON DELETE CASCADE MATCH NONE",
        "FOREIGN KEY (p3) REFERENCES person (id) ON UPDATE NO ACTION ON DELETE SET DEFAULT MATCH NONE",
        "FOREIGN KEY (p6) REFERENCES person (id) ON UPDATE SET NULL ON DELETE NO ACTION MATCH NONE",
        "FOREIGN KEY (gone) REFERENCES missing_table (id) ON UPDATE NO ACTION ON DELETE NO ACTION MATCH NONE",
    ] {
        assert!(defs.iter().any(|d| d == want), "{want}\nin {defs:#?}");
    }
}

#[test]
fn references_without_columns_point_at_the_primary_key() {
    let site = build("keys", Opts::default());
    let wide = site.json_table("wide");
    let fk = |col: &str| {
        wide["constraints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["type"] == "FOREIGN KEY" && c["columns"][0] == col)
            .unwrap()
            .clone()
    };
    assert_eq!(fk("p0")["referenced_columns"], serde_json::json!(["id"]));
    assert_eq!(fk("t9")["referenced_columns"], serde_json::json!(["name"]));
    assert_eq!(
        fk("r_country")["referenced_columns"],
        serde_json::json!(["country", "code"])
    );
    let shop = build("shop", Opts::default());
    let region = section_column(&shop.page("categories"), "Columns", "Children");
    assert!(region[0].contains("[products](products.md)"));
}

#[test]
fn foreign_keys_to_missing_tables_are_listed_without_links() {
    let site = build("keys", Opts::default());
    let parents = section_column(&site.page("wide"), "Columns", "Parents");
    assert_eq!(parents[13], "missing_table");
    assert_eq!(parents[14], "missing_too");
}

#[test]
fn check_constraints_are_read_with_a_tokenizer() {
    let site = build("names", Opts::default());
    let items = site.page("Order Items");
    assert_eq!(
        section_column(&items, "Constraints", "Definition")[1..],
        [
            "CHECK ([qty\\<max\\>] BETWEEN 1 AND 99)",
            "CHECK (((\"Unit\\|Price\" \\> 0) AND (\"Unit\\|Price\" \\< 1e6)) OR (\"Unit\\|Price\" = 0 AND note IN ('free', 'it''s (free)')))",
        ]
    );
    assert!(
        section_column(&items, "Constraints", "Name")[1..]
            .iter()
            .all(|n| n == "-")
    );
    let mixed = site.page("MixedCase");
    assert_eq!(
        section_column(&mixed, "Constraints", "Definition")[2..],
        [
            "CHECK (length(ünïcødé) \\< 10)",
            "CHECK(\"a/b\\c\" \\<\\> '```')",
            "check(check_me\\>0)",
            "CHECK ( check_me \\< 100 )",
        ]
    );
    // The constraint knows its columns (schema.json), the word CHECK in strings,
    // identifiers and comments made no constraint.
    let t = site.json_table("Order Items");
    let checks: Vec<&serde_json::Value> = t["constraints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "CHECK")
        .collect();
    assert_eq!(checks.len(), 2);
    assert_eq!(checks[0]["columns"], serde_json::json!(["qty<max>"]));
    assert_eq!(
        checks[1]["columns"],
        serde_json::json!(["Unit|Price", "note"])
    );
}

#[test]
fn regression_names_resolve_ignoring_case() {
    let site = build("keys", Opts::default());
    // REFERENCES ACCOUNT (ID) to Account(Id): a relation, not a dangling one.
    let account = site.page("Account");
    assert_eq!(
        section_column(&account, "Columns", "Children")[0],
        "[login](login.md)"
    );
    let login = site.page("login");
    let parents = section_column(&login, "Columns", "Parents");
    assert_eq!(parents[1], "[Account](Account.md)");
    assert_eq!(parents[2], "[Account](Account.md)");
    // The definition keeps the author's spelling, as tbls shows it.
    assert!(
        section_column(&login, "Constraints", "Definition")
            .iter()
            .any(|d| d.starts_with("FOREIGN KEY (account) REFERENCES ACCOUNT (ID) "))
    );
    // CREATE TRIGGER ... ON LOGIN belongs to login.
    assert_eq!(section_column(&login, "Triggers", "Name"), ["login_ai"]);
    // FROM LOGIN JOIN ACCOUNT: both known tables, linked.
    let view = site.page("recent_logins");
    assert_eq!(
        section_column(&view, "Referenced Tables", "Name"),
        ["[login](login.md)", "[Account](Account.md)"]
    );
    // CHECK (JSON_VALID(attrs)) and CHECK (credit >= 0) name columns Attrs and Credit.
    let t = site.json_table("Account");
    let cols: Vec<&serde_json::Value> = t["constraints"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "CHECK")
        .map(|c| &c["columns"])
        .collect();
    assert_eq!(
        cols,
        [
            &serde_json::json!(["Attrs"]),
            &serde_json::json!(["Credit"])
        ]
    );
    let rel = site.json()["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["table"] == "login" && r["columns"][0] == "account")
        .unwrap()
        .clone();
    assert_eq!(rel["parent_table"], "Account");
    assert_eq!(rel["parent_columns"], serde_json::json!(["Id"]));
}

// ---------------------------------------------------------------- indexes, triggers, views

#[test]
fn indexes_show_ddl_or_their_automatic_definition() {
    let site = build("shop", Opts::default());
    let orders = site.page("orders");
    assert_eq!(
        section_column(&orders, "Indexes", "Definition"),
        [
            "CREATE INDEX open_orders ON orders (placed_at) WHERE status \\<\\> 'shipped'",
            "CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC)",
        ]
    );
    let customers = site.page("customers");
    assert_eq!(
        section_rows(&customers, "Indexes")[1..],
        [
            vec![
                "customers_email_lower".to_string(),
                "CREATE UNIQUE INDEX customers_email_lower ON customers (lower(email))".into()
            ],
            vec![
                "sqlite_autoindex_customers_1".to_string(),
                "UNIQUE (email)".into()
            ],
        ]
    );
    let inventory = site.page("inventory");
    assert_eq!(
        section_column(&inventory, "Indexes", "Definition"),
        ["PRIMARY KEY (sku, warehouse)"]
    );
}

#[test]
fn triggers_are_listed_with_their_ddl() {
    let site = build("shop", Opts::default());
    let orders = site.page("orders");
    assert_eq!(
        section_rows(&orders, "Triggers")[1],
        [
            "orders_audit",
            "CREATE TRIGGER orders_audit AFTER INSERT ON orders<br>BEGIN<br>  INSERT INTO audit_log (what) VALUES ('order ' \\|\\| NEW.id \\|\\| ' placed');<br>END"
        ]
    );
}

#[test]
fn views_show_their_definition_and_referenced_tables() {
    let site = build("shop", Opts::default());
    let v = site.page("order_totals");
    assert!(v.contains("```sql\nCREATE VIEW order_totals AS\nSELECT o.id AS order_id"));
    assert_eq!(
        section_column(&v, "Referenced Tables", "Name"),
        [
            "[orders](orders.md)",
            "[customers](customers.md)",
            "[order_lines](order_lines.md)"
        ]
    );
    assert!(!v.contains("## Constraints") && !v.contains("## Indexes"));
    // A CTE name is not a table; tables read inside the CTE and subqueries are.
    let big = site.page("Big Customers");
    assert_eq!(
        section_column(&big, "Referenced Tables", "Name"),
        ["[orders](orders.md)", "[customers](customers.md)"]
    );
    let stock = site.page("stock_by_category");
    assert_eq!(
        section_column(&stock, "Referenced Tables", "Name"),
        [
            "[inventory](inventory.md)",
            "[products](products.md)",
            "[categories](categories.md)"
        ]
    );
}

// ---------------------------------------------------------------- table options

#[test]
fn without_rowid_and_strict_tables_are_recognised() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let conn = osx_report::read::open_read_only(&db).unwrap();
    let schema = osx_report::read::schema::read_schema(&conn, "shop").unwrap();
    let t = |n: &str| schema.table(n).unwrap();
    assert!(t("products").without_rowid && !t("products").strict);
    assert!(t("inventory").without_rowid && t("inventory").strict);
    assert!(!t("orders").without_rowid && !t("orders").strict);
    assert!(
        t("products").column("attrs").unwrap().json,
        "json_valid CHECK"
    );
}

// ---------------------------------------------------------------- Markdown form

#[test]
fn sections_appear_only_with_rows() {
    let site = build("search", Opts::default());
    let fts = site.page("notes_fts");
    for absent in [
        "## Constraints",
        "## Indexes",
        "## Triggers",
        "## Referenced Tables",
    ] {
        assert!(!fts.contains(absent), "{absent}");
    }
    let notes = site.page("notes");
    assert!(notes.contains("## Constraints") && notes.contains("## Triggers"));
    assert!(!notes.contains("## Indexes"));
}

#[test]
fn every_table_row_has_as_many_cells_as_its_header() {
    // Names and text with |, <, >, newlines, brackets and backticks cannot break a row.
    for fixture in ["names", "shop", "keys", "search"] {
        let site = build(fixture, Opts::default());
        for f in common::files_under(&site.schema_dir()) {
            if !f.ends_with(".md") {
                continue;
            }
            let text = fs::read_to_string(site.schema_dir().join(&f)).unwrap();
            let mut header: Option<usize> = None;
            for line in text.lines() {
                if !line.starts_with('|') {
                    header = None;
                    continue;
                }
                let n = common::cells(line).len();
                let h = *header.get_or_insert(n);
                assert_eq!(n, h, "{fixture} {f}: {line}");
                assert!(line.ends_with(" |"), "{fixture} {f}: {line}");
            }
        }
    }
}

#[test]
fn cells_escape_pipes_angle_brackets_and_newlines() {
    let site = build("names", Opts::default());
    let items = site.page("Order Items");
    assert_eq!(
        section_column(&items, "Columns", "Name"),
        ["Item-ID", "Unit\\|Price", "qty\\<max\\>", "note", "CHECK"]
    );
    assert_eq!(
        section_column(&items, "Columns", "Default")[3],
        "'a \\| b \\<c\\>'"
    );
    let x = site.page("x<y>|z");
    assert_eq!(
        section_column(&x, "Columns", "Name"),
        ["[k]", "multi<br>line"]
    );
    let index = site.index("README.md");
    assert!(
        index.contains("| [x\\<y\\>\\|z](x-y-z-c87449a9ba80.md) "),
        "{index}"
    );
}

#[test]
fn tables_are_padded_like_tbls_adjust() {
    let site = build("shop", Opts::default());
    let page = site.page("orders");
    let table: Vec<&str> = page
        .lines()
        .skip_while(|l| *l != "## Columns")
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(
        table[..3],
        [
            "| Name        | Type    | Default | Nullable | Children                      | Parents                   | Comment |",
            "| ----------- | ------- | ------- | -------- | ----------------------------- | ------------------------- | ------- |",
            "| id          | INTEGER |         | true     | [order_lines](order_lines.md) |                           |         |",
        ]
    );
}

#[test]
fn adjust_false_leaves_cells_unpadded() {
    let dir = tempfile::tempdir().unwrap();
    let db = fixture_db(dir.path(), "shop");
    let cfg = dir.path().join("osx-report.toml");
    fs::write(&cfg, "[schema.markdown]\nadjust = false\n").unwrap();
    let out = dir.path().join("site");
    let mut a = args(&db, &out, &Opts::default());
    a.config = Some(cfg);
    osx_report::build_site(&a).unwrap();
    let page = fs::read_to_string(out.join("schema/orders.md")).unwrap();
    assert!(
        page.contains(
            "| Name | Type | Default | Nullable | Children | Parents | Comment |\n| --- | --- | --- | --- | --- | --- | --- |\n| id | INTEGER |  | true | [order_lines](order_lines.md) |  |  |"
        ),
        "{page}"
    );
}

#[test]
fn page_layout_follows_the_seed() {
    let site = build("shop", Opts::default());
    let page = site.page("customers");
    assert!(page.starts_with("---\ntitle: customers\n---\n\n## Description\n\n<details>\n<summary><strong>Table Definition</strong></summary>\n\n```sql\nCREATE TABLE customers ("));
    let headings: Vec<&str> = page.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## Description",
            "## Columns",
            "## Constraints",
            "## Indexes",
            "## Relations"
        ]
    );
    assert!(page.ends_with("## Relations\n\n![er](customers.svg)\n"));
    let index = site.index("README.md");
    assert!(index.starts_with("---\ntitle: shop.db\n---\n\n## Tables\n\n| Name "));
    assert_eq!(
        section_rows(&index, "Tables")[0],
        ["Name", "Columns", "Comment", "Type"]
    );
    assert!(index.ends_with("![er](schema.svg)\n"));
}

// ---------------------------------------------------------------- configuration

#[test]
fn tbls_comments_filters_relations_and_format_apply() {
    let site = build(
        "shop",
        Opts {
            tbls: Some("shop.tbls.yml"),
            ..Opts::default()
        },
    );
    let index = site.index("README.md");
    assert!(
        index.starts_with("---\ntitle: Shop\n---\n\n## Description\n\nThe shop's database.  \n")
    );
    // exclude: audit_* and stock_by_category
    assert!(!index.contains("audit_log") && !index.contains("stock_by_category"));
    assert!(!site.schema_dir().join("audit_log.md").exists());
    let comments = section_column(&index, "Tables", "Comment");
    assert_eq!(
        comments[0],
        "People who buy things.<br>One row per e-mail address."
    );

    let customers = site.page("customers");
    assert!(customers.contains(
        "## Description\n\nPeople who buy things.  \nOne row per e-mail address.\n\n<details>"
    ));
    assert_eq!(
        section_column(&customers, "Columns", "Comment")[1..3],
        [
            "Unique; compared \\| case-insensitively \\<see index\\>",
            "Shown on invoices"
        ]
    );
    // hideColumnsWithoutValues: customers has no parents, so no Parents column.
    assert_eq!(
        section_rows(&customers, "Columns")[0],
        ["Name", "Type", "Default", "Nullable", "Children", "Comment"]
    );
    assert_eq!(
        section_column(&customers, "Indexes", "Comment"),
        ["Case-insensitive uniqueness", ""]
    );
    assert_eq!(
        section_column(&customers, "Constraints", "Comment"),
        ["", "from UNIQUE", ""]
    );
    // The hand-declared relation adds a parent and a child.
    assert_eq!(
        section_column(&customers, "Columns", "Children")[1],
        "[shipments](shipments.md)"
    );
    let shipments = site.page("shipments");
    assert_eq!(
        section_column(&shipments, "Columns", "Parents")[3],
        "[customers](customers.md)"
    );
    let orders = site.page("orders");
    assert_eq!(
        section_column(&orders, "Columns", "Comment")[2],
        "new -\\> paid -\\> shipped<br>(never back)"
    );
    assert_eq!(
        section_column(&orders, "Triggers", "Comment"),
        ["Writes to audit_log"]
    );
    let json = site.json();
    assert_eq!(json["name"], "Shop");
    let rel = json["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["virtual"] == true)
        .unwrap()
        .clone();
    assert_eq!(rel["table"], "shipments");
    assert_eq!(rel["def"], "carrier is a customer's e-mail (hand-declared)");
}

#[test]
fn osx_report_toml_comments_win_over_tbls_and_links_follow_settings() {
    let site = build(
        "shop",
        Opts {
            tbls: Some("shop.tbls.yml"),
            config: Some("shop.osx-report.toml"),
        },
    );
    assert!(!site.schema_dir().join("README.md").exists());
    let index = site.index("index.md");
    assert!(index.starts_with("---\ntitle: Shop (osx-report)\n---\n"));
    let rows = section_rows(&index, "Tables");
    let orders = rows.iter().find(|r| r[0].starts_with("[orders]")).unwrap();
    assert_eq!(orders[0], "[orders](/docs/orders/)");
    assert_eq!(orders[2], "Orders", "index_comment");
    assert!(
        rows.iter()
            .any(|r| r[0] == "[Big Customers](/docs/Big-Customers-7ee87b59fd44/)")
    );
    assert!(index.contains("![er](../er/schema.png)"));

    let page = site.page("orders");
    assert!(
        page.contains("## Description\n\nOrders, commented by osx-report.toml (wins over tbls).\n")
    );
    assert_eq!(
        section_column(&page, "Columns", "Comment")[2..],
        [
            "new -\\> paid -\\> shipped<br>(never back)",
            "When the order was placed"
        ]
    );
    assert_eq!(
        section_column(&page, "Triggers", "Comment"),
        ["Audit \\| trail"]
    );
    assert_eq!(
        section_column(&page, "Columns", "Parents")[1],
        "[customers](/docs/customers/)"
    );
    assert!(page.ends_with("![er](../er/orders.png)\n"));
    let shipments = site.page("shipments");
    assert_eq!(
        section_column(&shipments, "Constraints", "Comment"),
        ["", "One shipment per order line"]
    );
}

#[test]
fn schema_json_is_in_tbls_format() {
    let site = build("shop", Opts::default());
    let json = site.json();
    assert_eq!(json["name"], "shop.db");
    assert_eq!(json["driver"]["name"], "sqlite");
    let tables = json["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 11);
    let lines = site.json_table("order_lines");
    assert_eq!(lines["type"], "table");
    assert_eq!(lines["columns"][3]["default"], "1");
    assert_eq!(lines["columns"][0]["nullable"], false);
    assert_eq!(
        lines["columns"][5]["extra_def"],
        "GENERATED ALWAYS AS (qty * unit_cents) VIRTUAL"
    );
    assert_eq!(lines["constraints"][2]["name"], "- (Foreign key ID: 0)");
    assert_eq!(lines["constraints"][2]["referenced_table"], "orders");
    assert_eq!(lines["indexes"][0]["table"], "order_lines");
    let view = site.json_table("order_totals");
    assert_eq!(view["type"], "view");
    assert_eq!(
        view["referenced_tables"],
        serde_json::json!(["orders", "customers", "order_lines"])
    );
    let rel = &json["relations"].as_array().unwrap()[0];
    assert_eq!(rel["table"], "categories");
    assert_eq!(rel["parent_table"], "categories");
    assert_eq!(rel["cardinality"], "zero_or_more");
    assert_eq!(rel["parent_cardinality"], "zero_or_one");
}

// ---------------------------------------------------------------- known gap

#[test]
fn links_point_at_files_that_exist() {
    for fixture in ["shop", "names"] {
        let site = build(fixture, Opts::default());
        for f in common::files_under(&site.schema_dir()) {
            if !f.ends_with(".md") {
                continue;
            }
            let text = fs::read_to_string(site.schema_dir().join(&f)).unwrap();
            for (i, _) in text.match_indices("](") {
                let rest = &text[i + 2..];
                let target = &rest[..rest.find(')').unwrap()];
                if !target.ends_with(".md") {
                    continue;
                }
                let mut decoded = Vec::new();
                let b = target.as_bytes();
                let mut k = 0;
                while k < b.len() {
                    if b[k] == b'%' {
                        decoded.push(u8::from_str_radix(&target[k + 1..k + 3], 16).unwrap());
                        k += 3;
                    } else {
                        decoded.push(b[k]);
                        k += 1;
                    }
                }
                let name = String::from_utf8(decoded).unwrap();
                assert!(
                    site.schema_dir().join(&name).is_file(),
                    "{fixture} {f}: link to {target} ({name}) has no file"
                );
            }
        }
    }
}

#[test]
fn the_database_file_is_not_changed() {
    let site = build("shop", Opts::default());
    let before = fs::read(&site.db).unwrap();
    let mtime = fs::metadata(&site.db).unwrap().modified().unwrap();
    let out2 = site.out.with_file_name("again");
    osx_report::build_site(&args(&site.db, &out2, &Opts::default())).unwrap();
    assert_eq!(fs::read(&site.db).unwrap(), before);
    assert_eq!(fs::metadata(&site.db).unwrap().modified().unwrap(), mtime);
}
