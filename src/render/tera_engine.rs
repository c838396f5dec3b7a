//! The Tera adapter: the only module that names `tera`. It loads the
//! template layers (built-ins, the default theme or the site's theme, the
//! site's own templates), exposes the engine-agnostic functions and filters
//! of [`super::functions`], renders templates from plain JSON contexts, and
//! turns Tera's errors into located diagnostics.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::{Hooks, ShortcodeKind};
use crate::plugin::Plugin;
use crate::render::deps::{self, Call};
use crate::render::functions::{self, Args, Functions};
use crate::render::theme;

/// Where a template came from, for error messages.
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// A template function as the engine calls it.
type Callable = Arc<dyn Fn(&Args) -> Result<Value, String> + Send + Sync>;

/// The answers' fingerprints of the function calls made since the
/// functions were last set (recording only).
type Answers = Arc<Mutex<HashMap<Call, Option<u64>>>>;

pub struct Engine {
    tera: tera::Tera,
    origins: HashMap<String, Origin>,
    shortcodes: BTreeMap<String, (ShortcodeKind, String)>,
    slot: Arc<RwLock<Option<Arc<Functions>>>>,
    /// Every function by name, to answer a recorded call again.
    callables: HashMap<String, Callable>,
    answers: Answers,
    /// Fingerprints of templates with everything they pull in.
    template_fps: Mutex<HashMap<String, u64>>,
    theme: Option<String>,
    /// `config` as templates see it, serialised once (for anchor links).
    config_value: Value,
}

/// Built-in templates Zola provides, under the names Zola gives them.
const BUILTINS: &[(&str, &str)] = &[
    (
        "__zola_builtins/atom.xml",
        include_str!("builtins/atom.xml"),
    ),
    ("__zola_builtins/rss.xml", include_str!("builtins/rss.xml")),
    (
        "__zola_builtins/sitemap.xml",
        include_str!("builtins/sitemap.xml"),
    ),
    (
        "__zola_builtins/robots.txt",
        include_str!("builtins/robots.txt"),
    ),
    (
        "__zola_builtins/split_sitemap_index.xml",
        include_str!("builtins/split_sitemap_index.xml"),
    ),
    (
        "__zola_builtins/anchor-link.html",
        include_str!("builtins/anchor-link.html"),
    ),
    (
        "__zola_builtins/404.html",
        include_str!("builtins/404.html"),
    ),
    (
        "__zola_builtins/shortcodes/youtube.html",
        include_str!("builtins/youtube.html"),
    ),
    (
        "__zola_builtins/shortcodes/vimeo.html",
        include_str!("builtins/vimeo.html"),
    ),
    (
        "__zola_builtins/shortcodes/gist.html",
        include_str!("builtins/gist.html"),
    ),
    (
        "__zola_builtins/shortcodes/streamable.html",
        include_str!("builtins/streamable.html"),
    ),
    ("internal/alias.html", include_str!("builtins/alias.html")),
    (
        "__throughline/blank.html",
        include_str!("builtins/blank.html"),
    ),
];

fn read_dir_templates(
    dir: &Path,
    prefix: &str,
    out: &mut Vec<(String, Origin)>,
    diags: &mut Vec<Diagnostic>,
) {
    if !dir.is_dir() {
        return;
    }
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy();
        if crate::load::is_ignored_name(&name) {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .unwrap_or(entry.path())
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        match std::fs::read(entry.path()) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => out.push((
                    format!("{prefix}{rel}"),
                    Origin {
                        path: entry.path().to_path_buf(),
                        text: Arc::from(text),
                    },
                )),
                Err(e) => diags.push(crate::load::invalid_utf8(
                    entry.path(),
                    e.as_bytes(),
                    e.utf8_error(),
                )),
            },
            Err(e) => diags.push(
                Diagnostic::error(format!("cannot read this template: {e}")).in_file(entry.path()),
            ),
        }
    }
}

