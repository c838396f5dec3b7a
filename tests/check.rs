//! `throughline check`: what a CI job runs before it deploys. Each kind of
//! problem is found at its file and line, in the terminal, as GitHub
//! annotations and as JSON; the exit status follows the errors.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::{minimal, TestSite};
use throughline::check::{self, CheckOptions};
use throughline::Severity;

fn check_in(site: &TestSite, args: &[&str], github: bool) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_throughline"));
    cmd.current_dir(site.root()).arg("check").args(args);
    if github {
        cmd.env("GITHUB_ACTIONS", "true");
    } else {
        cmd.env_remove("GITHUB_ACTIONS");
    }
    cmd.output().expect("run throughline")
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// (code, file, line) of every diagnostic in a JSON report.
fn found(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["file"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn the_example_fixture_passes() {
    let site = TestSite::fixture("strategy");
    let out = check_in(&site, &["--format", "json"], false);
    let report = json_of(&out);
    assert!(out.status.success(), "{report:#}");
    assert_eq!(report["errors"], 0);
    assert!(report["internal_links"].as_u64().unwrap() > 100);
}

#[test]
fn finds_each_problem_at_its_file_and_line() {
    let site = TestSite::fixture("strategy");
    // Line 5 of about.md: a missing page, a missing anchor. Line 7: an image
    // without alt text (a lint warning in `build`, an error in `check`).
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\ntemplate = \"lookup.html\"\n+++\nSee [the plan](/plann/) and [data](/programmes/data-for-all/#no-such-part).\n\n![](/logo.png)\n",
    );
    // Line 4 of a programme: a commitment that does not exist.
    site.write(
        "content/programmes/data-for-all.md",
        "+++\ntitle = \"Data for all\"\n[extra]\ncommitments = [\"share-dta\"]\nstatus = \"at-risk\"\n+++\nOne shared care record.\n",
    );
    let out = check_in(&site, &["--format", "json"], false);
    assert!(!out.status.success());
    let report = json_of(&out);
    let found = found(&report);
    for want in [
        ("internal-link", "content/about.md", 5),
        ("accessibility", "content/about.md", 7),
        ("", "content/programmes/data-for-all.md", 4),
    ] {
        assert!(
            found
                .iter()
                .any(|(c, f, l)| c == want.0 && f == want.1 && *l == want.2),
            "{want:?} not in {found:?}"
        );
    }
    // Both links on line 5, each at its own column.
    let line5: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["file"] == "content/about.md" && d["line"] == 5)
        .collect();
    assert_eq!(line5.len(), 2, "{line5:?}");
    assert_eq!(line5[0]["column"], 16);
    assert!(line5[0]["message"].as_str().unwrap().contains("`/plann/`"));
    assert!(line5[1]["message"]
        .as_str()
        .unwrap()
        .contains("no such anchor"));
    let alt = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "accessibility")
        .unwrap();
    assert_eq!(alt["severity"], "error", "check makes the lint an error");
    let strategy = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "content/programmes/data-for-all.md" && d["line"] == 4)
        .unwrap();
    assert!(
        strategy["hint"]
            .as_str()
            .unwrap_or("")
            .contains("share-data"),
        "{strategy}"
    );

    // The same problems as GitHub annotations on stdout, with the human
    // report on stderr.
    let gh = check_in(&site, &[], true);
    assert!(!gh.status.success());
    let annotations = String::from_utf8_lossy(&gh.stdout);
    assert!(
        annotations.contains("::error file=content/about.md,line=5,col=16,title=throughline internal-link::the link `/plann/`"),
        "{annotations}"
    );
    assert!(annotations.contains("::error file=content/about.md,line=7,col=1,"));
    assert!(annotations.contains("::error file=content/programmes/data-for-all.md,line=4,"));
    assert!(annotations.lines().all(|l| l.starts_with("::")));
    let human = String::from_utf8_lossy(&gh.stderr);
    assert!(human.contains("--> content/about.md:5:16"), "{human}");
    assert!(human.contains("Check failed"));
}

#[test]
fn the_lint_warns_in_build_and_fails_check() {
    let mut files = minimal();
    files.push((
        "content/news/two.md",
        "+++\ntitle = \"Two\"\n+++\n## Start\n\n#### Skipped\n",
    ));
    let site = TestSite::from_files(&files);
    let built = site.build().expect("build passes with warnings");
    assert!(built
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Warning));
    assert!(!built.diagnostics.is_empty());
    let out = check_in(&site, &[], false);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("content/news/two.md:6:1"));
}

