//! The template engine as the rest of the build sees it, whichever engine
//! renders: the template layers (built-ins, the default theme or the
//! site's theme, the site's own templates) and their lookup, shortcodes,
//! Zola's functions (written once in [`super::functions`]) with the
//! recording `serve` relies on, and template fingerprints. The engines
//! themselves are thin backends: [`super::tera_engine`] (Tera, the
//! default) and [`super::jinja_engine`] (MiniJinja), each the only module
//! that names its crate.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use serde_json::{Map, Value};

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Location};
use crate::markdown::{Hooks, ShortcodeKind};
use crate::plugin::Plugin;
use crate::render::deps::{self, Call};
use crate::render::functions::{Args, Functions};
use crate::render::jinja_engine::JinjaBackend;
use crate::render::tera_engine::TeraBackend;
use crate::render::theme;

pub use crate::config::{engine_kind, EngineKind};

/// Where a template came from, for error messages.
#[derive(Debug, Clone)]
pub struct Origin {
    pub path: PathBuf,
    pub text: Arc<str>,
}

/// Where `needle` first is in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where `name` stands in `text` as a name of its own: not part of a
/// longer name, a field of something else (`x.name`) or a path or word
/// with hyphens (`name.html`, `name-list`). A hyphen that is a tag's or an
/// expression's whitespace control (`{{-name-}}`) does not join.
fn names<'a>(text: &'a [u8], name: &'a str) -> impl Iterator<Item = usize> + 'a {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(at) = find(&text[from..], name.as_bytes()) {
            let start = from + at;
            from = start + name.len();
            if is_name_at(text, start, name.len()) {
                return Some(start);
            }
        }
        None
    })
}

