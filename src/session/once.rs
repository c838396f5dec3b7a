//! The one pass of a session that keeps nothing (`build`, `check`): after
//! the front of the pipeline, Markdown over every body and every output
//! rendered once, straight to the writer when there is one. Nothing is
//! fingerprinted, recorded or cached, and page values are made from the
//! site as templates ask for them (`SiteData::from_site`), so a build of
//! 10,000 pages holds no copy of them.

use std::sync::Arc;

use super::Rendered;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Staging;
use crate::plugin::Plugin;
use crate::render::{self, Engine, OutFile, Renderer, SiteData};
use crate::site::Site;
use crate::stages::{self, Timer};
use crate::statement::Watch;

use super::Session;

impl Session {
    /// Markdown, render, search index and the accessibility statement,
    /// once. With `staging`, each file is written there as soon as it is
    /// made, and the returned files keep their bytes only where the search
    /// index needs them.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn render_once(
        &self,
        mut site: Site,
        config: &Arc<Config>,
        sass: Arc<crate::sass::Compiled>,
        plugins: Vec<Box<dyn Plugin>>,
        engine: Engine,
        diags: &Diagnostics,
        staging: Option<&Staging>,
        mut timer: Timer,
    ) -> Option<Rendered> {
        let root = &self.opts.root;
        let keep_sources = staging.is_none();
        // `resize_image`'s jobs, from shortcodes and templates alike.
        let images = Arc::new(crate::images::Processor::new(root));
        // Shortcodes (and anchor-link templates) may call functions and
        // read their page before content exists; a site with none skips
        // this.
        let before = render::markdown_renders_templates(&site, config).then(|| {
            stages::functions_before_markdown(&site, config, root, sass.clone(), &images, None)
        });
        timer.lap("serialise (before Markdown)");
        if let Some(b) = &before {
            engine.set_functions(b.clone());
        }
        // A build lets each body go once it is rendered and its links
        // read; what a diagnostic may still point into is the front
        // matter (a broken anchor's line is read from the file again).
        // A word count is counted when first read, from the body: counted
        // before it goes where a template may show one.
        let bodies = if keep_sources {
            render::Bodies::Keep
        } else {
            render::Bodies::LetGo {
                count_words: engine.may_show_word_counts(),
            }
        };
        render::render_markdown(
            &mut site,
            config,
            &engine,
            before.as_ref().map(|b| &*b.data),
            diags,
            bodies,
        );
        drop(before);
        timer.lap("markdown");
        // Nothing changes the site from here: templates' page values are
        // made from it as they are asked for, not kept.
        let site = Arc::new(site);
        let data = SiteData::from_site(site.clone(), config.to_template_value());
        let said = diags.len();
        let zola_index = stages::zola_search_index(&site, config, &engine, diags);
        if diags
            .between(said, diags.len())
            .iter()
            .any(|d| d.severity == crate::diagnostics::Severity::Error)
        {
            // As in Zola, nothing renders without the index templates may
            // link (a `get_url` of it would only say the same again).
            return None;
        }
        let functions = stages::functions(&site, config, root, data, sass.clone(), &images)
            .with_search_index(&zola_index);
        timer.lap("serialise");
        engine.set_functions(functions.clone());

        let copies = stages::copies(root, config, &site, &sass, diags);
        if let Some(staging) = staging {
            // Static files first: a rendered page at the same path wins.
            if let Err(d) = staging.copy(&copies) {
                diags.push(d);
            }
        }
        timer.lap("static files");
        let indexed = stages::search_indexed(&site, config);
        // An accessibility statement the pages may link and the site does
        // not have: looked for in each page as it is written (when
        // writing, the bytes are not kept).
        let statement = Watch::new(config, &site, |out| copies.iter().any(|(p, _)| p == out));
        let write = |f: &OutFile| -> Result<bool, Diagnostic> {
            statement.see(&f.path, &f.bytes);
            if let Some(staging) = staging {
                staging.write_ordered(&f.path, &f.bytes, f.order as u8)?;
            }
            Ok(indexed.contains(&f.path))
        };
        let renderer = Renderer {
            site: &site,
            config,
            engine: &engine,
            data: functions.data.clone(),
            plugins: &plugins,
            mode: render::Mode::Render,
            only: None,
            record: false,
            memo: Default::default(),
            sink: staging.map(|_| &write as &render::Sink),
            generated: render::Generated::AsWanted,
            generated_reads: Default::default(),
            phase: Default::default(),
        };
        let mut files = renderer.render_all(diags);
        drop(renderer);
        timer.lap("render");
        // The images the render asked for, made (or found in the cache)
        // after it, in parallel, and written with the rest.
        let mut copies = copies;
        let made = stages::images(&images, None, diags);
        if let Some(staging) = staging {
            if let Err(d) = staging.copy(&made.copies) {
                diags.push(d);
            }
        }
        let made_count = made.copies.len();
        copies.extend(made.copies);
        timer.lap(&format!(
            "images ({made_count} files, {} encoded, the rest from the cache)",
            made.encoded
        ));
        if config.build_search_index {
            let mut index = zola_index;
            if stages::searches_with_pagefind(&engine) {
                let by_path: std::collections::HashMap<&str, &OutFile> =
                    files.iter().map(|f| (f.path.as_str(), f)).collect();
                index.extend(crate::search::pagefind_index(
                    &site,
                    config,
                    |out| by_path.get(out).map(|f| &f.bytes[..]),
                    diags,
                ));
            }
            for f in &index {
                if let Some(staging) = staging {
                    if let Err(d) = staging.write(&f.path, &f.bytes) {
                        diags.push(d);
                    }
                }
            }
            files.extend(index);
            timer.lap("search index");
        }
        diags.extend(statement.finish(
            root,
            config,
            files.iter().map(|f| (f.path.as_str(), &f.bytes[..])),
            |out| files.iter().any(|f| f.path == out),
        ));
        Some(Rendered {
            config: config.clone(),
            site,
            files,
            copies,
            images_used: made.used,
            diagnostics: diags.snapshot(),
        })
    }
}
