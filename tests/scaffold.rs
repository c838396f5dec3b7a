//! `throughline init` writes a site that builds at once and passes `check`
//! once its owner has filled in what it marks FILL IN, with CI files for
//! each host; its GitHub workflow is valid YAML whose check and build steps
//! pass when run by hand (the check only once the marks are filled); `new`
//! writes pages from archetypes and never overwrites.

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
        // check fails until the owner fills in what init marked.
        let unfilled = throughline(&site, &["check"]);
        assert!(!unfilled.status.success(), "{host}");
        assert!(String::from_utf8_lossy(&unfilled.stderr).contains("still to fill in"));
        fill_in_everything(&site);
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

/// A stand-in for `cargo` (and `cargo-binstall`) that logs how it was
/// run, and "installs" the binary under test where `--root` (or
/// `CARGO_HOME`) says, as `cargo install` would.
#[cfg(unix)]
fn fake_cargo(dir: &Path, with_binstall: bool, binstall_fails: bool) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        r#"#!/bin/sh
echo "cargo $*" >> "{log}"
if [ "$1" = binstall ] && [ -n "{fails}" ]; then exit 1; fi
root="${{CARGO_HOME:-$HOME/.cargo}}"
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then root="$2"; shift; fi
  shift
done
mkdir -p "$root/bin" && ln -sf "{real}" "$root/bin/throughline"
"#,
        log = dir.join("cargo.log").display(),
        fails = if binstall_fails { "yes" } else { "" },
        real = env!("CARGO_BIN_EXE_throughline"),
    );
    let mut names = vec!["cargo"];
    if with_binstall {
        names.push("cargo-binstall");
    }
    for name in names {
        let p = bin.join(name);
        std::fs::write(&p, &script).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// Run `script` as a CI host would, with `env`, the fake cargo first on
/// PATH; returns what cargo was asked to do, a line per run.
#[cfg(unix)]
fn run_install(
    site: &Path,
    script: &str,
    env: &[(String, String)],
    with_binstall: bool,
    binstall_fails: bool,
) -> Vec<String> {
    let scratch = tempfile::tempdir().unwrap();
    let bin = fake_cargo(scratch.path(), with_binstall, binstall_fails);
    let out = Command::new("sh")
        .args(["-e", "-c", script])
        .current_dir(site)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", scratch.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    ok(&out);
    std::fs::read_to_string(scratch.path().join("cargo.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn strings(map: &serde_json::Value) -> Vec<(String, String)> {
    map.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

/// What the CI files of each host install: this version from crates.io
/// (with cargo-binstall where the machine has it, falling back to a
/// build), or with --install-from the git form. Each install script is
/// run with a stand-in cargo that records what it was asked.
#[cfg(unix)]
#[test]
fn the_ci_files_install_this_version_from_the_registry() {
    let version = env!("CARGO_PKG_VERSION");
    let install = format!("cargo install --locked throughline@{version}");
    let binstall = format!(
        "cargo binstall --no-confirm --locked --disable-strategies quick-install throughline@{version}"
    );

    // GitHub: the env names the version; the cache key follows it.
    let (_t1, gh) = init("github", &[]);
    let wf: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string(gh.join(".github/workflows/publish.yml")).unwrap(),
    )
    .unwrap();
    assert_eq!(wf["env"]["THROUGHLINE_VERSION"], version);
    let steps = wf["jobs"]["build"]["steps"].as_array().unwrap();
    let cache = steps.iter().find(|s| s["id"] == "cache").unwrap();
    assert_eq!(
        cache["with"]["key"],
        "throughline-${{ runner.os }}-${{ env.THROUGHLINE_VERSION }}"
    );
    let step = steps
        .iter()
        .find(|s| s["name"] == "Install throughline")
        .unwrap();
    let script = step["run"].as_str().unwrap();
    let env = strings(&wf["env"]);
    assert_eq!(
        run_install(&gh, script, &env, false, false),
        [install.as_str()]
    );
    assert_eq!(
        run_install(&gh, script, &env, true, false),
        [binstall.as_str()]
    );
    assert_eq!(
        run_install(&gh, script, &env, true, true),
        [binstall.as_str(), install.as_str()],
        "a failed binstall falls back to cargo install"
    );

    // GitLab: the before_script installs into CARGO_HOME, once per
    // version (the cache key).
    let (_t2, gl) = init("gitlab", &[]);
    let y: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(gl.join(".gitlab-ci.yml")).unwrap())
            .unwrap();
    assert_eq!(y["variables"]["THROUGHLINE_VERSION"], version);
    assert_eq!(
        y["default"]["cache"]["key"],
        "throughline-$THROUGHLINE_VERSION"
    );
    let script: Vec<&str> = y["default"]["before_script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let script = script.join("\n");
    let mut env = strings(&y["variables"]);
    for (k, v) in &mut env {
        if k == "CARGO_HOME" {
            *v = v.replace("$CI_PROJECT_DIR", &gl.display().to_string());
        }
    }
    assert_eq!(
        run_install(&gl, &script, &env, false, false),
        [install.as_str()]
    );
    assert!(gl.join(".cargo/bin/throughline").exists());
    assert!(
        run_install(&gl, &script, &env, false, false).is_empty(),
        "installed once: the cached binary is used"
    );
    std::fs::remove_dir_all(gl.join(".cargo")).unwrap();
    assert_eq!(
        run_install(&gl, &script, &env, true, false),
        [binstall.as_str()]
    );

    // Netlify: the build script installs into .throughline/VERSION (what
    // the cache keeps), then checks and builds with it.
    let (_t3, nl) = init("netlify", &[]);
    fill_in_everything(&nl);
    let t: toml::Table = std::fs::read_to_string(nl.join("netlify.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let env: Vec<(String, String)> = t["build"]["environment"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    assert_eq!(env, [("THROUGHLINE_VERSION".into(), version.into())]);
    let root = format!(".throughline/{version}");
    let script = "./netlify-build.sh https://preview.example/";
    assert_eq!(
        run_install(&nl, script, &env, false, false),
        [format!(
            "cargo install --locked --root {root} throughline@{version}"
        )]
    );
    assert!(nl.join(&root).join("bin/throughline").exists());
    let home = std::fs::read_to_string(nl.join("public/index.html")).unwrap();
    assert!(home.contains("https://preview.example/priorities/"));
    assert!(
        run_install(&nl, script, &env, true, false).is_empty(),
        "installed once: the cached binary is used"
    );
    std::fs::remove_dir_all(nl.join(".throughline")).unwrap();
    assert_eq!(
        run_install(&nl, script, &env, true, false),
        [format!(
            "cargo binstall --no-confirm --locked --disable-strategies quick-install --root {root} throughline@{version}"
        )]
    );
}

/// `--install-from URL@REV` keeps the git form, for a fork or a revision
/// not yet released.
#[cfg(unix)]
#[test]
fn install_from_builds_from_git() {
    let from = ["--install-from", "https://git.example/tl.git@abc1234"];
    let git = "cargo install --locked --git https://git.example/tl.git --rev abc1234 throughline";
    let (_t1, gh) = init("github", &from);
    let wf: serde_json::Value = serde_norway::from_str(
        &std::fs::read_to_string(gh.join(".github/workflows/publish.yml")).unwrap(),
    )
    .unwrap();
    assert!(wf["env"].get("THROUGHLINE_VERSION").is_none());
    let steps = wf["jobs"]["build"]["steps"].as_array().unwrap();
    let step = steps
        .iter()
        .find(|s| s["name"] == "Install throughline")
        .unwrap();
    let env = strings(&wf["env"]);
    let script = step["run"].as_str().unwrap();
    assert_eq!(run_install(&gh, script, &env, true, false), [git]);
    let cache = steps.iter().find(|s| s["id"] == "cache").unwrap();
    assert_eq!(
        cache["with"]["key"],
        "throughline-${{ runner.os }}-git-${{ env.THROUGHLINE_REV }}"
    );

    let (_t2, gl) = init("gitlab", &from);
    let y: serde_json::Value =
        serde_norway::from_str(&std::fs::read_to_string(gl.join(".gitlab-ci.yml")).unwrap())
            .unwrap();
    let script: Vec<&str> = y["default"]["before_script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let mut env = strings(&y["variables"]);
    for (_, v) in &mut env {
        *v = v.replace("$CI_PROJECT_DIR", &gl.display().to_string());
    }
    assert_eq!(
        run_install(&gl, &script.join("\n"), &env, false, false),
        [git]
    );

    let (_t3, nl) = init("netlify", &from);
    fill_in_everything(&nl);
    let t: toml::Table = std::fs::read_to_string(nl.join("netlify.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let env: Vec<(String, String)> = t["build"]["environment"]
        .as_table()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        run_install(&nl, "./netlify-build.sh https://x.example/", &env, false, false),
        ["cargo install --locked --git https://git.example/tl.git --rev abc1234 --root .throughline/git-abc1234 throughline"]
    );
}

/// Each CI file says, at its top, what to switch on at the host.
#[test]
fn each_ci_file_says_what_to_switch_on_at_the_host() {
    for (host, file, needs) in [
        (
            "github",
            ".github/workflows/publish.yml",
            "Settings → Pages → Build and deployment, set \"Source\" to \"GitHub Actions\"",
        ),
        (
            "gitlab",
            ".gitlab-ci.yml",
            "Pages must be on for the project",
        ),
        ("netlify", "netlify.toml", "Import an existing project"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = throughline(tmp.path(), &["init", "site", "--host", host]);
        ok(&out);
        let text = std::fs::read_to_string(tmp.path().join("site").join(file)).unwrap();
        let head: String = text
            .lines()
            .take_while(|l| l.starts_with('#') || l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .replace("# ", "");
        assert!(head.contains(needs), "{host}: {head}");
        // And that its check fails until what init marked is filled in.
        assert!(head.contains("marked FILL IN is left"), "{host}: {head}");
        // init says it too.
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains(file), "{said}");
    }
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
    // actions/configure-pages reads the Pages settings: the build job
    // needs `pages: read` besides `contents: read`.
    assert_eq!(
        wf["jobs"]["build"]["permissions"],
        serde_json::json!({"contents": "read", "pages": "read"})
    );
    // A deploy in progress is never cancelled half-way.
    assert_eq!(wf["concurrency"]["cancel-in-progress"], false);
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

    let bin_dir = Path::new(env!("CARGO_BIN_EXE_throughline"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run_step = |name: &str, base_url: &str| {
        let step = steps.iter().find(|s| s["name"] == name).unwrap();
        let script = step["run"].as_str().unwrap();
        Command::new("bash")
            .args(["-eo", "pipefail", "-c", script])
            .current_dir(&site)
            .env("PATH", &path)
            .env("BASE_URL", base_url)
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
    };
    let run = |name: &str, base_url: &str| {
        ok(&run_step(name, base_url));
    };
    // The check step fails, so nothing is published, until what init
    // marked is filled in.
    let unfilled = run_step("Check the site", "");
    assert!(!unfilled.status.success());
    assert!(String::from_utf8_lossy(&unfilled.stderr).contains("content/accessibility.md:"));
    fill_in_everything(&site);
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
    // With the programme's placeholder filled, the new pages build and
    // pass check (warnings allowed: nothing refers to the new priority).
    let file = site.join("content/programmes/using-data-better.md");
    let filled = std::fs::read_to_string(&file).unwrap().replace(
        "\"FILL IN: the id of each priority it delivers\"",
        "\"tackling-inequalities\"",
    );
    std::fs::write(&file, filled).unwrap();
    fill_in_everything(&site);
    ok(&throughline(&site, &["check"]));
    ok(&throughline(&site, &["build"]));
    assert!(site
        .join("public/programmes/using-data-better/index.html")
        .exists());
}

/// What `new` printed: the file, the placeholder lines to fill (file,
/// line number, the line) and what else to do.
struct Printed {
    file: String,
    fill: Vec<(String, usize, String)>,
    then: Option<String>,
}

fn printed(stdout: &str) -> Printed {
    let mut lines = stdout.lines();
    let file = lines
        .next()
        .and_then(|l| l.strip_prefix("Wrote "))
        .unwrap_or_else(|| panic!("no `Wrote` line: {stdout}"))
        .to_string();
    let mut fill = Vec::new();
    let mut then = None;
    for l in lines {
        if let Some(rest) = l.strip_prefix("  ") {
            let (path, rest) = rest.split_once(':').unwrap();
            let (n, text) = rest.split_once(": ").unwrap();
            fill.push((path.to_string(), n.parse().unwrap(), text.to_string()));
        } else if l.starts_with("Then ") {
            then = Some(l.to_string());
        }
    }
    Printed { file, fill, then }
}

/// An id of the new site's own, for the key a placeholder line sets.
fn existing_id(line: &str) -> &'static str {
    let key = line.split('=').next().unwrap().trim();
    match key {
        "priorities" => "improving-population-health",
        "commitments" => "support-close-to-home",
        "programmes" => "healthy-hearts",
        "measures" => "blood-pressure-checks",
        "status" => "on-track",
        other => panic!("no id to fill `{other}` with"),
    }
}

/// Every kind `new` offers writes a page that fails `check` while a
/// placeholder is left, says which lines to fill (and what else to
/// change), and passes `check --deny-warnings` once that is done, as a
/// writer would do it: by editing those lines.
#[test]
fn new_pages_pass_check_once_their_placeholders_are_filled() {
    // The kinds, as `new` itself lists them (asking the plugins, which
    // read the site's config).
    let (_tmp, site) = init("github", &[]);
    let out = throughline(&site, &["new", "zzz", "X"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let kinds: Vec<String> = err
        .split("the kinds are: ")
        .nth(1)
        .unwrap_or_else(|| panic!("{err}"))
        .lines()
        .next()
        .unwrap()
        .split(", ")
        .map(str::to_string)
        .collect();
    assert_eq!(kinds.len(), 8, "{kinds:?}");
    let mut placeholders = 0;
    for kind in &kinds {
        let (_tmp, site) = init("github", &[]);
        // The owner has filled in what init marked.
        fill_in_everything(&site);
        let statement = kind == "accessibility-statement";
        if statement {
            std::fs::remove_file(site.join("content/accessibility.md")).unwrap();
        }
        let title = match kind.as_str() {
            "year" => "2030/31",
            // An update names the programme it is about; the site's one
            // has this year's update already, so it goes first.
            "update" => {
                std::fs::remove_file(site.join("content/annual-review/2025-26/healthy-hearts.md"))
                    .unwrap();
                "healthy-hearts"
            }
            _ => "A new one",
        };
        let out = throughline(&site, &["new", kind, title]);
        ok(&out);
        let p = printed(&String::from_utf8_lossy(&out.stdout));
        let path = site.join(&p.file);
        let text = std::fs::read_to_string(&path).unwrap();
        // The printed lines are the page's lines with a placeholder (a
        // long line of prose shown as its placeholders).
        let expected: Vec<(String, usize, String)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| l.contains("FILL IN:") && !l.trim_start().starts_with("# "))
            .map(|(n, l)| (p.file.clone(), n + 1, l.trim().to_string()))
            .collect();
        assert_eq!(p.fill.len(), expected.len(), "{kind}");
        for (printed, line) in p.fill.iter().zip(&expected) {
            assert_eq!(printed.0, line.0, "{kind}");
            assert_eq!(printed.1, line.1, "{kind}");
            assert!(
                printed.2 == line.2
                    || (line.2.len() > 100
                        && printed
                            .2
                            .split(" … ")
                            .all(|m| m.starts_with("[FILL IN:") && line.2.contains(m))),
                "{kind}: {printed:?} for {line:?}"
            );
        }
        if !p.fill.is_empty() {
            placeholders += 1;
            let out = throughline(&site, &["check"]);
            assert!(!out.status.success(), "{kind}: check passed a placeholder");
            let err = String::from_utf8_lossy(&out.stderr);
            // An id left as a placeholder is the strategy's error; text
            // to write (in brackets) is check's.
            let said = if statement || p.fill[0].2.contains("[FILL IN:") {
                "still to fill in"
            } else {
                "still has the placeholder"
            };
            assert!(err.contains(said), "{kind}: {err}");
            let (_, line, _) = &p.fill[0];
            assert!(
                err.contains(&format!("{}:{line}:", p.file)),
                "{kind}: {err}"
            );
        }
        // Fill each line by editing it.
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for (_, n, line) in &p.fill {
            let l = &mut lines[n - 1];
            if statement || l.contains("[FILL IN:") {
                *l = common::filled(l);
                continue;
            }
            let start = l.find("\"FILL IN").unwrap();
            let end = start + 1 + l[start + 1..].find('"').unwrap();
            l.replace_range(start..=end, &format!("\"{}\"", existing_id(line)));
        }
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        // And what the "Then" line says to change elsewhere.
        match kind.as_str() {
            "priority" => {
                let then = p.then.as_deref().unwrap();
                assert!(then.contains("\"a-new-one\""), "{then}");
                let f = site.join("content/programmes/healthy-hearts.md");
                let t = std::fs::read_to_string(&f).unwrap().replace(
                    "priorities = [\"improving-population-health\"]",
                    "priorities = [\"improving-population-health\", \"a-new-one\"]",
                );
                std::fs::write(&f, t).unwrap();
            }
            "year" => {
                let then = p.then.as_deref().unwrap();
                assert!(then.contains("{ period = \"2030/31\""), "{then}");
                let f = site.join("content/measures/blood-pressure-checks.md");
                let t = std::fs::read_to_string(&f).unwrap().replace(
                    "  { period = \"2025/26\", value = 15500 },\n",
                    "  { period = \"2025/26\", value = 15500 },\n  { period = \"2030/31\" },\n",
                );
                std::fs::write(&f, t).unwrap();
            }
            _ => assert!(p.then.is_none(), "{kind}: {:?}", p.then),
        }
        let err = ok(&throughline(&site, &["check", "--deny-warnings"]));
        assert!(err.contains("no errors, 0 warning(s)"), "{kind}: {err}");
    }
    assert!(placeholders > 0, "some kind has a placeholder to fill");
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
    fill_in_everything(&site);
    ok(&throughline(&site, &["new", "programmes", "Say \"hello\""]));
    let text = std::fs::read_to_string(site.join("content/work/say-hello.md")).unwrap();
    assert!(text.contains("lead = \"Our own lead\""));
    assert!(text.contains("title = \"Say \\\"hello\\\"\""), "{text}");
    ok(&throughline(&site, &["check", "--deny-warnings"]));

    let out = throughline(&site, &["new", "programe", "X"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `programme`?"));
}

/// The config `init` writes points to the page that explains its keys,
/// by a name that exists in throughline's source (and its crate).
#[test]
fn the_config_points_to_docs_configuration() {
    let (_tmp, site) = init("github", &[]);
    let config = std::fs::read_to_string(site.join("config.toml")).unwrap();
    let head: String = config
        .lines()
        .take_while(|l| l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(head.contains("docs/configuration.md"), "{head}");
    assert!(!config.contains("README"), "{config}");
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs/configuration.md")
        .is_file());
}

/// The search page and the accessibility statement are linked from every
/// page; `init` marks them `listed = false`, so the home page does not
/// list them as if they were content (found in the new-user trial).
#[test]
fn the_home_page_does_not_list_the_search_page_or_the_statement() {
    let (_tmp, site) = init("github", &[]);
    ok(&throughline(&site, &["build"]));
    let home = std::fs::read_to_string(site.join("public/index.html")).unwrap();
    for page in ["/search/", "/accessibility/"] {
        assert!(
            !home.contains(&format!(
                "item-list__title\"><a href=\"https://example.org{page}\""
            )),
            "{page} listed on the home page"
        );
    }
    // Linked still, from the header and the footer.
    assert!(home.contains("/accessibility/"));
    assert!(home.contains("/search/"));
}