/// Whether the `len` bytes at `start` stand as a name of their own (see
/// [`names`]).
fn is_name_at(text: &[u8], start: usize, len: usize) -> bool {
    let (head, tail) = (&text[..start], &text[start + len..]);
    let joins_before = match head.last() {
        Some(b'-') => !(head.ends_with(b"{{-") || head.ends_with(b"{%-")),
        Some(&b) => is_ident(b) || b == b'.' || b == b'/',
        None => false,
    };
    let joins_after = match tail.first() {
        Some(b'-') => !(tail.starts_with(b"-}}") || tail.starts_with(b"-%}")),
        Some(&b) => is_ident(b) || b == b'/',
        None => false,
    };
    !joins_before && !joins_after
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn trim_start(t: &[u8]) -> &[u8] {
    &t[t.iter().take_while(|b| b.is_ascii_whitespace()).count()..]
}

fn trim_end(t: &[u8]) -> &[u8] {
    &t[..t.len()
        - t.iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count()]
}

/// Whether text ending here is inside a `{# comment #}`.
fn in_comment(head: &[u8]) -> bool {
    let open = head.windows(2).rposition(|w| w == b"{#");
    let close = head.windows(2).rposition(|w| w == b"#}");
    open.is_some_and(|o| close.is_none_or(|c| c < o))
}

/// The loop variable when text ending here is `{% for x in`.
fn loop_variable(head: &[u8]) -> Option<String> {
    let head = trim_end(head).strip_suffix(b"in")?;
    let trimmed = trim_end(head);
    if trimmed.len() == head.len() {
        return None;
    }
    let n = trimmed.iter().rev().take_while(|b| is_ident(**b)).count();
    let (rest, var) = trimmed.split_at(trimmed.len() - n);
    let rest = trim_end(rest).strip_suffix(b"for")?;
    let rest = trim_end(rest);
    let rest = rest.strip_suffix(b"-").unwrap_or(rest);
    if n == 0 || var[0].is_ascii_digit() || !rest.ends_with(b"{%") {
        return None;
    }
    Some(String::from_utf8_lossy(var).into_owned())
}

/// A loop's body: the text up to its own `endfor` (nested loops
/// counted). `None` when it has none.
fn loop_body(text: &[u8]) -> Option<&[u8]> {
    let mut depth = 0usize;
    let mut from = 0;
    while let Some(at) = find(&text[from..], b"{%") {
        let tag_start = from + at;
        let tag = trim_start(
            text[tag_start + 2..]
                .strip_prefix(b"-")
                .unwrap_or(&text[tag_start + 2..]),
        );
        let word = &tag[..tag.iter().take_while(|b| is_ident(**b)).count()];
        match word {
            b"for" => depth += 1,
            b"endfor" if depth == 0 => return Some(&text[..tag_start]),
            b"endfor" => depth -= 1,
            _ => {}
        }
        from = tag_start + 2;
    }
    None
}

/// Add to `fields` the fields `text` reads of `var` (see
/// [`Engine::fields_read`]); `None` when it uses `var` any other way.
/// Says whether `var` is passed on to a macro's argument of the same
/// name (`var=var`), whose reads are where the macro is.
fn scan_fields(text: &[u8], var: &str, fields: &mut BTreeSet<String>) -> Option<bool> {
    let mut passed = false;
    for start in names(text, var) {
        let end = start + var.len();
        let after = text.get(end).copied();
        // `var=` names an argument (or `var =` a variable being set),
        // `var=var` passes it on to a macro's argument of the same name
        // (whose reads are counted where the macro is), a macro's header
        // declares its arguments, and `for var in` declares a loop's.
        let rest = trim_start_spaces(&text[end..]);
        let names_argument = rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=');
        let head = trim_end_spaces(&text[..start]);
        let passed_on = head.ends_with(b"=") && {
            let name = trim_end_spaces(&head[..head.len() - 1]);
            name.ends_with(var.as_bytes())
                && !name[..name.len() - var.len()]
                    .last()
                    .is_some_and(|b| is_ident(*b))
        };
        let in_macro_header = {
            let tag = head
                .windows(2)
                .rposition(|w| w == b"{%")
                .map(|i| &head[i + 2..]);
            tag.is_some_and(|t| {
                let t: Vec<u8> = t
                    .iter()
                    .copied()
                    .skip_while(|b| *b == b'-' || *b == b' ')
                    .collect();
                t.starts_with(b"macro ") && !t.windows(2).any(|w| w == b"%}")
            })
        };
        let declares_loop = rest.starts_with(b"in ") && {
            let h = trim_end(head).strip_suffix(b"for").unwrap_or(b"x");
            let h = trim_end(h);
            let h = h.strip_suffix(b"-").unwrap_or(h);
            h.ends_with(b"{%")
        };
        passed |= passed_on;
        if names_argument || passed_on || in_macro_header || declares_loop || in_comment(head) {
            continue;
        }
        if after != Some(b'.') {
            return None;
        }
        let field: String = text[end + 1..]
            .iter()
            .take_while(|b| is_ident(**b))
            .map(|b| *b as char)
            .collect();
        if field.is_empty() {
            return None;
        }
        fields.insert(field);
    }
    Some(passed)
}

fn trim_start_spaces(t: &[u8]) -> &[u8] {
    &t[t.iter().take_while(|b| **b == b' ').count()..]
}

fn trim_end_spaces(t: &[u8]) -> &[u8] {
    &t[..t.len() - t.iter().rev().take_while(|b| **b == b' ').count()]
}

/// What a template reads of each element of a list: see
/// [`Engine::element_fields`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListFields {
    /// Every field read, sorted.
    pub fields: Vec<String>,
    /// `(field, other)`: `field` is read only where `other` is falsy.
    pub only_when_falsy: Vec<(String, String)>,
}

