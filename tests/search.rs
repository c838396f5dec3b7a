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
