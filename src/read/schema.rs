//! Reading the schema of any SQLite database into [`Schema`].
//!
//! Follows tbls's SQLite driver (creation order, constraint order, foreign-key naming)
//! and goes past it: generated and hidden columns (`table_xinfo`), virtual tables of any
//! module with their shadow tables hidden (`PRAGMA table_list`), `REFERENCES t` without
//! columns resolved to t's primary key, CHECK constraints read with a real tokenizer,
//! and a table that cannot be read is kept with a warning instead of failing the build.
//! Everything is read in one read transaction: one consistent snapshot.

use crate::hash::HashSet;

use anyhow::{Context, Result};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

use crate::model::schema::{
    Cardinality, Column, ColumnKind, Constraint, Index, Relation, Schema, Table, TableKind, Trigger,
};
use crate::sql::ddl;

/// Text from a column that may hold NULL, text that is not UTF-8, a number or a blob.
pub fn text_at(row: &Row<'_>, i: usize) -> Option<String> {
    match row.get_ref(i).ok()? {
        ValueRef::Null => None,
        ValueRef::Text(b) => Some(String::from_utf8_lossy(b).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

fn int_at(row: &Row<'_>, i: usize) -> i64 {
    match row.get_ref(i) {
        Ok(ValueRef::Integer(n)) => n,
        Ok(ValueRef::Text(t)) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0),
        _ => 0,
    }
}

struct Master {
    kind: String,
    name: String,
    sql: String,
}

/// Reads every table and view (not `sqlite_%` internals, not shadow tables).
pub fn read_schema(conn: &Connection, name: &str) -> Result<Schema> {
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .context("asking SQLite for its version")?;
    // One read transaction: every PRAGMA sees the same snapshot even while another
    // process writes, and SQLite takes its shared lock once instead of per statement.
    // Dropping it at the end rolls back, which for reads only releases the lock.
    let _snapshot = conn
        .unchecked_transaction()
        .context("starting a read transaction")?;
    let masters = read_master(conn).context("reading sqlite_schema")?;
    let shadows = shadow_tables(conn, &masters);

    let mut schema = Schema {
        name: name.to_string(),
        database_version: version,
        ..Schema::default()
    };
    let mut fk_rows: Vec<(String, Vec<FkRow>)> = Vec::new();
    for m in &masters {
        if m.name.starts_with("sqlite_") || shadows.contains(&m.name) {
            continue;
        }
        let (table, fks) = read_table(conn, m);
        fk_rows.push((table.name.clone(), fks));
        schema.tables.push(table);
    }
    // Relations and FOREIGN KEY constraints need every table (parents' primary keys).
    for (tname, fks) in fk_rows {
        let (cons, rels) = fk_constraints(&schema, &tname, fks);
        schema.relations.extend(rels);
        if let Some(t) = schema.table_mut(&tname) {
            // tbls's order: PRIMARY KEY per column, FOREIGN KEYs, automatic indexes, CHECKs.
            let split = t
                .constraints
                .iter()
                .position(|c| c.kind != "PRIMARY KEY" || c.name.starts_with("sqlite_autoindex"))
                .unwrap_or(t.constraints.len());
            let tail = t.constraints.split_off(split);
            t.constraints.extend(cons);
            t.constraints.extend(tail);
        }
    }
    // Views name tables as their author wrote them; refer to them by their own names.
    let refs: Vec<(usize, Vec<String>)> = schema
        .tables
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TableKind::View)
        .map(|(i, t)| {
            let mut names: Vec<String> = Vec::new();
            for n in ddl::referenced_tables(&t.def) {
                let n = schema.resolve_table(&n).map_or(n, |r| r.name.clone());
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            (i, names)
        })
        .collect();
    for (i, names) in refs {
        schema.tables[i].referenced_tables = names;
    }
    schema.link_relations();
    Ok(schema)
}

fn read_master(conn: &Connection) -> Result<Vec<Master>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Master {
            kind: text_at(r, 0).unwrap_or_default(),
            name: text_at(r, 1).unwrap_or_default(),
            sql: text_at(r, 2).unwrap_or_default(),
        })
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(Into::into)
}

