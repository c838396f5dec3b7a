//! Stage 4 and 5: render. Runs the Markdown stage over every page and
//! section (in parallel), checks internal links and anchors, serialises the
//! site once, then renders every output file through the template engine
//! (in parallel). The result is a list of files in memory; writing them is
//! `output`'s job.
//!
//! In the order the stage runs: [`bodies`] (the Markdown stage driven with
//! shortcodes), [`links`] (anchors and backlinks), [`context`] (the site
//! as templates see it), then one file per kind of output: [`pages`]
//! (pages and aliases), [`lists`] (sections and their pagers),
//! [`taxonomies`], [`feeds`] (feeds and sitemaps) and [`generated`]
//! (plugins' pages), each adding its methods to the [`Renderer`] here,
//! which runs them all ([`Renderer::render_all`]); [`out`] is what they
//! make and where it goes. Templates are behind [`engine`] (layers,
//! lookup, functions), whose [`engine::Backend`]s ([`tera_engine`],
//! [`jinja_engine`]) are the only modules naming their crates, and
//! [`scan`] holds all that is known of template syntax.

mod bodies;
pub(crate) mod context;
pub(crate) mod deps;
pub(crate) mod engine;
mod feeds;
pub(crate) mod functions;
mod generated;
mod jinja_engine;
mod links;
mod lists;
mod out;
mod pages;
mod scan;
mod taxonomies;
mod tera_engine;
pub(crate) mod theme;

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::{Plugin, RenderCx};
use crate::site::{Item, PageId, SectionId, Site};
pub(crate) use bodies::{
    image_answer, link_answer, markdown_renders_anchor_links, markdown_renders_templates,
    may_have_shortcodes, page_insert_anchor, render_markdown, render_markdown_of, Bodies,
    ImageFiles, MarkdownResult, Selection,
};
pub(crate) use context::SiteData;
pub(crate) use engine::{Engine, EngineKind};
pub(crate) use links::{check_anchors, check_anchors_and_backlinks};
pub(crate) use out::{out_path_for, Order, OutFile};
use out::{pager_files, pager_path, settle_collisions};

/// What [`Renderer::render_all`] does for each output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Mode {
    /// Render it.
    #[default]
    Render,
    /// Build its context with large values (pages, page lists) replaced by
    /// their fingerprints, and return the context's fingerprint: cheap, and
    /// different whenever the rendered output could be.
    Fingerprint,
}

/// Everything rendering needs, shared across threads.
pub(crate) struct Renderer<'a> {
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
pub(crate) enum Generated {
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
pub(crate) type Sink<'a> = dyn Fn(&OutFile) -> Result<bool, Diagnostic> + Sync + 'a;

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
        let html = html?;
        let bytes = if self.config.minify_html && path.ends_with("html") {
            out::minified(&html)
        } else {
            html.into_bytes()
        };
        let mut file = OutFile {
            path,
            bytes,
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

    /// A page as its own `template` sees it: with only the fields the
    /// template reads of `page` when that is known (the output is the
    /// same), or its stand-in.
    fn v_own_page(&self, pid: PageId, template: &str) -> Value {
        if self.fingerprinting() {
            return self.v_full_page(pid);
        }
        match self.engine.fields_read_once(template, "page") {
            Some(fields) => self.data.full_page_fields(self.site, pid, &fields),
            None => self.data.full_page(self.site, pid),
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

    /// Every output a section makes whose context holds the section's
    /// value or its pages' (its page or pagers, and its feeds).
    pub(crate) fn outputs_of_section(&self, sid: SectionId) -> Vec<String> {
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
    pub(crate) fn outputs_showing_page(&self, pid: PageId) -> HashSet<String> {
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
    pub(crate) fn render_all(&self, diags: &Diagnostics) -> Vec<OutFile> {
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
}

/// The time of this build: `SOURCE_DATE_EPOCH` when set (reproducible
/// builds), else now.
pub(crate) fn build_time() -> chrono::DateTime<chrono::Utc> {
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

    fn render(&self, name: &str, context: &mut Map<String, Value>) -> Result<String, Diagnostic> {
        if self.mode == Mode::Fingerprint {
            let mut fp = deps::Fp::new();
            fp.str(name);
            for (k, v) in context.iter() {
                fp.str(k).value(v);
            }
            return Ok(format!("\u{0}render {:016x}", fp.finish()));
        }
        self.engine.render_lent(name, context)
    }
}
