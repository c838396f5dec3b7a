//! The pipeline driver: load → Markdown → site model → render → write.
//! `build` runs it all; `render_site` stops before writing (for `check`,
//! tests and, later, `serve`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::config::{Config, Mode};
use crate::diagnostics::{BuildFailed, Diagnostic, Diagnostics};
use crate::output::{self, Source};
use crate::plugin::Plugin;
use crate::render::{self, functions::Functions, Engine, OutFile, Renderer, SiteData};
use crate::site::Site;

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
}

/// A finished render, in memory.
pub struct Rendered {
    pub config: Arc<Config>,
    pub site: Arc<Site>,
    pub files: Vec<OutFile>,
    pub copies: Vec<(String, Source)>,
    pub diagnostics: Vec<Diagnostic>,
}

/// What a successful build reports.
#[derive(Debug)]
pub struct Report {
    pub output: PathBuf,
    pub pages: usize,
    pub sections: usize,
    pub files: usize,
    pub diagnostics: Vec<Diagnostic>,
}

fn fail(diags: &Diagnostics) -> BuildFailed {
    BuildFailed {
        diagnostics: diags.snapshot(),
    }
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

pub use crate::default_plugins;

/// Everything up to, not including, writing, with the default plugins.
pub fn render_site(opts: &Options) -> Result<Rendered, BuildFailed> {
    render_site_with(opts, default_plugins())
}

/// Everything up to, not including, writing, with these plugins.
pub fn render_site_with(
    opts: &Options,
    plugins: Vec<Box<dyn Plugin>>,
) -> Result<Rendered, BuildFailed> {
    without_errors(render_site_unchecked(opts, plugins)?)
}

/// A render that may be built from: one with any error fails.
pub(crate) fn without_errors(r: Rendered) -> Result<Rendered, BuildFailed> {
    if r.diagnostics.iter().any(Diagnostic::is_error) {
        return Err(BuildFailed {
            diagnostics: r.diagnostics,
        });
    }
    Ok(r)
}

/// Render as far as the site allows: an error in one page still leaves the
/// others rendered, so `check` can go on to check their links and report
/// everything in one run. Fails only when nothing could be rendered (a
/// broken config or template). `Rendered::diagnostics` may hold errors.
pub fn render_site_unchecked(
    opts: &Options,
    plugins: Vec<Box<dyn Plugin>>,
) -> Result<Rendered, BuildFailed> {
    let diags = Diagnostics::new();
    let config = load_config(opts, &diags).ok_or_else(|| fail(&diags))?;
    render_with_config(opts, config, diags, plugins, None)
}

/// Everything up to writing, with the config already loaded (its warnings
/// already in `diags`). With `staging`, each file is written there as soon
/// as it is made, and the returned files keep their bytes only where the
/// search index needs them.
fn render_with_config(
    opts: &Options,
    config: Config,
    diags: Diagnostics,
    mut plugins: Vec<Box<dyn Plugin>>,
    staging: Option<&output::Staging>,
) -> Result<Rendered, BuildFailed> {
    let root = opts.root.clone();
    let config = Arc::new(config);
    let mut timer = Timer::new();
    let sass = Arc::new(crate::sass::compile(&root, &config, &diags));
    timer.lap("sass");
    // Load the highlighter once, reporting a bad `[markdown.highlighting]`.
    if let Err(d) = crate::markdown::highlight::for_config(&root, &config) {
        diags.push(d);
    }
    let loaded = crate::load::load_content(&root, &config, opts.drafts, &diags);
    timer.lap("load");
    let mut site = Site::new(loaded, &config, &diags);
    timer.lap("relate");
    diags.extend(site.ignored_page_warnings());
    for plugin in &mut plugins {
        if staging.is_some() {
            plugin.built_once();
        }
        plugin.site_loaded(&site, &config, &diags);
        timer.lap(plugin.name());
    }
    if staging.is_some() {
        // The front matter tables were read into each page's metadata and
        // by the plugins; nothing after this reads them.
        for p in &mut site.pages {
            p.source.front = toml::Table::new();
        }
        for s in &mut site.sections {
            s.source.front = toml::Table::new();
        }
    }
    let engine = match Engine::load(&root, config.clone(), &plugins) {
        Ok(e) => Some(e),
        Err(ds) => {
            diags.extend(ds);
            None
        }
    };
    let Some(engine) = engine else {
        return Err(fail(&diags));
    };

    let make_functions = |site: &Site| {
        let data = SiteData::new(site, config.to_template_value());
        functions_for(site, &config, &root, data, sass.clone())
    };
    // Shortcodes may call functions before content exists.
    timer.lap("templates");
    // Shortcodes (and anchor-link templates) may call functions and read
    // their page before content exists; a site with none skips this.
    let before = render::markdown_renders_templates(&site, &config).then(|| make_functions(&site));
    timer.lap("serialise (before Markdown)");
    if let Some(b) = &before {
        engine.set_functions(b.clone());
    }
    render::render_markdown(
        &mut site,
        &config,
        &engine,
        before.as_ref().map(|b| &*b.data),
        &diags,
    );
    drop(before);
    if staging.is_some() {
        // Each body is rendered and its links checked; what a diagnostic
        // may still point into is the front matter (the bodies of a
        // 10,000-page site hold about 20 MB).
        for p in &mut site.pages {
            p.source.text = Arc::from(&p.source.text[..p.source.body_offset]);
        }
    }
    timer.lap("markdown");
    // Nothing changes the site from here: templates' page values are made
    // from it as they are asked for, not kept.
    let site = Arc::new(site);
    let data = SiteData::from_site(site.clone(), config.to_template_value());
    let functions = functions_for(&site, &config, &root, data, sass.clone());
    timer.lap("serialise");
    engine.set_functions(functions.clone());

    let copies = collect_copies(&root, &config, &site, &sass, &diags);
    if let Some(staging) = staging {
        // Static files first: a rendered page at the same path wins.
        if let Err(d) = staging.copy(&copies) {
            diags.push(d);
        }
    }
    timer.lap("static files");
    let indexed: HashSet<String> = if config.build_search_index {
        crate::search::indexed(&site, &config)
            .into_iter()
            .map(|(_, out)| out)
            .collect()
    } else {
        HashSet::new()
    };
    // An accessibility statement the pages may link and the site does not
    // have: looked for in each page as it is written (when writing, the
    // bytes are not kept).
    let statement = crate::statement::Statement::of(&config)
        .filter(|s| !s.in_site(&site) && !copies.iter().any(|(p, _)| *p == s.output));
    let statement_linked = AtomicBool::new(false);
    let write = |f: &OutFile| -> Result<bool, Diagnostic> {
        if let Some(s) = &statement {
            if !statement_linked.load(Ordering::Relaxed) && s.linked_from(&f.path, &f.bytes) {
                statement_linked.store(true, Ordering::Relaxed);
            }
        }
        if let Some(staging) = staging {
            staging.write(&f.path, &f.bytes)?;
        }
        Ok(indexed.contains(&f.path))
    };
    let renderer = Renderer {
        site: &site,
        config: &config,
        engine: &engine,
        data: functions.data.clone(),
        plugins: &plugins,
        mode: render::Mode::Render,
        only: None,
        record: false,
        memo: Default::default(),
        sink: staging.map(|_| &write as &render::Sink),
        generated: render::Generated::AsWanted,
        generated_reads: Default::default(),
    };
    let mut files = renderer.render_all(&diags);
    timer.lap("render");
    if config.build_search_index {
        let index = crate::search::index(&site, &config, &files, &diags);
        for f in &index {
            if let Some(staging) = staging {
                if let Err(d) = staging.write(&f.path, &f.bytes) {
                    diags.push(d);
                }
            }
        }
        files.extend(index);
        timer.lap("search index");
    }
    if let Some(s) = &statement {
        let linked = statement_linked.load(Ordering::Relaxed)
            || files.iter().any(|f| s.linked_from(&f.path, &f.bytes));
        if linked && !files.iter().any(|f| f.path == s.output) {
            diags.push(s.missing(&root, &config));
        }
    }
    Ok(Rendered {
        config,
        site,
        files,
        copies,
        diagnostics: diags.snapshot(),
    })
}

/// The template functions over a serialised site.
pub(crate) fn functions_for(
    site: &Site,
    config: &Arc<Config>,
    root: &Path,
    data: SiteData,
    sass: Arc<crate::sass::Compiled>,
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
        assets: Arc::new(asset_outputs(root, site).into_iter().collect()),
        fixed_now,
    })
}

