//! Writing the site: every file goes into a staging folder beside `--out`, and only a
//! complete build replaces `--out`, so a failed or killed build leaves the previous site
//! as it was and no partial output. `--out` is owned by osx-report: it must be absent,
//! empty, or a folder an earlier build wrote (it holds the marker file, which is also
//! the build's manifest). No two files of one build may share a path (ignoring case, as
//! macOS and Windows do), nor a file stand where another needs a folder: a page is never
//! silently overwritten. Nothing the build reads (the database, templates,
//! configuration) may lie inside `--out`, which the build replaces as a whole.
//!
//! A file whose bytes are the same as in the previous site is not written again: the
//! previous file is hard-linked into the staging folder, so it keeps its inode and
//! modification time, and a rebuild rewrites only what changed.

use crate::hash::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The file that marks a folder as written by osx-report.
pub const MARKER: &str = ".osx-report";

/// Files and folders this process reads, registered as they are opened, so that a build
/// refuses an `--out` that holds one of them (its swap would delete it).
static INPUTS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Registers `path` as an input of this process (see [`Staging::new`]).
pub fn protect(path: &Path) {
    let p = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if let Ok(mut v) = INPUTS.lock() {
        v.push(p);
    }
}

/// Fails when `path`, a file about to be written outside the site (`osx-report ci
/// --junit FILE`), is a file this process reads: writing it would destroy the input.
pub fn refuse_input(path: &Path) -> Result<()> {
    let Ok(abs) = fs::canonicalize(path) else {
        return Ok(()); // a file that does not exist yet is no input
    };
    let inputs = INPUTS.lock().map(|v| v.clone()).unwrap_or_default();
    if inputs.iter().any(|i| *i == abs || abs.starts_with(i)) {
        bail!(
            "{}: is a file this command reads; refusing to write over it",
            path.display()
        );
    }
    Ok(())
}

/// Fails when one of `inputs` is `out` or lies inside it.
pub fn check_inputs_outside(out: &Path, inputs: &[PathBuf]) -> Result<()> {
    let Ok(out_abs) = fs::canonicalize(out) else {
        return Ok(()); // a folder that does not exist holds nothing
    };
    for i in inputs {
        if i.starts_with(&out_abs) {
            bail!(
                "{}: holds {}, which this build reads; every build replaces {} as a whole, \
                 so choose another --out or move the file",
                out.display(),
                i.display(),
                out.display()
            );
        }
    }
    Ok(())
}

/// A build in progress: files are written under `stage` until [`Staging::commit`].
pub struct Staging {
    out: PathBuf,
    stage: PathBuf,
    /// Where the previous site is moved while the new one takes its place.
    old: PathBuf,
    /// The previous site to keep unchanged files from.
    previous: Option<PathBuf>,
    committed: bool,
    /// Paths written so far and their folders, lower-cased.
    written: HashSet<String>,
    folders: HashSet<String>,
    pub files: usize,
    pub bytes: u64,
    /// Files kept from the previous site.
    pub kept: usize,
    /// Every file of the new site, as given.
    pub paths: Vec<String>,
}

/// Checks that a site-relative path stays inside the output folder.
pub fn safe_rel(rel: &str) -> Result<&Path> {
    let p = Path::new(rel);
    let ok = !rel.is_empty()
        && !rel.contains('\0')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        bail!("refusing to write {rel:?}: not a plain path inside the output folder");
    }
    Ok(p)
}

fn is_empty_dir(p: &Path) -> Result<bool> {
    Ok(fs::read_dir(p)
        .with_context(|| format!("reading {}", p.display()))?
        .next()
        .is_none())
}

