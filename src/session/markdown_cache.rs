//! The Markdown cache: each body's result, kept by the fingerprint of its
//! inputs and of what it read, so a pass renders only the bodies whose
//! result may have changed.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::context::{page_input, section_input};
use crate::render::deps;
use crate::render::{self, Engine, Selection};
use crate::site::{Item, Site};
use crate::stages;

use super::reads::{answers_with, noted_by_markdown, Links, Read};
use super::Session;

pub(super) struct MdEntry {
    pub(super) key: u64,
    pub(super) rendered: crate::content::Rendered,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) read: Read,
}

impl Session {
    /// Run Markdown on the bodies whose result may have changed; reuse the
    /// rest. Returns how many were rendered.
    pub(super) fn markdown_stage(
        &mut self,
        site: &mut Site,
        config: &Arc<crate::config::Config>,
        engine: &Engine,
        diags: &Diagnostics,
    ) -> usize {
        let sass = self.compiled_sass();
        let page_keys: Vec<u64> = (0..site.pages.len())
            .into_par_iter()
            .map(|i| page_md_key(site, config, i))
            .collect();
        let section_keys: Vec<u64> = (0..site.sections.len())
            .map(|i| section_md_key(site, config, i))
            .collect();
        let md = &self.markdown;
        let entry_of = |section: bool, rel: &str, key: u64| {
            md.get(&(section, rel.to_string())).filter(|e| e.key == key)
        };
        let cached_pages: Vec<Option<&MdEntry>> = site
            .pages
            .iter()
            .zip(&page_keys)
            .map(|(p, k)| entry_of(false, &p.file.relative, *k))
            .collect();
        let cached_sections: Vec<Option<&MdEntry>> = site
            .sections
            .iter()
            .zip(&section_keys)
            .map(|(s, k)| entry_of(true, &s.file.relative, *k))
            .collect();

        // Shortcodes read the site as it is before Markdown.
        let reads_functions = |e: &Option<&MdEntry>| {
            e.is_some_and(|e| e.read.calls.iter().any(|(c, _)| !noted_by_markdown(c)))
        };
        // (And anchor-link templates, as `build` counts them: with anchor
        // links on, any body rendered afresh renders a template.)
        let anchors = render::markdown_renders_anchor_links(site, config);
        let misses_shortcodes =
            site.pages.iter().zip(&cached_pages).any(|(p, c)| {
                c.is_none() && (anchors || render::may_have_shortcodes(p.source.body()))
            }) || site.sections.iter().zip(&cached_sections).any(|(s, c)| {
                c.is_none() && (anchors || render::may_have_shortcodes(s.source.body()))
            });
        let need_before = misses_shortcodes
            || cached_pages.iter().any(reads_functions)
            || cached_sections.iter().any(reads_functions);
        let before = need_before.then(|| {
            stages::functions_before_markdown(
                site,
                config,
                &self.opts.root,
                sass.clone(),
                &self.images,
                Some(&mut self.values_before),
            )
        });
        if let Some(f) = &before {
            engine.set_functions(f.clone());
        }
        let links = Links::new(site, config);
        let answers = answers_with(
            engine,
            cached_pages
                .iter()
                .chain(&cached_sections)
                .flatten()
                .map(|e| &e.read),
            &links,
        );
        let valid = |e: &Option<&MdEntry>| e.is_some_and(|e| answers.same(&e.read));
        let which = Selection {
            pages: cached_pages.iter().map(|e| !valid(e)).collect(),
            sections: cached_sections.iter().map(|e| !valid(e)).collect(),
        };
        drop(cached_pages);
        drop(cached_sections);
        let (pages, sections) = render::render_markdown_of(
            site,
            config,
            engine,
            before.as_ref().map(|f| &*f.data),
            &which,
            true,
            Some(&links.permalinks),
        );
        let count = pages
            .iter()
            .chain(&sections)
            .filter(|r| r.is_some())
            .count();
        let mut next: HashMap<(bool, String), MdEntry> =
            HashMap::with_capacity(self.markdown.len());
        let mut place = |section: bool,
                         rel: &str,
                         key: u64,
                         fresh: Option<render::MarkdownResult>,
                         target: &mut crate::content::Rendered| {
            let id = (section, rel.to_string());
            let mut entry = match fresh {
                Some(r) => {
                    let mut rendered = r.rendered;
                    rendered.fp = rendered_fp(&rendered);
                    MdEntry {
                        key,
                        rendered,
                        diagnostics: r.diagnostics,
                        read: Read::new(r.record.unwrap_or_default(), engine),
                    }
                }
                None => match self.markdown.remove(&id) {
                    Some(e) => e,
                    None => return,
                },
            };
            // Moved back into the cache after rendering.
            *target = std::mem::take(&mut entry.rendered);
            diags.extend(entry.diagnostics.iter().cloned());
            next.insert(id, entry);
        };
        for (i, r) in pages.into_iter().enumerate() {
            let rel = site.pages[i].file.relative.clone();
            place(false, &rel, page_keys[i], r, &mut site.pages[i].rendered);
        }
        for (i, r) in sections.into_iter().enumerate() {
            let rel = site.sections[i].file.relative.clone();
            place(
                true,
                &rel,
                section_keys[i],
                r,
                &mut site.sections[i].rendered,
            );
        }
        self.markdown = next;
        count
    }
}

