//! `throughline init` and `throughline new`: a new site that builds at once,
//! and a new strategy page with the right front matter. Both refuse to
//! overwrite anything: a communications officer who runs them twice loses
//! nothing.
//!
//! The files are embedded: `site/` is the starting site, `hosts/NAME/` the
//! CI files for each static host, `archetypes/` the page for each kind
//! (a site's own `archetypes/KIND.md` wins, as in Hugo).

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::strategy::settings::{Kind, Settings};

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

/// Every file a new site gets, as (path in the site, contents).
fn init_files(opts: &InitOptions) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    collect(&SITE, &mut out);
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

/// Write a new site into `dir`. A folder with files in it is refused unless
/// `force`, and even then no existing file is replaced.
pub fn init(dir: &Path, opts: &InitOptions) -> Result<Written, Diagnostic> {
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
    for (rel, bytes) in init_files(opts) {
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
/// `create_new` makes the check and the write one step.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
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

/// The kinds `new` can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewKind {
    Entity(Kind),
    /// A year of the annual review.
    Year,
    /// An update on a programme (or commitment) in the latest year: the
    /// title given is its id.
    Update,
    /// A story (a case study, a foreword) in the latest year.
    Story,
    /// The accessibility statement, from the model statement, where the
    /// default theme's footer links it.
    AccessibilityStatement,
}

impl NewKind {
    pub fn parse(s: &str) -> Result<NewKind, Diagnostic> {
        if let Some(k) = Kind::parse(s) {
            return Ok(NewKind::Entity(k));
        }
        let l = s.trim().to_lowercase();
        if ["year", "years", "annual-review", "review"].contains(&l.as_str()) {
            return Ok(NewKind::Year);
        }
        if ["update", "updates"].contains(&l.as_str()) {
            return Ok(NewKind::Update);
        }
        if ["story", "stories"].contains(&l.as_str()) {
            return Ok(NewKind::Story);
        }
        let words: Vec<&str> = l.split([' ', '-', '_']).filter(|w| !w.is_empty()).collect();
        if matches!(
            words.as_slice(),
            ["accessibility"] | ["accessibility", "statement"] | ["statement"]
        ) {
            return Ok(NewKind::AccessibilityStatement);
        }
        let names = [
            "priority",
            "commitment",
            "programme",
            "measure",
            "year",
            "update",
            "story",
            "accessibility-statement",
        ];
        let hint = match crate::diagnostics::closest(&l, names) {
            Some(n) => format!("did you mean `{n}`? The kinds are: {}", names.join(", ")),
            None => format!("the kinds are: {}", names.join(", ")),
        };
        Err(
            Diagnostic::error(format!("`{s}` is not a kind of page throughline can write"))
                .with_hint(hint),
        )
    }

    fn archetype(self) -> &'static str {
        match self {
            NewKind::Entity(k) => k.singular(),
            NewKind::Year => "year",
            NewKind::Update => "update",
            NewKind::Story => "story",
            NewKind::AccessibilityStatement => "accessibility-statement",
        }
    }
}

/// How text `init` and `new` leave for the site's owner to fill in
/// begins: `FILL IN:` and then what to write. In prose it is bracketed
/// (`This website is run by [FILL IN: name of your organisation].`), as a
/// value it is the whole string (`priorities = ["FILL IN: the id of each
/// priority it delivers"]`). Nothing else writes it, so `check` reports
/// every one left as an error (`check::publishing`), and an id left as one
/// fails the build too (the strategy graph says so, with [`CODE_FILL_IN`]).
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

/// A page `new` wrote, and what is left for its writer to do before
/// `throughline check` passes.
#[derive(Debug)]
pub struct NewPage {
    pub file: PathBuf,
    /// The id it was given (its file or folder name).
    pub id: String,
    /// The lines of the page with a placeholder: (line number, the line).
    pub fill: Vec<(usize, String)>,
    /// What else to change, in other files, for `check` to pass.
    pub then: Option<String>,
}

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

