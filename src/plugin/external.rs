//! External plugins: commands a site's own config lists, that get the site
//! as JSON on stdin and answer on stdout with data for templates, located
//! diagnostics and generated pages (in the manner of mdBook's
//! preprocessors; ours also answer with diagnostics). The protocol is
//! versioned and documented in `docs/plugins.md`.
//!
//! ```toml
//! [[extra.throughline.plugins]]
//! name = "counts"
//! command = ["python3", "plugins/counts.py"]
//! timeout = 30     # seconds, the default
//! bodies = false   # send each page's Markdown too
//! ```
//!
//! Only the site's `config.toml` is read for these (a theme's `theme.toml`
//! never runs a command). A command runs once per build; in `serve` it runs
//! again only when what it would be sent changed, and otherwise its last
//! answer is used (kept for the life of the process). A command that cannot
//! start, exits non-zero, overruns its time limit, or answers with
//! something that is not the protocol fails the build with a message that
//! says which and why; the output folder is left as it was.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{Args, Function, GeneratedPage, Plugin, RenderCx, Template};
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::site::Site;

/// The protocol version this throughline speaks. A request carries it; an
/// answer must carry the same.
pub const PROTOCOL: u64 = 1;

/// How long a command may run, unless its entry says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// One command, as the config lists it.
#[derive(Debug, Clone, PartialEq)]
struct Command_ {
    name: String,
    command: Vec<String>,
    timeout: Duration,
    bodies: bool,
    /// Which `[[extra.throughline.plugins]]` entry it is (0-based).
    index: usize,
}

/// An answer, as the protocol has it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    protocol: u64,
    #[serde(default)]
    data: Value,
    #[serde(default)]
    diagnostics: Vec<Said>,
    #[serde(default)]
    pages: Vec<GeneratedPage>,
    #[serde(default)]
    templates: Vec<Template>,
}

/// A diagnostic in an answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Said {
    #[serde(default = "error_level")]
    level: String,
    message: String,
    /// A file from the site's folder (`content/blog/post.md`).
    #[serde(default)]
    file: Option<String>,
    /// A front matter key of that file (`extra.tags[1]`)...
    #[serde(default)]
    key: Option<String>,
    /// ... or a line (1-based) and column (1-based).
    #[serde(default)]
    line: Option<usize>,
    #[serde(default)]
    column: Option<usize>,
    #[serde(default)]
    hint: Option<String>,
}

fn error_level() -> String {
    "error".into()
}

/// The last answer of each command, by the fingerprint of what it was sent,
/// for the life of the process (`serve` builds many times).
type Memo = HashMap<(PathBuf, Vec<String>), (u64, Arc<Answer>)>;

fn memo() -> &'static Mutex<Memo> {
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

/// The plugin that runs a site's external commands. It does nothing on a
/// site that lists none.
#[derive(Default)]
pub struct ExternalPlugins {
    answers: Vec<(Command_, Arc<Answer>)>,
    /// The names of the plugins the config lists.
    listed: Vec<String>,
    /// Whether any command is sent pages' bodies.
    bodies: bool,
}

impl ExternalPlugins {
    pub fn new() -> ExternalPlugins {
        ExternalPlugins::default()
    }
}

/// Where entry `index` of `[[extra.throughline.plugins]]` is written in the
/// config file, for a message.
fn entry_location(config: &Config, index: usize) -> Location {
    let text = std::fs::read_to_string(&config.file).unwrap_or_default();
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[extra.throughline.plugins]]"))
        .nth(index)
        .or_else(|| {
            text.lines()
                .enumerate()
                .find(|(_, l)| l.contains("throughline") && l.contains("plugins"))
        })
        .map(|(i, _)| i + 1)
        .unwrap_or(1);
    Location::from_line(&config.file, &text, line, 1)
}

