//! Nothing lost, nothing leaked, nothing hung: the failures a hostile or a
//! hurried user finds. Each test here failed before its fix.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{fails_cleanly, minimal, only, TestSite};

const BIN: &str = env!("CARGO_BIN_EXE_throughline");

// ---------------------------------------------------------------------
// Headings and series: linear, and right.

/// Every `id="…"` on `<hN>` elements of a page, in order.
fn heading_ids(html: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<h") {
        rest = &rest[i + 2..];
        if !rest.starts_with(|c: char| ('1'..='6').contains(&c)) {
            continue;
        }
        let tag_end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..tag_end];
        if let Some(j) = tag.find("id=\"") {
            let v = &tag[j + 4..];
            ids.push(v[..v.find('"').unwrap()].to_string());
        }
    }
    // The default theme's own heading over the table of contents.
    ids.retain(|i| i != "toc-heading");
    ids
}

#[test]
fn ten_thousand_identical_headings_get_zola_s_suffixes() {
    let mut body = String::new();
    for _ in 0..10_000 {
        body.push_str("## Same\n\n");
    }
    let mut files = minimal();
    let page = format!("+++\ntitle = \"Many\"\n+++\n{body}");
    files.push(("content/news/many.md", &page));
    let site = TestSite::from_files(&files);
    site.build().expect("builds");
    let ids = heading_ids(&site.read("news/many/index.html"));
    assert_eq!(ids.len(), 10_000);
    assert_eq!(ids[0], "same");
    for (n, id) in ids.iter().enumerate().skip(1) {
        assert_eq!(id, &format!("same-{n}"));
    }
}

#[test]
fn headings_that_collide_with_generated_suffixes_stay_unique() {
    // `a`, then a heading whose own id is `a-1`, then `a` again, which
    // must skip `a-1`; a custom id takes part too.
    let page =
        "+++\ntitle = \"Collide\"\n+++\n## A\n\n## A-1\n\n## A\n\n## A\n\n## B {#a-3}\n\n## A\n";
    let mut files = minimal();
    files.push(("content/news/collide.md", page));
    let site = TestSite::from_files(&files);
    site.build().expect("builds");
    let ids = heading_ids(&site.read("news/collide/index.html"));
    assert_eq!(ids, ["a", "a-1", "a-2", "a-3", "a-3-1", "a-4"]);
}

#[test]
fn a_series_of_a_hundred_thousand_figures_builds() {
    let site = TestSite::fixture("strategy");
    let mut csv = String::from("period,value\n");
    for i in 0..100_000u32 {
        csv.push_str(&format!("P{i:06},{}\n", 1000 + i % 97));
    }
    site.write("data/waiting.csv", &csv);
    site.build().expect("builds");
    let html = site.read("measures/waiting/index.html");
    // The latest figure is P099999's: 1000 + 99999 % 97.
    assert!(html.contains("P099999"), "the latest period is shown");
    assert!(html.contains(&format!("{}", 1000 + 99_999 % 97)));
    // Every figure is in the measure's table; a year's page shows the last
    // twenty periods and says where the rest are.
    assert!(html.contains("P000000") && html.contains("P050000"));
    let year = site.read("reports/2023-24/index.html");
    assert!(year.contains("P099999") && year.contains("P099980"));
    assert!(!year.contains("P099979"), "a year shows twenty periods");
    assert!(year.contains("99980 earlier periods are on the page"));
    // A period written twice is still found, at the second.
    csv.push_str("P000005,1\n");
    site.write("data/waiting.csv", &csv);
    let errors = site.build().expect_err("a duplicate period fails");
    let d = errors
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    assert!(
        d.message.contains("\"P000005\" appears twice"),
        "{}",
        d.message
    );
    assert_eq!(d.location.as_ref().unwrap().line, 100_002);
}

// ---------------------------------------------------------------------
// Include recursion: an error with the chain, not a stack overflow.

