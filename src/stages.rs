//! The stages of the pipeline, each written once: `build` (`build.rs`)
//! and `serve` run them through one session (`session/full.rs`, the full
//! road; `session/once.rs` for a pass that keeps nothing), each
//! stage in this order:
//!
//! sass → highlighting → load → relate → plugins → engine → functions
//! before Markdown → Markdown → functions → copies → render → images →
//! search index → accessibility statement.
//!
//! What a driver keeps between passes (a load cache, a values cache, the
//! compiled Sass) is passed in; a stage itself keeps nothing.

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{LoadCache, Loaded};
use crate::output::Source;
use crate::plugin::Plugin;
use crate::render::context::ValueCache;
use crate::render::{self, functions::Functions, Engine, SiteData};
use crate::site::Site;

/// Compile the site's (and its theme's) Sass.
pub(crate) fn sass(root: &Path, config: &Config, diags: &Diagnostics) -> crate::sass::Compiled {
    crate::sass::compile(root, config, diags)
}

/// Load the highlighter once, reporting a bad `[markdown.highlighting]`.
pub(crate) fn highlighting(root: &Path, config: &Config, diags: &Diagnostics) {
    if let Err(d) = crate::markdown::highlight::for_config(root, config) {
        diags.push(d);
    }
}

/// Read `content/`, reusing what `cache` holds of unchanged files.
pub(crate) fn load(
    root: &Path,
    config: &Config,
    drafts: bool,
    diags: &Diagnostics,
    cache: Option<&mut LoadCache>,
) -> Loaded {
    crate::load::load_content_cached(root, config, drafts, diags, cache)
}

/// Relate what was loaded into a site (sections, taxonomies, order), with
/// the warnings about pages it ignored.
pub(crate) fn relate(loaded: Loaded, config: &Config, diags: &Diagnostics) -> Site {
    let site = Site::new(loaded, config, diags);
    diags.extend(site.ignored_page_warnings());
    site
}

/// Tell each plugin the site is loaded (and, for a one-pass build, that
/// it will be built once: `Plugin::built_once`, before `site_loaded`).
pub(crate) fn plugins(
    plugins: &mut [Box<dyn Plugin>],
    site: &Site,
    config: &Config,
    built_once: bool,
    diags: &Diagnostics,
    timer: &mut Timer,
) {
    for plugin in plugins {
        if built_once {
            plugin.built_once();
        }
        plugin.site_loaded(site, config, diags);
        timer.lap(plugin.name());
    }
}

/// Compile the templates (the theme's, the site's, the plugins').
pub(crate) fn engine(
    root: &Path,
    config: &Arc<Config>,
    plugins: &[Box<dyn Plugin>],
    diags: &Diagnostics,
) -> Option<Engine> {
    match Engine::load(root, config.clone(), plugins) {
        Ok(e) => Some(e),
        Err(ds) => {
            diags.extend(ds);
            None
        }
    }
}

/// What a driver keeps between passes and stages: a setting of the one
/// pipeline, not a second road through it.
pub(crate) struct Keep<'a> {
    /// The files loaded, reused in the next pass while their size and
    /// time of change stay (`serve`'s session; `None`: read them all).
    pub(crate) loaded: Option<&'a mut LoadCache>,
    /// Whether each item's front matter table and body outlive the stages
    /// that read them (`check` and tests read them; a build writing to
    /// disk drops them to save memory, and tells the plugins it runs once:
    /// `Plugin::built_once`).
    pub(crate) sources: bool,
}

/// The front of the pipeline, ready for Markdown: the site related and
/// read by the plugins, and the templates compiled.
pub(crate) struct Front {
    pub(crate) site: Site,
    pub(crate) plugins: Vec<Box<dyn Plugin>>,
    pub(crate) engine: Engine,
    /// Which of the diagnostics (by index) loading said, and which the
    /// plugins said (`serve` replaces them after an edit).
    pub(crate) said_loading: Range<usize>,
    pub(crate) said_plugins: Range<usize>,
}

