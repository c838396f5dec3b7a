//! `serve`'s incremental rebuilds produce exactly what a full build does.
//!
//! On a generated site of over 1,000 pages (the benchmark generator, with a
//! shortcode, a macro, an included template and `@/` links added), a script
//! of edits is applied one at a time. After each, every output the session
//! would serve is compared byte for byte with a fresh full build, and an
//! edit that is not global must have rendered under 5% of the pages again.

#[path = "../examples/gen_site.rs"]
#[allow(dead_code)]
mod gen_site;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use throughline::output::Source;
use throughline::session::{Road, Session};
use throughline::Options;

fn opts(root: &Path) -> Options {
    Options {
        root: root.to_path_buf(),
        ..Options::default()
    }
}

fn session(root: &Path) -> Session {
    Session::new(opts(root), Box::new(throughline::build::default_plugins))
}

/// The generated site, with the template features the edits exercise.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    gen_site::generate(1000, dir.path());
    let root = dir.path().join("throughline");
    let t = root.join("templates");
    fs::create_dir_all(t.join("partials")).unwrap();
    fs::create_dir_all(t.join("shortcodes")).unwrap();
    fs::write(
        t.join("partials/footer.html"),
        "<footer>Footer v1</footer>\n",
    )
    .unwrap();
    fs::write(
        t.join("site_macros.html"),
        "{% macro tagline(title) %}<p class=\"tagline\">About {{ title }}</p>{% endmacro tagline %}\n",
    )
    .unwrap();
    fs::write(
        t.join("shortcodes/note.html"),
        "<aside class=\"note\">{{ body }}</aside>\n",
    )
    .unwrap();
    // base.html includes the footer; page.html imports the macro.
    let base = fs::read_to_string(t.join("base.html")).unwrap();
    fs::write(
        t.join("base.html"),
        base.replace("</main>", "</main>{% include \"partials/footer.html\" %}"),
    )
    .unwrap();
    let page = fs::read_to_string(t.join("page.html")).unwrap();
    let page = page.replacen(
        "{% extends \"base.html\" %}",
        "{% extends \"base.html\" %}\n{% import \"site_macros.html\" as m %}",
        1,
    );
    fs::write(
        t.join("page.html"),
        page.replace(
            "<h1>{{ page.title }}</h1>",
            "<h1>{{ page.title }}</h1>{{ m::tagline(title=page.title) }}",
        ),
    )
    .unwrap();
    // A news page with a shortcode and a link to another page.
    append(
        &root.join("content/news/item-1.md"),
        "\n{% note() %}A note in a shortcode.{% end %}\n\nSee [the next item](@/news/item-2.md).\n",
    );
    (dir, root)
}

fn append(path: &Path, text: &str) {
    let mut s = fs::read_to_string(path).unwrap();
    s.push_str(text);
    fs::write(path, s).unwrap();
}

