//! Strategy mistakes a communications officer makes get an error they can
//! act on: the file, line and column of the value, what is wrong, and the
//! fix; every mistake in one run; and the previous output untouched.

mod common;

use common::{fails_cleanly, hint, only, place, TestSite};
use throughline::Diagnostic;

/// Break the strategy fixture with `edit`; the errors, after checking the
/// previous output is untouched.
fn break_strategy(edit: impl FnOnce(&TestSite)) -> Vec<Diagnostic> {
    fails_cleanly(&TestSite::fixture("strategy"), edit)
}

const SHARE_DATA: &str = "+++\ntitle = \"Share data safely\"\nweight = 2\n[extra]\ngroup = \"Our tools\"\npriorities = [\"fair-acess\"]\n+++\n";

#[test]
fn yaml_front_matter_errors_are_located_too() {
    let yaml = "---\ntitle: Share data safely\nweight: 2\nextra:\n  group: Our tools\n  priorities:\n    - fair-access\n    - fair-acess\n---\n";
    let errors = break_strategy(|s| s.write("content/commitments/share-data.md", yaml));
    let d = only(&errors);
    assert_eq!(
        place(d),
        (
            "commitments/share-data.md".into(),
            8,
            7,
            "fair-acess".into()
        )
    );
    assert_eq!(hint(d), "did you mean `fair-access`?");
    let flow = "---\ntitle: Share data safely\nweight: 2\nextra:\n  priorities: [fair-access, fair-acess]\n---\n";
    let errors = break_strategy(|s| s.write("content/commitments/share-data.md", flow));
    assert_eq!(
        place(only(&errors)),
        (
            "commitments/share-data.md".into(),
            5,
            29,
            "fair-acess".into()
        )
    );
}

#[test]
fn an_unknown_id_suggests_the_closest() {
    let errors = break_strategy(|s| s.write("content/commitments/share-data.md", SHARE_DATA));
    let d = only(&errors);
    assert_eq!(
        d.message,
        "there is no core purpose with the id `fair-acess`"
    );
    assert_eq!(
        place(d),
        (
            "commitments/share-data.md".into(),
            6,
            15,
            "\"fair-acess\"".into()
        )
    );
    assert_eq!(hint(d), "did you mean `fair-access`?");
    // The rendered message shows the line and a caret under the value.
    let text = d.render(std::path::Path::new("/"));
    assert!(text.contains("6 | priorities = [\"fair-acess\"]"), "{text}");
    assert!(text.contains("  |               ^^^^^^^^^^^^"), "{text}");
}

#[test]
fn an_id_with_nothing_close_lists_the_ids() {
    let errors = break_strategy(|s| {
        s.write(
            "content/commitments/share-data.md",
            &SHARE_DATA.replace("fair-acess", "zzz"),
        )
    });
    let d = only(&errors);
    assert_eq!(d.message, "there is no core purpose with the id `zzz`");
    assert!(
        hint(d).starts_with("The core purposes are: `healthy-lives`, `fair-access`, `a-lonely-purpose`, `good-work`"),
        "{}",
        hint(d)
    );
}

#[test]
fn a_reference_to_the_wrong_kind_says_what_the_id_is() {
    let errors = break_strategy(|s| {
        s.write(
            "content/programmes/healthy-minds.md",
            "+++\ntitle = \"Healthy minds\"\n[extra]\npriorities = [\"healthy-lives\", \"data-for-all\", \"plan-together\"]\n+++\n",
        )
    });
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(
        errors[0].message,
        "`data-for-all` is a programme; `priorities` takes core purpose ids"
    );
    assert_eq!(place(&errors[0]).1, 4);
    assert_eq!(place(&errors[0]).3, "\"data-for-all\"");
    assert!(hint(&errors[0]).starts_with("The core purposes are: `healthy-lives`"));
    assert_eq!(
        errors[1].message,
        "`plan-together` is a commitment; `priorities` takes core purpose ids"
    );
    assert!(
        hint(&errors[1]).starts_with("to say this delivers the commitment `plan-together`, list it under `commitments` instead"),
        "{}",
        hint(&errors[1])
    );
}

