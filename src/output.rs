//! Stage 6: write. Puts the rendered files, the static files and the
//! content assets into a fresh folder beside the output folder, and swaps it
//! in only when everything was written: a failed build leaves the previous
//! output exactly as it was. Refuses output folders that would destroy the
//! site's sources, and paths that would leave the output folder.

use std::path::{Component, Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::render::OutFile;

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

/// Write everything into a staging folder, then swap it in.
pub fn write_site(
    out: &Path,
    files: &[OutFile],
    copies: &[(String, Source)],
    hard_link: bool,
) -> Result<(), Diagnostic> {
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
    let staging = parent.join(format!(".{name}.throughline-new-{pid}"));
    let old = parent.join(format!(".{name}.throughline-old-{pid}"));
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| {
        std::fs::create_dir_all(&staging).map_err(|e| io_error(&staging, e))?;
        // Static files and assets first: rendered pages win over them.
        for (rel, src) in copies {
            if !is_inside(rel) {
                return Err(escape_error(rel));
            }
            let dest = staging.join(rel);
            if let Some(d) = dest.parent() {
                std::fs::create_dir_all(d).map_err(|e| io_error(d, e))?;
            }
            match src {
                Source::Bytes(b) => std::fs::write(&dest, b).map_err(|e| io_error(&dest, e))?,
                Source::Compiled(b) => std::fs::write(&dest, b).map_err(|e| io_error(&dest, e))?,
                Source::File(f) => {
                    let _ = std::fs::remove_file(&dest);
                    if !(hard_link && std::fs::hard_link(f, &dest).is_ok()) {
                        std::fs::copy(f, &dest).map_err(|e| io_error(f, e))?;
                    }
                }
            }
        }
        for f in files {
            if !is_inside(&f.path) {
                return Err(escape_error(&f.path));
            }
            let dest = staging.join(&f.path);
            if let Some(d) = dest.parent() {
                std::fs::create_dir_all(d).map_err(|e| io_error(d, e))?;
            }
            std::fs::write(&dest, &f.bytes).map_err(|e| io_error(&dest, e))?;
        }
        std::fs::write(
            staging.join(MARKER),
            b"This folder was built by throughline; the next build replaces it.\n",
        )
        .map_err(|e| io_error(&staging, e))?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Swap.
    let had_old = out.exists();
    if had_old {
        std::fs::rename(&out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&staging);
            io_error(&out, e)
        })?;
    }
    if let Err(e) = std::fs::rename(&staging, &out) {
        if had_old {
            let _ = std::fs::rename(&old, &out);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(io_error(&out, e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
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
