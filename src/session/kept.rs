//! The kept roads: an edit to bodies only, or to front matter that leaves
//! the site's shape alone, answered from the last good build kept whole.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::Plugin;
use crate::render::deps::Call;
use crate::render::functions::Functions;
use crate::render::{self, Engine, Generated, Mode, Renderer, Selection};
use crate::site::{Item, Site};
use crate::stages::{self, Timer};

use super::front_matter::{self, same_shape, Fronts};
use super::images::live_images;
use super::markdown_cache::{link_targets, md_key_now, rendered_fp, rendered_of, MdEntry};
use super::reads::noted_by_markdown;
use super::reads::{tracked, Read, READS_PAGES};
use super::{deferred, Early, Outcome, Output, Road, Session};

/// The last good build whole, kept so that an edit to bodies only is
/// answered without loading, relating, running the plugins or compiling
/// the templates again. While it is kept, the Markdown results live in its
/// `site` (the Markdown cache's entries hold empty bodies).
pub(super) struct Kept {
    pub(super) site: Site,
    pub(super) plugins: Vec<Box<dyn Plugin>>,
    pub(super) engine: Engine,
    pub(super) config: Arc<crate::config::Config>,
    pub(super) functions: Arc<crate::render::functions::Functions>,
    /// What the build said before Markdown: while loading (`load`), in
    /// the plugins' `site_loaded` (`plugins`), and the rest (config, Sass,
    /// relating, templates: `fixed`). An edit to a body leaves it all as
    /// it is; one to front matter replaces the edited files' part of
    /// `load`, and `plugins`.
    pub(super) diags_fixed: Vec<Diagnostic>,
    pub(super) diags_load: Vec<Diagnostic>,
    pub(super) diags_plugins: Vec<Diagnostic>,
    /// For each page whose value plugins read to build an output's
    /// context, those outputs.
    pub(super) plugin_reads: HashMap<usize, Vec<String>>,
    /// The pages whose values each plugin read for its generated pages.
    pub(super) generated_reads: Vec<Vec<usize>>,
    /// Each plugin's generated pages (output paths).
    pub(super) generated_paths: Vec<Vec<String>>,
    /// The calls to functions in [`READS_PAGES`] and to plugins'
    /// functions any output made, with their answers (the same for every
    /// output: an output whose answer changed is rendered again).
    pub(super) page_calls: HashMap<Call, Option<u64>>,
    /// The names of plugins' functions.
    pub(super) plugin_functions: Vec<String>,
    /// Each content file (absolute path) and its page or section.
    pub(super) items: HashMap<PathBuf, Item>,
    /// Some body's shortcode called a function in [`READS_PAGES`].
    pub(super) bodies_read_pages: bool,
    /// Some body's shortcode called a plugin's function (the plan on a
    /// page in a page's text): an edit to front matter may change its
    /// answer, and the front matter road renders only the edited bodies.
    pub(super) bodies_call_plugins: bool,
    /// The outputs of content pages.
    pub(super) page_outputs: HashSet<String>,
}

impl Kept {
    pub(super) fn renderer<'r>(
        &'r self,
        mode: Mode,
        only: Option<&'r HashSet<String>>,
        record: bool,
        generated: Generated,
    ) -> Renderer<'r> {
        Renderer {
            sink: None,
            site: &self.site,
            config: &self.config,
            engine: &self.engine,
            data: self.functions.data.clone(),
            plugins: &self.plugins,
            mode,
            only,
            record,
            memo: Default::default(),
            generated,
            generated_reads: Default::default(),
            phase: Default::default(),
        }
    }
}

/// What the render stage hands to [`Kept`].
pub(super) struct ForKept {
    pub(super) functions: Arc<Functions>,
    pub(super) plugin_reads: HashMap<usize, Vec<String>>,
    pub(super) generated_reads: Vec<Vec<usize>>,
    pub(super) generated_paths: Vec<Vec<String>>,
    pub(super) page_calls: HashMap<Call, Option<u64>>,
    pub(super) plugin_functions: Vec<String>,
}