impl Staging {
    /// Prepares a staging folder for `out`.
    pub fn new(out: &Path) -> Result<Staging> {
        let inputs = INPUTS.lock().map(|v| v.clone()).unwrap_or_default();
        check_inputs_outside(out, &inputs)?;
        if out.exists() {
            if !out.is_dir() {
                bail!("{}: exists and is not a folder", out.display());
            }
            if !is_empty_dir(out)? && !out.join(MARKER).exists() {
                bail!(
                    "{}: refusing to replace a folder that is not empty and was not written \
                     by osx-report (no {MARKER} file in it); choose a new or empty folder",
                    out.display()
                );
            }
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        clean_up_after_killed_builds(&parent, &name, out)?;
        let stage = parent.join(format!(".{name}.osx-staging-{}", std::process::id()));
        let old = parent.join(format!(".{name}.osx-old-{}", std::process::id()));
        if stage.exists() {
            fs::remove_dir_all(&stage)
                .with_context(|| format!("removing stale {}", stage.display()))?;
        }
        fs::create_dir(&stage).with_context(|| format!("creating {}", stage.display()))?;
        let previous = out.join(MARKER).is_file().then(|| out.to_path_buf());
        Ok(Staging {
            out: out.to_path_buf(),
            stage,
            old,
            previous,
            committed: false,
            written: HashSet::default(),
            folders: HashSet::default(),
            files: 0,
            bytes: 0,
            kept: 0,
            paths: Vec::new(),
        })
    }

    /// Checks that `rel` is a new path of this build, not a file or folder already used.
    fn claim(&mut self, rel: &str) -> Result<PathBuf> {
        let path = self.stage.join(safe_rel(rel)?);
        let key = rel.to_lowercase();
        if self.written.contains(&key) || self.folders.contains(&key) {
            bail!(
                "refusing to write {rel:?} twice: two pages of this build have the same \
                 file name (ignoring case); this is a bug in osx-report, please report it"
            );
        }
        let mut folder = key.as_str();
        while let Some((parent, _)) = folder.rsplit_once('/') {
            if self.written.contains(parent) {
                bail!("refusing to write {rel:?}: {parent:?} is a file of this build");
            }
            self.folders.insert(parent.to_string());
            folder = parent;
        }
        self.written.insert(key);
        Ok(path)
    }

    /// The path of `rel` in the previous site, when there is one and it has the file.
    fn previous_file(&self, rel: &Path) -> Option<PathBuf> {
        let p = self.previous.as_ref()?.join(rel);
        p.symlink_metadata().is_ok_and(|m| m.is_file()).then_some(p)
    }

    /// Links `from` (in the previous site) to `to` (in the staging folder).
    fn link(from: &Path, to: &Path) -> Result<()> {
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        if fs::hard_link(from, to).is_err() {
            // Another file system or no hard links: copying keeps the bytes at least.
            fs::copy(from, to).with_context(|| format!("copying {}", from.display()))?;
        }
        Ok(())
    }

    /// Writes one file of the site (or keeps the previous one when it is the same).
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> Result<()> {
        let path = self.claim(rel)?;
        let relp = safe_rel(rel)?;
        self.paths.push(rel.to_string());
        if let Some(prev) = self.previous_file(relp)
            && fs::metadata(&prev).is_ok_and(|m| m.len() == bytes.len() as u64)
            && fs::read(&prev).is_ok_and(|old| old == bytes)
        {
            Self::link(&prev, &path)?;
            self.kept += 1;
            return Ok(());
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
        self.files += 1;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    /// Writes one file of the site from a reader, in pieces (or keeps the previous
    /// file when it is the same).
    pub fn write_stream(&mut self, rel: &str, from: &mut dyn std::io::Read) -> Result<()> {
        let path = self.claim(rel)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let mut f =
            fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        let n =
            std::io::copy(from, &mut f).with_context(|| format!("writing {}", path.display()))?;
        drop(f);
        self.paths.push(rel.to_string());
        self.files += 1;
        self.bytes += n;
        self.settle(rel)
    }

    /// Keeps a file of the previous site as it is. False when there is no such file.
    pub fn keep(&mut self, rel: &str) -> Result<bool> {
        let relp = safe_rel(rel)?;
        match self.previous_file(relp) {
            Some(prev) => {
                self.claim(rel)?;
                Self::link(&prev, &self.stage.join(relp))?;
                self.kept += 1;
                self.paths.push(rel.to_string());
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// After a file made with [`Staging::create`] is complete: when it has the same
    /// bytes as in the previous site, the previous file takes its place.
    pub fn settle(&mut self, rel: &str) -> Result<()> {
        let relp = safe_rel(rel)?;
        let path = self.stage.join(relp);
        let Some(prev) = self.previous_file(relp) else {
            return Ok(());
        };
        let (Ok(a), Ok(b)) = (fs::metadata(&path), fs::metadata(&prev)) else {
            return Ok(());
        };
        if a.len() == b.len() && same_bytes(&path, &prev)? {
            fs::remove_file(&path).with_context(|| format!("replacing {}", path.display()))?;
            Self::link(&prev, &path)?;
            self.files -= 1;
            self.kept += 1;
        }
        Ok(())
    }

    /// [`Staging::settle`] for a file made with [`Staging::create`], counting its bytes
    /// as written when it is not the previous file.
    pub fn settle_created(&mut self, rel: &str) -> Result<()> {
        let len = fs::metadata(self.stage.join(safe_rel(rel)?)).map_or(0, |m| m.len());
        let kept = self.kept;
        self.settle(rel)?;
        if self.kept == kept {
            self.bytes += len;
        }
        Ok(())
    }

    /// The previous site's manifest, if any.
    pub fn previous_manifest(&self) -> Option<Vec<u8>> {
        fs::read(self.previous.as_ref()?.join(MARKER)).ok()
    }

    /// Opens a file of the site for writing in pieces (large reports).
    pub fn create(&mut self, rel: &str) -> Result<std::io::BufWriter<fs::File>> {
        let path = self.claim(rel)?;
        self.paths.push(rel.to_string());
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let f = fs::File::create(&path).with_context(|| format!("writing {}", path.display()))?;
        self.files += 1;
        Ok(std::io::BufWriter::with_capacity(256 * 1024, f))
    }

    /// Replaces `out` with the staged site; `manifest` becomes the marker file.
    pub fn commit(mut self, manifest: &[u8]) -> Result<()> {
        fs::write(self.stage.join(MARKER), manifest).context("writing the marker file")?;
        if self.out.exists() {
            // Named after this process, so a folder left by a build that was killed
            // between the two renames cannot block this one.
            let old = self.old.clone();
            if old.exists() {
                fs::remove_dir_all(&old)
                    .with_context(|| format!("removing stale {}", old.display()))?;
            }
            fs::rename(&self.out, &old).with_context(|| {
                format!("moving the previous site {} aside", self.out.display())
            })?;
            if let Err(e) = fs::rename(&self.stage, &self.out) {
                // Put the previous site back before giving up.
                let _ = fs::rename(&old, &self.out);
                return Err(e)
                    .with_context(|| format!("moving the new site to {}", self.out.display()));
            }
            fs::remove_dir_all(&old)
                .with_context(|| format!("removing the previous site {}", old.display()))?;
        } else {
            fs::rename(&self.stage, &self.out)
                .with_context(|| format!("moving the new site to {}", self.out.display()))?;
        }
        self.committed = true;
        Ok(())
    }
}

/// True when no process `pid` runs. Only known on Linux (`/proc`); elsewhere every
/// process is taken to be running, so nothing of another build is touched.
fn is_dead(pid: u32) -> bool {
    cfg!(target_os = "linux")
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// What builds that were killed left beside `out` (named `name`): a staging folder and
/// the search index's spill folder are removed; the previous site moved aside by a build
/// killed between its two renames is put back when `out` is missing (it is the last
/// complete site), else removed. Folders of builds that still run are left alone.
fn clean_up_after_killed_builds(parent: &Path, name: &str, out: &Path) -> Result<()> {
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(());
    };
    let staging = format!(".{name}.osx-staging-");
    let search = format!(".{name}.osx-search-");
    let old = format!(".{name}.osx-old-");
    let mut olds = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let (prefix, is_old) = if file.starts_with(&staging) {
            (&staging, false)
        } else if file.starts_with(&search) {
            // spill files of the search index (see `app::search`)
            (&search, false)
        } else if file.starts_with(&old) {
            (&old, true)
        } else {
            continue;
        };
        let Ok(pid) = file[prefix.len()..].parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || !is_dead(pid) {
            continue;
        }
        if is_old {
            olds.push(e.path());
        } else {
            fs::remove_dir_all(e.path())
                .with_context(|| format!("removing {} left by a killed build", file))?;
        }
    }
    for o in olds {
        if !out.exists() && o.join(MARKER).exists() {
            fs::rename(&o, out)
                .with_context(|| format!("restoring {} from {}", out.display(), o.display()))?;
        } else {
            fs::remove_dir_all(&o)
                .with_context(|| format!("removing {} left by a killed build", o.display()))?;
        }
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.stage);
        }
    }
}

/// True when two files have the same bytes (read in blocks).
fn same_bytes(a: &Path, b: &Path) -> Result<bool> {
    use std::io::Read;
    let mut fa = fs::File::open(a)?;
    let mut fb = fs::File::open(b)?;
    let mut ba = vec![0u8; 1 << 16];
    let mut bb = vec![0u8; 1 << 16];
    loop {
        let na = read_full(&mut fa, &mut ba)?;
        let nb = read_full(&mut fb, &mut bb)?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
    fn read_full(f: &mut fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            match f.read(&mut buf[n..])? {
                0 => break,
                k => n += k,
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        assert!(safe_rel("schema/a.md").is_ok());
        for bad in ["../x", "/etc/x", "a/../../x", "", "a\0b", "./"] {
            assert!(safe_rel(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_failed_build_leaves_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut s = Staging::new(&out).unwrap();
        s.write("a.txt", b"one").unwrap();
        s.commit(b"test").unwrap();
        let mut s = Staging::new(&out).unwrap();
        s.write("b.txt", b"two").unwrap();
        drop(s); // failed before commit
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"one");
        assert!(!out.join("b.txt").exists());
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no staging folder left behind");
    }

    #[test]
    fn regression_leftovers_of_a_killed_build_do_not_block_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut s = Staging::new(&out).unwrap();
        s.write("a.txt", b"one").unwrap();
        s.commit(b"test").unwrap();
        // A build killed between moving the previous site aside and moving the new one
        // in left the previous site under the name the old code always used, and under
        // this process's name.
        for left in [
            ".site.old".to_string(),
            format!(".site.osx-old-{}", std::process::id()),
        ] {
            fs::create_dir_all(dir.path().join(&left).join("schema")).unwrap();
            fs::write(dir.path().join(&left).join("schema/x.md"), b"x").unwrap();
        }
        let mut s = Staging::new(&out).unwrap();
        s.write("b.txt", b"two").unwrap();
        s.commit(b"test").unwrap();
        assert_eq!(fs::read(out.join("b.txt")).unwrap(), b"two");
        assert!(!out.join("a.txt").exists());
    }

    #[test]
    fn no_file_is_written_twice_or_where_a_folder_is() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Staging::new(&dir.path().join("site")).unwrap();
        s.write("sessions/x.html", b"1").unwrap();
        assert!(s.write("sessions/x.html", b"2").is_err());
        assert!(
            s.write("Sessions/X.HTML", b"2").is_err(),
            "case-insensitive"
        );
        assert!(s.write("sessions/x.html/a.txt", b"3").is_err());
        s.write("sessions/y/a.txt", b"4").unwrap();
        assert!(s.write("sessions/y", b"5").is_err());
        assert!(s.create("sessions/x.html").is_err());
    }

    /// A process id that is not running: a child that has exited and been reaped.
    #[cfg(target_os = "linux")]
    fn dead_pid() -> u32 {
        let mut c = std::process::Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn folders_of_killed_builds_are_cleaned_up_and_a_site_moved_aside_is_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        let mut s = Staging::new(&out).unwrap();
        s.write("a.txt", b"one").unwrap();
        s.commit(b"").unwrap();
        let dead = dead_pid();
        // killed while writing: a staging folder; killed between the two renames: the
        // previous site aside and no `site`
        fs::create_dir_all(dir.path().join(format!(".site.osx-staging-{dead}/x"))).unwrap();
        fs::rename(&out, dir.path().join(format!(".site.osx-old-{dead}"))).unwrap();
        // a build still running (this process's parent) is left alone
        let alive = std::os::unix::process::parent_id();
        fs::create_dir_all(dir.path().join(format!(".site.osx-staging-{alive}"))).unwrap();
        let s = Staging::new(&out).unwrap();
        assert_eq!(
            fs::read(out.join("a.txt")).unwrap(),
            b"one",
            "previous site restored"
        );
        drop(s);
        let mut left = crate::output::tests::names(dir.path());
        left.sort();
        assert_eq!(
            left,
            [format!(".site.osx-staging-{alive}"), "site".to_string()]
        );
    }

    fn names(p: &Path) -> Vec<String> {
        fs::read_dir(p)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn an_input_is_never_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("input-of-this-test.db");
        fs::write(&db, b"x").unwrap();
        assert!(refuse_input(&db).is_ok());
        protect(&db);
        let e = refuse_input(&db).unwrap_err();
        assert!(e.to_string().contains("refusing to write over it"), "{e}");
        assert!(refuse_input(&dir.path().join("other.xml")).is_ok());
    }

    #[test]
    fn inputs_inside_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("site");
        fs::create_dir_all(out.join("sub")).unwrap();
        fs::write(out.join("sub/rssd.db"), b"x").unwrap();
        fs::write(dir.path().join("beside.db"), b"x").unwrap();
        let canon = |p: PathBuf| fs::canonicalize(p).unwrap();
        let inside = [canon(out.join("sub/rssd.db"))];
        let e = check_inputs_outside(&out, &inside).unwrap_err();
        assert!(e.to_string().contains("which this build reads"), "{e}");
        assert!(check_inputs_outside(&out, &[canon(dir.path().join("beside.db"))]).is_ok());
        assert!(check_inputs_outside(&dir.path().join("nope"), &inside).is_ok());
    }

    #[test]
    fn a_foreign_folder_is_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("precious.txt"), b"x").unwrap();
        let e = Staging::new(dir.path()).err().unwrap();
        assert!(e.to_string().contains("refusing"), "{e}");
    }
}
