//! The strategy as templates see it: plain JSON values, built once per
//! build and handed to any template engine. The shapes are documented in
//! `docs/templates.md`.

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::site::{PageId, Site};

use super::chart::{line_chart, with_unit, Rows};
use super::graph::{Entity, Graph};
use super::measure::{format_number, row_notes, Direction, Measure, Point};
use super::review::Review;
use super::settings::Kind;
use super::status;

/// Everything serialised: the graph, each entity by kind and index, and
/// the annual review (each year's `year`, each update's `update`).
#[derive(Debug, Default)]
pub(crate) struct Data {
    /// The graph but its `plan` (see [`Data::whole_graph`]).
    pub graph: Value,
    /// Outside a build, the graph's `plan` as JSON text: on a large
    /// strategy the biggest of the values (each programme's reference
    /// under each of its priorities). A build makes it when read, by one
    /// or two templates.
    plan: Box<str>,
    /// Outside a build ([`Data::new`]: `serve`), the whole graph, made once
    /// when first read: `serve` fingerprints values by their address, so
    /// what it is given must live as long as the data.
    whole: std::sync::OnceLock<Value>,
    /// Each entity's short reference (what other values link it by).
    pub refs: [Vec<Value>; 4],
    pub entities: [Vec<Arc<Value>>; 4],
    pub years: Vec<Arc<Value>>,
    /// Each year without its generated tables, for the later pages of a
    /// paginated year (`continued = true`): the report is on the first.
    pub years_brief: Vec<Value>,
    pub updates: Vec<Arc<Value>>,
    /// `review`: the list of years, for the annual-review section and the
    /// years themselves.
    pub review: Value,
    /// With [`Data::new_lazy`], what the entities', years' and updates'
    /// values are made from when asked for (the lists above are then
    /// empty).
    lazy: Option<Lazy>,
}

/// What a build keeps to make an entity's, year's or update's value when
/// a page asks for it: in a build each is read once or twice, so none is
/// made before it is read or kept after (on a 4,000-programme site the
/// values made up front were a third of the build's memory, and writing
/// them as text and parsing them again a fifth of its strategy's time).
#[derive(Debug)]
struct Lazy {
    pre: Pre,
    pages: [Vec<PageBits>; 4],
}

/// What an entity's value takes from its page.
#[derive(Debug)]
struct PageBits {
    description: Option<String>,
    permalink: String,
    path: String,
    relative: String,
    /// Whether its front matter sets `status` (else the latest update's).
    sets_status: bool,
}

impl PageBits {
    fn of(site: &Site, e: &Entity) -> PageBits {
        let page = &site.pages[e.page];
        PageBits {
            description: page.meta.description.clone(),
            permalink: page.permalink.clone(),
            path: page.path.clone(),
            relative: page.file.relative.clone(),
            sets_status: page.meta.extra.contains_key("status"),
        }
    }
}

/// A short reference to an entity: enough to link to it.
pub(crate) fn reference(site: &Site, e: &Entity) -> Value {
    let page = &site.pages[e.page];
    json!({
        "kind": e.kind,
        "id": e.id,
        "title": e.title,
        "permalink": page.permalink,
        "draft": false,
        "code": e.code,
        "status": e.status,
        "group": e.group,
        "description": page.meta.description,
    })
}

fn point_value(p: &Point, m: &Measure) -> Value {
    let mut f = figure(p.value, m);
    f["period"] = json!(p.period);
    if p.reported.is_some() || p.provisional || p.note.is_some() {
        f["reported"] = json!(p.reported);
        f["provisional"] = json!(p.provisional);
        f["note"] = json!(p.note);
    }
    f
}

/// Whether any figure has a note or is provisional, and whether any says
/// when it was reported: the tables' extra columns.
fn columns_of(rows: &Rows<'_>) -> (bool, bool) {
    let mut points = rows.cells.iter().flatten().flatten();
    let notes = points.clone().any(|p| p.provisional || p.note.is_some());
    (notes, points.any(|p| p.reported.is_some()))
}

