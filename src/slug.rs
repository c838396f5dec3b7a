//! Slugs for paths, taxonomy terms and heading anchors, with Zola's three
//! strategies (`[slugify]` in the config).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Transliterate to ASCII, lower-case, dashes between words.
    #[default]
    On,
    /// Keep the text, removing only characters unsafe in file names.
    Safe,
    /// Keep the text as it is.
    Off,
}

/// Slug for a path component or taxonomy term.
pub(crate) fn slugify(s: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::On => slug::slugify(s),
        Strategy::Safe => s
            .trim_end_matches([' ', '.'])
            .chars()
            .filter(|c| !r#"<>:"/\|?*"#.contains(*c))
            .collect(),
        Strategy::Off => s.to_string(),
    }
}

/// Slug for a heading id.
pub(crate) fn slugify_anchor(s: &str, strategy: Strategy) -> String {
    match strategy {
        Strategy::On => slug::slugify(s),
        Strategy::Safe | Strategy::Off => s.replace(|c: char| c.is_ascii_whitespace(), "_"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies() {
        assert_eq!(slugify("Héhé (hey)", Strategy::On), "hehe-hey");
        assert_eq!(slugify("dot. ", Strategy::Safe), "dot");
        assert_eq!(slugify("a:b", Strategy::Safe), "ab");
        assert_eq!(slugify("tes t", Strategy::Off), "tes t");
        assert_eq!(slugify_anchor("tes t", Strategy::Safe), "tes_t");
    }
}
