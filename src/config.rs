//! The site's configuration: `zola.toml`, falling back to `config.toml`.
//!
//! The keys and their defaults are Zola 0.22's. Unknown top-level keys are
//! errors (as in Zola), reported with file, line and column. Features Zola
//! has and throughline does not yet are reported as warnings naming the key,
//! never ignored silently (see `docs/zola-differences.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostics::{closest, Diagnostic, Location};
use crate::slug::Strategy;

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub base_url: String,
    pub theme: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub default_language: String,
    pub languages: BTreeMap<String, LanguageOptions>,
    pub translations: BTreeMap<String, String>,
    pub generate_feeds: bool,
    pub feed_limit: Option<usize>,
    pub feed_filenames: Vec<String>,
    pub hard_link_static: bool,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub taxonomy_root: Option<String>,
    pub author: Option<String>,
    pub compile_sass: bool,
    pub minify_html: bool,
    pub build_search_index: bool,
    pub ignored_content: Vec<String>,
    pub ignored_static: Vec<String>,
    pub output_dir: String,
    pub preserve_dotfiles_in_output: bool,
    pub link_checker: toml::Table,
    pub slugify: Slugify,
    pub search: toml::Table,
    pub markdown: Markdown,
    pub extra: toml::Table,
    pub generate_sitemap: bool,
    pub generate_robots_txt: bool,
    pub exclude_paginated_pages_in_sitemap: String,
    /// Set by the command line, not the file.
    #[serde(skip)]
    pub mode: Mode,
    /// The config file this was read from.
    #[serde(skip)]
    pub file: PathBuf,
    /// The site's root folder (set by the build, not the file).
    #[serde(skip)]
    pub root: PathBuf,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Build,
    Serve,
    Check,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            base_url: String::new(),
            theme: None,
            title: None,
            description: None,
            default_language: "en".into(),
            languages: BTreeMap::new(),
            translations: BTreeMap::new(),
            generate_feeds: false,
            feed_limit: None,
            feed_filenames: vec!["atom.xml".into()],
            hard_link_static: false,
            taxonomies: Vec::new(),
            taxonomy_root: None,
            author: None,
            compile_sass: false,
            minify_html: false,
            build_search_index: false,
            ignored_content: Vec::new(),
            ignored_static: Vec::new(),
            output_dir: "public".into(),
            preserve_dotfiles_in_output: false,
            link_checker: toml::Table::new(),
            slugify: Slugify::default(),
            search: toml::Table::new(),
            markdown: Markdown::default(),
            extra: toml::Table::new(),
            generate_sitemap: true,
            generate_robots_txt: true,
            exclude_paginated_pages_in_sitemap: "none".into(),
            mode: Mode::Build,
            file: PathBuf::new(),
            root: PathBuf::new(),
        }
    }
}

/// One `[languages.CODE]` table: what a language other than the default
/// sets for itself (Zola's `LanguageOptions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageOptions {
    pub title: Option<String>,
    pub description: Option<String>,
    pub generate_feeds: bool,
    pub feed_filenames: Vec<String>,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub build_search_index: bool,
    #[serde(serialize_with = "table_as_json")]
    pub search: toml::Table,
    pub translations: BTreeMap<String, String>,
}

fn table_as_json<S: serde::Serializer>(t: &toml::Table, s: S) -> Result<S::Ok, S::Error> {
    crate::value::toml_to_json(&toml::Value::Table(t.clone())).serialize(s)
}

impl Default for LanguageOptions {
    fn default() -> Self {
        LanguageOptions {
            title: None,
            description: None,
            generate_feeds: false,
            feed_filenames: vec!["atom.xml".into()],
            taxonomies: Vec::new(),
            build_search_index: false,
            search: toml::Table::new(),
            translations: BTreeMap::new(),
        }
    }
}

/// Unknown keys in a taxonomy are ignored, as Zola does (real themes
/// carry `rss = true` from older Zolas), with a warning
/// (`ignored_keys_warnings`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxonomyConfig {
    pub name: String,
    #[serde(skip_deserializing)]
    pub slug: String,
    pub paginate_by: Option<usize>,
    pub paginate_path: Option<String>,
    pub render: bool,
    pub feed: bool,
    #[serde(skip_serializing)]
    pub lang: Option<String>,
}