/// When every read of `var.field` in a loop's `body` is in a later
/// branch (`elif`, `else`) of an `{% if var.other %}` (the condition
/// exactly that), `other`.
fn guard_of(body: &[u8], var: &str, field: &str) -> Option<String> {
    // Open blocks: an `if` (with the field its condition tests, and
    // whether a later branch has begun), or any other.
    enum Open {
        If(Option<String>, bool),
        Other,
    }
    let read = format!("{var}.{field}");
    // Whether `text` reads `var.field`.
    let reads_in = |text: &[u8]| names(text, &read).next().is_some();
    // The field whose falsiness the open blocks imply here, if any; each
    // read must be under the same one.
    let note = |open: &[Open], guard: &mut Option<String>| -> Option<()> {
        let here = open.iter().find_map(|o| match o {
            Open::If(Some(g), true) if g != field => Some(g.clone()),
            _ => None,
        })?;
        match guard {
            Some(g) if *g != here => None,
            _ => {
                *guard = Some(here);
                Some(())
            }
        }
    };
    let mut open: Vec<Open> = Vec::new();
    let mut guard: Option<String> = None;
    let mut i = 0;
    while i < body.len() {
        let rest = &body[i..];
        if rest.starts_with(b"{#") {
            i += find(rest, b"#}")? + 2;
            continue;
        }
        if rest.starts_with(b"{%") {
            let end = find(rest, b"%}")?;
            let tag = &rest[2..end];
            let tag = trim_start(tag.strip_prefix(b"-").unwrap_or(tag));
            let tag = trim_end(tag);
            let tag = trim_end(tag.strip_suffix(b"-").unwrap_or(tag));
            let word_len = tag.iter().take_while(|b| is_ident(**b)).count();
            let (word, args) = tag.split_at(word_len);
            let args = trim_start(args);
            // Read in the tag itself (a condition, a `set`): counted where
            // the tag is, before it opens or turns a branch.
            if reads_in(args) {
                note(&open, &mut guard)?;
            }
            match word {
                b"if" => {
                    let tested = args
                        .strip_prefix(var.as_bytes())
                        .and_then(|a| a.strip_prefix(b"."))
                        .filter(|a| !a.is_empty() && a.iter().all(|b| is_ident(*b)))
                        .map(|a| String::from_utf8_lossy(a).into_owned());
                    open.push(Open::If(tested, false));
                }
                b"elif" | b"else" => match open.last_mut() {
                    Some(Open::If(_, later)) => *later = true,
                    // An `else` of a `for`: no branch of an `if`.
                    Some(Open::Other) if word == b"else" => {}
                    _ => return None,
                },
                b"for" | b"filter" | b"macro" | b"block" => open.push(Open::Other),
                b"endif" | b"endfor" | b"endfilter" | b"endmacro" | b"endblock" => {
                    // A block closed that is not the one open: unsure.
                    let closed_if = match open.pop() {
                        Some(Open::If(..)) => true,
                        Some(Open::Other) => false,
                        None => return None,
                    };
                    if closed_if != (word == b"endif") {
                        return None;
                    }
                }
                b"raw" => return None,
                _ => {}
            }
            i += end + 2;
            continue;
        }
        if rest.starts_with(read.as_bytes()) && is_name_at(body, i, read.len()) {
            note(&open, &mut guard)?;
            i += read.len();
            continue;
        }
        i += 1;
    }
    guard
}

/// Plugins' template functions, by name.
type PluginSlot = Arc<RwLock<HashMap<String, crate::plugin::FunctionBody>>>;

/// A template function as the engines call it.
pub(crate) type Callable = Arc<dyn Fn(&Args) -> Result<Value, String> + Send + Sync>;

/// The answers' fingerprints of the function calls made since the
/// functions were last set (recording only).
type Answers = Arc<Mutex<HashMap<Call, Option<u64>>>>;

enum Backend {
    Tera(TeraBackend),
    Jinja(JinjaBackend),
}

