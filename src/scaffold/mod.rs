//! `throughline init` and `throughline new`: a new site that builds at once,
//! and a new page with the right front matter. Both refuse to overwrite
//! anything: a communications officer who runs them twice loses nothing.
//!
//! The core writes what every site has; plugins add their own
//! ([`Plugin::init_files`], [`Plugin::init_config`]) and write the kinds
//! of page they know ([`Plugin::new_page`]). The core's files are embedded:
//! `site/` is the starting site, `hosts/NAME/` the CI files for each static
//! host, `archetypes/` the page for each of the core's kinds (a site's own
//! `archetypes/KIND.md` wins, as in Hugo: see [`archetype`]).

use std::path::{Component, Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::Plugin;

static SITE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold/site");
static HOSTS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold/hosts");
static ARCHETYPES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/scaffold/archetypes");

/// The static hosts `init` writes CI files for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    Github,
    Gitlab,
    Netlify,
}

impl Host {
    fn folder(self) -> &'static str {
        match self {
            Host::Github => "github",
            Host::Gitlab => "gitlab",
            Host::Netlify => "netlify",
        }
    }

    /// What the site's owner must switch on at the host before the first
    /// publish (each CI file says it too, in a comment at its top).
    pub fn switch_on(self) -> &'static str {
        match self {
            Host::Github => "Before the first push to main: in the repository's Settings → Pages, set Source to \"GitHub Actions\" (see .github/workflows/publish.yml).",
            Host::Gitlab => "Before the first push: make sure Pages is on for the project (Settings → General → Visibility, project features, permissions) and CI/CD has a runner (see .gitlab-ci.yml).",
            Host::Netlify => "To publish: at Netlify, add a site from this repository (Add new site → Import an existing project); netlify.toml sets the build (see its comments).",
        }
    }
}

/// Where the CI files `init` writes install throughline from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    /// This version from the package registry (crates.io):
    /// `cargo binstall` where the machine has it, else
    /// `cargo install --locked throughline@VERSION`.
    Registry { version: String },
    /// `cargo install --locked --git URL --rev REV`: a fork, or a revision
    /// not yet released.
    Git(InstallFrom),
}

impl Install {
    /// The version of throughline that is running: what wrote the files.
    pub fn this_version() -> Install {
        Install::Registry {
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// A repository and revision to install from: `--install-from URL@REV`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallFrom {
    pub url: String,
    pub rev: String,
}

impl InstallFrom {
    /// `URL@REV`; the `@` is the last one, so `git@host:…` URLs work.
    /// Quotes, backslashes, `$`, backticks and spaces are refused: the
    /// value goes into quoted strings in YAML, TOML and shell.
    pub fn parse(s: &str) -> Result<InstallFrom, String> {
        if let Some(c) = s
            .chars()
            .find(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '$' | '`'))
        {
            return Err(format!(
                "`{s}` has {c:?} in it, which a repository address or revision cannot have in the CI files"
            ));
        }
        match s.rsplit_once('@') {
            Some((url, rev)) if !url.is_empty() && !rev.is_empty() && !rev.contains('/') => {
                Ok(InstallFrom {
                    url: url.to_string(),
                    rev: rev.to_string(),
                })
            }
            _ => Err(format!(
                "`{s}` is not URL@REV: write the repository and the revision, e.g. https://github.com/you/throughline@v0.1.0"
            )),
        }
    }
}

/// What `init` was asked for.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub host: Host,
    pub install: Install,
    /// Write into a folder that already has files (never over a file).
    pub force: bool,
}

/// What `init` did.
#[derive(Debug, Default)]
pub struct Written {
    pub created: Vec<PathBuf>,
    /// Files that existed and were left as they were (with `--force`).
    pub kept: Vec<PathBuf>,
    /// What is left for the owner to fill in, in the files written: (file
    /// in the site, line number, the line).
    pub fill: Vec<(PathBuf, usize, String)>,
}

/// The file in `content/` an accessibility statement is written to, and
/// its title.
const STATEMENT_FILE: &str = "accessibility.md";
const STATEMENT_TITLE: &str = "Accessibility statement";

fn statement_archetype() -> &'static str {
    ARCHETYPES
        .get_file("accessibility-statement.md")
        .and_then(|f| f.contents_utf8())
        .unwrap_or_default()
}

