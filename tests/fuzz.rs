//! Property tests that fuzz the build and `serve` with inputs nobody wrote:
//! front matter, Markdown with shortcodes, whole small sites made from
//! bytes, mutations of a real fixture, and random edit sequences under
//! `serve` compared with a full build.
//!
//! proptest, on the stable toolchain: it runs under `cargo test` with no
//! nightly flags or extra tools, shrinks a failure to a small input, and
//! its generators can be aimed (a token soup of Markdown and shortcode
//! syntax finds more than random bytes do).
//!
//! Each property runs a few cases by default. `FUZZ_SECONDS=N` runs each
//! for about N seconds instead, with fresh seeds (`.ci/run` gives each a
//! bounded time; see the README for a longer run). A failure prints the
//! shrunk input and the seed to run it again with `FUZZ_SEED`; a crash
//! that kills the process (a stack overflow) leaves the seed it was on in
//! `target/tmp/fuzz-NAME.seed`.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{minimal, snapshot, TestSite};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use throughline::session::Session;
use throughline::Options;

/// Run `test` on values of `strategy`: `default_cases` cases with a fixed
/// seed, or for `FUZZ_SECONDS` with fresh ones.
fn fuzz<S: Strategy>(
    name: &str,
    default_cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let seconds: Option<u64> = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let fixed: Option<u64> = std::env::var("FUZZ_SEED").ok().and_then(|s| s.parse().ok());
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let mut round: u64 = 0;
    let mut cases = 0u64;
    loop {
        let seed = fixed.unwrap_or_else(|| {
            if deadline.is_some() {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(0)
                    ^ round
            } else {
                0x0074_6872_6f75_6768 + round
            }
        });
        let config = Config {
            cases: if deadline.is_some() { 4 } else { default_cases },
            failure_persistence: None,
            ..Config::default()
        };
        if deadline.is_some() {
            // A stack overflow aborts the process before anything could
            // print: the seed being run is in a file.
            let _ = std::fs::write(seed_file(name), format!("FUZZ_SEED={seed}\n"));
        }
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
        if let Err(e) = runner.run(&strategy, &test) {
            panic!("{name}: {e}\nrun it again with FUZZ_SEED={seed}");
        }
        cases += u64::from(runner.config().cases);
        round += 1;
        match deadline {
            Some(d) if Instant::now() < d && fixed.is_none() => continue,
            _ => break,
        }
    }
    if seconds.is_some() {
        let _ = std::fs::remove_file(seed_file(name));
        eprintln!("{name}: {cases} cases, nothing found");
    }
}

/// Where the seed a timed run is trying is written (`target/tmp/`).
fn seed_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-{name}.seed"))
}

/// Build `site`; it may fail, but must not panic, must locate each error in
/// the site (or name no file), and must leave the output as it was when it
/// fails.
fn builds_or_fails_cleanly(site: &TestSite) -> Result<(), TestCaseError> {
    let before = snapshot(site);
    match site.build() {
        Ok(_) => Ok(()),
        Err(failed) => {
            prop_assert!(
                failed.diagnostics.iter().any(|d| d.is_error()),
                "a failed build reported no error"
            );
            for d in &failed.diagnostics {
                prop_assert!(!d.message.trim().is_empty(), "an empty message: {d:?}");
                if let Some(loc) = &d.location {
                    prop_assert!(loc.line >= 1 && loc.column >= 1, "{d:?}");
                }
            }
            prop_assert_eq!(before, snapshot(site), "a failed build changed the output");
            Ok(())
        }
    }
}

