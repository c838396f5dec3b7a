//! The publishing checks: `init` marks what it leaves for the site's owner
//! to fill in (`[FILL IN: …]`), and `check` fails, listing each at its file,
//! line and column, until every one is replaced; a site whose footer links
//! an accessibility statement it does not have gets one message (a warning
//! from `build` and `serve`, an error from `check`) that says what to run,
//! never a broken-link error about the footer; `new accessibility-statement`
//! writes the model statement.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{fill_in_everything, TestSite};

fn throughline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throughline"))
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .expect("run throughline")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init() -> (tempfile::TempDir, PathBuf, String) {
    let tmp = tempfile::tempdir().unwrap();
    let out = throughline(tmp.path(), &["init", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = tmp.path().join("site");
    (tmp, site, stdout(&out))
}

/// `check --format json`: (success, the report).
fn check_json(site: &Path, extra: &[&str]) -> (bool, serde_json::Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(extra);
    let out = throughline(site, &args);
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (out.status.success(), report)
}

fn diagnostics(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["diagnostics"].as_array().unwrap().clone()
}

/// Every marker in the file, found independently of throughline: (line,
/// column) of each `FILL IN:` outside a comment line, moved back onto the
/// `[` or `"` before it. Columns count characters, from 1.
fn markers_in(path: &Path) -> Vec<(u64, u64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("# ") {
            continue;
        }
        let mut from = 0;
        while let Some(i) = line[from..].find("FILL IN:") {
            let at = from + i - 1;
            assert!(matches!(&line[at..at + 1], "[" | "\""), "{line}");
            out.push((n as u64 + 1, line[..at].chars().count() as u64 + 1));
            from += i + 1;
        }
    }
    out
}

#[test]
fn init_marks_what_to_fill_in_and_check_fails_until_each_is_filled() {
    let (_tmp, site, printed) = init();
    let statement = site.join("content/accessibility.md");
    let config = site.join("config.toml");
    let in_statement = markers_in(&statement);
    let in_config = markers_in(&config);
    assert_eq!(in_config.len(), 2, "the title and the description");
    assert!(in_statement.len() >= 10, "{in_statement:?}");
    let text = std::fs::read_to_string(&statement).unwrap();
    for gap in [
        "[FILL IN: name of your organisation]",
        "[FILL IN: date it was first published]",
        "[FILL IN: email address and phone number]",
    ] {
        assert!(text.contains(gap), "{gap}");
    }
    // The model statement's parts, as GOV.UK's sample statement has them.
    for heading in [
        "## Feedback and contact information",
        "## Reporting accessibility problems with this website",
        "## Enforcement procedure",
        "### Compliance status",
        "## Non-accessible content",
        "## Preparation of this accessibility statement",
    ] {
        assert!(text.contains(heading), "{heading}");
    }
    assert!(text.contains("Equality and Human Rights Commission"));
    assert!(text.contains("Equality Advisory and Support Service"));

    // init says so, and lists each line to fill.
    assert!(
        printed.contains(
            "`throughline check`, which the publishing pipeline runs, fails until none is left"
        ),
        "{printed}"
    );
    for (file, found) in [
        ("config.toml", &in_config),
        ("content/accessibility.md", &in_statement),
    ] {
        for (line, _) in found.iter() {
            assert!(
                printed.contains(&format!("  {file}:{line}: ")),
                "{file}:{line} in {printed}"
            );
        }
    }

    // The site builds as it is (the build says nothing of the markers)...
    let built = throughline(&site, &["build"]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(!stderr(&built).contains("FILL IN"), "{}", stderr(&built));
    assert!(!stderr(&built).contains("warning"), "{}", stderr(&built));

    // ...and check fails with one error at each marker, and nothing else.
    let (ok, report) = check_json(&site, &[]);
    assert!(!ok);
    let mut errors: Vec<(String, u64, u64)> = diagnostics(&report)
        .iter()
        .map(|d| {
            assert_eq!(d["severity"], "error", "{d:#}");
            assert_eq!(d["code"], "fill-in", "{d:#}");
            assert!(
                d["message"]
                    .as_str()
                    .unwrap()
                    .starts_with("still to fill in: "),
                "{d:#}"
            );
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    errors.sort();
    // The config, the statement, and the example pages' text for the
    // owner to write (their bodies are marked too).
    let mut expected: Vec<(String, u64, u64)> = in_config
        .iter()
        .map(|(l, c)| ("config.toml".to_string(), *l, *c))
        .collect();
    let mut pages = 0;
    for rel in common::list(&site.join("content")) {
        let found = markers_in(&site.join("content").join(&rel));
        if !found.is_empty() && rel != "accessibility.md" {
            pages += 1;
        }
        expected.extend(
            found
                .into_iter()
                .map(|(l, c)| (format!("content/{rel}"), l, c)),
        );
    }
    assert!(
        pages >= 5,
        "the example pages' text is marked: {expected:?}"
    );
    expected.sort();
    assert_eq!(errors, expected);
    // In a terminal: file:line:column, the line and a plain hint.
    let human = stderr(&throughline(&site, &["check"]));
    let (l, c) = in_statement[0];
    assert!(
        human.contains(&format!("content/accessibility.md:{l}:{c}")),
        "{human}"
    );
    assert!(human.contains("error: still to fill in: name of your organisation"));
    assert!(human.contains("brackets and all"), "{human}");

    // Filled in, the site passes check even with warnings denied.
    fill_in_everything(&site);
    let out = throughline(&site, &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no errors, 0 warning(s)"),
        "{}",
        stderr(&out)
    );
}

/// The one diagnostic about the statement in a report, and that there is
/// no other.
fn only_the_statement(report: &serde_json::Value) -> serde_json::Value {
    let ds = diagnostics(report);
    assert_eq!(ds.len(), 1, "{report:#}");
    let d = ds[0].clone();
    assert_eq!(d["code"], "accessibility-statement", "{d:#}");
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains("public sector websites must publish one"),
        "{message}"
    );
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .contains("`throughline new accessibility-statement`"),
        "{d:#}"
    );
    d
}

#[test]
fn a_site_without_a_statement_is_told_once_what_to_run() {
    let (_tmp, site, _) = init();
    fill_in_everything(&site);
    std::fs::remove_file(site.join("content/accessibility.md")).unwrap();

    // build: one warning, and the site is built.
    let built = throughline(&site, &["build"]);
    assert!(built.status.success(), "{}", stderr(&built));
    let said = stderr(&built);
    assert_eq!(said.matches("warning:").count(), 1, "{said}");
    assert!(
        said.contains("public sector websites must publish one"),
        "{said}"
    );
    assert!(
        said.contains("throughline new accessibility-statement"),
        "{said}"
    );
    assert!(said.contains("with 1 warning(s)") || stdout(&built).contains("with 1 warning(s)"));

    // check: the same, as the one error; no broken link for the footer.
    let (ok, report) = check_json(&site, &[]);
    assert!(!ok);
    let d = only_the_statement(&report);
    assert_eq!(d["severity"], "error");
    assert!(d["message"].as_str().unwrap().contains("`/accessibility/`"));
    let human = stderr(&throughline(&site, &["check"]));
    assert!(!human.contains("internal-link"), "{human}");
    assert!(!human.contains("which the site does not have"), "{human}");

    // `new accessibility-statement` writes the model where the footer
    // links, and check then reports only what it marks to fill in.
    let out = throughline(&site, &["new", "accessibility-statement"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        printed.starts_with("Wrote content/accessibility.md\n"),
        "{printed}"
    );
    let statement = site.join("content/accessibility.md");
    let marked = markers_in(&statement);
    for (line, _) in &marked {
        assert!(
            printed.contains(&format!("  content/accessibility.md:{line}: ")),
            "{line}: {printed}"
        );
    }
    let text = std::fs::read_to_string(&statement).unwrap();
    assert!(text.contains("title = \"Accessibility statement\""));
    assert!(text.contains("## Enforcement procedure"));
    let (ok, report) = check_json(&site, &[]);
    assert!(!ok);
    let mut at: Vec<(u64, u64)> = diagnostics(&report)
        .iter()
        .map(|d| {
            assert_eq!(d["code"], "fill-in", "{d:#}");
            assert_eq!(d["file"], "content/accessibility.md", "{d:#}");
            (d["line"].as_u64().unwrap(), d["column"].as_u64().unwrap())
        })
        .collect();
    at.sort();
    assert_eq!(at, marked);
    // Never over a statement that is there.
    let again = throughline(&site, &["new", "accessibility-statement"]);
    assert!(!again.status.success());
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&statement).unwrap(), text);

    fill_in_everything(&site);
    let out = throughline(&site, &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A statement at a path of the site's choosing: the message names it,
/// and `new accessibility-statement` puts the page there.
#[test]
fn the_statement_goes_where_the_config_says_the_footer_links() {
    let site = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://x.example\"\ntitle = \"X\"\n[extra]\naccessibility_statement = \"about/accessibility/\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello.\n"),
    ]);
    let report = site.build().expect("builds");
    let warnings: Vec<_> = report.diagnostics.iter().collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].message.contains("`/about/accessibility/`"));
    assert!(warnings[0].message.contains("accessibility_statement"));
    assert_eq!(
        warnings[0].file.as_deref(),
        Some(site.root().join("config.toml").as_path())
    );

    let out = throughline(site.root(), &["new", "accessibility"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(site.root().join("content/accessibility.md")).unwrap();
    assert!(
        text.contains("title = \"Accessibility statement\"\npath = \"about/accessibility\"\n"),
        "{text}"
    );
    let report = site.build().expect("builds");
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    assert!(site
        .public()
        .join("about/accessibility/index.html")
        .is_file());
}

/// Where the footer links elsewhere, or the site's own templates link no
/// statement, there is nothing to say; own templates that link it get the
/// same one message as the default theme.
#[test]
fn own_templates_and_a_statement_elsewhere_get_nothing() {
    let elsewhere = TestSite::from_files(&[
        (
            "config.toml",
            "base_url = \"https://x.example\"\ntitle = \"X\"\n[extra]\naccessibility_statement = \"https://trust.example/accessibility\"\n",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello.\n"),
    ]);
    let report = elsewhere.build().expect("builds");
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let out = throughline(elsewhere.root(), &["new", "accessibility-statement"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("https://trust.example/accessibility"));
    assert!(!elsewhere.root().join("content/accessibility.md").exists());

    // A theme of the site's own (a base template without a statement link,
    // and a strategy section) is not told about one.
    let own = TestSite::from_files(&[
        ("config.toml", "base_url = \"https://x.example\"\ntitle = \"X\"\n"),
        (
            "templates/base.html",
            "<!doctype html><html lang=\"en\"><title>{{ config.title }}</title><main>{% block content %}{% endblock content %}</main></html>",
        ),
        ("content/_index.md", "+++\ntitle = \"Home\"\n+++\nHello.\n"),
    ]);
    let report = own.build().expect("builds");
    assert!(report.diagnostics.is_empty(), "{:#?}", report.diagnostics);
    let out = throughline(own.root(), &["check", "--deny-warnings"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // The same templates linking the statement, as the default theme does
    // or root-relative.
    for link in [
        "{{ get_url(path='accessibility/', trailing_slash=true) | safe }}",
        "/accessibility/",
    ] {
        own.write(
            "templates/base.html",
            &format!("<!doctype html><html lang=\"en\"><title>{{{{ config.title }}}}</title><main>{{% block content %}}{{% endblock content %}}</main><footer><a href=\"{link}\">Accessibility statement</a></footer></html>"),
        );
        let report = own.build().expect("builds");
        assert_eq!(
            report.diagnostics.len(),
            1,
            "{link}: {:#?}",
            report.diagnostics
        );
        assert_eq!(report.diagnostics[0].code, Some("accessibility-statement"));
        let (ok, report) = check_json(own.root(), &[]);
        assert!(!ok);
        only_the_statement(&report);
    }
}

/// `serve` says what a build says, on its first build and after an edit.
#[test]
fn serve_warns_as_the_build_does() {
    let site = TestSite::from_files(&common::minimal());
    std::fs::remove_file(site.root().join("content/accessibility.md")).unwrap();
    let built = site.build().expect("builds");
    let mut session = throughline::session::Session::new(
        site.options(),
        Box::new(throughline::build::default_plugins),
    );
    let first = session.rebuild(&[]);
    assert!(first.ok, "{:#?}", first.diagnostics);
    assert_eq!(first.diagnostics, built.diagnostics);
    assert_eq!(first.diagnostics.len(), 1, "{:#?}", first.diagnostics);
    assert_eq!(first.diagnostics[0].code, Some("accessibility-statement"));
    let one = site.root().join("content/news/one.md");
    std::fs::write(&one, "+++\ntitle = \"One\"\n+++\nA new body.\n").unwrap();
    let edited = session.rebuild(&[one]);
    assert!(edited.ok);
    assert_eq!(edited.diagnostics, built.diagnostics);
    site.write(
        "content/accessibility.md",
        "+++\ntitle = \"Accessibility statement\"\n+++\nWritten.\n",
    );
    let added = session.rebuild(&[site.root().join("content/accessibility.md")]);
    assert!(added.ok);
    assert!(added.diagnostics.is_empty(), "{:#?}", added.diagnostics);
}

/// An id `new` left as a placeholder is one error (the strategy's, which
/// fails the build too), not a second one from the marker scan.
#[test]
fn a_placeholder_id_is_reported_once() {
    let (_tmp, site, _) = init();
    fill_in_everything(&site);
    let out = throughline(&site, &["new", "programme", "Using data better"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (ok, report) = check_json(&site, &[]);
    assert!(!ok);
    let ds = diagnostics(&report);
    // The id's line: one error, the strategy's; the page's unwritten
    // text is a second line, with its own.
    let on_id: Vec<_> = ds
        .iter()
        .filter(|d| {
            d["message"]
                .as_str()
                .unwrap()
                .contains("still has the placeholder")
        })
        .collect();
    assert_eq!(on_id.len(), 1, "{report:#}");
    assert_eq!(on_id[0]["file"], "content/programmes/using-data-better.md");
    let line = on_id[0]["line"].clone();
    assert_eq!(
        ds.iter()
            .filter(|d| d["line"] == line && d["file"] == on_id[0]["file"])
            .count(),
        1,
        "{report:#}"
    );
    assert_eq!(ds.len(), 2, "the id and the text: {report:#}");
}