/// Build the site into its output folder, with the default plugins.
pub fn build(opts: &Options) -> Result<Report, BuildFailed> {
    build_with(opts, default_plugins())
}

/// Build the site into its output folder, with these plugins.
pub fn build_with(opts: &Options, plugins: Vec<Box<dyn Plugin>>) -> Result<Report, BuildFailed> {
    // Check the output folder before doing any work.
    let pre = Diagnostics::new();
    let config = load_config(opts, &pre).ok_or_else(|| fail(&pre))?;
    let out = match &opts.output_dir {
        Some(o) if o.is_absolute() => o.clone(),
        Some(o) => std::env::current_dir().unwrap_or_default().join(o),
        None => opts.root.join(&config.output_dir),
    };
    if let Err(d) = output::check_output_dir(&opts.root, &out, &config.file, opts.force) {
        pre.push(d);
        return Err(fail(&pre));
    }
    // Files are written into a staging folder as they are made; it is
    // swapped in only when the whole build succeeded (dropped, it is
    // removed and the output left as it was).
    let staging = match output::Staging::create(&out, config.hard_link_static) {
        Ok(s) => s,
        Err(d) => {
            pre.push(d);
            return Err(fail(&pre));
        }
    };
    let mut rendered = render_with_config(opts, config, pre, plugins, Some(&staging))?;
    if !rendered.diagnostics.iter().any(Diagnostic::is_error) {
        rendered.diagnostics.extend(staging.collisions());
    }
    let rendered = without_errors(rendered)?;
    let mut timer = Timer::new();
    let written = staging.finish();
    timer.lap("write");
    if let Err(d) = written {
        let mut diagnostics = rendered.diagnostics;
        diagnostics.push(d);
        return Err(BuildFailed { diagnostics });
    }
    Ok(Report {
        output: out,
        pages: rendered.site.pages.len(),
        sections: rendered.site.sections.len(),
        files: rendered.files.len() + rendered.copies.len(),
        diagnostics: rendered.diagnostics,
    })
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

pub(crate) fn collect_copies(
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
    for (rel, a) in asset_outputs(root, site) {
        copies.push((rel, Source::File(a)));
    }
    copies
}

/// Where each page and section asset is copied to: (output path, file).
pub(crate) fn asset_outputs(root: &Path, site: &Site) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let content = root.join("content");
    for page in &site.pages {
        let Some(col) = &page.file.colocated_path else {
            continue;
        };
        let bundle = content.join(col);
        let dir = page.path.trim_start_matches('/');
        for a in &page.assets {
            if let Ok(rel) = a.strip_prefix(&bundle) {
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((format!("{dir}{rel}"), a.clone()));
            }
        }
    }
    for s in &site.sections {
        let dir = s.path.trim_start_matches('/');
        for a in &s.assets {
            if let Some(n) = a.file_name() {
                out.push((format!("{dir}{}", n.to_string_lossy()), a.clone()));
            }
        }
    }
    out
}
