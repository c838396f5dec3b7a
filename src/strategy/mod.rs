//! The strategy plugin: priorities, commitments, programmes and measures
//! (content model §2–§4, §6), read from their sections, checked, resolved
//! both ways and given to templates. The core pipeline knows nothing of
//! this module; it joins through [`crate::plugin::Plugin`] like any other.

pub(crate) mod chart;
pub(crate) mod data;
pub(crate) mod graph;
pub(crate) mod measure;
pub(crate) mod review;
pub(crate) mod scaffold;
pub(crate) mod settings;
pub(crate) mod status;

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::diagnostics::{closest, Diagnostic, Diagnostics};
use crate::plugin::{
    Args, Changed, Function, GeneratedPage, NewPage, NewRequest, Plugin, RenderCx, Template,
};
use crate::render::EngineKind;
use crate::site::{Item, PageId, Site};

pub(crate) use graph::Graph;
pub(crate) use review::Review;
pub(crate) use settings::Kind;

/// The graph and its template data, shared with template functions.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub graph: Graph,
    pub review: Review,
    pub data: data::Data,
    /// Fingerprints of `data`'s values, worked out when `serve` first
    /// compares this state with a newer one.
    fps: std::sync::OnceLock<DataFps>,
}

/// Fingerprints of each value templates get.
#[derive(Debug)]
struct DataFps {
    entities: [Vec<u64>; 4],
    updates: Vec<u64>,
    years: Vec<u64>,
    years_brief: Vec<u64>,
    review: u64,
    graph: u64,
}

impl State {
    fn fps(&self) -> &DataFps {
        use crate::render::deps::hash_value;
        use rayon::prelude::*;
        self.fps.get_or_init(|| {
            let all = |list: &Vec<Value>| list.par_iter().map(hash_value).collect::<Vec<u64>>();
            let all_arcs = |list: &Vec<Arc<Value>>| {
                list.par_iter().map(|v| hash_value(v)).collect::<Vec<u64>>()
            };
            let d = &self.data;
            DataFps {
                entities: Kind::ALL.map(|k| all_arcs(&d.entities[k.index()])),
                updates: all_arcs(&d.updates),
                years: all_arcs(&d.years),
                years_brief: all(&d.years_brief),
                review: hash_value(&d.review),
                graph: d.graph_fp(),
            }
        })
    }
}

/// The plugin. [`crate::default_plugins`] includes it.
#[derive(Debug, Default)]
pub(crate) struct StrategyPlugin {
    state: Arc<State>,
    /// Built once (see [`Plugin::built_once`]): values made when read.
    lazy: bool,
}

/// Built-in templates, so that any theme can show the strategy. Their
/// source is the default theme's (one copy, embedded twice): a site with its
/// own theme gets them from here, a site with the default theme from it.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "strategy/macros.html",
        include_str!("../../themes/throughline/templates/strategy/macros.html"),
    ),
    (
        "strategy/links.html",
        include_str!("../../themes/throughline/templates/strategy/links.html"),
    ),
    (
        "strategy/plan.html",
        include_str!("../../themes/throughline/templates/strategy/plan.html"),
    ),
    (
        "strategy/year_body.html",
        include_str!("../../themes/throughline/templates/strategy/year_body.html"),
    ),
    (
        "strategy/update_summary.html",
        include_str!("../../themes/throughline/templates/strategy/update_summary.html"),
    ),
    (
        "strategy/review_atom.xml",
        include_str!("../../themes/throughline/templates/strategy/review_atom.xml"),
    ),
    (
        "shortcodes/plan_on_a_page.html",
        include_str!("../../themes/throughline/templates/shortcodes/plan_on_a_page.html"),
    ), // A file whose text the strategy made (a measure's CSV).
    ("strategy/raw.txt", "{{ text | safe }}"),
];