/// The rows of a measure's table (§6: a column per series, and a row's
/// `provisional` and `note` in the row of its figure). A row keeps the
/// fields of a one-series entry (`value`, `display`, … of the first
/// series) for templates written before there were several series.
fn table_rows(m: &Measure, rows: &Rows<'_>) -> Vec<Value> {
    rows.periods
        .iter()
        .zip(rows.cells)
        .map(|(period, cells)| {
            let notes = row_notes(rows.names, cells);
            let mut row = figure(cells[0].and_then(|p| p.value), m);
            row["period"] = json!(period);
            row["cells"] = Value::Array(
                cells
                    .iter()
                    .map(|c| figure(c.and_then(|p| p.value), m))
                    .collect(),
            );
            let text = |t: String| {
                if t.is_empty() {
                    Value::Null
                } else {
                    Value::String(t)
                }
            };
            row["reported"] = text(notes.reported);
            row["provisional"] = json!(notes.provisional);
            row["note"] = text(notes.note);
            row["note_text"] = json!(notes.note_text);
            row
        })
        .collect()
}

fn measure_value(m: &Measure, id: &str, title: &str) -> Value {
    let grid = m.grid();
    let names = m.names();
    let rows = Rows {
        names: &names,
        periods: &grid.periods,
        cells: &grid.cells,
    };
    let latest_of = |points: &[Point]| {
        points
            .iter()
            .rev()
            .find(|p| p.value.is_some())
            .map(|p| point_value(p, m))
    };
    let chart = line_chart(&format!("chart-{id}"), title, m, rows);
    let (notes, reported) = columns_of(&rows);
    let first = &m.series[0].points;
    json!({
        "chart": chart,
        "unit": m.unit,
        "direction": m.direction,
        "illustrative": m.illustrative,
        "notes": notes,
        "reported": reported,
        "decimals": m.decimals,
        "series": m.series.iter().zip(&names).map(|(s, name)| json!({
            "name": name,
            "values": s.points.iter().map(|p| point_value(p, m)).collect::<Vec<_>>(),
            "latest": latest_of(&s.points),
        })).collect::<Vec<_>>(),
        "columns": if m.series.len() > 1 { json!(names) } else { json!([]) },
        "rows": table_rows(m, &rows),
        "values": first.iter().map(|p| point_value(p, m)).collect::<Vec<_>>(),
        "latest": latest_of(first),
        "baseline": m.baseline.as_ref().map(|p| point_value(p, m)),
        "target": m.target.as_ref().map(|p| point_value(p, m)),
        "source": m.source,
        "source_url": m.source_url,
        "updated": m.updated,
        "data": m.data,
    })
}

/// Which values of an older [`Data`] (of a site of the same shape) are
/// still right, for [`Data::with_reuse`]: `true` where the entity's or
/// update's value is kept.
pub(crate) struct Reuse<'a> {
    pub old: &'a Data,
    pub entities: [Vec<bool>; 4],
    pub updates: Vec<bool>,
    pub years: Vec<bool>,
}

impl Data {
    pub(crate) fn new(g: &Graph, review: &Review, site: &Site) -> Data {
        Data::with_reuse(g, review, site, None)
    }

    /// [`Data::new`] with the entities', years' and updates' values made
    /// when asked for, not kept: for a build, which reads each once or
    /// twice.
    pub(crate) fn new_lazy(g: &Graph, review: &Review, site: &Site) -> Data {
        Data::make(g, review, site, None, true)
    }

