//! Stage 4 and 5: render. Runs the Markdown stage over every page and
//! section (in parallel), checks internal links and anchors, serialises the
//! site once, then renders every output file through the template engine
//! (in parallel). The result is a list of files in memory; writing them is
//! `output`'s job.

pub mod context;
pub mod deps;
pub mod engine;
pub mod functions;
pub mod jinja_engine;
pub mod tera_engine;
pub mod theme;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::config::{Config, InsertAnchor};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::markdown;
use crate::plugin::{GeneratedPage, Plugin, RenderCx};
use crate::site::{Item, PageId, SectionId, Site};
pub use context::SiteData;
pub use engine::{Engine, EngineKind};

/// A file to write, relative to the output folder.
#[derive(Debug, Clone, Default)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
    /// In [`Mode::Fingerprint`]: the fingerprint of the template and the
    /// context it would be rendered with (`bytes` is then empty).
    pub fp: u64,
    /// With recording on: the templates and functions rendering read.
    pub record: Option<Box<deps::Record>>,
    /// The pages whose values a plugin read to build this output's
    /// context: which pages it shows that the site's structure does not
    /// tell.
    pub page_values_read: Vec<PageId>,
    /// For a plugin's generated page, the plugin's place in the list.
    pub plugin: Option<usize>,
    /// When Zola writes an output of this kind ([`Order`]): where two
    /// outputs meet at one path, the later one is what Zola leaves.
    pub order: Order,
}

/// The kinds of output in the order Zola 0.22 writes them (aliases, then
/// sections with their pages and section feeds, the sitemap, the site's
/// feeds, 404, robots.txt, taxonomies). Where two outputs of different
/// kinds meet at one path the later kind is kept, with a warning naming
/// both, as real Zola sites rely on; two of one kind (two pages with one
/// address) stay an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    Alias,
    #[default]
    Content,
    Sitemap,
    SiteFeed,
    NotFound,
    Robots,
    Taxonomy,
}

impl Order {
    fn from_u8(n: u8) -> Order {
        [
            Order::Alias,
            Order::Content,
            Order::Sitemap,
            Order::SiteFeed,
            Order::NotFound,
            Order::Robots,
            Order::Taxonomy,
        ]
        .get(n as usize)
        .copied()
        .unwrap_or_default()
    }

    /// What made an output of this kind, in words.
    pub fn what(self) -> &'static str {
        match self {
            Order::Alias => "an alias's redirect",
            Order::Content => "a page or section",
            Order::Sitemap => "the sitemap",
            Order::SiteFeed => "the site's feed",
            Order::NotFound => "the 404 page",
            Order::Robots => "robots.txt",
            Order::Taxonomy => "a taxonomy's page",
        }
    }
}

/// Where outputs meet at one path, keep the one Zola leaves (the latest
/// [`Order`]) and say so; two of the same kind are an error.
fn settle_collisions(files: &mut Vec<OutFile>, diags: &Diagnostics) {
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(files.len());
    let mut lose: Vec<usize> = Vec::new();
    let mut said: Vec<Diagnostic> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let Some(&j) = at.get(f.path.as_str()) else {
            at.insert(&f.path, i);
            continue;
        };
        let other = &files[j];
        if other.order == f.order {
            lose.push(i);
            if f.order == Order::Content && said_by_load(diags, &f.path) {
                continue;
            }
            said.push(
                Diagnostic::error(format!(
                    "two outputs would be written to `{}`: both {}",
                    f.path,
                    f.order.what()
                ))
                .with_hint("give one of the pages another `path` or `slug`, or rename the taxonomy or alias that goes there"),
            );
            continue;
        }
        let (keep, drop) = if f.order > other.order {
            (i, j)
        } else {
            (j, i)
        };
        said.push(
            Diagnostic::warning(format!(
                "two outputs go to `{}`: {} and {}; {} is kept, as Zola writes it later",
                f.path,
                other.order.what(),
                f.order.what(),
                files[keep].order.what()
            ))
            .with_hint("rename one of them if both should be published"),
        );
        at.insert(&files[keep].path, keep);
        lose.push(drop);
    }
    if lose.is_empty() {
        return;
    }
    said.sort_by(|a, b| a.message.cmp(&b.message));
    said.dedup_by(|a, b| a.message == b.message);
    diags.extend(said);
    lose.sort_unstable();
    lose.dedup();
    let mut n = 0;
    files.retain(|_| {
        let gone = lose.binary_search(&n).is_ok();
        n += 1;
        !gone
    });
}

/// Whether loading already reported two pieces of content at the address
/// of `path` (with the files named), so the same mistake is not told twice.
fn said_by_load(diags: &Diagnostics, path: &str) -> bool {
    let address = format!("`/{}`", path.strip_suffix("index.html").unwrap_or(path));
    diags.snapshot().iter().any(|d| {
        d.is_error() && d.message.contains("the same address") && d.message.contains(&address)
    })
}

impl OutFile {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> OutFile {
        OutFile {
            path: path.into(),
            bytes,
            ..OutFile::default()
        }
    }
}

/// What [`Renderer::render_all`] does for each output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Render it.
    #[default]
    Render,
    /// Build its context with large values (pages, page lists) replaced by
    /// their fingerprints, and return the context's fingerprint: cheap, and
    /// different whenever the rendered output could be.
    Fingerprint,
}

pub fn out_path_for(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        "index.html".into()
    } else if p.ends_with('/') {
        format!("{p}index.html")
    } else {
        format!("{p}/index.html")
    }
}

/// The path of pager `i` (from 0) of a list at `base_path`.
fn pager_path(base_path: &str, paginate_path: &str, i: usize) -> String {
    if i == 0 {
        base_path.to_string()
    } else {
        format!("{}{}/{}/", base_path, paginate_path, i + 1)
    }
}

