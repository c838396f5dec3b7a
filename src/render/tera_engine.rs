//! The Tera backend: the only module that names `tera`. It compiles the
//! template layers the [`Engine`](super::engine::Engine) gathered,
//! registers Zola's functions and filters through thin adapters over
//! [`super::functions`], renders from plain JSON contexts, and turns Tera's
//! errors into located diagnostics.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::render::engine::{Backend, Callable, Origin};
use crate::render::functions;

pub(crate) struct TeraBackend {
    tera: tera::Tera,
}

impl TeraBackend {
    pub(crate) fn new(
        origins: &HashMap<String, Origin>,
        callables: &HashMap<String, Callable>,
        config: &Arc<Config>,
    ) -> Result<TeraBackend, Vec<Diagnostic>> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        let mut sorted: Vec<(&String, &Origin)> = origins.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let raw: Vec<(&str, &str)> = sorted.iter().map(|(n, o)| (n.as_str(), &*o.text)).collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            return Err(vec![template_error(&e, origins, None)]);
        }
        for (name, body) in callables {
            let body = body.clone();
            tera.register_function(
                name,
                Func {
                    call: move |args: &HashMap<String, tera::Value>| {
                        body(args).map_err(tera::Error::msg)
                    },
                    safe: functions::SAFE_ANSWERS.contains(&name.as_str()),
                },
            );
        }
        register_filters(&mut tera, config);
        Ok(TeraBackend { tera })
    }
}

impl Backend for TeraBackend {
    fn render(
        &self,
        name: &str,
        context: &mut Map<String, Value>,
        origins: &HashMap<String, Origin>,
    ) -> Result<String, Diagnostic> {
        // Moved into Tera's context and back: no value is copied.
        let ctx = tera::Context::from_value(Value::Object(std::mem::take(context)))
            .map_err(|e| Diagnostic::error(format!("internal: bad template context: {e}")))?;
        let html = self.tera.render(name, &ctx);
        if let Value::Object(m) = ctx.into_json() {
            *context = m;
        }
        html.map_err(|e| template_error(&e, origins, Some(name)))
    }
}

/// Find ` --> L:C` or `line L` in Tera's message chain.
fn line_of(text: &str) -> Option<(usize, usize)> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"-->\s*(\d+):(\d+)").expect("static regex"));
    let c = re.captures(text)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

fn chain(e: &tera::Error) -> Vec<String> {
    let mut parts = vec![e.to_string()];
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    parts
}

/// A located diagnostic for a Tera error.
fn template_error(
    e: &tera::Error,
    origins: &HashMap<String, Origin>,
    rendering: Option<&str>,
) -> Diagnostic {
    let parts = chain(e);
    let full = parts.join("\n");
    // The template at fault: the first quoted name Tera mentions that we know.
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let name_re = NAME.get_or_init(|| regex::Regex::new(r"'([^']+)'").expect("static regex"));
    let named = name_re
        .captures_iter(&full)
        .map(|c| c[1].to_string())
        .filter(|n| origins.contains_key(n))
        .last()
        .or_else(|| rendering.map(str::to_string));
    let detail = parts.last().cloned().unwrap_or_default();
    let detail_line = detail
        .lines()
        .find(|l| {
            !l.trim().is_empty()
                && !l.trim_start().starts_with("-->")
                && !l.trim_start().starts_with('|')
                && !l.trim_start().starts_with(char::is_numeric)
        })
        .unwrap_or(&detail)
        .trim()
        .to_string();
    let message = if parts.len() > 1 && !detail_line.is_empty() {
        format!("template error: {}", plain_tera(&detail_line))
    } else {
        format!(
            "template error: {}",
            plain_tera(parts[0].lines().next().unwrap_or(""))
        )
    };
    let mut d = Diagnostic::error(message).with_hint(
        "check the template at this line; variables that may be missing can be guarded with `{% if x %}` or `| default(value=…)`",
    );
    if let Some(name) = named {
        if let Some(o) = origins.get(&name) {
            d = match line_of(&full).or_else(|| culprit_at(&full, &o.text)) {
                Some((l, c)) => d.at(Location::from_line(&o.path, &o.text, l, c)),
                None => d.in_file(&o.path),
            };
        } else {
            d = d.in_file(name);
        }
    }
    d
}