/// Shadow tables: what `PRAGMA table_list` calls `shadow` (needs the module compiled in),
/// and, for a virtual table whose module SQLite does not have, the tables named after one
/// of that module's known shadow suffixes (FTS3/4/5, R*Tree, geopoly).
/// An ordinary table whose name merely ends like a shadow table of another module
/// (`docs_stat` beside an FTS5 table `docs`) is not hidden.
fn shadow_tables(conn: &Connection, masters: &[Master]) -> HashSet<String> {
    let mut out = HashSet::default();
    if let Ok(mut stmt) =
        conn.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'")
        && let Ok(rows) = stmt.query_map([], |r| Ok(text_at(r, 0).unwrap_or_default()))
    {
        out.extend(rows.flatten());
    }
    let from_sqlite = out.clone();
    for m in masters {
        let Some(module) = ddl::virtual_module(&m.sql) else {
            continue;
        };
        let names: Vec<String> = shadow_suffixes(&module)
            .iter()
            .map(|s| format!("{}_{s}", m.name))
            .collect();
        // When SQLite has the module, its answer stands.
        if names.iter().any(|n| from_sqlite.contains(n)) {
            continue;
        }
        for n in names {
            if masters.iter().any(|o| o.name == n && o.kind == "table") {
                out.insert(n);
            }
        }
    }
    out
}

/// The suffixes of the shadow tables a virtual-table module creates (SQLite's
/// `xShadowName` of each module).
fn shadow_suffixes(module: &str) -> &'static [&'static str] {
    match module {
        "fts3" | "fts4" => &["content", "segdir", "segments", "stat", "docsize"],
        "fts5" => &["content", "data", "idx", "docsize", "config"],
        "rtree" | "rtree_i32" | "geopoly" => &["node", "parent", "rowid"],
        _ => &[],
    }
}

struct FkRow {
    id: i64,
    table: String,
    from: String,
    to: Option<String>,
    on_update: String,
    on_delete: String,
    matching: String,
}

fn read_table(conn: &Connection, m: &Master) -> (Table, Vec<FkRow>) {
    let module = ddl::virtual_module(&m.sql);
    let kind = if m.kind == "view" {
        TableKind::View
    } else if module.is_some() {
        TableKind::VirtualTable
    } else {
        TableKind::Table
    };
    let (without_rowid, strict) = if kind == TableKind::Table {
        ddl::table_options(&m.sql)
    } else {
        (false, false)
    };
    let mut t = Table {
        name: m.name.clone(),
        kind,
        comment: String::new(),
        index_comment: None,
        def: m.sql.clone(),
        columns: Vec::new(),
        constraints: Vec::new(),
        indexes: Vec::new(),
        triggers: Vec::new(),
        referenced_tables: Vec::new(),
        without_rowid,
        strict,
        module,
        row_count: None,
        warnings: Vec::new(),
    };
    if let Err(e) = read_columns(conn, &mut t) {
        t.warnings.push(format!("columns could not be read: {e:#}"));
        if t.kind == TableKind::VirtualTable {
            columns_from_args(&mut t);
        }
    }
    let fks = match read_fks(conn, &t.name) {
        Ok(f) => f,
        Err(e) => {
            t.warnings
                .push(format!("foreign keys could not be read: {e:#}"));
            Vec::new()
        }
    };
    if let Err(e) = read_indexes(conn, &mut t) {
        t.warnings.push(format!("indexes could not be read: {e:#}"));
    }
    if let Err(e) = read_triggers(conn, &mut t) {
        t.warnings
            .push(format!("triggers could not be read: {e:#}"));
    }
    if t.kind != TableKind::View {
        for check in ddl::parse_checks(&t.def) {
            let mut columns: Vec<String> = Vec::new();
            for i in &check.idents {
                if let Some(c) = t.resolve_column(i)
                    && !columns.contains(&c.name)
                {
                    columns.push(c.name.clone());
                }
            }
            for col in ddl::json_valid_args(&check.def) {
                if let Some(name) = t.resolve_column(&col).map(|c| c.name.clone())
                    && let Some(c) = t.columns.iter_mut().find(|c| c.name == name)
                {
                    c.json = true;
                }
            }
            t.constraints.push(Constraint {
                name: "-".into(),
                kind: "CHECK".into(),
                def: check.def,
                columns,
                referenced_table: None,
                referenced_columns: Vec::new(),
                comment: String::new(),
            });
        }
    }
    (t, fks)
}

