//! What real Zola 0.22 themes rely on, found by building three of them
//! (tabi, abridge, getzola/book) side by side with Zola 0.22.1: multilingual
//! content, Sass, image sizes, shortcodes written without commas, and
//! shortcode output shown inside code blocks.

mod common;

use common::{only, TestSite};

/// A site in English (default), French and Spanish, with templates that
/// print what Zola gives them.
fn multilingual() -> TestSite {
    TestSite::from_files(&[
        (
            "config.toml",
            r#"base_url = "https://i18n.example"
title = "Site"
default_language = "en"
generate_feeds = true
taxonomies = [{ name = "tags" }]

[translations]
hello = "Hello"

[languages.fr]
title = "Le site"
generate_feeds = true
taxonomies = [{ name = "tags" }]

[languages.fr.translations]
hello = "Bonjour"

[languages.es]
title = "El sitio"

[languages.es.translations]
hello = "Hola"
"#,
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        ("content/_index.fr.md", "+++\ntitle = \"Accueil\"\n+++\n"),
        (
            "content/blog/_index.md",
            "+++\ntitle = \"Blog\"\nsort_by = \"date\"\n+++\n",
        ),
        (
            "content/blog/_index.fr.md",
            "+++\ntitle = \"Blogue\"\nsort_by = \"date\"\n+++\n",
        ),
        (
            "content/blog/post.md",
            "+++\ntitle = \"Post\"\ndate = 2024-01-02\n[taxonomies]\ntags = [\"news\"]\n+++\nIn English.\n",
        ),
        (
            "content/blog/post.fr.md",
            "+++\ntitle = \"Billet\"\ndate = 2024-01-02\n[taxonomies]\ntags = [\"nouvelles\"]\n+++\nEn français.\n",
        ),
        (
            "content/blog/only-english.md",
            "+++\ntitle = \"Only English\"\ndate = 2024-01-01\n+++\n",
        ),
        (
            "content/trip/index.es.md",
            "+++\ntitle = \"Viaje\"\n+++\n![foto](photo.png)\n",
        ),
        ("content/trip/photo.png", "not really a png"),
        (
            "templates/index.html",
            "{{ lang }}|{{ config.title }}|{{ section.title }}|{{ trans(key=\"hello\", lang=lang) }}|{{ get_url(path=\"blog/\", lang=lang, trailing_slash=true) | safe }}|langs:{% for code, l in config.languages %}{{ code }},{% endfor %}",
        ),
        (
            "templates/section.html",
            "{{ lang }}|{{ section.title }}|{% for p in section.pages %}{{ p.title }};{% endfor %}|{{ section.ancestors | join(sep=\",\") | safe }}",
        ),
        (
            "templates/page.html",
            "{{ lang }}|{{ page.title }}|{{ config.title }}|{% for t in page.translations %}{{ t.lang }}={{ t.permalink | safe }} {% endfor %}|{{ page.ancestors | join(sep=\",\") | safe }}",
        ),
        (
            "templates/taxonomy_list.html",
            "{{ lang }}|{{ taxonomy.name }}|{% for t in terms %}{{ t.name }}={{ t.permalink | safe }};{% endfor %}",
        ),
        (
            "templates/taxonomy_single.html",
            "{{ lang }}|{{ term.name }}|{% for p in term.pages %}{{ p.title }};{% endfor %}",
        ),
        ("templates/404.html", "{{ lang }}"),
        ("templates/robots.txt", "User-agent: *"),
    ])
}

#[test]
fn translations_are_built_under_their_language() {
    let site = multilingual();
    if let Err(f) = site.build() {
        panic!("{:#?}", f.diagnostics);
    }
    let out = site.outputs();
    for expected in [
        "index.html",
        "fr/index.html",
        "es/index.html",
        "blog/index.html",
        "fr/blog/index.html",
        "blog/post/index.html",
        "fr/blog/post/index.html",
        "es/trip/index.html",
        "es/trip/photo.png",
        "tags/news/index.html",
        "fr/tags/nouvelles/index.html",
        "atom.xml",
        "fr/atom.xml",
    ] {
        assert!(
            out.contains(&expected.to_string()),
            "no {expected} in {out:?}"
        );
    }
    // Spanish sets no feeds or taxonomies; French pages are not English tags.
    assert!(!out.contains(&"es/atom.xml".to_string()));
    assert!(!out.iter().any(|o| o.starts_with("es/tags")));
    assert!(!out.contains(&"tags/nouvelles/index.html".to_string()));

    // Each language's home gets its own config, translations and links;
    // `config.languages` lists the others.
    assert_eq!(
        site.read("index.html"),
        "en|Site|Home|Hello|https://i18n.example/blog/|langs:es,fr,"
    );
    assert_eq!(
        site.read("fr/index.html"),
        "fr|Le site|Accueil|Bonjour|https://i18n.example/fr/blog/|langs:en,es,"
    );
    // A language without `_index.es.md` still gets its home.
    assert!(site.read("es/index.html").starts_with("es|El sitio||"));

    // Sections hold the pages of their own language.
    assert_eq!(
        site.read("blog/index.html"),
        "en|Blog|Post;Only English;|_index.md"
    );
    assert_eq!(
        site.read("fr/blog/index.html"),
        "fr|Blogue|Billet;|_index.fr.md"
    );

    // Translations list every language's version, the page itself included.
    assert_eq!(
        site.read("blog/post/index.html"),
        "en|Post|Site|en=https://i18n.example/blog/post/ fr=https://i18n.example/fr/blog/post/ |_index.md,blog/_index.md"
    );
    assert_eq!(
        site.read("fr/blog/post/index.html"),
        "fr|Billet|Le site|en=https://i18n.example/blog/post/ fr=https://i18n.example/fr/blog/post/ |_index.fr.md,blog/_index.fr.md"
    );
    assert!(site
        .read("blog/only-english/index.html")
        .contains("|en=https://i18n.example/blog/only-english/ |"));

    assert_eq!(
        site.read("fr/tags/index.html"),
        "fr|tags|nouvelles=https://i18n.example/fr/tags/nouvelles/;"
    );
    assert_eq!(
        site.read("fr/tags/nouvelles/index.html"),
        "fr|nouvelles|Billet;"
    );
    let fr_feed = site.read("fr/atom.xml");
    assert!(fr_feed.contains("Billet") && !fr_feed.contains("Only English"));
    let sitemap = site.read("sitemap.xml");
    assert!(sitemap.contains("https://i18n.example/fr/blog/post/"));
}

#[test]
fn a_file_in_a_language_the_config_lacks_is_an_error_with_a_suggestion() {
    let site = multilingual();
    site.write("content/blog/post.frr.md", "+++\ntitle = \"x\"\n+++\n");
    let f = site.build().expect_err("an unknown language must fail");
    let d = only(&f.diagnostics);
    let shown = d.render(site.root());
    assert!(shown.contains("content/blog/post.frr.md"), "{shown}");
    assert!(shown.contains("the language `frr`"), "{shown}");
    assert!(shown.contains("did you mean `post.fr.md`?"), "{shown}");
}

#[test]
fn trans_and_get_url_refuse_a_language_the_site_lacks() {
    let site = multilingual();
    site.write(
        "templates/index.html",
        "{{ trans(key=\"hello\", lang=\"de\") }}",
    );
    let f = site.build().expect_err("an unknown language must fail");
    let shown = f
        .diagnostics
        .iter()
        .map(|d| d.render(site.root()))
        .collect::<String>();
    assert!(shown.contains("no language `de`"), "{shown}");
    assert!(shown.contains("`en`, `es`, `fr`"), "{shown}");
}

#[test]
fn sass_is_compiled_and_get_url_finds_the_css() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://s.example\"\ncompile_sass = true\n",
        ),
        ("sass/_colours.scss", "$ink: #0b0c0c;"),
        (
            "sass/css/site.scss",
            "@use '../colours' as c;\nbody { main { color: c.$ink; } }\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "templates/index.html",
            "{{ get_url(path=\"css/site.css\", cachebust=true) | safe }} {{ get_hash(path=\"css/site.css\", sha_type=256, base64=false) }}",
        ),
    ]);
    if let Err(f) = site.build() {
        panic!("{:#?}", f.diagnostics);
    }
    let css = site.read("css/site.css");
    assert_eq!(css, "body main{color:#0b0c0c}");
    assert!(!site.outputs().iter().any(|o| o.contains("colours")));
    let index = site.read("index.html");
    use sha2::Digest;
    let hash = format!("{:x}", sha2::Sha256::digest(css.as_bytes()));
    assert_eq!(
        index,
        format!("https://s.example/css/site.css?h={} {hash}", &hash[..20])
    );
}

