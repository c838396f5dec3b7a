//! The Markdown stage as the build drives it: every page's and section's
//! body through [`crate::markdown`], with its shortcodes rendered by the
//! template engine, `@/` links resolved and Markdown images measured, in
//! parallel, recording what each read for `serve`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Value};

use super::{check_anchors_and_backlinks, deps, Engine, SiteData};
use crate::config::{Config, InsertAnchor};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::site::{PageId, Site};
use rayon::prelude::*;

/// Run the Markdown stage on every page and section. `data` is the site
/// serialised before rendering: shortcodes see their page or section from
/// it (without content, as in Zola).
pub(crate) fn render_markdown(
    site: &mut Site,
    config: &Arc<Config>,
    engine: &Engine,
    data: Option<&SiteData>,
    diags: &Diagnostics,
    bodies: Bodies,
) {
    let n = site.pages.len();
    // Letting bodies go, pages are rendered a share at a time and each
    // share's bodies let go before the next: the bodies and the HTML made
    // of them never all stand in memory at once (at 10,000 pages of 600
    // words, 45 MB of text beside 50 MB of HTML).
    let share = match bodies {
        Bodies::Keep => n.max(1),
        Bodies::LetGo { .. } => LET_GO_SHARE,
    };
    let permalinks = site.permalinks();
    for start in (0..n).step_by(share) {
        let end = (start + share).min(n);
        let which = Selection {
            pages: (0..n).map(|i| (start..end).contains(&i)).collect(),
            sections: vec![false; site.sections.len()],
        };
        let (pages, _) =
            render_markdown_of(site, config, engine, data, &which, false, Some(&permalinks));
        for (p, r) in site.pages.iter_mut().zip(pages) {
            if let Some(r) = r {
                p.rendered = r.rendered;
                diags.extend(r.diagnostics);
            }
        }
        if let Bodies::LetGo { count_words } = bodies {
            site.pages[start..end].par_iter_mut().for_each(|p| {
                if count_words {
                    p.word_count();
                }
                p.source.let_body_go();
            });
        }
    }
    let which = Selection {
        pages: vec![false; n],
        sections: vec![true; site.sections.len()],
    };
    let (_, sections) =
        render_markdown_of(site, config, engine, data, &which, false, Some(&permalinks));
    for (s, r) in site.sections.iter_mut().zip(sections) {
        if let Some(r) = r {
            s.rendered = r.rendered;
            diags.extend(r.diagnostics);
        }
    }
    check_anchors_and_backlinks(site, diags);
}

/// What the Markdown stage does with a page's body once it is rendered.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bodies {
    /// Keeps it (`serve`, `check`: later passes and reports read it).
    Keep,
    /// Lets it go, keeping the front matter, which diagnostics may still
    /// point into (a build); counting its words first when a template
    /// may show them.
    LetGo { count_words: bool },
}

/// How many pages' bodies are rendered before those bodies are let go.
const LET_GO_SHARE: usize = 1024;

/// Which pages and sections to run the Markdown stage on.
pub(crate) struct Selection {
    pub pages: Vec<bool>,
    pub sections: Vec<bool>,
}

/// One item's Markdown result.
pub(crate) struct MarkdownResult {
    pub rendered: crate::content::Rendered,
    pub diagnostics: Vec<Diagnostic>,
    /// With recording: shortcode templates, function answers, and `@/`
    /// links resolved (as calls named `@link`).
    pub record: Option<deps::Record>,
}

/// Whether any heading gets an anchor link (rendered through a template).
pub(crate) fn markdown_renders_anchor_links(site: &Site, config: &Config) -> bool {
    use crate::config::InsertAnchor;
    config.markdown.insert_anchor_links != InsertAnchor::None
        || site.sections.iter().any(|s| {
            s.meta
                .insert_anchor_links
                .is_some_and(|a| a != InsertAnchor::None)
        })
}

/// Whether the Markdown stage renders templates at all: a body that may
/// hold a shortcode, or anchor links inserted by `anchor-link.html`. When
/// not, the site need not be serialised before Markdown.
pub(crate) fn markdown_renders_templates(site: &Site, config: &Config) -> bool {
    markdown_renders_anchor_links(site, config)
        || site
            .pages
            .iter()
            .any(|p| may_have_shortcodes(p.source.body()))
        || site
            .sections
            .iter()
            .any(|s| may_have_shortcodes(s.source.body()))
}

/// Whether a body may hold a shortcode (and so needs its context).
pub(crate) fn may_have_shortcodes(body: &str) -> bool {
    body.contains("{{") || body.contains("{%")
}

/// The fingerprint of how an `@/` link target resolves.
pub(crate) fn link_answer(permalink: Option<&String>, draft: bool) -> Option<u64> {
    Some(
        deps::Fp::new()
            .str(permalink.map(String::as_str).unwrap_or("\u{0}"))
            .u64(draft as u64)
            .finish(),
    )
}

/// The files the build publishes at an output path that a Markdown image
/// may name, for its `width` and `height`: a page's or section's asset,
/// then `static/`, then the theme's `static/` (the order the copies go
/// over each other in). Off with `[extra.throughline]
/// markdown_image_sizes = false`.
pub(crate) struct ImageFiles {
    assets: HashMap<String, std::path::PathBuf>,
    static_dir: std::path::PathBuf,
    theme_static: Option<std::path::PathBuf>,
}

