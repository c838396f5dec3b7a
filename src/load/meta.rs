//! Typed front matter for pages and sections, with Zola's keys and defaults.
//!
//! Each key is read from the TOML table by hand so that a wrong type or an
//! unknown key is reported at its own line and column. Sections reject
//! unknown keys (as Zola does); pages warn about them (Zola ignores them).

use std::path::Path;

use crate::config::InsertAnchor;
use crate::diagnostics::{closest, Diagnostic, Location};
use crate::load::frontmatter::FrontMatter;

pub(crate) use crate::content::{Date, PageMeta, SectionMeta, SortBy};

/// Zola's page front matter keys.
pub(crate) const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "render",
    "slug",
    "path",
    "aliases",
    "authors",
    "in_search_index",
    "template",
    "taxonomies",
    "extra",
];

const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "draft",
    "sort_by",
    "weight",
    "template",
    "page_template",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "insert_anchor_links",
    "in_search_index",
    "render",
    "redirect_to",
    "transparent",
    "aliases",
    "generate_feeds",
    "extra",
];

/// Reads typed values out of a front matter table, reporting as it goes.
struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    fm: &'a FrontMatter,
    diags: Vec<Diagnostic>,
}

impl<'a> Reader<'a> {
    fn loc(&self, key: &str) -> Option<Location> {
        self.fm
            .spans
            .value(key)
            .map(|s| Location::from_span(self.file, self.text, s))
    }

    fn wrong_type(&mut self, key: &str, expected: &str, example: &str) {
        let mut d = Diagnostic::error(format!("`{key}` must be {expected}"))
            .in_file(self.file)
            .with_hint(format!("write it as `{key} = {example}`"));
        if let Some(l) = self.loc(key) {
            d = d.at(l);
        }
        self.diags.push(d);
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.fm.table.get(key)? {
            toml::Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(key, "text in double quotes", "\"…\"");
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, default: bool) -> bool {
        match self.fm.table.get(key) {
            None => default,
            Some(toml::Value::Boolean(b)) => *b,
            Some(_) => {
                self.wrong_type(key, "`true` or `false` (without quotes)", "true");
                default
            }
        }
    }

    fn integer(&mut self, key: &str) -> Option<i64> {
        match self.fm.table.get(key)? {
            toml::Value::Integer(i) => Some(*i),
            _ => {
                self.wrong_type(key, "a whole number (without quotes)", "1");
                None
            }
        }
    }

    fn strings(&mut self, key: &str) -> Vec<String> {
        match self.fm.table.get(key) {
            None => Vec::new(),
            Some(toml::Value::Array(a)) if a.iter().all(|v| v.is_str()) => a
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(_) => {
                self.wrong_type(key, "a list of texts", "[\"…\", \"…\"]");
                Vec::new()
            }
        }
    }

    fn date(&mut self, key: &str) -> Option<Date> {
        let v = self.fm.table.get(key)?;
        let text = match v {
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::String(s) => s.clone(),
            _ => {
                self.wrong_type(key, "a date", "2024-06-12");
                return None;
            }
        };
        match Date::parse(&text) {
            Some(d) => Some(d),
            None => {
                self.wrong_type(
                    key,
                    "a date such as 2024-06-12 or 2024-06-12T10:00:00Z",
                    "2024-06-12",
                );
                None
            }
        }
    }

    /// `extra`, taken out of the table by [`take_extra`].
    fn extra(&mut self, taken: Option<toml::Value>) -> toml::Table {
        match taken {
            None => toml::Table::new(),
            Some(toml::Value::Table(t)) => t,
            Some(_) => {
                self.wrong_type("extra", "a table", "{ … } or a `[extra]` heading");
                toml::Table::new()
            }
        }
    }

    fn unknown_keys(&mut self, known: &[&str], is_error: bool, what: &str) {
        for key in self.fm.table.keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            let hint = match closest(key, known.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? Your own keys go under `[extra]`"),
                None => "keys of your own go under `[extra]` at the end of the front matter".into(),
            };
            let message = format!("`{key}` is not a {what} front matter key");
            let mut d = if is_error {
                Diagnostic::error(message)
            } else {
                Diagnostic::warning(format!("{message}; it is ignored"))
            }
            .in_file(self.file)
            .with_hint(hint);
            if let Some(span) = self.fm.spans.key(key) {
                d = d.at(Location::from_span(self.file, self.text, span));
            }
            self.diags.push(d);
        }
    }
}

/// Read a page's front matter. Diagnostics are returned alongside; the meta
/// is usable (with defaults) even when there are errors, so later stages can
/// keep checking the rest of the site.
/// The `extra` table moved out of the front matter (its key stays, with
/// an empty table: what reads the front matter after loading reads only
/// its keys), so the page's metadata holds the one copy.
fn take_extra(fm: &mut FrontMatter) -> Option<toml::Value> {
    let v = fm.table.get_mut("extra")?;
    if !v.is_table() {
        // Not a table: an error, said by the reader.
        return Some(v.clone());
    }
    Some(std::mem::replace(v, toml::Value::Table(toml::Table::new())))
}

