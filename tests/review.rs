//! The annual review (content model §5, §6): year pages generated from the
//! data, programme status history, measure charts and tables, the feed, on
//! the fixture `tests/fixtures/strategy` (three years under `reports/`,
//! the folder its config names), and on the same site cut to two years.

mod common;

use common::{section_at, table_rows, text_of, unescape, TestSite};

const BASE: &str = "https://strategy.example";

fn built() -> TestSite {
    let site = TestSite::fixture("strategy");
    site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    site
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r.first().map(String::as_str) == Some(first))
        .unwrap_or_else(|| panic!("no row {first} in {rows:#?}"))
}

#[test]
fn each_year_lists_every_programme_with_this_and_last_years_status() {
    let site = built();
    let html = site.read("reports/2023-24/index.html");
    let rows = table_rows(&html, "tl-year__programmes");
    assert_eq!(rows[0], ["Programme", "2023/24", "2022/23", "Update"]);
    assert_eq!(
        row(&rows, "Data for all"),
        [
            "Data for all",
            "At risk",
            "On track",
            "Data for all in 2023/24"
        ]
    );
    // No update this year: shown as such, not dropped.
    assert_eq!(
        row(&rows, "Healthy minds"),
        [
            "Healthy minds",
            "No update",
            "Not started",
            "No update this year"
        ]
    );
    assert_eq!(
        row(&rows, "Quiet work"),
        [
            "Quiet work",
            "On track",
            "No update",
            "Quiet work in 2023/24"
        ]
    );
    assert_eq!(rows.len(), 4, "a header and one row per programme");
    // Colour and shape come with the word, never instead of it.
    assert!(html.contains(
        "<strong class=\"tl-status tl-status--at-risk\"><span class=\"tl-status__shape\" aria-hidden=\"true\"></span>At risk</strong>"
    ));
    // Links to the programme and to this year's update.
    let u = unescape(&html);
    assert!(u.contains(&format!(
        "<th scope=\"row\"><a href=\"{BASE}/programmes/data-for-all/\">Data for all</a></th>"
    )));
    assert!(u.contains(&format!(
        "<a href=\"{BASE}/reports/2023-24/data-for-all/\">Data for all in 2023/24</a>"
    )));
    // The first year has no year before it, so no such column.
    let first = table_rows(
        &site.read("reports/2022-23/index.html"),
        "tl-year__programmes",
    );
    assert_eq!(first[0], ["Programme", "2022/23", "Update"]);
}

#[test]
fn years_are_ordered_by_publication_date_and_link_to_each_other() {
    let site = built();
    // `a-third-year` sorts first by name but was published last.
    let middle = unescape(&site.read("reports/2023-24/index.html"));
    let nav = section_at(&middle, "aria-label=\"Other years\"");
    assert!(nav.contains(&format!(
        "<a rel=\"prev\" href=\"{BASE}/reports/2022-23/\"><span class=\"prev-next__label\">Previous year</span> Review 2022/23</a>"
    )));
    assert!(nav.contains(&format!(
        "<a rel=\"next\" href=\"{BASE}/reports/a-third-year/\"><span class=\"prev-next__label\">Next year</span> Review 2024/25</a>"
    )));
    let last = unescape(&site.read("reports/a-third-year/index.html"));
    assert!(last.contains("rel=\"prev\" href=\"https://strategy.example/reports/2023-24/\""));
    assert!(!last.contains("rel=\"next\""));
    // The period comes from `[extra] period`, not the folder name.
    let rows = table_rows(&last, "tl-year__programmes");
    assert_eq!(rows[0], ["Programme", "2024/25", "2023/24", "Update"]);
    assert!(last.contains("<time datetime=\"2025-06-20\">20 June 2025</time>"));
    // The review's own page lists the years newest first, with how many
    // programmes had each status.
    let review = text_of(&site.read("reports/index.html"));
    let (a, b, c) = (
        review.find("Review 2024/25").unwrap(),
        review.find("Review 2023/24").unwrap(),
        review.find("Review 2022/23").unwrap(),
    );
    assert!(a < b && b < c, "{review}");
    assert!(
        review.contains("Programmes by status: 1 On track 1 Off track 1 Complete"),
        "{review}"
    );
}