/// The financial year a date falls in, as the NHS writes it: `2026/27`
/// from April 2026 to March 2027.
pub fn financial_year(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let start = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    format!("{start}/{:02}", (start + 1) % 100)
}

/// Write a new page of `kind` titled `title` in the site at `root`, from
/// the site's `archetypes/KIND.md` or the built-in one. Returns its path
/// and what its writer must fill in.
pub fn new_page(
    root: &Path,
    config_file: Option<&Path>,
    kind: NewKind,
    title: &str,
    slug: Option<&str>,
) -> Result<NewPage, Vec<Diagnostic>> {
    let title = match title.trim() {
        "" if kind == NewKind::AccessibilityStatement => STATEMENT_TITLE,
        t => t,
    };
    if title.is_empty() {
        return Err(vec![Diagnostic::error("the new page needs a title")
            .with_hint(
                "write it in quotes: throughline new programme \"Using data better\"",
            )]);
    }
    let diags = Diagnostics::new();
    let opts = crate::build::Options {
        root: root.to_path_buf(),
        config_file: config_file.map(Path::to_path_buf),
        ..Default::default()
    };
    let Some(config) = crate::build::load_config(&opts, &diags) else {
        return Err(diags.snapshot());
    };
    // A strategy page: an entity of a kind, or a year (`None`).
    let entity = match kind {
        NewKind::AccessibilityStatement => return new_statement(root, &config, title, slug),
        NewKind::Entity(k) => Some(k),
        NewKind::Year | NewKind::Update | NewKind::Story => None,
    };
    let settings = Settings::from_config(&config, &diags);
    if diags.has_errors() {
        return Err(diags.snapshot());
    }
    let content = root.join("content");
    let today = chrono::Local::now().date_naive();
    let (folder, section_title, period, title) = match (entity, kind) {
        (Some(k), _) => (
            settings.section(k).to_string(),
            settings.plural[k.index()].clone(),
            financial_year(today),
            title.to_string(),
        ),
        (None, NewKind::Update | NewKind::Story) => {
            let (year_dir, period) = latest_year(&content.join(&settings.annual_review))
                .ok_or_else(|| {
                    vec![Diagnostic::error(format!(
                        "the {} has no year yet, so there is nowhere to put this",
                        settings.annual_review_label.to_lowercase()
                    ))
                    .with_hint(format!(
                        "make this year's first: throughline new year {}",
                        financial_year(today)
                    ))]
                })?;
            (
                format!("{}/{year_dir}", settings.annual_review),
                settings.annual_review_label.clone(),
                period,
                title.to_string(),
            )
        }
        _ => {
            let period = title
                .strip_prefix("Annual review ")
                .unwrap_or(title)
                .to_string();
            let shown = if period.starts_with(|c: char| c.is_ascii_digit()) {
                format!("{} {period}", settings.annual_review_label)
            } else {
                title.to_string()
            };
            (
                settings.annual_review.clone(),
                settings.annual_review_label.clone(),
                period,
                shown,
            )
        }
    };
    // An update is about a programme or commitment: its id is the title
    // given, its page title the target's, and its file that id.
    let mut target_key = "programme";
    let mut update_target: Option<String> = None;
    let mut title = title.to_string();
    if kind == NewKind::Update {
        let id = title.trim().to_string();
        let found = [Kind::Programme, Kind::Commitment]
            .into_iter()
            .find_map(|k| {
                let dir = content.join(settings.section(k));
                [dir.join(format!("{id}.md")), dir.join(&id).join("index.md")]
                    .into_iter()
                    .find(|f| f.is_file())
                    .map(|f| (k, f))
            });
        let Some((k, file)) = found else {
            let dir = content.join(settings.section(Kind::Programme));
            let ids: Vec<String> = std::fs::read_dir(&dir)
                .map(|d| {
                    d.filter_map(Result::ok)
                        .map(|e| {
                            e.file_name()
                                .to_string_lossy()
                                .trim_end_matches(".md")
                                .to_string()
                        })
                        .filter(|n| n != "_index")
                        .collect()
                })
                .unwrap_or_default();
            let hint = match crate::diagnostics::closest(&id, ids.iter().map(String::as_str)) {
                Some(c) => format!(
                    "did you mean `{c}`? Give the id of the {} the update is about",
                    settings.one(Kind::Programme)
                ),
                None => format!(
                    "give the id of the {} the update is about (its file name without .md)",
                    settings.one(Kind::Programme)
                ),
            };
            return Err(vec![Diagnostic::error(format!(
                "there is no {} or {} with the id `{id}`",
                settings.one(Kind::Programme),
                settings.one(Kind::Commitment)
            ))
            .with_hint(hint)]);
        };
        target_key = if k == Kind::Programme {
            "programme"
        } else {
            "commitment"
        };
        let named = front_title(&file).unwrap_or_else(|| id.clone());
        title = format!("{named} in {period}");
        update_target = Some(id);
    }
    let id = match slug {
        Some(s) => crate::slug::slugify(s, config.slugify.paths),
        None if kind == NewKind::Update => update_target.clone().unwrap_or_default(),
        None => crate::slug::slugify(
            if kind == NewKind::Year {
                &period
            } else {
                &title
            },
            config.slugify.paths,
        ),
    };
    if id.is_empty() {
        return Err(vec![Diagnostic::error(format!(
            "`{title}` gives an empty file name"
        ))
        .with_hint("use some letters or numbers in the title, or give --slug")]);
    }
    let section_dir = content.join(&folder);
    let file = match kind {
        NewKind::Year => section_dir.join(&id).join("_index.md"),
        _ => section_dir.join(format!("{id}.md")),
    };
    if file.exists() {
        return Err(vec![Diagnostic::error(format!(
            "`{}` already exists, so nothing was written",
            file.strip_prefix(root).unwrap_or(&file).display()
        ))
        .in_file(&file)
        .with_hint(
            "edit the page that is there, or choose another title (or --slug)",
        )]);
    }
    let weight = std::fs::read_dir(&section_dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| {
                    let n = e.file_name();
                    let n = n.to_string_lossy();
                    n.ends_with(".md") && n != "_index.md"
                })
                .count()
        })
        .unwrap_or(0)
        + 1;
    let archetype = kind.archetype();
    let own = root.join("archetypes").join(format!("{archetype}.md"));
    let template = if own.is_file() {
        std::fs::read_to_string(&own).map_err(|e| {
            vec![Diagnostic::error(format!("cannot read the archetype: {e}")).in_file(&own)]
        })?
    } else {
        ARCHETYPES
            .get_file(format!("{archetype}.md"))
            .and_then(|f| f.contents_utf8())
            .unwrap_or_default()
            .to_string()
    };
    let text = template
        .replace("{{ title }}", &toml_escape(&title))
        .replace("{{ id }}", update_target.as_deref().unwrap_or(&id))
        .replace("{{ target_key }}", target_key)
        .replace("{{ weight }}", &weight.to_string())
        .replace("{{ period }}", &toml_escape(&period))
        .replace("{{ date }}", &today.to_string());
    // A new kind folder needs its section page, or the build says so.
    let section_index = section_dir.join("_index.md");
    if !section_index.exists() {
        write_new(
            &section_index,
            format!(
                "+++\ntitle = \"{}\"\nsort_by = \"weight\"\n+++\n",
                toml_escape(&section_title)
            )
            .as_bytes(),
        )
        .map_err(|d| vec![d])?;
    }
    write_new(&file, text.as_bytes()).map_err(|d| vec![d])?;
    let then = match kind {
        // Nothing else refers to a new priority, which `check` reports.
        NewKind::Entity(Kind::Priority) => Some(format!(
            "Then list \"{id}\" in the `priorities` of each {}, {} or {} that serves it: `throughline check --deny-warnings` fails until one does.",
            settings.one(Kind::Commitment),
            settings.one(Kind::Programme),
            settings.one(Kind::Measure),
        )),
        // A year no measure has a figure for shows no values: `check`
        // warns, to catch a mistyped period.
        NewKind::Year => Some(format!(
            "Then give the {} their figures for {period}: an entry {{ period = \"{}\", value = … }} in each one's `values` (leave out `value` where there is none yet). `throughline check --deny-warnings` fails until one has the period.",
            settings.many(Kind::Measure),
            toml_escape(&period),
        )),
        _ => None,
    };
    Ok(NewPage {
        fill: placeholder_lines(&text),
        file,
        id,
        then,
    })
}

