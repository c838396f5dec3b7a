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
