//! `[extra.strategy]` and `[extra.strategy.labels]` in the site config
//! (content model §2): where each kind lives and what the site calls it.

use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::{closest, Diagnostic, Diagnostics};

/// The four kinds of entity, in the order the strategy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Kind {
    Priority,
    Commitment,
    Programme,
    Measure,
}

impl Kind {
    pub(crate) const ALL: [Kind; 4] = [
        Kind::Priority,
        Kind::Commitment,
        Kind::Programme,
        Kind::Measure,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// `priority`
    pub(crate) fn singular(self) -> &'static str {
        match self {
            Kind::Priority => "priority",
            Kind::Commitment => "commitment",
            Kind::Programme => "programme",
            Kind::Measure => "measure",
        }
    }

    /// `priorities`: also the config key and the front matter key that
    /// references this kind.
    pub(crate) fn plural(self) -> &'static str {
        match self {
            Kind::Priority => "priorities",
            Kind::Commitment => "commitments",
            Kind::Programme => "programmes",
            Kind::Measure => "measures",
        }
    }

    /// A kind named either way (`priority`, `priorities`), any case.
    pub(crate) fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.singular() == s || k.plural() == s)
    }

    /// "a priority", "an ambition": the article for a label.
    pub(crate) fn article(label: &str) -> &'static str {
        match label.chars().next().map(|c| c.to_ascii_lowercase()) {
            Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
            _ => "a",
        }
    }
}

