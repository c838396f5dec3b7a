//! Content model version 2 (`shared/spec/content-model.md`): clauses
//! version 2 adds, on fixture sites written for them.

mod common;

use common::{minimal, TestSite};

// §2: when the strategy applies.

#[test]
fn a_plain_zola_site_with_a_measures_folder_builds_as_zola_would() {
    let mut files = minimal();
    files.push((
        "content/measures/_index.md",
        "+++\ntitle = \"Measures\"\n+++\nHow we measure things.\n",
    ));
    files.push((
        "content/measures/tape.md",
        "+++\ntitle = \"Tape measures\"\n[extra]\nauthor = \"Sam\"\n+++\nA page about tape measures.\n",
    ));
    files.push((
        "content/programmes/_index.md",
        "+++\ntitle = \"TV programmes\"\n+++\n",
    ));
    files.push((
        "content/programmes/news.md",
        "+++\ntitle = \"The news\"\n+++\nAt six.\n",
    ));
    let site = TestSite::from_files(&files);
    let report = site.build().expect("a plain Zola site builds");
    let errors: Vec<_> = report.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let said: Vec<&str> = report
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        !said
            .iter()
            .any(|m| m.contains("unit") || m.contains("direction") || m.contains("priorit")),
        "strategy checks ran on a plain site: {said:#?}"
    );
    // Ordinary pages, rendered by the ordinary templates.
    let page = site.read("measures/tape/index.html");
    assert!(page.contains("A page about tape measures."));
    assert!(
        !page.contains("tl-measure"),
        "no strategy template for a plain page"
    );
    assert!(site.public().join("programmes/news/index.html").is_file());
}

#[test]
fn a_strategy_key_in_a_default_folder_makes_it_a_strategy_site_without_config() {
    // No [extra.strategy]: a measure that says its unit is the strategy's.
    let mut files = minimal();
    files.push((
        "content/measures/_index.md",
        "+++\ntitle = \"Measures\"\n+++\n",
    ));
    files.push((
        "content/measures/waits.md",
        "+++\ntitle = \"Waits\"\n[extra]\nunit = \"weeks\"\n+++\n",
    ));
    let site = TestSite::from_files(&files);
    let failed = site
        .build()
        .expect_err("the measure has no direction or figures");
    assert!(
        failed
            .diagnostics
            .iter()
            .any(|d| d.is_error() && d.message.contains("direction")),
        "{:#?}",
        failed.diagnostics
    );
}

// §2: labels, grammatical in every sentence throughline writes.

const ODD_LABELS: &str = "base_url = \"https://strategy.example\"\ntitle = \"Fellside Partnership\"\n\n[extra.strategy]\npriorities = \"purposes\"\nannual_review = \"reports\"\n\n[extra.strategy.labels]\npriorities = \"Our purposes\"\nprogrammes = \"Programmes of work\"\nmeasures = \"Key figures\"\n";

