//! The annual review (content model §5): the years under the annual-review
//! section, their updates (about a programme or a commitment, with a status)
//! and stories, checked against the strategy graph; and from them each
//! programme's status history and, where its page sets none, its current
//! status.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{closest, Diagnostic, Diagnostics};
use crate::site::{natural_cmp, Page, PageId, SectionId, Site};

use super::graph::{bad_status, Graph};
use super::settings::Kind;
use super::status::{self, Status};

/// One year of the review: a subsection of the annual-review section.
#[derive(Debug, Clone)]
pub(crate) struct Year {
    pub section: SectionId,
    /// The folder name (`2023-24`).
    pub folder: String,
    /// `[extra] period`, or the folder name: compared exactly with measure
    /// periods.
    pub period: String,
    /// `[extra] published`, as `YYYY-MM-DD`.
    pub published: Option<String>,
    /// Indices into [`Review::updates`], in the order the year's section
    /// lists its pages.
    pub updates: Vec<usize>,
    /// Pages that are not updates (a foreword, a case study), in the
    /// section's order.
    pub stories: Vec<PageId>,
    /// Of those, the ones with `featured = true`: shown at the top of the
    /// year's page (§5).
    pub featured: Vec<PageId>,
}

/// A page reporting on one programme or commitment in one year.
#[derive(Debug, Clone)]
pub(crate) struct Update {
    pub page: PageId,
    /// Index into [`Review::years`].
    pub year: usize,
    /// `Kind::Programme` or `Kind::Commitment`.
    pub kind: Kind,
    /// Index of the programme or commitment in the graph.
    pub target: usize,
    pub status: Option<Status>,
}

/// Every year, in order (oldest first), and every update.
#[derive(Debug, Default)]
pub(crate) struct Review {
    /// The annual-review section, when there is one.
    pub section: Option<SectionId>,
    pub years: Vec<Year>,
    pub updates: Vec<Update>,
    by_page: HashMap<PageId, usize>,
    by_section: HashMap<SectionId, usize>,
    by_target: HashMap<(Kind, usize, usize), usize>,
    /// Updates about a page that could not be loaded, by its file.
    pub referrers: super::graph::Referrers,
}

/// Whether some page under `content/DIR/` is an update (sets `programme`
/// or `commitment` under `[extra]`): an annual review with no strategy
/// configured or found elsewhere (§2).
fn has_updates(site: &Site, dir: &str) -> bool {
    let prefix = format!("{dir}/");
    site.pages
        .iter()
        .filter(|p| p.file.relative.starts_with(&prefix))
        .any(|p| p.meta.extra.contains_key("programme") || p.meta.extra.contains_key("commitment"))
}

/// The `[extra]` keys an update has.
const UPDATE_KEYS: [&str; 3] = ["programme", "commitment", "status"];

/// A key that is probably a misspelt `programme` or `commitment`
/// (`program`, `programmes`, `commitmnet`), by edit distance: close enough
/// to catch typos, far enough that `progress` is not one.
fn near_reference_key(key: &str) -> Option<&'static str> {
    let k: String = key
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    ["programme", "commitment"]
        .into_iter()
        .find(|want| k != *want && strsim::levenshtein(&k, want) <= 2)
}

impl Review {
    /// The year a section is, if it is one.
    pub(crate) fn year_of_section(&self, s: SectionId) -> Option<usize> {
        self.by_section.get(&s).copied()
    }

    /// The update a page is, if it is one.
    pub(crate) fn update_of_page(&self, p: PageId) -> Option<usize> {
        self.by_page.get(&p).copied()
    }

    /// The update about this programme or commitment in this year.
    pub(crate) fn update_for(&self, kind: Kind, target: usize, year: usize) -> Option<usize> {
        self.by_target.get(&(kind, target, year)).copied()
    }

    /// The years from the first in which this programme or commitment has
    /// an update to the newest, newest first, each with its update if it
    /// has one that year. Empty when it has never been reported on.
    pub(crate) fn history(&self, kind: Kind, target: usize) -> Vec<(usize, Option<usize>)> {
        let first = (0..self.years.len()).find(|y| self.update_for(kind, target, *y).is_some());
        match first {
            None => Vec::new(),
            Some(first) => (first..self.years.len())
                .rev()
                .map(|y| (y, self.update_for(kind, target, y)))
                .collect(),
        }
    }

