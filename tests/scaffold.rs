//! `throughline init` writes a site that builds and passes `check` at once,
//! with CI files for each host; its GitHub workflow is valid YAML whose
//! check and build steps pass when run by hand; `new` writes pages from
//! archetypes and never overwrites.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn throughline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_throughline"))
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .args(args)
        .output()
        .expect("run throughline")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn init(host: &str, extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let mut args = vec!["init", "site", "--host", host];
    args.extend_from_slice(extra);
    ok(&throughline(tmp.path(), &args));
    let site = tmp.path().join("site");
    (tmp, site)
}

#[test]
fn each_host_gets_a_site_that_builds_and_passes_check() {
    for (host, ci_file) in [
        ("github", ".github/workflows/publish.yml"),
        ("gitlab", ".gitlab-ci.yml"),
        ("netlify", "netlify.toml"),
    ] {
        let (_tmp, site) = init(
            host,
            &["--install-from", "https://git.example/tl.git@abc1234"],
        );
        let ci = std::fs::read_to_string(site.join(ci_file)).unwrap();
        assert!(
            ci.contains("https://git.example/tl.git") && ci.contains("abc1234"),
            "{host}: {ci}"
        );
        assert!(!ci.contains("@@"), "{host}: a placeholder was left");
        let stderr = ok(&throughline(&site, &["check", "--deny-warnings"]));
        assert!(stderr.contains("no errors, 0 warning(s)"), "{stderr}");
        ok(&throughline(&site, &["build"]));
        let priorities =
            std::fs::read_to_string(site.join("public/priorities/index.html")).unwrap();
        assert!(priorities.contains("Improving population health"));
        let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
        let nav: Vec<usize> = [
            "Priorities",
            "Commitments",
            "Programmes",
            "Measures",
            "Annual review",
        ]
        .iter()
        .map(|l| {
            home.find(&format!(">{l}</a>"))
                .unwrap_or_else(|| panic!("{l} in the menu"))
        })
        .collect();
        assert!(
            nav.windows(2).all(|w| w[0] < w[1]),
            "the menu follows the strategy's order"
        );
        let year =
            std::fs::read_to_string(site.join("public/annual-review/2025-26/index.html")).unwrap();
        assert!(
            year.contains("Healthy hearts"),
            "the year reports the programme"
        );
        // Only the chosen host's files.
        for other in [".github", ".gitlab-ci.yml", "netlify.toml"] {
            if !ci_file.starts_with(other) {
                assert!(!site.join(other).exists(), "{host} wrote {other}");
            }
        }
    }
}

#[test]
fn the_default_install_source_is_this_version() {
    let (_tmp, site) = init("gitlab", &[]);
    let ci = std::fs::read_to_string(site.join(".gitlab-ci.yml")).unwrap();
    assert!(ci.contains(env!("CARGO_PKG_REPOSITORY")));
    assert!(ci.contains(&format!("\"v{}\"", env!("CARGO_PKG_VERSION"))));
}