/// The latest year of the annual review under `dir` (the last year folder
/// with an `_index.md`, in natural order: `2025-26` after `2024-25`), and
/// its period (`[extra] period`, else the folder's name).
fn latest_year(dir: &Path) -> Option<(String, String)> {
    let mut years: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().join("_index.md").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    years.sort_by(|a, b| crate::site::natural_cmp(a, b));
    let folder = years.pop()?;
    let period = front_table(&dir.join(&folder).join("_index.md"))
        .and_then(|t| t.get("extra")?.get("period")?.as_str().map(str::to_string))
        .unwrap_or_else(|| folder.clone());
    Some((folder, period))
}

/// A page's front matter, parsed as the build parses it (TOML or YAML;
/// None when it cannot be).
fn front_table(file: &Path) -> Option<toml::Table> {
    use crate::load::frontmatter;
    let text = std::fs::read_to_string(file).ok()?;
    let split = frontmatter::split(file, &text).ok()?;
    frontmatter::parse(file, &text, &split)
        .ok()
        .map(|fm| fm.table)
}

/// A page's title, from its front matter.
fn front_title(file: &Path) -> Option<String> {
    front_table(file)?
        .get("title")?
        .as_str()
        .map(str::to_string)
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
    let own = root.join("archetypes").join("accessibility-statement.md");
    let template = if own.is_file() {
        std::fs::read_to_string(&own).map_err(|e| {
            vec![Diagnostic::error(format!("cannot read the archetype: {e}")).in_file(&own)]
        })?
    } else {
        statement_archetype().to_string()
    };
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
        then: None,
    })
}

