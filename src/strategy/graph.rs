//! The strategy graph (content model §2–§4): entities of the four kinds,
//! read from their sections, with every reference checked and resolved
//! both ways.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::config::Config;
use crate::diagnostics::{closest, Diagnostic, Diagnostics};
use crate::load::meta::SortBy;
use crate::site::{Page, PageId, SectionId, Site};

use super::measure::{self, Measure};
use super::settings::{Kind, Settings};
use super::status::{self, Status};

/// One priority, commitment, programme or measure.
#[derive(Debug, Clone)]
pub(crate) struct Entity {
    pub kind: Kind,
    pub id: String,
    pub page: PageId,
    pub title: String,
    /// References this entity makes, by kind of target: indices into
    /// [`Graph::entities`] of that kind, in the order written.
    pub refs: [Vec<usize>; 4],
    /// Entities that reference this one, by their kind, in graph order.
    pub back: [Vec<usize>; 4],
    /// References to drafts left out of this build: shown as plain text.
    pub draft_refs: Vec<DraftRef>,
    pub code: Option<String>,
    pub group: Option<String>,
    pub status: Option<Status>,
    pub lead: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub measure: Option<Measure>,
    /// A programme's milestones, in the order written (§3).
    pub milestones: Vec<Milestone>,
    /// Further facts, `(term, value)` in the order written (§3 `details`).
    pub details: Vec<(String, String)>,
}

/// One of a programme's milestones.
#[derive(Debug, Clone)]
pub(crate) struct Milestone {
    pub title: String,
    /// A date (`2025-03-31`) or a period label (`"2025/26"`), as written.
    pub due: String,
    /// As a reader reads it: a date as "31 March 2025", a period as written.
    pub due_text: String,
    pub status: Option<Status>,
}

#[derive(Debug, Clone)]
pub(crate) struct DraftRef {
    pub kind: Kind,
    pub id: String,
    pub title: String,
}

/// All entities, by kind, in the order §2 defines.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    pub settings: Settings,
    pub entities: [Vec<Entity>; 4],
    /// The section of each kind, when it exists.
    pub sections: [Option<SectionId>; 4],
    ids: [HashMap<String, usize>; 4],
    by_page: HashMap<PageId, (Kind, usize)>,
    /// The pages that refer to a page that could not be loaded; the review
    /// adds its updates, and the plugin tells each file's error.
    pub referrers: Referrers,
    /// Whether the strategy applies to the site at all (§2): the config
    /// has `[extra.strategy]`, or some kind's folder has a page that sets
    /// a strategy key. A plain Zola site is left as Zola leaves it.
    pub applies: bool,
}

/// Whether some page under `content/DIR/` sets one of kind `k`'s keys
/// under `[extra]` (§2).
fn has_strategy_pages(site: &Site, dir: &str, k: Kind) -> bool {
    let prefix = format!("{dir}/");
    site.pages
        .iter()
        .chain(site.draft_pages.iter())
        .filter(|p| p.file.relative.starts_with(&prefix))
        .any(|p| keys_of(k).iter().any(|key| p.meta.extra.contains_key(*key)))
}

/// The pages that refer to each page that could not be loaded.
pub(crate) type Referrers = std::collections::BTreeMap<std::path::PathBuf, Vec<String>>;

/// Tell each unreadable page's error which pages refer to it: they are not
/// reported again as naming an unknown id, so the user fixes the one file.
pub(crate) fn note_referrers(referrers: Referrers, diags: &Diagnostics) {
    for (file, mut pages) in referrers {
        pages.sort();
        pages.dedup();
        let n = pages.len();
        let shown: Vec<String> = pages.iter().take(5).map(|p| format!("`{p}`")).collect();
        let more = if n > 5 {
            format!(", and {} more", n - 5)
        } else {
            String::new()
        };
        diags.add_hint(
            &file,
            &format!(
                "{} refer{} to this page and will link to it once it loads: {}{more}",
                if n == 1 {
                    "1 page".to_string()
                } else {
                    format!("{n} pages")
                },
                if n == 1 { "s" } else { "" },
                shown.join(", ")
            ),
        );
    }
}