/// Where the strategy lives and what it is called.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Settings {
    /// Section folder under `content/` for each kind, by `Kind::index`.
    pub sections: [String; 4],
    pub annual_review: String,
    /// Display labels, plural (`Core purposes`), by kind.
    pub plural: [String; 4],
    /// Labels in the singular as used inside a sentence (`core purpose`,
    /// `programme of work`), by kind: as the site gives them, or made from
    /// the plural (its head noun singular, a leading "our" dropped).
    pub singular: [String; 4],
    pub annual_review_label: String,
    /// One sentence shown above the plan on a page (`vision`).
    pub vision: Option<String>,
    /// Whether the config has an `[extra.strategy]` table: then the
    /// strategy applies to every kind's folder (§2).
    pub configured: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sections: Kind::ALL.map(|k| k.plural().to_string()),
            annual_review: "annual-review".into(),
            plural: Kind::ALL.map(|k| capitalise(k.plural())),
            singular: Kind::ALL.map(|k| k.singular().to_string()),
            annual_review_label: "Annual review".into(),
            vision: None,
            configured: false,
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One word made singular, as English mostly does it ("Priorities" →
/// "Priority", "Ambitions" → "Ambition", "Approaches" → "Approach"); a word
/// that does not end like a plural is left alone ("Focus", "Progress").
fn singular_word(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.ends_with("ies") && word.len() > 4 {
        format!("{}y", &word[..word.len() - 3])
    } else if ["ches", "shes", "sses", "xes"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        word[..word.len() - 2].to_string()
    } else if lower.ends_with('s') && !["ss", "us", "is"].iter().any(|e| lower.ends_with(e)) {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

/// A plural label made singular: its head noun ("Programmes of work" →
/// "Programme of work", "Core purposes" → "Core purpose").
fn singular_of(label: &str) -> String {
    let head_end = [" of ", " for ", " in ", " to ", " that ", " we "]
        .iter()
        .filter_map(|sep| label.find(sep))
        .min()
        .unwrap_or(label.len());
    let (head, rest) = label.split_at(head_end);
    match head.rsplit_once(' ') {
        Some((before, last)) => format!("{before} {}{rest}", singular_word(last)),
        None => format!("{}{rest}", singular_word(head)),
    }
}

/// Words that make a label a phrase of its own ("Our purposes"): it takes
/// no "the", and in the singular, inside a sentence, the word is dropped
/// ("there is no purpose with the id …", not "no our purpose").
const DETERMINERS: [&str; 7] = ["our", "your", "the", "their", "my", "its", "his"];

fn determiner_of(label: &str) -> Option<&str> {
    let (first, _) = label.split_once(' ')?;
    DETERMINERS
        .iter()
        .any(|d| first.eq_ignore_ascii_case(d))
        .then_some(first)
}

/// A heading label as it reads inside a sentence: the first letter in
/// lower case, unless the word is an acronym ("NHS trusts").
fn in_text(label: &str) -> String {
    let mut chars = label.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let second_upper = chars.clone().next().is_some_and(char::is_uppercase);
    if second_upper {
        label.to_string()
    } else {
        first.to_lowercase().chain(chars).collect()
    }
}

const SECTION_KEYS: [&str; 7] = [
    "priorities",
    "commitments",
    "programmes",
    "measures",
    "annual_review",
    "vision",
    "labels",
];
const LABEL_KEYS: [&str; 9] = [
    "priorities",
    "commitments",
    "programmes",
    "measures",
    "annual_review",
    "priority",
    "commitment",
    "programme",
    "measure",
];

/// A warning, with a "did you mean", for each key of `table` not in `known`.
fn warn_unknown(
    table: &toml::Table,
    known: &[&str],
    place: &str,
    noun: &str,
    config_file: &std::path::Path,
    diags: &Diagnostics,
) {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            let mut d = Diagnostic::warning(format!(
                "`{key}` in `{place}` is not a {noun} throughline knows, so it is ignored"
            ))
            .in_file(config_file);
            if let Some(c) = closest(key, known.iter().copied()) {
                d = d.with_hint(format!("did you mean `{c}`?"));
            }
            diags.push(d);
        }
    }
}

impl Settings {
    /// Read `[extra.strategy]`; problems are reported against the config
    /// file, and the defaults are used for anything unreadable.
    pub(crate) fn from_config(config: &Config, diags: &Diagnostics) -> Settings {
        let config_file = config.file.as_path();
        let mut s = Settings::default();
        let Some(toml::Value::Table(t)) = config.extra.get("strategy") else {
            if config.extra.contains_key("strategy") {
                diags.push(
                    Diagnostic::error("`extra.strategy` should be a table")
                        .in_file(config_file)
                        .with_hint("write it as a `[extra.strategy]` section"),
                );
            }
            return s;
        };
        s.configured = true;
        let text = |table: &toml::Table, key: &str, what: &str| -> Option<String> {
            match table.get(key)? {
                toml::Value::String(v) => Some(v.clone()),
                other => {
                    diags.push(
                        Diagnostic::error(format!(
                            "`{what}.{key}` should be text in quotes, not {}",
                            other.type_str()
                        ))
                        .in_file(config_file)
                        .with_hint(format!("for example: {key} = \"{key}\"")),
                    );
                    None
                }
            }
        };
        warn_unknown(
            t,
            &SECTION_KEYS,
            "[extra.strategy]",
            "setting",
            config_file,
            diags,
        );
        for k in Kind::ALL {
            if let Some(v) = text(t, k.plural(), "extra.strategy") {
                s.sections[k.index()] = v.trim_matches('/').to_string();
            }
        }
        if let Some(v) = text(t, "annual_review", "extra.strategy") {
            s.annual_review = v.trim_matches('/').to_string();
        }
        s.vision = text(t, "vision", "extra.strategy").filter(|v| !v.trim().is_empty());
        match t.get("labels") {
            Some(toml::Value::Table(labels)) => {
                warn_unknown(
                    labels,
                    &LABEL_KEYS,
                    "[extra.strategy.labels]",
                    "label",
                    config_file,
                    diags,
                );
                for k in Kind::ALL {
                    if let Some(v) = text(labels, k.plural(), "extra.strategy.labels") {
                        let one = singular_of(&v);
                        let one = match determiner_of(&one) {
                            Some(d) => one[d.len()..].trim_start().to_string(),
                            None => one,
                        };
                        s.singular[k.index()] = in_text(&one);
                        s.plural[k.index()] = v;
                    }
                    if let Some(v) = text(labels, k.singular(), "extra.strategy.labels") {
                        s.singular[k.index()] = v;
                    }
                }
                if let Some(v) = text(labels, "annual_review", "extra.strategy.labels") {
                    s.annual_review_label = v;
                }
            }
            Some(_) => diags.push(
                Diagnostic::error("`extra.strategy.labels` should be a table")
                    .in_file(config_file)
                    .with_hint("write it as a `[extra.strategy.labels]` section"),
            ),
            None => {}
        }
        s
    }

    pub(crate) fn section(&self, k: Kind) -> &str {
        &self.sections[k.index()]
    }

    /// One of kind `k` inside a sentence: "core purpose", "programme of
    /// work" ("there is no core purpose with the id …").
    pub(crate) fn one(&self, k: Kind) -> String {
        self.singular[k.index()].clone()
    }

    /// All of kind `k` inside a sentence, with the word that introduces
    /// them: "the priorities", "our purposes" ("did you mean …? Our
    /// purposes are: …", "lists none of the priorities").
    pub(crate) fn many(&self, k: Kind) -> String {
        let label = &self.plural[k.index()];
        match determiner_of(label) {
            Some(_) => in_text(label),
            None => format!("the {}", in_text(label)),
        }
    }

    /// [`Settings::many`] at the start of a sentence: "The priorities",
    /// "Our purposes".
    pub(crate) fn many_first(&self, k: Kind) -> String {
        capitalise(&self.many(k))
    }

    /// The singular as a heading (a table's column): "Programme of work".
    pub(crate) fn one_heading(&self, k: Kind) -> String {
        capitalise(&self.singular[k.index()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_labels_follow_plural_ones() {
        assert_eq!(singular_of("Core purposes"), "Core purpose");
        assert_eq!(singular_of("Priorities"), "Priority");
        assert_eq!(singular_of("Work"), "Work");
        assert_eq!(singular_of("Programmes of work"), "Programme of work");
        assert_eq!(singular_of("What connects us"), "What connects us");
        assert_eq!(singular_of("Approaches"), "Approach");
        assert_eq!(singular_of("Areas of focus"), "Area of focus");
        assert_eq!(Kind::parse("Programmes"), Some(Kind::Programme));
        assert_eq!(Kind::parse("measure"), Some(Kind::Measure));
        assert_eq!(Kind::parse("year"), None);
    }

    #[test]
    fn labels_read_well_inside_sentences() {
        let config: crate::config::Config = toml::from_str(
            "base_url = \"https://x.example\"\n[extra.strategy.labels]\npriorities = \"Our purposes\"\nprogrammes = \"Programmes of work\"\ncommitments = \"NHS trusts\"\nmeasure = \"key figure\"\n",
        )
        .unwrap();
        let s = Settings::from_config(&config, &Diagnostics::new());
        assert_eq!(s.one(Kind::Priority), "purpose");
        assert_eq!(s.many(Kind::Priority), "our purposes");
        assert_eq!(s.many_first(Kind::Priority), "Our purposes");
        assert_eq!(s.one(Kind::Programme), "programme of work");
        assert_eq!(s.many(Kind::Programme), "the programmes of work");
        assert_eq!(s.one_heading(Kind::Programme), "Programme of work");
        assert_eq!(s.one(Kind::Commitment), "NHS trust");
        assert_eq!(s.many(Kind::Commitment), "the NHS trusts");
        assert_eq!(s.one(Kind::Measure), "key figure");
        assert_eq!(s.many(Kind::Measure), "the measures");
    }

    #[test]
    fn docs_configuration_explains_every_strategy_key() {
        let doc = include_str!("../../docs/configuration.md");
        assert!(doc.contains("[extra.strategy]") && doc.contains("[extra.strategy.labels]"));
        for key in SECTION_KEYS.iter().chain(&LABEL_KEYS) {
            assert!(
                crate::config::tests::documented(key),
                "`{key}` is not in docs/configuration.md"
            );
        }
    }
}