/// Text of the whole site's HTML, tags removed.
fn all_text(site: &TestSite) -> String {
    site.outputs()
        .iter()
        .filter(|f| f.ends_with(".html"))
        .map(|f| common::text_of(&site.read(f)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn odd_labels_read_grammatically_in_pages() {
    let site = TestSite::fixture("strategy");
    site.write("config.toml", ODD_LABELS);
    site.build().expect("builds");
    let text = all_text(&site);
    for wrong in [
        "each programmes",
        "each Programmes",
        "a Our",
        "an Our",
        "our purpose with",
        "which programmes of work deliver which",
        "no programmes of work yet",
    ] {
        assert!(!text.contains(wrong), "the site says `{wrong}`");
    }
    let plan = common::text_of(&site.read("purposes/index.html"));
    assert!(
        plan.contains("what each programme of work delivers towards our purposes"),
        "{plan}"
    );
    let year = common::text_of(&site.read("reports/2023-24/index.html"));
    assert!(
        year.contains("Status of each programme of work in 2023/24"),
        "{year}"
    );
    assert!(year.contains("Each key figure in 2023/24"), "{year}");
}

#[test]
fn odd_labels_read_grammatically_in_errors() {
    let site = TestSite::fixture("strategy");
    site.write("config.toml", ODD_LABELS);
    site.write(
        "content/programmes/healthy-minds.md",
        "+++\ntitle = \"Healthy minds\"\n[extra]\npriorities = [\"zzz\", \"healthy-lifes\"]\n+++\n",
    );
    let failed = site.build().expect_err("unknown ids");
    let errors: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0].message, "there is no purpose with the id `zzz`");
    assert!(
        errors[0]
            .hint
            .as_deref()
            .unwrap()
            .starts_with("Our purposes are: `healthy-lives`"),
        "{:?}",
        errors[0].hint
    );
    assert_eq!(
        errors[1].message,
        "there is no purpose with the id `healthy-lifes`"
    );
    assert_eq!(
        errors[1].hint.as_deref(),
        Some("did you mean `healthy-lives`?")
    );
}

// §3 groups, §2 vision, §6 the plan on a page.

#[test]
fn the_plan_shows_the_vision_groups_codes_and_status() {
    let site = TestSite::fixture("plan");
    site.build().expect("builds");
    let html = site.read("priorities/index.html");
    assert!(html.contains(
        "<strong>Our vision:</strong> Everyone in Northdale lives a longer, healthier and happier life."
    ));
    // Priority groups head their columns, programme groups their rows.
    assert!(html.contains("<th scope=\"colgroup\" colspan=\"4\">Core purposes</th>"));
    assert!(html.contains("<th scope=\"colgroup\" colspan=\"5\">What connects us</th>"));
    assert_eq!(html.matches("<colgroup span=").count(), 3);
    for group in ["People", "Place", "Partnership"] {
        assert!(
            html.contains(&format!(
                "<th scope=\"rowgroup\" colspan=\"11\"><span class=\"tl-plan__group-name\">{group}</span></th>"
            )),
            "{group}"
        );
    }
    assert_eq!(html.matches("<tbody>").count(), 3);
    // Codes head the columns, with a key and the title for screen readers.
    assert!(html.contains("<dt>L5</dt><dd><a href=\"https://plan.example/priorities/tackling-the-climate-emergency/\">Tackling the climate emergency</a></dd>"));
    assert!(html.contains(">L5 Tackling the climate emergency</span>"));
    // Each row has its status; one has none yet.
    assert_eq!(html.matches("class=\"tl-plan__status\"").count(), 6);
    assert!(html.contains("<span class=\"tl-no-data\">No status</span>"));
    // 6 programmes × 9 priorities: 16 links, the rest empty cells.
    assert_eq!(html.matches("class=\"tl-plan__yes\"").count(), 16);
    assert_eq!(html.matches("<td></td>").count(), 54 - 16);
    // The table is a scroll region named by its caption.
    assert!(
        html.contains("role=\"region\" aria-labelledby=\"plan-on-a-page-caption\" tabindex=\"0\"")
    );
    assert!(html.contains("<caption id=\"plan-on-a-page-caption\""));
}

#[test]
fn a_plan_of_31_priorities_becomes_a_list_per_priority() {
    let site = TestSite::fixture("plan");
    for i in 0..22 {
        site.write(
            &format!("content/priorities/extra-{i:02}.md"),
            &format!(
                "+++\ntitle = \"Extra purpose {i}\"\nweight = {}\n[extra]\ncode = \"X{i}\"\n+++\n",
                100 + i
            ),
        );
    }
    site.write(
        "content/programmes/broad.md",
        &format!(
            "+++\ntitle = \"Broad work\"\n[extra]\npriorities = [{}]\nstatus = \"on-track\"\n+++\n",
            (0..22)
                .map(|i| format!("\"extra-{i:02}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    site.build().expect("builds");
    let html = site.read("priorities/index.html");
    assert!(
        !html.contains("tl-plan__table"),
        "no table beyond 30 priorities"
    );
    assert!(html.contains("as a list for each purpose (there are too many for one table)"));
    let lists = &html[html.find("tl-plan__lists").unwrap()..];
    assert_eq!(lists.matches("class=\"tl-plan__priority\"").count(), 31);
    // Each priority lists what delivers it, with its status.
    let climate = &lists[lists.find("Tackling the climate emergency").unwrap()..];
    let climate = &climate[..climate.find("</li>\n  <li>").unwrap_or(climate.len())];
    assert!(climate.contains("Healthy places") && climate.contains("Warm homes"));
    assert!(climate.contains("tl-status--off-track"));
}

// §3/§6: milestones, details, and programmes' measures both ways.

#[test]
fn milestones_details_and_measures_show_on_their_pages() {
    let site = TestSite::fixture("plan");
    site.write(
        "content/measures/_index.md",
        "+++\ntitle = \"Measures\"\n+++\n",
    );
    site.write(
        "content/measures/school-readiness.md",
        "+++\ntitle = \"School readiness\"\n[extra]\nunit = \"%\"\ndirection = \"up\"\nvalues = [{ period = \"2023/24\", value = 64.1 }]\npriorities = [\"longer-healthy-lives\"]\n[extra.details]\n\"Published by\" = \"Department for Education\"\n+++\n",
    );
    site.write(
        "content/programmes/starting-well.md",
        "+++\ntitle = \"Starting well\"\nweight = 1\n[extra]\ngroup = \"People\"\npriorities = [\"longer-healthy-lives\"]\nmeasures = [\"school-readiness\"]\nstatus = \"on-track\"\nmilestones = [\n  { title = \"Family hubs open in every town\", due = 2025-03-31, status = \"complete\" },\n  { title = \"Speech and language offer\", due = \"2026/27\" },\n]\n[extra.details]\n\"Senior responsible owner\" = \"Director of Public Health\"\n\"Board\" = \"Start for Life board\"\n+++\nBody.\n",
    );
    site.build().expect("builds");
    let prog = common::unescape(&site.read("programmes/starting-well/index.html"));
    let text = common::text_of(&prog);
    // Details, in the order written, in the summary list.
    let sro = text
        .find("Senior responsible owner Director of Public Health")
        .expect("details shown");
    let board = text
        .find("Board Start for Life board")
        .expect("details shown");
    assert!(sro < board, "in the order written");
    // Milestones with their due date or period and status.
    assert!(
        prog.contains("<th scope=\"row\">Family hubs open in every town</th><td class=\"tl-nowrap\"><time datetime=\"2025-03-31\">31 March 2025</time></td>")
    );
    assert!(prog.contains("<th scope=\"row\">Speech and language offer</th><td class=\"tl-nowrap\">2026/27</td><td><span class=\"tl-no-data\">Not given</span></td>"));
    assert!(prog.contains("tl-status--complete"));
    // The measure both ways.
    assert!(prog.contains("href=\"https://plan.example/measures/school-readiness/\""));
    let measure = common::unescape(&site.read("measures/school-readiness/index.html"));
    assert!(measure.contains("href=\"https://plan.example/programmes/starting-well/\""));
    assert!(common::text_of(&measure).contains("Published by Department for Education"));
}

#[test]
fn a_milestone_without_a_due_date_or_with_a_bad_status_is_located() {
    let site = TestSite::fixture("plan");
    site.write(
        "content/programmes/starting-well.md",
        "+++\ntitle = \"Starting well\"\n[extra]\npriorities = [\"longer-healthy-lives\"]\nmilestones = [\n  { title = \"Hubs\" },\n  { title = \"Offer\", due = \"2026/27\", status = \"amber\" },\n]\n+++\n",
    );
    let failed = site.build().expect_err("two mistakes");
    let errors: Vec<_> = failed.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0].message, "the milestone \"Hubs\" has no `due`");
    assert_eq!(errors[0].location.as_ref().unwrap().line, 6);
    assert_eq!(
        errors[1].message,
        "`amber` is not a status throughline knows"
    );
    assert_eq!(errors[1].location.as_ref().unwrap().line, 7);
    assert!(errors[1]
        .hint
        .as_deref()
        .unwrap()
        .starts_with("did you mean `at-risk`?"));
}

// §5: featured stories first.

#[test]
fn a_featured_story_comes_first_and_the_others_last() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/reports/2023-24/foreword.md",
        "+++\ntitle = \"A word from our chair\"\n[extra]\nfeatured = true\n+++\nThis year we **acted together**.\n",
    );
    site.write(
        "content/reports/2023-24/case-study.md",
        "+++\ntitle = \"A case study\"\n+++\nMaya's story.\n",
    );
    site.build().expect("builds");
    let html = site.read("reports/2023-24/index.html");
    let featured = html
        .find("<h2 id=\"featured-1\">A word from our chair</h2>")
        .expect("featured shown");
    let body = html
        .find("This year we <strong>acted together</strong>.")
        .expect("in full");
    let contents = html.find("id=\"year-contents\"").unwrap();
    let stories = html
        .find("id=\"year-stories\"")
        .expect("other stories at the end");
    assert!(featured < body && body < contents && contents < stories);
    // The featured story is not listed again at the end.
    assert!(!html[stories..].contains("A word from our chair"));
    assert!(html[stories..].contains("A case study"));
    // `featured` must be true or false.
    site.write(
        "content/reports/2023-24/foreword.md",
        "+++\ntitle = \"A word from our chair\"\n[extra]\nfeatured = \"yes\"\n+++\nText.\n",
    );
    let failed = site.build().expect_err("not a boolean");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        d.message,
        "`featured` should be true or false, not \"yes\" (text in quotes)"
    );
}

