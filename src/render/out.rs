//! The outputs rendering makes, and where they go: [`OutFile`], the order
//! Zola writes each kind in ([`Order`]) and what happens where two meet at
//! one path, and the paths of pages and pagers.

use std::collections::HashMap;

use super::deps;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::site::PageId;

/// A file to write, relative to the output folder.
#[derive(Debug, Clone, Default)]
pub struct OutFile {
    pub path: String,
    pub bytes: Vec<u8>,
    /// In [`super::Mode::Fingerprint`]: the fingerprint of the template and the
    /// context it would be rendered with (`bytes` is then empty).
    pub fp: u64,
    /// With recording on: the templates and functions rendering read.
    pub record: Option<Box<deps::Record>>,
    /// The pages whose values a plugin read to build this output's
    /// context: which pages it shows that the site's structure does not
    /// tell.
    pub page_values_read: Vec<PageId>,
    /// For a plugin's generated page, the plugin's place in the list.
    pub plugin: Option<usize>,
    /// When Zola writes an output of this kind ([`Order`]): where two
    /// outputs meet at one path, the later one is what Zola leaves.
    pub order: Order,
}

/// The kinds of output in the order Zola 0.22 writes them (aliases, then
/// sections with their pages and section feeds, the sitemap, the site's
/// feeds, 404, robots.txt, taxonomies). Where two outputs of different
/// kinds meet at one path the later kind is kept, with a warning naming
/// both, as real Zola sites rely on; two of one kind (two pages with one
/// address) stay an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Order {
    Alias,
    #[default]
    Content,
    Sitemap,
    SiteFeed,
    NotFound,
    Robots,
    Taxonomy,
}

impl Order {
    pub(super) fn from_u8(n: u8) -> Order {
        [
            Order::Alias,
            Order::Content,
            Order::Sitemap,
            Order::SiteFeed,
            Order::NotFound,
            Order::Robots,
            Order::Taxonomy,
        ]
        .get(n as usize)
        .copied()
        .unwrap_or_default()
    }

    /// What made an output of this kind, in words.
    pub fn what(self) -> &'static str {
        match self {
            Order::Alias => "an alias's redirect",
            Order::Content => "a page or section",
            Order::Sitemap => "the sitemap",
            Order::SiteFeed => "the site's feed",
            Order::NotFound => "the 404 page",
            Order::Robots => "robots.txt",
            Order::Taxonomy => "a taxonomy's page",
        }
    }
}

/// Where outputs meet at one path, keep the one Zola leaves (the latest
/// [`Order`]) and say so; two of the same kind are an error.
pub(super) fn settle_collisions(files: &mut Vec<OutFile>, diags: &Diagnostics) {
    let mut at: HashMap<&str, usize> = HashMap::with_capacity(files.len());
    let mut lose: Vec<usize> = Vec::new();
    let mut said: Vec<Diagnostic> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let Some(&j) = at.get(f.path.as_str()) else {
            at.insert(&f.path, i);
            continue;
        };
        let other = &files[j];
        if other.order == f.order {
            lose.push(i);
            if f.order == Order::Content && said_by_load(diags, &f.path) {
                continue;
            }
            said.push(
                Diagnostic::error(format!(
                    "two outputs would be written to `{}`: both {}",
                    f.path,
                    f.order.what()
                ))
                .with_hint("give one of the pages another `path` or `slug`, or rename the taxonomy or alias that goes there"),
            );
            continue;
        }
        let (keep, drop) = if f.order > other.order {
            (i, j)
        } else {
            (j, i)
        };
        said.push(
            Diagnostic::warning(format!(
                "two outputs go to `{}`: {} and {}; {} is kept, as Zola writes it later",
                f.path,
                other.order.what(),
                f.order.what(),
                files[keep].order.what()
            ))
            .with_hint("rename one of them if both should be published"),
        );
        at.insert(&files[keep].path, keep);
        lose.push(drop);
    }
    if lose.is_empty() {
        return;
    }
    said.sort_by(|a, b| a.message.cmp(&b.message));
    said.dedup_by(|a, b| a.message == b.message);
    diags.extend(said);
    lose.sort_unstable();
    lose.dedup();
    let mut n = 0;
    files.retain(|_| {
        let gone = lose.binary_search(&n).is_ok();
        n += 1;
        !gone
    });
}

/// Whether loading already reported two pieces of content at the address
/// of `path` (with the files named), so the same mistake is not told twice.
pub(super) fn said_by_load(diags: &Diagnostics, path: &str) -> bool {
    let address = format!("`/{}`", path.strip_suffix("index.html").unwrap_or(path));
    diags.snapshot().iter().any(|d| {
        d.is_error() && d.message.contains("the same address") && d.message.contains(&address)
    })
}

impl OutFile {
    pub fn new(path: impl Into<String>, bytes: Vec<u8>) -> OutFile {
        OutFile {
            path: path.into(),
            bytes,
            ..OutFile::default()
        }
    }
}

pub(crate) fn out_path_for(path: &str) -> String {
    let p = path.trim_start_matches('/');
    if p.is_empty() {
        "index.html".into()
    } else if p.ends_with('/') {
        format!("{p}index.html")
    } else {
        format!("{p}/index.html")
    }
}

/// The path of pager `i` (from 0) of a list at `base_path`.
pub(super) fn pager_path(base_path: &str, paginate_path: &str, i: usize) -> String {
    if i == 0 {
        base_path.to_string()
    } else {
        format!("{}{}/{}/", base_path, paginate_path, i + 1)
    }
}

/// The output files of every pager of a list of `len` pages.
pub(super) fn pager_files(
    base_path: &str,
    paginate_path: &str,
    len: usize,
    by: usize,
) -> Vec<String> {
    (0..len.div_ceil(by).max(1))
        .map(|i| out_path_for(&pager_path(base_path, paginate_path, i)))
        .collect()
}

/// An HTML output as Zola writes it with `minify_html` (or `build
/// --minify`): minify-html with Zola's settings (CSS minified, JavaScript
/// left as written, the `<html>` and `<head>` tags kept).
pub(super) fn minified(html: &str) -> Vec<u8> {
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_html_and_head_opening_tags = true;
    cfg.minify_css = true;
    cfg.minify_js = false;
    minify_html::minify(html.as_bytes(), &cfg)
}
