//! Bad input gets a clear, located error, and the previous output is left
//! exactly as it was.

mod common;

use common::{fails_cleanly, minimal, only, TestSite};
use throughline::Diagnostic;

/// Break the minimal site with `edit`; the errors, after checking the
/// previous output is untouched.
fn break_site(edit: impl FnOnce(&TestSite)) -> (TestSite, Vec<Diagnostic>) {
    let site = TestSite::from_files(&minimal());
    let errors = fails_cleanly(&site, edit);
    (site, errors)
}

fn file_name(d: &Diagnostic) -> String {
    d.file
        .as_ref()
        .and_then(|f| f.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn malformed_toml() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\nweight = 2\n+++\nBody\n",
        )
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "one.md");
    let loc = d.location.as_ref().expect("located");
    assert_eq!(loc.line, 2);
    assert!(d.message.contains("not valid TOML"), "{}", d.message);
    assert!(d
        .render(std::path::Path::new(""))
        .contains("2 | title = \"One"));
}

#[test]
fn missing_closing_fence() {
    let (_s, errors) =
        break_site(|s| s.write("content/news/one.md", "+++\ntitle = \"One\"\nBody\n"));
    let d = only(&errors);
    assert_eq!(file_name(d), "one.md");
    assert!(d.message.contains("never closed"));
    assert!(d.hint.as_deref().unwrap().contains("+++"));
}

#[test]
fn invalid_utf8() {
    let (_s, errors) = break_site(|s| {
        s.write_bytes(
            "content/news/one.md",
            b"+++\ntitle = \"One\"\n+++\nCaf\xe9 au lait\n",
        )
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "one.md");
    let loc = d.location.as_ref().unwrap();
    assert_eq!((loc.line, loc.column), (4, 4));
    assert!(d.message.contains("0xE9"));
    assert!(d.hint.as_deref().unwrap().contains("UTF-8"));
}

#[test]
fn unknown_section_key_is_an_error_with_a_suggestion() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/_index.md",
            "+++\ntitle = \"News\"\nsort-by = \"date\"\n+++\n",
        )
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "_index.md");
    assert_eq!(d.location.as_ref().unwrap().line, 3);
    assert!(d
        .hint
        .as_deref()
        .unwrap()
        .contains("did you mean `sort_by`?"));
}

#[test]
fn unknown_page_key_is_only_a_warning() {
    let site = TestSite::from_files(&minimal());
    site.write(
        "content/news/one.md",
        "+++\ntitle = \"One\"\nstatus = \"on-track\"\n+++\nBody\n",
    );
    let report = site.build().expect("builds");
    let w = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`status`"))
        .expect("a warning");
    assert!(!w.is_error());
    assert!(w.hint.as_deref().unwrap().contains("[extra]"));
}

#[test]
fn broken_internal_link_and_anchor() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\"\n+++\n## Real heading\n\nSee [two](@/news/tow.md).\n",
        );
        s.write(
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\nSee [one](@/news/one.md#real-headin).\n",
        );
    });
    assert_eq!(errors.len(), 2, "{errors:#?}");
    let link = errors
        .iter()
        .find(|d| d.message.contains("tow.md"))
        .unwrap();
    assert_eq!(link.location.as_ref().unwrap().line, 6);
    assert_eq!(link.location.as_ref().unwrap().column, 11);
    let anchor = errors
        .iter()
        .find(|d| d.message.contains("#real-headin"))
        .unwrap();
    assert_eq!(file_name(anchor), "_index.md");
    assert!(anchor
        .hint
        .as_deref()
        .unwrap()
        .contains("did you mean `#real-heading`?"));
}

