//! Zola's own search index, so a Zola theme's search script finds what it
//! loads: `search_index.LANG.js` (`window.searchIndex = …`) or `.json`, in
//! elasticlunr's format or fuse's as `[search] index_format` says, with the
//! fields `[search]` asks for, for the default language and each language
//! that sets `build_search_index`; and, for elasticlunr, the script itself
//! (`elasticlunr.min.js`, the upstream 0.9.6 build, MIT, in `vendor/`).
//!
//! The entries are Zola's: every section in the language that is in the
//! search index and does not redirect, and every page of such a section
//! that is in the index, each under its permalink; a body is its rendered
//! HTML with the tags taken out (the text of `script`, `style` and `pre`
//! too), blank lines dropped and runs of spaces made one.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;

use crate::config::Config;
use crate::content::Date;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::OutFile;
use crate::site::Site;

/// The search script Zola writes beside an elasticlunr index.
const ELASTICLUNR_JS: &str = include_str!("vendor/elasticlunr.min.js");

/// `[search]`, as Zola reads it (unknown keys are ignored, as there).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
struct Options {
    include_title: bool,
    include_content: bool,
    truncate_content_length: Option<usize>,
    include_description: bool,
    include_date: bool,
    include_path: bool,
    index_format: Format,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            include_title: true,
            include_content: true,
            truncate_content_length: None,
            include_description: false,
            include_date: false,
            include_path: false,
            index_format: Format::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Format {
    ElasticlunrJson,
    #[default]
    ElasticlunrJavascript,
    FuseJson,
    FuseJavascript,
}

impl Format {
    fn file_name(self, lang: &str) -> String {
        let ext = match self {
            Format::ElasticlunrJavascript | Format::FuseJavascript => "js",
            Format::ElasticlunrJson | Format::FuseJson => "json",
        };
        format!("search_index.{lang}.{ext}")
    }

    fn is_elasticlunr(self) -> bool {
        matches!(
            self,
            Format::ElasticlunrJson | Format::ElasticlunrJavascript
        )
    }
}

/// Whether `path` (in the output folder) is a file this module writes.
pub(crate) fn is_index_file(path: &str) -> bool {
    path == "elasticlunr.min.js"
        || (!path.contains('/')
            && path.starts_with("search_index.")
            && (path.ends_with(".js") || path.ends_with(".json")))
}

fn options(table: &toml::Table, config: &Config, diags: &Diagnostics) -> Option<Options> {
    match Options::deserialize(toml::Value::Table(table.clone())) {
        Ok(o) => Some(o),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!(
                    "the `[search]` settings could not be read: {}",
                    e.message()
                ))
                .in_file(Config::find(&config.root))
                .with_hint(
                    "`index_format` is one of `elasticlunr_javascript` (the default), \
                     `elasticlunr_json`, `fuse_javascript` and `fuse_json`; the `include_…` \
                     settings are `true` or `false`",
                ),
            );
            None
        }
    }
}

/// One entry of the index.
struct Item<'a> {
    url: &'a str,
    title: Option<&'a str>,
    description: Option<&'a str>,
    date: Option<&'a Date>,
    path: &'a str,
    html: &'a str,
}

/// Zola's entries for `lang`.
fn items<'a>(site: &'a Site, lang: &str) -> Vec<Item<'a>> {
    let mut items = Vec::new();
    for s in site.sections.iter().filter(|s| s.lang == lang) {
        if !s.meta.in_search_index {
            continue;
        }
        if s.meta.redirect_to.is_none() {
            items.push(Item {
                url: &s.permalink,
                title: s.meta.title.as_deref(),
                description: s.meta.description.as_deref(),
                date: None,
                path: &s.path,
                html: &s.rendered.content,
            });
        }
        for &pid in &s.pages {
            let p = &site.pages[pid];
            if p.meta.in_search_index {
                items.push(Item {
                    url: &p.permalink,
                    title: p.meta.title.as_deref(),
                    description: p.meta.description.as_deref(),
                    date: p.meta.date.as_ref(),
                    path: &p.path,
                    html: &p.rendered.content,
                });
            }
        }
    }
    items
}

/// A rendered body as text: tags out, the text of `script`, `style` and
/// `pre` out, each line's runs of white space made one space, blank lines
/// dropped, then cut to `limit` characters.
fn body_text(html: &str, limit: Option<usize>) -> String {
    let cleaned = ammonia::Builder::default()
        .tags(HashSet::new())
        .tag_attributes(HashMap::new())
        .generic_attributes(HashSet::new())
        .link_rel(None)
        .allowed_classes(HashMap::new())
        .clean_content_tags(HashSet::from(["script", "style", "pre"]))
        .clean(html)
        .to_string();
    let mut text = cleaned
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(n) = limit {
        if let Some((i, _)) = text.char_indices().nth(n) {
            text.truncate(i);
        }
    }
    text
}

/// A date as RFC 3339, as Zola writes it (`2024-06-12T00:00:00Z`).
fn rfc3339(date: &Date) -> String {
    match chrono::DateTime::parse_from_rfc3339(&date.text) {
        Ok(d) => d.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        Err(_) => date
            .naive
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    }
}

/// Splits a path at white space, `-` and `/`, lower-cased.
fn path_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|s| !s.is_empty())
        .map(|s| s.trim().to_lowercase())
        .collect()
}