// §3/§5/§6: measures as public-health data arrives.

const POOLED: &str = "+++\ntitle = \"Healthy life expectancy\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\nvalues = [\n  { period = \"2018-20\", value = 58.9, reported = \"2022/23\" },\n  { period = \"2019-21\", value = 59.2, reported = \"2023/24\", provisional = true, note = \"Pooled over three years.\" },\n]\n+++\n";

#[test]
fn a_pooled_figure_is_the_value_of_the_year_it_was_reported_in() {
    let site = TestSite::fixture("strategy");
    site.write("content/measures/life-expectancy.md", POOLED);
    let report = site.build().expect("builds");
    let year = common::unescape(&site.read("reports/2023-24/index.html"));
    let text = common::text_of(&year);
    assert!(
        text.contains("In 2023/24: 59.2 years (the figure for 2019-21, provisional), up 0.3 years on 2018-20 (58.9 years)"),
        "{text}"
    );
    // Its note and provisional flag sit in the same row as the figure, and
    // the table says when each was published.
    let row = &year[year
        .find("<th scope=\"row\">2019-21</th>")
        .expect("a row for 2019-21")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("59.2") && row.contains("<td>2023/24</td>"),
        "{row}"
    );
    assert!(
        row.contains("Provisional. Pooled over three years."),
        "{row}"
    );
    // 2024/25 has no figure reported in it: the page says so, and the
    // build warns with the periods and the fix.
    let later = common::text_of(&site.read("reports/a-third-year/index.html"));
    assert!(later.contains("No data for 2024/25."), "{later}");
    let w = report
        .diagnostics
        .iter()
        .find(|d| {
            d.message
                .contains("`life-expectancy` has no figure for 2024/25")
        })
        .expect("the §5 warning");
    assert!(!w.is_error());
    let hint = w.hint.as_deref().unwrap();
    assert!(
        hint.contains("`2018-20`, `2019-21`") && hint.contains("reported = \"2024/25\""),
        "{hint}"
    );
}

