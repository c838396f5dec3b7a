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

use rayon::prelude::*;

use crate::build::{load_config, Options};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::LoadCache;
use crate::output::Source;
use crate::plugin::Plugin;
use crate::render::context::{page_input, section_input, ValueCache};
use crate::render::deps::{self, Call, Record};
use crate::render::functions::Functions;
use crate::render::{self, Engine, Generated, Mode, Renderer, Selection, SiteData};
use crate::site::{Item, Site};
use crate::stages::{self, Timer};

/// Makes a fresh set of plugins for each rebuild.
pub type PluginFactory = Box<dyn Fn() -> Vec<Box<dyn Plugin>> + Send>;

/// One output file of the last good build.
pub struct Output {
    pub bytes: Arc<[u8]>,
    fp: u64,
    /// Shared between outputs that read the same (most pages of a kind do).
    read: Arc<Read>,
}

/// What an output or a Markdown body read, with the fingerprints it saw.
#[derive(Default, Clone, PartialEq, Eq, Hash)]
struct Read {
    templates: Vec<(String, u64)>,
    calls: Vec<(Call, Option<u64>)>,
}

impl Read {
    fn new(record: Record, engine: &Engine) -> Read {
        Read {
            templates: record
                .templates
                .into_iter()
                .map(|t| {
                    let fp = engine.template_fp(&t);
                    (t, fp)
                })
                .collect(),
            calls: record.calls,
        }
    }
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

struct MdEntry {
    key: u64,
    rendered: crate::content::Rendered,
    diagnostics: Vec<Diagnostic>,
    read: Read,
}

/// Template functions whose answers hold pages' values: a shortcode that
/// calls one reads other pages' bodies (their `word_count`, say).
const READS_PAGES: &[&str] = &[
    "get_page",
    "get_all_pages",
    "get_section",
    "get_taxonomy",
    "get_taxonomy_term",
];

/// Whether the kept roads look at calls to this function again: it reads
/// pages ([`READS_PAGES`]) or is a plugin's.
fn tracked(name: &str, plugin_functions: &[String]) -> bool {
    READS_PAGES.contains(&name) || plugin_functions.iter().any(|f| f == name)
}

/// The last good build whole, kept so that an edit to bodies only is
/// answered without loading, relating, running the plugins or compiling
/// the templates again. While it is kept, the Markdown results live in its
/// `site` (the Markdown cache's entries hold empty bodies).
struct Kept {
    site: Site,
    plugins: Vec<Box<dyn Plugin>>,
    engine: Engine,
    config: Arc<crate::config::Config>,
    functions: Arc<crate::render::functions::Functions>,
    /// What the build said before Markdown: while loading (`load`), in
    /// the plugins' `site_loaded` (`plugins`), and the rest (config, Sass,
    /// relating, templates: `fixed`). An edit to a body leaves it all as
    /// it is; one to front matter replaces the edited files' part of
    /// `load`, and `plugins`.
    diags_fixed: Vec<Diagnostic>,
    diags_load: Vec<Diagnostic>,
    diags_plugins: Vec<Diagnostic>,
    /// For each page whose value plugins read to build an output's
    /// context, those outputs.
    plugin_reads: HashMap<usize, Vec<String>>,
    /// The pages whose values each plugin read for its generated pages.
    generated_reads: Vec<Vec<usize>>,
    /// Each plugin's generated pages (output paths).
    generated_paths: Vec<Vec<String>>,
    /// The calls to functions in [`READS_PAGES`] and to plugins'
    /// functions any output made, with their answers (the same for every
    /// output: an output whose answer changed is rendered again).
    page_calls: HashMap<Call, Option<u64>>,
    /// The names of plugins' functions.
    plugin_functions: Vec<String>,
    /// Each content file (absolute path) and its page or section.
    items: HashMap<PathBuf, Item>,
    /// Some body's shortcode called a function in [`READS_PAGES`].
    bodies_read_pages: bool,
    /// Some body's shortcode called a plugin's function (the plan on a
    /// page in a page's text): an edit to front matter may change its
    /// answer, and the front matter road renders only the edited bodies.
    bodies_call_plugins: bool,
    /// The outputs of content pages.
    page_outputs: HashSet<String>,
}

impl Kept {
    fn renderer<'r>(
        &'r self,
        mode: Mode,
        only: Option<&'r HashSet<String>>,
        record: bool,
        generated: Generated,
    ) -> Renderer<'r> {
        Renderer {
            sink: None,
            site: &self.site,
            config: &self.config,
            engine: &self.engine,
            data: self.functions.data.clone(),
            plugins: &self.plugins,
            mode,
            only,
            record,
            memo: Default::default(),
            generated,
            generated_reads: Default::default(),
        }
    }
}

/// What the render stage hands to [`Kept`].
struct ForKept {
    functions: Arc<Functions>,
    plugin_reads: HashMap<usize, Vec<String>>,
    generated_reads: Vec<Vec<usize>>,
    generated_paths: Vec<Vec<String>>,
    page_calls: HashMap<Call, Option<u64>>,
    plugin_functions: Vec<String>,
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
    plugins: PluginFactory,
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
    /// `resize_image`'s jobs, kept across passes (each output asks only
    /// when it is rendered), with the processed images published last and
    /// the copies they cover (see [`Images`]).
    images: Arc<crate::images::Processor>,
    published_images: Images,
}

/// The processed images a pass published over the copies.
#[derive(Default)]
struct Images {
    /// Output path → cache file.
    made: Vec<(String, Source)>,
    /// The copies (a file in `static/processed_images/`, as Zola sites
    /// may have) they are over, to put back when they go.
    covered: BTreeMap<String, Source>,
}

impl Images {
    /// Take the last pass's images off `copies` (putting back what they
    /// covered), put `made` over them, and return the paths that changed.
    fn place(
        &mut self,
        copies: &mut BTreeMap<String, Source>,
        made: Vec<(String, Source)>,
    ) -> Vec<String> {
        let mut before: HashMap<String, Source> = HashMap::new();
        for (p, src) in std::mem::take(&mut self.made) {
            copies.remove(&p);
            if let Some(c) = self.covered.remove(&p) {
                copies.insert(p.clone(), c);
            }
            before.insert(p, src);
        }
        let mut changed: Vec<String> = Vec::new();
        for (p, src) in &made {
            if before.remove(p).is_none_or(|b| !same_source(&b, src)) {
                changed.push(p.clone());
            }
            if let Some(c) = copies.insert(p.clone(), src.clone()) {
                self.covered.insert(p.clone(), c);
            }
        }
        changed.extend(before.into_keys());
        self.made = made;
        changed
    }

