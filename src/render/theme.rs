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

/// Whether a site that names no theme brings its own: `index.html`,
/// `section.html` and `page.html` in its `templates/` (a Zola theme's own
/// example site, say). Such a site gets only Zola's built-ins under its
/// templates, as in Zola, not the default theme's pages and stylesheets.
pub(crate) fn site_brings_its_own(root: &std::path::Path) -> bool {
    ["index.html", "section.html", "page.html"]
        .iter()
        .all(|t| root.join("templates").join(t).is_file())
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
