//! Two template engines: Tera (Zola's, the default) and MiniJinja, chosen by
//! `engine` in a theme's `theme.toml` or `[extra.templates] engine` in the
//! site's config. The functions and filters under both engines are checked
//! from one table in `tests/template_fields.rs`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{only, TestSite};
use throughline::session::Session;

/// The example site at the repository root, copied.
fn example() -> TestSite {
    let site = TestSite::from_files(&[]);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["content", "data"] {
        common::copy_dir(&repo.join(dir), &site.root().join(dir));
    }
    std::fs::copy(repo.join("config.toml"), site.root().join("config.toml")).unwrap();
    site
}

fn on_minijinja(site: &TestSite) {
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[extra.templates]\nengine = \"minijinja\"\n"),
    );
}

fn rendered(site: &TestSite) -> BTreeMap<String, Vec<u8>> {
    std::env::set_var("SOURCE_DATE_EPOCH", "1700000000");
    let r = throughline::build::render_site(&site.options())
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    r.files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

#[test]
fn the_example_site_is_the_same_on_the_minijinja_port_of_the_theme() {
    let tera = rendered(&example());
    let jinja_site = example();
    on_minijinja(&jinja_site);
    let jinja = rendered(&jinja_site);
    assert_eq!(
        tera.keys().collect::<Vec<_>>(),
        jinja.keys().collect::<Vec<_>>(),
        "the same pages"
    );
    assert!(tera.len() > 60, "{} outputs", tera.len());
    // Not only the same visible text: the same bytes, page by page.
    for (path, bytes) in &tera {
        if path.starts_with("pagefind/") {
            continue;
        }
        assert!(
            jinja[path] == *bytes,
            "{path} differs:\n--- tera\n{}\n--- minijinja\n{}",
            String::from_utf8_lossy(bytes),
            String::from_utf8_lossy(&jinja[path])
        );
    }
}

fn error_site(template: &str) -> TestSite {
    let mut files = common::minimal();
    files.push(("templates/page.html", template));
    TestSite::from_files(&files)
}

#[test]
fn a_template_error_names_the_template_and_line_under_each_engine() {
    // Printing something that is not there, on line 3.
    let template =
        "<!doctype html>\n<title>{{ page.title }}</title>\n<p>{{ page.extra.missing_thing }}</p>\n";
    for minijinja in [false, true] {
        let site = error_site(template);
        if minijinja {
            on_minijinja(&site);
        }
        let f = site.build().expect_err("an undefined value must fail");
        // One error for each of the two pages.
        assert_eq!(f.diagnostics.len(), 2, "{:#?}", f.diagnostics);
        for d in &f.diagnostics {
            let shown = d.render(site.root());
            assert!(
                shown.contains("templates/page.html:3:"),
                "minijinja={minijinja}: {shown}"
            );
            assert!(
                shown.contains("missing_thing"),
                "minijinja={minijinja}: {shown}"
            );
        }
        assert!(!site.public().exists());
    }
    // A syntax error, at line 2 column 46: found when the templates are
    // loaded, before anything is rendered.
    for minijinja in [false, true] {
        let site = error_site("<p>\n{% if page.title %}{{ page.title | upper(a=1 }}{% endif %}\n");
        if minijinja {
            on_minijinja(&site);
        }
        let f = site.build().expect_err("a syntax error must fail");
        let shown = only(&f.diagnostics).render(site.root());
        assert!(
            shown.contains("templates/page.html:2:46"),
            "minijinja={minijinja}: {shown}"
        );
        assert!(
            shown.contains("template error"),
            "minijinja={minijinja}: {shown}"
        );
    }
    // MiniJinja reports the line of an error inside a macro call too.
    let site =
        error_site("{% macro m(x) %}\n{{ x.nope.deeper }}\n{% endmacro %}\n{{ m(x=page) }}\n");
    on_minijinja(&site);
    let f = site.build().expect_err("must fail");
    let shown = f.diagnostics[0].render(site.root());
    assert!(shown.contains("templates/page.html:2:"), "{shown}");
}

#[test]
fn shortcodes_render_on_minijinja() {
    let mut files = common::minimal();
    files.extend([
        (
            "content/news/one.md",
            "+++\ntitle = \"One\"\n+++\nSee {{ badge(words=[\"new\", \"open\"]) }} here.\n\n{% note(kind=\"info\") %}\nA *body* for {{ page_title }}.\n{% end %}\n\n{{ twice(text=\"hi\") }}\n",
        ),
        (
            "templates/shortcodes/badge.html",
            "<span class=\"badge\">{{ words | join(\" / \") | upper }}</span>",
        ),
        (
            "templates/shortcodes/note.html",
            "<aside class=\"{{ kind }}\">{{ body | markdown | safe }}<small>{{ nth }} on {{ page.title }}</small></aside>",
        ),
        ("templates/shortcodes/twice.md", "**{{ text }}** {{ text }}"),
        ("templates/page.html", "{{ page.content | safe }}"),
    ]);
    let site = TestSite::from_files(&files);
    on_minijinja(&site);
    if let Err(f) = site.build() {
        panic!("{:#?}", f.diagnostics);
    }
    let html = site.read("news/one/index.html");
    assert!(
        html.contains("See <span class=\"badge\">NEW &#x2F; OPEN</span> here."),
        "{html}"
    );
    assert!(html.contains("<aside class=\"info\"><p>A <em>body</em> for {{ page_title }}.</p>\n<small>1 on One</small></aside>"), "{html}");
    assert!(html.contains("<p><strong>hi</strong> hi</p>"), "{html}");
}

#[test]
fn the_site_config_chooses_over_the_theme_and_a_wrong_name_is_explained() {
    let mut files = common::minimal();
    files.extend([
        (
            "themes/t/theme.toml",
            "name = \"t\"\nengine = \"minijinja\"\n",
        ),
        ("themes/t/templates/page.html", "{{ [1, 2] | join(\"+\") }}"),
        ("themes/t/templates/index.html", "home"),
        ("themes/t/templates/section.html", "section"),
    ]);
    let mut config = String::from("theme = \"t\"\n");
    config.push_str(files[0].1);
    let config: &'static str = Box::leak(config.into_boxed_str());
    files[0] = ("config.toml", config);
    let site = TestSite::from_files(&files);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert_eq!(
        site.read("news/one/index.html"),
        "1+2",
        "theme.toml chose MiniJinja"
    );

    // The site says Tera: the theme's Jinja no longer parses, and the error
    // says where.
    site.write(
        "config.toml",
        &format!("{config}\n[extra.templates]\nengine = \"tera\"\n"),
    );
    let f = site.build().expect_err("Tera cannot read this template");
    assert!(only(&f.diagnostics)
        .render(site.root())
        .contains("themes/t/templates/page.html"));

    site.write(
        "config.toml",
        &format!("{config}\n[extra.templates]\nengine = \"minijina\"\n"),
    );
    let f = site.build().expect_err("no such engine");
    let shown = only(&f.diagnostics).render(site.root());
    assert!(shown.contains("`minijina`"), "{shown}");
    assert!(shown.contains("did you mean `minijinja`?"), "{shown}");
}

#[test]
fn serve_rebuilds_a_minijinja_site_exactly() {
    let site = example();
    on_minijinja(&site);
    site.write(
        "templates/partials/note.html",
        "<p class=\"note\">{{ text }}</p>",
    );
    site.write(
        "templates/shortcodes/note.html",
        "{% include \"partials/note.html\" %}",
    );
    site.write(
        "content/news/_index.md",
        "+++\ntitle = \"News\"\nsort_by = \"date\"\n+++\n",
    );
    site.write(
        "content/news/first.md",
        "+++\ntitle = \"First\"\ndate = 2025-01-01\n+++\n{{ note(text=\"one\") }}\n",
    );
    let mut session = Session::new(
        site.options(),
        Box::new(throughline::build::default_plugins),
    );
    let same = |session: &Session, step: &str| {
        // `serve` leaves out the search index (its own test is in
        // serve_incremental.rs).
        let mut full = rendered(&site);
        full.retain(|p, _| {
            !p.starts_with("pagefind/")
                && !p.starts_with("search_index.")
                && p != "elasticlunr.min.js"
        });
        let served = session.site().expect("a good build");
        assert_eq!(
            served.files.len(),
            full.len(),
            "after {step}: outputs differ"
        );
        for (path, bytes) in &full {
            assert!(
                *served.files[path].bytes == bytes[..],
                "after {step}: {path} differs from a full build"
            );
        }
    };
    let first = session.rebuild(&[]);
    assert!(first.ok, "{:#?}", first.diagnostics);
    same(&session, "the first build");

    // A template the shortcode includes changes: the page that uses it is
    // rendered again, and nothing else needs to be.
    site.write(
        "templates/partials/note.html",
        "<p class=\"note\"><strong>{{ text }}</strong></p>",
    );
    let out = session.rebuild(&[site.root().join("templates/partials/note.html")]);
    assert!(out.ok, "{:#?}", out.diagnostics);
    assert!(out.changed.iter().any(|p| p == "news/first/index.html"));
    same(&session, "the included template's edit");

    site.write(
        "content/news/first.md",
        "+++\ntitle = \"First news\"\ndate = 2025-01-01\n+++\n{{ note(text=\"two\") }}\n",
    );
    let out = session.rebuild(&[site.root().join("content/news/first.md")]);
    assert!(out.ok, "{:#?}", out.diagnostics);
    same(&session, "the page's edit");
}