    /// The output paths of images this pass asks for that the last did not
    /// publish: a request for one waits until it is made.
    fn new_paths(&self, images: &crate::images::Processor) -> HashSet<String> {
        let published: HashSet<&str> = self.made.iter().map(|(p, _)| p.as_str()).collect();
        images
            .names()
            .into_iter()
            .map(|n| format!("{}/{n}", crate::images::PROCESSED))
            .filter(|p| !published.contains(p.as_str()))
            .collect()
    }
}

fn same_source(a: &Source, b: &Source) -> bool {
    match (a, b) {
        (Source::File(a), Source::File(b)) => a == b,
        (Source::Compiled(a), Source::Compiled(b)) => a == b,
        (Source::Bytes(a), Source::Bytes(b)) => a == b,
        _ => false,
    }
}

/// The `resize_image` calls (their arguments, as recorded) among `calls`.
fn note_image_calls(live: &mut HashSet<String>, calls: &[(Call, Option<u64>)]) {
    for (c, _) in calls {
        if c.name == "resize_image" {
            live.insert(c.args.clone());
        }
    }
}

/// A search index's files, by output path.
type SearchFiles = Vec<(String, Arc<[u8]>)>;

impl Session {
    pub fn new(opts: Options, plugins: PluginFactory) -> Session {
        let opts_root = opts.root.clone();
        Session {
            opts,
            plugins,
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
            images: Arc::new(crate::images::Processor::new(&opts_root)),
            published_images: Images::default(),
        }
    }

    /// Forget everything kept between passes (after a rebuild failed in a
    /// way that may have left it half-updated): the next pass is a first
    /// build.
    pub fn reset(&mut self) {
        let plugins = std::mem::replace(&mut self.plugins, Box::new(Vec::new));
        *self = Session::new(self.opts.clone(), plugins);
    }

    /// The site being served (after the first good build).
    pub fn site(&self) -> Option<&Served> {
        self.good.as_ref()
    }

    pub fn root(&self) -> &Path {
        &self.opts.root
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
        let is_index = |p: &str| {
            p.starts_with(crate::search::BUNDLE)
                && p[crate::search::BUNDLE.len()..].starts_with('/')
        };
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
                &said,
            );
            self.search = Some(
                files
                    .into_iter()
                    .map(|f| (f.path, Arc::<[u8]>::from(f.bytes)))
                    .collect(),
            );
            self.search_stale = false;
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

