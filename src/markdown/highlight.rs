//! Code blocks, as Zola 0.22 writes them: coloured by giallo (the
//! highlighter Zola 0.22 uses, so the HTML is the same) when the config has
//! `[markdown.highlighting]`, else plain `<pre><code data-lang="…">`.
//!
//! ```toml
//! [markdown.highlighting]
//! theme = "github-light"          # or light_theme + dark_theme
//! style = "inline"                # or "class": colours in giallo.css
//! error_on_missing_language = false
//! extra_grammars = ["grammars/x.json"]
//! extra_themes = ["themes/y.json"]
//! ```
//!
//! Fence options work as in Zola: `linenos`, `linenostart=10`,
//! `hl_lines=3-5`, `hide_lines=1`, `name=…`. With `style = "class"` the
//! stylesheet is written to the output as `giallo.css` (or
//! `giallo-light.css` and `giallo-dark.css`) unless `static/` has one;
//! throughline never writes into `static/` itself, as Zola does.

use std::path::Path;
use std::sync::{Arc, Mutex};

use giallo::{HighlightOptions, HtmlRenderer, Registry, ThemeVariant};
use serde::Deserialize;

use crate::config::Config;
use crate::diagnostics::{closest, Diagnostic};

/// Unknown keys are ignored, as Zola does; the config warns of them.
#[derive(Debug, Clone, Deserialize, PartialEq, Default)]
#[serde(default)]
struct Settings {
    error_on_missing_language: bool,
    style: Option<String>,
    theme: Option<String>,
    light_theme: Option<String>,
    dark_theme: Option<String>,
    extra_grammars: Vec<String>,
    extra_themes: Vec<String>,
}

enum Theme {
    Single(String),
    Dual { light: String, dark: String },
}

pub(crate) struct Highlighter {
    registry: Registry,
    theme: Theme,
    classes: bool,
    /// A block in a language giallo does not know is an error, not a
    /// warning.
    pub error_on_missing_language: bool,
}

/// What highlighting a block had to say: the language it does not know.
pub(crate) struct Missing(pub String);

/// The highlighter the config asks for, if any. Loading giallo's grammars
/// takes tens of milliseconds, so the last one is kept for the next build
/// (`serve` rebuilds with the same config).
pub(crate) fn for_config(
    root: &Path,
    config: &Config,
) -> Result<Option<Arc<Highlighter>>, Diagnostic> {
    type Cache = Mutex<Option<(String, Arc<Highlighter>)>>;
    static LAST: Mutex<Option<(String, Arc<Highlighter>)>> = Mutex::new(None);
    let Some(table) = &config.markdown.highlighting else {
        return Ok(None);
    };
    let key = format!("{}\u{0}{table}", root.display());
    let cache: &Cache = &LAST;
    if let Some((k, h)) = &*cache.lock().unwrap_or_else(|e| e.into_inner()) {
        if *k == key {
            return Ok(Some(h.clone()));
        }
    }
    let h = Arc::new(Highlighter::new(root, config, table)?);
    *cache.lock().unwrap_or_else(|e| e.into_inner()) = Some((key, h.clone()));
    Ok(Some(h))
}