impl Engine {
    /// Load all template layers. Parse errors are returned as diagnostics.
    pub fn load(
        root: &Path,
        config: Arc<Config>,
        plugins: &[Box<dyn Plugin>],
    ) -> Result<Engine, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        // Later layers override earlier ones by name.
        let mut layers: Vec<(String, Origin)> = Vec::new();
        for plugin in plugins {
            for t in plugin.templates() {
                layers.push((
                    t.name.clone(),
                    Origin {
                        path: PathBuf::from(format!("(built-in, {})/{}", plugin.name(), t.name)),
                        text: Arc::from(t.source.as_str()),
                    },
                ));
            }
        }
        for (name, text) in BUILTINS {
            layers.push((
                name.to_string(),
                Origin {
                    path: PathBuf::from(format!("(built-in)/{name}")),
                    text: Arc::from(*text),
                },
            ));
            if let Some(plain) = name.strip_prefix("__zola_builtins/") {
                layers.push((
                    plain.to_string(),
                    Origin {
                        path: PathBuf::from(format!("(built-in)/{name}")),
                        text: Arc::from(*text),
                    },
                ));
            }
        }
        match &config.theme {
            None => {
                for (name, text) in theme::default_templates() {
                    layers.push((
                        name.clone(),
                        Origin {
                            path: PathBuf::from(format!("(built-in theme)/templates/{name}")),
                            text: Arc::from(text.as_str()),
                        },
                    ));
                }
            }
            Some(theme_name) => {
                let dir = root.join("themes").join(theme_name);
                if !dir.is_dir() {
                    return Err(vec![Diagnostic::error(format!(
                        "the config names the theme `{theme_name}`, but there is no folder themes/{theme_name}"
                    ))
                    .in_file(Config::find(root))
                    .with_hint("put the theme in themes/ (for example with git submodule add), or remove the `theme` line to use the built-in theme")]);
                }
                let mut theme_templates = Vec::new();
                read_dir_templates(&dir.join("templates"), "", &mut theme_templates, &mut diags);
                for (name, origin) in theme_templates {
                    layers.push((format!("{theme_name}/templates/{name}"), origin.clone()));
                    layers.push((name, origin));
                }
            }
        }
        read_dir_templates(&root.join("templates"), "", &mut layers, &mut diags);

        let mut origins: HashMap<String, Origin> = HashMap::new();
        for (name, origin) in layers {
            origins.insert(name, origin);
        }
        let mut shortcodes = BTreeMap::new();
        for name in origins.keys() {
            let short = name
                .strip_prefix("shortcodes/")
                .or_else(|| name.strip_prefix("__zola_builtins/shortcodes/"));
            if let Some(s) = short {
                if let Some(n) = s.strip_suffix(".html") {
                    shortcodes
                        .entry(n.to_string())
                        .or_insert((ShortcodeKind::Html, name.clone()));
                } else if let Some(n) = s.strip_suffix(".md") {
                    shortcodes.insert(n.to_string(), (ShortcodeKind::Markdown, name.clone()));
                }
            }
        }
        // Site and theme shortcodes win over built-in ones of the same name.
        for name in origins.keys() {
            if let Some(s) = name.strip_prefix("shortcodes/") {
                if let Some(n) = s.strip_suffix(".html") {
                    shortcodes.insert(n.to_string(), (ShortcodeKind::Html, name.clone()));
                }
            }
        }

