//! What the strategy adds to `throughline init` and `throughline new`
//! (through [`Plugin::init_files`](crate::plugin::Plugin::init_files) and
//! the hooks after it): a first priority, commitment, programme, measure
//! and year of the annual review in a new site, the `[extra.strategy]`
//! tables in its config, and a new page of each kind from its archetype.
//!
//! The files are embedded: `scaffold/site/` is what a new site gets,
//! `scaffold/init-config.toml` the config text, `scaffold/archetypes/` the
//! page for each kind (a site's own `archetypes/KIND.md` wins).

use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

use super::settings::{Kind, Settings};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::scaffold::{archetype, placeholder_lines, toml_escape, write_new, NewPage, NewRequest};

static SITE: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/strategy/scaffold/site");
static ARCHETYPES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/src/strategy/scaffold/archetypes");

/// The files a new site gets: the strategy's sections, one page of each
/// kind, and a year of the annual review with an update.
pub(crate) fn init_files() -> Vec<(PathBuf, Vec<u8>)> {
    fn collect(dir: &Dir<'_>, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for f in dir.files() {
            out.push((f.path().to_path_buf(), f.contents().to_vec()));
        }
        for d in dir.dirs() {
            collect(d, out);
        }
    }
    let mut out = Vec::new();
    collect(&SITE, &mut out);
    out
}

/// `[extra.strategy]` and its labels, with what they are for.
pub(crate) fn init_config() -> String {
    include_str!("scaffold/init-config.toml").to_string()
}

/// The kinds `new` writes for the strategy.
pub(crate) fn new_kinds() -> Vec<String> {
    [
        "priority",
        "commitment",
        "programme",
        "measure",
        "year",
        "update",
        "story",
    ]
    .map(String::from)
    .to_vec()
}

/// A kind of strategy page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NewKind {
    Entity(Kind),
    /// A year of the annual review.
    Year,
    /// An update on a programme (or commitment) in the latest year: the
    /// title given is its id.
    Update,
    /// A story (a case study, a foreword) in the latest year.
    Story,
}

impl NewKind {
    /// A kind named singular or plural, any case (`Programmes`); a year
    /// is also `annual-review` or `review`.
    fn parse(s: &str) -> Option<NewKind> {
        if let Some(k) = Kind::parse(s) {
            return Some(NewKind::Entity(k));
        }
        let l = s.trim().to_lowercase();
        if ["year", "years", "annual-review", "review"].contains(&l.as_str()) {
            return Some(NewKind::Year);
        }
        if ["update", "updates"].contains(&l.as_str()) {
            return Some(NewKind::Update);
        }
        if ["story", "stories"].contains(&l.as_str()) {
            return Some(NewKind::Story);
        }
        None
    }

    fn archetype(self) -> &'static str {
        match self {
            NewKind::Entity(k) => k.singular(),
            NewKind::Year => "year",
            NewKind::Update => "update",
            NewKind::Story => "story",
        }
    }
}

/// The financial year a date falls in, as the NHS writes it: `2026/27`
/// from April 2026 to March 2027.
pub(crate) fn financial_year(date: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let start = if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    };
    format!("{start}/{:02}", (start + 1) % 100)
}

/// Write a new strategy page of `req.kind`, or `None` when the kind is
/// not the strategy's.
pub(crate) fn new_page(req: &NewRequest<'_>) -> Option<Result<NewPage, Vec<Diagnostic>>> {
    let kind = NewKind::parse(req.kind)?;
    Some(write_page(req, kind))
}

/// Write a new page of `kind` titled `req.title`, from the site's
/// `archetypes/KIND.md` or the built-in one. Returns its path and what
/// its writer must fill in.
fn write_page(req: &NewRequest<'_>, kind: NewKind) -> Result<NewPage, Vec<Diagnostic>> {
    let NewRequest {
        root,
        config,
        title,
        slug,
        ..
    } = *req;
    if title.is_empty() {
        return Err(vec![Diagnostic::error("the new page needs a title")
            .with_hint(
                "write it in quotes: throughline new programme \"Using data better\"",
            )]);
    }
    let diags = Diagnostics::new();
    // An entity of a kind, or a year, an update or a story (`None`).
    let entity = match kind {
        NewKind::Entity(k) => Some(k),
        NewKind::Year | NewKind::Update | NewKind::Story => None,
    };
    let settings = Settings::from_config(config, &diags);
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
    let name = kind.archetype();
    let built_in = ARCHETYPES
        .get_file(format!("{name}.md"))
        .and_then(|f| f.contents_utf8())
        .unwrap_or_default();
    let template = archetype(root, name, built_in)?;
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
            "Then give {} their figures for {period}: an entry {{ period = \"{}\", value = … }} in each one's `values` (leave out `value` where there is none yet; a figure for an earlier period published this year takes reported = \"{period}\"). `throughline check --deny-warnings` fails until at least one has a figure for {period}.",
            settings.many(Kind::Measure),
            toml_escape(&period),
        )),
        _ => None,
    };
    Ok(NewPage {
        fill: placeholder_lines(&text),
        file,
        id,
        id_from: slug.is_none().then(|| {
            if kind == NewKind::Update {
                "id you gave"
            } else {
                "title"
            }
            .to_string()
        }),
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
    fn kinds() {
        assert_eq!(
            NewKind::parse("Programmes").unwrap(),
            NewKind::Entity(Kind::Programme)
        );
        assert_eq!(NewKind::parse("year").unwrap(), NewKind::Year);
        assert_eq!(NewKind::parse("Annual-Review").unwrap(), NewKind::Year);
        assert_eq!(NewKind::parse("stories").unwrap(), NewKind::Story);
        assert!(NewKind::parse("accessibility-statement").is_none());
        assert!(NewKind::parse("programe").is_none());
        // Every kind listed is one `new` takes.
        for k in new_kinds() {
            assert!(NewKind::parse(&k).is_some(), "{k}");
        }
    }

    #[test]
    fn unknown_kinds_are_named_with_the_closest() {
        let plugins = crate::default_plugins();
        let names = crate::scaffold::new_kinds(&plugins);
        assert_eq!(
            names,
            [
                "priority",
                "commitment",
                "programme",
                "measure",
                "year",
                "update",
                "story",
                "accessibility-statement"
            ]
        );
        assert_eq!(
            crate::diagnostics::closest("programe", names.iter().map(String::as_str)),
            Some("programme")
        );
    }
}
