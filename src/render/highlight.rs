//! Syntax highlighting of executed code: SQL (with our own tokenizer), shell, JSON,
//! Python and JavaScript, chosen from `exec_nature` and, failing that, from the code.
//!
//! The output is escaped HTML with `<span class="hl-...">` around tokens (kw, fn, str,
//! num, com, var, op, key, lit). Token spans are the one piece of markup made in Rust,
//! as comrak's HTML is; a template only places it. Small lexers instead of a grammar
//! engine: they are fast enough to highlight a million snippets in a build.

use super::escape::html_into;
use crate::sql::keywords::is_keyword;
use crate::sql::lexer::{Kind, tokenize};

/// A language we highlight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Sql,
    Shell,
    Json,
    Python,
    Js,
    Plain,
}

impl Lang {
    /// The name used in Markdown fences and CSS classes.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Sql => "sql",
            Lang::Shell => "sh",
            Lang::Json => "json",
            Lang::Python => "python",
            Lang::Js => "js",
            Lang::Plain => "text",
        }
    }
}

/// The language of code run by an execution of nature `nature`.
pub fn detect(nature: Option<&str>, code: &str) -> Lang {
    NatureHint::of(nature).detect(code)
}

/// What an `exec_nature` says of the language: SQL for sure, or a guess for when the
/// code itself does not tell. Worked out once per nature (a session has a few).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatureHint {
    sql: bool,
    fallback: Lang,
}

impl NatureHint {
    pub fn of(nature: Option<&str>) -> NatureHint {
        let n = nature.unwrap_or("").to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
        // surveilr's `shell-<engine>` natures run SQL through that engine.
        let sql = has(&[
            "sql", "sqlite", "duckdb", "postgres", "psql", "mysql", "rusqlite", "v&v",
        ]);
        let fallback = if has(&["python", "py"]) {
            Lang::Python
        } else if has(&["deno", "javascript", "typescript", "node", "js", "ts"]) {
            Lang::Js
        } else if has(&["json"]) {
            Lang::Json
        } else if has(&[
            "shell", "bash", "zsh", "sh", "cmd", "exec", "command", "surveilr",
        ]) {
            Lang::Shell
        } else {
            Lang::Plain
        };
        NatureHint { sql, fallback }
    }

    /// The language of `code` run by an execution of this nature: SQL when the nature
    /// says so, else what the code looks like, else the nature's guess.
    pub fn detect(self, code: &str) -> Lang {
        if self.sql {
            return Lang::Sql;
        }
        match sniff(code) {
            Lang::Plain => self.fallback,
            sniffed => sniffed,
        }
    }
}

fn sniff(code: &str) -> Lang {
    let t = code.trim_start();
    let first: String = t
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if matches!(
        first.as_str(),
        "SELECT"
            | "INSERT"
            | "UPDATE"
            | "DELETE"
            | "CREATE"
            | "WITH"
            | "PRAGMA"
            | "DROP"
            | "ALTER"
            | "ATTACH"
            | "BEGIN"
            | "REPLACE"
            | "VALUES"
            | "EXPLAIN"
    ) {
        Lang::Sql
    } else if t.starts_with("#!") {
        Lang::Shell
    } else if (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok()
    {
        Lang::Json
    } else {
        Lang::Plain
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    out.push_str("<span class=\"hl-");
    out.push_str(class);
    out.push_str("\">");
    html_into(out, text);
    out.push_str("</span>");
}

/// Highlighted, escaped HTML of `code`.
pub fn to_html(code: &str, lang: Lang) -> String {
    match lang {
        Lang::Sql => sql(code),
        Lang::Plain => super::escape::html(code),
        Lang::Json => json(code),
        Lang::Shell => generic(code, SHELL, &["#"], true),
        Lang::Python => generic(code, PYTHON, &["#"], false),
        Lang::Js => generic(code, JS, &["//"], false),
    }
}

fn sql(code: &str) -> String {
    let toks = tokenize(code);
    let mut out = String::with_capacity(code.len() * 2);
    for (i, t) in toks.iter().enumerate() {
        let text = t.text(code);
        let class = match t.kind {
            Kind::Comment => Some("com"),
            Kind::String => Some("str"),
            Kind::Number => Some("num"),
            Kind::Param => Some("var"),
            Kind::QuotedIdent => None,
            Kind::Word if is_keyword(text) => Some("kw"),
            Kind::Word => {
                let next = toks[i + 1..].iter().find(|n| !n.is_trivia());
                next.filter(|n| n.text(code) == "(").map(|_| "fn")
            }
            Kind::Space | Kind::Punct => None,
        };
        match class {
            Some(c) => span(&mut out, c, text),
            None => html_into(&mut out, text),
        }
    }
    out
}

fn json(code: &str) -> String {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len() * 2);
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        let start = i;
        let class = match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                while !code.is_char_boundary(i) {
                    i += 1;
                }
                let rest = code[i..].trim_start();
                if rest.starts_with(':') { "key" } else { "str" }
            }
            b'-' | b'0'..=b'9' => {
                i += 1;
                while i < b.len() && matches!(b[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    i += 1;
                }
                "num"
            }
            b't' | b'f' | b'n'
                if ["true", "false", "null"]
                    .iter()
                    .any(|w| code[i..].starts_with(w)) =>
            {
                i += if b[i] == b'f' { 5 } else { 4 };
                "lit"
            }
            _ => {
                i += 1;
                continue;
            }
        };
        html_into(&mut out, &code[plain..start]);
        // a string may end mid-character only if the input was cut; stay on boundaries
        while !code.is_char_boundary(i) {
            i += 1;
        }
        span(&mut out, class, &code[start..i]);
        plain = i;
    }
    html_into(&mut out, &code[plain..]);
    out
}

