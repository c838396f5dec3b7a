//! The data templates see, as plain JSON-shaped values (`serde_json`),
//! in Zola 0.22's shapes. Built once per build and shared by every render;
//! no engine type appears here.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::render::deps::{hash_value, Fp};
use crate::render::engine::ListFields;
use crate::site::{Page, PageId, Section, SectionId, Site, Taxonomy};

/// What templates see, by id. Sections' and terms' page lists are kept as
/// ids and built when asked for.
#[derive(Clone)]
pub(crate) struct SiteData {
    /// Each page without `lower`/`higher` (as in section listings).
    pages: PageValues,
    /// Each page value's fingerprint (only with a [`ValueCache`]).
    pub page_fps: Vec<u64>,
    /// Each section without its pages (`get_section(metadata_only=true)`,
    /// and `section` on paginated pages).
    pub sections_meta: Vec<Value>,
    pub section_fps: Vec<u64>,
    section_pages: Vec<Vec<PageId>>,
    taxonomies: Vec<TaxonomyData>,
    pub config: Value,
    /// `config` as seen from each language other than the default.
    pub lang_configs: HashMap<String, Value>,
    /// Whether each page is written (`render = false` pages are not).
    pub page_rendered: Vec<bool>,
}

/// Where page values come from.
#[derive(Clone)]
enum PageValues {
    /// Made once and kept: `serve` patches them after an edit and
    /// fingerprints them.
    Kept(Vec<Arc<Value>>),
    /// Made from the site whenever one is asked for, with only the fields
    /// asked for: a build keeps no page values (at 10,000 pages, kept
    /// values held 70 MB besides the bodies), and a page's value is made
    /// about as fast as a kept one is copied into a context.
    FromSite(Arc<Site>),
}

#[derive(Clone)]
struct TaxonomyData {
    kind: Value,
    lang: String,
    permalink: String,
    terms: Vec<TermData>,
}

#[derive(Clone)]
struct TermData {
    head: Map<String, Value>,
    pages: Vec<PageId>,
}

/// Page and section values from an earlier build, by relative path, with
/// the fingerprint of what each was made from: `serve` re-serialises only
/// what changed.
#[derive(Default)]
pub(crate) struct ValueCache {
    pages: HashMap<String, Cached>,
    sections: HashMap<String, Cached>,
}

#[derive(Clone)]
struct Cached {
    input: u64,
    value: Arc<Value>,
    fp: u64,
}

impl ValueCache {
    /// Make page `pid`'s value again (its body changed) and keep it;
    /// returns it with its fingerprint.
    pub(crate) fn refresh_page(&mut self, site: &Site, pid: PageId) -> (Arc<Value>, u64) {
        let p = &site.pages[pid];
        let c = Cached::make(page_input(site, p), page_value(site, p));
        let out = (c.value.clone(), c.fp);
        self.pages.insert(p.file.relative.clone(), c);
        out
    }

    /// Make section `sid`'s value again and keep it.
    pub(crate) fn refresh_section(&mut self, site: &Site, sid: SectionId) -> (Arc<Value>, u64) {
        let s = &site.sections[sid];
        let c = Cached::make(section_input(site, s), section_value(site, s));
        let out = (c.value.clone(), c.fp);
        self.sections.insert(s.file.relative.clone(), c);
        out
    }
}

impl Cached {
    /// The cached value at `rel` if it was made from the same input, else
    /// a new one.
    fn reuse_or_make(
        cache: &HashMap<String, Cached>,
        rel: &str,
        input: u64,
        make: impl FnOnce() -> Value,
    ) -> Cached {
        match cache.get(rel) {
            Some(c) if c.input == input => c.clone(),
            _ => Cached::make(input, make()),
        }
    }

    /// A value made from `input`, with its fingerprint.
    fn make(input: u64, value: Value) -> Cached {
        Cached {
            input,
            fp: hash_value(&value),
            value: Arc::new(value),
        }
    }
}

