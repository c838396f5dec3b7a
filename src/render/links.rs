//! After the Markdown stage: every `@/page.md#anchor` link must name an id
//! on its target, and each target learns who links to it (`backlinks`).

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::Site;

/// Where internal links were written: file, its source, and the links.
type LinkSource<'a> = (
    &'a std::path::Path,
    &'a crate::content::Source,
    &'a Vec<crate::content::InternalLink>,
);

/// `@/page.md#anchor` must name an id on the target; and each target learns
/// who links to it (`backlinks`).
pub(crate) fn check_anchors_and_backlinks(site: &mut Site, diags: &Diagnostics) {
    check_anchors(site, diags);
    record_backlinks(site);
}

/// Every `@/page.md#anchor` link must name an id on its target. Reads the
/// site only (`serve` checks again after an edit to a body).
pub(crate) fn check_anchors(site: &Site, diags: &Diagnostics) {
    let sources: Vec<LinkSource<'_>> = site
        .pages
        .iter()
        .map(|p| (p.file.path.as_path(), &p.source, &p.rendered.internal_links))
        .chain(
            site.sections
                .iter()
                .map(|s| (s.file.path.as_path(), &s.source, &s.rendered.internal_links)),
        )
        .collect();
    for (file, source, links) in sources {
        for link in links {
            let Some(a) = &link.anchor else {
                continue;
            };
            let Some(item) = site.item(&link.target) else {
                continue;
            };
            let anchors = match item {
                crate::site::Item::Page(p) => &site.pages[p].rendered.anchors,
                crate::site::Item::Section(s) => &site.sections[s].rendered.anchors,
            };
            if anchors.iter().any(|x| x == a) {
                continue;
            }
            // A build lets bodies go once rendered: the line the link is
            // on is read from the file again (it is only for the message).
            let again;
            let text = if source.body_is_gone() {
                again = std::fs::read_to_string(file).unwrap_or_default();
                &again
            } else {
                &*source.text
            };
            let loc = Location::from_line(file, text, link.line, 1);
            let col = loc
                .source_line
                .find(&format!("#{a}"))
                .map(|c| loc.source_line[..c].chars().count() + 1)
                .unwrap_or(1);
            let hint = match crate::diagnostics::closest(a, anchors.iter().map(String::as_str)) {
                Some(b) => format!("did you mean `#{b}`?"),
                None if anchors.is_empty() => "that page has no headings to link to".to_string(),
                None => format!(
                    "its headings' ids are: {}",
                    anchors
                        .iter()
                        .take(8)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            diags.push(
                Diagnostic::error(format!(
                    "this links to `#{a}` in `{}`, which has no such heading",
                    link.target
                ))
                .at(Location {
                    column: col,
                    width: a.len() + 1,
                    ..loc
                })
                .with_hint(hint),
            );
        }
    }
}

/// Each target of an `@/` link learns who links to it (`backlinks`).
pub(super) fn record_backlinks(site: &mut Site) {
    let mut backlinks: Vec<(crate::site::Item, String, Option<String>)> = Vec::new();
    let sources = site
        .pages
        .iter()
        .map(|p| (&p.rendered.internal_links, &p.permalink, &p.meta.title))
        .chain(
            site.sections
                .iter()
                .map(|s| (&s.rendered.internal_links, &s.permalink, &s.meta.title)),
        );
    for (links, permalink, title) in sources {
        for link in links {
            if let Some(item) = site.item(&link.target) {
                backlinks.push((item, permalink.clone(), title.clone()));
            }
        }
    }
    for (item, permalink, title) in backlinks {
        let list = match item {
            crate::site::Item::Page(p) => &mut site.pages[p].backlinks,
            crate::site::Item::Section(s) => &mut site.sections[s].backlinks,
        };
        if !list.iter().any(|(p, _)| *p == permalink) {
            list.push((permalink, title));
        }
    }
    for p in &mut site.pages {
        p.backlinks.sort();
    }
    for s in &mut site.sections {
        s.backlinks.sort();
    }
}
