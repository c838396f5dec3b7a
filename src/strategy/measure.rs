//! Measures (content model §3): unit, direction, and one or more series of
//! values by period, written inline (`values`), in a CSV file (`data`, one
//! column per series), or as named series (`series = [{ name, values }]`).
//! Every value is checked to be a number, with the error pointing at the
//! front matter value or at the CSV line.

use std::path::Path;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::Page;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Direction {
    Up,
    Down,
    /// A context figure (population, area): no better or worse (§3).
    None,
}

/// One period's figure. `value` is `None` for "no data".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Point {
    pub period: String,
    pub value: Option<f64>,
    /// The annual-review period in which it was published, when that is
    /// not `period` (pooled and lagged figures: "2019-21" reported in
    /// "2022/23"). §5 matches a year by this first.
    pub reported: Option<String>,
    /// A figure that may be revised.
    pub provisional: bool,
    /// A short sentence shown with the figure.
    pub note: Option<String>,
    /// Decimals as written, for the default display precision.
    #[serde(skip)]
    pub written_decimals: u32,
}

/// One series of a measure: its figures by period, oldest first. `name` is
/// `None` for a measure's only series written as `values` or as a CSV with a
/// `value` column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Series {
    pub name: Option<String>,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Measure {
    pub unit: String,
    pub direction: Direction,
    /// The figures are not real: said on the chart, the table and the page.
    pub illustrative: bool,
    /// At least one series; several are men and women, or two places.
    pub series: Vec<Series>,
    pub baseline: Option<Point>,
    pub target: Option<Point>,
    /// Decimals shown: the `decimals` key, else as many as the data has, at
    /// most 2.
    pub decimals: u32,
    pub source: Option<String>,
    pub source_url: Option<String>,
    pub updated: Option<String>,
    /// The CSV file the figures came from (`data`), relative to the site
    /// root.
    pub data: Option<String>,
}

/// A measure's figures as rows: every period of any series, in the order
/// first met (series by series), and each series' entry for it.
#[derive(Debug)]
pub(crate) struct Grid<'a> {
    pub periods: Vec<&'a str>,
    /// `cells[row][series]`.
    pub cells: Vec<Vec<Option<&'a Point>>>,
}

impl Measure {
    /// Every entry of every series.
    pub(crate) fn points(&self) -> impl Iterator<Item = &Point> {
        self.series.iter().flat_map(|s| s.points.iter())
    }

    /// The series' names as shown: the name, or "Value" for an unnamed one.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.series
            .iter()
            .map(|s| s.name.as_deref().unwrap_or("Value"))
            .collect()
    }

    pub(crate) fn grid(&self) -> Grid<'_> {
        let mut periods: Vec<&str> = Vec::new();
        let mut row_of: std::collections::HashMap<&str, usize> = Default::default();
        for s in &self.series {
            // A period new to the rows goes right after the one before it
            // in its series, or, leading a series, right before the first
            // period that series shares with the rows (else at the end): so
            // every series reads in its own order.
            let mut after: Option<usize> = None;
            for (i, p) in s.points.iter().enumerate() {
                if let Some(&r) = row_of.get(p.period.as_str()) {
                    after = Some(r);
                    continue;
                }
                let at = match after {
                    Some(a) => a + 1,
                    None => s.points[i + 1..]
                        .iter()
                        .find_map(|q| row_of.get(q.period.as_str()).copied())
                        .unwrap_or(periods.len()),
                };
                if at == periods.len() {
                    periods.push(&p.period);
                    row_of.insert(&p.period, at);
                } else {
                    periods.insert(at, &p.period);
                    for (r, q) in periods.iter().enumerate().skip(at) {
                        row_of.insert(q, r);
                    }
                }
                after = Some(at);
            }
        }
        let mut cells = vec![vec![None; self.series.len()]; periods.len()];
        for (si, s) in self.series.iter().enumerate() {
            for p in &s.points {
                cells[row_of[p.period.as_str()]][si] = Some(p);
            }
        }
        Grid { periods, cells }
    }
}

