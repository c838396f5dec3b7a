//! Builds `tests/fixtures/features`, a Zola site that uses each feature the
//! foundation supports, and asserts on the HTML produced.

mod common;

use common::{by_id, unescape, TestSite};

fn built() -> TestSite {
    std::env::set_var("SOURCE_DATE_EPOCH", "1700000000");
    let site = TestSite::fixture("features");
    if let Err(f) = site.build() {
        for d in &f.diagnostics {
            eprintln!("{}", d.render(site.root()));
        }
        panic!("fixture failed to build");
    }
    site
}

#[test]
fn output_urls_are_zolas() {
    let site = built();
    let out = site.outputs();
    for expected in [
        "404.html",
        "atom.xml",
        "robots.txt",
        "sitemap.xml",
        "index.html",
        "blog/index.html",
        "blog/page/1/index.html",
        "blog/page/2/index.html",
        "blog/atom.xml",
        "blog/first-post/index.html",
        "blog/second/index.html",
        "blog/third-post-slug/index.html",
        "blog/2024/transparent-child/index.html",
        "custom/place/index.html",
        "docs/a/index.html",
        "bundle-post/index.html",
        "bundle-post/chart.svg",
        "hidden/inside/index.html",
        "orphan/index.html",
        "old/index.html",
        "old-second/index.html",
        "legacy/second.html",
        "tags/index.html",
        "tags/rust/index.html",
        "tags/rust/page/1/index.html",
        "tags/rust/page/2/index.html",
        "tags/rust/atom.xml",
        "tags/web-dev/index.html",
        "categories/news/index.html",
        "site.css",
    ] {
        assert!(
            out.contains(&expected.to_string()),
            "missing {expected}; have {out:?}"
        );
    }
    // Drafts, render = false pages and render = false sections are not written.
    for absent in [
        "docs/draft/index.html",
        "docs/norender/index.html",
        "hidden/index.html",
    ] {
        assert!(
            !out.contains(&absent.to_string()),
            "{absent} should not be written"
        );
    }
}

#[test]
fn markdown_features() {
    let site = built();
    let html = site.read("blog/first-post/index.html");
    let content = by_id(&html, "toc");
    assert_eq!(
        content,
        "2:custom-setup:Setup;2:details:Details;2:details-1:Details;"
    );
    assert!(html.contains("<h2 id=\"custom-setup\">Setup</h2>"));
    assert!(html.contains("<h2 id=\"details-1\">Details</h2>"));
    assert!(html.contains("<table>") && html.contains("<th>Col A</th>"));
    assert!(html.contains("<del>struck</del>"));
    assert!(html.contains("type=\"checkbox\" checked=\"\" disabled=\"\""));
    assert!(html.contains("class=\"footnotes\""));
    assert!(html.contains("<span id=\"continue-reading\"></span>"));
    assert!(
        html.contains("<a rel=\"noopener nofollow external\" target=\"_blank\" href=\"https://www.example.com\">Example</a>"),
        "external link attributes"
    );
    // Shortcodes: inline HTML, body Markdown, escaped.
    assert!(html.contains("<span class=\"note\" data-nth=\"1\">an inline note</span>."));
    assert!(html
        .contains("<strong>INFO</strong>: This is <strong>bold</strong> inside a body shortcode."));
    assert!(html.contains("Escaped: {{ note(text=&quot;x&quot;) }}"));
    // Summary stops at <!-- more -->.
    assert_eq!(by_id(&html, "summary").trim(), "<p>Opening paragraph.");
}

#[test]
fn internal_links_resolve_and_record_backlinks() {
    let site = built();
    let home = site.read("index.html");
    assert!(home
        .contains("<a href=\"https://fixture.example/blog/second/#details\">the second post</a>"));
    assert!(home.contains("<a href=\"https://fixture.example/docs/\">docs</a>"));
    let second = site.read("blog/second/index.html");
    assert_eq!(
        unescape(by_id(&second, "backlinks")),
        "https://fixture.example/;"
    );
}

