//! Taxonomies: the terms pages are filed under (`[taxonomies]` in front
//! matter), grouped by slug, each term's pages sorted newest first.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use crate::config::{Config, TaxonomyConfig};
use crate::diagnostics::{closest, Diagnostic, Diagnostics, Location};
use crate::site::{PageId, Site};
use crate::slug::slugify;

#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    /// `/tags/rust/`
    pub path: String,
    pub permalink: String,
    pub pages: Vec<PageId>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub config: TaxonomyConfig,
    /// `/tags/`
    pub path: String,
    pub permalink: String,
    pub terms: Vec<Term>,
}

pub fn collect(site: &Site, config: &Config, diags: &Diagnostics) -> Vec<Taxonomy> {
    let root = config
        .taxonomy_root
        .as_deref()
        .map(|r| format!("/{}", r.trim_matches('/')))
        .unwrap_or_default();
    // The default language's taxonomies, then each other language's, under
    // its prefix (`/fr/tags/`).
    let mut out: Vec<Taxonomy> = Vec::new();
    let mut langs: Vec<&str> = Vec::new();
    for lang in config.all_languages() {
        let defs = match config.languages.get(lang) {
            Some(o) => &o.taxonomies,
            None => &config.taxonomies,
        };
        for t in defs {
            let path = format!("{}{root}/{}/", config.lang_prefix(lang), t.slug);
            out.push(Taxonomy {
                config: t.clone(),
                permalink: config.permalink(&path),
                path,
                terms: Vec::new(),
            });
            langs.push(lang);
        }
    }
    let mut terms: Vec<BTreeMap<String, Term>> = vec![BTreeMap::new(); out.len()];
    // Under which spelling each page named each term: Zola keeps one term
    // per spelling, each sorted on its own, and merges them in the
    // spellings' byte order (one's pages, then the next's).
    // (Taxonomy, then term slug, then page.)
    type Spellings = HashMap<String, HashMap<PageId, String>>;
    let mut spelled: Vec<Spellings> = vec![HashMap::new(); out.len()];
    for (pid, page) in site.pages.iter().enumerate() {
        if !page.meta.render {
            continue;
        }
        for (name, values) in &page.meta.taxonomies {
            let found =
                (0..out.len()).find(|&i| langs[i] == page.lang && &out[i].config.name == name);
            let Some(ti) = found else {
                let names: Vec<&str> = (0..out.len())
                    .filter(|&i| langs[i] == page.lang)
                    .map(|i| out[i].config.name.as_str())
                    .collect();
                let in_lang = if page.lang == config.default_language {
                    String::new()
                } else {
                    format!(" for `{}` (`[languages.{}]`)", page.lang, page.lang)
                };
                let mut d = Diagnostic::error(format!(
                    "this page uses the taxonomy `{name}`, which the config does not define{in_lang}"
                ))
                .in_file(&page.file.path)
                .with_hint(match closest(name, names.iter().copied()) {
                    Some(b) => format!("did you mean `{b}`?"),
                    None => format!(
                        "add `taxonomies = [{{ name = \"{name}\" }}]` to the config, or remove it here"
                    ),
                });
                if let Some(span) = page.source.spans.key(&format!("taxonomies.{name}")) {
                    d = d.at(Location::from_span(
                        &page.file.path,
                        &page.source.text,
                        span,
                    ));
                }
                diags.push(d);
                continue;
            };
            for value in values {
                let slug = slugify(value, config.slugify.taxonomies);
                let path = format!("{}{}/", out[ti].path, slug);
                let term = terms[ti].entry(slug.clone()).or_insert_with(|| Term {
                    name: value.clone(),
                    slug: slug.clone(),
                    permalink: config.permalink(&path),
                    path,
                    pages: Vec::new(),
                });
                // Spellings of one slug ("Clean", "clean") are one term,
                // named by the first in byte order, as Zola's sort by name
                // and dedup leave it, whichever page comes first.
                if *value < term.name {
                    term.name = value.clone();
                }
                // A page once in a term, under its first spelling in
                // byte order (a hash lookup, not a scan of the term).
                match spelled[ti].entry(slug).or_default().entry(pid) {
                    Entry::Vacant(v) => {
                        v.insert(value.clone());
                        term.pages.push(pid);
                    }
                    Entry::Occupied(mut o) => {
                        if *value < *o.get() {
                            o.insert(value.clone());
                        }
                    }
                }
            }
        }
    }
    for (ti, tax) in out.iter_mut().enumerate() {
        let mut list: Vec<Term> = std::mem::take(&mut terms[ti]).into_values().collect();
        for term in &mut list {
            let of_term = &spelled[ti][&term.slug];
            let spelling = |pid: &PageId| &of_term[pid];
            term.pages.sort_by(|a, b| {
                let (pa, pb) = (&site.pages[*a], &site.pages[*b]);
                spelling(a)
                    .cmp(spelling(b))
                    .then_with(|| match (&pa.meta.date, &pb.meta.date) {
                        (Some(x), Some(y)) => y.cmp(x),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        (None, Some(_)) => std::cmp::Ordering::Greater,
                        (None, None) => std::cmp::Ordering::Equal,
                    })
                    .then_with(|| pa.permalink.cmp(&pb.permalink))
            });
        }
        // By slug, then name, as in Zola.
        list.sort_by(|a, b| a.slug.cmp(&b.slug).then_with(|| a.name.cmp(&b.name)));
        tax.terms = list;
    }
    out
}