/// Tera gives no line for an error while rendering; find the first place
/// in the template that names what failed (a variable, a function or a
/// filter) inside `{{ … }}` or `{% … %}`.
fn culprit_at(message: &str, text: &str) -> Option<(usize, usize)> {
    static WHAT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let what = WHAT.get_or_init(|| {
        regex::Regex::new(r"Variable `([^`]+)` not found|Function call '([^']+)' failed|Filter call '([^']+)' failed")
            .expect("static regex")
    });
    let c = what.captures(message)?;
    let needle = if let Some(v) = c.get(1) {
        v.as_str().to_string()
    } else if let Some(f) = c.get(2) {
        format!("{}(", f.as_str())
    } else {
        c.get(3)?.as_str().to_string()
    };
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let at = from + i;
        from = at + needle.len();
        // Only inside a tag, and not part of a longer name.
        let before = &text[..at];
        let open = before.rfind("{{").max(before.rfind("{%"));
        let close = before.rfind("}}").max(before.rfind("%}"));
        let inside = match (open, close) {
            (Some(o), Some(c)) => o > c,
            (Some(_), None) => true,
            _ => false,
        };
        let boundary = !before
            .chars()
            .last()
            .is_some_and(|ch| ch.is_alphanumeric() || ch == '_' || ch == '.');
        if inside && boundary {
            let line = before.matches('\n').count() + 1;
            let col = before[before.rfind('\n').map_or(0, |n| n + 1)..]
                .chars()
                .count()
                + 1;
            return Some((line, col));
        }
    }
    None
}

fn plain_tera(s: &str) -> String {
    s.trim().trim_start_matches("= ").to_string()
}

struct Func<F> {
    call: F,
    /// Printed unescaped (`functions::SAFE_ANSWERS`).
    safe: bool,
}

impl<F> tera::Function for Func<F>
where
    F: Fn(&HashMap<String, tera::Value>) -> tera::Result<tera::Value> + Sync + Send,
{
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        (self.call)(args)
    }

    fn is_safe(&self) -> bool {
        self.safe
    }
}

/// Zola's filters.
fn register_filters(tera: &mut tera::Tera, config: &Arc<Config>) {
    let cfg = config.clone();
    tera.register_filter(
        "markdown",
        move |v: &tera::Value, args: &HashMap<String, tera::Value>| {
            let s = v
                .as_str()
                .ok_or_else(|| tera::Error::msg("`markdown` filters text"))?;
            functions::markdown_filter(s, args, &cfg).map_err(tera::Error::msg)
        },
    );
    tera.register_filter(
        "regex_replace",
        |v: &tera::Value, args: &HashMap<String, tera::Value>| {
            let s = v
                .as_str()
                .ok_or_else(|| tera::Error::msg("`regex_replace` filters text"))?;
            functions::regex_replace(s, args).map_err(tera::Error::msg)
        },
    );
    tera.register_filter(
        "num_format",
        |v: &tera::Value, args: &HashMap<String, tera::Value>| {
            functions::num_format(v, args).map_err(tera::Error::msg)
        },
    );
    tera.register_filter(
        "base64_encode",
        |v: &tera::Value, _: &HashMap<String, tera::Value>| {
            let s = v
                .as_str()
                .ok_or_else(|| tera::Error::msg("`base64_encode` filters text"))?;
            Ok(functions::base64_encode(s))
        },
    );
    tera.register_filter(
        "base64_decode",
        |v: &tera::Value, _: &HashMap<String, tera::Value>| {
            let s = v
                .as_str()
                .ok_or_else(|| tera::Error::msg("`base64_decode` filters text"))?;
            functions::base64_decode(s).map_err(tera::Error::msg)
        },
    );
}

#[cfg(test)]
mod tests {
    use super::culprit_at;

    #[test]
    fn the_culprit_is_found_inside_tags_only() {
        let text =
            "page.x in text\n<p>{{ subpage.x }}</p>\n<p>{{ a | default(value=page.x) }}</p>\n";
        let msg = "Variable `page.x` not found in context while rendering 'p.html'";
        assert_eq!(culprit_at(msg, text), Some((3, 25)));
        let f = "Function call 'get_page' failed";
        assert_eq!(
            culprit_at(f, "x\n{% set p = get_page(path=1) %}"),
            Some((2, 12))
        );
        assert_eq!(culprit_at("something else", text), None);
    }
}