fn elasticlunr(lang: &str, options: &Options, items: &[Item]) -> Option<String> {
    let language = elasticlunr::lang::from_code(lang)?;
    let mut builder = elasticlunr::IndexBuilder::with_language(language);
    if options.include_title {
        builder = builder.add_field("title");
    }
    if options.include_description {
        builder = builder.add_field("description");
    }
    if options.include_date {
        builder = builder.add_field("date");
    }
    if options.include_path {
        builder = builder.add_field_with_tokenizer("path", Box::new(path_tokens));
    }
    if options.include_content {
        builder = builder.add_field("body");
    }
    let mut index = builder.build();
    for item in items {
        let mut row = Vec::new();
        if options.include_title {
            row.push(item.title.unwrap_or_default().to_string());
        }
        if options.include_description {
            row.push(item.description.unwrap_or_default().to_string());
        }
        if options.include_date {
            if let Some(d) = item.date {
                row.push(rfc3339(d));
            }
        }
        if options.include_path {
            row.push(item.path.to_string());
        }
        if options.include_content {
            row.push(body_text(item.html, options.truncate_content_length));
        }
        index.add_doc(item.url, row);
    }
    Some(index.to_json())
}

fn fuse(options: &Options, items: &[Item]) -> String {
    let entries: Vec<serde_json::Value> = items
        .iter()
        .map(|item| {
            let mut e = serde_json::Map::new();
            e.insert("url".into(), item.url.into());
            if options.include_title {
                e.insert("title".into(), item.title.unwrap_or_default().into());
            }
            if options.include_description {
                e.insert(
                    "description".into(),
                    item.description.unwrap_or_default().into(),
                );
            }
            if options.include_content {
                let body = body_text(item.html, options.truncate_content_length);
                e.insert("body".into(), body.into());
            }
            if options.include_path {
                e.insert("path".into(), item.path.into());
            }
            serde_json::Value::Object(e)
        })
        .collect();
    serde_json::Value::Array(entries).to_string()
}

/// Zola's index files for every language that asks for one, made from the
/// site once its Markdown is rendered, before the templates, as Zola does:
/// a template's `get_url(path="search_index.en.js", cachebust=true)`
/// hashes them.
///
/// With `lenient`, a language elasticlunr knows no words of is left out
/// with a warning (the site searches another way), else it is an error,
/// as in Zola.
pub(crate) fn index(
    site: &Site,
    config: &Config,
    lenient: bool,
    diags: &Diagnostics,
) -> Vec<OutFile> {
    let top = match options(&config.search, config, diags) {
        Some(o) => o,
        None => return Vec::new(),
    };
    let mut langs: Vec<(&str, Options)> = vec![(config.default_language.as_str(), top.clone())];
    for (code, lang) in &config.languages {
        if code != &config.default_language && lang.build_search_index {
            match options(&lang.search, config, diags) {
                Some(o) => langs.push((code, o)),
                None => return Vec::new(),
            }
        }
    }
    let mut files = Vec::new();
    let mut unsupported = Vec::new();
    for (lang, options) in &langs {
        let items = items(site, lang);
        let text = if top.index_format.is_elasticlunr() {
            match elasticlunr(lang, options, &items) {
                Some(t) => t,
                None => {
                    unsupported.push(lang.to_string());
                    continue;
                }
            }
        } else {
            fuse(options, &items)
        };
        let text = match top.index_format {
            Format::ElasticlunrJavascript | Format::FuseJavascript => {
                format!("window.searchIndex = {text}")
            }
            Format::ElasticlunrJson | Format::FuseJson => text,
        };
        files.push(OutFile::new(
            top.index_format.file_name(lang),
            text.into_bytes(),
        ));
    }
    for lang in unsupported {
        let say = if lenient {
            Diagnostic::warning
        } else {
            Diagnostic::error
        };
        diags.push(
            say(format!(
                "the search index cannot be built for the language `{lang}`: Zola's \
                 elasticlunr index knows no words of it"
            ))
            .in_file(Config::find(&config.root))
            .with_hint(
                "elasticlunr knows da, de, du, en, es, fi, fr, hu, it, ko, no, pt, ro, ru, sv \
                 and tr; use `index_format = \"fuse_javascript\"` under `[search]`, or turn \
                 `build_search_index` off for that language",
            ),
        );
    }
    if top.index_format.is_elasticlunr() && !files.is_empty() {
        files.push(OutFile::new(
            "elasticlunr.min.js".to_string(),
            ELASTICLUNR_JS.as_bytes().to_vec(),
        ));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_loses_its_tags_code_and_blank_lines() {
        let html =
            "<h2 id=\"a\">Our <em>aims</em></h2>\n\n<p>Fewer   people\n  waiting &amp; less</p>\
                    <pre><code>let x = 1;</code></pre><script>alert(1)</script>\n";
        assert_eq!(
            body_text(html, None),
            "Our aims\nFewer people\nwaiting &amp; less"
        );
        assert_eq!(body_text("héllo world", Some(2)), "hé");
        assert_eq!(body_text("hi", Some(10)), "hi");
    }

    #[test]
    fn only_the_index_files_are_index_files() {
        assert!(is_index_file("search_index.en.js"));
        assert!(is_index_file("search_index.fr.json"));
        assert!(is_index_file("elasticlunr.min.js"));
        assert!(!is_index_file("js/search_index.en.js"));
        assert!(!is_index_file("search.js"));
    }

    #[test]
    fn a_date_is_written_as_zola_writes_it() {
        let d = Date::parse("2024-06-12").unwrap();
        assert_eq!(rfc3339(&d), "2024-06-12T00:00:00Z");
        let d = Date::parse("2024-06-12T10:00:00+02:00").unwrap();
        assert_eq!(rfc3339(&d), "2024-06-12T10:00:00+02:00");
    }
}
