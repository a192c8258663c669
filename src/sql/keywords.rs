//! SQLite's reserved and non-reserved keywords (https://sqlite.org/lang_keywords.html).

const KEYWORDS: &[&str] = &[
    "ABORT",
    "ACTION",
    "ADD",
    "AFTER",
    "ALL",
    "ALTER",
    "ALWAYS",
    "ANALYZE",
    "AND",
    "AS",
    "ASC",
    "ATTACH",
    "AUTOINCREMENT",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CAST",
    "CHECK",
    "COLLATE",
    "COLUMN",
    "COMMIT",
    "CONFLICT",
    "CONSTRAINT",
    "CREATE",
    "CROSS",
    "CURRENT",
    "CURRENT_DATE",
    "CURRENT_TIME",
    "CURRENT_TIMESTAMP",
    "DATABASE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DELETE",
    "DESC",
    "DETACH",
    "DISTINCT",
    "DO",
    "DROP",
    "EACH",
    "ELSE",
    "END",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXCLUSIVE",
    "EXISTS",
    "EXPLAIN",
    "FAIL",
    "FALSE",
    "FILTER",
    "FIRST",
    "FOLLOWING",
    "FOR",
    "FOREIGN",
    "FROM",
    "FULL",
    "GENERATED",
    "GLOB",
    "GROUP",
    "GROUPS",
    "HAVING",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IN",
    "INDEX",
    "INDEXED",
    "INITIALLY",
    "INNER",
    "INSERT",
    "INSTEAD",
    "INTERSECT",
    "INTO",
    "IS",
    "ISNULL",
    "JOIN",
    "KEY",
    "LAST",
    "LEFT",
    "LIKE",
    "LIMIT",
    "MATCH",
    "MATERIALIZED",
    "NATURAL",
    "NO",
    "NOT",
    "NOTHING",
    "NOTNULL",
    "NULL",
    "NULLS",
    "OF",
    "OFFSET",
    "ON",
    "OR",
    "ORDER",
    "OTHERS",
    "OUTER",
    "OVER",
    "PARTITION",
    "PLAN",
    "PRAGMA",
    "PRECEDING",
    "PRIMARY",
    "QUERY",
    "RAISE",
    "RANGE",
    "RECURSIVE",
    "REFERENCES",
    "REGEXP",
    "REINDEX",
    "RELEASE",
    "RENAME",
    "REPLACE",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "ROW",
    "ROWID",
    "ROWS",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "STORED",
    "STRICT",
    "TABLE",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TIES",
    "TO",
    "TRANSACTION",
    "TRIGGER",
    "TRUE",
    "UNBOUNDED",
    "UNION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VACUUM",
    "VALUES",
    "VIEW",
    "VIRTUAL",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHOUT",
];

/// True when `word` is an SQLite keyword (any case).
pub fn is_keyword(word: &str) -> bool {
    // every word of every highlighted script comes here: a word of 16 bytes or fewer is
    // looked up as one number among the keywords' (no string comparisons)
    if word.len() <= 16 {
        return packed(word.as_bytes()).is_some_and(|x| PACKED.binary_search(&x).is_ok());
    }
    is_long_keyword(word)
}

/// A word of letters and `_` (what keywords are made of), up to 16 bytes, upper-cased
/// and packed into a number (one byte each; no byte is zero, so lengths cannot mix).
fn packed(word: &[u8]) -> Option<u128> {
    let mut x = 0u128;
    for &b in word {
        if !(b.is_ascii_alphabetic() || b == b'_') {
            return None;
        }
        x = (x << 8) | u128::from(b.to_ascii_uppercase());
    }
    Some(x)
}

/// [`packed`] of each keyword of 16 bytes or fewer, sorted.
static PACKED: std::sync::LazyLock<Vec<u128>> = std::sync::LazyLock::new(|| {
    let mut keys: Vec<u128> = KEYWORDS
        .iter()
        .filter(|k| k.len() <= 16)
        .filter_map(|k| packed(k.as_bytes()))
        .collect();
    keys.sort_unstable();
    keys
});

/// [`is_keyword`] by comparing strings: for the few keywords over 16 bytes.
fn is_long_keyword(word: &str) -> bool {
    if word.len() > 17 || !word.is_ascii() {
        return false;
    }
    // upper-cased on the stack: every word of every highlighted script comes here
    let mut buf = [0u8; 17];
    let up = &mut buf[..word.len()];
    up.copy_from_slice(word.as_bytes());
    up.make_ascii_uppercase();
    std::str::from_utf8(up).is_ok_and(|up| KEYWORDS.binary_search(&up).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_for_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn packed_lookup_is_the_string_lookup() {
        assert_eq!(
            PACKED.len(),
            KEYWORDS.iter().filter(|k| k.len() <= 16).count()
        );
        let string_lookup = |w: &str| {
            w.is_ascii()
                && KEYWORDS
                    .binary_search(&w.to_ascii_uppercase().as_str())
                    .is_ok()
        };
        let mut words: Vec<String> = KEYWORDS.iter().map(|k| k.to_string()).collect();
        words.extend(KEYWORDS.iter().map(|k| k.to_lowercase()));
        words.extend(KEYWORDS.iter().map(|k| format!("{k}S")));
        words.extend(KEYWORDS.iter().map(|k| k[1..].to_string()));
        words.extend(KEYWORDS.iter().map(|k| format!("{k}\0")));
        words.extend(crate::testing::strings_over(
            &["a", "S", "_", "1", "é", "\0", "x"],
            4,
        ));
        for w in &words {
            assert_eq!(is_keyword(w), string_lookup(w), "{w:?}");
        }
        assert!(is_keyword("current_timestamp") && !is_keyword("current_timestamps"));
    }

    #[test]
    fn lookup() {
        assert!(is_keyword("select"));
        assert!(!is_keyword("Json"));
        assert!(is_keyword("current_timestamp"));
        assert!(is_keyword("strict"));
    }
}