    fn try_rebuild(
        &mut self,
        changed: &[PathBuf],
        diags: &Diagnostics,
        mut early: Option<&mut dyn FnMut(Early<'_>)>,
    ) -> Outcome {
        if let Some(outcome) = self.try_kept_roads(changed, diags, early.as_deref_mut()) {
            return outcome;
        }
        self.release_kept();
        let mut outcome = Outcome::default();
        let mut t = Timer::new();
        let Some(config) = load_config(&self.opts, diags) else {
            return outcome;
        };
        let key = self.config_key();
        if self.config_key != Some(key) {
            // Everything may depend on the config: start again.
            self.load = LoadCache::default();
            self.markdown.clear();
            self.values = ValueCache::default();
            self.values_before = ValueCache::default();
            self.sass = None;
            self.config_key = Some(key);
            outcome.full = true;
        }
        for p in changed {
            self.load.forget(p);
        }
        if !changed.is_empty() {
            self.load.only_changed(changed);
        }
        let root = self.opts.root.clone();
        let sass_dirs = crate::sass::folders(&root, &config);
        let sass_changed = changed.is_empty()
            || changed
                .iter()
                .any(|p| sass_dirs.iter().any(|d| p.starts_with(d)));
        if sass_changed || self.sass.is_none() {
            let said = Diagnostics::new();
            let compiled = stages::sass(&root, &config, &said);
            self.sass = Some((Arc::new(compiled), said.snapshot()));
        }
        if let Some((_, said)) = &self.sass {
            diags.extend(said.iter().cloned());
        }
        t.lap("sass");
        let config = Arc::new(config);
        let keep = stages::Keep {
            loaded: Some(&mut self.load),
            sources: true,
        };
        let plugins = (self.plugins)();
        let front = stages::front(
            &root,
            &config,
            self.opts.drafts,
            plugins,
            keep,
            diags,
            &mut t,
        );
        let Some(stages::Front {
            mut site,
            plugins,
            engine,
            said_loading,
            said_plugins,
        }) = front
        else {
            return outcome;
        };
        let early_to = diags.len();
        let diags_fixed: Vec<Diagnostic> = [
            diags.between(0, said_loading.start),
            diags.between(said_loading.end, said_plugins.start),
            diags.between(said_plugins.end, early_to),
        ]
        .concat();
        let diags_load = diags.between(said_loading.start, said_loading.end);
        let diags_plugins = diags.between(said_plugins.start, said_plugins.end);
        outcome.markdown = self.markdown_stage(&mut site, &config, &engine, diags);
        t.lap("markdown");
        let (outcome, for_kept) = self.render_stage(
            &mut site, &config, &engine, &plugins, changed, diags, outcome, t, early,
        );
        if let (true, Some(for_kept)) = (outcome.ok, for_kept) {
            let items = site
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.file.path.clone(), Item::Page(i)))
                .chain(
                    site.sections
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (s.file.path.clone(), Item::Section(i))),
                )
                .collect();
            let bodies_read_pages = self.markdown.values().any(|e| {
                e.read
                    .calls
                    .iter()
                    .any(|(c, _)| READS_PAGES.contains(&c.name.as_str()))
            });
            let bodies_call_plugins = self.markdown.values().any(|e| {
                e.read
                    .calls
                    .iter()
                    .any(|(c, _)| for_kept.plugin_functions.contains(&c.name))
            });
            let page_outputs = site
                .pages
                .iter()
                .map(|p| render::out_path_for(&p.path))
                .collect();
            self.kept = Some(Kept {
                page_outputs,
                site,
                plugins,
                engine,
                config,
                functions: for_kept.functions,
                diags_fixed,
                diags_load,
                diags_plugins,
                plugin_functions: for_kept.plugin_functions,
                plugin_reads: for_kept.plugin_reads,
                generated_reads: for_kept.generated_reads,
                generated_paths: for_kept.generated_paths,
                page_calls: for_kept.page_calls,
                items,
                bodies_read_pages,
                bodies_call_plugins,
            });
            return outcome;
        }
        // The bodies go back to the cache (moved, not copied).
        for p in &mut site.pages {
            if let Some(e) = self.markdown.get_mut(&(false, p.file.relative.clone())) {
                e.rendered = std::mem::take(&mut p.rendered);
            }
        }
        for sec in &mut site.sections {
            if let Some(e) = self.markdown.get_mut(&(true, sec.file.relative.clone())) {
                e.rendered = std::mem::take(&mut sec.rendered);
            }
        }
        outcome
    }

    /// Everything after Markdown: values, fingerprints, rendering, and
    /// the new served site.
    #[allow(clippy::too_many_arguments)]
    fn render_stage(
        &mut self,
        site: &mut Site,
        config: &Arc<crate::config::Config>,
        engine: &Engine,
        plugins: &[Box<dyn Plugin>],
        changed: &[PathBuf],
        diags: &Diagnostics,
        mut outcome: Outcome,
        mut t: Timer,
        early: Option<&mut dyn FnMut(Early<'_>)>,
    ) -> (Outcome, Option<ForKept>) {
        let root = self.opts.root.clone();
        let sass = self.compiled_sass();
        render::check_anchors_and_backlinks(site, diags);

        t.lap("anchors");
        let data = SiteData::build(site, config.to_template_value(), Some(&mut self.values));
        let functions = stages::functions(site, config, &root, data, sass.clone(), &self.images);
        engine.set_functions(functions.clone());
        t.lap("values");
        let renderer = |mode, only, record| Renderer {
            sink: None,
            site,
            config,
            engine,
            data: functions.data.clone(),
            plugins,
            mode,
            only,
            record,
            memo: Default::default(),
            generated: render::Generated::AsWanted,
            generated_reads: Default::default(),
        };

        // Which outputs could have changed.
        let fp_diags = Diagnostics::new();
        let probe = renderer(Mode::Fingerprint, None, false);
        let fps = probe.render_all(&fp_diags);
        let generated_reads = std::mem::take(
            &mut *probe
                .generated_reads
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        drop(probe);
        t.lap("fingerprint");
        let empty = Served::default();
        let old = match (&self.good, outcome.full) {
            (Some(g), false) if !fp_diags.has_errors() => g,
            _ => &empty,
        };
        // Each distinct set of reads is checked once.
        let mut distinct: HashMap<*const Read, &Read> = HashMap::new();
        for o in old.files.values() {
            distinct.entry(Arc::as_ptr(&o.read)).or_insert(&o.read);
        }
        let answers = answers(engine, distinct.values().copied());
        let still: HashMap<*const Read, bool> = distinct
            .iter()
            .map(|(k, r)| (*k, answers.same(r)))
            .collect();
        let dirty: HashSet<String> = fps
            .iter()
            .filter(|f| match old.files.get(&f.path) {
                Some(o) => o.fp != f.fp || !still[&Arc::as_ptr(&o.read)],
                None => true,
            })
            .map(|f| f.path.clone())
            .collect();
        t.lap("dirty");
        // Feeds and the sitemap list every page: when one is out of date, it
        // is rendered after the pages, which are published first (requests
        // for a feed wait for it, so nothing stale is ever served).
        let (later, now): (HashSet<String>, HashSet<String>) = if early.is_some() {
            dirty.into_iter().partition(|p| deferred(p))
        } else {
            (HashSet::new(), dirty)
        };
        let mut copies: BTreeMap<String, Source> =
            stages::copies(&root, config, site, &sass, diags)
                .into_iter()
                .collect();
        let mut rendered = renderer(Mode::Render, Some(&now), true).render_all(diags);
        t.lap("render");
        if let Some(early) = early.filter(|_| !later.is_empty() && !diags.has_errors()) {
            let files: HashMap<String, Arc<[u8]>> = fps
                .iter()
                .filter_map(|f| {
                    old.files
                        .get(&f.path)
                        .map(|o| (f.path.clone(), o.bytes.clone()))
                })
                .collect();
            // The last pass's processed images are served meanwhile; a
            // request for a new one waits until it is made.
            let mut early_copies = copies.clone();
            early_copies.extend(self.published_images.made.iter().cloned());
            let mut pending = later.clone();
            pending.extend(self.published_images.new_paths(&self.images));
            early(Early::over(files, &rendered, &early_copies, &pending));
            rendered.extend(renderer(Mode::Render, Some(&later), true).render_all(diags));
            t.lap("render (feeds)");
        }
        outcome.rendered = rendered.len();
        let page_paths: HashSet<String> = site
            .pages
            .iter()
            .map(|p| render::out_path_for(&p.path))
            .collect();
        outcome.rendered_pages = rendered
            .iter()
            .filter(|f| page_paths.contains(&f.path))
            .count();
        outcome.outputs = fps.len();
        outcome.pages = site.pages.len();
        if diags.has_errors() {
            return (outcome, None);
        }
        // The images the outputs served ask for: those rendered now, those
        // kept, and the bodies' shortcodes.
        let mut live: HashSet<String> = HashSet::new();
        for f in &rendered {
            if let Some(r) = &f.record {
                note_image_calls(&mut live, &r.calls);
            }
        }
        let again: HashSet<&str> = rendered.iter().map(|f| f.path.as_str()).collect();
        let mut seen: HashSet<*const Read> = HashSet::new();
        for f in fps.iter().filter(|f| !again.contains(f.path.as_str())) {
            if let Some(o) = old.files.get(&f.path) {
                if seen.insert(Arc::as_ptr(&o.read)) {
                    note_image_calls(&mut live, &o.read.calls);
                }
            }
        }
        for e in self.markdown.values() {
            note_image_calls(&mut live, &e.read.calls);
        }
        let made = stages::images(&self.images, Some(&live), diags);
        t.lap("images");
        if diags.has_errors() {
            return (outcome, None);
        }
        // Over a fresh set of copies: nothing of the last pass's is in it.
        self.published_images.made.clear();
        self.published_images.covered.clear();
        self.published_images.place(&mut copies, made.copies);
        let mut plugin_reads: HashMap<usize, Vec<String>> = HashMap::new();
        let mut generated_paths: Vec<Vec<String>> = vec![Vec::new(); plugins.len()];
        for f in &fps {
            for p in &f.page_values_read {
                plugin_reads.entry(*p).or_default().push(f.path.clone());
            }
            if let Some(list) = f.plugin.and_then(|i| generated_paths.get_mut(i)) {
                list.push(f.path.clone());
            }
        }

        // Success: assemble the new site from what was rendered and what
        // was kept.
        let fp_of: HashMap<&str, u64> = fps.iter().map(|f| (f.path.as_str(), f.fp)).collect();
        let mut files: HashMap<String, Output> = HashMap::with_capacity(fps.len());
        let mut interned: HashSet<Arc<Read>> = HashSet::new();
        let mut changed_out: Vec<String> = Vec::new();
        for f in rendered {
            let same = old
                .files
                .get(&f.path)
                .is_some_and(|o| *o.bytes == f.bytes[..]);
            if !same {
                changed_out.push(f.path.clone());
            }
            let read = Read::new(f.record.map(|r| *r).unwrap_or_default(), engine);
            let read = match interned.get(&read) {
                Some(r) => r.clone(),
                None => {
                    let r = Arc::new(read);
                    interned.insert(r.clone());
                    r
                }
            };
            files.insert(
                f.path.clone(),
                Output {
                    bytes: Arc::from(f.bytes),
                    fp: fp_of.get(f.path.as_str()).copied().unwrap_or(0),
                    read,
                },
            );
        }
        let mut previous = self.good.take().unwrap_or_default();
        for f in &fps {
            if files.contains_key(&f.path) {
                // Rendered again: its old bytes were compared above.
                previous.files.remove(&f.path);
                continue;
            }
            if let Some(o) = previous.files.remove(&f.path) {
                files.insert(f.path.clone(), o);
            }
        }
        changed_out.extend(previous.files.into_keys());

        let touched: HashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
        for (path, src) in &copies {
            let differs = match (previous.copies.get(path), src) {
                (None, _) => true,
                (Some(Source::File(a)), Source::File(b)) => a != b || touched.contains(b.as_path()),
                (Some(Source::Bytes(a)), Source::Bytes(b)) => a != b,
                (Some(Source::Compiled(a)), Source::Compiled(b)) => a != b,
                _ => true,
            };
            if differs {
                changed_out.push(path.clone());
            }
        }
        changed_out.extend(
            previous
                .copies
                .keys()
                .filter(|k| !copies.contains_key(*k))
                .cloned(),
        );
        changed_out.sort();
        changed_out.dedup();
        t.lap("assemble");
        outcome.changed = changed_out;
        outcome.ok = true;
        self.good = Some(Served { files, copies });
        let plugin_functions = engine.plugin_function_names();
        let mut page_calls: HashMap<Call, Option<u64>> = HashMap::new();
        let mut seen: HashSet<*const Read> = HashSet::new();
        for o in self
            .good
            .as_ref()
            .map(|g| g.files.values())
            .into_iter()
            .flatten()
        {
            if seen.insert(Arc::as_ptr(&o.read)) {
                for (c, a) in &o.read.calls {
                    if tracked(&c.name, &plugin_functions) {
                        page_calls.insert(c.clone(), *a);
                    }
                }
            }
        }
        (
            outcome,
            Some(ForKept {
                functions,
                plugin_reads,
                generated_reads,
                generated_paths,
                page_calls,
                plugin_functions,
            }),
        )
    }

    /// Let go of the kept build: its Markdown results go back to the cache.
    fn release_kept(&mut self) {
        let Some(mut kept) = self.kept.take() else {
            return;
        };
        for p in &mut kept.site.pages {
            if let Some(e) = self.markdown.get_mut(&(false, p.file.relative.clone())) {
                e.rendered = std::mem::take(&mut p.rendered);
            }
        }
        for sec in &mut kept.site.sections {
            if let Some(e) = self.markdown.get_mut(&(true, sec.file.relative.clone())) {
                e.rendered = std::mem::take(&mut sec.rendered);
            }
        }
    }

    /// The bodies road or the front matter road (see [`Session`]) from
    /// the kept build, or `None` when the edit takes neither: the full
    /// road is taken then.
    fn try_kept_roads<'e>(
        &mut self,
        changed: &[PathBuf],
        diags: &Diagnostics,
        early: Option<&mut (dyn FnMut(Early<'_>) + 'e)>,
    ) -> Option<Outcome> {
        let mut t = Timer::new();
        let kept = self.kept.as_ref()?;
        if changed.is_empty()
            || self.good.is_none()
            || kept.bodies_read_pages
            || kept.plugins.iter().any(|p| p.site_loaded_reads_bodies())
            || self.config_key != Some(self.config_key())
        {
            return None;
        }
        let content = self.opts.root.join("content");
        let mut edits: Vec<(Item, Arc<str>)> = Vec::new();
        // Pages whose front matter changed: the page as loaded now, and
        // what loading it said.
        let mut fronts: Vec<(usize, Box<crate::site::Page>, Vec<Diagnostic>)> = Vec::new();
        for path in changed {
            let Some(&item) = kept.items.get(path) else {
                // An editor's leftover in `content/` is never content.
                let leftover = path.starts_with(&content)
                    && path
                        .file_name()
                        .is_some_and(|n| crate::load::is_ignored_name(&n.to_string_lossy()));
                if leftover {
                    continue;
                }
                return None;
            };
            if edits.iter().any(|(i, _)| *i == item) {
                continue;
            }
            let (source, rel, section) = match item {
                Item::Page(i) => {
                    let p = &kept.site.pages[i];
                    (&p.source, &p.file.relative, false)
                }
                Item::Section(i) => {
                    let s = &kept.site.sections[i];
                    (&s.source, &s.file.relative, true)
                }
            };
            // The new text, and where its body starts.
            let (text, body_offset) = match crate::load::reread_body(path, source) {
                Some(text) => (text, source.body_offset),
                None => {
                    let Item::Page(i) = item else {
                        return None;
                    };
                    let (page, said) =
                        crate::load::reload_page(&self.opts.root, &kept.config, path)?;
                    if !same_shape(&kept.site, i, &page) {
                        return None;
                    }
                    let found = (page.source.text.clone(), page.source.body_offset);
                    fronts.push((i, page, said));
                    found
                }
            };
            // Shortcodes read the site before Markdown: the full road.
            let shortcodes_before = self
                .markdown
                .get(&(section, rel.clone()))
                .is_none_or(|e| e.read.calls.iter().any(|(c, _)| !noted_by_markdown(c)));
            let body = text.get(body_offset..).unwrap_or_default();
            if shortcodes_before || render::may_have_shortcodes(body) {
                return None;
            }
            edits.push((item, text));
        }
        let front_edits = !fronts.is_empty();
        if front_edits && kept.bodies_call_plugins {
            return None;
        }
        t.lap("load (bodies)");
        // The load cache holds the old texts: whatever happens next, they
        // are read again when the site is next loaded.
        for p in changed {
            self.load.forget(p);
        }

        // Markdown, on the kept site with the new texts (and front matter).
        let kept = self.kept.as_mut()?;
        for (i, page, _) in &fronts {
            let p = &mut kept.site.pages[*i];
            p.meta = page.meta.clone();
            p.source = page.source.clone();
        }
        let mut old_texts = Vec::new();
        for (item, text) in &edits {
            let body = text
                .get(source_of(&kept.site, *item).body_offset..)
                .unwrap_or_default();
            let (words, minutes) = crate::content::reading_analytics(body);
            let (source, word_count, reading_time) = match *item {
                Item::Page(i) => {
                    let p = &mut kept.site.pages[i];
                    (&mut p.source, &mut p.word_count, &mut p.reading_time)
                }
                Item::Section(i) => {
                    let s = &mut kept.site.sections[i];
                    (&mut s.source, &mut s.word_count, &mut s.reading_time)
                }
            };
            old_texts.push(std::mem::replace(&mut source.text, text.clone()));
            *word_count = words;
            *reading_time = minutes;
        }
        let which = Selection {
            pages: (0..kept.site.pages.len())
                .map(|i| edits.iter().any(|(e, _)| *e == Item::Page(i)))
                .collect(),
            sections: (0..kept.site.sections.len())
                .map(|i| edits.iter().any(|(e, _)| *e == Item::Section(i)))
                .collect(),
        };
        let (pages, sections) = render::render_markdown_of(
            &kept.site,
            &kept.config,
            &kept.engine,
            None,
            &which,
            true,
            Some(&kept.functions.permalinks),
        );
        let results: Vec<(Item, render::MarkdownResult)> = pages
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (Item::Page(i), r)))
            .chain(
                sections
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, r)| r.map(|r| (Item::Section(i), r))),
            )
            .collect();
        // A link added or removed changes the target's backlinks: the full
        // road (which loads the texts again; the kept site is let go).
        let links_moved = results.iter().any(|(item, r)| {
            link_targets(&r.rendered) != link_targets(rendered_of(&kept.site, *item))
        });
        if links_moved {
            return None;
        }
        drop(old_texts);
        let count = results.len();
        for (item, r) in results {
            let key = md_key_now(&mut kept.site, &kept.config, item);
            let mut rendered = r.rendered;
            rendered.fp = rendered_fp(&rendered);
            let (section, rel, target) = match item {
                Item::Page(i) => {
                    let p = &mut kept.site.pages[i];
                    (false, p.file.relative.clone(), &mut p.rendered)
                }
                Item::Section(i) => {
                    let s = &mut kept.site.sections[i];
                    (true, s.file.relative.clone(), &mut s.rendered)
                }
            };
            *target = rendered;
            self.markdown.insert(
                (section, rel),
                MdEntry {
                    key,
                    rendered: Default::default(),
                    diagnostics: r.diagnostics,
                    read: Read::new(r.record.unwrap_or_default(), &kept.engine),
                },
            );
        }
        t.lap("markdown");

        // A new title is also in the page's translations and in the
        // backlinks of the pages it links to.
        let mut also: Vec<Item> = Vec::new();
        for (i, _, _) in &fronts {
            let page = &kept.site.pages[*i];
            let (rel, permalink, title) = (
                page.file.relative.clone(),
                page.permalink.clone(),
                page.meta.title.clone(),
            );
            let targets: Vec<Item> = page
                .rendered
                .internal_links
                .iter()
                .filter_map(|l| kept.site.item(&l.target))
                .collect();
            for (q, other) in kept.site.pages.iter_mut().enumerate() {
                for t in other.translations.iter_mut().filter(|t| t.path == rel) {
                    if t.title != title {
                        t.title = title.clone();
                        also.push(Item::Page(q));
                    }
                }
            }
            for (q, other) in kept.site.sections.iter_mut().enumerate() {
                for t in other.translations.iter_mut().filter(|t| t.path == rel) {
                    if t.title != title {
                        t.title = title.clone();
                        also.push(Item::Section(q));
                    }
                }
            }
            for target in targets {
                let list = match target {
                    Item::Page(q) => &mut kept.site.pages[q].backlinks,
                    Item::Section(q) => &mut kept.site.sections[q].backlinks,
                };
                if let Some(b) = list
                    .iter_mut()
                    .find(|(p, t)| *p == permalink && *t != title)
                {
                    b.1 = title.clone();
                    list.sort();
                    also.push(target);
                }
            }
        }
        also.retain(|a| !edits.iter().any(|(e, _)| e == a));
        also.sort_by_key(|a| match a {
            Item::Page(i) => (0, *i),
            Item::Section(i) => (1, *i),
        });
        also.dedup();

        // The plugins read the site again and say what changed for them.
        let mut changes: Vec<crate::plugin::Changed> = Vec::new();
        if front_edits {
            let said = Diagnostics::new();
            let edited: Vec<Item> = edits.iter().map(|(i, _)| *i).collect();
            for p in &mut kept.plugins {
                changes.push(p.site_changed(&kept.site, &kept.config, &edited, &said)?);
            }
            if !kept.engine.set_plugin_functions(&kept.plugins) {
                return None;
            }
            kept.diags_plugins = said.snapshot();
            for (i, _, said) in &fronts {
                let path = &kept.site.pages[*i].file.path;
                kept.diags_load.retain(|d| !is_about(d, path));
                kept.diags_load.extend(said.iter().cloned());
            }
            t.lap("plugins");
        }
        diags.extend(kept.diags_fixed.iter().cloned());
        diags.extend(kept.diags_load.iter().cloned());
        diags.extend(kept.diags_plugins.iter().cloned());
        for e in self.markdown.values() {
            diags.extend(e.diagnostics.iter().cloned());
        }
        render::check_anchors(&kept.site, diags);
        t.lap("anchors");
        let mut outcome = Outcome {
            road: if front_edits {
                Road::FrontMatter
            } else {
                Road::Bodies
            },
            markdown: count,
            pages: kept.site.pages.len(),
            ..Outcome::default()
        };
        if diags.has_errors() {
            // What this edit would change is not served: the next rebuild
            // takes the full road, which finds it all again.
            self.release_kept();
            return Some(outcome);
        }

        // The changed values, in a copy of the site's data.
        let kept = self.kept.as_mut()?;
        let mut data = (*kept.functions.data).clone();
        let refreshed: Vec<Item> = edits
            .iter()
            .map(|(i, _)| *i)
            .chain(also.iter().copied())
            .collect();
        for item in &refreshed {
            match *item {
                Item::Page(i) => {
                    let (v, fp) = self.values.refresh_page(&kept.site, i);
                    data.set_page(i, v, fp);
                }
                Item::Section(i) => {
                    let (v, fp) = self.values.refresh_section(&kept.site, i);
                    data.set_section(i, &v, fp);
                }
            }
        }
        let functions = Arc::new(Functions {
            data: Arc::new(data),
            ..(*kept.functions).clone()
        });
        kept.engine.set_functions(functions.clone());
        kept.functions = functions;
        t.lap("values");

        // The outputs that can show what changed.
        let kept = &*kept;
        let probe = kept.renderer(Mode::Fingerprint, None, false, Generated::AsWanted);
        let mut candidates: HashSet<String> = HashSet::new();
        let mut edited_pages: Vec<usize> = Vec::new();
        for item in &refreshed {
            match *item {
                Item::Page(i) => {
                    candidates.extend(probe.outputs_showing_page(i));
                    if let Some(outs) = kept.plugin_reads.get(&i) {
                        candidates.extend(outs.iter().cloned());
                    }
                    edited_pages.push(i);
                }
                Item::Section(i) => candidates.extend(probe.outputs_of_section(i)),
            }
        }
        // What the plugins said changed for them.
        for c in &changes {
            for item in &c.items {
                match *item {
                    Item::Page(i) => {
                        let p = &kept.site.pages[i];
                        if p.meta.render {
                            candidates.insert(render::out_path_for(&p.path));
                        }
                    }
                    Item::Section(i) => candidates.extend(probe.outputs_of_section(i)),
                }
            }
        }
        // Plugins' generated pages that read an edited page's value, or
        // that the plugin says may have changed.
        for (n, (read, paths)) in kept
            .generated_reads
            .iter()
            .zip(&kept.generated_paths)
            .enumerate()
        {
            let said = changes.get(n).is_some_and(|c| c.generated);
            if said || edited_pages.iter().any(|p| read.binary_search(p).is_ok()) {
                candidates.extend(paths.iter().cloned());
            }
        }
        // Outputs whose templates call a function that reads pages, when
        // its answer changed (only these calls can answer differently
        // after an edit to a body: the others read front matter, plugins'
        // data, templates or files, none of which changed).
        // (Plugins' functions answer differently only after front matter
        // changed.)
        let stale_calls: Vec<&Call> = kept
            .page_calls
            .par_iter()
            .filter(|(c, _)| front_edits || READS_PAGES.contains(&c.name.as_str()))
            .filter(|(c, a)| kept.engine.answer(c) != **a)
            .map(|(c, _)| c)
            .collect();
        let old = self.good.as_ref()?;
        let called: HashSet<String> = if stale_calls.is_empty() {
            HashSet::new()
        } else {
            old.files
                .iter()
                .filter(|(_, o)| o.read.calls.iter().any(|(c, _)| stale_calls.contains(&c)))
                .map(|(p, _)| p.clone())
                .collect()
        };
        // Feeds and the sitemap (which list every page) after the pages,
        // which are published first; requests for them wait meanwhile.
        let split = |set: HashSet<String>| -> (HashSet<String>, HashSet<String>) {
            if early.is_some() {
                set.into_iter().partition(|p| deferred(p))
            } else {
                (HashSet::new(), set)
            }
        };
        let (later_candidates, now_candidates) = split(candidates);
        let (later_called, now_called) = split(called);
        // The plugins owning some of `paths` among their generated pages.
        let owners = |paths: &HashSet<String>| -> Vec<usize> {
            kept.generated_paths
                .iter()
                .enumerate()
                .filter(|(_, ps)| ps.iter().any(|p| paths.contains(p)))
                .map(|(i, _)| i)
                .collect()
        };
        // Fingerprint `candidates`; those whose fingerprint changed, with
        // `called`, are dirty.
        let dirty_of = |candidates: &HashSet<String>, called: HashSet<String>| {
            let fp_diags = Diagnostics::new();
            let fps = kept
                .renderer(
                    Mode::Fingerprint,
                    Some(candidates),
                    false,
                    Generated::Of(owners(candidates)),
                )
                .render_all(&fp_diags);
            let mut dirty = called;
            dirty.extend(
                fps.iter()
                    .filter(|f| old.files.get(&f.path).is_none_or(|o| o.fp != f.fp))
                    .map(|f| f.path.clone()),
            );
            (!fp_diags.has_errors()).then_some((fps, dirty))
        };
        let render_set = |set: &HashSet<String>| {
            kept.renderer(Mode::Render, Some(set), true, Generated::Of(owners(set)))
                .render_all(diags)
        };

        let (mut fps, now) = dirty_of(&now_candidates, now_called)?;
        t.lap("fingerprint");
        let mut rendered = render_set(&now);
        t.lap("render");
        if let Some(early) = early.filter(|_| {
            let nothing_later = later_candidates.is_empty() && later_called.is_empty();
            !nothing_later && !diags.has_errors()
        }) {
            let files: HashMap<String, Arc<[u8]>> = old
                .files
                .iter()
                .map(|(p, o)| (p.clone(), o.bytes.clone()))
                .collect();
            let mut pending: HashSet<String> =
                later_candidates.union(&later_called).cloned().collect();
            pending.extend(self.published_images.new_paths(&self.images));
            early(Early::over(files, &rendered, &old.copies, &pending));
            t.lap("published (pages)");
            let (later_fps, later) = dirty_of(&later_candidates, later_called)?;
            fps.extend(later_fps);
            rendered.extend(render_set(&later));
            t.lap("render (feeds)");
        }
        outcome.rendered = rendered.len();
        outcome.rendered_pages = rendered
            .iter()
            .filter(|f| kept.page_outputs.contains(&f.path))
            .count();
        if diags.has_errors() {
            self.release_kept();
            return Some(outcome);
        }
        // The images the outputs served ask for now: those rendered again,
        // the others, and the bodies' shortcodes.
        let mut live: HashSet<String> = HashSet::new();
        for f in &rendered {
            if let Some(r) = &f.record {
                note_image_calls(&mut live, &r.calls);
            }
        }
        let again: HashSet<&str> = rendered.iter().map(|f| f.path.as_str()).collect();
        let mut seen: HashSet<*const Read> = HashSet::new();
        for (p, o) in &old.files {
            if !again.contains(p.as_str()) && seen.insert(Arc::as_ptr(&o.read)) {
                note_image_calls(&mut live, &o.read.calls);
            }
        }
        for e in self.markdown.values() {
            note_image_calls(&mut live, &e.read.calls);
        }
        drop(again);
        let made = stages::images(&self.images, Some(&live), diags);
        t.lap("images");
        if diags.has_errors() {
            self.release_kept();
            return Some(outcome);
        }
        let fp_of: HashMap<&str, u64> = fps.iter().map(|f| (f.path.as_str(), f.fp)).collect();
        let plugin_functions = kept.plugin_functions.clone();
        let good = self.good.as_mut()?;
        let mut changed_out = Vec::new();
        let mut calls_now = Vec::new();
        for f in rendered {
            let same = good
                .files
                .get(&f.path)
                .is_some_and(|o| *o.bytes == f.bytes[..]);
            if !same {
                changed_out.push(f.path.clone());
            }
            let read = Arc::new(Read::new(
                f.record.map(|r| *r).unwrap_or_default(),
                &kept.engine,
            ));
            // What it called now is what every output calling the same
            // answered (the others were rendered again if it changed).
            for (c, a) in &read.calls {
                if tracked(&c.name, &plugin_functions) {
                    calls_now.push((c.clone(), *a));
                }
            }
            let fp = match fp_of.get(f.path.as_str()) {
                Some(fp) => *fp,
                None => good.files.get(&f.path).map(|o| o.fp).unwrap_or(0),
            };
            good.files.insert(
                f.path,
                Output {
                    bytes: Arc::from(f.bytes),
                    fp,
                    read,
                },
            );
        }
        changed_out.extend(self.published_images.place(&mut good.copies, made.copies));
        changed_out.sort();
        changed_out.dedup();
        outcome.outputs = good.files.len();
        if let Some(kept) = self.kept.as_mut() {
            kept.page_calls.extend(calls_now);
        }
        t.lap("assemble");
        outcome.changed = changed_out;
        outcome.ok = true;
        Some(outcome)
    }

    /// Run Markdown on the bodies whose result may have changed; reuse the
    /// rest. Returns how many were rendered.
    fn markdown_stage(
        &mut self,
        site: &mut Site,
        config: &Arc<crate::config::Config>,
        engine: &Engine,
        diags: &Diagnostics,
    ) -> usize {
        let sass = self.compiled_sass();
        let page_keys: Vec<u64> = (0..site.pages.len())
            .into_par_iter()
            .map(|i| page_md_key(site, config, i))
            .collect();
        let section_keys: Vec<u64> = (0..site.sections.len())
            .map(|i| section_md_key(site, config, i))
            .collect();
        let md = &self.markdown;
        let entry_of = |section: bool, rel: &str, key: u64| {
            md.get(&(section, rel.to_string())).filter(|e| e.key == key)
        };
        let cached_pages: Vec<Option<&MdEntry>> = site
            .pages
            .iter()
            .zip(&page_keys)
            .map(|(p, k)| entry_of(false, &p.file.relative, *k))
            .collect();
        let cached_sections: Vec<Option<&MdEntry>> = site
            .sections
            .iter()
            .zip(&section_keys)
            .map(|(s, k)| entry_of(true, &s.file.relative, *k))
            .collect();

        // Shortcodes read the site as it is before Markdown.
        let reads_functions = |e: &Option<&MdEntry>| {
            e.is_some_and(|e| e.read.calls.iter().any(|(c, _)| !noted_by_markdown(c)))
        };
        // (And anchor-link templates, as `build` counts them: with anchor
        // links on, any body rendered afresh renders a template.)
        let anchors = render::markdown_renders_anchor_links(site, config);
        let misses_shortcodes =
            site.pages.iter().zip(&cached_pages).any(|(p, c)| {
                c.is_none() && (anchors || render::may_have_shortcodes(p.source.body()))
            }) || site.sections.iter().zip(&cached_sections).any(|(s, c)| {
                c.is_none() && (anchors || render::may_have_shortcodes(s.source.body()))
            });
        let need_before = misses_shortcodes
            || cached_pages.iter().any(reads_functions)
            || cached_sections.iter().any(reads_functions);
        let before = need_before.then(|| {
            stages::functions_before_markdown(
                site,
                config,
                &self.opts.root,
                sass.clone(),
                &self.images,
                Some(&mut self.values_before),
            )
        });
        if let Some(f) = &before {
            engine.set_functions(f.clone());
        }
        let links = Links::new(site, config);
        let answers = answers_with(
            engine,
            cached_pages
                .iter()
                .chain(&cached_sections)
                .flatten()
                .map(|e| &e.read),
            &links,
        );
        let valid = |e: &Option<&MdEntry>| e.is_some_and(|e| answers.same(&e.read));
        let which = Selection {
            pages: cached_pages.iter().map(|e| !valid(e)).collect(),
            sections: cached_sections.iter().map(|e| !valid(e)).collect(),
        };
        drop(cached_pages);
        drop(cached_sections);
        let (pages, sections) = render::render_markdown_of(
            site,
            config,
            engine,
            before.as_ref().map(|f| &*f.data),
            &which,
            true,
            Some(&links.permalinks),
        );
        let count = pages
            .iter()
            .chain(&sections)
            .filter(|r| r.is_some())
            .count();
        let mut next: HashMap<(bool, String), MdEntry> =
            HashMap::with_capacity(self.markdown.len());
        let mut place = |section: bool,
                         rel: &str,
                         key: u64,
                         fresh: Option<render::MarkdownResult>,
                         target: &mut crate::content::Rendered| {
            let id = (section, rel.to_string());
            let mut entry = match fresh {
                Some(r) => {
                    let mut rendered = r.rendered;
                    rendered.fp = rendered_fp(&rendered);
                    MdEntry {
                        key,
                        rendered,
                        diagnostics: r.diagnostics,
                        read: Read::new(r.record.unwrap_or_default(), engine),
                    }
                }
                None => match self.markdown.remove(&id) {
                    Some(e) => e,
                    None => return,
                },
            };
            // Moved back into the cache after rendering.
            *target = std::mem::take(&mut entry.rendered);
            diags.extend(entry.diagnostics.iter().cloned());
            next.insert(id, entry);
        };
        for (i, r) in pages.into_iter().enumerate() {
            let rel = site.pages[i].file.relative.clone();
            place(false, &rel, page_keys[i], r, &mut site.pages[i].rendered);
        }
        for (i, r) in sections.into_iter().enumerate() {
            let rel = site.sections[i].file.relative.clone();
            place(
                true,
                &rel,
                section_keys[i],
                r,
                &mut site.sections[i].rendered,
            );
        }
        self.markdown = next;
        count
    }
}