impl ImageFiles {
    /// `None` when the site turned the sizes off.
    pub(crate) fn new(site: &Site, config: &Config) -> Option<ImageFiles> {
        let on = config
            .extra
            .get("throughline")
            .and_then(|t| t.get("markdown_image_sizes"))
            .and_then(toml::Value::as_bool)
            .unwrap_or(true);
        on.then(|| ImageFiles {
            assets: site.asset_outputs(&config.root).into_iter().collect(),
            static_dir: config.root.join("static"),
            theme_static: config
                .theme
                .as_ref()
                .map(|t| config.root.join("themes").join(t).join("static")),
        })
    }

    /// The upright size of the image published at `out`, if it is one.
    pub(crate) fn size(&self, out: &str) -> Option<(u32, u32)> {
        let file = self
            .assets
            .get(out)
            .cloned()
            .into_iter()
            .chain([self.static_dir.join(out)])
            .chain(self.theme_static.as_ref().map(|t| t.join(out)))
            .find(|f| f.is_file())?;
        crate::images::upright_size(&file)
    }
}

/// The fingerprint of a Markdown image's measured size (a call named
/// `@image` when `serve` records).
pub(crate) fn image_answer(size: Option<(u32, u32)>) -> Option<u64> {
    let (w, h) = size.unwrap_or((0, 0));
    Some(deps::Fp::new().u64(w.into()).u64(h.into()).finish())
}

/// Run the Markdown stage on the selected items, without changing the site.
/// `data` (the site serialised before Markdown) is needed only when a
/// selected body may hold a shortcode. `permalinks` (from
/// [`Site::permalinks`]) saves working them out again.
pub(crate) fn render_markdown_of(
    site: &Site,
    config: &Arc<Config>,
    engine: &Engine,
    data: Option<&SiteData>,
    which: &Selection,
    record: bool,
    permalinks: Option<&std::collections::HashMap<String, String>>,
) -> (Vec<Option<MarkdownResult>>, Vec<Option<MarkdownResult>>) {
    let own;
    let permalinks = match permalinks {
        Some(p) => p,
        None => {
            own = site.permalinks();
            &own
        }
    };
    let drafts: HashSet<&str> = site.drafts.iter().map(String::as_str).collect();
    let note = |p: &str| {
        if deps::recording() {
            deps::note_call(
                deps::Call {
                    name: "@link".into(),
                    args: p.to_string(),
                },
                link_answer(permalinks.get(p), drafts.contains(p)),
            );
        }
    };
    let resolve = |p: &str| {
        note(p);
        permalinks.get(p).cloned()
    };
    let is_draft = |p: &str| {
        note(p);
        drafts.contains(p)
    };
    let images = ImageFiles::new(site, config);
    let image_size = |out: &str| {
        let size = images.as_ref().and_then(|i| i.size(out));
        if deps::recording() {
            deps::note_call(
                deps::Call {
                    name: "@image".into(),
                    args: out.to_string(),
                },
                image_answer(size),
            );
        }
        size
    };
    let env = markdown::Env {
        config,
        resolve: &resolve,
        is_draft: &is_draft,
        image_size: images
            .is_some()
            .then_some(&image_size as &markdown::ImageSize),
        hooks: engine,
        highlighter: markdown::highlight::for_config(&config.root, config)
            .ok()
            .flatten(),
    };
    let section_anchor: Vec<InsertAnchor> = site
        .sections
        .iter()
        .map(|s| {
            s.meta
                .insert_anchor_links
                .unwrap_or(config.markdown.insert_anchor_links)
        })
        .collect();
    let run = |input: &markdown::Input<'_>| {
        let outer = record.then(deps::start);
        let (rendered, diagnostics) = markdown::render(input, &env);
        let record = record.then(|| deps::finish(outer.flatten()));
        MarkdownResult {
            rendered,
            diagnostics,
            record,
        }
    };
    let page_results: Vec<_> = site
        .pages
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            if !which.pages[i] {
                return None;
            }
            let insert_anchor = site
                .section_by_relative(&p.file.parent_section)
                .map(|s| section_anchor[s])
                .unwrap_or(config.markdown.insert_anchor_links);
            let ctx = match data {
                Some(d) if may_have_shortcodes(p.source.body()) => {
                    json!({"page": *d.page(i), "config": d.config_for(&p.lang), "lang": p.lang})
                }
                _ => Value::Null,
            };
            Some(run(&markdown::Input {
                file: &p.file.path,
                text: &p.source.text,
                body_offset: p.source.body_offset,
                permalink: &p.permalink,
                lang: &p.lang,
                insert_anchor,
                shortcode_context: &ctx,
            }))
        })
        .collect();
    let section_results: Vec<_> = site
        .sections
        .par_iter()
        .enumerate()
        .map(|(i, s)| {
            if !which.sections[i] {
                return None;
            }
            let ctx = match data {
                Some(d) if may_have_shortcodes(s.source.body()) => {
                    json!({"section": d.sections_meta[i], "config": d.config_for(&s.lang), "lang": s.lang})
                }
                _ => Value::Null,
            };
            Some(run(&markdown::Input {
                file: &s.file.path,
                text: &s.source.text,
                body_offset: s.source.body_offset,
                permalink: &s.permalink,
                lang: &s.lang,
                insert_anchor: section_anchor[i],
                shortcode_context: &ctx,
            }))
        })
        .collect();
    (page_results, section_results)
}

/// The insert-anchor setting a page's Markdown is rendered with.
pub(crate) fn page_insert_anchor(site: &Site, config: &Config, pid: PageId) -> InsertAnchor {
    site.section_by_relative(&site.pages[pid].file.parent_section)
        .and_then(|s| site.sections[s].meta.insert_anchor_links)
        .unwrap_or(config.markdown.insert_anchor_links)
}
