//! Stage 6: write. Puts the rendered files, the static files and the
//! content assets into a fresh folder beside the output folder, and swaps it
//! in only when everything was written: a failed build leaves the previous
//! output exactly as it was. Refuses output folders that would destroy the
//! site's sources, and paths that would leave the output folder.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostics::Diagnostic;

/// The file that marks a folder as throughline's output, so that a later
/// build may replace it without `--force`.
pub const MARKER: &str = ".throughline";

/// Make `path` absolute and lexically normal (no `.`/`..`), without
/// requiring it to exist.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    // Resolve symlinks in the part that exists.
    let mut existing = out.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(n) => rest.push(n.to_os_string()),
            None => break,
        }
        if !existing.pop() {
            break;
        }
    }
    if let Ok(mut canon) = existing.canonicalize() {
        for n in rest.iter().rev() {
            canon.push(n);
        }
        return canon;
    }
    out
}

/// Check that writing the site into `out` cannot destroy anything it should
/// not: the site root, its sources, or a folder throughline did not make.
pub fn check_output_dir(root: &Path, out: &Path, force: bool) -> Result<(), Diagnostic> {
    let root = absolute(root);
    let out = absolute(out);
    let protected = ["content", "templates", "static", "themes", "data"];
    if root.starts_with(&out) {
        return Err(Diagnostic::error(format!(
            "the output folder {} is the site folder or contains it; building would replace the site itself",
            out.display()
        ))
        .with_hint("choose a folder inside the site such as `public`, or one elsewhere: --output-dir public"));
    }
    for p in protected {
        let dir = root.join(p);
        if out.starts_with(&dir) {
            return Err(Diagnostic::error(format!(
                "the output folder {} is inside the site's `{p}/` folder; building would replace your sources",
                out.display()
            ))
            .with_hint("choose a folder of its own, such as `public`: --output-dir public"));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(Diagnostic::error(format!(
                "the output path {} is a file, not a folder",
                out.display()
            ))
            .with_hint("choose another --output-dir, or move the file away"));
        }
        let empty = std::fs::read_dir(&out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out.join(MARKER).is_file() && !force {
            return Err(Diagnostic::error(format!(
                "the output folder {} already exists and was not made by throughline",
                out.display()
            ))
            .with_hint("its contents would be replaced: move them away, or pass --force if that is what you want"));
        }
    }
    Ok(())
}

/// Whether `rel` stays inside the folder it is joined to.
pub fn is_inside(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty() && !p.is_absolute() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// A file to copy into the output.
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(&'static [u8]),
    File(PathBuf),
    /// Made by the build (compiled Sass).
    Compiled(std::sync::Arc<[u8]>),
}

/// A build being written: files go into a folder beside the output, which
/// is swapped in by [`Staging::finish`] only when everything was written.
/// Dropped unfinished (an error anywhere), the folder is removed and the
/// output is left as it was. Rendered files may be written from many
/// threads at once, as each is made, so none has to be held in memory.
pub struct Staging {
    out: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    hard_link: bool,
    /// Rendered files written so far, and the paths a second output
    /// wanted too (the build fails on those rather than keep whichever
    /// thread came first).
    written: Mutex<HashSet<String>>,
    collisions: Mutex<Vec<String>>,
    finished: bool,
}

impl Staging {
    pub fn create(out: &Path, hard_link: bool) -> Result<Staging, Diagnostic> {
        let out = absolute(out);
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        std::fs::create_dir_all(&parent).map_err(|e| io_error(&parent, e))?;
        let pid = std::process::id();
        let dir = parent.join(format!(".{name}.throughline-new-{pid}"));
        let old = parent.join(format!(".{name}.throughline-old-{pid}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
        Ok(Staging {
            out,
            dir,
            old,
            hard_link,
            written: Mutex::new(HashSet::new()),
            collisions: Mutex::new(Vec::new()),
            finished: false,
        })
    }

    /// Static files and assets, before anything is rendered: a rendered
    /// page at the same path wins.
    pub fn copy(&self, copies: &[(String, Source)]) -> Result<(), Diagnostic> {
        for (rel, src) in copies {
            let dest = self.dest(rel)?;
            match src {
                Source::Bytes(b) => std::fs::write(&dest, b).map_err(|e| io_error(&dest, e))?,
                Source::Compiled(b) => std::fs::write(&dest, b).map_err(|e| io_error(&dest, e))?,
                Source::File(f) => {
                    let _ = std::fs::remove_file(&dest);
                    if !(self.hard_link && std::fs::hard_link(f, &dest).is_ok()) {
                        std::fs::copy(f, &dest).map_err(|e| io_error(f, e))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// A rendered file.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        let first = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string());
        if !first {
            self.collisions
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(rel.to_string());
            return Ok(());
        }
        let dest = self.dest(rel)?;
        std::fs::write(&dest, bytes).map_err(|e| io_error(&dest, e))
    }

    /// Where `rel` goes, its folder made; an error for a path that would
    /// leave the output folder.
    fn dest(&self, rel: &str) -> Result<PathBuf, Diagnostic> {
        if !is_inside(rel) {
            return Err(escape_error(rel));
        }
        let dest = self.dir.join(rel);
        if let Some(d) = dest.parent() {
            std::fs::create_dir_all(d).map_err(|e| io_error(d, e))?;
        }
        Ok(dest)
    }

    /// Each path two rendered outputs were written to, as an error naming
    /// it (the content stage reports pages with one address already; this
    /// catches the rest, such as a page where a taxonomy's list goes).
    pub fn collisions(&self) -> Vec<Diagnostic> {
        let mut paths = self
            .collisions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        paths.sort();
        paths.dedup();
        paths
            .into_iter()
            .map(|rel| {
                Diagnostic::error(format!("two outputs would be written to `{rel}`"))
                    .in_file(self.out.join(&rel))
                    .with_hint("give one of the pages another `path` or `slug`, or rename the taxonomy or alias that goes there")
            })
            .collect()
    }

    /// Mark the folder as throughline's and swap it in for the output.
    pub fn finish(mut self) -> Result<(), Diagnostic> {
        std::fs::write(
            self.dir.join(MARKER),
            b"This folder was built by throughline; the next build replaces it.\n",
        )
        .map_err(|e| io_error(&self.dir, e))?;
        let had_old = self.out.exists();
        if had_old {
            std::fs::rename(&self.out, &self.old).map_err(|e| io_error(&self.out, e))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.out) {
            if had_old {
                let _ = std::fs::rename(&self.old, &self.out);
            }
            return Err(io_error(&self.out, e));
        }
        self.finished = true;
        if had_old {
            let _ = std::fs::remove_dir_all(&self.old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn io_error(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(format!("cannot write {}: {e}", path.display()))
        .with_hint("check that the folder is writable and the disk is not full; the previous output was left as it was")
}

fn escape_error(rel: &str) -> Diagnostic {
    Diagnostic::error(format!(
        "refusing to write `{rel}`: it would be outside the output folder"
    ))
    .with_hint("a `path`, `slug` or alias contains `..` or is absolute; use a path inside the site")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staging_dirs(parent: &Path) -> Vec<String> {
        std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("throughline-"))
            .collect()
    }

    #[test]
    fn an_unfinished_build_leaves_the_output_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        {
            let s = Staging::create(&out, false).unwrap();
            s.write("new.html", b"new").unwrap();
            // Dropped without `finish`: an error somewhere in the build.
        }
        assert_eq!(
            std::fs::read_to_string(out.join("old.html")).unwrap(),
            "old"
        );
        assert!(!out.join("new.html").exists());
        assert!(staging_dirs(dir.path()).is_empty());
    }

    #[test]
    fn a_finished_build_replaces_the_output_and_pages_win_over_copies() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("old.html"), "old").unwrap();
        let s = Staging::create(&out, false).unwrap();
        s.copy(&[("a/index.html".into(), Source::Bytes(b"static"))])
            .unwrap();
        s.write("a/index.html", b"page").unwrap();
        s.finish().unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "page"
        );
        assert!(!out.join("old.html").exists());
        assert!(out.join(MARKER).is_file());
        assert!(staging_dirs(dir.path()).is_empty());
    }

    #[test]
    fn two_outputs_at_one_path_or_one_outside_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let s = Staging::create(&dir.path().join("public"), false).unwrap();
        s.write("x/index.html", b"one").unwrap();
        s.write("x/index.html", b"two").unwrap();
        let collisions = s.collisions();
        assert_eq!(collisions.len(), 1);
        assert!(collisions[0]
            .message
            .contains("two outputs would be written to `x/index.html`"));
        assert!(collisions[0]
            .file
            .as_ref()
            .unwrap()
            .ends_with("public/x/index.html"));
        assert!(s.write("../escape.html", b"no").is_err());
        assert!(!dir.path().join("escape.html").exists());
    }
}
