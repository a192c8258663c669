//! What we read out of DDL text with the tokenizer: CHECK constraints, the tables a view
//! references, the module of a virtual table, table options, generated-column clauses.

use super::keywords::is_keyword;
use super::lexer::{Kind, Token, tokenize, unquote};

/// A CHECK constraint found in a CREATE TABLE statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// `CHECK(...)` as written, whitespace runs collapsed to one space and comments
    /// dropped (tbls's form), string literals kept verbatim.
    pub def: String,
    /// Identifiers used inside the expression (not followed by `(`), unquoted.
    pub idents: Vec<String>,
}

fn meaningful(tokens: &[Token]) -> impl Iterator<Item = (usize, &Token)> {
    tokens.iter().enumerate().filter(|(_, t)| !t.is_trivia())
}

fn is_word(t: &Token, src: &str, word: &str) -> bool {
    t.kind == Kind::Word && t.text(src).eq_ignore_ascii_case(word)
}

/// Finds every `CHECK ( ... )` in `sql`, at any nesting level, ignoring the word CHECK
/// inside strings, quoted identifiers and comments.
pub fn parse_checks(sql: &str) -> Vec<Check> {
    let toks = tokenize(sql);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        if !is_word(t, sql, "CHECK") {
            i += 1;
            continue;
        }
        // The next meaningful token must open the expression.
        let Some(open) = (i + 1..toks.len()).find(|&j| !toks[j].is_trivia()) else {
            break;
        };
        if toks[open].text(sql) != "(" {
            i += 1;
            continue;
        }
        let mut depth = 0usize;
        let mut close = None;
        for (j, tok) in toks.iter().enumerate().skip(open) {
            if tok.kind != Kind::Punct {
                continue;
            }
            match tok.text(sql) {
                "(" => depth += 1,
                ")" => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(j);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            // Unbalanced: no constraint can be read from here on.
            break;
        };
        let mut def = String::from(t.text(sql));
        let mut pending_space = false;
        for tok in &toks[i + 1..=close] {
            if tok.is_trivia() {
                pending_space = true;
                continue;
            }
            if pending_space {
                def.push(' ');
                pending_space = false;
            }
            def.push_str(tok.text(sql));
        }
        let mut idents = Vec::new();
        let inner: Vec<&Token> = toks[open + 1..close]
            .iter()
            .filter(|t| !t.is_trivia())
            .collect();
        for (k, tok) in inner.iter().enumerate() {
            let ident = tok.kind == Kind::QuotedIdent
                || (tok.kind == Kind::Word && !is_keyword(tok.text(sql)));
            let is_call = inner.get(k + 1).is_some_and(|n| n.text(sql) == "(");
            if ident && !is_call {
                let name = unquote(tok.text(sql));
                if !idents.contains(&name) {
                    idents.push(name);
                }
            }
        }
        out.push(Check { def, idents });
        i = close + 1;
    }
    out
}

/// Columns named as the single argument of `json_valid(...)` in an expression.
pub fn json_valid_args(expr: &str) -> Vec<String> {
    let toks = tokenize(expr);
    let m: Vec<&Token> = meaningful(&toks).map(|(_, t)| t).collect();
    let mut out = Vec::new();
    for w in m.windows(4) {
        if is_word(w[0], expr, "json_valid")
            && w[1].text(expr) == "("
            && matches!(w[2].kind, Kind::Word | Kind::QuotedIdent)
            && w[3].text(expr) == ")"
        {
            out.push(unquote(w[2].text(expr)));
        }
    }
    out
}