    /// The whole graph, as templates see it (`strategy`, `get_strategy()`):
    /// [`Data::graph`] with its `plan` last. In a build, made for the one
    /// or two templates that read it and let go (`g`: the graph this data
    /// was made from); in `serve`, kept.
    pub(crate) fn whole_graph(&self, g: &Graph) -> std::borrow::Cow<'_, Value> {
        let with_plan = |plan: Value| {
            let mut graph = self.graph.clone();
            if let Value::Object(map) = &mut graph {
                map.insert("plan".into(), plan);
            }
            graph
        };
        match self.lazy {
            Some(_) => std::borrow::Cow::Owned(with_plan(plan_value(g, &self.refs))),
            None => std::borrow::Cow::Borrowed(self.whole.get_or_init(|| {
                with_plan(serde_json::from_str(&self.plan).unwrap_or(Value::Null))
            })),
        }
    }

    /// The fingerprint of [`Data::whole_graph`], from its parts.
    pub(crate) fn graph_fp(&self) -> u64 {
        crate::render::deps::Fp::new()
            .value(&self.graph)
            .str(&self.plan)
            .finish()
    }

    /// Entity `i` of kind `k`'s value (`g` and `review`: those this data
    /// was made from).
    pub(crate) fn entity(&self, g: &Graph, review: &Review, k: Kind, i: usize) -> Arc<Value> {
        match &self.lazy {
            Some(l) => Arc::new(entity_value(
                g,
                review,
                &self.refs,
                &l.pre,
                &l.pages[k.index()][i],
                k,
                i,
            )),
            None => self.entities[k.index()][i].clone(),
        }
    }

    /// Year `y`'s value.
    pub(crate) fn year(&self, g: &Graph, review: &Review, y: usize) -> Arc<Value> {
        match &self.lazy {
            Some(l) => Arc::new(year_value(g, review, &self.refs, &l.pre, y)),
            None => self.years[y].clone(),
        }
    }

    /// Update `u`'s value.
    pub(crate) fn update(&self, g: &Graph, review: &Review, u: usize) -> Arc<Value> {
        match &self.lazy {
            Some(l) => Arc::new(update_value(g, review, &self.refs, &l.pre, u)),
            None => self.updates[u].clone(),
        }
    }

    /// [`Data::new`], keeping the entities' and updates' values `reuse`
    /// says are still right (`serve`, after an edit to front matter).
    pub(crate) fn with_reuse(
        g: &Graph,
        review: &Review,
        site: &Site,
        reuse: Option<&Reuse>,
    ) -> Data {
        Data::make(g, review, site, reuse, false)
    }

    fn make(g: &Graph, review: &Review, site: &Site, reuse: Option<&Reuse>, lazy: bool) -> Data {
        // The old value at `i` of a list, where `reuse` keeps it.
        let kept = |keep: &[bool], old: &[Arc<Value>], i: usize| -> Option<Arc<Value>> {
            keep.get(i)
                .copied()
                .unwrap_or(false)
                .then(|| old.get(i).cloned())
                .flatten()
        };
        let kept_entity = |k: Kind, i: usize| {
            reuse.and_then(|r| kept(&r.entities[k.index()], &r.old.entities[k.index()], i))
        };
        let kept_update = |u: usize| reuse.and_then(|r| kept(&r.updates, &r.old.updates, u));
        let kept_year = |y: usize| reuse.and_then(|r| kept(&r.years, &r.old.years, y));
        let pre = Pre::new(g, review, site);
        let labels = pre.labels.clone();
        let refs: [Vec<Value>; 4] = Kind::ALL.map(|k| {
            g.entities[k.index()]
                .iter()
                .map(|e| reference(site, e))
                .collect()
        });
        // (Entities, years and updates in parallel: `serve` makes them
        // again after every edit to front matter.)
        let pages: [Vec<PageBits>; 4] = Kind::ALL.map(|k| {
            g.entities[k.index()]
                .iter()
                .map(|e| PageBits::of(site, e))
                .collect()
        });
        let entities: [Vec<Arc<Value>>; 4] = if lazy {
            Default::default()
        } else {
            Kind::ALL.map(|k| {
                (0..g.entities[k.index()].len())
                    .into_par_iter()
                    .map(|i| {
                        kept_entity(k, i).unwrap_or_else(|| {
                            let bits = &pages[k.index()][i];
                            Arc::new(entity_value(g, review, &refs, &pre, bits, k, i))
                        })
                    })
                    .collect()
            })
        };

        let mut sections = Map::new();
        for k in Kind::ALL {
            sections.insert(
                k.plural().into(),
                g.sections[k.index()]
                    .map(|sid| {
                        let sec = &site.sections[sid];
                        json!({"title": sec.meta.title, "permalink": sec.permalink, "path": sec.path})
                    })
                    .unwrap_or(Value::Null),
            );
        }
        // Commitments under their group headings, in order of first use.
        let mut groups: Vec<(Option<String>, Vec<Value>)> = Vec::new();
        for (i, e) in g.entities[Kind::Commitment.index()].iter().enumerate() {
            let r = refs[Kind::Commitment.index()][i].clone();
            match groups.iter_mut().find(|(n, _)| *n == e.group) {
                Some((_, list)) => list.push(r),
                None => groups.push((e.group.clone(), vec![r])),
            }
        }

        // (In a build, made when read: see `whole_graph`.)
        let plan = if lazy {
            Box::default()
        } else {
            plan_value(g, &refs).to_string().into_boxed_str()
        };

        let mut graph = Map::new();
        graph.insert("labels".into(), labels);
        graph.insert("sections".into(), Value::Object(sections));
        graph.insert(
            "statuses".into(),
            Value::Array(
                status::WORDS
                    .iter()
                    .map(|w| json!({"word": w, "label": status::label(w)}))
                    .collect(),
            ),
        );
        for k in Kind::ALL {
            graph.insert(k.plural().into(), Value::Array(refs[k.index()].clone()));
        }
        graph.insert(
            "commitment_groups".into(),
            Value::Array(
                groups
                    .into_iter()
                    .map(|(name, list)| json!({"name": name, "commitments": list}))
                    .collect(),
            ),
        );
        let year = |y: usize| {
            kept_year(y).unwrap_or_else(|| Arc::new(year_value(g, review, &refs, &pre, y)))
        };
        let update = |u: usize| {
            kept_update(u).unwrap_or_else(|| Arc::new(update_value(g, review, &refs, &pre, u)))
        };
        let (years, updates) = if lazy {
            (Vec::new(), Vec::new())
        } else {
            (
                (0..review.years.len()).into_par_iter().map(year).collect(),
                (0..review.updates.len())
                    .into_par_iter()
                    .map(update)
                    .collect(),
            )
        };
        let years_brief = (0..review.years.len())
            .map(|y| {
                let mut v = year_heading(review, &pre, y);
                v["continued"] = json!(true);
                v
            })
            .collect();
        Data {
            graph: Value::Object(graph),
            plan,
            whole: Default::default(),
            refs,
            entities,
            years,
            years_brief,
            updates,
            review: review_value(g, review, site),
            lazy: lazy.then_some(Lazy { pre, pages }),
        }
    }
}