/// Whether page `i` loaded again after an edit to its front matter
/// (`new`) leaves the site's shape as it was: the same address, language,
/// dates, weight, draft and render settings, aliases, template, taxonomies
/// and search setting, and the same title where a section it is in sorts
/// by title. Only then can the related site be patched rather than made
/// again.
fn same_shape(site: &Site, i: usize, new: &crate::site::Page) -> bool {
    use crate::load::meta::SortBy;
    let old = &site.pages[i];
    let (a, b) = (&old.meta, &new.meta);
    let sorted_by_title = a.title != b.title
        && site.sections.iter().any(|s| {
            matches!(s.meta.sort_by, SortBy::Title | SortBy::TitleBytes)
                && (s.pages.contains(&i) || s.ignored_pages.contains(&i))
        });
    old.file.relative == new.file.relative
        && old.lang == new.lang
        && old.slug == new.slug
        && old.path == new.path
        && old.permalink == new.permalink
        && old.components == new.components
        && a.date == b.date
        && a.updated == b.updated
        && a.weight == b.weight
        && a.draft == b.draft
        && a.render == b.render
        && a.slug == b.slug
        && a.path == b.path
        && a.aliases == b.aliases
        && a.in_search_index == b.in_search_index
        && a.template == b.template
        && a.taxonomies == b.taxonomies
        && !sorted_by_title
}