impl Highlighter {
    fn new(root: &Path, config: &Config, table: &toml::Table) -> Result<Highlighter, Diagnostic> {
        let file = &config.file;
        let bad = |message: String, hint: String| {
            Diagnostic::error(message).in_file(file).with_hint(hint)
        };
        let settings: Settings = toml::Value::Table(table.clone())
            .try_into()
            .map_err(|e: toml::de::Error| {
                bad(
                    format!("`[markdown.highlighting]`: {}", e.message()),
                    "its keys are theme (or light_theme and dark_theme), style, error_on_missing_language, extra_grammars and extra_themes".into(),
                )
            })?;
        let mut registry = Registry::builtin().map_err(|e| {
            bad(
                format!("the syntax highlighter could not be loaded: {e}"),
                "remove `[markdown.highlighting]` to build without colours".into(),
            )
        })?;
        let dir = root;
        for g in &settings.extra_grammars {
            registry.add_grammar_from_path(dir.join(g)).map_err(|e| {
                bad(
                    format!("the grammar `{g}` in `extra_grammars` could not be read: {e}"),
                    "paths are from the site's folder; a grammar is a TextMate JSON file".into(),
                )
            })?;
        }
        for t in &settings.extra_themes {
            registry.add_theme_from_path(dir.join(t)).map_err(|e| {
                bad(
                    format!("the theme `{t}` in `extra_themes` could not be read: {e}"),
                    "paths are from the site's folder; a theme is a TextMate/VS Code JSON theme"
                        .into(),
                )
            })?;
        }
        registry.link_grammars();
        let theme = match (&settings.theme, &settings.light_theme, &settings.dark_theme) {
            (Some(t), None, None) => Theme::Single(t.clone()),
            (None, Some(l), Some(d)) => Theme::Dual {
                light: l.clone(),
                dark: d.clone(),
            },
            _ => return Err(bad(
                "`[markdown.highlighting]` needs `theme`, or both `light_theme` and `dark_theme`"
                    .into(),
                "for example `theme = \"github-light\"`".into(),
            )),
        };
        let names: Vec<&String> = match &theme {
            Theme::Single(t) => vec![t],
            Theme::Dual { light, dark } => vec![light, dark],
        };
        for name in names {
            if !registry.contains_theme(name) {
                return Err(bad(
                    format!("there is no highlighting theme `{name}`"),
                    match closest(name, BUILTIN_THEMES.iter().copied()) {
                        Some(b) => format!("did you mean `{b}`? Zola 0.22's themes are giallo's"),
                        None => "the themes are giallo's (as in Zola 0.22), such as `github-light`, `github-dark` or `catppuccin-latte`".into(),
                    },
                ));
            }
        }
        let classes = match settings.style.as_deref() {
            None | Some("inline") => false,
            Some("class") => true,
            Some(other) => {
                return Err(bad(
                    format!("`style = \"{other}\"` is not a highlighting style"),
                    "use `style = \"inline\"` (the default) or `style = \"class\"`".into(),
                ))
            }
        };
        Ok(Highlighter {
            registry,
            theme,
            classes,
            error_on_missing_language: settings.error_on_missing_language,
        })
    }

    /// A fenced block's HTML, from its info string (`rust,linenos`) and
    /// text. A language giallo does not know is shown plain, and named.
    pub(crate) fn block(&self, info: &str, code: &str) -> (String, Option<Missing>) {
        let fence = giallo::parse_markdown_fence(info);
        let missing =
            (!self.registry.contains_grammar(&fence.lang)).then(|| Missing(fence.lang.clone()));
        let theme = match &self.theme {
            Theme::Single(t) => ThemeVariant::Single(t.as_str()),
            Theme::Dual { light, dark } => ThemeVariant::Dual {
                light: light.as_str(),
                dark: dark.as_str(),
            },
        };
        let options = HighlightOptions::new(&fence.lang, theme).fallback_to_plain(true);
        match self.registry.highlight(code, &options) {
            Ok(h) => {
                let renderer = HtmlRenderer {
                    other_metadata: fence.rest.clone(),
                    css_class_prefix: self.classes.then(|| "z-".to_string()),
                };
                (renderer.render(&h, &fence.options), missing)
            }
            Err(_) => (plain_block(info, code), missing),
        }
    }

    /// The stylesheets `style = "class"` needs: (file name, CSS).
    pub(crate) fn stylesheets(&self) -> Vec<(&'static str, String)> {
        if !self.classes {
            return Vec::new();
        }
        let css = |t: &str| self.registry.generate_css(t, "z-").unwrap_or_default();
        match &self.theme {
            Theme::Single(t) => vec![("giallo.css", css(t))],
            Theme::Dual { light, dark } => {
                vec![
                    ("giallo-light.css", css(light)),
                    ("giallo-dark.css", css(dark)),
                ]
            }
        }
    }
}

