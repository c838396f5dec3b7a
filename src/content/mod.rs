//! The content model: sections and pages as `load` reads them (their
//! front matter typed, [`PageMeta`] and [`SectionMeta`], and where each
//! value was written, [`Spans`]), then enriched by the Markdown stage and
//! related by `site` (relationships, sorting, taxonomies). This module
//! owns the types and depends on no stage: `load` builds them, `site`
//! relates them, every later stage reads them.
//!
//! Pages and sections live in flat vectors and refer to each other by index
//! ([`PageId`], [`SectionId`]), so no stage clones a page to relate it.

use std::path::PathBuf;
use std::sync::Arc;

use std::collections::HashMap;
use std::ops::Range;

use crate::config::InsertAnchor;

pub type PageId = usize;
pub type SectionId = usize;

/// Where a content file is.
#[derive(Debug, Clone)]
pub struct FileInfo {
    /// Absolute path of the `.md` file.
    pub path: PathBuf,
    /// Path from `content/`, with `/` separators: `blog/post.md`,
    /// `blog/bundle/index.md`, `blog/_index.md`.
    pub relative: String,
    /// For page bundles, the bundle folder from `content/` with a trailing
    /// slash (`blog/bundle/`).
    pub colocated_path: Option<String>,
    /// The folders between `content/` and the file (for a bundle, up to the
    /// bundle's parent).
    pub components: Vec<String>,
    /// The file stem, or the bundle folder's name.
    pub name: String,
    /// `relative` of the `_index.md` of the folder this file is in.
    pub parent_section: String,
}

/// The whole source text of a content file and where its body starts, kept
/// so that any later stage can point at a line.
#[derive(Debug, Clone)]
pub struct Source {
    pub text: Arc<str>,
    pub body_offset: usize,
    pub spans: Spans,
    /// The front matter as written (for plugins reading their own keys).
    pub front: toml::Table,
}

impl Source {
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }
    /// Keeps only the front matter (a build, once the body is rendered).
    pub fn let_body_go(&mut self) {
        if self.body_offset < self.text.len() {
            self.text = Arc::from(&self.text[..self.body_offset]);
        }
    }
    /// Whether the body was let go ([`Source::let_body_go`]) or is empty.
    pub fn body_is_gone(&self) -> bool {
        self.body_offset >= self.text.len()
    }
    /// 1-based line of the body's first line in the file.
    pub fn body_line(&self) -> usize {
        self.text[..self.body_offset].matches('\n').count() + 1
    }
}

/// A heading in the table of contents.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub permalink: String,
    pub children: Vec<Heading>,
}

/// What the Markdown stage produced for a page or section.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub content: String,
    pub summary: Option<String>,
    pub toc: Vec<Heading>,
    /// Every id in the rendered content (headings and others), for anchor
    /// checks.
    pub anchors: Vec<String>,
    /// Internal links found: (target relative path, anchor, line in file).
    pub internal_links: Vec<InternalLink>,
    pub external_links: Vec<String>,
    /// A fingerprint of `content`, `summary` and `toc`, set by `serve`'s
    /// incremental builds (0 otherwise).
    pub fp: u64,
}

#[derive(Debug, Clone)]
pub struct InternalLink {
    pub target: String,
    pub anchor: Option<String>,
    pub line: usize,
}

/// One language's version of a page or section (`page.translations`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Translation {
    pub lang: String,
    pub permalink: String,
    pub title: Option<String>,
    /// The content path (`blog/post.fr.md`).
    pub path: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub file: FileInfo,
    pub source: Source,
    pub meta: PageMeta,
    pub slug: String,
    /// `/blog/post/`: always with leading and trailing slashes.
    pub path: String,
    pub components: Vec<String>,
    pub permalink: String,
    /// Absolute paths of colocated assets.
    pub assets: Vec<PathBuf>,
    /// Asset paths as templates see them (`/blog/bundle/image.png`).
    pub serialized_assets: Vec<String>,
    pub lang: String,
    /// Its word count and reading time, counted when first read.
    pub words: Words,
    pub rendered: Rendered,
    // Filled by the library.
    pub ancestors: Vec<SectionId>,
    pub lower: Option<PageId>,
    pub higher: Option<PageId>,
    pub backlinks: Vec<(String, Option<String>)>,
    /// The same content in every language, itself included.
    pub translations: Vec<Translation>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub file: FileInfo,
    pub source: Source,
    pub meta: SectionMeta,
    /// `/blog/` (`/` for the index).
    pub path: String,
    pub components: Vec<String>,
    pub permalink: String,
    pub assets: Vec<PathBuf>,
    pub serialized_assets: Vec<String>,
    pub lang: String,
    /// Its word count and reading time, counted when first read.
    pub words: Words,
    pub rendered: Rendered,
    // Filled by the library.
    /// Pages shown in this section (including those passed up by transparent
    /// subsections), sorted.
    pub pages: Vec<PageId>,
    /// Pages left out because they lack the sort key.
    pub ignored_pages: Vec<PageId>,
    pub subsections: Vec<SectionId>,
    pub ancestors: Vec<SectionId>,
    pub backlinks: Vec<(String, Option<String>)>,
    /// The same content in every language, itself included.
    pub translations: Vec<Translation>,
}

