//! Taxonomies: the list of a taxonomy's terms, each term's page (paginated
//! when asked), and each term's feed.

use serde_json::Value;

use super::{context, out_path_for, OutFile, Renderer};
use crate::diagnostics::Diagnostic;
use crate::site::PageId;
use rayon::prelude::*;

impl Renderer<'_> {
    /// A taxonomy's language: its own, else the site's default.
    pub(super) fn taxonomy_lang<'t>(&'t self, tax: &'t crate::site::Taxonomy) -> &'t str {
        tax.config
            .lang
            .as_deref()
            .unwrap_or(&self.config.default_language)
    }

    /// A taxonomy's list and term templates.
    pub(super) fn taxonomy_templates(&self, tax: &crate::site::Taxonomy) -> (String, String) {
        let pick = |own: String, fallback: &str| {
            self.engine
                .first_of(&[&own, fallback])
                .map(str::to_string)
                .unwrap_or(own)
        };
        (
            pick(
                format!("{}/list.html", tax.config.name),
                "taxonomy_list.html",
            ),
            pick(
                format!("{}/single.html", tax.config.name),
                "taxonomy_single.html",
            ),
        )
    }

    /// Whether the taxonomy's list template may read its terms' pages.
    pub(super) fn list_reads_pages(&self, list_tpl: &str) -> bool {
        self.engine.reads(list_tpl, &["pages"])
    }

    /// Whether a term page's `term` holds every page of the term. On
    /// paginated term pages, `term.pages` is every page of the term on
    /// every pager: copied only when a template reads it.
    pub(super) fn term_pages_read(&self, tax: &crate::site::Taxonomy, single_tpl: &str) -> bool {
        tax.config.paginate_by.unwrap_or(0) == 0
            || self.engine.reads(
                single_tpl,
                &[
                    "term.pages",
                    "term[",
                    "= term",
                    "term)",
                    "term,",
                    "term }}",
                    "term|",
                ],
            )
    }

    pub(super) fn render_taxonomies(&self) -> Vec<Result<OutFile, Diagnostic>> {
        let mut jobs: Vec<Result<OutFile, Diagnostic>> = Vec::new();
        for (ti, tax) in self.site.taxonomies.iter().enumerate() {
            // As Zola: a taxonomy no page uses has no list.
            if !tax.config.render || tax.terms.is_empty() {
                continue;
            }
            let kind = context::taxonomy_kind(tax, &self.config.default_language);
            let lang = self.taxonomy_lang(tax);
            let (list_tpl, single_tpl) = self.taxonomy_templates(tax);
            let list_path = out_path_for(&tax.path);
            if self.wanted(&list_path) {
                let mut ctx = self.base_context(&tax.path, lang);
                ctx.insert("taxonomy".into(), kind.clone());
                // Each term's `pages` (every page of the term, so every
                // tagged page once or more) only when the template could
                // read them; `page_count` is always there.
                let terms = if self.list_reads_pages(&list_tpl) {
                    self.data.terms(ti, self.fingerprinting())
                } else {
                    self.data.terms_without_pages(ti)
                };
                ctx.insert("terms".into(), terms);
                jobs.push(self.emit(&list_tpl, list_path, ctx));
            }
            let term_pages_read = self.term_pages_read(tax, &single_tpl);
            let results: Vec<Vec<Result<OutFile, Diagnostic>>> = tax
                .terms
                .par_iter()
                .enumerate()
                .map(|(i, term)| {
                    let mut term_value: Option<Value> = None;
                    let pagers = match tax.config.paginate_by {
                        Some(by) if by > 0 => self.pagers(
                            &term.pages,
                            by,
                            (&term.path, tax.config.paginate_path()),
                            false,
                            &single_tpl,
                        ),
                        _ => vec![(term.path.clone(), Value::Null)],
                    };
                    let mut out = Vec::new();
                    for (path, pager) in pagers {
                        let file = out_path_for(&path);
                        if !self.wanted(&file) {
                            continue;
                        }
                        let term_value = term_value.get_or_insert_with(|| {
                            if term_pages_read {
                                self.data.term_or_stand_in(ti, i, self.fingerprinting())
                            } else {
                                self.data.term(ti, i, false)
                            }
                        });
                        let mut ctx = self.base_context(&path, lang);
                        ctx.insert("taxonomy".into(), kind.clone());
                        ctx.insert("term".into(), term_value.clone());
                        if !pager.is_null() {
                            ctx.insert("paginator".into(), pager);
                        }
                        out.push(self.emit(&single_tpl, file, ctx));
                    }
                    // A paginated term's `page/1/` redirects to the term
                    // itself, as a section's does (as in Zola).
                    if tax.config.paginate_by.is_some_and(|by| by > 0) {
                        let first = format!("{}{}/1/", term.path, tax.config.paginate_path());
                        out.extend(self.alias(&first, &term.permalink));
                    }
                    // A term's feed is the taxonomy's `feed`, whatever
                    // `generate_feeds` says (as in Zola).
                    if tax.config.feed {
                        let pages: Vec<PageId> = term.pages.clone();
                        out.extend(self.feeds(&pages, &term.path, lang, || {
                            Some((
                                "term",
                                self.data.term_or_stand_in(ti, i, self.fingerprinting()),
                            ))
                        }));
                    }
                    out
                })
                .collect();
            jobs.extend(results.into_iter().flatten());
        }
        jobs
    }
}
