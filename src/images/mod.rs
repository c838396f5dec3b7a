//! Image processing: Zola 0.22's `resize_image`, and the sizes of images
//! (upright, as their EXIF orientation says) for `get_image_metadata` and
//! for Markdown images.
//!
//! A template's call is answered at once from the arguments and the
//! image's header ([`plan`]: no pixel is decoded) and queued in a
//! [`Processor`], one job per output file however many templates ask for
//! it. After the render, [`Processor::finish`] makes the queued files in
//! parallel ([`encode`]), each into the cache folder
//! `.throughline-cache/images/` under the site root, named by a hash of
//! the source's bytes and what is done to them, and a file already there
//! is reused. The driver copies them into the output as
//! `processed_images/{stem}.{hash}.{ext}`, Zola's names.
//!
//! This module knows no template engine and no stage: the render stage
//! resolves the path and hands a [`Request`]; who asked is told through
//! [`asking`], for errors found after the render.

pub(crate) mod encode;
pub(crate) mod plan;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Location};
use crate::output::Source;
pub(crate) use encode::Meta;
pub(crate) use plan::{Format, Op, Plan};

/// The output folder processed images go in, as in Zola.
pub(crate) const PROCESSED: &str = "processed_images";

/// The cache folder, under the site root: never a source folder, never
/// copied into the output, and in the `.gitignore` that `init` writes.
pub(crate) const CACHE: &str = ".throughline-cache/images";

/// Changes when what the encoders make changes, so that older cached
/// files are not reused.
const CACHE_VERSION: &str = "throughline-images-1 image-0.25 libwebp ravif-0.12";

/// Who asked for an image: the template being rendered (for a shortcode,
/// its template), for errors found after the render.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Asker {
    /// The template's name (`page.html`, `shortcodes/gallery.html`).
    pub template: String,
    /// Its file.
    pub file: PathBuf,
}

thread_local! {
    static ASKER: RefCell<Option<Asker>> = const { RefCell::new(None) };
}

/// Run `f` with `asker` as the one asking for images on this thread.
pub(crate) fn asking<R>(asker: Asker, f: impl FnOnce() -> R) -> R {
    let before = ASKER.with(|a| a.replace(Some(asker)));
    struct Restore(Option<Asker>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            ASKER.with(|a| *a.borrow_mut() = before);
        }
    }
    let _restore = Restore(before);
    f()
}

fn current_asker() -> Option<Asker> {
    ASKER.with(|a| a.borrow().clone())
}

/// What a file was when it was last read: its length and time of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        modified: m.modified().ok(),
    })
}

type Memo<T> = Mutex<HashMap<PathBuf, (Stamp, T)>>;

/// A value worked out from a file, kept for the process while the file
/// keeps its length and time of change (`serve` rebuilds reuse it).
fn memo<T: Clone>(
    memo: &'static OnceLock<Memo<T>>,
    path: &Path,
    make: impl FnOnce(&[u8]) -> T,
) -> Result<T, String> {
    let map = memo.get_or_init(Default::default);
    let now = stamp(path).ok_or("the file cannot be read")?;
    if let Some((s, v)) = map.lock().unwrap_or_else(|e| e.into_inner()).get(path) {
        if *s == now {
            return Ok(v.clone());
        }
    }
    let bytes = std::fs::read(path).map_err(|e| format!("the file cannot be read ({e})"))?;
    let v = make(&bytes);
    map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(path.to_path_buf(), (now, v.clone()));
    Ok(v)
}

/// What one read of an image file gives: its size and lossiness (from
/// the header) and the hash of its bytes (for the cache), so that a build
/// reads each source once before it is decoded.
#[derive(Debug, Clone)]
struct Probe {
    meta: Result<Meta, String>,
    hash: u128,
}

fn probe(path: &Path) -> Result<Probe, String> {
    static PROBES: OnceLock<Memo<Probe>> = OnceLock::new();
    memo(&PROBES, path, |bytes| Probe {
        meta: encode::meta(bytes),
        hash: xxhash_rust::xxh3::xxh3_128(bytes),
    })
}

/// Size (upright) and lossiness of the image in `path`, from its header.
pub(crate) fn meta(path: &Path) -> Result<Meta, String> {
    probe(path)?.meta
}

/// The upright size of a raster image, or `None` when it is not one this
/// reads (Markdown images get `width` and `height` from it).
pub(crate) fn upright_size(path: &Path) -> Option<(u32, u32)> {
    meta(path).ok().map(|m| m.size)
}

/// The xxh3-128 hash of a file's bytes.
fn content_hash(path: &Path) -> Result<u128, String> {
    Ok(probe(path)?.hash)
}

/// A `resize_image` call, its path resolved by the caller.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The path as the template wrote it, for messages.
    pub written: String,
    /// The path Zola hashes: `@/` made `content/`, a leading `/` dropped.
    pub unified: String,
    /// The file found.
    pub file: PathBuf,
    pub op: Op,
    pub format: String,
    pub quality: Option<u8>,
    pub speed: Option<u8>,
    /// The call's arguments as `serve` records them, so that it can tell
    /// which jobs the outputs it serves still ask for.
    pub call: String,
}

