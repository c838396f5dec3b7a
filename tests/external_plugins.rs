//! External plugins (docs/plugins.md, "External plugins"): a command the
//! site's config lists gets the site as JSON and answers with data,
//! located diagnostics and pages, in `build` and in `serve`; one that
//! fails, hangs or babbles fails the build cleanly. The plugin is
//! `tests/plugins/counts.py`.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::TestSite;
use throughline::session::Session;

fn script() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plugins/counts.py")
        .display()
        .to_string()
}

/// The minimal site, with the counts plugin (`extra` arguments after the
/// script, and extra keys in its entry) and a page whose template reads
/// the plugin's data.
fn site_with(args: &[&str], entry: &str) -> TestSite {
    let mut files = common::minimal();
    let command: Vec<String> = ["python3".to_string(), script()]
        .into_iter()
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("{a:?}"))
        .collect();
    let config = format!(
        "base_url = \"https://min.example\"\ntitle = \"Min\"\n\n[[extra.throughline.plugins]]\nname = \"counts\"\ncommand = [{}]\n{entry}\n",
        command.join(", ")
    );
    let config: &'static str = Box::leak(config.into_boxed_str());
    files.retain(|(p, _)| *p != "config.toml");
    files.push(("config.toml", config));
    files.push((
        "content/news/two.md",
        "+++\ntitle = \"TODO a better title\"\n+++\nBody of two.\n",
    ));
    files.push((
        "content/about.md",
        "+++\ntitle = \"About\"\ntemplate = \"about.html\"\n+++\n",
    ));
    files.push((
        "templates/about.html",
        "<!doctype html><html lang=\"en\"><title>About</title>{% set counts = plugin_data(name=\"counts\") %}{% if counts %}<p>{{ counts.pages }} pages counted</p>{% endif %}</html>",
    ));
    TestSite::from_files(&files)
}

fn runs(site: &TestSite) -> usize {
    std::fs::read_to_string(site.root().join("plugin-runs.log"))
        .unwrap_or_default()
        .lines()
        .count()
}

#[test]
fn a_command_adds_a_page_data_and_a_located_warning_in_build() {
    let site = site_with(&[], "");
    let report = site.build().expect("builds");
    // 4 pages: one, two, the statement, about.
    assert!(site.read("counts/index.html").contains("<p>4 pages</p>"));
    assert!(site
        .read("about/index.html")
        .contains("<p>4 pages counted</p>"));
    assert!(site
        .read("sitemap.xml")
        .contains("https://min.example/counts/"));
    let w = report
        .diagnostics
        .iter()
        .find(|d| d.message == "this title still says TODO")
        .expect("the plugin's warning");
    assert!(!w.is_error());
    let (file, line, column, _) = common::place(w);
    assert_eq!(file, "news/two.md");
    assert_eq!((line, column), (2, 9), "at the title's value");
    assert_eq!(
        w.hint.as_deref(),
        Some("finish the title before publishing")
    );
    assert_eq!(runs(&site), 1);
}

#[test]
fn serve_runs_a_command_again_only_when_what_it_is_sent_changed() {
    let site = site_with(&[], "");
    let mut session = Session::new(
        throughline::Options {
            root: site.root().to_path_buf(),
            ..Default::default()
        },
        Box::new(throughline::build::default_plugins),
    );
    let first = session.rebuild(&[]);
    assert!(first.ok, "{:#?}", first.diagnostics);
    let page = |s: &Session, p: &str| {
        String::from_utf8_lossy(&s.site().unwrap().files[p].bytes).into_owned()
    };
    assert!(page(&session, "counts/index.html").contains("<p>4 pages</p>"));
    assert_eq!(runs(&site), 1);
    // A body edit: the command is sent no bodies, so not run again.
    let one = site.root().join("content/news/one.md");
    std::thread::sleep(Duration::from_millis(20));
    site.write(
        "content/news/one.md",
        "+++\ntitle = \"One\"\n+++\nA new body.\n",
    );
    let o = session.rebuild(std::slice::from_ref(&one));
    assert!(o.ok, "{:#?}", o.diagnostics);
    assert!(page(&session, "news/one/index.html").contains("A new body."));
    assert_eq!(runs(&site), 1, "not run for a body edit");
    // The TODO is finished: sent something new, it runs again, and its
    // warning goes.
    let two = site.root().join("content/news/two.md");
    site.write(
        "content/news/two.md",
        "+++\ntitle = \"Two\"\n+++\nBody of two.\n",
    );
    let o = session.rebuild(std::slice::from_ref(&two));
    assert!(o.ok, "{:#?}", o.diagnostics);
    assert_eq!(runs(&site), 2);
    assert!(
        !o.diagnostics.iter().any(|d| d.message.contains("TODO")),
        "{:#?}",
        o.diagnostics
    );
    // A new page: counted.
    let three = site.root().join("content/news/three.md");
    site.write("content/news/three.md", "+++\ntitle = \"Three\"\n+++\n");
    let o = session.rebuild(std::slice::from_ref(&three));
    assert!(o.ok, "{:#?}", o.diagnostics);
    assert!(page(&session, "counts/index.html").contains("<p>5 pages</p>"));
    assert!(page(&session, "about/index.html").contains("<p>5 pages counted</p>"));
    assert_eq!(runs(&site), 3);
}