#[test]
fn the_ci_files_parse() {
    let (_tmp, gl) = init("gitlab", &[]);
    let y: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(gl.join(".gitlab-ci.yml")).unwrap())
            .expect("valid YAML");
    assert_eq!(y["pages"]["artifacts"]["paths"][0], "public");
    let (_tmp2, nl) = init("netlify", &[]);
    let t: toml::Table = std::fs::read_to_string(nl.join("netlify.toml"))
        .unwrap()
        .parse()
        .expect("valid TOML");
    assert_eq!(t["build"]["publish"].as_str(), Some("public"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(nl.join("netlify-build.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert!(mode & 0o111 != 0, "the build script is executable");
    }
}

/// The GitHub workflow's steps that run throughline, run by hand here with
/// the binary under test first on PATH, as Actions would run them.
#[test]
fn the_github_workflow_steps_pass_when_run_by_hand() {
    let (tmp, site) = init("github", &[]);
    let yaml = std::fs::read_to_string(site.join(".github/workflows/publish.yml")).unwrap();
    let wf: serde_json::Value = serde_norway::from_str(&yaml).expect("valid YAML");
    assert!(wf["on"]["push"]["branches"][0] == "main");
    assert_eq!(wf["permissions"]["contents"], "read");
    let steps = wf["jobs"]["build"]["steps"].as_array().unwrap();
    let deploy = &wf["jobs"]["deploy"];
    assert_eq!(deploy["needs"], "build");
    assert_eq!(deploy["permissions"]["pages"], "write");
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(uses.iter().any(|u| u.starts_with("actions/cache@")));
    assert!(uses
        .iter()
        .any(|u| u.starts_with("actions/upload-pages-artifact@")));
    let install = steps
        .iter()
        .find(|s| s["name"] == "Install throughline")
        .unwrap();
    assert_eq!(
        install["if"], "steps.cache.outputs.cache-hit != 'true'",
        "installed only when the cache misses"
    );
    assert!(install["run"]
        .as_str()
        .unwrap()
        .contains("cargo install --locked --git \"$THROUGHLINE_GIT\" --rev \"$THROUGHLINE_REV\""));

    let bin_dir = Path::new(env!("CARGO_BIN_EXE_throughline"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |name: &str, base_url: &str| {
        let step = steps.iter().find(|s| s["name"] == name).unwrap();
        let script = step["run"].as_str().unwrap();
        let out = Command::new("bash")
            .args(["-eo", "pipefail", "-c", script])
            .current_dir(&site)
            .env("PATH", &path)
            .env("BASE_URL", base_url)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        ok(&out);
    };
    run("Check the site", "");
    // On a pull request there is no Pages address: the config's base_url.
    run("Build the site", "");
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("https://example.org/priorities/"));
    // On main, configure-pages gives the project site's address.
    run("Build the site", "https://team.github.io/strategy");
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    assert!(home.contains("https://team.github.io/strategy/priorities/"));
    assert!(!home.contains("https://example.org"));
    drop(tmp);
}

#[test]
fn init_refuses_a_folder_with_files_and_force_keeps_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("site");
    std::fs::create_dir_all(dir.join("content")).unwrap();
    std::fs::write(dir.join("content/_index.md"), "my own work").unwrap();
    let out = throughline(tmp.path(), &["init", "site"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert!(!dir.join("config.toml").exists(), "nothing written");
    let forced = throughline(tmp.path(), &["init", "site", "--force"]);
    let err = ok(&forced);
    assert!(err.contains("kept content/_index.md"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.join("content/_index.md")).unwrap(),
        "my own work"
    );
    assert!(dir.join("config.toml").exists());
}

#[test]
fn new_writes_each_kind_and_the_site_still_builds() {
    let (_tmp, site) = init("github", &[]);
    let cases = [
        (
            "programme",
            "Using data better",
            "content/programmes/using-data-better.md",
        ),
        (
            "priority",
            "Tackling inequalities",
            "content/priorities/tackling-inequalities.md",
        ),
        ("commitment", "Fair pay", "content/commitments/fair-pay.md"),
        (
            "measure",
            "Healthy life expectancy",
            "content/measures/healthy-life-expectancy.md",
        ),
        ("year", "2026/27", "content/annual-review/2026-27/_index.md"),
    ];
    for (kind, title, file) in cases {
        let out = ok(&throughline(&site, &["new", kind, title]));
        let _ = out;
        let text = std::fs::read_to_string(site.join(file)).unwrap();
        assert!(text.starts_with("+++\n"), "{file}");
        if kind == "year" {
            assert!(text.contains("title = \"Annual review 2026/27\""));
            assert!(text.contains("period = \"2026/27\""));
        } else {
            assert!(text.contains(&format!("title = \"{title}\"")), "{text}");
        }
    }
    let prog =
        std::fs::read_to_string(site.join("content/programmes/using-data-better.md")).unwrap();
    assert!(
        prog.contains("weight = 2"),
        "after the existing programme: {prog}"
    );
    // The new pages build and pass check (warnings allowed: the new
    // programme lists no priorities yet, and the build says so).
    let err = ok(&throughline(&site, &["check"]));
    assert!(err.contains("lists no"), "{err}");
    ok(&throughline(&site, &["build"]));
    assert!(site
        .join("public/programmes/using-data-better/index.html")
        .exists());
}

#[test]
fn new_never_overwrites() {
    let (_tmp, site) = init("github", &[]);
    let file = site.join("content/programmes/healthy-hearts.md");
    let before = std::fs::read_to_string(&file).unwrap();
    let out = throughline(&site, &["new", "programme", "Healthy hearts"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists"), "{err}");
    assert!(
        err.contains("content/programmes/healthy-hearts.md"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // --slug gives another file.
    ok(&throughline(
        &site,
        &[
            "new",
            "programme",
            "Healthy hearts",
            "--slug",
            "healthy-hearts-2",
        ],
    ));
    assert!(site.join("content/programmes/healthy-hearts-2.md").exists());
}

#[test]
fn new_uses_the_sites_archetype_and_its_folders() {
    let (_tmp, site) = init("github", &[]);
    std::fs::create_dir_all(site.join("archetypes")).unwrap();
    std::fs::write(
        site.join("archetypes/programme.md"),
        "+++\ntitle = \"{{ title }}\"\nweight = {{ weight }}\n[extra]\npriorities = [\"improving-population-health\"]\nlead = \"Our own lead\"\n+++\nOurs.\n",
    )
    .unwrap();
    let config = std::fs::read_to_string(site.join("config.toml"))
        .unwrap()
        .replace("programmes = \"programmes\"", "programmes = \"work\"");
    std::fs::write(site.join("config.toml"), config).unwrap();
    std::fs::rename(site.join("content/programmes"), site.join("content/work")).unwrap();
    ok(&throughline(&site, &["new", "programmes", "Say \"hello\""]));
    let text = std::fs::read_to_string(site.join("content/work/say-hello.md")).unwrap();
    assert!(text.contains("lead = \"Our own lead\""));
    assert!(text.contains("title = \"Say \\\"hello\\\"\""), "{text}");
    ok(&throughline(&site, &["check", "--deny-warnings"]));

    let out = throughline(&site, &["new", "programe", "X"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `programme`?"));
}