/// The answer to a call: Zola's fields, but for the URL's base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resized {
    /// `{stem}.{hash}.{ext}`, under [`PROCESSED`].
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub orig_width: u32,
    pub orig_height: u32,
}

#[derive(Debug, Clone)]
struct Job {
    written: String,
    file: PathBuf,
    plan: Plan,
    format: Format,
    asker: Option<Asker>,
}

/// The resize jobs of a build (or of a `serve` session), each output file
/// once.
#[derive(Debug)]
pub(crate) struct Processor {
    cache: PathBuf,
    /// By output file name.
    jobs: Mutex<HashMap<String, Job>>,
    /// Each call's arguments (as recorded) → its output file name.
    calls: Mutex<HashMap<String, String>>,
}

/// What [`Processor::finish`] made.
#[derive(Debug, Default)]
pub(crate) struct Finished {
    /// Output path (`processed_images/…`) → the file to copy.
    pub copies: Vec<(String, Source)>,
    /// The cache files used.
    pub used: HashSet<PathBuf>,
    /// How many files were encoded (the rest came from the cache).
    pub encoded: usize,
    pub diagnostics: Vec<Diagnostic>,
}

impl Processor {
    /// A processor for the site at `root`, caching under [`CACHE`] there.
    pub(crate) fn new(root: &Path) -> Processor {
        Processor {
            cache: root.join(CACHE),
            jobs: Mutex::default(),
            calls: Mutex::default(),
        }
    }

    /// Answer a call and queue its job. The answer needs only the image's
    /// header.
    pub(crate) fn resize(&self, req: Request) -> Result<Resized, String> {
        let meta = meta(&req.file).map_err(|e| format!("cannot read `{}`: {e}", req.written))?;
        let format = Format::from_args(meta.lossy, &req.format, req.quality, req.speed)?;
        let plan = Plan::new(req.op, meta.size);
        plan.check(meta.size, &format)?;
        let stem = req
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "unknown".into());
        let name = plan::file_name(&stem, &req.unified, &req.op, &format);
        let (width, height) = plan.size(meta.size);
        let asker = current_asker();
        {
            let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            // Whoever asked first by name is the one errors name, whatever
            // order the threads ran in.
            let keep_asker = jobs
                .get(&name)
                .filter(|j| j.file == req.file)
                .and_then(|j| j.asker.clone())
                .filter(|a| asker.as_ref().is_none_or(|b| a <= b));
            jobs.insert(
                name.clone(),
                Job {
                    written: req.written,
                    file: req.file,
                    plan,
                    format,
                    asker: keep_asker.or(asker),
                },
            );
        }
        self.calls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(req.call, name.clone());
        Ok(Resized {
            name,
            width,
            height,
            orig_width: meta.size.0,
            orig_height: meta.size.1,
        })
    }

    /// The output file names queued.
    pub(crate) fn names(&self) -> Vec<String> {
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Make the queued files (all of them, or with `live`, those asked for
    /// by these recorded calls), in parallel, each distinct result once,
    /// reusing the cache.
    pub(crate) fn finish(&self, live: Option<&HashSet<String>>) -> Finished {
        let jobs: BTreeMap<String, Job> = {
            let all = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
            match live {
                None => all.iter().map(|(n, j)| (n.clone(), j.clone())).collect(),
                Some(calls) => {
                    let names = self.calls.lock().unwrap_or_else(|e| e.into_inner());
                    calls
                        .iter()
                        .filter_map(|c| names.get(c))
                        .filter_map(|n| all.get(n).map(|j| (n.clone(), j.clone())))
                        .collect()
                }
            }
        };
        let mut out = Finished::default();
        if jobs.is_empty() {
            return out;
        }
        // The cache file each job makes, from the source's bytes.
        let keyed: Vec<(String, Job, Result<String, String>)> = jobs
            .into_par_iter()
            .map(|(name, job)| {
                let key = content_hash(&job.file).map(|h| cache_name(h, &job));
                (name, job, key)
            })
            .collect();
        let mut groups: BTreeMap<String, (Job, Vec<String>)> = BTreeMap::new();
        for (name, job, key) in keyed {
            match key {
                Ok(k) => groups
                    .entry(k)
                    .or_insert_with(|| (job, Vec::new()))
                    .1
                    .push(name),
                Err(e) => out.diagnostics.push(job_error(&job, &e)),
            }
        }
        let made: Vec<_> = groups
            .into_par_iter()
            .map(|(key, (job, names))| (self.make(&key, &job), names, job))
            .collect();
        let mut unwritable = None;
        for (result, names, job) in made {
            match result {
                Ok(Made {
                    source,
                    encoded,
                    unwritable: u,
                }) => {
                    if let Source::File(f) = &source {
                        out.used.insert(f.clone());
                    }
                    out.encoded += usize::from(encoded);
                    unwritable = unwritable.or(u);
                    for n in names {
                        out.copies
                            .push((format!("{PROCESSED}/{n}"), source.clone()));
                    }
                }
                Err(e) => out.diagnostics.push(job_error(&job, &e)),
            }
        }
        if let Some(e) = unwritable {
            out.diagnostics.push(
                Diagnostic::warning(format!(
                    "cannot write the image cache {}: {e}; processed images are made again on every build",
                    self.cache.display()
                ))
                .with_hint("make the site folder writable, or remove what is in the way of that folder"),
            );
        }
        out.copies.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// The cache file `key`, made when it is not there.
    fn make(&self, key: &str, job: &Job) -> Result<Made, String> {
        let dest = self.cache.join(key);
        if dest.is_file() {
            return Ok(Made {
                source: Source::File(dest),
                encoded: false,
                unwritable: None,
            });
        }
        let bytes =
            std::fs::read(&job.file).map_err(|e| format!("the file cannot be read ({e})"))?;
        // The encoders are other people's code: a panic on a strange file
        // is an error for that image, not the end of the build.
        let encoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            encode::process(&bytes, &job.plan, &job.format)
        }))
        .unwrap_or_else(|_| Err("the image decoder or encoder failed on it".into()))?;
        match write_atomically(&self.cache, &dest, &encoded) {
            Ok(()) => Ok(Made {
                source: Source::File(dest),
                encoded: true,
                unwritable: None,
            }),
            Err(e) => Ok(Made {
                source: Source::Compiled(Arc::from(encoded)),
                encoded: true,
                unwritable: Some(e),
            }),
        }
    }
}