/// The same templates for sites on MiniJinja, from the port of the default
/// theme.
const TEMPLATES_JINJA: &[(&str, &str)] = &[
    (
        "strategy/macros.html",
        include_str!("../../themes/throughline-minijinja/templates/strategy/macros.html"),
    ),
    (
        "strategy/links.html",
        include_str!("../../themes/throughline-minijinja/templates/strategy/links.html"),
    ),
    (
        "strategy/plan.html",
        include_str!("../../themes/throughline-minijinja/templates/strategy/plan.html"),
    ),
    (
        "strategy/year_body.html",
        include_str!("../../themes/throughline-minijinja/templates/strategy/year_body.html"),
    ),
    (
        "strategy/update_summary.html",
        include_str!("../../themes/throughline-minijinja/templates/strategy/update_summary.html"),
    ),
    (
        "strategy/review_atom.xml",
        include_str!("../../themes/throughline-minijinja/templates/strategy/review_atom.xml"),
    ),
    (
        "shortcodes/plan_on_a_page.html",
        include_str!("../../themes/throughline-minijinja/templates/shortcodes/plan_on_a_page.html"),
    ), // A file whose text the strategy made (a measure's CSV).
    ("strategy/raw.txt", "{{ text | safe }}"),
];

fn get_entity(state: &State, args: &Args) -> Result<Value, String> {
    let kind_arg = match args.get("kind") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err(
            "`get_entity` needs `kind`: \"priority\", \"commitment\", \"programme\" or \"measure\""
                .into(),
        ),
    };
    let kind = Kind::parse(kind_arg).ok_or_else(|| {
        format!("`{kind_arg}` is not a kind of entity: use \"priority\", \"commitment\", \"programme\" or \"measure\"")
    })?;
    let id = match args.get("id") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err("`get_entity` needs `id`, the entity's slug".into()),
    };
    let g = &state.graph;
    match g.index(kind, id) {
        Some(i) => Ok(Arc::unwrap_or_clone(state.data.entity(
            &state.graph,
            &state.review,
            kind,
            i,
        ))),
        None => Err(match closest(id, g.ids(kind)) {
            Some(c) => format!(
                "there is no {} `{id}`; did you mean `{c}`?",
                kind.singular()
            ),
            None => format!("there is no {} `{id}`", kind.singular()),
        }),
    }
}

impl Plugin for StrategyPlugin {
    fn name(&self) -> &str {
        "strategy"
    }

    /// The graph and the review are read from front matter (and CSV
    /// files) only.
    fn site_loaded_reads_bodies(&self) -> bool {
        false
    }

    fn built_once(&mut self) {
        self.lazy = true;
    }

    fn site_loaded(&mut self, site: &Site, config: &Config, diags: &Diagnostics) {
        let (graph, review) = graph_and_review(site, config, diags);
        let data = if self.lazy {
            data::Data::new_lazy(&graph, &review, site)
        } else {
            data::Data::new(&graph, &review, site)
        };
        self.state = Arc::new(State {
            graph,
            review,
            data,
            fps: Default::default(),
        });
    }