#[test]
fn two_figures_reported_in_one_year_are_an_error() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/measures/life-expectancy.md",
        &POOLED.replace("reported = \"2022/23\"", "reported = \"2023/24\""),
    );
    let failed = site.build().expect_err("ambiguous");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        d.message,
        "the figures for \"2018-20\" and \"2019-21\" are both reported in \"2023/24\": a year can show only one"
    );
}

#[test]
fn context_figures_illustrative_figures_and_percentage_points() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/measures/beds.md",
        "+++\ntitle = \"Population\"\nweight = 3\n[extra]\nunit = \"people\"\ndirection = \"none\"\nvalues = [\n  { period = \"2022/23\", value = 640000 },\n  { period = \"2023/24\", value = 647000 },\n]\n+++\n",
    );
    site.write(
        "content/measures/life-expectancy.md",
        "+++\ntitle = \"Smoking prevalence\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"%\"\ndirection = \"down\"\nillustrative = true\nvalues = [\n  { period = \"2022/23\", value = 12.4 },\n  { period = \"2023/24\", value = 11.5 },\n]\n+++\n",
    );
    site.build().expect("builds");
    let year = common::text_of(&common::unescape(&site.read("reports/2023-24/index.html")));
    // A context figure has no better or worse.
    assert!(year.contains("up 7,000 people on 2022/23 (640,000 people): a context figure, with no better or worse"), "{year}");
    // A share changes in percentage points.
    assert!(
        year.contains("down 0.9 percentage points on 2022/23"),
        "{year}"
    );
    assert!(!year.contains("0.9%"), "{year}");
    // Illustrative figures say so in the summary and the table.
    assert!(year.contains("These figures are illustrative, not real data."));
    assert!(year.contains("(illustrative figures, not real data)"));
    let page = common::text_of(&site.read("measures/life-expectancy/index.html"));
    assert!(page.contains("Illustrative figures: these are not real data."));
    assert!(
        page.contains("fell from 12.4% in 2022/23 to 11.5% in 2023/24, down 0.9 percentage points"),
        "{page}"
    );
    let pop = common::text_of(&site.read("measures/beds/index.html"));
    assert!(pop.contains("Neither: a context figure"));
    assert!(!pop.contains("better"), "{pop}");
}

