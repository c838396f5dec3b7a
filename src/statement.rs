//! The accessibility statement a public sector site must publish: where
//! the site's pages link it, and whether the site has it. Every build
//! (and `serve`) warns once when the pages link a statement that is not
//! there; `check` makes that an error (`check::publishing`).

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::render::theme::StatementAt;
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
        let prefix = crate::config::SiteUrl::new(&config.base_url).prefix;
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

/// The statement stage: the statement the site's pages may link and it
/// does not have, looked for in each output as it is made (a build that
/// streams its outputs to disk keeps no bytes to look in afterwards).
pub(crate) struct Watch {
    statement: Option<Statement>,
    linked: AtomicBool,
}

impl Watch {
    /// Watch for links to the statement, when the config places one in
    /// this site and neither a page nor a static file (`copied`) is there.
    pub(crate) fn new(config: &Config, site: &Site, copied: impl Fn(&str) -> bool) -> Watch {
        Watch {
            statement: Statement::of(config).filter(|s| !s.in_site(site) && !copied(&s.output)),
            linked: AtomicBool::new(false),
        }
    }

    /// Look in one output as it is made.
    pub(crate) fn see(&self, path: &str, bytes: &[u8]) {
        if let Some(s) = &self.statement {
            if !self.linked.load(Ordering::Relaxed) && s.linked_from(path, bytes) {
                self.linked.store(true, Ordering::Relaxed);
            }
        }
    }

    /// The warning, when an output seen or one of `rendered` (output
    /// path, bytes) links the statement and no output is at its path
    /// (`written`).
    pub(crate) fn finish<'a>(
        self,
        root: &Path,
        config: &Config,
        rendered: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        written: impl Fn(&str) -> bool,
    ) -> Option<Diagnostic> {
        let s = self.statement?;
        let linked =
            self.linked.into_inner() || rendered.into_iter().any(|(p, b)| s.linked_from(p, b));
        (linked && !written(&s.output)).then(|| s.missing(root, config))
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
    Watch::new(config, site, &writes).finish(root, config, rendered, &writes)
}