        let mut tera = tera::Tera::default();
        tera.autoescape_on(vec![".html", ".htm", ".xml"]);
        let mut sorted: Vec<(&String, &Origin)> = origins.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(b.0));
        let raw: Vec<(&str, &str)> = sorted.iter().map(|(n, o)| (n.as_str(), &*o.text)).collect();
        if let Err(e) = tera.add_raw_templates(raw) {
            diags.push(template_error(&e, &origins, None));
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let slot: Arc<RwLock<Option<Arc<Functions>>>> = Arc::new(RwLock::new(None));
        let answers: Answers = Arc::default();
        let mut callables = register(&mut tera, &slot, &config);
        for plugin in plugins {
            for f in plugin.functions() {
                let body = f.body.clone();
                callables.insert(f.name.clone(), Arc::new(move |a: &Args| body(a)));
            }
        }
        for (name, body) in &callables {
            let body = body.clone();
            let answers = answers.clone();
            let name = name.clone();
            tera.register_function(
                &name.clone(),
                Func(move |args: &HashMap<String, tera::Value>| {
                    let result = body(args);
                    if deps::recording() {
                        let call = Call::new(&name, args);
                        let fp = answer_fp(&answers, &call, || result.clone());
                        deps::note_call(call, fp);
                    }
                    result.map_err(tera::Error::msg)
                }),
            );
        }
        Ok(Engine {
            tera,
            origins,
            shortcodes,
            slot,
            callables,
            answers,
            template_fps: Mutex::default(),
            theme: config.theme.clone(),
            config_value: config.to_template_value(),
        })
    }

    /// Give the functions (`get_page`, …) the site they read.
    pub fn set_functions(&self, f: Arc<Functions>) {
        *self.slot.write().unwrap_or_else(|e| e.into_inner()) = Some(f);
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The fingerprint of what a recorded call answers now (`None` when it
    /// fails or the function is gone).
    pub fn answer(&self, call: &Call) -> Option<u64> {
        let f = self.callables.get(&call.name)?;
        answer_fp(&self.answers, call, || {
            let args: Args = serde_json::from_str(&call.args).unwrap_or_default();
            f(&args)
        })
    }

    /// The fingerprint of a template's text and of every template it
    /// extends, includes or imports, transitively (a missing template has
    /// a fingerprint of its own).
    pub fn template_fp(&self, name: &str) -> u64 {
        if let Some(fp) = self
            .template_fps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return *fp;
        }
        let mut fp = deps::Fp::new();
        for n in self.closure(name) {
            fp.str(&n);
            match self.origins.get(&n) {
                Some(o) => fp.str(&o.text),
                None => fp.str("\u{0}missing"),
            };
        }
        let fp = fp.finish();
        self.template_fps
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string(), fp);
        fp
    }

    /// `name` and every template it names in `extends`, `include` or
    /// `import`, transitively, in the order first met.
    fn closure(&self, name: &str) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut todo = vec![name.to_string()];
        while let Some(n) = todo.pop() {
            if seen.contains(&n) {
                continue;
            }
            if let Some(origin) = self.origins.get(&n) {
                todo.extend(template_deps(&origin.text));
            }
            seen.push(n);
        }
        seen
    }

    /// Whether the text of `name`, or of any template it extends, includes
    /// or imports (transitively), contains one of `needles`. Used to skip
    /// building values no template reads.
    pub fn reads(&self, name: &str, needles: &[&str]) -> bool {
        self.closure(name).iter().any(|n| {
            self.origins
                .get(n)
                .is_some_and(|o| needles.iter().any(|x| o.text.contains(x)))
        })
    }

    /// Whether a template of this name exists in any layer.
    pub fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    /// The first of `names` that exists.
    pub fn first_of<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names.iter().copied().find(|n| self.has(n))
    }

    /// Render `name` with `context` (a JSON object).
    pub fn render(&self, name: &str, context: &Value) -> Result<String, Diagnostic> {
        let map = match context {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        self.render_map(name, map)
    }

    /// The template `name` is rendered with: the site's or theme's, the
    /// theme's under its prefixed name, or a blank page for Zola's
    /// optional templates.
    pub fn resolve(&self, name: &str) -> Result<String, Diagnostic> {
        if self.has(name) {
            return Ok(name.to_string());
        }
        if let Some(t) = self
            .theme
            .as_ref()
            .map(|t| format!("{t}/templates/{name}"))
            .filter(|n| self.has(n))
        {
            return Ok(t);
        }
        if matches!(
            name,
            "index.html" | "section.html" | "page.html" | "single.html" | "list.html"
        ) {
            return Ok("__throughline/blank.html".to_string());
        }
        let names: Vec<&str> = self
            .origins
            .keys()
            .map(String::as_str)
            .filter(|n| !n.starts_with("__"))
            .collect();
        let d = Diagnostic::error(format!("the template `{name}` does not exist"));
        Err(match crate::diagnostics::closest(name, names) {
            Some(b) => d.with_hint(format!(
                "did you mean `{b}`? Templates are looked up in templates/, then in the theme"
            )),
            None => d.with_hint(format!(
                "add templates/{name}, or name an existing template in `template = …`"
            )),
        })
    }

    /// Render `name` with a context map, moved into the engine without
    /// another copy (page contexts are large).
    pub fn render_map(
        &self,
        name: &str,
        context: Map<String, Value>,
    ) -> Result<String, Diagnostic> {
        let resolved = self.resolve(name)?;
        deps::note_template(&resolved);
        let ctx = tera::Context::from_value(Value::Object(context))
            .map_err(|e| Diagnostic::error(format!("internal: bad template context: {e}")))?;
        self.tera
            .render(&resolved, &ctx)
            .map_err(|e| template_error(&e, &self.origins, Some(&resolved)))
    }
}

impl Hooks for Engine {
    fn shortcode_kind(&self, name: &str) -> Option<ShortcodeKind> {
        self.shortcodes.get(name).map(|s| s.0)
    }

    fn shortcode_names(&self) -> Vec<String> {
        self.shortcodes.keys().cloned().collect()
    }