/// The commands the site's config lists, checked.
fn commands(config: &Config, diags: &Diagnostics) -> Vec<Command_> {
    let Some(tl) = config.extra.get("throughline") else {
        return Vec::new();
    };
    let entries = match tl.get("plugins") {
        None => return Vec::new(),
        Some(toml::Value::Array(a)) => a,
        Some(other) => {
            diags.push(
                Diagnostic::error(format!(
                    "`extra.throughline.plugins` should be a list of tables, not {}",
                    other.type_str()
                ))
                .at(entry_location(config, 0))
                .with_hint("write each plugin as [[extra.throughline.plugins]] with name = \"…\" and command = [\"python3\", \"plugins/mine.py\"]"),
            );
            return Vec::new();
        }
    };
    let mut out: Vec<Command_> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let here = || entry_location(config, index);
        let Some(t) = entry.as_table() else {
            diags.push(
                Diagnostic::error("each entry of `extra.throughline.plugins` should be a table")
                    .at(here())
                    .with_hint("write [[extra.throughline.plugins]], then name = \"…\" and command = [\"…\"] on the lines below"),
            );
            continue;
        };
        for k in t.keys() {
            if !["name", "command", "timeout", "bodies"].contains(&k.as_str()) {
                let mut d =
                    Diagnostic::error(format!("a plugin entry has no key `{k}`")).at(here());
                d = match crate::diagnostics::closest(k, ["name", "command", "timeout", "bodies"])
                {
                    Some(c) => d.with_hint(format!("did you mean `{c}`?")),
                    None => d.with_hint("a plugin entry has name, command, and optionally timeout (seconds) and bodies (true to be sent each page's Markdown)"),
                };
                diags.push(d);
            }
        }
        let name = match t.get("name") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            _ => {
                diags.push(
                    Diagnostic::error("this plugin has no `name`")
                        .at(here())
                        .with_hint("add name = \"…\": templates read its data with plugin_data(name=\"…\"), and messages name it"),
                );
                continue;
            }
        };
        let command: Vec<String> = match t.get("command") {
            Some(toml::Value::Array(a))
                if !a.is_empty() && a.iter().all(|v| v.as_str().is_some_and(|s| !s.is_empty())) =>
            {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            }
            Some(toml::Value::String(s)) if !s.trim().is_empty() => {
                s.split_whitespace().map(str::to_string).collect()
            }
            _ => {
                diags.push(
                    Diagnostic::error(format!("the plugin `{name}` has no `command`"))
                        .at(here())
                        .with_hint("add the program and its arguments as a list: command = [\"python3\", \"plugins/mine.py\"] (run from the site's folder)"),
                );
                continue;
            }
        };
        let timeout = match t.get("timeout") {
            None => DEFAULT_TIMEOUT,
            Some(toml::Value::Integer(n)) if *n > 0 => Duration::from_secs(*n as u64),
            Some(toml::Value::Float(f)) if *f > 0.0 && f.is_finite() => Duration::from_secs_f64(*f),
            Some(other) => {
                diags.push(
                    Diagnostic::error(format!(
                        "the plugin `{name}`'s `timeout` should be a number of seconds, not {}",
                        crate::value::describe(other)
                    ))
                    .at(here())
                    .with_hint("for example: timeout = 60"),
                );
                continue;
            }
        };
        let bodies = match t.get("bodies") {
            None => false,
            Some(toml::Value::Boolean(b)) => *b,
            Some(other) => {
                diags.push(
                    Diagnostic::error(format!(
                        "the plugin `{name}`'s `bodies` should be true or false, not {}",
                        crate::value::describe(other)
                    ))
                    .at(here())
                    .with_hint("write bodies = true (no quotes) to send each page's Markdown"),
                );
                continue;
            }
        };
        if out.iter().any(|c| c.name == name) {
            diags.push(
                Diagnostic::error(format!("two plugins are named `{name}`"))
                    .at(here())
                    .with_hint("give each its own name: templates read a plugin's data by it"),
            );
            continue;
        }
        out.push(Command_ {
            name,
            command,
            timeout,
            bodies,
            index,
        });
    }
    out
}

