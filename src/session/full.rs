//! The full road: the site loaded, related and run through the plugins
//! again (the load cache, the Markdown cache and the values cache still
//! reuse what has not changed), every output fingerprinted, and the ones
//! whose fingerprint or reads changed rendered.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::load_config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::LoadCache;
use crate::output::Source;
use crate::plugin::Plugin;
use crate::render::context::ValueCache;
use crate::render::deps::Call;
use crate::render::{self, Engine, Mode, Renderer, SiteData};
use crate::site::{Item, Site};
use crate::stages::{self, Timer};

use super::images::live_images;
use super::kept::{ForKept, Kept};
use super::reads::{answers, tracked, Read, READS_PAGES};
use super::{deferred, Early, Keeps, Outcome, Output, Served, Session};

impl Session {
    pub(super) fn try_rebuild(
        &mut self,
        changed: &[PathBuf],
        diags: &Diagnostics,
        mut early: Option<&mut dyn FnMut(Early<'_>)>,
    ) -> Outcome {
        if let Some(outcome) = self.try_kept_roads(changed, diags, early.as_deref_mut()) {
            return outcome;
        }
        self.release_kept();
        self.full_road(None, changed, diags, early, None)
    }

    /// Every stage: the road of a first pass, of an edit the kept roads do
    /// not take, and the one pass of a [`Keeps::Nothing`] session (which
    /// passes its `config`, loaded already, and may pass a writer).
    pub(super) fn full_road(
        &mut self,
        config: Option<crate::config::Config>,
        changed: &[PathBuf],
        diags: &Diagnostics,
        early: Option<&mut dyn FnMut(Early<'_>)>,
        staging: Option<&crate::output::Staging>,
    ) -> Outcome {
        let mut outcome = Outcome::default();
        let mut t = Timer::new();
        let keeps = self.keeps == Keeps::ForEdits;
        let Some(config) = config.or_else(|| load_config(&self.opts, diags)) else {
            return outcome;
        };
        let key = if keeps { self.config_key() } else { 0 };
        if self.config_key != Some(key) {
            // Everything may depend on the config: start again.
            self.load = LoadCache::default();
            self.markdown.clear();
            self.values = ValueCache::default();
            self.values_before = ValueCache::default();
            self.sass = None;
            self.config_key = Some(key);
            outcome.full = true;
        }
        for p in changed {
            self.load.forget(p);
        }
        if !changed.is_empty() {
            self.load.only_changed(changed);
        }
        let root = self.opts.root.clone();
        let sass_dirs = crate::sass::folders(&root, &config);
        let sass_changed = changed.is_empty()
            || changed
                .iter()
                .any(|p| sass_dirs.iter().any(|d| p.starts_with(d)));
        if sass_changed || self.sass.is_none() {
            let said = Diagnostics::new();
            let compiled = stages::sass(&root, &config, &said);
            self.sass = Some((Arc::new(compiled), said.snapshot()));
        }
        if let Some((_, said)) = &self.sass {
            diags.extend(said.iter().cloned());
        }
        t.lap("sass");
        let config = Arc::new(config);
        let plugins = self.plugins_for_pass();
        let keep = stages::Keep {
            loaded: keeps.then_some(&mut self.load),
            // A build writing to disk drops what it has read.
            sources: keeps || staging.is_none(),
        };
        let front = stages::front(
            &root,
            &config,
            self.opts.drafts,
            plugins,
            keep,
            diags,
            &mut t,
        );
        let Some(stages::Front {
            mut site,
            plugins,
            engine,
            said_loading,
            said_plugins,
        }) = front
        else {
            return outcome;
        };
        let early_to = diags.len();
        let diags_fixed: Vec<Diagnostic> = [
            diags.between(0, said_loading.start),
            diags.between(said_loading.end, said_plugins.start),
            diags.between(said_plugins.end, early_to),
        ]
        .concat();
        let diags_load = diags.between(said_loading.start, said_loading.end);
        let diags_plugins = diags.between(said_plugins.start, said_plugins.end);
        if !keeps {
            let sass = self.compiled_sass();
            self.made = self.render_once(site, &config, sass, plugins, engine, diags, staging, t);
            outcome.ok = self.made.is_some();
            return outcome;
        }
        outcome.markdown = self.markdown_stage(&mut site, &config, &engine, diags);
        t.lap("markdown");
        let (outcome, for_kept) = self.render_stage(
            &mut site, &config, &engine, &plugins, changed, diags, outcome, t, early,
        );
        if let (true, Some(for_kept)) = (outcome.ok, for_kept) {
            let items = site
                .pages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.file.path.clone(), Item::Page(i)))
                .chain(
                    site.sections
                        .iter()
                        .enumerate()
                        .map(|(i, s)| (s.file.path.clone(), Item::Section(i))),
                )
                .collect();
            let bodies_read_pages = self.markdown.values().any(|e| {
                e.read
                    .calls
                    .iter()
                    .any(|(c, _)| READS_PAGES.contains(&c.name.as_str()))
            });
            let bodies_call_plugins = self.markdown.values().any(|e| {
                e.read
                    .calls
                    .iter()
                    .any(|(c, _)| for_kept.plugin_functions.contains(&c.name))
            });
            let page_outputs = site
                .pages
                .iter()
                .map(|p| render::out_path_for(&p.path))
                .collect();
            self.kept = Some(Kept {
                page_outputs,
                site,
                plugins,
                engine,
                config,
                functions: for_kept.functions,
                diags_fixed,
                diags_load,
                diags_plugins,
                plugin_functions: for_kept.plugin_functions,
                plugin_reads: for_kept.plugin_reads,
                generated_reads: for_kept.generated_reads,
                generated_paths: for_kept.generated_paths,
                page_calls: for_kept.page_calls,
                items,
                bodies_read_pages,
                bodies_call_plugins,
            });
            return outcome;
        }
        // The bodies go back to the cache (moved, not copied).
        for p in &mut site.pages {
            if let Some(e) = self.markdown.get_mut(&(false, p.file.relative.clone())) {
                e.rendered = std::mem::take(&mut p.rendered);
            }
        }
        for sec in &mut site.sections {
            if let Some(e) = self.markdown.get_mut(&(true, sec.file.relative.clone())) {
                e.rendered = std::mem::take(&mut sec.rendered);
            }
        }
        outcome
    }