#[test]
fn a_template_that_includes_itself_is_an_error_with_the_chain() {
    let site = TestSite::from_files(&minimal());
    site.write(
        "templates/index.html",
        "<!DOCTYPE html><title>x</title>\n{% include \"index.html\" %}\n",
    );
    let errors = site.build().expect_err("refused").diagnostics;
    let d = only(&errors);
    assert!(
        d.message.contains("`index.html` includes itself"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("index.html → index.html"),
        "{}",
        d.message
    );
    let loc = d.location.as_ref().unwrap();
    assert!(loc.file.ends_with("templates/index.html"));
    assert_eq!(loc.line, 2);
}

#[test]
fn an_include_loop_through_other_templates_and_a_shortcode_is_an_error() {
    let site = TestSite::from_files(&minimal());
    site.write(
        "templates/partials/a.html",
        "A {% include \"partials/b.html\" %}",
    );
    site.write(
        "templates/partials/b.html",
        "B {% include \"partials/a.html\" %}",
    );
    site.write(
        "templates/page.html",
        "<!DOCTYPE html><title>x</title>{% include \"partials/a.html\" %}{{ page.content | safe }}",
    );
    site.write(
        "templates/shortcodes/again.html",
        "<p>{% include \"shortcodes/again.html\" %}</p>",
    );
    site.write(
        "content/news/one.md",
        "+++\ntitle = \"One\"\n+++\n{{ again() }}\n",
    );
    let errors = site.build().expect_err("refused").diagnostics;
    let messages: Vec<&str> = errors.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(errors.len(), 2, "{messages:#?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("partials/a.html → partials/b.html → partials/a.html")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`shortcodes/again.html` includes itself")),
        "{messages:#?}"
    );
    // Both engines refuse it the same way.
    site.write(
        "config.toml",
        "base_url = \"https://min.example\"\ntitle = \"Min\"\n[extra.templates]\nengine = \"minijinja\"\n",
    );
    let errors = site.build().expect_err("refused").diagnostics;
    assert_eq!(errors.len(), 2, "{errors:#?}");
}

#[test]
fn a_template_that_imports_itself_is_an_error_not_a_crash() {
    // Found by tests/fuzz.rs: Tera follows the import while compiling.
    let site = TestSite::from_files(&minimal());
    site.write(
        "templates/macros.html",
        "{% import \"macros.html\" as m %}{% macro x() %}x{% endmacro %}",
    );
    site.write(
        "templates/index.html",
        "{% import \"macros.html\" as m %}<!DOCTYPE html><title>x</title>{{ m::x() }}",
    );
    let errors = site.build().expect_err("refused").diagnostics;
    let d = only(&errors);
    assert!(
        d.message.contains("`macros.html` imports itself"),
        "{}",
        d.message
    );
    assert!(d.hint.as_deref().unwrap().contains("self::"));
}

// ---------------------------------------------------------------------
// A closed stderr or stdout.

#[test]
fn a_build_with_its_output_streams_closed_finishes() {
    let site = TestSite::from_files(&minimal());
    // A warning, so there is something to say.
    site.write(
        "content/news/two.md",
        "+++\ntitle = \"Two\"\n+++\n![](picture.png)\n",
    );
    let mut child = Command::new(BIN)
        .args(["--root"])
        .arg(site.root())
        .arg("build")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close our ends at once: every write the build makes fails.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(site.public().join("news/two/index.html").is_file());
}

/// A port free now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn get(addr: SocketAddr, path: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    Some((status, body.to_string()))
}