#[test]
fn a_sass_error_names_the_file_line_and_column_and_keeps_the_output() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://s.example\"\ncompile_sass = true\n",
        ),
        (
            "sass/site.scss",
            "a {\n  color: red;\n  b { color: $missing; }\n}\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        ("templates/index.html", "home"),
        // The default theme's 404 page links the statement.
        (
            "content/accessibility.md",
            "+++\ntitle = \"Accessibility statement\"\n+++\nA test site.\n",
        ),
    ]);
    let f = site.build().expect_err("broken Sass must fail the build");
    let shown = only(&f.diagnostics).render(site.root());
    assert!(shown.contains("sass/site.scss:3:"), "{shown}");
    assert!(shown.contains("Undefined variable"), "{shown}");
    assert!(!site.public().exists());
}

#[test]
fn image_metadata_comes_from_the_file() {
    // A PNG header is enough for the size.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend(640u32.to_be_bytes());
    png.extend(427u32.to_be_bytes());
    png.extend([8, 6, 0, 0, 0, 0, 0, 0, 0]);
    let site = TestSite::from_files(&[
        ("config.toml", "base_url = \"https://s.example\"\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "static/logo.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 40\"></svg>",
        ),
        (
            "templates/index.html",
            "{% set p = get_image_metadata(path=\"img/photo.png\") %}{{ p.width }}x{{ p.height }} {{ p.mime | safe }}|{% set s = get_image_metadata(path=\"/logo.svg\") %}{{ s.width }}x{{ s.height }} {{ s.format }}|{{ get_image_metadata(path=\"none.png\", allow_missing=true) }}",
        ),
    ]);
    site.write_bytes("static/img/photo.png", &png);
    if let Err(f) = site.build() {
        panic!("{:#?}", f.diagnostics);
    }
    assert_eq!(site.read("index.html"), "640x427 image/png|120x40 svg|");
}