#[test]
fn page_variables() {
    let site = built();
    let first = site.read("blog/first-post/index.html");
    assert_eq!(
        by_id(&first, "date"),
        "2024-01-05|2024-1-5|",
        "date from the file name"
    );
    assert_eq!(
        unescape(by_id(&first, "slug")),
        "first-post|/blog/first-post/|https://fixture.example/blog/first-post/"
    );
    assert_eq!(
        unescape(by_id(&first, "ancestors")),
        "_index.md,blog/_index.md"
    );
    assert_eq!(by_id(&first, "authors"), "Ada");
    assert_eq!(
        by_id(&first, "taxonomies"),
        "tags=Rust+Web Dev;categories=News;"
    );
    assert_eq!(
        unescape(by_id(&first, "relative")),
        "blog/2024-01-05_first-post.md|"
    );
    let third = site.read("blog/third-post-slug/index.html");
    assert_eq!(by_id(&third, "date"), "2024-05-01T10:00:00Z|2024-5-1|");
    let second = site.read("blog/second/index.html");
    assert_eq!(by_id(&second, "date"), "2024-03-01|2024-3-1|2024-03-02");
    let bundle = site.read("bundle-post/index.html");
    assert_eq!(unescape(by_id(&bundle, "assets")), "/bundle-post/chart.svg");
    assert_eq!(
        unescape(by_id(&bundle, "relative")),
        "bundle-post/index.md|bundle-post/"
    );
    assert!(bundle.contains("<img src=\"chart.svg\" alt=\"A chart of progress\" />"));
}

#[test]
fn sorting_siblings_and_transparent_sections() {
    let site = built();
    // Blog sorts by date, newest first; the transparent 2024 section passes
    // its page up; the first post is dated by its file name.
    let blog = site.read("blog/index.html");
    assert!(
        blog.contains("<ul><li>Third post</li><li>Passed up</li></ul>"),
        "{blog}"
    );
    assert_eq!(
        by_id(&blog, "pager"),
        "1/2 of 4; prev=; next=https:&#x2F;&#x2F;fixture.example&#x2F;blog&#x2F;page&#x2F;2&#x2F;"
    );
    let page2 = site.read("blog/page/2/index.html");
    assert!(
        page2.contains("<ul><li>Second post</li><li>First post</li></ul>"),
        "{page2}"
    );
    assert!(site
        .read("blog/page/1/index.html")
        .contains("url=https://fixture.example/blog/"));
    // A paginated term's first pager redirects to the term, as a section's.
    assert!(site
        .read("tags/rust/page/1/index.html")
        .contains("url=https://fixture.example/tags/rust/"));
    // Weight sort, lower/higher, page_template and section template.
    let b = site.read("docs/b/index.html");
    assert!(b.starts_with("<h1>DOC Doc B</h1>"));
    assert!(b.contains("lower=Doc A|higher=Doc C"));
    let docs = site.read("docs/index.html");
    assert!(docs.starts_with("<h1>DOCS Docs</h1>"));
    assert!(!docs.contains("Not rendered") && !docs.contains("Draft doc"));
    // insert_anchor_links = "right" on the docs section.
    let a = site.read("docs/a/index.html");
    assert!(
        a.contains("<h2 id=\"heading-a\">Heading A<a class=\"zola-anchor\" href=\"#heading-a\""),
        "{a}"
    );
}

