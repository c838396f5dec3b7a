//! Sections: a section's page through its template, and, when it
//! paginates, one output per pager (`page/2/`, …).

use serde_json::{json, Value};

use super::{out_path_for, pager_path, with_content_file, OutFile, Renderer};
use crate::diagnostics::Diagnostic;
use crate::markdown;
use crate::site::{Item, PageId, SectionId};
use rayon::prelude::*;

impl Renderer<'_> {
    pub(super) fn section_template(&self, sid: SectionId) -> String {
        let s = &self.site.sections[sid];
        s.meta
            .template
            .clone()
            .or_else(|| self.plugin_template(Item::Section(sid)))
            .unwrap_or_else(|| {
                if s.is_index() {
                    "index.html".into()
                } else {
                    "section.html".into()
                }
            })
    }

    pub(super) fn render_section(&self, sid: SectionId) -> Vec<Result<OutFile, Diagnostic>> {
        let s = &self.site.sections[sid];
        if let Some(target) = &s.meta.redirect_to {
            let url = if markdown::is_external(target) {
                target.clone()
            } else {
                self.config.permalink(target)
            };
            return self.alias(&s.path, &url).into_iter().collect();
        }
        if !s.meta.render {
            return Vec::new();
        }
        let template = self.section_template(sid);
        match s.meta.paginate_by {
            Some(by) if by > 0 => self.render_paginated(sid, by, &template),
            _ => {
                let path = out_path_for(&s.path);
                if !self.wanted(&path) {
                    return Vec::new();
                }
                let mut ctx = self.base_context(&s.path, &s.lang);
                ctx.insert("section".into(), self.v_section(sid, &template));
                vec![self
                    .extend_and_emit(Item::Section(sid), &template, path, ctx)
                    .map_err(|d| with_content_file(d, &s.file.path))]
            }
        }
    }

    /// Zola's paginator over a list of pages at `base_path`, for
    /// `template`: each pager's pages hold only what it reads of them.
    pub(super) fn pagers(
        &self,
        pages: &[PageId],
        by: usize,
        (base_path, paginate_path): (&str, &str),
        reversed: bool,
        template: &str,
    ) -> Vec<(String, Value)> {
        let fields = self.engine.element_fields(template, "paginator.pages");
        let mut list: Vec<PageId> = pages.to_vec();
        if reversed {
            list.reverse();
        }
        let chunks: Vec<&[PageId]> = if list.is_empty() {
            vec![&[]]
        } else {
            list.chunks(by).collect()
        };
        let total = chunks.len();
        let base_permalink = self.config.permalink(base_path);
        let pager_path = |i: usize| pager_path(base_path, paginate_path, i);
        (0..total)
            .filter_map(|i| {
                let path = pager_path(i);
                // Only the pagers wanted in this pass are built.
                if !self.wanted(&out_path_for(&path)) {
                    return None;
                }
                let pv = json!({
                    "paginate_by": by,
                    "base_url": format!("{}{}/", base_permalink, paginate_path),
                    "number_pagers": total,
                    "first": base_permalink,
                    "last": self.config.permalink(&pager_path(total - 1)),
                    "previous": if i > 0 { json!(self.config.permalink(&pager_path(i - 1))) } else { Value::Null },
                    "next": if i + 1 < total { json!(self.config.permalink(&pager_path(i + 1))) } else { Value::Null },
                    "pages": self.v_pages(chunks[i], fields.as_ref()),
                    "current_index": i + 1,
                    "total_pages": list.len(),
                });
                Some((path, pv))
            })
            .collect()
    }

    pub(super) fn render_paginated(
        &self,
        sid: SectionId,
        by: usize,
        template: &str,
    ) -> Vec<Result<OutFile, Diagnostic>> {
        let s = &self.site.sections[sid];
        let pagers = self.pagers(
            &s.pages,
            by,
            (&s.path, &s.meta.paginate_path),
            s.meta.paginate_reversed,
            template,
        );
        let mut out: Vec<Result<OutFile, Diagnostic>> = pagers
            .into_par_iter()
            .filter(|(path, _)| self.wanted(&out_path_for(path)))
            .map(|(path, pager)| {
                let mut ctx = self.base_context(&path, &s.lang);
                ctx.insert("section".into(), self.v_section_meta(sid));
                ctx.insert("paginator".into(), pager);
                self.extend_and_emit(Item::Section(sid), template, out_path_for(&path), ctx)
                    .map_err(|d| with_content_file(d, &s.file.path))
            })
            .collect();
        // `/section/page/1/` redirects to the section itself, as in Zola.
        let first = format!("{}{}/1/", s.path, s.meta.paginate_path);
        out.extend(self.alias(&first, &s.permalink));
        out
    }
}