    /// The status of the newest update with one, and its year.
    pub(crate) fn latest_status(&self, kind: Kind, target: usize) -> Option<(&Status, usize)> {
        (0..self.years.len()).rev().find_map(|y| {
            let u = &self.updates[self.update_for(kind, target, y)?];
            u.status.as_ref().map(|s| (s, y))
        })
    }

    /// Read and check the review. `graph` is the strategy it reports on.
    pub(crate) fn build(site: &Site, graph: &Graph, diags: &Diagnostics) -> Review {
        let dir = graph.settings.annual_review.trim_matches('/').to_string();
        let rel = format!("{dir}/_index.md");
        let mut review = Review::default();
        if !graph.applies && !has_updates(site, &dir) {
            return review;
        }
        let Some(root) = site.section_by_relative(&rel) else {
            let prefix = format!("{dir}/");
            if let Some(file) = site
                .sections
                .iter()
                .map(|s| &s.file)
                .chain(site.pages.iter().map(|p| &p.file))
                .find(|f| f.relative.starts_with(&prefix))
            {
                diags.push(
                    Diagnostic::error(format!(
                        "content/{dir}/ holds the {} but has no _index.md, so throughline cannot read its years",
                        graph.settings.annual_review_label.to_lowercase()
                    ))
                    .in_file(&file.path)
                    .with_hint(format!(
                        "add the file content/{rel} with a title, for example:\n+++\ntitle = \"{}\"\n+++",
                        graph.settings.annual_review_label
                    )),
                );
            }
            return review;
        };
        review.section = Some(root);

        // The years, in §5's order: by `published`, then folder name.
        let mut years: Vec<Year> = site.sections[root]
            .subsections
            .iter()
            .map(|&sid| read_year(site, sid, diags))
            .collect();
        years.sort_by(|a, b| {
            a.published
                .is_none()
                .cmp(&b.published.is_none())
                .then_with(|| a.published.cmp(&b.published))
                .then_with(|| natural_cmp(&a.folder, &b.folder))
        });
        let mut periods: HashMap<String, usize> = HashMap::new();
        for (y, year) in years.iter().enumerate() {
            if let Some(&other) = periods.get(&year.period) {
                let sec = &site.sections[year.section];
                let at = if sec.meta.extra.contains_key("period") {
                    sec.locate("extra.period")
                } else {
                    sec.locate("title")
                };
                diags.push(
                    Diagnostic::error(format!(
                        "two years of the review have the period `{}`: this one and content/{}",
                        year.period,
                        site.sections[years[other].section].file.relative
                    ))
                    .at(at)
                    .with_hint("give each year its own period, for example period = \"2024/25\" under [extra]"),
                );
            } else {
                periods.insert(year.period.clone(), y);
            }
            review.by_section.insert(year.section, y);
        }
        review.years = years;
        review.warn_unmatched_periods(site, graph, diags);

        for y in 0..review.years.len() {
            let sec = &site.sections[review.years[y].section];
            let ys_rel = sec.file.relative.clone();
            // The section's own order first, then pages it leaves out.
            let listed: Vec<PageId> = sec
                .pages
                .iter()
                .copied()
                .filter(|p| site.pages[*p].file.parent_section == ys_rel)
                .collect();
            let listed_set: HashSet<PageId> = listed.iter().copied().collect();
            let mut rest: Vec<PageId> = (0..site.pages.len())
                .filter(|p| site.pages[*p].file.parent_section == ys_rel && !listed_set.contains(p))
                .collect();
            rest.sort_by(|a, b| {
                natural_cmp(&site.pages[*a].file.relative, &site.pages[*b].file.relative)
            });
            for pid in listed.into_iter().chain(rest) {
                review.read_page(site, graph, y, pid, diags);
            }
        }
        review
    }