/// Build once without the plugin failing, then with it failing: the build
/// fails with one error at the plugin's entry in config.toml, and the
/// output folder is as the first build left it.
fn fails_cleanly(args: &[&str], entry: &str) -> throughline::diagnostics::Diagnostic {
    let site = site_with(&[], "");
    site.build().expect("builds");
    let before = common::snapshot(&site);
    let broken = site_with(args, entry);
    std::fs::rename(
        broken.root().join("config.toml"),
        site.root().join("config.toml"),
    )
    .unwrap();
    let failed = site.build().expect_err("the plugin fails");
    assert_eq!(
        common::snapshot(&site),
        before,
        "the output folder is untouched"
    );
    let errors: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let d = errors[0].clone();
    let (file, line, _, _) = common::place(&d);
    assert!(file.ends_with("config.toml"), "{file}");
    assert_eq!(line, 4, "at [[extra.throughline.plugins]]");
    d
}

#[test]
fn a_command_that_exits_non_zero_fails_the_build_with_its_stderr() {
    let d = fails_cleanly(&["--fail"], "");
    assert!(
        d.message
            .starts_with("the plugin `counts` failed (`python3 ")
            && d.message.ends_with("--fail` exited with status 3)"),
        "{}",
        d.message
    );
    assert!(
        common::hint(&d).contains("counts: the census office is closed"),
        "{:?}",
        d.hint
    );
}

#[test]
fn a_command_that_hangs_is_stopped_at_its_time_limit() {
    let start = Instant::now();
    let d = fails_cleanly(&["--hang"], "timeout = 1");
    assert_eq!(
        d.message,
        "the plugin `counts` did not answer within 1 s, and was stopped"
    );
    assert!(common::hint(&d).contains("timeout = "), "{:?}", d.hint);
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "stopped, not waited for"
    );
}

#[test]
fn an_answer_that_is_not_the_protocol_or_a_command_that_is_not_there_is_explained() {
    let d = fails_cleanly(&["--garbage"], "");
    assert!(
        d.message.starts_with("the plugin `counts` gave an answer throughline cannot read: its answer is not the protocol's JSON"),
        "{}",
        d.message
    );
    assert!(d.message.contains("Counting..."), "{}", d.message);
    let site = site_with(&[], "");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("\"python3\"", "\"no-such-program-for-throughline\""),
    );
    let failed = site.build().expect_err("cannot start");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert!(
        d.message.starts_with(
            "the plugin `counts` could not be started (`no-such-program-for-throughline "
        ),
        "{}",
        d.message
    );
    // A page it asks for outside the output folder is refused.
    let escaping = site_with(&["--escape"], "");
    let failed = escaping.build().expect_err("escapes");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert!(d.message.contains("../"), "{}", d.message);
    assert!(!escaping.root().join("escaped").exists());
    assert!(!escaping.root().parent().unwrap().join("escaped").exists());
    // A mistake in the entry itself is located and explained too.
    site.write("config.toml", &config.replace("command = ", "comand = "));
    let failed = site.build().expect_err("no command");
    let said: Vec<&str> = failed
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        said.contains(&"a plugin entry has no key `comand`"),
        "{said:?}"
    );
    assert!(
        said.contains(&"the plugin `counts` has no `command`"),
        "{said:?}"
    );
}

#[test]
fn a_zola_sites_own_extra_plugins_key_runs_nothing() {
    // The keys live under the site's own `[extra.throughline]`; a Zola
    // site's `[extra]` without it runs nothing.
    let mut files = common::minimal();
    files.retain(|(p, _)| *p != "config.toml");
    files.push((
        "config.toml",
        "base_url = \"https://min.example\"\ntitle = \"Min\"\n[extra]\nplugins = [\"python3\"]\n",
    ));
    let site = TestSite::from_files(&files);
    site.build().expect("builds");
    assert!(!site.root().join("plugin-runs.log").exists());
    assert!(!site.public().join("counts").exists());
}