/// Every file a new site gets, as (path in the site, contents): the
/// core's, then each plugin's (a path the core or an earlier plugin
/// already gives is not replaced), with each plugin's config text at the
/// end of `config.toml`, after a blank line.
fn init_files(opts: &InitOptions, plugins: &[Box<dyn Plugin>]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    collect(&SITE, &mut out);
    if let Some((_, config)) = out.iter_mut().find(|(p, _)| p == Path::new("config.toml")) {
        for text in plugins.iter().map(|p| p.init_config()) {
            if text.trim().is_empty() {
                continue;
            }
            if !config.ends_with(b"\n") {
                config.push(b'\n');
            }
            config.push(b'\n');
            config.extend_from_slice(text.as_bytes());
        }
    }
    // The accessibility statement is the one `new accessibility-statement`
    // writes: one copy of the model.
    out.push((
        PathBuf::from("content").join(STATEMENT_FILE),
        statement_archetype()
            .replace("{{ title }}", STATEMENT_TITLE)
            .into_bytes(),
    ));
    let mut ci = Vec::new();
    if let Some(host) = HOSTS.get_dir(opts.host.folder()) {
        collect(host, &mut ci);
    }
    let prefix = Path::new(opts.host.folder());
    for (p, bytes) in ci {
        let rel = p.strip_prefix(prefix).unwrap_or(&p).to_path_buf();
        let text = render_ci(&String::from_utf8_lossy(&bytes), &opts.install);
        out.push((rel, text.into_bytes()));
    }
    for (p, _) in &mut out {
        // Stored without its dot: a `.gitignore` in this repository's
        // source tree would act on the repository itself.
        if p == Path::new("gitignore") {
            *p = PathBuf::from(".gitignore");
        }
    }
    let mut taken: std::collections::HashSet<PathBuf> =
        out.iter().map(|(p, _)| p.clone()).collect();
    for plugin in plugins {
        for (p, bytes) in plugin.init_files() {
            // A path inside the new site only: never `/x` or `../x`.
            let inside = p.components().count() > 0
                && p.components().all(|c| matches!(c, Component::Normal(_)));
            if inside && taken.insert(p.clone()) {
                out.push((p, bytes));
            }
        }
    }
    out.sort();
    out
}

/// A host's CI file for `install`. Between a line `@@if registry@@` (or
/// `@@if git@@`) and a line `@@end@@` is what only that source needs;
/// `@@VERSION@@`, `@@INSTALL_URL@@` and `@@INSTALL_REV@@` are its values.
fn render_ci(template: &str, install: &Install) -> String {
    let registry = matches!(install, Install::Registry { .. });
    let mut keep = true;
    let mut out = String::with_capacity(template.len());
    for line in template.split_inclusive('\n') {
        match line.trim() {
            "@@if registry@@" => keep = registry,
            "@@if git@@" => keep = !registry,
            "@@end@@" => keep = true,
            _ if keep => out.push_str(line),
            _ => {}
        }
    }
    match install {
        Install::Registry { version } => out.replace("@@VERSION@@", version),
        Install::Git(from) => out
            .replace("@@INSTALL_URL@@", &from.url)
            .replace("@@INSTALL_REV@@", &from.rev),
    }
}

fn collect(dir: &Dir<'_>, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for f in dir.files() {
        out.push((f.path().to_path_buf(), f.contents().to_vec()));
    }
    for d in dir.dirs() {
        collect(d, out);
    }
}

