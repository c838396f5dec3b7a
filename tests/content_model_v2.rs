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