#[test]
fn taxonomies_feeds_aliases_sitemap() {
    let site = built();
    let tags = site.read("tags/index.html");
    assert!(tags.contains("Rust</a>(2);") && tags.contains("Web Dev</a>(1);"));
    // "Rust" (the older first post) and "rust" (the second) are one term,
    // the spellings' pages one after the other in byte order, as Zola
    // merges them (tests/zola_sites.rs checks the rule against Zola).
    let rust = site.read("tags/rust/index.html");
    assert!(
        rust.contains("<p id=\"pager\">1/2</p>First post;"),
        "{rust}"
    );
    let feed = site.read("atom.xml");
    assert!(feed.contains("<title>Third post</title>"));
    assert!(feed.contains("<updated>2024-05-01T10:00:00+00:00</updated>"));
    assert!(site.read("blog/atom.xml").contains("Second post"));
    let alias = site.read("old-second/index.html");
    assert!(alias.contains("url=https://fixture.example/blog/second/"));
    assert!(site
        .read("legacy/second.html")
        .contains("https://fixture.example/blog/second/"));
    assert!(
        site.read("old/index.html")
            .contains("url=https://fixture.example/docs/"),
        "redirect_to"
    );
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("<loc>https://fixture.example/blog/second/</loc>"));
    assert!(sitemap.contains("<lastmod>2024-03-02</lastmod>"));
    assert!(site
        .read("robots.txt")
        .contains("Sitemap: https://fixture.example/sitemap.xml"));
}

#[test]
fn template_functions_and_filters() {
    let site = built();
    let home = site.read("index.html");
    let cases = [
        ("trans", "Hello there"),
        (
            "url",
            "https://fixture.example/site.css?h=494f4abfd7ce18ad9e8d",
        ),
        ("atlink", "https://fixture.example/blog/second/"),
        ("page-title", "Second post"),
        ("section-count", "4"),
        ("meta-only", "0"),
        ("tax", "Rust=2;Web Dev=1;"),
        ("term", "2"),
        ("taxurl", "https://fixture.example/tags/web-dev/"),
        ("csv", "period,value|10"),
        ("toml", "Data"),
        (
            "hash",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        ("md", "<strong>hi"),
        ("re", "a+b+c"),
        ("num", "1,234,567"),
        ("b64", "aGVsbG8=|hello"),
        ("now", "1700000000"),
        ("extra", "Act together"),
        (
            "subsections",
            "blog/_index.md,docs/_index.md,hidden/_index.md,old/_index.md",
        ),
        ("current", "/|https://fixture.example/"),
    ];
    for (id, want) in cases {
        assert_eq!(unescape(by_id(&home, id)), want, "#{id}");
    }
}

#[test]
fn same_input_gives_byte_identical_output() {
    let a = built();
    let b = built();
    let files = a.outputs();
    assert_eq!(files, b.outputs());
    for f in files {
        assert_eq!(
            std::fs::read(a.public().join(&f)).unwrap(),
            std::fs::read(b.public().join(&f)).unwrap(),
            "{f} differs between two builds"
        );
    }
}

#[test]
fn drafts_flag_includes_drafts() {
    let site = TestSite::fixture("features");
    let mut opts = site.options();
    opts.drafts = true;
    throughline::build(&opts).expect("builds with drafts");
    assert!(site.read("docs/draft/index.html").contains("Draft body"));
}

#[test]
fn example_site_builds_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rendered = throughline::render_site(&throughline::Options {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .unwrap_or_else(|f| {
        panic!(
            "{}",
            f.diagnostics
                .iter()
                .map(|d| d.render(root))
                .collect::<String>()
        )
    });
    assert!(rendered.diagnostics.iter().all(|d| !d.is_error()));
    let home = rendered
        .files
        .iter()
        .find(|f| f.path == "index.html")
        .expect("home page");
    let html = String::from_utf8_lossy(&home.bytes);
    assert!(html.contains("<title>Eastbrook and Fellside Health and Care Partnership</title>"));
    assert!(html.contains("href=\"#main-content\""), "skip link");
    assert!(rendered
        .files
        .iter()
        .any(|f| f.path == "programmes/healthy-hearts/index.html"));
}

#[test]
fn taxonomy_lang_follows_the_site_language() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://l.example\"\ndefault_language = \"cy\"\ntaxonomies = [{ name = \"tags\" }]\n",
        ),
        ("content/_index.md", "+++\n+++\n"),
        ("content/a.md", "+++\ntitle = \"A\"\n[taxonomies]\ntags = [\"iechyd\"]\n+++\n"),
        ("templates/taxonomy_list.html", "<p id=\"lang\">{{ taxonomy.lang }}</p>"),
        ("templates/taxonomy_single.html", "<p id=\"lang\">{{ taxonomy.lang }} {{ term.name }}</p>"),
    ]);
    site.build().unwrap();
    assert_eq!(by_id(&site.read("tags/index.html"), "lang"), "cy");
    assert_eq!(
        by_id(&site.read("tags/iechyd/index.html"), "lang"),
        "cy iechyd"
    );
}

