//! What each output and each Markdown body read (templates, function
//! calls, `@/` links) with the fingerprints it saw, and the answers those
//! have now: an output is made again only when one differs.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use crate::render::deps::{Call, Record};
use crate::render::{self, Engine};
use crate::site::Site;

/// What an output or a Markdown body read, with the fingerprints it saw.
#[derive(Default, Clone, PartialEq, Eq, Hash)]
pub(super) struct Read {
    pub(super) templates: Vec<(String, u64)>,
    pub(super) calls: Vec<(Call, Option<u64>)>,
}

impl Read {
    pub(super) fn new(record: Record, engine: &Engine) -> Read {
        Read {
            templates: record
                .templates
                .into_iter()
                .map(|t| {
                    let fp = engine.template_fp(&t);
                    (t, fp)
                })
                .collect(),
            calls: record.calls,
        }
    }
}

/// Template functions whose answers hold pages' values: a shortcode that
/// calls one reads other pages' bodies (their `word_count`, say).
pub(super) const READS_PAGES: &[&str] = &[
    "get_page",
    "get_all_pages",
    "get_section",
    "get_taxonomy",
    "get_taxonomy_term",
];

/// Whether the kept roads look at calls to this function again: it reads
/// pages ([`READS_PAGES`]) or is a plugin's.
pub(super) fn tracked(name: &str, plugin_functions: &[String]) -> bool {
    READS_PAGES.contains(&name) || plugin_functions.iter().any(|f| f == name)
}

/// How `@/` links resolve in this build, and what Markdown images measure.
pub(super) struct Links {
    pub(super) permalinks: HashMap<String, String>,
    pub(super) drafts: HashSet<String>,
    pub(super) images: Option<render::ImageFiles>,
}

impl Links {
    pub(super) fn new(site: &Site, config: &crate::config::Config) -> Links {
        Links {
            permalinks: site.permalinks(),
            drafts: site.drafts.iter().cloned().collect(),
            images: render::ImageFiles::new(site, config),
        }
    }

    pub(super) fn answer(&self, target: &str) -> Option<u64> {
        render::link_answer(self.permalinks.get(target), self.drafts.contains(target))
    }

    pub(super) fn image_answer(&self, out: &str) -> Option<u64> {
        render::image_answer(self.images.as_ref().and_then(|i| i.size(out)))
    }
}

/// A call the Markdown stage notes itself (`@link`, `@image`), not a
/// template function a shortcode called.
pub(super) fn noted_by_markdown(c: &Call) -> bool {
    c.name.starts_with('@')
}

/// The current answers to every template and call a set of records read,
/// each worked out once.
pub(super) struct Answers<'a> {
    pub(super) templates: HashMap<&'a str, u64>,
    pub(super) calls: HashMap<&'a Call, Option<u64>>,
}

impl Answers<'_> {
    pub(super) fn same(&self, read: &Read) -> bool {
        read.templates
            .iter()
            .all(|(t, fp)| self.templates.get(t.as_str()) == Some(fp))
            && read
                .calls
                .iter()
                .all(|(c, a)| self.calls.get(c).is_some_and(|now| now == a))
    }
}

pub(super) fn answers<'a>(engine: &Engine, reads: impl Iterator<Item = &'a Read>) -> Answers<'a> {
    answers_with(
        engine,
        reads,
        &Links {
            permalinks: HashMap::new(),
            drafts: HashSet::new(),
            images: None,
        },
    )
}

pub(super) fn answers_with<'a>(
    engine: &Engine,
    reads: impl Iterator<Item = &'a Read>,
    links: &Links,
) -> Answers<'a> {
    let mut templates: HashSet<&'a str> = HashSet::new();
    let mut calls: HashSet<&'a Call> = HashSet::new();
    for r in reads {
        templates.extend(r.templates.iter().map(|(t, _)| t.as_str()));
        calls.extend(r.calls.iter().map(|(c, _)| c));
    }
    let calls: Vec<&Call> = calls.into_iter().collect();
    Answers {
        templates: templates
            .into_iter()
            .map(|t| (t, engine.template_fp(t)))
            .collect(),
        calls: calls
            .par_iter()
            .map(|c| {
                let a = if c.name == "@link" {
                    links.answer(&c.args)
                } else if c.name == "@image" {
                    links.image_answer(&c.args)
                } else {
                    engine.answer(c)
                };
                (*c, a)
            })
            .collect(),
    }
}
