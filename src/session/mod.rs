//! Incremental rebuilds for `serve`: the same pipeline as `build`, with
//! every stage reusing what has not changed since the last good build.
//!
//! - **load**: files are read again only when their size or time of change
//!   moved (or the watcher names them);
//! - **Markdown**: a page's body is rendered again only when the page's
//!   own inputs changed, or when a shortcode template it used, a function a
//!   shortcode called, or an `@/` link it resolved answers differently;
//! - **values**: a page's template value is serialised again only when
//!   what it is made from changed ([`ValueCache`]);
//! - **render**: every output's context is first built with large values
//!   replaced by their fingerprints ([`Mode::Fingerprint`]: cheap), and an
//!   output is rendered again only when that fingerprint changed, or a
//!   template it used (with everything it extends, includes or imports)
//!   changed, or a template function it called answers differently.
//!
//! On this road the relating stage and the plugins run in full. An edit
//! that changes only bodies takes a shorter one from the last good build,
//! kept whole (see [`Session`]). A change to the config starts again from
//! nothing. The result is compared with a full build byte for byte by
//! `tests/serve_incremental.rs`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{Config, Mode};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::LoadCache;
use crate::output::Source;
use crate::plugin::Plugin;
use crate::render::context::ValueCache;
use crate::render::deps;
use crate::render::{self, OutFile};
use crate::site::Site;

mod front_matter;
mod full;
mod images;
mod kept;
mod markdown_cache;
mod once;
mod reads;

use kept::Kept;
use markdown_cache::MdEntry;
use reads::Read;

/// What the command line (or a test) asks for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub root: PathBuf,
    pub config_file: Option<PathBuf>,
    pub output_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub force: bool,
    pub mode: Mode,
    /// Minify the HTML written, whatever the config says (`build
    /// --minify`, as in Zola).
    pub minify: bool,
}

/// A finished render, in memory.
pub struct Rendered {
    pub config: Arc<Config>,
    pub site: Arc<Site>,
    pub files: Vec<OutFile>,
    pub copies: Vec<(String, Source)>,
    /// The image cache's files this render used (`crate::images`).
    pub images_used: std::collections::HashSet<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Load the config named by `opts` (or found in the root).
pub fn load_config(opts: &Options, diags: &Diagnostics) -> Option<Config> {
    let path = match &opts.config_file {
        Some(p) if p.is_absolute() => p.clone(),
        Some(p) => opts.root.join(p),
        None => Config::find(&opts.root),
    };
    // A config that resolves outside the site (a symlink, or --config
    // elsewhere) is read, but its lines are never quoted in a message: a
    // link to /proc/self/environ must not print secrets into a CI log.
    let private = !crate::load::resolves_inside(&opts.root, &path);
    let shown = |ds: Vec<Diagnostic>| -> Vec<Diagnostic> {
        if private {
            ds.into_iter().map(Diagnostic::without_source).collect()
        } else {
            ds
        }
    };
    match Config::load(&path) {
        Ok(loaded) => {
            diags.extend(shown(loaded.warnings));
            let mut config = loaded.config;
            if opts.minify {
                config.minify_html = true;
            }
            if let Some(b) = &opts.base_url {
                config.base_url = b.clone();
            }
            config.mode = opts.mode;
            config.root = opts.root.clone();
            Some(config)
        }
        Err(ds) => {
            diags.extend(shown(ds));
            None
        }
    }
}

/// Makes a fresh set of plugins for each rebuild.
pub type PluginFactory = Box<dyn Fn() -> Vec<Box<dyn Plugin>> + Send>;

/// One output file of the last good build.
pub struct Output {
    pub bytes: Arc<[u8]>,
    fp: u64,
    /// Shared between outputs that read the same (most pages of a kind do).
    read: Arc<Read>,
}

/// The last build that had no errors: what `serve` serves.
#[derive(Default)]
pub struct Served {
    pub files: HashMap<String, Output>,
    /// Static files and assets, by output path.
    pub copies: BTreeMap<String, Source>,
}

/// What a rebuild did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Whether it succeeded (the served site is now this build).
    pub ok: bool,
    /// Errors (when it failed) and warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// Output paths whose bytes changed, appeared or went.
    pub changed: Vec<String>,
    /// Outputs rendered through a template in this rebuild.
    pub rendered: usize,
    /// Of those, the outputs of content pages (not section pagers,
    /// taxonomies, feeds or generated pages).
    pub rendered_pages: usize,
    /// Outputs in the site.
    pub outputs: usize,
    /// Bodies run through Markdown in this rebuild.
    pub markdown: usize,
    /// Pages in the site.
    pub pages: usize,
    /// Whether everything was rebuilt (first build, or the config changed).
    pub full: bool,
    /// The road the rebuild took (see [`Session`]).
    pub road: Road,
    pub elapsed: Duration,
}