impl Section {
    pub fn is_index(&self) -> bool {
        self.file.components.is_empty()
    }
}

/// Word count and reading time, as Zola computes them.
/// A body's word count and reading time ([`reading_analytics`]), counted
/// the first time a template (or anything else) asks: most templates read
/// neither, and counting every body took a tenth of a build's time.
#[derive(Debug, Clone, Default)]
pub struct Words(std::sync::OnceLock<(usize, usize)>);

impl Words {
    /// The word count and reading time of `body`, the text these words
    /// belong to (counted on the first call, then kept).
    pub fn of(&self, body: &str) -> (usize, usize) {
        *self.0.get_or_init(|| reading_analytics(body))
    }
}

impl Page {
    /// The body's word count, as Zola counts it.
    pub fn word_count(&self) -> usize {
        self.words.of(self.source.body()).0
    }

    /// The body's reading time in minutes (200 words a minute, rounded up).
    pub fn reading_time(&self) -> usize {
        self.words.of(self.source.body()).1
    }
}

impl Section {
    /// The body's word count, as Zola counts it.
    pub fn word_count(&self) -> usize {
        self.words.of(self.source.body()).0
    }

    /// The body's reading time in minutes (200 words a minute, rounded up).
    pub fn reading_time(&self) -> usize {
        self.words.of(self.source.body()).1
    }
}

pub fn reading_analytics(text: &str) -> (usize, usize) {
    // As in Zola: what is between code fences is not read as words.
    let words = text.split("```").step_by(2).map(count_words).sum::<usize>();
    (words, words.div_ceil(200))
}

/// The number of words in `text` as Unicode's word boundaries (UAX #29,
/// `unicode_words`) count them. No word spans white space, so each run
/// between spaces is counted on its own: an ASCII run (most of any site)
/// in one pass over its bytes with the same rules, any other through the
/// full segmentation.
pub fn count_words(text: &str) -> usize {
    if text.is_ascii() {
        return count_ascii_words(text.as_bytes());
    }
    use unicode_segmentation::UnicodeSegmentation;
    text.split(|c: char| c.is_ascii_whitespace())
        .map(|run| {
            if run.is_ascii() {
                count_ascii_words(run.as_bytes())
            } else {
                run.unicode_words().count()
            }
        })
        .sum()
}

fn count_ascii_words(b: &[u8]) -> usize {
    let letter = |c: u8| c.is_ascii_alphabetic();
    let digit = |c: u8| c.is_ascii_digit();
    let joins = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let (mut count, mut i) = (0, 0);
    while i < b.len() {
        if !joins(b[i]) {
            i += 1;
            continue;
        }
        // One word: letters, digits and `_` run together (WB5, WB8-10,
        // WB13a/b); a single `:` between letters (WB6/7, MidLetter), `.`
        // or `'` between letters or between digits (MidNumLetQ), and `,`
        // or `;` between digits (WB11/12, MidNum) do not break it.
        let mut alnum = false;
        let mut j = i;
        loop {
            while j < b.len() && joins(b[j]) {
                alnum |= b[j].is_ascii_alphanumeric();
                j += 1;
            }
            if j + 1 >= b.len() {
                break;
            }
            let (before, mid, after) = (b[j - 1], b[j], b[j + 1]);
            let join = match mid {
                b':' => letter(before) && letter(after),
                b'.' | b'\'' => {
                    (letter(before) && letter(after)) || (digit(before) && digit(after))
                }
                b',' | b';' => digit(before) && digit(after),
                _ => false,
            };
            if !join {
                break;
            }
            j += 1;
        }
        if alnum {
            count += 1;
        }
        i = j;
    }
    count
}

/// A date from front matter or a file name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// As written, normalised to TOML's text form (`2024-06-12`,
    /// `2024-06-12T10:00:00Z`).
    pub text: String,
    /// For sorting and for `year`/`month`/`day`.
    pub naive: chrono::NaiveDateTime,
}