    /// The graph and the review are read again; what changed is found by
    /// comparing the values templates get, old and new.
    /// The entities' and updates' values that cannot have changed are
    /// kept (see [`reusable`]); what changed is found by comparing
    /// fingerprints of the values templates get, old and new.
    fn site_changed(
        &mut self,
        site: &Site,
        config: &Config,
        changed: &[Item],
        diags: &Diagnostics,
    ) -> Option<Changed> {
        let old = self.state.clone();
        let (graph, review) = graph_and_review(site, config, diags);
        let reuse = reusable(&old, &graph, &review, site, changed);
        let data = data::Data::with_reuse(&graph, &review, site, reuse.as_ref());
        #[cfg(debug_assertions)]
        {
            // Tests build with debug assertions: the kept values must be
            // what making them again gives.
            let fresh = data::Data::new(&graph, &review, site);
            debug_assert!(
                fresh.entities == data.entities
                    && fresh.updates == data.updates
                    && fresh.years == data.years,
                "the strategy's incremental data differs from its full data"
            );
        }
        // Kept values keep their fingerprints.
        let fps = std::sync::OnceLock::new();
        if let (Some(r), Some(old_fps)) = (&reuse, old.fps.get()) {
            use crate::render::deps::hash_value;
            let pick = |keep: &[bool], olds: &[u64], values: &[Arc<Value>]| -> Vec<u64> {
                values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| match (keep.get(i), olds.get(i)) {
                        (Some(true), Some(fp)) => *fp,
                        _ => hash_value(v),
                    })
                    .collect()
            };
            let entities = Kind::ALL.map(|k| {
                pick(
                    &r.entities[k.index()],
                    &old_fps.entities[k.index()],
                    &data.entities[k.index()],
                )
            });
            let updates = pick(&r.updates, &old_fps.updates, &data.updates);
            let years = pick(&r.years, &old_fps.years, &data.years);
            let all = |list: &Vec<Value>| list.iter().map(hash_value).collect::<Vec<u64>>();
            let _ = fps.set(DataFps {
                entities,
                updates,
                years,
                years_brief: all(&data.years_brief),
                review: hash_value(&data.review),
                graph: data.graph_fp(),
            });
        }
        drop(reuse);
        self.state = Arc::new(State {
            graph,
            review,
            data,
            fps,
        });
        changed_between(&old, &self.state, site)
    }

    fn templates(&self) -> Vec<Template> {
        self.templates_for(EngineKind::Tera)
    }

    fn templates_for(&self, engine: EngineKind) -> Vec<Template> {
        let list = match engine {
            EngineKind::Tera => TEMPLATES,
            EngineKind::MiniJinja => TEMPLATES_JINJA,
        };
        list.iter()
            .map(|(name, source)| Template {
                name: name.to_string(),
                source: source.to_string(),
            })
            .collect()
    }

    fn functions(&self) -> Vec<Function> {
        let s = self.state.clone();
        let s2 = self.state.clone();
        vec![
            Function::new("get_entity", move |args| get_entity(&s, args)),
            Function::new("get_strategy", move |_| {
                Ok(s2.data.whole_graph(&s2.graph).into_owned())
            }),
        ]
    }

    fn template_for(&self, cx: &RenderCx<'_>, item: Item) -> Option<String> {
        let name = match item {
            Item::Page(pid) => match self.state.graph.of_page(pid) {
                Some(e) => format!("strategy/{}.html", e.kind.singular()),
                None => {
                    self.state.review.update_of_page(pid)?;
                    "strategy/update.html".to_string()
                }
            },
            Item::Section(sid) => {
                let review = &self.state.review;
                if review.section == Some(sid) {
                    "strategy/review.html".to_string()
                } else {
                    review.year_of_section(sid)?;
                    "strategy/year.html".to_string()
                }
            }
        };
        cx.has_template(&name).then_some(name)
    }

    fn generated_pages(&self, cx: &RenderCx<'_>) -> Vec<GeneratedPage> {
        let mut pages: Vec<GeneratedPage> = review_feed(&self.state, cx).into_iter().collect();
        pages.extend(measure_csvs(&self.state, cx.site));
        pages
    }

    fn extend_context(
        &self,
        cx: &RenderCx<'_>,
        item: Item,
        ctx: &mut Map<String, Value>,
    ) -> Result<(), Diagnostic> {
        let g = &self.state.graph;
        match item {
            Item::Page(pid) => {
                // Each value is parsed (or copied) once, lent to the
                // fragment's render and then moved into the context.
                if let Some(u) = self.state.review.update_of_page(pid) {
                    let mut update = cx.own(self.state.data.update(g, &self.state.review, u));
                    if cx.template == Some("page.html") {
                        let template = "strategy/update_summary.html";
                        update = append_lent(cx, ctx, "page", template, ("update", update), false)?;
                    }
                    ctx.insert("update".into(), update);
                    return Ok(());
                }
                let Some((kind, i)) = g.index_of_page(pid) else {
                    return Ok(());
                };
                let mut entity = cx.own(self.state.data.entity(g, &self.state.review, kind, i));
                // With Zola's plain page template, the links follow the
                // page's own text, so any theme shows them.
                if cx.template == Some("page.html") {
                    let template = "strategy/links.html";
                    entity = append_lent(cx, ctx, "page", template, ("entity", entity), true)?;
                }
                ctx.insert("entity".into(), entity);
            }
            Item::Section(sid) => {
                let section = &cx.site.sections[sid];
                // On a paginated priorities section the plan is on the
                // first pager only: on each, it would make the section's
                // pages grow as priorities × links.
                let later_pager = ctx
                    .get("paginator")
                    .and_then(|p| p.get("current_index"))
                    .and_then(Value::as_u64)
                    .is_some_and(|i| i > 1);
                if g.kind_of_section(sid) == Some(Kind::Priority)
                    && !later_pager
                    && !section.source.body().contains("plan_on_a_page")
                    && section.meta.extra.get("plan_on_a_page")
                        != Some(&toml::Value::Boolean(false))
                    && !g.entities[Kind::Programme.index()].is_empty()
                {
                    let template = "strategy/plan.html";
                    let graph = self.state.data.whole_graph(g);
                    let plan = cx.own_for(Some(template), "strategy", graph);
                    append_lent(cx, ctx, "section", template, ("strategy", plan), false)?;
                }
                // §3: a kind whose entities have groups is listed under
                // them on its section page. The default theme's
                // section.html shows `strategy_groups` in place of its
                // plain list; other themes get the variable to use.
                if let Some(kind) = g.kind_of_section(sid) {
                    let refs = self.state.data.graph[kind.plural()].as_array();
                    let grouped = refs.is_some_and(|r| r.iter().any(|e| e["group"].is_string()));
                    if grouped && section.meta.paginate_by.is_none() {
                        ctx.insert(
                            "strategy_groups".into(),
                            cx.large(&entity_groups(refs.map(Vec::as_slice).unwrap_or(&[]))),
                        );
                    }
                }
                let review = &self.state.review;
                if let Some(y) = review.year_of_section(sid) {
                    // A paginated year has its report on the first page
                    // only; later pages list their share of its pages.
                    let later_page = ctx
                        .get("paginator")
                        .and_then(|p| p.get("current_index"))
                        .and_then(Value::as_u64)
                        .is_some_and(|i| i > 1);
                    let mut year = if later_page {
                        cx.large(&self.state.data.years_brief[y])
                    } else {
                        cx.own(self.state.data.year(g, review, y))
                    };
                    // With Zola's plain section template, the year's
                    // tables and charts follow its own text.
                    if cx.template == Some("section.html") && !later_page {
                        let template = "strategy/year_body.html";
                        year = append_lent(cx, ctx, "section", template, ("year", year), false)?;
                    }
                    ctx.insert("year".into(), year);
                }
                if review.section == Some(sid) || review.year_of_section(sid).is_some() {
                    ctx.insert("review".into(), cx.large(&self.state.data.review));
                }
                // The whole graph for the index and the strategy's own
                // sections (not for every section: it is large), and only
                // when their template reads it (a paginated section would
                // otherwise copy it into every pager page).
                if (section.is_index() || g.kind_of_section(sid).is_some())
                    && cx.template_mentions(STRATEGY_USES)
                {
                    let graph = self.state.data.whole_graph(g);
                    ctx.insert(
                        "strategy".into(),
                        cx.own_for(cx.template, "strategy", graph),
                    );
                }
            }
        }
        Ok(())
    }

    fn init_files(&self) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        scaffold::init_files()
    }

    fn init_config(&self) -> String {
        scaffold::init_config()
    }

    fn new_kinds(&self) -> Vec<String> {
        scaffold::new_kinds()
    }

    fn new_page(&self, req: &NewRequest<'_>) -> Option<Result<NewPage, Vec<Diagnostic>>> {
        scaffold::new_page(req)
    }
}

