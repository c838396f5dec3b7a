//! The MiniJinja backend: the only module that names `minijinja`. Like
//! [`super::tera_engine`], it compiles the template layers the
//! [`Engine`](super::engine::Engine) gathered, exposes the same functions
//! and filters through thin adapters over [`super::functions`], renders
//! from the same JSON contexts, and turns MiniJinja's errors into located
//! diagnostics.
//!
//! Templates are Jinja2 as MiniJinja has it. Besides Zola's filters
//! (`markdown`, `regex_replace`, `num_format`, `base64_encode`,
//! `base64_decode`), a few of Tera's that Zola themes lean on and Jinja
//! lacks are here under Tera's names: `date`, `escape_xml`, `slugify`,
//! `striptags`, `truncate`, `capitalize`, `pluralize`, `trim_start_matches`,
//! `trim_end_matches`, `json_encode`, and the tests `starting_with`,
//! `ending_with` and `containing`; `default` and `join` also take Tera's
//! keywords (`value=`, `sep=`).

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::value::{Kwargs, Value as MjValue};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior};
use serde_json::{Map, Value};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::render::engine::{Backend, Callable, Origin};
use crate::render::functions::{self, Args};

pub(crate) struct JinjaBackend {
    env: Environment<'static>,
}

fn fail(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

/// Keyword arguments as the shared functions take them.
fn args_of(kwargs: &Kwargs) -> Result<Args, Error> {
    let mut args = Args::new();
    for key in kwargs.args() {
        let v: MjValue = kwargs.get(key)?;
        let json = serde_json::to_value(&v).map_err(|e| fail(e.to_string()))?;
        args.insert(key.to_string(), json);
    }
    Ok(args)
}

fn to_json(v: &MjValue) -> Result<Value, Error> {
    serde_json::to_value(v).map_err(|e| fail(e.to_string()))
}

impl JinjaBackend {
    pub(crate) fn new(
        origins: &HashMap<String, Origin>,
        callables: &HashMap<String, Callable>,
        config: &Arc<Config>,
    ) -> Result<JinjaBackend, Vec<Diagnostic>> {
        let mut env = Environment::new();
        // As Tera: the text is written as it is, its last line break too,
        // and printing something undefined is an error (testing it is not).
        env.set_keep_trailing_newline(true);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        // Escaped as Tera escapes (`/` as `&#x2F;`), so the same page is the
        // same bytes on either engine.
        env.set_formatter(|out, state, value| {
            let plain = value
                .as_str()
                .filter(|_| !value.is_safe() && matches!(state.auto_escape(), AutoEscape::Html));
            match plain {
                Some(text) => out
                    .write_str(&functions::escape_html(text))
                    .map_err(|e| fail(e.to_string())),
                None => minijinja::escape_formatter(out, state, value),
            }
        });
        env.set_auto_escape_callback(|name| {
            if [".html", ".htm", ".xml"].iter().any(|e| name.ends_with(e)) {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        let mut diags = Vec::new();
        let mut sorted: Vec<(&String, &Origin)> = origins.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        for (name, origin) in sorted {
            if let Err(e) = env.add_template_owned(name.clone(), origin.text.to_string()) {
                diags.push(template_error(&e, origins, Some(name)));
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        for (name, body) in callables {
            let body = body.clone();
            let safe = functions::SAFE_ANSWERS.contains(&name.as_str());
            env.add_function(
                name.clone(),
                move |kwargs: Kwargs| -> Result<MjValue, Error> {
                    let args = args_of(&kwargs)?;
                    body(&args)
                        .map(|v| match v {
                            serde_json::Value::String(s) if safe => MjValue::from_safe_string(s),
                            v => MjValue::from_serialize(&v),
                        })
                        .map_err(fail)
                },
            );
        }
        register_filters(&mut env, config);
        Ok(JinjaBackend { env })
    }
}

impl Backend for JinjaBackend {
    fn render(
        &self,
        name: &str,
        context: &mut Map<String, Value>,
        origins: &HashMap<String, Origin>,
    ) -> Result<String, Diagnostic> {
        let template = self
            .env
            .get_template(name)
            .map_err(|e| template_error(&e, origins, Some(name)))?;
        template
            .render(MjValue::from_serialize(&*context))
            .map_err(|e| template_error(&e, origins, Some(name)))
    }
}

/// A located diagnostic for a MiniJinja error: the template and line it
/// names (the innermost one for an error in an included template), and the
/// column from the span when it has one.
fn template_error(
    e: &Error,
    origins: &HashMap<String, Origin>,
    rendering: Option<&str>,
) -> Diagnostic {
    let mut detail = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        detail.push_str(&format!(" ({s})"));
        src = s.source();
    }
    let mut d = Diagnostic::error(format!("template error: {detail}")).with_hint(
        "check the template at this line; something that may be missing can be tested with `{% if x is defined %}` or given `| default(\"…\")`",
    );
    let name = e.name().or(rendering);
    if let Some(o) = name.and_then(|n| origins.get(n)) {
        d = match e.line() {
            Some(line) => {
                let column = e
                    .range()
                    .map(|r| {
                        let start = r.start.min(o.text.len());
                        let line_start = o.text[..start].rfind('\n').map_or(0, |i| i + 1);
                        o.text[line_start..start].chars().count() + 1
                    })
                    .unwrap_or(1);
                d.at(Location::from_line(&o.path, &o.text, line, column))
            }
            None => d.in_file(&o.path),
        };
    } else if let Some(n) = name {
        d = d.in_file(n);
    }
    d
}

fn text_of(v: &MjValue, filter: &str) -> Result<String, Error> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| fail(format!("`{filter}` filters text, not {}", v.kind())))
}

/// Zola's filters, and Tera's that Zola themes use and Jinja lacks.
fn register_filters(env: &mut Environment<'static>, config: &Arc<Config>) {
    // Jinja's `default` and `join`, also taking Tera's keyword
    // (`default(value=…)`, `join(sep=…)`), so templates written for both
    // engines work on either.
    env.add_filter(
        "default",
        |v: MjValue, fallback: Option<MjValue>, kwargs: Kwargs| -> Result<MjValue, Error> {
            let fallback = match fallback {
                Some(f) => f,
                None => kwargs
                    .get::<Option<MjValue>>("value")?
                    .unwrap_or_else(|| MjValue::from("")),
            };
            let boolean = kwargs.get::<Option<bool>>("boolean")?.unwrap_or(false);
            // As Tera: a value that is not set (JSON null) takes the default too.
            Ok(
                if v.is_undefined() || v.is_none() || (boolean && !v.is_true()) {
                    fallback
                } else {
                    v
                },
            )
        },
    );
    env.add_filter(
        "join",
        |v: MjValue, joiner: Option<String>, kwargs: Kwargs| -> Result<String, Error> {
            let sep = match joiner {
                Some(j) => j,
                None => kwargs.get::<Option<String>>("sep")?.unwrap_or_default(),
            };
            let items: Vec<String> = v.try_iter()?.map(|i| i.to_string()).collect();
            Ok(items.join(&sep))
        },
    );
    let cfg = config.clone();
    env.add_filter(
        "markdown",
        move |v: MjValue, kwargs: Kwargs| -> Result<MjValue, Error> {
            let s = text_of(&v, "markdown")?;
            let out = functions::markdown_filter(&s, &args_of(&kwargs)?, &cfg).map_err(fail)?;
            Ok(MjValue::from_safe_string(
                out.as_str().unwrap_or_default().to_string(),
            ))
        },
    );
    env.add_filter(
        "regex_replace",
        |v: MjValue, kwargs: Kwargs| -> Result<MjValue, Error> {
            let s = text_of(&v, "regex_replace")?;
            let out = functions::regex_replace(&s, &args_of(&kwargs)?).map_err(fail)?;
            Ok(MjValue::from_serialize(&out))
        },
    );
    env.add_filter(
        "num_format",
        |v: MjValue, kwargs: Kwargs| -> Result<MjValue, Error> {
            let out = functions::num_format(&to_json(&v)?, &args_of(&kwargs)?).map_err(fail)?;
            Ok(MjValue::from_serialize(&out))
        },
    );
    env.add_filter("base64_encode", |v: MjValue| -> Result<MjValue, Error> {
        Ok(MjValue::from_serialize(functions::base64_encode(&text_of(
            &v,
            "base64_encode",
        )?)))
    });
    env.add_filter("base64_decode", |v: MjValue| -> Result<MjValue, Error> {
        let out = functions::base64_decode(&text_of(&v, "base64_decode")?).map_err(fail)?;
        Ok(MjValue::from_serialize(&out))
    });
    env.add_filter(
        "date",
        |v: MjValue, kwargs: Kwargs| -> Result<String, Error> {
            let format: Option<String> = kwargs.get("format")?;
            let locale: Option<String> = kwargs.get("locale")?;
            functions::date_filter(&to_json(&v)?, format.as_deref(), locale.as_deref())
                .map_err(fail)
        },
    );
    env.add_filter("escape_xml", |v: MjValue| -> Result<MjValue, Error> {
        let s = if v.is_undefined() || v.is_none() {
            String::new()
        } else {
            v.to_string()
        };
        Ok(MjValue::from_safe_string(functions::escape_xml(&s)))
    });
    let slug_mode = config.slugify.paths;
    env.add_filter("slugify", move |v: MjValue| -> Result<String, Error> {
        Ok(crate::slug::slugify(&text_of(&v, "slugify")?, slug_mode))
    });
    env.add_filter("striptags", |v: MjValue| -> Result<String, Error> {
        Ok(functions::strip_tags(&v.to_string()))
    });
    env.add_filter(
        "truncate",
        |v: MjValue, length: Option<usize>, kwargs: Kwargs| -> Result<String, Error> {
            let s = text_of(&v, "truncate")?;
            let length = match length {
                Some(l) => Some(l),
                None => kwargs.get::<Option<usize>>("length")?,
            };
            let end: Option<String> = kwargs.get("end")?;
            Ok(functions::truncate(
                &s,
                length.unwrap_or(255),
                end.as_deref().unwrap_or("…"),
            ))
        },
    );
    env.add_filter("capitalize", |v: MjValue| -> Result<String, Error> {
        let s = text_of(&v, "capitalize")?;
        let mut chars = s.chars();
        Ok(match chars.next() {
            Some(c) => c
                .to_uppercase()
                .chain(chars.flat_map(char::to_lowercase))
                .collect(),
            None => String::new(),
        })
    });
    env.add_filter(
        "pluralize",
        |v: MjValue, kwargs: Kwargs| -> Result<String, Error> {
            let n = to_json(&v)?.as_f64().unwrap_or(0.0);
            let singular: Option<String> = kwargs.get("singular")?;
            let plural: Option<String> = kwargs.get("plural")?;
            Ok(if n == 1.0 {
                singular.unwrap_or_default()
            } else {
                plural.unwrap_or_else(|| "s".to_string())
            })
        },
    );
    env.add_filter(
        "trim_start_matches",
        |v: MjValue, kwargs: Kwargs| -> Result<String, Error> {
            let pat: String = kwargs.get("pat")?;
            Ok(text_of(&v, "trim_start_matches")?
                .trim_start_matches(pat.as_str())
                .to_string())
        },
    );
    env.add_filter(
        "trim_end_matches",
        |v: MjValue, kwargs: Kwargs| -> Result<String, Error> {
            let pat: String = kwargs.get("pat")?;
            Ok(text_of(&v, "trim_end_matches")?
                .trim_end_matches(pat.as_str())
                .to_string())
        },
    );
    env.add_filter("json_encode", |v: MjValue| -> Result<MjValue, Error> {
        let json = serde_json::to_string(&to_json(&v)?).map_err(|e| fail(e.to_string()))?;
        Ok(MjValue::from_safe_string(json))
    });
    env.add_test("starting_with", |v: MjValue, pat: String| -> bool {
        v.as_str().is_some_and(|s| s.starts_with(&pat))
    });
    env.add_test("ending_with", |v: MjValue, pat: String| -> bool {
        v.as_str().is_some_and(|s| s.ends_with(&pat))
    });
    env.add_test("containing", |v: MjValue, needle: MjValue| -> bool {
        match v.as_str() {
            Some(s) => needle.as_str().is_some_and(|n| s.contains(n)),
            None => v
                .try_iter()
                .map(|mut items| items.any(|i| i == needle))
                .unwrap_or(false),
        }
    });
}