fn read_columns(conn: &Connection, t: &mut Table) -> Result<()> {
    let generated = if t.kind == TableKind::Table {
        ddl::generated_columns(&t.def)
    } else {
        Vec::new()
    };
    let mut stmt = conn.prepare(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)",
    )?;
    let mut rows = stmt.query([&t.name])?;
    let mut pk_cols = Vec::new();
    while let Some(r) = rows.next()? {
        let name = text_at(r, 0).unwrap_or_default();
        let hidden = int_at(r, 5);
        let kind = match hidden {
            1 => ColumnKind::Hidden,
            2 => ColumnKind::GeneratedVirtual,
            3 => ColumnKind::GeneratedStored,
            _ => ColumnKind::Normal,
        };
        let extra_def = match kind {
            ColumnKind::Hidden => "HIDDEN".to_string(),
            ColumnKind::GeneratedVirtual | ColumnKind::GeneratedStored => generated
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map(|(_, c)| c.clone())
                .unwrap_or_else(|| "GENERATED".into()),
            ColumnKind::Normal => String::new(),
        };
        let pk = int_at(r, 4).max(0) as u32;
        if pk > 0 {
            pk_cols.push(name.clone());
        }
        t.columns.push(Column {
            name,
            ty: text_at(r, 1).unwrap_or_default(),
            default: text_at(r, 3),
            nullable: int_at(r, 2) == 0,
            pk,
            kind,
            extra_def,
            comment: String::new(),
            json: false,
            children: Vec::new(),
            parents: Vec::new(),
            fk: false,
        });
    }
    // tbls: one PRIMARY KEY row per primary-key column, in column order.
    for c in pk_cols {
        t.constraints.push(Constraint {
            def: format!("PRIMARY KEY ({c})"),
            columns: vec![c.clone()],
            name: c,
            kind: "PRIMARY KEY".into(),
            referenced_table: None,
            referenced_columns: Vec::new(),
            comment: String::new(),
        });
    }
    Ok(())
}

/// Columns of a virtual table whose module is not available: its arguments that are not
/// `option = value` settings.
fn columns_from_args(t: &mut Table) {
    for arg in ddl::virtual_args(&t.def) {
        if arg.contains('=') {
            continue;
        }
        let mut parts = arg.splitn(2, char::is_whitespace);
        let name = crate::sql::lexer::unquote(parts.next().unwrap_or_default());
        let ty = parts.next().unwrap_or_default().trim().to_string();
        t.columns.push(Column {
            name,
            ty,
            default: None,
            nullable: true,
            pk: 0,
            kind: ColumnKind::Normal,
            extra_def: String::new(),
            comment: String::new(),
            json: false,
            children: Vec::new(),
            parents: Vec::new(),
            fk: false,
        });
    }
}

