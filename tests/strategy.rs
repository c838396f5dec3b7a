//! The strategy graph (content model §2–§4, §6): what each entity page
//! links to, the plan on a page, template selection and the template API,
//! on the fixture `tests/fixtures/strategy`.

mod common;

use common::{by_id, section_at, unescape, TestSite};
use throughline::{Diagnostic, Severity};

fn built() -> (TestSite, Vec<Diagnostic>) {
    let site = TestSite::fixture("strategy");
    let report = site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    (site, report.diagnostics)
}

/// The `href`s of the links inside the element that starts at `marker`
/// (up to the next `</section>`).
fn links_under(html: &str, marker: &str) -> Vec<String> {
    let part = unescape(section_at(html, marker));
    part.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

const BASE: &str = "https://strategy.example";

#[test]
fn a_priority_links_to_everything_that_references_it() {
    let (site, _) = built();
    let html = site.read("purposes/fair-access/index.html");
    assert_eq!(
        links_under(&html, "id=\"links-commitments\""),
        [
            format!("{BASE}/commitments/plan-together/"),
            format!("{BASE}/commitments/share-data/"),
        ]
    );
    assert_eq!(
        links_under(&html, "id=\"links-programmes\""),
        [
            format!("{BASE}/programmes/data-for-all/"),
            format!("{BASE}/programmes/healthy-minds/"),
        ]
    );
    assert_eq!(
        links_under(&html, "id=\"links-measures\""),
        [format!("{BASE}/measures/waiting/")]
    );
    // The label the site gives the kind, and the code, are shown.
    assert!(html.contains("<p class=\"caption\">Core purpose P2</p>"));
    // A priority only linked from a commitment has no programme list.
    let good = site.read("purposes/good-work/index.html");
    assert!(!good.contains("id=\"links-programmes\""));
    assert_eq!(
        links_under(&good, "id=\"links-commitments\""),
        [format!("{BASE}/commitments/grow-skills/")]
    );
}

#[test]
fn a_programme_links_to_its_priorities_and_commitments_and_shows_its_status() {
    let (site, _) = built();
    let html = unescape(&site.read("programmes/healthy-minds/index.html"));
    assert_eq!(
        links_under(&html, "id=\"links-priorities\""),
        [
            format!("{BASE}/purposes/healthy-lives/"),
            format!("{BASE}/purposes/fair-access/"),
        ]
    );
    assert_eq!(
        links_under(&html, "id=\"links-commitments\""),
        [format!("{BASE}/commitments/plan-together/")]
    );
    // The word, with the colour and shape as extras.
    assert!(html.contains("<strong class=\"tl-status tl-status--on-track\"><span class=\"tl-status__shape\" aria-hidden=\"true\"></span>On track</strong>"));
    assert!(html.contains("Fellside Mind"));
    assert!(html.contains("from 2024/25 to 2027-03-31"));
}

#[test]
fn a_commitment_knows_its_priorities_and_the_programmes_delivering_it() {
    // The site's own strategy/commitment.html wins over the theme's.
    let (site, _) = built();
    let html = site.read("commitments/plan-together/index.html");
    assert_eq!(
        by_id(&html, "site-commitment"),
        "Plan together in Our ways of working: healthy-lives fair-access | data-for-all healthy-minds "
    );
}

#[test]
fn a_draft_reference_is_plain_text_and_a_warning() {
    let (site, diags) = built();
    let html = site.read("programmes/data-for-all/index.html");
    let links = links_under(&html, "id=\"links-priorities\"");
    assert_eq!(links, [format!("{BASE}/purposes/fair-access/")]);
    assert!(html.contains("<li>Future purpose <span class=\"tl-draft\">(draft)</span></li>"));
    let w = diags
        .iter()
        .find(|d| d.message.contains("`future-purpose` is a draft"))
        .expect("a warning for the draft reference");
    assert_eq!(w.severity, Severity::Warning);
    let loc = w.location.as_ref().unwrap();
    assert!(loc.file.ends_with("content/programmes/data-for-all.md"));
    assert_eq!((loc.line, loc.column), (4, 30));
    // With --drafts it is a link.
    let mut opts = site.options();
    opts.drafts = true;
    throughline::build(&opts).unwrap();
    let html = site.read("programmes/data-for-all/index.html");
    assert!(links_under(&html, "id=\"links-priorities\"")
        .contains(&format!("{BASE}/purposes/future-purpose/")));
}

#[test]
fn unconnected_priorities_and_programmes_are_warnings() {
    let (_, diags) = built();
    let warnings: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    let lonely = warnings
        .iter()
        .find(|d| d.message.contains("`a-lonely-purpose`"))
        .expect("warning for a priority nothing references");
    assert!(lonely
        .message
        .starts_with("nothing refers to the core purpose"));
    assert!(lonely
        .file
        .as_ref()
        .unwrap()
        .ends_with("purposes/a-lonely-purpose.md"));
    let quiet = warnings
        .iter()
        .find(|d| d.message.contains("`quiet-work`"))
        .expect("warning for a programme with no priority");
    assert_eq!(
        quiet.message,
        "the programme `quiet-work` lists none of the core purposes"
    );
    // No other priority or programme is warned about.
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
}

#[test]
fn the_plan_on_a_page_is_a_real_table_with_meaningful_cells() {
    let (site, _) = built();
    let html = unescape(&site.read("purposes/index.html"));
    let table = &html[html.find("<table").unwrap()..html.find("</table>").unwrap()];
    // Columns: the programme, its status, then priorities in §2 order
    // (weight, then the rest by id), headed by their codes (every one has
    // a code), each with its title for screen readers, and a key.
    let cols: Vec<&str> = table
        .split("scope=\"col\"")
        .skip(1)
        .map(|c| &c[..c.find("</th>").unwrap()])
        .collect();
    assert_eq!(cols.len(), 6);
    assert!(cols[0].ends_with(">Programme"));
    assert!(cols[1].ends_with(">Status"));
    for (col, (code, title)) in cols[2..].iter().zip([
        ("P1", "Healthy lives"),
        ("P2", "Fair access"),
        ("P5", "A lonely purpose"),
        ("P4", "Good work"),
    ]) {
        assert!(
            col.contains(&format!("<span aria-hidden=\"true\">{code}</span>")),
            "{col}"
        );
        assert!(col.contains(&format!(">{code} {title}</span>")), "{col}");
        assert!(
            html.contains(&format!("<dt>{code}</dt><dd><a href")),
            "the key names {code}"
        );
    }
    // Rows: programmes in their section's order (sort_by = "title").
    let rows: Vec<&str> = table
        .split("<th scope=\"row\">")
        .skip(1)
        .map(|c| &c[..c.find("</th>").unwrap()])
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].contains("Data for all"));
    assert!(rows[1].contains("Healthy minds"));
    assert!(rows[2].contains("Quiet work"));
    // A delivering cell is a link that says what it means; any other cell
    // is empty (its headers say what it is: content model §6).
    assert!(table.contains("<a href=\"https://strategy.example/programmes/healthy-minds/\"><span class=\"tl-plan__mark\" aria-hidden=\"true\">●</span><span class=\"tl-visually-hidden\""));
    assert!(table.contains(">Healthy minds delivers: Healthy lives</span></a></td>"));
    assert!(table.contains(">Data for all delivers: Fair access</span>"));
    // Exactly one delivering cell per (programme, priority) reference.
    assert_eq!(table.matches("tl-plan__yes").count(), 3);
    assert_eq!(table.matches("<td></td>").count(), 12 - 3);
    // Each row shows the programme's status.
    assert_eq!(table.matches("class=\"tl-plan__status\"").count(), 3);
    // The caption names the table, with the site's labels.
    assert!(table.contains("what each programme delivers towards the core purposes"));
}