#[test]
fn a_csv_can_say_when_a_figure_was_reported_and_note_it() {
    let site = TestSite::fixture("strategy");
    site.write(
        "data/waiting.csv",
        "period,value,reported,provisional,note\n2022/23,12480,,,\n2023/24,,,,\n2024/25,10250,,yes,Revised in June.\n",
    );
    site.build().expect("builds");
    let page = common::unescape(&site.read("measures/waiting/index.html"));
    let row = &page[page.find("<th scope=\"row\">2024/25</th>").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains("10,250") && row.contains("Provisional. Revised in June."),
        "{row}"
    );
    site.write(
        "data/waiting.csv",
        "period,value,provisional\n2022/23,12480,maybe\n",
    );
    let failed = site.build().expect_err("not yes or no");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        d.message,
        "`maybe` in the provisional column is not yes or no"
    );
    assert_eq!(d.location.as_ref().unwrap().line, 2);
}

#[test]
fn each_measure_offers_its_figures_as_csv() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/measures/life-expectancy.md",
        &POOLED.replace("Pooled over three years.", "Pooled, over three years."),
    );
    site.build().expect("builds");
    assert_eq!(
        site.read("measures/life-expectancy/life-expectancy.csv"),
        "period,value,reported,provisional,note\n2018-20,58.9,2022/23,,\n2019-21,59.2,2023/24,true,\"Pooled, over three years.\"\n"
    );
    assert_eq!(
        site.read("measures/waiting/waiting.csv"),
        "period,value\n2022/23,12480\n2023/24,\n2024/25,10250\n"
    );
    let page = site.read("measures/waiting/index.html");
    assert!(page.contains("<a href=\"https://strategy.example/measures/waiting/waiting.csv\" download>Download these figures (CSV)</a>"));
    // A file of that name in the measure's own bundle is an error naming both.
    site.write(
        "content/measures/beds/index.md",
        &std::fs::read_to_string(site.root().join("content/measures/beds.md")).unwrap(),
    );
    std::fs::remove_file(site.root().join("content/measures/beds.md")).unwrap();
    site.write("content/measures/beds/beds.csv", "period,value\n");
    let failed = site.build().expect_err("a clash");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert!(d.message.contains("has a file `beds.csv`"), "{}", d.message);
    assert!(d.hint.as_deref().unwrap().contains("beds/beds.csv"));
}

// §5: the yearly job, with `new update` and `new story`.

// §3/§6: several series per measure.

const TWO_SERIES: &str = "+++\ntitle = \"Healthy life expectancy\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\ntarget = { period = \"2034/35\", value = 65 }\nseries = [\n  { name = \"Men\", values = [\n    { period = \"2018-20\", value = 58.9, reported = \"2022/23\" },\n    { period = \"2019-21\", value = 59.2, reported = \"2023/24\" },\n  ] },\n  { name = \"Women\", values = [\n    { period = \"2017-19\", value = 59.8, reported = \"2021/22\" },\n    { period = \"2018-20\", value = 60.1, reported = \"2022/23\" },\n    { period = \"2019-21\", value = 60.0, reported = \"2023/24\", note = \"Small sample.\" },\n  ] },\n]\n+++\n";

/// The cells of the row headed `period` in the first table of `html` that
/// has one.
fn row_of(html: &str, period: &str) -> String {
    let at = html
        .find(&format!("<th scope=\"row\">{period}</th>"))
        .unwrap_or_else(|| panic!("a row for {period}"));
    let row = &html[at..];
    row[..row.find("</tr>").unwrap()].to_string()
}