#[test]
fn shortcodes_take_arguments_without_commas_and_show_as_text_in_code() {
    let site = TestSite::from_files(&[
        ("config.toml", "base_url = \"https://s.example\"\n"),
        (
            "content/_index.md",
            "+++\ntitle = \"Home\"\n+++\n{{ fig(src=\"a.png\" alt=\"A cat\") }}\n\n```html\n{{ fig(src=\"a.png\", alt=\"A cat\") }}\n```\n\n{{ fig(src=\"b.png\" alt='it's') }}\n",
        ),
        (
            "templates/shortcodes/fig.html",
            "<img src=\"{{ src }}\" alt=\"{{ alt }}\">",
        ),
        ("templates/index.html", "{{ section.content | safe }}"),
    ]);
    let report = site
        .build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let html = site.read("index.html");
    // Outside code: the element. Inside: its HTML, escaped, as Zola shows it.
    assert!(
        html.starts_with("<img src=\"a.png\" alt=\"A cat\">"),
        "{html}"
    );
    assert!(
        html.contains(
            "<code data-lang=\"html\">&lt;img src=&quot;a.png&quot; alt=&quot;A cat&quot;&gt;"
        ),
        "{html}"
    );
    // A call that cannot be read stays as written, with a located warning.
    assert!(
        html.contains("{{ fig(src=\"b.png\" alt='it's') }}")
            || html.contains("{{ fig(src=&quot;b.png&quot; alt='it's') }}"),
        "{html}"
    );
    let warning = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("shown as text"))
        .expect("a warning for the unreadable call");
    let shown = warning.render(site.root());
    assert!(shown.contains("content/_index.md:10:"), "{shown}");
}

#[test]
fn code_blocks_and_alerts_are_written_as_zola_writes_them() {
    let body = "+++\ntitle = \"Home\"\n+++\n```rust,linenos\nfn main() {}\n```\n\n```\nplain <text>\n```\n\n> [!NOTE]\n> Useful.\n\n```klingon\nqapla'\n```\n";
    let files = |highlighting: &str| -> Vec<(String, String)> {
        vec![
            (
                "config.toml".into(),
                format!("base_url = \"https://c.example\"\n[markdown]\ngithub_alerts = true\n{highlighting}"),
            ),
            ("content/_index.md".into(), body.into()),
            ("templates/index.html".into(), "{{ section.content | safe }}".into()),
            // The default theme's 404 page links the statement.
            (
                "content/accessibility.md".into(),
                "+++\ntitle = \"Accessibility statement\"\n+++\nA test site.\n".into(),
            ),
        ]
    };
    let site_of = |highlighting: &str| {
        let owned = files(highlighting);
        let refs: Vec<(&str, &str)> = owned
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        TestSite::from_files(&refs)
    };

    // No highlighting: plain blocks with Zola's `data-lang`.
    let site = site_of("");
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let html = site.read("index.html");
    assert!(
        html.contains("<pre><code data-lang=\"rust\">fn main() {}\n</code></pre>"),
        "{html}"
    );
    assert!(
        html.contains("<pre><code>plain &lt;text&gt;\n</code></pre>"),
        "{html}"
    );
    assert!(
        html.contains("<blockquote class=\"markdown-alert-note\">\n<p>Useful.</p>\n</blockquote>"),
        "{html}"
    );

    // Inline colours, line numbers, and a located warning for a language
    // the highlighter does not know.
    let site = site_of("[markdown.highlighting]\ntheme = \"github-light\"\n");
    let report = site
        .build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let html = site.read("index.html");
    assert!(html.contains("<pre class=\"giallo\" style=\""), "{html}");
    assert!(html.contains("class=\"giallo-ln\""), "{html}");
    let warning = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("`klingon`"))
        .expect("a warning for the unknown language");
    assert!(
        warning
            .render(site.root())
            .contains("content/_index.md:15:"),
        "{}",
        warning.render(site.root())
    );

    // Class style: the stylesheet is written beside the pages.
    let site = site_of("[markdown.highlighting]\ntheme = \"github-light\"\nstyle = \"class\"\n");
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert!(site.read("index.html").contains("class=\"z-"));
    assert!(site.read("giallo.css").contains(".z-"));

    // error_on_missing_language makes the unknown language an error.
    let site = site_of(
        "[markdown.highlighting]\ntheme = \"github-light\"\nerror_on_missing_language = true\n",
    );
    let f = site.build().expect_err("an unknown language must fail");
    assert!(only(&f.diagnostics).message.contains("`klingon`"));

    // A theme that does not exist: the config's error, with a suggestion.
    let site = site_of("[markdown.highlighting]\ntheme = \"github-lite\"\n");
    let f = site.build().expect_err("no such theme");
    let shown = only(&f.diagnostics).render(site.root());
    assert!(shown.contains("did you mean `github-light`?"), "{shown}");
}

