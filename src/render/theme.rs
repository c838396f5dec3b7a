//! The default theme, `themes/throughline/`, embedded in the binary so a
//! site that names no theme still gets a complete, accessible site.

use include_dir::{include_dir, Dir};

use crate::render::EngineKind;

static DEFAULT_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/throughline");
/// The default theme's templates ported to MiniJinja (its static files are
/// the default theme's).
static JINJA_THEME: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/themes/throughline-minijinja");

fn files(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
    for f in dir.files() {
        out.push(f);
    }
    for d in dir.dirs() {
        files(d, out);
    }
}

fn under(theme: &'static Dir<'static>, prefix: &str) -> Vec<(String, &'static [u8])> {
    let mut all = Vec::new();
    files(theme, &mut all);
    let mut out: Vec<(String, &'static [u8])> = all
        .into_iter()
        .filter_map(|f| {
            let p = f.path().to_string_lossy().replace('\\', "/");
            p.strip_prefix(prefix)
                .map(|rel| (rel.to_string(), f.contents()))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Whether a site that names no theme brings its own, as a Zola site does:
/// `index.html`, `section.html` and `page.html` in its `templates/` (a Zola
/// theme's own example site, say), or an `index.html` that extends nothing
/// or extends a template the site has (its own `base.html`: a Zola site
/// need not have `section.html` when its sections name their templates).
/// Such a site gets only Zola's built-ins under its templates, as in Zola,
/// not the default theme's pages and stylesheets. A site that overrides the
/// default theme's `index.html` and extends the theme's `base.html` still
/// has the theme.
pub(crate) fn site_brings_its_own(root: &std::path::Path) -> bool {
    let templates = root.join("templates");
    if ["index.html", "section.html", "page.html"]
        .iter()
        .all(|t| templates.join(t).is_file())
    {
        return true;
    }
    let Ok(index) = std::fs::read_to_string(templates.join("index.html")) else {
        return false;
    };
    match extended(&index) {
        None => true,
        Some(parent) => templates.join(parent).is_file(),
    }
}

/// The template `{% extends "…" %}` names in `text`, if it extends one.
fn extended(text: &str) -> Option<&str> {
    let at = text.find("extends")?;
    let before = text[..at].trim_end();
    if !before.ends_with("{%") && !before.ends_with("{%-") {
        return None;
    }
    let rest = text[at + "extends".len()..].trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    rest.find(quote).map(|end| &rest[..end])
}

/// Templates of the default theme for an engine: (name, source).
pub(crate) fn default_templates(kind: EngineKind) -> Vec<(String, String)> {
    let theme = match kind {
        EngineKind::Tera => &DEFAULT_THEME,
        EngineKind::MiniJinja => &JINJA_THEME,
    };
    under(theme, "templates/")
        .into_iter()
        .map(|(n, b)| (n, String::from_utf8_lossy(b).into_owned()))
        .collect()
}

/// Static files of the default theme: (path in the output, bytes).
pub(crate) fn default_static() -> Vec<(String, &'static [u8])> {
    under(&DEFAULT_THEME, "static/")
}

/// Where the default theme's footer links the accessibility statement:
/// `extra.accessibility_statement` in the config, else `accessibility/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StatementAt {
    /// A path of this site, without slashes at either end
    /// (`accessibility`); the link ends with `/`.
    Path(String),
    /// A content file, `@/about/accessibility.md`: the file in `content/`.
    Content(String),
    /// Another site's address (the organisation's own statement).
    Elsewhere(String),
}

impl StatementAt {
    pub(crate) fn from_config(config: &crate::config::Config) -> StatementAt {
        let set = config
            .extra
            .get("accessibility_statement")
            .and_then(|v| v.as_str());
        let at = set.unwrap_or("accessibility/");
        if let Some(file) = at.strip_prefix("@/") {
            StatementAt::Content(file.to_string())
        } else if crate::markdown::is_external(at) {
            StatementAt::Elsewhere(at.to_string())
        } else {
            StatementAt::Path(at.trim_matches('/').to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parent_template_is_read_from_extends() {
        assert_eq!(extended("{% extends \"base.html\" %}x"), Some("base.html"));
        assert_eq!(
            extended("{%- extends 'b/base.html' -%}"),
            Some("b/base.html")
        );
        assert_eq!(extended("<p>extends nothing</p>"), None);
        assert_eq!(extended("<html>{{ x }}</html>"), None);
    }
}