/// Pieces of front matter, right and wrong.
const FRONT: &[&str] = &[
    "title = \"A title\"\n",
    "title = \"unterminated\n",
    "title = 3\n",
    "date = 2024-01-02\n",
    "date = \"not a date\"\n",
    "weight = -1\n",
    "weight = 9999999999999999999999\n",
    "draft = true\n",
    "slug = \"../../escape\"\n",
    "slug = \"\"\n",
    "path = \"/x/y\"\n",
    "aliases = [\"/old/\", \"../../x\"]\n",
    "template = \"missing.html\"\n",
    "[taxonomies]\ntags = [\"a\", \"b\"]\n",
    "[extra]\n",
    "priorities = [\"healthy-lives\", \"nope\"]\n",
    "status = \"on-track\"\n",
    "status = \"sideways\"\n",
    "= \n",
    "[[x]]\n",
    "é = \"ü\"\n",
    "\u{feff}",
    "\t\r\n",
];

/// Pieces of Markdown and shortcode syntax.
const MARKDOWN: &[&str] = &[
    "# Heading\n",
    "## Same\n",
    "## Same {#same}\n",
    "### Deep\n",
    "Plain words. ",
    "\n\n",
    "\n",
    "{{ note(text=\"hi\") }}",
    "{{ note() }}",
    "{{ missing() }}",
    "{% note() %}inside{% end %}",
    "{% note() %}",
    "{% end %}",
    "{{",
    "}}",
    "{%",
    "%}",
    "{{/* not a shortcode */}}",
    "[a link](@/news/one.md)",
    "[an anchor](@/news/one.md#nowhere)",
    "[broken](@/nowhere.md)",
    "[](https://example.org)",
    "![](picture.png)",
    "![alt](picture.png)",
    "`code`",
    "```\ncode\n```\n",
    "```rust\nfn x() {}\n",
    "<!-- more -->\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "> [!NOTE]\n> noted\n",
    "<div>\n",
    "</div>\n",
    "*emph* _under_ **strong**",
    "&amp; &#0; &#xFFFFFF;",
    "[^1]\n\n[^1]: a footnote\n",
    "- item\n  - nested\n",
    "\\",
    "\u{0}",
    "é ü 漢字 🙂",
];

fn soup(pieces: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(pieces), 0..max).prop_map(|v| v.concat())
}

/// Raw bytes that are sometimes not UTF-8.
fn raw_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..200)
}

#[test]
fn front_matter() {
    let strategy = (soup(FRONT, 8), soup(MARKDOWN, 4), raw_bytes(), 0u8..4);
    fuzz("front_matter", 24, strategy, |(front, body, bytes, how)| {
        let site = TestSite::fixture("strategy");
        let text: Vec<u8> = match how {
            0 => format!("+++\n{front}+++\n{body}").into_bytes(),
            1 => format!("---\n{}---\n{body}", front.replace(" = ", ": ")).into_bytes(),
            2 => [b"+++\n".as_slice(), &bytes, b"\n+++\n"].concat(),
            _ => [format!("+++\n{front}").as_bytes(), &bytes].concat(),
        };
        site.write_bytes("content/programmes/healthy-minds.md", &text);
        builds_or_fails_cleanly(&site)
    });
}

#[test]
fn markdown_with_shortcodes() {
    fuzz("markdown_with_shortcodes", 24, soup(MARKDOWN, 24), |body| {
        let mut files = minimal();
        let page = format!("+++\ntitle = \"Fuzzed\"\n+++\n{body}");
        files.push(("content/news/fuzzed.md", &page));
        files.push((
            "templates/shortcodes/note.html",
            "<aside>{{ text | default(value=body | default(value='')) }}</aside>",
        ));
        let site = TestSite::from_files(&files);
        builds_or_fails_cleanly(&site)
    });
}

/// Paths a small site is made of, and what may go in them.
const PATHS: &[&str] = &[
    "config.toml",
    "content/_index.md",
    "content/news/_index.md",
    "content/news/one.md",
    "content/news/two.md",
    "content/news/bundle/index.md",
    "templates/index.html",
    "templates/page.html",
    "templates/section.html",
    "templates/shortcodes/note.html",
    "templates/macros.html",
    "data/figures.csv",
    "static/style.css",
    "sass/site.scss",
];

