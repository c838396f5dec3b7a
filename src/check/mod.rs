//! `throughline check`: what a CI job runs before it deploys. It renders
//! everything in memory (templates included), then checks what was rendered:
//! every internal link and `#anchor` (`internal.rs`), and, when asked, every
//! external link (`external.rs`), and that nothing is left marked for the
//! owner to fill in (`publishing.rs`). The strategy references, the
//! accessibility lint and the accessibility statement were already checked
//! while rendering; here the lint's and the statement's warnings become
//! errors. `report.rs` prints the result for a terminal, for GitHub Actions
//! annotations, or as JSON.

pub mod external;
pub mod html;
pub mod internal;
pub mod publishing;
pub mod report;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use crate::build::{render_site_unchecked, Options, Rendered};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location, Severity};
use crate::plugin::Plugin;

/// The code on diagnostics about internal links.
pub const CODE_INTERNAL: &str = "internal-link";
/// The code on diagnostics about external links.
pub const CODE_EXTERNAL: &str = "external-link";

/// What `check` is asked to do beyond rendering.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Also request every external link (off by default, so CI without a
    /// network passes).
    pub external: bool,
    /// Warnings count as errors.
    pub deny_warnings: bool,
}

/// What a check found.
#[derive(Debug)]
pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub pages: usize,
    pub sections: usize,
    /// Internal links followed, and external URLs requested.
    pub internal_links: usize,
    pub external_urls: usize,
}

impl Outcome {
    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
    pub fn warnings(&self) -> usize {
        self.diagnostics.len() - self.errors()
    }
}

/// Render the site and check it. Never writes anything.
pub fn run(opts: &Options, copts: &CheckOptions, plugins: Vec<Box<dyn Plugin>>) -> Outcome {
    let mut outcome = match render_site_unchecked(opts, plugins) {
        Ok(r) => check_rendered(&r, copts),
        Err(f) => Outcome {
            diagnostics: f.diagnostics,
            pages: 0,
            sections: 0,
            internal_links: 0,
            external_urls: 0,
        },
    };
    crate::diagnostics::sort(&mut outcome.diagnostics);
    crate::diagnostics::one_per_place(&mut outcome.diagnostics);
    outcome.diagnostics.dedup();
    for d in &mut outcome.diagnostics {
        let lint = d.code == Some(crate::markdown::lint::CODE);
        let statement = d.code == Some(publishing::CODE_STATEMENT);
        if d.severity == Severity::Warning && (lint || statement || copts.deny_warnings) {
            d.severity = Severity::Error;
        }
    }
    outcome
}

/// Check what a render produced.
pub fn check_rendered(r: &Rendered, copts: &CheckOptions) -> Outcome {
    let settings = Settings::from_config(&r.config);
    let mut files: HashSet<String> = r
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(r.copies.iter().map(|(p, _)| p.clone()))
        .collect();
    // A missing accessibility statement was reported once, with what to
    // do; the links to it (the footer's, on every page) are not reported
    // again.
    if r.diagnostics
        .iter()
        .any(|d| d.code == Some(publishing::CODE_STATEMENT))
    {
        if let Some(s) = publishing::Statement::of(&r.config) {
            files.insert(s.output);
        }
    }
    let pages = internal::scan_pages(
        r.files
            .iter()
            .map(|f| (f.path.as_str(), f.bytes.as_slice()))
            .collect::<Vec<_>>(),
    );
    let sources = Sources::new(r);
    let site = internal::SiteUrl::new(&r.config.base_url);
    let mut diagnostics = r.diagnostics.clone();
    diagnostics.extend(publishing::fill_ins(r));
    diagnostics.extend(internal::check(
        &pages,
        &files,
        &site,
        &sources,
        &settings.skip_anchor_prefixes,
        settings.internal_level,
    ));
    let internal_links = pages.values().map(|s| s.links.len()).sum();
    let mut external_urls = 0;
    if copts.external {
        let (ds, n) = external::check(&pages, &site, &sources, &settings);
        diagnostics.extend(ds);
        external_urls = n;
    }
    Outcome {
        diagnostics,
        pages: r.site.pages.len(),
        sections: r.site.sections.len(),
        internal_links,
        external_urls,
    }
}

/// `[link_checker]` as Zola documents it, plus a timeout.
#[derive(Debug, Clone)]
pub struct Settings {
    pub skip_prefixes: Vec<String>,
    pub skip_anchor_prefixes: Vec<String>,
    pub internal_level: Severity,
    pub external_level: Severity,
    pub timeout_secs: u64,
}

