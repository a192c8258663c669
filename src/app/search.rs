//! Writing the search index while the site is built, in bounded memory: documents get
//! ids in the order pages are committed; their metadata goes out in shards of
//! [`DOC_SHARD`] as soon as a shard is full; their (shard, document, term) records are
//! appended to at most [`MAX_GROUPS`] spill files (a group of term shards each, kept
//! open, beside the output, removed at the end); at the end each spill file is read
//! back, split into its term shards and written. Memory holds one document shard, the
//! spill buffers ([`SPILL_MEMORY`]) and, at the end, one group's records at a time; it
//! does not grow with the number of documents or terms.
//! Also counts issues by type for the home page, as sessions pass by.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::build::search::{
    self, DOC_SHARD, Doc, DocShard, MAX_LEN, MAX_POSTINGS, MIN_LEN, Manifest, PageDocs, STOP,
};
use crate::output::Staging;

/// Bytes of spill buffers held in memory in all.
pub const SPILL_MEMORY: usize = 8 << 20;
/// Spill files at most (open at once).
pub const MAX_GROUPS: u32 = 64;
/// Terms counted in memory: once one of them has [`MAX_POSTINGS`] documents, its
/// further records are counted, not spilled (the common words, which are most of the
/// records, stop costing disk). About 20 bytes each.
pub const TRACKED_TERMS: usize = 1 << 16;

/// Sizes of the written index, for reports and tests.
#[derive(Debug, Default, Clone)]
pub struct IndexStats {
    pub docs: u32,
    pub shards: u32,
    pub term_bytes: u64,
    pub largest_term_shard: u64,
    pub doc_bytes: u64,
    pub largest_doc_shard: u64,
}

/// A rendered term shard: its number and its file.
type Shard = (u32, Vec<u8>);

/// The index being written.
pub struct SiteIndex {
    spill_dir: PathBuf,
    shards: u32,
    groups: u32,
    /// Per group: records not yet spilled, and the spill file once there is one.
    buffers: Vec<Vec<u8>>,
    files: Vec<Option<fs::File>>,
    flush_at: usize,
    next_doc: u32,
    docs: DocShard,
    doc_shard: u32,
    stats: IndexStats,
    issue_types: BTreeMap<String, u64>,
    /// Occurrences of the first [`TRACKED_TERMS`] terms seen, by key.
    counts: rustc_hash::FxHashMap<u64, u32>,
    tracked: usize,
}

impl SiteIndex {
    /// Starts an index for about `expected_docs` documents, spilling beside `out`.
    pub fn new(out: &Path, expected_docs: u64) -> Result<SiteIndex> {
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        let spill_dir = parent.join(format!(".{name}.osx-search-{}", std::process::id()));
        if spill_dir.exists() {
            fs::remove_dir_all(&spill_dir)
                .with_context(|| format!("removing stale {}", spill_dir.display()))?;
        }
        fs::create_dir_all(&spill_dir)
            .with_context(|| format!("creating {}", spill_dir.display()))?;
        let shards = search::shard_count(expected_docs);
        let groups = shards.min(MAX_GROUPS);
        Ok(SiteIndex {
            spill_dir,
            shards,
            groups,
            buffers: vec![Vec::new(); groups as usize],
            files: (0..groups).map(|_| None).collect(),
            flush_at: SPILL_MEMORY / groups as usize,
            next_doc: 0,
            docs: DocShard::default(),
            doc_shard: 0,
            stats: IndexStats {
                shards,
                ..IndexStats::default()
            },
            issue_types: BTreeMap::new(),
            counts: rustc_hash::FxHashMap::with_capacity_and_hasher(
                TRACKED_TERMS,
                Default::default(),
            ),
            tracked: TRACKED_TERMS,
        })
    }

    fn spill_path(&self, group: usize) -> PathBuf {
        self.spill_dir.join(format!("{group}.spill"))
    }

    fn spill(&mut self, group: usize) -> Result<()> {
        let path = self.spill_path(group);
        if self.files[group].is_none() {
            self.files[group] = Some(
                fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?,
            );
        }
        if let Some(f) = &mut self.files[group] {
            f.write_all(&self.buffers[group])
                .with_context(|| format!("writing {}", path.display()))?;
        }
        self.buffers[group].clear();
        Ok(())
    }

