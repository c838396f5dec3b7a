//! `build_search_index = true` writes a Pagefind index of the site's pages
//! and sections into `pagefind/`; `in_search_index = false` and the search
//! page itself are left out; the default theme's search page lists every
//! page A to Z and passes `check`.

mod common;

use common::{minimal, TestSite};

fn page_count(site: &TestSite) -> u64 {
    let entry: serde_json::Value =
        serde_json::from_str(&site.read("pagefind/pagefind-entry.json")).expect("entry JSON");
    entry["languages"]["en"]["page_count"]
        .as_u64()
        .expect("page count")
}

fn searchable_site() -> TestSite {
    let mut files = minimal();
    files[0] = (
        "config.toml",
        "base_url = \"https://min.example/strategy\"\ntitle = \"Min\"\nbuild_search_index = true\n",
    );
    files.push((
        "content/search.md",
        "+++\ntitle = \"Search\"\ntemplate = \"search.html\"\n+++\n",
    ));
    files.push((
        "content/news/hidden.md",
        "+++\ntitle = \"Not in search\"\nin_search_index = false\n+++\nQuiet.\n",
    ));
    TestSite::from_files(&files)
}

#[test]
fn the_index_holds_pages_and_sections_but_not_the_excluded() {
    let site = searchable_site();
    site.build().expect("builds");
    for f in ["pagefind/pagefind.js", "pagefind/pagefind-entry.json"] {
        assert!(site.public().join(f).is_file(), "{f}");
    }
    assert!(site
        .outputs()
        .iter()
        .any(|f| f.starts_with("pagefind/fragment/")));
    // Pages `one` and `accessibility`, sections home and news; not the
    // search page, nor the page with in_search_index = false.
    assert_eq!(page_count(&site), 4);

    let search = site.read("search/index.html");
    assert!(search.contains("data-search-bundle=\"https://min.example/strategy/pagefind/\""));
    assert!(search.contains("Search needs JavaScript"));
    let az = common::section_at(&search, "class=\"a-to-z\"");
    let mut last = 0;
    for t in [
        "Accessibility statement",
        "Home",
        "News",
        "Not in search",
        "One",
    ] {
        let at = az[last..]
            .find(&format!(">{t}</a>"))
            .unwrap_or_else(|| panic!("{t} in the A to Z, in order: {az}"));
        last += at;
    }
    assert!(
        !az.contains(">Search</a>"),
        "the search page does not list itself"
    );
    // The menu links the search page, marked current on it.
    assert!(site.read("index.html").contains(">Search</a>"));
    assert!(search.contains("/search/\" aria-current=\"page\">Search</a>"));
}

#[test]
fn check_follows_the_links_to_the_index() {
    let site = searchable_site();
    let r = throughline::render_site(&site.options()).expect("renders");
    let outcome =
        throughline::check::check_rendered(&r, &throughline::check::CheckOptions::default());
    assert_eq!(outcome.errors(), 0, "{:#?}", outcome.diagnostics);
    assert!(r.files.iter().any(|f| f.path == "pagefind/pagefind.js"));
}

#[test]
fn without_the_setting_there_is_no_index_and_the_page_says_so() {
    let mut files = minimal();
    files.push((
        "content/search.md",
        "+++\ntitle = \"Search\"\ntemplate = \"search.html\"\n+++\n",
    ));
    let site = TestSite::from_files(&files);
    site.build().expect("builds");
    assert!(!site.public().join("pagefind").exists());
    assert!(site
        .read("search/index.html")
        .contains("Search is not switched on"));
}

/// The JSON of a `search_index.LANG.js`.
fn zola_index(js: &str) -> serde_json::Value {
    let json = js
        .strip_prefix("window.searchIndex = ")
        .expect("the index sets window.searchIndex, as Zola's does");
    serde_json::from_str(json).expect("index JSON")
}