const SHELL: &[&str] = &[
    "case", "do", "done", "elif", "else", "esac", "export", "fi", "for", "function", "if", "in",
    "local", "return", "select", "set", "then", "until", "while", "exit", "source", "unset",
];
const PYTHON: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];
const JS: &[&str] = &[
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "delete",
    "do",
    "else",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "from",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "of",
    "return",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "void",
    "while",
    "yield",
];

/// A keyword/string/comment/number lexer for shell-like and C-like languages.
fn generic(code: &str, keywords: &[&str], comments: &[&str], shell: bool) -> String {
    let b = code.as_bytes();
    let mut out = String::with_capacity(code.len() * 2);
    let mut i = 0;
    let mut plain = 0;
    while i < b.len() {
        let start = i;
        let at_word_start = i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
        let class = if comments.iter().any(|c| code[i..].starts_with(c))
            && (!shell || i == 0 || b[i - 1].is_ascii_whitespace())
        {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            "com"
        } else if b[i] == b'"' || b[i] == b'\'' || (!shell && b[i] == b'`') {
            let q = b[i];
            i += 1;
            while i < b.len() && b[i] != q {
                i += if b[i] == b'\\' && !(shell && q == b'\'') {
                    2
                } else {
                    1
                };
            }
            i = (i + 1).min(b.len());
            "str"
        } else if shell && b[i] == b'$' {
            i += 1;
            if i < b.len() && b[i] == b'{' {
                while i < b.len() && b[i] != b'}' {
                    i += 1;
                }
                i = (i + 1).min(b.len());
            } else {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            }
            "var"
        } else if at_word_start && b[i].is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                i += 1;
            }
            "num"
        } else if at_word_start && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if keywords.contains(&&code[start..i]) {
                "kw"
            } else {
                continue;
            }
        } else {
            i += 1;
            while !code.is_char_boundary(i) {
                i += 1;
            }
            continue;
        };
        while !code.is_char_boundary(i) {
            i += 1;
        }
        html_into(&mut out, &code[plain..start]);
        span(&mut out, class, &code[start..i]);
        plain = i;
    }
    html_into(&mut out, &code[plain..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_languages() {
        assert_eq!(detect(Some("shell-rusqlite"), ""), Lang::Sql);
        assert_eq!(detect(Some("V&V"), ""), Lang::Sql);
        assert_eq!(detect(Some("shell"), "ls"), Lang::Shell);
        assert_eq!(detect(Some("deidentification"), "SELECT 1"), Lang::Sql);
        assert_eq!(detect(None, "#!/bin/sh\necho"), Lang::Shell);
        assert_eq!(detect(None, "{\"a\":1}"), Lang::Json);
        assert_eq!(detect(None, "hello"), Lang::Plain);
    }

    #[test]
    fn sql_tokens() {
        let h = to_html("SELECT count(*) FROM t WHERE a = 'x<y' -- c", Lang::Sql);
        assert!(
            h.starts_with("<span class=\"hl-kw\">SELECT</span> <span class=\"hl-fn\">count</span>")
        );
        assert!(h.contains("<span class=\"hl-str\">&#39;x&lt;y&#39;</span>"));
        assert!(h.contains("<span class=\"hl-com\">-- c</span>"));
    }

    #[test]
    fn shell_tokens() {
        let h = to_html("if [ -f \"$F\" ]; then echo $HOME # done\nfi", Lang::Shell);
        assert!(h.contains("<span class=\"hl-kw\">if</span>"));
        assert!(h.contains("<span class=\"hl-str\">&quot;$F&quot;</span>"));
        assert!(h.contains("<span class=\"hl-var\">$HOME</span>"));
        assert!(h.contains("<span class=\"hl-com\"># done</span>"));
    }

    #[test]
    fn json_tokens() {
        let h = to_html("{\"k\": [1, true, \"v\"]}", Lang::Json);
        assert!(h.contains("<span class=\"hl-key\">&quot;k&quot;</span>"));
        assert!(h.contains("<span class=\"hl-lit\">true</span>"));
        assert!(h.contains("<span class=\"hl-str\">&quot;v&quot;</span>"));
    }

    #[test]
    fn never_panics_and_always_escapes() {
        for lang in [
            Lang::Sql,
            Lang::Shell,
            Lang::Json,
            Lang::Python,
            Lang::Js,
            Lang::Plain,
        ] {
            for s in [
                "\"unterminated é",
                "'",
                "$",
                "${",
                "é\"é",
                "<script>",
                "-",
                "tru",
                "#",
            ] {
                let h = to_html(s, lang);
                assert!(!h.contains("<script"), "{lang:?} {s:?} -> {h}");
            }
        }
    }
}