/// A build lets each page's body go once it is rendered: an anchor that
/// breaks is still reported at its line and column, with the line shown.
#[test]
fn broken_anchor_in_a_page_is_located_after_its_body_is_let_go() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\"\n+++\n## Real heading\n\nText.\n",
        );
        s.write(
            "content/news/two.md",
            "+++\ntitle = \"Two\"\n+++\nIntro.\n\nSee [one](@/news/one.md#real-headin) now.\n",
        );
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "two.md");
    let loc = d.location.as_ref().expect("located");
    assert_eq!((loc.line, loc.column), (6, 24), "{d:#?}");
    let shown = d.render(std::path::Path::new(""));
    assert!(
        shown.contains("6 | See [one](@/news/one.md#real-headin) now."),
        "{shown}"
    );
    assert!(d
        .hint
        .as_deref()
        .unwrap()
        .contains("did you mean `#real-heading`?"));
}

/// `extra` is moved out of the front matter into the page's metadata; one
/// that is not a table is still said, where it was written.
#[test]
fn extra_that_is_not_a_table_is_located() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\"\nextra = \"lead\"\n+++\nBody\n",
        )
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "one.md");
    assert!(
        d.message.contains("`extra` must be a table"),
        "{}",
        d.message
    );
    assert_eq!(d.location.as_ref().expect("located").line, 3);
}

#[test]
fn missing_template() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\"\ntemplate = \"nope.html\"\n+++\nBody\n",
        )
    });
    let d = only(&errors);
    assert!(
        d.message.contains("`nope.html` does not exist"),
        "{}",
        d.message
    );
    assert!(
        d.hint.as_deref().unwrap().contains("one.md"),
        "names the content file: {:?}",
        d.hint
    );
}

#[test]
fn template_syntax_error_names_template_and_line() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "templates/page.html",
            "<h1>{{ page.title }}</h1>\n{% if page.title %}\n<p>unclosed\n",
        )
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "page.html");
    assert!(d.file.as_ref().unwrap().ends_with("templates/page.html"));
    eprintln!("{}", d.render(_s.root()));
}

#[test]
fn template_runtime_error_is_located() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "templates/page.html",
            "<h1>{{ page.title }}</h1>\n<p>{{ page.nonexistent.field }}</p>\n",
        )
    });
    let d = &errors[0];
    assert_eq!(file_name(d), "page.html");
    assert!(d.message.contains("nonexistent"), "{}", d.message);
}

#[test]
fn path_escaping_the_output_is_refused() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\"\npath = \"../../x\"\n+++\nBody\n",
        )
    });
    let d = only(&errors);
    assert_eq!(file_name(d), "one.md");
    assert_eq!(d.location.as_ref().unwrap().line, 3);
    assert!(d.message.contains("outside the site"));
}

#[test]
fn every_broken_file_is_reported_in_one_run() {
    let (_s, errors) = break_site(|s| {
        s.write("content/news/one.md", "+++\ntitle = \"One\n+++\n");
        s.write("content/news/two.md", "no front matter\n");
        s.write("content/news/three.md", "+++\ndraft = \"yes\"\n+++\n");
    });
    let mut files: Vec<String> = errors.iter().map(file_name).collect();
    files.sort();
    assert_eq!(files, vec!["one.md", "three.md", "two.md"]);
}

#[test]
fn output_into_sources_is_refused() {
    let site = TestSite::from_files(&minimal());
    for bad in ["content", "templates", "static", "."] {
        let mut opts = site.options();
        opts.output_dir = Some(site.root().join(bad));
        let f = throughline::build(&opts).expect_err(bad);
        assert!(
            f.diagnostics[0].message.contains("output folder"),
            "{bad}: {}",
            f.diagnostics[0].message
        );
    }
    assert!(
        site.root().join("content/_index.md").is_file(),
        "sources untouched"
    );
}

#[test]
fn foreign_output_folder_needs_force() {
    let site = TestSite::from_files(&minimal());
    site.write("public/keep-me.txt", "mine");
    let f = site.build().expect_err("refused without --force");
    assert!(f.diagnostics[0].message.contains("not made by throughline"));
    assert_eq!(
        std::fs::read_to_string(site.public().join("keep-me.txt")).unwrap(),
        "mine"
    );
    let mut opts = site.options();
    opts.force = true;
    throughline::build(&opts).expect("--force replaces it");
    assert!(!site.public().join("keep-me.txt").exists());
    // Once it is ours, no --force is needed.
    site.build().expect("rebuild without --force");
}