impl SiteData {
    /// With a cache: values whose inputs have not changed are reused, and
    /// every value gets a fingerprint.
    pub(crate) fn build(site: &Site, config: Value, cache: Option<&mut ValueCache>) -> SiteData {
        SiteData::assemble(site, config, cache, false)
    }

    /// A site's data whose page values are made from it when asked for
    /// (see [`PageValues::FromSite`]); for a build, which edits nothing.
    pub(crate) fn from_site(site: Arc<Site>, config: Value) -> SiteData {
        let mut data = SiteData::assemble(&site, config, None, true);
        data.pages = PageValues::FromSite(site);
        data
    }

    /// Everything but the page values when `no_pages`.
    fn assemble(
        site: &Site,
        config: Value,
        cache: Option<&mut ValueCache>,
        no_pages: bool,
    ) -> SiteData {
        let (pages, page_fps, sections_meta, section_fps) = match cache {
            None => (
                if no_pages {
                    Vec::new()
                } else {
                    site.pages
                        .par_iter()
                        .map(|p| Arc::new(page_value(site, p)))
                        .collect()
                },
                Vec::new(),
                site.sections
                    .iter()
                    .map(|s| section_value(site, s))
                    .collect(),
                Vec::new(),
            ),
            Some(cache) => {
                let pages: Vec<Cached> = site
                    .pages
                    .par_iter()
                    .map(|p| {
                        Cached::reuse_or_make(
                            &cache.pages,
                            &p.file.relative,
                            page_input(site, p),
                            || page_value(site, p),
                        )
                    })
                    .collect();
                let sections: Vec<Cached> = site
                    .sections
                    .iter()
                    .map(|s| {
                        Cached::reuse_or_make(
                            &cache.sections,
                            &s.file.relative,
                            section_input(site, s),
                            || section_value(site, s),
                        )
                    })
                    .collect();
                cache.pages = site
                    .pages
                    .iter()
                    .zip(&pages)
                    .map(|(p, c)| (p.file.relative.clone(), c.clone()))
                    .collect();
                cache.sections = site
                    .sections
                    .iter()
                    .zip(&sections)
                    .map(|(s, c)| (s.file.relative.clone(), c.clone()))
                    .collect();
                (
                    pages.iter().map(|c| c.value.clone()).collect(),
                    pages.iter().map(|c| c.fp).collect(),
                    sections.iter().map(|c| (*c.value).clone()).collect(),
                    sections.iter().map(|c| c.fp).collect(),
                )
            }
        };
        let default_lang = config["default_language"].as_str().unwrap_or("en");
        let taxonomies = site
            .taxonomies
            .iter()
            .map(|t| TaxonomyData {
                kind: taxonomy_kind(t, default_lang),
                lang: t.config.lang.as_deref().unwrap_or(default_lang).to_string(),
                permalink: t.permalink.clone(),
                terms: t
                    .terms
                    .iter()
                    .map(|term| {
                        let mut head = Map::new();
                        head.insert("name".into(), json!(term.name));
                        head.insert("slug".into(), json!(term.slug));
                        head.insert("path".into(), json!(term.path));
                        head.insert("permalink".into(), json!(term.permalink));
                        TermData {
                            head,
                            pages: term.pages.clone(),
                        }
                    })
                    .collect(),
            })
            .collect();
        SiteData {
            pages: PageValues::Kept(pages),
            page_fps,
            sections_meta,
            section_fps,
            section_pages: site.sections.iter().map(|s| s.pages.clone()).collect(),
            lang_configs: HashMap::new(),
            taxonomies,
            config,
            page_rendered: site.pages.iter().map(|p| p.meta.render).collect(),
        }
    }

    /// Page `pid`'s value (without `lower`/`higher`).
    pub(crate) fn page(&self, pid: PageId) -> Arc<Value> {
        match &self.pages {
            PageValues::Kept(v) => v[pid].clone(),
            PageValues::FromSite(site) => Arc::new(page_value(site, &site.pages[pid])),
        }
    }