    fn render_shortcode(
        &self,
        name: &str,
        args: &Map<String, Value>,
        body: Option<&str>,
        nth: usize,
        context: &Value,
    ) -> Result<String, String> {
        let (_, template) = self
            .shortcodes
            .get(name)
            .ok_or_else(|| format!("no shortcode `{name}`"))?;
        let mut ctx = match context {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        for (k, v) in args {
            ctx.insert(k.clone(), v.clone());
        }
        ctx.insert("nth".into(), Value::from(nth));
        if let Some(b) = body {
            ctx.insert("body".into(), Value::String(b.to_string()));
        }
        self.render_map(template, ctx).map_err(|d| {
            let mut s = d.message.clone();
            if let Some(l) = &d.location {
                s.push_str(&format!(" ({}:{})", l.file.display(), l.line));
            }
            s
        })
    }

    fn anchor_link(&self, id: &str, level: u8, lang: &str) -> Result<String, String> {
        let ctx = serde_json::json!({"id": id, "level": level, "lang": lang, "config": self.config_value});
        self.render("anchor-link.html", &ctx).map_err(|d| d.message)
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
            d = match line_of(&full) {
                Some((l, c)) => d.at(Location::from_line(&o.path, &o.text, l, c)),
                None => d.in_file(&o.path),
            };
        } else {
            d = d.in_file(name);
        }
    }
    d
}

fn plain_tera(s: &str) -> String {
    s.trim().trim_start_matches("= ").to_string()
}

struct Func<F>(F);

impl<F> tera::Function for Func<F>
where
    F: Fn(&HashMap<String, tera::Value>) -> tera::Result<tera::Value> + Sync + Send,
{
    fn call(&self, args: &HashMap<String, tera::Value>) -> tera::Result<tera::Value> {
        (self.0)(args)
    }
}

/// The templates a template's text names in `extends`, `include` or
/// `import` (quoted names; Tera has no computed template names).
fn template_deps(text: &str) -> Vec<String> {
    static DEP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let dep = DEP.get_or_init(|| {
        regex::Regex::new(r#"\{%-?\s*(?:extends|include|import)\s+([^%]*)%\}"#)
            .expect("static regex")
    });
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let quoted =
        NAME.get_or_init(|| regex::Regex::new(r#""([^"]+)"|'([^']+)'"#).expect("static regex"));
    let mut out = Vec::new();
    for c in dep.captures_iter(text) {
        for q in quoted.captures_iter(&c[1]) {
            if let Some(m) = q.get(1).or_else(|| q.get(2)) {
                out.push(m.as_str().to_string());
            }
        }
    }
    out
}

/// The fingerprint of a call's answer, computed once per set of functions.
fn answer_fp(
    answers: &Answers,
    call: &Call,
    answer: impl FnOnce() -> Result<Value, String>,
) -> Option<u64> {
    if let Some(fp) = answers.lock().unwrap_or_else(|e| e.into_inner()).get(call) {
        return *fp;
    }
    let fp = answer().ok().map(|v| deps::hash_value(&v));
    answers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(call.clone(), fp);
    fp
}

type Method = fn(&Functions, &Args) -> Result<Value, String>;

/// Register the filters, and return Zola's functions (registered by the
/// caller, with every plugin's, so each call can be recorded).
fn register(
    tera: &mut tera::Tera,
    slot: &Arc<RwLock<Option<Arc<Functions>>>>,
    config: &Arc<Config>,
) -> HashMap<String, Callable> {
    let mut callables: HashMap<String, Callable> = HashMap::new();
    let methods: &[(&str, Method)] = &[
        ("get_url", Functions::get_url),
        ("get_page", Functions::get_page),
        ("get_all_pages", Functions::get_all_pages),
        ("get_section", Functions::get_section),
        ("get_taxonomy", Functions::get_taxonomy),
        ("get_taxonomy_term", Functions::get_taxonomy_term),
        ("get_taxonomy_url", Functions::get_taxonomy_url),
        ("trans", Functions::trans),
        ("now", Functions::now),
        ("get_hash", Functions::get_hash),
        ("get_image_metadata", Functions::get_image_metadata),
        ("load_data", Functions::load_data),
    ];
    for (name, method) in methods {
        let slot = slot.clone();
        let method = *method;
        let fname = name.to_string();
        callables.insert(
            name.to_string(),
            Arc::new(move |args: &Args| {
                let guard = slot.read().unwrap_or_else(|e| e.into_inner());
                let f = guard
                    .as_ref()
                    .ok_or_else(|| format!("`{fname}` is not available here"))?;
                method(f, args)
            }),
        );
    }
    tera.register_function(
        "resize_image",
        Func(move |_: &HashMap<String, tera::Value>| {
            Err(tera::Error::msg("`resize_image` (image processing) is not supported by throughline yet; see docs/zola-differences.md"))
        }),
    );
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
    callables
}
