//! Times the ER diagrams of a schema: layout of the whole-schema diagram and of every
//! table's diagram, then the same rendered to SVG, and prints the figures and sizes.
//!
//!     cargo bench --bench er [-- FILE.sql ...]
//!
//! Without arguments it loads the surveilr RSSD DDL from `../shared/rssd/` (61 tables).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use osx_report::build::Body;
use osx_report::build::schema::{SchemaOptions, pages};
use osx_report::er::{self, ErOptions, Scope};

fn main() {
    let mut files: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| a.ends_with(".sql"))
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/rssd");
        files = ["rssd-ddl.sql", "rssd-ddl-lifecycle-extra.sql"]
            .iter()
            .map(|f| shared.join(f))
            .collect();
    }
    let conn = rusqlite::Connection::open_in_memory().expect("an in-memory database");
    for f in &files {
        let sql = std::fs::read_to_string(f)
            .unwrap_or_else(|e| panic!("reading {}: {e} (pass .sql files)", f.display()));
        conn.execute_batch(&sql).expect("the DDL loads");
    }
    let schema = osx_report::read::schema::read_schema(&conn, "bench").expect("a schema");
    let opts = ErOptions::default();
    let n = schema.tables.len();
    let link = |name: &str| Some(format!("{name}.html"));
    let time = |f: &dyn Fn()| {
        let mut runs: Vec<Duration> = (0..15)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect();
        runs.sort();
        (runs[0], runs[runs.len() / 2])
    };
    let (min, median) = time(&|| {
        std::hint::black_box(er::draw(&schema, Scope::Schema, &opts, &link));
    });
    println!(
        "schema diagram ({n} tables, {} relations): layout min {min:?}, median {median:?}",
        schema.relations.len()
    );
    let (min, median) = time(&|| {
        for t in &schema.tables {
            std::hint::black_box(er::draw(&schema, Scope::Table(&t.name), &opts, &link));
        }
    });
    println!("{n} table diagrams: layout min {min:?}, median {median:?}");
    let (min, median) = time(&|| {
        std::hint::black_box(er::draw(&schema, Scope::Schema, &opts, &link));
        for t in &schema.tables {
            std::hint::black_box(er::draw(&schema, Scope::Table(&t.name), &opts, &link));
        }
    });
    println!(
        "all {} diagrams: layout min {min:?}, median {median:?}",
        n + 1
    );
    let env = osx_report::render::templates::environment(None).expect("templates");
    let t = Instant::now();
    let site = pages(&schema, &SchemaOptions::default());
    let (mut count, mut total, mut largest, mut schema_svg) = (0, 0, 0, 0);
    for p in site.iter().filter(|p| p.path.ends_with(".svg")) {
        let Body::Template { name, context } = &p.body else {
            continue;
        };
        let text = env
            .get_template(name)
            .and_then(|t| t.render(context))
            .expect("renders");
        count += 1;
        total += text.len();
        if p.path.ends_with("/schema.svg") {
            schema_svg = text.len();
        } else {
            largest = largest.max(text.len());
        }
    }
    println!(
        "all schema pages built and {count} SVG files rendered in {:?}: schema.svg {} KiB, \
         largest table diagram {} KiB, all SVG {} KiB",
        t.elapsed(),
        schema_svg / 1024,
        largest / 1024,
        total / 1024
    );
}
