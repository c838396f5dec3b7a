//! Stage 3: the site model. Takes what `load` found and relates it: which
//! pages belong to which section (through transparent sections), sorting,
//! `lower`/`higher`, ancestors, subsections, and taxonomies.

/// The content model, owned by [`crate::content`].
pub use crate::content as model;
pub mod taxonomy;

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::config::Config;
use crate::content::SortBy;
use crate::content::Translation;
pub use crate::content::{Page, PageId, Section, SectionId};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::Loaded;
pub use taxonomy::{Taxonomy, Term};

/// The related site: everything templates and plugins read.
#[derive(Debug, Default)]
pub struct Site {
    pub sections: Vec<Section>,
    pub pages: Vec<Page>,
    pub taxonomies: Vec<Taxonomy>,
    /// Relative paths of drafts left out of this build.
    pub drafts: Vec<String>,
    /// The draft pages left out, as loaded (not related to anything).
    pub draft_pages: Vec<Page>,
    /// Pages that could not be loaded (their errors are reported already).
    pub unreadable: Vec<crate::load::Unreadable>,
    section_by_rel: HashMap<String, SectionId>,
    page_by_rel: HashMap<String, PageId>,
    default_language: String,
}

/// A page or a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Page(PageId),
    Section(SectionId),
}

impl Site {
    /// Every page's and section's permalink, by content path
    /// (`blog/post.md`): what `@/` links and `get_url` resolve against.
    pub fn permalinks(&self) -> std::collections::HashMap<String, String> {
        self.pages
            .iter()
            .map(|p| (p.file.relative.clone(), p.permalink.clone()))
            .chain(
                self.sections
                    .iter()
                    .map(|s| (s.file.relative.clone(), s.permalink.clone())),
            )
            .collect()
    }

    /// Where each page and section asset is published: (output path,
    /// file).
    pub fn asset_outputs(&self, root: &std::path::Path) -> Vec<(String, std::path::PathBuf)> {
        let mut out = Vec::new();
        let content = root.join("content");
        for page in &self.pages {
            let Some(col) = &page.file.colocated_path else {
                continue;
            };
            let bundle = content.join(col);
            let dir = page.path.trim_start_matches('/');
            for a in &page.assets {
                if let Ok(rel) = a.strip_prefix(&bundle) {
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    out.push((format!("{dir}{rel}"), a.clone()));
                }
            }
        }
        for s in &self.sections {
            let dir = s.path.trim_start_matches('/');
            for a in &s.assets {
                if let Some(n) = a.file_name() {
                    out.push((format!("{dir}{}", n.to_string_lossy()), a.clone()));
                }
            }
        }
        out
    }

    /// Relate loaded content.
    pub fn new(loaded: Loaded, config: &Config, diags: &Diagnostics) -> Site {
        let mut site = Site {
            sections: loaded.sections,
            pages: loaded.pages,
            drafts: loaded.drafts,
            draft_pages: loaded.draft_pages,
            unreadable: loaded.unreadable,
            default_language: config.default_language.clone(),
            ..Site::default()
        };
        site.reindex();
        site.populate_sections();
        if !config.languages.is_empty() {
            site.link_translations();
        }
        site.sort_sections();
        site.taxonomies = taxonomy::collect(&site, config, diags);
        site
    }

