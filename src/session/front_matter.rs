//! The front matter road's own steps: whether an edit leaves the site's
//! shape alone (`same_shape`), patching a new title into translations and
//! backlinks, and asking the plugins what changed for them. The rest of
//! the road is the bodies road's (`kept.rs`).

use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::{Item, Site};

use super::kept::Kept;

/// The pages whose front matter changed: the page as loaded now, and what
/// loading it said.
pub(super) type Fronts = Vec<(usize, Box<crate::site::Page>, Vec<Diagnostic>)>;

/// Put each edited page's title where other items show it (translations,
/// backlinks); returns the items whose values changed so.
pub(super) fn patch_titles(site: &mut Site, edited: impl Iterator<Item = usize>) -> Vec<Item> {
    let mut also: Vec<Item> = Vec::new();
    for i in edited {
        let page = &site.pages[i];
        let (rel, permalink, title) = (
            page.file.relative.clone(),
            page.permalink.clone(),
            page.meta.title.clone(),
        );
        let targets: Vec<Item> = page
            .rendered
            .internal_links
            .iter()
            .filter_map(|l| site.item(&l.target))
            .collect();
        for (q, other) in site.pages.iter_mut().enumerate() {
            for t in other.translations.iter_mut().filter(|t| t.path == rel) {
                if t.title != title {
                    t.title = title.clone();
                    also.push(Item::Page(q));
                }
            }
        }
        for (q, other) in site.sections.iter_mut().enumerate() {
            for t in other.translations.iter_mut().filter(|t| t.path == rel) {
                if t.title != title {
                    t.title = title.clone();
                    also.push(Item::Section(q));
                }
            }
        }
        for target in targets {
            let list = match target {
                Item::Page(q) => &mut site.pages[q].backlinks,
                Item::Section(q) => &mut site.sections[q].backlinks,
            };
            if let Some(b) = list
                .iter_mut()
                .find(|(p, t)| *p == permalink && *t != title)
            {
                b.1 = title.clone();
                list.sort();
                also.push(target);
            }
        }
    }
    also
}

/// Each plugin reads the patched site again (`Plugin::site_changed`) and
/// says what changed for it; its functions are swapped in the engine and
/// what loading and the plugins said replaces the kept diagnostics.
/// `None` when a plugin cannot tell (the full road is taken).
pub(super) fn plugins_changed(
    kept: &mut Kept,
    edited: &[Item],
    fronts: &Fronts,
) -> Option<Vec<crate::plugin::Changed>> {
    let said = Diagnostics::new();
    let mut changes = Vec::new();
    for p in &mut kept.plugins {
        changes.push(p.site_changed(&kept.site, &kept.config, edited, &said)?);
    }
    if !kept.engine.set_plugin_functions(&kept.plugins) {
        return None;
    }
    kept.diags_plugins = said.snapshot();
    for (i, _, said) in fronts {
        let path = &kept.site.pages[*i].file.path;
        kept.diags_load.retain(|d| !is_about(d, path));
        kept.diags_load.extend(said.iter().cloned());
    }
    Some(changes)
}

/// Whether page `i` loaded again after an edit to its front matter
/// (`new`) leaves the site's shape as it was: the same address, language,
/// dates, weight, draft and render settings, aliases, template, taxonomies
/// and search setting, and the same title where a section it is in sorts
/// by title. Only then can the related site be patched rather than made
/// again.
pub(super) fn same_shape(site: &Site, i: usize, new: &crate::site::Page) -> bool {
    use crate::load::meta::SortBy;
    let old = &site.pages[i];
    let (a, b) = (&old.meta, &new.meta);
    let sorted_by_title = a.title != b.title
        && site.sections.iter().any(|s| {
            matches!(s.meta.sort_by, SortBy::Title | SortBy::TitleBytes)
                && (s.pages.contains(&i) || s.ignored_pages.contains(&i))
        });
    old.file.relative == new.file.relative
        && old.lang == new.lang
        && old.slug == new.slug
        && old.path == new.path
        && old.permalink == new.permalink
        && old.components == new.components
        && a.date == b.date
        && a.updated == b.updated
        && a.weight == b.weight
        && a.draft == b.draft
        && a.render == b.render
        && a.slug == b.slug
        && a.path == b.path
        && a.aliases == b.aliases
        && a.in_search_index == b.in_search_index
        && a.template == b.template
        && a.taxonomies == b.taxonomies
        && !sorted_by_title
}

/// Whether a diagnostic is about the file at `path`.
pub(super) fn is_about(d: &Diagnostic, path: &Path) -> bool {
    d.file.as_deref() == Some(path) || d.location.as_ref().is_some_and(|l| l.file == path)
}