/// Entities (their links, in the kind's order) under their groups (§3):
/// those without a group first, under no heading, then each group in the
/// order of its first member.
fn entity_groups(refs: &[Value]) -> Value {
    let mut groups: Vec<(Value, Vec<Value>)> = vec![(Value::Null, Vec::new())];
    for e in refs {
        let name = e["group"].clone();
        match groups.iter_mut().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(e.clone()),
            None => groups.push((name, vec![e.clone()])),
        }
    }
    Value::Array(
        groups
            .into_iter()
            .filter(|(_, list)| !list.is_empty())
            .map(|(name, entities)| json!({"name": name, "entities": entities}))
            .collect(),
    )
}

/// The graph and the review read from the site, with each programme that
/// has no `status` given its latest update's (§3).
fn graph_and_review(site: &Site, config: &Config, diags: &Diagnostics) -> (Graph, Review) {
    let mut graph = Graph::build(site, config, diags);
    let mut review = Review::build(site, &graph, diags);
    let mut referrers = std::mem::take(&mut graph.referrers);
    for (file, pages) in std::mem::take(&mut review.referrers) {
        referrers.entry(file).or_default().extend(pages);
    }
    graph::note_referrers(referrers, diags);
    let p = Kind::Programme.index();
    for (i, e) in graph.entities[p].iter_mut().enumerate() {
        if e.status.is_none() {
            e.status = review
                .latest_status(Kind::Programme, i)
                .map(|(s, _)| s.clone());
        }
    }
    (graph, review)
}

