//! The data templates see, as plain JSON-shaped values (`serde_json`),
//! in Zola 0.22's shapes. Built once per build and shared by every render;
//! no engine type appears here.

use serde_json::{json, Map, Value};

use crate::site::{Page, PageId, Section, SectionId, Site, Taxonomy};

/// Everything serialised once, by id.
pub struct SiteData {
    /// Each page without `lower`/`higher` (as in section listings).
    pub pages: Vec<Value>,
    /// Each section with its pages.
    pub sections: Vec<Value>,
    /// Each section without its pages (`get_section(metadata_only=true)`,
    /// and `section` on paginated pages).
    pub sections_meta: Vec<Value>,
    pub taxonomies: Vec<Value>,
    pub config: Value,
    /// Whether each page is written (`render = false` pages are not).
    pub page_rendered: Vec<bool>,
}

impl SiteData {
    pub fn new(site: &Site, config: Value) -> SiteData {
        let pages: Vec<Value> = (0..site.pages.len())
            .map(|p| page_value(site, &site.pages[p]))
            .collect();
        let sections_meta: Vec<Value> = site
            .sections
            .iter()
            .map(|s| section_value(site, s))
            .collect();
        let sections = site
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut v = sections_meta[i].clone();
                v["pages"] = Value::Array(s.pages.iter().map(|p| pages[*p].clone()).collect());
                v
            })
            .collect();
        let taxonomies = site
            .taxonomies
            .iter()
            .map(|t| {
                taxonomy_value(
                    t,
                    &pages,
                    config["default_language"].as_str().unwrap_or("en"),
                )
            })
            .collect();
        SiteData {
            pages,
            sections,
            sections_meta,
            taxonomies,
            config,
            page_rendered: site.pages.iter().map(|p| p.meta.render).collect(),
        }
    }

    /// A page as its own template sees it: with `lower` and `higher`.
    pub fn full_page(&self, site: &Site, pid: PageId) -> Value {
        let page = &site.pages[pid];
        let mut v = self.pages[pid].clone();
        v["lower"] = page
            .lower
            .map(|p| self.pages[p].clone())
            .unwrap_or(Value::Null);
        v["higher"] = page
            .higher
            .map(|p| self.pages[p].clone())
            .unwrap_or(Value::Null);
        v
    }

    pub fn section(&self, sid: SectionId) -> &Value {
        &self.sections[sid]
    }
}

fn date_parts(v: &mut Map<String, Value>, d: Option<&crate::load::meta::Date>) {
    use chrono::Datelike;
    match d {
        Some(d) => {
            v.insert("year".into(), json!(d.naive.year()));
            v.insert("month".into(), json!(d.naive.month()));
            v.insert("day".into(), json!(d.naive.day()));
        }
        None => {
            v.insert("year".into(), Value::Null);
            v.insert("month".into(), Value::Null);
            v.insert("day".into(), Value::Null);
        }
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

pub fn page_value(site: &Site, page: &Page) -> Value {
    let m = &page.meta;
    let mut taxonomies = Map::new();
    for (k, v) in &m.taxonomies {
        taxonomies.insert(k.clone(), json!(v));
    }
    let ancestors: Vec<&str> = page
        .ancestors
        .iter()
        .map(|s| site.sections[*s].file.relative.as_str())
        .collect();
    let mut v = Map::new();
    v.insert("relative_path".into(), json!(page.file.relative));
    v.insert("colocated_path".into(), json!(page.file.colocated_path));
    v.insert("content".into(), json!(page.rendered.content));
    v.insert("permalink".into(), json!(page.permalink));
    v.insert("slug".into(), json!(page.slug));
    v.insert("ancestors".into(), json!(ancestors));
    v.insert("title".into(), json!(m.title));
    v.insert("description".into(), json!(m.description));
    v.insert("updated".into(), json!(m.updated.as_ref().map(|d| &d.text)));
    v.insert("date".into(), json!(m.date.as_ref().map(|d| &d.text)));
    date_parts(&mut v, m.date.as_ref());
    v.insert("taxonomies".into(), Value::Object(taxonomies));
    v.insert("authors".into(), json!(m.authors));
    v.insert("path".into(), json!(page.path));
    v.insert("components".into(), json!(page.components));
    v.insert("summary".into(), json!(page.rendered.summary));
    v.insert("toc".into(), json!(page.rendered.toc));
    v.insert("word_count".into(), json!(page.word_count));
    v.insert("reading_time".into(), json!(page.reading_time));
    v.insert("assets".into(), json!(page.serialized_assets));
    v.insert("draft".into(), json!(m.draft));
    v.insert("lang".into(), json!(page.lang));
    v.insert("lower".into(), Value::Null);
    v.insert("higher".into(), Value::Null);
    v.insert("translations".into(), json!([]));
    v.insert("backlinks".into(), backlinks(&page.backlinks));
    v.insert("extra".into(), extra(&m.extra));
    Value::Object(v)
}

pub fn section_value(site: &Site, s: &Section) -> Value {
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
        "word_count": s.word_count,
        "reading_time": s.reading_time,
        "lang": s.lang,
        "assets": s.serialized_assets,
        "pages": [],
        "subsections": subsections,
        "translations": [],
        "backlinks": backlinks(&s.backlinks),
        "generate_feeds": m.generate_feeds,
        "transparent": m.transparent,
        // Not in Zola: lets a theme leave unrendered sections out of menus.
        "render": m.render,
        "paginate_by": m.paginate_by,
        "paginate_reversed": m.paginate_reversed,
    })
}

pub fn term_value(t: &crate::site::Term, pages: &[Value]) -> Value {
    json!({
        "name": t.name,
        "slug": t.slug,
        "path": t.path,
        "permalink": t.permalink,
        "pages": t.pages.iter().map(|p| pages[*p].clone()).collect::<Vec<_>>(),
        "page_count": t.pages.len(),
    })
}

pub fn taxonomy_value(t: &Taxonomy, pages: &[Value], default_lang: &str) -> Value {
    json!({
        "kind": taxonomy_kind(t, default_lang),
        "lang": t.config.lang.as_deref().unwrap_or(default_lang),
        "permalink": t.permalink,
        "items": t.terms.iter().map(|term| term_value(term, pages)).collect::<Vec<_>>(),
    })
}

/// The `taxonomy` variable: the taxonomy's config plus its permalink.
/// `lang` is the taxonomy's own, else the site's default language.
pub fn taxonomy_kind(t: &Taxonomy, default_lang: &str) -> Value {
    let mut v = serde_json::to_value(&t.config).unwrap_or_default();
    v["permalink"] = json!(t.permalink);
    v["lang"] = json!(t.config.lang.as_deref().unwrap_or(default_lang));
    v
}