#[test]
fn each_year_shows_every_measure_against_the_period_before_and_the_target() {
    let site = built();
    let html = site.read("reports/a-third-year/index.html");
    let rows = table_rows(&html, "tl-year__measures");
    assert_eq!(
        rows[0],
        ["Measure", "2024/25", "Period before", "Change", "Target"]
    );
    // Up is better for life expectancy; down is better for beds.
    assert_eq!(
        row(&rows, "Healthy life expectancy"),
        [
            "Healthy life expectancy",
            "59.8 years",
            "59.6 years (2023/24)",
            "Up 0.2 years: moving the right way",
            "65.0 years by 2034/35"
        ]
    );
    assert_eq!(
        row(&rows, "Beds occupied by people well enough to leave"),
        [
            "Beds occupied by people well enough to leave",
            "109 beds",
            "104 beds (2023/24)",
            "Up 5 beds: moving the wrong way",
            "80 beds by 2025/26"
        ]
    );
    // The period before had no data: no change can be worked out, and no
    // zero is invented.
    assert_eq!(
        row(&rows, "People waiting"),
        [
            "People waiting",
            "10,250 people",
            "no data (2023/24)",
            "not known",
            "none set"
        ]
    );
    let middle = table_rows(
        &site.read("reports/2023-24/index.html"),
        "tl-year__measures",
    );
    assert_eq!(
        row(&middle, "Beds occupied by people well enough to leave")[3],
        "Down 14 beds: moving the right way"
    );
    assert_eq!(
        row(&middle, "People waiting")[1..3],
        ["no data", "12,480 people (2022/23)"]
    );
}

#[test]
fn each_measure_is_a_chart_with_a_text_alternative_then_a_table() {
    let site = built();
    let html = site.read("reports/2023-24/index.html");
    let part = section_at(&html, "id=\"chart-life-expectancy-heading\"");
    // The chart: an image with a name, described by a visible summary.
    let svg_start = part.find("<svg").expect("an inline SVG");
    let svg = &part[svg_start..part.find("</svg>").unwrap()];
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("aria-labelledby=\"chart-life-expectancy-title\""));
    assert!(svg.contains("aria-describedby=\"chart-life-expectancy-summary\""));
    assert!(
        svg.contains("<title id=\"chart-life-expectancy-title\">Healthy life expectancy</title>")
    );
    // Up to this year only, with the gap shown and the line broken there.
    assert!(svg.contains(">2023/24</text>"));
    assert!(!svg.contains(">2024/25</text>"));
    assert!(svg.contains(">no data</text>"));
    let d = &svg[svg.find(" d=\"").unwrap() + 4..];
    let d = &d[..d.find('"').unwrap()];
    assert_eq!(
        d.matches('M').count(),
        2,
        "the line restarts after the gap: {d}"
    );
    assert!(svg.contains("Target 65.0 years by 2034/35"));
    let at = part.find("id=\"chart-life-expectancy-summary\">").unwrap();
    let summary = text_of(&part[at + part[at..].find('>').unwrap() + 1..]);
    assert!(
        summary.starts_with(
            "Healthy life expectancy rose from 58.9 years in 2021/22 to 59.6 years in 2023/24; the target is 65.0 years by 2034/35. Higher is better. No data for 2022/23."
        ),
        "{summary}"
    );
    // The same numbers as a table, after the chart.
    let table_at = part.find("<table").unwrap();
    assert!(table_at > svg_start);
    let rows = table_rows(part, "<table");
    assert_eq!(
        rows,
        [
            vec!["Period", "Value (years)"],
            vec!["2021/22", "58.9"],
            vec!["2022/23", "no data"],
            vec!["2023/24", "59.6"],
            vec!["2034/35 (target)", "65.0"],
        ]
    );
    // Source and last update under the table.
    let after = text_of(&part[table_at..]);
    assert!(after.contains("Source: Illustrative figures. Last updated 30 May 2025."));
}