fn replace(path: &Path, from: &str, to: &str) {
    let s = fs::read_to_string(path).unwrap();
    assert!(
        s.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    fs::write(path, s.replacen(from, to, 1)).unwrap();
}

/// Every output a full build makes, by path, its static files, and what
/// it said.
fn full_build(root: &Path) -> (BTreeMap<String, Vec<u8>>, Vec<String>, Vec<String>) {
    let r = throughline::build::render_site(&opts(root)).unwrap_or_else(|e| {
        panic!("the full build failed: {:?}", e.diagnostics);
    });
    let files = r.files.into_iter().map(|f| (f.path, f.bytes)).collect();
    let mut copies: Vec<String> = r.copies.into_iter().map(|(p, _)| p).collect();
    copies.sort();
    (files, copies, said(&r.diagnostics, root))
}

/// Diagnostics as the terminal shows them, in order.
fn said(diagnostics: &[throughline::diagnostics::Diagnostic], root: &Path) -> Vec<String> {
    let mut said: Vec<String> = diagnostics.iter().map(|d| d.render(root)).collect();
    said.sort();
    said
}

/// What the session serves (and said) is what a full build makes (and
/// says).
fn assert_same_as_full_build_saying(
    s: &Session,
    out: &throughline::session::Outcome,
    root: &Path,
    step: &str,
) {
    let (_, _, full_said) = full_build(root);
    assert_eq!(
        said(&out.diagnostics, root),
        full_said,
        "after {step}: the session's diagnostics differ from a full build's"
    );
    assert_same_as_full_build(s, root, step);
}

fn assert_same_as_full_build(s: &Session, root: &Path, step: &str) {
    let (full, copies, _) = full_build(root);
    let served = s.site().expect("a good build");
    let mut served_paths: Vec<&String> = served.files.keys().collect();
    served_paths.sort();
    let full_paths: Vec<&String> = full.keys().collect();
    let missing: Vec<_> = full_paths
        .iter()
        .filter(|p| !served.files.contains_key(**p))
        .collect();
    let extra: Vec<_> = served_paths
        .iter()
        .filter(|p| !full.contains_key(**p))
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "after {step}: served but not built: {extra:?}; built but not served: {missing:?}"
    );
    for (path, bytes) in &full {
        let got = &served.files[path].bytes;
        if **got != bytes[..] {
            let a = String::from_utf8_lossy(got);
            let b = String::from_utf8_lossy(bytes);
            let at = a
                .chars()
                .zip(b.chars())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let from = at.saturating_sub(80);
            panic!(
                "after {step}: `{path}` differs from a full build at char {at}:\nserved: {:?}\nbuilt:  {:?}",
                a.chars().skip(from).take(200).collect::<String>(),
                b.chars().skip(from).take(200).collect::<String>()
            );
        }
    }
    let served_copies: Vec<&String> = served.copies.keys().collect();
    assert_eq!(
        served_copies,
        copies.iter().collect::<Vec<_>>(),
        "after {step}: static files differ"
    );
    for (path, src) in &served.copies {
        if let Source::File(p) = src {
            assert!(
                p.is_file(),
                "after {step}: `{path}` is served from a missing file"
            );
        }
    }
}

