//! The offline search index: what is searchable on each page (documents and their
//! terms) and the encoding of the index files the browser loads.
//!
//! The index is split so a browser loads only what a query needs, from `file://` too
//! (every file is a script that calls a registration function, because `fetch` does not
//! work there):
//!
//! - `search/index.js`: the manifest (shard count, sizes, the tokenizer's settings).
//! - `search/t/<n>.js`: term shards. A term lives in shard `fnv1a32(term) % shards`;
//!   its postings are the ascending ids of the documents holding it, delta-encoded as
//!   VLQ in a base64url alphabet. A term in more than [`MAX_POSTINGS`] documents keeps
//!   the first ones only, with its true count, so one common word cannot make a shard
//!   huge.
//! - `search/d/<k>.js`: documents `k * DOC_SHARD ..` (kind, page, anchor, title, detail,
//!   status), with the table of pages they are on.
//!
//! Each document keeps at most [`MAX_TERMS`] distinct terms, taken from its fields in
//! order of importance (ids and names, errors, code, output) and from the first
//! [`SCAN_BYTES`] of each field; so the index grows with the number of documents, never
//! with the size of their texts. Nothing here does I/O: `app::search` streams the
//! records to shard files as sessions are committed.

use serde::Serialize;

use super::exec;
use super::links::encode_segment;
use super::schema::{SchemaOptions, column_anchor, file_stems};
use crate::model::schema::Schema;
use crate::model::session::Session;

/// Distinct terms kept per document.
pub const MAX_TERMS: usize = 32;
/// Bytes of each field scanned for terms.
pub const SCAN_BYTES: usize = 4096;
/// Shortest and longest term, in characters.
pub const MIN_LEN: usize = 2;
pub const MAX_LEN: usize = 40;
/// Postings kept per term; a term in more documents keeps the first (newest) ones.
pub const MAX_POSTINGS: usize = 1000;
/// Documents per document shard.
pub const DOC_SHARD: usize = 256;
/// Words too common to be worth indexing.
pub const STOP: &[&str] = &[
    "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "if", "in", "into", "is",
    "it", "its", "of", "on", "or", "so", "that", "the", "then", "this", "to", "was", "were",
    "will", "with",
];

/// One of [`STOP`] (a `match`: checked for every word of every document).
fn is_stop_word(t: &str) -> bool {
    matches!(
        t,
        "an" | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "but"
            | "by"
            | "for"
            | "from"
            | "if"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "of"
            | "on"
            | "or"
            | "so"
            | "that"
            | "the"
            | "then"
            | "this"
            | "to"
            | "was"
            | "were"
            | "will"
            | "with"
    )
}

/// FNV-1a, 32 bits, of the UTF-8 bytes: the shard of a term (the browser computes the
/// same).
pub fn hash(term: &str) -> u32 {
    let mut h: u32 = FNV32_OFFSET;
    for &b in term.as_bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(FNV32_PRIME);
    }
    h
}

const FNV32_OFFSET: u32 = 0x811c_9dc5;
const FNV32_PRIME: u32 = 0x0100_0193;

/// Number of term shards for about `docs` documents: a power of two, from 4 (a small
/// site loads one or two small files) to 1024, about 2,000 documents per shard.
pub fn shard_count(docs: u64) -> u32 {
    (docs / 2000).clamp(4, 1024).next_power_of_two() as u32
}

fn is_joiner(c: char) -> bool {
    c.is_ascii() && ASCII_CLASS[c as usize] == JOINER
}

/// The words of a text: maximal runs of letters, digits, `_`, `-` and `.`, with the
/// joiners trimmed from both ends.
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// Iterator of [`words`]: reads bytes, and decodes a character only where one is not
/// ASCII (what a `split` on a character predicate would do for every character).
pub struct Words<'a> {
    text: &'a str,
    pos: usize,
}

/// A word found by [`Words`]: its bytes in the text, whether it is all ASCII, and
/// whether a joiner is inside it.
struct Found {
    start: usize,
    end: usize,
    ascii: bool,
    joined: bool,
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        self.find().map(|f| &self.text[f.start..f.end])
    }
}

impl Words<'_> {
    fn find(&mut self) -> Option<Found> {
        let bytes = self.text.as_bytes();
        let class = |i: usize| bytes.get(i).map(|&b| ASCII_CLASS[usize::from(b)]);
        let mut i = self.pos;
        // past what separates words, then past the joiners a word cannot start with
        loop {
            match class(i)? {
                SEPARATOR | JOINER => i += 1,
                WORD => break,
                _ => match self.char_at(i) {
                    (true, _) => break,
                    (false, n) => i += n,
                },
            }
        }
        let start = i;
        let mut ascii = true;
        let mut joined = false;
        // runs of word characters, each run of joiners between two of them counted
        let end = loop {
            while class(i) == Some(WORD) {
                i += 1;
            }
            match class(i) {
                Some(JOINER) => {
                    let end = i;
                    while class(i) == Some(JOINER) {
                        i += 1;
                    }
                    match class(i) {
                        Some(WORD) => joined = true,
                        Some(NOT_ASCII) if self.char_at(i).0 => joined = true,
                        _ => break end,
                    }
                }
                Some(NOT_ASCII) => match self.char_at(i) {
                    (true, n) => {
                        ascii = false;
                        i += n;
                    }
                    (false, _) => break i,
                },
                _ => break i,
            }
        };
        self.pos = i;
        Some(Found {
            start,
            end,
            ascii,
            joined,
        })
    }
}