#[test]
fn two_series_get_a_column_each_a_line_each_and_a_key() {
    let site = TestSite::fixture("strategy");
    site.write("content/measures/life-expectancy.md", TWO_SERIES);
    site.build().expect("builds");
    let page = common::unescape(&site.read("measures/life-expectancy/index.html"));
    // The table: a column per series; a period only one series has is
    // "no data" in the other's column; the note in the row of its figure.
    assert!(page.contains("<th scope=\"col\" class=\"tl-num\">Men (years)</th><th scope=\"col\" class=\"tl-num\">Women (years)</th>"), "{page}");
    let first = row_of(&page, "2017-19");
    assert!(
        first.contains("no data") && first.contains("59.8"),
        "{first}"
    );
    let last = row_of(&page, "2019-21");
    assert!(last.contains("59.2") && last.contains("60.0"), "{last}");
    assert!(last.contains("Women: Small sample."), "{last}");
    // The target is every series' target: under each column.
    let target = row_of(&page, "2034/35 (target)");
    assert_eq!(target.matches(">65.0</td>").count(), 2, "{target}");
    // Periods in order: the Women's earlier period comes first.
    assert!(page.find(">2017-19</th>").unwrap() < page.find(">2018-20</th>").unwrap());
    // The chart: two lines that differ in more than colour, a key and
    // direct labels naming each.
    let svg = &page[page.find("<svg class=\"tl-chart__svg\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    let lines: Vec<&str> = svg
        .match_indices("<path d=\"M")
        .map(|(i, _)| &svg[i..i + svg[i..].find("/>").unwrap()])
        .filter(|p| p.contains("fill=\"none\" stroke=\"currentColor\" stroke-width=\"3\""))
        .collect();
    assert_eq!(lines.len(), 2, "{svg}");
    assert!(
        !lines[0].contains("stroke-dasharray") && lines[1].contains("stroke-dasharray"),
        "{lines:?}"
    );
    assert!(
        svg.contains("<rect "),
        "the second series has square markers: {svg}"
    );
    let key = &svg[svg.find("tl-chart__key").expect("a key")..];
    assert!(key.contains(">Men</text>") && key.contains(">Women</text>"));
    let labels = &svg[svg.find("tl-chart__labels").expect("direct labels")..];
    assert!(labels.contains(">Men</text>") && labels.contains(">Women</text>"));
    // The sentence the chart stands for names both series and the gap.
    let text = common::text_of(&page);
    assert!(text.contains("Healthy life expectancy: Men rose from 58.9 years in 2018-20 to 59.2 years in 2019-21; Women rose from 59.8 years in 2017-19 to 60.0 years in 2019-21; the target is 65.0 years by 2034/35. Higher is better. No data for Men in 2017-19."), "{text}");
    assert!(
        text.contains("Latest, Men (2019-21)") && text.contains("Latest, Women (2019-21)"),
        "{text}"
    );
    // The CSV: a column per series, then reported and note.
    assert_eq!(
        site.read("measures/life-expectancy/life-expectancy.csv"),
        "period,Men,Women,reported,note\n2017-19,,59.8,Women: 2021/22,\n2018-20,58.9,60.1,2022/23,\n2019-21,59.2,60.0,2023/24,Women: Small sample.\n"
    );
    // The year page: each series' value for the year, against its own
    // previous value, a table row each.
    let year = common::unescape(&site.read("reports/2023-24/index.html"));
    let text = common::text_of(&year);
    assert!(
        text.contains(
            "Men: 59.2 years (the figure for 2019-21), up 0.3 years on 2018-20 (58.9 years): moving the right way."
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "Women: 60.0 years (the figure for 2019-21), down 0.1 years on 2018-20 (60.1 years): moving the wrong way."
        ),
        "{text}"
    );
    assert!(
        year.contains("Healthy life expectancy</a>: Men</th>")
            && year.contains("Healthy life expectancy</a>: Women</th>"),
        "{year}"
    );
}

#[test]
fn a_wide_csv_is_one_series_per_column() {
    let site = TestSite::fixture("strategy");
    site.write(
        "data/hle.csv",
        "period,Bradford,Craven,reported,provisional\n2018-20,58.9,63.0,2022/23,\n2019-21,59.2,,2023/24,yes\n",
    );
    site.write(
        "content/measures/life-expectancy.md",
        "+++\ntitle = \"Healthy life expectancy\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\ndata = \"data/hle.csv\"\n+++\n",
    );
    let report = site.build().expect("builds");
    assert_eq!(
        site.read("measures/life-expectancy/life-expectancy.csv"),
        "period,Bradford,Craven,reported,provisional\n2018-20,58.9,63.0,2022/23,\n2019-21,59.2,,2023/24,true\n"
    );
    let page = common::unescape(&site.read("measures/life-expectancy/index.html"));
    let row = row_of(&page, "2019-21");
    assert!(
        row.contains("59.2") && row.contains("no data") && row.contains("Provisional."),
        "{row}"
    );
    // Craven has a figure for no year after 2022/23: the §5 warning names
    // the series.
    let w = report
        .diagnostics
        .iter()
        .find(|d| {
            d.message
                .contains("`life-expectancy` has no figure for 2024/25")
        })
        .expect("the §5 warning");
    assert!(
        w.message
            .contains("in the series \"Bradford\" and \"Craven\""),
        "{}",
        w.message
    );
    assert!(
        !report
            .diagnostics
            .iter()
            .any(|d| d.message.contains("no figure for 2023/24")),
        "Craven's empty cell in 2023/24 records a gap, it is not missing: {:#?}",
        report.diagnostics
    );
    // A series can take its column of a wide file by name.
    site.write(
        "content/measures/life-expectancy.md",
        "+++\ntitle = \"Healthy life expectancy\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\nseries = [{ name = \"Craven\", data = \"data/hle.csv\" }, { name = \"England\", values = [{ period = \"2018-20\", value = 63.1 }] }]\n+++\n",
    );
    site.build().expect("builds");
    assert_eq!(
        site.read("measures/life-expectancy/life-expectancy.csv"),
        "period,Craven,England,reported,provisional\n2018-20,63.0,63.1,Craven: 2022/23,\n2019-21,,,Craven: 2023/24,true\n"
    );
}

#[test]
fn mistakes_in_series_are_located_and_explained() {
    let site = TestSite::fixture("strategy");
    let cases: [(&str, &str, &str); 6] = [
        (
            "series = [{ name = \"Men\", values = [{ period = \"2022/23\", value = 1 }] }, { name = \"Men\", values = [] }]",
            "two series are named \"Men\"",
            "extra.series[1].name",
        ),
        (
            "series = [{ values = [{ period = \"2022/23\", value = 1 }] }]",
            "this series has no `name`",
            "extra.series[0]",
        ),
        (
            "series = [{ name = \"Men\", vaules = [] }]",
            "a series has no key `vaules`",
            "extra.series[0].vaules",
        ),
        (
            "series = [{ name = \"Men\", values = [{ period = \"2022/23\", value = \"n/a\" }] }]",
            "this value is not a number: \"n/a\" (text in quotes)",
            "extra.series[0].values[0].value",
        ),
        (
            "values = []\nseries = []",
            "this measure has both `values` and `series`",
            "extra.series",
        ),
        (
            "series = [{ name = \"Men\", data = \"data/waiting.csv\", values = [] }]",
            "this series has both `values` and `data`",
            "extra.series[0].data",
        ),
    ];
    for (keys, message, key) in cases {
        let text = format!("+++\ntitle = \"Healthy life expectancy\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\n{keys}\n+++\n");
        site.write("content/measures/life-expectancy.md", &text);
        let failed = site.build().expect_err(message);
        let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
        assert_eq!(d.message, message);
        // Located at the key: its line in the file.
        let loc = d.location.as_ref().expect("located");
        let wanted = key.rsplit('.').next().unwrap().split('[').next().unwrap();
        let line = text.lines().nth(loc.line - 1).unwrap();
        assert!(
            line.contains(wanted) || wanted == "extra",
            "{message}: line {} is {line:?}, wanted {key}",
            loc.line
        );
    }
    // A column a wide CSV reads as a series but was meant as a note.
    site.write(
        "data/hle.csv",
        "period,Men,Women,notes\n2022/23,1,2,Small sample\n",
    );
    site.write(
        "content/measures/life-expectancy.md",
        "+++\ntitle = \"Healthy life expectancy\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\ndata = \"data/hle.csv\"\n+++\n",
    );
    let failed = site.build().expect_err("not a number");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.message, "`Small sample` is not a number");
    assert_eq!(d.location.as_ref().unwrap().line, 2);
    assert!(
        d.hint.as_deref().unwrap().contains("head it `note`"),
        "{:?}",
        d.hint
    );
}

fn throughline(root: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_throughline"))
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn new_update_and_new_story_write_into_the_latest_year() {
    let site = TestSite::fixture("strategy");
    std::fs::remove_file(
        site.root()
            .join("content/reports/a-third-year/healthy-minds.md"),
    )
    .unwrap();
    let (ok, said) = throughline(site.root(), &["new", "update", "healthy-minds"]);
    assert!(ok, "{said}");
    assert!(
        said.contains("Wrote content/reports/a-third-year/healthy-minds.md"),
        "{said}"
    );
    assert!(said.contains("Its id is `healthy-minds`"), "{said}");
    let text = std::fs::read_to_string(
        site.root()
            .join("content/reports/a-third-year/healthy-minds.md"),
    )
    .unwrap();
    assert!(
        text.contains("title = \"Healthy minds in 2024/25\""),
        "{text}"
    );
    assert!(text.contains("programme = \"healthy-minds\""), "{text}");
    // The status is asked for, not guessed: check fails until it is given.
    let (ok, said) = throughline(site.root(), &["check"]);
    assert!(!ok);
    assert!(
        said.contains("`status` still has the placeholder `throughline new` wrote: fill it in"),
        "{said}"
    );
    // Its status, and (as `check` also asks) its text.
    let filled = common::filled(&text.replace(
        "status = \"FILL IN: its status this year\"",
        "status = \"at-risk\"",
    ));
    std::fs::write(
        site.root()
            .join("content/reports/a-third-year/healthy-minds.md"),
        filled,
    )
    .unwrap();
    let (ok, said) = throughline(site.root(), &["check"]);
    assert!(ok, "{said}");
    // A story, with the id it was given and how to choose another.
    let (ok, said) = throughline(site.root(), &["new", "story", "Maya's new start"]);
    assert!(ok, "{said}");
    assert!(said.contains("Its id is `maya-s-new-start`"), "{said}");
    assert!(said.contains("--slug"), "{said}");
    assert!(site
        .root()
        .join("content/reports/a-third-year/maya-s-new-start.md")
        .is_file());
    // A programme that does not exist: the closest one.
    let (ok, said) = throughline(site.root(), &["new", "update", "healthy-mind"]);
    assert!(!ok);
    assert!(said.contains("did you mean `healthy-minds`?"), "{said}");
}

// Found by a new user's trial (issue 20): what the public would have read
// wrong while every check passed.

#[test]
fn a_figure_reported_in_a_year_that_has_its_own_figure_is_an_error() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/measures/life-expectancy.md",
        "+++\ntitle = \"Population\"\nweight = 1\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"people\"\ndirection = \"none\"\nvalues = [\n  { period = \"2022/23\", value = 962500, reported = \"2023/24\" },\n  { period = \"2023/24\", value = 969800 },\n]\n+++\n",
    );
    let failed = site.build().expect_err("two figures for 2023/24");
    let d = failed.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        d.message,
        "the figures for \"2022/23\" and \"2023/24\" are both reported in \"2023/24\": a year can show only one"
    );
    assert!(common::hint(d).contains("without `reported` counts as reported in its own period"));
}

