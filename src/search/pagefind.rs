//! The Pagefind index (the `pagefind` crate, in memory): the index is
//! split into small fragments that a browser fetches as the reader types,
//! so a phone reads tens of kilobytes for a search, not the whole site as
//! with a single-file index (elasticlunr, Zola's). It needs no service: the
//! files go into `pagefind/` beside the pages. Themes search through
//! `pagefind/pagefind.js` (the default theme's `search.html` does).
//!
//! It reads the rendered pages and sections ([`indexed`]); a theme marks the
//! part worth indexing with `data-pagefind-body` (the default theme marks
//! `<main>`).

use super::indexed;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::OutFile;
use crate::site::Site;

/// The folder the index is written to, under the output folder.
pub(crate) const BUNDLE: &str = "pagefind";

/// The Pagefind index of the pages [`indexed`] names, reading each
/// output's bytes through `bytes_of` (its output path).
pub(crate) fn index<'a>(
    site: &Site,
    config: &Config,
    bytes_of: impl Fn(&str) -> Option<&'a [u8]>,
    diags: &Diagnostics,
) -> Vec<OutFile> {
    let wanted: Vec<(String, String)> = indexed(site, config)
        .into_iter()
        .filter_map(|(url, out)| {
            bytes_of(&out).map(|b| (url, String::from_utf8_lossy(b).into_owned()))
        })
        .collect();
    let runtime = match tokio::runtime::Builder::new_current_thread().build() {
        Ok(r) => r,
        Err(e) => {
            diags.push(Diagnostic::error(format!(
                "the search index could not be built: {e}"
            )));
            return Vec::new();
        }
    };
    let built = runtime.block_on(async {
        // One language: Pagefind is told it. Several: it reads each page's
        // `<html lang>` and keeps an index per language.
        let options = if config.languages.is_empty() {
            pagefind::options::PagefindServiceConfig::builder()
                .force_language(
                    config
                        .default_language
                        .split('-')
                        .next()
                        .unwrap_or("en")
                        .to_string(),
                )
                .build()
        } else {
            pagefind::options::PagefindServiceConfig::builder().build()
        };
        let mut index = pagefind::api::PagefindIndex::new(Some(options))?;
        for (url, html) in wanted {
            index.add_html_file(None, Some(url), html).await?;
        }
        index.get_files().await
    });
    match built {
        Ok(files) => files
            .into_iter()
            .map(|f| {
                OutFile::new(
                    format!(
                        "{BUNDLE}/{}",
                        f.filename.to_string_lossy().replace('\\', "/")
                    ),
                    f.contents,
                )
            })
            .collect(),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("the search index could not be built: {e}"))
                    .in_file(Config::find(&config.root))
                    .with_hint("set `build_search_index = false` to build without search"),
            );
            Vec::new()
        }
    }
}