    /// Everything after Markdown: values, fingerprints, rendering, and
    /// the new served site.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn render_stage(
        &mut self,
        site: &mut Site,
        config: &Arc<crate::config::Config>,
        engine: &Engine,
        plugins: &[Box<dyn Plugin>],
        changed: &[PathBuf],
        diags: &Diagnostics,
        mut outcome: Outcome,
        mut t: Timer,
        early: Option<&mut dyn FnMut(Early<'_>)>,
    ) -> (Outcome, Option<ForKept>) {
        let root = self.opts.root.clone();
        let sass = self.compiled_sass();
        render::check_anchors_and_backlinks(site, diags);

        t.lap("anchors");
        let data = SiteData::build(site, config.to_template_value(), Some(&mut self.values));
        // The search index's own diagnostics are said when `serve` makes
        // it (`Session::search_index`); here it is only for `get_url`.
        let zola_index = stages::zola_search_index(site, config, engine, &Diagnostics::new());
        let functions = stages::functions(site, config, &root, data, sass.clone(), &self.images)
            .with_search_index(&zola_index);
        engine.set_functions(functions.clone());
        t.lap("values");
        let renderer = |mode, only, record| Renderer {
            sink: None,
            site,
            config,
            engine,
            data: functions.data.clone(),
            plugins,
            mode,
            only,
            record,
            memo: Default::default(),
            generated: render::Generated::AsWanted,
            generated_reads: Default::default(),
            phase: Default::default(),
        };

        // Which outputs could have changed.
        let fp_diags = Diagnostics::new();
        let probe = renderer(Mode::Fingerprint, None, false);
        let fps = probe.render_all(&fp_diags);
        let generated_reads = std::mem::take(
            &mut *probe
                .generated_reads
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        drop(probe);
        t.lap("fingerprint");
        let empty = Served::default();
        let old = match (&self.good, outcome.full) {
            (Some(g), false) if !fp_diags.has_errors() => g,
            _ => &empty,
        };
        // Each distinct set of reads is checked once.
        let mut distinct: HashMap<*const Read, &Read> = HashMap::new();
        for o in old.files.values() {
            distinct.entry(Arc::as_ptr(&o.read)).or_insert(&o.read);
        }
        let answers = answers(engine, distinct.values().copied());
        let still: HashMap<*const Read, bool> = distinct
            .iter()
            .map(|(k, r)| (*k, answers.same(r)))
            .collect();
        let dirty: HashSet<String> = fps
            .iter()
            .filter(|f| match old.files.get(&f.path) {
                Some(o) => o.fp != f.fp || !still[&Arc::as_ptr(&o.read)],
                None => true,
            })
            .map(|f| f.path.clone())
            .collect();
        t.lap("dirty");
        // Feeds and the sitemap list every page: when one is out of date, it
        // is rendered after the pages, which are published first (requests
        // for a feed wait for it, so nothing stale is ever served).
        let (later, now): (HashSet<String>, HashSet<String>) = if early.is_some() {
            dirty.into_iter().partition(|p| deferred(p))
        } else {
            (HashSet::new(), dirty)
        };
        let mut copies: BTreeMap<String, Source> =
            stages::copies(&root, config, site, &sass, diags)
                .into_iter()
                .collect();
        let mut rendered = renderer(Mode::Render, Some(&now), true).render_all(diags);
        t.lap("render");
        if let Some(early) = early.filter(|_| !later.is_empty() && !diags.has_errors()) {
            let files: HashMap<String, Arc<[u8]>> = fps
                .iter()
                .filter_map(|f| {
                    old.files
                        .get(&f.path)
                        .map(|o| (f.path.clone(), o.bytes.clone()))
                })
                .collect();
            // The last pass's processed images are served meanwhile; a
            // request for a new one waits until it is made.
            let mut early_copies = copies.clone();
            early_copies.extend(self.published_images.made.iter().cloned());
            let mut pending = later.clone();
            pending.extend(self.published_images.new_paths(&self.images));
            early(Early::over(files, &rendered, &early_copies, &pending));
            rendered.extend(renderer(Mode::Render, Some(&later), true).render_all(diags));
            t.lap("render (feeds)");
        }
        outcome.rendered = rendered.len();
        let page_paths: HashSet<String> = site
            .pages
            .iter()
            .map(|p| render::out_path_for(&p.path))
            .collect();
        outcome.rendered_pages = rendered
            .iter()
            .filter(|f| page_paths.contains(&f.path))
            .count();
        outcome.outputs = fps.len();
        outcome.pages = site.pages.len();
        if diags.has_errors() {
            return (outcome, None);
        }
        // The images the outputs served ask for: those rendered now, those
        // kept, and the bodies' shortcodes.
        let live = live_images(
            &rendered,
            fps.iter().filter_map(|f| old.files.get_key_value(&f.path)),
            self.markdown.values(),
        );
        let made = stages::images(&self.images, Some(&live), diags);
        t.lap("images");
        if diags.has_errors() {
            return (outcome, None);
        }
        // Over a fresh set of copies: nothing of the last pass's is in it.
        self.published_images.made.clear();
        self.published_images.covered.clear();
        self.published_images.place(&mut copies, made.copies);
        let mut plugin_reads: HashMap<usize, Vec<String>> = HashMap::new();
        let mut generated_paths: Vec<Vec<String>> = vec![Vec::new(); plugins.len()];
        for f in &fps {
            for p in &f.page_values_read {
                plugin_reads.entry(*p).or_default().push(f.path.clone());
            }
            if let Some(list) = f.plugin.and_then(|i| generated_paths.get_mut(i)) {
                list.push(f.path.clone());
            }
        }

        // Success: assemble the new site from what was rendered and what
        // was kept.
        let fp_of: HashMap<&str, u64> = fps.iter().map(|f| (f.path.as_str(), f.fp)).collect();
        let mut files: HashMap<String, Output> = HashMap::with_capacity(fps.len());
        let mut interned: HashSet<Arc<Read>> = HashSet::new();
        let mut changed_out: Vec<String> = Vec::new();
        for f in rendered {
            let same = old
                .files
                .get(&f.path)
                .is_some_and(|o| *o.bytes == f.bytes[..]);
            if !same {
                changed_out.push(f.path.clone());
            }
            let read = Read::new(f.record.map(|r| *r).unwrap_or_default(), engine);
            let read = match interned.get(&read) {
                Some(r) => r.clone(),
                None => {
                    let r = Arc::new(read);
                    interned.insert(r.clone());
                    r
                }
            };
            files.insert(
                f.path.clone(),
                Output {
                    bytes: Arc::from(f.bytes),
                    fp: fp_of.get(f.path.as_str()).copied().unwrap_or(0),
                    read,
                },
            );
        }
        let mut previous = self.good.take().unwrap_or_default();
        for f in &fps {
            if files.contains_key(&f.path) {
                // Rendered again: its old bytes were compared above.
                previous.files.remove(&f.path);
                continue;
            }
            if let Some(o) = previous.files.remove(&f.path) {
                files.insert(f.path.clone(), o);
            }
        }
        changed_out.extend(previous.files.into_keys());

        let touched: HashSet<&Path> = changed.iter().map(PathBuf::as_path).collect();
        for (path, src) in &copies {
            let differs = match (previous.copies.get(path), src) {
                (None, _) => true,
                (Some(Source::File(a)), Source::File(b)) => a != b || touched.contains(b.as_path()),
                (Some(Source::Bytes(a)), Source::Bytes(b)) => a != b,
                (Some(Source::Compiled(a)), Source::Compiled(b)) => a != b,
                _ => true,
            };
            if differs {
                changed_out.push(path.clone());
            }
        }
        changed_out.extend(
            previous
                .copies
                .keys()
                .filter(|k| !copies.contains_key(*k))
                .cloned(),
        );
        changed_out.sort();
        changed_out.dedup();
        t.lap("assemble");
        outcome.changed = changed_out;
        outcome.ok = true;
        self.good = Some(Served { files, copies });
        let plugin_functions = engine.plugin_function_names();
        let mut page_calls: HashMap<Call, Option<u64>> = HashMap::new();
        let mut seen: HashSet<*const Read> = HashSet::new();
        for o in self
            .good
            .as_ref()
            .map(|g| g.files.values())
            .into_iter()
            .flatten()
        {
            if seen.insert(Arc::as_ptr(&o.read)) {
                for (c, a) in &o.read.calls {
                    if tracked(&c.name, &plugin_functions) {
                        page_calls.insert(c.clone(), *a);
                    }
                }
            }
        }
        (
            outcome,
            Some(ForKept {
                functions,
                plugin_reads,
                generated_reads,
                generated_paths,
                page_calls,
                plugin_functions,
            }),
        )
    }
}
