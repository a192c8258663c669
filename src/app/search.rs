//! Writing the search index while the site is built, in bounded memory: documents get
//! ids in the order pages are committed; their metadata goes out in shards of
//! [`DOC_SHARD`] as soon as a shard is full; their (document, term) records are
//! appended to one spill file per term shard (beside the output, removed at the end);
//! at the end each spill file is read back, grouped into its term shard and written.
//! Memory holds one document shard, the spill buffers and, at the end, a few term
//! shards at a time; it does not grow with the number of documents or terms.
//! Also counts issues by type for the home page, as sessions pass by.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::build::search::{
    self, DOC_SHARD, DocShard, MAX_LEN, MAX_POSTINGS, MIN_LEN, Manifest, PageDocs, STOP,
};
use crate::output::Staging;

/// Bytes of spill buffers held in memory in all.
const SPILL_MEMORY: usize = 16 << 20;

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

/// The index being written.
pub struct SiteIndex {
    spill_dir: PathBuf,
    shards: u32,
    buffers: Vec<Vec<u8>>,
    flush_at: usize,
    spilled: Vec<bool>,
    next_doc: u32,
    docs: DocShard,
    doc_shard: u32,
    stats: IndexStats,
    issue_types: BTreeMap<String, u64>,
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
        Ok(SiteIndex {
            spill_dir,
            shards,
            buffers: vec![Vec::new(); shards as usize],
            flush_at: (SPILL_MEMORY / shards as usize).max(4096),
            spilled: vec![false; shards as usize],
            next_doc: 0,
            docs: DocShard::default(),
            doc_shard: 0,
            stats: IndexStats {
                shards,
                ..IndexStats::default()
            },
            issue_types: BTreeMap::new(),
        })
    }

    fn spill_path(&self, shard: usize) -> PathBuf {
        self.spill_dir.join(format!("{shard}.spill"))
    }

    fn spill(&mut self, shard: usize) -> Result<()> {
        let path = self.spill_path(shard);
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        f.write_all(&self.buffers[shard])
            .with_context(|| format!("writing {}", path.display()))?;
        self.buffers[shard].clear();
        self.spilled[shard] = true;
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
        let mask = self.shards - 1;
        for doc in page.docs {
            let id = self.next_doc;
            self.next_doc += 1;
            for term in doc.terms.split(' ').filter(|t| !t.is_empty()) {
                let shard = (search::hash(term) & mask) as usize;
                search::push_record(&mut self.buffers[shard], id, term);
                if self.buffers[shard].len() >= self.flush_at {
                    self.spill(shard)?;
                }
            }
            self.docs.push(&page.url, &page.label, doc.meta);
            if self.docs.len() == DOC_SHARD {
                self.write_doc_shard(stage)?;
            }
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

    /// Writes the term shards and the manifest.
    pub fn finish(mut self, stage: &mut Staging) -> Result<IndexStats> {
        if !self.docs.is_empty() {
            self.write_doc_shard(stage)?;
        }
        let shards: Vec<u32> = (0..self.shards).collect();
        // a few shards at a time on all cores: memory holds only those
        for batch in shards.chunks(rayon::current_num_threads().max(1) * 2) {
            let done: Vec<(u32, Vec<u8>)> = batch
                .par_iter()
                .map(|&n| -> Result<(u32, Vec<u8>)> {
                    let i = n as usize;
                    let spill = if self.spilled[i] {
                        let path = self.spill_path(i);
                        let mut bytes = fs::read(&path)
                            .with_context(|| format!("reading {}", path.display()))?;
                        bytes.extend_from_slice(&self.buffers[i]);
                        bytes
                    } else {
                        self.buffers[i].clone()
                    };
                    Ok((n, search::term_shard(n, &spill)))
                })
                .collect::<Result<_>>()?;
            for (n, bytes) in done {
                self.buffers[n as usize] = Vec::new();
                self.stats.term_bytes += bytes.len() as u64;
                self.stats.largest_term_shard =
                    self.stats.largest_term_shard.max(bytes.len() as u64);
                stage.write(&format!("search/t/{n}.js"), &bytes)?;
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