/// Write a new site into `dir`, with what each of `plugins` adds. A folder
/// with files in it is refused unless `force`, and even then no existing
/// file is replaced.
pub fn init(
    dir: &Path,
    opts: &InitOptions,
    plugins: &[Box<dyn Plugin>],
) -> Result<Written, Diagnostic> {
    let not_empty = std::fs::read_dir(dir)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if dir.exists() && !dir.is_dir() {
        return Err(
            Diagnostic::error(format!("`{}` is a file, not a folder", dir.display()))
                .with_hint("give the name of a new folder for the site"),
        );
    }
    if not_empty && !opts.force {
        return Err(Diagnostic::error(format!(
            "the folder `{}` is not empty, so a new site was not written into it",
            dir.display()
        ))
        .with_hint("give the name of a new folder, or add --force to add the site's files beside what is there (no file is ever replaced)"));
    }
    let mut written = Written::default();
    for (rel, bytes) in init_files(opts, plugins) {
        let path = dir.join(&rel);
        if path.exists() {
            written.kept.push(rel);
            continue;
        }
        write_new(&path, &bytes)?;
        if rel.extension().is_some_and(|e| e == "sh") {
            make_executable(&path);
        }
        if matches!(
            rel.extension().and_then(|e| e.to_str()),
            Some("md" | "toml")
        ) {
            for (n, line) in placeholder_lines(&String::from_utf8_lossy(&bytes)) {
                written.fill.push((rel.clone(), n, line));
            }
        }
        written.created.push(rel);
    }
    Ok(written)
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// Create `path` (and its folders) with `bytes`, failing if it exists:
/// `create_new` makes the check and the write one step. For `new`: the
/// error says to choose another title or `--slug`.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::error(format!(
                "cannot create the folder `{}`: {e}",
                parent.display()
            ))
        })?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Diagnostic::error(format!(
                "`{}` already exists, so nothing was written",
                path.display()
            ))
            .in_file(path)
            .with_hint("edit the page that is there, or choose another title (or --slug)"),
            _ => Diagnostic::error(format!("cannot write `{}`: {e}", path.display())),
        })?;
    f.write_all(bytes)
        .map_err(|e| Diagnostic::error(format!("cannot write `{}`: {e}", path.display())))
}

/// The kinds of page the core writes itself, whatever the plugins: the
/// accessibility statement, from the model statement, where the default
/// theme's footer links it.
const CORE_KINDS: [&str; 1] = ["accessibility-statement"];

/// Whether `kind` names the accessibility statement (`accessibility`,
/// `statement`, `Accessibility statement`…).
fn is_statement(kind: &str) -> bool {
    let l = kind.trim().to_lowercase();
    let words: Vec<&str> = l.split([' ', '-', '_']).filter(|w| !w.is_empty()).collect();
    matches!(
        words.as_slice(),
        ["accessibility"] | ["accessibility", "statement"] | ["statement"]
    )
}

/// Every kind `new` writes: each plugin's ([`Plugin::new_kinds`]), then
/// the core's.
pub fn new_kinds(plugins: &[Box<dyn Plugin>]) -> Vec<String> {
    let mut names: Vec<String> = plugins.iter().flat_map(|p| p.new_kinds()).collect();
    names.extend(CORE_KINDS.map(String::from));
    names
}

/// The error for a kind nobody writes, with the one it most looks like.
fn unknown_kind(kind: &str, plugins: &[Box<dyn Plugin>]) -> Diagnostic {
    let l = kind.trim().to_lowercase();
    let names = new_kinds(plugins);
    let list = names.join(", ");
    let hint = match crate::diagnostics::closest(&l, names.iter().map(String::as_str)) {
        Some(n) => format!("did you mean `{n}`? The kinds are: {list}"),
        None => format!("the kinds are: {list}"),
    };
    Diagnostic::error(format!(
        "`{kind}` is not a kind of page throughline can write"
    ))
    .with_hint(hint)
}

/// How text `init` and `new` leave for the site's owner to fill in
/// begins: `FILL IN:` and then what to write. In prose it is bracketed
/// (`This website is run by [FILL IN: name of your organisation].`), as a
/// value it is the whole string (`author = "FILL IN: who wrote it"`).
/// Nothing else writes it, so `check` reports every one left as an error
/// (`check::publishing`); a plugin that reads a value left as one may fail
/// the build too, saying so with [`CODE_FILL_IN`].
pub const PLACEHOLDER: &str = "FILL IN:";

/// The code on diagnostics about text left to fill in. `check` reports a
/// marker only where no diagnostic with this code already points at its
/// line: one mistake, one error.
pub const CODE_FILL_IN: &str = "fill-in";

/// Whether `value` is a placeholder `new` wrote and nobody filled in.
pub fn is_placeholder(value: &str) -> bool {
    value.trim_start().starts_with(PLACEHOLDER)
}

/// A marker of text left to fill in, found in a file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// Bytes of the marker in the text: the brackets or quotes around it
    /// included.
    pub span: std::ops::Range<usize>,
    /// What it asks for: the words after `FILL IN:`.
    pub asks: String,
}