/// The built-in feed reads a page's content only where it has no summary,
/// so a build leaves the content of the others out of the feed's context
/// (`Engine::element_fields`): what it writes must not change.
#[test]
fn the_feed_shows_a_summary_or_else_the_content() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://feed.example\"\ntitle = \"Feed\"\ngenerate_feeds = true\n",
        ),
        ("content/_index.md", "+++\n+++\n"),
        (
            "content/with-summary.md",
            "+++\ntitle = \"With\"\ndate = 2024-01-02\n+++\nThe summary.\n\n<!-- more -->\n\nThe rest, only on the page.\n",
        ),
        (
            "content/without.md",
            "+++\ntitle = \"Without\"\ndate = 2024-01-01\n+++\nAll of it, in the feed.\n",
        ),
        (
            "templates/page.html",
            "{{ page.content | safe }}",
        ),
        (
            "templates/index.html",
            "{% for p in section.pages %}{% if p.summary %}[{{ p.summary | safe }}]{% else %}({{ p.content | safe }}){% endif %}{% endfor %}",
        ),
    ]);
    if let Err(f) = site.build() {
        panic!("{:?}", f.diagnostics);
    }
    let feed = site.read("atom.xml");
    assert!(
        feed.contains("<summary type=\"html\">&lt;p&gt;The summary.&lt;&#x2F;p&gt;</summary>"),
        "{feed}"
    );
    assert!(!feed.contains("The rest"), "{feed}");
    assert!(
        feed.contains("&lt;p&gt;All of it, in the feed.&lt;&#x2F;p&gt;\n</content>"),
        "{feed}"
    );
    // A site template with the same shape, over a section's pages.
    let index = site.read("index.html");
    assert_eq!(
        index,
        "[<p>The summary.</p>](<p>All of it, in the feed.</p>\n)"
    );
}

/// A page's value holds only what its template reads, and a word count is
/// counted only when read (a build lets the bodies go after Markdown): a
/// template that reads them whole, as JSON or a context dump, still gets
/// every field and the right count.
#[test]
fn a_page_read_whole_still_has_every_field_and_its_word_count() {
    let page =
        "+++\ntitle = \"Counted\"\n+++\nOne two three four five.\n\n```\nnot counted here\n```\n";
    let base = |template: &str| {
        TestSite::from_files(&[
            (
                "config.toml",
                "base_url = \"https://example.org\"\ntitle = \"T\"\n",
            ),
            ("content/_index.md", "+++\n+++\n"),
            ("content/counted.md", page),
            ("templates/index.html", "home"),
            ("templates/page.html", template),
        ])
    };
    // Only the title read: the page still renders.
    let site = base("<h1>{{ page.title }}</h1>");
    site.build().expect("builds");
    assert_eq!(site.read("counted/index.html"), "<h1>Counted</h1>");
    // The whole value as JSON: every field, the body's five words.
    let site = base("{{ page | json_encode | safe }}");
    site.build().expect("builds");
    let v: serde_json::Value = serde_json::from_str(&site.read("counted/index.html")).unwrap();
    assert_eq!(v["word_count"], 5);
    assert_eq!(v["reading_time"], 1);
    assert_eq!(v["title"], "Counted");
    assert!(v.get("toc").is_some() && v.get("translations").is_some());
    // A context dump: the whole page is in it, counted.
    let site = base("{{ __tera_context }}");
    site.build().expect("builds");
    let dump = site.read("counted/index.html");
    assert!(dump.contains("\"word_count\": 5"), "{dump}");
    assert!(dump.contains("\"toc\""), "{dump}");
}