/// The output files of every pager of a list of `len` pages.
fn pager_files(base_path: &str, paginate_path: &str, len: usize, by: usize) -> Vec<String> {
    (0..len.div_ceil(by).max(1))
        .map(|i| out_path_for(&pager_path(base_path, paginate_path, i)))
        .collect()
}

/// Run the Markdown stage on every page and section. `data` is the site
/// serialised before rendering: shortcodes see their page or section from
/// it (without content, as in Zola).
pub fn render_markdown(
    site: &mut Site,
    config: &Arc<Config>,
    engine: &Engine,
    data: Option<&SiteData>,
    diags: &Diagnostics,
) {
    let all = Selection {
        pages: vec![true; site.pages.len()],
        sections: vec![true; site.sections.len()],
    };
    let (pages, sections) = render_markdown_of(site, config, engine, data, &all, false, None);
    for (p, r) in site.pages.iter_mut().zip(pages) {
        if let Some(r) = r {
            p.rendered = r.rendered;
            diags.extend(r.diagnostics);
        }
    }
    for (s, r) in site.sections.iter_mut().zip(sections) {
        if let Some(r) = r {
            s.rendered = r.rendered;
            diags.extend(r.diagnostics);
        }
    }
    check_anchors_and_backlinks(site, diags);
}

/// Which pages and sections to run the Markdown stage on.
pub struct Selection {
    pub pages: Vec<bool>,
    pub sections: Vec<bool>,
}

/// One item's Markdown result.
pub struct MarkdownResult {
    pub rendered: crate::content::Rendered,
    pub diagnostics: Vec<Diagnostic>,
    /// With recording: shortcode templates, function answers, and `@/`
    /// links resolved (as calls named `@link`).
    pub record: Option<deps::Record>,
}

/// Whether the Markdown stage renders templates at all: a body that may
/// hold a shortcode, or anchor links inserted by `anchor-link.html`. When
/// not, the site need not be serialised before Markdown.
/// Whether any heading gets an anchor link (rendered through a template).
pub fn markdown_renders_anchor_links(site: &Site, config: &Config) -> bool {
    use crate::config::InsertAnchor;
    config.markdown.insert_anchor_links != InsertAnchor::None
        || site.sections.iter().any(|s| {
            s.meta
                .insert_anchor_links
                .is_some_and(|a| a != InsertAnchor::None)
        })
}

