//! Internal links in the rendered output: every `href` and `src` that points
//! into the site must name a file the build writes, and every `#anchor` an
//! id on that page. Checked on the HTML, not the Markdown, so links made by
//! templates, shortcodes and plugins are checked too (Zola's `check` only
//! sees `@/` links in Markdown).

use std::collections::{BTreeMap, HashSet};

use percent_encoding::percent_decode_str;
use rayon::prelude::*;

use super::html::{self, Scan};
use super::{Broken, Sources};
use crate::diagnostics::{Diagnostic, Severity};

pub use crate::config::SiteUrl;

/// What a link points at.
#[derive(Debug, PartialEq, Eq)]
pub enum Target {
    /// A file of this site: the output path (percent-decoded) and fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// A root-relative link outside the base URL's path (`/x/` on a site
    /// published under `/strategy/`): it leaves the site.
    OutsidePrefix,
    /// Another site.
    External,
    /// `mailto:`, `tel:`, `data:`, `javascript:` and the like.
    Other,
}

/// Classify `url`, found on the page whose output path is `from` (for
/// relative links).
pub fn classify(url: &str, from: &str, site: &SiteUrl) -> Target {
    let url = url.trim();
    if url.is_empty() {
        return Target::Internal {
            path: from.to_string(),
            fragment: None,
        };
    }
    let lower = url.to_ascii_lowercase();
    let (rest, absolute_site) = if let Some(r) = strip_base(url, &site.base) {
        (r.to_string(), true)
    } else if lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with("//")
    {
        return Target::External;
    } else if has_scheme(url) {
        return Target::Other;
    } else {
        (url.to_string(), false)
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((a, f)) => (a.to_string(), Some(decode(f))),
        None => (rest, None),
    };
    let rest = rest.split('?').next().unwrap_or("").to_string();
    let path = if absolute_site {
        rest.trim_start_matches('/').to_string()
    } else if let Some(abs) = rest.strip_prefix('/') {
        match format!("/{abs}").strip_prefix(&site.prefix) {
            Some(p) => p.to_string(),
            None if site.prefix == "/" => abs.to_string(),
            None => {
                if format!("/{abs}/") == site.prefix {
                    String::new()
                } else {
                    return Target::OutsidePrefix;
                }
            }
        }
    } else if rest.is_empty() {
        // `#anchor` or `?query` alone: this page.
        return Target::Internal {
            path: from.to_string(),
            fragment,
        };
    } else {
        join(from, &rest)
    };
    Target::Internal {
        path: decode(&path),
        fragment,
    }
}

/// `mailto:`, `tel:`, `data:`… : letters, digits, `+`, `-`, `.` before a colon.
fn has_scheme(url: &str) -> bool {
    match url.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn strip_base<'a>(url: &'a str, base: &str) -> Option<&'a str> {
    if base.is_empty() || !base.contains("://") {
        return None;
    }
    let rest = url.strip_prefix(base)?;
    (rest.is_empty() || rest.starts_with(['/', '#', '?'])).then_some(rest)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Resolve a relative reference against the folder of the output file `from`.
fn join(from: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop(); // the file name
    let trailing = rel.ends_with('/') || rel.ends_with("/.") || rel.ends_with("/..");
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    out
}

/// The output file a path names, if the build writes one: the path itself,
/// or its `index.html` (as a static host serves `/x/` and `/x`).
pub fn resolve<'a>(path: &str, files: &'a HashSet<String>) -> Option<std::borrow::Cow<'a, str>> {
    let p = path.trim_start_matches('/');
    let candidates = if p.is_empty() {
        vec!["index.html".to_string()]
    } else if p.ends_with('/') {
        vec![format!("{p}index.html")]
    } else {
        vec![p.to_string(), format!("{p}/index.html")]
    };
    candidates.into_iter().find_map(|c| {
        files
            .get(&c)
            .map(|s| std::borrow::Cow::Borrowed(s.as_str()))
    })
}

/// Check every internal link of every HTML page in `pages` (output path →
/// scan) against `files` (every output path the build writes).
pub fn check(
    pages: &BTreeMap<String, Scan>,
    files: &HashSet<String>,
    site: &SiteUrl,
    sources: &Sources,
    skip_anchor: &[String],
    level: Severity,
) -> Vec<Diagnostic> {
    let broken: Vec<Broken> = pages
        .par_iter()
        .flat_map_iter(|(from, scan)| {
            let mut out = Vec::new();
            let mut seen = HashSet::new();
            for link in &scan.links {
                if !seen.insert(&link.url) {
                    continue;
                }
                if let Some(b) = check_one(from, &link.url, pages, files, site, skip_anchor) {
                    out.push(b);
                }
            }
            out
        })
        .collect();
    super::locate(broken, sources, super::CODE_INTERNAL, level)
}