#[test]
fn each_year_links_its_stories_and_commitment_updates() {
    let site = built();
    let html = unescape(&site.read("reports/2023-24/index.html"));
    let stories = section_at(&html, "id=\"year-stories\"");
    assert!(stories.contains(&format!(
        "<a href=\"{BASE}/reports/2023-24/mrs-k/\">Mrs K's story</a>"
    )));
    assert!(stories.contains("How joined-up records saved a journey."));
    // Updates are not stories.
    assert!(!stories.contains("Data for all in 2023/24"));
    let commitments = text_of(section_at(&html, "id=\"year-commitments\""));
    assert!(
        commitments.contains("Share data safely: Sharing data: a year on"),
        "{commitments}"
    );
    let first = site.read("reports/2022-23/index.html");
    assert!(text_of(section_at(&first, "id=\"year-stories\"")).contains("Foreword from the chair"));
}

#[test]
fn a_programme_shows_its_status_history_newest_first() {
    let site = built();
    let html = site.read("programmes/data-for-all/index.html");
    let rows = table_rows(&html, "id=\"history-heading\"");
    assert_eq!(
        rows,
        [
            vec!["Year", "Status", "Update"],
            vec!["2024/25", "Off track", "Data for all in 2024/25"],
            vec!["2023/24", "At risk", "Data for all in 2023/24"],
            vec!["2022/23", "On track", "Data for all in 2022/23"],
        ]
    );
    let u = unescape(&html);
    assert!(u.contains(&format!(
        "<a href=\"{BASE}/reports/a-third-year/data-for-all/\">Data for all in 2024/25</a>"
    )));
    // Its page sets `status`, which wins over the latest update's.
    let text = text_of(&html);
    assert!(text.contains("Status At risk"), "{text}");
    assert!(!text.contains("reported in"));
    // A year without an update, after the first, is shown as such.
    let minds = table_rows(
        &site.read("programmes/healthy-minds/index.html"),
        "id=\"history-heading\"",
    );
    assert_eq!(minds[2], ["2023/24", "No update", "No update this year"]);
}

#[test]
fn a_programme_without_a_status_has_its_latest_updates() {
    let site = built();
    let html = site.read("programmes/quiet-work/index.html");
    let text = text_of(&html);
    assert!(
        text.contains("Status Complete (as reported in Review 2024/25)"),
        "{text}"
    );
}

#[test]
fn an_update_page_says_what_it_reports_on_and_the_year_before() {
    let site = built();
    let html = site.read("reports/2023-24/data-for-all/index.html");
    let text = text_of(&html);
    assert!(text.contains("Programme Data for all"), "{text}");
    assert!(text.contains("Status in 2023/24 At risk"));
    assert!(text.contains("Status in 2022/23 On track (Data for all in 2022/23)"));
    assert!(text.contains("Reported in Review 2023/24"));
    // A commitment update may have no status.
    let sharing = text_of(&site.read("reports/2023-24/sharing/index.html"));
    assert!(
        sharing.contains("Commitment Share data safely"),
        "{sharing}"
    );
    assert!(sharing.contains("Status in 2023/24 Not given"));
}

#[test]
fn a_measure_page_shows_its_whole_series_as_a_chart() {
    let site = built();
    let html = unescape(&site.read("measures/life-expectancy/index.html"));
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains(">2024/25</text>"));
    assert!(svg.contains(">59.8</text>"));
    assert!(html.contains("id=\"chart-life-expectancy-summary\">Healthy life expectancy rose from 58.9 years in 2021/22 to 59.8 years in 2024/25;"));
}