/// The tables and views a view's SELECT reads from, in order of first appearance:
/// names after FROM and JOIN and in comma lists after FROM, minus CTE names.
pub fn referenced_tables(sql: &str) -> Vec<String> {
    let toks = tokenize(sql);
    let m: Vec<&Token> = meaningful(&toks).map(|(_, t)| t).collect();
    let mut ctes: Vec<String> = Vec::new();
    let mut found: Vec<String> = Vec::new();
    // depth at which a FROM list is open, per paren depth
    let mut depth = 0usize;
    let mut from_depth: Vec<usize> = Vec::new();
    let mut k = 0;
    let mut expect_table = false;
    while k < m.len() {
        let t = m[k];
        let text = t.text(sql);
        if t.kind == Kind::Punct {
            match text {
                "(" => {
                    depth += 1;
                    // `FROM (a JOIN b)`: a parenthesised join lists tables too; a
                    // subquery `FROM (SELECT ...)` ends the list again at its SELECT.
                    if expect_table {
                        from_depth.push(depth);
                    }
                }
                ")" => {
                    from_depth.retain(|&d| d < depth);
                    depth = depth.saturating_sub(1);
                }
                "," if from_depth.last() == Some(&depth) => expect_table = true,
                _ => {}
            }
            k += 1;
            continue;
        }
        if t.kind == Kind::Word {
            let up = text.to_ascii_uppercase();
            match up.as_str() {
                "WITH" | "RECURSIVE" => {
                    // WITH name [(cols)] AS (...), name AS (...)
                    let mut j = k + 1;
                    loop {
                        if j < m.len() && is_word(m[j], sql, "RECURSIVE") {
                            j += 1;
                        }
                        if j >= m.len() {
                            break;
                        }
                        if matches!(m[j].kind, Kind::Word | Kind::QuotedIdent) {
                            ctes.push(unquote(m[j].text(sql)));
                        }
                        // skip to the AS ( ... ) body and past it
                        let mut d = 0usize;
                        let mut seen_body = false;
                        while j < m.len() {
                            let s = m[j].text(sql);
                            if m[j].kind == Kind::Punct && s == "(" {
                                d += 1;
                            } else if m[j].kind == Kind::Punct && s == ")" {
                                d = d.saturating_sub(1);
                                if d == 0 && seen_body {
                                    break;
                                }
                            } else if d == 0 && is_word(m[j], sql, "AS") {
                                seen_body = true;
                            }
                            j += 1;
                        }
                        j += 1;
                        if j < m.len() && m[j].text(sql) == "," {
                            j += 1;
                            continue;
                        }
                        break;
                    }
                    // the CTE bodies are scanned too: continue right after WITH
                    k += 1;
                    continue;
                }
                // `a IS [NOT] DISTINCT FROM b` compares; it names no table.
                "FROM" if k > 0 && is_word(m[k - 1], sql, "DISTINCT") => {
                    k += 1;
                    continue;
                }
                "FROM" => {
                    from_depth.push(depth);
                    expect_table = true;
                    k += 1;
                    continue;
                }
                "JOIN" => {
                    expect_table = true;
                    k += 1;
                    continue;
                }
                "WHERE" | "GROUP" | "ORDER" | "LIMIT" | "HAVING" | "WINDOW" | "UNION"
                | "EXCEPT" | "INTERSECT" | "SELECT" | "ON" | "USING" => {
                    if up != "ON" && up != "USING" {
                        from_depth.retain(|&d| d != depth);
                    }
                    expect_table = false;
                    k += 1;
                    continue;
                }
                _ => {}
            }
        }
        if expect_table && matches!(t.kind, Kind::Word | Kind::QuotedIdent) {
            let mut name = unquote(text);
            // schema.table
            if m.get(k + 1).is_some_and(|n| n.text(sql) == ".")
                && m.get(k + 2)
                    .is_some_and(|n| matches!(n.kind, Kind::Word | Kind::QuotedIdent))
            {
                name = unquote(m[k + 2].text(sql));
                k += 2;
            }
            // a table-valued function call is not a table
            let is_call = m.get(k + 1).is_some_and(|n| n.text(sql) == "(");
            if !is_call && !found.contains(&name) {
                found.push(name);
            }
        }
        expect_table = false;
        k += 1;
    }
    found.retain(|n| !ctes.iter().any(|c| c.eq_ignore_ascii_case(n)));
    found
}

/// The module name of `CREATE VIRTUAL TABLE x USING module(...)`, lower-cased.
pub fn virtual_module(sql: &str) -> Option<String> {
    let toks = tokenize(sql);
    let m: Vec<&Token> = meaningful(&toks).map(|(_, t)| t).collect();
    if m.len() < 3 || !is_word(m[0], sql, "CREATE") || !is_word(m[1], sql, "VIRTUAL") {
        return None;
    }
    let using = m.iter().position(|t| is_word(t, sql, "USING"))?;
    m.get(using + 1)
        .map(|t| unquote(t.text(sql)).to_ascii_lowercase())
}

/// The arguments of `USING module(arg, arg, ...)`, as written, trimmed.
pub fn virtual_args(sql: &str) -> Vec<String> {
    let toks = tokenize(sql);
    let Some(using) = toks.iter().position(|t| is_word(t, sql, "USING")) else {
        return Vec::new();
    };
    let Some(open) = toks[using..]
        .iter()
        .position(|t| t.text(sql) == "(")
        .map(|p| p + using)
    else {
        return Vec::new();
    };
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut start = toks[open].end;
    for t in &toks[open..] {
        if t.kind != Kind::Punct {
            continue;
        }
        match t.text(sql) {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    args.push(sql[start..t.start].trim().to_string());
                    break;
                }
            }
            "," if depth == 1 => {
                args.push(sql[start..t.start].trim().to_string());
                start = t.end;
            }
            _ => {}
        }
    }
    args.retain(|a| !a.is_empty());
    args
}