#[test]
fn a_multilingual_site_gets_a_search_index_per_language() {
    let site = multilingual();
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config
            .replacen(
                "generate_feeds = true\ntaxonomies",
                "generate_feeds = true\nbuild_search_index = true\ntaxonomies",
                1,
            )
            .replace(
                "[languages.fr]\n",
                "[languages.fr]\nbuild_search_index = true\n",
            ),
    );
    // A theme that searches with Pagefind.
    site.write(
        "templates/page.html",
        "<!doctype html><html lang=\"{{ lang }}\"><title>{{ page.title }}</title><body>{{ page.content | safe }}\
         <script type=\"module\" src=\"{{ get_url(path='pagefind/pagefind.js') }}\"></script></body></html>",
    );
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let index: Vec<String> = site
        .outputs()
        .into_iter()
        .filter(|o| o.starts_with("pagefind/pagefind.") && o.ends_with(".pf_meta"))
        .collect();
    assert!(
        index.iter().any(|o| o.starts_with("pagefind/pagefind.en_")),
        "{index:?}"
    );
    assert!(
        index.iter().any(|o| o.starts_with("pagefind/pagefind.fr_")),
        "{index:?}"
    );
    // Zola's index: the default language, and each other language that
    // asks for one (French), as Zola writes them.
    let outputs = site.outputs();
    assert!(outputs.contains(&"search_index.en.js".to_string()));
    assert!(outputs.contains(&"search_index.fr.js".to_string()));
    assert!(!outputs.contains(&"search_index.es.js".to_string()));
    let fr = site.read("search_index.fr.js");
    assert!(fr.contains("\"https://i18n.example/fr/"), "{fr}");
    assert!(
        !fr.contains("\"https://i18n.example/blog/"),
        "only French pages"
    );
}

#[test]
fn a_site_with_its_own_templates_gets_only_zolas_built_ins() {
    let mut files = vec![
        ("config.toml", "base_url = \"https://own.example\"\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "templates/index.html",
            "<!doctype html><html lang=\"en\"><title>Own</title>home",
        ),
        ("templates/section.html", "section"),
        ("templates/page.html", "page"),
    ];
    let site = TestSite::from_files(&files);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let out = site.outputs();
    assert!(!out.iter().any(|o| o.starts_with("throughline")), "{out:?}");
    // Zola's words, in a page that says its language (WCAG 3.1.1).
    let not_found = site.read("404.html");
    assert!(
        not_found.contains("<h1>404 Not Found</h1></body>"),
        "{not_found}"
    );
    assert!(not_found.contains("<html lang=\"en\">"), "{not_found}");

    // A Zola site need not have section.html and page.html (its sections
    // name their templates): an index.html extending its own base.html is
    // a Zola site's too.
    let site = TestSite::from_files(&[
        ("config.toml", "base_url = \"https://own.example\"\n"),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "templates/base.html",
            "<!doctype html><html lang=\"en\"><title>Own</title>{% block main %}{% endblock %}",
        ),
        (
            "templates/index.html",
            "{% extends \"base.html\" %}{% block main %}home{% endblock %}",
        ),
        ("content/blog/_index.md", "+++\ntitle = \"Blog\"\n+++\n"),
        (
            "content/blog/post.md",
            "+++\ntitle = \"Post\"\n+++\nHello.\n",
        ),
    ]);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let out = site.outputs();
    assert!(!out.iter().any(|o| o.starts_with("throughline")), "{out:?}");
    assert!(site.read("404.html").contains("<h1>404 Not Found</h1>"));
    // A section and a page with no template to show them say which one
    // is missing (Zola, too, shows a notice there, not an empty page).
    for (path, missing) in [
        ("blog/index.html", "section.html"),
        ("blog/post/index.html", "page.html"),
    ] {
        let html = site.read(path);
        assert!(
            html.contains(&format!("add <code>templates/{missing}</code>")),
            "{path}: {html}"
        );
        assert!(html.contains("<html lang=\"en\">"), "{path}: {html}");
    }

    // An index.html that extends the default theme's base.html overrides
    // one template of the theme: the theme fills in the rest, stylesheets
    // included.
    files.truncate(2);
    files.push((
        "templates/index.html",
        "{% extends \"base.html\" %}{% block content %}home{% endblock %}",
    ));
    let site = TestSite::from_files(&files);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert!(site.outputs().contains(&"throughline.css".to_string()));
    assert!(site.read("404.html").contains("Page not found"));
}