/// `entity`: what an entity's page shows of it and its links.
fn entity_value(
    g: &Graph,
    review: &Review,
    refs: &[Vec<Value>; 4],
    pre: &Pre,
    bits: &PageBits,
    k: Kind,
    i: usize,
) -> Value {
    let s = &g.settings;
    let e = &g.entities[k.index()][i];
    let mut v = Map::new();
    v.insert("kind".into(), json!(k));
    v.insert("kind_label".into(), json!(s.one_heading(k)));
    v.insert("kind_plural_label".into(), json!(s.plural[k.index()]));
    v.insert("labels".into(), pre.labels.clone());
    v.insert("id".into(), json!(e.id));
    v.insert("title".into(), json!(e.title));
    v.insert("description".into(), json!(bits.description));
    v.insert("permalink".into(), json!(bits.permalink));
    v.insert("path".into(), json!(bits.path));
    v.insert("relative_path".into(), json!(bits.relative));
    v.insert("code".into(), json!(e.code));
    v.insert("group".into(), json!(e.group));
    v.insert("status".into(), json!(e.status));
    v.insert("lead".into(), json!(e.lead));
    v.insert("start".into(), json!(e.start));
    v.insert("end".into(), json!(e.end));
    v.insert(
                    "milestones".into(),
                    e.milestones
                        .iter()
                        .map(|m| json!({"title": m.title, "due": m.due, "due_text": m.due_text, "status": m.status}))
                        .collect(),
                );
    v.insert(
        "details".into(),
        e.details
            .iter()
            .map(|(term, value)| json!({"term": term, "value": value}))
            .collect(),
    );
    for other in Kind::ALL {
        let mut list: Vec<Value> = Vec::new();
        let mut seen: Vec<usize> = Vec::new();
        for &i in e.refs[other.index()].iter().chain(&e.back[other.index()]) {
            if !seen.contains(&i) {
                seen.push(i);
                list.push(refs[other.index()][i].clone());
            }
        }
        for d in e.draft_refs.iter().filter(|d| d.kind == other) {
            list.push(json!({
                "kind": d.kind, "id": d.id, "title": d.title,
                "permalink": null, "draft": true, "code": null, "status": null,
                "group": null, "description": null,
            }));
        }
        v.insert(other.plural().into(), Value::Array(list));
    }
    v.insert(
        "measure".into(),
        e.measure
            .as_ref()
            .map(|m| {
                let mut mv = measure_value(m, &e.id, &e.title);
                // Its figures as CSV, beside the page (§6).
                mv["csv"] = json!(format!("{}{}.csv", bits.permalink, e.id));
                mv
            })
            .unwrap_or(Value::Null),
    );
    if matches!(k, Kind::Programme | Kind::Commitment) {
        v.insert("history".into(), history(review, pre, k, i));
        v.insert(
            "status_from".into(),
            match (bits.sets_status, review.latest_status(k, i)) {
                (false, Some((_, y))) => pre.year[y].clone(),
                _ => Value::Null,
            },
        );
    }
    Value::Object(v)
}

/// Beyond this many priorities or programmes the plan on a page is a list
/// per priority (content model §6): a table that big serves nobody.
const PLAN_MAX_COLUMNS: usize = 30;
const PLAN_MAX_ROWS: usize = 150;