/// Escape for inside a TOML basic string.
fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_years() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(financial_year(d(2026, 11, 24)), "2026/27");
        assert_eq!(financial_year(d(2026, 3, 31)), "2025/26");
        assert_eq!(financial_year(d(2099, 4, 1)), "2099/00");
    }

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
                for (path, bytes) in init_files(&opts) {
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(!text.contains("@@"), "{}: {text}", path.display());
                }
            }
        }
    }

    #[test]
    fn placeholders_are_found_outside_comments() {
        let text = "+++\n# FILL IN is explained here\npriorities = [\"FILL IN: an id\"]\n+++\n";
        assert_eq!(
            placeholder_lines(text),
            [(3, "priorities = [\"FILL IN: an id\"]".to_string())]
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

    #[test]
    fn kinds() {
        assert_eq!(
            NewKind::parse("Programmes").unwrap(),
            NewKind::Entity(Kind::Programme)
        );
        assert_eq!(NewKind::parse("year").unwrap(), NewKind::Year);
        for s in [
            "accessibility-statement",
            "Accessibility statement",
            "accessibility",
        ] {
            assert_eq!(
                NewKind::parse(s).unwrap(),
                NewKind::AccessibilityStatement,
                "{s}"
            );
        }
        let e = NewKind::parse("accesibility-statment").unwrap_err();
        assert!(e.hint.unwrap().contains("`accessibility-statement`"));
        let e = NewKind::parse("programe").unwrap_err();
        assert!(e.hint.unwrap().contains("`programme`"));
    }
}
