//! The template engine as the rest of the build sees it, whichever engine
//! renders: the template layers (built-ins, the default theme or the
//! site's theme, the site's own templates) and their lookup, shortcodes,
//! Zola's functions (written once in [`super::functions`]) with the
//! recording `serve` relies on, and template fingerprints. The engines
//! themselves are thin backends: [`super::tera_engine`] (Tera, the
//! default) and [`super::jinja_engine`] (MiniJinja), each the only module
//! that names its crate.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::markdown::{Hooks, ShortcodeKind};
use crate::plugin::Plugin;
use crate::render::deps::{self, Call};
use crate::render::functions::{Args, Functions};
use crate::render::jinja_engine::JinjaBackend;
use crate::render::scan::{self, template_cycles, template_deps};
pub(crate) use crate::render::scan::{ListFields, Origin};
use crate::render::tera_engine::TeraBackend;
use crate::render::theme;

pub(crate) use crate::config::{engine_kind, EngineKind};

/// Plugins' template functions, by name.
type PluginSlot = Arc<RwLock<HashMap<String, crate::plugin::FunctionBody>>>;

/// A template function as the engines call it.
pub(crate) type Callable = Arc<dyn Fn(&Args) -> Result<Value, String> + Send + Sync>;

/// The answers' fingerprints of the function calls made since the
/// functions were last set (recording only).
type Answers = Arc<Mutex<HashMap<Call, Option<u64>>>>;
/// What a template reads of a variable ([`Engine::fields_read`]).
type FieldsRead = Option<Arc<[String]>>;

/// A template engine as the [`Engine`] drives it: it compiled the
/// template layers when made, and renders one by name from a plain JSON
/// context. Each backend is the only module that names its crate
/// ([`super::tera_engine`], [`super::jinja_engine`]); everything else
/// about templates (layers, lookup, functions, what a template reads) is
/// the engine's and the [`scan`] module's, shared by both.
pub(crate) trait Backend: Send + Sync {
    /// Render the template `name`; `origins` locate its errors. The
    /// context is lent: it holds the same values afterwards (in any
    /// order), so a caller can take a large value back instead of copying
    /// it in.
    fn render(
        &self,
        name: &str,
        context: &mut Map<String, Value>,
        origins: &HashMap<String, Origin>,
    ) -> Result<String, Diagnostic>;
}

pub(crate) struct Engine {
    backend: Box<dyn Backend>,
    origins: HashMap<String, Origin>,
    shortcodes: BTreeMap<String, (ShortcodeKind, String)>,
    slot: Arc<RwLock<Option<Arc<Functions>>>>,
    /// Plugins' functions by name.
    plugin_slot: PluginSlot,
    /// Every function by name, to answer a recorded call again.
    callables: HashMap<String, Callable>,
    answers: Answers,
    /// Fingerprints of templates with everything they pull in.
    template_fps: Mutex<HashMap<String, u64>>,
    /// [`Engine::fields_read`] by template and variable, worked out once
    /// (the render asks it for every page).
    fields_read: Mutex<HashMap<(String, String), FieldsRead>>,
    kind: crate::config::EngineKind,
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
];