    fn reindex(&mut self) {
        self.section_by_rel = self
            .sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.file.relative.clone(), i))
            .collect();
        self.page_by_rel = self
            .pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.file.relative.clone(), i))
            .collect();
    }

    pub fn section_by_relative(&self, rel: &str) -> Option<SectionId> {
        self.section_by_rel.get(rel).copied()
    }

    pub fn page_by_relative(&self, rel: &str) -> Option<PageId> {
        self.page_by_rel.get(rel).copied()
    }

    /// Find a page or section by its path from `content/`.
    pub fn item(&self, rel: &str) -> Option<Item> {
        let rel = rel.trim_start_matches('/');
        if let Some(p) = self.page_by_relative(rel) {
            return Some(Item::Page(p));
        }
        self.section_by_relative(rel).map(Item::Section)
    }

    pub fn index_section(&self) -> SectionId {
        self.section_by_relative("_index.md").unwrap_or(0)
    }

    /// Direct relationships: subsections, ancestors, pages.
    fn populate_sections(&mut self) {
        // Ancestors of each section: every existing `_index.md` above it.
        let mut section_ancestors: Vec<Vec<SectionId>> = Vec::with_capacity(self.sections.len());
        for s in &self.sections {
            if s.is_index() {
                section_ancestors.push(Vec::new());
                continue;
            }
            // The index and the folders above, in the section's language.
            let index = crate::load::section_file(&[], &s.lang, &self.default_language);
            let mut anc = vec![self.section_by_relative(&index).unwrap_or(0)];
            for i in 1..s.components.len() {
                let rel =
                    crate::load::section_file(&s.components[..i], &s.lang, &self.default_language);
                if let Some(id) = self.section_by_relative(&rel) {
                    anc.push(id);
                }
            }
            section_ancestors.push(anc);
        }
        // Subsections: sections whose folder's parent holds an `_index.md`.
        let mut subsections: Vec<Vec<SectionId>> = vec![Vec::new(); self.sections.len()];
        for (i, s) in self.sections.iter().enumerate() {
            if s.is_index() {
                continue;
            }
            if let Some(parent) = self.section_by_relative(&s.file.parent_section) {
                subsections[parent].push(i);
            }
        }
        for subs in &mut subsections {
            subs.sort_by(|a, b| {
                self.sections[*a]
                    .meta
                    .weight
                    .cmp(&self.sections[*b].meta.weight)
                    .then_with(|| {
                        self.sections[*a]
                            .file
                            .relative
                            .cmp(&self.sections[*b].file.relative)
                    })
            });
        }
        for (i, s) in self.sections.iter_mut().enumerate() {
            s.ancestors = std::mem::take(&mut section_ancestors[i]);
            s.subsections = std::mem::take(&mut subsections[i]);
        }
        // Pages: into their folder's section, and up through transparent ones.
        for pid in 0..self.pages.len() {
            if !self.pages[pid].meta.render {
                continue;
            }
            let mut rel = self.pages[pid].file.parent_section.clone();
            while let Some(sid) = self.section_by_relative(&rel) {
                self.sections[sid].pages.push(pid);
                let mut anc = self.sections[sid].ancestors.clone();
                anc.push(sid);
                self.pages[pid].ancestors = anc;
                if !self.sections[sid].meta.transparent || self.sections[sid].is_index() {
                    break;
                }
                rel = self.sections[sid].file.parent_section.clone();
            }
        }
    }

    /// Pages with the same name in the same folder, and sections of the
    /// same folder, are one another's translations (`post.md`,
    /// `post.fr.md`); each lists itself too, as in Zola. A site in one
    /// language has none (Zola's output). Pages that are not rendered have
    /// none.
    fn link_translations(&mut self) {
        let mut groups: HashMap<String, Vec<Translation>> = HashMap::new();
        let page_key = |p: &Page| match &p.file.colocated_path {
            Some(dir) => format!("p:{dir}"),
            None => format!("p:{}/{}", p.file.components.join("/"), p.file.name),
        };
        let section_key = |s: &Section| format!("s:{}", s.file.components.join("/"));
        for p in self.pages.iter().filter(|p| p.meta.render) {
            groups.entry(page_key(p)).or_default().push(Translation {
                lang: p.lang.clone(),
                permalink: p.permalink.clone(),
                title: p.meta.title.clone(),
                path: p.file.relative.clone(),
            });
        }
        for s in &self.sections {
            groups.entry(section_key(s)).or_default().push(Translation {
                lang: s.lang.clone(),
                permalink: s.permalink.clone(),
                title: s.meta.title.clone(),
                path: s.file.relative.clone(),
            });
        }
        // The default language first, then the others by code.
        let default = self.default_language.clone();
        for list in groups.values_mut() {
            list.sort_by(|a, b| {
                (a.lang != default, &a.lang, &a.path).cmp(&(b.lang != default, &b.lang, &b.path))
            });
        }
        for p in self.pages.iter_mut().filter(|p| p.meta.render) {
            p.translations = groups.get(&page_key(p)).cloned().unwrap_or_default();
        }
        for s in &mut self.sections {
            s.translations = groups.get(&section_key(s)).cloned().unwrap_or_default();
        }
    }

    fn sort_sections(&mut self) {
        for sid in 0..self.sections.len() {
            let sort_by = self.sections[sid].meta.sort_by;
            let pages = std::mem::take(&mut self.sections[sid].pages);
            if sort_by == SortBy::None {
                self.sections[sid].pages = pages;
                continue;
            }
            let (mut sortable, unsortable): (Vec<PageId>, Vec<PageId>) =
                pages.into_iter().partition(|p| {
                    let m = &self.pages[*p].meta;
                    match sort_by {
                        SortBy::Date => m.date.is_some(),
                        SortBy::UpdateDate => m.date.is_some() || m.updated.is_some(),
                        SortBy::Title | SortBy::TitleBytes => m.title.is_some(),
                        SortBy::Weight => m.weight.is_some(),
                        _ => true,
                    }
                });
            let pages = &self.pages;
            sortable.sort_by(|a, b| {
                let (pa, pb) = (&pages[*a], &pages[*b]);
                let ord = match sort_by {
                    SortBy::Date => pb.meta.date.cmp(&pa.meta.date),
                    SortBy::UpdateDate => {
                        let ka = pa.meta.date.clone().max(pa.meta.updated.clone());
                        let kb = pb.meta.date.clone().max(pb.meta.updated.clone());
                        kb.cmp(&ka)
                    }
                    SortBy::Title => natural_cmp(
                        pa.meta.title.as_deref().unwrap_or(""),
                        pb.meta.title.as_deref().unwrap_or(""),
                    ),
                    SortBy::TitleBytes => pa.meta.title.cmp(&pb.meta.title),
                    SortBy::Weight => pa.meta.weight.cmp(&pb.meta.weight),
                    SortBy::Slug => natural_cmp(&pa.slug, &pb.slug),
                    SortBy::Permalink => pa.permalink.cmp(&pb.permalink),
                    SortBy::None => Ordering::Equal,
                };
                ord.then_with(|| pa.permalink.cmp(&pb.permalink))
            });
            if !self.sections[sid].meta.transparent {
                for (i, pid) in sortable.iter().enumerate() {
                    self.pages[*pid].lower = if i > 0 { Some(sortable[i - 1]) } else { None };
                    self.pages[*pid].higher = sortable.get(i + 1).copied();
                }
            }
            self.sections[sid].pages = sortable;
            self.sections[sid].ignored_pages = unsortable;
        }
    }

    /// Pages that belong to no section.
    pub fn orphan_pages(&self) -> impl Iterator<Item = PageId> + '_ {
        (0..self.pages.len()).filter(|p| self.pages[*p].ancestors.is_empty())
    }

    /// Warnings about pages a section leaves out for lack of its sort key.
    pub fn ignored_page_warnings(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for s in &self.sections {
            for p in &s.ignored_pages {
                let key = match s.meta.sort_by {
                    SortBy::Date | SortBy::UpdateDate => "date",
                    SortBy::Weight => "weight",
                    _ => "title",
                };
                out.push(
                    Diagnostic::warning(format!(
                        "this page is left out of the list in `{}`, which sorts by {key}, because it has no `{key}`",
                        s.file.relative
                    ))
                    .in_file(&self.pages[*p].file.path)
                    .with_hint(format!("add `{key} = …` to its front matter")),
                );
            }
        }
        out
    }
}

/// Natural order: digit runs compare as numbers, letters case-insensitively.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut ai = a.chars().peekable();
    let mut bi = b.chars().peekable();
    loop {
        match (ai.peek(), bi.peek()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(ca), Some(cb)) if ca.is_ascii_digit() && cb.is_ascii_digit() => {
                let na: String =
                    std::iter::from_fn(|| ai.next_if(|c| c.is_ascii_digit())).collect();
                let nb: String =
                    std::iter::from_fn(|| bi.next_if(|c| c.is_ascii_digit())).collect();
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(ca), Some(cb)) => {
                let (la, lb) = (ca.to_lowercase().next(), cb.to_lowercase().next());
                if la != lb {
                    return la.cmp(&lb);
                }
                ai.next();
                bi.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["Item 10", "item 2", "Item 1"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, vec!["Item 1", "item 2", "Item 10"]);
    }
}