const SEPARATOR: u8 = 0;
const WORD: u8 = 1;
const JOINER: u8 = 2;
const NOT_ASCII: u8 = 3;

/// The class of each byte: ASCII letters and digits, the joiners `_` `-` `.`, other
/// ASCII characters, and the bytes of characters that are not ASCII.
static ASCII_CLASS: [u8; 256] = {
    let mut t = [NOT_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            WORD
        } else if c == b'_' || c == b'-' || c == b'.' {
            JOINER
        } else {
            SEPARATOR
        };
        b += 1;
    }
    t
};

impl Words<'_> {
    /// Whether the character at byte `i` (a character boundary, not ASCII) is a letter
    /// or digit, and its length in bytes.
    fn char_at(&self, i: usize) -> (bool, usize) {
        let c = self.text[i..].chars().next().unwrap_or(' ');
        (c.is_alphanumeric(), c.len_utf8())
    }
}

/// A word lower-cased as JavaScript's `toLowerCase` does (`str::to_lowercase` handles
/// the final sigma the same way).
pub fn lower(word: &str) -> String {
    if word.is_ascii() {
        word.to_ascii_lowercase()
    } else {
        word.to_lowercase()
    }
}

fn indexable(term: &str) -> bool {
    let n = if term.is_ascii() {
        term.len()
    } else {
        term.chars().count()
    };
    (MIN_LEN..=MAX_LEN).contains(&n) && !is_stop_word(term)
}

fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// The distinct terms of one document, in the order they were found, at most
/// [`MAX_TERMS`], with their [`hash`] (computed here, on all cores, so the in-order
/// commit only appends).
pub struct Terms {
    /// (hash, key, start, length) of each term in `out`.
    seen: Vec<(u32, u64, u32, u32)>,
    /// The first 16 bytes of each term in `seen` ([`first16`]), compared before the
    /// term itself.
    first: Vec<[u64; 2]>,
    /// A hash table over `seen` (open addressing by [`slot_of`], linear probing): the
    /// index in `seen` plus one, 0 for an empty slot. Never more than half full.
    slots: [u8; SLOTS],
    out: String,
    buf: String,
}

const SLOTS: usize = 64;
const _: () = assert!(MAX_TERMS * 2 <= SLOTS && SLOTS <= u8::MAX as usize);

impl Default for Terms {
    fn default() -> Terms {
        Terms {
            seen: Vec::with_capacity(MAX_TERMS),
            first: Vec::with_capacity(MAX_TERMS),
            slots: [0; SLOTS],
            // a document's terms: up to MAX_TERMS words of a few letters
            out: String::with_capacity(256),
            buf: String::new(),
        }
    }
}

/// The terms of a document: the text of each, separated by single spaces (terms never
/// contain one), and the hash of each.
#[derive(Debug, Clone, Default)]
pub struct DocTerms {
    pub text: String,
    /// [`hash`] (the shard), [`key`] (the identity), start and length in `text` of
    /// each term.
    pub hashes: Vec<(u32, u64, u32, u32)>,
}

impl DocTerms {
    /// (hash, key, term) of each term.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u64, &str)> {
        self.hashes
            .iter()
            .map(|&(h, k, s, l)| (h, k, &self.text[s as usize..(s + l) as usize]))
    }
}

/// A 64-bit key of a term (FNV-1a 64), to count terms without keeping them.
pub fn key(term: &str) -> u64 {
    super::slug::stable_hash(term)
}

/// The first 16 bytes of `b`, zero-padded, as two little-endian words; with `lower`,
/// ASCII capitals made small (`b` must then be ASCII). A term's are those of its
/// lower-cased bytes whichever way they are taken.
#[inline(always)]
fn first16(b: &[u8], lower: bool) -> [u64; 2] {
    // loads of 8, 4 or 2 bytes that may overlap (where they do, their bytes are the
    // same), not a copy into a zeroed buffer: this runs for every word of every document
    let n = b.len();
    let at8 = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
    let at4 = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes")));
    let at2 = |i: usize| u64::from(u16::from_le_bytes(b[i..i + 2].try_into().expect("2 bytes")));
    let [w0, w1] = match n {
        16.. => [at8(0), at8(8)],
        9..=15 => [at8(0), at8(n - 8) >> (8 * (16 - n))],
        8 => [at8(0), 0],
        4..=7 => [at4(0) | (at4(n - 4) << (8 * (n - 4))), 0],
        2..=3 => [at2(0) | (at2(n - 2) << (8 * (n - 2))), 0],
        1 => [u64::from(b[0]), 0],
        0 => [0, 0],
    };
    if lower {
        [ascii_lower(w0), ascii_lower(w1)]
    } else {
        [w0, w1]
    }
}

