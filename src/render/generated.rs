//! Plugin pages: the pages plugins generate (a strategy's plan, a
//! review's years), rendered like any other page.

use super::{deps, out_path_for, Generated, OutFile, Renderer};
use crate::diagnostics::Diagnostic;
use crate::plugin::GeneratedPage;

impl Renderer<'_> {
    /// Plugins' generated pages: every plugin's, or (with
    /// [`Generated::Of`]) the listed plugins'.
    pub(super) fn generated(&self, all: bool) -> Vec<(usize, GeneratedPage)> {
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

    pub(super) fn render_generated(
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
}