struct Made {
    source: Source,
    encoded: bool,
    unwritable: Option<String>,
}

/// The cache file's name: a hash of the source's bytes, the plan, the
/// format and the encoders' version.
fn cache_name(content: u128, job: &Job) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&content.to_le_bytes());
    h.update(format!("{:?} {:?} {CACHE_VERSION}", job.plan, job.format).as_bytes());
    format!("{:032x}.{}", h.digest128(), job.format.extension())
}

/// Write `bytes` to `dest` through a temporary file in `dir`, so that a
/// build stopped halfway never leaves half a file to be reused.
fn write_atomically(dir: &Path, dest: &Path, bytes: &[u8]) -> Result<(), String> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&tmp, bytes).map_err(|e| e.to_string())?;
    std::fs::rename(&tmp, dest).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

/// An error making a job's file, at the template that asked (at its
/// first `resize_image` call when it has one).
fn job_error(job: &Job, e: &str) -> Diagnostic {
    let what = match &job.asker {
        Some(a) => format!("the template `{}`", a.template),
        None => "a template".to_string(),
    };
    let d = Diagnostic::error(format!(
        "`resize_image` cannot make an image of `{}` ({}), which {what} asked for: {e}",
        job.written,
        job.file.display()
    ))
    .with_hint("check that the file is a whole image in a format it is named for (JPEG, PNG, WebP or GIF); a truncated or mis-named file fails here");
    let Some(a) = &job.asker else {
        return d;
    };
    let text = std::fs::read_to_string(&a.file).unwrap_or_default();
    match text.find("resize_image") {
        Some(at) => d.at(Location::from_span(
            &a.file,
            &text,
            at..at + "resize_image".len(),
        )),
        None => d.in_file(&a.file),
    }
}

/// Remove the cache files of `root` that `used` does not name, and
/// temporary files left by a build that was stopped (a build keeps what it
/// used; what it did not is removed, as Zola prunes its
/// `processed_images`).
pub(crate) fn prune(root: &Path, used: &HashSet<PathBuf>) {
    let dir = root.join(CACHE);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        let ours = is_cache_name(&name);
        let old_tmp = name.starts_with(".tmp-")
            && e.metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|age| age.as_secs() > 3600);
        if (ours && !used.contains(&path)) || old_tmp {
            let _ = std::fs::remove_file(&path);
        }
    }
}

fn is_cache_name(name: &str) -> bool {
    let Some((hash, ext)) = name.split_once('.') else {
        return false;
    };
    hash.len() == 32
        && hash.bytes().all(|b| b.is_ascii_hexdigit())
        && matches!(ext, "jpg" | "png" | "webp" | "avif")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asker_is_restored() {
        let a = Asker {
            template: "a.html".into(),
            file: "t/a.html".into(),
        };
        let b = Asker {
            template: "b.html".into(),
            file: "t/b.html".into(),
        };
        asking(a.clone(), || {
            asking(b.clone(), || assert_eq!(current_asker(), Some(b.clone())));
            assert_eq!(current_asker(), Some(a.clone()));
        });
        assert_eq!(current_asker(), None);
    }

    #[test]
    fn only_cache_files_are_pruned() {
        assert!(is_cache_name("0123456789abcdef0123456789abcdef.jpg"));
        assert!(!is_cache_name("photo.jpg"));
        assert!(!is_cache_name("0123456789abcdef0123456789abcdef.html"));
    }
}