/// The first word of [`first16`] of each of [`STOP`] (none is longer than four bytes).
const STOP_FIRST: [u64; STOP.len()] = {
    let mut keys = [0u64; STOP.len()];
    let mut i = 0;
    while i < STOP.len() {
        let s = STOP[i].as_bytes();
        assert!(s.len() <= 4);
        let mut j = 0;
        while j < s.len() {
            keys[i] |= (s[j] as u64) << (8 * j);
            j += 1;
        }
        i += 1;
    }
    keys
};

/// A bit for each value of [`stop_bucket`] that one of [`STOP`] falls in.
const STOP_BUCKETS: [u64; 4] = {
    let mut bits = [0u64; 4];
    let mut i = 0;
    while i < STOP_FIRST.len() {
        let b = stop_bucket(STOP_FIRST[i]);
        bits[b / 64] |= 1 << (b % 64);
        i += 1;
    }
    bits
};

const fn stop_bucket(x: u64) -> usize {
    (x.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as usize
}

/// Whether a word of `len` ASCII bytes whose lower-cased [`first16`] is `first` is one
/// of [`STOP`], known before it is written out: most words are ruled out by their
/// length or by one bit of [`STOP_BUCKETS`].
fn is_stop_first(first: [u64; 2], len: usize) -> bool {
    let b = stop_bucket(first[0]);
    len <= 4 && STOP_BUCKETS[b / 64] & (1 << (b % 64)) != 0 && STOP_FIRST.contains(&first[0])
}

/// The eight ASCII bytes of `x` with `A`-`Z` made `a`-`z`, all at once: the high bit of
/// `byte + 0x3f` is set from `A` up, that of `byte + 0x25` from `[` up (no sum carries
/// into the next byte below 0x80).
fn ascii_lower(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let from_a = x + 0x3f * ONES;
    let past_z = x + 0x25 * ONES;
    let capital = from_a & !past_z & (0x80 * ONES);
    x | (capital >> 2)
}

/// The first slot to look at for a term of `len` bytes starting with `first`.
fn slot_of(first: [u64; 2], len: usize) -> usize {
    let mixed =
        (first[0] ^ first[1].rotate_left(29) ^ len as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    (mixed >> 58) as usize % SLOTS
}

impl Terms {
    fn full(&self) -> bool {
        self.seen.len() >= MAX_TERMS
    }

    /// A lower-cased term (any characters).
    fn push(&mut self, term: &str) {
        if self.full() || !indexable(term) {
            return;
        }
        let first = first16(term.as_bytes(), false);
        let mut slot = slot_of(first, term.len());
        while let Some(k) = usize::from(self.slots[slot]).checked_sub(1) {
            let (_, _, st, ln) = self.seen[k];
            if self.first[k] == first && &self.out[st as usize..(st + ln) as usize] == term {
                return;
            }
            slot = (slot + 1) % SLOTS;
        }
        if !self.out.is_empty() {
            self.out.push(' ');
        }
        self.seen.push((
            hash(term),
            key(term),
            self.out.len() as u32,
            term.len() as u32,
        ));
        self.first.push(first);
        self.slots[slot] = self.seen.len() as u8;
        self.out.push_str(term);
    }

    /// [`Terms::push`] of an ASCII word lower-cased, without copying it first: a known
    /// term is found by its first 16 bytes lower-cased (eight at a time) and its length,
    /// and only a new term is written (lower-cased) to the output and hashed.
    fn push_ascii(&mut self, w: &str) {
        let b = w.as_bytes();
        if self.full() || !(MIN_LEN..=MAX_LEN).contains(&b.len()) {
            return;
        }
        let first = first16(b, true);
        if is_stop_first(first, b.len()) {
            return;
        }
        let mut slot = slot_of(first, b.len());
        while let Some(k) = usize::from(self.slots[slot]).checked_sub(1) {
            let (_, _, st, ln) = self.seen[k];
            if self.first[k] == first
                && ln as usize == b.len()
                && (b.len() <= 16
                    || self.out.as_bytes()[st as usize + 16..(st + ln) as usize]
                        .iter()
                        .zip(&b[16..])
                        .all(|(&t, &c)| t == c.to_ascii_lowercase()))
            {
                return;
            }
            slot = (slot + 1) % SLOTS;
        }
        if !self.out.is_empty() {
            self.out.push(' ');
        }
        let start = self.out.len();
        self.out.push_str(w);
        self.out[start..].make_ascii_lowercase();
        let term = &self.out[start..];
        self.seen
            .push((hash(term), key(term), start as u32, b.len() as u32));
        self.first.push(first);
        self.slots[slot] = self.seen.len() as u8;
    }

    /// Lower-cases `w` into the reusable buffer and hands it to `f`.
    fn with_lower(&mut self, w: &str, f: impl FnOnce(&mut Self, &str)) {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        if w.is_ascii() {
            buf.push_str(w);
            buf.make_ascii_lowercase();
        } else {
            buf.push_str(&w.to_lowercase());
        }
        f(self, &buf);
        self.buf = buf;
    }

    /// An identifier: the whole of each word only (`SESS-1-E7` is found as
    /// `sess-1-e7`, not as `sess`, `1`, `e7`).
    pub fn id(&mut self, s: Option<&str>) {
        let s = prefix(s.unwrap_or(""), SCAN_BYTES);
        let mut ws = words(s);
        while let Some(f) = ws.find() {
            let w = &s[f.start..f.end];
            if f.ascii {
                self.push_ascii(w);
            } else {
                self.with_lower(w, |t, l| t.push(l));
            }
        }
    }

    /// Prose or code: each word, and the parts of words joined by `_`, `-`, `.`
    /// (`patients.csv` is found as `patients.csv`, `patients` and `csv`).
    pub fn text(&mut self, s: Option<&str>) {
        let s = prefix(s.unwrap_or(""), SCAN_BYTES);
        let stripped;
        let s = if crate::render::ansi::has_escapes(s) {
            stripped = crate::render::ansi::strip(s);
            stripped.as_str()
        } else {
            s
        };
        let mut ws = words(s);
        while let Some(f) = ws.find() {
            if self.full() {
                return;
            }
            let w = &s[f.start..f.end];
            if f.ascii {
                self.push_ascii(w);
                if f.joined {
                    for p in w.split(is_joiner) {
                        self.push_ascii(p);
                    }
                }
                continue;
            }
            self.with_lower(w, |t, l| {
                t.push(l);
                if l.bytes().any(|b| ASCII_CLASS[usize::from(b)] == JOINER) {
                    for p in l.split(is_joiner) {
                        t.push(p);
                    }
                }
            });
        }
    }

    /// The terms and their hashes.
    /// The terms gathered since the last call, in buffers of their exact size (a
    /// session's documents are held until it is committed: 100,000 of them kept the
    /// scratch buffers' spare room, about 1 KB each), and the scratch emptied for the
    /// next document.
    pub fn finish(&mut self) -> DocTerms {
        let terms = DocTerms {
            text: self.out.as_str().to_owned(),
            hashes: self.seen.to_vec(),
        };
        self.seen.clear();
        self.first.clear();
        self.slots = [0; SLOTS];
        self.out.clear();
        terms
    }
}

/// What a search result shows about a document.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DocMeta {
    /// `s` session, `x` execution, `i` issue, `t` table or view, `c` column.
    pub kind: &'static str,
    /// Anchor on the page, empty for the page itself.
    pub anchor: String,
    pub title: String,
    pub detail: String,
    /// `success` / `failure` / `unknown` for executions, the final state for sessions.
    pub status: &'static str,
}

/// A searchable document: what it shows and its terms.
#[derive(Debug, Clone)]
pub struct Doc {
    pub meta: DocMeta,
    /// The page it is on, when not the page of its [`PageDocs`] (an execution on a
    /// later part of a long session).
    pub url: Option<String>,
    pub terms: DocTerms,
}

/// The documents of one page.
#[derive(Debug, Clone)]
pub struct PageDocs {
    /// Path of the page from the site root, already URL-encoded.
    pub url: String,
    /// Session id or table name, shown with each result.
    pub label: String,
    pub docs: Vec<Doc>,
}

fn first_line(s: &str, max: usize) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The documents of a session page: the session, each execution, each issue.
/// `exec_page(i)` names the page execution `i` is on when it is not `url`.
pub fn session_docs(
    session: &Session,
    url: String,
    exec_anchors: &[String],
    issue_anchors: &[String],
    exec_page: impl Fn(usize) -> Option<String>,
) -> PageDocs {
    let mut docs = Vec::with_capacity(1 + session.execs.len() + session.issues.len());
    let done: Result<(), std::convert::Infallible> =
        each_session_doc(session, exec_anchors, issue_anchors, exec_page, |d| {
            docs.push(d);
            Ok(())
        });
    let Ok(()) = done;
    PageDocs {
        url,
        label: session.summary.id.clone(),
        docs,
    }
}

/// [`session_docs`] one document at a time, in the same order, without holding them
/// (the documents of a long session are added to the index as they are made).
pub fn each_session_doc<E>(
    session: &Session,
    exec_anchors: &[String],
    issue_anchors: &[String],
    exec_page: impl Fn(usize) -> Option<String>,
    mut each: impl FnMut(Doc) -> Result<(), E>,
) -> Result<(), E> {
    let s = &session.summary;
    let mut t = Terms::default();
    t.id(Some(&s.id));
    t.text(Some(&s.nature));
    t.text(Some(&s.device));
    t.text(Some(s.final_state.as_str()));
    t.text(s.version.as_deref());
    let started = s.started_at.as_ref().map(|t| t.display());
    each(Doc {
        meta: DocMeta {
            kind: "s",
            anchor: String::new(),
            title: s.id.clone(),
            detail: join(&[Some(&s.nature), Some(&s.device), started.as_deref()]),
            status: s.final_state.as_str(),
        },
        url: None,
        terms: t.finish(),
    })?;
    for (i, (e, anchor)) in session.execs.iter().zip(exec_anchors).enumerate() {
        t.id(Some(&e.id));
        t.text(e.identity.as_deref());
        t.text(e.nature.as_deref());
        t.text(e.namespace.as_deref());
        t.text(e.error.as_deref());
        t.text(e.code.as_deref());
        t.text(e.output.as_deref());
        t.text(e.narrative_md.as_deref());
        each(Doc {
            meta: DocMeta {
                kind: "x",
                anchor: anchor.clone(),
                title: exec::title(e),
                detail: join(&[e.nature.as_deref(), e.namespace.as_deref()]),
                status: e.status.as_str(),
            },
            url: exec_page(i),
            terms: t.finish(),
        })?;
    }
    for (i, anchor) in session.issues.iter().zip(issue_anchors) {
        t.id(Some(&i.id));
        t.text(i.issue_type.as_deref());
        t.text(i.message.as_deref());
        t.text(i.column.as_deref());
        t.text(i.invalid_value.as_deref());
        t.text(i.remediation.as_deref());
        each(Doc {
            meta: DocMeta {
                kind: "i",
                anchor: anchor.clone(),
                title: first_line(
                    i.message
                        .as_deref()
                        .or(i.issue_type.as_deref())
                        .unwrap_or(&i.id),
                    100,
                ),
                detail: join(&[
                    i.issue_type.as_deref(),
                    i.column.as_deref(),
                    i.row.as_ref().map(|r| format!("row {r}")).as_deref(),
                ]),
                status: "",
            },
            url: None,
            terms: t.finish(),
        })?;
    }
    Ok(())
}

/// The documents of the schema pages: each table or view, and each of its columns.
pub fn schema_docs(schema: &Schema, opts: &SchemaOptions) -> Vec<PageDocs> {
    let stems = file_stems(schema, opts);
    schema
        .tables
        .iter()
        .map(|tb| {
            let mut docs = Vec::with_capacity(1 + tb.columns.len());
            let mut t = Terms::default();
            t.text(Some(&tb.name));
            t.text(Some(tb.kind.as_str()));
            t.text(Some(&tb.comment));
            docs.push(Doc {
                meta: DocMeta {
                    kind: "t",
                    anchor: String::new(),
                    title: tb.name.clone(),
                    detail: join(&[Some(tb.kind.as_str()), Some(&first_line(&tb.comment, 80))]),
                    status: "",
                },
                url: None,
                terms: t.finish(),
            });
            for c in &tb.columns {
                t.text(Some(&c.name));
                t.text(Some(&c.ty));
                t.text(Some(&c.comment));
                if c.json {
                    t.text(Some("json"));
                }
                docs.push(Doc {
                    meta: DocMeta {
                        kind: "c",
                        anchor: column_anchor(&c.name),
                        title: format!("{}.{}", tb.name, c.name),
                        detail: join(&[
                            Some(&c.ty),
                            c.json.then_some("JSON"),
                            Some(&first_line(&c.comment, 80)),
                        ]),
                        status: "",
                    },
                    url: None,
                    terms: t.finish(),
                });
            }
            PageDocs {
                url: format!("{}/{}.html", opts.dir, encode_segment(&stems[&tb.name])),
                label: tb.name.clone(),
                docs,
            }
        })
        .collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `n` as VLQ: five bits a character, low bits first, the sixth bit set on all
/// characters but the last.
pub fn vlq(mut n: u32, out: &mut String) {
    loop {
        let d = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(B64[d] as char);
            return;
        }
        out.push(B64[d | 32] as char);
    }
}

/// Postings as the browser reads them: ascending ids, delta-encoded VLQ.
pub fn encode_postings(ids: &[u32]) -> String {
    let mut s = String::with_capacity(ids.len() * 2);
    let mut last = 0;
    for &id in ids {
        vlq(id - last, &mut s);
        last = id;
    }
    s
}

/// Appends one (shard, document, term) record to a spill buffer: the shard as two
/// bytes, the document as a varint, the term's length and bytes.
pub fn push_record(buf: &mut Vec<u8>, shard: u16, doc: u32, term: &str) {
    buf.extend_from_slice(&shard.to_le_bytes());
    let mut n = doc;
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
    buf.push(term.len() as u8);
    buf.extend_from_slice(term.as_bytes());
}

/// Reads the whole spill records at the front of `buf`, in the order they were pushed,
/// calling `f(shard, document, term)` (the term's UTF-8 bytes, checked once per distinct
/// term in [`ShardTerms::render`]); returns the bytes read (a record cut at the end of
/// `buf` is left for the next call, with more bytes).
pub fn read_records(buf: &[u8], mut f: impl FnMut(u16, u32, &[u8])) -> usize {
    let mut at = 0;
    'records: while buf.len() >= at + 4 {
        let shard = u16::from_le_bytes([buf[at], buf[at + 1]]);
        let mut i = at + 2;
        let mut doc = 0u32;
        let mut shift = 0;
        loop {
            let Some(&b) = buf.get(i) else {
                break 'records;
            };
            i += 1;
            doc |= u32::from(b & 0x7f) << shift;
            shift += 7;
            if b < 0x80 {
                break;
            }
        }
        let Some(&len) = buf.get(i) else { break };
        let end = i + 1 + len as usize;
        if end > buf.len() {
            break;
        }
        f(shard, doc, &buf[i + 1..end]);
        at = end;
    }
    at
}

