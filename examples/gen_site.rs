//! Generate a synthetic strategy site of about N pages, for benchmarks.
//!
//! ```text
//! cargo run --release --example gen_site -- 10000 /tmp/bench-10k
//! ```
//!
//! writes two copies of the same content:
//! - `OUT/throughline/`: a Zola-layout site following the content model
//!   (priorities, commitments in groups, programmes, measures with inline
//!   and CSV series, annual-review years with updates and stories, and
//!   dated news pages with tags), with small Tera templates;
//! - `OUT/hugo/`: the same pages for Hugo (taxonomies moved to where Hugo
//!   reads them) with equivalent Go templates.
//!
//! The output depends only on N: the text comes from a fixed word bank and
//! a seeded generator, so every run measures the same site.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const WORDS: &[&str] = &[
    "partners",
    "health",
    "care",
    "wellbeing",
    "communities",
    "people",
    "services",
    "local",
    "neighbourhood",
    "prevention",
    "inequality",
    "outcomes",
    "access",
    "workforce",
    "carers",
    "residents",
    "primary",
    "hospital",
    "council",
    "voluntary",
    "sector",
    "data",
    "support",
    "together",
    "improve",
    "reduce",
    "deliver",
    "plan",
    "share",
    "listen",
    "learn",
    "early",
    "help",
    "homes",
    "work",
    "children",
    "families",
    "older",
    "mental",
    "physical",
    "years",
    "life",
    "healthy",
    "fair",
    "place",
    "budget",
    "priority",
    "commitment",
    "programme",
    "measure",
    "review",
    "progress",
    "integrated",
    "system",
    "quality",
    "safe",
    "timely",
];

const TOPICS: &[&str] = &[
    "Healthy hearts",
    "Warm homes",
    "Home first",
    "Good work",
    "Community voice",
    "Using data better",
    "Healthy minds",
    "Best start",
    "Ageing well",
    "Carers count",
    "Active lives",
    "Clean air",
    "Food for health",
    "Digital inclusion",
    "Safe at home",
];

const GROUPS: &[&str] = &["Our people", "Our places", "Our partnership"];

const STATUSES: &[&str] = &[
    "not-started",
    "on-track",
    "on-track",
    "on-track",
    "at-risk",
    "off-track",
    "complete",
    "paused",
];

const YEARS: &[(&str, &str, &str)] = &[
    ("2021-22", "2021/22", "2022-06-15"),
    ("2022-23", "2022/23", "2023-06-14"),
    ("2023-24", "2023/24", "2024-06-12"),
    ("2024-25", "2024/25", "2025-06-11"),
];

const PRIORITIES: &[(&str, &str)] = &[
    (
        "improving-health",
        "Improving population health and wellbeing",
    ),
    ("unequal-outcomes", "Tackling unequal outcomes and access"),
    ("sustainable-system", "A sustainable health and care system"),
    (
        "social-development",
        "Broader social and economic development",
    ),
    ("best-start", "The best start in life"),
    ("living-well", "Living well with long-term conditions"),
    ("ageing-well", "Ageing well and independently"),
    ("healthy-places", "Healthy places to live and work"),
];

