//! Feeds (Atom and RSS, for the site, a section or a term) and the
//! sitemap (split into an index and parts past 30,000 addresses).

use serde_json::{json, Value};

use super::{build_time, OutFile, Renderer};
use crate::diagnostics::Diagnostic;
use crate::plugin::GeneratedPage;
use crate::site::PageId;

impl Renderer<'_> {
    pub(super) fn feeds<'e>(
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

    pub(super) fn sitemap(
        &self,
        generated: &[(usize, GeneratedPage)],
    ) -> Vec<Result<OutFile, Diagnostic>> {
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
    pub(super) fn feed_files(&self, base: &str, lang: &str) -> impl Iterator<Item = String> + '_ {
        let base = base.to_string();
        self.config
            .feeds_for(lang)
            .1
            .iter()
            .map(move |name| format!("{base}{name}").trim_start_matches('/').to_string())
    }
}