/// The key of a page's Markdown result: its inputs as a freshly loaded and
/// related site has them (no backlinks, nothing rendered yet).
pub(super) fn page_md_key(site: &Site, config: &crate::config::Config, i: usize) -> u64 {
    let anchor = render::page_insert_anchor(site, config, i) as u64;
    deps::Fp::new()
        .u64(page_input(site, &site.pages[i]))
        .u64(anchor)
        .finish()
}

pub(super) fn section_md_key(site: &Site, config: &crate::config::Config, i: usize) -> u64 {
    let s = &site.sections[i];
    let anchor = s
        .meta
        .insert_anchor_links
        .unwrap_or(config.markdown.insert_anchor_links) as u64;
    deps::Fp::new()
        .u64(section_input(site, s))
        .u64(anchor)
        .finish()
}

/// [`page_md_key`] or [`section_md_key`] of an item in a site that has
/// been through Markdown: with its backlinks and rendered fingerprint set
/// aside while the key is worked out.
pub(super) fn md_key_now(site: &mut Site, config: &crate::config::Config, item: Item) -> u64 {
    let (backlinks, fp) = match item {
        Item::Page(i) => {
            let p = &mut site.pages[i];
            (
                std::mem::take(&mut p.backlinks),
                std::mem::take(&mut p.rendered.fp),
            )
        }
        Item::Section(i) => {
            let s = &mut site.sections[i];
            (
                std::mem::take(&mut s.backlinks),
                std::mem::take(&mut s.rendered.fp),
            )
        }
    };
    let key = match item {
        Item::Page(i) => page_md_key(site, config, i),
        Item::Section(i) => section_md_key(site, config, i),
    };
    match item {
        Item::Page(i) => {
            site.pages[i].backlinks = backlinks;
            site.pages[i].rendered.fp = fp;
        }
        Item::Section(i) => {
            site.sections[i].backlinks = backlinks;
            site.sections[i].rendered.fp = fp;
        }
    }
    key
}

pub(super) fn rendered_of(site: &Site, item: Item) -> &crate::content::Rendered {
    match item {
        Item::Page(i) => &site.pages[i].rendered,
        Item::Section(i) => &site.sections[i].rendered,
    }
}

/// The `@/` targets a body links to, each once.
pub(super) fn link_targets(r: &crate::content::Rendered) -> Vec<&str> {
    let mut t: Vec<&str> = r.internal_links.iter().map(|l| l.target.as_str()).collect();
    t.sort_unstable();
    t.dedup();
    t
}

pub(super) fn rendered_fp(r: &crate::content::Rendered) -> u64 {
    let mut fp = deps::Fp::new();
    fp.str(&r.content)
        .str(r.summary.as_deref().unwrap_or("\u{0}"))
        .value(&serde_json::to_value(&r.toc).unwrap_or_default());
    fp.finish()
}