/// Which kinds an entity of this kind may reference, by front matter key
/// (the target kind's plural).
pub(crate) fn reference_kinds(k: Kind) -> &'static [Kind] {
    match k {
        Kind::Priority => &[],
        Kind::Commitment => &[Kind::Priority],
        Kind::Programme => &[Kind::Priority, Kind::Commitment, Kind::Measure],
        Kind::Measure => &[Kind::Priority],
    }
}

/// The `[extra]` keys §3 gives each kind.
pub(crate) fn keys_of(k: Kind) -> &'static [&'static str] {
    match k {
        Kind::Priority => &["code", "group", "details"],
        Kind::Commitment => &["group", "priorities", "details"],
        Kind::Programme => &[
            "priorities",
            "commitments",
            "status",
            "lead",
            "group",
            "measures",
            "milestones",
            "start",
            "end",
            "details",
        ],
        Kind::Measure => &[
            "priorities",
            "unit",
            "direction",
            "values",
            "data",
            "series",
            "illustrative",
            "baseline",
            "target",
            "decimals",
            "source",
            "source_url",
            "updated",
            "details",
        ],
    }
}

impl Graph {
    /// The index in `entities[k]` of the entity with this id.
    pub(crate) fn index(&self, k: Kind, id: &str) -> Option<usize> {
        self.ids[k.index()].get(id).copied()
    }

    /// The entity a page is, if it is one.
    pub(crate) fn of_page(&self, p: PageId) -> Option<&Entity> {
        self.by_page
            .get(&p)
            .map(|(k, i)| &self.entities[k.index()][*i])
    }

    /// The kind and index of the entity a page is.
    pub(crate) fn index_of_page(&self, p: PageId) -> Option<(Kind, usize)> {
        self.by_page.get(&p).copied()
    }