fn read_fks(conn: &Connection, table: &str) -> Result<Vec<FkRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete, \"match\" \
         FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
    )?;
    let rows = stmt.query_map([table], |r| {
        Ok(FkRow {
            id: int_at(r, 0),
            table: text_at(r, 1).unwrap_or_default(),
            from: text_at(r, 2).unwrap_or_default(),
            to: text_at(r, 3),
            on_update: text_at(r, 4).unwrap_or_default(),
            on_delete: text_at(r, 5).unwrap_or_default(),
            matching: text_at(r, 6).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// FOREIGN KEY constraints and relations of one table, in tbls's order (ids compared as
/// strings, so `10` sorts before `2`).
fn fk_constraints(
    schema: &Schema,
    table: &str,
    rows: Vec<FkRow>,
) -> (Vec<Constraint>, Vec<Relation>) {
    let mut groups: Vec<(i64, Vec<FkRow>)> = Vec::new();
    for r in rows {
        match groups.iter_mut().find(|(id, _)| *id == r.id) {
            Some((_, g)) => g.push(r),
            None => groups.push((r.id, vec![r])),
        }
    }
    groups.sort_by_key(|(id, _)| id.to_string());
    let mut cons = Vec::new();
    let mut rels = Vec::new();
    for (id, g) in groups {
        // The parent as written in the REFERENCES clause, and the table it denotes.
        let written = g[0].table.clone();
        let parent_table = schema.resolve_table(&written);
        let parent = parent_table.map_or_else(|| written.clone(), |p| p.name.clone());
        let columns: Vec<String> = g.iter().map(|r| r.from.clone()).collect();
        // `REFERENCES parent` without columns means the parent's primary key.
        let parent_pk: Vec<String> = parent_table
            .map(|p| {
                let mut pk: Vec<&Column> = p.columns.iter().filter(|c| c.pk > 0).collect();
                pk.sort_by_key(|c| c.pk);
                pk.into_iter().map(|c| c.name.clone()).collect()
            })
            .unwrap_or_default();
        // As written (tbls's definition text), then as the parent's own column names.
        let written_columns: Vec<String> = g
            .iter()
            .enumerate()
            .map(|(i, r)| {
                r.to.clone()
                    .or_else(|| parent_pk.get(i).cloned())
                    .unwrap_or_else(|| "rowid".into())
            })
            .collect();
        let parent_columns: Vec<String> = written_columns
            .iter()
            .map(|c| {
                parent_table
                    .and_then(|p| p.resolve_column(c))
                    .map_or_else(|| c.clone(), |c| c.name.clone())
            })
            .collect();
        let def = format!(
            "FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {} MATCH {}",
            columns.join(", "),
            written,
            written_columns.join(", "),
            g[0].on_update,
            g[0].on_delete,
            g[0].matching
        );
        cons.push(Constraint {
            name: format!("- (Foreign key ID: {id})"),
            kind: "FOREIGN KEY".into(),
            def: def.clone(),
            columns: columns.clone(),
            referenced_table: Some(parent.clone()),
            referenced_columns: parent_columns.clone(),
            comment: String::new(),
        });
        rels.push(Relation {
            table: table.to_string(),
            columns,
            cardinality: Cardinality::ZeroOrMore,
            parent_table: parent,
            parent_columns,
            parent_cardinality: Cardinality::ExactlyOne,
            def,
            is_virtual: false,
            dangling: parent_table.is_none(),
        });
    }
    (cons, rels)
}

fn read_indexes(conn: &Connection, t: &mut Table) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT name, \"unique\", origin FROM pragma_index_list(?1) ORDER BY seq")?;
    let list: Vec<(String, bool, String)> = stmt
        .query_map([&t.name], |r| {
            Ok((
                text_at(r, 0).unwrap_or_default(),
                int_at(r, 1) != 0,
                text_at(r, 2).unwrap_or_default(),
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut cols_stmt = conn.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")?;
    let mut sql_stmt =
        conn.prepare("SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?1")?;
    for (name, unique, origin) in list {
        let cols: Vec<String> = cols_stmt
            .query_map([&name], |r| Ok(text_at(r, 0)))?
            .filter_map(|r| r.ok().flatten())
            .collect();
        let def = match origin.as_str() {
            "u" => {
                let def = format!("UNIQUE ({})", cols.join(", "));
                t.constraints
                    .push(auto_constraint(&name, "UNIQUE", &def, &cols));
                def
            }
            "pk" => {
                let def = format!("PRIMARY KEY ({})", cols.join(", "));
                t.constraints
                    .push(auto_constraint(&name, "PRIMARY KEY", &def, &cols));
                def
            }
            _ => sql_stmt
                .query_row([&name], |r| Ok(text_at(r, 0)))
                .ok()
                .flatten()
                .unwrap_or_default(),
        };
        t.indexes.push(Index {
            name,
            def,
            columns: cols,
            unique,
            comment: String::new(),
        });
    }
    Ok(())
}

fn auto_constraint(name: &str, kind: &str, def: &str, cols: &[String]) -> Constraint {
    Constraint {
        name: name.to_string(),
        kind: kind.to_string(),
        def: def.to_string(),
        columns: cols.to_vec(),
        referenced_table: None,
        referenced_columns: Vec::new(),
        comment: String::new(),
    }
}

fn read_triggers(conn: &Connection, t: &mut Table) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT name, sql FROM sqlite_schema \
         WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE ORDER BY rowid",
    )?;
    let rows = stmt.query_map([&t.name], |r| {
        Ok(Trigger {
            name: text_at(r, 0).unwrap_or_default(),
            def: text_at(r, 1).unwrap_or_default(),
            comment: String::new(),
        })
    })?;
    t.triggers = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(())
}

/// Counts the rows of every plain table. A count that fails is left out with a warning.
pub fn read_row_counts(conn: &Connection, schema: &mut Schema) {
    for t in &mut schema.tables {
        if t.kind != TableKind::Table {
            continue;
        }
        let sql = format!("SELECT count(*) FROM \"{}\"", t.name.replace('"', "\"\""));
        match conn.query_row(&sql, [], |r| r.get::<_, i64>(0)) {
            Ok(n) => t.row_count = Some(n.max(0) as u64),
            Err(e) => t.warnings.push(format!("rows could not be counted: {e}")),
        }
    }
}