/// The key of a page's Markdown result: its inputs as a freshly loaded and
/// related site has them (no backlinks, nothing rendered yet).
fn page_md_key(site: &Site, config: &crate::config::Config, i: usize) -> u64 {
    let anchor = render::page_insert_anchor(site, config, i) as u64;
    deps::Fp::new()
        .u64(page_input(site, &site.pages[i]))
        .u64(anchor)
        .finish()
}

fn section_md_key(site: &Site, config: &crate::config::Config, i: usize) -> u64 {
    let s = &site.sections[i];
    let anchor = s
        .meta
        .insert_anchor_links
        .unwrap_or(config.markdown.insert_anchor_links) as u64;
    deps::Fp::new()
        .u64(section_input(site, s))
        .u64(anchor)
        .finish()
}

/// [`page_md_key`] or [`section_md_key`] of an item in a site that has
/// been through Markdown: with its backlinks and rendered fingerprint set
/// aside while the key is worked out.
fn md_key_now(site: &mut Site, config: &crate::config::Config, item: Item) -> u64 {
    let (backlinks, fp) = match item {
        Item::Page(i) => {
            let p = &mut site.pages[i];
            (
                std::mem::take(&mut p.backlinks),
                std::mem::take(&mut p.rendered.fp),
            )
        }
        Item::Section(i) => {
            let s = &mut site.sections[i];
            (
                std::mem::take(&mut s.backlinks),
                std::mem::take(&mut s.rendered.fp),
            )
        }
    };
    let key = match item {
        Item::Page(i) => page_md_key(site, config, i),
        Item::Section(i) => section_md_key(site, config, i),
    };
    match item {
        Item::Page(i) => {
            site.pages[i].backlinks = backlinks;
            site.pages[i].rendered.fp = fp;
        }
        Item::Section(i) => {
            site.sections[i].backlinks = backlinks;
            site.sections[i].rendered.fp = fp;
        }
    }
    key
}