/// Every marker in `text`. A line that starts with `#` before byte
/// `comments_until` is a TOML comment (the front matter of a page, or the
/// whole of a config file) and may explain markers: it is skipped. After
/// that, in a Markdown body, `#` starts a heading and is read.
pub fn markers(text: &str, comments_until: usize) -> Vec<Marker> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(PLACEHOLDER).map(|i| from + i) {
        from = at + PLACEHOLDER.len();
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        if line_start < comments_until && text[line_start..at].trim_start().starts_with('#') {
            continue;
        }
        let after = &text[from..line_end];
        let (start, close) = match text[..at].chars().next_back() {
            Some(c @ ('[' | '"')) => (at - 1, Some(if c == '[' { ']' } else { '"' })),
            _ => (at, None),
        };
        let (asks, end) = match close.and_then(|c| after.find(c)) {
            Some(i) => (&after[..i], from + i + 1),
            None => (after, line_end),
        };
        out.push(Marker {
            span: start..end,
            asks: asks.trim().trim_end_matches('\r').to_string(),
        });
        from = from.max(end);
    }
    out
}

/// Where the body of a page's `text` starts (after its front matter), for
/// [`markers`]; the whole text when it has no front matter.
fn body_offset(text: &str) -> usize {
    crate::load::frontmatter::split(Path::new(""), text)
        .map(|s| s.body_offset)
        .unwrap_or(text.len())
}

pub use crate::plugin::{NewPage, NewRequest};

/// The lines of `text` (a page, or a config file) that hold a marker, to
/// print: (line number, the line), or the markers alone where the line is
/// a long line of prose.
pub fn placeholder_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    for m in markers(text, body_offset(text)) {
        let n = text[..m.span.start].matches('\n').count() + 1;
        if out.last().is_some_and(|(last, _)| *last == n) {
            continue;
        }
        let line = text.lines().nth(n - 1).unwrap_or("").trim();
        let shown = if line.chars().count() <= 100 {
            line.to_string()
        } else {
            markers(line, 0)
                .iter()
                .map(|m| &line[m.span.clone()])
                .collect::<Vec<_>>()
                .join(" … ")
        };
        out.push((n, shown));
    }
    out
}

/// Write a new page of `kind` titled `title` in the site at `root`: the
/// accessibility statement, or a page of a kind one of `plugins` writes
/// (the first to take the kind). Returns its path and what its writer
/// must fill in.
pub fn new_page(
    root: &Path,
    config_file: Option<&Path>,
    kind: &str,
    title: &str,
    slug: Option<&str>,
    plugins: &[Box<dyn Plugin>],
) -> Result<NewPage, Vec<Diagnostic>> {
    let title = title.trim();
    let diags = Diagnostics::new();
    let opts = crate::build::Options {
        root: root.to_path_buf(),
        config_file: config_file.map(Path::to_path_buf),
        ..Default::default()
    };
    let Some(config) = crate::build::load_config(&opts, &diags) else {
        return Err(diags.snapshot());
    };
    if is_statement(kind) {
        let title = if title.is_empty() {
            STATEMENT_TITLE
        } else {
            title
        };
        return new_statement(root, &config, title, slug);
    }
    let req = NewRequest {
        root,
        config: &config,
        kind,
        title,
        slug,
    };
    for plugin in plugins {
        match plugin.new_page(&req) {
            Some(Ok(page)) => return Ok(page),
            // The config's warnings first, as a build shows them.
            Some(Err(ds)) => {
                let mut all = diags.snapshot();
                all.extend(ds);
                return Err(all);
            }
            None => {}
        }
    }
    Err(vec![unknown_kind(kind, plugins)])
}

/// The text of archetype `name` for the site at `root`: the site's own
/// `archetypes/NAME.md` if it has one (as in Hugo), else `built_in`.
/// Placeholders such as `{{ title }}` are left for the caller to replace.
pub fn archetype(root: &Path, name: &str, built_in: &str) -> Result<String, Vec<Diagnostic>> {
    let own = root.join("archetypes").join(format!("{name}.md"));
    if own.is_file() {
        std::fs::read_to_string(&own).map_err(|e| {
            vec![Diagnostic::error(format!("cannot read the archetype: {e}")).in_file(&own)]
        })
    } else {
        Ok(built_in.to_string())
    }
}