impl Session {
    /// Let go of the kept build: its Markdown results go back to the cache.
    pub(super) fn release_kept(&mut self) {
        let Some(mut kept) = self.kept.take() else {
            return;
        };
        for p in &mut kept.site.pages {
            if let Some(e) = self.markdown.get_mut(&(false, p.file.relative.clone())) {
                e.rendered = std::mem::take(&mut p.rendered);
            }
        }
        for sec in &mut kept.site.sections {
            if let Some(e) = self.markdown.get_mut(&(true, sec.file.relative.clone())) {
                e.rendered = std::mem::take(&mut sec.rendered);
            }
        }
    }

    /// The bodies road or the front matter road (see [`Session`]) from
    /// the kept build, or `None` when the edit takes neither: the full
    /// road is taken then.
    pub(super) fn try_kept_roads<'e>(
        &mut self,
        changed: &[PathBuf],
        diags: &Diagnostics,
        early: Option<&mut (dyn FnMut(Early<'_>) + 'e)>,
    ) -> Option<Outcome> {
        let mut t = Timer::new();
        let kept = self.kept.as_ref()?;
        if changed.is_empty()
            || self.good.is_none()
            || kept.bodies_read_pages
            || kept.plugins.iter().any(|p| p.site_loaded_reads_bodies())
            || self.config_key != Some(self.config_key())
        {
            return None;
        }
        let content = self.opts.root.join("content");
        let mut edits: Vec<(Item, Arc<str>)> = Vec::new();
        // Pages whose front matter changed: the page as loaded now, and
        // what loading it said.
        let mut fronts: Fronts = Vec::new();
        for path in changed {
            let Some(&item) = kept.items.get(path) else {
                // An editor's leftover in `content/` is never content.
                let leftover = path.starts_with(&content)
                    && path
                        .file_name()
                        .is_some_and(|n| crate::load::is_ignored_name(&n.to_string_lossy()));
                if leftover {
                    continue;
                }
                return None;
            };
            if edits.iter().any(|(i, _)| *i == item) {
                continue;
            }
            let (source, rel, section) = match item {
                Item::Page(i) => {
                    let p = &kept.site.pages[i];
                    (&p.source, &p.file.relative, false)
                }
                Item::Section(i) => {
                    let s = &kept.site.sections[i];
                    (&s.source, &s.file.relative, true)
                }
            };
            // The new text, and where its body starts.
            let (text, body_offset) = match crate::load::reread_body(path, source) {
                Some(text) => (text, source.body_offset),
                None => {
                    let Item::Page(i) = item else {
                        return None;
                    };
                    let (page, said) =
                        crate::load::reload_page(&self.opts.root, &kept.config, path)?;
                    if !same_shape(&kept.site, i, &page) {
                        return None;
                    }
                    let found = (page.source.text.clone(), page.source.body_offset);
                    fronts.push((i, page, said));
                    found
                }
            };
            // Shortcodes read the site before Markdown: the full road.
            let shortcodes_before = self
                .markdown
                .get(&(section, rel.clone()))
                .is_none_or(|e| e.read.calls.iter().any(|(c, _)| !noted_by_markdown(c)));
            let body = text.get(body_offset..).unwrap_or_default();
            if shortcodes_before || render::may_have_shortcodes(body) {
                return None;
            }
            edits.push((item, text));
        }
        let front_edits = !fronts.is_empty();
        if front_edits && kept.bodies_call_plugins {
            return None;
        }
        t.lap("load (bodies)");
        // The load cache holds the old texts: whatever happens next, they
        // are read again when the site is next loaded.
        for p in changed {
            self.load.forget(p);
        }

        // Markdown, on the kept site with the new texts (and front matter).
        let kept = self.kept.as_mut()?;
        for (i, page, _) in &fronts {
            let p = &mut kept.site.pages[*i];
            p.meta = page.meta.clone();
            p.source = page.source.clone();
            p.words = Default::default();
        }
        let mut old_texts = Vec::new();
        for (item, text) in &edits {
            let (source, words) = match *item {
                Item::Page(i) => {
                    let p = &mut kept.site.pages[i];
                    (&mut p.source, &mut p.words)
                }
                Item::Section(i) => {
                    let s = &mut kept.site.sections[i];
                    (&mut s.source, &mut s.words)
                }
            };
            old_texts.push(std::mem::replace(&mut source.text, text.clone()));
            // Counted again when next read, from the new text.
            *words = crate::content::Words::default();
        }
        let which = Selection {
            pages: (0..kept.site.pages.len())
                .map(|i| edits.iter().any(|(e, _)| *e == Item::Page(i)))
                .collect(),
            sections: (0..kept.site.sections.len())
                .map(|i| edits.iter().any(|(e, _)| *e == Item::Section(i)))
                .collect(),
        };
        let (pages, sections) = render::render_markdown_of(
            &kept.site,
            &kept.config,
            &kept.engine,
            None,
            &which,
            true,
            Some(&kept.functions.permalinks),
        );
        let results: Vec<(Item, render::MarkdownResult)> = pages
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| (Item::Page(i), r)))
            .chain(
                sections
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, r)| r.map(|r| (Item::Section(i), r))),
            )
            .collect();
        // A link added or removed changes the target's backlinks: the full
        // road (which loads the texts again; the kept site is let go).
        let links_moved = results.iter().any(|(item, r)| {
            link_targets(&r.rendered) != link_targets(rendered_of(&kept.site, *item))
        });
        if links_moved {
            return None;
        }
        drop(old_texts);
        let count = results.len();
        for (item, r) in results {
            let key = md_key_now(&mut kept.site, &kept.config, item);
            let mut rendered = r.rendered;
            rendered.fp = rendered_fp(&rendered);
            let (section, rel, target) = match item {
                Item::Page(i) => {
                    let p = &mut kept.site.pages[i];
                    (false, p.file.relative.clone(), &mut p.rendered)
                }
                Item::Section(i) => {
                    let s = &mut kept.site.sections[i];
                    (true, s.file.relative.clone(), &mut s.rendered)
                }
            };
            *target = rendered;
            self.markdown.insert(
                (section, rel),
                MdEntry {
                    key,
                    rendered: Default::default(),
                    diagnostics: r.diagnostics,
                    read: Read::new(r.record.unwrap_or_default(), &kept.engine),
                },
            );
        }
        t.lap("markdown");

        // A new title is also in the page's translations and in the
        // backlinks of the pages it links to.
        let mut also =
            front_matter::patch_titles(&mut kept.site, fronts.iter().map(|(i, _, _)| *i));
        also.retain(|a| !edits.iter().any(|(e, _)| e == a));
        also.sort_by_key(|a| match a {
            Item::Page(i) => (0, *i),
            Item::Section(i) => (1, *i),
        });
        also.dedup();

        // The plugins read the site again and say what changed for them.
        let mut changes: Vec<crate::plugin::Changed> = Vec::new();
        if front_edits {
            let edited: Vec<Item> = edits.iter().map(|(i, _)| *i).collect();
            changes = front_matter::plugins_changed(kept, &edited, &fronts)?;
            t.lap("plugins");
        }
        diags.extend(kept.diags_fixed.iter().cloned());
        diags.extend(kept.diags_load.iter().cloned());
        diags.extend(kept.diags_plugins.iter().cloned());
        for e in self.markdown.values() {
            diags.extend(e.diagnostics.iter().cloned());
        }
        render::check_anchors(&kept.site, diags);
        t.lap("anchors");
        let mut outcome = Outcome {
            road: if front_edits {
                Road::FrontMatter
            } else {
                Road::Bodies
            },
            markdown: count,
            pages: kept.site.pages.len(),
            ..Outcome::default()
        };
        if diags.has_errors() {
            // What this edit would change is not served: the next rebuild
            // takes the full road, which finds it all again.
            self.release_kept();
            return Some(outcome);
        }

        // The changed values, in a copy of the site's data.
        let kept = self.kept.as_mut()?;
        let mut data = (*kept.functions.data).clone();
        let refreshed: Vec<Item> = edits
            .iter()
            .map(|(i, _)| *i)
            .chain(also.iter().copied())
            .collect();
        for item in &refreshed {
            match *item {
                Item::Page(i) => {
                    let (v, fp) = self.values.refresh_page(&kept.site, i);
                    data.set_page(i, v, fp);
                }
                Item::Section(i) => {
                    let (v, fp) = self.values.refresh_section(&kept.site, i);
                    data.set_section(i, &v, fp);
                }
            }
        }
        let functions = Arc::new(Functions {
            data: Arc::new(data),
            ..(*kept.functions).clone()
        });
        kept.engine.set_functions(functions.clone());
        kept.functions = functions;
        t.lap("values");

        // The outputs that can show what changed.
        let kept = &*kept;
        let probe = kept.renderer(Mode::Fingerprint, None, false, Generated::AsWanted);
        let mut candidates: HashSet<String> = HashSet::new();
        let mut edited_pages: Vec<usize> = Vec::new();
        for item in &refreshed {
            match *item {
                Item::Page(i) => {
                    candidates.extend(probe.outputs_showing_page(i));
                    if let Some(outs) = kept.plugin_reads.get(&i) {
                        candidates.extend(outs.iter().cloned());
                    }
                    edited_pages.push(i);
                }
                Item::Section(i) => candidates.extend(probe.outputs_of_section(i)),
            }
        }
        // What the plugins said changed for them.
        for c in &changes {
            for item in &c.items {
                match *item {
                    Item::Page(i) => {
                        let p = &kept.site.pages[i];
                        if p.meta.render {
                            candidates.insert(render::out_path_for(&p.path));
                        }
                    }
                    Item::Section(i) => candidates.extend(probe.outputs_of_section(i)),
                }
            }
        }
        // Plugins' generated pages that read an edited page's value, or
        // that the plugin says may have changed.
        for (n, (read, paths)) in kept
            .generated_reads
            .iter()
            .zip(&kept.generated_paths)
            .enumerate()
        {
            let said = changes.get(n).is_some_and(|c| c.generated);
            if said || edited_pages.iter().any(|p| read.binary_search(p).is_ok()) {
                candidates.extend(paths.iter().cloned());
            }
        }
        // Outputs whose templates call a function that reads pages, when
        // its answer changed (only these calls can answer differently
        // after an edit to a body: the others read front matter, plugins'
        // data, templates or files, none of which changed).
        // (Plugins' functions answer differently only after front matter
        // changed.)
        let stale_calls: Vec<&Call> = kept
            .page_calls
            .par_iter()
            .filter(|(c, _)| front_edits || READS_PAGES.contains(&c.name.as_str()))
            .filter(|(c, a)| kept.engine.answer(c) != **a)
            .map(|(c, _)| c)
            .collect();
        let old = self.good.as_ref()?;
        let called: HashSet<String> = if stale_calls.is_empty() {
            HashSet::new()
        } else {
            old.files
                .iter()
                .filter(|(_, o)| o.read.calls.iter().any(|(c, _)| stale_calls.contains(&c)))
                .map(|(p, _)| p.clone())
                .collect()
        };
        // Feeds and the sitemap (which list every page) after the pages,
        // which are published first; requests for them wait meanwhile.
        let split = |set: HashSet<String>| -> (HashSet<String>, HashSet<String>) {
            if early.is_some() {
                set.into_iter().partition(|p| deferred(p))
            } else {
                (HashSet::new(), set)
            }
        };
        let (later_candidates, now_candidates) = split(candidates);
        let (later_called, now_called) = split(called);
        // The plugins owning some of `paths` among their generated pages.
        let owners = |paths: &HashSet<String>| -> Vec<usize> {
            kept.generated_paths
                .iter()
                .enumerate()
                .filter(|(_, ps)| ps.iter().any(|p| paths.contains(p)))
                .map(|(i, _)| i)
                .collect()
        };
        // Fingerprint `candidates`; those whose fingerprint changed, with
        // `called`, are dirty.
        let dirty_of = |candidates: &HashSet<String>, called: HashSet<String>| {
            let fp_diags = Diagnostics::new();
            let fps = kept
                .renderer(
                    Mode::Fingerprint,
                    Some(candidates),
                    false,
                    Generated::Of(owners(candidates)),
                )
                .render_all(&fp_diags);
            let mut dirty = called;
            dirty.extend(
                fps.iter()
                    .filter(|f| old.files.get(&f.path).is_none_or(|o| o.fp != f.fp))
                    .map(|f| f.path.clone()),
            );
            (!fp_diags.has_errors()).then_some((fps, dirty))
        };
        let render_set = |set: &HashSet<String>| {
            kept.renderer(Mode::Render, Some(set), true, Generated::Of(owners(set)))
                .render_all(diags)
        };

        let (mut fps, now) = dirty_of(&now_candidates, now_called)?;
        t.lap("fingerprint");
        let mut rendered = render_set(&now);
        t.lap("render");
        if let Some(early) = early.filter(|_| {
            let nothing_later = later_candidates.is_empty() && later_called.is_empty();
            !nothing_later && !diags.has_errors()
        }) {
            let files: HashMap<String, Arc<[u8]>> = old
                .files
                .iter()
                .map(|(p, o)| (p.clone(), o.bytes.clone()))
                .collect();
            let mut pending: HashSet<String> =
                later_candidates.union(&later_called).cloned().collect();
            pending.extend(self.published_images.new_paths(&self.images));
            early(Early::over(files, &rendered, &old.copies, &pending));
            t.lap("published (pages)");
            let (later_fps, later) = dirty_of(&later_candidates, later_called)?;
            fps.extend(later_fps);
            rendered.extend(render_set(&later));
            t.lap("render (feeds)");
        }
        outcome.rendered = rendered.len();
        outcome.rendered_pages = rendered
            .iter()
            .filter(|f| kept.page_outputs.contains(&f.path))
            .count();
        if diags.has_errors() {
            self.release_kept();
            return Some(outcome);
        }
        // The images the outputs served ask for now: those rendered again,
        // the others, and the bodies' shortcodes.
        let live = live_images(&rendered, old.files.iter(), self.markdown.values());
        let made = stages::images(&self.images, Some(&live), diags);
        t.lap("images");
        if diags.has_errors() {
            self.release_kept();
            return Some(outcome);
        }
        let fp_of: HashMap<&str, u64> = fps.iter().map(|f| (f.path.as_str(), f.fp)).collect();
        let plugin_functions = kept.plugin_functions.clone();
        let good = self.good.as_mut()?;
        let mut changed_out = Vec::new();
        let mut calls_now = Vec::new();
        for f in rendered {
            let same = good
                .files
                .get(&f.path)
                .is_some_and(|o| *o.bytes == f.bytes[..]);
            if !same {
                changed_out.push(f.path.clone());
            }
            let read = Arc::new(Read::new(
                f.record.map(|r| *r).unwrap_or_default(),
                &kept.engine,
            ));
            // What it called now is what every output calling the same
            // answered (the others were rendered again if it changed).
            for (c, a) in &read.calls {
                if tracked(&c.name, &plugin_functions) {
                    calls_now.push((c.clone(), *a));
                }
            }
            let fp = match fp_of.get(f.path.as_str()) {
                Some(fp) => *fp,
                None => good.files.get(&f.path).map(|o| o.fp).unwrap_or(0),
            };
            good.files.insert(
                f.path,
                Output {
                    bytes: Arc::from(f.bytes),
                    fp,
                    read,
                },
            );
        }
        changed_out.extend(self.published_images.place(&mut good.copies, made.copies));
        changed_out.sort();
        changed_out.dedup();
        outcome.outputs = good.files.len();
        if let Some(kept) = self.kept.as_mut() {
            kept.page_calls.extend(calls_now);
        }
        t.lap("assemble");
        outcome.changed = changed_out;
        outcome.ok = true;
        Some(outcome)
    }
}