impl Settings {
    pub fn from_config(config: &Config) -> Settings {
        let t = &config.link_checker;
        let list = |k: &str| -> Vec<String> {
            t.get(k)
                .and_then(|v| v.as_array())
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let level = |k: &str| match t.get(k).and_then(|v| v.as_str()) {
            Some("warn") | Some("warning") => Severity::Warning,
            _ => Severity::Error,
        };
        Settings {
            skip_prefixes: list("skip_prefixes"),
            skip_anchor_prefixes: list("skip_anchor_prefixes"),
            internal_level: level("internal_level"),
            external_level: level("external_level"),
            timeout_secs: t
                .get("timeout")
                .and_then(|v| v.as_integer())
                .filter(|n| *n > 0)
                .unwrap_or(10) as u64,
        }
    }
}

/// The content file behind each output page, so a broken link can be
/// pointed at the Markdown line that makes it.
pub struct Sources {
    by_output: HashMap<String, (PathBuf, Arc<str>, usize, String)>,
}

/// Where a link was made.
pub enum Origin {
    /// On this line of the page's Markdown.
    Content(Location),
    /// By the template (or a shortcode, or a plugin): not in the Markdown.
    Template,
}

impl Sources {
    fn new(r: &Rendered) -> Sources {
        let pages = r.site.pages.iter().map(|p| (&p.path, &p.file, &p.source));
        let sections = r
            .site
            .sections
            .iter()
            .map(|s| (&s.path, &s.file, &s.source));
        let by_output = pages
            .chain(sections)
            .map(|(path, file, source)| {
                (
                    crate::render::out_path_for(path),
                    (
                        file.path.clone(),
                        source.text.clone(),
                        source.body_offset,
                        path.clone(),
                    ),
                )
            })
            .collect();
        Sources { by_output }
    }

    /// Find `url` as written in the Markdown body of the page at `output`.
    pub fn origin(&self, output: &str, url: &str) -> Origin {
        let Some((file, text, body, _)) = self.by_output.get(output) else {
            return Origin::Template;
        };
        let body_text = &text[*body..];
        let written = [url.to_string(), url.replace('&', "&amp;")];
        for w in &written {
            if w.is_empty() {
                continue;
            }
            for pat in [
                format!("]({w}"),
                format!("<{w}>"),
                format!("\"{w}\""),
                w.clone(),
            ] {
                if let Some(at) = body_text.find(&pat) {
                    let start = body + at + pat.find(w.as_str()).unwrap_or(0);
                    return Origin::Content(Location::from_span(
                        file,
                        text,
                        start..start + w.len(),
                    ));
                }
            }
        }
        Origin::Template
    }

    /// The content file behind an output page, if it has one.
    pub fn file_of(&self, output: &str) -> Option<&PathBuf> {
        self.by_output.get(output).map(|s| &s.0)
    }

    /// A page's address, for messages: `/blog/x/`.
    pub fn describe(&self, output: &str) -> String {
        match self.by_output.get(output) {
            Some((_, _, _, path)) => format!("`{path}`"),
            None => format!("`/{}`", output.trim_end_matches("index.html")),
        }
    }
}

/// A broken link, before it is located.
pub struct Broken {
    pub from: String,
    pub url: String,
    pub why: String,
    pub hint: Option<String>,
}

/// Point each broken link at the Markdown line that makes it; links made by
/// templates (the same on many pages) are reported once, with a count.
pub fn locate(
    mut broken: Vec<Broken>,
    sources: &Sources,
    code: &'static str,
    level: Severity,
) -> Vec<Diagnostic> {
    broken.sort_by(|a, b| (&a.from, &a.url).cmp(&(&b.from, &b.url)));
    let mk = |msg: String| {
        let d = match level {
            Severity::Error => Diagnostic::error(msg),
            Severity::Warning => Diagnostic::warning(msg),
        };
        d.with_code(code)
    };
    let mut out = Vec::new();
    let mut from_templates: BTreeMap<(String, String), (Vec<String>, Option<String>)> =
        BTreeMap::new();
    for b in broken {
        match sources.origin(&b.from, &b.url) {
            Origin::Content(loc) => {
                let mut d = mk(b.why).at(loc);
                if let Some(h) = b.hint {
                    d = d.with_hint(h);
                }
                out.push(d);
            }
            Origin::Template => {
                from_templates
                    .entry((b.url, b.why))
                    .or_insert_with(|| (Vec::new(), b.hint))
                    .0
                    .push(b.from);
            }
        }
    }
    for ((_url, why), (froms, hint)) in from_templates {
        let n = froms.len();
        let first = sources.describe(&froms[0]);
        let msg = if n == 1 {
            format!("{why} (on {first}, from its template)")
        } else {
            format!("{why} (on {n} pages, from a template; the first is {first})")
        };
        let mut d = mk(msg);
        if let Some(file) = sources.file_of(&froms[0]) {
            d = d.in_file(file.clone());
        }
        let where_ = "the link is made by a template or shortcode, not the page's Markdown";
        d = d.with_hint(match hint {
            Some(h) => format!("{h} ({where_})"),
            None => where_.to_string(),
        });
        out.push(d);
    }
    out
}