/// Wait until `path` is served with `needle` in it.
fn wait_served(addr: SocketAddr, path: &str, needle: &str, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if get(addr, path).is_some_and(|(s, b)| s == 200 && b.contains(needle)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

struct Serve {
    child: std::process::Child,
    addr: SocketAddr,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(root: &Path, close_streams: bool) -> Serve {
    let port = free_port();
    let mut child = Command::new(BIN)
        .arg("--root")
        .arg(root)
        .args(["serve", "--port", &port.to_string(), "--debounce", "20"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if close_streams {
        drop(child.stdout.take());
        drop(child.stderr.take());
    }
    Serve {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    }
}

#[test]
fn serve_with_a_closed_stderr_keeps_rebuilding() {
    let site = TestSite::fixture("strategy");
    let s = serve(site.root(), true);
    assert!(wait_served(s.addr, "/about/", "", Duration::from_secs(60)));
    for n in 1..=3 {
        let mark = format!("Edited {n} times.");
        site.write(
            "content/about.md",
            &format!("+++\ntitle = \"About\"\n+++\n{mark}\n"),
        );
        assert!(
            wait_served(s.addr, "/about/", &mark, Duration::from_secs(30)),
            "edit {n} never reached the served site"
        );
    }
}

#[test]
fn an_edit_saved_as_serve_starts_is_never_lost() {
    // Saved at once, during the first build, and the moment the server
    // first answers: each must reach the served page.
    for (n, delay) in [
        None,
        Some(0),
        Some(30),
        Some(80),
        Some(150),
        None,
        Some(10),
        None,
    ]
    .into_iter()
    .enumerate()
    {
        let site = TestSite::fixture("strategy");
        let s = serve(site.root(), false);
        let mark = format!("Saved in round {n}.");
        match delay {
            Some(ms) => std::thread::sleep(Duration::from_millis(ms)),
            None => {
                let until = Instant::now() + Duration::from_secs(60);
                while get(s.addr, "/").is_none() && Instant::now() < until {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        site.write(
            "content/about.md",
            &format!("+++\ntitle = \"About\"\n+++\n{mark}\n"),
        );
        assert!(
            wait_served(s.addr, "/about/", &mark, Duration::from_secs(30)),
            "round {n} ({delay:?}): the edit never reached the served site"
        );
    }
}

// ---------------------------------------------------------------------
// Signals: no staging folder left behind.

fn staging_left(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".throughline-"))
        .collect()
}

/// A site whose build takes long enough to be interrupted.
fn big_site() -> TestSite {
    let site = TestSite::from_files(&minimal());
    let body =
        "A paragraph of text about a programme of work, long enough to count.\n\n".repeat(40);
    for i in 0..3000 {
        site.write(
            &format!("content/news/p{i}.md"),
            &format!("+++\ntitle = \"Page {i}\"\n+++\n{body}"),
        );
    }
    site
}

#[cfg(unix)]
#[test]
fn sigterm_or_sigint_during_a_build_leaves_no_staging_folder() {
    let site = big_site();
    site.build().expect("builds");
    std::fs::write(site.public().join("old-marker.txt"), "kept").unwrap();
    for signal in ["TERM", "INT"] {
        let mut child = Command::new(BIN)
            .arg("--root")
            .arg(site.root())
            .arg("build")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the staging folder to appear, then interrupt.
        let until = Instant::now() + Duration::from_secs(60);
        while staging_left(site.root()).is_empty() && Instant::now() < until {
            if child.try_wait().unwrap().is_some() {
                panic!("the build finished before it could be interrupted");
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(Duration::from_millis(30));
        let killed = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        if status.success() {
            // It finished first; the folder was swapped in.
            continue;
        }
        assert_eq!(
            staging_left(site.root()),
            Vec::<String>::new(),
            "SIG{signal}"
        );
        assert_eq!(
            std::fs::read_to_string(site.public().join("old-marker.txt")).unwrap(),
            "kept",
            "the previous output is as it was"
        );
    }
}

#[test]
fn a_staging_folder_of_a_dead_build_is_removed_by_the_next() {
    let site = TestSite::from_files(&minimal());
    // Process ids are below 2^22 on Linux; this one is not running.
    let stale = site.root().join(".public.throughline-new-4194303");
    std::fs::create_dir_all(stale.join("news")).unwrap();
    std::fs::write(stale.join("news/index.html"), "half").unwrap();
    let old = site.root().join(".public.throughline-old-4194302");
    std::fs::create_dir_all(&old).unwrap();
    site.build().expect("builds");
    assert_eq!(staging_left(site.root()), Vec::<String>::new());
}

// ---------------------------------------------------------------------
// Files that resolve outside the site are not read into messages.

#[cfg(unix)]
#[test]
fn a_symlinked_csv_is_refused_without_printing_it() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("environ");
    std::fs::write(&secret, "SECRET_TOKEN=hunter2\nperiod,value\n2023,x\n").unwrap();
    let errors = fails_cleanly(&TestSite::fixture("strategy"), |s| {
        std::fs::remove_file(s.root().join("data/waiting.csv")).unwrap();
        std::os::unix::fs::symlink(&secret, s.root().join("data/waiting.csv")).unwrap();
    });
    let d = only(&errors);
    assert!(
        d.message.contains("leads outside the site folder"),
        "{}",
        d.message
    );
    let shown = format!("{errors:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("SECRET"),
        "{shown}"
    );
}

#[cfg(unix)]
#[test]
fn a_symlinked_config_outside_the_site_is_never_quoted() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("environ");
    std::fs::write(&secret, "SECRET_TOKEN=hunter2 not toml\n").unwrap();
    let site = TestSite::from_files(&minimal());
    std::fs::remove_file(site.root().join("config.toml")).unwrap();
    std::os::unix::fs::symlink(&secret, site.root().join("config.toml")).unwrap();
    let failed = site.build().expect_err("the config does not parse");
    let shown: String = failed
        .diagnostics
        .iter()
        .map(|d| d.render(site.root()))
        .collect();
    assert!(shown.contains("config.toml:1:"), "still located: {shown}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("SECRET"),
        "{shown}"
    );
}

// ---------------------------------------------------------------------
// An entity whose own file failed to load is reported once, at the file.

#[test]
fn a_reference_to_a_page_that_failed_to_load_is_not_reported_again() {
    let errors = fails_cleanly(&TestSite::fixture("strategy"), |s| {
        // An unterminated string: the page cannot be read.
        s.write(
            "content/commitments/share-data.md",
            "+++\ntitle = \"Share data safely\nweight = 2\n[extra]\npriorities = [\"fair-access\"]\n+++\n",
        );
    });
    let d = only(&errors);
    assert!(
        d.file
            .as_ref()
            .unwrap()
            .ends_with("commitments/share-data.md"),
        "{d:?}"
    );
    let hint = d.hint.as_deref().unwrap_or("");
    assert!(hint.contains("2 pages refer to this page"), "{hint}");
    assert!(
        hint.contains("content/programmes/data-for-all.md"),
        "{hint}"
    );
    assert!(
        hint.contains("content/reports/2023-24/sharing.md"),
        "{hint}"
    );
}

// ---------------------------------------------------------------------
// --force never replaces what it must not.

fn build_into(site: &TestSite, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .arg("--root")
        .arg(site.root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn force_refuses_a_folder_holding_the_config_or_sass() {
    let site = TestSite::from_files(&minimal());
    // The config kept in a folder of its own, and that folder as output.
    std::fs::create_dir_all(site.root().join("settings")).unwrap();
    std::fs::rename(
        site.root().join("config.toml"),
        site.root().join("settings/config.toml"),
    )
    .unwrap();
    // `build --force` into `out`, with the config in settings/: refused.
    let refused = |out: &std::path::Path| {
        let (ok, said) = build_into(
            &site,
            &[
                "--config",
                "settings/config.toml",
                "build",
                "--force",
                "--output-dir",
                out.to_str().unwrap(),
            ],
        );
        assert!(!ok, "{said}");
        said
    };
    let out = site.root().join("settings");
    assert!(refused(&out).contains("holds the config file"));
    assert!(out.join("config.toml").is_file());
    // sass/ is a source folder too.
    site.write("sass/site.scss", "body { color: red }\n");
    let sass = site.root().join("sass");
    assert!(refused(&sass).contains("`sass/`"));
    assert!(sass.join("site.scss").is_file());
}

#[cfg(unix)]
#[test]
fn force_resolves_dot_dot_after_a_symlink_as_the_system_does() {
    let site = TestSite::from_files(&minimal());
    std::fs::create_dir_all(site.root().join("content/deep")).unwrap();
    // `link/..` is, to the system, content/ (the parent of the target),
    // not the site root (the parent of the link).
    std::os::unix::fs::symlink(site.root().join("content/deep"), site.root().join("link")).unwrap();
    let out = format!("{}/link/../out", site.root().display());
    let (ok, said) = build_into(&site, &["build", "--force", "--output-dir", &out]);
    assert!(!ok, "{said}");
    assert!(
        said.contains("inside the site's `content/` folder"),
        "{said}"
    );
    assert!(!site.root().join("content/out").exists());
}

#[test]
fn force_refuses_the_home_folder() {
    let site = TestSite::from_files(&minimal());
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("notes.txt"), "mine").unwrap();
    let out = Command::new(BIN)
        .env("HOME", home.path())
        .arg("--root")
        .arg(site.root())
        .args(["build", "--force", "--output-dir"])
        .arg(home.path())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("home folder"), "{said}");
    assert!(home.path().join("notes.txt").is_file());
}

// ---------------------------------------------------------------------
// The HTTP server under a busy browser.

fn start_library_server(site: &TestSite) -> SocketAddr {
    let opts = throughline::serve::ServeOptions {
        build: site.options(),
        interface: "127.0.0.1".parse().unwrap(),
        port: 0,
        debounce: Duration::from_millis(50),
        open: false,
    };
    throughline::serve::start(opts, Box::new(throughline::build::default_plugins), false)
        .expect("the server starts")
        .addr
}

#[test]
fn a_client_that_never_reads_a_large_file_blocks_nobody() {
    let site = TestSite::from_files(&minimal());
    site.write_bytes("static/big.bin", &vec![7u8; 64 << 20]);
    let addr = start_library_server(&site);
    let mut stuck = TcpStream::connect(addr).unwrap();
    write!(stuck, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    // It never reads; its socket buffers fill.
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let (status, body) = get(addr, "/news/one/").expect("answered");
    assert_eq!(status, 200);
    assert!(body.contains("Body of one."));
    assert!(started.elapsed() < Duration::from_secs(10));
    drop(stuck);
}

#[test]
fn fifty_event_streams_and_a_burst_of_fifty_requests_are_all_answered() {
    let site = TestSite::from_files(&minimal());
    let addr = start_library_server(&site);
    let mut streams = Vec::new();
    for _ in 0..50 {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET /__throughline/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        streams.push(BufReader::new(s));
    }
    for (n, s) in streams.iter_mut().enumerate() {
        let mut hello = false;
        let mut line = String::new();
        while !hello {
            line.clear();
            let read = s.read_line(&mut line).unwrap_or(0);
            assert!(read > 0, "event stream {n} got no answer");
            hello = line.starts_with("data: ") && line.contains("\"hello\"");
        }
    }
    // With the streams still open, 50 requests at once.
    let mut burst = Vec::new();
    for _ in 0..50 {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        burst.push(s);
    }
    for s in &mut burst {
        write!(
            s,
            "GET /news/one/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
    }
    for (n, s) in burst.iter_mut().enumerate() {
        let mut buf = Vec::new();
        let _ = s.read_to_end(&mut buf);
        let text = String::from_utf8_lossy(&buf);
        assert!(text.starts_with("HTTP/1.1 200"), "request {n}: {text:.80}");
    }
}
