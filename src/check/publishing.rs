//! What must be true before a site is published, beyond its links:
//!
//! - No text is left marked for its owner to fill in (`[FILL IN: …]`, the
//!   marker `init` and `new` write and nothing else does). `check` reports
//!   each marker in the config or in a page or section as an error at its
//!   line and column; a build says nothing (the marked text shows on the
//!   page, and the pipeline's `check` stops it being published).
//! - The accessibility statement exists where the site's pages link it
//!   (the default theme's footer links it from every page:
//!   `extra.accessibility_statement`, or `accessibility/`). Every build
//!   (and `serve`) warns once when the pages link it and it is not there,
//!   `check` makes that an error, and the links to it are then not
//!   reported again as broken. Pages that do not link it (a theme of the
//!   site's own that links none, or another address) get nothing.

use std::collections::HashSet;
use std::path::Path;

use crate::build::Rendered;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::render::theme::StatementAt;
use crate::scaffold::{markers, CODE_FILL_IN};
use crate::site::Site;

/// The code on the diagnostic about a missing accessibility statement
/// (`check` makes it an error).
pub const CODE_STATEMENT: &str = "accessibility-statement";

/// Where the accessibility statement is expected: a path of this site.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The output file (`accessibility/index.html`).
    pub output: String,
    /// How a page links it: `href="` and one of `heads`, then `tail`. The
    /// heads are the base URL (as `get_url(path=…, trailing_slash=true)`
    /// writes it, in the default theme's footer) and the base URL's path
    /// (root-relative); the tail is the path (`accessibility/"`), short
    /// enough to look for fast.
    heads: [String; 2],
    tail: String,
    /// Whether the config names it (else it is the default).
    configured: bool,
}

impl Statement {
    /// The statement's place, when it is a path of this site. (A missing
    /// content file, `@/….md`, fails `get_url` on every page already;
    /// another site's statement is checked with the external links.)
    pub fn of(config: &Config) -> Option<Statement> {
        let StatementAt::Path(p) = StatementAt::from_config(config) else {
            return None;
        };
        if p.is_empty() {
            return None;
        }
        let prefix = super::internal::SiteUrl::new(&config.base_url).prefix;
        Some(Statement {
            output: format!("{p}/index.html"),
            heads: [
                format!("href=\"{}/", config.base()),
                format!("href=\"{prefix}"),
            ],
            tail: format!("{p}/\""),
            configured: config.extra.contains_key("accessibility_statement"),
        })
    }

    /// Whether a page or section of `site` is at the statement's path (one
    /// that failed to render has its own error).
    pub fn in_site(&self, site: &Site) -> bool {
        let is_it = |path: &str| crate::render::out_path_for(path) == self.output;
        site.pages.iter().any(|p| is_it(&p.path)) || site.sections.iter().any(|s| is_it(&s.path))
    }

    /// Whether the output file at `path` is a page that links the statement.
    pub fn linked_from(&self, path: &str, bytes: &[u8]) -> bool {
        let Some(html) = path
            .ends_with(".html")
            .then(|| std::str::from_utf8(bytes).ok())
            .flatten()
        else {
            return false;
        };
        html.contains(self.tail.as_str())
            && html
                .match_indices(self.tail.as_str())
                .any(|(i, _)| self.heads.iter().any(|h| html[..i].ends_with(h.as_str())))
    }

    /// The one message for a site whose pages link a statement it does not
    /// have: what the law asks, and the command that writes it.
    pub fn missing(&self, root: &Path, config: &Config) -> Diagnostic {
        let shown = format!("/{}", self.output.trim_end_matches("index.html"));
        let d = Diagnostic::warning(format!(
            "the site has no accessibility statement: public sector websites must publish one, and its pages link to it at `{shown}`{}",
            if self.configured {
                " (`accessibility_statement` in the config's [extra])"
            } else {
                ""
            }
        ))
        .with_code(CODE_STATEMENT)
        .with_hint(
            "run `throughline new accessibility-statement`: it writes content/accessibility.md from the model statement, with what you must fill in marked FILL IN",
        );
        if self.configured {
            d.in_file(&config.file)
        } else {
            d.in_file(root.join("content").join("accessibility.md"))
        }
    }
}

/// The warning for a site whose pages link an accessibility statement the
/// site does not have, from everything the build writes: (output path,
/// bytes) of the rendered files (`serve` keeps them all) and whether a
/// path is written at all (static files included).
pub fn missing_statement<'a>(
    root: &Path,
    config: &Config,
    site: &Site,
    rendered: impl IntoIterator<Item = (&'a str, &'a [u8])>,
    writes: impl Fn(&str) -> bool,
) -> Option<Diagnostic> {
    let s = Statement::of(config)?;
    if s.in_site(site) || writes(&s.output) {
        return None;
    }
    let linked = rendered.into_iter().any(|(p, b)| s.linked_from(p, b));
    linked.then(|| s.missing(root, config))
}

