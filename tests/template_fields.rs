//! One table over every field Zola 0.22's documentation lists for `page`,
//! `section`, `paginator`, `taxonomy`, `term` and `config`, and every
//! template function and filter throughline implements from Zola.
//!
//! `tests/fixtures/fields` prints each as JSON (`<p id="page.title">…`);
//! `zola-0.22.1.json` beside it is what Zola 0.22.1 printed for the same
//! site (the command that made it is in BENCHMARKS.md → "Compared with
//! Zola 0.22.1"). Every value must be the same, except the few listed in
//! `DIFFERENT`, each with the value throughline gives and why.
//!
//! The fixture's templates are written in what Tera and MiniJinja both
//! read, so the same table runs under both engines: once as a site, once
//! as a theme whose `theme.toml` says `engine = "minijinja"`.

mod common;

use std::collections::BTreeMap;

use common::TestSite;
use serde_json::Value;

/// (output, id, throughline's value, why it is not Zola's).
const DIFFERENT: &[(&str, &str, &str, &str)] = &[
    (
        "index.html",
        "get_url.external",
        r#""https://example.org/x""#,
        "Zola 0.22.1 puts the base URL in front of an external URL; throughline returns it as it is",
    ),
    (
        "tags/index.html",
        "taxonomy",
        TAXONOMY,
        "throughline adds the taxonomy's `permalink` and `lang`",
    ),
    ("tags/rust/index.html", "taxonomy", TAXONOMY, "as above"),
    ("tags/rust/page/2/index.html", "taxonomy", TAXONOMY, "as above"),
    ("tags/web-dev/index.html", "taxonomy", TAXONOMY, "as above"),
];

const TAXONOMY: &str = r#"{"name":"tags","slug":"tags","paginate_by":1,"paginate_path":null,"render":true,"feed":true,"permalink":"https://fields.example/tags/","lang":"en"}"#;

/// Every `<p id="…">JSON</p>` of every HTML file under `dir`.
fn printed(dir: &std::path::Path) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    for file in common::list(dir) {
        if !file.ends_with(".html") {
            continue;
        }
        let html = std::fs::read_to_string(dir.join(&file)).unwrap();
        let mut values = BTreeMap::new();
        for part in html.split("<p id=\"").skip(1) {
            let (id, rest) = part.split_once("\">").unwrap();
            let (json, _) = rest.split_once("</p>\n").unwrap();
            let v = serde_json::from_str(json)
                .unwrap_or_else(|e| panic!("{file} #{id}: not JSON ({e}): {json}"));
            values.insert(id.to_string(), v);
        }
        if !values.is_empty() {
            out.insert(file, values);
        }
    }
    out
}

#[test]
fn every_documented_field_function_and_filter_matches_zola() {
    let site = TestSite::fixture("fields");
    matches_zola(&site);
}

#[test]
fn the_same_table_matches_under_minijinja() {
    let site = TestSite::fixture("fields");
    // The same templates as a theme on MiniJinja; the config otherwise
    // unchanged, so `config` prints the same.
    let theme = site.root().join("themes/fields-jinja");
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::rename(site.root().join("templates"), theme.join("templates")).unwrap();
    site.write(
        "themes/fields-jinja/theme.toml",
        "name = \"fields-jinja\"\nengine = \"minijinja\"\n",
    );
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("theme = \"fields-jinja\"\n{config}"),
    );
    // Positional filter arguments: Jinja, which Tera cannot parse.
    site.write(
        "themes/fields-jinja/templates/robots.txt",
        "{{ [\"a\", \"b\"] | join(\"-\") }}",
    );
    matches_zola(&site);
    assert_eq!(
        site.read("robots.txt"),
        "a-b",
        "the theme was not rendered by MiniJinja"
    );
}

