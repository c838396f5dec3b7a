//! Measure charts: a line chart drawn on the server as inline SVG, so it
//! needs no JavaScript, and the sentence that says what it shows.
//!
//! Accessibility and print are designed in, not added: the SVG has
//! `role="img"`, a `<title>`, and points at its text summary with
//! `aria-describedby`; the same numbers follow it as a table (the
//! template's job). Lines and text use `currentColor`, points are labelled
//! with their values, a gap in the data breaks the line and says "no data",
//! and the target is a dashed line with its own label: all of it readable
//! in black and white.

#[cfg(test)]
use super::measure::Series;
use super::measure::{format_number, Direction, Measure, Point};

/// A chart and the words that stand for it.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Chart {
    /// The id of the chart's figure; `{id}-title` and `{id}-summary` are the
    /// ids of its title and text summary.
    pub id: String,
    /// The SVG's accessible name.
    pub title: String,
    /// What the chart shows, in one or two sentences.
    pub summary: String,
    /// The `<svg>` element, drawn for a column about 640 px wide.
    pub svg: String,
    /// The same chart drawn for a phone (about 300 px wide: fewer period
    /// labels, no labels in the margin), so its text is still readable
    /// there. The default theme shows one or the other by the screen's
    /// width (`.tl-chart__svg--narrow`); a template may show `svg` alone.
    pub svg_narrow: String,
}

/// The shape of the picture a chart is drawn in.
struct Frame {
    /// The viewBox's width.
    w: f64,
    left: f64,
    /// At most this many period labels along the bottom.
    periods: usize,
    /// Label each point with its value up to this many points (one series).
    value_labels: usize,
    /// Above this many points, no markers, and a line decimated per pixel.
    dense: usize,
    /// Name each line at its end, in a right margin, where names fit.
    direct_labels: bool,
    /// Appended to the ids in the SVG, so both drawings can be on a page.
    suffix: &'static str,
    class: &'static str,
}

const WIDE: Frame = Frame {
    w: W,
    left: LEFT,
    periods: 8,
    value_labels: 12,
    dense: DENSE,
    direct_labels: true,
    suffix: "",
    class: "tl-chart__svg",
};

const NARROW: Frame = Frame {
    w: 360.0,
    left: 56.0,
    periods: 4,
    value_labels: 6,
    dense: DENSE / 2,
    direct_labels: false,
    suffix: "-narrow",
    class: "tl-chart__svg tl-chart__svg--narrow",
};

const W: f64 = 640.0;
const H: f64 = 300.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 48.0;
/// Beyond this many points a chart draws no markers (they would overlap)
/// and draws its line through at most four points per pixel column.
const DENSE: usize = 60;

/// `value unit`, as a reader writes it: `59.6 years`, `12%`.
pub(crate) fn with_unit(number: &str, unit: &str) -> String {
    if unit.is_empty() {
        number.to_string()
    } else if unit.starts_with('%') {
        format!("{number}{unit}")
    } else {
        format!("{number} {unit}")
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A change described in words: "Up 1.2 years", "Down 0.9 percentage
/// points" (a change in a `%` measure is in percentage points, not per
/// cent), "No change" when it shows as zero.
pub(crate) fn change_words(delta: f64, decimals: u32, unit: &str) -> String {
    let shown = format_number(delta.abs(), decimals);
    if shown.chars().all(|c| c == '0' || c == '.' || c == ',') {
        return "No change".into();
    }
    let dir = if delta > 0.0 { "Up" } else { "Down" };
    if unit == "%" {
        let one = shown == "1" || shown.trim_end_matches('0').trim_end_matches('.') == "1";
        format!(
            "{dir} {shown} percentage point{}",
            if one { "" } else { "s" }
        )
    } else {
        format!("{dir} {}", with_unit(&shown, unit))
    }
}

/// A number with two decimals at most and no trailing zeros, for SVG
/// coordinates (stable output, short files).
fn n(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The figures a chart draws: a period per row, and each series' entry
/// for it (`cells[row][series]`), with the series' names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rows<'a> {
    pub names: &'a [&'a str],
    pub periods: &'a [&'a str],
    pub cells: &'a [Vec<Option<&'a Point>>],
}