#[test]
fn empty_codes_and_groups_are_no_code_and_no_group() {
    let site = TestSite::fixture("plan");
    let path = site.root().join("content/priorities");
    let first = common::list(&path)
        .into_iter()
        .find(|f| f.ends_with(".md") && !f.ends_with("_index.md"))
        .unwrap();
    let text = std::fs::read_to_string(path.join(&first)).unwrap();
    let text = regex_lite_replace(&text, "code = ", "code = \"\"\n# was: ");
    site.write(&format!("content/priorities/{first}"), &text);
    site.build().expect("builds");
    let plan = common::unescape(&site.read("priorities/index.html"));
    // Not every priority has a code now: titles head the columns, and no
    // column is headed by an empty link.
    assert!(
        !plan.contains("<span class=\"tl-code\"></span>"),
        "an empty code was shown"
    );
    assert!(
        !plan.contains("tl-plan__key"),
        "no key of codes when one is missing"
    );
}

/// `text` with the first line starting `key` changed to start `with`.
fn regex_lite_replace(text: &str, key: &str, with: &str) -> String {
    let mut done = false;
    text.lines()
        .map(|l| {
            if !done && l.starts_with(key) {
                done = true;
                format!("{with}{}", &l[key.len()..])
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn a_kind_with_groups_is_listed_under_them_on_its_section_page() {
    let site = TestSite::fixture("plan");
    site.build().expect("builds");
    let html = common::unescape(&site.read("programmes/index.html"));
    let headings: Vec<&str> = html
        .match_indices("<h2 class=\"tl-group-heading\">")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('<').unwrap()]
        })
        .collect();
    assert!(headings.len() >= 2, "group headings: {headings:?}");
    // Each group's programmes follow its heading, with their status.
    let first = html.find("<h2 class=\"tl-group-heading\">").unwrap();
    assert!(
        html[first..].contains("class=\"tl-status"),
        "statuses listed"
    );
}

#[test]
fn a_new_pages_unwritten_text_fails_check_and_its_code_is_optional() {
    let site = TestSite::fixture("strategy");
    let (ok, said) = throughline(site.root(), &["new", "priority", "Fair chances"]);
    assert!(ok, "{said}");
    let file = site.root().join("content/purposes/fair-chances.md");
    let text = std::fs::read_to_string(&file).unwrap();
    // No empty code left to become an empty column heading: it is a
    // comment until the writer wants one.
    assert!(text.contains("# code = \"P1\""), "{text}");
    assert!(!text.contains("code = \"\""), "{text}");
    let (ok, said) = throughline(site.root(), &["check"]);
    assert!(!ok, "the unwritten text must stop publishing: {said}");
    assert!(said.contains("fair-chances.md"), "{said}");
}
