//! The publishing checks: `init` marks what it leaves for the site's owner
//! to fill in (`[FILL IN: …]`), and `check` fails, listing each at its file,
//! line and column, until every one is replaced.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::fill_in_everything;

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
    let mut expected: Vec<(String, u64, u64)> = in_config
        .iter()
        .map(|(l, c)| ("config.toml".to_string(), *l, *c))
        .chain(
            in_statement
                .iter()
                .map(|(l, c)| ("content/accessibility.md".to_string(), *l, *c)),
        )
        .collect();
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
    assert_eq!(ds.len(), 1, "{report:#}");
    assert!(ds[0]["message"]
        .as_str()
        .unwrap()
        .contains("still has the placeholder"));
    assert_eq!(ds[0]["file"], "content/programmes/using-data-better.md");
}
