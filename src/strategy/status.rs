//! Status words (content model §4): the six a programme can have, and the
//! suggestion for a word that is not one of them.

use serde::Serialize;

/// The allowed words, in the order a reader meets them.
pub(crate) const WORDS: [&str; 6] = [
    "not-started",
    "on-track",
    "at-risk",
    "off-track",
    "complete",
    "paused",
];

/// A checked status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Status {
    /// The word as the content model spells it (`on-track`).
    pub word: String,
    /// For display (`On track`).
    pub label: String,
}

impl Status {
    /// A status word, exactly as written; anything else is `None`.
    pub(crate) fn parse(s: &str) -> Option<Status> {
        WORDS.contains(&s).then(|| Status {
            word: s.to_string(),
            label: label(s),
        })
    }
}

/// The allowed words, for a message: "`not-started`, `on-track`, …".
pub(crate) fn word_list() -> String {
    WORDS
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `on-track` → `On track`.
pub(crate) fn label(word: &str) -> String {
    let spaced = word.replace('-', " ");
    let mut c = spaced.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Case, spaces, hyphens and underscores ignored.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The word someone probably meant: the same word differently written
/// (`On Track`), one of the words teams commonly use (`green`, `amber`,
/// `red`, `done`, `on hold`), or the closest spelling.
pub(crate) fn suggest(written: &str) -> Option<&'static str> {
    let w = squash(written);
    if let Some(word) = WORDS.iter().find(|x| squash(x) == w) {
        return Some(word);
    }
    let common: &[(&str, &str)] = &[
        ("green", "on-track"),
        ("amber", "at-risk"),
        ("yellow", "at-risk"),
        ("red", "off-track"),
        ("completed", "complete"),
        ("done", "complete"),
        ("finished", "complete"),
        ("delivered", "complete"),
        ("onhold", "paused"),
        ("hold", "paused"),
        ("notyetstarted", "not-started"),
        ("notstarted", "not-started"),
        ("planned", "not-started"),
        ("delayed", "at-risk"),
    ];
    if let Some((_, word)) = common.iter().find(|(k, _)| *k == w) {
        return Some(word);
    }
    crate::diagnostics::closest(written, WORDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_cover_common_words_case_and_spaces() {
        assert_eq!(suggest("Green"), Some("on-track"));
        assert_eq!(suggest("AMBER"), Some("at-risk"));
        assert_eq!(suggest("red"), Some("off-track"));
        assert_eq!(suggest("Completed"), Some("complete"));
        assert_eq!(suggest("done"), Some("complete"));
        assert_eq!(suggest("On hold"), Some("paused"));
        assert_eq!(suggest("On Track"), Some("on-track"));
        assert_eq!(suggest("on_track"), Some("on-track"));
        assert_eq!(suggest("on-trak"), Some("on-track"));
        assert_eq!(suggest("purple"), None);
        assert!(Status::parse("On track").is_none());
        assert_eq!(Status::parse("at-risk").unwrap().label, "At risk");
    }
}
