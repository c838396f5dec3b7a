//! Mistakes in the annual review get the same errors as the strategy graph:
//! the file, line and column, what is wrong and the fix; every mistake in
//! one run; the previous output untouched.

mod common;

use common::{fails_cleanly, hint, only, place, TestSite};
use throughline::{Diagnostic, Severity};

fn break_review(edit: impl FnOnce(&TestSite)) -> Vec<Diagnostic> {
    fails_cleanly(&TestSite::fixture("strategy"), edit)
}

fn update(extra: &str) -> String {
    format!("+++\ntitle = \"An update\"\n[extra]\n{extra}\n+++\nText.\n")
}

#[test]
fn an_update_for_an_unknown_programme_suggests_the_closest() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/data-for-all.md",
            &update("programme = \"data-for-al\"\nstatus = \"at-risk\""),
        )
    });
    let d = only(&errors);
    assert_eq!(d.message, "there is no programme with the id `data-for-al`");
    assert_eq!(
        place(d),
        (
            "reports/2023-24/data-for-all.md".into(),
            4,
            13,
            "\"data-for-al\"".into()
        )
    );
    assert_eq!(hint(d), "did you mean `data-for-all`?");
}

#[test]
fn a_commitment_named_as_a_programme_says_which_key_to_use() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/data-for-all.md",
            &update("programme = \"share-data\"\nstatus = \"at-risk\""),
        )
    });
    let d = only(&errors);
    assert_eq!(
        d.message,
        "`share-data` is a commitment; `programme` takes a programme id"
    );
    assert!(
        hint(d).contains("write commitment = \"share-data\" instead"),
        "{}",
        hint(d)
    );
}

#[test]
fn a_programme_update_needs_a_status() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/data-for-all.md",
            &update("programme = \"data-for-all\""),
        )
    });
    let d = only(&errors);
    assert_eq!(
        d.message,
        "this update about the programme `data-for-all` has no `status`"
    );
    assert_eq!(
        place(d),
        (
            "reports/2023-24/data-for-all.md".into(),
            4,
            1,
            "programme".into()
        )
    );
    assert!(hint(d).contains("`on-track`, `at-risk`"));
}

#[test]
fn a_status_word_teams_use_is_translated() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/data-for-all.md",
            &update("programme = \"data-for-all\"\nstatus = \"Amber\""),
        )
    });
    let d = only(&errors);
    assert_eq!(d.message, "`Amber` is not a status throughline knows");
    assert_eq!(place(d).1, 5);
    assert!(hint(d).starts_with("did you mean `at-risk`?"));
}

#[test]
fn two_updates_for_one_programme_in_a_year() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/data-for-all-again.md",
            &update("programme = \"data-for-all\"\nstatus = \"on-track\""),
        )
    });
    let d = only(&errors);
    assert!(
        d.message.starts_with("there are two updates about the programme `data-for-all` in 2023/24: this page and content/reports/2023-24/data-for-all"),
        "{}",
        d.message
    );
    assert!(hint(d).contains("merge"));
}

#[test]
fn a_status_without_a_reference_is_not_a_story() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/mrs-k.md",
            "+++\ntitle = \"Mrs K\"\n[extra]\nstatus = \"on-track\"\n+++\n",
        )
    });
    let d = only(&errors);
    assert!(d
        .message
        .starts_with("this page has a `status` but names no `programme` or `commitment`"));
    assert_eq!(place(d).1, 4);
}

#[test]
fn a_misspelt_programme_key_is_not_a_story() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/quiet-work.md",
            &update("program = \"quiet-work\""),
        )
    });
    let d = only(&errors);
    assert_eq!(
        d.message,
        "`program` is not a key an update has, so throughline cannot tell what this page reports on"
    );
    assert!(hint(d).starts_with("did you mean `programme`?"));
    assert_eq!(
        place(d),
        (
            "reports/2023-24/quiet-work.md".into(),
            4,
            1,
            "program".into()
        )
    );
}

#[test]
fn every_review_mistake_is_reported_in_one_run() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/2023-24/data-for-all.md",
            &update("programme = \"data-for-al\"\nstatus = \"at-risk\""),
        );
        s.write(
            "content/reports/2022-23/healthy-minds.md",
            &update("programme = \"healthy-minds\""),
        );
        s.write(
            "content/reports/a-third-year/quiet-work.md",
            &update("programme = \"quiet-work\"\nstatus = \"done\""),
        );
    });
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn a_year_whose_period_matches_no_measure_is_a_warning() {
    let site = TestSite::fixture("strategy");
    site.write(
        "content/reports/2023-24/_index.md",
        "+++\ntitle = \"Review 2023/24\"\n[extra]\nperiod = \"2023-24\"\n+++\n",
    );
    let report = site.build().unwrap_or_else(|e| panic!("{e:#?}"));
    let d = report
        .diagnostics
        .iter()
        .find(|d| d.message.contains("no measure has a figure"))
        .expect("a warning");
    assert_eq!(d.severity, Severity::Warning);
    assert_eq!(
        d.message,
        "no measure has a figure for the period `2023-24`, so this year's page shows no measure values"
    );
    assert_eq!(
        place(d),
        (
            "reports/2023-24/_index.md".into(),
            4,
            10,
            "\"2023-24\"".into()
        )
    );
    assert!(
        hint(d).contains("did you mean period = \"2023/24\""),
        "{}",
        hint(d)
    );
    // The page still builds, its measures shown as having no data.
    let html = site.read("reports/2023-24/index.html");
    assert!(html.contains("No data for 2023-24."));
}

#[test]
fn two_years_with_one_period() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/a-third-year/_index.md",
            "+++\ntitle = \"Again\"\n[extra]\nperiod = \"2023/24\"\npublished = 2025-06-20\n+++\n",
        )
    });
    let d = only(&errors);
    assert!(d
        .message
        .starts_with("two years of the review have the period `2023/24`"));
}

#[test]
fn a_published_date_that_is_not_a_date() {
    let errors = break_review(|s| {
        s.write(
            "content/reports/a-third-year/_index.md",
            "+++\ntitle = \"Review 2024/25\"\n[extra]\nperiod = \"2024/25\"\npublished = \"June 2025\"\n+++\n",
        )
    });
    let d = only(&errors);
    assert_eq!(
        d.message,
        "`published` should be a date such as 2024-06-12, not \"June 2025\" (text in quotes)"
    );
    assert_eq!(place(d).1, 5);
}