/// One step of the script: what it does, whether it is global (may
/// re-render everything), and the edit.
type EditFn = Box<dyn Fn(&Path) -> Vec<PathBuf>>;
type Edit = (&'static str, bool, EditFn);

fn edits() -> Vec<Edit> {
    let e = |name: &'static str, global: bool, f: EditFn| -> Edit { (name, global, f) };
    vec![
        e(
            "a page's body",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-5.md");
                append(&p, "\nA new closing paragraph.\n");
                vec![p]
            }),
        ),
        e(
            "a page's title",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-6.md");
                replace(&p, "title = \"", "title = \"Retitled: ");
                vec![p]
            }),
        ),
        e(
            "a page's summary",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-7.md");
                replace(
                    &p,
                    "\n+++\n",
                    "\n+++\nA new first sentence in the summary. ",
                );
                vec![p]
            }),
        ),
        e(
            "a page's slug",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-8.md");
                replace(&p, "weight = ", "slug = \"renamed-item\"\nweight = ");
                vec![p]
            }),
        ),
        e(
            "a page's weight",
            false,
            Box::new(|r| {
                let p = r.join("content/programmes/programme-3.md");
                replace(&p, "weight = ", "weight = 99\nold_weight = ");
                let s = fs::read_to_string(&p).unwrap();
                let s = s
                    .lines()
                    .filter(|l| !l.starts_with("old_weight"))
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n";
                fs::write(&p, s).unwrap();
                vec![p]
            }),
        ),
        e(
            "a page's date",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-9.md");
                replace(&p, "date = 20", "date = 19");
                vec![p]
            }),
        ),
        e(
            "draft on",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-10.md");
                replace(&p, "weight = ", "draft = true\nweight = ");
                vec![p]
            }),
        ),
        e(
            "draft off",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-10.md");
                replace(&p, "draft = true\n", "");
                vec![p]
            }),
        ),
        e(
            "a taxonomy term added",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-11.md");
                replace(&p, "tags = [", "tags = [\"brand-new-tag\", ");
                vec![p]
            }),
        ),
        e(
            "a taxonomy term removed",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-11.md");
                replace(&p, "\"brand-new-tag\", ", "");
                vec![p]
            }),
        ),
        e(
            "a cross-reference added",
            false,
            Box::new(|r| {
                let p = r.join("content/programmes/programme-4.md");
                replace(&p, "commitments = [", "commitments = [\"commitment-7\", ");
                vec![p]
            }),
        ),
        e(
            "a cross-reference removed",
            false,
            Box::new(|r| {
                let p = r.join("content/programmes/programme-4.md");
                replace(&p, "\"commitment-7\", ", "");
                vec![p]
            }),
        ),
        e(
            "an entity's title",
            false,
            Box::new(|r| {
                let p = r.join("content/commitments/commitment-2.md");
                replace(&p, "title = \"", "title = \"Renamed commitment ");
                vec![p]
            }),
        ),
        e(
            "a programme's status",
            false,
            Box::new(|r| {
                let p = r.join("content/programmes/programme-5.md");
                let s = fs::read_to_string(&p).unwrap();
                let s = s
                    .lines()
                    .map(|l| {
                        if l.starts_with("status = ") {
                            "status = \"complete\""
                        } else {
                            l
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n";
                fs::write(&p, s).unwrap();
                vec![p]
            }),
        ),
        e(
            "a CSV value",
            false,
            Box::new(|r| {
                let p = r.join("data/measure-0.csv");
                let s = fs::read_to_string(&p).unwrap();
                let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
                let last = lines.len() - 1;
                let cells: Vec<&str> = lines[last].split(',').collect();
                lines[last] = format!("{},12.5", cells[0]);
                fs::write(&p, lines.join("\n") + "\n").unwrap();
                vec![p]
            }),
        ),
        e(
            "an annual-review update",
            false,
            Box::new(|r| {
                let p = r.join("content/annual-review/2024-25/programme-1.md");
                replace(&p, "status = \"", "status = \"at-risk\"\nold = \"");
                let s = fs::read_to_string(&p).unwrap();
                let s = s
                    .lines()
                    .filter(|l| !l.starts_with("old = "))
                    .collect::<Vec<_>>()
                    .join("\n")
                    + "\n";
                fs::write(&p, s).unwrap();
                vec![p]
            }),
        ),
        // The review's feed (a plugin's generated page) shows each
        // update's text.
        e(
            "an annual-review update's body",
            false,
            Box::new(|r| {
                let p = r.join("content/annual-review/2024-25/programme-1.md");
                append(&p, "\nThe second phase started in March.\n");
                vec![p]
            }),
        ),
        e(
            "a shortcode's body text",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-1.md");
                replace(&p, "A note in a shortcode.", "An edited note.");
                vec![p]
            }),
        ),
        e(
            "a shortcode template",
            false,
            Box::new(|r| {
                let p = r.join("templates/shortcodes/note.html");
                fs::write(
                    &p,
                    "<aside class=\"note\" role=\"note\">{{ body }}</aside>\n",
                )
                .unwrap();
                vec![p]
            }),
        ),
        e(
            "an @/ link target renamed",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-2.md");
                replace(&p, "weight = ", "slug = \"second-item\"\nweight = ");
                vec![p]
            }),
        ),
        e(
            "a new page",
            false,
            Box::new(|r| {
                let p = r.join("content/news/brand-new.md");
                fs::write(
                &p,
                "+++\ntitle = \"A brand new page\"\ndate = 2031-01-01\nweight = 5\n[taxonomies]\ntags = [\"deliver\"]\n+++\nFresh text.\n",
            )
            .unwrap();
                vec![p]
            }),
        ),
        // Global on this site: every page's navigation lists the top-level
        // sections, so every page does change.
        e(
            "a new folder with a section",
            true,
            Box::new(|r| {
                let d = r.join("content/guides");
                fs::create_dir_all(&d).unwrap();
                fs::write(
                    d.join("_index.md"),
                    "+++\ntitle = \"Guides\"\npaginate_by = 10\n+++\nHow to.\n",
                )
                .unwrap();
                fs::write(
                    d.join("first.md"),
                    "+++\ntitle = \"First guide\"\n+++\nStep one.\n",
                )
                .unwrap();
                vec![d.join("_index.md"), d.join("first.md")]
            }),
        ),
        e(
            "a rename",
            false,
            Box::new(|r| {
                let a = r.join("content/news/brand-new.md");
                let b = r.join("content/news/renamed-new.md");
                fs::rename(&a, &b).unwrap();
                vec![a, b]
            }),
        ),
        e(
            "a delete",
            false,
            Box::new(|r| {
                let p = r.join("content/news/renamed-new.md");
                fs::remove_file(&p).unwrap();
                vec![p]
            }),
        ),
        e(
            "a write through a temporary file and a rename",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-12.md");
                let tmp = r.join("content/news/.item-12.md.tmp");
                let s = fs::read_to_string(&p).unwrap() + "\nSaved the way some editors save.\n";
                fs::write(&tmp, s).unwrap();
                fs::rename(&tmp, &p).unwrap();
                vec![tmp, p]
            }),
        ),
        e(
            "a swap file appears",
            false,
            Box::new(|r| {
                let p = r.join("content/news/.item-13.md.swp");
                fs::write(&p, "not content").unwrap();
                vec![p]
            }),
        ),
        // (A top-level section's title is in every page's navigation: a
        // year's is not.)
        e(
            "a section's body",
            false,
            Box::new(|r| {
                let p = r.join("content/annual-review/2023-24/_index.md");
                append(&p, "\nA closing word on the year.\n");
                vec![p]
            }),
        ),
        e(
            "a static file",
            false,
            Box::new(|r| {
                let d = r.join("static");
                fs::create_dir_all(&d).unwrap();
                fs::write(d.join("extra.css"), "body { color: #222 }\n").unwrap();
                vec![d.join("extra.css")]
            }),
        ),
        e(
            "the included template",
            true,
            Box::new(|r| {
                let p = r.join("templates/partials/footer.html");
                fs::write(&p, "<footer>Footer v2</footer>\n").unwrap();
                vec![p]
            }),
        ),
        e(
            "the macro",
            true,
            Box::new(|r| {
                let p = r.join("templates/site_macros.html");
                replace(&p, "About ", "All about ");
                vec![p]
            }),
        ),
        e(
            "the page template",
            true,
            Box::new(|r| {
                let p = r.join("templates/page.html");
                replace(&p, "<h1>", "<h1 class=\"title\">");
                vec![p]
            }),
        ),
        e(
            "the config",
            true,
            Box::new(|r| {
                let p = r.join("config.toml");
                replace(
                    &p,
                    "title = \"Benchmark partnership\"",
                    "title = \"Bench partnership\"",
                );
                vec![p]
            }),
        ),
        e(
            "a body after the config change",
            false,
            Box::new(|r| {
                let p = r.join("content/news/item-14.md");
                append(&p, "\nOne more line.\n");
                vec![p]
            }),
        ),
    ]
}