#[test]
fn deny_warnings_makes_warnings_fail() {
    let mut files = minimal();
    files.push((
        "content/news/two.md",
        "+++\ntitle = \"Two\"\nauthor = \"Sam\"\n+++\nText.\n",
    ));
    let site = TestSite::from_files(&files);
    let plain = check_in(&site, &[], false);
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    assert!(String::from_utf8_lossy(&plain.stderr).contains("1 warning"));
    let strict = check_in(&site, &["--deny-warnings"], false);
    assert!(!strict.status.success());
    assert!(String::from_utf8_lossy(&strict.stderr).contains("content/news/two.md:3:1"));
}

#[test]
fn a_broken_link_in_a_template_is_reported_once() {
    let mut files = minimal();
    files.push((
        "templates/page.html",
        "<!doctype html><html lang=en><title>{{ page.title }}</title><a href=\"{{ get_url(path='contact/', trailing_slash=true) }}\">Contact</a>{{ page.content | safe }}",
    ));
    files.push(("content/news/two.md", "+++\ntitle = \"Two\"\n+++\nText.\n"));
    let site = TestSite::from_files(&files);
    let report = json_of(&check_in(&site, &["--format", "json"], false));
    let broken: Vec<&serde_json::Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "internal-link")
        .collect();
    assert_eq!(broken.len(), 1, "{broken:?}");
    let msg = broken[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("/contact/") && msg.contains("on 3 pages"),
        "{msg}"
    );
    assert!(broken[0]["hint"].as_str().unwrap().contains("template"));
}

#[test]
fn a_base_url_with_a_path_keeps_every_link_inside_it() {
    let site = TestSite::fixture("strategy");
    let opts = throughline::Options {
        base_url: Some("https://preview.example/pr-7".into()),
        ..site.options()
    };
    let r = throughline::render_site(&opts).expect("renders");
    let outcome = check::check_rendered(&r, &CheckOptions::default());
    assert!(
        outcome.diagnostics.iter().all(|d| !d.is_error()),
        "{:#?}",
        outcome.diagnostics
    );
    // The check would see a link that escapes: prove it on the same render.
    let mut broken = r;
    let page = broken
        .files
        .iter_mut()
        .find(|f| f.path == "about/index.html")
        .unwrap();
    page.bytes
        .extend_from_slice(b"<a href=\"/programmes/\">Programmes</a>");
    let outcome = check::check_rendered(&broken, &CheckOptions::default());
    assert!(outcome
        .diagnostics
        .iter()
        .any(|d| d.is_error() && d.message.contains("leaves the site")));
    // And the written site has no root-relative link outside `/pr-7/`.
    let out = site.root().join("preview");
    throughline::build(&throughline::Options {
        output_dir: Some(out.clone()),
        ..opts
    })
    .expect("builds");
    // What a host reads: the sitemap, robots.txt and the 404 page.
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("<loc>https://preview.example/pr-7/programmes/"));
    assert!(!sitemap.contains("<loc>https://strategy.example"));
    let robots = std::fs::read_to_string(out.join("robots.txt")).unwrap();
    assert!(
        robots.contains("https://preview.example/pr-7/sitemap.xml"),
        "{robots}"
    );
    let not_found = std::fs::read_to_string(out.join("404.html")).unwrap();
    assert!(not_found.contains("href=\"https://preview.example/pr-7/"));
    for file in common::list(&out) {
        if !file.ends_with(".html") && !file.ends_with(".xml") {
            continue;
        }
        let text = std::fs::read_to_string(out.join(&file)).unwrap();
        for attr in ["href=\"", "src=\""] {
            for (i, _) in text.match_indices(attr) {
                let url = &text[i + attr.len()..];
                let url = &url[..url.find('"').unwrap()];
                assert!(
                    !url.starts_with('/') || url.starts_with("/pr-7/") || url.starts_with("//"),
                    "{file}: {url}"
                );
                if url.starts_with("https://") && url.contains("preview.example") {
                    assert!(
                        url.starts_with("https://preview.example/pr-7"),
                        "{file}: {url}"
                    );
                }
            }
        }
    }
}