impl Default for TaxonomyConfig {
    fn default() -> Self {
        TaxonomyConfig {
            name: String::new(),
            slug: String::new(),
            paginate_by: None,
            paginate_path: None,
            render: true,
            feed: false,
            lang: None,
        }
    }
}

impl TaxonomyConfig {
    pub fn paginate_path(&self) -> &str {
        self.paginate_path.as_deref().unwrap_or("page")
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Slugify {
    pub paths: Strategy,
    pub paths_keep_dates: bool,
    pub taxonomies: Strategy,
    pub anchors: Strategy,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InsertAnchor {
    Left,
    Right,
    Heading,
    #[default]
    None,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Markdown {
    pub highlighting: Option<toml::Table>,
    pub render_emoji: bool,
    pub external_links_class: Option<String>,
    pub external_links_target_blank: bool,
    pub external_links_no_follow: bool,
    pub external_links_no_referrer: bool,
    pub external_links_external: bool,
    pub smart_punctuation: bool,
    pub definition_list: bool,
    pub bottom_footnotes: bool,
    pub lazy_async_image: bool,
    pub insert_anchor_links: InsertAnchor,
    pub github_alerts: bool,
}

impl Default for Markdown {
    fn default() -> Markdown {
        Markdown {
            highlighting: None,
            render_emoji: false,
            external_links_class: None,
            external_links_target_blank: false,
            external_links_no_follow: false,
            external_links_no_referrer: false,
            external_links_external: true,
            smart_punctuation: false,
            definition_list: false,
            bottom_footnotes: false,
            lazy_async_image: false,
            insert_anchor_links: InsertAnchor::None,
            github_alerts: false,
        }
    }
}

impl Markdown {
    pub fn has_external_link_tweaks(&self) -> bool {
        self.external_links_target_blank
            || self.external_links_no_follow
            || self.external_links_no_referrer
            || self.external_links_external
            || self.external_links_class.is_some()
    }
}

/// The top-level keys Zola accepts, for "did you mean" hints.
const KNOWN_KEYS: &[&str] = &[
    "base_url",
    "theme",
    "title",
    "description",
    "default_language",
    "languages",
    "translations",
    "generate_feeds",
    "feed_limit",
    "feed_filenames",
    "hard_link_static",
    "taxonomies",
    "taxonomy_root",
    "author",
    "compile_sass",
    "minify_html",
    "build_search_index",
    "ignored_content",
    "ignored_static",
    "output_dir",
    "preserve_dotfiles_in_output",
    "link_checker",
    "slugify",
    "search",
    "markdown",
    "extra",
    "generate_sitemap",
    "generate_robots_txt",
    "exclude_paginated_pages_in_sitemap",
];

/// A loaded configuration, with what loading it had to say.
pub struct Loaded {
    pub config: Config,
    pub path: PathBuf,
    pub warnings: Vec<Diagnostic>,
}

impl Config {
    /// The config file to use in `root`: `zola.toml`, else `config.toml`.
    pub fn find(root: &Path) -> PathBuf {
        let zola = root.join("zola.toml");
        if zola.is_file() {
            zola
        } else {
            root.join("config.toml")
        }
    }

    /// Read and check a config file.
    pub fn load(path: &Path) -> Result<Loaded, Vec<Diagnostic>> {
        let bytes = std::fs::read(path).map_err(|e| {
            vec![Diagnostic::error(format!("cannot read the config file: {e}"))
                .in_file(path)
                .with_hint(
                    "a site needs `zola.toml` or `config.toml` at its root; pass --root or --config to point at it",
                )]
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            vec![crate::diagnostics::invalid_utf8(
                path,
                e.as_bytes(),
                e.utf8_error(),
            )]
        })?;
        Config::parse(path, &text)
    }

    pub fn parse(path: &Path, text: &str) -> Result<Loaded, Vec<Diagnostic>> {
        let mut config: Config =
            toml::from_str(text).map_err(|e| vec![toml_error(path, text, &e, Some(KNOWN_KEYS))])?;
        config.file = path.to_path_buf();
        let mut warnings = Vec::new();
        if config.base_url.is_empty() {
            return Err(vec![Diagnostic::error(
                "the config has no `base_url`: every link on the site is built from it",
            )
            .in_file(path)
            .with_hint(
                "add a line such as `base_url = \"https://example.org\"` at the top",
            )]);
        }
        // Zola lets the default language's options sit in a
        // `[languages.DEFAULT]` table too, and merges it with the top
        // level's: each option set in one place is taken from there; set in
        // both, it is a mistake.
        if let Some(section) = config.languages.remove(&config.default_language) {
            let lang = config.default_language.clone();
            let at = |key: &str| {
                let d = Diagnostic::error(format!(
                    "`{key}` for the default language `{lang}` is set twice: at the top of the config and in `[languages.{lang}]`"
                ))
                .in_file(path)
                .with_hint(format!("keep one of them: Zola merges `[languages.{lang}]` into the top level, and cannot choose between two values"));
                match text.find(&format!("[languages.{lang}")) {
                    Some(i) => d.at(Location::from_span(path, text, i..i + 11 + lang.len())),
                    None => d,
                }
            };
            let mut twice = Vec::new();
            match (&config.title, section.title) {
                (None, t) => config.title = t,
                (Some(_), Some(_)) => twice.push(at("title")),
                _ => {}
            }
            match (&config.description, section.description) {
                (None, t) => config.description = t,
                (Some(_), Some(_)) => twice.push(at("description")),
                _ => {}
            }
            let default_feeds = LanguageOptions::default().feed_filenames;
            if config.feed_filenames.is_empty() || config.feed_filenames == default_feeds {
                config.feed_filenames = section.feed_filenames;
            } else if section.feed_filenames != default_feeds
                && section.feed_filenames != config.feed_filenames
            {
                twice.push(at("feed_filenames"));
            }
            if config.taxonomies.is_empty() {
                config.taxonomies = section.taxonomies;
            } else if !section.taxonomies.is_empty() {
                twice.push(at("taxonomies"));
            }
            if config.translations.is_empty() {
                config.translations = section.translations;
            } else if !section.translations.is_empty() {
                twice.push(at("translations"));
            }
            if config.search.is_empty() {
                config.search = section.search;
            } else if !section.search.is_empty() && section.search != config.search {
                twice.push(at("search"));
            }
            // Zola writes the default language's feed and search index
            // only for the top-level settings: set in the table alone,
            // they write nothing there either (a real site, portio, has
            // no root feed for it). Said, so nobody waits for them.
            for (key, set_there, set_at_top) in [
                (
                    "generate_feeds",
                    section.generate_feeds,
                    config.generate_feeds,
                ),
                (
                    "build_search_index",
                    section.build_search_index,
                    config.build_search_index,
                ),
            ] {
                if set_there && !set_at_top {
                    let d = Diagnostic::warning(format!(
                        "`{key}` under `[languages.{lang}]` does nothing for the default language `{lang}` (in Zola neither)"
                    ))
                    .in_file(path)
                    .with_hint(format!("set `{key} = true` at the top of the config instead"));
                    warnings.push(match text.find(&format!("[languages.{lang}]")) {
                        Some(i) => d.at(Location::from_span(path, text, i..i + 12 + lang.len())),
                        None => d,
                    });
                }
            }
            if !twice.is_empty() {
                return Err(twice);
            }
        }
        for tax in &mut config.taxonomies {
            tax.slug = crate::slug::slugify(&tax.name, config.slugify.taxonomies);
        }
        let slugify_taxonomies = config.slugify.taxonomies;
        for (code, options) in &mut config.languages {
            for tax in &mut options.taxonomies {
                tax.slug = crate::slug::slugify(&tax.name, slugify_taxonomies);
                tax.lang = Some(code.clone());
            }
        }
        warnings.extend(ignored_keys_warnings(path, text));
        Ok(Loaded {
            config,
            path: path.to_path_buf(),
            warnings,
        })
    }

    /// `base_url` without its trailing slash.
    pub fn base(&self) -> &str {
        self.base_url.trim_end_matches('/')
    }

    /// The absolute URL for a site path such as `/blog/` (Zola's
    /// `make_permalink`).
    pub fn permalink(&self, path: &str) -> String {
        let trailing = !path.contains('.') || path.ends_with('/');
        let p = path.trim_start_matches('/');
        if p.is_empty() {
            format!("{}/", self.base())
        } else if trailing && !p.ends_with('/') && !p.contains('#') && !p.contains('?') {
            format!("{}/{}/", self.base(), p)
        } else {
            format!("{}/{}", self.base(), p)
        }
    }

    /// Translation lookup for `trans()`: Zola's `[translations]` table, or
    /// `[languages.CODE.translations]` for another language.
    pub fn translation(&self, key: &str, lang: &str) -> Option<&str> {
        match self.languages.get(lang) {
            Some(o) => o.translations.get(key).map(String::as_str),
            None => self.translations.get(key).map(String::as_str),
        }
    }

    /// Whether `lang` is a language the site is written in.
    pub fn has_language(&self, lang: &str) -> bool {
        lang == self.default_language || self.languages.contains_key(lang)
    }

    /// Every language of the site, the default first.
    pub fn all_languages(&self) -> Vec<&str> {
        std::iter::once(self.default_language.as_str())
            .chain(self.languages.keys().map(String::as_str))
            .collect()
    }

    /// The options of `lang`; for the default language, the top level's.
    pub fn language(&self, lang: &str) -> LanguageOptions {
        match self.languages.get(lang) {
            Some(o) => o.clone(),
            None => LanguageOptions {
                title: self.title.clone(),
                description: self.description.clone(),
                generate_feeds: self.generate_feeds,
                feed_filenames: self.feed_filenames.clone(),
                taxonomies: self.taxonomies.clone(),
                build_search_index: self.build_search_index,
                search: self.search.clone(),
                translations: self.translations.clone(),
            },
        }
    }

    /// Whether `lang` asks for feeds, and their file names (without
    /// copying the rest of its options).
    pub fn feeds_for(&self, lang: &str) -> (bool, &[String]) {
        match self.languages.get(lang) {
            Some(o) => (o.generate_feeds, &o.feed_filenames),
            None => (self.generate_feeds, &self.feed_filenames),
        }
    }

    /// The path prefix of `lang`'s pages: `""` for the default, `/fr` else.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.default_language {
            String::new()
        } else {
            format!("/{lang}")
        }
    }

    /// The config as templates see it (`config.*`) in the default language.
    pub fn to_template_value(&self) -> serde_json::Value {
        self.to_template_value_for(&self.default_language)
    }

    /// The config as templates see it on a page in `lang`: that language's
    /// title, description, feeds, taxonomies and search, and in
    /// `languages` every other language (the default one included), as in
    /// Zola.
    pub fn to_template_value_for(&self, lang: &str) -> serde_json::Value {
        let mut languages = serde_json::Map::new();
        for code in self.all_languages() {
            if code != lang {
                languages.insert(
                    code.to_string(),
                    serde_json::to_value(self.language(code)).unwrap_or_default(),
                );
            }
        }
        let options = self.language(lang);
        serde_json::json!({
            "base_url": self.base_url,
            "mode": self.mode,
            "title": options.title,
            "description": options.description,
            "languages": languages,
            "default_language": self.default_language,
            "generate_feed": options.generate_feeds,
            "generate_feeds": options.generate_feeds,
            "feed_filenames": options.feed_filenames,
            "taxonomies": options.taxonomies,
            "author": self.author,
            "build_search_index": options.build_search_index,
            "extra": crate::value::toml_to_json(&toml::Value::Table(self.extra.clone())),
            "markdown": self.markdown,
            "search": { "index_format": search_index_format(&options.search) },
            "generate_sitemap": self.generate_sitemap,
            "generate_robots_txt": self.generate_robots_txt,
            "exclude_paginated_pages_in_sitemap": self.exclude_paginated_pages_in_sitemap,
        })
    }
}

/// The keys a taxonomy entry and `[markdown.highlighting]` take.
const TAXONOMY_KEYS: &[&str] = &["name", "paginate_by", "paginate_path", "render", "feed"];
const HIGHLIGHTING_KEYS: &[&str] = &[
    "error_on_missing_language",
    "style",
    "theme",
    "light_theme",
    "dark_theme",
    "extra_grammars",
    "extra_themes",
];

/// Warnings for keys Zola ignores where it does not refuse them: in a
/// taxonomy entry (top level or a language's) and in
/// `[markdown.highlighting]`. Each names the key, says it is ignored, and
/// suggests the nearest known key.
fn ignored_keys_warnings(path: &Path, text: &str) -> Vec<Diagnostic> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut say = |key: &str, place: String, known: &[&str]| {
        let mut d = Diagnostic::warning(format!(
            "unknown key `{key}` in {place} is ignored (as Zola ignores it)"
        ))
        .in_file(path);
        // The first `key =` in the file is the best place to point at.
        let at = text
            .match_indices(key)
            .find(|(i, _)| text[i + key.len()..].trim_start().starts_with('='))
            .map(|(i, _)| i);
        if let Some(i) = at {
            d = d.at(Location::from_span(path, text, i..i + key.len()));
        }
        d = match closest(key, known.iter().copied()) {
            Some(best) => d.with_hint(format!("did you mean `{best}`?")),
            None => d.with_hint(format!("its keys are {}", known.join(", "))),
        };
        out.push(d);
    };
    let mut taxonomies = |list: Option<&toml::Value>, whose: &str| {
        for t in list.and_then(|v| v.as_array()).into_iter().flatten() {
            let Some(t) = t.as_table() else { continue };
            let name = t.get("name").and_then(|n| n.as_str()).unwrap_or("?");
            for key in t.keys().filter(|k| !TAXONOMY_KEYS.contains(&k.as_str())) {
                say(key, format!("the taxonomy `{name}`{whose}"), TAXONOMY_KEYS);
            }
        }
    };
    taxonomies(doc.get("taxonomies"), "");
    if let Some(langs) = doc.get("languages").and_then(|l| l.as_table()) {
        for (code, opts) in langs {
            taxonomies(opts.get("taxonomies"), &format!(" of `[languages.{code}]`"));
        }
    }
    let highlighting = doc
        .get("markdown")
        .and_then(|m| m.get("highlighting"))
        .and_then(|h| h.as_table());
    for key in highlighting
        .into_iter()
        .flat_map(|h| h.keys())
        .filter(|k| !HIGHLIGHTING_KEYS.contains(&k.as_str()))
    {
        say(key, "`[markdown.highlighting]`".into(), HIGHLIGHTING_KEYS);
    }
    out
}

/// Turn a `toml` parse or type error into a located diagnostic.
pub fn toml_error(
    path: &Path,
    text: &str,
    e: &toml::de::Error,
    known_keys: Option<&[&str]>,
) -> Diagnostic {
    let message = e.message().trim().to_string();
    let mut d = Diagnostic::error(plain_toml_message(&message)).in_file(path);
    if let Some(span) = e.span() {
        d = d.at(Location::from_span(path, text, span));
    }
    if let (Some(keys), Some(unknown)) = (known_keys, unknown_field(&message)) {
        if let Some(best) = closest(&unknown, keys.iter().copied()) {
            d = d.with_hint(format!("did you mean `{best}`?"));
        } else {
            d = d.with_hint(format!("remove `{unknown}`, or move it under `[extra]`"));
        }
    } else if d.hint.is_none() {
        d = d.with_hint(
            "check the TOML syntax: strings need quotes, each key goes on its own line as `key = value`",
        );
    }
    d
}

fn plain_toml_message(m: &str) -> String {
    if let Some(f) = unknown_field(m) {
        return format!("unknown key `{f}`");
    }
    format!("invalid TOML: {m}")
}

/// The field name in serde's "unknown field `x`, expected …" message.
fn unknown_field(m: &str) -> Option<String> {
    let rest = m.strip_prefix("unknown field `")?;
    Some(rest[..rest.find('`')?].to_string())
}

/// Where the site lives: `https://example.org/strategy` has the host part
/// `https://example.org` and the path prefix `/strategy/`.
#[derive(Debug, Clone)]
pub struct SiteUrl {
    /// The base URL without a trailing slash.
    pub base: String,
    /// The path every page's URL starts with, with both slashes (`/` at least).
    pub prefix: String,
}

impl SiteUrl {
    pub fn new(base_url: &str) -> SiteUrl {
        let base = base_url.trim_end_matches('/').to_string();
        let after_scheme = base.find("://").map(|i| i + 3).unwrap_or(0);
        let path = base[after_scheme..]
            .find('/')
            .map(|i| &base[after_scheme + i..])
            .unwrap_or("");
        let prefix = format!("{}/", path.trim_end_matches('/'));
        SiteUrl { base, prefix }
    }
}

/// Which engine renders a site's templates: Tera (Zola's) unless the theme
/// (`engine = "minijinja"` in `theme.toml`) or the site (`[extra.templates]
/// engine`, which wins) chooses MiniJinja.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineKind {
    #[default]
    Tera,
    MiniJinja,
}