/// Write the accessibility statement from the model (or the site's own
/// `archetypes/accessibility-statement.md`) where the default theme's
/// footer links it: `content/accessibility.md` (or `--slug`), with a
/// `path` when the config's `extra.accessibility_statement` names another
/// path, or the content file that names.
fn new_statement(
    root: &Path,
    config: &crate::config::Config,
    title: &str,
    slug: Option<&str>,
) -> Result<NewPage, Vec<Diagnostic>> {
    use crate::render::theme::StatementAt;
    let content = root.join("content");
    let name = match slug {
        Some(s) => crate::slug::slugify(s, config.slugify.paths),
        None => "accessibility".to_string(),
    };
    if name.is_empty() {
        return Err(vec![Diagnostic::error(format!(
            "`{}` gives an empty file name",
            slug.unwrap_or_default()
        ))
        .with_hint("use some letters or numbers in --slug")]);
    }
    let (file, path) = match StatementAt::from_config(config) {
        StatementAt::Content(f) => (content.join(f), None),
        StatementAt::Path(p) if p == name => (content.join(format!("{name}.md")), None),
        StatementAt::Path(p) => (content.join(format!("{name}.md")), Some(p)),
        StatementAt::Elsewhere(url) => {
            return Err(vec![Diagnostic::error(format!(
                "the footer links to the accessibility statement at {url}, on another site, so none was written here"
            ))
            .in_file(&config.file)
            .with_hint(
                "to publish the statement on this site instead, remove `accessibility_statement` from the config's [extra]",
            )]);
        }
    };
    if file.exists() {
        return Err(vec![Diagnostic::error(format!(
            "`{}` already exists, so nothing was written",
            file.strip_prefix(root).unwrap_or(&file).display()
        ))
        .in_file(&file)
        .with_hint("complete the statement that is there: `throughline check` lists what it still marks FILL IN")]);
    }
    let template = archetype(root, "accessibility-statement", statement_archetype())?;
    let mut text = template.replace("{{ title }}", &toml_escape(title));
    if let Some(p) = path {
        // The page goes where the footer links: after the title line.
        let line = if text.starts_with("---") {
            format!("path: \"{}\"\n", toml_escape(&p))
        } else {
            format!("path = \"{}\"\n", toml_escape(&p))
        };
        let at = text
            .find("\ntitle")
            .and_then(|i| text[i + 1..].find('\n').map(|j| i + 1 + j + 1))
            .unwrap_or_else(|| text.find('\n').map_or(0, |i| i + 1));
        text.insert_str(at, &line);
    }
    write_new(&file, text.as_bytes()).map_err(|d| vec![d])?;
    Ok(NewPage {
        fill: placeholder_lines(&text),
        file,
        id: name,
        // Its name is the one the footer links, not the writer's to choose.
        id_from: None,
        then: None,
    })
}