/// Zola merges a `[languages.DEFAULT]` table into the top level (real
/// sites keep their default language's translations there); an option set
/// in both places is an error, located at the table.
#[test]
fn the_default_languages_own_table_is_merged_into_the_top_level() {
    let files = [
        (
            "config.toml",
            "base_url = \"https://min.example\"\ndefault_language = \"en\"\n[translations]\n[languages.en]\ntitle = \"From the table\"\ntaxonomies = [{ name = \"tags\" }]\n[languages.en.translations]\nhello = \"Hello\"\n[languages.fr]\ntitle = \"Le site\"\n[languages.fr.translations]\nhello = \"Bonjour\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/post.md",
            "+++\ntitle = \"Post\"\n[taxonomies]\ntags = [\"news\"]\n+++\n",
        ),
        (
            "templates/index.html",
            "{{ config.title }}|{{ trans(key=\"hello\", lang=lang) }}|langs:{% for code, l in config.languages %}{{ code }},{% endfor %}",
        ),
        ("templates/page.html", "{{ page.title }}"),
        ("templates/taxonomy_list.html", "{% for t in terms %}{{ t.name }};{% endfor %}"),
        ("templates/taxonomy_single.html", "{{ term.name }}"),
    ];
    let site = TestSite::from_files(&files);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert_eq!(site.read("index.html"), "From the table|Hello|langs:fr,");
    // Its taxonomies are the default language's.
    assert_eq!(site.read("tags/index.html"), "news;");
    // Set in both places: one error, at the table.
    let mut twice = files;
    twice[0].1 = "base_url = \"https://min.example\"\ntitle = \"At the top\"\n[languages.en]\ntitle = \"In the table\"\n";
    let site = TestSite::from_files(&twice);
    let failed = site.build().expect_err("title twice");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        d.message,
        "`title` for the default language `en` is set twice: at the top of the config and in `[languages.en]`"
    );
    assert_eq!(d.location.as_ref().unwrap().line, 3);
}

/// `render_emoji` as Zola does it: GitHub's `:names:` in text become the
/// emoji, never in code, and an unknown name is left as written.
#[test]
fn render_emoji_turns_names_into_emoji_outside_code() {
    let files = [
        (
            "config.toml",
            "base_url = \"https://min.example\"\n[markdown]\nrender_emoji = true\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/post.md",
            "+++\ntitle = \"Post\"\n+++\nHello :smile: :heart_eyes: :+1: and `:smile:` and :not_an_emoji_name:\n\n```\n:smile:\n```\n",
        ),
        ("templates/index.html", ""),
        ("templates/page.html", "{{ page.content | safe }}"),
    ];
    let site = TestSite::from_files(&files);
    let report = site
        .build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("render_emoji")),
        "no longer unsupported: {:#?}",
        report.diagnostics
    );
    let html = site.read("post/index.html");
    assert!(
        html.contains("Hello 😄 😍 👍 and <code>:smile:</code> and :not_an_emoji_name:"),
        "{html}"
    );
    assert!(
        html.contains("<pre><code>:smile:\n</code></pre>") || html.contains(">:smile:\n</"),
        "{html}"
    );
}