/// Format a number for UK readers: thousands separators, fixed decimals.
pub(crate) fn format_number(v: f64, decimals: u32) -> String {
    let s = format!("{:.*}", decimals as usize, v.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (s.clone(), None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// What a row of figures says beside its numbers, one text per column:
/// when it was reported, whether it is provisional, its note. Where the
/// series of a row agree (always, for one series or a wide CSV) that is the
/// entry's own text; where they differ, each series' text, named.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct RowNotes {
    pub reported: String,
    pub provisional: bool,
    /// "Provisional." and the note, as a table's Note column shows them.
    pub note_text: String,
    /// The notes alone, as the CSV's `note` column has them.
    pub note: String,
}

pub(crate) fn row_notes(names: &[&str], cells: &[Option<&Point>]) -> RowNotes {
    fn joined<'p>(
        names: &[&str],
        cells: &[Option<&'p Point>],
        text: impl Fn(&'p Point) -> String,
    ) -> String {
        let texts: Vec<(usize, String)> = cells
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.map(|p| (i, text(p))))
            .collect();
        let mut distinct: Vec<&str> = texts.iter().map(|(_, t)| t.as_str()).collect();
        distinct.dedup();
        match distinct.as_slice() {
            [] => String::new(),
            [one] if texts.len() == cells.len() || names.len() == 1 => one.to_string(),
            _ => {
                // "Men: Small sample. Women: Provisional." — a sentence
                // already ends itself; a bare value takes a semicolon.
                let mut out = String::new();
                for (i, t) in texts.iter().filter(|(_, t)| !t.is_empty()) {
                    if !out.is_empty() {
                        out.push_str(if out.ends_with(['.', '!', '?']) {
                            " "
                        } else {
                            "; "
                        });
                    }
                    out.push_str(&format!("{}: {t}", names[*i]));
                }
                out
            }
        }
    }
    RowNotes {
        reported: joined(names, cells, |p| p.reported.clone().unwrap_or_default()),
        provisional: cells.iter().flatten().any(|p| p.provisional),
        note_text: joined(names, cells, |p| {
            let mut t = String::new();
            if p.provisional {
                t.push_str("Provisional.");
            }
            if let Some(n) = &p.note {
                if !t.is_empty() {
                    t.push(' ');
                }
                t.push_str(n);
            }
            t
        }),
        note: joined(names, cells, |p| p.note.clone().unwrap_or_default()),
    }
}

/// A measure's figures as CSV (§6): `period`, then one column per series
/// (`value` when there is one), then `reported`, `provisional` and `note`
/// where any entry has them; no data is an empty cell; numbers as written,
/// without separators.
pub(crate) fn figures_csv(m: &Measure) -> String {
    let reported = m.points().any(|p| p.reported.is_some());
    let provisional = m.points().any(|p| p.provisional);
    let note = m.points().any(|p| p.note.is_some());
    let cell = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let names = m.names();
    let mut out = String::from("period");
    if m.series.len() == 1 {
        out.push_str(",value");
    } else {
        for n in &names {
            out.push(',');
            out.push_str(&cell(n));
        }
    }
    for (on, name) in [
        (reported, "reported"),
        (provisional, "provisional"),
        (note, "note"),
    ] {
        if on {
            out.push(',');
            out.push_str(name);
        }
    }
    out.push('\n');
    let grid = m.grid();
    for (period, cells) in grid.periods.iter().zip(&grid.cells) {
        out.push_str(&cell(period));
        for c in cells {
            out.push(',');
            if let Some(p) = c {
                if let Some(v) = p.value {
                    out.push_str(&format!("{:.*}", p.written_decimals as usize, v));
                }
            }
        }
        let notes = row_notes(&names, cells);
        if reported {
            out.push(',');
            out.push_str(&cell(&notes.reported));
        }
        if provisional {
            out.push_str(if notes.provisional { ",true" } else { "," });
        }
        if note {
            out.push(',');
            out.push_str(&cell(&notes.note));
        }
        out.push('\n');
    }
    out
}

/// Decimals in a number as written: `58.9` → 1, `12` → 0.
fn decimals_in(text: &str) -> u32 {
    let t = text.trim();
    match t.split_once('.') {
        Some((_, f)) => f.chars().take_while(|c| c.is_ascii_digit()).count() as u32,
        None => 0,
    }
}

const HINT_NUMBER: &str =
    "write the figure as a plain number, such as 59.6 or 1250: no quotes, units, % signs or commas";

/// Read the measure keys of `page` (whose `extra` is `extra`). Problems go to
/// `diags`; `None` when the measure cannot be used.
pub(crate) fn read(page: &Page, root: &Path, diags: &Diagnostics) -> Option<Measure> {
    let extra = &page.meta.extra;
    let mut ok = true;
    let mut error = |key: &str, msg: String, hint: String| {
        ok = false;
        diags.push(Diagnostic::error(msg).at(page.locate(key)).with_hint(hint));
    };
    let unit = match extra.get("unit") {
        Some(toml::Value::String(s)) => s.clone(),
        Some(other) => {
            error(
                "extra.unit",
                format!("`unit` should be text, not {}", other.type_str()),
                "for example: unit = \"years\"".into(),
            );
            String::new()
        }
        None => {
            error(
                "extra",
                "this measure has no `unit`".into(),
                "add a line under [extra] such as unit = \"years\", unit = \"%\" or unit = \"people\"".into(),
            );
            String::new()
        }
    };
    let direction = match extra.get("direction") {
        Some(toml::Value::String(s)) if s == "up" => Some(Direction::Up),
        Some(toml::Value::String(s)) if s == "down" => Some(Direction::Down),
        Some(toml::Value::String(s)) if s == "none" => Some(Direction::None),
        Some(other) => {
            error(
                "extra.direction",
                format!(
                    "`direction` must be \"up\", \"down\" or \"none\", not {}",
                    crate::value::describe(other)
                ),
                "say which way is better: direction = \"up\" if a higher figure is good news, \"down\" if a lower one is, \"none\" for a context figure such as a population".into(),
            );
            None
        }
        None => {
            error(
                "extra",
                "this measure has no `direction`".into(),
                "add direction = \"up\" if a higher figure is good news, or direction = \"down\" if a lower one is".into(),
            );
            None
        }
    };
    let decimals = match extra.get("decimals") {
        None => None,
        Some(toml::Value::Integer(n)) if (0..=6).contains(n) => Some(*n as u32),
        Some(other) => {
            error(
                "extra.decimals",
                format!(
                    "`decimals` must be a whole number from 0 to 6, not {}",
                    crate::value::describe(other)
                ),
                "for example: decimals = 1".into(),
            );
            None
        }
    };
    let text_of = |key: &str| -> Option<String> {
        match extra.get(key)? {
            toml::Value::String(s) => Some(s.clone()),
            toml::Value::Datetime(d) => Some(d.to_string()),
            _ => None,
        }
    };
    for key in ["source", "source_url"] {
        if let Some(v) = extra.get(key) {
            if !v.is_str() {
                error(
                    &format!("extra.{key}"),
                    format!("`{key}` should be text, not {}", v.type_str()),
                    format!("put it in quotes: {key} = \"…\""),
                );
            }
        }
    }

    let mut series = Vec::new();
    let mut data = None;
    let given: Vec<&str> = ["values", "data", "series"]
        .into_iter()
        .filter(|k| extra.contains_key(*k))
        .collect();
    match given.as_slice() {
        [] => {
            ok = false;
            diags.push(
                Diagnostic::error("this measure has no figures: it needs `values`, `data` or `series`")
                    .at(page.locate("extra"))
                    .with_hint("add values = [{ period = \"2023/24\", value = 59.6 }], or data = \"data/my-measure.csv\" naming a CSV file with the columns period,value"),
            );
        }
        ["values"] => match inline_series(page, "extra.values", &extra["values"], diags) {
            Some(points) => series.push(Series { name: None, points }),
            None => ok = false,
        },
        ["data"] => match &extra["data"] {
            toml::Value::String(path) => match csv_series(page, root, "extra.data", path, diags) {
                Some(s) => {
                    series = s;
                    data = Some(path.clone());
                }
                None => ok = false,
            },
            other => {
                ok = false;
                diags.push(not_a_path(page, "extra.data", other));
            }
        },
        [_] => match named_series(page, root, &extra["series"], diags) {
            Some(s) => series = s,
            None => ok = false,
        },
        [first, second, ..] => {
            ok = false;
            diags.push(
                Diagnostic::error(format!("this measure has both `{first}` and `{second}`"))
                    .at(page.locate(&format!("extra.{second}")))
                    .with_hint(
                        "keep one: `values` for figures written here, `data` for a CSV file, or `series` for several named series (men and women, two places)",
                    ),
            );
        }
    }
    let baseline = point(page, "baseline", diags, &mut ok);
    let target = point(page, "target", diags, &mut ok);
    let illustrative = match extra.get("illustrative") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => {
            ok = false;
            diags.push(
                Diagnostic::error(format!(
                    "`illustrative` should be true or false, not {}",
                    crate::value::describe(other)
                ))
                .at(page.locate("extra.illustrative"))
                .with_hint("write illustrative = true (no quotes) if the figures are not real"),
            );
            false
        }
    };
    for (i, one) in series.iter().enumerate() {
        let key = if extra.contains_key("series") {
            format!("extra.series[{i}]")
        } else {
            "extra".to_string()
        };
        if !reported_once(page, &key, one, diags) {
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    let decimals = decimals.unwrap_or_else(|| {
        series
            .iter()
            .flat_map(|s| s.points.iter())
            .chain(baseline.iter())
            .chain(target.iter())
            .filter(|p| p.value.is_some())
            .map(|p| p.written_decimals)
            .max()
            .unwrap_or(0)
            .min(2)
    });
    Some(Measure {
        unit,
        direction: direction?,
        illustrative,
        series,
        baseline,
        target,
        decimals,
        source: text_of("source"),
        source_url: text_of("source_url"),
        updated: text_of("updated"),
        data,
    })
}

fn not_a_path(page: &Page, key: &str, other: &toml::Value) -> Diagnostic {
    Diagnostic::error(format!(
        "`data` should be the path of a CSV file, in quotes, not {}",
        other.type_str()
    ))
    .at(page.locate(key))
    .with_hint("for example: data = \"data/healthy-life-expectancy.csv\"")
}

const HINT_SERIES: &str = "write series = [{ name = \"Men\", values = [{ period = \"2020-22\", value = 61.2 }] }, { name = \"Women\", data = \"data/women.csv\" }]";

/// `series = [{ name, values }, { name, data }, …]` (§3).
fn named_series(
    page: &Page,
    root: &Path,
    v: &toml::Value,
    diags: &Diagnostics,
) -> Option<Vec<Series>> {
    let items = match v {
        toml::Value::Array(items) if !items.is_empty() => items,
        other => {
            diags.push(
                Diagnostic::error(match other {
                    toml::Value::Array(_) => "`series` is an empty list".to_string(),
                    _ => format!("`series` should be a list, not {}", other.type_str()),
                })
                .at(page.locate("extra.series"))
                .with_hint(HINT_SERIES),
            );
            return None;
        }
    };
    let mut out: Vec<Series> = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let key = format!("extra.series[{i}]");
        let toml::Value::Table(t) = item else {
            ok = false;
            diags.push(
                Diagnostic::error(format!(
                    "each entry in `series` should be {{ name = …, values = … }}, not {}",
                    crate::value::describe(item)
                ))
                .at(page.locate(&key))
                .with_hint(HINT_SERIES),
            );
            continue;
        };
        let name = match t.get("name") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            Some(other) => {
                ok = false;
                diags.push(
                    Diagnostic::error(format!(
                        "a series' `name` should be text in quotes, not {}",
                        crate::value::describe(other)
                    ))
                    .at(page.locate(&format!("{key}.name")))
                    .with_hint("the name is shown in the chart's key and as the table's column heading: name = \"Women\""),
                );
                continue;
            }
            None => {
                ok = false;
                diags.push(
                    Diagnostic::error("this series has no `name`")
                        .at(page.locate(&key))
                        .with_hint("the name is shown in the chart's key and as the table's column heading: add name = \"Women\""),
                );
                continue;
            }
        };
        if let Some(k) = t
            .keys()
            .find(|k| !["name", "values", "data"].contains(&k.as_str()))
        {
            ok = false;
            let mut d = Diagnostic::error(format!("a series has no key `{k}`"))
                .at(page.locate(&format!("{key}.{k}")));
            d = match crate::diagnostics::closest(k, ["name", "values", "data"]) {
                Some(c) => d.with_hint(format!("did you mean `{c}`?")),
                None => d.with_hint("a series has a `name`, and `values` or `data`; `unit`, `direction` and `target` belong to the measure, under [extra]"),
            };
            diags.push(d);
            continue;
        }
        if out.iter().any(|s| s.name.as_deref() == Some(name.as_str())) {
            ok = false;
            diags.push(
                Diagnostic::error(format!("two series are named \"{name}\""))
                    .at(page.locate(&format!("{key}.name")))
                    .with_hint("each series needs its own name: it heads its column in the table and names its line in the chart"),
            );
            continue;
        }
        let points = match (t.get("values"), t.get("data")) {
            (Some(v), None) => inline_series(page, &format!("{key}.values"), v, diags),
            (None, Some(toml::Value::String(rel))) => {
                let here = format!("{key}.data");
                csv_series(page, root, &here, rel, diags).and_then(|mut found| {
                    if found.len() == 1 {
                        return found.pop().map(|s| s.points);
                    }
                    // A wide CSV: the column of this series' name.
                    match found.iter().position(|s| s.name.as_deref() == Some(name.as_str())) {
                        Some(at) => Some(found.swap_remove(at).points),
                        None => {
                            let names: Vec<String> = found
                                .iter()
                                .filter_map(|s| s.name.as_deref())
                                .map(|n| format!("`{n}`"))
                                .collect();
                            diags.push(
                                Diagnostic::error(format!(
                                    "`{rel}` has several columns of figures, and none is headed \"{name}\""
                                ))
                                .at(page.locate(&here))
                                .with_hint(format!(
                                    "its columns are {}: name the series after one of them, or use data = \"{rel}\" under [extra] for all of them",
                                    names.join(", ")
                                )),
                            );
                            None
                        }
                    }
                })
            }
            (None, Some(other)) => {
                diags.push(not_a_path(page, &format!("{key}.data"), other));
                None
            }
            (Some(_), Some(_)) => {
                diags.push(
                    Diagnostic::error("this series has both `values` and `data`")
                        .at(page.locate(&format!("{key}.data")))
                        .with_hint(
                            "keep one: `values` for figures written here, or `data` for a CSV file",
                        ),
                );
                None
            }
            (None, None) => {
                diags.push(
                    Diagnostic::error(format!(
                        "the series \"{name}\" has no figures: it needs `values` or `data`"
                    ))
                    .at(page.locate(&key))
                    .with_hint(HINT_SERIES),
                );
                None
            }
        };
        match points {
            Some(points) => out.push(Series {
                name: Some(name),
                points,
            }),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A number at `key` in the front matter: `Ok(None)` for no value.
fn number_at(
    page: &Page,
    key: &str,
    v: Option<&toml::Value>,
) -> Result<Option<(f64, u32)>, Diagnostic> {
    let written = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| decimals_in(&page.source.text[s])).unwrap_or(0)
    };
    match v {
        None => Ok(None),
        Some(toml::Value::Integer(i)) => Ok(Some((*i as f64, 0))),
        Some(toml::Value::Float(f)) if f.is_finite() => {
            Ok(Some((*f, written(page.source.spans.value(key)))))
        }
        Some(toml::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(other) => {
            let hint = match other {
                toml::Value::String(s) if s.trim().parse::<f64>().is_ok() => {
                    format!("remove the quotes: value = {}", s.trim())
                }
                _ => HINT_NUMBER.to_string(),
            };
            Err(Diagnostic::error(format!(
                "this value is not a number: {}",
                crate::value::describe(other)
            ))
            .at(page.locate(key))
            .with_hint(hint))
        }
    }
}

fn period_at(page: &Page, key: &str, t: &toml::Table) -> Result<String, Diagnostic> {
    match t.get("period") {
        Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(other) => Err(Diagnostic::error(format!(
            "`period` should be a label in quotes, such as \"2023/24\", not {}",
            crate::value::describe(other)
        ))
        .at(page.locate(&format!("{key}.period")))
        .with_hint("periods are compared as written: use the same label as the annual review year, e.g. period = \"2023/24\"")),
        None => Err(Diagnostic::error("this entry has no `period`")
            .at(page.locate(key))
            .with_hint("write each entry as { period = \"2023/24\", value = 59.6 }")),
    }
}

fn inline_series(
    page: &Page,
    at: &str,
    v: &toml::Value,
    diags: &Diagnostics,
) -> Option<Vec<Point>> {
    let toml::Value::Array(items) = v else {
        diags.push(
            Diagnostic::error(format!("`values` should be a list, not {}", v.type_str()))
                .at(page.locate(at))
                .with_hint("write values = [{ period = \"2022/23\", value = 58.9 }, { period = \"2023/24\", value = 59.6 }]"),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let key = format!("{at}[{i}]");
        let toml::Value::Table(t) = item else {
            ok = false;
            diags.push(
                Diagnostic::error(format!(
                    "each entry in `values` should be {{ period = …, value = … }}, not {}",
                    crate::value::describe(item)
                ))
                .at(page.locate(&key))
                .with_hint("for example: { period = \"2023/24\", value = 59.6 }"),
            );
            continue;
        };
        let period = match period_at(page, &key, t) {
            Ok(p) => p,
            Err(d) => {
                ok = false;
                diags.push(d);
                continue;
            }
        };
        let value = match number_at(page, &format!("{key}.value"), t.get("value")) {
            Ok(v) => v,
            Err(d) => {
                ok = false;
                diags.push(d);
                continue;
            }
        };
        if !seen.insert(period.clone()) {
            ok = false;
            diags.push(
                Diagnostic::error(format!("the period \"{period}\" appears twice in `values`"))
                    .at(page.locate(&format!("{key}.period")))
                    .with_hint("each period has one figure; remove or correct one of them"),
            );
            continue;
        }
        let (reported, provisional, note) = match extras_at(page, &key, t) {
            Ok(x) => x,
            Err(d) => {
                ok = false;
                diags.push(d);
                continue;
            }
        };
        out.push(Point {
            period,
            value: value.map(|v| v.0),
            reported,
            provisional,
            note,
            written_decimals: value.map(|v| v.1).unwrap_or(0),
        });
    }
    ok.then_some(out)
}

/// An entry's `reported`, `provisional` and `note` (§3).
type Extras = (Option<String>, bool, Option<String>);

fn extras_at(page: &Page, key: &str, t: &toml::Table) -> Result<Extras, Diagnostic> {
    let text = |name: &str| -> Result<Option<String>, Diagnostic> {
        match t.get(name) {
            None => Ok(None),
            Some(toml::Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(Diagnostic::error(format!(
                "`{name}` should be text in quotes, not {}",
                crate::value::describe(other)
            ))
            .at(page.locate(&format!("{key}.{name}")))
            .with_hint(if name == "reported" {
                "the annual-review period it was published in, such as reported = \"2022/23\""
            } else {
                "a short sentence in quotes"
            })),
        }
    };
    let provisional = match t.get("provisional") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(other) => {
            return Err(Diagnostic::error(format!(
                "`provisional` should be true or false, not {}",
                crate::value::describe(other)
            ))
            .at(page.locate(&format!("{key}.provisional")))
            .with_hint("write provisional = true (no quotes) for a figure that may be revised"))
        }
    };
    Ok((text("reported")?, provisional, text("note")?))
}

/// §5: two entries of one series reported in the same year are an error
/// (a year's value would be ambiguous). `false` when there were some.
fn reported_once(page: &Page, at: &str, series: &Series, diags: &Diagnostics) -> bool {
    let mut seen: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    let mut ok = true;
    let of = series
        .name
        .as_deref()
        .map(|n| format!(" of the series \"{n}\""))
        .unwrap_or_default();
    // An entry without `reported` is reported in its own period (§3:
    // `reported` is given "when that differs from `period`").
    let in_year = |p: &Point| p.reported.as_deref().unwrap_or(&p.period).to_string();
    let explicit: std::collections::HashSet<String> = series
        .points
        .iter()
        .filter_map(|p| p.reported.clone())
        .collect();
    for p in &series.points {
        let r = in_year(p);
        // Only years some entry names in `reported` can be shown twice.
        if !explicit.contains(&r) {
            continue;
        }
        let r: &str = explicit.get(&r).map(String::as_str).unwrap_or_default();
        if let Some(first) = seen.insert(r, &p.period) {
            ok = false;
            diags.push(
                Diagnostic::error(format!(
                    "the figures{of} for \"{first}\" and \"{}\" are both reported in \"{r}\": a year can show only one",
                    p.period
                ))
                .at(page.locate(at))
                .with_hint("a figure without `reported` counts as reported in its own period: give each figure the annual-review period it was first published in, so that no two share one"),
            );
        }
    }
    ok
}

fn point(page: &Page, name: &str, diags: &Diagnostics, ok: &mut bool) -> Option<Point> {
    let v = page.meta.extra.get(name)?;
    let key = format!("extra.{name}");
    let toml::Value::Table(t) = v else {
        *ok = false;
        diags.push(
            Diagnostic::error(format!(
                "`{name}` should be {{ period = …, value = … }}, not {}",
                crate::value::describe(v)
            ))
            .at(page.locate(&key))
            .with_hint(format!(
                "for example: {name} = {{ period = \"2035\", value = 65 }}"
            )),
        );
        return None;
    };
    let period = match period_at(page, &key, t) {
        Ok(p) => p,
        Err(d) => {
            *ok = false;
            diags.push(d);
            return None;
        }
    };
    match number_at(page, &format!("{key}.value"), t.get("value")) {
        Ok(Some((value, written_decimals))) => Some(Point {
            period,
            value: Some(value),
            reported: None,
            provisional: false,
            note: None,
            written_decimals,
        }),
        Ok(None) => {
            *ok = false;
            diags.push(
                Diagnostic::error(format!("`{name}` has no `value`"))
                    .at(page.locate(&key))
                    .with_hint(format!(
                        "for example: {name} = {{ period = \"{period}\", value = 65 }}"
                    )),
            );
            None
        }
        Err(d) => {
            *ok = false;
            diags.push(d);
            None
        }
    }
}

/// The series in a CSV file with the columns `period,value`.
fn csv_series(
    page: &Page,
    root: &Path,
    at: &str,
    rel: &str,
    diags: &Diagnostics,
) -> Option<Vec<Series>> {
    let here = page.locate(at);
    if Path::new(rel).is_absolute() || crate::load::escaping_component(rel).is_some() {
        diags.push(
            Diagnostic::error(format!("`{rel}` is outside the site folder"))
                .at(here)
                .with_hint("put the CSV inside the site, for example in data/, and give its path from the site folder: data = \"data/my-measure.csv\""),
        );
        return None;
    }
    let path = root.join(rel);
    // Judged as the system opens it: a link inside data/ to a file
    // elsewhere is refused before it is read, so nothing of it can reach a
    // message (or a CI log).
    if !crate::load::resolves_inside(root, &path) {
        diags.push(
            Diagnostic::error(format!(
                "`{rel}` leads outside the site folder: it is a link to a file elsewhere"
            ))
            .at(here)
            .with_hint(
                "copy the CSV into the site, for example into data/, rather than linking to it",
            ),
        );
        return None;
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            let mut d =
                Diagnostic::error(format!("cannot read the CSV file `{rel}`: {e}")).at(here);
            let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let names: Vec<String> = std::fs::read_dir(&dir)
                .map(|rd| {
                    rd.filter_map(Result::ok)
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default();
            let file = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            d = match crate::diagnostics::closest(&file, names.iter().map(String::as_str)) {
                Some(c) => d.with_hint(format!("did you mean `{}`?", Path::new(rel).with_file_name(c).display())),
                None => d.with_hint("paths are from the site folder (where config.toml is), for example data/my-measure.csv"),
            };
            diags.push(d);
            return None;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            diags.push(crate::load::invalid_utf8(
                &path,
                e.as_bytes(),
                e.utf8_error(),
            ));
            return None;
        }
    };
    let at_line = |line: usize, column: usize, width: usize| Location {
        width: width.max(1),
        ..Location::from_line(&path, &text, line, column)
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("this CSV file cannot be read: {e}"))
                    .at(at_line(1, 1, 1)),
            );
            return None;
        }
    };
    let names: Vec<&str> = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim())
        .collect();
    let col = |name: &str| names.iter().position(|h| h.eq_ignore_ascii_case(name));
    const OTHER: [&str; 4] = ["period", "reported", "provisional", "note"];
    let header_width = text.lines().next().map(str::len).unwrap_or(1);
    let Some(pc) = col("period") else {
        let mut d = Diagnostic::error("this CSV file has no `period` column").at(at_line(
            1,
            1,
            header_width,
        ));
        d = match names
            .iter()
            .find_map(|h| crate::diagnostics::closest(h, ["period"]).map(|_| *h))
        {
            Some(h) => d.with_hint(format!("did you mean `period` for the column `{h}`?")),
            None => d.with_hint(
                "make the first line: period,value (or period and one column per series: period,Men,Women)",
            ),
        };
        diags.push(d);
        return None;
    };
    // Every other column is a series of figures, named by its header.
    let value_cols: Vec<usize> = (0..names.len())
        .filter(|&i| !OTHER.iter().any(|o| names[i].eq_ignore_ascii_case(o)))
        .collect();
    if value_cols.is_empty() {
        diags.push(
            Diagnostic::error("this CSV file has no column of figures")
                .at(at_line(1, 1, header_width))
                .with_hint("make the first line: period,value (or period and one column per series: period,Men,Women)"),
        );
        return None;
    }
    let mut series_names: Vec<Option<String>> = Vec::new();
    for &c in &value_cols {
        let h = names[c];
        if h.is_empty() {
            diags.push(
                Diagnostic::error("a column of this CSV file has no heading")
                    .at(at_line(1, 1, header_width))
                    .with_hint("head each column of figures with the name of its series, as in period,Men,Women, or with value for a single series"),
            );
            return None;
        }
        if series_names
            .iter()
            .flatten()
            .any(|n| n.eq_ignore_ascii_case(h))
        {
            diags.push(
                Diagnostic::error(format!("two columns of this CSV file are headed `{h}`"))
                    .at(at_line(1, 1, header_width))
                    .with_hint("each series needs its own name: it heads its column in the table and names its line in the chart"),
            );
            return None;
        }
        series_names.push(
            (!(value_cols.len() == 1 && h.eq_ignore_ascii_case("value"))).then(|| h.to_string()),
        );
    }
    if value_cols.len() == 1 {
        series_names[0] = None;
    }
    let (rc, pvc, nc) = (col("reported"), col("provisional"), col("note"));
    let mut out: Vec<Vec<Point>> = vec![Vec::new(); value_cols.len()];
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut ok = true;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(1);
                diags.push(
                    Diagnostic::error(format!("this CSV line cannot be read: {e}"))
                        .at(at_line(line, 1, 1))
                        .with_hint("every line needs the same number of commas as the first; put text that contains commas in double quotes"),
                );
                ok = false;
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(1);
        let field_column = |index: usize| -> (usize, usize) {
            // Column of the field in the line as written (quotes aside).
            let src = text.lines().nth(line - 1).unwrap_or("");
            let mut column = 1;
            for (i, f) in src.split(',').enumerate() {
                if i == index {
                    let lead = f.len() - f.trim_start().len();
                    return (column + lead, f.trim().chars().count());
                }
                column += f.chars().count() + 1;
            }
            (1, 1)
        };
        let period = record.get(pc).unwrap_or("").to_string();
        if period.is_empty() {
            let (c, w) = field_column(pc);
            diags.push(
                Diagnostic::error("this CSV line has no period")
                    .at(at_line(line, c, w))
                    .with_hint("write the period label first, such as 2023/24,59.6"),
            );
            ok = false;
            continue;
        }
        let mut values = Vec::with_capacity(value_cols.len());
        let mut line_ok = true;
        for &vc in &value_cols {
            let cell = record.get(vc).unwrap_or("");
            if cell.is_empty() {
                values.push((None, 0));
                continue;
            }
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => values.push((Some(v), decimals_in(cell))),
                _ => {
                    let (c, w) = field_column(vc);
                    let near = crate::diagnostics::closest(names[vc], OTHER);
                    let hint = match near {
                        Some(o) if value_cols.len() > 1 => format!(
                            "the column `{}` is read as a series of figures: if it is meant to be `{o}`, head it `{o}`",
                            names[vc]
                        ),
                        _ => format!("{HINT_NUMBER}; leave the cell empty for a period with no data"),
                    };
                    diags.push(
                        Diagnostic::error(format!("`{cell}` is not a number"))
                            .at(at_line(line, c, w))
                            .with_hint(hint),
                    );
                    line_ok = false;
                }
            }
        }
        if !line_ok {
            ok = false;
            continue;
        }
        if !seen.insert(period.clone()) {
            let (c, w) = field_column(pc);
            diags.push(
                Diagnostic::error(format!(
                    "the period \"{period}\" appears twice in this CSV file"
                ))
                .at(at_line(line, c, w))
                .with_hint("each period has one figure; remove or correct one of the lines"),
            );
            ok = false;
            continue;
        }
        let cell_of = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let provisional = match cell_of(pvc).map(|s| s.to_ascii_lowercase()) {
            None => false,
            Some(s) if ["true", "yes", "y", "1", "provisional", "p"].contains(&s.as_str()) => true,
            Some(s) if ["false", "no", "n", "0"].contains(&s.as_str()) => false,
            Some(other) => {
                let (c, w) = field_column(pvc.unwrap_or(0));
                diags.push(
                    Diagnostic::error(format!("`{other}` in the provisional column is not yes or no"))
                        .at(at_line(line, c, w))
                        .with_hint("write true (or yes) for a figure that may be revised, and leave the cell empty otherwise"),
                );
                ok = false;
                continue;
            }
        };
        // In a wide file, `reported`, `provisional` and `note` apply to
        // every series of the row (§3).
        for (points, (value, written_decimals)) in out.iter_mut().zip(values) {
            points.push(Point {
                period: period.clone(),
                value,
                reported: cell_of(rc),
                provisional,
                note: cell_of(nc),
                written_decimals,
            });
        }
    }
    ok.then(|| {
        series_names
            .into_iter()
            .zip(out)
            .map(|(name, points)| Series { name, points })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(note: Option<&str>, provisional: bool, reported: Option<&str>) -> Point {
        Point {
            period: "2020/21".into(),
            value: Some(1.0),
            reported: reported.map(str::to_string),
            provisional,
            note: note.map(str::to_string),
            written_decimals: 0,
        }
    }

    #[test]
    fn a_rows_notes_name_their_series_where_they_differ() {
        let (a, b) = (
            entry(
                Some("Covers the first year of the pandemic."),
                true,
                Some("2022/23"),
            ),
            entry(None, true, Some("2022/23")),
        );
        let n = row_notes(&["Men", "Women"], &[Some(&a), Some(&b)]);
        assert_eq!(
            n.note_text,
            "Men: Provisional. Covers the first year of the pandemic. Women: Provisional."
        );
        assert_eq!(n.reported, "2022/23", "the same for both: said once");
        assert!(n.provisional);
        // A value without a full stop takes a semicolon.
        let (a, b) = (
            entry(None, false, Some("2022/23")),
            entry(None, false, Some("2023/24")),
        );
        let n = row_notes(&["Men", "Women"], &[Some(&a), Some(&b)]);
        assert_eq!(n.reported, "Men: 2022/23; Women: 2023/24");
        // One series: its own text, unnamed.
        let n = row_notes(&["Value"], &[Some(&a)]);
        assert_eq!(n.reported, "2022/23");
    }

    #[test]
    fn numbers_are_formatted_for_uk_readers() {
        assert_eq!(format_number(1234567.0, 0), "1,234,567");
        assert_eq!(format_number(59.6, 1), "59.6");
        assert_eq!(format_number(-1234.5, 2), "-1,234.50");
        assert_eq!(format_number(-0.001, 1), "0.0");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(decimals_in("58.90"), 2);
        assert_eq!(decimals_in("12"), 0);
    }
}