/// Highlighting, load, relate, plugins and engine, as `keep` says. `None`
/// when the templates do not compile (the errors are in `diags`).
pub(crate) fn front(
    root: &Path,
    config: &Arc<Config>,
    drafts: bool,
    mut plugins: Vec<Box<dyn Plugin>>,
    keep: Keep<'_>,
    diags: &Diagnostics,
    timer: &mut Timer,
) -> Option<Front> {
    highlighting(root, config, diags);
    let load_from = diags.len();
    let loaded = load(root, config, drafts, diags, keep.loaded);
    let said_loading = load_from..diags.len();
    timer.lap("load");
    let mut site = relate(loaded, config, diags);
    timer.lap("relate");
    let plugins_from = diags.len();
    self::plugins(&mut plugins, &site, config, !keep.sources, diags, timer);
    let said_plugins = plugins_from..diags.len();
    if !keep.sources {
        // The front matter tables were read into each page's metadata and
        // by the plugins, and their spans only locate what loading,
        // relating and the plugins say; nothing after this reads them.
        for p in &mut site.pages {
            p.source.front = toml::Table::new();
            p.source.spans = Default::default();
        }
        for s in &mut site.sections {
            s.source.front = toml::Table::new();
            s.source.spans = Default::default();
        }
    }
    let engine = engine(root, config, &plugins, diags)?;
    timer.lap("templates");
    Some(Front {
        site,
        plugins,
        engine,
        said_loading,
        said_plugins,
    })
}

/// The template functions shortcodes (and anchor-link templates) call
/// before content exists: over the site's values before Markdown, made
/// again or reused from `cache`.
pub(crate) fn functions_before_markdown(
    site: &Site,
    config: &Arc<Config>,
    root: &Path,
    sass: Arc<crate::sass::Compiled>,
    images: &Arc<crate::images::Processor>,
    cache: Option<&mut ValueCache>,
) -> Arc<Functions> {
    let data = SiteData::build(site, config.to_template_value(), cache);
    functions(site, config, root, data, sass, images)
}

/// The output paths of the pages the search index reads.
pub(crate) fn search_indexed(site: &Site, config: &Config) -> HashSet<String> {
    if config.build_search_index {
        crate::search::indexed(site, config)
            .into_iter()
            .map(|(_, out)| out)
            .collect()
    } else {
        HashSet::new()
    }
}

/// The template functions over a serialised site.
pub(crate) fn functions(
    site: &Site,
    config: &Arc<Config>,
    root: &Path,
    data: SiteData,
    sass: Arc<crate::sass::Compiled>,
    images: &Arc<crate::images::Processor>,
) -> Arc<Functions> {
    let fixed_now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .map(|_| render::build_time());
    let mut data = data;
    data.lang_configs = config
        .languages
        .keys()
        .map(|l| (l.clone(), config.to_template_value_for(l)))
        .collect();
    Arc::new(Functions {
        data: Arc::new(data),
        config: config.clone(),
        root: root.to_path_buf(),
        permalinks: Arc::new(site.permalinks()),
        page_index: Arc::new(
            site.pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.file.relative.clone(), i))
                .collect(),
        ),
        section_index: Arc::new(
            site.sections
                .iter()
                .enumerate()
                .map(|(i, s)| (s.file.relative.clone(), i))
                .collect(),
        ),
        theme_static: config
            .theme
            .as_ref()
            .map(|t| root.join("themes").join(t).join("static")),
        sass,
        assets: Arc::new(site.asset_outputs(root).into_iter().collect()),
        fixed_now,
        images: images.clone(),
        search_index: Default::default(),
    })
}

/// Whether the site searches with Pagefind: one of its templates mentions
/// it (the default theme's search page does).
pub(crate) fn searches_with_pagefind(engine: &Engine) -> bool {
    engine.mentions("pagefind")
}

/// Zola's search index of a site whose Markdown is rendered, when the
/// config asks for one (see [`crate::search::zola_index`]).
pub(crate) fn zola_search_index(
    site: &Site,
    config: &Config,
    engine: &Engine,
    diags: &Diagnostics,
) -> Vec<crate::render::OutFile> {
    if config.build_search_index {
        crate::search::zola_index(site, config, searches_with_pagefind(engine), diags)
    } else {
        Vec::new()
    }
}