pub fn markdown_renders_templates(site: &Site, config: &Config) -> bool {
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
pub fn may_have_shortcodes(body: &str) -> bool {
    body.contains("{{") || body.contains("{%")
}

/// The fingerprint of how an `@/` link target resolves.
pub fn link_answer(permalink: Option<&String>, draft: bool) -> Option<u64> {
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
pub struct ImageFiles {
    assets: HashMap<String, std::path::PathBuf>,
    static_dir: std::path::PathBuf,
    theme_static: Option<std::path::PathBuf>,
}

impl ImageFiles {
    /// `None` when the site turned the sizes off.
    pub fn new(site: &Site, config: &Config) -> Option<ImageFiles> {
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
    pub fn size(&self, out: &str) -> Option<(u32, u32)> {
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
pub fn image_answer(size: Option<(u32, u32)>) -> Option<u64> {
    let (w, h) = size.unwrap_or((0, 0));
    Some(deps::Fp::new().u64(w.into()).u64(h.into()).finish())
}

/// Run the Markdown stage on the selected items, without changing the site.
/// `data` (the site serialised before Markdown) is needed only when a
/// selected body may hold a shortcode. `permalinks` (from
/// [`Site::permalinks`]) saves working them out again.
pub fn render_markdown_of(
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
pub fn page_insert_anchor(site: &Site, config: &Config, pid: PageId) -> InsertAnchor {
    site.section_by_relative(&site.pages[pid].file.parent_section)
        .and_then(|s| site.sections[s].meta.insert_anchor_links)
        .unwrap_or(config.markdown.insert_anchor_links)
}

/// Where internal links were written: file, its text, and the links.
type LinkSource<'a> = (
    &'a std::path::Path,
    &'a str,
    &'a Vec<crate::content::InternalLink>,
);

/// `@/page.md#anchor` must name an id on the target; and each target learns
/// who links to it (`backlinks`).
pub fn check_anchors_and_backlinks(site: &mut Site, diags: &Diagnostics) {
    check_anchors(site, diags);
    record_backlinks(site);
}

/// Every `@/page.md#anchor` link must name an id on its target. Reads the
/// site only (`serve` checks again after an edit to a body).
pub fn check_anchors(site: &Site, diags: &Diagnostics) {
    let sources: Vec<LinkSource<'_>> = site
        .pages
        .iter()
        .map(|p| {
            (
                p.file.path.as_path(),
                &*p.source.text,
                &p.rendered.internal_links,
            )
        })
        .chain(site.sections.iter().map(|s| {
            (
                s.file.path.as_path(),
                &*s.source.text,
                &s.rendered.internal_links,
            )
        }))
        .collect();
    for (file, text, links) in sources {
        for link in links {
            let Some(a) = &link.anchor else {
                continue;
            };
            let Some(item) = site.item(&link.target) else {
                continue;
            };
            let anchors = match item {
                crate::site::Item::Page(p) => &site.pages[p].rendered.anchors,
                crate::site::Item::Section(s) => &site.sections[s].rendered.anchors,
            };
            if anchors.iter().any(|x| x == a) {
                continue;
            }
            let loc = Location::from_line(file, text, link.line, 1);
            let col = loc
                .source_line
                .find(&format!("#{a}"))
                .map(|c| loc.source_line[..c].chars().count() + 1)
                .unwrap_or(1);
            let hint = match crate::diagnostics::closest(a, anchors.iter().map(String::as_str)) {
                Some(b) => format!("did you mean `#{b}`?"),
                None if anchors.is_empty() => "that page has no headings to link to".to_string(),
                None => format!(
                    "its headings' ids are: {}",
                    anchors
                        .iter()
                        .take(8)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            diags.push(
                Diagnostic::error(format!(
                    "this links to `#{a}` in `{}`, which has no such heading",
                    link.target
                ))
                .at(Location {
                    column: col,
                    width: a.len() + 1,
                    ..loc
                })
                .with_hint(hint),
            );
        }
    }
}

/// Each target of an `@/` link learns who links to it (`backlinks`).
fn record_backlinks(site: &mut Site) {
    let mut backlinks: Vec<(crate::site::Item, String, Option<String>)> = Vec::new();
    let sources = site
        .pages
        .iter()
        .map(|p| (&p.rendered.internal_links, &p.permalink, &p.meta.title))
        .chain(
            site.sections
                .iter()
                .map(|s| (&s.rendered.internal_links, &s.permalink, &s.meta.title)),
        );
    for (links, permalink, title) in sources {
        for link in links {
            if let Some(item) = site.item(&link.target) {
                backlinks.push((item, permalink.clone(), title.clone()));
            }
        }
    }
    for (item, permalink, title) in backlinks {
        let list = match item {
            crate::site::Item::Page(p) => &mut site.pages[p].backlinks,
            crate::site::Item::Section(s) => &mut site.sections[s].backlinks,
        };
        if !list.iter().any(|(p, _)| *p == permalink) {
            list.push((permalink, title));
        }
    }
    for p in &mut site.pages {
        p.backlinks.sort();
    }
    for s in &mut site.sections {
        s.backlinks.sort();
    }
}

/// Everything rendering needs, shared across threads.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub config: &'a Config,
    pub engine: &'a Engine,
    pub data: Arc<SiteData>,
    pub plugins: &'a [Box<dyn Plugin>],
    pub mode: Mode,
    /// In [`Mode::Render`]: render only the outputs at these paths.
    pub only: Option<&'a HashSet<String>>,
    /// Record what each output read (`OutFile::record`).
    pub record: bool,
    /// Fingerprints of plugins' large values in this pass.
    pub memo: deps::Memo,
    /// Where each rendered output goes as soon as it is made (the build's
    /// staging folder). It answers whether to keep the bytes in the
    /// returned [`OutFile`] too (the search index reads some pages); the
    /// others are dropped at once, so a build never holds every page.
    pub sink: Option<&'a Sink<'a>>,
    /// Which of plugins' generated pages to make.
    pub generated: Generated,
    /// The pages whose values each plugin (by its place in `plugins`)
    /// read while making its generated pages.
    pub generated_reads: std::sync::Mutex<Vec<Vec<PageId>>>,
    /// The [`Order`] of what `render_all` renders now (its phases run one
    /// after another), as a number.
    pub phase: std::sync::atomic::AtomicU8,
}

/// Which of plugins' generated pages a [`Renderer`] makes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Generated {
    /// Those `only` asks for.
    #[default]
    AsWanted,
    /// Those `only` asks for of the plugins at these places in
    /// `plugins`: the others are not even asked (unless the sitemap, which
    /// lists them all, is made). `serve` asks only the plugins whose pages
    /// can have changed.
    Of(Vec<usize>),
}

/// See [`Renderer::sink`].
pub type Sink<'a> = dyn Fn(&OutFile) -> Result<bool, Diagnostic> + Sync + 'a;

impl Renderer<'_> {
    fn fingerprinting(&self) -> bool {
        self.mode == Mode::Fingerprint
    }

    /// Whether the output at `path` (relative to the output folder) is to
    /// be made in this pass.
    fn wanted(&self, path: &str) -> bool {
        self.only.is_none_or(|o| o.contains(path))
    }

    /// Render `template` with `ctx` into the file at `path`, or in
    /// [`Mode::Fingerprint`] fingerprint them. `config` is left out of the
    /// fingerprint: a config change rebuilds everything.
    fn emit(
        &self,
        template: &str,
        path: String,
        ctx: Map<String, Value>,
    ) -> Result<OutFile, Diagnostic> {
        if self.fingerprinting() {
            let mut fp = deps::Fp::new();
            fp.str(template);
            match self.engine.resolve(template) {
                Ok(r) => fp.str(&r),
                Err(d) => fp.str(&d.message),
            };
            for (k, v) in &ctx {
                if k != "config" {
                    fp.str(k).value(v);
                }
            }
            return Ok(OutFile {
                path,
                fp: fp.finish(),
                order: Order::from_u8(self.phase.load(Ordering::Relaxed)),
                ..OutFile::default()
            });
        }
        let outer = self.record.then(deps::start);
        let html = self.engine.render_map(template, ctx);
        let record = self.record.then(|| Box::new(deps::finish(outer.flatten())));
        let mut file = OutFile {
            path,
            bytes: html?.into_bytes(),
            fp: 0,
            record,
            page_values_read: Vec::new(),
            plugin: None,
            order: Order::from_u8(self.phase.load(Ordering::Relaxed)),
        };
        if let Some(sink) = self.sink {
            if !sink(&file)? {
                file.bytes = Vec::new();
            }
        }
        Ok(file)
    }

    /// A page as its own template sees it, or its stand-in.
    fn v_full_page(&self, pid: PageId) -> Value {
        if self.fingerprinting() {
            deps::stand_in(self.data.full_page_fp(self.site, pid))
        } else {
            self.data.full_page(self.site, pid)
        }
    }

    /// A list of pages, each with only `fields` when given, or its
    /// stand-in (made from whole pages: it changes whenever a field does).
    fn v_pages(&self, ids: &[PageId], fields: Option<&engine::ListFields>) -> Value {
        if self.fingerprinting() {
            Value::String(format!("{:016x}", self.data.page_list_fp(ids)))
        } else {
            self.data.page_list_with(ids, fields)
        }
    }

    /// A section with its pages, or its stand-in; its pages hold only
    /// what `template` reads of them.
    fn v_section(&self, sid: SectionId, template: &str) -> Value {
        if self.fingerprinting() {
            deps::stand_in(self.data.section_fp(sid))
        } else {
            let fields = self.engine.element_fields(template, "section.pages");
            self.data.section(sid, fields.as_ref())
        }
    }

    /// A section without its pages, or its stand-in.
    fn v_section_meta(&self, sid: SectionId) -> Value {
        if self.fingerprinting() {
            deps::stand_in(self.data.section_fps[sid])
        } else {
            self.data.sections_meta[sid].clone()
        }
    }

    fn cx<'t>(&'t self, template: Option<&'t str>) -> RenderCx<'t> {
        RenderCx {
            site: self.site,
            config: self.config,
            template,
            host: self,
        }
    }

    /// The first plugin's template for an item that names none.
    fn plugin_template(&self, item: Item) -> Option<String> {
        let cx = self.cx(None);
        self.plugins.iter().find_map(|p| p.template_for(&cx, item))
    }

    /// Let every plugin add to an item's context, then make the output.
    fn extend_and_emit(
        &self,
        item: Item,
        template: &str,
        path: String,
        mut ctx: Map<String, Value>,
    ) -> Result<OutFile, Diagnostic> {
        let cx = self.cx(Some(template));
        deps::take_page_values_read();
        for p in self.plugins {
            p.extend_context(&cx, item, &mut ctx)?;
        }
        let read = deps::take_page_values_read();
        let mut file = self.emit(template, path, ctx)?;
        file.page_values_read = read;
        Ok(file)
    }

    /// What every template gets, on an output in `lang`.
    fn base_context(&self, current_path: &str, lang: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("config".into(), self.data.config_for(lang).clone());
        m.insert("current_path".into(), json!(current_path));
        m.insert(
            "current_url".into(),
            json!(self.config.permalink(current_path)),
        );
        m.insert("lang".into(), json!(lang));
        m.insert("zola_version".into(), json!("0.22.1"));
        m.insert(
            "throughline_version".into(),
            json!(env!("CARGO_PKG_VERSION")),
        );
        m
    }

    fn page_template(&self, pid: PageId) -> String {
        let page = &self.site.pages[pid];
        if let Some(t) = &page.meta.template {
            return t.clone();
        }
        for sid in page.ancestors.iter().rev() {
            if let Some(t) = &self.site.sections[*sid].meta.page_template {
                return t.clone();
            }
        }
        self.plugin_template(Item::Page(pid))
            .unwrap_or_else(|| "page.html".into())
    }

    fn render_page(&self, pid: PageId) -> Option<Result<OutFile, Diagnostic>> {
        let page = &self.site.pages[pid];
        let path = out_path_for(&page.path);
        if !self.wanted(&path) {
            return None;
        }
        let mut ctx = self.base_context(&page.path, &page.lang);
        ctx.insert("page".into(), self.v_full_page(pid));
        let template = self.page_template(pid);
        let out = self
            .extend_and_emit(Item::Page(pid), &template, path, ctx)
            .map_err(|d| with_content_file(d, &page.file.path));
        Some(out)
    }

    fn section_template(&self, sid: SectionId) -> String {
        let s = &self.site.sections[sid];
        s.meta
            .template
            .clone()
            .or_else(|| self.plugin_template(Item::Section(sid)))
            .unwrap_or_else(|| {
                if s.is_index() {
                    "index.html".into()
                } else {
                    "section.html".into()
                }
            })
    }

    fn render_section(&self, sid: SectionId) -> Vec<Result<OutFile, Diagnostic>> {
        let s = &self.site.sections[sid];
        if let Some(target) = &s.meta.redirect_to {
            let url = if markdown::is_external(target) {
                target.clone()
            } else {
                self.config.permalink(target)
            };
            return self.alias(&s.path, &url).into_iter().collect();
        }
        if !s.meta.render {
            return Vec::new();
        }
        let template = self.section_template(sid);
        match s.meta.paginate_by {
            Some(by) if by > 0 => self.render_paginated(sid, by, &template),
            _ => {
                let path = out_path_for(&s.path);
                if !self.wanted(&path) {
                    return Vec::new();
                }
                let mut ctx = self.base_context(&s.path, &s.lang);
                ctx.insert("section".into(), self.v_section(sid, &template));
                vec![self
                    .extend_and_emit(Item::Section(sid), &template, path, ctx)
                    .map_err(|d| with_content_file(d, &s.file.path))]
            }
        }
    }

    /// Zola's paginator over a list of pages at `base_path`, for
    /// `template`: each pager's pages hold only what it reads of them.
    fn pagers(
        &self,
        pages: &[PageId],
        by: usize,
        (base_path, paginate_path): (&str, &str),
        reversed: bool,
        template: &str,
    ) -> Vec<(String, Value)> {
        let fields = self.engine.element_fields(template, "paginator.pages");
        let mut list: Vec<PageId> = pages.to_vec();
        if reversed {
            list.reverse();
        }
        let chunks: Vec<&[PageId]> = if list.is_empty() {
            vec![&[]]
        } else {
            list.chunks(by).collect()
        };
        let total = chunks.len();
        let base_permalink = self.config.permalink(base_path);
        let pager_path = |i: usize| pager_path(base_path, paginate_path, i);
        (0..total)
            .filter_map(|i| {
                let path = pager_path(i);
                // Only the pagers wanted in this pass are built.
                if !self.wanted(&out_path_for(&path)) {
                    return None;
                }
                let pv = json!({
                    "paginate_by": by,
                    "base_url": format!("{}{}/", base_permalink, paginate_path),
                    "number_pagers": total,
                    "first": base_permalink,
                    "last": self.config.permalink(&pager_path(total - 1)),
                    "previous": if i > 0 { json!(self.config.permalink(&pager_path(i - 1))) } else { Value::Null },
                    "next": if i + 1 < total { json!(self.config.permalink(&pager_path(i + 1))) } else { Value::Null },
                    "pages": self.v_pages(chunks[i], fields.as_ref()),
                    "current_index": i + 1,
                    "total_pages": list.len(),
                });
                Some((path, pv))
            })
            .collect()
    }

    fn render_paginated(
        &self,
        sid: SectionId,
        by: usize,
        template: &str,
    ) -> Vec<Result<OutFile, Diagnostic>> {
        let s = &self.site.sections[sid];
        let pagers = self.pagers(
            &s.pages,
            by,
            (&s.path, &s.meta.paginate_path),
            s.meta.paginate_reversed,
            template,
        );
        let mut out: Vec<Result<OutFile, Diagnostic>> = pagers
            .into_par_iter()
            .filter(|(path, _)| self.wanted(&out_path_for(path)))
            .map(|(path, pager)| {
                let mut ctx = self.base_context(&path, &s.lang);
                ctx.insert("section".into(), self.v_section_meta(sid));
                ctx.insert("paginator".into(), pager);
                self.extend_and_emit(Item::Section(sid), template, out_path_for(&path), ctx)
                    .map_err(|d| with_content_file(d, &s.file.path))
            })
            .collect();
        // `/section/page/1/` redirects to the section itself, as in Zola.
        let first = format!("{}{}/1/", s.path, s.meta.paginate_path);
        out.extend(self.alias(&first, &s.permalink));
        out
    }

    fn alias(&self, path: &str, url: &str) -> Option<Result<OutFile, Diagnostic>> {
        let p = path.trim_start_matches('/');
        let file = if p.ends_with(".html") || p.ends_with(".htm") {
            p.to_string()
        } else {
            out_path_for(path)
        };
        if !self.wanted(&file) {
            return None;
        }
        let mut ctx = Map::new();
        ctx.insert("url".into(), json!(url));
        Some(self.emit("internal/alias.html", file, ctx))
    }

    /// A taxonomy's language: its own, else the site's default.
    fn taxonomy_lang<'t>(&'t self, tax: &'t crate::site::Taxonomy) -> &'t str {
        tax.config
            .lang
            .as_deref()
            .unwrap_or(&self.config.default_language)
    }

    /// A taxonomy's list and term templates.
    fn taxonomy_templates(&self, tax: &crate::site::Taxonomy) -> (String, String) {
        let pick = |own: String, fallback: &str| {
            self.engine
                .first_of(&[&own, fallback])
                .map(str::to_string)
                .unwrap_or(own)
        };
        (
            pick(
                format!("{}/list.html", tax.config.name),
                "taxonomy_list.html",
            ),
            pick(
                format!("{}/single.html", tax.config.name),
                "taxonomy_single.html",
            ),
        )
    }

    /// Whether the taxonomy's list template may read its terms' pages.
    fn list_reads_pages(&self, list_tpl: &str) -> bool {
        self.engine.reads(list_tpl, &["pages"])
    }

    /// Whether a term page's `term` holds every page of the term. On
    /// paginated term pages, `term.pages` is every page of the term on
    /// every pager: copied only when a template reads it.
    fn term_pages_read(&self, tax: &crate::site::Taxonomy, single_tpl: &str) -> bool {
        tax.config.paginate_by.unwrap_or(0) == 0
            || self.engine.reads(
                single_tpl,
                &[
                    "term.pages",
                    "term[",
                    "= term",
                    "term)",
                    "term,",
                    "term }}",
                    "term|",
                ],
            )
    }

    fn render_taxonomies(&self) -> Vec<Result<OutFile, Diagnostic>> {
        let mut jobs: Vec<Result<OutFile, Diagnostic>> = Vec::new();
        for (ti, tax) in self.site.taxonomies.iter().enumerate() {
            // As Zola: a taxonomy no page uses has no list.
            if !tax.config.render || tax.terms.is_empty() {
                continue;
            }
            let kind = context::taxonomy_kind(tax, &self.config.default_language);
            let lang = self.taxonomy_lang(tax);
            let (list_tpl, single_tpl) = self.taxonomy_templates(tax);
            let list_path = out_path_for(&tax.path);
            if self.wanted(&list_path) {
                let mut ctx = self.base_context(&tax.path, lang);
                ctx.insert("taxonomy".into(), kind.clone());
                // Each term's `pages` (every page of the term, so every
                // tagged page once or more) only when the template could
                // read them; `page_count` is always there.
                let terms = if self.list_reads_pages(&list_tpl) {
                    self.data.terms(ti, self.fingerprinting())
                } else {
                    self.data.terms_without_pages(ti)
                };
                ctx.insert("terms".into(), terms);
                jobs.push(self.emit(&list_tpl, list_path, ctx));
            }
            let term_pages_read = self.term_pages_read(tax, &single_tpl);
            let results: Vec<Vec<Result<OutFile, Diagnostic>>> = tax
                .terms
                .par_iter()
                .enumerate()
                .map(|(i, term)| {
                    let mut term_value: Option<Value> = None;
                    let pagers = match tax.config.paginate_by {
                        Some(by) if by > 0 => self.pagers(
                            &term.pages,
                            by,
                            (&term.path, tax.config.paginate_path()),
                            false,
                            &single_tpl,
                        ),
                        _ => vec![(term.path.clone(), Value::Null)],
                    };
                    let mut out = Vec::new();
                    for (path, pager) in pagers {
                        let file = out_path_for(&path);
                        if !self.wanted(&file) {
                            continue;
                        }
                        let term_value = term_value.get_or_insert_with(|| {
                            if term_pages_read {
                                self.data.term_or_stand_in(ti, i, self.fingerprinting())
                            } else {
                                self.data.term(ti, i, false)
                            }
                        });
                        let mut ctx = self.base_context(&path, lang);
                        ctx.insert("taxonomy".into(), kind.clone());
                        ctx.insert("term".into(), term_value.clone());
                        if !pager.is_null() {
                            ctx.insert("paginator".into(), pager);
                        }
                        out.push(self.emit(&single_tpl, file, ctx));
                    }
                    // A term's feed is the taxonomy's `feed`, whatever
                    // `generate_feeds` says (as in Zola).
                    if tax.config.feed {
                        let pages: Vec<PageId> = term.pages.clone();
                        out.extend(self.feeds(&pages, &term.path, lang, || {
                            Some((
                                "term",
                                self.data.term_or_stand_in(ti, i, self.fingerprinting()),
                            ))
                        }));
                    }
                    out
                })
                .collect();
            jobs.extend(results.into_iter().flatten());
        }
        jobs
    }

    fn feeds<'e>(
        &self,
        pages: &[PageId],
        base: &str,
        lang: &str,
        extra: impl Fn() -> Option<(&'e str, Value)>,
    ) -> Vec<Result<OutFile, Diagnostic>> {
        let (_, feed_filenames) = self.config.feeds_for(lang);
        if !feed_filenames
            .iter()
            .any(|name| self.wanted(format!("{base}{name}").trim_start_matches('/')))
        {
            return Vec::new();
        }
        let mut dated: Vec<PageId> = pages
            .iter()
            .copied()
            .filter(|p| self.site.pages[*p].meta.date.is_some())
            .collect();
        dated.sort_by(|a, b| {
            self.site.pages[*b]
                .meta
                .date
                .cmp(&self.site.pages[*a].meta.date)
                .then_with(|| {
                    self.site.pages[*a]
                        .permalink
                        .cmp(&self.site.pages[*b].permalink)
                })
        });
        if let Some(limit) = self.config.feed_limit {
            dated.truncate(limit);
        }
        let last_updated = dated
            .iter()
            .filter_map(|p| {
                let m = &self.site.pages[*p].meta;
                m.updated
                    .as_ref()
                    .or(m.date.as_ref())
                    .map(|d| d.text.clone())
            })
            .max()
            .unwrap_or_else(|| build_time().to_rfc3339());
        let mut out = Vec::new();
        for name in feed_filenames {
            let path = format!("{}{}", base, name);
            let file = path.trim_start_matches('/').to_string();
            if !self.wanted(&file) {
                continue;
            }
            let mut ctx = self.base_context(&path, lang);
            let fields = self.engine.element_fields(name, "pages");
            ctx.insert("pages".into(), self.v_pages(&dated, fields.as_ref()));
            ctx.insert(
                "feed_url".into(),
                json!(format!(
                    "{}/{}",
                    self.config.base(),
                    path.trim_start_matches('/')
                )),
            );
            ctx.insert("last_updated".into(), json!(last_updated));
            if let Some((k, v)) = extra() {
                ctx.insert(k.to_string(), v);
            }
            out.push(self.emit(name, file, ctx));
        }
        out
    }

    /// Every plugin's extra pages.
    /// Plugins' generated pages: every plugin's, or (with
    /// [`Generated::Of`]) the listed plugins'.
    fn generated(&self, all: bool) -> Vec<(usize, GeneratedPage)> {
        let cx = self.cx(None);
        let mut reads = Vec::with_capacity(self.plugins.len());
        let mut pages = Vec::new();
        for (i, p) in self.plugins.iter().enumerate() {
            let asked = match &self.generated {
                Generated::Of(list) if !all => list.contains(&i),
                _ => true,
            };
            deps::take_page_values_read();
            if asked {
                pages.extend(p.generated_pages(&cx).into_iter().map(|g| (i, g)));
            }
            reads.push(deps::take_page_values_read());
        }
        *self
            .generated_reads
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = reads;
        pages
    }

    fn render_generated(
        &self,
        plugin: usize,
        g: &GeneratedPage,
    ) -> Option<Result<OutFile, Diagnostic>> {
        if crate::load::escaping_component(&g.path).is_some() {
            return Some(Err(Diagnostic::error(format!(
                "a plugin asked for a page at `{}`, which is outside the site",
                g.path
            ))));
        }
        let p = g.path.trim_start_matches('/');
        let last = p.rsplit('/').next().unwrap_or("");
        let file = if last.contains('.') {
            p.to_string()
        } else {
            out_path_for(&g.path)
        };
        let make = match &self.generated {
            Generated::AsWanted => self.wanted(&file),
            Generated::Of(list) => list.contains(&plugin) && self.wanted(&file),
        };
        if !make {
            return None;
        }
        let mut ctx = self.base_context(&g.path, &self.config.default_language);
        for (k, v) in &g.context {
            ctx.insert(k.clone(), v.clone());
        }
        Some(self.emit(&g.template, file, ctx).map(|mut f| {
            f.plugin = Some(plugin);
            f
        }))
    }

    fn sitemap(&self, generated: &[(usize, GeneratedPage)]) -> Vec<Result<OutFile, Diagnostic>> {
        if !self.wanted("sitemap.xml") {
            return Vec::new();
        }
        let mut entries: Vec<(String, Option<String>)> = Vec::new();
        for (_, g) in generated.iter().filter(|(_, g)| g.in_sitemap) {
            entries.push((self.config.permalink(&g.path), None));
        }
        for s in &self.site.sections {
            if s.meta.render && s.meta.redirect_to.is_none() {
                entries.push((s.permalink.clone(), None));
                if let Some(by) = s.meta.paginate_by.filter(|b| *b > 0) {
                    let n = s.pages.len().div_ceil(by).max(1);
                    if self.config.exclude_paginated_pages_in_sitemap != "all" {
                        for i in 2..=n {
                            entries.push((
                                self.config.permalink(&format!(
                                    "{}{}/{}/",
                                    s.path, s.meta.paginate_path, i
                                )),
                                None,
                            ));
                        }
                    }
                }
            }
        }
        for p in &self.site.pages {
            if p.meta.render {
                let updated = p
                    .meta
                    .updated
                    .as_ref()
                    .or(p.meta.date.as_ref())
                    .map(|d| d.naive.format("%Y-%m-%d").to_string());
                entries.push((p.permalink.clone(), updated));
            }
        }
        for t in &self.site.taxonomies {
            if t.config.render {
                entries.push((t.permalink.clone(), None));
                for term in &t.terms {
                    entries.push((term.permalink.clone(), None));
                }
            }
        }
        entries.sort();
        entries.dedup();
        let value: Vec<Value> = entries
            .iter()
            .map(|(p, u)| json!({"permalink": p, "updated": u, "extra": null}))
            .collect();
        let mut ctx = self.base_context("/sitemap.xml", &self.config.default_language);
        ctx.insert("entries".into(), Value::Array(value));
        vec![self.emit("sitemap.xml", "sitemap.xml".into(), ctx)]
    }

    /// The feed files of a list at `base` in `lang`.
    fn feed_files(&self, base: &str, lang: &str) -> impl Iterator<Item = String> + '_ {
        let base = base.to_string();
        self.config
            .feeds_for(lang)
            .1
            .iter()
            .map(move |name| format!("{base}{name}").trim_start_matches('/').to_string())
    }

    /// Every output a section makes whose context holds the section's
    /// value or its pages' (its page or pagers, and its feeds).
    pub fn outputs_of_section(&self, sid: SectionId) -> Vec<String> {
        let s = &self.site.sections[sid];
        let mut out = Vec::new();
        if s.meta.render && s.meta.redirect_to.is_none() {
            match s.meta.paginate_by {
                Some(by) if by > 0 => out.extend(pager_files(
                    &s.path,
                    &s.meta.paginate_path,
                    s.pages.len(),
                    by,
                )),
                _ => out.push(out_path_for(&s.path)),
            }
        }
        if s.meta.generate_feeds {
            out.extend(self.feed_files(&s.path, &s.lang));
        }
        out
    }

    /// Every output whose context can hold page `pid`'s value, as the
    /// outputs are built above: its own page, the pages it is `lower` or
    /// `higher` of, the lists it is in (sections, terms, the taxonomy list
    /// and their pagers) and the feeds that can list it. Plugins' generated
    /// pages, outputs whose plugins read page values, and template
    /// functions are not covered: `serve` looks at those separately.
    pub fn outputs_showing_page(&self, pid: PageId) -> HashSet<String> {
        let site = self.site;
        let page = &site.pages[pid];
        let mut out = HashSet::new();
        let mut add_page = |q: PageId| {
            if site.pages[q].meta.render {
                out.insert(out_path_for(&site.pages[q].path));
            }
        };
        add_page(pid);
        for (q, other) in site.pages.iter().enumerate() {
            if other.lower == Some(pid) || other.higher == Some(pid) {
                add_page(q);
            }
        }
        // The pager of a list that shows the page (the others show other
        // pages).
        let pager_of = |list: &[PageId], reversed: bool, base: &str, paginate_path: &str, by| {
            let at = list.iter().position(|p| *p == pid)?;
            let at = if reversed { list.len() - 1 - at } else { at };
            Some(out_path_for(&pager_path(base, paginate_path, at / by)))
        };
        for (sid, s) in site.sections.iter().enumerate() {
            if !s.pages.contains(&pid) {
                continue;
            }
            match s.meta.paginate_by {
                Some(by) if by > 0 && s.meta.render && s.meta.redirect_to.is_none() => {
                    out.extend(pager_of(
                        &s.pages,
                        s.meta.paginate_reversed,
                        &s.path,
                        &s.meta.paginate_path,
                        by,
                    ));
                    if s.meta.generate_feeds {
                        out.extend(self.feed_files(&s.path, &s.lang));
                    }
                }
                _ => out.extend(self.outputs_of_section(sid)),
            }
        }
        for tax in &site.taxonomies {
            let lang = self.taxonomy_lang(tax);
            let (list_tpl, single_tpl) = self.taxonomy_templates(tax);
            let whole_term = self.term_pages_read(tax, &single_tpl);
            for term in tax.terms.iter().filter(|t| t.pages.contains(&pid)) {
                if self.list_reads_pages(&list_tpl) {
                    out.insert(out_path_for(&tax.path));
                }
                match tax.config.paginate_by {
                    Some(by) if by > 0 && whole_term => out.extend(pager_files(
                        &term.path,
                        tax.config.paginate_path(),
                        term.pages.len(),
                        by,
                    )),
                    Some(by) if by > 0 => out.extend(pager_of(
                        &term.pages,
                        false,
                        &term.path,
                        tax.config.paginate_path(),
                        by,
                    )),
                    _ => {
                        out.insert(out_path_for(&term.path));
                    }
                }
                if tax.config.feed {
                    out.extend(self.feed_files(&term.path, lang));
                }
            }
        }
        let base = format!("{}/", self.config.lang_prefix(&page.lang));
        out.extend(self.feed_files(&base, &page.lang));
        out
    }

    /// Render every output file. Errors are collected, not returned early.
    pub fn render_all(&self, diags: &Diagnostics) -> Vec<OutFile> {
        let site = self.site;
        let phase = |o: Order| self.phase.store(o as u8, Ordering::Relaxed);
        phase(Order::Content);
        let mut results: Vec<Result<OutFile, Diagnostic>> = (0..site.pages.len())
            .into_par_iter()
            .filter(|p| site.pages[*p].meta.render)
            .filter_map(|p| self.render_page(p))
            .collect();
        let sections: Vec<Vec<Result<OutFile, Diagnostic>>> = (0..site.sections.len())
            .into_par_iter()
            .map(|s| self.render_section(s))
            .collect();
        results.extend(sections.into_iter().flatten());
        phase(Order::Taxonomy);
        results.extend(self.render_taxonomies());
        phase(Order::Content);
        let generated = self.generated(self.wanted("sitemap.xml"));
        results.extend(
            generated
                .par_iter()
                .filter_map(|(i, g)| self.render_generated(*i, g))
                .collect::<Vec<_>>(),
        );
        // Aliases.
        phase(Order::Alias);
        for p in &site.pages {
            for a in &p.meta.aliases {
                results.extend(self.checked_alias(a, &p.permalink, &p.file.path));
            }
        }
        for s in &site.sections {
            for a in &s.meta.aliases {
                results.extend(self.checked_alias(a, &s.permalink, &s.file.path));
            }
        }
        // Feeds.
        // The site's feed in each language that asks for one, of that
        // language's pages (`/atom.xml`, `/fr/atom.xml`).
        phase(Order::SiteFeed);
        for lang in self.config.all_languages() {
            if !self.config.feeds_for(lang).0 {
                continue;
            }
            let all: Vec<PageId> = (0..site.pages.len())
                .filter(|p| site.pages[*p].meta.render && site.pages[*p].lang == lang)
                .collect();
            let base = format!("{}/", self.config.lang_prefix(lang));
            results.extend(self.feeds(&all, &base, lang, || None));
        }
        phase(Order::Content);
        for (sid, s) in site.sections.iter().enumerate() {
            if s.meta.generate_feeds {
                results.extend(self.feeds(&s.pages, &s.path, &s.lang, || {
                    Some(("section", self.v_section_meta(sid)))
                }));
            }
        }
        // 404, sitemap, robots.
        phase(Order::NotFound);
        if self.wanted("404.html") {
            let ctx = self.base_context("/404.html", &self.config.default_language);
            results.push(self.emit("404.html", "404.html".into(), ctx));
        }
        phase(Order::Sitemap);
        if self.config.generate_sitemap {
            results.extend(self.sitemap(&generated));
        }
        phase(Order::Robots);
        if self.config.generate_robots_txt && self.wanted("robots.txt") {
            let ctx = self.base_context("/robots.txt", &self.config.default_language);
            results.push(self.emit("robots.txt", "robots.txt".into(), ctx));
        }
        let mut files = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Ok(f) => files.push(f),
                Err(d) => diags.push(d),
            }
        }
        if !self.fingerprinting() {
            settle_collisions(&mut files, diags);
        }
        files
    }

    fn checked_alias(
        &self,
        alias: &str,
        target: &str,
        file: &std::path::Path,
    ) -> Option<Result<OutFile, Diagnostic>> {
        if crate::load::escaping_component(alias).is_some() {
            return Some(Err(Diagnostic::error(format!(
                "the alias `{alias}` would be written outside the site"
            ))
            .in_file(file)
            .with_hint("aliases are paths inside the site, such as `old/address/`")));
        }
        self.alias(alias, target)
    }
}

/// The time of this build: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds), else now.
pub fn build_time() -> chrono::DateTime<chrono::Utc> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .unwrap_or_else(chrono::Utc::now)
}