/// A tiny HTTP server on loopback: `/ok` is a page with `id="here"`,
/// `/gone` is a 404, `/no-head` refuses HEAD with 405. Counts requests.
fn server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let counted = counted.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                loop {
                    let mut first = String::new();
                    if reader.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 2 {
                        line.clear();
                    }
                    counted.fetch_add(1, Ordering::SeqCst);
                    let mut parts = first.split_whitespace();
                    let method = parts.next().unwrap_or("");
                    let path = parts.next().unwrap_or("");
                    let (status, body) = match (method, path) {
                        (_, "/ok") => ("200 OK", "<html><h2 id=\"here\">Here</h2></html>"),
                        ("HEAD", "/no-head") => ("405 Method Not Allowed", ""),
                        (_, "/no-head") => ("200 OK", "<p>fine</p>"),
                        _ => ("404 Not Found", "missing"),
                    };
                    let body = if method == "HEAD" { "" } else { body };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
                        if method == "HEAD" { 0 } else { body.len() }
                    );
                }
            });
        }
    });
    (addr, hits)
}

#[test]
fn external_links_are_checked_only_when_asked() {
    let (addr, hits) = server();
    let mut files = minimal();
    let page = format!(
        "+++\ntitle = \"Two\"\n+++\n[fine]({addr}/ok) [anchor]({addr}/ok#here) [bad anchor]({addr}/ok#nowhere)\n\n[gone]({addr}/gone) [no head]({addr}/no-head) [again]({addr}/gone) [skipped]({addr}/skip/me)\n"
    );
    files.push(("content/news/two.md", page.as_str()));
    let config = format!(
        "base_url = \"https://min.example\"\ntitle = \"Min\"\n[link_checker]\nskip_prefixes = [\"{addr}/skip/\"]\n"
    );
    files[0] = ("config.toml", config.as_str());
    let site = TestSite::from_files(&files);

    let offline = check_in(&site, &[], false);
    assert!(
        offline.status.success(),
        "{}",
        String::from_utf8_lossy(&offline.stderr)
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "no request without --external"
    );

    let out = check_in(&site, &["--external", "--format", "json"], false);
    let report = json_of(&out);
    assert!(!out.status.success());
    let ext: Vec<(u64, String)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "external-link")
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(ext.len(), 2, "{ext:?}");
    assert_eq!(ext[0].0, 4);
    assert!(ext[0].1.contains("#nowhere") && ext[0].1.contains("no such anchor"));
    assert_eq!(ext[1].0, 6);
    assert!(ext[1].1.contains("/gone") && ext[1].1.contains("404"));
    // Three addresses (ok, gone, no-head), each requested once: ok with GET
    // (its anchors are needed), gone with HEAD, no-head with HEAD then GET.
    assert_eq!(report["external_urls"], 3);
    assert_eq!(hits.load(Ordering::SeqCst), 4);

    // `external_level = "warn"` keeps them but lets the check pass.
    site.write(
        "config.toml",
        &format!(
            "base_url = \"https://min.example\"\ntitle = \"Min\"\n[link_checker]\nexternal_level = \"warn\"\nskip_prefixes = [\"{addr}/skip/\"]\n"
        ),
    );
    let warned = check_in(&site, &["--external"], false);
    assert!(warned.status.success());
    assert!(String::from_utf8_lossy(&warned.stderr).contains("2 warning(s)"));
}

/// Text left marked `FILL IN:` (by `init` or `new`) is an error at its
/// file, line and column, in the config and in pages, front matter and
/// body; comment lines that explain the marker are not; a build says
/// nothing of it.
#[test]
fn text_left_to_fill_in_fails_check_at_each_place() {
    let mut files = minimal();
    files[0] = (
        "config.toml",
        "base_url = \"https://min.example\"\n# Replace each \"FILL IN: …\".\ntitle = \"FILL IN: the site's name\"\n",
    );
    files.push((
        "content/news/two.md",
        "+++\n# FILL IN: explained in a comment\ntitle = \"Two\"\ndescription = \"FILL IN: a sentence\"\n+++\nRun by [FILL IN: name of your organisation] since [FILL IN: year].\n\n## A heading, [FILL IN: its words]\n",
    ));
    let site = TestSite::from_files(&files);
    let built = site.build().expect("a build is not stopped by them");
    assert!(built.diagnostics.is_empty(), "{:#?}", built.diagnostics);
    let out = check_in(&site, &["--format", "json"], false);
    assert!(!out.status.success());
    let report = json_of(&out);
    let at: Vec<(String, String, u64, u64)> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!(d["severity"], "error");
            assert_eq!(d["code"], "fill-in");
            (
                d["message"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want = |m: &str, f: &str, l, c| (format!("still to fill in: {m}"), f.to_string(), l, c);
    assert_eq!(
        at,
        [
            want("the site's name", "config.toml", 3, 9),
            want("a sentence", "content/news/two.md", 4, 15),
            want("name of your organisation", "content/news/two.md", 6, 8),
            want("year", "content/news/two.md", 6, 51),
            want("its words", "content/news/two.md", 8, 15),
        ]
    );
}