/// The entities of a kind under their groups (§3): the ones without a group
/// first, then each group in the order of its first member.
fn grouped(g: &Graph, k: Kind) -> Vec<(Option<String>, Vec<usize>)> {
    let mut groups: Vec<(Option<String>, Vec<usize>)> = vec![(None, Vec::new())];
    for (i, e) in g.entities[k.index()].iter().enumerate() {
        match groups.iter_mut().find(|(n, _)| *n == e.group) {
            Some((_, list)) => list.push(i),
            None => groups.push((e.group.clone(), vec![i])),
        }
    }
    groups.retain(|(_, list)| !list.is_empty());
    groups
}

/// The plan on a page (§6): priorities as columns and programmes as rows,
/// each under its group, and for each row the columns it delivers (its
/// size grows with the links, not rows times columns); or, beyond 30
/// priorities or 150 programmes, a list of programmes per priority.
fn plan_value(g: &Graph, refs: &[Vec<Value>; 4]) -> Value {
    let (pi, gi) = (Kind::Priority.index(), Kind::Programme.index());
    let column_groups = grouped(g, Kind::Priority);
    let order: Vec<usize> = column_groups
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    // Where each priority is among the columns.
    let mut column_of = vec![0; order.len()];
    for (c, &p) in order.iter().enumerate() {
        column_of[p] = c;
    }
    let columns: Vec<Value> = order.iter().map(|&p| refs[pi][p].clone()).collect();
    let row = |i: usize| {
        let mut cells: Vec<usize> = g.entities[gi][i].refs[pi]
            .iter()
            .map(|&p| column_of[p])
            .collect();
        cells.sort_unstable();
        cells.dedup();
        json!({"programme": refs[gi][i], "cells": cells})
    };
    let programme_groups = grouped(g, Kind::Programme);
    let named = |groups: &[(Option<String>, Vec<usize>)]| groups.iter().any(|(n, _)| n.is_some());
    let grouped_rows = named(&programme_groups);
    let row_groups: Vec<Value> = programme_groups
        .into_iter()
        .map(|(name, list)| json!({"name": name, "rows": list.into_iter().map(row).collect::<Vec<_>>()}))
        .collect();
    let n_columns = columns.len();
    let n_rows = g.entities[gi].len();
    let layout = if n_columns > PLAN_MAX_COLUMNS || n_rows > PLAN_MAX_ROWS {
        "lists"
    } else {
        "table"
    };
    // Codes head the columns where every priority has one: titles crowd a
    // table beyond a column or two (four of them did not fit at 1280 px,
    // and none at 320); a key says what each code is.
    let codes = n_columns > 1 && g.entities[pi].iter().all(|e| e.code.is_some());
    // Version 1's shape, for templates written against it: a row per
    // programme in the kind's order, and a bool per priority (only for a
    // table, so never more than 30 × 150).
    let rows: Vec<Value> = if layout == "table" {
        (0..n_rows)
            .map(|i| {
                let delivers: Vec<bool> = (0..g.entities[pi].len())
                    .map(|p| g.entities[gi][i].refs[pi].contains(&p))
                    .collect();
                json!({"programme": refs[gi][i], "delivers": delivers})
            })
            .collect()
    } else {
        Vec::new()
    };
    let lists: Vec<Value> = order
        .iter()
        .map(|&p| {
            let programmes: Vec<Value> = g.entities[pi][p].back[gi]
                .iter()
                .map(|&i| refs[gi][i].clone())
                .collect();
            json!({"priority": refs[pi][p], "programmes": programmes})
        })
        .collect();
    json!({
        "vision": g.settings.vision,
        "layout": layout,
        "codes": codes,
        "grouped_columns": named(&column_groups),
        "column_groups": column_groups
            .iter()
            .map(|(name, list)| json!({"name": name, "span": list.len()}))
            .collect::<Vec<_>>(),
        "columns": columns,
        "grouped_rows": grouped_rows,
        "row_groups": row_groups,
        "rows": rows,
        "lists": lists,
    })
}

/// Values many others embed, made once: each year's and each update's
/// link, and the labels.
#[derive(Debug)]
struct Pre {
    year: Vec<Value>,
    update: Vec<Value>,
    labels: Value,
    /// What each year's stories show of their pages.
    story: std::collections::HashMap<PageId, StoryBits>,
}

/// What a year shows of a story's page.
#[derive(Debug)]
struct StoryBits {
    title: String,
    permalink: String,
    description: Option<String>,
    relative: String,
}