    /// Page `pid`'s value, owned (a made one is not copied).
    fn page_owned(&self, pid: PageId) -> Value {
        Arc::unwrap_or_clone(self.page(pid))
    }

    /// One field of page `pid`'s value (`None` for one pages lack).
    pub(crate) fn page_field(&self, pid: PageId, field: &str) -> Option<Value> {
        match &self.pages {
            PageValues::Kept(v) => v[pid].get(field).cloned(),
            PageValues::FromSite(site) => page_field(site, &site.pages[pid], field),
        }
    }

    /// Page `pid`'s value with only `fields` (those it has).
    pub(crate) fn page_fields(&self, pid: PageId, fields: &[String]) -> Map<String, Value> {
        fields
            .iter()
            .filter_map(|f| Some((f.clone(), self.page_field(pid, f)?)))
            .collect()
    }

    /// Put page `pid`'s value (made again after an edit to its body) in
    /// (kept values only: values made from the site are never out of date).
    pub(crate) fn set_page(&mut self, pid: PageId, value: Arc<Value>, fp: u64) {
        if let PageValues::Kept(v) = &mut self.pages {
            v[pid] = value;
        }
        if let Some(f) = self.page_fps.get_mut(pid) {
            *f = fp;
        }
    }

    /// Put section `sid`'s value (without its pages) in.
    pub(crate) fn set_section(&mut self, sid: SectionId, value: &Value, fp: u64) {
        self.sections_meta[sid] = value.clone();
        if let Some(f) = self.section_fps.get_mut(sid) {
            *f = fp;
        }
    }

    /// Page values of a list of pages.
    pub(crate) fn page_list(&self, ids: &[PageId]) -> Value {
        Value::Array(ids.iter().map(|p| self.page_owned(*p)).collect())
    }

    /// Page values of a list of pages, each with only the fields the
    /// template reads of them when given (see
    /// [`crate::render::Engine::element_fields`]): a field read only where
    /// another is falsy is left out where that one is a non-empty string.
    pub(crate) fn page_list_with(&self, ids: &[PageId], fields: Option<&ListFields>) -> Value {
        let Some(shape) = fields else {
            return self.page_list(ids);
        };
        let guarded = |f: &String| shape.only_when_falsy.iter().find(|(x, _)| x == f);
        let always: Vec<String> = shape
            .fields
            .iter()
            .filter(|f| guarded(f).is_none())
            .cloned()
            .collect();
        Value::Array(
            ids.iter()
                .map(|p| {
                    let mut v = self.page_fields(*p, &always);
                    for (f, other) in &shape.only_when_falsy {
                        let set = matches!(v.get(other), Some(Value::String(s)) if !s.is_empty());
                        if let Some(x) = (!set).then(|| self.page_field(*p, f)).flatten() {
                            v.insert(f.clone(), x);
                        }
                    }
                    Value::Object(v)
                })
                .collect(),
        )
    }

    /// The fingerprint of [`SiteData::page_list`] (with a cache only).
    pub(crate) fn page_list_fp(&self, ids: &[PageId]) -> u64 {
        let mut fp = Fp::new();
        fp.u64(ids.len() as u64);
        for p in ids {
            fp.u64(self.page_fps[*p]);
        }
        fp.finish()
    }

    /// A page as its own template sees it: with `lower` and `higher`.
    pub(crate) fn full_page(&self, site: &Site, pid: PageId) -> Value {
        let page = &site.pages[pid];
        let mut v = self.page_owned(pid);
        v["lower"] = page
            .lower
            .map(|p| self.page_owned(p))
            .unwrap_or(Value::Null);
        v["higher"] = page
            .higher
            .map(|p| self.page_owned(p))
            .unwrap_or(Value::Null);
        v
    }