    /// The kind whose section this is.
    pub(crate) fn kind_of_section(&self, s: SectionId) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| self.sections[k.index()] == Some(s))
    }

    /// The page of kind `k` with this id whose file could not be loaded
    /// (its error is reported already, so a reference to it is not an
    /// unknown id).
    pub(crate) fn unreadable<'s>(&self, site: &'s Site, k: Kind, id: &str) -> Option<&'s Path> {
        let section = format!("{}/_index.md", self.settings.section(k));
        site.unreadable
            .iter()
            .find(|u| u.slug == id && u.parent_section == section)
            .map(|u| u.path.as_path())
    }

    pub(crate) fn ids(&self, k: Kind) -> impl Iterator<Item = &str> {
        self.entities[k.index()].iter().map(|e| e.id.as_str())
    }

    /// Read, check and resolve the whole strategy.
    pub(crate) fn build(site: &Site, config: &Config, diags: &Diagnostics) -> Graph {
        let settings = Settings::from_config(config, diags);
        let mut g = Graph {
            settings,
            ..Graph::default()
        };
        // Drafts of each kind: id → title.
        let mut drafts: [HashMap<String, String>; 4] = Default::default();
        // Without `[extra.strategy]`, a page in some kind's folder that sets
        // one of that kind's keys says this is a strategy site; then every
        // kind's folder is read (a priority needs no key of its own).
        g.applies = g.settings.configured
            || Kind::ALL
                .into_iter()
                .any(|k| has_strategy_pages(site, g.settings.section(k), k));
        for k in Kind::ALL {
            if !g.applies {
                break;
            }
            let dir = g.settings.section(k).to_string();
            let rel = format!("{dir}/_index.md");
            g.sections[k.index()] = site.section_by_relative(&rel);
            if g.sections[k.index()].is_none() {
                if let Some(p) = site
                    .pages
                    .iter()
                    .find(|p| p.file.relative.starts_with(&format!("{dir}/")))
                {
                    diags.push(
                        Diagnostic::error(format!(
                            "content/{dir}/ holds {} but has no _index.md, so throughline cannot read them",
                            g.settings.many(k),
                        ))
                        .in_file(&p.file.path)
                        .with_hint(format!(
                            "add the file content/{rel} with a title, for example:\n+++\ntitle = \"{}\"\n+++",
                            g.settings.plural[k.index()]
                        )),
                    );
                }
            }
            for p in &site.draft_pages {
                if p.file.parent_section == rel {
                    drafts[k.index()].insert(
                        p.slug.clone(),
                        p.meta.title.clone().unwrap_or_else(|| p.slug.clone()),
                    );
                }
            }
            let pages = g.ordered_pages(site, k, &rel);
            for pid in pages {
                let page = &site.pages[pid];
                if let Some(&first) = g.ids[k.index()].get(&page.slug) {
                    let other = &site.pages[g.entities[k.index()][first].page];
                    let at = if page.meta.slug.is_some() {
                        page.locate("slug")
                    } else {
                        page.locate("title")
                    };
                    diags.push(
                        Diagnostic::error(format!(
                            "two of {} have the id `{}`: this page and content/{}",
                            g.settings.many(k),
                            page.slug,
                            other.file.relative
                        ))
                        .at(at)
                        .with_hint("an id comes from the file or folder name, or from `slug`: give one of them a different `slug`"),
                    );
                    continue;
                }
                let entity = read_entity(&g.settings, k, pid, page, config, diags);
                let i = g.entities[k.index()].len();
                g.ids[k.index()].insert(page.slug.clone(), i);
                g.by_page.insert(pid, (k, i));
                g.entities[k.index()].push(entity);
            }
        }
        g.resolve(site, &drafts, diags);
        g.warn_unconnected(site, diags);
        g
    }

    /// The pages directly in a kind's section, in §2's order.
    fn ordered_pages(&self, site: &Site, k: Kind, rel: &str) -> Vec<PageId> {
        let mut direct: Vec<PageId> = (0..site.pages.len())
            .filter(|p| site.pages[*p].file.parent_section == rel)
            .collect();
        let by_id = |a: &PageId, b: &PageId| site.pages[*a].slug.cmp(&site.pages[*b].slug);
        let sort_by = self.sections[k.index()]
            .map(|s| site.sections[s].meta.sort_by)
            .unwrap_or(SortBy::None);
        if sort_by == SortBy::None {
            direct.sort_by(|a, b| {
                let (wa, wb) = (site.pages[*a].meta.weight, site.pages[*b].meta.weight);
                wa.is_none()
                    .cmp(&wb.is_none())
                    .then(wa.cmp(&wb))
                    .then_with(|| by_id(a, b))
            });
            direct
        } else {
            let sid = self.sections[k.index()].unwrap_or_default();
            let direct_set: HashSet<PageId> = direct.iter().copied().collect();
            let listed: Vec<PageId> = site.sections[sid]
                .pages
                .iter()
                .copied()
                .filter(|p| direct_set.contains(p))
                .collect();
            let listed_set: HashSet<PageId> = listed.iter().copied().collect();
            let mut rest: Vec<PageId> = direct
                .into_iter()
                .filter(|p| !listed_set.contains(p))
                .collect();
            rest.sort_by(by_id);
            listed.into_iter().chain(rest).collect()
        }
    }

    /// Check and resolve every reference, and record the reverse links.
    fn resolve(&mut self, site: &Site, drafts: &[HashMap<String, String>; 4], diags: &Diagnostics) {
        let mut back: Vec<(Kind, usize, Kind, usize)> = Vec::new();
        let mut referrers = std::mem::take(&mut self.referrers);
        for k in Kind::ALL {
            for i in 0..self.entities[k.index()].len() {
                let page = &site.pages[self.entities[k.index()][i].page];
                for &target in reference_kinds(k) {
                    let key = target.plural();
                    let Some(v) = page.meta.extra.get(key) else {
                        continue;
                    };
                    let path = format!("extra.{key}");
                    let items: Vec<(String, &toml::Value)> = match v {
                        toml::Value::Array(a) => a
                            .iter()
                            .enumerate()
                            .map(|(n, x)| (format!("{path}[{n}]"), x))
                            .collect(),
                        toml::Value::String(s) => {
                            diags.push(
                                Diagnostic::error(format!(
                                    "`{key}` should be a list of {} ids, in square brackets",
                                    self.settings.one(target)
                                ))
                                .at(page.locate(&path))
                                .with_hint(format!("write {key} = [\"{s}\"]")),
                            );
                            continue;
                        }
                        other => {
                            diags.push(
                                Diagnostic::error(format!(
                                    "`{key}` should be a list of {} ids, not {}",
                                    self.settings.one(target),
                                    crate::value::describe(other)
                                ))
                                .at(page.locate(&path))
                                .with_hint(format!(
                                    "for example: {key} = [\"{}\"]",
                                    self.example_id(target)
                                )),
                            );
                            continue;
                        }
                    };
                    let mut resolved: Vec<usize> = Vec::new();
                    let mut draft_refs = Vec::new();
                    for (item_path, item) in items {
                        let toml::Value::String(id) = item else {
                            diags.push(
                                Diagnostic::error(format!(
                                    "each entry in `{key}` should be {} id in quotes, not {}",
                                    Kind::article(&self.settings.one(target)),
                                    crate::value::describe(item)
                                ))
                                .at(page.locate(&item_path))
                                .with_hint(format!(
                                    "for example: {key} = [\"{}\"]",
                                    self.example_id(target)
                                )),
                            );
                            continue;
                        };
                        if let Some(&t) = self.ids[target.index()].get(id.as_str()) {
                            if resolved.contains(&t) {
                                diags.push(
                                    Diagnostic::warning(format!(
                                        "`{id}` is listed twice in `{key}`"
                                    ))
                                    .at(page.locate(&item_path))
                                    .with_hint("remove one of them"),
                                );
                            } else {
                                resolved.push(t);
                            }
                        } else if let Some(title) = drafts[target.index()].get(id.as_str()) {
                            diags.push(
                                Diagnostic::warning(format!(
                                    "`{id}` is a draft {}, so it is shown as plain text, not a link",
                                    self.settings.one(target)
                                ))
                                .at(page.locate(&item_path))
                                .with_hint("publish it (remove `draft = true`) or build with --drafts to link it"),
                            );
                            draft_refs.push(DraftRef {
                                kind: target,
                                id: id.clone(),
                                title: title.clone(),
                            });
                        } else if let Some(file) = self.unreadable(site, target, id) {
                            referrers
                                .entry(file.to_path_buf())
                                .or_default()
                                .push(format!("content/{}", page.file.relative));
                        } else {
                            diags.push(self.unknown_reference(page, k, &item_path, target, id));
                        }
                    }
                    for &t in &resolved {
                        back.push((target, t, k, i));
                    }
                    let e = &mut self.entities[k.index()][i];
                    e.refs[target.index()] = resolved;
                    e.draft_refs.extend(draft_refs);
                }
            }
        }
        self.referrers = referrers;
        back.sort();
        for (tk, t, k, i) in back {
            let list = &mut self.entities[tk.index()][t].back[k.index()];
            if !list.contains(&i) {
                list.push(i);
            }
        }
    }

    /// The ids of a kind, for a message: all of them up to 12, else the
    /// first 10 and how many more.
    pub(crate) fn id_list(&self, k: Kind) -> String {
        let ids: Vec<String> = self.ids(k).map(|i| format!("`{i}`")).collect();
        match ids.len() {
            0 => format!("there is no {} yet", self.settings.one(k)),
            n if n <= 12 => ids.join(", "),
            n => format!("{}, and {} more", ids[..10].join(", "), n - 10),
        }
    }

    /// An id of this kind to show in an example.
    pub(crate) fn example_id(&self, k: Kind) -> &str {
        self.entities[k.index()]
            .first()
            .map(|e| e.id.as_str())
            .unwrap_or("an-id")
    }

    /// The error for an id that is not of the kind the key takes.
    fn unknown_reference(
        &self,
        page: &Page,
        from: Kind,
        path: &str,
        target: Kind,
        id: &str,
    ) -> Diagnostic {
        let key = target.plural();
        let one = self.settings.one(target);
        let list = |k: Kind| self.id_list(k);
        if crate::scaffold::is_placeholder(id) {
            return Diagnostic::error(format!(
                "`{key}` still has the placeholder `throughline new` wrote: fill it in"
            ))
            .at(page.locate(path))
            .with_code(crate::scaffold::CODE_FILL_IN)
            .with_hint(format!(
                "replace \"{id}\" with the ids of {} this {} is for; {} are: {}",
                self.settings.many(target),
                self.settings.one(from),
                self.settings.many_first(target),
                list(target)
            ));
        }
        let near = closest(id, self.ids(target));
        // The id of another kind?
        if let Some(other) = Kind::ALL
            .into_iter()
            .find(|k| *k != target && self.ids[k.index()].contains_key(id))
        {
            let d = Diagnostic::error(format!(
                "`{id}` is {} {}; `{key}` takes {} ids",
                Kind::article(&self.settings.one(other)),
                self.settings.one(other),
                one
            ))
            .at(page.locate(path));
            let hint = match (near, reference_kinds(from).contains(&other)) {
                (Some(n), _) => format!(
                    "did you mean the {one} `{n}`? {} are: {}",
                    self.settings.many_first(target),
                    list(target)
                ),
                (None, true) => format!(
                    "to say this delivers the {} `{id}`, list it under `{}` instead; {} are: {}",
                    self.settings.one(other),
                    other.plural(),
                    self.settings.many(target),
                    list(target)
                ),
                (None, false) => {
                    format!("{} are: {}", self.settings.many_first(target), list(target))
                }
            };
            return d.with_hint(hint);
        }
        let d = Diagnostic::error(format!("there is no {one} with the id `{id}`"))
            .at(page.locate(path));
        match near {
            Some(n) => d.with_hint(format!("did you mean `{n}`?")),
            None => d.with_hint(format!(
                "{} are: {} (an id is the file name without .md, or the page's `slug`)",
                self.settings.many_first(target),
                list(target)
            )),
        }
    }

    fn warn_unconnected(&self, site: &Site, diags: &Diagnostics) {
        for e in &self.entities[Kind::Priority.index()] {
            if e.back.iter().all(Vec::is_empty) {
                let page = &site.pages[e.page];
                diags.push(
                    Diagnostic::warning(format!(
                        "nothing refers to the {} `{}`: no {}, {} or {} lists it",
                        self.settings.one(Kind::Priority),
                        e.id,
                        self.settings.one(Kind::Commitment),
                        self.settings.one(Kind::Programme),
                        self.settings.one(Kind::Measure),
                    ))
                    .at(page.locate("title"))
                    .with_hint(format!(
                        "add \"{}\" to the `priorities` of what delivers or tracks it",
                        e.id
                    )),
                );
            }
        }
        for e in &self.entities[Kind::Programme.index()] {
            let page = &site.pages[e.page];
            let listed = match page.meta.extra.get("priorities") {
                None => false,
                Some(toml::Value::Array(a)) => !a.is_empty(),
                Some(_) => true,
            };
            if !listed {
                diags.push(
                    Diagnostic::warning(format!(
                        "the {} `{}` lists none of {}",
                        self.settings.one(Kind::Programme),
                        e.id,
                        self.settings.many(Kind::Priority)
                    ))
                    .at(page.locate(if page.meta.extra.contains_key("priorities") { "extra.priorities" } else { "title" }))
                    .with_hint(format!(
                        "add priorities = [\"{}\"] under [extra], so readers can see what it delivers",
                        self.example_id(Kind::Priority)
                    )),
                );
            }
        }
    }
}