/// The templates a Zola site may lack: a page that would use one shows a
/// notice naming it (as Zola shows one), registered as
/// `__throughline/missing/NAME` from one text.
const MAY_BE_MISSING: &[&str] = &[
    "index.html",
    "section.html",
    "page.html",
    "single.html",
    "list.html",
];
const MISSING: &str = include_str!("builtins/missing.html");

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
    pub(crate) fn load(
        root: &Path,
        config: Arc<Config>,
        plugins: &[Box<dyn Plugin>],
    ) -> Result<Engine, Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let kind = engine_kind(root, &config).map_err(|d| vec![d])?;
        // Later layers override earlier ones by name.
        let mut layers: Vec<(String, Origin)> = Vec::new();
        for plugin in plugins {
            for t in plugin.templates_for(kind) {
                layers.push((
                    t.name.clone(),
                    Origin {
                        path: PathBuf::from(format!("(built-in, {})/{}", plugin.name(), t.name)),
                        text: Arc::from(t.source.as_str()),
                    },
                ));
            }
        }
        // Written in what Tera and MiniJinja both read (with the backends'
        // Tera-style `default(value=…)`), so one copy serves both.
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
        for name in MAY_BE_MISSING {
            let path = format!("__throughline/missing/{name}");
            layers.push((
                path.clone(),
                Origin {
                    path: PathBuf::from(format!("(built-in)/{path}")),
                    text: Arc::from(MISSING.replace("TEMPLATE_NAME", name)),
                },
            ));
        }
        match &config.theme {
            None if theme::site_brings_its_own(root) => {}
            None => {
                for (name, text) in theme::default_templates(kind) {
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

        let slot: Arc<RwLock<Option<Arc<Functions>>>> = Arc::new(RwLock::new(None));
        let answers: Answers = Arc::default();
        let mut callables = zola_functions(&slot);
        // Plugins' functions are looked up when called, so that `serve`
        // can give a plugin's new data to the templates without compiling
        // them again (`set_plugin_functions`).
        let plugin_slot: PluginSlot = Arc::default();
        for plugin in plugins {
            for f in plugin.functions() {
                let slot = plugin_slot.clone();
                let name = f.name.clone();
                plugin_slot
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(f.name.clone(), f.body);
                callables.insert(
                    f.name.clone(),
                    Arc::new(move |a: &Args| {
                        let body = slot
                            .read()
                            .unwrap_or_else(|e| e.into_inner())
                            .get(&name)
                            .cloned()
                            .ok_or_else(|| format!("`{name}` is not available here"))?;
                        body(a)
                    }),
                );
            }
        }
        let recorded: HashMap<String, Callable> = callables
            .iter()
            .map(|(name, body)| (name.clone(), recorded(name, body.clone(), &answers)))
            .collect();
        // Checked before the engines compile: Tera follows an import loop
        // while compiling, until the stack overflows.
        let loops = template_cycles(&origins);
        if !loops.is_empty() {
            diags.extend(loops);
            return Err(diags);
        }
        let made: Result<Box<dyn Backend>, Vec<Diagnostic>> = match kind {
            EngineKind::Tera => TeraBackend::new(&origins, &recorded, &config)
                .map(|b| Box::new(b) as Box<dyn Backend>),
            EngineKind::MiniJinja => JinjaBackend::new(&origins, &recorded, &config)
                .map(|b| Box::new(b) as Box<dyn Backend>),
        };
        let backend = made.map_err(|d| {
            diags.extend(d);
            std::mem::take(&mut diags)
        })?;
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Engine {
            backend,
            origins,
            shortcodes,
            slot,
            plugin_slot,
            callables,
            answers,
            template_fps: Mutex::default(),
            fields_read: Mutex::default(),
            kind,
            theme: config.theme.clone(),
            config_value: config.to_template_value(),
        })
    }

    /// Plugins' functions again, after their data changed (`serve`):
    /// the same names, new bodies. Returns `false`, changing nothing, when
    /// the plugins now offer other functions (the engine must be built
    /// again).
    pub(crate) fn set_plugin_functions(&self, plugins: &[Box<dyn Plugin>]) -> bool {
        let fresh: HashMap<String, crate::plugin::FunctionBody> = plugins
            .iter()
            .flat_map(|p| p.functions())
            .map(|f| (f.name, f.body))
            .collect();
        let mut slot = self.plugin_slot.write().unwrap_or_else(|e| e.into_inner());
        let same_names = fresh.len() == slot.len() && fresh.keys().all(|k| slot.contains_key(k));
        if same_names {
            *slot = fresh;
            drop(slot);
            self.answers
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clear();
        }
        same_names
    }

    /// The names of plugins' functions.
    pub(crate) fn plugin_function_names(&self) -> Vec<String> {
        self.plugin_slot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Give the functions (`get_page`, …) the site they read.
    pub(crate) fn set_functions(&self, f: Arc<Functions>) {
        *self.slot.write().unwrap_or_else(|e| e.into_inner()) = Some(f);
        self.answers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    /// The fingerprint of what a recorded call answers now (`None` when it
    /// fails or the function is gone).
    pub(crate) fn answer(&self, call: &Call) -> Option<u64> {
        let f = self.callables.get(&call.name)?;
        answer_fp(&self.answers, call, || {
            let args: Args = serde_json::from_str(&call.args).unwrap_or_default();
            f(&args)
        })
    }

    /// The fingerprint of a template's text and of every template it
    /// extends, includes or imports, transitively (a missing template has
    /// a fingerprint of its own).
    pub(crate) fn template_fp(&self, name: &str) -> u64 {
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
                match template_deps(&origin.text) {
                    Some(deps) => todo.extend(deps),
                    None => {
                        // A computed name: every template counts.
                        let mut all: Vec<String> = self.origins.keys().cloned().collect();
                        all.sort();
                        todo.extend(all);
                    }
                }
            }
            seen.push(n);
        }
        seen
    }

    /// Whether the text of `name`, or of any template it extends, includes
    /// or imports (transitively), contains one of `needles`. Used to skip
    /// building values no template reads.
    pub(crate) fn reads(&self, name: &str, needles: &[&str]) -> bool {
        self.closure(name).iter().any(|n| {
            self.origins
                .get(n)
                .is_some_and(|o| needles.iter().any(|x| o.text.contains(x)))
        })
    }

    /// The texts of `name` and of every template it pulls in (see
    /// [`Engine::closure`]); `None` when one of them is missing.
    /// Whether any template of the site (its own, its theme's, the
    /// plugins') has `needle` in its text.
    pub(crate) fn mentions(&self, needle: &str) -> bool {
        self.origins.values().any(|o| o.text.contains(needle))
    }

    /// Whether any template may show a page's word count or reading
    /// time: names either, or prints values whole (a context dump, JSON,
    /// or under MiniJinja any value printed as it is). Conservative: a
    /// build that lets the bodies go counts their words first when so.
    pub(crate) fn may_show_word_counts(&self) -> bool {
        const NEEDLES: [&str; 7] = [
            "word_count",
            "reading_time",
            "__tera_context",
            "debug(",
            "json_encode",
            "tojson",
            "pprint",
        ];
        self.kind == crate::config::EngineKind::MiniJinja
            || NEEDLES.iter().any(|n| self.mentions(n))
    }

    fn texts(&self, name: &str) -> Option<Vec<&[u8]>> {
        self.closure(name)
            .iter()
            .map(|n| self.origins.get(n).map(|o| o.text.as_bytes()))
            .collect()
    }

    /// The fields of the variable `var` that template `name` (with
    /// everything it extends, includes or imports) reads: see
    /// [`scan::fields_read`].
    pub(crate) fn fields_read(&self, name: &str, var: &str) -> Option<Vec<String>> {
        self.fields_read_once(name, var).map(|f| f.to_vec())
    }

    /// [`Engine::fields_read`], worked out once per template and variable.
    pub(crate) fn fields_read_once(&self, name: &str, var: &str) -> FieldsRead {
        let key = (name.to_string(), var.to_string());
        if let Some(f) = self
            .fields_read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return f.clone();
        }
        let fields: FieldsRead = self
            .texts(name)
            .and_then(|t| scan::fields_read(&t, var))
            .map(Arc::from);
        self.fields_read
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, fields.clone());
        fields
    }

    /// The fields template `name` (with everything it pulls in) reads of
    /// each element of the list at `path`: see [`scan::element_fields`].
    pub(crate) fn element_fields(&self, name: &str, path: &str) -> Option<ListFields> {
        scan::element_fields(&self.texts(name)?, path)
    }

    /// Whether a template of this name exists in any layer.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.origins.contains_key(name)
    }

    /// The first of `names` that exists.
    pub(crate) fn first_of<'a>(&self, names: &[&'a str]) -> Option<&'a str> {
        names.iter().copied().find(|n| self.has(n))
    }

    /// Render `name` with `context` (a JSON object).
    pub(crate) fn render(&self, name: &str, context: &Value) -> Result<String, Diagnostic> {
        let map = match context {
            Value::Object(m) => m.clone(),
            _ => Map::new(),
        };
        self.render_map(name, map)
    }

    /// The template `name` is rendered with: the site's or theme's, the
    /// theme's under its prefixed name, or for Zola's optional templates a
    /// notice that names the one missing.
    pub(crate) fn resolve(&self, name: &str) -> Result<String, Diagnostic> {
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
        if MAY_BE_MISSING.contains(&name) {
            return Ok(format!("__throughline/missing/{name}"));
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
    pub(crate) fn render_map(
        &self,
        name: &str,
        mut context: Map<String, Value>,
    ) -> Result<String, Diagnostic> {
        self.render_lent(name, &mut context)
    }

    /// [`Engine::render_map`] with the context lent: its values are
    /// still there afterwards (in any order).
    pub(crate) fn render_lent(
        &self,
        name: &str,
        context: &mut Map<String, Value>,
    ) -> Result<String, Diagnostic> {
        let resolved = self.resolve(name)?;
        deps::note_template(&resolved);
        let mut render = || self.backend.render(&resolved, context, &self.origins);
        // An image this template asks for that cannot be made is found
        // after the render; the error names this template.
        match self.origins.get(&resolved) {
            Some(o) => crate::images::asking(
                crate::images::Asker {
                    template: resolved.clone(),
                    file: o.path.clone(),
                },
                render,
            ),
            None => render(),
        }
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

/// Wrap a function so that, while `serve` records, each call is noted
/// with the fingerprint of its answer.
fn recorded(name: &str, body: Callable, answers: &Answers) -> Callable {
    let name = name.to_string();
    let answers = answers.clone();
    Arc::new(move |args: &Args| {
        let result = body(args);
        if deps::recording() {
            let call = Call::new(&name, args);
            let fp = answer_fp(&answers, &call, || result.clone());
            deps::note_call(call, fp);
        }
        result
    })
}

type Method = fn(&Functions, &Args) -> Result<Value, String>;

/// Zola's functions over the site the slot will hold.
fn zola_functions(slot: &Arc<RwLock<Option<Arc<Functions>>>>) -> HashMap<String, Callable> {
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
        ("resize_image", Functions::resize_image),
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
    callables
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine_with(templates: &[(&str, &str)]) -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in templates {
            let p = dir.path().join("templates").join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let engine = Engine::load(dir.path(), Arc::new(Config::default()), &[]).unwrap();
        (dir, engine)
    }

    #[test]
    fn the_fields_a_template_reads_of_a_variable() {
        let (_d, e) = engine_with(&[
            (
                "plan.html",
                "{% include \"strategy/part.html\" %}{{ strategy.plan | length }}",
            ),
            (
                "strategy/part.html",
                "{% for l in strategy.labels %}{{ l }}{% endfor %}{{ my_strategy }}",
            ),
            ("whole.html", "{{ strategy | json_encode }}"),
            // Whitespace control joins no name: used whole.
            ("tight_whole.html", "<p class=\"strategy-plan\">{{- strategy-}}</p>"),
            ("indexed.html", "{{ strategy[\"plan\"] }}"),
            ("passed.html", "{% set s = strategy %}{{ s.plan }}"),
            (
                "macro.html",
                "{%- import \"macros.html\" as m -%}{{ m::plan(strategy=strategy) }}",
            ),
            (
                "macros.html",
                "{#- Use: {% import \"macros.html\" as strategy %} -#}{% macro plan(strategy, id=\"x\") -%}{{ strategy.plan }}{{ strategy.labels.a }}{%- endmacro plan %}",
            ),
            (
                "other_name.html",
                "{%- import \"macros.html\" as m -%}{{ m::plan(strategy=other) }}{{ m::plan(s=strategy) }}",
            ),
        ]);
        assert_eq!(
            e.fields_read("plan.html", "strategy"),
            Some(vec!["labels".to_string(), "plan".to_string()])
        );
        assert_eq!(e.fields_read("whole.html", "strategy"), None);
        assert_eq!(e.fields_read("tight_whole.html", "strategy"), None);
        assert_eq!(e.fields_read("indexed.html", "strategy"), None);
        assert_eq!(e.fields_read("passed.html", "strategy"), None);
        assert_eq!(e.fields_read("missing.html", "strategy"), None);
        // Passed on to a macro's argument of the same name: what the
        // macro reads of it.
        assert_eq!(
            e.fields_read("macro.html", "strategy"),
            Some(vec!["labels".to_string(), "plan".to_string()])
        );
        // Passed on under another name: unsure.
        assert_eq!(e.fields_read("other_name.html", "strategy"), None);
    }

    #[test]
    fn the_fields_a_template_reads_of_each_element_of_a_list() {
        let strings = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let pair = |f: &str, g: &str| (f.to_string(), g.to_string());
        let (_d, e) = engine_with(&[
            (
                "feed.xml",
                "{%- for page in pages %}<e>{{ page.title }}{% if page.summary %}{{ page.summary }}{% else %}{{ page.content }}{% endif %}\
                 {% for t in page.taxonomies.tags %}{{ t }}{% endfor %}</e>{%- endfor %}{{ pages | length }}",
            ),
            // The loop variable's name is also the page's own variable
            // outside the loop: only the loop's body counts.
            (
                "section.html",
                "{% extends \"base.html\" %}{% block b %}{% for page in paginator.pages %}{{ page.permalink }}{% endfor %}\
                 {% if paginator.next %}{{ paginator.next }}{% endif %}{% endblock %}",
            ),
            ("base.html", "{% if page %}{{ page | json_encode }}{% endif %}{% block b %}{% endblock %}"),
            (
                "nested.html",
                "{% for p in section.pages %}{% for q in p.lower %}{{ q }}{% endfor %}{{ p.title }}{% endfor %}",
            ),
            ("macro.html", "{% import \"m.html\" as m %}{% for page in pages %}{{ m::card(page=page) }}{% endfor %}"),
            ("m.html", "{% macro card(page) %}{{ page.title }}{{ page.date }}{% endmacro %}"),
            ("whole.xml", "{% for page in pages %}{{ page }}{% endfor %}"),
            (
                "tight.xml",
                "{%-for page in pages-%}{{-page.title-}}{%-if page.summary-%}{%-else-%}{{page.content-}}{%-endif%}{%-endfor-%}",
            ),
            ("filtered.xml", "{% for page in pages | slice(end=2) %}{{ page.title }}{% endfor %}"),
            ("indexed.xml", "{{ pages.0.title }}{% for page in pages %}{{ page.title }}{% endfor %}"),
            ("aliased.html", "{% set all = paginator %}{% for page in paginator.pages %}{{ page.title }}{% endfor %}{% for p in all.pages %}{{ p.content }}{% endfor %}"),
            // `content` read elsewhere too, under no condition or another.
            ("unguarded.xml", "{% for page in pages %}{% if page.summary %}{{ page.summary }}{% else %}{{ page.content }}{% endif %}{% set c = page.content %}{% endfor %}"),
            ("in_condition.xml", "{% for page in pages %}{% if page.content %}{{ page.summary }}{% endif %}{% if page.summary %}{% else %}{{ page.content }}{% endif %}{% endfor %}"),
            ("two_guards.xml", "{% for page in pages %}{% if page.summary %}{% else %}{{ page.content }}{% endif %}{% if page.description %}{% else %}{{ page.content }}{% endif %}{% endfor %}"),
            ("first_branch.xml", "{% for page in pages %}{% if page.summary %}{{ page.content }}{% endif %}{% endfor %}"),
            ("nested.xml", "{% for page in pages %}{%- if page.summary -%}x{%- elif page.draft -%}{% for t in page.toc %}{{ page.content }}{% endfor %}{% endif %}{% endfor %}"),
        ]);
        let fields = |name: &str, path: &str| e.element_fields(name, path).map(|l| l.fields);
        let guarded =
            |name: &str, path: &str| e.element_fields(name, path).map(|l| l.only_when_falsy);
        assert_eq!(
            fields("feed.xml", "pages"),
            strings(&["content", "summary", "taxonomies", "title"])
        );
        // A feed needs `content` only where there is no summary.
        assert_eq!(
            guarded("feed.xml", "pages"),
            Some(vec![pair("content", "summary")])
        );
        assert_eq!(
            fields("section.html", "paginator.pages"),
            strings(&["permalink"])
        );
        assert_eq!(
            fields("nested.html", "section.pages"),
            strings(&["lower", "title"])
        );
        assert_eq!(fields("macro.html", "pages"), strings(&["date", "title"]));
        // With whitespace control against the names.
        assert_eq!(
            fields("tight.xml", "pages"),
            strings(&["content", "summary", "title"])
        );
        assert_eq!(
            guarded("tight.xml", "pages"),
            Some(vec![pair("content", "summary")])
        );
        // Handed to a macro: its branches are not followed.
        assert_eq!(guarded("macro.html", "pages"), Some(vec![]));
        // Used whole, filtered, by index, or reached under another name:
        // unsure.
        assert_eq!(fields("whole.xml", "pages"), None);
        assert_eq!(fields("filtered.xml", "pages"), None);
        assert_eq!(fields("indexed.xml", "pages"), None);
        assert_eq!(fields("aliased.html", "paginator.pages"), None);
        assert_eq!(fields("missing.html", "pages"), None);
        // Read also outside the branch, in a condition, under two
        // different conditions, or in the first branch: needed always.
        for t in [
            "unguarded.xml",
            "in_condition.xml",
            "two_guards.xml",
            "first_branch.xml",
        ] {
            assert_eq!(guarded(t, "pages"), Some(vec![]), "{t}");
        }
        // Under a later branch of `if page.summary`, however deep (the
        // loop's list too).
        assert_eq!(
            guarded("nested.xml", "pages"),
            Some(vec![pair("content", "summary"), pair("toc", "summary")])
        );
    }
}
