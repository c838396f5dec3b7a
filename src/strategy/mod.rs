//! The strategy plugin: priorities, commitments, programmes and measures
//! (content model §2–§4, §6), read from their sections, checked, resolved
//! both ways and given to templates. The core pipeline knows nothing of
//! this module; it joins through [`crate::plugin::Plugin`] like any other.

pub mod data;
pub mod graph;
pub mod measure;
pub mod settings;
pub mod status;

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diagnostics::{closest, Diagnostic, Diagnostics};
use crate::plugin::{Args, Function, Plugin, RenderCx, Template};
use crate::site::{Item, Site};

pub use graph::{Entity, Graph};
pub use settings::{Kind, Settings};

/// The graph and its template data, shared with template functions.
#[derive(Debug, Default)]
pub struct State {
    pub graph: Graph,
    pub data: data::Data,
}

/// The plugin. [`crate::build::default_plugins`] includes it.
#[derive(Debug, Default)]
pub struct StrategyPlugin {
    state: Arc<State>,
}

/// Built-in templates, so that any theme can show the strategy. Their
/// source is the default theme's (one copy, embedded twice): a site with its
/// own theme gets them from here, a site with the default theme from it.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "strategy/macros.html",
        include_str!("../../themes/throughline/templates/strategy/macros.html"),
    ),
    (
        "strategy/links.html",
        include_str!("../../themes/throughline/templates/strategy/links.html"),
    ),
    (
        "strategy/plan.html",
        include_str!("../../themes/throughline/templates/strategy/plan.html"),
    ),
    (
        "shortcodes/plan_on_a_page.html",
        include_str!("../../themes/throughline/templates/shortcodes/plan_on_a_page.html"),
    ),
];

fn get_entity(state: &State, args: &Args) -> Result<Value, String> {
    let kind_arg = match args.get("kind") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err(
            "`get_entity` needs `kind`: \"priority\", \"commitment\", \"programme\" or \"measure\""
                .into(),
        ),
    };
    let kind = Kind::parse(kind_arg).ok_or_else(|| {
        format!("`{kind_arg}` is not a kind of entity: use \"priority\", \"commitment\", \"programme\" or \"measure\"")
    })?;
    let id = match args.get("id") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err("`get_entity` needs `id`, the entity's slug".into()),
    };
    let g = &state.graph;
    match g.index(kind, id) {
        Some(i) => Ok(state.data.entities[kind.index()][i].clone()),
        None => Err(match closest(id, g.ids(kind)) {
            Some(c) => format!(
                "there is no {} `{id}`; did you mean `{c}`?",
                kind.singular()
            ),
            None => format!("there is no {} `{id}`", kind.singular()),
        }),
    }
}

impl Plugin for StrategyPlugin {
    fn name(&self) -> &str {
        "strategy"
    }

    fn site_loaded(&mut self, site: &Site, config: &Config, diags: &Diagnostics) {
        let graph = Graph::build(site, config, diags);
        let data = data::Data::new(&graph, site);
        self.state = Arc::new(State { graph, data });
    }

    fn templates(&self) -> Vec<Template> {
        TEMPLATES
            .iter()
            .map(|(name, source)| Template {
                name: name.to_string(),
                source: source.to_string(),
            })
            .collect()
    }

    fn functions(&self) -> Vec<Function> {
        let s = self.state.clone();
        let s2 = self.state.clone();
        vec![
            Function::new("get_entity", move |args| get_entity(&s, args)),
            Function::new("get_strategy", move |_| Ok(s2.data.graph.clone())),
        ]
    }

    fn template_for(&self, cx: &RenderCx<'_>, item: Item) -> Option<String> {
        let Item::Page(pid) = item else {
            return None;
        };
        let e = self.state.graph.of_page(pid)?;
        let name = format!("strategy/{}.html", e.kind.singular());
        cx.has_template(&name).then_some(name)
    }

    fn extend_context(
        &self,
        cx: &RenderCx<'_>,
        item: Item,
        ctx: &mut Map<String, Value>,
    ) -> Result<(), Diagnostic> {
        let g = &self.state.graph;
        match item {
            Item::Page(pid) => {
                let Some((kind, i)) = g.index_of_page(pid) else {
                    return Ok(());
                };
                let value = self.state.data.entities[kind.index()][i].clone();
                // With Zola's plain page template, the links follow the
                // page's own text, so any theme shows them.
                if cx.template == Some("page.html") {
                    let mut c = Map::new();
                    c.insert("entity".into(), value.clone());
                    c.insert(
                        "config".into(),
                        ctx.get("config").cloned().unwrap_or_default(),
                    );
                    let links = cx.render("strategy/links.html", c)?;
                    if let Some(Value::String(content)) =
                        ctx.get_mut("page").and_then(|p| p.get_mut("content"))
                    {
                        content.push_str(&links);
                    }
                }
                ctx.insert("entity".into(), value);
            }
            Item::Section(sid) => {
                let section = &cx.site.sections[sid];
                if g.kind_of_section(sid) == Some(Kind::Priority)
                    && !section.source.body().contains("plan_on_a_page")
                    && section.meta.extra.get("plan_on_a_page")
                        != Some(&toml::Value::Boolean(false))
                    && !g.entities[Kind::Programme.index()].is_empty()
                {
                    let mut c = Map::new();
                    c.insert("strategy".into(), self.state.data.graph.clone());
                    let plan = cx.render("strategy/plan.html", c)?;
                    if let Some(Value::String(content)) =
                        ctx.get_mut("section").and_then(|p| p.get_mut("content"))
                    {
                        content.push_str(&plan);
                    }
                }
                // The whole graph for the index and the strategy's own
                // sections (not for every section: it is large).
                if section.is_index() || g.kind_of_section(sid).is_some() {
                    ctx.insert("strategy".into(), self.state.data.graph.clone());
                }
            }
        }
        Ok(())
    }
}