/// The terms of one term shard as its records are read (documents in ascending
/// order), postings capped at [`MAX_POSTINGS`] with the true count kept.
#[derive(Default)]
pub struct ShardTerms {
    terms: rustc_hash::FxHashMap<Box<[u8]>, (Vec<u32>, u32)>,
}

impl ShardTerms {
    pub fn add(&mut self, doc: u32, term: &[u8]) {
        let e = match self.terms.get_mut(term) {
            Some(e) => e,
            None => self.terms.entry(term.into()).or_default(),
        };
        if e.0.len() < MAX_POSTINGS {
            e.0.push(doc);
        }
        e.1 += 1;
    }

    /// The script `search/t/<n>.js`: terms sorted; a term over [`MAX_POSTINGS`] is
    /// written as `[postings, count]`. `counted` gives the true count of terms whose
    /// records stopped being kept once they had [`MAX_POSTINGS`].
    pub fn render(self, n: u32, counted: impl Fn(&str) -> Option<u32>) -> Vec<u8> {
        // UTF-8 sorts as its bytes do
        let mut sorted: Vec<_> = self.terms.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut map = serde_json::Map::with_capacity(sorted.len());
        for (term, (ids, mut count)) in sorted {
            let term = String::from_utf8_lossy(&term).into_owned();
            if ids.len() == MAX_POSTINGS {
                count = count.max(counted(&term).unwrap_or(0));
            }
            let postings = encode_postings(&ids);
            let v = if count as usize > ids.len() {
                serde_json::json!([postings, count])
            } else {
                serde_json::Value::String(postings)
            };
            map.insert(term, v);
        }
        script("t", n, &serde_json::Value::Object(map))
    }
}

