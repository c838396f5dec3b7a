//! `build` and `render_site`: one pass of a session that keeps nothing
//! (`session::Keeps::Nothing`: the pipeline `serve` runs too), then, for
//! `build`, the atomic write. `render_site` stops before writing (for
//! `check` and tests).

use std::path::PathBuf;

use crate::config::Config;
use crate::diagnostics::{BuildFailed, Diagnostic, Diagnostics};
use crate::output::{self};
use crate::plugin::Plugin;
use crate::session::Session;
pub use crate::session::{load_config, Options, Rendered};
use crate::stages::Timer;

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
/// already in `diags`): the one pass of a session that keeps nothing
/// (`Keeps::Nothing`), the same pipeline `serve` runs. With `staging`,
/// each file is written there as soon as it is made.
fn render_with_config(
    opts: &Options,
    config: Config,
    diags: Diagnostics,
    plugins: Vec<Box<dyn Plugin>>,
    staging: Option<&output::Staging>,
) -> Result<Rendered, BuildFailed> {
    let mut session = Session::once(opts.clone(), plugins);
    session
        .pass_once(config, &diags, staging)
        .ok_or_else(|| fail(&diags))
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
    let rendered = render_with_config(opts, config, pre, plugins, Some(&staging))?;
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
