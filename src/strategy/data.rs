//! The strategy as templates see it: plain JSON values, built once per
//! build and handed to any template engine. The shapes are documented in
//! `docs/templates.md`.

use serde_json::{json, Map, Value};

use crate::site::Site;

use super::graph::{Entity, Graph};
use super::measure::{format_number, Measure, Point};
use super::settings::Kind;
use super::status;

/// Everything serialised: the graph, and each entity by kind and index.
#[derive(Debug, Default)]
pub struct Data {
    pub graph: Value,
    pub entities: [Vec<Value>; 4],
}

/// A short reference to an entity: enough to link to it.
fn reference(site: &Site, e: &Entity) -> Value {
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

fn with_unit(number: &str, unit: &str) -> String {
    if unit.is_empty() {
        number.to_string()
    } else if unit == "%" || unit.starts_with('%') {
        format!("{number}{unit}")
    } else {
        format!("{number} {unit}")
    }
}

fn point_value(p: &Point, m: &Measure) -> Value {
    let display = p.value.map(|v| format_number(v, m.decimals));
    json!({
        "period": p.period,
        "value": p.value,
        "display": display.clone().unwrap_or_else(|| "no data".into()),
        "with_unit": display.map(|d| with_unit(&d, &m.unit)).unwrap_or_else(|| "no data".into()),
    })
}

fn measure_value(m: &Measure) -> Value {
    let latest = m.series.iter().rev().find(|p| p.value.is_some());
    json!({
        "unit": m.unit,
        "direction": m.direction,
        "decimals": m.decimals,
        "values": m.series.iter().map(|p| point_value(p, m)).collect::<Vec<_>>(),
        "latest": latest.map(|p| point_value(p, m)),
        "baseline": m.baseline.as_ref().map(|p| point_value(p, m)),
        "target": m.target.as_ref().map(|p| point_value(p, m)),
        "source": m.source,
        "source_url": m.source_url,
        "updated": m.updated,
        "data": m.data,
    })
}

impl Data {
    pub fn new(g: &Graph, site: &Site) -> Data {
        let s = &g.settings;
        let mut labels = Map::new();
        for k in Kind::ALL {
            labels.insert(k.plural().into(), json!(s.plural[k.index()]));
            labels.insert(k.singular().into(), json!(s.singular[k.index()]));
        }
        labels.insert("annual_review".into(), json!(s.annual_review_label));
        let labels = Value::Object(labels);
        let refs: [Vec<Value>; 4] = Kind::ALL.map(|k| {
            g.entities[k.index()]
                .iter()
                .map(|e| reference(site, e))
                .collect()
        });
        let entities: [Vec<Value>; 4] = Kind::ALL.map(|k| {
            g.entities[k.index()]
                .iter()
                .map(|e| {
                    let page = &site.pages[e.page];
                    let mut v = Map::new();
                    v.insert("kind".into(), json!(k));
                    v.insert("kind_label".into(), json!(s.singular[k.index()]));
                    v.insert("kind_plural_label".into(), json!(s.plural[k.index()]));
                    v.insert("labels".into(), labels.clone());
                    v.insert("id".into(), json!(e.id));
                    v.insert("title".into(), json!(e.title));
                    v.insert("description".into(), json!(page.meta.description));
                    v.insert("permalink".into(), json!(page.permalink));
                    v.insert("path".into(), json!(page.path));
                    v.insert("relative_path".into(), json!(page.file.relative));
                    v.insert("code".into(), json!(e.code));
                    v.insert("group".into(), json!(e.group));
                    v.insert("status".into(), json!(e.status));
                    v.insert("lead".into(), json!(e.lead));
                    v.insert("start".into(), json!(e.start));
                    v.insert("end".into(), json!(e.end));
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
                        e.measure.as_ref().map(measure_value).unwrap_or(Value::Null),
                    );
                    Value::Object(v)
                })
                .collect()
        });

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

        // The plan on a page: one row per programme, and for each priority
        // column whether the programme delivers it (kept compact: the graph
        // is given to several templates).
        let n_priorities = g.entities[Kind::Priority.index()].len();
        let plan_rows: Vec<Value> = g.entities[Kind::Programme.index()]
            .iter()
            .enumerate()
            .map(|(i, prog)| {
                let delivers: Vec<bool> = (0..n_priorities)
                    .map(|p| prog.refs[Kind::Priority.index()].contains(&p))
                    .collect();
                json!({"programme": refs[Kind::Programme.index()][i], "delivers": delivers})
            })
            .collect();

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
            graph.insert(k.plural().into(), Value::Array(entities[k.index()].clone()));
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
        graph.insert(
            "plan".into(),
            json!({
                "columns": refs[Kind::Priority.index()],
                "rows": plan_rows,
            }),
        );
        Data {
            graph: Value::Object(graph),
            entities,
        }
    }
}