    /// [`SiteData::full_page`] with only `fields` (those pages have, in
    /// Zola's order): what a page's own template reads of `page`, when
    /// that is known. A page's own value is otherwise made whole for each
    /// page (its table of contents, word count, translations…) to be read
    /// for two or three fields.
    pub(crate) fn full_page_fields(&self, site: &Site, pid: PageId, fields: &[String]) -> Value {
        let page = &site.pages[pid];
        let neighbour = |n: Option<PageId>| n.map(|p| self.page_owned(p)).unwrap_or(Value::Null);
        Value::Object(
            PAGE_FIELDS
                .iter()
                .filter(|f| fields.iter().any(|x| x == *f))
                .filter_map(|f| {
                    let v = match *f {
                        "lower" => neighbour(page.lower),
                        "higher" => neighbour(page.higher),
                        _ => self.page_field(pid, f)?,
                    };
                    Some((f.to_string(), v))
                })
                .collect(),
        )
    }

    /// The fingerprint of [`SiteData::full_page`].
    pub(crate) fn full_page_fp(&self, site: &Site, pid: PageId) -> u64 {
        let page = &site.pages[pid];
        let mut fp = Fp::new();
        fp.u64(self.page_fps[pid]);
        for n in [page.lower, page.higher] {
            fp.u64(n.map(|p| self.page_fps[p]).unwrap_or(0));
        }
        fp.finish()
    }

    /// A section with its pages (each with only `fields` when given).
    pub(crate) fn section(&self, sid: SectionId, fields: Option<&ListFields>) -> Value {
        let mut v = self.sections_meta[sid].clone();
        v["pages"] = self.page_list_with(&self.section_pages[sid], fields);
        v
    }

    /// The fingerprint of [`SiteData::section`].
    pub(crate) fn section_fp(&self, sid: SectionId) -> u64 {
        Fp::new()
            .u64(self.section_fps[sid])
            .u64(self.page_list_fp(&self.section_pages[sid]))
            .finish()
    }

    /// A term with (or without) its pages.
    pub(crate) fn term(&self, ti: usize, i: usize, with_pages: bool) -> Value {
        let t = &self.taxonomies[ti].terms[i];
        let mut m = t.head.clone();
        m.insert(
            "pages".into(),
            if with_pages {
                self.page_list(&t.pages)
            } else {
                Value::Array(Vec::new())
            },
        );
        m.insert("page_count".into(), json!(t.pages.len()));
        Value::Object(m)
    }

    /// A term as [`SiteData::term`] with pages, or its stand-in.
    pub(crate) fn term_or_stand_in(&self, ti: usize, i: usize, stand_in: bool) -> Value {
        if !stand_in {
            return self.term(ti, i, true);
        }
        let t = &self.taxonomies[ti].terms[i];
        let mut m = t.head.clone();
        m.insert(
            "pages".into(),
            Value::String(format!("{:016x}", self.page_list_fp(&t.pages))),
        );
        m.insert("page_count".into(), json!(t.pages.len()));
        Value::Object(m)
    }

    /// Every term of a taxonomy, with its pages (or stand-ins).
    pub(crate) fn terms(&self, ti: usize, stand_in: bool) -> Value {
        Value::Array(
            (0..self.taxonomies[ti].terms.len())
                .map(|i| self.term_or_stand_in(ti, i, stand_in))
                .collect(),
        )
    }

    /// Every term of a taxonomy with an empty `pages` list.
    pub(crate) fn terms_without_pages(&self, ti: usize) -> Value {
        Value::Array(
            (0..self.taxonomies[ti].terms.len())
                .map(|i| self.term(ti, i, false))
                .collect(),
        )
    }

    /// `get_taxonomy`'s answer.
    /// `config` as templates see it on an output in `lang`.
    pub(crate) fn config_for(&self, lang: &str) -> &Value {
        self.lang_configs.get(lang).unwrap_or(&self.config)
    }

    /// Which taxonomy is `kind` in `lang`.
    pub(crate) fn taxonomy_position(&self, kind: &str, lang: &str) -> Option<usize> {
        self.taxonomies
            .iter()
            .position(|t| t.kind["name"] == kind && t.lang == lang)
    }