/// Whether a diagnostic is about the file at `path`.
fn is_about(d: &Diagnostic, path: &Path) -> bool {
    d.file.as_deref() == Some(path) || d.location.as_ref().is_some_and(|l| l.file == path)
}

fn source_of(site: &Site, item: Item) -> &crate::content::Source {
    match item {
        Item::Page(i) => &site.pages[i].source,
        Item::Section(i) => &site.sections[i].source,
    }
}

fn rendered_of(site: &Site, item: Item) -> &crate::content::Rendered {
    match item {
        Item::Page(i) => &site.pages[i].rendered,
        Item::Section(i) => &site.sections[i].rendered,
    }
}

/// The `@/` targets a body links to, each once.
fn link_targets(r: &crate::content::Rendered) -> Vec<&str> {
    let mut t: Vec<&str> = r.internal_links.iter().map(|l| l.target.as_str()).collect();
    t.sort_unstable();
    t.dedup();
    t
}

fn rendered_fp(r: &crate::content::Rendered) -> u64 {
    let mut fp = deps::Fp::new();
    fp.str(&r.content)
        .str(r.summary.as_deref().unwrap_or("\u{0}"))
        .value(&serde_json::to_value(&r.toc).unwrap_or_default());
    fp.finish()
}

/// How `@/` links resolve in this build, and what Markdown images measure.
struct Links {
    permalinks: HashMap<String, String>,
    drafts: HashSet<String>,
    images: Option<render::ImageFiles>,
}