pub(crate) fn page_meta(
    file: &Path,
    text: &str,
    fm: &mut FrontMatter,
) -> (PageMeta, Vec<Diagnostic>) {
    let extra = take_extra(fm);
    let mut r = Reader {
        file,
        text,
        fm,
        diags: Vec::new(),
    };
    let mut taxonomies = Vec::new();
    match fm.table.get("taxonomies") {
        None => {}
        Some(toml::Value::Table(t)) => {
            for (name, v) in t {
                match v {
                    toml::Value::Array(a) if a.iter().all(|v| v.is_str()) => taxonomies.push((
                        name.clone(),
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect(),
                    )),
                    _ => r.wrong_type(&format!("taxonomies.{name}"), "a list of terms", "[\"…\"]"),
                }
            }
        }
        Some(_) => r.wrong_type("taxonomies", "a table", "{ tags = [\"…\"] }"),
    }
    let path = r.string("path");
    if let Some(p) = &path {
        if p.trim().is_empty() {
            r.wrong_type("path", "a non-empty path", "\"about/team\"");
        }
    }
    let meta = PageMeta {
        title: r.string("title"),
        description: r.string("description"),
        date: r.date("date"),
        updated: r.date("updated"),
        weight: r.integer("weight"),
        draft: r.boolean("draft", false),
        render: r.boolean("render", true),
        slug: r.string("slug"),
        path,
        aliases: r.strings("aliases"),
        authors: r.strings("authors"),
        in_search_index: r.boolean("in_search_index", true),
        template: r.string("template"),
        taxonomies,
        extra: r.extra(extra),
    };
    r.unknown_keys(PAGE_KEYS, false, "page");
    (meta, r.diags)
}

/// Read a section's front matter (`_index.md`).
pub(crate) fn section_meta(
    file: &Path,
    text: &str,
    fm: &mut FrontMatter,
) -> (SectionMeta, Vec<Diagnostic>) {
    let extra = take_extra(fm);
    let mut r = Reader {
        file,
        text,
        fm,
        diags: Vec::new(),
    };
    let d = SectionMeta::default();
    let sort_by = match r.string("sort_by").as_deref() {
        None | Some("none") => SortBy::None,
        Some("date") => SortBy::Date,
        Some("update_date") => SortBy::UpdateDate,
        Some("title") => SortBy::Title,
        Some("title_bytes") => SortBy::TitleBytes,
        Some("weight") => SortBy::Weight,
        Some("slug") => SortBy::Slug,
        Some("permalink") => SortBy::Permalink,
        Some(other) => {
            let allowed = [
                "date",
                "update_date",
                "title",
                "title_bytes",
                "weight",
                "slug",
                "permalink",
                "none",
            ];
            let mut diag =
                Diagnostic::error(format!("`sort_by = \"{other}\"` is not a way to sort"))
                    .in_file(file)
                    .with_hint(match closest(other, allowed) {
                        Some(b) => format!(
                            "did you mean `{b}`? It takes one of: {}",
                            allowed.join(", ")
                        ),
                        None => format!("use one of: {}", allowed.join(", ")),
                    });
            if let Some(l) = r.loc("sort_by") {
                diag = diag.at(l);
            }
            r.diags.push(diag);
            SortBy::None
        }
    };
    let insert_anchor_links = match r.string("insert_anchor_links").as_deref() {
        None => None,
        Some("left") => Some(InsertAnchor::Left),
        Some("right") => Some(InsertAnchor::Right),
        Some("heading") => Some(InsertAnchor::Heading),
        Some("none") => Some(InsertAnchor::None),
        Some(_) => {
            r.wrong_type(
                "insert_anchor_links",
                "one of \"left\", \"right\", \"heading\" or \"none\"",
                "\"right\"",
            );
            None
        }
    };
    let paginate_by = match r.integer("paginate_by") {
        Some(n) if n > 0 => Some(n as usize),
        Some(n) if n < 0 => {
            r.wrong_type("paginate_by", "a positive whole number", "10");
            None
        }
        _ => None,
    };
    let meta = SectionMeta {
        title: r.string("title"),
        description: r.string("description"),
        draft: r.boolean("draft", false),
        sort_by,
        weight: r.integer("weight").unwrap_or(0),
        template: r.string("template"),
        page_template: r.string("page_template"),
        paginate_by,
        paginate_path: r.string("paginate_path").unwrap_or(d.paginate_path),
        paginate_reversed: r.boolean("paginate_reversed", false),
        insert_anchor_links,
        in_search_index: r.boolean("in_search_index", true),
        render: r.boolean("render", true),
        redirect_to: r.string("redirect_to"),
        transparent: r.boolean("transparent", false),
        aliases: r.strings("aliases"),
        generate_feeds: r.boolean("generate_feeds", false),
        extra: r.extra(extra),
    };
    r.unknown_keys(SECTION_KEYS, true, "section");
    (meta, r.diags)
}
