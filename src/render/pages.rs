//! Outputs of one page each: a page through its template, and the
//! redirect an alias leaves at an old address.

use serde_json::{json, Map};

use super::{out_path_for, with_content_file, OutFile, Renderer};
use crate::diagnostics::Diagnostic;
use crate::site::{Item, PageId};

impl Renderer<'_> {
    pub(super) fn page_template(&self, pid: PageId) -> String {
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

    pub(super) fn render_page(&self, pid: PageId) -> Option<Result<OutFile, Diagnostic>> {
        let page = &self.site.pages[pid];
        let path = out_path_for(&page.path);
        if !self.wanted(&path) {
            return None;
        }
        let mut ctx = self.base_context(&page.path, &page.lang);
        let template = self.page_template(pid);
        ctx.insert("page".into(), self.v_own_page(pid, &template));
        let out = self
            .extend_and_emit(Item::Page(pid), &template, path, ctx)
            .map_err(|d| with_content_file(d, &page.file.path));
        Some(out)
    }

    pub(super) fn alias(&self, path: &str, url: &str) -> Option<Result<OutFile, Diagnostic>> {
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

    pub(super) fn checked_alias(
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