    fn write_doc_shard(&mut self, stage: &mut Staging) -> Result<()> {
        let bytes = search::script("d", self.doc_shard, &self.docs);
        self.stats.doc_bytes += bytes.len() as u64;
        self.stats.largest_doc_shard = self.stats.largest_doc_shard.max(bytes.len() as u64);
        stage.write(&format!("search/d/{}.js", self.doc_shard), &bytes)?;
        self.docs = DocShard::default();
        self.doc_shard += 1;
        Ok(())
    }

    /// Adds the documents of one page.
    pub fn add(&mut self, stage: &mut Staging, page: PageDocs) -> Result<()> {
        for doc in page.docs {
            self.add_doc(stage, &page.url, &page.label, doc)?;
        }
        Ok(())
    }

    /// Adds one document of the page at `page_url` (its URL when the document has
    /// none of its own), shown with `label`.
    pub fn add_doc(
        &mut self,
        stage: &mut Staging,
        page_url: &str,
        label: &str,
        doc: Doc,
    ) -> Result<()> {
        let mask = self.shards - 1;
        let id = self.next_doc;
        self.next_doc += 1;
        for (hash, key, term) in doc.terms.iter() {
            let room = self.counts.len() < self.tracked;
            match self.counts.get_mut(&key) {
                Some(c) => {
                    *c += 1;
                    if *c as usize > MAX_POSTINGS {
                        continue;
                    }
                }
                None if room => {
                    self.counts.insert(key, 1);
                }
                None => {}
            }
            let shard = hash & mask;
            let group = (shard % self.groups) as usize;
            search::push_record(&mut self.buffers[group], shard as u16, id, term);
            if self.buffers[group].len() >= self.flush_at {
                self.spill(group)?;
            }
        }
        let url = doc.url.as_deref().unwrap_or(page_url);
        self.docs.push(url, label, doc.meta);
        if self.docs.len() == DOC_SHARD {
            self.write_doc_shard(stage)?;
        }
        Ok(())
    }