/// A document shard's contents: the pages its documents are on, and the documents as
/// `[kind, page, anchor, title, detail, status]`.
#[derive(Default, Serialize)]
pub struct DocShard {
    pub p: Vec<(String, String)>,
    pub d: Vec<(&'static str, usize, String, String, String, &'static str)>,
}

impl DocShard {
    pub fn push(&mut self, url: &str, label: &str, m: DocMeta) {
        if self.p.last().is_none_or(|(u, _)| u != url) {
            self.p.push((url.to_string(), label.to_string()));
        }
        self.d.push((
            m.kind,
            self.p.len() - 1,
            m.anchor,
            m.title,
            m.detail,
            m.status,
        ));
    }

    pub fn len(&self) -> usize {
        self.d.len()
    }

    pub fn is_empty(&self) -> bool {
        self.d.is_empty()
    }
}

/// The manifest `search/index.js`.
#[derive(Serialize)]
pub struct Manifest {
    pub version: u32,
    pub shards: u32,
    pub doc_shard: usize,
    pub docs: u32,
    pub max_postings: usize,
    pub min_len: usize,
    pub max_len: usize,
    pub stop: &'static [&'static str],
}

/// `osxSearch.<f>(n, <json>);`: a file that registers its data when loaded as a script.
pub fn script(f: &str, n: u32, data: &impl Serialize) -> Vec<u8> {
    let mut out = format!("osxSearch.{f}({n},").into_bytes();
    serde_json::to_writer(&mut out, data).expect("index data serializes");
    out.extend_from_slice(b");\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_the_runs_of_word_characters_with_joiners_trimmed() {
        // the definition, by a split on a character predicate
        let joiner = |c: char| matches!(c, '_' | '-' | '.');
        let reference = |t: &str| -> Vec<String> {
            t.split(|c: char| !(c.is_alphanumeric() || joiner(c)))
                .map(|w| w.trim_matches(joiner))
                .filter(|w| !w.is_empty())
                .map(String::from)
                .collect()
        };
        let alphabet = [
            "a",
            "Z",
            "9",
            " ",
            "-",
            "_",
            ".",
            "é",
            "Ж",
            "字",
            "—",
            "\u{1F600}",
            ";",
            "\n",
        ];
        let mut texts = crate::testing::strings_over(&alphabet, 4);
        texts.push("SELECT * FROM patients.csv -- load_2024 (ok); ÉTAT=prêt".into());
        for t in &texts {
            let got: Vec<String> = words(t).map(String::from).collect();
            assert_eq!(got, reference(t), "{t:?}");
            // and what is said of each word: all ASCII, a joiner inside
            let mut ws = words(t);
            let mut flags = Vec::new();
            while let Some(f) = ws.find() {
                flags.push((f.ascii, f.joined));
            }
            let want: Vec<(bool, bool)> = reference(t)
                .iter()
                .map(|w| (w.is_ascii(), w.contains(joiner)))
                .collect();
            assert_eq!(flags, want, "{t:?}");
        }
        assert_eq!(words("..a.b-- c_").collect::<Vec<_>>(), vec!["a.b", "c"]);
    }

    #[test]
    fn the_stop_word_match_is_the_list() {
        for w in STOP {
            assert!(is_stop_word(w), "{w}");
        }
        for w in ["a", "ands", "thee", "patients", "wit"] {
            assert!(!is_stop_word(w), "{w}");
        }
    }

    #[test]
    fn first16_is_the_zero_padded_first_sixteen_bytes() {
        let reference = |b: &[u8], lower: bool| {
            let mut buf = [0u8; 16];
            let n = b.len().min(16);
            buf[..n].copy_from_slice(&b[..n]);
            if lower {
                buf.make_ascii_lowercase();
            }
            [
                u64::from_le_bytes(buf[..8].try_into().unwrap()),
                u64::from_le_bytes(buf[8..].try_into().unwrap()),
            ]
        };
        let mut x: u32 = 7;
        for len in 0..=24 {
            for _ in 0..50 {
                let bytes: Vec<u8> = (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                        (x >> 16) as u8
                    })
                    .collect();
                assert_eq!(
                    first16(&bytes, false),
                    reference(&bytes, false),
                    "{bytes:?}"
                );
                let ascii: Vec<u8> = bytes.iter().map(|b| b & 0x7f).collect();
                assert_eq!(first16(&ascii, true), reference(&ascii, true), "{ascii:?}");
            }
        }
    }

    #[test]
    fn stop_words_are_known_by_their_first_bytes() {
        let letters = [
            "a", "b", "e", "f", "h", "i", "n", "o", "r", "s", "t", "w", "l", "m", "T", "H",
        ];
        let mut words = crate::testing::strings_over(&letters, 4);
        words.extend(STOP.iter().map(|w| w.to_uppercase()));
        words.extend(STOP.iter().map(|w| format!("{w}s")));
        let mut stops = 0;
        for w in &words {
            let l = w.to_ascii_lowercase();
            let want = is_stop_word(&l);
            stops += usize::from(want);
            assert_eq!(
                is_stop_first(first16(w.as_bytes(), true), w.len()),
                want,
                "{w:?}"
            );
        }
        assert!(stops > STOP.len() * 2, "{stops}");
    }

    #[test]
    fn fnv_matches_the_reference() {
        assert_eq!(hash(""), 0x811c_9dc5);
        assert_eq!(hash("a"), 0xe40c_292c);
        assert_eq!(hash("foobar"), 0xbf9c_f968);
    }

    #[test]
    fn words_and_parts() {
        let mut t = Terms::default();
        t.text(Some("Check patients.csv -- 820 rows; THE end."));
        assert_eq!(
            t.finish().text,
            "check patients.csv patients csv 820 rows end"
        );
        let mut t = Terms::default();
        t.id(Some("SESS-0001-E07"));
        assert_eq!(t.finish().text, "sess-0001-e07");
        let mut t = Terms::default();
        t.text(Some("a.b A.B ab-cd"));
        let d = t.finish();
        assert_eq!(d.text, "a.b ab-cd ab cd");
        let pairs: Vec<(u32, u64, &str)> = d.iter().collect();
        assert_eq!(pairs[1], (hash("ab-cd"), key("ab-cd"), "ab-cd"));
    }

    #[test]
    fn ascii_words_are_taken_as_the_lower_cased_copies_would_be() {
        // the reference: every word lower-cased into a copy, then pushed
        let reference = |s: &str| {
            let mut t = Terms::default();
            for w in words(s) {
                if t.full() {
                    break;
                }
                let l = lower(w);
                t.push(&l);
                if l.contains(is_joiner) {
                    for p in l.split(is_joiner) {
                        t.push(p);
                    }
                }
            }
            t.finish()
        };
        let alphabet = ["a", "B", "th", "E", "in", " ", "-", ".", "é", "Ö"];
        let mut texts = crate::testing::strings_over(&alphabet, 4);
        texts.push((0..40).map(|i| format!("W{} w{i}.X ", i % 7)).collect());
        texts.push(format!(
            "{} {}",
            "x".repeat(MAX_LEN),
            "Y".repeat(MAX_LEN + 1)
        ));
        // alike in their first 16 bytes, apart after; and a word that lower-cases to
        // ASCII from a character that is not (the Kelvin sign)
        texts.push(
            "AbcdefghijKLMNOPqrst abcdefghijklmnopqrsT abcdefghijklmnopqrsu ABCDEFGHIJKLMNOPQRSU \
             abcdefghijklmnop ABCDEFGHIJKLMNOP abcdefghijklmnopq"
                .into(),
        );
        texts.push("\u{212a}elvin kelvin KELVIN \u{212a}elvin.X x".into());
        for s in &texts {
            let mut t = Terms::default();
            t.text(Some(s));
            let (got, want) = (t.finish(), reference(s));
            assert_eq!(
                (&got.text, &got.hashes),
                (&want.text, &want.hashes),
                "{s:?}"
            );
            let mut t = Terms::default();
            t.id(Some(s));
            let mut r = Terms::default();
            for w in words(s) {
                r.push(&lower(w));
            }
            assert_eq!(t.finish().text, r.finish().text, "{s:?}");
        }
    }

    #[test]
    fn ascii_lower_lowers_each_byte_as_to_ascii_lowercase_does() {
        for c in 0u8..0x80 {
            for at in 0..8 {
                let x = u64::from(c) << (8 * at) | 0x5a41_7a61_5b40_2020u64 & !(0xff << (8 * at));
                let want = u64::from_le_bytes(x.to_le_bytes().map(|b| b.to_ascii_lowercase()));
                assert_eq!(ascii_lower(x), want, "{c:#x} at {at}");
            }
        }
    }

    #[test]
    fn terms_are_bounded_and_distinct() {
        let text: String = (0..500).map(|i| format!("w{i} w{i} ")).collect();
        let mut t = Terms::default();
        t.text(Some(&text));
        let out = t.finish().text;
        assert_eq!(out.split(' ').count(), MAX_TERMS);
        assert!(out.starts_with("w0 w1 w2"));
    }

    #[test]
    fn unicode_lowercases_like_javascript() {
        assert_eq!(lower("ΟΔΟΣ"), "οδος");
        let mut t = Terms::default();
        t.text(Some("Größe ÉTAT"));
        assert_eq!(t.finish().text, "größe état");
    }

    #[test]
    fn vlq_round_numbers() {
        let mut s = String::new();
        for n in [0, 31, 32, 1000, 1_000_000] {
            vlq(n, &mut s);
        }
        assert_eq!(s, "AfgBofgywe");
        assert_eq!(encode_postings(&[3, 4, 40]), "DBkB");
    }

    #[test]
    fn shards_group_and_cap_postings() {
        let mut buf = Vec::new();
        for d in 0..(MAX_POSTINGS as u32 + 5) {
            push_record(&mut buf, 3, d * 300, "common");
        }
        push_record(&mut buf, 3, 7, "rare");
        push_record(&mut buf, 9, 8, "elsewhere");
        let mut shard = ShardTerms::default();
        // read in two pieces, the first ending inside a record
        let mut seen = 0;
        let cut = buf.len() - 5;
        let first = read_records(&buf[..cut], |n, doc, term| {
            seen += 1;
            if n == 3 {
                shard.add(doc, term);
            }
        });
        assert!(first < cut);
        let rest = read_records(&buf[first..], |n, doc, term| {
            seen += 1;
            if n == 3 {
                shard.add(doc, term);
            }
        });
        assert_eq!(first + rest, buf.len());
        assert_eq!(seen, MAX_POSTINGS + 7);
        let text = String::from_utf8(shard.render(3, |_| None)).unwrap();
        assert!(!text.contains("elsewhere"));
        assert!(text.starts_with("osxSearch.t(3,{\"common\":[\""), "{text}");
        assert!(text.contains(&format!("\",{}]", MAX_POSTINGS + 5)));
        assert!(text.contains("\"rare\":\"H\""));
    }

    #[test]
    fn shard_counts() {
        assert_eq!(shard_count(0), 4);
        assert_eq!(shard_count(20_000), 16);
        assert_eq!(shard_count(1_000_000), 512);
        assert_eq!(shard_count(u64::MAX), 1024);
    }
}