#[test]
fn every_edit_matches_a_full_build() {
    let (_dir, root) = site();
    let mut s = session(&root);
    let first = s.rebuild(&[]);
    assert!(first.ok, "{:?}", first.diagnostics);
    assert!(first.full);
    assert!(first.pages >= 1000, "only {} pages", first.pages);
    assert_same_as_full_build(&s, &root, "the first build");

    let script = edits();
    assert!(script.len() >= 30);
    for (name, global, edit) in script {
        let touched = edit(&root);
        let out = s.rebuild(&touched);
        assert!(out.ok, "after {name}: {:?}", out.diagnostics);
        assert_same_as_full_build_saying(&s, &out, &root, name);
        eprintln!(
            "{name:<50} rendered {:>4} outputs ({:>4} pages) of {}; {:>4} changed; {:>4} bodies through Markdown{}",
            out.rendered,
            out.rendered_pages,
            out.outputs,
            out.changed.len(),
            out.markdown,
            match out.road {
                Road::Full => "",
                Road::Bodies => "; bodies only",
                Road::FrontMatter => "; front matter",
            }
        );
        // Edits to bodies alone, and to front matter that leaves the
        // site's shape alone, take the short roads; the rest do not.
        let bodies = [
            "a page's body",
            "a page's summary",
            "a write through a temporary file and a rename",
            "a swap file appears",
            "a section's body",
            "a body after the config change",
            "an annual-review update's body",
        ];
        let front_matter = [
            "a page's title",
            "a cross-reference added",
            "a cross-reference removed",
            "an entity's title",
            "a programme's status",
            "an annual-review update",
        ];
        let expected = if bodies.contains(&name) {
            Road::Bodies
        } else if front_matter.contains(&name) {
            Road::FrontMatter
        } else {
            Road::Full
        };
        assert_eq!(out.road, expected, "{name}");
        if !global {
            let share = out.rendered_pages as f64 / out.pages as f64;
            assert!(
                share < 0.05,
                "{name} rendered {} pages again of {} ({:.1}%)",
                out.rendered_pages,
                out.pages,
                share * 100.0
            );
        }
        assert!(
            !out.changed.is_empty() || name.contains("swap"),
            "{name} changed nothing"
        );
    }
}