/// An error for each marker left in the config and the content, except on
/// a line that a diagnostic about a placeholder already points at (an id
/// `new` left, which the strategy graph reports).
pub fn fill_ins(r: &Rendered) -> Vec<Diagnostic> {
    let said: HashSet<(&Path, usize)> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == Some(CODE_FILL_IN))
        .filter_map(|d| d.location.as_ref().map(|l| (l.file.as_path(), l.line)))
        .collect();
    let mut out = Vec::new();
    let config = &r.config;
    if let Ok(text) = std::fs::read_to_string(&config.file) {
        // A config that resolves outside the site is never quoted.
        let private = !crate::load::resolves_inside(&config.root, &config.file);
        out.extend(
            in_text(&config.file, &text, text.len(), &said)
                .into_iter()
                .map(|d| if private { d.without_source() } else { d }),
        );
    }
    let pages = r.site.pages.iter().map(|p| (&p.file.path, &p.source));
    let sections = r.site.sections.iter().map(|s| (&s.file.path, &s.source));
    for (file, source) in pages.chain(sections) {
        out.extend(in_text(file, &source.text, source.body_offset, &said));
    }
    out
}

fn in_text(
    file: &Path,
    text: &str,
    comments_until: usize,
    said: &HashSet<(&Path, usize)>,
) -> Vec<Diagnostic> {
    markers(text, comments_until)
        .into_iter()
        .filter_map(|m| {
            let loc = Location::from_span(file, text, m.span.clone());
            if said.contains(&(file, loc.line)) {
                return None;
            }
            let asks = if m.asks.is_empty() {
                "the text it stands for".to_string()
            } else {
                m.asks.clone()
            };
            let how = match text[m.span.clone()].chars().next() {
                Some('[') => "write it in place of the marked text, brackets and all",
                Some('"') => "write it between the quotes, in place of `FILL IN: …`",
                _ => "write it in place of `FILL IN: …`",
            };
            Some(
                Diagnostic::error(format!("still to fill in: {asks}"))
                    .at(loc)
                    .with_code(CODE_FILL_IN)
                    .with_hint(format!(
                        "{how}; `throughline check` fails while any FILL IN is left, so the site is not published with it"
                    )),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn a_page_links_the_statement_absolutely_or_from_the_root() {
        let mut config = Config::parse(
            Path::new("config.toml"),
            "base_url = \"https://x.example/strategy/\"\n",
        )
        .unwrap()
        .config;
        let s = Statement::of(&config).unwrap();
        assert_eq!(s.output, "accessibility/index.html");
        for (html, links) in [
            (
                "<a href=\"https://x.example/strategy/accessibility/\">",
                true,
            ),
            ("<a href=\"/strategy/accessibility/\">", true),
            ("<a href=\"/accessibility/\">", false),
            (
                "<a href=\"https://x.example/strategy/our-accessibility/\">",
                false,
            ),
            (
                "accessibility/\" and href=\"/strategy/accessibility/\"",
                true,
            ),
        ] {
            assert_eq!(
                s.linked_from("a/index.html", html.as_bytes()),
                links,
                "{html}"
            );
        }
        assert!(!s.linked_from("a.xml", b"href=\"/strategy/accessibility/\""));
        config.extra.insert(
            "accessibility_statement".into(),
            "https://trust.example/accessibility".into(),
        );
        assert!(Statement::of(&config).is_none());
    }

    #[test]
    fn each_marker_is_an_error_at_its_column_unless_already_said() {
        let file = PathBuf::from("content/a.md");
        let text = "+++\n# FILL IN: a comment\ntitle = \"x\"\n+++\nRun by [FILL IN: name of your organisation].\n";
        let none = HashSet::new();
        let ds = in_text(&file, text, text.find("Run").unwrap(), &none);
        assert_eq!(ds.len(), 1, "{ds:#?}");
        let loc = ds[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.column, loc.width), (5, 8, 36));
        assert_eq!(ds[0].message, "still to fill in: name of your organisation");
        assert!(ds[0].hint.as_ref().unwrap().contains("brackets and all"));
        let said: HashSet<(&Path, usize)> = [(file.as_path(), 5)].into_iter().collect();
        assert!(in_text(&file, text, 40, &said).is_empty());
    }
}
