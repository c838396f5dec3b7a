//! File-system events to batches of changed paths.
//!
//! Watched: `content/`, `templates/`, `themes/`, `static/`, `data/` (each
//! recursively, when it exists) and the site root itself (the config file,
//! and those folders appearing). Ignored: editors' swap, backup and
//! temporary files, dotfiles, and the output folder.
//!
//! Debounce on the leading edge: the first event rebuilds at once; events
//! arriving while that rebuild runs, or within `debounce` after it, are
//! folded into one more rebuild.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

const FOLDERS: &[&str] = &["content", "templates", "themes", "static", "data", "sass"];

pub(super) struct Watcher {
    // Kept alive: dropping it stops the events.
    inner: notify::RecommendedWatcher,
    events: mpsc::Receiver<PathBuf>,
    root: PathBuf,
    watched: Vec<PathBuf>,
}

/// Whether a changed path can matter to the site.
fn relevant(root: &Path, output: Option<&Path>, path: &Path) -> bool {
    if output.is_some_and(|o| path.starts_with(o)) {
        return false;
    }
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components();
    let Some(first) = parts.next() else {
        return false;
    };
    let first = first.as_os_str().to_string_lossy();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if crate::load::is_ignored_name(&name) {
        return false;
    }
    if parts.next().is_none() {
        // At the top: the config files, or a watched folder itself.
        return matches!(&*first, "config.toml" | "zola.toml")
            || FOLDERS.contains(&&*first)
            || name.ends_with(".toml");
    }
    FOLDERS.contains(&&*first)
}

/// Whether an event can mean new content. On Linux a file written in place
/// is taken when it is closed (one event per save, never a half-written
/// file); elsewhere each change of its data counts.
fn worth_a_rebuild(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind};
    use notify::EventKind;
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Data(_)) | EventKind::Modify(ModifyKind::Any) => {
            !cfg!(target_os = "linux")
        }
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        _ => true,
    }
}

impl Watcher {
    pub(super) fn new(root: &Path, output: Option<&Path>) -> Result<Watcher, String> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let output = output.map(|o| {
            let o = if o.is_absolute() {
                o.to_path_buf()
            } else {
                root.join(o)
            };
            o.canonicalize().unwrap_or(o)
        });
        let default_output = root.join("public");
        let (tx, rx) = mpsc::channel();
        let watch_root = root.clone();
        let mut inner = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
            let Ok(event) = res else { return };
            if !worth_a_rebuild(&event.kind) {
                return;
            }
            for p in event.paths {
                let out = output.as_deref().unwrap_or(&default_output);
                if relevant(&watch_root, Some(out), &p) {
                    let _ = tx.send(p);
                }
            }
        })
        .map_err(|e| format!("cannot watch the site for changes: {e}"))?;
        inner
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let mut w = Watcher {
            inner,
            events: rx,
            root,
            watched: Vec::new(),
        };
        w.watch_new_folders()?;
        Ok(w)
    }

    /// Watch the site's folders that exist now and were not watched yet
    /// (`templates/` made after `serve` started, say).
    fn watch_new_folders(&mut self) -> Result<(), String> {
        for f in FOLDERS {
            let dir = self.root.join(f);
            if dir.is_dir() && !self.watched.contains(&dir) {
                self.inner
                    .watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
                self.watched.push(dir);
            }
        }
        Ok(())
    }

    /// Call `rebuild` with each batch of changed paths, for ever.
    pub(super) fn run(mut self, debounce: Duration, mut rebuild: impl FnMut(&[PathBuf])) {
        while let Ok(first) = self.events.recv() {
            if let Err(e) = self.watch_new_folders() {
                crate::say!("{e}");
            }
            let mut batch = vec![first];
            batch.extend(self.events.try_iter());
            rebuild(&dedup(batch));
            // Fold the burst that follows into one more rebuild.
            let deadline = Instant::now() + debounce;
            let mut more = Vec::new();
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match self.events.recv_timeout(left) {
                    Ok(p) => more.push(p),
                    Err(mpsc::RecvTimeoutError::Timeout) => break,
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                }
            }
            if !more.is_empty() {
                rebuild(&dedup(more));
            }
        }
    }
}

fn dedup(mut v: Vec<PathBuf>) -> Vec<PathBuf> {
    v.sort();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_watched() {
        let root = Path::new("/site");
        let out = Some(Path::new("/site/public"));
        for p in [
            "/site/content/a.md",
            "/site/config.toml",
            "/site/templates/x/y.html",
            "/site/data/m.csv",
            "/site/content",
        ] {
            assert!(relevant(root, out, Path::new(p)), "{p}");
        }
        for p in [
            "/site/public/index.html",
            "/site/content/.a.md.swp",
            "/site/content/a.md~",
            "/site/content/#a.md#",
            "/site/target/debug/x",
            "/site/README.md",
            "/elsewhere/content/a.md",
        ] {
            assert!(!relevant(root, out, Path::new(p)), "{p}");
        }
    }
}