impl EngineKind {
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Tera => "tera",
            EngineKind::MiniJinja => "minijinja",
        }
    }
}

/// The engine a site asks for: `[extra.templates] engine` in the config,
/// else `engine` in the theme's `theme.toml`, else Tera.
pub fn engine_kind(root: &std::path::Path, config: &Config) -> Result<EngineKind, Diagnostic> {
    let parse = |v: &str, file: std::path::PathBuf, key: &str| match v {
        "tera" => Ok(EngineKind::Tera),
        "minijinja" => Ok(EngineKind::MiniJinja),
        other => Err(Diagnostic::error(format!(
            "`{key}` is `{other}`, which is not a template engine throughline has"
        ))
        .in_file(file)
        .with_hint(
            match crate::diagnostics::closest(other, ["tera", "minijinja"]) {
                Some(b) => format!(
                    "did you mean `{b}`? The engines are `tera` (the default) and `minijinja`"
                ),
                None => "the engines are `tera` (the default) and `minijinja`".to_string(),
            },
        )),
    };
    if let Some(v) = config.extra.get("templates").and_then(|t| t.get("engine")) {
        let file = config.file.clone();
        return match v.as_str() {
            Some(s) => parse(s, file, "[extra.templates] engine"),
            None => Err(Diagnostic::error(
                "`[extra.templates] engine` must be text: \"tera\" or \"minijinja\"",
            )
            .in_file(file)),
        };
    }
    if let Some(t) = &config.theme {
        let file = root.join("themes").join(t).join("theme.toml");
        if let Ok(text) = std::fs::read_to_string(&file) {
            if let Ok(table) = text.parse::<toml::Table>() {
                if let Some(v) = table.get("engine").and_then(|v| v.as_str()) {
                    return parse(v, file, "engine");
                }
            }
        }
    }
    Ok(EngineKind::Tera)
}