    /// Counts the issues of a session by type.
    pub fn count_issues<'a>(&mut self, types: impl Iterator<Item = Option<&'a str>>) {
        for t in types {
            *self
                .issue_types
                .entry(t.unwrap_or("(no type)").to_string())
                .or_default() += 1;
        }
    }

    /// Issues by type, most frequent first.
    pub fn issue_types(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self
            .issue_types
            .iter()
            .map(|(k, &n)| (k.clone(), n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// The term shards of group `g`: its spill file (read in pieces, then removed) and
    /// what is still in memory, split into shards and rendered.
    fn finish_group(
        &self,
        g: usize,
        spilled: Option<fs::File>,
        buffer: &[u8],
    ) -> Result<Vec<Shard>> {
        let per_group = (self.shards / self.groups) as usize;
        let groups = self.groups as usize;
        let mut shards: Vec<search::ShardTerms> = (0..per_group)
            .map(|_| search::ShardTerms::default())
            .collect();
        let mut add = |shard: u16, doc: u32, term: &[u8]| {
            shards[shard as usize / groups].add(doc, term);
        };
        if let Some(f) = spilled {
            drop(f);
            let path = self.spill_path(g);
            let mut file =
                fs::File::open(&path).with_context(|| format!("reading {}", path.display()))?;
            let mut buf = vec![0u8; 1 << 20];
            let mut filled = 0;
            loop {
                let n = file
                    .read(&mut buf[filled..])
                    .with_context(|| format!("reading {}", path.display()))?;
                if n == 0 {
                    break;
                }
                filled += n;
                let used = search::read_records(&buf[..filled], &mut add);
                buf.copy_within(used..filled, 0);
                filled -= used;
            }
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
        search::read_records(buffer, &mut add);
        let counts = &self.counts;
        Ok(shards
            .into_par_iter()
            .enumerate()
            .map(|(k, t)| {
                let n = (k * groups + g) as u32;
                (
                    n,
                    t.render(n, |term| counts.get(&search::key(term)).copied()),
                )
            })
            .collect())
    }

    /// Writes the term shards and the manifest.
    pub fn finish(mut self, stage: &mut Staging) -> Result<IndexStats> {
        if !self.docs.is_empty() {
            self.write_doc_shard(stage)?;
        }
        // as many groups at a time as there are cores: each one's records, split into
        // its shards and rendered; then their files are written in order
        let all: Vec<usize> = (0..self.groups as usize).collect();
        for some in all.chunks(rayon::current_num_threads().max(1)) {
            let work: Vec<(usize, Option<fs::File>, Vec<u8>)> = some
                .iter()
                .map(|&g| {
                    (
                        g,
                        self.files[g].take(),
                        std::mem::take(&mut self.buffers[g]),
                    )
                })
                .collect();
            let this = &self;
            let done: Vec<Result<Vec<Shard>>> = work
                .into_par_iter()
                .map(|(g, file, buffer)| this.finish_group(g, file, &buffer))
                .collect();
            for group in done {
                for (n, bytes) in group? {
                    self.stats.term_bytes += bytes.len() as u64;
                    self.stats.largest_term_shard =
                        self.stats.largest_term_shard.max(bytes.len() as u64);
                    stage.write(&format!("search/t/{n}.js"), &bytes)?;
                }
            }
        }
        self.stats.docs = self.next_doc;
        let manifest = Manifest {
            version: 1,
            shards: self.shards,
            doc_shard: DOC_SHARD,
            docs: self.next_doc,
            max_postings: MAX_POSTINGS,
            min_len: MIN_LEN,
            max_len: MAX_LEN,
            stop: STOP,
        };
        stage.write("search/index.js", &search::script("m", 0, &manifest))?;
        Ok(self.stats.clone())
    }
}

impl Drop for SiteIndex {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.spill_dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::search::{Doc, DocMeta, Terms};

    fn page(n: u32) -> PageDocs {
        let docs = (0..10)
            .map(|k| {
                let mut t = Terms::default();
                t.text(Some(&format!("common word{} doc{n}x{k}", k % 3)));
                Doc {
                    meta: DocMeta {
                        kind: "x",
                        anchor: format!("exec-{k}"),
                        title: format!("t{n}.{k}"),
                        detail: String::new(),
                        status: "success",
                    },
                    url: None,
                    terms: t.finish(),
                }
            })
            .collect();
        PageDocs {
            url: format!("sessions/s{n}.html"),
            label: format!("s{n}"),
            docs,
        }
    }

    fn shard_json(out: &Path, n: u32) -> serde_json::Value {
        let text = fs::read_to_string(out.join(format!("search/t/{n}.js"))).unwrap();
        let json = text
            .trim_end()
            .strip_suffix(");")
            .unwrap()
            .split_once(',')
            .unwrap()
            .1;
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn spilled_records_come_back_whole_and_in_order() {
        for tracked in [TRACKED_TERMS, 1] {
            spill_round_trip(tracked);
        }
    }

    fn spill_round_trip(tracked: usize) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut stage = Staging::new(&out).unwrap();
        let mut index = SiteIndex::new(&out, 1_000_000).unwrap();
        index.flush_at = 64; // spill all the time
        index.tracked = tracked; // 1: only the first term is counted in memory
        for n in 0..300 {
            index.add(&mut stage, page(n)).unwrap();
        }
        let spill_dir = index.spill_dir.clone();
        let stats = index.finish(&mut stage).unwrap();
        assert!(!spill_dir.exists(), "spill files are removed");
        stage.commit(b"").unwrap();
        assert_eq!(stats.docs, 3000);
        assert_eq!(stats.shards, 512);
        assert_eq!(fs::read_dir(out.join("search/t")).unwrap().count(), 512);
        assert_eq!(
            fs::read_dir(out.join("search/d")).unwrap().count(),
            3000_usize.div_ceil(DOC_SHARD)
        );
        let mask = stats.shards - 1;
        // a rare term: exactly its document
        let rare = "doc123x4";
        let v = shard_json(&out, search::hash(rare) & mask);
        assert_eq!(v[rare], search::encode_postings(&[1234]));
        // a common term: capped, first documents kept, true count
        let v = shard_json(&out, search::hash("common") & mask);
        let first: Vec<u32> = (0..MAX_POSTINGS as u32).collect();
        assert_eq!(v["common"][0], search::encode_postings(&first));
        assert_eq!(v["common"][1], 3000);
        // word1 in 900 documents: not capped, all of them
        let v = shard_json(&out, search::hash("word1") & mask);
        let ids: Vec<u32> = (0..3000u32).filter(|d| d % 10 % 3 == 1).collect();
        assert_eq!(v["word1"], search::encode_postings(&ids));
    }
}