const TEMPLATE: &[&str] = &[
    "<!DOCTYPE html><title>{{ config.title }}</title>",
    "{{ page.title }}",
    "{{ section.title }}",
    "{{ page.content | safe }}",
    "{% for p in section.pages %}{{ p.title }}{% endfor %}",
    "{% if page %}yes{% else %}no{% endif %}",
    "{% include \"macros.html\" %}",
    "{% include \"index.html\" %}",
    "{% import \"macros.html\" as m %}{{ m::x() }}",
    "{% macro x() %}x{% endmacro %}",
    "{% extends \"page.html\" %}",
    "{% block content %}{% endblock %}",
    "{{ get_url(path=\"@/news/one.md\") }}",
    "{{ load_data(path=\"data/figures.csv\") }}",
    "{{ nope | nofilter }}",
    "{{",
    "{%",
    "{# comment #}",
];

const CONFIG: &[&str] = &[
    "base_url = \"https://fuzz.example\"\n",
    "title = \"Fuzz\"\n",
    "compile_sass = true\n",
    "build_search_index = true\n",
    "generate_feeds = true\n",
    "taxonomies = [{ name = \"tags\" }]\n",
    "default_language = \"fr\"\n",
    "[languages.de]\ntitle = \"De\"\n",
    "[extra]\n",
    "[extra.strategy]\n",
    "unknown_key = 1\n",
    "base_url = 3\n",
];

fn file_content(path: &'static str) -> BoxedStrategy<Vec<u8>> {
    let text = if path == "config.toml" {
        soup(CONFIG, 6).boxed()
    } else if path.starts_with("templates/") {
        soup(TEMPLATE, 6).boxed()
    } else if path.starts_with("content/") {
        (soup(FRONT, 4), soup(MARKDOWN, 8))
            .prop_map(|(f, b)| format!("+++\n{f}+++\n{b}"))
            .boxed()
    } else {
        prop::collection::vec(
            prop::sample::select(
                &[
                    "period,value\n",
                    "2023,1\n",
                    "x,y,z\n",
                    "body { color: red }\n",
                    "$x: 1; a { b: $x }\n",
                    "@import 'missing';\n",
                    "}",
                ][..],
            ),
            0..5,
        )
        .prop_map(|v| v.concat())
        .boxed()
    };
    prop_oneof![8 => text.prop_map(String::into_bytes), 1 => raw_bytes()].boxed()
}

#[test]
fn whole_small_sites() {
    let strategy = prop::collection::vec(
        prop::sample::select(PATHS).prop_flat_map(|p| (Just(p), file_content(p))),
        1..8,
    );
    fuzz("whole_small_sites", 24, strategy, |files| {
        let site = TestSite::from_files(&minimal());
        for (path, bytes) in &files {
            site.write_bytes(path, bytes);
        }
        builds_or_fails_cleanly(&site)
    });
}

/// Mutations of one file of the strategy fixture: bytes replaced, removed
/// or inserted, as a slip of the keyboard does.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(usize, u8),
    Remove(usize, usize),
    Insert(usize, &'static str),
}

fn fixture_files() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/strategy");
    common::list(&root)
}

#[test]
fn mutated_strategy_sites() {
    let files = fixture_files();
    let mutation = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (any::<usize>(), 1usize..20).prop_map(|(a, n)| Mutation::Remove(a, n)),
        (
            any::<usize>(),
            prop::sample::select(
                &["\"", "[", "]", "=", "\n", "+++", "{{", "{%", "-", ",", "é"][..]
            )
        )
            .prop_map(|(a, s)| Mutation::Insert(a, s)),
    ];
    let strategy = (
        prop::sample::select(files),
        prop::collection::vec(mutation, 1..4),
    );
    fuzz(
        "mutated_strategy_sites",
        24,
        strategy,
        |(file, mutations)| {
            let site = TestSite::fixture("strategy");
            let path = site.root().join(&file);
            let mut bytes = std::fs::read(&path).unwrap();
            for m in &mutations {
                let at = |i: usize| {
                    if bytes.is_empty() {
                        0
                    } else {
                        i % (bytes.len() + 1)
                    }
                };
                match *m {
                    Mutation::Replace(i, b) if !bytes.is_empty() => {
                        let i = i % bytes.len();
                        bytes[i] = b;
                    }
                    Mutation::Replace(..) => {}
                    Mutation::Remove(i, n) => {
                        let i = at(i);
                        let end = (i + n).min(bytes.len());
                        bytes.drain(i..end);
                    }
                    Mutation::Insert(i, s) => {
                        let i = at(i);
                        bytes.splice(i..i, s.bytes());
                    }
                }
            }
            std::fs::write(&path, &bytes).unwrap();
            builds_or_fails_cleanly(&site)
        },
    );
}