pub struct Engine {
    backend: Backend,
    kind: EngineKind,
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
        let backend = match kind {
            EngineKind::Tera => {
                Backend::Tera(TeraBackend::new(&origins, &recorded, &config).map_err(|d| {
                    diags.extend(d);
                    std::mem::take(&mut diags)
                })?)
            }
            EngineKind::MiniJinja => Backend::Jinja(
                JinjaBackend::new(&origins, &recorded, &config).map_err(|d| {
                    diags.extend(d);
                    std::mem::take(&mut diags)
                })?,
            ),
        };
        if !diags.is_empty() {
            return Err(diags);
        }
        Ok(Engine {
            backend,
            kind,
            origins,
            shortcodes,
            slot,
            plugin_slot,
            callables,
            answers,
            template_fps: Mutex::default(),
            theme: config.theme.clone(),
            config_value: config.to_template_value(),
        })
    }

    /// Plugins' functions again, after their data changed (`serve`):
    /// the same names, new bodies. Returns `false`, changing nothing, when
    /// the plugins now offer other functions (the engine must be built
    /// again).
    pub fn set_plugin_functions(&self, plugins: &[Box<dyn Plugin>]) -> bool {
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
    pub fn plugin_function_names(&self) -> Vec<String> {
        self.plugin_slot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
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
    pub fn reads(&self, name: &str, needles: &[&str]) -> bool {
        self.closure(name).iter().any(|n| {
            self.origins
                .get(n)
                .is_some_and(|o| needles.iter().any(|x| o.text.contains(x)))
        })
    }

    /// The fields of the variable `var` that template `name` (with
    /// everything it extends, includes or imports) reads, when it only
    /// ever reads it as `var.field`: for `strategy` in a template that
    /// says `strategy.plan` and `strategy.labels`, `["labels", "plan"]`.
    /// `None` when it uses `var` any other way (whole, by index, passed
    /// on, or the word in its text), or a template is missing: unsure.
    pub fn fields_read(&self, name: &str, var: &str) -> Option<Vec<String>> {
        let mut fields = BTreeSet::new();
        for n in self.closure(name) {
            scan_fields(self.origins.get(&n)?.text.as_bytes(), var, &mut fields)?;
        }
        Some(fields.into_iter().collect())
    }

    /// The fields template `name` reads of each element of the list at
    /// `path` (`pages`, `paginator.pages`), when it only ever loops over
    /// it (`{% for p in paginator.pages %}`, or asks its `length`) and
    /// reads each loop variable only as `p.field` inside the loop: for a
    /// feed that shows each page's title, date and summary, `["date",
    /// "summary", "title"]`. `None` when unsure, as for
    /// [`Engine::fields_read`]; then each element is needed whole.
    ///
    /// A list's elements can then be copied with only those fields: the
    /// feed of a 10,000-page site otherwise copies every page's content.
    /// Also says which fields are read only in a later branch (`elif`,
    /// `else`) of an `{% if p.other %}`: a feed's `{% if page.summary
    /// %}…{% else %}{{ page.content }}{% endif %}` needs `content` only of
    /// the pages without a summary.
    pub fn element_fields(&self, name: &str, path: &str) -> Option<ListFields> {
        if let Some((root, _)) = path.split_once('.') {
            // `paginator` itself only read by field, so the list is not
            // reached any other way.
            self.fields_read(name, root)?;
        }
        let mut fields = BTreeSet::new();
        // Each loop's variable and body; `None` once a loop hands its
        // variable to a macro (whose branches are elsewhere).
        let mut loops: Option<Vec<(String, &[u8])>> = Some(Vec::new());
        let closure = self.closure(name);
        for n in &closure {
            let text = self.origins.get(n)?.text.as_bytes();
            for start in names(text, path) {
                let end = start + path.len();
                if in_comment(&text[..start]) {
                    continue;
                }
                let rest = trim_start(&text[end..]);
                if let Some(var) = loop_variable(&text[..start]) {
                    if !(rest.starts_with(b"%}") || rest.starts_with(b"-%}")) {
                        return None;
                    }
                    let body_start = end + find(&text[end..], b"%}")? + 2;
                    let body = loop_body(&text[body_start..])?;
                    let passed_on = scan_fields(body, &var, &mut fields)?;
                    match &mut loops {
                        Some(list) if !passed_on => list.push((var.clone(), body)),
                        _ => loops = None,
                    }
                    if passed_on {
                        // Handed to a macro: its reads are wherever the
                        // macro is, so every template counts.
                        for m in &closure {
                            scan_fields(self.origins.get(m)?.text.as_bytes(), &var, &mut fields)?;
                        }
                    }
                } else if rest.starts_with(b"|") && {
                    let f = trim_start(&rest[1..]);
                    f.starts_with(b"length") && !f.get(6).is_some_and(|b| is_ident(*b))
                } {
                    // Its length reads no element.
                } else {
                    return None;
                }
            }
        }
        let loops = loops.unwrap_or_default();
        let only_when_falsy = fields
            .iter()
            .filter_map(|f| {
                let mut guards = loops.iter().map(|(var, body)| guard_of(body, var, f));
                let first = guards.next()??;
                guards
                    .all(|g| g.as_deref() == Some(first.as_str()))
                    .then(|| (f.clone(), first))
            })
            .collect();
        Some(ListFields {
            fields: fields.into_iter().collect(),
            only_when_falsy,
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
        let render = || match &self.backend {
            Backend::Tera(t) => t.render(&resolved, context, &self.origins),
            Backend::Jinja(j) => j.render(&resolved, context, &self.origins),
        };
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

    /// Which template engine renders this site.
    pub fn kind(&self) -> EngineKind {
        self.kind
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

/// The templates a template's text names in `extends`, `include`,
/// `import` or (Jinja) `from … import`. `None` when one of them is not a
/// quoted name (Jinja can compute it at render time): then any template
/// may be pulled in.
fn template_deps(text: &str) -> Option<Vec<String>> {
    static DEP: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let dep = DEP.get_or_init(|| {
        regex::Regex::new(r#"\{%-?\s*(?:extends|include|import|from)\s+([^%]*)%\}"#)
            .expect("static regex")
    });
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let quoted =
        NAME.get_or_init(|| regex::Regex::new(r#""([^"]+)"|'([^']+)'"#).expect("static regex"));
    let mut out = Vec::new();
    for c in dep.captures_iter(text) {
        let names = c[1].trim_start();
        if !names.starts_with(['"', '\'', '[']) {
            return None;
        }
        for q in quoted.captures_iter(&c[1]) {
            if let Some(m) = q.get(1).or_else(|| q.get(2)) {
                out.push(m.as_str().to_string());
            }
        }
    }
    Some(out)
}

/// An error for each chain of `{% include %}`, `{% import %}` or
/// `{% extends %}` that leads back to where it started (`index.html`
/// including itself, `macros.html` importing itself, or `a.html` →
/// `b.html` → `a.html`): compiling or rendering it would recurse until the
/// stack overflowed, so it is refused before anything compiles, at the tag
/// that closes the loop, with the chain. (A macro calling itself stops when
/// its data does, and the engines limit that; an include has no arguments
/// to stop on.)
fn template_cycles(origins: &HashMap<String, Origin>) -> Vec<Diagnostic> {
    static TAG: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let tag = TAG.get_or_init(|| {
        regex::Regex::new(r#"\{%-?\s*(include|import|extends|from)\s+([^%]*?)-?%\}"#)
            .expect("static regex")
    });
    static NAME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let quoted =
        NAME.get_or_init(|| regex::Regex::new(r#""([^"]+)"|'([^']+)'"#).expect("static regex"));
    // name → (template named, verb, byte span of the tag), in the text's order.
    type Edge<'a> = (&'a str, &'static str, std::ops::Range<usize>);
    let mut edges: BTreeMap<&str, Vec<Edge>> = BTreeMap::new();
    for (name, origin) in origins {
        let text = &origin.text;
        let mut out = Vec::new();
        for c in tag.captures_iter(text) {
            let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
            if in_comment(&text.as_bytes()[..whole.start]) {
                continue;
            }
            let verb = match &c[1] {
                "include" => "includes",
                "extends" => "extends",
                _ => "imports",
            };
            // `from "x.html" import a`: only the name before `import`.
            let names = c[2].split(" import ").next().unwrap_or("");
            for q in quoted.captures_iter(names) {
                if let Some(m) = q.get(1).or_else(|| q.get(2)) {
                    if let Some((target, _)) = origins.get_key_value(m.as_str()) {
                        out.push((target.as_str(), verb, whole.clone()));
                    }
                }
            }
        }
        if !out.is_empty() {
            edges.insert(name.as_str(), out);
        }
    }
    // Depth-first, each template once; a template met again while still on
    // the path closes a loop.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        OnPath,
        Done,
    }
    // A template reached by `import` is read for its macros only: its own
    // `extends` is not followed from there (a macro file that extends
    // `base.html`, which imports it, is no loop; Zola renders it). So each
    // template is visited as imported or not (`bool`).
    let mut marks: HashMap<(&str, bool), Mark> = HashMap::new();
    let mut found = Vec::new();
    for &start in edges.keys() {
        if marks.contains_key(&(start, false)) {
            continue;
        }
        // (template, next edge to follow, reached by import)
        let mut path: Vec<(&str, usize, bool)> = vec![(start, 0, false)];
        marks.insert((start, false), Mark::OnPath);
        while let Some(&mut (node, ref mut next, imported)) = path.last_mut() {
            let list = edges.get(node).map(Vec::as_slice).unwrap_or(&[]);
            let Some((target, verb, span)) = list.get(*next).cloned() else {
                marks.insert((node, imported), Mark::Done);
                path.pop();
                continue;
            };
            *next += 1;
            if imported && verb == "extends" {
                continue;
            }
            let by_import = verb == "imports";
            let on_path = path.iter().any(|(n, _, _)| *n == target);
            let mark = if on_path {
                Some(Mark::OnPath)
            } else {
                marks.get(&(target, by_import)).copied()
            };
            match mark {
                Some(Mark::OnPath) => {
                    let from = path.iter().position(|(n, _, _)| *n == target).unwrap_or(0);
                    let mut chain: Vec<&str> = path[from..].iter().map(|(n, _, _)| *n).collect();
                    chain.push(target);
                    let origin = &origins[node];
                    let what = if chain.len() == 2 {
                        format!("`{node}` {verb} itself")
                    } else {
                        format!("`{target}` leads back to itself through other templates")
                    };
                    found.push(
                        Diagnostic::error(format!(
                            "{what}: {}; following it would never end",
                            chain.join(" → ")
                        ))
                        .at(Location::from_span(&origin.path, &origin.text, span))
                        .with_hint(match verb {
                            "imports" => "remove this import: a template's own macros are called as `self::name()`",
                            "extends" => "a template cannot extend itself or one that extends it: extend a base template instead",
                            _ => "remove this include; to show something that nests (a menu of menus, say), write a macro that calls itself, which stops when the data does",
                        }),
                    );
                }
                Some(Mark::Done) => {}
                None => {
                    marks.insert((target, by_import), Mark::OnPath);
                    path.push((target, 0, by_import));
                }
            }
        }
    }
    found
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