#[test]
fn unknown_keys_in_a_taxonomy_or_highlighting_are_ignored_with_a_warning() {
    // Zola ignores them (themes still carry `rss = true` from older Zolas);
    // a corpus of real sites had three that stopped here.
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://t.example\"\ntaxonomies = [{ name = \"tags\", rss = true }]\n\n[markdown.highlighting]\ntheme = \"github-dark\"\nthme_css = true\n",
        ),
        ("content/_index.md", "+++\n+++\n"),
        ("content/a.md", "+++\ntitle = \"A\"\n[taxonomies]\ntags = [\"x\"]\n+++\nhi\n"),
        ("templates/index.html", "home"),
        ("templates/page.html", "{{ page.title }}"),
        ("templates/taxonomy_list.html", "list"),
        ("templates/taxonomy_single.html", "{{ term.name }}"),
    ]);
    let report = site.build().expect("unknown keys there are not errors");
    assert_eq!(site.read("tags/x/index.html"), "x");
    let shown: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.render(site.root()))
        .collect();
    let rss = shown
        .iter()
        .find(|s| s.contains("`rss`"))
        .expect("rss warned");
    assert!(rss.contains("the taxonomy `tags`"), "{rss}");
    assert!(rss.contains("config.toml:2:"), "{rss}");
    let thme = shown
        .iter()
        .find(|s| s.contains("`thme_css`"))
        .expect("warned");
    assert!(thme.contains("[markdown.highlighting]"), "{thme}");
    assert!(thme.contains("config.toml:6:"), "{thme}");
}

#[test]
fn term_feeds_empty_taxonomies_summary_markers_and_anchor_links_as_zola() {
    // Each of these was a difference from Zola 0.22.1 on a real site
    // (docs/zola-differences.md, "Real-site corpus").
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://z.example\"\ntaxonomies = [{ name = \"tags\", feed = true }, { name = \"authors\" }]\n\n[markdown]\ninsert_anchor_links = \"left\"\n",
        ),
        ("content/_index.md", "+++\n+++\n"),
        (
            "content/a.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-01\n[taxonomies]\ntags = [\"x\"]\n+++\nFirst.\n\n<!--MORE-->\n\n## Hello\n\nRest.\n",
        ),
        ("templates/index.html", "home"),
        (
            "templates/page.html",
            "[{{ page.summary | safe }}]{{ page.content | safe }}",
        ),
        ("templates/taxonomy_list.html", "list"),
        ("templates/taxonomy_single.html", "{{ term.name }}"),
    ]);
    site.build().expect("builds");
    // A term's feed with `feed = true`, though `generate_feeds` is off.
    assert!(site.public().join("tags/x/atom.xml").is_file());
    // No list for a taxonomy no page uses.
    assert!(!site.public().join("authors").exists());
    let page = site.read("a/index.html");
    // `<!--MORE-->` is the summary marker in any case and spacing.
    assert!(page.starts_with("[<p>First.</p>]"), "{page}");
    // The anchor link sits right before the heading's text.
    assert!(page.contains("</a>Hello</h2>"), "{page}");
}

#[test]
fn bare_urls_stay_text_and_ignored_content_globs_match_the_whole_path() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://z.example\"\nignored_content = [\"*/README.md\"]\n",
        ),
        ("content/_index.md", "+++\n+++\n"),
        // No front matter: read, it would be an error.
        ("content/README.md", "How to edit this site.\n"),
        (
            "content/a.md",
            "+++\ntitle = \"A\"\n+++\nSee https://example.org/a?b=1 now, or <https://example.org/b>.\n",
        ),
        ("templates/index.html", "home"),
        ("templates/page.html", "{{ page.content | safe }}"),
    ]);
    site.build().expect("README.md is ignored");
    let page = site.read("a/index.html");
    assert!(
        page.contains("See https://example.org/a?b=1 now"),
        "a bare URL is text in Zola: {page}"
    );
    assert!(page.contains("href=\"https://example.org/b\">"), "{page}");
}

#[test]
fn a_section_file_in_a_language_zola_does_not_read_is_skipped_with_a_warning() {
    // A real site in 23 languages had `_index.zh-CN.md` files for a
    // language its config did not list; Zola skips them, and the default
    // language's own code (`_index.en.md`) too.
    let site = multilingual();
    site.write(
        "content/blog/_index.de.md",
        "+++\ntitle = \"Blog DE\"\n+++\n",
    );
    site.write(
        "content/blog/_index.en.md",
        "+++\ntitle = \"Blog EN\"\n+++\n",
    );
    let report = site.build().expect("skipped, not an error");
    let shown: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| d.render(site.root()))
        .collect();
    for (file, code) in [("_index.de.md", "de"), ("_index.en.md", "en")] {
        assert!(
            shown
                .iter()
                .any(|s| s.contains(file) && s.contains(&format!("`{code}` is not one of"))),
            "{shown:?}"
        );
    }
    assert!(!site.public().join("de").exists());
    assert!(!site.read("blog/index.html").contains("Blog EN"));
}