/// Which entities' and updates' values from `old` are still right for
/// the site as it is now, after an edit to the front matter of `changed`;
/// `None` (make everything again) when the graph or the review changed
/// shape. An entity's value is made from its own page, its updates, and
/// the references of the entities it links; an update's from its page,
/// its target's reference and the previous year's update of that target.
fn reusable<'a>(
    old: &'a State,
    g: &Graph,
    review: &Review,
    site: &Site,
    changed: &[Item],
) -> Option<data::Reuse<'a>> {
    let og = &old.graph;
    let same = Kind::ALL.iter().all(|k| {
        og.entities[k.index()].len() == g.entities[k.index()].len()
            && og.entities[k.index()]
                .iter()
                .zip(&g.entities[k.index()])
                .all(|(a, b)| a.page == b.page)
    }) && og.sections == g.sections
        && old.review.section == review.section
        && old.review.years.len() == review.years.len()
        && old.review.updates.len() == review.updates.len()
        && old
            .review
            .updates
            .iter()
            .zip(&review.updates)
            .all(|(a, b)| (a.page, a.kind, a.target, a.year) == (b.page, b.kind, b.target, b.year))
        && old
            .data
            .refs
            .iter()
            .map(Vec::len)
            .eq(g.entities.iter().map(Vec::len));
    if !same {
        return None;
    }
    let pages: std::collections::HashSet<PageId> = changed
        .iter()
        .filter_map(|i| match i {
            Item::Page(p) => Some(*p),
            Item::Section(_) => None,
        })
        .collect();
    let mut touched: [Vec<bool>; 4] = Kind::ALL.map(|k| vec![false; g.entities[k.index()].len()]);
    // Entities whose reference (what others show of them) changed.
    let mut ref_moved: [Vec<bool>; 4] = Kind::ALL.map(|k| vec![false; g.entities[k.index()].len()]);
    for k in Kind::ALL {
        for (i, e) in g.entities[k.index()].iter().enumerate() {
            let was = &og.entities[k.index()][i];
            let ref_changed = data::reference(site, e) != old.data.refs[k.index()][i];
            ref_moved[k.index()][i] = ref_changed;
            let moved =
                pages.contains(&e.page) || ref_changed || e.refs != was.refs || e.back != was.back;
            if !moved {
                continue;
            }
            touched[k.index()][i] = true;
            // Those that link it show its reference.
            for other in Kind::ALL {
                let linked = e.refs[other.index()]
                    .iter()
                    .chain(&e.back[other.index()])
                    .chain(&was.refs[other.index()])
                    .chain(&was.back[other.index()]);
                for j in linked {
                    if let Some(t) = touched[other.index()].get_mut(*j) {
                        *t = true;
                    }
                }
            }
        }
    }
    // An entity shows its updates (history, status).
    for up in &review.updates {
        if pages.contains(&up.page) {
            if let Some(t) = touched[up.kind.index()].get_mut(up.target) {
                *t = true;
            }
        }
    }
    let updates: Vec<bool> = review
        .updates
        .iter()
        .map(|up| {
            let previous_changed = up
                .year
                .checked_sub(1)
                .and_then(|p| review.update_for(up.kind, up.target, p))
                .is_some_and(|pu| pages.contains(&review.updates[pu].page));
            let target_changed = touched[up.kind.index()]
                .get(up.target)
                .copied()
                .unwrap_or(true);
            !(pages.contains(&up.page) || previous_changed || target_changed)
        })
        .collect();
    // A year's report shows every programme's reference, the commitments
    // updated that year, every measure (with its chart), its stories, and
    // the updates of that year and the one before.
    let any = |k: Kind| ref_moved[k.index()].iter().any(|m| *m);
    let measures_moved = g.entities[Kind::Measure.index()]
        .iter()
        .enumerate()
        .any(|(i, e)| ref_moved[Kind::Measure.index()][i] || pages.contains(&e.page));
    let years = (0..review.years.len())
        .map(|y| {
            let commitment_moved = (0..g.entities[Kind::Commitment.index()].len()).any(|i| {
                ref_moved[Kind::Commitment.index()][i]
                    && review.update_for(Kind::Commitment, i, y).is_some()
            });
            let update_moved = review
                .updates
                .iter()
                .any(|up| pages.contains(&up.page) && (up.year == y || up.year + 1 == y));
            let story_moved = review.years[y].stories.iter().any(|p| pages.contains(p));
            !(any(Kind::Programme)
                || measures_moved
                || commitment_moved
                || update_moved
                || story_moved)
        })
        .collect();
    Some(data::Reuse {
        old: &old.data,
        entities: touched.map(|t| t.into_iter().map(|moved| !moved).collect()),
        updates,
        years,
    })
}