impl Outcome {
    /// A rebuild that failed with one error before it produced anything.
    pub fn failed(error: Diagnostic, elapsed: Duration) -> Outcome {
        Outcome {
            ok: false,
            diagnostics: vec![error],
            changed: Vec::new(),
            rendered: 0,
            rendered_pages: 0,
            outputs: 0,
            markdown: 0,
            pages: 0,
            full: true,
            road: Road::Full,
            elapsed,
        }
    }
}

/// Which road a rebuild took (see [`Session`]).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Road {
    /// Loaded, related and run through the plugins again.
    #[default]
    Full,
    /// From the kept build: only bodies changed.
    Bodies,
    /// From the kept build: front matter changed, not the site's shape.
    FrontMatter,
}

/// The site with its pages rendered and its feeds still to come.
pub struct Early<'a> {
    pub files: HashMap<String, Arc<[u8]>>,
    pub copies: &'a BTreeMap<String, Source>,
    /// Outputs being rendered still: requests for them wait.
    pub pending: &'a HashSet<String>,
    /// Outputs changed so far.
    pub changed: Vec<String>,
    pub rendered: usize,
}

impl<'a> Early<'a> {
    /// The served files `base` with `rendered` put over them.
    fn over(
        mut files: HashMap<String, Arc<[u8]>>,
        rendered: &[render::OutFile],
        copies: &'a BTreeMap<String, Source>,
        pending: &'a HashSet<String>,
    ) -> Early<'a> {
        let mut changed = Vec::new();
        for f in rendered {
            if files.get(&f.path).is_none_or(|b| **b != f.bytes[..]) {
                changed.push(f.path.clone());
            }
            files.insert(f.path.clone(), Arc::from(&f.bytes[..]));
        }
        changed.sort();
        Early {
            files,
            copies,
            pending,
            changed,
            rendered: rendered.len(),
        }
    }
}

/// Outputs rendered after the pages: the ones that list every page.
fn deferred(path: &str) -> bool {
    path.ends_with(".xml")
}

/// A `serve` session: the last good build and everything cached from it.
///
/// An edit that changes only bodies (the front matter of each changed file
/// is byte for byte the same, no file appeared or went, nothing outside
/// `content/` changed, no shortcode is involved and no plugin reads bodies
/// when the site is loaded) takes a shorter road from the kept build:
/// those bodies through Markdown, anchors checked again, their values made
/// again, and only the outputs that can show them (their pages,
/// neighbours, lists, terms and feeds, plugins' generated pages, and
/// outputs whose function calls now answer differently) fingerprinted and,
/// where changed, rendered. An edit to a page's front matter that leaves
/// the site's shape alone (`same_shape`) takes the same road with the
/// page's metadata patched in and the plugins asked what changed
/// (`Plugin::site_changed`). Anything else takes the full road below.
pub struct Session {
    opts: Options,
    /// What is kept between passes: a setting, not a second pipeline.
    keeps: Keeps,
    plugins: Plugins,
    /// What a one-pass session's pass made (taken by `build`).
    made: Option<Rendered>,
    config_key: Option<u64>,
    load: LoadCache,
    markdown: HashMap<(bool, String), MdEntry>,
    values: ValueCache,
    values_before: ValueCache,
    /// Compiled Sass and what compiling it said, kept until a Sass file
    /// changes.
    sass: Option<(Arc<crate::sass::Compiled>, Vec<Diagnostic>)>,
    good: Option<Served>,
    kept: Option<Kept>,
    /// The last search index's files.
    search: Option<SearchFiles>,
    /// Whether a pass since the last index changed what it indexes.
    search_stale: bool,
    /// What making the last search index said (a build reports it with
    /// the build's; `serve` prints it after the index catches up).
    search_said: Vec<Diagnostic>,
    /// `resize_image`'s jobs, kept across passes (each output asks only
    /// when it is rendered), with the processed images published last and
    /// the copies they cover (see [`images::Images`]).
    images: Arc<crate::images::Processor>,
    published_images: images::Images,
}