#[test]
fn the_plan_shortcode_and_template_functions_work_anywhere() {
    let (site, _) = built();
    let html = unescape(&site.read("about/index.html"));
    assert_eq!(
        by_id(&html, "lookup"),
        "Healthy minds (on-track) delivers Healthy lives, Fair access"
    );
    // The singular as used inside a sentence (content model §2).
    assert_eq!(by_id(&html, "labels"), "Core purposes / core purpose");
    let content = &html[html.find("id=\"content\"").unwrap()..];
    assert!(content.contains("<table class=\"tl-table tl-plan__table tl-plan__table--codes\">"));
    assert!(content.contains("Healthy minds delivers: Fair access"));
}

#[test]
fn measures_show_their_series_with_gaps_as_no_data() {
    let (site, _) = built();
    let html = unescape(&site.read("measures/life-expectancy/index.html"));
    assert!(html.contains("<tr><th scope=\"row\">2022/23</th><td class=\"tl-num\"><span class=\"tl-no-data\">no data</span></td></tr>"));
    assert!(html.contains("<tr><th scope=\"row\">2023/24</th><td class=\"tl-num\">59.6</td></tr>"));
    // The target is shown with the data's decimals.
    assert!(html.contains(
        "<tr><th scope=\"row\">2034/35 (target)</th><td class=\"tl-num\">65.0</td></tr>"
    ));
    assert!(html.contains("<dt>Latest (2024/25)</dt><dd>59.8 years</dd>"));
    let csv = unescape(&site.read("measures/waiting/index.html"));
    assert!(csv.contains("<td class=\"tl-num\">12,480</td>"));
    assert!(csv.contains("<tr><th scope=\"row\">2023/24</th><td class=\"tl-num\"><span class=\"tl-no-data\">no data</span></td></tr>"));
    assert!(csv.contains("<dt>Latest (2024/25)</dt><dd>10,250 people</dd>"));
}