// ---------------------------------------------------------------------
// Random edit sequences under `serve`.

/// An edit as an editor makes it.
#[derive(Debug, Clone)]
enum Edit {
    /// A new body for a page.
    Body(usize, &'static str),
    /// A new title.
    Title(usize, &'static str),
    /// A programme's priorities, some of which may not exist.
    Priorities(usize, Vec<&'static str>),
    /// Saved through a temporary file renamed over it (vim, VS Code).
    Atomic(usize, &'static str),
    /// A page removed, then (maybe) put back later.
    Remove(usize),
    /// A new page.
    Add(&'static str),
    /// Broken front matter.
    Break(usize),
    /// A template changed.
    Template(&'static str),
}

const PAGES: &[&str] = &[
    "content/about.md",
    "content/programmes/healthy-minds.md",
    "content/programmes/data-for-all.md",
    "content/commitments/share-data.md",
    "content/purposes/fair-access.md",
    "content/reports/2023-24/sharing.md",
];

fn edit() -> impl Strategy<Value = Edit> {
    let page = 0..PAGES.len();
    let words = prop::sample::select(
        &[
            "New words.",
            "See [one](@/about.md).",
            "## A heading\n\nText.",
            "{{",
            "",
        ][..],
    );
    let ids = prop::sample::select(&["healthy-lives", "fair-access", "good-work", "nope"][..]);
    prop_oneof![
        (page.clone(), words.clone()).prop_map(|(p, w)| Edit::Body(p, w)),
        (
            page.clone(),
            prop::sample::select(&["A new title", "Été", ""][..])
        )
            .prop_map(|(p, t)| Edit::Title(p, t)),
        (0usize..2, prop::collection::vec(ids, 0..3)).prop_map(|(p, v)| Edit::Priorities(p + 1, v)),
        (page.clone(), words).prop_map(|(p, w)| Edit::Atomic(p, w)),
        page.clone().prop_map(Edit::Remove),
        prop::sample::select(&["content/news-extra.md", "content/programmes/brand-new.md"][..])
            .prop_map(Edit::Add),
        page.prop_map(Edit::Break),
        prop::sample::select(&["<footer>v2</footer>", "{{ broken"][..]).prop_map(Edit::Template),
    ]
}

/// Apply an edit; the paths an editor's save would make the watcher see.
fn apply(root: &Path, e: &Edit) -> Vec<PathBuf> {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        vec![p]
    };
    let read = |rel: &str| std::fs::read_to_string(root.join(rel)).unwrap_or_default();
    let split = |text: &str| -> (String, String) {
        let rest = text.strip_prefix("+++\n").unwrap_or(text);
        match rest.split_once("+++\n") {
            Some((f, b)) => (f.to_string(), b.to_string()),
            None => ("title = \"Back\"\n".to_string(), String::new()),
        }
    };
    match e {
        Edit::Body(p, w) => {
            let (f, _) = split(&read(PAGES[*p]));
            write(PAGES[*p], &format!("+++\n{f}+++\n{w}\n"))
        }
        Edit::Title(p, t) => {
            let (f, b) = split(&read(PAGES[*p]));
            let f: String = f
                .lines()
                .map(|l| {
                    if l.starts_with("title =") {
                        format!("title = \"{t}\"\n")
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            write(PAGES[*p], &format!("+++\n{f}+++\n{b}"))
        }
        Edit::Priorities(p, ids) => {
            let (f, b) = split(&read(PAGES[*p]));
            let list: Vec<String> = ids.iter().map(|i| format!("\"{i}\"")).collect();
            let f: String = f
                .lines()
                .map(|l| {
                    if l.starts_with("priorities =") || l.starts_with("purposes =") {
                        format!(
                            "{} = [{}]\n",
                            l.split(" =").next().unwrap(),
                            list.join(", ")
                        )
                    } else {
                        format!("{l}\n")
                    }
                })
                .collect();
            write(PAGES[*p], &format!("+++\n{f}+++\n{b}"))
        }
        Edit::Atomic(p, w) => {
            let (f, _) = split(&read(PAGES[*p]));
            let target = root.join(PAGES[*p]);
            let tmp = target.with_extension("md.tmp~");
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&tmp, format!("+++\n{f}+++\n{w} (atomic)\n")).unwrap();
            std::fs::rename(&tmp, &target).unwrap();
            vec![tmp, target]
        }
        Edit::Remove(p) => {
            let path = root.join(PAGES[*p]);
            let _ = std::fs::remove_file(&path);
            vec![path]
        }
        Edit::Add(rel) => write(rel, "+++\ntitle = \"Added\"\n+++\nAn added page.\n"),
        Edit::Break(p) => write(PAGES[*p], "+++\ntitle = \"Broken\n+++\n"),
        Edit::Template(t) => write("templates/partials/extra.html", t),
    }
}

fn full_build(root: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    let opts = Options {
        root: root.to_path_buf(),
        ..Options::default()
    };
    throughline::build::render_site(&opts)
        .ok()
        .map(|r| r.files.into_iter().map(|f| (f.path, f.bytes)).collect())
}

#[test]
fn serve_edit_sequences_match_a_full_build() {
    // Batches of edits: a batch is a burst the watcher folds into one
    // rebuild.
    let strategy = prop::collection::vec(prop::collection::vec(edit(), 1..3), 1..6);
    fuzz("serve_edit_sequences", 6, strategy, |batches| {
        let site = TestSite::fixture("strategy");
        let root = site.root().canonicalize().unwrap();
        let mut session = Session::new(
            Options {
                root: root.clone(),
                ..Options::default()
            },
            Box::new(throughline::build::default_plugins),
        );
        let first = session.rebuild(&[]);
        prop_assert!(first.ok, "the fixture builds: {:?}", first.diagnostics);
        for (n, batch) in batches.iter().enumerate() {
            let mut changed = Vec::new();
            for e in batch {
                changed.extend(apply(&root, e));
            }
            let outcome = session.rebuild(&changed);
            let full = full_build(&root);
            prop_assert_eq!(
                outcome.ok,
                full.is_some(),
                "after batch {}: serve and build disagree on success: {:?}",
                n,
                outcome.diagnostics
            );
            if let Some(full) = full {
                let served = session.site().expect("a good build");
                let served_paths: Vec<&String> = {
                    let mut v: Vec<&String> = served.files.keys().collect();
                    v.sort();
                    v
                };
                let full_paths: Vec<&String> = full.keys().collect();
                prop_assert_eq!(
                    served_paths,
                    full_paths,
                    "after batch {}: outputs differ",
                    n
                );
                for (path, bytes) in &full {
                    let got = &served.files[path].bytes;
                    if **got != bytes[..] {
                        let (a, b) = (String::from_utf8_lossy(got), String::from_utf8_lossy(bytes));
                        let at = a
                            .chars()
                            .zip(b.chars())
                            .position(|(x, y)| x != y)
                            .unwrap_or(0);
                        let around = |t: &str| {
                            t.chars()
                                .skip(at.saturating_sub(60))
                                .take(160)
                                .collect::<String>()
                        };
                        return Err(TestCaseError::fail(format!(
                            "after batch {n}: `{path}` differs from a full build at char {at}:\nserved: {:?}\nbuilt:  {:?}",
                            around(&a),
                            around(&b)
                        )));
                    }
                }
            }
        }
        Ok(())
    });
}