impl Links {
    fn new(site: &Site, config: &crate::config::Config) -> Links {
        Links {
            permalinks: site.permalinks(),
            drafts: site.drafts.iter().cloned().collect(),
            images: render::ImageFiles::new(site, config),
        }
    }

    fn answer(&self, target: &str) -> Option<u64> {
        render::link_answer(self.permalinks.get(target), self.drafts.contains(target))
    }

    fn image_answer(&self, out: &str) -> Option<u64> {
        render::image_answer(self.images.as_ref().and_then(|i| i.size(out)))
    }
}

/// A call the Markdown stage notes itself (`@link`, `@image`), not a
/// template function a shortcode called.
fn noted_by_markdown(c: &Call) -> bool {
    c.name.starts_with('@')
}

/// The current answers to every template and call a set of records read,
/// each worked out once.
struct Answers<'a> {
    templates: HashMap<&'a str, u64>,
    calls: HashMap<&'a Call, Option<u64>>,
}

impl Answers<'_> {
    fn same(&self, read: &Read) -> bool {
        read.templates
            .iter()
            .all(|(t, fp)| self.templates.get(t.as_str()) == Some(fp))
            && read
                .calls
                .iter()
                .all(|(c, a)| self.calls.get(c).is_some_and(|now| now == a))
    }
}

fn answers<'a>(engine: &Engine, reads: impl Iterator<Item = &'a Read>) -> Answers<'a> {
    answers_with(
        engine,
        reads,
        &Links {
            permalinks: HashMap::new(),
            drafts: HashSet::new(),
            images: None,
        },
    )
}

fn answers_with<'a>(
    engine: &Engine,
    reads: impl Iterator<Item = &'a Read>,
    links: &Links,
) -> Answers<'a> {
    let mut templates: HashSet<&'a str> = HashSet::new();
    let mut calls: HashSet<&'a Call> = HashSet::new();
    for r in reads {
        templates.extend(r.templates.iter().map(|(t, _)| t.as_str()));
        calls.extend(r.calls.iter().map(|(c, _)| c));
    }
    let calls: Vec<&Call> = calls.into_iter().collect();
    Answers {
        templates: templates
            .into_iter()
            .map(|t| (t, engine.template_fp(t)))
            .collect(),
        calls: calls
            .par_iter()
            .map(|c| {
                let a = if c.name == "@link" {
                    links.answer(&c.args)
                } else if c.name == "@image" {
                    links.image_answer(&c.args)
                } else {
                    engine.answer(c)
                };
                (*c, a)
            })
            .collect(),
    }
}