/// A Zola theme that searches with Zola's elasticlunr index finds it: the
/// index of the site's pages and sections (not the one left out, not code
/// blocks), the script beside it, and `get_url`'s cachebust hash of it.
#[test]
fn a_zola_theme_gets_zola_s_elasticlunr_index() {
    use sha2::Digest;
    let site = TestSite::fixture("zola-search");
    site.build().expect("builds");
    let js = site.read("search_index.en.js");
    let index = zola_index(&js);
    assert_eq!(index["fields"], serde_json::json!(["title", "body"]));
    let docs = index["documentStore"]["docs"].as_object().expect("docs");
    let urls: Vec<&str> = docs.keys().map(String::as_str).collect();
    assert_eq!(
        urls,
        [
            "https://zs.example/",
            "https://zs.example/docs/",
            "https://zs.example/docs/waiting/"
        ]
    );
    let waiting = &docs["https://zs.example/docs/waiting/"];
    assert_eq!(waiting["title"], "Waiting times");
    assert_eq!(
        waiting["body"],
        "Fewer people waiting for elective care, and a fairer wait for everyone."
    );
    assert!(!js.contains("xylophone"), "code blocks are not indexed");
    assert!(index["index"]["body"]["root"]["e"]["l"]["e"]["c"]["t"].is_object());
    assert!(site.read("elasticlunr.min.js").contains("elasticlunr"));
    let hash = format!("{:x}", sha2::Sha256::digest(js.as_bytes()));
    let home = site.read("index.html");
    assert!(
        home.contains(&format!(
            // Unescaped, as Zola prints `get_url`'s answer.
            "src=\"https://zs.example/search_index.en.js?h={}\"",
            &hash[..20]
        )),
        "{home}"
    );
    assert!(home.contains("<p id=\"format\">elasticlunr_javascript</p>"));
    // No template mentions Pagefind: no Pagefind index.
    assert!(!site.public().join("pagefind").exists());
}

/// `[search]` chooses the format and the fields, as in Zola.
#[test]
fn search_settings_choose_the_format_and_fields() {
    let site = TestSite::fixture("zola-search");
    let config = site.read_source("config.toml");
    site.write(
        "config.toml",
        &format!(
            "{config}\n[search]\nindex_format = \"fuse_json\"\ninclude_description = true\n\
             include_path = true\ntruncate_content_length = 5\n"
        ),
    );
    site.write(
        "templates/index.html",
        "<p id=\"format\">{{ config.search.index_format }}</p>",
    );
    site.build().expect("builds");
    let entries: serde_json::Value =
        serde_json::from_str(&site.read("search_index.en.json")).expect("fuse JSON");
    let waiting = entries
        .as_array()
        .expect("a list")
        .iter()
        .find(|e| e["url"] == "https://zs.example/docs/waiting/")
        .expect("the page is in the index");
    assert_eq!(
        waiting,
        &serde_json::json!({
            "url": "https://zs.example/docs/waiting/",
            "title": "Waiting times",
            "description": "",
            "body": "Fewer",
            "path": "/docs/waiting/",
        })
    );
    assert!(!site.public().join("elasticlunr.min.js").exists());
    assert!(!site.public().join("search_index.en.js").exists());
    assert!(site.read("index.html").contains(">fuse_json<"));
}

#[test]
fn an_unknown_index_format_is_a_clear_error() {
    let site = TestSite::fixture("zola-search");
    let config = site.read_source("config.toml");
    site.write(
        "config.toml",
        &format!("{config}\n[search]\nindex_format = \"lunr\"\n"),
    );
    let failed = site.build().expect_err("fails");
    let d = common::only(&failed.diagnostics);
    assert!(d.message.contains("`[search]`"), "{d:?}");
    assert!(d.message.contains("lunr"), "{d:?}");
    assert!(common::hint(d).contains("fuse_json"), "{d:?}");
    assert!(d.file.as_ref().unwrap().ends_with("config.toml"), "{d:?}");
    assert!(!site.public().exists(), "nothing half-written");
}

/// Welsh is a language elasticlunr has no words of: Zola refuses the build,
/// and so does a Zola theme here; the default theme searches with
/// Pagefind, so there it is only a warning.
#[test]
fn a_language_elasticlunr_does_not_know() {
    let site = TestSite::fixture("zola-search");
    let config = site.read_source("config.toml");
    site.write(
        "config.toml",
        &format!("default_language = \"cy\"\n{config}"),
    );
    let failed = site.build().expect_err("fails");
    let d = common::only(&failed.diagnostics);
    assert!(d.message.contains("`cy`"), "{d:?}");
    assert!(common::hint(d).contains("fuse_javascript"), "{d:?}");

    let site = searchable_site();
    let config = site.read_source("config.toml");
    site.write(
        "config.toml",
        &format!("default_language = \"cy\"\n{config}"),
    );
    let report = site.build().expect("builds");
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.message.contains("`cy`")));
    assert!(site.public().join("pagefind/pagefind.js").is_file());
    assert!(!site.public().join("search_index.cy.js").exists());
}

/// The index is Zola 0.22.1's, byte for byte (`zola-0.22.1.sh` in the
/// fixture recorded it).
#[test]
fn the_elasticlunr_index_is_zola_s_byte_for_byte() {
    let site = TestSite::fixture("zola-search");
    site.build().expect("builds");
    let zola = site.read_source("zola-0.22.1/search_index.en.js");
    assert!(
        site.read("search_index.en.js") == zola,
        "differs from Zola's"
    );
}
