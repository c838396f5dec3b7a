//! A plugin written the way another team would write one: only the public
//! API, as `docs/plugins.md` describes it. It adds a generated page, a
//! template variable and a function, and reports an error with a source
//! location.

mod common;

use std::sync::Arc;

use serde_json::{json, Map, Value};
use throughline::config::Config;
use throughline::diagnostics::{Diagnostic, Diagnostics};
use throughline::plugin::{Function, GeneratedPage, Plugin, RenderCx, Template};
use throughline::site::{Item, Site};

use common::{by_id, TestSite};

/// A glossary: pages define a term with `[extra] glossary = "Term"`; the
/// plugin lists them all on `/glossary/`, tells every page how many terms
/// there are, and rejects a term that is not text.
#[derive(Default)]
struct Glossary {
    terms: Arc<Vec<(String, String)>>,
}

impl Plugin for Glossary {
    fn name(&self) -> &str {
        "glossary"
    }

    fn site_loaded(&mut self, site: &Site, _config: &Config, diags: &Diagnostics) {
        let mut terms = Vec::new();
        for page in &site.pages {
            match page.meta.extra.get("glossary") {
                None => {}
                Some(toml::Value::String(term)) => {
                    terms.push((term.clone(), page.permalink.clone()));
                }
                Some(_) => diags.push(
                    Diagnostic::error("`glossary` should be the term, in quotes")
                        .at(page.locate("extra.glossary"))
                        .with_hint("for example: glossary = \"Integrated care board\""),
                ),
            }
        }
        terms.sort();
        self.terms = Arc::new(terms);
    }

    fn templates(&self) -> Vec<Template> {
        vec![Template {
            name: "glossary.html".into(),
            source: "<h1>Glossary</h1><ul id=\"terms\">{% for t in terms %}<li><a href=\"{{ t.1 }}\">{{ t.0 }}</a></li>{% endfor %}</ul>".into(),
        }]
    }

    fn functions(&self) -> Vec<Function> {
        let terms = self.terms.clone();
        vec![Function::new("glossary_url", move |args| {
            let term = args.get("term").and_then(Value::as_str).unwrap_or("");
            terms
                .iter()
                .find(|(t, _)| t == term)
                .map(|(_, url)| json!(url))
                .ok_or_else(|| format!("no glossary term `{term}`"))
        })]
    }

    fn extend_context(
        &self,
        _cx: &RenderCx<'_>,
        _item: Item,
        context: &mut Map<String, Value>,
    ) -> Result<(), Diagnostic> {
        context.insert("glossary_count".into(), json!(self.terms.len()));
        Ok(())
    }

    fn generated_pages(&self, _cx: &RenderCx<'_>) -> Vec<GeneratedPage> {
        let mut context = Map::new();
        context.insert("terms".into(), json!(*self.terms));
        vec![GeneratedPage {
            path: "/glossary/".into(),
            template: "glossary.html".into(),
            context,
            in_sitemap: true,
        }]
    }
}

fn site() -> TestSite {
    TestSite::from_files(&[
        ("config.toml", "base_url = \"https://g.example\"\n"),
        ("content/_index.md", "+++\n+++\n"),
        (
            "content/icb.md",
            "+++\ntitle = \"ICB\"\n[extra]\nglossary = \"Integrated care board\"\n+++\n",
        ),
        (
            "content/pcn.md",
            "+++\ntitle = \"PCN\"\n[extra]\nglossary = \"Primary care network\"\n+++\n",
        ),
        (
            "templates/page.html",
            "<p id=\"count\">{{ glossary_count }} terms; see {{ glossary_url(term=\"Primary care network\") }}</p>",
        ),
    ])
}

fn plugins() -> Vec<Box<dyn Plugin>> {
    let mut p = throughline::default_plugins();
    p.push(Box::new(Glossary::default()));
    p
}

#[test]
fn a_plugin_adds_a_page_a_variable_and_a_function() {
    let site = site();
    throughline::build_with(&site.options(), plugins()).unwrap_or_else(|e| panic!("{e:#?}"));
    let glossary = site.read("glossary/index.html");
    assert!(glossary
        .replace("&#x2F;", "/")
        .contains("<li><a href=\"https://g.example/icb/\">Integrated care board</a></li><li><a href=\"https://g.example/pcn/\">Primary care network</a></li>"));
    assert_eq!(
        by_id(&site.read("icb/index.html"), "count").replace("&#x2F;", "/"),
        "2 terms; see https://g.example/pcn/"
    );
    assert!(site
        .read("sitemap.xml")
        .contains("<loc>https://g.example/glossary/</loc>"));
}

#[test]
fn without_the_plugin_there_is_no_glossary() {
    let site = site();
    site.write("templates/page.html", "<p>{{ page.title }}</p>");
    throughline::build(&site.options()).unwrap();
    assert!(!site.public().join("glossary").exists());
}

#[test]
fn a_plugin_error_points_at_the_value() {
    let site = site();
    site.write(
        "content/pcn.md",
        "+++\ntitle = \"PCN\"\n[extra]\nglossary = 3\n+++\n",
    );
    let failed = throughline::build_with(&site.options(), plugins()).unwrap_err();
    let d = failed
        .diagnostics
        .iter()
        .find(|d| d.message.contains("glossary"))
        .expect("the plugin's error");
    let l = d.location.as_ref().unwrap();
    assert!(l.file.ends_with("content/pcn.md"));
    assert_eq!((l.line, l.column), (4, 12));
    assert_eq!(l.source_line, "glossary = 3");
    assert!(!site.public().exists(), "a failed build writes nothing");
}