/// Make the images `resize_image` calls asked for (with `live`, those the
/// outputs served still ask for), each into the cache once, in parallel.
/// Returns the files to copy into the output and the cache files used.
pub(crate) fn images(
    images: &crate::images::Processor,
    live: Option<&HashSet<String>>,
    diags: &Diagnostics,
) -> crate::images::Finished {
    let mut finished = images.finish(live);
    diags.extend(std::mem::take(&mut finished.diagnostics));
    finished
}

/// Where the time goes: with `THROUGHLINE_TIMINGS=1`, each stage's wall
/// time is printed to stderr (for profiling; see BENCHMARKS.md).
pub(crate) struct Timer {
    on: bool,
    last: std::time::Instant,
}

impl Timer {
    pub(crate) fn new() -> Timer {
        Timer {
            on: std::env::var_os("THROUGHLINE_TIMINGS").is_some(),
            last: std::time::Instant::now(),
        }
    }

    pub(crate) fn lap(&mut self, stage: &str) {
        if self.on {
            crate::say!(
                "{:>8.1} ms  {:>6} MB now {:>6} MB peak  {stage}",
                self.last.elapsed().as_secs_f64() * 1000.0,
                memory("VmRSS:").unwrap_or(0) / 1024,
                memory("VmHWM:").unwrap_or(0) / 1024,
            );
        }
        self.last = std::time::Instant::now();
    }
}

/// A line of `/proc/self/status` in KiB (Linux; `None` elsewhere).
fn memory(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn walk_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    for e in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, e.path().to_path_buf()));
        }
    }
    out
}

/// The files copied as they are: the theme's (or the default theme's)
/// static files, compiled Sass, the highlighter's stylesheets, the site's
/// `static/` and page and section assets, later ones winning.
pub(crate) fn copies(
    root: &Path,
    config: &Config,
    site: &Site,
    sass: &crate::sass::Compiled,
    diags: &Diagnostics,
) -> Vec<(String, Source)> {
    let mut copies: Vec<(String, Source)> = Vec::new();
    match &config.theme {
        None if render::theme::site_brings_its_own(root) => {}
        None => {
            for (rel, bytes) in render::theme::default_static() {
                copies.push((rel, Source::Bytes(bytes)));
            }
        }
        Some(t) => {
            for (rel, p) in walk_files(&root.join("themes").join(t).join("static")) {
                copies.push((rel, Source::File(p)));
            }
        }
    }
    let ignore = if config.ignored_static.is_empty() {
        None
    } else {
        let mut b = globset::GlobSetBuilder::new();
        for p in &config.ignored_static {
            match globset::Glob::new(p) {
                Ok(g) => {
                    b.add(g);
                }
                Err(e) => diags.push(Diagnostic::error(format!(
                    "`{p}` in `ignored_static` is not a valid glob: {e}"
                ))),
            }
        }
        b.build().ok()
    };
    // Compiled Sass goes over the theme's static files; the site's own
    // static files go over both.
    for (rel, css) in &sass.files {
        copies.push((rel.clone(), Source::Compiled(css.clone())));
    }
    // The highlighter's stylesheets with `style = "class"` (a file of the
    // same name in static/ wins, as in Zola).
    if let Ok(Some(h)) = crate::markdown::highlight::for_config(root, config) {
        for (name, css) in h.stylesheets() {
            copies.push((
                name.to_string(),
                Source::Compiled(Arc::from(css.into_bytes())),
            ));
        }
    }
    for (rel, p) in walk_files(&root.join("static")) {
        if ignore.as_ref().is_some_and(|g| g.is_match(&rel)) {
            continue;
        }
        copies.push((rel, Source::File(p)));
    }
    for (rel, a) in site.asset_outputs(root) {
        copies.push((rel, Source::File(a)));
    }
    copies
}