/// An entity's own keys, checked.
fn read_entity(
    settings: &Settings,
    k: Kind,
    pid: PageId,
    page: &Page,
    config: &Config,
    diags: &Diagnostics,
) -> Entity {
    // Strategy keys above `[extra]`.
    for key in page.source.front.keys() {
        if keys_of(k).contains(&key.as_str())
            && !crate::load::meta::PAGE_KEYS.contains(&key.as_str())
        {
            diags.push(
                Diagnostic::error(format!(
                    "`{key}` belongs under `[extra]`: Zola would not pass it to the strategy"
                ))
                .at(page.locate_key(key))
                .with_hint(format!(
                    "move the `{key} = …` line below the `[extra]` line (add `[extra]` at the end of the front matter if there is none)"
                )),
            );
        }
    }
    // `[extra]` keys close to a strategy key: probably a typo.
    for key in page.meta.extra.keys() {
        if keys_of(k).contains(&key.as_str()) {
            continue;
        }
        if let Some(c) = closest(key, keys_of(k).iter().copied()) {
            diags.push(
                Diagnostic::warning(format!(
                    "`{key}` is not a key {} {} has, so it is ignored",
                    Kind::article(&settings.one(k)),
                    settings.one(k)
                ))
                .at(page.locate_key(&format!("extra.{key}")))
                .with_hint(format!("did you mean `{c}`?")),
            );
        }
    }
    let text = |key: &str| -> Option<String> {
        match page.meta.extra.get(key)? {
            // An empty value (`code = ""`, as a template leaves it) is no
            // value: an empty column heading or group would show nothing.
            toml::Value::String(s) if s.trim().is_empty() => None,
            toml::Value::String(s) => Some(s.trim().to_string()),
            toml::Value::Datetime(d) if matches!(key, "start" | "end") => Some(d.to_string()),
            other => {
                let dates = if matches!(key, "start" | "end") {
                    ", or a date such as 2024-04-01"
                } else {
                    ""
                };
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` should be text in quotes{dates}, not {}",
                        crate::value::describe(other)
                    ))
                    .at(page.locate(&format!("extra.{key}")))
                    .with_hint(format!("for example: {key} = \"…\"")),
                );
                None
            }
        }
    };
    let mut e = Entity {
        kind: k,
        id: page.slug.clone(),
        page: pid,
        title: page.meta.title.clone().unwrap_or_else(|| page.slug.clone()),
        refs: Default::default(),
        back: Default::default(),
        draft_refs: Vec::new(),
        code: None,
        group: None,
        status: None,
        lead: None,
        start: None,
        end: None,
        measure: None,
        milestones: Vec::new(),
        details: read_details(page, diags),
    };
    match k {
        Kind::Priority => {
            e.code = text("code");
            e.group = text("group");
        }
        Kind::Commitment => e.group = text("group"),
        Kind::Programme => {
            e.group = text("group");
            e.milestones = read_milestones(page, diags);
            e.lead = text("lead");
            e.start = text("start");
            e.end = text("end");
            if let Some(word) = text("status") {
                match Status::parse(&word) {
                    Some(s) => e.status = Some(s),
                    None => diags.push(bad_status(page, "extra.status", &word)),
                }
            }
        }
        Kind::Measure => {
            e.measure = measure::read(page, &config.root, diags);
            // The figures' CSV is written beside the page (§6): a file of
            // that name in the page's bundle would be replaced.
            let csv = format!("{}.csv", page.slug);
            if let Some(asset) = page
                .assets
                .iter()
                .find(|a| a.file_name().is_some_and(|n| n == csv.as_str()))
            {
                diags.push(
                    Diagnostic::error(format!(
                        "this measure's folder has a file `{csv}`, where throughline writes the measure's figures as CSV"
                    ))
                    .at(page.locate("title"))
                    .with_hint(format!(
                        "rename {} (throughline offers the figures at that address itself)",
                        asset.display()
                    )),
                );
            }
        }
    }
    e
}

/// `details = { "Senior responsible owner" = "…", … }` (any entity): text
/// to text, in the order written.
fn read_details(page: &Page, diags: &Diagnostics) -> Vec<(String, String)> {
    let Some(v) = page.meta.extra.get("details") else {
        return Vec::new();
    };
    let toml::Value::Table(t) = v else {
        diags.push(
            Diagnostic::error(format!(
                "`details` should be a table of names and text, not {}",
                crate::value::describe(v)
            ))
            .at(page.locate("extra.details"))
            .with_hint("write it under [extra] as: details = { \"Senior responsible owner\" = \"Jo Bloggs\", \"Board\" = \"Population health board\" }"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (term, value) in t {
        match value {
            toml::Value::String(s) => out.push((term.clone(), s.clone())),
            toml::Value::Datetime(d) => out.push((term.clone(), d.to_string())),
            other => diags.push(
                Diagnostic::error(format!(
                    "`{term}` in `details` should be text in quotes, not {}",
                    crate::value::describe(other)
                ))
                .at(page.locate(&format!("extra.details.{term}")))
                .with_hint(format!("for example: \"{term}\" = \"…\"")),
            ),
        }
    }
    out
}

/// `milestones = [{ title, due, status }, …]` (a programme): `due` a date
/// or a period label, `status` optional (§3).
fn read_milestones(page: &Page, diags: &Diagnostics) -> Vec<Milestone> {
    let Some(v) = page.meta.extra.get("milestones") else {
        return Vec::new();
    };
    let example = "milestones = [{ title = \"Pilot in two neighbourhoods\", due = 2025-03-31, status = \"complete\" }]";
    let toml::Value::Array(items) = v else {
        diags.push(
            Diagnostic::error(format!(
                "`milestones` should be a list of {{ title, due, status }}, not {}",
                crate::value::describe(v)
            ))
            .at(page.locate("extra.milestones"))
            .with_hint(format!("for example: {example}")),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("extra.milestones[{i}]");
        let toml::Value::Table(t) = item else {
            diags.push(
                Diagnostic::error(format!(
                    "each milestone should be {{ title = …, due = … }}, not {}",
                    crate::value::describe(item)
                ))
                .at(page.locate(&key))
                .with_hint(format!("for example: {example}")),
            );
            continue;
        };
        let title = match t.get("title") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            _ => {
                diags.push(
                    Diagnostic::error("this milestone has no `title`")
                        .at(page.locate(&key))
                        .with_hint("add title = \"…\": what will be done"),
                );
                continue;
            }
        };
        let due = match t.get("due") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(toml::Value::Datetime(d)) => d.to_string(),
            _ => {
                diags.push(
                    Diagnostic::error(format!("the milestone \"{title}\" has no `due`"))
                        .at(page.locate(&key))
                        .with_hint(
                            "add due = 2025-03-31 (a date), or due = \"2025/26\" (a period)",
                        ),
                );
                continue;
            }
        };
        let status = match t.get("status") {
            None => None,
            Some(toml::Value::String(w)) => match Status::parse(w) {
                Some(s) => Some(s),
                None => {
                    diags.push(bad_status(page, &format!("{key}.status"), w));
                    None
                }
            },
            Some(other) => {
                diags.push(
                    Diagnostic::error(format!(
                        "a milestone's `status` should be a status word in quotes, not {}",
                        crate::value::describe(other)
                    ))
                    .at(page.locate(&format!("{key}.status")))
                    .with_hint(format!("the statuses are: {}", status::word_list())),
                );
                None
            }
        };
        let due_text = chrono::NaiveDate::parse_from_str(&due, "%Y-%m-%d")
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_else(|_| due.clone());
        out.push(Milestone {
            title,
            due,
            due_text,
            status,
        });
    }
    out
}

/// The error for a status word that is not one of §4's.
pub(crate) fn bad_status(page: &Page, key: &str, word: &str) -> Diagnostic {
    let allowed = status::word_list();
    if crate::scaffold::is_placeholder(word) {
        return Diagnostic::error(
            "`status` still has the placeholder `throughline new` wrote: fill it in",
        )
        .at(page.locate(key))
        .with_hint(format!("say how it stands; the statuses are: {allowed}"))
        .with_code(crate::scaffold::CODE_FILL_IN);
    }
    let d = Diagnostic::error(format!("`{word}` is not a status throughline knows"))
        .at(page.locate(key));
    match status::suggest(word) {
        Some(s) => d.with_hint(format!("did you mean `{s}`? The statuses are: {allowed}")),
        None => d.with_hint(format!("the statuses are: {allowed}")),
    }
}