fn sentence(r: &mut Rng) -> String {
    let n = 8 + r.below(12);
    let mut s = String::new();
    for i in 0..n {
        let w = r.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            s.extend(c.next().map(|c| c.to_ascii_uppercase()));
            s.push_str(c.as_str());
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s.push('.');
    s
}

fn paragraph(r: &mut Rng) -> String {
    (0..3 + r.below(3))
        .map(|_| sentence(r))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A body of about 300 words: paragraphs, two headings, a list.
fn body(r: &mut Rng) -> String {
    let mut b = String::new();
    b.push_str(&paragraph(r));
    b.push_str("\n\n<!-- more -->\n\n## Why it matters\n\n");
    b.push_str(&paragraph(r));
    b.push_str("\n\n");
    for _ in 0..3 {
        let _ = writeln!(b, "- {}", sentence(r));
    }
    b.push_str("\n## What we will do\n\n");
    b.push_str(&paragraph(r));
    b.push_str("\n\n");
    b.push_str(&paragraph(r));
    b.push('\n');
    b
}

struct Out {
    tl: PathBuf,
    hugo: PathBuf,
}

impl Out {
    fn write_both(&self, rel: &str, tl: &str, hugo: &str) {
        write(&self.tl.join("content").join(rel), tl);
        write(&self.hugo.join("content").join(rel), hugo);
    }
    fn same(&self, rel: &str, text: &str) {
        self.write_both(rel, text, text);
    }
}

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn list(ids: &[String]) -> String {
    ids.iter()
        .map(|i| format!("\"{i}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Programme `i`'s update (`id`) in the year of `period`.
fn update_page(i: usize, id: &str, period: &str, status: &str, body: &str) -> String {
    format!(
        "+++\ntitle = \"{} in {period}\"\nweight = {}\n[extra]\nprogramme = \"{id}\"\nstatus = \"{status}\"\n+++\n{body}",
        TOPICS[i % TOPICS.len()],
        i + 1,
    )
}

fn section(title: &str, extra: &str) -> String {
    format!("+++\ntitle = \"{title}\"\nsort_by = \"weight\"\npaginate_by = 10\n{extra}+++\n")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(out)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: gen_site PAGES OUT_DIR [news|plan|stress]");
        std::process::exit(2);
    };
    let shape = args.get(3).map(String::as_str).unwrap_or("news");
    let made = match shape {
        "news" => generate(n, &PathBuf::from(out)),
        "plan" | "stress" => generate_shape(shape, n, &PathBuf::from(out)),
        other => {
            eprintln!("unknown shape `{other}`: news, plan or stress");
            std::process::exit(2);
        }
    };
    println!("wrote {made} pages to {out}");
}

/// The two shapes of issue 23, written once into `OUT/throughline/`, a
/// site that throughline and Zola 0.22 both build with its own templates
/// (those of `generate`):
/// - `plan`: a partnership's plan: 10 priorities, 60 commitments, 300
///   programmes and 20 measures for every 10,000 pages, the rest a
///   ten-year annual review (an update of every programme each year, and
///   stories); pages of about 600 words with lists, a table and links.
/// - `stress`: 200 priorities and 4,000 programmes (each delivering three
///   priorities and two commitments) for every 10,000 pages, 800
///   commitments and 100 measures; the rest updates over four years.
///
/// Counts scale with `n` (never below the plan's smallest), so the shapes
/// at 1,000, 10,000 and 100,000 pages are the same site, larger.
pub fn generate_shape(shape: &str, n: usize, out: &Path) -> usize {
    if out.exists() {
        std::fs::remove_dir_all(out).unwrap();
    }
    let site = out.join("throughline");
    let content = site.join("content");
    let put = |rel: &str, text: &str| write(&content.join(rel), text);
    let mut r = Rng(0x5EED_0023_0000_0000 ^ n as u64 ^ shape.len() as u64);
    let scale = |per_10k: usize, least: usize| (per_10k * n / 10_000).max(least);
    let (n_priorities, n_commitments, n_programmes, n_measures, n_years) = match shape {
        "plan" => (10, scale(60, 6), scale(300, 30), scale(20, 4), 10),
        _ => (
            scale(200, 20),
            scale(800, 80),
            scale(4000, 400),
            scale(100, 10),
            4,
        ),
    };
    let priorities: Vec<String> = (0..n_priorities).map(|i| format!("priority-{i}")).collect();
    let commitments: Vec<String> = (0..n_commitments)
        .map(|i| format!("commitment-{i}"))
        .collect();
    let programmes: Vec<String> = (0..n_programmes)
        .map(|i| format!("programme-{i}"))
        .collect();
    let measures: Vec<String> = (0..n_measures).map(|i| format!("measure-{i}")).collect();
    let periods: Vec<(String, String, String)> = (0..n_years)
        .map(|y| {
            let a = 2016 + y;
            (
                format!("{a}-{:02}", (a + 1) % 100),
                format!("{a}/{:02}", (a + 1) % 100),
                format!("{}-06-1{}", a + 1, y % 10),
            )
        })
        .collect();
    // A long body: two of `body`'s, a table, and links to other pages of
    // the strategy (checked by both tools).
    let long_body = |r: &mut Rng| {
        let mut b = body(r);
        b.push_str("\n| Quarter | Referrals | Seen within 18 weeks |\n|---|---:|---:|\n");
        for q in 1..=4 {
            let _ = writeln!(
                b,
                "| Q{q} | {} | {}% |",
                100 + r.below(900),
                50 + r.below(50)
            );
        }
        let _ = write!(
            b,
            "\nSee [{}](@/programmes/{}.md) and [the priority](@/priorities/{}.md).\n\n",
            TOPICS[r.below(TOPICS.len())],
            programmes[r.below(programmes.len())],
            priorities[r.below(priorities.len())],
        );
        b.push_str(&body(r));
        b
    };
    put(
        "_index.md",
        "+++\ntitle = \"Home\"\n+++\nOur shared strategy.\n",
    );
    put("priorities/_index.md", &section("Our priorities", ""));
    for (i, id) in priorities.iter().enumerate() {
        let text = format!(
            "+++\ntitle = \"Priority {i}: {}\"\nweight = {}\n[extra]\ncode = \"P{}\"\ngroup = \"{}\"\n+++\n{}",
            TOPICS[i % TOPICS.len()],
            i + 1,
            i + 1,
            GROUPS[i % GROUPS.len()],
            long_body(&mut r)
        );
        put(&format!("priorities/{id}.md"), &text);
    }
    put("commitments/_index.md", &section("Our commitments", ""));
    for (i, id) in commitments.iter().enumerate() {
        let mut ps = vec![
            priorities[i % n_priorities].clone(),
            priorities[(i * 3 + 1) % n_priorities].clone(),
        ];
        ps.dedup();
        let text = format!(
            "+++\ntitle = \"{} together {i}\"\nweight = {}\n[extra]\ngroup = \"{}\"\npriorities = [{}]\n+++\n{}",
            r.pick(WORDS),
            i + 1,
            GROUPS[i % GROUPS.len()],
            list(&ps),
            long_body(&mut r)
        );
        put(&format!("commitments/{id}.md"), &text);
    }
    put("programmes/_index.md", &section("Programmes of work", ""));
    for (i, id) in programmes.iter().enumerate() {
        let mut ps = vec![
            priorities[i % n_priorities].clone(),
            priorities[(i / 3) % n_priorities].clone(),
            priorities[(i * 7 + 1) % n_priorities].clone(),
        ];
        ps.sort();
        ps.dedup();
        let mut cs = vec![
            commitments[i % n_commitments].clone(),
            commitments[(i * 7 + 3) % n_commitments].clone(),
        ];
        cs.dedup();
        let text = format!(
            "+++\ntitle = \"{} {i}\"\ndescription = \"{}\"\nweight = {}\n[extra]\npriorities = [{}]\ncommitments = [{}]\nmeasures = [\"{}\"]\nstatus = \"{}\"\nlead = \"Partner {}\"\ngroup = \"{}\"\nstart = \"{}\"\nend = \"{}\"\nmilestones = [{{ title = \"Business case agreed\", due = \"{}\", status = \"complete\" }}, {{ title = \"First sites live\", due = \"{}\" }}]\n+++\n{}",
            TOPICS[i % TOPICS.len()],
            sentence(&mut r),
            i + 1,
            list(&ps),
            list(&cs),
            measures[i % n_measures],
            r.pick(STATUSES),
            i % 17,
            GROUPS[(i / 5) % GROUPS.len()],
            periods[0].1,
            periods[n_years - 1].1,
            periods[1].1,
            periods[n_years / 2].1,
            long_body(&mut r)
        );
        put(&format!("programmes/{id}.md"), &text);
    }
    put("measures/_index.md", &section("Measures", ""));
    for (i, id) in measures.iter().enumerate() {
        let start = 40.0 + (r.below(400) as f64) / 10.0;
        let values: Vec<String> = periods
            .iter()
            .enumerate()
            .map(|(y, (_, period, _))| {
                if r.below(10) == 0 {
                    format!("{{ period = \"{period}\" }}")
                } else {
                    format!(
                        "{{ period = \"{period}\", value = {:.1} }}",
                        start + y as f64 * 0.7
                    )
                }
            })
            .collect();
        let text = format!(
            "+++\ntitle = \"Measure {i}\"\nweight = {}\n[extra]\npriorities = [\"{}\"]\nunit = \"%\"\ndirection = \"{}\"\nvalues = [{}]\ntarget = {{ period = \"2034/35\", value = {:.1} }}\nsource = \"Illustrative figures\"\nillustrative = true\n+++\n{}",
            i + 1,
            priorities[i % n_priorities],
            if i % 3 == 0 { "down" } else { "up" },
            values.join(", "),
            start + 10.0,
            body(&mut r)
        );
        put(&format!("measures/{id}.md"), &text);
    }
    put("annual-review/_index.md", &section("Annual review", ""));
    let mut made = 5 + n_priorities + n_commitments + n_programmes + n_measures;
    let review = n.saturating_sub(made + n_years);
    let per_year = review / n_years;
    for (y, (folder, period, published)) in periods.iter().enumerate() {
        put(
            &format!("annual-review/{folder}/_index.md"),
            &section(
                &format!("Annual review {period}"),
                &format!("[extra]\nperiod = \"{period}\"\npublished = {published}\n"),
            ),
        );
        made += 1;
        // This year's share (the last year takes what is left), updates
        // first: at most one per programme.
        let mut count = if y + 1 == n_years {
            n.saturating_sub(made)
        } else {
            per_year
        };
        for (i, id) in programmes.iter().enumerate().take(count) {
            let status = r.pick(STATUSES);
            put(
                &format!("annual-review/{folder}/{id}.md"),
                &update_page(i, id, period, status, &long_body(&mut r)),
            );
            made += 1;
            count -= 1;
        }
        for i in 0..count {
            put(
                &format!("annual-review/{folder}/story-{i}.md"),
                &format!(
                    "+++\ntitle = \"{}\"\nweight = {}\n[extra]\nfeatured = {}\n+++\n{}",
                    sentence(&mut r).trim_end_matches('.'),
                    n_programmes + i + 1,
                    i == 0,
                    long_body(&mut r)
                ),
            );
            made += 1;
        }
    }
    write(
        &site.join("config.toml"),
        "base_url = \"https://bench.example\"\ntitle = \"Benchmark partnership\"\ngenerate_feeds = true\n",
    );
    tera_templates(&site);
    made
}

/// Write the two copies of a site of about `n` pages into `out` (replacing
/// it); returns the number of pages written. Tests include this file to
/// make large sites.
pub fn generate(n: usize, out: &Path) -> usize {
    let out = out.to_path_buf();
    if out.exists() {
        std::fs::remove_dir_all(&out).unwrap();
    }
    let o = Out {
        tl: out.join("throughline"),
        hugo: out.join("hugo"),
    };
    let mut r = Rng(0x5EED_1234_ABCD_0001 ^ n as u64);

    let n_commitments = (n / 100).max(12);
    let n_programmes = (n / 20).max(6);
    let n_measures = (n / 200).max(3);

    o.same(
        "_index.md",
        "+++\ntitle = \"Home\"\n+++\nOur shared strategy.\n",
    );

    // Priorities.
    o.same("priorities/_index.md", &section("Our priorities", ""));
    let priorities: Vec<String> = PRIORITIES.iter().map(|p| p.0.to_string()).collect();
    for (i, (id, title)) in PRIORITIES.iter().enumerate() {
        let text = format!(
            "+++\ntitle = \"{title}\"\nweight = {}\n[extra]\ncode = \"P{}\"\n+++\n{}",
            i + 1,
            i + 1,
            body(&mut r)
        );
        o.same(&format!("priorities/{id}.md"), &text);
    }

    // Commitments.
    o.same("commitments/_index.md", &section("Our commitments", ""));
    let commitments: Vec<String> = (0..n_commitments)
        .map(|i| format!("commitment-{i}"))
        .collect();
    for (i, id) in commitments.iter().enumerate() {
        let ps = vec![
            priorities[i % priorities.len()].clone(),
            priorities[(i * 3 + 1) % priorities.len()].clone(),
        ];
        let mut ps = ps;
        ps.dedup();
        let text = format!(
            "+++\ntitle = \"{} together {i}\"\nweight = {}\n[extra]\ngroup = \"{}\"\npriorities = [{}]\n+++\n{}",
            r.pick(WORDS),
            i + 1,
            GROUPS[i % GROUPS.len()],
            list(&ps),
            body(&mut r)
        );
        o.same(&format!("commitments/{id}.md"), &text);
    }

    // Programmes.
    o.same("programmes/_index.md", &section("Programmes of work", ""));
    let programmes: Vec<String> = (0..n_programmes)
        .map(|i| format!("programme-{i}"))
        .collect();
    for (i, id) in programmes.iter().enumerate() {
        let mut ps = vec![
            priorities[i % priorities.len()].clone(),
            priorities[(i / 3) % priorities.len()].clone(),
        ];
        ps.dedup();
        let cs = [
            commitments[i % commitments.len()].clone(),
            commitments[(i * 7 + 3) % commitments.len()].clone(),
        ];
        let text = format!(
            "+++\ntitle = \"{} {i}\"\ndescription = \"{}\"\nweight = {}\n[extra]\npriorities = [{}]\ncommitments = [{}]\nstatus = \"{}\"\nlead = \"Partner {}\"\nstart = \"2023/24\"\nend = \"2026/27\"\n+++\n{}",
            TOPICS[i % TOPICS.len()],
            sentence(&mut r),
            i + 1,
            list(&ps),
            list(&cs),
            r.pick(STATUSES),
            i % 17,
            body(&mut r)
        );
        o.same(&format!("programmes/{id}.md"), &text);
    }

    // Measures: every fifth from a CSV file.
    o.same("measures/_index.md", &section("Measures", ""));
    for i in 0..n_measures {
        let start = 40.0 + (r.below(400) as f64) / 10.0;
        let series: Vec<(String, Option<f64>)> = YEARS
            .iter()
            .enumerate()
            .map(|(y, (_, period, _))| {
                let v = if r.below(10) == 0 {
                    None
                } else {
                    Some(start + y as f64 * 0.7)
                };
                (period.to_string(), v)
            })
            .collect();
        let data = if i % 5 == 0 {
            let mut csv = String::from("period,value\n");
            for (p, v) in &series {
                let _ = writeln!(
                    csv,
                    "{p},{}",
                    v.map(|v| format!("{v:.1}")).unwrap_or_default()
                );
            }
            write(&o.tl.join(format!("data/measure-{i}.csv")), &csv);
            format!("data = \"data/measure-{i}.csv\"\n")
        } else {
            let items: Vec<String> = series
                .iter()
                .map(|(p, v)| match v {
                    Some(v) => format!("{{ period = \"{p}\", value = {v:.1} }}"),
                    None => format!("{{ period = \"{p}\" }}"),
                })
                .collect();
            format!("values = [{}]\n", items.join(", "))
        };
        let text = format!(
            "+++\ntitle = \"Measure {i}\"\nweight = {}\n[extra]\npriorities = [\"{}\"]\nunit = \"%\"\ndirection = \"{}\"\n{data}target = {{ period = \"2034/35\", value = {:.1} }}\nsource = \"Illustrative figures\"\n+++\n{}",
            i + 1,
            priorities[i % priorities.len()],
            if i % 3 == 0 { "down" } else { "up" },
            start + 10.0,
            body(&mut r)
        );
        o.same(&format!("measures/measure-{i}.md"), &text);
    }

    // Annual review: each year has an update for a quarter of the
    // programmes, and a foreword.
    o.same("annual-review/_index.md", &section("Annual review", ""));
    let mut made = 8 + n_commitments + n_programmes + n_measures;
    for (y, (folder, period, published)) in YEARS.iter().enumerate() {
        o.same(
            &format!("annual-review/{folder}/_index.md"),
            &section(
                &format!("Annual review {period}"),
                &format!("[extra]\nperiod = \"{period}\"\npublished = {published}\n"),
            ),
        );
        o.same(
            &format!("annual-review/{folder}/foreword.md"),
            &format!(
                "+++\ntitle = \"Foreword {period}\"\nweight = 0\n+++\n{}",
                body(&mut r)
            ),
        );
        made += 1;
        for (i, id) in programmes.iter().enumerate() {
            if i % YEARS.len() != y % YEARS.len() && i % 2 == 0 {
                continue;
            }
            if made >= n {
                break;
            }
            let status = r.pick(STATUSES);
            o.same(
                &format!("annual-review/{folder}/{id}.md"),
                &update_page(i, id, period, status, &body(&mut r)),
            );
            made += 1;
        }
    }

    // News, to make up the count.
    o.same("news/_index.md", &section("News", ""));
    let mut i = 0;
    while made < n {
        let day = 1 + i % 28;
        let month = 1 + (i / 28) % 12;
        let year = 2020 + (i / 336) % 6;
        let tags = [r.pick(WORDS), r.pick(WORDS)];
        let tags: Vec<String> = tags.iter().map(|t| t.to_string()).collect();
        let head = format!(
            "+++\ntitle = \"{} {i}\"\ndate = {year}-{month:02}-{day:02}\nweight = {}\n",
            sentence(&mut r).trim_end_matches('.'),
            i + 1
        );
        let text = body(&mut r);
        o.write_both(
            &format!("news/item-{i}.md"),
            &format!("{head}[taxonomies]\ntags = [{}]\n+++\n{text}", list(&tags)),
            &format!("{head}tags = [{}]\n+++\n{text}", list(&tags)),
        );
        made += 1;
        i += 1;
    }

    write(
        &o.tl.join("config.toml"),
        "base_url = \"https://bench.example\"\ntitle = \"Benchmark partnership\"\ngenerate_feeds = true\ntaxonomies = [{ name = \"tags\", paginate_by = 10, feed = false }]\n",
    );
    write(
        &o.hugo.join("hugo.toml"),
        "baseURL = \"https://bench.example/\"\ntitle = \"Benchmark partnership\"\npaginate = 10\ndisableKinds = []\n[taxonomies]\ntag = \"tags\"\n[outputs]\nhome = [\"HTML\", \"RSS\"]\nsection = [\"HTML\"]\ntaxonomy = [\"HTML\"]\nterm = [\"HTML\"]\n",
    );
    tera_templates(&o.tl);
    hugo_templates(&o.hugo);
    made
}

/// Small templates doing the same work in both engines: a layout with the
/// top-level sections in the navigation, the page with its content and
/// tags, paginated lists.
fn tera_templates(root: &Path) {
    let t = root.join("templates");
    write(
        &t.join("base.html"),
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{% block title %}{{ config.title }}{% endblock %}</title></head>
<body>
<nav><ul>{% set home = get_section(path="_index.md", metadata_only=true) %}{% for s in home.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}<li><a href="{{ sub.permalink }}">{{ sub.title }}</a></li>{% endfor %}</ul></nav>
<main>{% block content %}{% endblock %}</main>
</body>
</html>
"#,
    );
    write(
        &t.join("page.html"),
        r#"{% extends "base.html" %}
{% block title %}{{ page.title }} – {{ config.title }}{% endblock %}
{% block content %}<h1>{{ page.title }}</h1>
{% if page.date %}<p>{{ page.date | date(format="%-d %B %Y") }}</p>{% endif %}
{{ page.content | safe }}
{% if page.taxonomies.tags %}<ul>{% for t in page.taxonomies.tags %}<li><a href="{{ get_taxonomy_url(kind="tags", name=t) }}">{{ t }}</a></li>{% endfor %}</ul>{% endif %}
{% endblock %}
"#,
    );
    let list = r#"{% extends "base.html" %}
{% block content %}<h1>{{ TITLE }}</h1>
{{ CONTENT }}
<ul>{% for p in paginator.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a> {{ p.summary | safe }}</li>{% endfor %}</ul>
{% if paginator.previous %}<a href="{{ paginator.previous }}">Previous</a>{% endif %}
{% if paginator.next %}<a href="{{ paginator.next }}">Next</a>{% endif %}
{% endblock %}
"#;
    write(
        &t.join("section.html"),
        &list
            .replace("{{ TITLE }}", "{{ section.title }}")
            .replace("{{ CONTENT }}", "{{ section.content | safe }}"),
    );
    write(
        &t.join("index.html"),
        &list
            .replace("{{ TITLE }}", "{{ section.title }}")
            .replace("{{ CONTENT }}", "{{ section.content | safe }}")
            .replace("paginator.pages", "section.pages")
            .replace("{% if paginator.previous %}<a href=\"{{ paginator.previous }}\">Previous</a>{% endif %}\n{% if paginator.next %}<a href=\"{{ paginator.next }}\">Next</a>{% endif %}\n", ""),
    );
    write(
        &t.join("taxonomy_list.html"),
        r#"{% extends "base.html" %}
{% block content %}<h1>{{ taxonomy.name }}</h1>
<ul>{% for t in terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a> ({{ t.page_count }})</li>{% endfor %}</ul>
{% endblock %}
"#,
    );
    write(
        &t.join("taxonomy_single.html"),
        &list
            .replace("{{ TITLE }}", "{{ term.name }}")
            .replace("{{ CONTENT }}", ""),
    );
}

fn hugo_templates(root: &Path) {
    let t = root.join("layouts/_default");
    write(
        &t.join("baseof.html"),
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ block "title" . }}{{ .Site.Title }}{{ end }}</title></head>
<body>
<nav><ul>{{ range .Site.Home.Sections }}<li><a href="{{ .Permalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"#,
    );
    write(
        &t.join("single.html"),
        r#"{{ define "title" }}{{ .Title }} – {{ .Site.Title }}{{ end }}
{{ define "main" }}<h1>{{ .Title }}</h1>
{{ if not .Date.IsZero }}<p>{{ .Date.Format "2 January 2006" }}</p>{{ end }}
{{ .Content }}
{{ with .Params.tags }}<ul>{{ range . }}<li><a href="{{ (printf "tags/%s" (urlize .)) | absURL }}">{{ . }}</a></li>{{ end }}</ul>{{ end }}
{{ end }}
"#,
    );
    write(
        &t.join("list.html"),
        r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Paginator.Pages }}<li><a href="{{ .Permalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>
{{ with .Paginator.Prev }}<a href="{{ .URL }}">Previous</a>{{ end }}
{{ with .Paginator.Next }}<a href="{{ .URL }}">Next</a>{{ end }}
{{ end }}
"#,
    );
    write(
        &t.join("terms.html"),
        r#"{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.Permalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
"#,
    );
    write(
        &root.join("layouts/index.html"),
        r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .Permalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul>
{{ end }}
"#,
    );
}