#[test]
fn the_review_has_an_atom_feed_of_updates() {
    let site = built();
    let feed = unescape(&site.read("reports/atom.xml"));
    assert!(feed.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let ids: Vec<&str> = feed
        .split("<entry>")
        .skip(1)
        .map(|e| {
            let s = e.find("<id>").unwrap() + 4;
            &e[s..s + e[s..].find("</id>").unwrap()]
        })
        .collect();
    // Updates only (no stories), newest first: a page's own date, then its
    // year's publication date.
    assert_eq!(ids.len(), 8, "{feed}");
    assert_eq!(ids[0], format!("{BASE}/reports/a-third-year/quiet-work/"));
    assert!(ids[1].starts_with(&format!("{BASE}/reports/a-third-year/")));
    assert!(ids[7].starts_with(&format!("{BASE}/reports/2022-23/")));
    assert!(!feed.contains("mrs-k"));
    assert!(feed.contains("<updated>2025-07-01T00:00:00+00:00</updated>"));
    assert!(
        feed.contains("<summary type=\"text\">Programme: Quiet work. 2024/25: Complete.</summary>")
    );
    // The year pages point at it.
    assert!(unescape(&site.read("reports/2023-24/index.html")).contains(&format!(
        "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Annual review: updates\" href=\"{BASE}/reports/atom.xml\">"
    )));
    // Not in the sitemap: it is not a page.
    assert!(!site.read("sitemap.xml").contains("atom.xml"));
}

/// The review's feed is bounded (issue 23): `feed_limit`, else the newest
/// hundred updates; the ones kept are the newest.
#[test]
fn the_review_feed_keeps_the_newest_updates_up_to_feed_limit() {
    let site = TestSite::fixture("strategy");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write("config.toml", &format!("feed_limit = 3\n{config}"));
    site.build().expect("builds");
    let feed = unescape(&site.read("reports/atom.xml"));
    assert_eq!(feed.matches("<entry>").count(), 3, "{feed}");
    assert!(feed.contains(&format!("<id>{BASE}/reports/a-third-year/quiet-work/</id>")));
    assert!(
        !feed.contains("/reports/2022-23/"),
        "the oldest are left out"
    );
}

#[test]
fn with_two_years_the_last_has_no_next_and_the_feed_is_shorter() {
    let site = TestSite::fixture("strategy");
    std::fs::remove_dir_all(site.root().join("content/reports/a-third-year")).unwrap();
    site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    let last = site.read("reports/2023-24/index.html");
    assert!(!last.contains("rel=\"next\""));
    assert_eq!(site.read("reports/atom.xml").matches("<entry>").count(), 5);
    // The status now comes from the 2023/24 update.
    let quiet = text_of(&site.read("programmes/quiet-work/index.html"));
    assert!(
        quiet.contains("Status On track (as reported in Review 2023/24)"),
        "{quiet}"
    );
    let rows = table_rows(
        &site.read("programmes/data-for-all/index.html"),
        "id=\"history-heading\"",
    );
    assert_eq!(rows.len(), 3);
}

#[test]
fn a_plain_zola_theme_still_shows_the_review() {
    // section.html and page.html print their content and nothing else: the
    // year's tables and the update's summary follow that content.
    let site = TestSite::fixture("strategy");
    site.write(
        "config.toml",
        "base_url = \"https://strategy.example\"\ntheme = \"plain\"\n\
         [extra.strategy]\npriorities = \"purposes\"\nannual_review = \"reports\"\n",
    );
    // The fixture's own commitment template would win over the fallback.
    std::fs::remove_file(site.root().join("templates/strategy/commitment.html")).unwrap();
    site.write("themes/plain/templates/index.html", "<main>home</main>");
    site.write(
        "themes/plain/templates/section.html",
        "<main>{{ section.content | safe }}</main>",
    );
    site.write(
        "themes/plain/templates/page.html",
        "<main>{{ page.content | safe }}</main>",
    );
    site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    let year = site.read("reports/2023-24/index.html");
    assert!(year.starts_with("<main><p>The second year.</p>"), "{year}");
    let rows = table_rows(&year, "tl-year__programmes");
    assert_eq!(row(&rows, "Data for all")[1..3], ["At risk", "On track"]);
    // A derived status shows wherever the programme is linked.
    let commitment = text_of(&site.read("commitments/grow-skills/index.html"));
    assert!(commitment.contains("Quiet work Complete"), "{commitment}");
    let update = text_of(&site.read("reports/2023-24/data-for-all/index.html"));
    assert!(
        update.starts_with(
            "Two suppliers were late. Programme Data for all Status in 2023/24 At risk"
        ),
        "{update}"
    );
}

#[test]
fn a_paginated_year_has_its_report_on_the_first_page_only() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/reports/2023-24/_index.md",
        "+++\ntitle = \"Review 2023/24\"\npaginate_by = 2\n[extra]\nperiod = \"2023/24\"\npublished = 2024-06-12\n+++\nThe second year.\n",
    );
    site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    let first = site.read("reports/2023-24/index.html");
    assert!(first.contains("tl-year__programmes"));
    let second = site.read("reports/2023-24/page/2/index.html");
    assert!(!second.contains("tl-year__programmes"));
    assert!(!second.contains("<svg"));
    let text = text_of(&second);
    assert!(
        text.contains("This page lists more of this year's pages. The annual review for 2023/24 is on the first page."),
        "{text}"
    );
}