/// A block without highlighting, as Zola writes it.
pub(crate) fn plain_block(info: &str, code: &str) -> String {
    let fence = giallo::parse_markdown_fence(info);
    let lang = if fence.lang != giallo::PLAIN_GRAMMAR_NAME && !fence.lang.is_empty() {
        format!(" data-lang=\"{}\"", super::escape_attr(&fence.lang))
    } else {
        String::new()
    };
    format!(
        "<pre><code{lang}>{}</code></pre>\n",
        super::escape_attr(code)
    )
}

/// A few of giallo's theme names, for "did you mean".
const BUILTIN_THEMES: &[&str] = &[
    "github-light",
    "github-dark",
    "github-dark-dimmed",
    "catppuccin-latte",
    "catppuccin-frappe",
    "catppuccin-macchiato",
    "catppuccin-mocha",
    "dracula",
    "gruvbox-dark-hard",
    "gruvbox-dark-medium",
    "gruvbox-dark-soft",
    "gruvbox-light-hard",
    "gruvbox-light-medium",
    "gruvbox-light-soft",
    "nord",
    "one-dark-pro",
    "one-light",
    "solarized-dark",
    "solarized-light",
    "vitesse-dark",
    "vitesse-light",
    "dark-plus",
    "light-plus",
    "monokai",
    "material-theme",
    "min-light",
    "min-dark",
    "rose-pine",
    "rose-pine-dawn",
    "tokyo-night",
    "ayu-dark",
    "plastic",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn config(table: &str) -> Config {
        let text = format!("base_url = \"https://x.example\"\n[markdown.highlighting]\n{table}");
        Config::parse(Path::new("config.toml"), &text)
            .map_err(|d| format!("{d:?}"))
            .unwrap()
            .config
    }

    #[test]
    fn colours_a_block_as_zola_does_and_names_a_language_it_lacks() {
        let c = config("theme = \"github-light\"\n");
        let h = for_config(Path::new("."), &c).unwrap().unwrap();
        let (html, missing) = h.block("rust,linenos", "fn main() {}\n");
        assert!(html.starts_with("<pre class=\"giallo\" style="), "{html}");
        assert!(html.contains("data-lang=\"rust\""), "{html}");
        assert!(html.contains("class=\"giallo-ln\""), "line numbers: {html}");
        assert!(missing.is_none());
        let (html, missing) = h.block("klingon", "qapla'\n");
        assert!(html.contains("qapla"), "{html}");
        assert_eq!(missing.unwrap().0, "klingon");
        assert!(h.stylesheets().is_empty());
    }

    #[test]
    fn class_style_writes_stylesheets_and_a_wrong_theme_is_explained() {
        let c = config(
            "light_theme = \"github-light\"\ndark_theme = \"github-dark\"\nstyle = \"class\"\n",
        );
        let h = for_config(Path::new("."), &c).unwrap().unwrap();
        let names: Vec<&str> = h.stylesheets().iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["giallo-light.css", "giallo-dark.css"]);
        assert!(h.stylesheets()[0].1.contains(".z-"));
        let (html, _) = h.block("rust", "let x = 1;\n");
        assert!(html.contains("class=\"z-"), "{html}");

        let c = config("theme = \"github-lite\"\n");
        let e = for_config(Path::new("."), &c).err().unwrap();
        assert!(e.message.contains("`github-lite`"));
        assert!(e.hint.unwrap().contains("did you mean `github-light`?"));
    }

    #[test]
    fn without_highlighting_a_block_is_plain_with_its_language() {
        assert_eq!(
            plain_block("rust,linenos", "a < b\n"),
            "<pre><code data-lang=\"rust\">a &lt; b\n</code></pre>\n"
        );
        assert_eq!(plain_block("", "x\n"), "<pre><code>x\n</code></pre>\n");
    }
}