#[test]
fn a_theme_without_strategy_templates_still_shows_the_links() {
    // A plain Zola theme: page.html prints page.content and nothing else.
    let site = TestSite::fixture("strategy");
    site.write(
        "config.toml",
        "base_url = \"https://strategy.example\"\ntheme = \"plain\"\n[extra.strategy]\npriorities = \"purposes\"\n",
    );
    site.write(
        "themes/plain/templates/page.html",
        "<main>{{ page.content | safe }}</main>",
    );
    site.write(
        "themes/plain/templates/section.html",
        "<main>{{ section.content | safe }}</main>",
    );
    site.write("themes/plain/templates/index.html", "<main>home</main>");
    site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    let html = site.read("purposes/fair-access/index.html");
    assert!(html.starts_with("<main><p>Care that does not depend"));
    assert_eq!(
        links_under(&html, "id=\"links-programmes\""),
        [
            format!("{BASE}/programmes/data-for-all/"),
            format!("{BASE}/programmes/healthy-minds/"),
        ]
    );
    assert!(html.contains("<h2 id=\"links-programmes\">Programmes</h2>"));
    // The default label, as this config names none.
    let programme = site.read("programmes/healthy-minds/index.html");
    assert!(programme.contains("<h2 id=\"links-priorities\">Priorities</h2>"));
    // The plan follows the priorities section's own text.
    let section = site.read("purposes/index.html");
    assert!(section.starts_with("<main><p>The four purposes we share.</p>"));
    assert!(section.contains("Healthy minds delivers: Healthy lives"));
}

#[test]
fn the_plan_can_be_left_out_of_the_priorities_section() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/purposes/_index.md",
        "+++\ntitle = \"Our core purposes\"\n[extra]\nplan_on_a_page = false\n+++\nNo plan here.\n",
    );
    site.build().unwrap();
    let html = site.read("purposes/index.html");
    assert!(!html.contains("tl-plan__table"));
}

/// The plan grows with priorities × links: on a paginated priorities
/// section it is on the first pager only, not repeated on every one.
#[test]
fn a_paginated_priorities_section_has_the_plan_on_its_first_pager_only() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/purposes/_index.md",
        "+++\ntitle = \"Our core purposes\"\npaginate_by = 1\n+++\nWhat we are for.\n",
    );
    site.build().unwrap();
    let first = site.read("purposes/index.html");
    assert!(first.contains("tl-plan__table"), "{first}");
    let second = site.read("purposes/page/2/index.html");
    assert!(second.contains("What we are for."), "{second}");
    assert!(!second.contains("tl-plan__table"), "{second}");
}

#[test]
fn a_page_naming_its_own_template_keeps_it() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/purposes/healthy-lives.md",
        "+++\ntitle = \"Healthy lives\"\ntemplate = \"mine.html\"\nweight = 1\n+++\n",
    );
    site.write(
        "templates/mine.html",
        "<p id=\"mine\">{{ entity.title }}: {{ entity.programmes | length }} programmes</p>",
    );
    site.build().unwrap();
    assert_eq!(
        by_id(&site.read("purposes/healthy-lives/index.html"), "mine"),
        "Healthy lives: 1 programmes"
    );
}

#[test]
fn the_example_site_builds_without_strategy_warnings() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let rendered = throughline::render_site(&throughline::Options {
        root: root.to_path_buf(),
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("{e:#?}"));
    assert!(
        rendered.diagnostics.is_empty(),
        "{:#?}",
        rendered.diagnostics
    );
    // Twelve commitments in three groups; four core purposes and five
    // things that connect them.
    let file = rendered
        .files
        .iter()
        .find(|f| f.path == "priorities/index.html")
        .unwrap();
    let html = String::from_utf8_lossy(&file.bytes);
    // The programme, its status, and the nine purposes in two groups.
    assert_eq!(html.matches("<th scope=\"col\"").count(), 11);
    assert_eq!(html.matches("<th scope=\"colgroup\"").count(), 2);
}