/// The `index_format` of a `[search]` table: Zola's default
/// (`elasticlunr_javascript`) when it names none.
pub(crate) fn search_index_format(search: &toml::Table) -> &str {
    search
        .get("index_format")
        .and_then(toml::Value::as_str)
        .unwrap_or("elasticlunr_javascript")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn permalinks() {
        let c = Config {
            base_url: "https://example.org/".into(),
            ..Config::default()
        };
        assert_eq!(c.permalink("/"), "https://example.org/");
        assert_eq!(c.permalink("blog"), "https://example.org/blog/");
        assert_eq!(c.permalink("/atom.xml"), "https://example.org/atom.xml");
    }

    /// Whether docs/configuration.md explains `key`: names it in code,
    /// as a key or as a table (`[key]`, `[key.…]`, `[….key]`).
    pub(crate) fn documented(key: &str) -> bool {
        let doc = include_str!("../docs/configuration.md");
        [
            format!("`{key}`"),
            format!("[{key}]"),
            format!("[{key}."),
            format!(".{key}]"),
        ]
        .iter()
        .any(|p| doc.contains(p.as_str()))
    }

    #[test]
    fn docs_configuration_explains_every_key() {
        let mut keys: Vec<String> = KNOWN_KEYS.iter().map(|k| k.to_string()).collect();
        let tables = [
            serde_json::to_value(Markdown::default()),
            serde_json::to_value(Slugify::default()),
            serde_json::to_value(LanguageOptions::default()),
            serde_json::to_value(TaxonomyConfig::default()),
        ];
        for t in tables {
            let t = t.unwrap();
            // A taxonomy's slug is made from its name, not read.
            keys.extend(
                t.as_object()
                    .unwrap()
                    .keys()
                    .filter(|k| *k != "slug")
                    .cloned(),
            );
        }
        keys.extend(
            [
                "skip_prefixes",
                "skip_anchor_prefixes",
                "internal_level",
                "external_level",
                "timeout",
            ]
            .map(String::from),
        );
        let missing: Vec<&String> = keys.iter().filter(|k| !documented(k)).collect();
        assert!(
            missing.is_empty(),
            "not in docs/configuration.md: {missing:?}"
        );
    }

    #[test]
    fn unknown_key_points_at_line_and_suggests() {
        let text = "base_url = \"https://x.org\"\ngenerate_feed = true\n";
        let err = Config::parse(Path::new("config.toml"), text)
            .err()
            .expect("error");
        let d = &err[0];
        assert_eq!(d.location.as_ref().unwrap().line, 2);
        assert!(d.message.contains("generate_feed"), "{}", d.message);
        assert_eq!(d.hint.as_deref(), Some("did you mean `generate_feeds`?"));
    }
}