    /// A page inside a year: an update, a story, or an error.
    fn read_page(&mut self, site: &Site, g: &Graph, y: usize, pid: PageId, diags: &Diagnostics) {
        let page = &site.pages[pid];
        let extra = &page.meta.extra;
        let before = diags.error_count();

        // Update keys above `[extra]`.
        for key in page.source.front.keys() {
            if UPDATE_KEYS.contains(&key.as_str())
                && !crate::load::meta::PAGE_KEYS.contains(&key.as_str())
            {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` belongs under `[extra]`: Zola would not pass it to the annual review"
                    ))
                    .at(page.locate_key(key))
                    .with_hint(format!(
                        "move the `{key} = …` line below the `[extra]` line (add `[extra]` at the end of the front matter if there is none)"
                    )),
                );
            }
        }
        // A misspelt reference key makes the page neither an update nor a
        // story: say so rather than publish it as a story.
        for key in extra.keys() {
            if let Some(meant) = near_reference_key(key) {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` is not a key an update has, so throughline cannot tell what this page reports on"
                    ))
                    .at(page.locate_key(&format!("extra.{key}")))
                    .with_hint(format!(
                        "did you mean `{meant}`? An update names one {}: {meant} = \"{}\"",
                        meant,
                        g.example_id(if meant == "programme" { Kind::Programme } else { Kind::Commitment })
                    )),
                );
            }
        }

        let programme = extra.get("programme");
        let commitment = extra.get("commitment");
        let (kind, key, value) = match (programme, commitment) {
            (Some(_), Some(_)) => {
                diags.push(
                    Diagnostic::error(
                        "this update names both a `programme` and a `commitment`; an update reports on one of them",
                    )
                    .at(page.locate_key("extra.commitment"))
                    .with_hint("keep one of the two lines, and write a separate update for the other"),
                );
                return;
            }
            (Some(v), None) => (Kind::Programme, "programme", v),
            (None, Some(v)) => (Kind::Commitment, "commitment", v),
            (None, None) => {
                if extra.contains_key("status") {
                    diags.push(
                        Diagnostic::error(
                            "this page has a `status` but names no `programme` or `commitment`, so throughline cannot tell what the status is for",
                        )
                        .at(page.locate_key("extra.status"))
                        .with_hint(format!(
                            "add the programme it reports on under [extra], such as programme = \"{}\"; or remove `status` if the page is a story",
                            g.example_id(Kind::Programme)
                        )),
                    );
                } else if diags.error_count() == before {
                    match extra.get("featured") {
                        None | Some(toml::Value::Boolean(false)) => {}
                        Some(toml::Value::Boolean(true)) => self.years[y].featured.push(pid),
                        Some(other) => diags.push(
                            Diagnostic::error(format!(
                                "`featured` should be true or false, not {}",
                                crate::value::describe(other)
                            ))
                            .at(page.locate("extra.featured"))
                            .with_hint("write featured = true (no quotes) to show this story at the top of its year's page"),
                        ),
                    }
                    self.years[y].stories.push(pid);
                }
                return;
            }
        };
        let path = format!("extra.{key}");
        let id = match value {
            toml::Value::String(s) => s.as_str(),
            toml::Value::Array(_) => {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` names one {}, in quotes, not a list",
                        g.settings.one(kind)
                    ))
                    .at(page.locate(&path))
                    .with_hint(format!(
                        "write {key} = \"{}\"; to report on several, write one update page for each",
                        g.example_id(kind)
                    )),
                );
                return;
            }
            other => {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` should be {} id in quotes, not {}",
                        crate::strategy::Kind::article(&g.settings.one(kind)),
                        crate::value::describe(other)
                    ))
                    .at(page.locate(&path))
                    .with_hint(format!("for example: {key} = \"{}\"", g.example_id(kind))),
                );
                return;
            }
        };

        // The status, checked whatever the reference turns out to be.
        let status = match extra.get("status") {
            None => None,
            Some(toml::Value::String(word)) => match Status::parse(word) {
                Some(s) => Some(s),
                None => {
                    diags.push(bad_status(page, "extra.status", word));
                    None
                }
            },
            Some(other) => {
                diags.push(
                    Diagnostic::error(format!(
                        "`status` should be a status word in quotes, not {}",
                        crate::value::describe(other)
                    ))
                    .at(page.locate("extra.status"))
                    .with_hint(format!("the statuses are: {}", status::word_list())),
                );
                None
            }
        };
        if kind == Kind::Programme && !extra.contains_key("status") {
            diags.push(
                Diagnostic::error(format!(
                    "this update about the {} `{id}` has no `status`",
                    g.settings.one(kind)
                ))
                .at(page.locate_key(&path))
                .with_hint(format!(
                    "add a line under [extra] saying how it stood this year, such as status = \"on-track\"; the statuses are: {}",
                    status::word_list()
                )),
            );
        }

        let Some(target) = g.index(kind, id) else {
            if let Some(file) = g.unreadable(site, kind, id) {
                self.referrers
                    .entry(file.to_path_buf())
                    .or_default()
                    .push(format!("content/{}", page.file.relative));
            } else if let Some(d) = self.missing_target(site, g, page, kind, key, id) {
                diags.push(d);
            }
            return;
        };
        if let Some(&first) = self.by_target.get(&(kind, target, y)) {
            diags.push(
                Diagnostic::error(format!(
                    "there are two updates about the {} `{id}` in {}: this page and content/{}",
                    g.settings.one(kind),
                    self.years[y].period,
                    site.pages[self.updates[first].page].file.relative
                ))
                .at(page.locate(&path))
                .with_hint("a year has at most one update per programme or commitment: merge the two pages into one"),
            );
            return;
        }
        if diags.error_count() > before {
            return;
        }
        let u = self.updates.len();
        self.updates.push(Update {
            page: pid,
            year: y,
            kind,
            target,
            status,
        });
        self.by_page.insert(pid, u);
        self.by_target.insert((kind, target, y), u);
        self.years[y].updates.push(u);
    }

    /// Why an update's id resolves to nothing: a draft (a warning), an id
    /// of another kind, or an unknown id (errors).
    fn missing_target(
        &self,
        site: &Site,
        g: &Graph,
        page: &Page,
        kind: Kind,
        key: &str,
        id: &str,
    ) -> Option<Diagnostic> {
        let path = format!("extra.{key}");
        let section_rel = format!("{}/_index.md", g.settings.section(kind));
        if site
            .draft_pages
            .iter()
            .any(|p| p.file.parent_section == section_rel && p.slug == id)
        {
            return Some(
                Diagnostic::warning(format!(
                    "`{id}` is a draft {}, so this update is left out of the review",
                    g.settings.one(kind)
                ))
                .at(page.locate(&path))
                .with_hint("publish it (remove `draft = true`) or build with --drafts"),
            );
        }
        let one = g.settings.one(kind);
        if let Some(other) = Kind::ALL
            .into_iter()
            .find(|k| *k != kind && g.index(*k, id).is_some())
        {
            let d = Diagnostic::error(format!(
                "`{id}` is {} {}; `{key}` takes {} id",
                Kind::article(&g.settings.one(other)),
                g.settings.one(other),
                Kind::article(&one).to_string() + " " + &one
            ))
            .at(page.locate(&path));
            return Some(match other {
                Kind::Programme | Kind::Commitment => d.with_hint(format!(
                    "to report on the {} `{id}`, write {} = \"{id}\" instead",
                    g.settings.one(other),
                    other.singular()
                )),
                _ => d.with_hint(format!(
                    "an update reports on {} {} or {} {}; {} are: {}",
                    Kind::article(&g.settings.one(Kind::Programme)),
                    g.settings.one(Kind::Programme),
                    Kind::article(&g.settings.one(Kind::Commitment)),
                    g.settings.one(Kind::Commitment),
                    g.settings.many(kind),
                    g.id_list(kind)
                )),
            });
        }
        let d = Diagnostic::error(format!("there is no {one} with the id `{id}`"))
            .at(page.locate(&path));
        Some(match closest(id, g.ids(kind)) {
            Some(c) => d.with_hint(format!("did you mean `{c}`?")),
            None => d.with_hint(format!(
                "{} are: {} (an id is the file name without .md, or the page's `slug`)",
                g.settings.many_first(kind),
                g.id_list(kind)
            )),
        })
    }

    /// A warning for each year whose period no measure has a figure for
    /// (§6): its page would show no values, usually because of a typo.
    /// §5: a year some measure has a figure for, but this one has none: the
    /// year's page says "no data", and the build warns, naming the measure,
    /// the year, its periods and the fix. (Pooled figures published years
    /// later need `reported`.)
    fn warn_missing_values(&self, site: &Site, g: &Graph, year: &Year, diags: &Diagnostics) {
        for e in &g.entities[Kind::Measure.index()] {
            let Some(m) = e.measure.as_ref() else {
                continue;
            };
            // The series that have figures but none for this year.
            let lacking: Vec<usize> = (0..m.series.len())
                .filter(|&i| {
                    let points = &m.series[i].points;
                    points.iter().any(|p| p.value.is_some())
                        && super::data::value_for_year(points, &year.period).is_none()
                })
                .collect();
            let Some(&first) = lacking.first() else {
                continue;
            };
            let page = &site.pages[e.page];
            let key = if page.meta.extra.contains_key("series") {
                format!("extra.series[{first}]")
            } else if page.meta.extra.contains_key("values") {
                "extra.values".into()
            } else if page.meta.extra.contains_key("data") {
                "extra.data".into()
            } else {
                "title".into()
            };
            let in_series = if m.series.len() > 1 {
                let all = m.names();
                let names: Vec<String> =
                    lacking.iter().map(|&i| format!("\"{}\"", all[i])).collect();
                format!(" in the series {}", names.join(" and "))
            } else {
                String::new()
            };
            let mut periods: Vec<String> = m.series[first]
                .points
                .iter()
                .map(|p| format!("`{}`", p.period))
                .collect();
            periods.dedup();
            let shown = if periods.len() > 8 {
                format!(
                    "{}, … {}",
                    periods[..3].join(", "),
                    periods[periods.len() - 3..].join(", ")
                )
            } else {
                periods.join(", ")
            };
            diags.push(
                Diagnostic::warning(format!(
                    "the {} `{}` has no figure for {}{in_series}, so that year's page shows no data for it",
                    g.settings.one(Kind::Measure),
                    e.id,
                    year.period
                ))
                .at(page.locate(&key))
                .with_hint(format!(
                    "its periods are {shown}. If a figure was published in {0} for an earlier period (a pooled figure such as \"2019-21\"), add reported = \"{0}\" to that entry; if there is really none, add {{ period = \"{0}\" }} with no value to record the gap",
                    year.period
                )),
            );
        }
    }

    fn warn_unmatched_periods(&self, site: &Site, g: &Graph, diags: &Diagnostics) {
        let measures = &g.entities[Kind::Measure.index()];
        let mut known: Vec<&str> = measures
            .iter()
            .filter_map(|e| e.measure.as_ref())
            .flat_map(|m| {
                m.points()
                    .flat_map(|p| std::iter::once(p.period.as_str()).chain(p.reported.as_deref()))
            })
            .collect();
        known.sort_unstable();
        known.dedup();
        if known.is_empty() {
            return;
        }
        for year in &self.years {
            if known.contains(&year.period.as_str()) {
                self.warn_missing_values(site, g, year, diags);
                continue;
            }
            let sec = &site.sections[year.section];
            let at = if sec.meta.extra.contains_key("period") {
                sec.locate("extra.period")
            } else {
                sec.locate("title")
            };
            let near = closest(&year.period, known.iter().copied());
            let hint = match near {
                Some(p) => format!(
                    "periods are compared exactly: did you mean period = \"{p}\" under [extra]?"
                ),
                None => format!(
                    "periods are compared exactly; the measures' periods are: {}",
                    known
                        .iter()
                        .map(|p| format!("`{p}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            diags.push(
                Diagnostic::warning(format!(
                    "no measure has a figure for the period `{}`, so this year's page shows no measure values",
                    year.period
                ))
                .at(at)
                .with_hint(hint),
            );
        }
    }
}

/// A year's section: its period and publication date.
fn read_year(site: &Site, sid: SectionId, diags: &Diagnostics) -> Year {
    let sec = &site.sections[sid];
    let folder = sec
        .file
        .relative
        .trim_end_matches("/_index.md")
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let period = match sec.meta.extra.get("period") {
        None => folder.clone(),
        Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(other) => {
            diags.push(
                Diagnostic::error(format!(
                    "`period` should be the year's label in quotes, not {}",
                    crate::value::describe(other)
                ))
                .at(sec.locate("extra.period"))
                .with_hint(
                    "for example: period = \"2024/25\", written exactly as the measures write it",
                ),
            );
            folder.clone()
        }
    };
    let published = match sec.meta.extra.get("published") {
        None => None,
        Some(toml::Value::Datetime(d)) if d.date.is_some() => d.date.map(|d| d.to_string()),
        Some(toml::Value::String(s))
            if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() =>
        {
            Some(s.clone())
        }
        Some(other) => {
            diags.push(
                Diagnostic::error(format!(
                    "`published` should be a date such as 2024-06-12, not {}",
                    crate::value::describe(other)
                ))
                .at(sec.locate("extra.published"))
                .with_hint("write the date the review was published as year-month-day, without quotes: published = 2024-06-12"),
            );
            None
        }
    };
    Year {
        section: sid,
        folder,
        period,
        published,
        updates: Vec::new(),
        stories: Vec::new(),
        featured: Vec::new(),
    }
}
