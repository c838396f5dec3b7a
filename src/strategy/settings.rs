//! `[extra.strategy]` and `[extra.strategy.labels]` in the site config
//! (content model §2): where each kind lives and what the site calls it.

use serde::Serialize;

use crate::config::Config;
use crate::diagnostics::{closest, Diagnostic, Diagnostics};

/// The four kinds of entity, in the order the strategy reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Priority,
    Commitment,
    Programme,
    Measure,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Priority,
        Kind::Commitment,
        Kind::Programme,
        Kind::Measure,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// `priority`
    pub fn singular(self) -> &'static str {
        match self {
            Kind::Priority => "priority",
            Kind::Commitment => "commitment",
            Kind::Programme => "programme",
            Kind::Measure => "measure",
        }
    }

    /// `priorities`: also the config key and the front matter key that
    /// references this kind.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Priority => "priorities",
            Kind::Commitment => "commitments",
            Kind::Programme => "programmes",
            Kind::Measure => "measures",
        }
    }

    /// A kind named either way (`priority`, `priorities`), any case.
    pub fn parse(s: &str) -> Option<Kind> {
        let s = s.trim().to_lowercase();
        Kind::ALL
            .into_iter()
            .find(|k| k.singular() == s || k.plural() == s)
    }

    /// "a priority", "an ambition": the article for a label.
    pub fn article(label: &str) -> &'static str {
        match label.chars().next().map(|c| c.to_ascii_lowercase()) {
            Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
            _ => "a",
        }
    }
}

/// Where the strategy lives and what it is called.
#[derive(Debug, Clone, Serialize)]
pub struct Settings {
    /// Section folder under `content/` for each kind, by `Kind::index`.
    pub sections: [String; 4],
    pub annual_review: String,
    /// Display labels, plural (`Core purposes`), by kind.
    pub plural: [String; 4],
    /// Display labels, singular (`Core purpose`), by kind.
    pub singular: [String; 4],
    pub annual_review_label: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            sections: Kind::ALL.map(|k| k.plural().to_string()),
            annual_review: "annual-review".into(),
            plural: Kind::ALL.map(|k| capitalise(k.plural())),
            singular: Kind::ALL.map(|k| capitalise(k.singular())),
            annual_review_label: "Annual review".into(),
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

/// "Core purposes" → "Core purpose", "Priorities" → "Priority".
fn singular_of(label: &str) -> String {
    if let Some(stem) = label.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = label.strip_suffix('s') {
        stem.to_string()
    } else {
        label.to_string()
    }
}

const SECTION_KEYS: [&str; 6] = [
    "priorities",
    "commitments",
    "programmes",
    "measures",
    "annual_review",
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
    pub fn from_config(config: &Config, diags: &Diagnostics) -> Settings {
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
                        s.singular[k.index()] = singular_of(&v);
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

    pub fn section(&self, k: Kind) -> &str {
        &self.sections[k.index()]
    }

    /// "priority" as the site says it, in lower case ("core purpose").
    pub fn one(&self, k: Kind) -> String {
        self.singular[k.index()].to_lowercase()
    }

    /// "priorities" as the site says it, in lower case.
    pub fn many(&self, k: Kind) -> String {
        self.plural[k.index()].to_lowercase()
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
        assert_eq!(Kind::parse("Programmes"), Some(Kind::Programme));
        assert_eq!(Kind::parse("measure"), Some(Kind::Measure));
        assert_eq!(Kind::parse("year"), None);
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