#[test]
fn a_macro_file_that_extends_the_base_importing_it_is_no_loop() {
    // Two real themes keep their macros in a file that extends
    // `base.html`, which imports it; Zola renders them.
    let site = TestSite::from_files(&[
        ("config.toml", "base_url = \"https://m.example\"\n"),
        ("content/_index.md", "+++\n+++\n"),
        (
            "templates/base.html",
            "{% import \"macros.html\" as m %}<p>{{ m::hi() }}</p>{% block body %}{% endblock %}",
        ),
        (
            "templates/macros.html",
            "{% extends \"base.html\" %}{% macro hi() %}hi{% endmacro %}",
        ),
        (
            "templates/index.html",
            "{% extends \"base.html\" %}{% block body %}home{% endblock %}",
        ),
    ]);
    site.build().expect("no loop");
    assert_eq!(site.read("index.html"), "<p>hi</p>home");
    // A real loop is still refused.
    site.write(
        "templates/macros.html",
        "{% include \"base.html\" %}{% macro hi() %}hi{% endmacro %}",
    );
    let f = site.build().expect_err("an include back to base loops");
    assert!(f
        .diagnostics
        .iter()
        .any(|d| d.message.contains("leads back to itself")));
}

/// `minify_html` (and `build --minify`) write the HTML Zola 0.22.1 writes
/// (recorded by `tests/fixtures/zola-search/zola-0.22.1.sh`); feeds and
/// other files are left as they are.
#[test]
fn minify_html_writes_what_zola_writes() {
    let site = TestSite::fixture("zola-search");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("minify_html = true\ngenerate_feeds = true\n{config}"),
    );
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    for page in ["index.html", "docs/waiting/index.html"] {
        let zola =
            std::fs::read_to_string(site.root().join("zola-0.22.1/minified").join(page)).unwrap();
        assert_eq!(site.read(page), zola, "{page}");
    }
    assert!(
        site.read("atom.xml").contains("\n"),
        "feeds are not minified"
    );

    // `--minify` minifies without the setting.
    let site = TestSite::fixture("zola-search");
    let mut options = site.options();
    options.minify = true;
    throughline::build(&options).unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    let zola =
        std::fs::read_to_string(site.root().join("zola-0.22.1/minified/index.html")).unwrap();
    assert_eq!(site.read("index.html"), zola);
}

/// A page named with the default language's code (`post.fr.md` where `fr`
/// is the default) keeps the code in its name, as in Zola 0.22.1: its
/// address is `/blog/post-fr/` (a real site, portio, is built that way).
#[test]
fn the_default_language_code_in_a_page_name_stays_in_its_slug() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://fr.example\"\ndefault_language = \"fr\"\n\n[languages.en]\n",
        ),
        ("content/blog/_index.md", "+++\ntitle = \"Blog\"\n+++\n"),
        (
            "content/blog/post.fr.md",
            "+++\ntitle = \"Billet\"\n+++\nBonjour.\n",
        ),
        (
            "content/blog/post.en.md",
            "+++\ntitle = \"Post\"\n+++\nHello.\n",
        ),
        ("templates/index.html", "home"),
        ("templates/section.html", "{{ section.title }}"),
        ("templates/page.html", "{{ page.title }} {{ page.lang }}"),
    ]);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert_eq!(site.read("blog/post-fr/index.html"), "Billet fr");
    assert_eq!(site.read("en/blog/post/index.html"), "Post en");
    assert!(!site.public().join("blog/post").exists());
}

/// `get_section` and `get_page` with `lang` read that language's file, as
/// in Zola (`blog/_index.md` in `fr` is `blog/_index.fr.md`): a theme's
/// home page in French lists the French sections (cela's does).
#[test]
fn get_section_and_get_page_read_the_language_asked_for() {
    let site = multilingual();
    site.write(
        "templates/index.html",
        "{{ lang }}|{% if lang != \"es\" %}{% set root = get_section(path=\"_index.md\", lang=lang) %}{{ root.title }}|{{ root.subsections | join(sep=\",\") | safe }}|{% set blog = get_section(path=\"blog/_index.md\", lang=lang, metadata_only=true) %}{{ blog.title }}|{% set post = get_page(path=\"blog/post.md\", lang=lang) %}{{ post.title }}{% endif %}",
    );
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert_eq!(site.read("index.html"), "en|Home|blog/_index.md|Blog|Post");
    assert_eq!(
        site.read("fr/index.html"),
        "fr|Accueil|blog/_index.fr.md|Blogue|Billet"
    );
    // A page the language does not have: the error names its file.
    site.write(
        "templates/index.html",
        "{% set post = get_page(path=\"blog/post.md\", lang=\"es\") %}{{ post.title }}",
    );
    let failed = site.build().expect_err("Spanish has no post");
    assert!(
        failed
            .diagnostics
            .iter()
            .any(|d| d.message.contains("blog/post.es.md")),
        "{:#?}",
        failed.diagnostics
    );
}