#[test]
fn a_broken_edit_keeps_the_last_good_site_and_recovers() {
    let (_dir, root) = site();
    let mut s = session(&root);
    assert!(s.rebuild(&[]).ok);
    let p = root.join("content/programmes/programme-2.md");
    let good = fs::read_to_string(&p).unwrap();
    replace(
        &p,
        "priorities = [\"",
        "priorities = [\"improving-healht\", \"",
    );
    let out = s.rebuild(std::slice::from_ref(&p));
    assert!(!out.ok);
    let e = out
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert!(e.message.contains("improving-healht"), "{}", e.message);
    assert!(s.site().is_some(), "the last good site is still served");
    fs::write(&p, good).unwrap();
    let out = s.rebuild(std::slice::from_ref(&p));
    assert!(out.ok, "{:?}", out.diagnostics);
    assert_same_as_full_build(&s, &root, "the fix");
}

#[test]
fn a_body_edit_that_breaks_an_anchor_is_reported_and_recovers() {
    let (_dir, root) = site();
    let target = root.join("content/news/item-3.md");
    let linking = root.join("content/news/item-4.md");
    append(&target, "\n## Waiting times\n\nShorter.\n");
    append(
        &linking,
        "\nSee [waiting times](@/news/item-3.md#waiting-times).\n",
    );
    let mut s = session(&root);
    assert!(s.rebuild(&[]).ok);

    // Renaming the heading leaves the links as they were: the short road.
    replace(&target, "## Waiting times", "## Waiting lists");
    let out = s.rebuild(std::slice::from_ref(&target));
    assert_eq!(out.road, Road::Bodies);
    assert!(!out.ok, "the broken anchor is an error");
    let e = out.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert!(e.message.contains("#waiting-times"), "{}", e.message);
    assert_eq!(e.hint.as_deref(), Some("did you mean `#waiting-lists`?"));
    let at = e.location.as_ref().expect("located");
    assert!(at.file.ends_with("news/item-4.md"), "{:?}", at.file);

    // Mended in the linking page, which is again only a body edit.
    replace(&linking, "#waiting-times", "#waiting-lists");
    let out = s.rebuild(std::slice::from_ref(&linking));
    assert!(out.ok, "{:?}", out.diagnostics);
    assert_same_as_full_build_saying(&s, &out, &root, "the mended anchor");
    let served = &s.site().unwrap().files["news/item-3/index.html"].bytes;
    assert!(String::from_utf8_lossy(served).contains("Waiting lists"));
}

/// A plugin that says nothing about what it reads.
struct Quiet;

impl throughline::plugin::Plugin for Quiet {
    fn name(&self) -> &str {
        "quiet"
    }
}

#[test]
fn a_plugin_that_does_not_say_what_it_reads_keeps_every_edit_on_the_full_road() {
    let (_dir, root) = site();
    let mut s = Session::new(
        opts(&root),
        Box::new(|| {
            let mut plugins = throughline::build::default_plugins();
            plugins.push(Box::new(Quiet));
            plugins
        }),
    );
    assert!(s.rebuild(&[]).ok);
    // Its `site_loaded` may read bodies: a body edit takes the full road.
    let p = root.join("content/news/item-5.md");
    append(&p, "\nAnother paragraph.\n");
    let out = s.rebuild(std::slice::from_ref(&p));
    assert!(out.ok, "{:?}", out.diagnostics);
    assert_eq!(out.road, Road::Full);
    assert_same_as_full_build(&s, &root, "a body edit");
    // It cannot say what a front matter edit changed for it: the full road.
    let p = root.join("content/commitments/commitment-2.md");
    replace(&p, "title = \"", "title = \"Renamed ");
    let out = s.rebuild(std::slice::from_ref(&p));
    assert!(out.ok, "{:?}", out.diagnostics);
    assert_eq!(out.road, Road::Full);
    assert_same_as_full_build(&s, &root, "a title edit");
}

#[test]
fn front_matter_that_shrinks_past_a_short_body_is_read_where_the_body_now_starts() {
    let (_dir, root) = site();
    let p = root.join("content/news/short.md");
    let long = "A description long enough that removing it moves the body well back. ".repeat(3);
    fs::write(
        &p,
        format!("+++\ntitle = \"Short\"\ndescription = \"{long}\"\nweight = 1\n+++\nHi é.\n"),
    )
    .unwrap();
    let mut s = session(&root);
    assert!(s.rebuild(&[]).ok);
    fs::write(&p, "+++\ntitle = \"Short\"\nweight = 1\n+++\nHi é.\n").unwrap();
    let out = s.rebuild(std::slice::from_ref(&p));
    assert!(out.ok, "{:?}", out.diagnostics);
    assert_eq!(out.road, Road::FrontMatter);
    assert_same_as_full_build(&s, &root, "the shorter front matter");
}