/// The pages and sections whose context from this plugin differs between
/// two states of the same site, or `None` when the states are not of the
/// same shape (an entity or an update appeared, went or moved: templates
/// may differ too).
fn changed_between(old: &State, new: &State, site: &Site) -> Option<Changed> {
    let pages_of = |s: &State, k: Kind| -> Vec<PageId> {
        s.graph.entities[k.index()].iter().map(|e| e.page).collect()
    };
    let same_shape = Kind::ALL
        .iter()
        .all(|k| pages_of(old, *k) == pages_of(new, *k))
        && old.graph.sections == new.graph.sections
        && old.review.section == new.review.section
        && old.review.years.iter().map(|y| y.section).eq(new
            .review
            .years
            .iter()
            .map(|y| y.section))
        && old
            .review
            .updates
            .iter()
            .map(|u| u.page)
            .eq(new.review.updates.iter().map(|u| u.page));
    if !same_shape {
        return None;
    }
    // (By fingerprint: the old state's were worked out when it was the
    // new one.)
    let (a, b) = (old.fps(), new.fps());
    let differs = |x: &[u64], y: &[u64], i: usize| x.get(i) != y.get(i);
    let mut items = Vec::new();
    for k in Kind::ALL {
        let (x, y) = (&a.entities[k.index()], &b.entities[k.index()]);
        for (i, e) in new.graph.entities[k.index()].iter().enumerate() {
            if differs(x, y, i) {
                items.push(Item::Page(e.page));
            }
        }
    }
    for (u, up) in new.review.updates.iter().enumerate() {
        if differs(&a.updates, &b.updates, u) {
            items.push(Item::Page(up.page));
        }
    }
    let review_changed = a.review != b.review;
    for (y, year) in new.review.years.iter().enumerate() {
        if review_changed
            || differs(&a.years, &b.years, y)
            || differs(&a.years_brief, &b.years_brief, y)
        {
            items.push(Item::Section(year.section));
        }
    }
    if let (true, Some(s)) = (review_changed, new.review.section) {
        items.push(Item::Section(s));
    }
    if a.graph != b.graph {
        items.extend(
            new.graph
                .sections
                .iter()
                .flatten()
                .map(|s| Item::Section(*s)),
        );
        items.extend(
            site.sections
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_index())
                .map(|(i, _)| Item::Section(i)),
        );
    }
    Some(Changed {
        items,
        // The review's feed reads update pages' titles, dates and bodies:
        // looked at whenever anything changed.
        generated: true,
    })
}

/// How a template reads the `strategy` variable (not `get_strategy()` or a
/// `strategy/…` template name).
const STRATEGY_USES: &[&str] = &[
    "strategy.",
    "strategy[",
    "strategy)",
    "strategy }",
    "strategy|",
    "strategy |",
    "=strategy",
    "= strategy",
];

/// Render `template` with one value (and, with `with_config`, the item's
/// `config`) and add it after the `content` of the context's `page` or
/// `section` (for themes that know nothing of the strategy). The value is
/// lent to the render and given back for the item's own context, and
/// `config` put back where it was, so neither is copied.
fn append_lent(
    cx: &RenderCx<'_>,
    ctx: &mut Map<String, Value>,
    item: &str,
    template: &str,
    (name, value): (&str, Value),
    with_config: bool,
) -> Result<Value, Diagnostic> {
    let mut vars = Map::new();
    vars.insert(name.to_string(), value);
    if with_config {
        let config = ctx.get_mut("config").map(std::mem::take);
        vars.insert("config".into(), config.unwrap_or_default());
    }
    let html = cx.render_lent(template, &mut vars);
    if with_config {
        if let (Some(slot), Some(config)) = (ctx.get_mut("config"), vars.remove("config")) {
            *slot = config;
        }
    }
    let html = html?;
    if let Some(Value::String(content)) = ctx.get_mut(item).and_then(|p| p.get_mut("content")) {
        content.push_str(&html);
    }
    Ok(vars.remove(name).unwrap_or_default())
}