/// What a command is sent: the protocol version, the config as templates
/// see it, and every page and section with its front matter (and, when
/// asked for, its Markdown).
fn request(site: &Site, config: &Config, bodies: bool) -> Value {
    let rel = |p: &Path| {
        p.strip_prefix(&config.root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    let body = |s: &crate::content::Source| {
        bodies.then(|| Value::String(s.text[s.body_offset.min(s.text.len())..].to_string()))
    };
    let pages: Vec<Value> = site
        .pages
        .iter()
        .map(|p| {
            let mut v = json!({
                "file": rel(&p.file.path),
                "path": p.path,
                "permalink": p.permalink,
                "lang": p.lang,
                "title": p.meta.title,
                "description": p.meta.description,
                "date": p.meta.date.as_ref().map(|d| d.text.clone()),
                "updated": p.meta.updated.as_ref().map(|d| d.text.clone()),
                "weight": p.meta.weight,
                "draft": p.meta.draft,
                "taxonomies": p.meta.taxonomies.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<Map<String, Value>>(),
                "extra": crate::value::toml_to_json(&toml::Value::Table(p.meta.extra.clone())),
                "section": p.ancestors.last().map(|s| rel(&site.sections[*s].file.path)),
            });
            if let Some(b) = body(&p.source) {
                v["body"] = b;
            }
            v
        })
        .collect();
    let sections: Vec<Value> = site
        .sections
        .iter()
        .map(|s| {
            let mut v = json!({
                "file": rel(&s.file.path),
                "path": s.path,
                "permalink": s.permalink,
                "lang": s.lang,
                "title": s.meta.title,
                "description": s.meta.description,
                "draft": s.meta.draft,
                "extra": crate::value::toml_to_json(&toml::Value::Table(s.meta.extra.clone())),
            });
            if let Some(b) = body(&s.source) {
                v["body"] = b;
            }
            v
        })
        .collect();
    json!({
        "protocol": PROTOCOL,
        "throughline": env!("CARGO_PKG_VERSION"),
        "engine": match crate::config::engine_kind(&config.root, config) {
            Ok(crate::config::EngineKind::MiniJinja) => "minijinja",
            _ => "tera",
        },
        "config": config.to_template_value(),
        "pages": pages,
        "sections": sections,
    })
}

/// Why a command gave no answer.
enum Failure {
    Start(std::io::Error),
    Exit(Option<i32>, String),
    Timeout(Duration, String),
    Answer(String),
}

/// Run `cmd` in `root` with `input` on stdin; its stdout, or why not.
fn run(root: &Path, cmd: &Command_, input: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut command = Command::new(&cmd.command[0]);
    command
        .args(&cmd.command[1..])
        .current_dir(root)
        .env("THROUGHLINE_PLUGIN_PROTOCOL", PROTOCOL.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Its own process group, so that a command that hangs is stopped with
    // everything it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(Failure::Start)?;
    let mut stdin = child.stdin.take();
    let input = input.to_vec();
    // Written, and read, on their own threads: a command that answers
    // before reading all of its input cannot block us.
    let writer = std::thread::spawn(move || {
        if let Some(mut s) = stdin.take() {
            let _ = s.write_all(&input);
        }
    });
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() >= cmd.timeout => break None,
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(Failure::Start(e)),
        }
    };
    if status.is_none() {
        #[cfg(unix)]
        if let Ok(pid) = libc::pid_t::try_from(child.id()) {
            // SAFETY: a plain kill(2) of the process group we created.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    let _ = writer.join();
    let stdout = out.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    let tail = last_lines(&stderr, 8);
    match status {
        None => Err(Failure::Timeout(cmd.timeout, tail)),
        Some(s) if !s.success() => Err(Failure::Exit(s.code(), tail)),
        Some(_) => Ok(stdout),
    }
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn parse(stdout: &[u8]) -> Result<Answer, Failure> {
    let answer: Answer = serde_json::from_slice(stdout).map_err(|e| {
        let shown = String::from_utf8_lossy(&stdout[..stdout.len().min(200)]).into_owned();
        Failure::Answer(if stdout.iter().all(u8::is_ascii_whitespace) {
            "it printed nothing on stdout".into()
        } else {
            format!("its answer is not the protocol's JSON: {e} (it began: {shown:?})")
        })
    })?;
    if answer.protocol != PROTOCOL {
        return Err(Failure::Answer(format!(
            "it answered in protocol version {}, and this throughline speaks version {PROTOCOL}",
            answer.protocol
        )));
    }
    Ok(answer)
}

impl ExternalPlugins {
    /// A diagnostic from an answer, located where it says.
    fn located(site: &Site, config: &Config, cmd: &Command_, said: &Said) -> Diagnostic {
        let mut d = match said.level.as_str() {
            "warning" => Diagnostic::warning(&said.message),
            _ => Diagnostic::error(&said.message),
        };
        if let Some(h) = &said.hint {
            d = d.with_hint(h.clone());
        }
        let file = said.file.as_deref().map(|f| config.root.join(f));
        let location = file.as_ref().and_then(|path| {
            let page = site.pages.iter().find(|p| &p.file.path == path);
            let section = site.sections.iter().find(|s| &s.file.path == path);
            match (&said.key, said.line) {
                (Some(k), _) => page
                    .map(|p| p.locate(k))
                    .or_else(|| section.map(|s| s.locate(k))),
                (None, Some(line)) => {
                    let text = page
                        .map(|p| p.source.text.to_string())
                        .or_else(|| section.map(|s| s.source.text.to_string()))
                        .or_else(|| {
                            crate::load::resolves_inside(&config.root, path)
                                .then(|| std::fs::read_to_string(path).ok())
                                .flatten()
                        })
                        .unwrap_or_default();
                    Some(Location::from_line(
                        path,
                        &text,
                        line,
                        said.column.unwrap_or(1),
                    ))
                }
                (None, None) => page
                    .map(|p| p.locate("title"))
                    .or_else(|| section.map(|s| s.locate("title"))),
            }
        });
        match location {
            Some(l) => d.at(l),
            None => {
                let d = d.at(entry_location(config, cmd.index));
                match &said.file {
                    Some(f) => d.with_hint(format!(
                        "(reported by the plugin `{}` about `{f}`, which is not a page or section of this site)",
                        cmd.name
                    )),
                    None => d,
                }
            }
        }
    }
}

impl Plugin for ExternalPlugins {
    fn name(&self) -> &str {
        "external plugins"
    }

    fn site_loaded(&mut self, site: &Site, config: &Config, diags: &Diagnostics) {
        self.answers.clear();
        let commands = commands(config, diags);
        self.listed = commands.iter().map(|c| c.name.clone()).collect();
        self.bodies = commands.iter().any(|c| c.bodies);
        if commands.is_empty() {
            return;
        }
        // Made once for all commands that are sent the same.
        let mut requests: [Option<(Vec<u8>, u64)>; 2] = [None, None];
        for cmd in commands {
            let (input, fp) = requests[usize::from(cmd.bodies)]
                .get_or_insert_with(|| {
                    let bytes =
                        serde_json::to_vec(&request(site, config, cmd.bodies)).unwrap_or_default();
                    let fp = xxhash_rust::xxh3::xxh3_64(&bytes);
                    (bytes, fp)
                })
                .clone();
            let key = (config.root.clone(), cmd.command.clone());
            let kept = memo()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&key)
                .filter(|(f, _)| *f == fp)
                .map(|(_, a)| a.clone());
            let answer = match kept {
                Some(a) => a,
                None => match run(&config.root, &cmd, &input).and_then(|out| parse(&out)) {
                    Ok(a) => {
                        let a = Arc::new(a);
                        memo()
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(key, (fp, a.clone()));
                        a
                    }
                    Err(f) => {
                        let shown = cmd.command.join(" ");
                        let (message, hint) = match f {
                            Failure::Start(e) => (
                                format!("the plugin `{}` could not be started (`{shown}`): {e}", cmd.name),
                                "the command runs from the site's folder: check the program is installed and the path to the script is right".to_string(),
                            ),
                            Failure::Exit(code, tail) => (
                                format!(
                                    "the plugin `{}` failed (`{shown}` exited with {})",
                                    cmd.name,
                                    code.map(|c| format!("status {c}")).unwrap_or_else(|| "a signal".into())
                                ),
                                if tail.is_empty() { "it wrote nothing on stderr".into() } else { format!("its last words on stderr:\n{tail}") },
                            ),
                            Failure::Timeout(t, tail) => (
                                format!(
                                    "the plugin `{}` did not answer within {} s, and was stopped",
                                    cmd.name,
                                    t.as_secs_f64()
                                ),
                                format!(
                                    "give it longer with timeout = … (seconds) in its entry, or find where it waits{}",
                                    if tail.is_empty() { String::new() } else { format!("; its last words on stderr:\n{tail}") }
                                ),
                            ),
                            Failure::Answer(why) => (
                                format!("the plugin `{}` gave an answer throughline cannot read: {why}", cmd.name),
                                "print one JSON object on stdout, such as {\"protocol\": 1, \"data\": {}}, and anything else on stderr (docs/plugins.md, \"External plugins\")".to_string(),
                            ),
                        };
                        diags.push(
                            Diagnostic::error(message)
                                .at(entry_location(config, cmd.index))
                                .with_hint(hint),
                        );
                        continue;
                    }
                },
            };
            for said in &answer.diagnostics {
                diags.push(Self::located(site, config, &cmd, said));
            }
            self.answers.push((cmd, answer));
        }
    }

    fn site_changed(
        &mut self,
        site: &Site,
        config: &Config,
        _changed: &[crate::site::Item],
        diags: &Diagnostics,
    ) -> Option<super::Changed> {
        let before: Vec<*const Answer> = self.answers.iter().map(|(_, a)| Arc::as_ptr(a)).collect();
        self.site_loaded(site, config, diags);
        let after: Vec<*const Answer> = self.answers.iter().map(|(_, a)| Arc::as_ptr(a)).collect();
        // The same answers (each command was sent what it was sent before,
        // or there are none): nothing of ours changed. Otherwise its data,
        // pages and templates may all differ: everything is built again.
        (before == after).then(super::Changed::default)
    }

    fn site_loaded_reads_bodies(&self) -> bool {
        self.bodies
    }

    fn templates(&self) -> Vec<Template> {
        self.answers
            .iter()
            .flat_map(|(_, a)| a.templates.iter().cloned())
            .collect()
    }

    fn templates_for(&self, _engine: crate::config::EngineKind) -> Vec<Template> {
        // The command answers for the engine the site uses (it is sent the
        // config).
        self.templates()
    }

    fn functions(&self) -> Vec<Function> {
        if self.listed.is_empty() {
            return Vec::new();
        }
        // Every plugin listed, answered or not: one that failed has its own
        // error already, and its data reads as nothing rather than adding
        // a second error in each template that reads it.
        let mut data: HashMap<String, Value> = self
            .listed
            .iter()
            .map(|n| (n.clone(), Value::Null))
            .collect();
        for (c, a) in &self.answers {
            data.insert(c.name.clone(), a.data.clone());
        }
        vec![Function::new("plugin_data", move |args: &Args| {
            let name = args
                .get("name")
                .and_then(Value::as_str)
                .ok_or("plugin_data needs name=\"…\", the plugin's name in config.toml")?;
            data.get(name).cloned().ok_or_else(|| {
                let mut names: Vec<&str> = data.keys().map(String::as_str).collect();
                names.sort_unstable();
                format!(
                    "no plugin is named `{name}`; the site's plugins are: {}",
                    names.join(", ")
                )
            })
        })]
    }

    fn generated_pages(&self, _cx: &RenderCx<'_>) -> Vec<GeneratedPage> {
        self.answers
            .iter()
            .flat_map(|(_, a)| a.pages.iter().cloned())
            .collect()
    }
}