impl Pre {
    fn new(g: &Graph, review: &Review, site: &Site) -> Pre {
        Pre {
            year: (0..review.years.len())
                .map(|y| year_link(review, site, y))
                .collect(),
            update: (0..review.updates.len())
                .map(|u| update_link(review, site, u))
                .collect(),
            labels: g_labels(g),
            story: review
                .years
                .iter()
                .flat_map(|y| &y.stories)
                .map(|&p| {
                    let page = &site.pages[p];
                    let bits = StoryBits {
                        title: page.meta.title.clone().unwrap_or_else(|| page.slug.clone()),
                        permalink: page.permalink.clone(),
                        description: page.meta.description.clone(),
                        relative: page.file.relative.clone(),
                    };
                    (p, bits)
                })
                .collect(),
        }
    }
}

/// An object from its keys and values (without `json!`'s round trip
/// through serde for values that are already `Value`s).
fn obj<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    let mut m = Map::with_capacity(N);
    for (k, v) in pairs {
        m.insert(k.to_string(), v);
    }
    Value::Object(m)
}

/// A status as templates see it.
fn status_value(s: Option<&status::Status>) -> Value {
    s.map(|s| serde_json::to_value(s).unwrap_or_default())
        .unwrap_or(Value::Null)
}

/// A year as a link: `{title, period, published, permalink, path}`.
fn year_link(review: &Review, site: &Site, y: usize) -> Value {
    let year = &review.years[y];
    let sec = &site.sections[year.section];
    json!({
        "title": sec.meta.title.clone().unwrap_or_else(|| year.period.clone()),
        "period": year.period,
        "published": year.published,
        "permalink": sec.permalink,
        "path": sec.path,
    })
}

/// An update as a link: `{title, permalink, status}`.
fn update_link(review: &Review, site: &Site, u: usize) -> Value {
    let up = &review.updates[u];
    let page = &site.pages[up.page];
    json!({
        "title": page.meta.title.clone().unwrap_or_else(|| page.slug.clone()),
        "permalink": page.permalink,
        "status": up.status,
    })
}

/// A programme's or commitment's status in each year, newest first.
fn history(review: &Review, pre: &Pre, k: Kind, i: usize) -> Value {
    Value::Array(
        review
            .history(k, i)
            .into_iter()
            .map(|(y, u)| {
                obj([
                    ("year", pre.year[y].clone()),
                    (
                        "status",
                        status_value(u.and_then(|u| review.updates[u].status.as_ref())),
                    ),
                    (
                        "update",
                        u.map(|u| pre.update[u].clone()).unwrap_or(Value::Null),
                    ),
                ])
            })
            .collect(),
    )
}

/// `review`: every year, newest first, with how many programmes had each
/// status.
fn review_value(g: &Graph, review: &Review, site: &Site) -> Value {
    let Some(root) = review.section else {
        return Value::Null;
    };
    let sec = &site.sections[root];
    let years: Vec<Value> = (0..review.years.len())
        .rev()
        .map(|y| {
            let mut v = year_link(review, site, y);
            let counts: Vec<Value> = status::WORDS
                .iter()
                .map(|w| {
                    let n = review.years[y]
                        .updates
                        .iter()
                        .filter(|u| {
                            let up = &review.updates[**u];
                            up.kind == Kind::Programme
                                && up.status.as_ref().is_some_and(|s| s.word == *w)
                        })
                        .count();
                    json!({"word": w, "label": status::label(w), "count": n})
                })
                .filter(|c| c["count"].as_u64() != Some(0))
                .collect();
            v["programme_statuses"] = Value::Array(counts);
            v["updates"] = json!(review.years[y].updates.len());
            v
        })
        .collect();
    json!({
        "label": g.settings.annual_review_label,
        "title": sec.meta.title,
        "permalink": sec.permalink,
        "path": sec.path,
        "feed": format!("{}atom.xml", sec.permalink),
        "years": years,
        "labels": g_labels(g),
    })
}

/// A figure as the year page shows it.
fn figure(v: Option<f64>, m: &Measure) -> Value {
    match v {
        Some(v) => {
            let d = format_number(v, m.decimals);
            json!({"value": v, "display": d, "with_unit": with_unit(&d, &m.unit)})
        }
        None => json!({"value": null, "display": "no data", "with_unit": "no data"}),
    }
}

/// The entry of a series that is its value for the year of `period`
/// (§5): the one reported in that year, else the one without `reported`
/// whose own period it is.
pub(crate) fn value_for_year(points: &[Point], period: &str) -> Option<usize> {
    points
        .iter()
        .position(|p| p.reported.as_deref() == Some(period))
        .or_else(|| {
            points
                .iter()
                .position(|p| p.reported.is_none() && p.period == period)
        })
}

