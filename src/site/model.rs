//! The site model: sections and pages as loaded, then enriched by the
//! Markdown stage and the library (relationships, sorting, taxonomies).
//!
//! Pages and sections live in flat vectors and refer to each other by index
//! ([`PageId`], [`SectionId`]), so no stage clones a page to relate it.

use std::path::PathBuf;
use std::sync::Arc;

use crate::load::frontmatter::Spans;
use crate::load::meta::{PageMeta, SectionMeta};

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
    pub word_count: usize,
    pub reading_time: usize,
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
    pub word_count: usize,
    pub reading_time: usize,
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
pub fn reading_analytics(text: &str) -> (usize, usize) {
    use unicode_segmentation::UnicodeSegmentation;
    // As in Zola: what is between code fences is not read as words.
    let words = text
        .split("```")
        .step_by(2)
        .map(|part| part.unicode_words().count())
        .sum::<usize>();
    (words, words.div_ceil(200))
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_blocks_are_not_counted_as_words() {
        let text = "One two three.\n\n```rust\nfn main() { let a = b; }\n```\n\nFour five.";
        assert_eq!(super::reading_analytics(text), (5, 1));
        assert_eq!(super::reading_analytics(&"word ".repeat(401)), (401, 3));
    }
}