#[test]
fn a_duplicate_id_names_both_files() {
    let errors = break_strategy(|s| {
        s.write(
            "content/purposes/more-access.md",
            "+++\ntitle = \"More access\"\nslug = \"fair-access\"\n+++\n",
        )
    });
    let d = errors
        .iter()
        .find(|d| d.message.starts_with("two of the core purposes"))
        .expect("a duplicate id error");
    assert_eq!(
        d.message,
        "two of the core purposes have the id `fair-access`: this page and content/purposes/fair-access.md"
    );
    assert_eq!(
        place(d),
        (
            "purposes/more-access.md".into(),
            3,
            8,
            "\"fair-access\"".into()
        )
    );
}

#[test]
fn a_status_word_not_in_the_list_suggests_the_intended_one() {
    for (written, meant) in [
        ("Green", "on-track"),
        ("amber", "at-risk"),
        ("RED", "off-track"),
        ("done", "complete"),
        ("On hold", "paused"),
        ("on trak", "on-track"),
    ] {
        let errors = break_strategy(|s| {
            s.write(
                "content/programmes/healthy-minds.md",
                &format!("+++\ntitle = \"Healthy minds\"\n[extra]\npriorities = [\"healthy-lives\"]\nstatus = \"{written}\"\n+++\n"),
            )
        });
        let d = only(&errors);
        assert_eq!(
            d.message,
            format!("`{written}` is not a status throughline knows")
        );
        assert_eq!(place(d).1, 5);
        assert_eq!(place(d).2, 10);
        assert_eq!(
            hint(d),
            format!("did you mean `{meant}`? The statuses are: `not-started`, `on-track`, `at-risk`, `off-track`, `complete`, `paused`")
        );
    }
}

#[test]
fn a_measure_value_that_is_not_a_number_is_located() {
    let errors = break_strategy(|s| {
        s.write(
            "content/measures/life-expectancy.md",
            "+++\ntitle = \"Healthy life expectancy\"\n[extra]\npriorities = [\"healthy-lives\"]\nunit = \"years\"\ndirection = \"up\"\nvalues = [\n  { period = \"2021/22\", value = 58.9 },\n  { period = \"2022/23\", value = \"59.6\" },\n  { period = \"2023/24\", value = \"about 60\" },\n]\n+++\n",
        )
    });
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(
        errors[0].message,
        "this value is not a number: \"59.6\" (text in quotes)"
    );
    assert_eq!(
        place(&errors[0]),
        (
            "measures/life-expectancy.md".into(),
            9,
            33,
            "\"59.6\"".into()
        )
    );
    assert_eq!(hint(&errors[0]), "remove the quotes: value = 59.6");
    assert_eq!(place(&errors[1]).1, 10);
    assert!(hint(&errors[1]).contains("plain number"));
}

#[test]
fn a_csv_cell_that_is_not_a_number_points_at_the_csv_line() {
    let errors = break_strategy(|s| {
        s.write(
            "data/waiting.csv",
            "period,value\n2022/23,12480\n2023/24, 11k \n",
        )
    });
    let d = only(&errors);
    assert_eq!(d.message, "`11k` is not a number");
    let l = d.location.as_ref().unwrap();
    assert!(l.file.ends_with("data/waiting.csv"), "{:?}", l.file);
    assert_eq!((l.line, l.column, l.width), (3, 10, 3));
    assert_eq!(l.source_line, "2023/24, 11k ");
}

#[test]
fn a_missing_csv_file_suggests_the_one_that_exists() {
    let errors = break_strategy(|s| {
        s.write(
            "content/measures/waiting.md",
            "+++\ntitle = \"People waiting\"\n[extra]\npriorities = [\"fair-access\"]\nunit = \"people\"\ndirection = \"down\"\ndata = \"data/wating.csv\"\n+++\n",
        )
    });
    let d = only(&errors);
    assert!(d
        .message
        .starts_with("cannot read the CSV file `data/wating.csv`"));
    assert_eq!(place(d).1, 7);
    assert_eq!(hint(d), "did you mean `data/waiting.csv`?");
}

#[test]
fn a_csv_outside_the_site_is_refused() {
    let errors = break_strategy(|s| {
        s.write(
            "content/measures/waiting.md",
            "+++\ntitle = \"People waiting\"\n[extra]\nunit = \"people\"\ndirection = \"down\"\ndata = \"../../etc/passwd\"\n+++\n",
        )
    });
    let d = only(&errors);
    assert_eq!(d.message, "`../../etc/passwd` is outside the site folder");
}