/// Table options after the closing parenthesis: `WITHOUT ROWID`, `STRICT`.
pub fn table_options(sql: &str) -> (bool, bool) {
    let toks = tokenize(sql);
    let mut depth = 0usize;
    let mut after_body = None;
    for (i, t) in toks.iter().enumerate() {
        if t.kind == Kind::Punct {
            match t.text(sql) {
                "(" => depth += 1,
                ")" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        after_body = Some(i + 1);
                    }
                }
                _ => {}
            }
        }
    }
    let Some(start) = after_body else {
        return (false, false);
    };
    let words: Vec<String> = toks[start..]
        .iter()
        .filter(|t| t.kind == Kind::Word)
        .map(|t| t.text(sql).to_ascii_uppercase())
        .collect();
    let without_rowid = words
        .windows(2)
        .any(|w| w[0] == "WITHOUT" && w[1] == "ROWID");
    let strict = words.iter().any(|w| w == "STRICT");
    (without_rowid, strict)
}

/// For each column definition of a CREATE TABLE, its generated-column clause
/// (`GENERATED ALWAYS AS (expr) STORED`), keyed by the unquoted column name.
pub fn generated_columns(sql: &str) -> Vec<(String, String)> {
    let toks = tokenize(sql);
    let m: Vec<&Token> = meaningful(&toks).map(|(_, t)| t).collect();
    let mut out = Vec::new();
    // Split the body into top-level comma separated definitions.
    let Some(open) = m.iter().position(|t| t.text(sql) == "(") else {
        return out;
    };
    let mut depth = 0usize;
    let mut defs: Vec<Vec<&Token>> = vec![Vec::new()];
    for t in &m[open..] {
        let s = t.text(sql);
        if t.kind == Kind::Punct && s == "(" {
            depth += 1;
            if depth == 1 {
                continue;
            }
        } else if t.kind == Kind::Punct && s == ")" {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if t.kind == Kind::Punct && s == "," && depth == 1 {
            defs.push(Vec::new());
            continue;
        }
        if let Some(last) = defs.last_mut() {
            last.push(t);
        }
    }
    for def in defs {
        let Some(first) = def.first() else { continue };
        let mut level = 0usize;
        let mut pos = None;
        for (k, t) in def.iter().enumerate() {
            match (t.kind, t.text(sql)) {
                (Kind::Punct, "(") => level += 1,
                (Kind::Punct, ")") => level = level.saturating_sub(1),
                _ if level == 0 && (is_word(t, sql, "GENERATED") || is_word(t, sql, "AS")) => {
                    pos = Some(k);
                    break;
                }
                _ => {}
            }
        }
        let Some(p) = pos else { continue };
        // `AS` alone only counts when followed by a parenthesis (generated column shorthand)
        if is_word(def[p], sql, "AS") && def.get(p + 1).is_none_or(|t| t.text(sql) != "(") {
            continue;
        }
        let start = def[p].start;
        // up to the end of the parenthesised expression and an optional STORED/VIRTUAL
        let mut depth = 0usize;
        let mut end = def[p].end;
        let mut k = p;
        while k < def.len() {
            let t = def[k];
            if t.kind == Kind::Punct && t.text(sql) == "(" {
                depth += 1;
            } else if t.kind == Kind::Punct && t.text(sql) == ")" {
                depth -= 1;
                if depth == 0 {
                    end = t.end;
                    if let Some(n) = def.get(k + 1)
                        && (is_word(n, sql, "STORED") || is_word(n, sql, "VIRTUAL"))
                    {
                        end = n.end;
                    }
                    break;
                }
            }
            k += 1;
        }
        let clause = sql[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        out.push((unquote(first.text(sql)), clause));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_like_tbls() {
        let sql = "CREATE TABLE t (\n  a TEXT CHECK(json_valid(a) OR a IS NULL),\n  b INT CHECK (b > 0),\n  CHECK(a <> 'CHECK(no)')\n)";
        let c = parse_checks(sql);
        let defs: Vec<_> = c.iter().map(|c| c.def.as_str()).collect();
        assert_eq!(
            defs,
            [
                "CHECK(json_valid(a) OR a IS NULL)",
                "CHECK (b > 0)",
                "CHECK(a <> 'CHECK(no)')"
            ]
        );
        assert_eq!(c[0].idents, ["a"]);
    }

    #[test]
    fn checks_survive_nesting_comments_and_quotes() {
        let sql = "CREATE TABLE \"we(ird\" (\n -- CHECK(in comment)\n \"x)\" INT /* CHECK(no) */ check ( ((\"x)\") > 1) AND\n   \"x)\" < 10 ),\n y TEXT DEFAULT 'CHECK(s)'\n)";
        let c = parse_checks(sql);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].def, "check ( ((\"x)\") > 1) AND \"x)\" < 10 )");
        assert!(c[0].idents.contains(&"x)".to_string()));
    }

    #[test]
    fn checks_drop_inner_comments() {
        let c = parse_checks("CREATE TABLE t(a, CHECK(a -- why\n > 1))");
        assert_eq!(c[0].def, "CHECK(a > 1)");
    }

    #[test]
    fn json_columns() {
        assert_eq!(
            json_valid_args("CHECK(json_valid(\"a b\") OR c IS NULL) AND JSON_VALID(d)"),
            ["a b", "d"]
        );
        assert!(json_valid_args("CHECK(json_valid(a, 6))").is_empty());
    }

    #[test]
    fn unbalanced_check_is_ignored() {
        assert!(parse_checks("CREATE TABLE t(a CHECK((a)").is_empty());
    }

    #[test]
    fn view_references() {
        let sql = "CREATE VIEW v AS WITH c AS (SELECT * FROM base) SELECT * FROM c JOIN \"other t\" o ON o.id = c.id, main.third, (SELECT 1 FROM inner_t) s LEFT JOIN json_each(x) WHERE y IN (SELECT z FROM fourth)";
        assert_eq!(
            referenced_tables(sql),
            ["base", "other t", "third", "inner_t", "fourth"]
        );
    }

    #[test]
    fn view_references_skip_is_distinct_from() {
        let sql = "CREATE VIEW v AS SELECT a.x FROM a WHERE x IS NOT DISTINCT FROM y OR z IS DISTINCT FROM (SELECT 1 FROM b)";
        assert_eq!(referenced_tables(sql), ["a", "b"]);
    }

    #[test]
    fn view_references_in_parenthesised_joins() {
        let sql = "CREATE VIEW v AS SELECT * FROM (a JOIN b ON a.id = b.id), (c, d) JOIN (SELECT * FROM e) s USING (id) JOIN json_each(a.j)";
        assert_eq!(referenced_tables(sql), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn view_references_of_every_shape() {
        let sql = "CREATE VIEW v AS WITH RECURSIVE cnt(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM cnt WHERE n < 5), \"Quoted CTE\" AS MATERIALIZED (SELECT * FROM [t one]) SELECT (SELECT count(*) FROM `t two`), coalesce(x, y) FROM cnt NATURAL JOIN \"Quoted CTE\" CROSS JOIN temp.t3 AS x LEFT OUTER JOIN t4 ON t4.id IN (1, 2), t5 INDEXED BY i5 WHERE EXISTS (SELECT 1 FROM t6) GROUP BY 1 ORDER BY 2, 3";
        assert_eq!(
            referenced_tables(sql),
            ["t one", "t two", "t3", "t4", "t5", "t6"]
        );
    }

    #[test]
    fn virtual_tables() {
        let sql = "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize = 'porter')";
        assert_eq!(virtual_module(sql).as_deref(), Some("fts5"));
        assert_eq!(virtual_args(sql), ["title", "body", "tokenize = 'porter'"]);
        assert_eq!(virtual_module("CREATE TABLE x(a)"), None);
    }

    #[test]
    fn options() {
        assert_eq!(
            table_options("CREATE TABLE t(a INT PRIMARY KEY) WITHOUT ROWID, STRICT"),
            (true, true)
        );
        assert_eq!(
            table_options("CREATE TABLE t(a TEXT DEFAULT 'STRICT')"),
            (false, false)
        );
    }

    #[test]
    fn generated() {
        let g = generated_columns(
            "CREATE TABLE t(a INT, b INT GENERATED ALWAYS AS (a * 2) STORED, \"c c\" AS (a+1), d TEXT)",
        );
        assert_eq!(
            g,
            [
                (
                    "b".to_string(),
                    "GENERATED ALWAYS AS (a * 2) STORED".to_string()
                ),
                ("c c".to_string(), "AS (a+1)".to_string())
            ]
        );
    }
}