/// A template error met while rendering a content file: say which file was
/// being rendered too.
fn with_content_file(mut d: Diagnostic, file: &std::path::Path) -> Diagnostic {
    d.hint = Some(format!(
        "{} (while rendering {})",
        d.hint.unwrap_or_default(),
        file.display()
    ));
    d
}

/// What a plugin may ask of the renderer (`crate::plugin::Host`): the
/// pages as templates see them (each read recorded for `serve`), the
/// templates, and fingerprints in place of values when `serve` only
/// fingerprints.
impl crate::plugin::Host for Renderer<'_> {
    fn fingerprinting(&self) -> bool {
        self.mode == Mode::Fingerprint
    }

    fn page_value(&self, pid: PageId) -> Arc<Value> {
        deps::note_page_value_read(pid);
        self.data.page(pid)
    }

    fn page_field(&self, pid: PageId, field: &str) -> Option<Value> {
        deps::note_page_value_read(pid);
        self.data.page_field(pid, field)
    }

    fn has_template(&self, name: &str) -> bool {
        self.engine.has(name)
    }

    fn template_reads(&self, template: &str, needles: &[&str]) -> bool {
        self.engine.reads(template, needles)
    }

    fn fields_read(&self, template: &str, var: &str) -> Option<Vec<String>> {
        self.engine.fields_read(template, var)
    }

    fn stand_in(&self, v: &Value) -> Value {
        deps::stand_in(self.memo.fp(v))
    }

    fn render(&self, name: &str, context: Map<String, Value>) -> Result<String, Diagnostic> {
        if self.mode == Mode::Fingerprint {
            let mut fp = deps::Fp::new();
            fp.str(name);
            for (k, v) in &context {
                fp.str(k).value(v);
            }
            return Ok(format!("\u{0}render {:016x}", fp.finish()));
        }
        self.engine.render_map(name, context)
    }
}
