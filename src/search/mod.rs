//! The search index, written when the config sets `build_search_index`:
//! the same stage in `build` and `serve`. Two indexes, for two kinds of
//! theme:
//! - Zola's (`zola.rs`), always: `search_index.LANG.js` and the script
//!   that reads it, so a Zola theme's search works unchanged.
//! - Pagefind's (`pagefind.rs`), when a template of the site mentions
//!   `pagefind` (the default theme's search page does): an index split
//!   into fragments a phone can fetch a few of.

use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::render::{out_path_for, OutFile};
use crate::site::Site;

mod pagefind;
mod zola;

pub(crate) use pagefind::index as pagefind_index;
use pagefind::BUNDLE;
pub(crate) use zola::index as zola_index;

/// The outputs the Pagefind index reads, and whose change makes `serve`
/// make the index again: (their URL from the site root, their output
/// path). Pages and sections, not pager pages, taxonomy lists, redirects
/// or the search page itself.
pub(crate) fn indexed(site: &Site, config: &Config) -> Vec<(String, String)> {
    let prefix = crate::config::SiteUrl::new(&config.base_url).prefix;
    let mut wanted = Vec::new();
    let mut add = |path: &str| {
        wanted.push((
            format!("{prefix}{}", path.trim_start_matches('/')),
            out_path_for(path),
        ))
    };
    for p in &site.pages {
        if p.meta.in_search_index
            && p.meta.render
            && p.meta.template.as_deref() != Some("search.html")
        {
            add(&p.path);
        }
    }
    for s in &site.sections {
        if s.meta.in_search_index
            && s.meta.render
            && s.meta.redirect_to.is_none()
            && s.meta.template.as_deref() != Some("search.html")
        {
            add(&s.path);
        }
    }
    wanted
}

/// Whether `path` (in the output folder) is a file of the search index.
pub(crate) fn is_index_file(path: &str) -> bool {
    zola::is_index_file(path)
        || path
            .strip_prefix(BUNDLE)
            .is_some_and(|p| p.starts_with('/'))
}

/// Both indexes of the site `serve` serves (`pagefind` says whether to
/// make Pagefind's).
pub(crate) fn index_from<'a>(
    site: &Site,
    config: &Config,
    bytes_of: impl Fn(&str) -> Option<&'a [u8]>,
    pagefind: bool,
    diags: &Diagnostics,
) -> Vec<OutFile> {
    let mut files = zola::index(site, config, pagefind, diags);
    if pagefind {
        files.extend(pagefind::index(site, config, bytes_of, diags));
    }
    files
}
