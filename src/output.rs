//! Stage 6: write. Puts the rendered files, the static files and the
//! content assets into a fresh folder beside the output folder, and swaps it
//! in only when everything was written: a failed build leaves the previous
//! output exactly as it was. Refuses output folders that would destroy the
//! site's sources, and paths that would leave the output folder.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diagnostics::Diagnostic;

/// The file that marks a folder as throughline's output, so that a later
/// build may replace it without `--force`.
pub const MARKER: &str = ".throughline";

/// `path` as the system would open it: absolute, each symlink followed as
/// it is met (so `link/..` is the parent of the link's target, not the
/// folder holding the link), `.` dropped. The part that does not exist yet
/// is taken as written.
pub fn resolve(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    let mut exists = true;
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            Component::Normal(n) => {
                out.push(n);
                if exists {
                    match out.canonicalize() {
                        Ok(real) => out = real,
                        // A dangling link or a name not made yet: the
                        // rest is taken as written.
                        Err(_) => exists = false,
                    }
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Check that writing the site into `out` cannot destroy anything it should
/// not: the site root, its sources, the config file, the home folder, or
/// (without `force`) a folder throughline did not make. Every path is
/// judged as the system resolves it (symlinks followed).
pub fn check_output_dir(
    root: &Path,
    out: &Path,
    config: &Path,
    force: bool,
) -> Result<(), Diagnostic> {
    let root = resolve(root);
    let out = resolve(out);
    let protected = ["content", "templates", "static", "themes", "data", "sass"];
    if root.starts_with(&out) {
        return Err(Diagnostic::error(format!(
            "the output folder {} is the site folder or contains it; building would replace the site itself",
            out.display()
        ))
        .with_hint("choose a folder inside the site such as `public`, or one elsewhere: --output-dir public"));
    }
    for p in protected {
        let dir = resolve(&root.join(p));
        if out.starts_with(&dir) {
            return Err(Diagnostic::error(format!(
                "the output folder {} is inside the site's `{p}/` folder; building would replace your sources",
                out.display()
            ))
            .with_hint("choose a folder of its own, such as `public`: --output-dir public"));
        }
    }
    let config = resolve(config);
    if config.starts_with(&out) {
        return Err(Diagnostic::error(format!(
            "the output folder {} holds the config file {}; building would delete it",
            out.display(),
            config.display()
        ))
        .with_hint("choose a folder of its own, such as `public`: --output-dir public"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if resolve(Path::new(&home)).starts_with(&out) {
            return Err(Diagnostic::error(format!(
                "the output folder {} is your home folder or holds it; building would replace it",
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
    /// Rendered files written so far, with the order of the one there
    /// (see [`Staging::write_ordered`]), and a later-ordered output that
    /// met one there, written over it at the end (so which thread came
    /// first never decides what is left).
    written: Mutex<HashMap<String, u8>>,
    later: Mutex<HashMap<String, (u8, Vec<u8>)>>,
    finished: bool,
}

/// The staging folders of this process, for the signal handler to remove;
/// held while a build swaps its folder in, so a signal never lands between
/// the two renames.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// On SIGINT, SIGTERM or SIGHUP, remove this process's staging folders
/// (waiting for a swap in progress to finish) and exit as the signal asks.
/// For the commands that write a site; call once.
pub fn clean_up_on_signals() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        let _ = std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                if let Some(sig) = signals.forever().next() {
                    let live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
                    for dir in live.iter() {
                        remove_all(dir);
                    }
                    // The lock is held until the process ends: no build
                    // can start a swap now.
                    std::process::exit(128 + sig);
                }
            });
    }
}

/// Remove a folder that other threads may still be writing into: a few
/// tries, since a file made during the walk makes one fail.
fn remove_all(dir: &Path) {
    for _ in 0..5 {
        match std::fs::remove_dir_all(dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => continue,
            _ => return,
        }
    }
}

/// Whether a process with this id is running (unknown counts as yes).
fn alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 sends nothing; it only asks whether the
        // process exists (EPERM: it does, and is someone else's).
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Remove staging folders beside the output left by builds that died
/// (killed, or aborted) before they could clean up.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = [".throughline-new-", ".throughline-old-"]
            .iter()
            .find_map(|tag| {
                file.strip_prefix(&format!(".{name}{tag}"))
                    .and_then(|p| p.parse::<u32>().ok())
            });
        if pid.is_some_and(|p| !alive(p)) && e.file_type().is_ok_and(|t| t.is_dir()) {
            remove_all(&e.path());
        }
    }
}

impl Staging {
    pub fn create(out: &Path, hard_link: bool) -> Result<Staging, Diagnostic> {
        let out = resolve(out);
        let parent = out
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        std::fs::create_dir_all(&parent).map_err(|e| io_error(&parent, e))?;
        remove_stale(&parent, &name);
        let pid = std::process::id();
        let dir = parent.join(format!(".{name}.throughline-new-{pid}"));
        let old = parent.join(format!(".{name}.throughline-old-{pid}"));
        let _ = std::fs::remove_dir_all(&dir);
        {
            let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
            std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
            live.push(dir.clone());
        }
        Ok(Staging {
            out,
            dir,
            old,
            hard_link,
            written: Mutex::new(HashMap::new()),
            later: Mutex::new(HashMap::new()),
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

    /// A rendered file (of the first order: see [`Staging::write_ordered`]).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        self.write_ordered(rel, bytes, 0)
    }

    /// A rendered file, of an `order` in which outputs meeting at one path
    /// are settled: of two at one path, the one of the higher order is
    /// left (the later written, in the writer's order), whichever thread
    /// comes first; of one order, the first. The render says which met.
    pub fn write_ordered(&self, rel: &str, bytes: &[u8], order: u8) -> Result<(), Diagnostic> {
        {
            let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
            match written.get(rel).copied() {
                None => {
                    written.insert(rel.to_string(), order);
                }
                Some(there) => {
                    if order > there {
                        written.insert(rel.to_string(), order);
                        if !is_inside(rel) {
                            return Err(escape_error(rel));
                        }
                        self.later
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(rel.to_string(), (order, bytes.to_vec()));
                    }
                    return Ok(());
                }
            }
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

    /// Mark the folder as throughline's and swap it in for the output.
    pub fn finish(mut self) -> Result<(), Diagnostic> {
        let later = std::mem::take(&mut *self.later.lock().unwrap_or_else(|e| e.into_inner()));
        for (rel, (_, bytes)) in later {
            let dest = self.dest(&rel)?;
            std::fs::write(&dest, bytes).map_err(|e| io_error(&dest, e))?;
        }
        std::fs::write(
            self.dir.join(MARKER),
            b"This folder was built by throughline; the next build replaces it.\n",
        )
        .map_err(|e| io_error(&self.dir, e))?;
        // No signal handler runs between the two renames.
        let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
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
        live.retain(|d| d != &self.dir);
        drop(live);
        if had_old {
            let _ = std::fs::remove_dir_all(&self.old);
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let mut live = LIVE.lock().unwrap_or_else(|e| e.into_inner());
            remove_all(&self.dir);
            live.retain(|d| d != &self.dir);
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
    fn of_two_outputs_at_one_path_the_later_order_is_left_and_none_goes_outside() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        let s = Staging::create(&out, false).unwrap();
        // Later order first (as threads may race): it is still left.
        s.write_ordered("x/index.html", b"taxonomy", 6).unwrap();
        s.write_ordered("x/index.html", b"section", 1).unwrap();
        s.write_ordered("y/index.html", b"section", 1).unwrap();
        s.write_ordered("y/index.html", b"taxonomy", 6).unwrap();
        s.write_ordered("z/index.html", b"first", 1).unwrap();
        s.write_ordered("z/index.html", b"second", 1).unwrap();
        assert!(s.write("../escape.html", b"no").is_err());
        s.finish().unwrap();
        let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
        assert_eq!(read("x/index.html"), "taxonomy");
        assert_eq!(read("y/index.html"), "taxonomy");
        assert_eq!(read("z/index.html"), "first");
        assert!(!dir.path().join("escape.html").exists());
    }
}
