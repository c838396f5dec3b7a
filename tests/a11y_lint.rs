//! The accessibility lint: each barrier a page's Markdown can put in front
//! of the public is a warning at the Markdown file and line, with the fix.

mod common;

use common::{hint, place, TestSite};
use throughline::{Diagnostic, Severity};

const CONFIG: &str = "base_url = \"https://lint.example\"\ntitle = \"Lint\"\n";

/// Build a site whose one page has `body`; the lint's warnings about it.
fn lint(body: &str) -> Vec<Diagnostic> {
    let site = TestSite::from_files(&[
        ("config.toml", CONFIG),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/page.md",
            &format!("+++\ntitle = \"A page\"\n+++\n{body}"),
        ),
    ]);
    let report = site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    report
        .diagnostics
        .into_iter()
        .filter(|d| {
            d.file
                .as_ref()
                .is_some_and(|f| f.ends_with("content/page.md"))
        })
        .collect()
}

fn one(body: &str) -> Diagnostic {
    let mut ds = lint(body);
    assert_eq!(ds.len(), 1, "expected one warning, got {ds:#?}");
    let d = ds.remove(0);
    assert_eq!(d.severity, Severity::Warning);
    d
}

#[test]
fn an_image_without_alt_text_is_reported_at_its_markdown_line() {
    let d = one("Some text.\n\n![](photo.jpg)\n");
    assert_eq!(
        d.message,
        "this image has no alt text, so people who cannot see it are told nothing about it"
    );
    assert_eq!(place(&d), ("page.md".into(), 6, 1, "![](photo.jpg)".into()));
    assert!(hint(&d).starts_with("describe what it shows"));
    assert!(lint("![A nurse at a front door](photo.jpg)\n").is_empty());
    // Raw HTML too; an empty alt is a deliberate "decoration".
    let d = one("Text.\n\n<img src=\"chart.png\">\n");
    assert!(d.message.starts_with("this image has no alt attribute"));
    assert_eq!(place(&d).1, 6);
    assert!(lint("<img src=\"line.png\" alt=\"\">\n").is_empty());
}

#[test]
fn a_level_one_heading_in_the_body_says_start_at_two() {
    let d = one("# Introduction\n\nText.\n");
    assert!(d.message.starts_with("a level-one heading in the text"));
    assert_eq!(place(&d).1, 4);
    assert_eq!(
        hint(&d),
        "start the text's headings at `##`, and use `###` under those"
    );
}

#[test]
fn a_skipped_heading_level_names_the_level_to_use() {
    let d = one("## Why\n\nText.\n\n#### How\n\nMore.\n");
    assert!(d
        .message
        .starts_with("this heading jumps from level 2 to level 4"));
    assert_eq!(place(&d).1, 8);
    assert_eq!(hint(&d), "make it a level-3 heading: `### How`");
    // Going back up is fine.
    assert!(lint("## A\n\n### B\n\n## C\n\n### D\n").is_empty());
}

#[test]
fn links_must_say_where_they_go() {
    let d = one("Our plan is [here](https://example.org/plan).\n");
    assert_eq!(
        d.message,
        "the link text \"here\" means nothing out of context: people who list a page's links hear only that"
    );
    assert_eq!(place(&d).2, 13);
    let d = one("To find out more, [click here](https://example.org).\n");
    assert!(d.message.contains("\"click here\""));
    let d = one("A link [](https://example.org/empty) with nothing in it.\n");
    assert_eq!(
        d.message,
        "this link to https://example.org/empty has no text, so nobody can tell where it goes"
    );
    // A link whose only content is an image with alt text has a name.
    assert!(lint("[![Our logo](logo.png)](https://example.org)\n").is_empty());
    assert!(lint("Read [the 2024/25 annual review](https://example.org).\n").is_empty());
}

#[test]
fn duplicate_ids_and_tables_without_headers() {
    let ds = lint("## One {#same}\n\n## Two {#same}\n");
    // Heading ids are made unique by throughline; raw HTML ids are not.
    assert!(ds.is_empty(), "{ds:#?}");
    let d = one("<p id=\"note\">A</p>\n\n<p id=\"note\">B</p>\n");
    assert_eq!(
        d.message,
        "the id `note` is used twice in this page: links to it and labels that point at it find only the first"
    );
    assert_eq!(place(&d).1, 4);
    let d = one("Text.\n\n<table><tr><td>1</td><td>2</td></tr></table>\n");
    assert!(d.message.starts_with("this table has no header cells"));
    assert_eq!(place(&d).1, 6);
    let d = one("|   |   |\n|---|---|\n| 1 | 2 |\n");
    assert_eq!(
        d.message,
        "this table's header row is empty, so its columns have no names"
    );
    assert!(lint("| Year | Value |\n|---|---|\n| 2024/25 | 3 |\n").is_empty());
}

#[test]
fn every_problem_on_a_page_is_reported_in_one_build() {
    let ds = lint("# Title again\n\n![](a.png)\n\n[more](https://example.org)\n\n#### Deep\n");
    assert_eq!(ds.len(), 4, "{ds:#?}");
}

#[test]
fn the_example_site_has_no_accessibility_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().unwrap();
    let report = throughline::build(&throughline::Options {
        root: root.to_path_buf(),
        output_dir: Some(out.path().join("public")),
        ..throughline::Options::default()
    })
    .unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
}