/// `serve` makes the search index with the same stage as `build`: after
/// the first pass and after an edit, its index is the one a full build of
/// the site as it now is makes, byte for byte.
#[test]
fn serve_makes_the_search_index_build_makes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = [
        (
            "config.toml",
            "base_url = \"https://min.example\"\ntitle = \"Min\"\nbuild_search_index = true\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello\n"),
        ("content/news/_index.md", "+++\ntitle = \"News\"\n+++\n"),
        (
            "content/news/one.md",
            "+++\ntitle = \"One\"\n+++\nAbout hedgerows.\n",
        ),
        (
            "content/accessibility.md",
            "+++\ntitle = \"Accessibility statement\"\n+++\nA test site.\n",
        ),
    ];
    for (p, text) in files {
        let path = root.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let index_of = |files: Vec<(String, Vec<u8>)>| -> BTreeMap<String, Vec<u8>> {
        files
            .into_iter()
            .filter(|(p, _)| {
                p.starts_with("pagefind/")
                    || p.starts_with("search_index.")
                    || p == "elasticlunr.min.js"
            })
            .collect()
    };
    let built = || {
        let r = throughline::build::render_site(&opts(root)).expect("builds");
        index_of(r.files.into_iter().map(|f| (f.path, f.bytes)).collect())
    };
    let served = |s: &Session| {
        index_of(
            s.site()
                .unwrap()
                .files
                .iter()
                .map(|(p, o)| (p.clone(), o.bytes.to_vec()))
                .collect(),
        )
    };
    let mut s = session(root);
    assert!(s.rebuild(&[]).ok);
    let first = s.search_index();
    for f in [
        "pagefind/pagefind.js",
        "search_index.en.js",
        "elasticlunr.min.js",
    ] {
        assert!(first.iter().any(|p| p == f), "{f} in {first:?}");
    }
    let want = built();
    assert!(want.len() > 5, "{:?}", want.keys());
    assert_eq!(
        served(&s).keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    assert!(served(&s) == want, "the same bytes as build's index");
    // Nothing indexed changed: the index is not made again.
    assert!(s.rebuild(&[]).ok);
    assert!(s.search_index().is_empty());
    assert!(served(&s) == want);
    // An edit: the index follows it.
    let one = root.join("content/news/one.md");
    fs::write(
        &one,
        "+++\ntitle = \"One\"\n+++\nAbout otters and hedgerows.\n",
    )
    .unwrap();
    let o = s.rebuild(std::slice::from_ref(&one));
    assert!(o.ok, "{:#?}", o.diagnostics);
    assert!(!s.search_index().is_empty());
    let want = built();
    assert!(
        served(&s) == want,
        "the same bytes as build's index after the edit"
    );
}

/// `serve`'s first pass makes template functions ready before Markdown
/// when headings get anchor links (their template may call one), as
/// `build` does, not only when a body has a shortcode.
#[test]
fn an_anchor_link_template_that_calls_a_function_serves_as_it_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let files = [
        (
            "config.toml",
            "base_url = \"https://min.example\"\n[markdown]\ninsert_anchor_links = \"right\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\n"),
        (
            "content/post.md",
            "+++\ntitle = \"Post\"\n+++\n## A heading\n\nText.\n",
        ),
        (
            "templates/anchor-link.html",
            "<a class=\"anchor\" href=\"{{ get_url(path='post/') | safe }}#{{ id }}\">#</a>",
        ),
        ("templates/index.html", "home"),
        ("templates/page.html", "{{ page.content | safe }}"),
    ];
    for (p, text) in files {
        let path = root.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let mut s = session(root);
    let o = s.rebuild(&[]);
    assert!(o.ok, "{:#?}", o.diagnostics);
    let built = throughline::build::render_site(&opts(root)).expect("builds");
    let want = built
        .files
        .iter()
        .find(|f| f.path == "post/index.html")
        .unwrap();
    let got = &s.site().unwrap().files["post/index.html"].bytes;
    assert_eq!(
        String::from_utf8_lossy(got),
        String::from_utf8_lossy(&want.bytes)
    );
    let got = String::from_utf8_lossy(got);
    assert!(got.contains("https://min.example/post#a-heading"), "{got}");
}