#[test]
fn a_measure_without_unit_or_direction_says_what_to_add() {
    let errors = break_strategy(|s| {
        s.write(
            "content/measures/waiting.md",
            "+++\ntitle = \"People waiting\"\n[extra]\ndirection = \"sideways\"\ndata = \"data/waiting.csv\"\n+++\n",
        )
    });
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert_eq!(errors[0].message, "this measure has no `unit`");
    assert_eq!(
        errors[1].message,
        "`direction` must be \"up\", \"down\" or \"none\", not \"sideways\" (text in quotes)"
    );
    assert_eq!(place(&errors[1]).1, 4);
}

#[test]
fn a_strategy_key_above_extra_must_move_under_it() {
    let errors = break_strategy(|s| {
        s.write(
            "content/programmes/healthy-minds.md",
            "+++\ntitle = \"Healthy minds\"\nstatus = \"on-track\"\n[extra]\npriorities = [\"healthy-lives\"]\n+++\n",
        )
    });
    let d = only(&errors);
    assert_eq!(
        d.message,
        "`status` belongs under `[extra]`: Zola would not pass it to the strategy"
    );
    assert_eq!(
        place(d),
        ("programmes/healthy-minds.md".into(), 3, 1, "status".into())
    );
}

#[test]
fn a_strategy_key_above_extra_gets_one_message_not_a_contradicting_warning() {
    let site = common::TestSite::fixture("strategy");
    site.write(
        "content/programmes/healthy-minds.md",
        "+++\ntitle = \"Healthy minds\"\nstatus = \"on-track\"\n[extra]\npriorities = [\"healthy-lives\"]\n+++\n",
    );
    let failed = site.build().expect_err("misplaced");
    let here: Vec<&str> = failed
        .diagnostics
        .iter()
        .filter(|d| {
            d.location
                .as_ref()
                .is_some_and(|l| l.file.ends_with("healthy-minds.md") && l.line == 3)
        })
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        here,
        ["`status` belongs under `[extra]`: Zola would not pass it to the strategy"],
        "the loader's \"not a page front matter key\" warning would say the opposite"
    );
}

#[test]
fn a_kind_folder_without_index_names_the_file_to_add() {
    let errors = break_strategy(|s| {
        std::fs::remove_file(s.root().join("content/measures/_index.md")).unwrap();
    });
    let d = errors
        .iter()
        .find(|d| d.message.contains("no _index.md"))
        .expect("an error about the missing _index.md");
    assert_eq!(
        d.message,
        "content/measures/ holds the measures but has no _index.md, so throughline cannot read them"
    );
    assert!(hint(d).starts_with("add the file content/measures/_index.md"));
}

#[test]
fn every_mistake_is_reported_in_one_run() {
    let errors = break_strategy(|s| {
        s.write("content/commitments/share-data.md", SHARE_DATA);
        s.write(
            "content/programmes/healthy-minds.md",
            "+++\ntitle = \"Healthy minds\"\n[extra]\npriorities = [\"healthy-lives\"]\nstatus = \"green\"\n+++\n",
        );
        s.write("data/waiting.csv", "period,value\n2022/23,lots\n");
        s.write(
            "content/purposes/more-access.md",
            "+++\ntitle = \"More access\"\nslug = \"fair-access\"\n+++\n",
        );
    });
    let files: Vec<String> = errors
        .iter()
        .map(|d| {
            d.file
                .as_ref()
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    for f in [
        "commitments/share-data.md",
        "programmes/healthy-minds.md",
        "purposes/more-access.md",
    ] {
        assert!(
            files.iter().any(|x| x.ends_with(&format!("content/{f}"))),
            "{f} missing from {files:#?}"
        );
    }
    assert!(files.iter().any(|x| x.ends_with("data/waiting.csv")));
    // The two pages with one address are also reported by the core.
    assert!(errors.iter().any(|d| d
        .message
        .contains("the same address `/purposes/fair-access/`")));
    assert_eq!(errors.len(), 5, "{errors:#?}");
}