    pub(crate) fn taxonomy(&self, ti: usize) -> Value {
        let t = &self.taxonomies[ti];
        json!({
            "kind": t.kind,
            "lang": t.lang,
            "permalink": t.permalink,
            "items": self.terms(ti, false),
        })
    }

    /// The terms of a taxonomy without their pages (for look-ups).
    pub(crate) fn term_heads(
        &self,
        ti: usize,
    ) -> impl Iterator<Item = (usize, &Map<String, Value>)> {
        self.taxonomies[ti]
            .terms
            .iter()
            .enumerate()
            .map(|(i, t)| (i, &t.head))
    }
}

/// What a page's value is made from, fingerprinted without building it.
pub(crate) fn page_input(site: &Site, page: &Page) -> u64 {
    let mut fp = Fp::new();
    fp.str(&page.file.relative)
        .str(&page.source.text)
        .str(&page.permalink)
        .str(&page.path)
        .str(&page.slug)
        .str(&page.lang)
        .u64(page.rendered.fp)
        .u64(page.meta.render as u64);
    common_input(
        &mut fp,
        site,
        &page.components,
        [&page.ancestors],
        &page.serialized_assets,
        &page.backlinks,
    );
    translations_input(&mut fp, &page.translations);
    fp.finish()
}

/// What a section's value is made from.
pub(crate) fn section_input(site: &Site, s: &Section) -> u64 {
    let mut fp = Fp::new();
    fp.str(&s.file.relative)
        .str(&s.source.text)
        .str(&s.permalink)
        .str(&s.path)
        .str(&s.lang)
        .u64(s.rendered.fp);
    common_input(
        &mut fp,
        site,
        &s.components,
        [&s.ancestors, &s.subsections],
        &s.serialized_assets,
        &s.backlinks,
    );
    translations_input(&mut fp, &s.translations);
    fp.finish()
}

/// The parts pages and sections share: components, related sections (by
/// path), assets and backlinks.
fn common_input<const N: usize>(
    fp: &mut Fp,
    site: &Site,
    components: &[String],
    sections: [&Vec<SectionId>; N],
    assets: &[String],
    backlinks: &[(String, Option<String>)],
) {
    fp.strs(components.iter().map(String::as_str));
    for list in sections {
        fp.strs(
            list.iter()
                .map(|a| site.sections[*a].file.relative.as_str()),
        );
    }
    fp.strs(assets.iter().map(String::as_str));
    fp.u64(backlinks.len() as u64);
    for (p, t) in backlinks {
        fp.str(p).str(t.as_deref().unwrap_or("\u{0}"));
    }
}

fn translations_input(fp: &mut Fp, list: &[crate::content::Translation]) {
    fp.u64(list.len() as u64);
    for t in list {
        fp.str(&t.lang)
            .str(&t.permalink)
            .str(t.title.as_deref().unwrap_or("\u{0}"))
            .str(&t.path);
    }
}

fn extra(t: &toml::Table) -> Value {
    crate::value::toml_to_json(&toml::Value::Table(t.clone()))
}

fn backlinks(b: &[(String, Option<String>)]) -> Value {
    Value::Array(
        b.iter()
            .map(|(permalink, title)| json!({"permalink": permalink, "title": title}))
            .collect(),
    )
}

/// A page's fields, in the order Zola gives them.
const PAGE_FIELDS: [&str; 29] = [
    "relative_path",
    "colocated_path",
    "content",
    "permalink",
    "slug",
    "ancestors",
    "title",
    "description",
    "updated",
    "date",
    "year",
    "month",
    "day",
    "taxonomies",
    "authors",
    "path",
    "components",
    "summary",
    "toc",
    "word_count",
    "reading_time",
    "assets",
    "draft",
    "lang",
    "lower",
    "higher",
    "translations",
    "backlinks",
    "extra",
];

