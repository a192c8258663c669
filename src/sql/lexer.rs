//! A small, total SQL tokenizer for SQLite's dialect.
//!
//! It never fails: unterminated strings, identifiers and comments simply run to the end of
//! the input. Every byte of the input belongs to exactly one token, so the tokens can be
//! glued back into the original text. Used to parse CHECK constraints and view
//! definitions, and to highlight code.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Spaces, tabs, newlines.
    Space,
    /// `-- ...` to the end of the line, or `/* ... */`.
    Comment,
    /// `'...'` with `''` as the escaped quote; also `x'..'` blob literals.
    String,
    /// `"..."`, `` `...` `` or `[...]`.
    QuotedIdent,
    /// A bare word: keyword or identifier.
    Word,
    /// A numeric literal.
    Number,
    /// `?`, `?NNN`, `:name`, `@name`, `$name`.
    Param,
    /// Any other single or double character operator or punctuation.
    Punct,
}

/// One token: its kind and its byte range in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text within `src`.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }

    /// True for tokens that carry no meaning (space and comments).
    pub fn is_trivia(&self) -> bool {
        matches!(self.kind, Kind::Space | Kind::Comment)
    }
}

/// Splits `src` into tokens covering every byte.
pub fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 4 + 1);
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = b[i];
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => {
                while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c') {
                    i += 1;
                }
                Kind::Space
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                Kind::Comment
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                Kind::Comment
            }
            b'\'' => {
                i = quoted_end(b, i, b'\'');
                Kind::String
            }
            b'x' | b'X' if b.get(i + 1) == Some(&b'\'') => {
                i = quoted_end(b, i + 1, b'\'');
                Kind::String
            }
            b'"' => {
                i = quoted_end(b, i, b'"');
                Kind::QuotedIdent
            }
            b'`' => {
                i = quoted_end(b, i, b'`');
                Kind::QuotedIdent
            }
            b'[' => {
                while i < b.len() && b[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(b.len());
                Kind::QuotedIdent
            }
            b'0'..=b'9' => {
                i = number_end(b, i);
                Kind::Number
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_end(b, i);
                Kind::Number
            }
            b'?' => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                Kind::Param
            }
            b':' | b'@' | b'$' if b.get(i + 1).is_some_and(|&n| is_word_byte(n)) => {
                i += 1;
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                Kind::Param
            }
            _ if is_word_byte(c) => {
                while i < b.len() && is_word_byte(b[i]) {
                    i += 1;
                }
                Kind::Word
            }
            _ => {
                let two = b.get(i + 1).copied();
                let len = match (c, two) {
                    (b'|', Some(b'|'))
                    | (b'<', Some(b'=' | b'>' | b'<'))
                    | (b'>', Some(b'=' | b'>'))
                    | (b'=', Some(b'='))
                    | (b'!', Some(b'='))
                    | (b'-', Some(b'>')) => 2,
                    _ => utf8_len(c),
                };
                i = (i + len).min(b.len());
                // `->>` (JSON operator)
                if c == b'-' && len == 2 && b.get(i) == Some(&b'>') {
                    i += 1;
                }
                Kind::Punct
            }
        };
        out.push(Token {
            kind,
            start,
            end: i,
        });
    }
    out
}

fn quoted_end(b: &[u8], open: usize, q: u8) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

fn number_end(b: &[u8], mut i: usize) -> usize {
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < b.len() && (b[i].is_ascii_hexdigit() || b[i] == b'_') {
            i += 1;
        }
        return i;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_' || b[i] == b'.') {
        i += 1;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let mut j = i + 1;
        if j < b.len() && matches!(b[j], b'+' | b'-') {
            j += 1;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            i = j;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    i
}

/// Bytes that may appear in a bare identifier: ASCII letters, digits, `_`, `$` and
/// every byte of a non-ASCII UTF-8 character (SQLite treats those as letters).
fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// The name an identifier token denotes: quotes removed and doubled quotes collapsed.
pub fn unquote(text: &str) -> String {
    let bytes = text.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return String::new();
    };
    match (first, last) {
        (b'"', b'"') | (b'`', b'`') | (b'\'', b'\'') if text.len() >= 2 => {
            let q = first as char;
            let inner = &text[1..text.len() - 1];
            inner.replace(&format!("{q}{q}"), &q.to_string())
        }
        (b'[', b']') if text.len() >= 2 => text[1..text.len() - 1].to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src)
            .into_iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn covers_every_byte() {
        let src = "SELECT 'a''b', \"c\"\"d\", [e f], `g` -- x\n/* y */ 1.5e3 ->> ?1 :n é";
        let toks = tokenize(src);
        let glued: String = toks.iter().map(|t| t.text(src)).collect();
        assert_eq!(glued, src);
        assert!(toks.windows(2).all(|w| w[0].end == w[1].start));
    }

    #[test]
    fn strings_and_identifiers() {
        let k = kinds("'it''s' \"a \"\" b\" x'00ff'");
        assert_eq!(k[0], (Kind::String, "'it''s'"));
        assert_eq!(k[2], (Kind::QuotedIdent, "\"a \"\" b\""));
        assert_eq!(k[4], (Kind::String, "x'00ff'"));
        assert_eq!(unquote("\"a \"\" b\""), "a \" b");
        assert_eq!(unquote("[x y]"), "x y");
        assert_eq!(unquote("plain"), "plain");
    }

    #[test]
    fn unterminated_runs_to_end() {
        assert_eq!(kinds("'abc"), vec![(Kind::String, "'abc")]);
        assert_eq!(kinds("/* abc"), vec![(Kind::Comment, "/* abc")]);
        assert_eq!(kinds("\"abc"), vec![(Kind::QuotedIdent, "\"abc")]);
        assert_eq!(kinds("[abc"), vec![(Kind::QuotedIdent, "[abc")]);
    }

    #[test]
    fn operators() {
        let k = kinds("a->>'$.x' || b <= c");
        assert!(k.contains(&(Kind::Punct, "->>")));
        assert!(k.contains(&(Kind::Punct, "||")));
        assert!(k.contains(&(Kind::Punct, "<=")));
    }

    #[test]
    fn non_ascii_is_word() {
        let k = kinds("café(x)");
        assert_eq!(k[0], (Kind::Word, "café"));
    }
}