impl Date {
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let naive = if let Ok(d) = chrono::DateTime::parse_from_rfc3339(s) {
            d.naive_utc()
        } else if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S") {
            d
        } else if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S") {
            d
        } else if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            d.and_hms_opt(0, 0, 0)?
        } else {
            return None;
        };
        Some(Date {
            text: s.to_string(),
            naive,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct PageMeta {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<Date>,
    pub updated: Option<Date>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub render: bool,
    pub slug: Option<String>,
    pub path: Option<String>,
    pub aliases: Vec<String>,
    pub authors: Vec<String>,
    pub in_search_index: bool,
    pub template: Option<String>,
    pub taxonomies: Vec<(String, Vec<String>)>,
    pub extra: toml::Table,
}

#[derive(Debug, Clone)]
pub struct SectionMeta {
    pub title: Option<String>,
    pub description: Option<String>,
    pub draft: bool,
    pub sort_by: SortBy,
    pub weight: i64,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub paginate_by: Option<usize>,
    pub paginate_path: String,
    pub paginate_reversed: bool,
    pub insert_anchor_links: Option<InsertAnchor>,
    pub in_search_index: bool,
    pub render: bool,
    pub redirect_to: Option<String>,
    pub transparent: bool,
    pub aliases: Vec<String>,
    pub generate_feeds: bool,
    pub extra: toml::Table,
}

impl Default for SectionMeta {
    fn default() -> Self {
        SectionMeta {
            title: None,
            description: None,
            draft: false,
            sort_by: SortBy::None,
            weight: 0,
            template: None,
            page_template: None,
            paginate_by: None,
            paginate_path: "page".into(),
            paginate_reversed: false,
            insert_anchor_links: None,
            in_search_index: true,
            render: true,
            redirect_to: None,
            transparent: false,
            aliases: Vec::new(),
            generate_feeds: false,
            extra: toml::Table::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Date,
    UpdateDate,
    Title,
    TitleBytes,
    Weight,
    Slug,
    Permalink,
    None,
}

/// Where each value of the front matter is, by dotted key path
/// (`extra.tags[1]`), as byte ranges in the whole file.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    pub(crate) values: HashMap<String, Range<usize>>,
    pub(crate) keys: HashMap<String, Range<usize>>,
}

impl Spans {
    /// The span of the value at `path`.
    pub fn value(&self, path: &str) -> Option<Range<usize>> {
        self.values.get(path).cloned()
    }

    /// The span of the key at `path` (for "unknown key" errors).
    pub fn key(&self, path: &str) -> Option<Range<usize>> {
        self.keys.get(path).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::count_words;
    use unicode_segmentation::UnicodeSegmentation;

    #[test]
    fn ascii_words_are_counted_as_unicode_counts_them() {
        for text in [
            "Hello, world!",
            "can't won't e.g. i.e. 3.14 1,000,000 a:b a::b foo_bar _x x_ __ __a",
            "a.1 1.a 1,a a,1 ; ;; 1;2 'quoted' a'b' .5 5. x.y.z",
            "end.",
            ":a",
            "a:",
            "",
            "   ",
            "---",
            "a-b a--b",
            "tab\tsep\nnew",
            "http://example.org/path?q=1&b=2#frag",
            "`code` **bold** _emph_ [link](url)",
            "don\u{2019}t \u{201c}quoted\u{201d} caf\u{e9} na\u{ef}ve \u{2014} 5\u{a0}000 \u{65e5}\u{672c}\u{8a9e} a \u{301}b e\u{301}t\u{e9}",
        ] {
            assert_eq!(count_words(text), text.unicode_words().count(), "{text:?}");
        }
        // Every short string over a small alphabet of the characters the
        // rules name, as a brute force check.
        let alphabet: Vec<char> = "a1_:.',; -\u{2019}\u{e9}\u{301}\u{a0}\n".chars().collect();
        let mut text = String::new();
        for n in 0..=5u32 {
            for mut k in 0..alphabet.len().pow(n) {
                text.clear();
                for _ in 0..n {
                    text.push(alphabet[k % alphabet.len()]);
                    k /= alphabet.len();
                }
                assert_eq!(count_words(&text), text.unicode_words().count(), "{text:?}");
            }
        }
    }

    #[test]
    fn code_blocks_are_not_counted_as_words() {
        let text = "One two three.\n\n```rust\nfn main() { let a = b; }\n```\n\nFour five.";
        assert_eq!(super::reading_analytics(text), (5, 1));
        assert_eq!(super::reading_analytics(&"word ".repeat(401)), (401, 3));
    }
}