/// A page as templates see it in a list (`lower` and `higher` empty).
pub(crate) fn page_value(site: &Site, page: &Page) -> Value {
    Value::Object(
        PAGE_FIELDS
            .iter()
            .map(|f| {
                let v = page_field(site, page, f).unwrap_or(Value::Null);
                (f.to_string(), v)
            })
            .collect(),
    )
}

/// One field of [`page_value`]; `None` for a field pages do not have.
fn page_field(site: &Site, page: &Page, field: &str) -> Option<Value> {
    use chrono::Datelike;
    let m = &page.meta;
    let date = m.date.as_ref().map(|d| d.naive);
    Some(match field {
        "relative_path" => json!(page.file.relative),
        "colocated_path" => json!(page.file.colocated_path),
        "content" => json!(page.rendered.content),
        "permalink" => json!(page.permalink),
        "slug" => json!(page.slug),
        "ancestors" => Value::Array(
            page.ancestors
                .iter()
                .map(|s| json!(site.sections[*s].file.relative))
                .collect(),
        ),
        "title" => json!(m.title),
        "description" => json!(m.description),
        "updated" => json!(m.updated.as_ref().map(|d| &d.text)),
        "date" => json!(m.date.as_ref().map(|d| &d.text)),
        "year" => json!(date.map(|d| d.year())),
        "month" => json!(date.map(|d| d.month())),
        "day" => json!(date.map(|d| d.day())),
        "taxonomies" => Value::Object(
            m.taxonomies
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect(),
        ),
        "authors" => json!(m.authors),
        "path" => json!(page.path),
        "components" => json!(page.components),
        "summary" => json!(page.rendered.summary),
        "toc" => json!(page.rendered.toc),
        "word_count" => json!(page.word_count()),
        "reading_time" => json!(page.reading_time()),
        "assets" => json!(page.serialized_assets),
        "draft" => json!(m.draft),
        "lang" => json!(page.lang),
        "lower" | "higher" => Value::Null,
        "translations" => json!(page.translations),
        "backlinks" => backlinks(&page.backlinks),
        "extra" => extra(&m.extra),
        _ => return None,
    })
}

pub(crate) fn section_value(site: &Site, s: &Section) -> Value {
    let m = &s.meta;
    let ancestors: Vec<&str> = s
        .ancestors
        .iter()
        .map(|a| site.sections[*a].file.relative.as_str())
        .collect();
    let subsections: Vec<&str> = s
        .subsections
        .iter()
        .map(|a| site.sections[*a].file.relative.as_str())
        .collect();
    json!({
        "relative_path": s.file.relative,
        "content": s.rendered.content,
        "permalink": s.permalink,
        "draft": m.draft,
        "ancestors": ancestors,
        "title": m.title,
        "description": m.description,
        "extra": extra(&m.extra),
        "path": s.path,
        "components": s.components,
        "toc": s.rendered.toc,
        "word_count": s.word_count(),
        "reading_time": s.reading_time(),
        "lang": s.lang,
        "assets": s.serialized_assets,
        "pages": [],
        "subsections": subsections,
        "translations": s.translations,
        "backlinks": backlinks(&s.backlinks),
        "generate_feeds": m.generate_feeds,
        "transparent": m.transparent,
        // Not in Zola: lets a theme leave unrendered sections out of menus.
        "render": m.render,
        "paginate_by": m.paginate_by,
        "paginate_reversed": m.paginate_reversed,
    })
}

/// The `taxonomy` variable: the taxonomy's config plus its permalink.
/// `lang` is the taxonomy's own, else the site's default language.
pub(crate) fn taxonomy_kind(t: &Taxonomy, default_lang: &str) -> Value {
    let mut v = serde_json::to_value(&t.config).unwrap_or_default();
    v["permalink"] = json!(t.permalink);
    v["lang"] = json!(t.config.lang.as_deref().unwrap_or(default_lang));
    v
}