/// A search index's files, by output path.
type SearchFiles = Vec<(String, Arc<[u8]>)>;

/// What a session keeps between its passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keeps {
    /// Nothing: the session makes one pass (`build`, `check`). Every
    /// output is rendered once, written as it is made when there is a
    /// writer, and nothing is fingerprinted or recorded; page values are
    /// made from the site as templates ask for them, not kept.
    Nothing,
    /// What the next pass needs to answer an edit quickly (`serve`): the
    /// load, Markdown and values caches, each output's fingerprint and
    /// reads, and the last good build whole.
    ForEdits,
}

/// Where a pass's plugins come from: made afresh for each pass, or given
/// once for a one-pass session.
enum Plugins {
    Factory(PluginFactory),
    Once(Option<Vec<Box<dyn Plugin>>>),
}

impl Session {
    /// A session that keeps what `serve` needs between passes.
    pub fn new(opts: Options, plugins: PluginFactory) -> Session {
        Session::with(opts, Keeps::ForEdits, Plugins::Factory(plugins))
    }

    /// A session of one pass (`build`, `check`) with these plugins.
    pub fn once(opts: Options, plugins: Vec<Box<dyn Plugin>>) -> Session {
        Session::with(opts, Keeps::Nothing, Plugins::Once(Some(plugins)))
    }

    fn with(opts: Options, keeps: Keeps, plugins: Plugins) -> Session {
        let images = Arc::new(crate::images::Processor::new(&opts.root));
        Session {
            opts,
            keeps,
            plugins,
            made: None,
            config_key: None,
            load: LoadCache::default(),
            markdown: HashMap::new(),
            values: ValueCache::default(),
            values_before: ValueCache::default(),
            sass: None,
            good: None,
            kept: None,
            search: None,
            search_stale: false,
            search_said: Vec::new(),
            images,
            published_images: images::Images::default(),
        }
    }

    /// Forget everything kept between passes (after a rebuild failed in a
    /// way that may have left it half-updated): the next pass is a first
    /// build.
    pub fn reset(&mut self) {
        let plugins = std::mem::replace(&mut self.plugins, Plugins::Once(None));
        *self = Session::with(self.opts.clone(), self.keeps, plugins);
    }

    /// The site being served (after the first good build).
    pub fn site(&self) -> Option<&Served> {
        self.good.as_ref()
    }

    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    /// The plugins for this pass.
    fn plugins_for_pass(&mut self) -> Vec<Box<dyn Plugin>> {
        match &mut self.plugins {
            Plugins::Factory(make) => make(),
            Plugins::Once(list) => list.take().unwrap_or_default(),
        }
    }

    /// The one pass of a [`Keeps::Nothing`] session, from a config already
    /// loaded (its warnings already in `diags`): every stage once, each
    /// output handed to `staging` as it is made when there is one. `None`
    /// when nothing could be rendered (a broken config or template; the
    /// errors are in `diags`).
    pub(crate) fn pass_once(
        &mut self,
        config: crate::config::Config,
        diags: &Diagnostics,
        staging: Option<&crate::output::Staging>,
    ) -> Option<Rendered> {
        debug_assert_eq!(self.keeps, Keeps::Nothing);
        self.full_road(Some(config), &[], diags, None, staging);
        self.made.take()
    }