/// How many periods of a measure a year's page shows at most.
const YEAR_ROWS: usize = 20;

/// One series of a measure in one year: this period's figure, the one
/// before, the change and whether it went the right way.
fn year_figure(m: &Measure, name: &str, points: &[Point], period: &str) -> (Option<usize>, Value) {
    let idx = value_for_year(points, period);
    let value = idx.and_then(|i| points[i].value);
    let previous = idx.filter(|i| *i > 0).map(|i| &points[i - 1]);
    let change = match (value, previous.and_then(|p| p.value)) {
        (Some(now), Some(before)) => {
            let words = super::chart::change_words(now - before, m.decimals, &m.unit);
            let verdict = if words == "No change" {
                "same"
            } else if m.direction == Direction::None {
                "context"
            } else if (now > before) == (m.direction == Direction::Up) {
                "better"
            } else {
                "worse"
            };
            json!({"value": now - before, "words": words, "verdict": verdict})
        }
        _ => Value::Null,
    };
    let verdict = change["verdict"].as_str().unwrap_or("unknown");
    let verdict_label = match verdict {
        "better" => "Moving the right way",
        "worse" => "Moving the wrong way",
        "same" => "No change",
        "context" => "A context figure, with no better or worse",
        _ => "Not known",
    };
    let mut shown = figure(value, m);
    if let Some(p) = idx.map(|i| &points[i]) {
        // The period the figure covers (a pooled "2019-21" reported in this
        // year), and whether it may be revised.
        shown["period"] = json!(p.period);
        shown["provisional"] = json!(p.provisional);
    }
    (
        idx,
        json!({
            "name": name,
            "in_series": idx.is_some(),
            "value": shown,
            "previous": previous.map(|p| point_value(p, m)),
            "change": change,
            "verdict": verdict,
            "verdict_label": verdict_label,
        }),
    )
}

/// One measure in one year: each series' figure for the year (the first
/// series' also at the top level, as templates written for one series
/// read it), the target, and the chart and table up to this period.
fn year_measure(e: &Entity, m: &Measure, link: &Value, period: &str) -> Value {
    let grid = m.grid();
    let names = m.names();
    let mut series = Vec::with_capacity(m.series.len());
    // The last row holding a figure for this year, in any series.
    let mut upto: Option<usize> = None;
    for (s, name) in m.series.iter().zip(&names) {
        let (idx, v) = year_figure(m, name, &s.points, period);
        if let Some(i) = idx {
            let row = grid
                .periods
                .iter()
                .position(|p| *p == s.points[i].period)
                .unwrap_or(0);
            upto = Some(upto.map_or(row, |u: usize| u.max(row)));
        }
        series.push(v);
    }
    // The periods up to this one, the last YEAR_ROWS of them: a year's
    // page is about that year, and its size must not grow with a long
    // series times the years (the measure's own page and CSV have it all).
    let upto = upto.map(|u| u + 1).unwrap_or(grid.periods.len());
    let from = upto.saturating_sub(YEAR_ROWS);
    let rows = Rows {
        names: &names,
        periods: &grid.periods[from..upto],
        cells: &grid.cells[from..upto],
    };
    let chart = line_chart(&format!("chart-{}", e.id), &e.title, m, rows);
    let (notes, reported) = columns_of(&rows);
    let mut out = series[0].clone();
    let fields = json!({
        "measure": link,
        "unit": m.unit,
        "direction": m.direction,
        "illustrative": m.illustrative,
        "notes": notes,
        "reported": reported,
        "target": m.target.as_ref().map(|t| point_value(t, m)),
        "chart": chart,
        "columns": if m.series.len() > 1 { json!(names) } else { json!([]) },
        "rows": table_rows(m, &rows),
        "earlier": from,
        "source": m.source,
        "source_url": m.source_url,
        "updated": m.updated,
    });
    if let (Value::Object(out), Value::Object(fields)) = (&mut out, fields) {
        out.extend(fields);
        out.insert("series".into(), Value::Array(series));
    }
    out
}

/// A year as a link, with the years either side and the labels: what
/// every page of a year shows.
fn year_heading(review: &Review, pre: &Pre, y: usize) -> Value {
    let mut v = pre.year[y].clone();
    v["previous"] = match y.checked_sub(1) {
        Some(p) => pre.year[p].clone(),
        None => Value::Null,
    };
    v["next"] = if y + 1 < review.years.len() {
        pre.year[y + 1].clone()
    } else {
        Value::Null
    };
    v["labels"] = pre.labels.clone();
    v
}