fn check_one(
    from: &str,
    url: &str,
    pages: &BTreeMap<String, Scan>,
    files: &HashSet<String>,
    site: &SiteUrl,
    skip_anchor: &[String],
) -> Option<Broken> {
    let mk = |why: String, hint: Option<String>| Broken {
        from: from.to_string(),
        url: url.to_string(),
        why,
        hint,
    };
    match classify(url, from, site) {
        Target::External | Target::Other => None,
        Target::OutsidePrefix => Some(mk(
            format!("the link `{url}` leaves the site: the site is published under `{}`", site.prefix),
            Some(
                "link with `@/path.md` in Markdown, or with `get_url(path=…)` in templates, so links follow the base URL"
                    .into(),
            ),
        )),
        Target::Internal { path, fragment } => {
            let Some(target) = resolve(&path, files) else {
                let wanted = path.trim_matches('/');
                let suggestion = crate::diagnostics::closest(
                    wanted,
                    files
                        .iter()
                        .filter(|f| f.ends_with("index.html"))
                        .map(|f| f.trim_end_matches("index.html").trim_end_matches('/')),
                )
                .map(|s| format!("did you mean `/{s}/`?"));
                return Some(mk(
                    format!("the link `{url}` points at `/{}`, which the site does not have", path.trim_start_matches('/')),
                    suggestion.or_else(|| Some("check the address, or link to the page with `@/path/to/page.md`".into())),
                ));
            };
            let fragment = fragment.filter(|f| !f.is_empty() && f != "top")?;
            if skip_anchor.iter().any(|p| url.starts_with(p.as_str())) {
                return None;
            }
            let scan = pages.get(target.as_ref())?;
            if scan.ids.contains(&fragment) {
                return None;
            }
            let near = crate::diagnostics::closest(&fragment, scan.ids.iter().map(|s| s.as_str()))
                .map(|s| format!("did you mean `#{s}`?"))
                .unwrap_or_else(|| "check the heading's id: headings get ids from their words (`## Our aims` is `#our-aims`)".into());
            Some(mk(
                format!("the link `{url}` points at `#{fragment}`, but that page has no such anchor"),
                Some(near),
            ))
        }
    }
}

/// Build the page map an internal check needs from rendered files.
pub fn scan_pages<'a>(
    files: impl IntoParallelIterator<Item = (&'a str, &'a [u8])>,
) -> BTreeMap<String, Scan> {
    files
        .into_par_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, bytes)| (p.to_string(), html::scan(&String::from_utf8_lossy(bytes))))
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<BTreeMap<_, _>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_links() {
        let site = SiteUrl::new("https://example.org/strategy/");
        let t = |u: &str| classify(u, "blog/x/index.html", &site);
        assert_eq!(
            t("https://example.org/strategy/a/#b"),
            Target::Internal {
                path: "a/".into(),
                fragment: Some("b".into())
            }
        );
        assert_eq!(
            t("/strategy/a/"),
            Target::Internal {
                path: "a/".into(),
                fragment: None
            }
        );
        assert_eq!(
            t("/strategy"),
            Target::Internal {
                path: "".into(),
                fragment: None
            }
        );
        assert_eq!(t("/other/"), Target::OutsidePrefix);
        assert_eq!(t("https://nhs.uk/"), Target::External);
        assert_eq!(t("//cdn.example.com/x.js"), Target::External);
        assert_eq!(t("mailto:a@b.org"), Target::Other);
        assert_eq!(
            t("../y/"),
            Target::Internal {
                path: "blog/y/".into(),
                fragment: None
            }
        );
        assert_eq!(
            t("#here"),
            Target::Internal {
                path: "blog/x/index.html".into(),
                fragment: Some("here".into())
            }
        );
        assert_eq!(
            t("caf%C3%A9.png?v=1"),
            Target::Internal {
                path: "blog/x/café.png".into(),
                fragment: None
            }
        );
        let root = SiteUrl::new("https://example.org");
        assert_eq!(
            classify("/a", "index.html", &root),
            Target::Internal {
                path: "a".into(),
                fragment: None
            }
        );
    }

    #[test]
    fn resolve_paths() {
        let files: HashSet<String> = ["index.html", "a/index.html", "a/b.png"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(resolve("", &files).is_some());
        assert!(resolve("a/", &files).is_some());
        assert!(resolve("a", &files).is_some());
        assert!(resolve("a/b.png", &files).is_some());
        assert!(resolve("c/", &files).is_none());
    }
}