fn matches_zola(site: &TestSite) {
    let report = site
        .build()
        .unwrap_or_else(|f| panic!("the fields fixture failed: {:#?}", f.diagnostics));
    assert_eq!(report.pages, 3);
    let ours = printed(&site.public());
    let zola: BTreeMap<String, BTreeMap<String, Value>> = serde_json::from_str(
        &std::fs::read_to_string(site.root().join("zola-0.22.1.json")).unwrap(),
    )
    .unwrap();

    // The same outputs print the same fields.
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        zola.keys().collect::<Vec<_>>()
    );
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (file, fields) in &zola {
        let mine = &ours[file];
        assert_eq!(
            mine.keys().collect::<Vec<_>>(),
            fields.keys().collect::<Vec<_>>(),
            "{file}"
        );
        for (id, want) in fields {
            let got = &mine[id];
            let want = match DIFFERENT.iter().find(|(f, i, _, _)| f == file && i == id) {
                Some((_, _, ours, why)) => {
                    assert_ne!(
                        got, want,
                        "{file} #{id} now matches Zola: take it out of DIFFERENT ({why})"
                    );
                    serde_json::from_str(ours).unwrap()
                }
                None => want.clone(),
            };
            checked += 1;
            if *got != want {
                wrong.push(format!("{file} #{id}\n  want {want}\n  got  {got}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every field of the documentation's lists is in the table: page (29),
    // section (22), paginator (10), config (25), the list and term pages,
    // and 31 functions and filters.
    assert_eq!(checked, 319);
}

#[test]
fn the_table_covers_each_documented_name() {
    let zola: BTreeMap<String, BTreeMap<String, Value>> = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/fields/zola-0.22.1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let ids: std::collections::BTreeSet<&str> = zola
        .values()
        .flat_map(|f| f.keys().map(String::as_str))
        .collect();
    let documented = [
        // Page (Zola's "Sections and pages").
        "content",
        "title",
        "description",
        "date",
        "updated",
        "slug",
        "path",
        "authors",
        "draft",
        "components",
        "permalink",
        "summary",
        "taxonomies",
        "extra",
        "toc",
        "word_count",
        "reading_time",
        "lower",
        "higher",
        "year",
        "month",
        "day",
        "assets",
        "ancestors",
        "relative_path",
        "colocated_path",
        "lang",
        "translations",
        "backlinks",
    ];
    for f in documented {
        assert!(ids.contains(format!("page.{f}").as_str()), "page.{f}");
    }
    for f in [
        "content",
        "title",
        "description",
        "path",
        "components",
        "permalink",
        "extra",
        "pages",
        "subsections",
        "toc",
        "word_count",
        "reading_time",
        "assets",
        "ancestors",
        "relative_path",
        "lang",
        "translations",
        "backlinks",
        "generate_feeds",
        "transparent",
        "paginate_by",
        "paginate_reversed",
    ] {
        assert!(ids.contains(format!("section.{f}").as_str()), "section.{f}");
    }
    for f in [
        "paginate_by",
        "base_url",
        "number_pagers",
        "first",
        "last",
        "previous",
        "next",
        "pages",
        "current_index",
        "total_pages",
    ] {
        assert!(
            ids.contains(format!("paginator.{f}").as_str()),
            "paginator.{f}"
        );
    }
    for f in ["name", "slug", "path", "permalink", "pages", "page_count"] {
        assert!(ids.contains(format!("term.{f}").as_str()), "term.{f}");
    }
    for f in [
        "get_url",
        "get_page",
        "get_section",
        "get_section.metadata_only",
        "get_taxonomy",
        "get_taxonomy_term",
        "get_taxonomy_url",
        "load_data.toml",
        "load_data.json",
        "load_data.csv",
        "load_data.yaml",
        "load_data.plain",
        "get_hash",
        "get_image_metadata",
        "trans",
        "markdown",
        "regex_replace",
        "num_format",
        "base64_encode",
        "base64_decode",
        "now",
        "taxonomy",
        "current_path",
        "current_url",
        "lang",
    ] {
        assert!(ids.contains(f), "{f}");
    }
    assert!(ids.iter().filter(|i| i.starts_with("config.")).count() >= 25);
}