/// `generate_feeds` in the default language's `[languages.X]` table
/// writes no site feed, as in Zola 0.22.1 (only the top level's does),
/// and the build says so where the table is.
#[test]
fn feeds_asked_for_only_in_the_default_language_table_are_not_written() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://fr.example\"\ndefault_language = \"fr\"\n\n[languages.fr]\ngenerate_feeds = true\n",
        ),
        ("content/post.md", "+++\ntitle = \"Billet\"\ndate = 2024-01-01\n+++\n"),
        ("templates/index.html", "home"),
        ("templates/page.html", "{{ page.title }}"),
    ]);
    let report = site
        .build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert!(!site.public().join("atom.xml").exists());
    let warning = report
        .diagnostics
        .iter()
        .find(|d| {
            d.message
                .contains("`generate_feeds` under `[languages.fr]`")
        })
        .expect("a warning");
    assert_eq!(warning.location.as_ref().expect("located").line, 4);
    assert!(common::hint(warning).contains("at the top"), "{warning:?}");
}

/// Two spellings of one term ("clean" and "Clean") are one term, as in
/// Zola 0.22.1: named by the first spelling in byte order, with the pages
/// of each spelling, newest first, one spelling after the other (so the
/// older B comes before A). The expected lines are what Zola wrote.
#[test]
fn spellings_of_one_term_are_one_term_named_and_ordered_as_zola_does() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://x.example\"\ntaxonomies = [{ name = \"tags\" }]\n",
        ),
        (
            "content/a.md",
            "+++\ntitle = \"A\"\ndate = 2024-01-01\n[taxonomies]\ntags = [\"clean\"]\n+++\n",
        ),
        (
            "content/b.md",
            "+++\ntitle = \"B\"\ndate = 2023-01-01\n[taxonomies]\ntags = [\"Clean\", \"blog\"]\n+++\n",
        ),
        (
            "content/c.md",
            "+++\ntitle = \"C\"\ndate = 2025-01-01\n[taxonomies]\ntags = [\"BLOG\"]\n+++\n",
        ),
        ("templates/index.html", "<!doctype html><html lang=\"en\"><title>x</title>home"),
        ("templates/page.html", "page"),
        (
            "templates/taxonomy_list.html",
            "{% for t in terms %}<p>{{ t.name }}={{ t.page_count }}</p>{% endfor %}",
        ),
        (
            "templates/taxonomy_single.html",
            "<p>{{ term.name }}={{ term.pages | length }}:{% for p in term.pages %}{{ p.title }}{% endfor %}</p>",
        ),
    ]);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    assert_eq!(site.read("tags/index.html"), "<p>BLOG=2</p><p>Clean=2</p>");
    assert_eq!(site.read("tags/clean/index.html"), "<p>Clean=2:BA</p>");
    assert_eq!(site.read("tags/blog/index.html"), "<p>BLOG=2:CB</p>");
}

/// Zola 0.22.1 unescapes `{{/* … */}}` and `{%/* … */%}` only around a
/// shortcode call (or `end`); anything else stays as written, markers and
/// all (zola-docs' theme pages show `{%/* extends … */%}` in code). The
/// expected lines are what Zola wrote for this page.
#[test]
fn only_escaped_calls_are_unescaped_as_in_zola() {
    let site = TestSite::from_files(&[
        ("config.toml", "base_url = \"https://x.example\"\n"),
        (
            "content/a.md",
            "+++\ntitle = \"A\"\n+++\nA {%/* quote(author=\"x\") */%} body {%/* end */%}.\n\nD {{/*z()*/}} and {%/*w()*/%}.\n\nE {%/* extends \"a.html\" */%} and {{/* super() */}}.\n\n```html\n{%/* f1 */%}\n{{/* f2() */}}\n```\n",
        ),
        ("templates/index.html", "<!doctype html><html lang=\"en\"><title>x</title>home"),
        ("templates/page.html", "{{ page.content | safe }}"),
    ]);
    site.build()
        .unwrap_or_else(|f| panic!("{:#?}", f.diagnostics));
    // (comrak writes `"` in text as `&quot;`, pulldown-cmark as `"`: the
    // same text, compared as such.)
    let html = site.read("a/index.html").replace("&quot;", "\"");
    for zola_wrote in [
        "<p>A {% quote(author=\"x\") %} body {% end %}.</p>",
        "<p>D {{z()}} and {%w()%}.</p>",
        "<p>E {%/* extends \"a.html\" */%} and {{ super() }}.</p>",
        "<pre><code data-lang=\"html\">{%/* f1 */%}\n{{ f2() }}\n</code></pre>",
    ] {
        assert!(html.contains(zola_wrote), "{zola_wrote}\nnot in\n{html}");
    }
}