impl<'a> Rows<'a> {
    fn series(&self, s: usize) -> impl Iterator<Item = (usize, &'a str, Option<f64>)> + '_ {
        self.periods
            .iter()
            .zip(self.cells)
            .enumerate()
            .map(move |(i, (p, c))| (i, *p, c[s].and_then(|p| p.value)))
    }
}

/// What one series did: "rose from 58.9 years in 2021/22 to 59.6 years in
/// 2023/24", after `subject`.
fn series_clause(subject: &str, m: &Measure, present: &[(&str, f64)]) -> String {
    let fmt = |v: f64| with_unit(&format_number(v, m.decimals), &m.unit);
    match present {
        [] => format!("{subject}: no figures yet"),
        [(period, v)] => format!("{subject} was {} in {period}", fmt(*v)),
        [(pa, a), .., (pb, b)] => {
            // Compare as shown, so "stayed at" never sits beside two
            // different-looking figures.
            if format_number(*a, m.decimals) == format_number(*b, m.decimals) {
                format!("{subject} was {} in {pa} and the same in {pb}", fmt(*a))
            } else {
                let verb = if b > a { "rose" } else { "fell" };
                let mut s = format!(
                    "{subject} {verb} from {} in {pa} to {} in {pb}",
                    fmt(*a),
                    fmt(*b)
                );
                // A share changes by percentage points, not per cent.
                if m.unit == "%" {
                    s.push_str(&format!(
                        ", {}",
                        change_words(b - a, m.decimals, &m.unit).to_lowercase()
                    ));
                }
                s
            }
        }
    }
}

/// The sentence a chart stands for: "Healthy life expectancy rose from 58.9
/// years in 2021/22 to 59.6 years in 2023/24; the target is 65.0 years by
/// 2034/35. Higher is better. No data for 2022/23." With several series,
/// a clause for each: "Healthy life expectancy: Men rose from …; Women fell
/// from …".
pub(crate) fn summary(title: &str, m: &Measure, rows: Rows<'_>) -> String {
    let fmt = |v: f64| with_unit(&format_number(v, m.decimals), &m.unit);
    let several = rows.names.len() > 1;
    let mut s = if several {
        let clauses: Vec<String> = (0..rows.names.len())
            .map(|i| {
                let present: Vec<(&str, f64)> = rows
                    .series(i)
                    .filter_map(|(_, p, v)| Some((p, v?)))
                    .collect();
                series_clause(rows.names[i], m, &present)
            })
            .collect();
        format!("{title}: {}", clauses.join("; "))
    } else {
        let present: Vec<(&str, f64)> = rows
            .series(0)
            .filter_map(|(_, p, v)| Some((p, v?)))
            .collect();
        series_clause(title, m, &present)
    };
    if let Some(t) = m
        .target
        .as_ref()
        .and_then(|t| t.value.map(|v| (v, &t.period)))
    {
        s.push_str(&format!("; the target is {} by {}", fmt(t.0), t.1));
    }
    s.push_str(match m.direction {
        Direction::Up => ". Higher is better.",
        Direction::Down => ". Lower is better.",
        Direction::None => ".",
    });
    for i in 0..rows.names.len() {
        // One series: its entries without a value. Several: any period
        // another series has and this one lacks is no data too.
        let gaps: Vec<&str> = rows
            .series(i)
            .filter(|(r, _, v)| v.is_none() && (several || rows.cells[*r][i].is_some()))
            .map(|(_, p, _)| p)
            .collect();
        if !gaps.is_empty() {
            if several {
                s.push_str(&format!(
                    " No data for {} in {}.",
                    rows.names[i],
                    join_and(&gaps)
                ));
            } else {
                s.push_str(&format!(" No data for {}.", join_and(&gaps)));
            }
        }
    }
    if m.illustrative {
        s.push_str(" These figures are illustrative, not real data.");
    }
    s
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A step of 1, 2 or 5 × 10ⁿ giving about `ticks` intervals over `span`.
fn nice_step(span: f64, ticks: f64) -> f64 {
    let raw = (span / ticks).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let r = raw / mag;
    let nice = if r <= 1.0 {
        1.0
    } else if r <= 2.0 {
        2.0
    } else if r <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// Decimals needed to write multiples of `step` exactly.
fn step_decimals(step: f64) -> u32 {
    let mut d = 0;
    while d < 6
        && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-9
    {
        d += 1;
    }
    d
}

/// How each series is drawn, so that series differ in more than colour
/// (§6): a line style and a marker shape, in black and white alike.
/// (The target is a line of long dashes, so no series uses those.)
const DASHES: [&str; 4] = ["", "1 7", "14 4 1 4", "4 4"];

/// A marker of shape `k` at (x, y): filled circle, open square, filled
/// triangle, open diamond.
fn marker(k: usize, x: f64, y: f64) -> String {
    match k % 4 {
        0 => format!(r#"<circle cx="{}" cy="{}" r="5"/>"#, n(x), n(y)),
        1 => format!(
            r#"<rect x="{}" y="{}" width="10" height="10" fill="none" stroke="currentColor" stroke-width="2.5"/>"#,
            n(x - 5.0),
            n(y - 5.0)
        ),
        2 => format!(
            r#"<path d="M{} {}L{} {}L{} {}Z"/>"#,
            n(x),
            n(y - 6.5),
            n(x + 6.0),
            n(y + 4.5),
            n(x - 6.0),
            n(y + 4.5)
        ),
        _ => format!(
            r#"<path d="M{} {}L{} {}L{} {}L{} {}Z" fill="none" stroke="currentColor" stroke-width="2.5"/>"#,
            n(x),
            n(y - 6.5),
            n(x + 6.5),
            n(y),
            n(x),
            n(y + 6.5),
            n(x - 6.5),
            n(y)
        ),
    }
}

/// Roughly how wide `text` is at the chart's font size (for laying out the
/// key and the direct labels; generous rather than tight).
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * 8.6
}

/// The chart of `rows` (a measure's figures, or those up to a year). `id`
/// must be unique on the page.
pub(crate) fn line_chart(id: &str, title: &str, m: &Measure, rows: Rows<'_>) -> Chart {
    Chart {
        id: id.to_string(),
        title: title.to_string(),
        summary: summary(title, m, rows),
        svg: draw(id, title, m, rows, &WIDE),
        svg_narrow: draw(id, title, m, rows, &NARROW),
    }
}

fn draw(id: &str, title: &str, m: &Measure, rows: Rows<'_>, frame: &Frame) -> String {
    let (w, left) = (frame.w, frame.left);
    let fmt = |v: f64| format_number(v, m.decimals);
    let several = rows.names.len() > 1;
    let target = m
        .target
        .as_ref()
        .and_then(|t| t.value.map(|v| (v, t.period.clone())));
    let mut values: Vec<f64> = rows
        .cells
        .iter()
        .flatten()
        .filter_map(|c| c.and_then(|p| p.value))
        .collect();
    if let Some((t, _)) = &target {
        values.push(*t);
    }
    let (mut lo, mut hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(*v), h.max(*v))
        });
    if values.is_empty() {
        (lo, hi) = (0.0, 1.0);
    }
    if (hi - lo).abs() < 1e-9 {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        lo -= pad;
        hi += pad;
    }
    let step = nice_step(hi - lo, 4.0);
    let mut y0 = (lo / step).floor() * step;
    let y1 = (hi / step).ceil() * step;
    if lo >= 0.0 && y0 < 0.0 {
        y0 = 0.0;
    }

    // With several series: a key above the plot (wrapping into rows), and
    // each line named at its end, in a right margin wide enough for the
    // longest name.
    let mut key: Vec<(usize, f64, f64)> = Vec::new();
    let mut key_rows = 0;
    let mut direct = false;
    let right = if several {
        let mut x = 4.0;
        key_rows = 1;
        for (i, name) in rows.names.iter().enumerate() {
            let width = 44.0 + text_width(name);
            if x > 4.0 && x + width > w {
                x = 4.0;
                key_rows += 1;
            }
            key.push((i, x, 18.0 + 24.0 * (key_rows - 1) as f64));
            x += width + 24.0;
        }
        // The labels are bold: wider than the key's text. Names too long
        // for a margin are left to the key.
        let longest = rows.names.iter().map(|n| text_width(n)).fold(0.0, f64::max);
        let margin = longest * 1.15 + 20.0;
        if frame.direct_labels && margin <= 200.0 {
            direct = true;
            margin.max(RIGHT)
        } else {
            RIGHT
        }
    } else {
        RIGHT
    };
    let top = TOP + 24.0 * key_rows as f64;
    let plot_w = w - left - right;
    let plot_h = H - TOP - BOTTOM;
    let height = top + plot_h + BOTTOM;
    let y_of = |v: f64| top + plot_h - (v - y0) / (y1 - y0) * plot_h;
    let count = rows.periods.len().max(1) as f64;
    let x_of = |i: usize| left + (i as f64 + 0.5) * plot_w / count;

    let title_id = format!("{id}-title{}", frame.suffix);
    let summary_id = format!("{id}-summary");
    let mut svg = String::new();
    svg.push_str(&format!(
        r#"<svg class="{}" viewBox="0 0 {} {}" width="100%" role="img" aria-labelledby="{title_id}" aria-describedby="{summary_id}" focusable="false" font-size="15" fill="currentColor">"#,
        frame.class,
        n(w),
        n(height)
    ));
    svg.push_str(&format!(r#"<title id="{title_id}">{}</title>"#, esc(title)));

    if several {
        svg.push_str(r#"<g class="tl-chart__key" aria-hidden="true">"#);
        for &(i, x, y) in &key {
            svg.push_str(&format!(
                r#"<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-width="3"{}/>"#,
                n(x),
                n(x + 34.0),
                n(y),
                n(y),
                dash_attr(i)
            ));
            svg.push_str(&marker(i, x + 17.0, y));
            svg.push_str(&format!(
                r#"<text x="{}" y="{}" dominant-baseline="middle">{}</text>"#,
                n(x + 42.0),
                n(y),
                esc(rows.names[i])
            ));
        }
        svg.push_str("</g>");
    }

    // Grid and the vertical axis's labels.
    let decimals = step_decimals(step);
    let ticks = ((y1 - y0) / step).round() as usize;
    svg.push_str(r#"<g class="tl-chart__grid" aria-hidden="true">"#);
    for t in 0..=ticks {
        let v = y0 + step * t as f64;
        let y = y_of(v);
        svg.push_str(&format!(
            r##"<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#b1b4b6" stroke-width="1"/>"##,
            n(left),
            n(w - right),
            n(y),
            n(y)
        ));
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            n(left - 8.0),
            n(y),
            esc(&format_number(v, decimals))
        ));
    }
    // The unit, above the axis labels.
    svg.push_str(&format!(
        r#"<text x="{}" y="{}" text-anchor="start">{}</text>"#,
        n(4.0),
        n(top - 18.0),
        esc(&m.unit)
    ));
    svg.push_str("</g>");

    // Periods along the bottom: every one when there is room.
    let len = rows.periods.len();
    let every = len.div_ceil(frame.periods).max(1);
    svg.push_str(r#"<g class="tl-chart__periods" aria-hidden="true">"#);
    for (i, p) in rows.periods.iter().enumerate() {
        // Counted back from the last, so the latest period is always
        // labelled and no two labels crowd together.
        if (len - 1 - i).is_multiple_of(every) {
            svg.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                n(x_of(i)),
                n(height - BOTTOM + 24.0),
                esc(p)
            ));
        }
    }
    svg.push_str("</g>");

    // The target: a dashed line, labelled.
    if let Some((t, period)) = &target {
        let y = y_of(*t);
        svg.push_str(&format!(
            r#"<g class="tl-chart__target" aria-hidden="true"><line x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-width="2" stroke-dasharray="8 6"/><text x="{}" y="{}" text-anchor="end">Target {} by {}</text></g>"#,
            n(left),
            n(w - right),
            n(y),
            n(y),
            n(w - right),
            n(y - 8.0),
            esc(&with_unit(&fmt(*t), &m.unit)),
            esc(period)
        ));
    }

    // Each series: a line broken where there is no data. A long series is
    // drawn through the first, lowest, highest and last point of each
    // pixel column (the line looks the same, and the chart stays the size
    // of its picture, not of its data: the table beside it has every
    // figure).
    let dense = len > frame.dense;
    let mut ends: Vec<(usize, f64)> = Vec::new();
    for s in 0..rows.names.len() {
        let mut path = String::new();
        let mut pen_down = false;
        let mut column: Vec<(usize, f64)> = Vec::new();
        let flush = |column: &mut Vec<(usize, f64)>, path: &mut String, pen_down: &mut bool| {
            let keep: Vec<(usize, f64)> = if column.len() <= 4 {
                column.clone()
            } else {
                let (first, last) = (column[0], column[column.len() - 1]);
                let lo = column
                    .iter()
                    .copied()
                    .fold(first, |a, b| if b.1 < a.1 { b } else { a });
                let hi = column
                    .iter()
                    .copied()
                    .fold(first, |a, b| if b.1 > a.1 { b } else { a });
                let mut k = vec![first, lo, hi, last];
                k.sort_by_key(|p| p.0);
                k.dedup_by_key(|p| p.0);
                k
            };
            for (i, v) in keep {
                path.push_str(&format!(
                    "{}{} {} ",
                    if *pen_down { "L" } else { "M" },
                    n(x_of(i)),
                    n(y_of(v))
                ));
                *pen_down = true;
            }
            column.clear();
        };
        let mut last = None;
        for (i, _, v) in rows.series(s) {
            match v {
                Some(v) => {
                    last = Some(v);
                    if dense {
                        let px = x_of(i).floor();
                        if column.first().is_some_and(|(j, _)| x_of(*j).floor() != px) {
                            flush(&mut column, &mut path, &mut pen_down);
                        }
                        column.push((i, v));
                    } else {
                        column.push((i, v));
                        flush(&mut column, &mut path, &mut pen_down);
                    }
                }
                None => {
                    flush(&mut column, &mut path, &mut pen_down);
                    pen_down = false;
                }
            }
        }
        flush(&mut column, &mut path, &mut pen_down);
        if let Some(v) = last {
            ends.push((s, y_of(v)));
        }
        svg.push_str(r#"<g class="tl-chart__series" aria-hidden="true">"#);
        if !path.is_empty() {
            svg.push_str(&format!(
                r#"<path d="{}" fill="none" stroke="currentColor" stroke-width="3" stroke-linejoin="round"{}/>"#,
                path.trim_end(),
                dash_attr(s)
            ));
        }
        // Markers only where each has room to be seen; each point's value
        // when there is one series of a dozen points or fewer (with more
        // series the labels would collide: the table has them).
        let label_values = !several && len <= frame.value_labels;
        if !dense {
            for (i, _, v) in rows.series(s) {
                let Some(v) = v else { continue };
                let (x, y) = (x_of(i), y_of(v));
                svg.push_str(&marker(s, x, y));
                if label_values {
                    svg.push_str(&format!(
                        r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
                        n(x),
                        n(y - 12.0),
                        esc(&fmt(v))
                    ));
                }
            }
        }
        svg.push_str("</g>");
    }
    // "no data" where no series has a figure for the period.
    if !dense {
        svg.push_str(r#"<g class="tl-chart__gaps" aria-hidden="true">"#);
        for (i, c) in rows.cells.iter().enumerate() {
            if c.iter().all(|c| c.and_then(|p| p.value).is_none()) {
                svg.push_str(&format!(
                    r#"<text class="tl-chart__gap" x="{}" y="{}" text-anchor="middle" font-style="italic">no data</text>"#,
                    n(x_of(i)),
                    n(top + plot_h - 8.0)
                ));
                continue;
            }
            // With several series, a series that records a gap here (an
            // entry without a value) says so with its own marker.
            let gaps = (0..c.len()).filter(|s| c[*s].is_some_and(|p| p.value.is_none()));
            for (k, s) in gaps.enumerate() {
                let y = top + plot_h - 10.0 - 20.0 * k as f64;
                svg.push_str(&marker(s, x_of(i) - 26.0, y));
                svg.push_str(&format!(
                    r#"<text class="tl-chart__gap" x="{}" y="{}" dominant-baseline="middle" font-style="italic">no data</text>"#,
                    n(x_of(i) - 16.0),
                    n(y)
                ));
            }
        }
        svg.push_str("</g>");
    }
    // Direct labels: each line's name at the height of its last figure, in
    // the right margin, nudged apart so that none overlaps another.
    if direct && !ends.is_empty() {
        ends.sort_by(|a, b| a.1.total_cmp(&b.1));
        let mut placed: Vec<(usize, f64)> = Vec::new();
        for (s, y) in ends {
            let y = placed.last().map_or(y, |(_, prev)| y.max(prev + 18.0));
            placed.push((s, y));
        }
        // Pushed below the plot? Move the stack up.
        let overflow = placed.last().map_or(0.0, |(_, y)| y - (top + plot_h));
        svg.push_str(r#"<g class="tl-chart__labels" aria-hidden="true">"#);
        for (s, y) in placed {
            svg.push_str(&format!(
                r#"<text x="{}" y="{}" dominant-baseline="middle" font-weight="bold">{}</text>"#,
                n(w - right + 10.0),
                n(y - overflow.max(0.0)),
                esc(rows.names[s])
            ));
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

fn dash_attr(s: usize) -> String {
    match DASHES[s % DASHES.len()] {
        "" => String::new(),
        d => format!(r#" stroke-dasharray="{d}" stroke-linecap="round""#),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(values: &[Option<f64>]) -> Measure {
        Measure {
            unit: "years".into(),
            direction: Direction::Up,
            illustrative: false,
            series: vec![Series {
                name: None,
                points: values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Point {
                        period: format!("202{i}/2{}", i + 1),
                        value: *v,
                        reported: None,
                        provisional: false,
                        note: None,
                        written_decimals: 1,
                    })
                    .collect(),
            }],
            baseline: None,
            target: Some(Point {
                period: "2034/35".into(),
                value: Some(65.0),
                reported: None,
                provisional: false,
                note: None,
                written_decimals: 0,
            }),
            decimals: 1,
            source: None,
            source_url: None,
            updated: None,
            data: None,
        }
    }

    /// Draw `m` whole, as a measure's page does.
    fn whole<T>(m: &Measure, f: impl FnOnce(Rows<'_>) -> T) -> T {
        let grid = m.grid();
        let names = m.names();
        f(Rows {
            names: &names,
            periods: &grid.periods,
            cells: &grid.cells,
        })
    }

    #[test]
    fn summary_says_which_way_and_names_gaps() {
        let m = measure(&[Some(58.9), None, Some(59.6)]);
        assert_eq!(
            whole(&m, |r| summary("Healthy life expectancy", &m, r)),
            "Healthy life expectancy rose from 58.9 years in 2020/21 to 59.6 years in 2022/23; the target is 65.0 years by 2034/35. Higher is better. No data for 2021/22."
        );
        let m = measure(&[Some(60.0), Some(59.0)]);
        assert!(whole(&m, |r| summary("X", &m, r)).starts_with("X fell from 60.0 years"));
    }

    #[test]
    fn a_gap_breaks_the_line() {
        let m = measure(&[Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)]);
        let c = whole(&m, |r| line_chart("c", "T", &m, r));
        let d = c.svg.split(r#"<path d=""#).nth(1).unwrap();
        let d = &d[..d.find('"').unwrap()];
        assert_eq!(d.matches('M').count(), 2, "{d}");
        assert_eq!(d.matches('L').count(), 2, "{d}");
        assert!(c.svg.contains(">no data</text>"));
        assert_eq!(c.svg.matches("<circle").count(), 4);
    }

    #[test]
    fn a_phone_gets_its_own_drawing_with_its_own_ids() {
        let m = measure(&[
            Some(1.0),
            Some(2.0),
            Some(3.0),
            Some(4.0),
            Some(5.0),
            Some(6.0),
            Some(7.0),
            Some(8.0),
        ]);
        let c = whole(&m, |r| line_chart("c", "T", &m, r));
        assert!(c
            .svg
            .starts_with(r#"<svg class="tl-chart__svg" viewBox="0 0 640 "#));
        assert!(c
            .svg_narrow
            .starts_with(r#"<svg class="tl-chart__svg tl-chart__svg--narrow" viewBox="0 0 360 "#));
        assert!(
            c.svg.contains(r#"<title id="c-title">"#)
                && c.svg_narrow.contains(r#"<title id="c-title-narrow">"#)
        );
        // Both describe themselves with the one summary.
        assert!(c.svg_narrow.contains(r#"aria-describedby="c-summary""#));
        // Fewer period labels where there is less room: all 8 wide, 4 on a
        // phone; no value labels beyond 6 points.
        let periods = |svg: &str| {
            svg.split("tl-chart__periods")
                .nth(1)
                .unwrap()
                .split("</g>")
                .next()
                .unwrap()
                .matches("<text")
                .count()
        };
        assert_eq!(periods(&c.svg), 8);
        assert_eq!(periods(&c.svg_narrow), 4);
        assert!(
            c.svg_narrow.contains(">2027/28</text>"),
            "the latest period is labelled"
        );
        assert!(c.svg.contains(r#"font-weight="bold">8.0</text>"#));
        assert!(!c.svg_narrow.contains(r#"font-weight="bold">8.0</text>"#));
    }

    #[test]
    fn a_series_gap_among_others_is_marked_with_its_marker() {
        let mut m = measure(&[Some(1.0), Some(2.0), Some(3.0)]);
        let mut other = m.series[0].clone();
        other.name = Some("B".into());
        other.points[1].value = None;
        m.series[0].name = Some("A".into());
        m.series.push(other);
        let c = whole(&m, |r| line_chart("c", "T", &m, r));
        let gaps = c.svg.split("tl-chart__gaps").nth(1).unwrap();
        let gaps = &gaps[..gaps.find("</g>").unwrap()];
        // B's open square, then "no data", at the foot of the second period.
        assert!(gaps.contains("<rect "), "{gaps}");
        assert_eq!(gaps.matches(">no data</text>").count(), 1, "{gaps}");
    }

    #[test]
    fn ticks_are_round_numbers() {
        assert_eq!(nice_step(6.1, 4.0), 2.0);
        assert_eq!(nice_step(38.0, 4.0), 10.0);
        assert_eq!(nice_step(0.3, 4.0), 0.1);
        assert_eq!(step_decimals(0.1), 1);
        assert_eq!(step_decimals(20.0), 0);
    }
}