/// Escape for inside a TOML basic string.
pub fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_from() {
        assert_eq!(
            InstallFrom::parse("git@github.com:org/throughline.git@abc123").unwrap(),
            InstallFrom {
                url: "git@github.com:org/throughline.git".into(),
                rev: "abc123".into()
            }
        );
        assert!(InstallFrom::parse("https://github.com/org/throughline").is_err());
        for bad in [
            "https://x.example/t.git@v1\"",
            "https://x.example/t.git@$(id)",
            "https://x.example/t git@v1",
        ] {
            assert!(InstallFrom::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ci_files_keep_only_their_install_source() {
        let t = "a\n@@if registry@@\nv: \"@@VERSION@@\"\n@@end@@\n@@if git@@\n  g: \"@@INSTALL_URL@@@@@INSTALL_REV@@\"\n@@end@@\nb\n";
        assert_eq!(
            render_ci(
                t,
                &Install::Registry {
                    version: "1.2.3".into()
                }
            ),
            "a\nv: \"1.2.3\"\nb\n"
        );
        let git = Install::Git(InstallFrom::parse("https://x.example/t.git@abc").unwrap());
        assert_eq!(
            render_ci(t, &git),
            "a\n  g: \"https://x.example/t.git@abc\"\nb\n"
        );
        for host in [Host::Github, Host::Gitlab, Host::Netlify] {
            for install in [Install::this_version(), git.clone()] {
                let opts = InitOptions {
                    host,
                    install,
                    force: false,
                };
                for (path, bytes) in init_files(&opts, &[]) {
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(!text.contains("@@"), "{}: {text}", path.display());
                }
            }
        }
    }

    #[test]
    fn placeholders_are_found_outside_comments() {
        let text = "+++\n# FILL IN is explained here\ntags = [\"FILL IN: a tag\"]\n+++\n";
        assert_eq!(
            placeholder_lines(text),
            [(3, "tags = [\"FILL IN: a tag\"]".to_string())]
        );
        assert!(is_placeholder(" FILL IN: an id"));
        assert!(!is_placeholder("fill-in"));
    }

    #[test]
    fn markers_in_prose_values_and_comments() {
        let text = "+++\n# [FILL IN: explained]\ntitle = \"FILL IN: a title\"\n+++\n## Run by [FILL IN: name] and [FILL IN: team]\n# FILL IN: a heading\nFILL IN: to the end\n";
        let found = markers(text, text.find("## ").unwrap());
        let shown: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (&text[m.span.clone()], m.asks.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                ("\"FILL IN: a title\"", "a title"),
                ("[FILL IN: name]", "name"),
                ("[FILL IN: team]", "team"),
                ("FILL IN: a heading", "a heading"),
                ("FILL IN: to the end", "to the end"),
            ]
        );
        // One line printed for the two on line 5; a long line of prose is
        // shown as its markers.
        let long = format!(
            "+++\n+++\n{} [FILL IN: who] and [FILL IN: when].\n",
            "word ".repeat(30)
        );
        assert_eq!(
            placeholder_lines(&long),
            [(3, "[FILL IN: who] … [FILL IN: when]".to_string())]
        );
        assert_eq!(
            placeholder_lines(text)[1],
            (
                5,
                "## Run by [FILL IN: name] and [FILL IN: team]".to_string()
            )
        );
    }

    /// A plugin that writes `post`s (and takes `posts`), and adds a file
    /// and config to a new site.
    struct Blog;

    impl Plugin for Blog {
        fn name(&self) -> &str {
            "blog"
        }

        fn init_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
            vec![
                ("content/blog/_index.md".into(), b"+++\n+++\n".to_vec()),
                // Neither replaces the core's file nor leaves the site.
                ("content/search.md".into(), b"mine".to_vec()),
                ("../outside.md".into(), b"no".to_vec()),
            ]
        }

        fn init_config(&self) -> String {
            "[extra.blog]\nposts = \"blog\"\n".into()
        }

        fn new_kinds(&self) -> Vec<String> {
            vec!["post".into()]
        }

        fn new_page(&self, req: &NewRequest<'_>) -> Option<Result<NewPage, Vec<Diagnostic>>> {
            if !["post", "posts"].contains(&req.kind.trim().to_lowercase().as_str()) {
                return None;
            }
            Some(Ok(NewPage {
                file: req
                    .root
                    .join("content/blog")
                    .join(format!("{}.md", req.title)),
                id: req.title.to_string(),
                id_from: Some("title".into()),
                fill: Vec::new(),
                then: None,
            }))
        }
    }

    #[test]
    fn plugins_add_files_and_config_to_a_new_site() {
        let opts = InitOptions {
            host: Host::Github,
            install: Install::this_version(),
            force: false,
        };
        let plugins: Vec<Box<dyn Plugin>> = vec![Box::new(Blog)];
        let files = init_files(&opts, &plugins);
        let get = |p: &str| {
            files
                .iter()
                .find(|(f, _)| f == Path::new(p))
                .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        };
        assert_eq!(get("content/blog/_index.md").unwrap(), "+++\n+++\n");
        assert_ne!(get("content/search.md").unwrap(), "mine");
        assert!(files.iter().all(|(f, _)| !f.starts_with("..")));
        let config = get("config.toml").unwrap();
        let plain = get_plain_config(&opts);
        assert_eq!(config, format!("{plain}\n[extra.blog]\nposts = \"blog\"\n"));
    }

    fn get_plain_config(opts: &InitOptions) -> String {
        init_files(opts, &[])
            .into_iter()
            .find(|(f, _)| f == Path::new("config.toml"))
            .map(|(_, b)| String::from_utf8(b).unwrap())
            .unwrap()
    }

    #[test]
    fn kinds() {
        for s in [
            "accessibility-statement",
            "Accessibility statement",
            "accessibility",
            "statement",
        ] {
            assert!(is_statement(s), "{s}");
        }
        assert!(!is_statement("posts"));
        let plugins: Vec<Box<dyn Plugin>> = vec![Box::new(Blog)];
        assert_eq!(new_kinds(&plugins), ["post", "accessibility-statement"]);
        let e = unknown_kind("accesibility-statment", &plugins);
        assert!(e.hint.unwrap().contains("`accessibility-statement`"));
        let e = unknown_kind("psot", &plugins);
        assert_eq!(
            e.hint.unwrap(),
            "did you mean `post`? The kinds are: post, accessibility-statement"
        );
    }
}