/// The annual review's Atom feed (`/<annual_review>/atom.xml`): every
/// update, newest year first. An entry is dated by its page's `date`, else
/// its year's `published`.
/// Each measure's figures as CSV beside its page (§6:
/// `/<measures>/<id>/<id>.csv`), for people who want to use the numbers.
fn measure_csvs(state: &State, site: &Site) -> Vec<GeneratedPage> {
    state.graph.entities[Kind::Measure.index()]
        .iter()
        .filter_map(|e| {
            let m = e.measure.as_ref()?;
            let page = &site.pages[e.page];
            let mut context = Map::new();
            context.insert("text".into(), Value::String(measure::figures_csv(m)));
            Some(GeneratedPage {
                path: format!("{}{}.csv", page.path, e.id),
                template: "strategy/raw.txt".into(),
                context,
                in_sitemap: false,
            })
        })
        .collect()
}

/// How many updates the review's feed holds when the config sets no
/// `feed_limit`.
pub(crate) const REVIEW_FEED_ENTRIES: usize = 100;

fn review_feed(state: &State, cx: &RenderCx<'_>) -> Option<GeneratedPage> {
    let review = &state.review;
    let root = review.section?;
    if review.updates.is_empty() {
        return None;
    }
    let sec = &cx.site.sections[root];
    // Each update's date first (cheap), so that only the entries the feed
    // keeps are made: `feed_limit`, else the newest REVIEW_FEED_ENTRIES
    // (a ten-year review would otherwise put every update, whole, in one
    // file of tens of megabytes).
    let mut dated: Vec<(String, usize)> = review
        .updates
        .iter()
        .enumerate()
        .map(|(u, up)| {
            let page = &cx.site.pages[up.page];
            let year = &review.years[up.year];
            let date = page
                .meta
                .date
                .as_ref()
                .map(|d| d.naive.and_utc().to_rfc3339())
                .or_else(|| {
                    year.published
                        .as_ref()
                        .map(|d| format!("{d}T00:00:00+00:00"))
                })
                .unwrap_or_default();
            (date, u)
        })
        .collect();
    // Newest first; undated entries last, in year order (a stable sort).
    dated.sort_by(|a, b| b.0.cmp(&a.0));
    dated.truncate(cx.config.feed_limit.unwrap_or(REVIEW_FEED_ENTRIES));
    // Atom needs a date on each: an undated one gets the build's time.
    let now = crate::render::build_time().to_rfc3339();
    let mut entries: Vec<(String, Value)> = Vec::with_capacity(dated.len());
    for (date, u) in dated {
        let up = &review.updates[u];
        let page = &cx.site.pages[up.page];
        let mut v = Arc::unwrap_or_clone(state.data.update(&state.graph, &state.review, u));
        v["title"] =
            serde_json::json!(page.meta.title.clone().unwrap_or_else(|| page.slug.clone()));
        v["permalink"] = serde_json::json!(page.permalink);
        v["content"] = cx.page_field(up.page, "content").unwrap_or_default();
        v["date"] = serde_json::json!(if date.is_empty() { &now } else { &date });
        entries.push((date, v));
    }
    let updated = entries
        .iter()
        .map(|e| e.0.clone())
        .max()
        .filter(|d| !d.is_empty())
        .unwrap_or(now);
    let path = format!("{}atom.xml", sec.path);
    let mut context = Map::new();
    context.insert(
        "feed".into(),
        serde_json::json!({
            "title": format!(
                "{}: {}",
                cx.config.title.clone().unwrap_or_default(),
                sec.meta.title.clone().unwrap_or_else(|| state.graph.settings.annual_review_label.clone())
            ),
            "permalink": cx.config.permalink(&path),
            "section_permalink": sec.permalink,
            "updated": updated,
            "entries": entries.into_iter().map(|e| e.1).collect::<Vec<_>>(),
        }),
    );
    Some(GeneratedPage {
        path,
        template: "strategy/review_atom.xml".into(),
        context,
        in_sitemap: false,
    })
}