/// `year`: everything a year's page shows, generated from the data.
fn year_value(g: &Graph, review: &Review, refs: &[Vec<Value>; 4], pre: &Pre, y: usize) -> Value {
    let year = &review.years[y];
    let mut v = year_heading(review, pre, y);
    let update = |u: Option<usize>| u.map(|u| pre.update[u].clone()).unwrap_or(Value::Null);
    let status_of =
        |u: Option<usize>| status_value(u.and_then(|u| review.updates[u].status.as_ref()));
    let row = |k: Kind, i: usize| {
        let this = review.update_for(k, i, y);
        let before = y.checked_sub(1).map(|p| review.update_for(k, i, p));
        obj([
            ("entity", refs[k.index()][i].clone()),
            ("update", update(this)),
            ("status", status_of(this)),
            (
                "previous",
                before
                    .map(|u| {
                        obj([
                            ("year", pre.year[y - 1].clone()),
                            ("update", update(u)),
                            ("status", status_of(u)),
                        ])
                    })
                    .unwrap_or(Value::Null),
            ),
        ])
    };
    v["programmes"] = Value::Array(
        (0..g.entities[Kind::Programme.index()].len())
            .into_par_iter()
            .map(|i| row(Kind::Programme, i))
            .collect(),
    );
    v["commitments"] = Value::Array(
        (0..g.entities[Kind::Commitment.index()].len())
            .filter(|i| review.update_for(Kind::Commitment, *i, y).is_some())
            .map(|i| row(Kind::Commitment, i))
            .collect(),
    );
    v["measures"] = Value::Array(
        g.entities[Kind::Measure.index()]
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                e.measure
                    .as_ref()
                    .map(|m| year_measure(e, m, &refs[Kind::Measure.index()][i], &year.period))
            })
            .collect(),
    );
    let story = |p: &PageId| match pre.story.get(p) {
        Some(b) => json!({
            "title": b.title,
            "permalink": b.permalink,
            "description": b.description,
            "relative_path": b.relative,
            "featured": year.featured.contains(p),
        }),
        None => Value::Null,
    };
    // Every story (version 1's list), the featured ones (shown first, after
    // the year's own text: §5), and the rest (at the end).
    v["stories"] = year.stories.iter().map(story).collect();
    v["featured"] = year.featured.iter().map(story).collect();
    v["other_stories"] = year
        .stories
        .iter()
        .filter(|p| !year.featured.contains(p))
        .map(story)
        .collect();
    v["continued"] = json!(false);
    v
}

fn g_labels(g: &Graph) -> Value {
    let s = &g.settings;
    let mut labels = Map::new();
    for k in Kind::ALL {
        // `priorities`: the heading; `priority`: one, inside a sentence;
        // `priority_heading`: one, as a heading; `priorities_in_text`: all,
        // inside a sentence, with "the" where the label has no word of its
        // own ("the priorities", "our purposes").
        labels.insert(k.plural().into(), json!(s.plural[k.index()]));
        labels.insert(k.singular().into(), json!(s.one(k)));
        labels.insert(format!("{}_heading", k.singular()), json!(s.one_heading(k)));
        labels.insert(format!("{}_in_text", k.plural()), json!(s.many(k)));
    }
    labels.insert("annual_review".into(), json!(s.annual_review_label));
    Value::Object(labels)
}

/// `update`: what an update page is about, its status, and the year before.
fn update_value(g: &Graph, review: &Review, refs: &[Vec<Value>; 4], pre: &Pre, u: usize) -> Value {
    let up = &review.updates[u];
    let before = up
        .year
        .checked_sub(1)
        .map(|p| (p, review.update_for(up.kind, up.target, p)));
    obj([
        ("kind", json!(up.kind)),
        ("kind_label", json!(g.settings.one_heading(up.kind))),
        ("entity", refs[up.kind.index()][up.target].clone()),
        ("status", status_value(up.status.as_ref())),
        ("year", pre.year[up.year].clone()),
        (
            "previous",
            before
                .map(|(p, pu)| {
                    obj([
                        ("year", pre.year[p].clone()),
                        (
                            "update",
                            pu.map(|x| pre.update[x].clone()).unwrap_or(Value::Null),
                        ),
                        (
                            "status",
                            status_value(pu.and_then(|x| review.updates[x].status.as_ref())),
                        ),
                    ])
                })
                .unwrap_or(Value::Null),
        ),
        ("labels", pre.labels.clone()),
    ])
}