#[test]
fn config_errors_are_located() {
    let site = TestSite::from_files(&minimal());
    site.write(
        "config.toml",
        "base_url = \"https://min.example\"\ntitle = \"Min\"\ngenerate_feed = true\n",
    );
    let f = site.build().expect_err("unknown config key");
    let d = &f.diagnostics[0];
    assert_eq!(d.location.as_ref().unwrap().line, 3);
    assert_eq!(d.hint.as_deref(), Some("did you mean `generate_feeds`?"));
}

#[test]
fn unknown_shortcode_suggests_the_closest() {
    let (_s, errors) = break_site(|s| {
        s.write(
            "templates/shortcodes/figure.html",
            "<figure>{{ src }}</figure>",
        );
        s.write(
            "content/news/one.md",
            "+++\ntitle = \"One\"\n+++\nText\n\n{{ figur(src=\"a.png\") }}\n",
        );
    });
    let d = only(&errors);
    assert_eq!(d.location.as_ref().unwrap().line, 6);
    assert_eq!(d.hint.as_deref(), Some("did you mean `figure`?"));
}

#[test]
fn a_page_where_a_taxonomy_list_goes_leaves_the_list_as_zola_does_with_a_warning() {
    let mut files = minimal();
    files[0] = (
        "config.toml",
        "base_url = \"https://min.example\"\ntitle = \"Min\"\ntaxonomies = [{ name = \"tags\" }]\n",
    );
    files.push(("templates/taxonomy_list.html", "the tags list"));
    let site = TestSite::from_files(&files);
    site.write(
        "content/topics.md",
        "+++\ntitle = \"Topics\"\npath = \"tags\"\n[taxonomies]\ntags = [\"x\"]\n+++\nAll our topics.\n",
    );
    // Written as each file is made, by many threads: what is left must
    // not depend on which came last. Zola writes taxonomies after pages.
    for _ in 0..3 {
        let report = site.build().expect("a warning, not an error");
        assert_eq!(site.read("tags/index.html"), "the tags list");
        let w: Vec<&str> = report
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| m.contains("two outputs go to `tags/index.html`"))
            .collect();
        assert_eq!(w.len(), 1, "{:?}", report.diagnostics);
        assert!(
            w[0].contains("a page or section and a taxonomy's page"),
            "{}",
            w[0]
        );
    }
}

#[test]
fn two_pages_at_one_path_stay_an_error_and_change_nothing() {
    let site = TestSite::from_files(&minimal());
    let errors = fails_cleanly(&site, |s| {
        s.write(
            "content/one.md",
            "+++\ntitle = \"One\"\npath = \"same\"\n+++\nOne.\n",
        );
        s.write(
            "content/two.md",
            "+++\ntitle = \"Two\"\npath = \"same\"\n+++\nTwo.\n",
        );
    });
    assert!(
        errors
            .iter()
            .any(|d| d.is_error() && d.message.contains("same")),
        "{errors:?}"
    );
}

#[test]
fn a_section_feed_where_the_site_feed_goes_leaves_the_site_feed() {
    // A real blog asks for feeds in its config and in its root section.
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://f.example\"\ngenerate_feeds = true\n",
        ),
        ("content/_index.md", "+++\ngenerate_feeds = true\n+++\n"),
        (
            "content/a.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-01\n+++\nhi\n",
        ),
        ("templates/index.html", "home"),
        ("templates/page.html", "{{ page.title }}"),
        (
            "templates/atom.xml",
            "{% if section %}section feed{% else %}site feed{% endif %}",
        ),
    ]);
    let report = site.build().expect("builds");
    assert_eq!(site.read("atom.xml"), "site feed");
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.message.contains("two outputs go to `atom.xml`")
            && d.message.contains("the site's feed is kept")));
}
