//! The pipeline driver: load → Markdown → site model → render → write.
//! `build` runs it all; `render_site` stops before writing (for `check`,
//! tests and, later, `serve`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{Config, Mode};
use crate::diagnostics::{BuildFailed, Diagnostic, Diagnostics};
use crate::output::{self, Source};
use crate::plugin::Plugin;
use crate::render::{self, OutFile, Renderer, SiteData};
use crate::site::Site;
use crate::stages::{self, Timer};
use crate::statement::Watch;

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
    /// The image cache's files this render used (`crate::images`).
    pub images_used: std::collections::HashSet<PathBuf>,
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
    plugins: Vec<Box<dyn Plugin>>,
    staging: Option<&output::Staging>,
) -> Result<Rendered, BuildFailed> {
    let root = opts.root.clone();
    let config = Arc::new(config);
    let mut timer = Timer::new();
    let sass = Arc::new(stages::sass(&root, &config, &diags));
    timer.lap("sass");
    let keep_sources = staging.is_none();
    let keep = stages::Keep {
        loaded: None,
        sources: keep_sources,
    };
    let front = stages::front(
        &root,
        &config,
        opts.drafts,
        plugins,
        keep,
        &diags,
        &mut timer,
    );
    let Some(stages::Front {
        mut site,
        plugins,
        engine,
        ..
    }) = front
    else {
        return Err(fail(&diags));
    };
    // Shortcodes (and anchor-link templates) may call functions and read
    // their page before content exists; a site with none skips this.
    // `resize_image`'s jobs, from shortcodes and templates alike.
    let images = Arc::new(crate::images::Processor::new(&root));
    let before = render::markdown_renders_templates(&site, &config).then(|| {
        stages::functions_before_markdown(&site, &config, &root, sass.clone(), &images, None)
    });
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
    if !keep_sources {
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
    let functions = stages::functions(&site, &config, &root, data, sass.clone(), &images);
    timer.lap("serialise");
    engine.set_functions(functions.clone());

    let copies = stages::copies(&root, &config, &site, &sass, &diags);
    if let Some(staging) = staging {
        // Static files first: a rendered page at the same path wins.
        if let Err(d) = staging.copy(&copies) {
            diags.push(d);
        }
    }
    timer.lap("static files");
    let indexed = stages::search_indexed(&site, &config);
    // An accessibility statement the pages may link and the site does not
    // have: looked for in each page as it is written (when writing, the
    // bytes are not kept).
    let statement = Watch::new(&config, &site, |out| copies.iter().any(|(p, _)| p == out));
    let write = |f: &OutFile| -> Result<bool, Diagnostic> {
        statement.see(&f.path, &f.bytes);
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
    drop(renderer);
    timer.lap("render");
    // The images the render asked for, made (or found in the cache) after
    // it, in parallel, and written with the rest.
    let mut copies = copies;
    let made = stages::images(&images, None, &diags);
    if let Some(staging) = staging {
        if let Err(d) = staging.copy(&made.copies) {
            diags.push(d);
        }
    }
    let made_count = made.copies.len();
    copies.extend(made.copies);
    timer.lap(&format!(
        "images ({made_count} files, {} encoded, the rest from the cache)",
        made.encoded
    ));
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
    diags.extend(statement.finish(
        &root,
        &config,
        files.iter().map(|f| (f.path.as_str(), &f.bytes[..])),
        |out| files.iter().any(|f| f.path == out),
    ));
    Ok(Rendered {
        config,
        site,
        files,
        copies,
        images_used: made.used,
        diagnostics: diags.snapshot(),
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
    // The cache keeps what this build used (as Zola prunes its
    // `processed_images`).
    crate::images::prune(&opts.root, &rendered.images_used);
    Ok(Report {
        output: out,
        pages: rendered.site.pages.len(),
        sections: rendered.site.sections.len(),
        files: rendered.files.len() + rendered.copies.len(),
        diagnostics: rendered.diagnostics,
    })
}
