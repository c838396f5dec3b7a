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
use crate::diagnostics::{Diagnostic, Location};
use crate::scaffold::{markers, CODE_FILL_IN};

pub use crate::statement::{missing_statement, Statement, CODE_STATEMENT};

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
    use crate::config::Config;
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