    /// Build again. `changed` names files known to have changed (from the
    /// watcher); others are found by their time of change.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Outcome {
        self.rebuild_with(changed, None)
    }

    /// [`Session::rebuild`], calling `early` with the pages as soon as
    /// they are rendered when feeds or the sitemap are still to render.
    pub fn rebuild_with(
        &mut self,
        changed: &[PathBuf],
        early: Option<&mut dyn FnMut(Early<'_>)>,
    ) -> Outcome {
        let start = Instant::now();
        let diags = Diagnostics::new();
        let mut outcome = self.try_rebuild(changed, &diags, early);
        // As a build does, from what the build writes (whichever road).
        if let (true, Some(good), Some(kept)) = (outcome.ok, &self.good, &self.kept) {
            diags.extend(crate::statement::missing_statement(
                &self.opts.root,
                &kept.config,
                &kept.site,
                good.files.iter().map(|(p, o)| (p.as_str(), &*o.bytes)),
                |p| good.files.contains_key(p) || good.copies.contains_key(p),
            ));
        }
        outcome.diagnostics = diags.snapshot();
        outcome.ok = !outcome.diagnostics.iter().any(Diagnostic::is_error) && outcome.ok;
        crate::diagnostics::sort(&mut outcome.diagnostics);
        self.mark_search_stale(&outcome);
        outcome.elapsed = start.elapsed();
        outcome
    }

    /// Bring the search index up to date with the site served (the same
    /// stage `build` runs, `crate::search::index_from`), when the config
    /// asks for one: made again only after a pass that changed an output
    /// it indexes (or the config), else the last index is served again.
    /// Returns the index's files when they changed. `serve` calls it after
    /// publishing each rebuild's pages, so an edit is on screen before the
    /// index catches up.
    pub fn search_index(&mut self) -> Vec<String> {
        let (Some(good), Some(kept)) = (self.good.as_mut(), self.kept.as_ref()) else {
            return Vec::new();
        };
        let is_index = crate::search::is_index_file;
        if !kept.config.build_search_index {
            good.files.retain(|p, _| !is_index(p));
            self.search = None;
            return Vec::new();
        }
        let fresh = self.search.is_none() || self.search_stale;
        if fresh {
            let said = Diagnostics::new();
            let files = crate::search::index_from(
                &kept.site,
                &kept.config,
                |out| good.files.get(out).map(|o| &o.bytes[..]),
                crate::stages::searches_with_pagefind(&kept.engine),
                &said,
            );
            self.search = Some(
                files
                    .into_iter()
                    .map(|f| (f.path, Arc::<[u8]>::from(f.bytes)))
                    .collect(),
            );
            self.search_stale = false;
            self.search_said = said.snapshot();
            good.files.retain(|p, _| !is_index(p));
        }
        // A pass that rebuilt everything leaves the served site without
        // the last index: it goes back in.
        let files = self.search.as_deref().unwrap_or_default();
        if !fresh && files.iter().all(|(p, _)| good.files.contains_key(p)) {
            return Vec::new();
        }
        for (path, bytes) in files {
            good.files.insert(
                path.clone(),
                Output {
                    bytes: bytes.clone(),
                    fp: 0,
                    read: Arc::default(),
                },
            );
        }
        if fresh {
            files.iter().map(|(p, _)| p.clone()).collect()
        } else {
            Vec::new()
        }
    }

    /// What making the last search index said.
    pub fn search_diagnostics(&self) -> &[Diagnostic] {
        &self.search_said
    }

    /// Whether `outcome` changed what the search index is made from: an
    /// output it indexes, or everything (the config changed).
    fn mark_search_stale(&mut self, outcome: &Outcome) {
        if self.search_stale || !outcome.ok || self.search.is_none() {
            return;
        }
        let Some(kept) = self.kept.as_ref() else {
            return;
        };
        if outcome.full {
            self.search_stale = true;
            return;
        }
        if outcome.changed.is_empty() {
            return;
        }
        let changed: HashSet<&str> = outcome.changed.iter().map(String::as_str).collect();
        self.search_stale = crate::search::indexed(&kept.site, &kept.config)
            .iter()
            .any(|(_, out)| changed.contains(out.as_str()));
    }

    fn compiled_sass(&self) -> Arc<crate::sass::Compiled> {
        self.sass
            .as_ref()
            .map(|(c, _)| c.clone())
            .unwrap_or_default()
    }

    fn config_key(&self) -> u64 {
        let path = match &self.opts.config_file {
            Some(p) if p.is_absolute() => p.clone(),
            Some(p) => self.opts.root.join(p),
            None => crate::config::Config::find(&self.opts.root),
        };
        let text = std::fs::read(&path).unwrap_or_default();
        deps::Fp::new()
            .str(&String::from_utf8_lossy(&text))
            .str(&format!("{:?}", self.opts))
            .finish()
    }
}
